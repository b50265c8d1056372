// SPDX-License-Identifier: GPL-2.0
/*
 * A run's CSV or JSON Lines report (its row: row.h), its histograms, and
 * the summary line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapping.h"
#include "report.h"
#include "row.h"
#include "svmsim/loglin.h"
#include "svmsim/names.h"
#include "workload.h"

/* The device's side of the configuration; null where the backend has no such setting. */
static void put_device_config(struct row *r, const struct devbind *d)
{
	const struct svmsim_config *c = &d->cfg;
	bool cfg = backend_can(d->be, BE_CONFIG);

	put_str(r, "backend", d->be->name);
	put_str(r, "model", backend_can(d->be, BE_MODEL) ? svmsim_model_names[d->model] :
			    d->be->name);
	put_opt_str(r, "fill", backend_can(d->be, BE_FILL) ? svmsim_fill_names[d->fill] : NULL);
	put_opt_str(r, "flush_mode", cfg ? svmsim_flush_mode_names[c->flush_mode] : NULL);
	put_opt_u64(r, "latency_ns", cfg, c->dev_latency_ns);
	put_opt_u64(r, "threshold", cfg, c->flush_threshold);
	put_opt_str(r, "psi", !cfg ? NULL : c->flags & SVMSIM_CONFIG_PSI ? "true" : "false");
	put_opt_u64(r, "flush_budget", cfg, c->flush_budget);
	put_opt_u64(r, "max_entries", cfg, c->max_entries);
	put_opt_u64(r, "max_pasid_entries", cfg, c->max_pasid_entries);
	put_opt_u64(r, "tlb_sets", cfg, c->tlb_sets);
	put_opt_u64(r, "tlb_ways", cfg, c->tlb_ways);
	put_opt_str(r, "tlb_policy", cfg ? svmsim_repl_names[c->tlb_policy] : NULL);
}

static void put_config(struct row *r, const struct options *o, const struct devbind *d)
{
	put_str(r, "workload", o->workload->name);
	put_device_config(r, d);
	put_u64(r, "pages", o->pages);
	put_u64(r, "op_pages", o->op_pages ? o->op_pages : o->pages);
	put_u64(r, "regions", o->regions);
	put_u64(r, "cached", o->cached);
	put_u64(r, "threads", o->threads);
	put_u64(r, "device_threads", o->device_threads);
	put_opt_u64(r, "iterations", o->iterations, o->iterations);
	put_opt_f64(r, "duration_s", o->duration > 0, o->duration, 3);
	put_u64(r, "seed", o->seed);
	put_bool(r, "pin", o->pin);
	put_u64(r, "device", o->device);
	put_bool(r, "huge", o->huge);
	put_str(r, "layout", layout_names[o->layout]);
	put_str(r, "inject", svmsim_bug_names[o->inject]);
	put_opt_u64(r, "inject_param", o->inject, o->inject_param);
	put_u64(r, "fill_delay_us", o->fill_delay_us);
	put_bool(r, "sanitize", o->sanitize);
	put_bool(r, "baseline", o->baseline);
	put_u64(r, "pause_us", o->pause_us);
}

/* prefix_samples, _min_ns, _p50_ns ... _stdev_ns; all null without @h. */
static void put_latency(struct row *r, const char *const names[9], const struct hist *h)
{
	static const uint32_t pcts[] = { HIST_P50, HIST_P90, HIST_P99, HIST_P999 };
	uint64_t v = 0;
	double d = 0;
	unsigned int i;
	bool have;

	put_opt_u64(r, names[0], h, h ? h->count : 0);
	put_opt_u64(r, names[1], h && h->count, h ? h->min : 0);
	for (i = 0; i < 4; i++) {
		have = h && hist_percentile(h, pcts[i], &v);
		put_opt_u64(r, names[2 + i], have, v);
	}
	put_opt_u64(r, names[6], h && h->count, h ? h->max : 0);
	have = h && hist_mean(h, &d);
	put_opt_f64(r, names[7], have, d, 1);
	have = h && hist_stdev(h, &d);
	put_opt_f64(r, names[8], have, d, 1);
}

static const char *const bound_names[9] = {
	"bound_samples", "bound_min_ns", "bound_p50_ns", "bound_p90_ns", "bound_p99_ns",
	"bound_p999_ns", "bound_max_ns", "bound_mean_ns", "bound_stdev_ns",
};

static const char *const unbound_names[9] = {
	"unbound_samples", "unbound_min_ns", "unbound_p50_ns", "unbound_p90_ns",
	"unbound_p99_ns", "unbound_p999_ns", "unbound_max_ns", "unbound_mean_ns",
	"unbound_stdev_ns",
};

static void put_overhead(struct row *r, const struct hist *bound, const struct hist *unbound)
{
	uint64_t b50 = 0, u50 = 0;
	double bm = 0, um = 0;
	bool p50 = unbound && hist_percentile(bound, HIST_P50, &b50) &&
		   hist_percentile(unbound, HIST_P50, &u50) && u50;
	bool mean = unbound && hist_mean(bound, &bm) && hist_mean(unbound, &um) && um > 0;

	put_opt_f64(r, "overhead_p50", p50, p50 ? (double)b50 / (double)u50 : 0, 4);
	put_opt_f64(r, "overhead_mean", mean, mean ? bm / um : 0, 4);
}

/* ... and the in-kernel flush time per bound operation, to set beside the overhead. */
static void put_kernel_flush(struct row *r, const struct hist *h, uint64_t ops)
{
	uint64_t v = 0;
	double d = 0;
	bool have;

	put_opt_u64(r, "kflush_count", h, h ? h->count : 0);	/* NULL: no BE_STATS */
	have = h && hist_percentile(h, HIST_P50, &v);
	put_opt_u64(r, "kflush_p50_ns", have, v);
	have = h && hist_percentile(h, HIST_P99, &v);
	put_opt_u64(r, "kflush_p99_ns", have, v);
	put_opt_u64(r, "kflush_max_ns", h && h->count, h ? h->max : 0);
	have = h && hist_mean(h, &d);
	put_opt_f64(r, "kflush_mean_ns", have, d, 1);
	put_opt_f64(r, "kflush_ns_per_op", h && ops, h && ops ? (double)h->sum / (double)ops : 0,
		    1);
}

/* @known false: the backend has no counters (no BE_STATS); every column null. */
static void put_counters(struct row *r, const struct svmsim_stats *st, bool known)
{
	static const unsigned int which[] = {
		SVMSIM_STAT_TLB_FLUSHED, SVMSIM_STAT_TLB_COLLATERAL, SVMSIM_STAT_TLB_FULL_FLUSHES,
		SVMSIM_STAT_FILL_RETRIES, SVMSIM_STAT_TLB_STALE_REFUSED, SVMSIM_STAT_INV_CALLS,
		SVMSIM_STAT_INV_EMPTY, SVMSIM_STAT_FILLS, SVMSIM_STAT_FILL_WAITS,
		SVMSIM_STAT_TLB_HITS, SVMSIM_STAT_TLB_MISSES, SVMSIM_STAT_DMA_OPS,
		SVMSIM_STAT_DMA_FAULTS, SVMSIM_STAT_INJECTED, SVMSIM_STAT_SAN_CHECKS,
		SVMSIM_STAT_SAN_STALE,
	};
	unsigned int i;

	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++)
		put_opt_u64(r, svmsim_stat_names[which[i]], known, st->counters[which[i]]);
}

static void put_outcome(struct row *r, const struct results *res)
{
	uint64_t total = 0;
	unsigned int v;

	put_u64(r, "dev_reads", res->dev_reads);
	put_u64(r, "dev_writes", res->dev_writes);
	put_u64(r, "dma_retries", res->retries);
	put_u64(r, "op_failures", res->failures);
	put_opt_u64(r, "op_failures_unbound", res->unbound, res->failures_unbound);
	put_u64(r, "unexpected_faults", res->unexpected);
	put_opt_u64(r, "merged_regions", res->merged_known, res->merged_regions);
	for (v = 0; v < V_NR; v++)
		total += res->violations[v];
	put_u64(r, "violations", total);
	for (v = 0; v < V_NR; v++)
		put_u64(r, violation_names[v], res->violations[v]);
}

/* --stop-on-detect: the first detection; empty/null without one. */
static void put_detection(struct row *r, const struct detect *d)
{
	put_bool(r, "stop_on_detect", d->on);
	put_str(r, "detected_by", detect_by(d));
	put_opt_f64(r, "detect_s", d->detected, d->ns / 1e9, 3);
	put_opt_u64(r, "detect_ops", d->detected, d->ops);
	put_opt_u64(r, "detect_dev_ops", d->detected && d->dev_ops_known, d->dev_ops);
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

static void build_row(struct row *r, const struct results *res, char *events)
{
	if (res->o->label)
		put_str(r, "label", res->o->label);
	else
		put(r, "label", F_NULL);
	put_environment(r, res->si);
	put_config(r, res->o, res->dev);
	put_opt_f64(r, "elapsed_s", true, res->elapsed_s, 3);
	put_u64(r, "ops", res->ops);
	put_str(r, "op", res->o->workload->op);
	put_u64(r, "discarded", res->discarded);
	put_opt_u64(r, "discarded_unbound", res->unbound, res->discarded_unbound);
	put_latency(r, bound_names, res->bound);
	put_latency(r, unbound_names, res->unbound);
	put_overhead(r, res->bound, res->unbound);
	put_kernel_flush(r, res->k.flush, res->ops);
	put_counters(r, &res->k.st, res->k.flush != NULL);
	put_outcome(r, res);
	put_detection(r, &res->det);
	put(r, "events", F_JSON)->s = events;
}

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
		build_row(r, res, events);
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
