// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim-run: the report.  Per address space (process image) and in total:
 * invalidation callbacks by event, the entries they flushed and the
 * collateral (entries outside the range that changed), PASID-wide
 * flushes, device reads, fills and the sanitizer's counts -- the bond's
 * own counters (SVMSIM_IOC_STATS), read when it was retired.  In total
 * only (the device keeps them, not the bond): callbacks by range-size
 * class and the callback latency p50/p99 by event and by size class, as
 * differences of the device's histograms (SVMSIM_IOC_HIST) since the
 * start; and every sanitizer report (SVMSIM_IOC_SAN_REPORTS) made since
 * the start, with the process it names.  Another user of the device at
 * the same time would count in these device-wide figures.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "hist.h"
#include "jsonput.h"
#include "run.h"
#include "svmsim/dev.h"
#include "svmsim/names.h"

#define NHIST	(SVMSIM_EV_NR + SVMSIM_SZ_NR)

/**
 * run_exit_status() - what svmsim-run exits with
 * @s: the state, PROGRAM done.
 * @san: the sanitizer reported a stale translation.
 *
 * Return: --san-exit's status if @san, else PROGRAM's (128+N for signal N).
 */
int run_exit_status(const struct run_state *s, bool san)
{
	if (san)
		return s->o.san_exit;
	if (WIFSIGNALED(s->status))
		return 128 + WTERMSIG(s->status);
	return WEXITSTATUS(s->status);
}

/* Histogram @i of the snapshot: events first, then size classes. */
static int hist_read(int fd, unsigned int i, uint64_t *b)
{
	struct svmsim_hist h;

	if (i < SVMSIM_EV_NR)
		return svmsim_hist(fd, SVMSIM_HIST_EVENT, i, b, SVMSIM_HIST_NBUCKETS, &h);
	return svmsim_hist(fd, SVMSIM_HIST_SIZE, i - SVMSIM_EV_NR, b, SVMSIM_HIST_NBUCKETS, &h);
}

/**
 * run_snapshot() - the device's counters, histograms and report count now
 * @s: the state.
 *
 * Return: 0 or -1.
 */
int run_snapshot(struct run_state *s)
{
	struct svmsim_san_report r;
	uint32_t n;
	unsigned int i;

	s->hist0 = calloc(NHIST, sizeof(*s->hist0));
	if (!s->hist0 || svmsim_stats(s->fd, 0, false, &s->dev0) ||
	    svmsim_san_reports(s->fd, 0, &r, 0, &n, &s->san_total0))
		return -1;
	for (i = 0; i < NHIST; i++)
		if (hist_read(s->fd, i, s->hist0[i]))
			return -1;
	return 0;
}

struct lat {
	uint64_t count, p50, p99;
};

/* Each histogram's change since the snapshot, and its p50/p99 (bench/hist.c's). */
static void latencies(struct run_state *s, struct lat *out)
{
	struct hist *h = hist_new(SVMSIM_HIST_SUB_BITS, HIST_KERNEL_MAX_NS);
	uint64_t b[SVMSIM_HIST_NBUCKETS];
	unsigned int i, k;

	for (i = 0; h && i < NHIST; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		if (hist_read(s->fd, i, b))
			continue;
		for (k = 0; k < SVMSIM_HIST_NBUCKETS; k++) {
			b[k] = b[k] >= s->hist0[i][k] ? b[k] - s->hist0[i][k] : 0;
			out[i].count += b[k];
		}
		if (out[i].count &&
		    !hist_load(h, b, SVMSIM_HIST_NBUCKETS, out[i].count, 0, 0, UINT64_MAX)) {
			hist_percentile(h, HIST_P50, &out[i].p50);
			hist_percentile(h, HIST_P99, &out[i].p99);
		}
	}
	hist_free(h);
}

/*
 * The address space a report names: the newest bound with its PASID
 * before the report (a PASID given back is bound again: the list is
 * newest first).
 */
static struct run_mm *report_mm(struct run_state *s, const struct svmsim_san_report *r)
{
	struct run_mm *m;

	for (m = s->mms; m; m = m->next)
		if (m->bound && m->pasid == r->pasid && r->ns >= m->t_bind)
			return m;
	return NULL;
}

/* The address spaces in the order bound (the list is newest first). */
static struct run_mm **in_order(struct run_state *s)
{
	struct run_mm **v = calloc(s->nmms + 1, sizeof(*v)), *m;

	if (!v)
		return NULL;
	for (m = s->mms; m; m = m->next)
		if (m->id >= 1 && m->id <= s->nmms)
			v[m->id - 1] = m;
	return v;
}

static void add_stats(struct svmsim_stats *t, const struct svmsim_stats *a)
{
	unsigned int i;

	for (i = 0; i < SVMSIM_STAT_NR; i++)
		t->counters[i] += a->counters[i];
	for (i = 0; i < SVMSIM_EV_NR; i++) {
		t->ev_calls[i] += a->ev_calls[i];
		t->ev_entries[i] += a->ev_entries[i];
		t->ev_collateral[i] += a->ev_collateral[i];
	}
}

/* The counters a line of the report shows, by name. */
static const unsigned int shown[] = {
	SVMSIM_STAT_DMA_OPS, SVMSIM_STAT_DMA_FAULTS, SVMSIM_STAT_FILLS, SVMSIM_STAT_FILLS_2M,
	SVMSIM_STAT_TLB_HITS, SVMSIM_STAT_INV_CALLS, SVMSIM_STAT_INV_EMPTY,
	SVMSIM_STAT_TLB_FLUSHED, SVMSIM_STAT_TLB_COLLATERAL, SVMSIM_STAT_TLB_FULL_FLUSHES,
	SVMSIM_STAT_TLB_RETIRED, SVMSIM_STAT_RELEASES, SVMSIM_STAT_SAN_CHECKS,
	SVMSIM_STAT_SAN_STALE, SVMSIM_STAT_SAN_WAITS, SVMSIM_STAT_INJECTED,
};

#define NSHOWN (sizeof(shown) / sizeof(shown[0]))

struct run_sum {
	struct svmsim_stats total;
	struct lat lat[NHIST];
	struct svmsim_san_report rep[RUN_MAX_REPORTS];
	uint32_t nrep;
	uint64_t san_new;		/* reports made since the start */
	uint64_t san_stale;		/* stale translations our bonds counted */
	unsigned int bound, failed;
	unsigned int exited;		/* gone before its bind (ESRCH): not a failure */
};

static void json_stats(FILE *f, const struct svmsim_stats *st)
{
	unsigned int i;

	fputs("{", f);
	for (i = 0; i < NSHOWN; i++)
		fprintf(f, "%s\"%s\": %" PRIu64, i ? ", " : "", svmsim_stat_names[shown[i]],
			(uint64_t)st->counters[shown[i]]);
	fputs(", \"events\": {", f);
	for (i = 0; i < SVMSIM_EV_NR; i++)
		fprintf(f, "%s\"%s\": {\"calls\": %" PRIu64 ", \"entries\": %" PRIu64
			", \"collateral\": %" PRIu64 "}", i ? ", " : "", svmsim_event_names[i],
			(uint64_t)st->ev_calls[i], (uint64_t)st->ev_entries[i],
			(uint64_t)st->ev_collateral[i]);
	fputs("}}", f);
}

static void json_report(FILE *f, struct run_state *s, const struct svmsim_san_report *r)
{
	struct run_mm *m = report_mm(s, r);
	unsigned int i;

	fprintf(f, "{\"seq\": %" PRIu64 ", \"t_s\": %.6f, \"pasid\": %u, \"pid\": %d, \"program\": ",
		(uint64_t)r->seq, (double)(r->ns - s->t0) / 1e9, r->pasid, m ? (int)m->pid : -1);
	json_put_str(f, m ? m->cmd : "?");
	fprintf(f, ", \"addr\": \"%#" PRIx64 "\", \"write\": %u, \"cached_pfn\": \"%#" PRIx64
		"\", \"cached_perm\": %u, \"current_pfn\": \"%#" PRIx64 "\", \"current_perm\": %u"
		", \"page_shift\": %u, \"fill_t_s\": %.6f, \"fill_tid\": %u, \"invalidations\": [",
		(uint64_t)r->addr, r->write, (uint64_t)r->cached_pfn, r->cached_perm,
		(uint64_t)r->current_pfn, r->current_perm, r->page_shift,
		r->fill_ns ? (double)((int64_t)(r->fill_ns - s->t0)) / 1e9 : 0.0, r->fill_tid);
	for (i = 0; i < r->ninvals && i < SVMSIM_SAN_INVALS; i++)
		fprintf(f, "%s{\"start\": \"%#" PRIx64 "\", \"last\": \"%#" PRIx64 "\", \"t_s\": %.6f"
			", \"event\": \"%s\", \"flushed\": %u}", i ? ", " : "",
			(uint64_t)r->invals[i].start, (uint64_t)r->invals[i].last,
			(double)((int64_t)(r->invals[i].ns - s->t0)) / 1e9,
			r->invals[i].event < SVMSIM_EV_NR ? svmsim_event_names[r->invals[i].event] : "?",
			r->invals[i].flushed);
	fputs("]}", f);
}

static void write_json(FILE *f, struct run_state *s, struct run_sum *x)
{
	struct run_mm *m, **v = in_order(s);
	unsigned int i, n;
	bool first = true;

	fputs("{\"program\": ", f);
	json_put_str(f, s->o.argv[0]);
	fprintf(f, ", \"exit\": %d, \"signal\": %d, \"model\": \"%s\", \"fill\": \"%s\""
		", \"sanitize\": %d, \"device\": %u, \"tlb_sets\": %u, \"tlb_ways\": %u"
		", \"tlb_policy\": \"%s\", \"flush_mode\": \"%s\", \"flush_threshold\": %u"
		", \"seconds\": %.3f, \"bound\": %u, \"bind_failed\": %u, \"exited_unbound\": %u"
		", \"shadow_ops\": %lu, \"shadow_faults\": %lu, \"shadow_errors\": %lu"
		", \"san_stale\": %" PRIu64 ", \"san_reports_new\": %" PRIu64
		", \"run_exit\": %d,\n \"total\": ",
		WIFEXITED(s->status) ? WEXITSTATUS(s->status) : -1,
		WIFSIGNALED(s->status) ? WTERMSIG(s->status) : 0,
		svmsim_model_names[s->o.model], svmsim_fill_names[s->o.fill], s->o.sanitize,
		s->o.device, s->cfg.tlb_sets, s->cfg.tlb_ways,
		s->cfg.tlb_policy < SVMSIM_REPL_NR ? svmsim_repl_names[s->cfg.tlb_policy] : "?",
		s->cfg.flush_mode < SVMSIM_FLUSH_MODE_NR ?
		svmsim_flush_mode_names[s->cfg.flush_mode] : "?", s->cfg.flush_threshold,
		(double)(run_now_ns() - s->t0) / 1e9, x->bound, x->failed, x->exited, s->shadow_ops,
		s->shadow_faults, s->shadow_errors, x->san_stale, x->san_new,
		run_exit_status(s, x->san_stale || x->nrep));
	json_stats(f, &x->total);
	if (s->o.record) {
		fputs(",\n \"record\": {\"file\": ", f);
		json_put_str(f, s->o.record);
		fprintf(f, ", \"records\": %" PRIu64 ", \"lost\": %" PRIu64 "}",
			s->rec_records, s->rec_lost);
	}
	fputs(",\n \"latency_by_event\": {", f);
	for (i = 0; i < SVMSIM_EV_NR; i++)
		fprintf(f, "%s\"%s\": {\"calls\": %" PRIu64 ", \"p50_ns\": %" PRIu64
			", \"p99_ns\": %" PRIu64 "}", i ? ", " : "", svmsim_event_names[i],
			x->lat[i].count, x->lat[i].p50, x->lat[i].p99);
	fputs("},\n \"by_size_class\": {", f);
	for (i = 0; i < SVMSIM_SZ_NR; i++)
		fprintf(f, "%s\"%s\": {\"calls\": %" PRIu64 ", \"p50_ns\": %" PRIu64
			", \"p99_ns\": %" PRIu64 "}", i ? ", " : "", svmsim_size_names[i],
			x->lat[SVMSIM_EV_NR + i].count, x->lat[SVMSIM_EV_NR + i].p50,
			x->lat[SVMSIM_EV_NR + i].p99);
	fputs("},\n \"processes\": [", f);
	for (n = 0; v && n < s->nmms; n++) {
		m = v[n];
		if (!m)
			continue;
		fprintf(f, "%s\n  {\"id\": %u, \"pid\": %d, \"program\": ", first ? "" : ",", m->id,
			(int)m->pid);
		json_put_str(f, m->cmd);
		fprintf(f, ", \"pasid\": %u, \"bound\": %d, \"bind_errno\": %d, \"t_bind_s\": %.6f"
			", \"t_end_s\": %.6f, \"stats\": ", m->pasid, m->bound, -m->bind_err,
			(double)(m->t_bind - s->t0) / 1e9,
			m->t_end ? (double)(m->t_end - s->t0) / 1e9 : 0.0);
		json_stats(f, &m->st);
		fputs("}", f);
		first = false;
	}
	free(v);
	fputs("],\n \"san_reports\": [", f);
	for (i = 0; i < x->nrep; i++) {
		fputs(i ? ",\n  " : "\n  ", f);
		json_report(f, s, &x->rep[i]);
	}
	fputs("]}\n", f);
}

static void text_report(FILE *f, struct run_state *s, struct run_sum *x)
{
	const struct svmsim_stats *t = &x->total;
	struct run_mm *m, **v = in_order(s);
	unsigned int i, k;

	fprintf(f, "svmsim-run: %s: ", s->o.argv[0]);
	if (WIFSIGNALED(s->status))
		fprintf(f, "killed by signal %d", WTERMSIG(s->status));
	else
		fprintf(f, "exit %d", WEXITSTATUS(s->status));
	fprintf(f, " after %.2f s; device %u: model %s, fill %s, sanitizer %s, TLB %u sets x %u ways"
		" %s, flush %s\n", (double)(run_now_ns() - s->t0) / 1e9, s->o.device,
		svmsim_model_names[s->o.model], svmsim_fill_names[s->o.fill],
		s->o.sanitize ? "on" : "off", s->cfg.tlb_sets, s->cfg.tlb_ways,
		s->cfg.tlb_policy < SVMSIM_REPL_NR ? svmsim_repl_names[s->cfg.tlb_policy] : "?",
		s->cfg.flush_mode < SVMSIM_FLUSH_MODE_NR ?
		svmsim_flush_mode_names[s->cfg.flush_mode] : "?");
	fprintf(f, "address spaces bound: %u (bind failed: %u; exited before bound: %u); shadow:"
		" %lu reads, %lu faults, %lu errors\n", x->bound, x->failed, x->exited,
		s->shadow_ops, s->shadow_faults, s->shadow_errors);
	fprintf(f, "%4s %7s %7s %8s %8s %8s %8s %6s %6s %8s %5s  %s\n", "id", "pid", "pasid",
		"dma_ops", "fills", "inv", "flushed", "collat", "full", "san_chk", "stale",
		"program");
	for (k = 0; v && k < s->nmms; k++)
		if ((m = v[k]))
			fprintf(f, "%4u %7d %7u %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %6"
			PRIu64 " %6" PRIu64 " %8" PRIu64 " %5" PRIu64 "  %.60s%s\n", m->id,
			(int)m->pid, m->pasid,
			(uint64_t)m->st.counters[SVMSIM_STAT_DMA_OPS],
			(uint64_t)m->st.counters[SVMSIM_STAT_FILLS],
			(uint64_t)m->st.counters[SVMSIM_STAT_INV_CALLS],
			(uint64_t)m->st.counters[SVMSIM_STAT_TLB_FLUSHED],
			(uint64_t)m->st.counters[SVMSIM_STAT_TLB_COLLATERAL],
			(uint64_t)m->st.counters[SVMSIM_STAT_TLB_FULL_FLUSHES],
			(uint64_t)m->st.counters[SVMSIM_STAT_SAN_CHECKS],
			(uint64_t)m->st.counters[SVMSIM_STAT_SAN_STALE], m->cmd,
			m->bound ? "" : " (not bound)");
	free(v);
	fprintf(f, "total:");
	for (i = 0; i < NSHOWN; i++)
		fprintf(f, " %s=%" PRIu64, svmsim_stat_names[shown[i]],
			(uint64_t)t->counters[shown[i]]);
	fprintf(f, "\n%-16s %9s %9s %10s %10s %10s\n", "event", "calls", "entries", "collateral",
		"p50_ns", "p99_ns");
	for (i = 0; i < SVMSIM_EV_NR; i++)
		if (t->ev_calls[i] || x->lat[i].count)
			fprintf(f, "%-16s %9" PRIu64 " %9" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10"
				PRIu64 "\n", svmsim_event_names[i], (uint64_t)t->ev_calls[i],
				(uint64_t)t->ev_entries[i], (uint64_t)t->ev_collateral[i],
				x->lat[i].p50, x->lat[i].p99);
	fprintf(f, "%-16s %9s %10s %10s   (device-wide)\n", "range (pages)", "calls", "p50_ns",
		"p99_ns");
	for (i = 0; i < SVMSIM_SZ_NR; i++) {
		k = SVMSIM_EV_NR + i;
		fprintf(f, "%-16s %9" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", svmsim_size_names[i],
			x->lat[k].count, x->lat[k].p50, x->lat[k].p99);
	}
	fprintf(f, "sanitizer: %" PRIu64 " stale translations stopped, %" PRIu64
		" reports (%u kept)%s\n", x->san_stale, x->san_new, x->nrep,
		x->san_stale || x->nrep ? ": svmsim-run exits with --san-exit's status" : "");
	for (i = 0; i < x->nrep; i++) {
		const struct svmsim_san_report *r = &x->rep[i];
		struct run_mm *rm = report_mm(s, r);

		fprintf(f, "  report %" PRIu64 " at %.6f s: pid %d (%s) pasid %u %s %#" PRIx64
			": cached pfn %#" PRIx64 " perm %u (%uK entry, filled at %.6f s by tid %u),"
			" CPU maps pfn %#" PRIx64 " perm %u\n", (uint64_t)r->seq,
			(double)(r->ns - s->t0) / 1e9, rm ? (int)rm->pid : -1, rm ? rm->cmd : "?",
			r->pasid, r->write ? "write" : "read", (uint64_t)r->addr,
			(uint64_t)r->cached_pfn, r->cached_perm, (1u << r->page_shift) / 1024,
			r->fill_ns ? (double)((int64_t)(r->fill_ns - s->t0)) / 1e9 : 0.0,
			r->fill_tid, (uint64_t)r->current_pfn, r->current_perm);
		for (k = 0; k < r->ninvals && k < SVMSIM_SAN_INVALS; k++)
			fprintf(f, "    invalidation %#" PRIx64 "-%#" PRIx64 " %s at %.6f s: %s\n",
				(uint64_t)r->invals[k].start, (uint64_t)r->invals[k].last,
				r->invals[k].event < SVMSIM_EV_NR ?
				svmsim_event_names[r->invals[k].event] : "?",
				(double)((int64_t)(r->invals[k].ns - s->t0)) / 1e9,
				r->invals[k].flushed ? "flushed" : "SKIPPED");
	}
}

/* The reports made since the start that name one of our address spaces. */
static void collect_reports(struct run_state *s, struct run_sum *x)
{
	struct svmsim_san_report all[RUN_MAX_REPORTS];
	uint64_t total = 0;
	uint32_t n = 0, i;

	if (svmsim_san_reports(s->fd, 0, all, RUN_MAX_REPORTS, &n, &total))
		return;
	x->san_new = total - s->san_total0;
	for (i = 0; i < n; i++)
		if (all[i].seq > s->san_total0 && report_mm(s, &all[i]))
			x->rep[x->nrep++] = all[i];
}

/**
 * run_report() - print the report (text, JSON)
 * @s: the state, every address space retired.
 * @san: out: stale translations the sanitizer stopped in PROGRAM's
 *	address spaces (each one reported).
 *
 * Return: 0, or -1 if the JSON file could not be written.
 */
int run_report(struct run_state *s, int *san)
{
	static struct run_sum x;
	struct run_mm *m;
	FILE *f;
	int ret = 0;

	for (m = s->mms; m; m = m->next) {
		if (m->bound)
			x.bound++;
		else if (m->bind_err == -ESRCH)
			x.exited++;
		else
			x.failed++;
		add_stats(&x.total, &m->st);
	}
	latencies(s, x.lat);
	collect_reports(s, &x);
	x.san_stale = x.total.counters[SVMSIM_STAT_SAN_STALE];
	*san = x.san_stale || x.nrep;
	if (!s->o.quiet) {
		f = s->o.report ? fopen(s->o.report, "we") : stderr;
		if (!f) {
			run_warn("%s: %s", s->o.report, strerror(errno));
			ret = -1;
		} else {
			text_report(f, s, &x);
			if (f != stderr)
				fclose(f);
		}
	}
	if (s->o.json) {
		f = fopen(s->o.json, "we");
		if (!f) {
			run_warn("%s: %s", s->o.json, strerror(errno));
			return -1;
		}
		write_json(f, s, &x);
		if (fclose(f))
			ret = -1;
	}
	return ret;
}
