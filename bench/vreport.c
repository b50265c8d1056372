// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench --validate's output: a table on stdout (one line per cell run,
 * then one per bug, model and mode, then the notes), and the same runs as
 * CSV (PREFIX.csv) and JSON Lines (PREFIX.json: a "cell" object per run,
 * a "bug" object per bug, model and mode, and a "summary").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "row.h"
#include "svmsim/names.h"
#include "sysinfo.h"
#include "validate.h"

/* "caught: sanitizer", "not reached", ... */
static const char *outcome_text(const struct vrun *r, char *buf, size_t n)
{
	if (r->outcome == VO_CAUGHT)
		snprintf(buf, n, "caught: %s", r->detected_by);
	else
		snprintf(buf, n, "%s", voutcome_names[r->outcome]);
	return buf;
}

#define ROW_FMT	"%-20s %-9s %-9s %-9s %-18s %8s %8s %10s %9s  %s\n"

/*
 * One run: time, bound and device operations to the first detection
 * (else the run's totals), and how often the bug acted.
 */
static void table_run(const struct vrun *r)
{
	char out[32], t[16] = "-", ops[24] = "-", dev[24] = "-", inj[24] = "-";
	bool caught = r->detected_by[0];

	if (caught)
		snprintf(t, sizeof(t), "%.3f", r->detect_s);
	if (r->have) {
		snprintf(ops, sizeof(ops), "%llu", (unsigned long long)(caught ? r->detect_ops : r->ops));
		snprintf(dev, sizeof(dev), "%llu",
			 (unsigned long long)(caught ? r->detect_dev_ops : r->dev_ops));
		snprintf(inj, sizeof(inj), "%llu", (unsigned long long)r->injected);
	}
	printf(ROW_FMT, svmsim_bug_names[r->b->bug], svmsim_model_names[r->model],
	       vmodes[r->mode].name, r->c ? r->c->workload : "-", outcome_text(r, out, sizeof(out)),
	       t, ops, dev, inj, r->c && r->c->args ? r->c->args : "");
}

/* The notes for bugs that never acted or acted harmlessly, once each. */
static void table_notes(const struct vresults *res)
{
	uint64_t shown = 0;
	unsigned int i;

	printf("\nnotes:\n");
	for (i = 0; i < res->n; i++) {
		const struct vrun *r = &res->runs[i];
		uint64_t bit = 1ull << r->b->bug;

		if (shown & bit)
			continue;
		if (r->outcome == VO_NOT_REACHED || r->outcome == VO_NA) {
			printf("  %s: %s: needs %s\n", svmsim_bug_names[r->b->bug],
			       voutcome_names[r->outcome], r->b->needs);
			shown |= bit;
		} else if (r->outcome == VO_HARMLESS) {
			printf("  %s: harmless: %s\n", svmsim_bug_names[r->b->bug], r->b->harmless);
			shown |= bit;
		}
	}
}

/**
 * vreport_table() - the table, for people
 * @res: the runs.
 */
void vreport_table(const struct vresults *res)
{
	unsigned int i, m;

	printf(ROW_FMT, "bug", "model", "mode", "workload", "outcome", "detect_s", "ops",
	       "dev_ops", "injected", "options");
	for (i = 0; i < res->n; i++)
		table_run(&res->runs[i]);
	table_notes(res);
	for (m = 0; m < VM_NR; m++)
		if (res->cfg->modes & (1u << m))
			printf("clean run (none), %s: %llu device operations (goal %llu)\n",
			       vmodes[m].name, (unsigned long long)res->clean_dev_ops[m],
			       (unsigned long long)res->cfg->clean_ops);
}

/**
 * vreport_totals() - a TAP-style totals line, for the in-VM suite's summary
 * @res: the runs.
 *
 * pass: caught, clean, harmless, not reached, n/a; fail: missed, dirty,
 * error; skip: unavailable here.
 */
void vreport_totals(const struct vresults *res)
{
	unsigned int i, fail = 0, skip = 0;

	for (i = 0; i < res->n; i++) {
		fail += verdict_fails(res->runs[i].outcome);
		skip += res->runs[i].outcome == VO_UNAVAILABLE;
	}
	printf("# totals: pass:%u fail:%u skip:%u\n", res->n - fail - skip, fail, skip);
}

/* ---- files ---- */

static void put_cell(struct row *w, const struct vresults *res, const struct vrun *r)
{
	char out[32];

	put_str(w, "kind", "cell");
	put_environment(w, res->cfg->si);
	put_opt_f64(w, "budget_s", true, r->budget_s, 3);
	put_str(w, "bug", svmsim_bug_names[r->b->bug]);
	put_str(w, "model", svmsim_model_names[r->model]);
	put_str(w, "mode", vmodes[r->mode].name);
	put_str(w, "fill", svmsim_fill_names[vmodes[r->mode].fill]);
	put_bool(w, "sanitize", vmodes[r->mode].sanitize);
	put_str(w, "workload", r->c ? r->c->workload : "");
	put_str(w, "options", r->c && r->c->args ? r->c->args : "");
	put_str(w, "outcome", outcome_text(r, out, sizeof(out)));
	put_str(w, "detected_by", r->detected_by);
	put_opt_f64(w, "detect_s", r->detected_by[0], r->detect_s, 3);
	put_opt_u64(w, "detect_ops", r->detected_by[0], r->detect_ops);
	put_opt_u64(w, "detect_dev_ops", r->detected_by[0], r->detect_dev_ops);
	put_opt_f64(w, "elapsed_s", r->have, r->elapsed_s, 3);
	put_opt_u64(w, "ops", r->have, r->ops);
	put_opt_u64(w, "dev_ops", r->have, r->dev_ops);
	put_opt_u64(w, "injected", r->have, r->injected);
	put_opt_u64(w, "san_stale", r->have, r->san_stale);
	put_opt_u64(w, "san_checks", r->have, r->san_checks);
	put_opt_u64(w, "violations", r->have, r->violations);
	put_opt_u64(w, "unexpected_faults", r->have, r->unexpected);
	put_str(w, "note", r->outcome == VO_HARMLESS ? r->b->harmless :
		r->outcome == VO_NOT_REACHED || r->outcome == VO_NA ? r->b->needs : "");
}

static void put_summary(struct row *w, const struct vresults *res, bool pass)
{
	static char modes[64];
	unsigned int m;

	modes[0] = 0;
	for (m = 0; m < VM_NR; m++)
		if (res->cfg->modes & (1u << m))
			snprintf(modes + strlen(modes), sizeof(modes) - strlen(modes), "%s%s",
				 modes[0] ? "," : "", vmodes[m].name);
	put_str(w, "kind", "summary");
	put_environment(w, res->cfg->si);
	put_opt_f64(w, "budget_s", true, res->cfg->budget_s, 3);
	put_u64(w, "clean_ops_goal", res->cfg->clean_ops);
	put_str(w, "modes", modes);
	put_u64(w, "features", res->cfg->features);
	for (m = 0; m < VM_NR; m++)
		if (res->cfg->modes & (1u << m))
			put_u64(w, m == VM_NOREF_SAN ? "clean_dev_ops_noref_san" :
				m == VM_REF_SAN ? "clean_dev_ops_ref_san" : "clean_dev_ops_ref",
				res->clean_dev_ops[m]);
	put_opt_f64(w, "wall_s", true, res->wall_s, 1);
	put_str(w, "verdict", pass ? "pass" : "fail");
}

static int write_rows(const struct vresults *res, const char *path, bool json, bool pass)
{
	struct row *w = calloc(1, sizeof(*w));
	FILE *f = fopen(path, "w");
	unsigned int i;
	int ret = 0;

	if (!w || !f) {
		ret = w ? -errno : -ENOMEM;
		goto out;
	}
	for (i = 0; i < res->n; i++) {
		w->n = 0;
		put_cell(w, res, &res->runs[i]);
		if (json)
			row_write_json(f, w);
		else
			row_write_csv(f, w, i == 0);
	}
	if (json) {
		w->n = 0;
		put_summary(w, res, pass);
		row_write_json(f, w);
	}
	if (fflush(f) || ferror(f))
		ret = -EIO;
out:
	if (f && fclose(f) && !ret)
		ret = -errno;
	free(w);
	if (ret)
		fprintf(stderr, "svmbench: writing %s: %s\n", path, strerror(-ret));
	return ret;
}

/**
 * vreport_files() - PREFIX.csv (the cells) and PREFIX.json (cells, summary)
 * @res: the runs.
 * @prefix: the path without its extension.
 * @pass: the verdict.
 *
 * Return: 0 or -errno (printed).
 */
int vreport_files(const struct vresults *res, const char *prefix, bool pass)
{
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s.csv", prefix);
	ret = write_rows(res, path, false, pass);
	snprintf(path, sizeof(path), "%s.json", prefix);
	return write_rows(res, path, true, pass) ?: ret;
}
