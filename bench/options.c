// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench's command line: one table of option descriptors, from which
 * come the getopt_long table, --help, the defaults and the "was it set"
 * bits (options.h); then the checks across options.
 *
 * A descriptor names its option, its argument, where its value goes and
 * how to parse it (a type with bounds, a list of names, or a function of
 * its own).  Its default is a string parsed like an argument, so --help
 * prints exactly what the run starts from; a default that depends on
 * other options is given as text and worked out in check().
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "columns.h"
#include "mapping.h"
#include "options.h"
#include "svmsim/names.h"
#include "validate.h"
#include "workload.h"

#define STR_(x)		#x
#define STR(x)		STR_(x)
#define HELP_COL	24	/* where option descriptions start */
#define HELP_WIDTH	88

enum opt_type {
	T_FLAG,		/* no argument: the bool at .off becomes true */
	T_NOFLAG,	/* no argument: the bool at .off becomes false */
	T_U64,		/* an integer in [.min, .max] into a uint64_t */
	T_UINT,		/* ... into an unsigned int */
	T_U32,		/* ... into a uint32_t */
	T_NAME,		/* one of .names[.first, .n) into a uint32_t, by index */
	T_STR,		/* the argument itself */
	T_FUNC,		/* .parse decides */
	T_ACTION,	/* --help, --columns: handled in options_parse() */
};

struct optdesc {
	const char *name;
	const char *arg;		/* --help's name of the argument; NULL: none */
	enum opt_type type;
	size_t off;			/* of the value in struct options */
	uint64_t min, max;		/* T_U64, T_UINT, T_U32 */
	const char *const *names;	/* T_NAME */
	unsigned int first, n;
	bool (*parse)(struct options *o, const char *arg);	/* T_FUNC */
	const char *def;		/* the default, parsed as an argument; NULL: none */
	const char *def_text;		/* --help's default when .def cannot say it */
	const char *help;		/* "%D": the default, "%N": the choices */
	const char *(*choices)(void);	/* "%N" of a T_FUNC option */
	const char *section;		/* --help: a section starts here */
};

static const char *const format_names[] = { [FMT_CSV] = "csv", [FMT_JSON] = "json" };
static const char *const fanout_names[] = {
	[FANOUT_SERIAL] = "serial", [FANOUT_PARALLEL] = "parallel",
};

/* ---- parsers ---- */

static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Index of @s in @names[first..n), or false. */
static bool parse_name(const char *s, const char *const *names, unsigned int first,
		       unsigned int n, uint32_t *out)
{
	int i = svmsim_name_index(names, first, n, s);

	if (i < 0)
		return false;
	*out = (uint32_t)i;
	return true;
}

static bool parse_seconds(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (!*s || *end || !(v > 0) || v > 1e7)
		return false;
	*out = v;
	return true;
}

static bool p_workload(struct options *o, const char *arg)
{
	return (o->workload = workload_find(arg)) != NULL;
}

static bool p_backend(struct options *o, const char *arg)
{
	return (o->backend = backend_find(arg)) != NULL;
}

static bool p_duration(struct options *o, const char *arg)
{
	return parse_seconds(arg, &o->duration);
}

static bool p_budget(struct options *o, const char *arg)
{
	return parse_seconds(arg, &o->validate_budget);
}

/* on|off into *@v. */
static bool on_off(bool *v, const char *arg)
{
	*v = !strcmp(arg, "on");
	return *v || !strcmp(arg, "off");
}

static bool p_psi(struct options *o, const char *arg)
{
	return on_off(&o->psi, arg);
}

static bool p_page_descs(struct options *o, const char *arg)
{
	return on_off(&o->page_descs, arg);
}

/* PCT:MULT, 0..100 and 1..SVMSIM_MAX_TAIL_MULT; "0" (or 0:M) is off. */
static bool p_lat_tail(struct options *o, const char *s)
{
	const char *colon = strchr(s, ':');
	char pct[16];
	uint64_t p, m = 0;

	if ((colon ? (size_t)(colon - s) : strlen(s)) >= sizeof(pct))
		return false;
	snprintf(pct, sizeof(pct), "%.*s", colon ? (int)(colon - s) : (int)strlen(s), s);
	if (!parse_u64(pct, 0, 100, &p) || (p && !colon) ||
	    (colon && !parse_u64(colon + 1, 1, SVMSIM_MAX_TAIL_MULT, &m)))
		return false;
	o->lat_tail_pct = (uint32_t)p;
	o->lat_tail_mult = (uint32_t)m;
	return true;
}

/* BUG[:PARAM] */
static bool p_inject(struct options *o, const char *s)
{
	char name[64];
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);
	uint64_t param = 0;

	if (len >= sizeof(name))
		return false;
	memcpy(name, s, len);
	name[len] = 0;
	if (!parse_name(name, svmsim_bug_names, 0, SVMSIM_BUG_NR, &o->inject))
		return false;
	o->inject_param = 0;
	if (colon && !parse_u64(colon + 1, 0, UINT32_MAX, &param))
		return false;
	o->inject_param = (uint32_t)param;
	return true;
}

static const char *vmode_name(unsigned int i)
{
	return vmodes[i].name;
}

static const char *bug_name(unsigned int i)
{
	return svmsim_bug_names[i];
}

/* NAME[,NAME...] -> a bit per name of @name(0..n-1); none empty. */
static bool parse_set(const char *s, const char *(*name)(unsigned int), unsigned int n,
		      uint64_t *mask)
{
	size_t len;
	unsigned int i;

	*mask = 0;
	for (; *s; s += len + (s[len] == ',')) {
		len = strcspn(s, ",");
		for (i = 0; i < n; i++)
			if (strlen(name(i)) == len && !strncmp(s, name(i), len))
				break;
		if (i == n)
			return false;
		*mask |= 1ull << i;
	}
	return *mask != 0;
}

static bool p_modes(struct options *o, const char *arg)
{
	uint64_t mask;

	if (!parse_set(arg, vmode_name, VM_NR, &mask))
		return false;
	o->validate_modes = (unsigned int)mask;
	return true;
}

static bool p_bugs(struct options *o, const char *arg)
{
	if (!strcmp(arg, "all")) {
		o->validate_bugs = (1ull << SVMSIM_BUG_NR) - 1;
		return true;
	}
	return parse_set(arg, bug_name, SVMSIM_BUG_NR, &o->validate_bugs);
}

/* ---- the table ---- */

#define OFF(field)	offsetof(struct options, field)
#define FLAG(nm, field, text) \
	[OPT_##nm] = { .type = T_FLAG, .off = OFF(field), .help = text
#define NUM(nm, t, field, lo, hi) \
	[OPT_##nm] = { .type = t, .off = OFF(field), .min = lo, .max = hi
#define NAMES(nm, field, list, from, count) \
	[OPT_##nm] = { .type = T_NAME, .off = OFF(field), .names = list, .first = from, \
		       .n = count
#define FUNC(nm, fn) [OPT_##nm] = { .type = T_FUNC, .parse = fn

static const struct optdesc opts[OPT_NR] = {
	FUNC(WORKLOAD, p_workload), .name = "workload", .arg = "W", .def = "munmap",
		.choices = workload_names, .section = "Workload and size:",
		.help = "%N (%D):\n"
		"zap: the driver zaps a device window (SVMSIM_IOC_ZAP, swap);\n"
		"dontneed: madvise(MADV_DONTNEED); munmap: munmap, then mmap at the same "
		"address; cow: fork, then the parent's first write to each page (one sample "
		"per page); migrate: move_pages to the other NUMA node; mprotect: "
		"mprotect(PROT_READ), then back;\n"
		"mixed: one of dontneed/munmap/cow/migrate/mprotect per op;\n"
		"softdirty: write 4 to /proc/self/clear_refs (a 0..ULONG_MAX "
		"MMU_NOTIFY_SOFT_DIRTY), device writes for the pause, then the CPU rewrites "
		"the pages; a device write after clear_refs must leave its page soft-dirty in "
		"pagemap (violation softclean_write)" },
	NUM(ITERATIONS, T_U64, iterations, 1, UINT32_MAX), .name = "iterations", .arg = "N",
		.def_text = STR(DEFAULT_ITERATIONS), .help = "bound operations in all (%D)" },
	FUNC(DURATION, p_duration), .name = "duration", .arg = "SEC",
		.help = "run for SEC seconds instead of --iterations" },
	NUM(PAGES, T_UINT, pages, 1, 1u << 20), .name = "pages", .arg = "N", .def = "1",
		.help = "4K pages per region = per operation (%D; zap <= "
		STR(SVMSIM_WINDOW_MAX_PAGES) ")" },
	NUM(OP_PAGES, T_UINT, op_pages, 1, 1u << 20), .name = "op-pages", .arg = "N",
		.def_text = "all",
		.help = "dontneed: the operation covers the first N pages of the region only "
		"(%D); with --huge each op first drops the whole region so the next touch "
		"maps a fresh THP: a sub-2M zap inside a PMD-mapped huge page the device "
		"caches as a 2M entry" },
	NUM(REGIONS, T_UINT, regions, 1, 4096), .name = "regions", .arg = "N",
		.def_text = "max(4, --threads)",
		.help = "regions, at least --threads (%D);\n"
		"mutator i changes regions i, i+T, i+2T, ..." },
	NUM(CACHED, T_UINT, cached, 0, 1u << 22), .name = "cached", .arg = "N", .def = "0",
		.help = "ballast pages, never changed, re-cached before each op so the TLB "
		"holds N more entries (%D)" },
	FLAG(HUGE, huge, "THP-backed regions (2M aligned, MADV_HUGEPAGE; --pages a multiple "
	     "of 512; not with zap)"), .name = "huge" },
	NAMES(LAYOUT, layout, layout_names, 0, LAYOUT_NR), .name = "layout", .arg = "L",
		.def = "guarded",
		.help = "%N (%D), recorded in column layout.\n"
		"guarded: a PROT_NONE guard (4K; 2M with --huge) between regions, so each is a "
		"VMA of its own and munmap/mprotect never split or merge VMAs; packed: regions "
		"back to back, so anonymous neighbours merge into one VMA that each op "
		"splits.  Column merged_regions counts regions that were not a VMA of their "
		"own at the start or the end of the run" },

	NUM(THREADS, T_UINT, threads, 1, MAX_THREADS), .name = "threads", .arg = "T",
		.def = "1", .section = "Threads:",
		.help = "mutator threads (%D, at most " STR(MAX_THREADS) ")" },
	FLAG(LOCKSTEP, lockstep, "the mutator threads start each iteration together (a "
	     "barrier): T invalidations in flight at once, as a queued device's batching "
	     "needs; a thread whose iterations are done leaves it"), .name = "lockstep" },
	NUM(DEVICE_THREADS, T_UINT, device_threads, 0, MAX_DEVICE_THREADS),
		.name = "device-threads", .arg = "D", .def = "1",
		.help = "device threads doing DMA reads/writes (%D, at most "
		STR(MAX_DEVICE_THREADS) "; 0 on a backend without reads)" },
	FLAG(PIN, pin, "pin mutator i (and its peer) on CPU i, device threads on the "
	     "following CPUs, wrapping"), .name = "pin" },

	FUNC(BACKEND, p_backend), .name = "backend", .arg = "B", .def = "svmsim",
		.choices = backend_names, .section = "Backend (bench/BACKENDS.md):",
		.help = "%N (%D), column backend:\n"
		"svmsim: this project's device, every option below;\n"
		"dmirror: the kernel's HMM mirror test driver (lib/test_hmm.c, built by "
		"scripts/dmirror): device reads only, so device threads only read and the "
		"write-side checks (lost, read-only, child, soft-clean writes) do not run; no "
		"zap, no kernel counters (their columns are empty);\n"
		"null: svmsim_null.ko, a notifier that does nothing, --model secondary|range: "
		"the floor; no device access at all.\n"
		"A run that needs what the backend lacks exits 77 and says why" },

	NUM(DEVICE, T_UINT, device, 0, 255), .name = "device", .arg = "N", .def = "0",
		.section = "Device (SVMSIM_IOC_SET_CONFIG before binding; what is not given is "
		"left as the device has it, reported as found, and restored at exit):",
		.help = "use /dev/svmsimN (%D; dmirror: /dev/hmm_dmirrorN)" },
	NUM(DEVICES, T_UINT, devices, 1, MAX_FANOUT_DEVICES), .name = "devices", .arg = "K",
		.def = "1",
		.help = "bind the mm to K devices, /dev/svmsimN to N+K-1 (module parameter "
		"ndevices), each configured alike and caching what the first caches: every "
		"invalidation reaches all K (%D, at most " STR(MAX_FANOUT_DEVICES) "; svmsim "
		"only; device threads use the first)" },
	NAMES(FANOUT, fanout, fanout_names, 0, FANOUT_NR), .name = "fanout", .arg = "F",
		.def = "serial",
		.help = "with --devices: serial, each device its own notifier, flushed and "
		"waited for in turn; parallel, SVMSIM_BIND_FANOUT, one two-pass notifier that "
		"posts to every device, then waits for all (%N; %D)" },
	NAMES(MODEL, model, svmsim_model_names, 1, SVMSIM_MODEL_NR), .name = "model",
		.arg = "M", .help = "%N (default: the device's default)" },
	NAMES(FILL, fill, svmsim_fill_names, 1, SVMSIM_FILL_NR), .name = "fill", .arg = "F",
		.help = "%N (default: the device's default)" },
	NAMES(FLUSH_MODE, flush_mode, svmsim_flush_mode_names, 0, SVMSIM_FLUSH_MODE_NR),
		.name = "flush-mode", .arg = "M", .help = "%N" },
	NUM(LATENCY, T_U64, latency_ns, 0, INT64_MAX), .name = "latency-ns", .arg = "N",
		.help = "simulated invalidation completion latency" },
	NUM(QI_BATCH, T_U32, qi_batch, 1, SVMSIM_MAX_QI_BATCH), .name = "qi-batch", .arg = "N",
		.help = "queued mode: most descriptors the device completes under one wait "
		"(one latency)" },
	NUM(QI_COALESCE, T_U64, qi_coalesce_ns, 0, SVMSIM_MAX_TAIL_NS), .name = "qi-coalesce-ns",
		.arg = "N",
		.help = "queued mode: the coalescing window: the device starts a batch once its "
		"oldest descriptor has waited N ns, or when --qi-batch are pending (0: at once)" },
	NUM(THRESHOLD, T_U32, threshold, 0, UINT32_MAX), .name = "threshold", .arg = "N",
		.help = "flush_threshold: flushes above N pages go PASID-wide (0 never)" },
	NUM(FLUSH_BUDGET, T_U32, flush_budget, 0, UINT32_MAX), .name = "flush-budget",
		.arg = "N",
		.help = "flush_budget: a flush that would probe or walk more than N pages or "
		"entries retires the PASID at once instead (0: no budget)" },
	NUM(TLB_SETS, T_U32, tlb_sets, 0, UINT32_MAX), .name = "tlb-sets", .arg = "N",
		.help = "TLB sets (power of two)" },
	NUM(TLB_WAYS, T_U32, tlb_ways, 0, UINT32_MAX), .name = "tlb-ways", .arg = "N",
		.help = "TLB ways per set (0 unbounded)" },
	NAMES(TLB_POLICY, tlb_policy, svmsim_repl_names, 0, SVMSIM_REPL_NR),
		.name = "tlb-policy", .arg = "P", .help = "%N" },
	FUNC(PSI, p_psi), .name = "psi", .arg = "on|off",
		.help = "power-of-two page-selective flushes (SVMSIM_CONFIG_PSI, VT-d PSI: "
		"address + size order): a range flush removes the smallest aligned 2^n-page "
		"block holding it; the extra pages count as collateral (column psi)" },
	FUNC(PAGE_DESCS, p_page_descs), .name = "page-descs", .arg = "on|off",
		.help = "one descriptor per page, posted together, one wait (SVMSIM_CONFIG_PAGE_DESCS, "
		"SMMUv3 without range invalidation: a CMD_TLBI per page, one CMD_SYNC); queued: "
		"each takes a place of --qi-batch; not with --psi on (column page_descs)" },
	FUNC(LAT_TAIL, p_lat_tail), .name = "lat-tail", .arg = "PCT:MULT",
		.help = "device fault: PCT% (0..100) of flushes (sync) or batches (queued) take "
		"MULT (1.." STR(SVMSIM_MAX_TAIL_MULT) ") times --latency-ns (counted in "
		"dev_tail); 0: off" },
	NUM(QI_DEPTH, T_U32, qi_depth, 0, SVMSIM_MAX_QI_DEPTH), .name = "qi-depth",
		.arg = "N",
		.help = "queued: at most N descriptors posted and not taken (0 unbounded); a "
		"poster finding the queue full helps the device (counted in qi_full)" },
	NUM(QI_TIMEOUT, T_U64, qi_timeout_ns, 0, SVMSIM_MAX_TAIL_NS), .name = "qi-timeout-ns",
		.arg = "N",
		.help = "queued: the driver's timeout per batch (0 none): a batch late or lost "
		"past it is retired by resetting its PASIDs' entries (counted in qi_timeouts)" },
	NUM(QI_LOSE, T_U32, qi_lose_pct, 0, 100), .name = "qi-lose", .arg = "PCT",
		.help = "queued: PCT% of batches never complete (counted in qi_lost); needs "
		"--qi-timeout-ns" },
	FUNC(INJECT, p_inject), .name = "inject", .arg = "BUG[:P]", .def = "none",
		.help = "inject a driver bug (module parameter allow_inject=1; --fill ref or "
		"--sanitize): one of enum svmsim_bug in the UAPI header, e.g. "
		"skip_invalidate[:every], no_fill_block, late_flush, skip_clear, end_overflow, "
		"4k_leaves_2m (svmbench --validate runs them all; its table lists them)" },
	NUM(FILL_DELAY, T_U32, fill_delay_us, 0, UINT32_MAX), .name = "fill-delay-us",
		.arg = "N", .def = "0",
		.help = "sleep N us between a fill's page walk and its insert" },
	FLAG(SANITIZE, sanitize, "bind with SVMSIM_BIND_SANITIZE: the device checks every "
	     "access against the CPU's page table and stops a stale one (DMA EIO, counted in "
	     "san_stale); columns sanitize, san_checks, san_stale"), .name = "sanitize" },

	FLAG(BASELINE, baseline, "time each op unbound too, in peer processes (default)"), .name = "baseline", .def = "",
		.section = "Measurement and checking:\n"
		"A sample counts only if it timed the operation it names, checked untimed on "
		"both sides: every page present (bound: and cached by the device) when the op "
		"started; migrate: every page moved; cow: the timed store took the fault that "
		"copied the page (a device write that broke COW first leaves a plain store).  "
		"Other samples are left out of the latencies and counted in the columns "
		"discarded and discarded_unbound, and on the summary line." },
	[OPT_NO_BASELINE] = { .type = T_NOFLAG, .off = OFF(baseline), .name = "no-baseline",
		.help = "bound side only" },
	NUM(PAUSE, T_UINT, pause_us, 0, 1000000), .name = "pause-us", .arg = "N", .def = "100",
		.help = "dwell while a region is unmapped or read-only, and before the cow "
		"child is released, so device threads hit it (%D)" },
	NUM(SEED, T_U64, seed, 0, UINT64_MAX), .name = "seed", .arg = "N", .def = "1",
		.help = "random seed (%D)" },
	FLAG(ALLOW_VIOLATIONS, allow_violations, "exit 0 despite coherence violations (the "
	     "pinned model)"), .name = "allow-violations" },
	NUM(MAX_REPORTS, T_UINT, max_reports, 0, UINT_MAX), .name = "max-reports", .arg = "N",
		.def = "100",
		.help = "print the first N violations/faults in full (%D; 0 all); all are "
		"counted" },
	FLAG(STOP_ON_DETECT, stop_on_detect, "end the run at the first coherence violation "
	     "or sanitizer report (polled every 10 ms); columns detected_by, detect_s, "
	     "detect_ops, detect_dev_ops say when"), .name = "stop-on-detect" },

	FLAG(VALIDATE, validate, "inject each bug of the catalogue (enum svmsim_bug) and run "
	     "the workloads most likely to expose it, per model it applies to and per mode, "
	     "each cell a fresh svmbench with --stop-on-detect, until the first detection; "
	     "then the correct driver (none) until it did --clean-ops device operations per "
	     "mode.  Prints a table of bug x workload: caught (by checker, sanitizer or both) "
	     "with time, ops and device ops to the first detection; MISSED (the bug acted: "
	     "its injected counter moved, nothing caught it); harmless (acted, and the note "
	     "says why nothing can be wrong); not reached (injected stayed 0: the note names "
	     "the kernel path it needs); n/a (not on this kernel, or not visible in that "
	     "mode).  With --out PREFIX also PREFIX.csv and PREFIX.json.  Exit 1 if a bug is "
	     "missed, none shows any violation, report or unexpected fault, a detection comes "
	     "without the bug acting, or the clean run falls short of --clean-ops"),
		.name = "validate",
		.section = "Validation (svmbench --validate; module parameter allow_inject=1, "
		"nothing else using the device):" },
	FUNC(BUDGET, p_budget), .name = "budget", .arg = "SEC", .def = "10",
		.help = "seconds of workload per cell (%D)" },
	NUM(CLEAN_OPS, T_U64, validate_clean_ops, 0, UINT64_MAX), .name = "clean-ops",
		.arg = "N", .def = "1000000",
		.help = "device operations the clean run must reach, per mode (%D)" },
	FUNC(MODES, p_modes), .name = "modes", .arg = "LIST", .def = "noref+san,ref+san",
		.help = "of noref+san (fill noref, sanitized: the faithful mode), ref+san, ref "
		"(the checker alone) (%D)" },
	FUNC(BUGS, p_bugs), .name = "bugs", .arg = "LIST", .def = "all",
		.help = "the bugs to run, by name, or all (%D; none: the clean run)" },

	NAMES(FORMAT, format, format_names, 0, 2), .name = "format", .arg = "F", .def = "csv",
		.section = "Output:", .help = "%N (%D); json is one object per line" },
	[OPT_OUT] = { .type = T_STR, .off = OFF(out), .name = "out", .arg = "FILE",
		.def_text = "stdout", .help = "write the result row there (%D)" },
	FLAG(APPEND, append, "append to FILE (a CSV header only if FILE is new or empty)"),
		.name = "append" },
	[OPT_LABEL] = { .type = T_STR, .off = OFF(label), .name = "label", .arg = "L",
		.help = "a name for the run, written in its row (column label)" },
	[OPT_HIST_OUT] = { .type = T_STR, .off = OFF(hist_out), .name = "hist-out",
		.arg = "FILE",
		.help = "append the latency histograms to FILE, one line per non-empty bucket: "
		"label, side (bound|unbound|kflush), lower and upper bound in ns (upper "
		"exclusive), count; tab-separated" },
	[OPT_COLUMNS] = { .type = T_ACTION, .name = "columns", .arg = "[=md]",
		.help = "print every output column (CSV, JSON, --validate's files) with its "
		"type, unit and meaning, tab-separated; =md: as the Markdown of "
		"bench/COLUMNS.md.  Every row starts with format_version (now "
		STR(FORMAT_VERSION) "), raised when a column changes" },
	[OPT_HELP] = { .type = T_ACTION, .name = "help", .help = "this text" },
};

/* ---- setting a value ---- */

static void *field(struct options *o, const struct optdesc *d)
{
	return (char *)o + d->off;
}

/* @arg into @d's value; false: a bad value. */
static bool apply(struct options *o, const struct optdesc *d, const char *arg)
{
	uint64_t v;

	switch (d->type) {
	case T_FLAG:
	case T_NOFLAG:
		*(bool *)field(o, d) = d->type == T_FLAG;
		return true;
	case T_U64:
	case T_UINT:
	case T_U32:
		if (!parse_u64(arg, d->min, d->max, &v))
			return false;
		if (d->type == T_U64)
			*(uint64_t *)field(o, d) = v;
		else if (d->type == T_UINT)
			*(unsigned int *)field(o, d) = (unsigned int)v;
		else
			*(uint32_t *)field(o, d) = (uint32_t)v;
		return true;
	case T_NAME:
		return parse_name(arg, d->names, d->first, d->n, (uint32_t *)field(o, d));
	case T_STR:
		*(const char **)field(o, d) = arg;
		return true;
	case T_FUNC:
		return d->parse(o, arg);
	case T_ACTION:
		break;
	}
	return false;
}

/* Every default of the table, as if given (but not marked given). */
static void defaults(struct options *o)
{
	unsigned int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < OPT_NR; i++)
		if (opts[i].def && !apply(o, &opts[i], opts[i].def))
			abort();	/* a default its own parser refuses: a bug here */
}

/**
 * options_value() - option @id's value in the run, for its column (report.c)
 * @o: the options.
 * @id: a T_FLAG, T_U64, T_UINT, T_U32, T_NAME or T_STR option.
 * @f: its string (names, flags as "true"/"false") or number.
 *
 * Return: false when it has none (a T_STR not given), or for other types.
 */
bool options_value(const struct options *o, enum opt_id id, struct field *f)
{
	const struct optdesc *d = &opts[id];
	const void *v = (const char *)o + d->off;

	switch (d->type) {
	case T_FLAG:
	case T_NOFLAG:
		f->s = *(const bool *)v ? "true" : "false";
		return true;
	case T_U64:
		f->u = *(const uint64_t *)v;
		return true;
	case T_UINT:
		f->u = *(const unsigned int *)v;
		return true;
	case T_U32:
		f->u = *(const uint32_t *)v;
		return true;
	case T_NAME:
		f->s = d->names[*(const uint32_t *)v];
		return true;
	case T_STR:
		f->s = *(const char *const *)v;
		return f->s != NULL;
	case T_FUNC:
	case T_ACTION:
		break;
	}
	return false;
}

/* ---- --help ---- */

/* "csv|json": the names an option takes. */
static const char *choices(const struct optdesc *d)
{
	static char buf[256];
	unsigned int i;

	if (d->choices)
		return d->choices();
	buf[0] = 0;
	for (i = d->first; i < d->n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
			 i > d->first ? "|" : "", d->names[i]);
	return buf;
}

/* @d's help with its %D and %N filled in. */
static void expand(const struct optdesc *d, char *buf, size_t n)
{
	const char *p, *def = d->def_text ? d->def_text : d->def;
	size_t len = 0;

	for (p = d->help; *p && len + 1 < n; p++) {
		if (p[0] == '%' && (p[1] == 'D' || p[1] == 'N')) {
			len += (size_t)snprintf(buf + len, n - len, "%s%s",
						p[1] == 'D' ? "default " : "",
						p[1] == 'D' ? def : choices(d));
			if (len >= n)
				len = n - 1;
			p++;
			continue;
		}
		buf[len++] = *p;
	}
	buf[len] = 0;
}

/*
 * @text word-wrapped to HELP_WIDTH, continued at column @indent (the cursor
 * is at @col); a "\n" breaks the line, two spaces after a sentence stay two.
 */
static void wrap(FILE *f, const char *text, unsigned int indent, unsigned int col)
{
	const char *p = text;
	unsigned int sep = 0;
	size_t w;

	while (*p) {
		if (*p == '\n') {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			sep = 0;
			p++;
			continue;
		}
		w = strcspn(p, " \n");
		if (col > indent && col + sep + w > HELP_WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			sep = 0;
		}
		fprintf(f, "%*s%.*s", sep, "", (int)w, p);
		col += sep + (unsigned int)w;
		p += w;
		for (sep = 0; *p == ' '; p++)
			sep++;
	}
	fputc('\n', f);
}

static void usage_option(FILE *f, const struct optdesc *d)
{
	char head[64], text[2048];
	int n;

	if (d->section) {
		const char *nl = strchr(d->section, '\n');

		char title[256];

		snprintf(title, sizeof(title), "%.*s",
			 nl ? (int)(nl - d->section) : (int)strlen(d->section), d->section);
		fputc('\n', f);
		wrap(f, title, 0, 0);
		if (nl) {
			fputs("  ", f);
			wrap(f, nl + 1, 2, 2);
		}
	}
	n = snprintf(head, sizeof(head), "  %s--%s%s%s", d == &opts[OPT_HELP] ? "-h, " : "",
		     d->name, d->arg && d->arg[0] != '[' ? " " : "", d->arg ? d->arg : "");
	expand(d, text, sizeof(text));
	if (n + 2 > HELP_COL) {
		fprintf(f, "%s\n%*s", head, HELP_COL, "");
	} else {
		fprintf(f, "%-*s", HELP_COL, head);
	}
	wrap(f, text, HELP_COL, HELP_COL);
}

/**
 * options_usage() - svmbench --help
 * @f: where.
 */
void options_usage(FILE *f)
{
	unsigned int i;

	fputs("Usage: svmbench [OPTIONS]\n"
	      "\n"
	      "Measure what mm operations cost an svmsim SVA device, and check that the device\n"
	      "never sees a stale page.  Mutator threads change regions whose pages the device\n"
	      "has cached while device threads DMA-read and DMA-write them; each operation is\n"
	      "timed with the device bound and, interleaved, in an unbound peer process.\n", f);
	for (i = 0; i < OPT_NR; i++)
		usage_option(f, &opts[i]);
	fputs("\n"
	      "Exit status: 0 ok; 1 coherence violations (unless allowed) or unexpected device\n"
	      "faults (--validate: see above); 2 usage or setup error; 77 the workload cannot run\n"
	      "here.\n", f);
}

/* ---- checks across options ---- */

/* NULL when consistent, else what is wrong; fills in the defaults that depend on others. */
static const char *check(struct options *o)
{
	if (opt_set(o, OPT_ITERATIONS) && opt_set(o, OPT_DURATION))
		return "--iterations and --duration exclude each other";
	if (!opt_set(o, OPT_DEVICE_THREADS) && !backend_can(o->backend, BE_READ))
		o->device_threads = 0;
	if (o->validate && o->backend != &backend_svmsim)
		return "--validate injects svmsim's bugs: --backend svmsim only";
	if ((o->devices > 1 || opt_set(o, OPT_FANOUT)) && o->backend != &backend_svmsim)
		return "--devices and --fanout bind svmsim devices: --backend svmsim only";
	if (o->validate && o->devices > 1)
		return "--validate runs against one device";
	if (!opt_set(o, OPT_ITERATIONS) && !opt_set(o, OPT_DURATION))
		o->iterations = DEFAULT_ITERATIONS;
	if (!opt_set(o, OPT_REGIONS))
		o->regions = o->threads > 4 ? o->threads : 4;
	if (o->regions < o->threads)
		return "--regions must be at least --threads (each mutator owns its regions)";
	if (o->huge && o->workload->window)
		return "--huge does not apply to zap (its regions are device windows)";
	if (o->huge && o->pages % HUGE_PAGES)
		return "--huge needs --pages to be a multiple of 512 (2M)";
	if (o->workload->window && o->pages > SVMSIM_WINDOW_MAX_PAGES)
		return "zap regions are device windows: --pages at most 4096";
	if (o->append && !o->out)
		return "--append needs --out FILE";
	if (o->validate && (o->append || o->label || o->hist_out || o->inject))
		return "--validate runs its own cells: --out PREFIX, --budget, --clean-ops, "
		       "--modes, --bugs, --device";
	if (o->psi && o->page_descs)
		return "--psi on and --page-descs on exclude each other (a PSI block is one "
		       "descriptor)";
	if (o->op_pages && (o->op_pages > o->pages || o->workload != &workload_dontneed))
		return "--op-pages applies to dontneed, at most --pages";
	return NULL;
}

/* ---- parsing ---- */

/* The getopt_long table, from opts[]; val is the enum opt_id. */
static void long_options(struct option *lo)
{
	unsigned int i;

	for (i = 0; i < OPT_NR; i++)
		lo[i] = (struct option){
			.name = opts[i].name,
			.has_arg = i == OPT_COLUMNS ? optional_argument :
				   opts[i].arg ? required_argument : no_argument,
			.val = (int)i,
		};
	lo[OPT_NR] = (struct option){ 0 };
}

/* --help, --columns: 1 when printed, 2 on a bad argument. */
static int action(int id, const char *arg)
{
	if (id == OPT_HELP) {
		options_usage(stdout);
		return 1;
	}
	if (arg && strcmp(arg, "md")) {
		fprintf(stderr, "svmbench: bad value for --columns: '%s' (see --help)\n", arg);
		return 2;
	}
	columns_print(stdout, arg != NULL);
	return 1;
}

int options_parse(struct options *o, int argc, char **argv)
{
	struct option lo[OPT_NR + 1];
	const char *why;
	int c;

	_Static_assert(OPT_NR < '?' && OPT_NR < 'h', "option ids clear of getopt's characters");
	defaults(o);
	long_options(lo);
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'h')
			c = OPT_HELP;
		if (c == '?' || c < 0 || c >= OPT_NR) {
			fprintf(stderr, "svmbench: see --help\n");
			return 2;
		}
		if (opts[c].type == T_ACTION)
			return action(c, optarg);
		if (!apply(o, &opts[c], optarg)) {
			fprintf(stderr, "svmbench: bad value for --%s: '%s' (see --help)\n",
				opts[c].name, optarg);
			return 2;
		}
		o->set[c / 64] |= 1ull << (c % 64);
	}
	if (optind < argc) {
		fprintf(stderr, "svmbench: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	why = check(o);
	if (why) {
		fprintf(stderr, "svmbench: %s\n", why);
		return 2;
	}
	return 0;
}
