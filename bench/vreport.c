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

#include "columns.h"
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

enum {
	VC_KIND, VC_BUDGET, VC_BUG, VC_MODEL, VC_MODE, VC_FILL, VC_SANITIZE, VC_WORKLOAD,
	VC_OPTIONS, VC_OUTCOME, VC_DETECTED_BY, VC_DETECT_S, VC_DETECT_OPS, VC_DETECT_DEV_OPS,
	VC_ELAPSED, VC_OPS, VC_DEV_OPS, VC_INJECTED, VC_SAN_STALE, VC_SAN_CHECKS,
	VC_VIOLATIONS, VC_UNEXPECTED, VC_NOTE,
};

/* A cell's values; arg: VC_*.  Its measured numbers are null when it gave no row. */
static bool get_cell(const struct colctx *x, const struct column *c, struct field *f)
{
	static char out[32];
	const struct vrun *r = x->run;
	bool caught = r->detected_by[0];

	switch (c->arg) {
	case VC_KIND:
		f->s = "cell";
		return true;
	case VC_BUDGET:
		f->d = r->budget_s;
		return true;
	case VC_BUG:
		f->s = svmsim_bug_names[r->b->bug];
		return true;
	case VC_MODEL:
		f->s = svmsim_model_names[r->model];
		return true;
	case VC_MODE:
		f->s = vmodes[r->mode].name;
		return true;
	case VC_FILL:
		f->s = svmsim_fill_names[vmodes[r->mode].fill];
		return true;
	case VC_SANITIZE:
		f->s = vmodes[r->mode].sanitize ? "true" : "false";
		return true;
	case VC_WORKLOAD:
		f->s = r->c ? r->c->workload : "";
		return true;
	case VC_OPTIONS:
		f->s = r->c && r->c->args ? r->c->args : "";
		return true;
	case VC_OUTCOME:
		f->s = outcome_text(r, out, sizeof(out));
		return true;
	case VC_DETECTED_BY:
		f->s = r->detected_by;
		return true;
	case VC_DETECT_S:
		f->d = r->detect_s;
		return caught;
	case VC_DETECT_OPS:
		f->u = r->detect_ops;
		return caught;
	case VC_DETECT_DEV_OPS:
		f->u = r->detect_dev_ops;
		return caught;
	case VC_ELAPSED:
		f->d = r->elapsed_s;
		return r->have;
	case VC_OPS:
		f->u = r->ops;
		return r->have;
	case VC_DEV_OPS:
		f->u = r->dev_ops;
		return r->have;
	case VC_INJECTED:
		f->u = r->injected;
		return r->have;
	case VC_SAN_STALE:
		f->u = r->san_stale;
		return r->have;
	case VC_SAN_CHECKS:
		f->u = r->san_checks;
		return r->have;
	case VC_VIOLATIONS:
		f->u = r->violations;
		return r->have;
	case VC_UNEXPECTED:
		f->u = r->unexpected;
		return r->have;
	case VC_NOTE:
		f->s = r->outcome == VO_HARMLESS ? r->b->harmless :
		       r->outcome == VO_NOT_REACHED || r->outcome == VO_NA ? r->b->needs : "";
		return true;
	}
	return false;
}

#define CELL(name, type, dec, unit, what, arg) { name, type, dec, unit, what, get_cell, arg, NULL }

static const struct column vcell_cols[] = {
	COL_FORMAT_VERSION,
	CELL("kind", C_STR, 0, "-", "cell", VC_KIND),
	COL_ENVIRONMENT,
	CELL("budget_s", C_F64, 3, "s", "the cell's budget of workload time", VC_BUDGET),
	CELL("bug", C_STR, 0, "-", "the injected bug (enum svmsim_bug; none: the correct "
	     "driver)", VC_BUG),
	CELL("model", C_STR, 0, "-", "the notifier model", VC_MODEL),
	CELL("mode", C_STR, 0, "-", "noref+san, ref+san or ref", VC_MODE),
	CELL("fill", C_STR, 0, "-", "the mode's fill", VC_FILL),
	CELL("sanitize", C_BOOL, 0, "-", "the mode binds with the sanitizer", VC_SANITIZE),
	CELL("workload", C_STR, 0, "-", "the cell's workload", VC_WORKLOAD),
	CELL("options", C_STR, 0, "-", "the cell's svmbench options beside the common ones",
	     VC_OPTIONS),
	CELL("outcome", C_STR, 0, "-", "caught: checker|sanitizer|both, MISSED, undetected, "
	     "harmless, not reached, n/a, unavailable, error, clean, dirty", VC_OUTCOME),
	CELL("detected_by", C_STR, 0, "-", "checker, sanitizer, both; empty if nothing was "
	     "caught", VC_DETECTED_BY),
	CELL("detect_s", C_F64, 3, "s", "time to the first detection; null without one",
	     VC_DETECT_S),
	CELL("detect_ops", C_U64, 0, "ops", "bound operations by the first detection",
	     VC_DETECT_OPS),
	CELL("detect_dev_ops", C_U64, 0, "ops", "device operations by the first detection",
	     VC_DETECT_DEV_OPS),
	CELL("elapsed_s", C_F64, 3, "s", "the run's measured time; this and the numbers below "
	     "are null when the run gave no row", VC_ELAPSED),
	CELL("ops", C_U64, 0, "ops", "bound operations", VC_OPS),
	CELL("dev_ops", C_U64, 0, "ops", "device operations (DMA ioctls)", VC_DEV_OPS),
	CELL("injected", C_U64, 0, "count", "times the bug changed the driver's behaviour",
	     VC_INJECTED),
	CELL("san_stale", C_U64, 0, "count", "sanitizer reports", VC_SAN_STALE),
	CELL("san_checks", C_U64, 0, "count", "accesses the sanitizer checked", VC_SAN_CHECKS),
	CELL("violations", C_U64, 0, "count", "coherence violations the checker saw",
	     VC_VIOLATIONS),
	CELL("unexpected_faults", C_U64, 0, "count", "device faults the checker did not expect",
	     VC_UNEXPECTED),
	CELL("note", C_STR, 0, "-", "harmless: why; not reached, n/a: the kernel path the bug "
	     "needs", VC_NOTE),
};

const struct coltable vcell_columns = {
	.name = "validate_cell",
	.about = "svmbench --validate --out PREFIX: one per cell run, in PREFIX.csv and "
		 "PREFIX.json (JSON Lines).",
	.col = vcell_cols,
	.n = sizeof(vcell_cols) / sizeof(vcell_cols[0]),
};

enum {
	VS_KIND, VS_BUDGET, VS_CLEAN_OPS_GOAL, VS_MODES, VS_FEATURES, VS_WALL, VS_VERDICT,
};

static bool get_summary(const struct colctx *x, const struct column *c, struct field *f)
{
	static char modes[64];
	const struct vresults *res = x->vres;
	unsigned int m;

	switch (c->arg) {
	case VS_KIND:
		f->s = "summary";
		break;
	case VS_BUDGET:
		f->d = res->cfg->budget_s;
		break;
	case VS_CLEAN_OPS_GOAL:
		f->u = res->cfg->clean_ops;
		break;
	case VS_MODES:
		modes[0] = 0;
		for (m = 0; m < VM_NR; m++)
			if (res->cfg->modes & (1u << m))
				snprintf(modes + strlen(modes), sizeof(modes) - strlen(modes),
					 "%s%s", modes[0] ? "," : "", vmodes[m].name);
		f->s = modes;
		break;
	case VS_FEATURES:
		f->u = res->cfg->features;
		break;
	case VS_WALL:
		f->d = res->wall_s;
		break;
	case VS_VERDICT:
		f->s = x->pass ? "pass" : "fail";
		break;
	}
	return true;
}

/* arg: enum vmode; the column is there for the modes that ran. */
static bool get_clean_ops(const struct colctx *x, const struct column *c, struct field *f)
{
	f->u = x->vres->clean_dev_ops[c->arg];
	return true;
}

static bool mode_ran(const struct colctx *x, const struct column *c)
{
	return x->vres->cfg->modes & (1u << c->arg);
}

#define SUM(name, type, dec, unit, what, arg) { name, type, dec, unit, what, get_summary, arg, NULL }
#define CLEAN(name, mode) { name, C_U64, 0, "ops", "device operations of the clean run in " \
	"that mode (only for the modes run)", get_clean_ops, mode, mode_ran }

static const struct column vsummary_cols[] = {
	COL_FORMAT_VERSION,
	SUM("kind", C_STR, 0, "-", "summary", VS_KIND),
	COL_ENVIRONMENT,
	SUM("budget_s", C_F64, 3, "s", "--budget: seconds of workload per cell", VS_BUDGET),
	SUM("clean_ops_goal", C_U64, 0, "ops", "--clean-ops: device operations the clean run "
	    "had to reach, per mode", VS_CLEAN_OPS_GOAL),
	SUM("modes", C_STR, 0, "-", "--modes, comma-separated", VS_MODES),
	SUM("features", C_U64, 0, "-", "the module's SVMSIM_FEAT_* bits", VS_FEATURES),
	CLEAN("clean_dev_ops_noref_san", VM_NOREF_SAN),
	CLEAN("clean_dev_ops_ref_san", VM_REF_SAN),
	CLEAN("clean_dev_ops_ref", VM_REF),
	SUM("wall_s", C_F64, 1, "s", "wall time of the whole validation", VS_WALL),
	SUM("verdict", C_STR, 0, "-", "pass or fail (the exit status: 0 or 1)", VS_VERDICT),
};

const struct coltable vsummary_columns = {
	.name = "validate_summary",
	.about = "svmbench --validate --out PREFIX: the last line of PREFIX.json.",
	.col = vsummary_cols,
	.n = sizeof(vsummary_cols) / sizeof(vsummary_cols[0]),
};

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
		columns_build(w, &vcell_columns, &(struct colctx){ .si = res->cfg->si,
			.vres = res, .run = &res->runs[i] });
		if (json)
			row_write_json(f, w);
		else
			row_write_csv(f, w, i == 0);
	}
	if (json) {
		w->n = 0;
		columns_build(w, &vsummary_columns, &(struct colctx){ .si = res->cfg->si,
			.vres = res, .pass = pass });
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
