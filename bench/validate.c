// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench --validate: the order of it all (see validate.h).  First each
 * bug of the catalogue, per model it applies to and per mode, cell after
 * cell until one detects it; then the correct driver, cell after cell,
 * round after round, until it did --clean-ops device operations per mode.
 * The module must be loaded with allow_inject=1 and nothing else may use
 * the device meanwhile (cells read and reset its counters).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "options.h"
#include "svmsim/dev.h"
#include "svmsim/names.h"
#include "sysinfo.h"
#include "validate.h"

#define CLEAN_ROUNDS	50	/* at most: a device that slow fails the goal */
#define EXIT_FAIL	1
#define EXIT_SETUP	2

const struct vmode_desc vmodes[VM_NR] = {
	[VM_NOREF_SAN]	= { "noref+san", SVMSIM_FILL_NOREF, true },
	[VM_REF_SAN]	= { "ref+san", SVMSIM_FILL_REF, true },
	[VM_REF]	= { "ref", SVMSIM_FILL_REF, false },
};

static const uint32_t models[] = { SVMSIM_MODEL_SECONDARY, SVMSIM_MODEL_RANGE };

static struct vrun *vres_add(struct vresults *res)
{
	struct vrun *grown;

	if (res->n == res->cap) {
		res->cap = res->cap ? 2 * res->cap : 64;
		grown = realloc(res->runs, res->cap * sizeof(*grown));
		if (!grown)
			abort();	/* a few hundred runs at most */
		res->runs = grown;
	}
	memset(&res->runs[res->n], 0, sizeof(res->runs[0]));
	return &res->runs[res->n++];
}

/* VO_NA if @b cannot exist on this kernel, or cannot be seen in @mode; else VO_NR. */
static enum voutcome vbug_applies(const struct vconfig *cfg, const struct vbug *b,
				  enum vmode mode)
{
	if (b->change_pte && !(cfg->features & SVMSIM_FEAT_CHANGE_PTE))
		return VO_NA;
	if (b->sanitizer_only && !vmodes[mode].sanitize)
		return VO_NA;
	return VO_NR;
}

static void run_cell(const struct vconfig *cfg, struct vrun *r, double budget_s)
{
	int ret;

	r->budget_s = budget_s;
	ret = strcmp(r->c->workload, VEXIT) ? vcell_run(cfg, r, NULL) : vexit_run(cfg, r);
	if (ret)
		fprintf(stderr, "svmbench: validate: cannot run a cell: %s\n", strerror(-ret));
	r->outcome = verdict_cell(r);
	fprintf(stderr, "validate: %-20s %-9s %-9s %-9s %s", svmsim_bug_names[r->b->bug],
		svmsim_model_names[r->model], vmodes[r->mode].name, r->c->workload,
		voutcome_names[r->outcome]);
	if (r->detected_by[0])
		fprintf(stderr, " by %s after %.3f s", r->detected_by, r->detect_s);
	fprintf(stderr, " (%llu device ops, injected %llu)\n", (unsigned long long)r->dev_ops,
		(unsigned long long)r->injected);
}

/* Same bug, model and mode? */
static bool same_group(const struct vrun *a, const struct vrun *b)
{
	return a->b == b->b && a->model == b->model && a->mode == b->mode;
}

/* @caught ends its group: the group's earlier misses were cells that did not catch it. */
static void vres_caught_late(struct vresults *res, const struct vrun *caught)
{
	struct vrun *r;

	for (r = res->runs; r < caught; r++)
		if (same_group(r, caught) && r->outcome == VO_MISSED)
			r->outcome = VO_UNDETECTED;
}

/* One bug, model and mode: its cells in order, until the first detection. */
static void run_group(const struct vconfig *cfg, struct vresults *res, const struct vbug *b,
		      uint32_t model, enum vmode mode)
{
	enum voutcome na = vbug_applies(cfg, b, mode);
	struct vrun *r;
	unsigned int i;

	for (i = 0; i < VCELLS && b->cells[i].workload; i++) {
		if (!(b->cells[i].models & (1u << model)))
			continue;
		r = vres_add(res);
		*r = (struct vrun){ .b = b, .c = &b->cells[i], .mode = mode, .model = model };
		if (na != VO_NR) {
			r->outcome = na;
			return;
		}
		run_cell(cfg, r, cfg->budget_s > r->c->min_s ? cfg->budget_s : r->c->min_s);
		if (r->outcome == VO_CAUGHT) {
			vres_caught_late(res, r);
			return;
		}
	}
}

static void run_bugs(const struct vconfig *cfg, struct vresults *res)
{
	uint32_t bug, m, i;
	const struct vbug *b;

	for (bug = SVMSIM_BUG_NONE + 1; bug < SVMSIM_BUG_NR; bug++) {
		if (!(cfg->bugs & (1ull << bug)))
			continue;
		b = vcatalogue(bug);
		for (i = 0; i < 2; i++)
			for (m = 0; m < VM_NR; m++)
				if ((b->models & (1u << models[i])) && (cfg->modes & (1u << m)))
					run_group(cfg, res, b, models[i], m);
	}
}

/* The correct driver in @mode: rounds of its cells until the goal is reached. */
static void run_clean_mode(const struct vconfig *cfg, struct vresults *res, enum vmode mode)
{
	const struct vbug *b = vcatalogue(SVMSIM_BUG_NONE);
	uint64_t *total = &res->clean_dev_ops[mode];
	unsigned int round, i, k;
	struct vrun *r;

	/* Every cell once, then rounds until the goal. */
	for (round = 0; round < CLEAN_ROUNDS && (!round || *total < cfg->clean_ops); round++)
		for (i = 0; i < 2; i++)
			for (k = 0; k < VCELLS && b->cells[k].workload; k++) {
				if (round && *total >= cfg->clean_ops)
					return;
				r = vres_add(res);
				*r = (struct vrun){ .b = b, .c = &b->cells[k], .mode = mode,
						    .model = models[i] };
				run_cell(cfg, r, cfg->budget_s);
				*total += r->dev_ops;
			}
}

/* Pass: no group (bug, model, mode) failed, and the clean run reached its goal. */
static bool verdict(const struct vresults *res)
{
	bool pass = true;
	unsigned int i, n, m;

	for (i = 0; i < res->n; i += n) {
		for (n = 1; i + n < res->n && same_group(&res->runs[i], &res->runs[i + n]); n++)
			;
		pass &= !verdict_fails(verdict_group(&res->runs[i], n));
	}
	for (m = 0; (res->cfg->bugs & 1) && m < VM_NR; m++)
		if (res->cfg->modes & (1u << m))
			pass &= res->clean_dev_ops[m] >= res->cfg->clean_ops;
	return pass;
}

/* The module's features; what the validation needs of them. */
static int check_device(struct vconfig *cfg)
{
	struct svmsim_version v;
	int fd = svmsim_open(cfg->o->device), ret;

	if (fd < 0) {
		fprintf(stderr, "svmbench: validate: open %s%u: %s\n", SVMSIM_DEV_PREFIX,
			cfg->o->device, strerror(-fd));
		return fd;
	}
	ret = svmsim_version(fd, &v);
	close(fd);
	if (ret)
		return ret;
	cfg->features = v.features;
	if ((cfg->bugs & ~1ull) && !(v.features & SVMSIM_FEAT_INJECT)) {
		fprintf(stderr, "svmbench: validate: the module needs allow_inject=1\n");
		return -EPERM;
	}
	return 0;
}

/**
 * validate_main() - svmbench --validate
 * @o: the options (validate_*, device, out).
 * @si: the machine.
 * @self: how to re-execute svmbench.
 *
 * Return: the exit status: 0 every bug caught (or not reached, or
 * harmless) and the clean run clean; 1 otherwise; 2 setup error.
 */
int validate_main(const struct options *o, const struct sysinfo *si, const char *self)
{
	struct vconfig cfg = {
		.o = o, .si = si, .self = self, .budget_s = o->validate_budget,
		.clean_ops = o->validate_clean_ops, .modes = o->validate_modes,
		.bugs = o->validate_bugs,
	};
	struct vresults res = { .cfg = &cfg };
	uint64_t t0 = now_ns();
	unsigned int m;
	bool pass;

	if (check_device(&cfg))
		return EXIT_SETUP;
	run_bugs(&cfg, &res);
	for (m = 0; (cfg.bugs & 1) && m < VM_NR; m++)
		if (cfg.modes & (1u << m))
			run_clean_mode(&cfg, &res, m);
	res.wall_s = (now_ns() - t0) / 1e9;
	pass = verdict(&res);
	vreport_table(&res);
	vreport_totals(&res);
	printf("validate: %s on %s in %.0f s\n", pass ? "PASS" : "FAIL", si->kernel, res.wall_s);
	if (o->out && vreport_files(&res, o->out, pass))
		pass = false;
	free(res.runs);
	return pass ? 0 : EXIT_FAIL;
}
