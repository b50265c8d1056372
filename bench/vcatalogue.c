// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench --validate's catalogue: per bug of enum svmsim_bug, the
 * workloads most likely to expose it (in the order tried), the models it
 * applies to (the module's rules, drv/inject.c), and what kernel path it
 * needs -- printed when the bug never acted.  "none" is the correct
 * driver: its cells are the clean run.
 */
#include <stddef.h>

#include "validate.h"

/* Races: fills slowed between walk and insert, one more device thread. */
#define RACE	"--device-threads 3 --fill-delay-us 1000"
/*
 * Accesses inside a bracket: entries must be cached when it opens, so no
 * fill delay -- a 1 ms fill rarely fits between two 200 us-apart ops,
 * and with it a late flush took 5-8 s to catch on 6.12, or was missed
 * (without it: 0.02-0.9 s, 18 tries).
 */
#define BUSY	"--device-threads 3"
#define QUEUED	"--flush-mode queued --latency-ns 200000"
#define HUGE	"--huge --pages 512 --regions 2"
/* Races take seconds to hit under TCG (6.12: up to 5 s measured): a floor for their budget. */
#define RACE_S	8

static const struct vbug catalogue[SVMSIM_BUG_NR] = {
	[SVMSIM_BUG_NONE] = {
		SVMSIM_BUG_NONE, M_BOTH,
		.cells = { { "mixed", M_BOTH }, { "softdirty", M_BOTH },
			   { "dontneed", M_BOTH, HUGE " --op-pages 1" } },
	},
	[SVMSIM_BUG_SKIP_INVALIDATE] = {
		SVMSIM_BUG_SKIP_INVALIDATE, M_BOTH,
		.needs = "any invalidation of a page the device caches",
		.cells = { { "munmap", M_BOTH }, { "dontneed", M_BOTH } },
	},
	[SVMSIM_BUG_NO_FILL_BLOCK] = {
		SVMSIM_BUG_NO_FILL_BLOCK, M_RANGE,
		.needs = "a fill between invalidate_range_start and _end",
		.cells = { { "dontneed", M_RANGE, RACE, RACE_S }, { "munmap", M_RANGE, RACE, RACE_S } },
	},
	[SVMSIM_BUG_IGNORE_SEQ] = {
		SVMSIM_BUG_IGNORE_SEQ, M_BOTH,
		.needs = "a fill whose page walk raced an invalidation",
		.cells = { { "dontneed", M_BOTH, RACE, RACE_S }, { "munmap", M_BOTH, RACE, RACE_S } },
	},
	[SVMSIM_BUG_END_OFF_BY_ONE] = {
		SVMSIM_BUG_END_OFF_BY_ONE, M_BOTH,
		.needs = "a range invalidation (not 0..ULONG_MAX)",
		.cells = { { "munmap", M_BOTH }, { "dontneed", M_BOTH } },
	},
	[SVMSIM_BUG_WRONG_PASID] = {
		SVMSIM_BUG_WRONG_PASID, M_BOTH,
		.needs = "any invalidation",
		.cells = { { "munmap", M_BOTH }, { "dontneed", M_BOTH } },
	},
	[SVMSIM_BUG_NO_WAIT] = {
		SVMSIM_BUG_NO_WAIT, M_BOTH, .queued = true,
		.needs = "a queued flush (--flush-mode queued)",
		.cells = { { "munmap", M_BOTH, QUEUED }, { "dontneed", M_BOTH, QUEUED } },
	},
	[SVMSIM_BUG_SKIP_UNMAP] = {
		SVMSIM_BUG_SKIP_UNMAP, M_RANGE,
		.needs = "MMU_NOTIFY_UNMAP: munmap, mremap",
		.cells = { { "munmap", M_RANGE } },
	},
	[SVMSIM_BUG_SKIP_CLEAR] = {
		SVMSIM_BUG_SKIP_CLEAR, M_RANGE,
		.needs = "MMU_NOTIFY_CLEAR: MADV_DONTNEED, zap, COW, NUMA migration",
		.cells = { { "dontneed", M_RANGE }, { "cow", M_RANGE }, { "migrate", M_RANGE } },
	},
	[SVMSIM_BUG_SKIP_PROTECTION_VMA] = {
		SVMSIM_BUG_SKIP_PROTECTION_VMA, M_RANGE,
		.needs = "MMU_NOTIFY_PROTECTION_VMA: mprotect",
		.cells = { { "mprotect", M_RANGE } },
	},
	[SVMSIM_BUG_SKIP_PROTECTION_PAGE] = {
		SVMSIM_BUG_SKIP_PROTECTION_PAGE, M_RANGE,
		.needs = "MMU_NOTIFY_PROTECTION_PAGE: fork write-protecting the parent's pages",
		.cells = { { "cow", M_RANGE } },
	},
	[SVMSIM_BUG_SKIP_MIGRATE] = {
		SVMSIM_BUG_SKIP_MIGRATE, M_RANGE,
		.needs = "MMU_NOTIFY_MIGRATE, sent only by migrate_vma_*() (device-private "
			 "memory, HMM); move_pages() and NUMA balancing send MMU_NOTIFY_CLEAR, "
			 "and user space cannot call migrate_vma",
		.cells = { { "migrate", M_RANGE } },
	},
	[SVMSIM_BUG_SKIP_SOFT_DIRTY] = {
		SVMSIM_BUG_SKIP_SOFT_DIRTY, M_RANGE,
		.needs = "MMU_NOTIFY_SOFT_DIRTY: clear_refs 4",
		.cells = { { "softdirty", M_RANGE } },
	},
	[SVMSIM_BUG_SKIP_CHANGE_PTE] = {
		SVMSIM_BUG_SKIP_CHANGE_PTE, M_SEC, .change_pte = true,
		.needs = "->change_pte (6.1): COW's set_pte_at_notify, KSM",
		.harmless = "6.1's wp_page_copy() flushes the page through "
			    "ptep_clear_flush_notify() (->invalidate_range) before "
			    "set_pte_at_notify() sends ->change_pte, so the skipped flush "
			    "finds nothing to remove; where ->change_pte is the first notice "
			    "(KSM's write_protect_page, replace_page) the bracket's end sends "
			    "->invalidate_range for the page before KSM compares or frees it",
		.cells = { { "cow", M_SEC } },
	},
	[SVMSIM_BUG_LATE_FLUSH] = {
		SVMSIM_BUG_LATE_FLUSH, M_RANGE,
		.needs = "a device access between invalidate_range_start and _end",
		/* migration keeps the bracket open while it copies: the widest window */
		.cells = { { "migrate", M_RANGE, BUSY, RACE_S },
			   { "dontneed", M_RANGE, BUSY, RACE_S }, { "munmap", M_RANGE, BUSY, RACE_S } },
	},
	[SVMSIM_BUG_START_OFF_BY_ONE] = {
		SVMSIM_BUG_START_OFF_BY_ONE, M_BOTH,
		.needs = "any invalidation",
		.cells = { { "munmap", M_BOTH }, { "dontneed", M_BOTH } },
	},
	[SVMSIM_BUG_END_OVERFLOW] = {
		SVMSIM_BUG_END_OVERFLOW, M_BOTH,
		.needs = "a 0..ULONG_MAX invalidation: clear_refs; on 6.12 (secondary) "
			 "flushes over 33 pages",
		.cells = { { "softdirty", M_BOTH }, { "munmap", M_SEC, "--pages 64" } },
	},
	[SVMSIM_BUG_4K_LEAVES_2M] = {
		SVMSIM_BUG_4K_LEAVES_2M, M_BOTH,
		.needs = "a sub-2M invalidation while a 2M entry is cached: 6.1 secondary "
			 "(a PMD split sends no invalidate_range, the 4K zap after it does); "
			 "on 6.12 each split flushes the whole 2M (pmdp_invalidate), and in "
			 "the range model the split's invalidate_range_start covers the 2M",
		.harmless = "in the range model a sub-2M zap of a PMD-mapped THP brackets "
			    "the split: the zap's own start (4K) leaves the 2M entry -- the "
			    "bug acts -- but the split's invalidate_range_start, nested "
			    "inside before any PTE changes, covers the whole 2M and removes it",
		.harmless_models = M_RANGE,
		/*
		 * Half the THP zapped: the 2M entry left behind is stale for
		 * 256 pages, not one, so the device threads' random accesses
		 * meet it before the next covering flush (NUMA balancing sends
		 * many).  One op of a THP region takes seconds under TCG.
		 */
		.cells = { { "dontneed", M_BOTH, HUGE " --op-pages 256", 8 } },
	},
	[SVMSIM_BUG_SKIP_RELEASE] = {
		SVMSIM_BUG_SKIP_RELEASE, M_BOTH, .sanitizer_only = true,
		.needs = "a bound process exiting with entries cached",
		.cells = { { VEXIT, M_BOTH } },
	},
	[SVMSIM_BUG_FULL_FORGETS_2M] = {
		SVMSIM_BUG_FULL_FORGETS_2M, M_BOTH,
		.needs = "a PASID-wide flush (0..ULONG_MAX, or over --threshold) while a 2M "
			 "entry is cached",
		.cells = { { "softdirty", M_BOTH, HUGE },
			   { "dontneed", M_BOTH, HUGE " --threshold 16" } },
	},
};

const struct vbug *vcatalogue(uint32_t bug)
{
	return bug < SVMSIM_BUG_NR ? &catalogue[bug] : NULL;
}
