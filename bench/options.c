// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench's command line: parsing, checks, --help.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
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

enum {
	OPT_WORKLOAD = 256, OPT_ITERATIONS, OPT_DURATION, OPT_THREADS, OPT_DEVICE_THREADS,
	OPT_PAGES, OPT_REGIONS, OPT_CACHED, OPT_MODEL, OPT_FILL, OPT_FLUSH_MODE,
	OPT_LATENCY, OPT_THRESHOLD, OPT_FLUSH_BUDGET, OPT_TLB_SETS, OPT_TLB_WAYS, OPT_TLB_POLICY, OPT_SEED,
	OPT_PIN, OPT_DEVICE, OPT_HUGE, OPT_INJECT, OPT_FILL_DELAY, OPT_BASELINE,
	OPT_NO_BASELINE, OPT_ALLOW_VIOLATIONS, OPT_PAUSE, OPT_MAX_REPORTS, OPT_FORMAT,
	OPT_OUT, OPT_APPEND, OPT_LABEL, OPT_HIST_OUT, OPT_LAYOUT, OPT_OP_PAGES, OPT_SANITIZE,
	OPT_STOP_ON_DETECT, OPT_VALIDATE, OPT_BUDGET, OPT_CLEAN_OPS, OPT_MODES, OPT_BUGS,
	OPT_BACKEND, OPT_PSI, OPT_COLUMNS,
};

static const struct option long_options[] = {
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "workload", required_argument, NULL, OPT_WORKLOAD },
	{ "iterations", required_argument, NULL, OPT_ITERATIONS },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "device-threads", required_argument, NULL, OPT_DEVICE_THREADS },
	{ "pages", required_argument, NULL, OPT_PAGES },
	{ "op-pages", required_argument, NULL, OPT_OP_PAGES },
	{ "regions", required_argument, NULL, OPT_REGIONS },
	{ "cached", required_argument, NULL, OPT_CACHED },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "fill", required_argument, NULL, OPT_FILL },
	{ "flush-mode", required_argument, NULL, OPT_FLUSH_MODE },
	{ "latency-ns", required_argument, NULL, OPT_LATENCY },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "flush-budget", required_argument, NULL, OPT_FLUSH_BUDGET },
	{ "tlb-sets", required_argument, NULL, OPT_TLB_SETS },
	{ "tlb-ways", required_argument, NULL, OPT_TLB_WAYS },
	{ "tlb-policy", required_argument, NULL, OPT_TLB_POLICY },
	{ "psi", required_argument, NULL, OPT_PSI },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "pin", no_argument, NULL, OPT_PIN },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "huge", no_argument, NULL, OPT_HUGE },
	{ "layout", required_argument, NULL, OPT_LAYOUT },
	{ "inject", required_argument, NULL, OPT_INJECT },
	{ "fill-delay-us", required_argument, NULL, OPT_FILL_DELAY },
	{ "sanitize", no_argument, NULL, OPT_SANITIZE },
	{ "stop-on-detect", no_argument, NULL, OPT_STOP_ON_DETECT },
	{ "validate", no_argument, NULL, OPT_VALIDATE },
	{ "budget", required_argument, NULL, OPT_BUDGET },
	{ "clean-ops", required_argument, NULL, OPT_CLEAN_OPS },
	{ "modes", required_argument, NULL, OPT_MODES },
	{ "bugs", required_argument, NULL, OPT_BUGS },
	{ "baseline", no_argument, NULL, OPT_BASELINE },
	{ "no-baseline", no_argument, NULL, OPT_NO_BASELINE },
	{ "allow-violations", no_argument, NULL, OPT_ALLOW_VIOLATIONS },
	{ "pause-us", required_argument, NULL, OPT_PAUSE },
	{ "max-reports", required_argument, NULL, OPT_MAX_REPORTS },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "append", no_argument, NULL, OPT_APPEND },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "hist-out", required_argument, NULL, OPT_HIST_OUT },
	{ "columns", optional_argument, NULL, OPT_COLUMNS },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: svmbench [OPTIONS]\n"
"\n"
"Measure what mm operations cost an svmsim SVA device, and check that the device\n"
"never sees a stale page.  Mutator threads change regions whose pages the device\n"
"has cached while device threads DMA-read and DMA-write them; each operation is\n"
"timed with the device bound and, interleaved, in an unbound peer process.\n"
"\n"
"Workload and size:\n"
"  --workload W          %s (default munmap):\n"
"                        zap: the driver zaps a device window (SVMSIM_IOC_ZAP, swap);\n"
"                        dontneed: madvise(MADV_DONTNEED); munmap: munmap, then mmap\n"
"                        at the same address; cow: fork, then the parent's first write\n"
"                        to each page (one sample per page); migrate: move_pages to the\n"
"                        other NUMA node; mprotect: mprotect(PROT_READ), then back;\n"
"                        mixed: one of dontneed/munmap/cow/migrate/mprotect per op;\n"
"                        softdirty: write 4 to /proc/self/clear_refs (a 0..ULONG_MAX\n"
"                        MMU_NOTIFY_SOFT_DIRTY), device writes for the pause, then the\n"
"                        CPU rewrites the pages; a device write after clear_refs must\n"
"                        leave its page soft-dirty in pagemap (violation softclean_write)\n"
"  --iterations N        bound operations in all (default %d)\n"
"  --duration SEC        run for SEC seconds instead of --iterations\n"
"  --pages N             4K pages per region = per operation (default 1; zap <= %d)\n"
"  --op-pages N          dontneed: the operation covers the first N pages of the region\n"
"                        only (default all); with --huge each op first drops the whole\n"
"                        region so the next touch maps a fresh THP: a sub-2M zap inside\n"
"                        a PMD-mapped huge page the device caches as a 2M entry\n"
"  --regions N           regions, at least --threads (default max(4, --threads));\n"
"                        mutator i changes regions i, i+T, i+2T, ...\n"
"  --cached N            ballast pages, never changed, re-cached before each op so the\n"
"                        TLB holds N more entries (default 0)\n"
"  --huge                THP-backed regions (2M aligned, MADV_HUGEPAGE; --pages a\n"
"                        multiple of 512; not with zap)\n"
"  --layout L            guarded|packed (default guarded), recorded in column layout.\n"
"                        guarded: a PROT_NONE guard (4K; 2M with --huge) between\n"
"                        regions, so each is a VMA of its own and munmap/mprotect\n"
"                        never split or merge VMAs; packed: regions back to back,\n"
"                        so anonymous neighbours merge into one VMA that each op\n"
"                        splits.  Column merged_regions counts regions that were not\n"
"                        a VMA of their own at the start or the end of the run\n"
"\n"
"Threads:\n"
"  --threads T           mutator threads (default 1, at most %d)\n"
"  --device-threads D    device threads doing DMA reads/writes (default 1, at most %d;\n"
"                        0 on a backend without reads)\n"
"  --pin                 pin mutator i (and its peer) on CPU i, device threads on the\n"
"                        following CPUs, wrapping\n"
"\n"
"Backend (bench/BACKENDS.md):\n"
"  --backend B           %s (default svmsim), column backend:\n"
"                        svmsim: this project's device, every option below;\n"
"                        dmirror: the kernel's HMM mirror test driver (lib/test_hmm.c,\n"
"                        built by scripts/dmirror): device reads only, so device\n"
"                        threads only read and the write-side checks (lost, read-only,\n"
"                        child, soft-clean writes) do not run; no zap, no kernel\n"
"                        counters (their columns are empty);\n"
"                        null: svmsim_null.ko, a notifier that does nothing, --model\n"
"                        secondary|range: the floor; no device access at all.\n"
"                        A run that needs what the backend lacks exits 77 and says why\n"
"\n"
"Device (SVMSIM_IOC_SET_CONFIG before binding; what is not given is left as the\n"
"device has it, reported as found, and restored at exit):\n"
"  --device N            use /dev/svmsimN (default 0; dmirror: /dev/hmm_dmirrorN)\n"
"  --model M             secondary|range|pinned (default: the device's default)\n"
"  --fill F              ref|noref (default: the device's default)\n"
"  --flush-mode M        sync|queued\n"
"  --latency-ns N        simulated invalidation completion latency\n"
"  --threshold N         flush_threshold: flushes above N pages go PASID-wide (0 never)\n"
"  --flush-budget N      flush_budget: a flush that would probe or walk more than N pages\n"
"                        or entries retires the PASID at once instead (0: no budget)\n"
"  --tlb-sets N          TLB sets (power of two)\n"
"  --tlb-ways N          TLB ways per set (0 unbounded)\n"
"  --tlb-policy P        clock|lru|fifo|random\n"
"  --psi on|off          power-of-two page-selective flushes (SVMSIM_CONFIG_PSI, VT-d\n"
"                        PSI: address + size order): a range flush removes the smallest\n"
"                        aligned 2^n-page block holding it; the extra pages count as\n"
"                        collateral (column psi)\n"
"  --inject BUG[:P]      inject a driver bug (module parameter allow_inject=1; --fill ref\n"
"                        or --sanitize): one of enum svmsim_bug in the UAPI header,\n"
"                        e.g. skip_invalidate[:every], no_fill_block, late_flush,\n"
"                        skip_clear, end_overflow, 4k_leaves_2m (svmbench --validate\n"
"                        runs them all; its table lists them)\n"
"  --fill-delay-us N     sleep N us between a fill's page walk and its insert\n"
"  --sanitize            bind with SVMSIM_BIND_SANITIZE: the device checks every access\n"
"                        against the CPU's page table and stops a stale one (DMA EIO,\n"
"                        counted in san_stale); columns sanitize, san_checks, san_stale\n"
"\n"
"Measurement and checking:\n"
"  A sample counts only if it timed the operation it names, checked untimed on\n"
"  both sides: every page present (bound: and cached by the device) when the op\n"
"  started; migrate: every page moved; cow: the timed store took the fault that\n"
"  copied the page (a device write that broke COW first leaves a plain store).\n"
"  Other samples are left out of the latencies and counted in the columns\n"
"  discarded and discarded_unbound, and on the summary line.\n"
"  --baseline            time each op unbound too, in peer processes (default)\n"
"  --no-baseline         bound side only\n"
"  --pause-us N          dwell while a region is unmapped or read-only, and before the\n"
"                        cow child is released, so device threads hit it (default 100)\n"
"  --seed N              random seed (default 1)\n"
"  --allow-violations    exit 0 despite coherence violations (the pinned model)\n"
"  --max-reports N       print the first N violations/faults in full (default 100;\n"
"                        0 all); all are counted\n"
"  --stop-on-detect      end the run at the first coherence violation or sanitizer\n"
"                        report (polled every 10 ms); columns detected_by, detect_s,\n"
"                        detect_ops, detect_dev_ops say when\n"
"\n"
"Validation (svmbench --validate; module parameter allow_inject=1, nothing else\n"
"using the device):\n"
"  --validate            inject each bug of the catalogue (enum svmsim_bug) and run the\n"
"                        workloads most likely to expose it, per model it applies to and\n"
"                        per mode, each cell a fresh svmbench with --stop-on-detect, until\n"
"                        the first detection; then the correct driver (none) until it did\n"
"                        --clean-ops device operations per mode.  Prints a table of bug x\n"
"                        workload: caught (by checker, sanitizer or both) with time, ops\n"
"                        and device ops to the first detection; MISSED (the bug acted:\n"
"                        its injected counter moved, nothing caught it); harmless (acted,\n"
"                        and the note says why nothing can be wrong); not reached\n"
"                        (injected stayed 0: the note names the kernel path it needs);\n"
"                        n/a (not on this kernel, or not visible in that mode).  With\n"
"                        --out PREFIX also PREFIX.csv and PREFIX.json.  Exit 1 if a bug\n"
"                        is missed, none shows any violation, report or unexpected fault,\n"
"                        a detection comes without the bug acting, or the clean run falls\n"
"                        short of --clean-ops\n"
"  --budget SEC          seconds of workload per cell (default 10)\n"
"  --clean-ops N         device operations the clean run must reach, per mode (default\n"
"                        1000000)\n"
"  --modes LIST          of noref+san (fill noref, sanitized: the faithful mode), ref+san,\n"
"                        ref (the checker alone) (default noref+san,ref+san)\n"
"  --bugs LIST           the bugs to run, by name (default all; none: the clean run)\n"
"\n"
"Output:\n"
"  --format F            csv|json (default csv); json is one object per line\n"
"  --out FILE            write the result row there (default stdout)\n"
"  --append              append to FILE (a CSV header only if FILE is new or empty)\n"
"  --label L             a name for the run, written in its row (column label)\n"
"  --hist-out FILE       append the latency histograms to FILE, one line per non-empty\n"
"                        bucket: label, side (bound|unbound|kflush), lower and upper\n"
"                        bound in ns (upper exclusive), count; tab-separated\n"
"  --columns[=md]        print every output column (CSV, JSON, --validate's files)\n"
"                        with its type, unit and meaning, tab-separated; =md: as the\n"
"                        Markdown of bench/COLUMNS.md.  Every row starts with\n"
"                        format_version (now %d), raised when a column changes\n"
"  -h, --help            this text\n"
"\n"
"Exit status: 0 ok; 1 coherence violations (unless allowed) or unexpected device\n"
"faults (--validate: see above); 2 usage or setup error; 77 the workload cannot run\n"
"here.\n",
		workload_names(), DEFAULT_ITERATIONS, SVMSIM_WINDOW_MAX_PAGES, MAX_THREADS,
		MAX_DEVICE_THREADS, backend_names(), FORMAT_VERSION);
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	uint64_t v;

	if (!parse_u64(s, max, &v))
		return false;
	*out = (unsigned int)v;
	return true;
}

static bool parse_i64(const char *s, int64_t *out)
{
	uint64_t v;

	if (!parse_u64(s, INT64_MAX, &v))
		return false;
	*out = (int64_t)v;
	return true;
}

/* Index of @s in @names[first..n), or -1. */
static int parse_name(const char *s, const char *const *names, unsigned int first,
		      unsigned int n)
{
	unsigned int i;

	for (i = first; i < n; i++)
		if (names[i] && !strcmp(s, names[i]))
			return (int)i;
	return -1;
}

static const char *vmode_name(unsigned int i)
{
	return vmodes[i].name;
}

static const char *bug_name(unsigned int i)
{
	return svmsim_bug_names[i];
}

/* NAME[,NAME...] -> a bit per name of @name(0..n-1). */
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

/* BUG[:PARAM] */
static bool parse_inject(struct options *o, const char *s)
{
	char name[64];
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);
	int bug;

	if (len >= sizeof(name))
		return false;
	memcpy(name, s, len);
	name[len] = 0;
	bug = parse_name(name, svmsim_bug_names, 0, SVMSIM_BUG_NR);
	if (bug < 0)
		return false;
	o->inject = (uint32_t)bug;
	o->inject_param = 0;
	return !colon || parse_uint(colon + 1, UINT32_MAX, &o->inject_param);
}

static bool parse_duration(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (*end || !(v > 0) || v > 1e7)
		return false;
	*out = v;
	return true;
}

static void defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->backend = &backend_svmsim;
	o->workload = &workload_munmap;
	o->threads = 1;
	o->device_threads = 1;
	o->pages = 1;
	o->flush_mode = o->tlb_policy = o->psi = UNCHANGED;
	o->latency_ns = o->threshold = o->tlb_sets = o->tlb_ways = UNCHANGED;
	o->flush_budget = UNCHANGED;
	o->seed = 1;
	o->baseline = true;
	o->pause_us = 100;
	o->max_reports = 100;
	o->format = FMT_CSV;
	o->validate_budget = 10;
	o->validate_clean_ops = 1000000;
	o->validate_modes = VM_DEFAULT;
	o->validate_bugs = (1ull << SVMSIM_BUG_NR) - 1;
}

/* One option; false: its argument is bad. */
static bool parse_one(struct options *o, int c, const char *arg)
{
	uint64_t mask;
	int i;

	switch (c) {
	case OPT_WORKLOAD:
		return (o->workload = workload_find(arg)) != NULL;
	case OPT_ITERATIONS:
		return parse_u64(arg, UINT32_MAX, &o->iterations) && o->iterations;
	case OPT_DURATION:
		return parse_duration(arg, &o->duration);
	case OPT_THREADS:
		return parse_uint(arg, MAX_THREADS, &o->threads) && o->threads;
	case OPT_DEVICE_THREADS:
		o->device_threads_set = true;
		return parse_uint(arg, MAX_DEVICE_THREADS, &o->device_threads);
	case OPT_BACKEND:
		return (o->backend = backend_find(arg)) != NULL;
	case OPT_PAGES:
		return parse_uint(arg, 1u << 20, &o->pages) && o->pages;
	case OPT_OP_PAGES:
		return parse_uint(arg, 1u << 20, &o->op_pages) && o->op_pages;
	case OPT_REGIONS:
		return parse_uint(arg, 4096, &o->regions) && o->regions;
	case OPT_CACHED:
		return parse_uint(arg, 1u << 22, &o->cached);
	case OPT_MODEL:
		i = parse_name(arg, svmsim_model_names, 1, SVMSIM_MODEL_NR);
		o->model = (uint32_t)i;
		return i > 0;
	case OPT_FILL:
		i = parse_name(arg, svmsim_fill_names, 1, SVMSIM_FILL_NR);
		o->fill = (uint32_t)i;
		return i > 0;
	case OPT_FLUSH_MODE:
		o->flush_mode = parse_name(arg, svmsim_flush_mode_names, 0, SVMSIM_FLUSH_MODE_NR);
		return o->flush_mode >= 0;
	case OPT_PSI:
		o->psi = !strcmp(arg, "on") ? 1 : !strcmp(arg, "off") ? 0 : UNCHANGED;
		return o->psi != UNCHANGED;
	case OPT_TLB_POLICY:
		o->tlb_policy = parse_name(arg, svmsim_repl_names, 0, SVMSIM_REPL_NR);
		return o->tlb_policy >= 0;
	case OPT_LATENCY:
		return parse_i64(arg, &o->latency_ns);
	case OPT_THRESHOLD:
		return parse_i64(arg, &o->threshold) && o->threshold <= UINT32_MAX;
	case OPT_FLUSH_BUDGET:
		return parse_i64(arg, &o->flush_budget) && o->flush_budget <= UINT32_MAX;
	case OPT_TLB_SETS:
		return parse_i64(arg, &o->tlb_sets) && o->tlb_sets <= UINT32_MAX;
	case OPT_TLB_WAYS:
		return parse_i64(arg, &o->tlb_ways) && o->tlb_ways <= UINT32_MAX;
	case OPT_SEED:
		return parse_u64(arg, UINT64_MAX, &o->seed);
	case OPT_DEVICE:
		return parse_uint(arg, 255, &o->device);
	case OPT_INJECT:
		return parse_inject(o, arg);
	case OPT_FILL_DELAY:
		return parse_uint(arg, UINT32_MAX, &o->fill_delay_us);
	case OPT_PAUSE:
		return parse_uint(arg, 1000000, &o->pause_us);
	case OPT_MAX_REPORTS:
		return parse_uint(arg, UINT_MAX, &o->max_reports);
	case OPT_FORMAT:
		o->format = !strcmp(arg, "json") ? FMT_JSON : FMT_CSV;
		return !strcmp(arg, "json") || !strcmp(arg, "csv");
	case OPT_OUT:
		o->out = arg;
		return true;
	case OPT_LABEL:
		o->label = arg;
		return true;
	case OPT_HIST_OUT:
		o->hist_out = arg;
		return true;
	case OPT_LAYOUT:
		i = parse_name(arg, layout_names, 0, LAYOUT_NR);
		o->layout = (unsigned int)i;
		return i >= 0;
	case OPT_BUDGET:
		return parse_duration(arg, &o->validate_budget);
	case OPT_CLEAN_OPS:
		return parse_u64(arg, UINT64_MAX, &o->validate_clean_ops);
	case OPT_MODES:
		return parse_set(arg, vmode_name, VM_NR, &mask) &&
		       (o->validate_modes = (unsigned int)mask);
	case OPT_BUGS:
		return parse_set(arg, bug_name, SVMSIM_BUG_NR, &o->validate_bugs) &&
		       o->validate_bugs;
	}
	return false;
}

static void parse_flag(struct options *o, int c)
{
	switch (c) {
	case OPT_PIN:
		o->pin = true;
		break;
	case OPT_HUGE:
		o->huge = true;
		break;
	case OPT_BASELINE:
		o->baseline = true;
		break;
	case OPT_NO_BASELINE:
		o->baseline = false;
		break;
	case OPT_ALLOW_VIOLATIONS:
		o->allow_violations = true;
		break;
	case OPT_APPEND:
		o->append = true;
		break;
	case OPT_SANITIZE:
		o->sanitize = true;
		break;
	case OPT_STOP_ON_DETECT:
		o->stop_on_detect = true;
		break;
	case OPT_VALIDATE:
		o->validate = true;
		break;
	}
}

/* Checks across options; NULL when consistent, else what is wrong. */
static const char *check(struct options *o)
{
	if (o->iterations && o->duration)
		return "--iterations and --duration exclude each other";
	if (!o->device_threads_set && !backend_can(o->backend, BE_READ))
		o->device_threads = 0;
	if (o->validate && o->backend != &backend_svmsim)
		return "--validate injects svmsim's bugs: --backend svmsim only";
	if (!o->iterations && !o->duration)
		o->iterations = DEFAULT_ITERATIONS;
	if (!o->regions)
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
	if (o->op_pages && (o->op_pages > o->pages || o->workload != &workload_dontneed))
		return "--op-pages applies to dontneed, at most --pages";
	return NULL;
}

int options_parse(struct options *o, int argc, char **argv)
{
	const char *why;
	int c, idx = 0;

	defaults(o);
	while ((c = getopt_long(argc, argv, "h", long_options, &idx)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		if (c == OPT_COLUMNS) {
			if (optarg && strcmp(optarg, "md")) {
				fprintf(stderr, "svmbench: bad value for --columns: '%s' (see --help)\n",
					optarg);
				return 2;
			}
			columns_print(stdout, optarg != NULL);
			return 1;
		}
		if (c == '?') {
			fprintf(stderr, "svmbench: see --help\n");
			return 2;
		}
		if (long_options[idx].has_arg == no_argument) {
			parse_flag(o, c);
			continue;
		}
		if (!parse_one(o, c, optarg)) {
			fprintf(stderr, "svmbench: bad value for --%s: '%s' (see --help)\n",
				long_options[idx].name, optarg);
			return 2;
		}
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
