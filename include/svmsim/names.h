/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of the ABI's enums, for the module's debugfs files and for
 * svmbench's reports: one table, so both print the same words.
 */
#ifndef _SVMSIM_NAMES_H
#define _SVMSIM_NAMES_H

#include "uapi/svmsim.h"

#ifndef __maybe_unused
#define __maybe_unused __attribute__((unused))
#endif

static __maybe_unused const char * const svmsim_stat_names[SVMSIM_STAT_NR] = {
	[SVMSIM_STAT_TLB_HITS]		= "tlb_hits",
	[SVMSIM_STAT_TLB_MISSES]	= "tlb_misses",
	[SVMSIM_STAT_TLB_INSERTS]	= "tlb_inserts",
	[SVMSIM_STAT_TLB_EVICTIONS]	= "tlb_evictions",
	[SVMSIM_STAT_TLB_FLUSHED]	= "entries_flushed",
	[SVMSIM_STAT_TLB_COLLATERAL]	= "collateral",
	[SVMSIM_STAT_TLB_STALE_REFUSED]	= "stale_refused",
	[SVMSIM_STAT_TLB_FULL_FLUSHES]	= "full_flushes",
	[SVMSIM_STAT_TLB_WALK_FLUSHES]	= "walk_flushes",
	[SVMSIM_STAT_TLB_PROBE_FLUSHES]	= "probe_flushes",
	[SVMSIM_STAT_TLB_ENTRIES]	= "tlb_entries",
	[SVMSIM_STAT_TLB_ENTRIES_2M]	= "tlb_entries_2m",
	[SVMSIM_STAT_FILLS]		= "fills",
	[SVMSIM_STAT_FILLS_2M]		= "fills_2m",
	[SVMSIM_STAT_FILL_RETRIES]	= "fill_retries",
	[SVMSIM_STAT_FILL_WAITS]	= "fill_waits",
	[SVMSIM_STAT_FILL_FAULTS]	= "fill_faults",
	[SVMSIM_STAT_DMA_OPS]		= "dma_ops",
	[SVMSIM_STAT_DMA_BYTES]		= "dma_bytes",
	[SVMSIM_STAT_DMA_FAULTS]	= "dma_faults",
	[SVMSIM_STAT_INV_CALLS]		= "inv_calls",
	[SVMSIM_STAT_INV_EMPTY]		= "inv_empty",
	[SVMSIM_STAT_INV_NONBLOCK]	= "inv_nonblock",
	[SVMSIM_STAT_INV_OBSERVED]	= "inv_observed",
	[SVMSIM_STAT_QI_DESCS]		= "qi_descs",
	[SVMSIM_STAT_QI_BATCHES]	= "qi_batches",
	[SVMSIM_STAT_QI_WAITS]		= "qi_waits",
	[SVMSIM_STAT_RELEASES]		= "releases",
	[SVMSIM_STAT_BINDS]		= "binds",
	[SVMSIM_STAT_UNBINDS]		= "unbinds",
	[SVMSIM_STAT_PINNED_PAGES]	= "pinned_pages",
	[SVMSIM_STAT_ZAPS]		= "zaps",
	[SVMSIM_STAT_WINDOW_SWAPS]	= "window_swaps",
	[SVMSIM_STAT_INJECTED]		= "injected",
	[SVMSIM_STAT_TLB_RETIRED]	= "tlb_retired",
	[SVMSIM_STAT_TLB_UNCOUNTED]	= "tlb_uncounted",
	[SVMSIM_STAT_TLB_STALE]		= "tlb_stale",
	[SVMSIM_STAT_WINDOW_PAGES]	= "window_pages",
	[SVMSIM_STAT_SAN_CHECKS]	= "san_checks",
	[SVMSIM_STAT_SAN_STALE]		= "san_stale",
	[SVMSIM_STAT_SAN_WAITS]		= "san_waits",
	[SVMSIM_STAT_SAN_UNCHECKED]	= "san_unchecked",
	[SVMSIM_STAT_FANOUT]		= "fanout_flushes",
	[SVMSIM_STAT_FANOUT_SERIAL]	= "fanout_serial",
	[SVMSIM_STAT_DEV_TAIL]		= "dev_tail",
	[SVMSIM_STAT_QI_LOST]		= "qi_lost",
	[SVMSIM_STAT_QI_TIMEOUTS]	= "qi_timeouts",
	[SVMSIM_STAT_QI_FULL]		= "qi_full",
	[SVMSIM_STAT_QI_KILLED]		= "qi_killed",
	[SVMSIM_STAT_QI_DESCS_NOMEM]	= "qi_descs_nomem",
};

static __maybe_unused const char * const svmsim_event_names[SVMSIM_EV_NR] = {
	[SVMSIM_EV_UNMAP]		= "unmap",
	[SVMSIM_EV_CLEAR]		= "clear",
	[SVMSIM_EV_PROTECTION_VMA]	= "protection_vma",
	[SVMSIM_EV_PROTECTION_PAGE]	= "protection_page",
	[SVMSIM_EV_SOFT_DIRTY]		= "soft_dirty",
	[SVMSIM_EV_RELEASE]		= "release",
	[SVMSIM_EV_MIGRATE]		= "migrate",
	[SVMSIM_EV_EXCLUSIVE]		= "exclusive",
	[SVMSIM_EV_UNATTRIBUTED]	= "unattributed",
	[SVMSIM_EV_CHANGE_PTE]		= "change_pte",
	[SVMSIM_EV_MM_RELEASE]		= "mm_release",
	[SVMSIM_EV_OTHER]		= "other",
};

static __maybe_unused const char * const svmsim_size_names[SVMSIM_SZ_NR] = {
	[SVMSIM_SZ_1]		= "1",
	[SVMSIM_SZ_2_8]		= "2-8",
	[SVMSIM_SZ_9_64]	= "9-64",
	[SVMSIM_SZ_65_512]	= "65-512",
	[SVMSIM_SZ_513_4096]	= "513-4096",
	[SVMSIM_SZ_4097_UP]	= "4097+",
	[SVMSIM_SZ_FULL]	= "full",
};

static __maybe_unused const char * const svmsim_model_names[SVMSIM_MODEL_NR] = {
	[SVMSIM_MODEL_DEFAULT]		= "default",
	[SVMSIM_MODEL_SECONDARY]	= "secondary",
	[SVMSIM_MODEL_RANGE]		= "range",
	[SVMSIM_MODEL_PINNED]		= "pinned",
};

static __maybe_unused const char * const svmsim_fill_names[SVMSIM_FILL_NR] = {
	[SVMSIM_FILL_DEFAULT]	= "default",
	[SVMSIM_FILL_REF]	= "ref",
	[SVMSIM_FILL_NOREF]	= "noref",
};

static __maybe_unused const char * const svmsim_repl_names[SVMSIM_REPL_NR] = {
	[SVMSIM_REPL_CLOCK]	= "clock",
	[SVMSIM_REPL_LRU]	= "lru",
	[SVMSIM_REPL_FIFO]	= "fifo",
	[SVMSIM_REPL_RANDOM]	= "random",
};

static __maybe_unused const char * const svmsim_flush_mode_names[SVMSIM_FLUSH_MODE_NR] = {
	[SVMSIM_FLUSH_SYNC]	= "sync",
	[SVMSIM_FLUSH_QUEUED]	= "queued",
};

static __maybe_unused const char * const svmsim_bug_names[SVMSIM_BUG_NR] = {
	[SVMSIM_BUG_NONE]		= "none",
	[SVMSIM_BUG_SKIP_INVALIDATE]	= "skip_invalidate",
	[SVMSIM_BUG_NO_FILL_BLOCK]	= "no_fill_block",
	[SVMSIM_BUG_IGNORE_SEQ]		= "ignore_seq",
	[SVMSIM_BUG_END_OFF_BY_ONE]	= "end_off_by_one",
	[SVMSIM_BUG_WRONG_PASID]	= "wrong_pasid",
	[SVMSIM_BUG_NO_WAIT]		= "no_wait",
	[SVMSIM_BUG_SKIP_UNMAP]		= "skip_unmap",
	[SVMSIM_BUG_SKIP_CLEAR]		= "skip_clear",
	[SVMSIM_BUG_SKIP_PROTECTION_VMA] = "skip_protection_vma",
	[SVMSIM_BUG_SKIP_PROTECTION_PAGE] = "skip_protection_page",
	[SVMSIM_BUG_SKIP_MIGRATE]	= "skip_migrate",
	[SVMSIM_BUG_SKIP_SOFT_DIRTY]	= "skip_soft_dirty",
	[SVMSIM_BUG_SKIP_CHANGE_PTE]	= "skip_change_pte",
	[SVMSIM_BUG_LATE_FLUSH]		= "late_flush",
	[SVMSIM_BUG_START_OFF_BY_ONE]	= "start_off_by_one",
	[SVMSIM_BUG_END_OVERFLOW]	= "end_overflow",
	[SVMSIM_BUG_4K_LEAVES_2M]	= "4k_leaves_2m",
	[SVMSIM_BUG_SKIP_RELEASE]	= "skip_release",
	[SVMSIM_BUG_FULL_FORGETS_2M]	= "full_forgets_2m",
};

#ifndef __KERNEL__
#include <string.h>

/*
 * Index of @s in @names[first..n) (gaps allowed), or -1: how every tool
 * reads a name of these tables back (svmbench, svmsim-run, svmsim-replay,
 * the in-VM tests).
 */
static inline int svmsim_name_index(const char *const *names, unsigned int first,
				    unsigned int n, const char *s)
{
	for (unsigned int i = first; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}
#endif

#endif /* _SVMSIM_NAMES_H */
