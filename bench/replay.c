// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim-replay: replay a recorded invalidation stream (bench/replay.h)
 * against two TLBs of the recorded geometry, one per model, with the
 * driver's own TLB core (drv/tlb.c over include/svmsim/user_shim.h):
 *
 *  - every fill (I) inserts its translation into both;
 *  - secondary: each flush a secondary callback made (F secondary,
 *    change_pte) flushes its range; for a secondary one, the brackets (B)
 *    that began since the previous one of the PASID, and those still in
 *    progress (no E yet), are the ranges that really changed (collateral:
 *    entries removed outside all of them) -- what the driver's observer
 *    does (it matches an end to its bracket by the caller's frame, the
 *    replay by the range); a change_pte flushes its one page as exact and
 *    leaves the brackets to the next.  A range-model recording has no secondary
 *    callbacks: the secondary side stays empty (secondary_recorded false);
 *  - range: each bracket flushes its own range at its start, and that
 *    range is what changed (collateral only where the flush threshold or
 *    budget widened the flush to the whole PASID);
 *  - a release (F release, the mm exiting) kills the PASID's space in
 *    both; the PASID may be bound again later, to a new space.
 *
 * The flush threshold, budget, entry bounds and PSI widening are the
 * recorded config's.  Not modelled: the range model refusing fills while
 * a bracket is open (the recording's fills are those its own model let
 * through), and the order of a fill against a flush on another CPU within
 * the trace's timestamp resolution.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "svmsim/names.h"
#include "svmsim/psi.h"
#include "svmsim/tlb.h"

const char *const replay_shape_names[REPLAY_SHAPE_NR] = {
	[REPLAY_SHAPE_SECONDARY]	= "secondary",
	[REPLAY_SHAPE_CHANGE_PTE]	= "change_pte",
	[REPLAY_SHAPE_RANGE]		= "range",
	[REPLAY_SHAPE_RELEASE]		= "release",
};

/* One PASID's space in one model's TLB, and its brackets since its last flush. */
struct rspace {
	uint32_t pasid;
	struct svm_tlb_space *sp;
	struct svm_tlb_range changed[REPLAY_MAX_BRACKETS];
	bool active[REPLAY_MAX_BRACKETS];	/* not ended yet */
	unsigned int nchanged;
};

struct rdev {
	struct svm_tlb tlb;
	struct rspace *spaces;
	unsigned int n, cap;
	struct replay_model *m;
};

static struct rspace *space_find(struct rdev *d, uint32_t pasid)
{
	unsigned int i;

	for (i = 0; i < d->n; i++)
		if (d->spaces[i].pasid == pasid)
			return &d->spaces[i];
	return NULL;
}

static struct rspace *space_get(struct rdev *d, uint32_t pasid)
{
	struct rspace *rs = space_find(d, pasid);

	if (rs)
		return rs;
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->spaces = realloc(d->spaces, d->cap * sizeof(*d->spaces));
		if (!d->spaces)
			abort();
	}
	rs = &d->spaces[d->n++];
	memset(rs, 0, sizeof(*rs));
	rs->pasid = pasid;
	rs->sp = calloc(1, sizeof(*rs->sp));
	if (!rs->sp || svm_tlb_space_init(&d->tlb, rs->sp, pasid))
		abort();
	return rs;
}

static void reclaim(struct svm_tlb_space *sp)
{
	while (svm_tlb_space_reclaim(sp, 4096))
		;
}

/* Kill, reclaim, detach, free: the space of an exited mm (or at the end). */
static unsigned long space_drop(struct rdev *d, struct rspace *rs)
{
	struct svm_tlb_flush_res res = { 0 };

	svm_tlb_space_kill(rs->sp, &res);
	reclaim(rs->sp);
	svm_tlb_space_detach(rs->sp);
	svm_tlb_space_free(rs->sp);
	free(rs->sp);
	*rs = d->spaces[--d->n];
	return res.removed;
}

static void fill(struct rdev *d, uint32_t pasid, unsigned long va, unsigned int shift)
{
	struct rspace *rs = space_get(d, pasid);
	unsigned int pshift, perm;
	struct svm_tlb_entry *e;
	unsigned long seq, pfn;
	int ret;

	if (svm_tlb_peek(rs->sp, va, &pfn, &pshift, &perm)) {
		d->m->fills_cached++;
		return;
	}
	if (svm_tlb_fill_begin(rs->sp, va, 0, &seq))
		return;
	e = svm_tlb_entry_alloc(GFP_KERNEL);
	if (!e)
		abort();
	svm_tlb_entry_set(e, va, shift, (va >> shift << shift) >> SVM_TLB_SHIFT_4K,
			  SVMSIM_PERM_READ | SVMSIM_PERM_WRITE, 0);
	ret = svm_tlb_insert(rs->sp, e, seq, 0, NULL);
	if (ret)
		svm_tlb_entry_free(e);
	if (!ret)
		d->m->fills++;
	else if (ret == -EEXIST)
		d->m->fills_cached++;
}

/* One flush of [start, last], the driver's way (drv/flush.c). */
static void flush(struct rdev *d, const struct replay_hdr *h, struct rspace *rs,
		  unsigned long start, unsigned long last,
		  const struct svm_tlb_range *changed, unsigned int nchanged)
{
	struct svm_tlb_flush_req req = {
		.start = start, .last = last, .threshold = h->threshold,
		.changed = changed, .nchanged = nchanged, .budget = h->budget,
	};
	struct svm_tlb_flush_res res = { 0 };
	struct svm_tlb_range exact = { start, last };
	unsigned long bs, bl;

	if (h->psi) {
		svm_psi_block(start, last, &bs, &bl);
		if (!req.changed) {
			req.changed = &exact;
			req.nchanged = 1;
		}
		req.start = bs;
		req.last = bl;
	}
	svm_tlb_flush(rs->sp, &req, &res);
	reclaim(rs->sp);
	d->m->calls++;
	d->m->removed += res.removed;
	d->m->collateral += res.collateral;
	d->m->whole += start == 0 && last == ~0ul;
	d->m->full += res.full;
}

/* The secondary model's observer: remember what changed, for the next flush. */
static void bracket_note(struct rdev *d, uint32_t pasid, unsigned long start,
			 unsigned long last)
{
	struct rspace *rs = space_get(d, pasid);

	if (rs->nchanged < REPLAY_MAX_BRACKETS) {
		rs->changed[rs->nchanged].start = start;
		rs->changed[rs->nchanged].last = last;
		rs->active[rs->nchanged++] = true;
	} else {
		/* Full, as in the driver: the last slot becomes "everything". */
		rs->changed[REPLAY_MAX_BRACKETS - 1].start = 0;
		rs->changed[REPLAY_MAX_BRACKETS - 1].last = ~0ul;
		rs->active[REPLAY_MAX_BRACKETS - 1] = false;
	}
}

/* A bracket ended: the newest active one of that range (the driver's key). */
static void bracket_end(struct rdev *d, uint32_t pasid, unsigned long start,
			unsigned long last)
{
	struct rspace *rs = space_find(d, pasid);
	unsigned int i;

	for (i = rs ? rs->nchanged : 0; i-- > 0;) {
		if (rs->active[i] && rs->changed[i].start == start &&
		    rs->changed[i].last == last) {
			rs->active[i] = false;
			return;
		}
	}
}

static void secondary_flush(struct rdev *d, const struct replay_hdr *h, uint32_t pasid,
			    unsigned long start, unsigned long last)
{
	struct rspace *rs = space_get(d, pasid);

	unsigned int i, kept = 0;

	flush(d, h, rs, start, last, rs->nchanged ? rs->changed : NULL, rs->nchanged);
	/* The brackets still in progress stay for their own flushes. */
	for (i = 0; i < rs->nchanged; i++) {
		if (rs->active[i]) {
			rs->changed[kept] = rs->changed[i];
			rs->active[kept++] = true;
		}
	}
	rs->nchanged = kept;
}

static void release(struct rdev *d, uint32_t pasid)
{
	struct rspace *rs = space_find(d, pasid);

	d->m->releases++;
	if (rs)
		d->m->release_removed += space_drop(d, rs);
}

static int rdev_init(struct rdev *d, const struct replay_hdr *h, struct replay_model *m)
{
	memset(d, 0, sizeof(*d));
	d->m = m;
	if (svm_tlb_init(&d->tlb, h->sets, h->ways, h->policy, NULL, NULL))
		return -1;
	svm_tlb_set_limits(&d->tlb, h->max_entries, h->max_pasid_entries);
	return 0;
}

static void rdev_fini(struct rdev *d)
{
	while (d->n)
		space_drop(d, &d->spaces[0]);
	free(d->spaces);
	svm_tlb_destroy(&d->tlb);
}

static int parse_hdr(char *line, struct replay_hdr *h)
{
	char *tok, *save = NULL, *v;
	unsigned int seen = 0;
	int i;

	memset(h, 0, sizeof(*h));
	h->huge = true;
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		v = strchr(tok, '=');
		if (!v)
			continue;
		*v++ = 0;
		if (!strcmp(tok, "kernel")) {
			snprintf(h->kernel, sizeof(h->kernel), "%s", v);
		} else if (!strcmp(tok, "model")) {
			i = svmsim_name_index(svmsim_model_names, 0, SVMSIM_MODEL_NR, v);
			if (i < 0)
				return -1;
			h->model = (uint32_t)i;
		} else if (!strcmp(tok, "fill")) {
			i = svmsim_name_index(svmsim_fill_names, 0, SVMSIM_FILL_NR, v);
			h->fill = i < 0 ? 0 : (uint32_t)i;
		} else if (!strcmp(tok, "policy")) {
			i = svmsim_name_index(svmsim_repl_names, 0, SVMSIM_REPL_NR, v);
			if (i < 0)
				return -1;
			h->policy = (uint32_t)i;
		} else if (!strcmp(tok, "huge")) {
			h->huge = strtoul(v, NULL, 0);
		} else if (!strcmp(tok, "psi")) {
			h->psi = strtoul(v, NULL, 0);
		} else if (!strcmp(tok, "dev")) {
			h->dev = (unsigned int)strtoul(v, NULL, 0);
		} else if (!strcmp(tok, "sets")) {
			h->sets = (unsigned int)strtoul(v, NULL, 0);
			seen |= 1;
		} else if (!strcmp(tok, "ways")) {
			h->ways = (unsigned int)strtoul(v, NULL, 0);
			seen |= 2;
		} else if (!strcmp(tok, "threshold")) {
			h->threshold = strtoul(v, NULL, 0);
		} else if (!strcmp(tok, "budget")) {
			h->budget = strtoul(v, NULL, 0);
		} else if (!strcmp(tok, "max_entries")) {
			h->max_entries = strtoul(v, NULL, 0);
		} else if (!strcmp(tok, "max_pasid_entries")) {
			h->max_pasid_entries = strtoul(v, NULL, 0);
		}
	}
	return seen == 3 && h->sets ? 0 : -1;
}

/**
 * replay_stream() - replay a recorded stream under both models
 * @f: the recording.
 * @r: out: the stream's counts and each model's.
 * @err: out: why it failed.
 * @errlen: size of @err.
 *
 * Return: 0, or -1 with @err set (no header, a malformed line).
 */
int replay_stream(FILE *f, struct replay_result *r, char *err, size_t errlen)
{
	struct rdev sec, rng;
	char line[512], name[32], ename[32];
	unsigned long start, last, va, removed, coll;
	unsigned int pasid, shift, blockable;
	int shape, ret = 0;
	double ts;

	memset(r, 0, sizeof(*r));
	while (fgets(line, sizeof(line), f)) {
		r->lines++;
		line[strcspn(line, "\n")] = 0;
		if (line[0] == '#' || !line[0])
			continue;
		if (line[0] == 'H') {
			if (r->have_hdr || parse_hdr(line + 1, &r->hdr)) {
				snprintf(err, errlen, "line %" PRIu64 ": bad or second header", r->lines);
				return -1;
			}
			if (rdev_init(&sec, &r->hdr, &r->secondary) ||
			    rdev_init(&rng, &r->hdr, &r->range)) {
				snprintf(err, errlen, "TLB of %u sets x %u ways: cannot set up",
					 r->hdr.sets, r->hdr.ways);
				return -1;
			}
			r->have_hdr = true;
			r->secondary_recorded = r->hdr.model == SVMSIM_MODEL_SECONDARY;
			continue;
		}
		if (!r->have_hdr) {
			snprintf(err, errlen, "line %" PRIu64 ": a record before the header", r->lines);
			return -1;
		}
		switch (line[0]) {
		case 'B':
			if (sscanf(line, "B %lf %u %lx %lx %31s %u", &ts, &pasid, &start, &last,
				   ename, &blockable) != 6 || last < start)
				goto bad;
			r->brackets++;
			if (r->secondary_recorded)
				bracket_note(&sec, pasid, start, last);
			flush(&rng, &r->hdr, space_get(&rng, pasid), start, last, NULL, 0);
			break;
		case 'E':
			if (sscanf(line, "E %lf %u %lx %lx", &ts, &pasid, &start, &last) != 4 ||
			    last < start)
				goto bad;
			r->ends++;
			if (r->secondary_recorded)
				bracket_end(&sec, pasid, start, last);
			break;
		case 'F':
			if (sscanf(line, "F %lf %u %31s %lx %lx %31s %lu %lu", &ts, &pasid, name,
				   &start, &last, ename, &removed, &coll) != 8 || last < start)
				goto bad;
			shape = svmsim_name_index(replay_shape_names, 0, REPLAY_SHAPE_NR, name);
			if (shape < 0)
				goto bad;
			r->flushes[shape]++;
			if (shape == REPLAY_SHAPE_RELEASE) {
				release(&sec, pasid);
				release(&rng, pasid);
				break;
			}
			r->live_calls++;
			r->live_removed += removed;
			r->live_collateral += coll;
			/* change_pte: one page, exact; the brackets wait for the next flush */
			if (r->secondary_recorded && shape == REPLAY_SHAPE_CHANGE_PTE)
				flush(&sec, &r->hdr, space_get(&sec, pasid), start, last, NULL, 0);
			else if (r->secondary_recorded && shape == REPLAY_SHAPE_SECONDARY)
				secondary_flush(&sec, &r->hdr, pasid, start, last);
			break;
		case 'I':
			if (sscanf(line, "I %lf %u %lx %u", &ts, &pasid, &va, &shift) != 4 ||
			    (shift != SVM_TLB_SHIFT_4K && shift != SVM_TLB_SHIFT_2M))
				goto bad;
			r->fills++;
			fill(&sec, pasid, va, shift);
			fill(&rng, pasid, va, shift);
			break;
		case 'L':
			if (sscanf(line, "L %" SCNu64, &r->lost) != 1)
				goto bad;
			break;
		default:
			goto bad;
		}
	}
	goto out;
bad:
	snprintf(err, errlen, "line %" PRIu64 ": malformed: %.60s", r->lines, line);
	ret = -1;
out:
	if (!r->have_hdr) {
		if (!ret)
			snprintf(err, errlen, "no header line (H): not an svmsim-run recording");
		return -1;
	}
	rdev_fini(&sec);
	rdev_fini(&rng);
	if (!r->secondary_recorded)
		memset(&r->secondary, 0, sizeof(r->secondary));
	return ret;
}

static void text_model(FILE *f, const char *name, const struct replay_model *m, bool valid)
{
	if (!valid) {
		fprintf(f, "  %-10s (not recorded: a range-model run has no secondary callbacks)\n",
			name);
		return;
	}
	fprintf(f, "  %-10s %10" PRIu64 " %12" PRIu64 " %12" PRIu64 " %8" PRIu64 " %8" PRIu64
		" %8" PRIu64 " %10" PRIu64 "\n", name, m->calls, m->removed, m->collateral,
		m->whole, m->full, m->releases, m->fills);
}

/**
 * replay_print_text() - the replay's report, for people
 * @f: where.
 * @name: the recording's file name.
 * @r: replay_stream()'s result.
 */
void replay_print_text(FILE *f, const char *name, const struct replay_result *r)
{
	const struct replay_hdr *h = &r->hdr;

	fprintf(f, "svmsim-replay %s: kernel %s, recorded with model %s, fill %s%s%s\n", name,
		h->kernel[0] ? h->kernel : "?", svmsim_model_names[h->model],
		svmsim_fill_names[h->fill], h->huge ? "" : ", no 2M", h->psi ? ", psi" : "");
	fprintf(f, "TLB: %u sets x %u ways (%s), flush threshold %lu, budget %lu, "
		"max entries %lu, per PASID %lu\n", h->sets, h->ways, svmsim_repl_names[h->policy],
		h->threshold, h->budget, h->max_entries, h->max_pasid_entries);
	fprintf(f, "stream: %" PRIu64 " brackets, %" PRIu64 " fills, flushes: %" PRIu64
		" secondary, %" PRIu64 " change_pte, %" PRIu64 " range, %" PRIu64 " release; "
		"%" PRIu64 " trace events lost\n", r->brackets, r->fills,
		r->flushes[REPLAY_SHAPE_SECONDARY], r->flushes[REPLAY_SHAPE_CHANGE_PTE],
		r->flushes[REPLAY_SHAPE_RANGE], r->flushes[REPLAY_SHAPE_RELEASE], r->lost);
	fprintf(f, "live (the recorded run): %" PRIu64 " calls, %" PRIu64 " flushed, %" PRIu64
		" collateral\n", r->live_calls, r->live_removed, r->live_collateral);
	fprintf(f, "  %-10s %10s %12s %12s %8s %8s %8s %10s\n", "replay", "calls", "flushed",
		"collateral", "whole", "full", "releases", "fills");
	text_model(f, "secondary", &r->secondary, r->secondary_recorded);
	text_model(f, "range", &r->range, true);
}

static void json_model(FILE *f, const char *name, const struct replay_model *m,
		       bool valid, bool last)
{
	fprintf(f, "  \"%s\": {\"recorded\": %s, \"calls\": %" PRIu64 ", \"entries_flushed\": %"
		PRIu64 ", \"collateral\": %" PRIu64 ", \"whole_as_flushes\": %" PRIu64
		", \"full_flushes\": %" PRIu64 ", \"releases\": %" PRIu64
		", \"release_entries\": %" PRIu64 ", \"fills\": %" PRIu64
		", \"fills_cached\": %" PRIu64 "}%s\n", name, valid ? "true" : "false",
		m->calls, m->removed, m->collateral, m->whole, m->full, m->releases,
		m->release_removed, m->fills, m->fills_cached, last ? "" : ",");
}

/**
 * replay_print_json() - the replay's report as one JSON object
 * @f: where.
 * @name: the recording's file name (printed as is: no quotes in it).
 * @r: replay_stream()'s result.
 */
void replay_print_json(FILE *f, const char *name, const struct replay_result *r)
{
	const struct replay_hdr *h = &r->hdr;

	fprintf(f, "{\n  \"file\": \"%s\", \"kernel\": \"%s\", \"model\": \"%s\", "
		"\"fill\": \"%s\", \"huge\": %d, \"psi\": %d,\n", name, h->kernel,
		svmsim_model_names[h->model], svmsim_fill_names[h->fill], h->huge, h->psi);
	fprintf(f, "  \"tlb\": {\"sets\": %u, \"ways\": %u, \"policy\": \"%s\", "
		"\"flush_threshold\": %lu, \"flush_budget\": %lu, \"max_entries\": %lu, "
		"\"max_pasid_entries\": %lu},\n", h->sets, h->ways, svmsim_repl_names[h->policy],
		h->threshold, h->budget, h->max_entries, h->max_pasid_entries);
	fprintf(f, "  \"stream\": {\"brackets\": %" PRIu64 ", \"fills\": %" PRIu64
		", \"secondary\": %" PRIu64 ", \"change_pte\": %" PRIu64 ", \"range\": %" PRIu64
		", \"release\": %" PRIu64 ", \"lost\": %" PRIu64 "},\n", r->brackets, r->fills,
		r->flushes[REPLAY_SHAPE_SECONDARY], r->flushes[REPLAY_SHAPE_CHANGE_PTE],
		r->flushes[REPLAY_SHAPE_RANGE], r->flushes[REPLAY_SHAPE_RELEASE], r->lost);
	fprintf(f, "  \"live\": {\"calls\": %" PRIu64 ", \"entries_flushed\": %" PRIu64
		", \"collateral\": %" PRIu64 "},\n", r->live_calls, r->live_removed,
		r->live_collateral);
	json_model(f, "secondary", &r->secondary, r->secondary_recorded, false);
	json_model(f, "range", &r->range, true, true);
	fputs("}\n", f);
}
