// SPDX-License-Identifier: GPL-2.0
/*
 * A run's CSV or JSON Lines report (its row: row.h), its histograms, and
 * the summary line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "mapping.h"
#include "report.h"
#include "row.h"
#include "svmsim/loglin.h"
#include "svmsim/names.h"
#include "workload.h"

/* ---- the row's values: a getter per group of columns (columns.h) ---- */

enum {
	CF_WORKLOAD, CF_BACKEND, CF_MODEL, CF_FILL, CF_FLUSH_MODE, CF_LATENCY, CF_QI_BATCH,
	CF_LAT_TAIL_PCT, CF_LAT_TAIL_MULT, CF_QI_DEPTH, CF_QI_TIMEOUT, CF_QI_LOSE, CF_QI_COALESCE, CF_THRESHOLD,
	CF_PSI, CF_PAGE_DESCS, CF_FLUSH_BUDGET, CF_MAX_ENTRIES, CF_MAX_PASID_ENTRIES, CF_TLB_SETS, CF_TLB_WAYS,
	CF_TLB_POLICY, CF_OP_PAGES, CF_ITERATIONS, CF_DURATION, CF_INJECT, CF_INJECT_PARAM,
};

static const char *yes(bool v)
{
	return v ? "true" : "false";
}

/* arg: the enum opt_id whose value the column records, as the option table says. */
static bool get_option(const struct colctx *x, const struct column *c, struct field *f)
{
	return options_value(x->res->o, c->arg, f);
}

/* The device's side of the configuration; null where the backend has no such setting. */
static bool get_device_config(const struct colctx *x, const struct column *c, struct field *f)
{
	const struct devbind *d = x->res->dev;
	const struct svmsim_config *k = &d->cfg;
	bool cfg = backend_can(d->be, BE_CONFIG);

	switch (c->arg) {
	case CF_BACKEND:
		f->s = d->be->name;
		return true;
	case CF_MODEL:
		f->s = backend_can(d->be, BE_MODEL) ? svmsim_model_names[d->model] : d->be->name;
		return true;
	case CF_FILL:
		f->s = backend_can(d->be, BE_FILL) ? svmsim_fill_names[d->fill] : NULL;
		return f->s != NULL;
	case CF_FLUSH_MODE:
		f->s = cfg ? svmsim_flush_mode_names[k->flush_mode] : NULL;
		return cfg;
	case CF_LATENCY:
		f->u = k->dev_latency_ns;
		return cfg;
	case CF_QI_BATCH:
		f->u = k->qi_batch;
		return cfg;
	case CF_LAT_TAIL_PCT:
		f->u = k->lat_tail_pct;
		return cfg;
	case CF_LAT_TAIL_MULT:
		f->u = k->lat_tail_mult;
		return cfg;
	case CF_QI_DEPTH:
		f->u = k->qi_depth;
		return cfg;
	case CF_QI_TIMEOUT:
		f->u = k->qi_timeout_ns;
		return cfg;
	case CF_QI_LOSE:
		f->u = k->qi_lose_pct;
		return cfg;
	case CF_QI_COALESCE:
		f->u = k->qi_coalesce_ns;
		return cfg;
	case CF_THRESHOLD:
		f->u = k->flush_threshold;
		return cfg;
	case CF_PSI:
		f->s = yes(k->flags & SVMSIM_CONFIG_PSI);
		return cfg;
	case CF_PAGE_DESCS:
		f->s = yes(k->flags & SVMSIM_CONFIG_PAGE_DESCS);
		return cfg;
	case CF_FLUSH_BUDGET:
		f->u = k->flush_budget;
		return cfg;
	case CF_MAX_ENTRIES:
		f->u = k->max_entries;
		return cfg;
	case CF_MAX_PASID_ENTRIES:
		f->u = k->max_pasid_entries;
		return cfg;
	case CF_TLB_SETS:
		f->u = k->tlb_sets;
		return cfg;
	case CF_TLB_WAYS:
		f->u = k->tlb_ways;
		return cfg;
	case CF_TLB_POLICY:
		f->s = cfg ? svmsim_repl_names[k->tlb_policy] : NULL;
		return cfg;
	}
	return false;
}

/* The run's settings an option's value alone does not say (get_option() has the rest). */
static bool get_config(const struct colctx *x, const struct column *c, struct field *f)
{
	const struct options *o = x->res->o;

	switch (c->arg) {
	case CF_WORKLOAD:
		f->s = o->workload->name;
		return true;
	case CF_OP_PAGES:
		f->u = o->op_pages ? o->op_pages : o->pages;
		return true;
	case CF_ITERATIONS:
		f->u = o->iterations;
		return o->iterations;
	case CF_DURATION:
		f->d = o->duration;
		return o->duration > 0;
	case CF_INJECT:
		f->s = svmsim_bug_names[o->inject];
		return true;
	case CF_INJECT_PARAM:
		f->u = o->inject_param;
		return o->inject;
	}
	return false;
}

enum { RS_ELAPSED, RS_OPS, RS_OP, RS_DISCARDED, RS_DISCARDED_UNBOUND };

static bool get_run(const struct colctx *x, const struct column *c, struct field *f)
{
	const struct results *res = x->res;

	switch (c->arg) {
	case RS_ELAPSED:
		f->d = res->elapsed_s;
		break;
	case RS_OPS:
		f->u = res->ops;
		break;
	case RS_OP:
		f->s = res->o->workload->op;
		break;
	case RS_DISCARDED:
		f->u = res->discarded;
		break;
	case RS_DISCARDED_UNBOUND:
		f->u = res->discarded_unbound;
		return res->unbound;
	}
	return true;
}

/* arg: LAT_BOUND or LAT_UNBOUND plus the statistic. */
enum { LAT_SAMPLES, LAT_MIN, LAT_P50, LAT_P90, LAT_P99, LAT_P999, LAT_MAX, LAT_MEAN, LAT_STDEV,
       LAT_UNBOUND = 16 };

/* All null without the histogram (--no-baseline's unbound side). */
static bool get_latency(const struct colctx *x, const struct column *c, struct field *f)
{
	static const uint32_t pcts[] = { HIST_P50, HIST_P90, HIST_P99, HIST_P999 };
	const struct hist *h = c->arg & LAT_UNBOUND ? x->res->unbound : x->res->bound;
	unsigned int s = c->arg & ~LAT_UNBOUND;

	if (!h)
		return false;
	switch (s) {
	case LAT_SAMPLES:
		f->u = h->count;
		return true;
	case LAT_MIN:
		f->u = h->min;
		return h->count;
	case LAT_MAX:
		f->u = h->max;
		return h->count;
	case LAT_MEAN:
		return hist_mean(h, &f->d);
	case LAT_STDEV:
		return hist_stdev(h, &f->d);
	}
	return hist_percentile(h, pcts[s - LAT_P50], &f->u);
}

enum { OH_P50, OH_MEAN };

static bool get_overhead(const struct colctx *x, const struct column *c, struct field *f)
{
	const struct hist *bound = x->res->bound, *unbound = x->res->unbound;
	uint64_t b50 = 0, u50 = 0;
	double bm = 0, um = 0;

	if (c->arg == OH_P50) {
		if (!unbound || !hist_percentile(bound, HIST_P50, &b50) ||
		    !hist_percentile(unbound, HIST_P50, &u50) || !u50)
			return false;
		f->d = (double)b50 / (double)u50;
		return true;
	}
	if (!unbound || !hist_mean(bound, &bm) || !hist_mean(unbound, &um) || !(um > 0))
		return false;
	f->d = bm / um;
	return true;
}

enum { KF_COUNT, KF_P50, KF_P99, KF_MAX, KF_MEAN, KF_PER_OP };

/* The in-kernel flush time per bound operation, to set beside the overhead; null without BE_STATS. */
static bool get_kernel_flush(const struct colctx *x, const struct column *c, struct field *f)
{
	const struct hist *h = x->res->k.flush;
	uint64_t ops = x->res->ops;

	if (!h)
		return false;
	switch (c->arg) {
	case KF_COUNT:
		f->u = h->count;
		return true;
	case KF_P50:
		return hist_percentile(h, HIST_P50, &f->u);
	case KF_P99:
		return hist_percentile(h, HIST_P99, &f->u);
	case KF_MAX:
		f->u = h->max;
		return h->count;
	case KF_MEAN:
		return hist_mean(h, &f->d);
	}
	f->d = ops ? (double)h->sum / (double)ops : 0;
	return ops;
}

/* arg: the SVMSIM_STAT_ counter; null when the backend has no counters (no BE_STATS). */
static bool get_counter(const struct colctx *x, const struct column *c, struct field *f)
{
	f->u = x->res->k.st.counters[c->arg];
	return x->res->k.flush != NULL;
}

enum { OC_DEV_READS, OC_DEV_WRITES, OC_RETRIES, OC_FAILURES, OC_FAILURES_UNBOUND,
       OC_UNEXPECTED, OC_MERGED, OC_VIOLATIONS };

static bool get_outcome(const struct colctx *x, const struct column *c, struct field *f)
{
	const struct results *res = x->res;
	unsigned int v;

	switch (c->arg) {
	case OC_DEV_READS:
		f->u = res->dev_reads;
		break;
	case OC_DEV_WRITES:
		f->u = res->dev_writes;
		break;
	case OC_RETRIES:
		f->u = res->retries;
		break;
	case OC_FAILURES:
		f->u = res->failures;
		break;
	case OC_FAILURES_UNBOUND:
		f->u = res->failures_unbound;
		return res->unbound;
	case OC_UNEXPECTED:
		f->u = res->unexpected;
		break;
	case OC_MERGED:
		f->u = res->merged_regions;
		return res->merged_known;
	case OC_VIOLATIONS:
		for (v = 0; v < V_NR; v++)
			f->u += res->violations[v];
		break;
	}
	return true;
}

/* arg: enum violation. */
static bool get_violation(const struct colctx *x, const struct column *c, struct field *f)
{
	f->u = x->res->violations[c->arg];
	return true;
}

enum { DT_ON, DT_BY, DT_S, DT_OPS, DT_DEV_OPS };

/* --stop-on-detect: the first detection; empty/null without one. */
static bool get_detection(const struct colctx *x, const struct column *c, struct field *f)
{
	const struct detect *d = &x->res->det;

	switch (c->arg) {
	case DT_ON:
		f->s = yes(d->on);
		return true;
	case DT_BY:
		f->s = detect_by(d);
		return true;
	case DT_S:
		f->d = d->ns / 1e9;
		return d->detected;
	case DT_OPS:
		f->u = d->ops;
		return d->detected;
	}
	f->u = d->dev_ops;
	return d->detected && d->dev_ops_known;
}

static bool get_events(const struct colctx *x, const struct column *c, struct field *f)
{
	(void)c;
	f->s = x->events;
	return true;
}

/* JSON only: calls/entries/collateral and flush p50/p99 of every event. */
static char *events_json(const struct kstats *k)
{
	size_t cap = 4096, len = 0;
	char *s = malloc(cap);
	unsigned int e;

	if (!s || !k->flush) {		/* no BE_STATS: nothing known */
		if (s)
			snprintf(s, cap, "null");
		return s;
	}
	len += (size_t)snprintf(s + len, cap - len, "{");
	for (e = 0; e < SVMSIM_EV_NR; e++) {
		uint64_t p50 = 0, p99 = 0;
		bool have = hist_percentile(k->ev[e], HIST_P50, &p50) &&
			    hist_percentile(k->ev[e], HIST_P99, &p99);
		char n50[24] = "null", n99[24] = "null";

		if (have) {
			snprintf(n50, sizeof(n50), "%llu", (unsigned long long)p50);
			snprintf(n99, sizeof(n99), "%llu", (unsigned long long)p99);
		}
		len += (size_t)snprintf(s + len, cap - len,
			"%s\"%s\":{\"calls\":%llu,\"entries\":%llu,\"collateral\":%llu,"
			"\"flushes\":%llu,\"p50_ns\":%s,\"p99_ns\":%s}", e ? "," : "",
			svmsim_event_names[e], (unsigned long long)k->st.ev_calls[e],
			(unsigned long long)k->st.ev_entries[e],
			(unsigned long long)k->st.ev_collateral[e],
			(unsigned long long)k->ev[e]->count, n50, n99);
	}
	snprintf(s + len, cap - len, "}");
	return s;
}

/* ---- the table ---- */

#define DEV(name, type, unit, what, arg) { name, type, 0, unit, what, get_device_config, arg, NULL }
#define CFG(name, type, unit, what, arg) { name, type, 0, unit, what, get_config, arg, NULL }
/* A column that records an option's value, printed as the option table says (options.c). */
#define OPT(name, type, unit, what, id) { name, type, 0, unit, what, get_option, OPT_##id, NULL }
#define LAT(side, SIDE, what) \
	{ side "_samples", C_U64, 0, "samples", "timed operations counted, " what, \
	  get_latency, SIDE | LAT_SAMPLES, NULL }, \
	{ side "_min_ns", C_U64, 0, "ns", "fastest operation, " what, \
	  get_latency, SIDE | LAT_MIN, NULL }, \
	{ side "_p50_ns", C_U64, 0, "ns", "median operation, " what, \
	  get_latency, SIDE | LAT_P50, NULL }, \
	{ side "_p90_ns", C_U64, 0, "ns", "90th percentile, " what, \
	  get_latency, SIDE | LAT_P90, NULL }, \
	{ side "_p99_ns", C_U64, 0, "ns", "99th percentile, " what, \
	  get_latency, SIDE | LAT_P99, NULL }, \
	{ side "_p999_ns", C_U64, 0, "ns", "99.9th percentile, " what, \
	  get_latency, SIDE | LAT_P999, NULL }, \
	{ side "_max_ns", C_U64, 0, "ns", "slowest operation, " what, \
	  get_latency, SIDE | LAT_MAX, NULL }, \
	{ side "_mean_ns", C_F64, 1, "ns", "mean, " what, get_latency, SIDE | LAT_MEAN, NULL }, \
	{ side "_stdev_ns", C_F64, 1, "ns", "standard deviation, " what, \
	  get_latency, SIDE | LAT_STDEV, NULL }
#define KFL(name, type, dec, unit, what, arg) { name, type, dec, unit, what, get_kernel_flush, arg, NULL }
#define CTR(name, stat, what) { name, C_U64, 0, "count", "device counter over the run: " what \
	"; null without the backend's counters", get_counter, stat, NULL }
#define OUT(name, what, arg) { name, C_U64, 0, "count", what, get_outcome, arg, NULL }
#define VIO(name, what, v) { name, C_U64, 0, "count", "coherence violations: " what, \
	get_violation, v, NULL }

static const struct column row_cols[] = {
	COL_FORMAT_VERSION,
	OPT("label", C_STR, "-", "--label: a name for the run; null without one", LABEL),
	COL_ENVIRONMENT,
	CFG("workload", C_STR, "-", "--workload: the mm operation timed", CF_WORKLOAD),
	DEV("backend", C_STR, "-", "--backend: the device driven (svmsim, dmirror, null)", CF_BACKEND),
	DEV("model", C_STR, "-", "the notifier model in effect (secondary, range, pinned); "
	    "the backend's name where it has no --model", CF_MODEL),
	DEV("fill", C_STR, "-", "the fill in effect (ref, noref); null where the backend has "
	    "no --fill", CF_FILL),
	DEV("flush_mode", C_STR, "-", "the device's flush mode in effect (sync, queued); "
	    "this and the device columns below are null on a backend without svmsim's "
	    "configuration", CF_FLUSH_MODE),
	DEV("latency_ns", C_U64, "ns", "simulated invalidation completion latency in effect",
	    CF_LATENCY),
	DEV("qi_batch", C_U64, "descriptors", "queued mode: most descriptors completed under "
	    "one wait, in effect", CF_QI_BATCH),
	DEV("qi_coalesce_ns", C_U64, "ns", "queued mode: the coalescing window in effect (0 "
	    "none)", CF_QI_COALESCE),
	DEV("lat_tail_pct", C_U64, "%", "device fault: flushes (sync) or batches (queued) "
	    "given the tail latency, percent (0 none)", CF_LAT_TAIL_PCT),
	DEV("lat_tail_mult", C_U64, "x", "device fault: the tail latency, a multiple of "
	    "latency_ns", CF_LAT_TAIL_MULT),
	DEV("qi_depth", C_U64, "descriptors", "queued mode: most descriptors pending (0 "
	    "unbounded)", CF_QI_DEPTH),
	DEV("qi_timeout_ns", C_U64, "ns", "queued mode: the driver's completion timeout, then "
	    "its recovery (0 none)", CF_QI_TIMEOUT),
	DEV("qi_lose_pct", C_U64, "%", "device fault: batches whose completion never arrives, "
	    "percent", CF_QI_LOSE),
	DEV("threshold", C_U64, "pages", "flush_threshold in effect: flushes above it go "
	    "PASID-wide (0 never)", CF_THRESHOLD),
	DEV("psi", C_BOOL, "-", "power-of-two page-selective flushes in effect "
	    "(SVMSIM_CONFIG_PSI)", CF_PSI),
	DEV("page_descs", C_BOOL, "-", "one descriptor per page, one wait, in effect "
	    "(SVMSIM_CONFIG_PAGE_DESCS)", CF_PAGE_DESCS),
	DEV("flush_budget", C_U64, "pages", "flush_budget in effect: a flush that would probe "
	    "or walk more retires the PASID instead (0: none)", CF_FLUSH_BUDGET),
	DEV("max_entries", C_U64, "entries", "TLB entries the device may hold", CF_MAX_ENTRIES),
	DEV("max_pasid_entries", C_U64, "entries", "TLB entries one PASID may hold",
	    CF_MAX_PASID_ENTRIES),
	DEV("tlb_sets", C_U64, "sets", "TLB sets in effect", CF_TLB_SETS),
	DEV("tlb_ways", C_U64, "ways", "TLB ways per set in effect (0 unbounded)", CF_TLB_WAYS),
	DEV("tlb_policy", C_STR, "-", "TLB replacement policy in effect", CF_TLB_POLICY),
	OPT("pages", C_U64, "pages", "--pages: 4K pages per region", PAGES),
	CFG("op_pages", C_U64, "pages", "--op-pages: pages each operation covers (--pages "
	    "unless given)", CF_OP_PAGES),
	OPT("regions", C_U64, "regions", "--regions", REGIONS),
	OPT("cached", C_U64, "pages", "--cached: ballast pages kept in the TLB", CACHED),
	OPT("threads", C_U64, "threads", "--threads: mutator threads", THREADS),
	OPT("lockstep", C_BOOL, "-", "--lockstep: the mutators started each iteration "
	    "together", LOCKSTEP),
	OPT("device_threads", C_U64, "threads", "--device-threads: device threads",
	    DEVICE_THREADS),
	CFG("iterations", C_U64, "ops", "--iterations: bound operations asked for; null with "
	    "--duration", CF_ITERATIONS),
	{ "duration_s", C_F64, 3, "s", "--duration; null with --iterations", get_config,
	  CF_DURATION, NULL },
	OPT("seed", C_U64, "-", "--seed", SEED),
	OPT("pin", C_BOOL, "-", "--pin: threads pinned on CPUs", PIN),
	OPT("device", C_U64, "-", "--device: N of /dev/svmsimN (or the backend's node)",
	    DEVICE),
	OPT("devices", C_U64, "devices", "--devices: devices the mm was bound to", DEVICES),
	OPT("fanout", C_STR, "-", "--fanout: serial (a notifier per device) or parallel "
	    "(SVMSIM_BIND_FANOUT)", FANOUT),
	OPT("huge", C_BOOL, "-", "--huge: THP-backed regions", HUGE),
	OPT("layout", C_STR, "-", "--layout: guarded or packed", LAYOUT),
	CFG("inject", C_STR, "-", "--inject: the injected driver bug (none: the correct "
	    "driver)", CF_INJECT),
	CFG("inject_param", C_U64, "-", "--inject BUG:P's P; null without --inject",
	    CF_INJECT_PARAM),
	OPT("fill_delay_us", C_U64, "us", "--fill-delay-us", FILL_DELAY),
	OPT("sanitize", C_BOOL, "-", "--sanitize: bound with the coherence sanitizer",
	    SANITIZE),
	OPT("baseline", C_BOOL, "-", "--baseline: the unbound side was timed too", BASELINE),
	OPT("pause_us", C_U64, "us", "--pause-us", PAUSE),
	{ "elapsed_s", C_F64, 3, "s", "wall time of the measured interval", get_run, RS_ELAPSED,
	  NULL },
	{ "ops", C_U64, 0, "ops", "bound operations done", get_run, RS_OPS, NULL },
	{ "op", C_STR, 0, "-", "the operation timed, e.g. madvise(MADV_DONTNEED)", get_run,
	  RS_OP, NULL },
	{ "discarded", C_U64, 0, "samples", "bound samples left out: they timed something "
	  "other than the operation they name", get_run, RS_DISCARDED, NULL },
	{ "discarded_unbound", C_U64, 0, "samples", "the same, unbound side; null with "
	  "--no-baseline", get_run, RS_DISCARDED_UNBOUND, NULL },
	LAT("bound", 0, "bound side (the device bound)"),
	LAT("unbound", LAT_UNBOUND, "unbound peers; null with --no-baseline"),
	{ "overhead_p50", C_F64, 4, "ratio", "bound_p50_ns / unbound_p50_ns", get_overhead,
	  OH_P50, NULL },
	{ "overhead_mean", C_F64, 4, "ratio", "bound_mean_ns / unbound_mean_ns", get_overhead,
	  OH_MEAN, NULL },
	KFL("kflush_count", C_U64, 0, "flushes", "invalidation callbacks the device timed "
	    "(every event); this and the kflush columns below are null without the "
	    "backend's counters", KF_COUNT),
	KFL("kflush_p50_ns", C_U64, 0, "ns", "median in-kernel flush time", KF_P50),
	KFL("kflush_p99_ns", C_U64, 0, "ns", "99th percentile in-kernel flush time", KF_P99),
	KFL("kflush_max_ns", C_U64, 0, "ns", "slowest in-kernel flush", KF_MAX),
	KFL("kflush_mean_ns", C_F64, 1, "ns", "mean in-kernel flush time", KF_MEAN),
	KFL("kflush_ns_per_op", C_F64, 1, "ns", "in-kernel flush time per bound operation",
	    KF_PER_OP),
	CTR("entries_flushed", SVMSIM_STAT_TLB_FLUSHED, "TLB entries removed by invalidation"),
	CTR("collateral", SVMSIM_STAT_TLB_COLLATERAL, "... of which outside the range that "
	    "changed"),
	CTR("full_flushes", SVMSIM_STAT_TLB_FULL_FLUSHES, "PASID-wide flushes"),
	CTR("fill_retries", SVMSIM_STAT_FILL_RETRIES, "page walks redone after a refused "
	    "insert"),
	CTR("stale_refused", SVMSIM_STAT_TLB_STALE_REFUSED, "inserts refused: an "
	    "invalidation ran since the walk"),
	CTR("inv_calls", SVMSIM_STAT_INV_CALLS, "invalidation callbacks that flushed"),
	CTR("inv_empty", SVMSIM_STAT_INV_EMPTY, "... that found nothing to remove"),
	CTR("fills", SVMSIM_STAT_FILLS, "page requests that inserted an entry"),
	CTR("fill_waits", SVMSIM_STAT_FILL_WAITS, "fills that waited for an invalidation in "
	    "progress (range)"),
	CTR("tlb_hits", SVMSIM_STAT_TLB_HITS, "lookups that found a usable entry"),
	CTR("tlb_misses", SVMSIM_STAT_TLB_MISSES, "lookups that found none"),
	CTR("dma_ops", SVMSIM_STAT_DMA_OPS, "DMA ioctls"),
	CTR("dma_faults", SVMSIM_STAT_DMA_FAULTS, "DMA ioctls that ended in a device fault"),
	CTR("injected", SVMSIM_STAT_INJECTED, "times the injected bug changed behaviour"),
	CTR("san_checks", SVMSIM_STAT_SAN_CHECKS, "sanitizer: accesses checked against the "
	    "CPU's page table"),
	CTR("san_stale", SVMSIM_STAT_SAN_STALE, "sanitizer: accesses stopped, stale (a report "
	    "each)"),
	CTR("qi_descs", SVMSIM_STAT_QI_DESCS, "queued mode: invalidation descriptors posted"),
	CTR("qi_batches", SVMSIM_STAT_QI_BATCHES, "queued mode: batches completed, one device "
	    "wait each"),
	CTR("fanout_flushes", SVMSIM_STAT_FANOUT, "flushes of this device through the "
	    "two-pass fan-out notifier (--fanout parallel)"),
	CTR("fanout_serial", SVMSIM_STAT_FANOUT_SERIAL, "... of which one device at a time "
	    "(no memory for the passes)"),
	CTR("dev_tail", SVMSIM_STAT_DEV_TAIL, "device fault: flushes or batches given the tail "
	    "latency"),
	CTR("qi_lost", SVMSIM_STAT_QI_LOST, "device fault: batches whose completion was lost"),
	CTR("qi_timeouts", SVMSIM_STAT_QI_TIMEOUTS, "descriptors the driver's timeout recovered"),
	CTR("qi_full", SVMSIM_STAT_QI_FULL, "posts that found the queue full (qi_depth)"),
	CTR("qi_killed", SVMSIM_STAT_QI_KILLED, "sleeping waits cut by a fatal signal"),
	CTR("qi_descs_nomem", SVMSIM_STAT_QI_DESCS_NOMEM, "page-descriptor flushes sent as one "
	    "descriptor: no memory for the group"),
	OUT("dev_reads", "device reads done by the device threads", OC_DEV_READS),
	OUT("dev_writes", "device writes done by the device threads", OC_DEV_WRITES),
	OUT("dma_retries", "device accesses retried (EAGAIN)", OC_RETRIES),
	OUT("op_failures", "bound operations that failed", OC_FAILURES),
	OUT("op_failures_unbound", "unbound operations that failed; null with --no-baseline",
	    OC_FAILURES_UNBOUND),
	OUT("unexpected_faults", "device faults the checker did not expect", OC_UNEXPECTED),
	{ "merged_regions", C_U64, 0, "regions", "regions that were not a VMA of their own at "
	  "the start or the end of the run; null if unknown", get_outcome, OC_MERGED, NULL },
	OUT("violations", "coherence violations, all kinds (the seven columns below)",
	    OC_VIOLATIONS),
	VIO("stale_read", "a device read saw data the page no longer holds", V_STALE_READ),
	VIO("wrong_page", "a device read saw another page's data", V_WRONG_PAGE),
	VIO("lost_write", "an acknowledged device write is not in the page", V_LOST_WRITE),
	VIO("unmapped_dma", "a device access succeeded while the page was unmapped",
	    V_UNMAPPED_DMA),
	VIO("readonly_write", "a device write succeeded while the page was read-only",
	    V_READONLY_WRITE),
	VIO("child_write", "a device write reached a cow child's copy", V_CHILD_WRITE),
	VIO("softclean_write", "a device write after clear_refs left its page soft-clean",
	    V_SOFTCLEAN_WRITE),
	{ "stop_on_detect", C_BOOL, 0, "-", "--stop-on-detect", get_detection, DT_ON, NULL },
	{ "detected_by", C_STR, 0, "-", "who saw the first detection: checker, sanitizer, both; "
	  "empty without one", get_detection, DT_BY, NULL },
	{ "detect_s", C_F64, 3, "s", "time to the first detection; null without one",
	  get_detection, DT_S, NULL },
	{ "detect_ops", C_U64, 0, "ops", "bound operations done by the first detection",
	  get_detection, DT_OPS, NULL },
	{ "detect_dev_ops", C_U64, 0, "ops", "device operations (DMA ioctls) by the first "
	  "detection; null without one or without the backend's counters", get_detection,
	  DT_DEV_OPS, NULL },
	{ "events", C_JSON, 0, "-", "per invalidation event: calls, entries, collateral, "
	  "flushes, p50_ns, p99_ns; null without the backend's counters", get_events, 0, NULL },
};

const struct coltable row_columns = {
	.name = "row",
	.about = "One per svmbench run: --format csv (a header when the file is new or empty) "
		 "or json (one object per line); the sweep's runs.jsonl, runs.csv, all.jsonl, "
		 "all.csv.",
	.col = row_cols,
	.n = sizeof(row_cols) / sizeof(row_cols[0]),
};

/* ---- writers ---- */

int report_write(const struct results *res)
{
	const struct options *o = res->o;
	struct row *r = calloc(1, sizeof(*r));
	char *events = events_json(&res->k);
	FILE *f = o->out ? fopen(o->out, o->append ? "a" : "w") : stdout;
	int ret = 0;

	if (!r || !events)
		ret = -ENOMEM;
	else if (!f)
		ret = -errno;
	if (!ret) {
		columns_build(r, &row_columns, &(struct colctx){ .si = res->si, .res = res,
								 .events = events });
		if (o->format == FMT_JSON)
			row_write_json(f, r);
		else
			row_write_csv(f, r, row_wants_header(f));
		if (fflush(f) || ferror(f))
			ret = -EIO;
	}
	if (f && f != stdout && fclose(f) && !ret)
		ret = -errno;
	if (ret)
		fprintf(stderr, "svmbench: writing the report to %s: %s\n",
			o->out ? o->out : "stdout", strerror(-ret));
	free(events);
	free(r);
	return ret;
}

static void hist_tsv(FILE *f, const char *label, const char *side, const struct hist *h)
{
	unsigned int i;

	for (i = 0; h && i < h->nbuckets; i++)
		if (h->buckets[i])
			fprintf(f, "%s\t%s\t%llu\t%llu\t%llu\n", label, side,
				(unsigned long long)loglin_lower(i, h->sub_bits),
				(unsigned long long)loglin_upper(i, h->sub_bits),
				(unsigned long long)h->buckets[i]);
}

/* --hist-out: the bound, unbound and kernel flush histograms, appended. */
int report_hists(const struct results *res)
{
	const char *label = res->o->label ? res->o->label : "-";
	FILE *f = fopen(res->o->hist_out, "a");
	int ret = 0;

	if (!f) {
		ret = -errno;
	} else {
		hist_tsv(f, label, "bound", res->bound);
		hist_tsv(f, label, "unbound", res->unbound);
		hist_tsv(f, label, "kflush", res->k.flush);
		if (fclose(f))
			ret = -errno;
	}
	if (ret)
		fprintf(stderr, "svmbench: writing histograms to %s: %s\n", res->o->hist_out,
			strerror(-ret));
	return ret;
}

/* For people: the headline numbers on stderr. */
void report_summary(const struct results *res)
{
	uint64_t b50 = 0, u50 = 0, k50 = 0, k99 = 0, violations = 0;
	bool have_b = hist_percentile(res->bound, HIST_P50, &b50);
	bool have_u = res->unbound && hist_percentile(res->unbound, HIST_P50, &u50);
	bool have_k = res->k.flush && hist_percentile(res->k.flush, HIST_P50, &k50) &&
		      hist_percentile(res->k.flush, HIST_P99, &k99);
	unsigned int v;

	for (v = 0; v < V_NR; v++)
		violations += res->violations[v];
	fprintf(stderr, "svmbench: %s/", res->o->workload->name);
	if (res->dev->be != &backend_svmsim)	/* svmsim's line is as it always was */
		fprintf(stderr, "%s%s", res->dev->be->name,
			backend_can(res->dev->be, BE_MODEL) ? "/" : "");
	if (backend_can(res->dev->be, BE_MODEL))
		fprintf(stderr, "%s", svmsim_model_names[res->dev->model]);
	fprintf(stderr, ": %llu ops in %.1f s", (unsigned long long)res->ops,
		res->elapsed_s);
	if (have_b)
		fprintf(stderr, ", bound p50 %llu ns", (unsigned long long)b50);
	if (have_u)
		fprintf(stderr, ", unbound p50 %llu ns", (unsigned long long)u50);
	if (have_b && have_u && u50)
		fprintf(stderr, " (x%.3f)", (double)b50 / (double)u50);
	if (have_k)
		fprintf(stderr, ", kernel flush p50 %llu p99 %llu ns (%llu)",
			(unsigned long long)k50, (unsigned long long)k99,
			(unsigned long long)res->k.flush->count);
	fprintf(stderr, ", %llu violations, %llu unexpected faults",
		(unsigned long long)violations, (unsigned long long)res->unexpected);
	fprintf(stderr, ", %llu samples discarded", (unsigned long long)res->discarded);
	if (res->unbound)
		fprintf(stderr, " (%llu unbound)", (unsigned long long)res->discarded_unbound);
	fprintf(stderr, ", layout %s\n", layout_names[res->o->layout]);
}
