// SPDX-License-Identifier: GPL-2.0
/*
 * Randomised, seeded test of the IOTLB core against a reference model.
 *
 * The model is a plain map (PASID, VPN, size) -> (PFN, permission).  Every
 * operation is applied to both; every lookup, every flush's removed and
 * collateral counts and every release the core reports must match the
 * model exactly -- in bounded (set-associative) geometries too, because the
 * release hook tells the model which entry an eviction chose.
 *
 * With budgets, flushes get a small step budget: the model predicts which
 * of them retire the PASID (all its entries leave the lookup at once,
 * released only by later svm_tlb_space_reclaim() calls, a random number
 * at a time) and what collateral they count; with limits, the table and
 * each space are bounded and inserts evict within their own space.
 *
 * usage: test_tlb_model [--seed N] [--ops N]
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "tlb_util.h"

TAP_DEFINE_STATE;

#define NPASID		3
#define AREA_BASE	0x7f0000000000ul	/* 2M aligned */
#define AREA_PAGES	8192ul			/* 32 MB */
#define MAP_BUCKETS	(1u << 14)

struct rec {
	struct rec *next;	/* hash chain */
	struct rec *enext;	/* chain of the map by entry */
	const struct svm_tlb_entry *entry;	/* the core's entry */
	size_t idx;		/* in model.arr[pasid] */
	u32 pasid;
	unsigned long vpn;
	unsigned int shift;
	unsigned long pfn;
	unsigned int perm;
	bool retired;		/* unhashed: waits for its reclaim */
};

struct model {
	struct rec *b[MAP_BUCKETS];
	struct rec *eb[MAP_BUCKETS];	/* by entry: what a release names */
	struct rec **arr[NPASID];	/* each PASID's records, for flushes */
	size_t cap[NPASID];
	unsigned long live[NPASID];
	unsigned long retired[NPASID];
	unsigned long released;
	bool bad_release;
};

static struct model M;
static const u32 pasids[NPASID] = { 1, 2, (1u << 20) - 1 };

/* Addresses at the edges of the address space, besides the area. */
static const unsigned long edge_va[] = {
	0x0ul, 0x1000ul, 0x1fffffful, 0x7ffffffff000ul, 0x7fffffe00000ul,
	0xfffffffffffff000ul, 0xffffffffffe00000ul,
};

static unsigned int bucket(u32 pasid, unsigned long vpn, unsigned int shift)
{
	return (unsigned int)(((vpn * 31 + shift) * 131 + pasid) % MAP_BUCKETS);
}

static struct rec **find_slot(u32 pasid, unsigned long vpn, unsigned int shift)
{
	struct rec **pp = &M.b[bucket(pasid, vpn, shift)];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->pasid == pasid && (*pp)->vpn == vpn && (*pp)->shift == shift)
			return pp;
	return pp;
}

static int pidx(u32 pasid)
{
	for (int i = 0; i < NPASID; i++)
		if (pasids[i] == pasid)
			return i;
	abort();
}

static void model_list(struct rec *r)
{
	int p = pidx(r->pasid);

	if (M.live[p] == M.cap[p]) {
		M.cap[p] = M.cap[p] ? 2 * M.cap[p] : 1024;
		M.arr[p] = realloc(M.arr[p], M.cap[p] * sizeof(*M.arr[p]));
	}
	r->idx = M.live[p];
	M.arr[p][M.live[p]++] = r;
}

static void model_unlist(struct rec *r)
{
	int p = pidx(r->pasid);
	struct rec *moved = M.arr[p][--M.live[p]];

	M.arr[p][r->idx] = moved;
	moved->idx = r->idx;
}

static struct rec **entry_slot(const struct svm_tlb_entry *e)
{
	struct rec **pp = &M.eb[((uintptr_t)e >> 6) % MAP_BUCKETS];

	while (*pp && (*pp)->entry != e)
		pp = &(*pp)->enext;
	return pp;
}

/* The core removed an entry: it must be the model's, and only once. */
static void model_release(struct svm_tlb *tlb, struct svm_tlb_entry *e)
{
	struct rec *r, **pp = entry_slot(e);

	(void)tlb;
	r = *pp;
	if (!r) {
		M.bad_release = true;
		return;
	}
	*pp = r->enext;
	if (r->retired) {
		M.retired[pidx(r->pasid)]--;
		M.released++;
		free(r);
		return;
	}
	pp = find_slot(r->pasid, r->vpn, r->shift);
	if (*pp != r) {
		M.bad_release = true;
		return;
	}
	*pp = r->next;
	model_unlist(r);
	M.released++;
	free(r);
}

static const struct svm_tlb_ops model_ops = { .release = model_release };

static struct rec *model_get(u32 pasid, unsigned long vpn, unsigned int shift)
{
	return *find_slot(pasid, vpn, shift);
}

/* What svm_tlb_lookup() must return: 4K entry first, then 2M. */
static struct rec *model_lookup(u32 pasid, unsigned long va, unsigned int perm)
{
	struct rec *r = model_get(pasid, va >> 12, 12);

	if (!r)
		r = model_get(pasid, va >> 21, 21);
	if (r && (r->perm & perm) != perm)
		r = NULL;
	return r;
}

static bool overlaps(const struct rec *r, unsigned long start, unsigned long last)
{
	unsigned long rs = r->vpn << r->shift;
	unsigned long rl = ((r->vpn + 1) << r->shift) - 1;

	return rs <= last && rl >= start;
}

struct ctx {
	struct svm_tlb tlb;
	struct svm_tlb_space sp[NPASID];
	uint64_t rng;
	bool budgets;
	unsigned long retired, uncounted;
	unsigned long mismatches;
	unsigned long ops[8];
};

static void mismatch(struct ctx *c, const char *what, unsigned long a,
		     unsigned long b)
{
	if (c->mismatches++ < 10)
		tap_diag("mismatch: %s: core %lu, model %lu", what, a, b);
}

static unsigned long pick_va(struct ctx *c)
{
	if (rng_below(&c->rng, 50) == 0)
		return edge_va[rng_below(&c->rng, sizeof(edge_va) / sizeof(edge_va[0]))] +
		       rng_below(&c->rng, 4096);
	return AREA_BASE + rng_below(&c->rng, AREA_PAGES * 4096);
}

static void op_lookup(struct ctx *c, int p, unsigned long va)
{
	unsigned int perm = rng_below(&c->rng, 4) ? SVMSIM_PERM_READ :
			    SVMSIM_PERM_READ | SVMSIM_PERM_WRITE;
	struct svm_tlb_entry *e = svm_tlb_lookup(&c->sp[p], va, perm);
	struct rec *r = model_lookup(pasids[p], va, perm);

	if (!e != !r) {
		mismatch(c, "lookup hit", !!e, !!r);
		if (e)
			svm_tlb_put(e);
		return;
	}
	if (!e)
		return;
	if (svm_tlb_entry_pfn(e, va) != r->pfn + ((va - (r->vpn << r->shift)) >> 12))
		mismatch(c, "lookup pfn", svm_tlb_entry_pfn(e, va), r->pfn);
	svm_tlb_put(e);
}

static void op_insert(struct ctx *c, int p, unsigned long va)
{
	unsigned int shift = rng_below(&c->rng, 8) ? 12 : 21;
	unsigned int perm = rng_below(&c->rng, 2) ? SVMSIM_PERM_READ :
			    SVMSIM_PERM_READ | SVMSIM_PERM_WRITE;
	unsigned long vpn = va >> shift;
	struct rec *old = model_get(pasids[p], vpn, shift);
	struct rec *r = calloc(1, sizeof(*r));
	unsigned long released = M.released;
	struct svm_tlb_entry *e;
	int ret;

	r->pasid = pasids[p];
	r->vpn = vpn;
	r->shift = shift;
	r->pfn = rng_next(&c->rng) & 0xffffffffful;
	r->perm = perm;
	/* Map @r after the insert: an upgrade's release of @old must find @old. */
	ret = fill_entry(&c->sp[p], va, shift, r->pfn, perm, 0, &e);
	if (ret == -EEXIST) {
		if (!old || (old->perm & perm) != perm)
			mismatch(c, "insert -EEXIST without a covering entry", 0, 1);
		free(r);
		return;
	}
	if (ret) {
		mismatch(c, "insert result", (unsigned long)-ret, 0);
		free(r);
		return;
	}
	if (old && M.released == released)
		mismatch(c, "upgrade did not release the old entry", 0, 1);
	r->next = M.b[bucket(r->pasid, vpn, shift)];
	M.b[bucket(r->pasid, vpn, shift)] = r;
	r->entry = e;
	*entry_slot(e) = r;
	model_list(r);
}

static void pick_range(struct ctx *c, unsigned long *start, unsigned long *last)
{
	static const unsigned long lens[] = { 1, 2, 7, 64, 511, 512, 513, 4096 };
	unsigned long len;

	switch (rng_below(&c->rng, 10)) {
	case 0:
		*start = 0;
		*last = ULONG_MAX;
		return;
	case 1:
		*start = pick_va(c) & ~0xffful;
		*last = ULONG_MAX;
		return;
	case 2:	/* unaligned, inclusive byte range */
		*start = pick_va(c);
		*last = *start + rng_below(&c->rng, 3 * 4096);
		if (*last < *start)	/* wrapped past the top */
			*last = ULONG_MAX;
		return;
	default:
		len = lens[rng_below(&c->rng, sizeof(lens) / sizeof(lens[0]))];
		*start = pick_va(c) & ~0xffful;
		*last = *start + len * 4096 - 1;
		if (*last < *start)
			*last = ULONG_MAX;
	}
}

/* Move every live record of @p to the retired state (the core's retire). */
static void model_retire(int p)
{
	while (M.live[p]) {
		struct rec *r = M.arr[p][M.live[p] - 1], **pp;

		pp = find_slot(r->pasid, r->vpn, r->shift);
		*pp = r->next;
		model_unlist(r);
		r->retired = true;
		M.retired[p]++;
	}
}

/* Does the core retire rather than probe or walk?  (svm_tlb_flush_locked) */
static bool model_retires(int p, const struct svm_tlb_flush_req *req, bool full,
			  unsigned long *probes)
{
	unsigned long live = M.live[p], budget = req->budget ? req->budget : ~0ul;
	bool huge = false;

	for (size_t i = 0; i < live; i++)
		huge |= M.arr[p][i]->shift == 21;
	*probes = (req->last >> 12) - (req->start >> 12) + 1;
	if (huge)
		*probes += (req->last >> 21) - (req->start >> 21) + 1;
	if (!live || (!full && *probes <= live && *probes <= budget))
		return false;
	return live > budget;
}

static void op_flush(struct ctx *c, int p)
{
	struct svm_tlb_flush_req req = { 0 };
	struct svm_tlb_flush_res res;
	unsigned long want = 0, coll = 0, released = M.released, probes;
	bool full, retire, whole, counted;

	pick_range(c, &req.start, &req.last);
	req.threshold = rng_below(&c->rng, 4) ? 0 : 16;
	if (c->budgets && rng_below(&c->rng, 2))
		req.budget = 1 + rng_below(&c->rng, 64);
	whole = req.start == 0 && req.last == ULONG_MAX;
	full = whole || (req.threshold &&
			 (req.last >> 12) - (req.start >> 12) + 1 > req.threshold);
	retire = model_retires(p, &req, full, &probes);
	counted = whole || probes <= (req.budget ? req.budget : ~0ul);
	for (size_t i = 0; i < M.live[p]; i++) {
		struct rec *r = M.arr[p][i];

		if (full || retire || overlaps(r, req.start, req.last)) {
			want++;
			coll += !overlaps(r, req.start, req.last);
		}
	}
	if (retire && !counted)
		coll = 0;
	svm_tlb_flush(&c->sp[p], &req, &res);
	if (res.removed != want)
		mismatch(c, "flush removed", res.removed, want);
	if (res.collateral != coll)
		mismatch(c, "flush collateral", res.collateral, coll);
	if (res.retired != (retire ? want : 0))
		mismatch(c, "flush retired", res.retired, retire ? want : 0);
	if (res.uncounted != (retire && !counted ? want : 0))
		mismatch(c, "flush uncounted", res.uncounted, retire && !counted ? want : 0);
	if (M.released - released != (retire ? 0 : want))
		mismatch(c, "flush releases", M.released - released, retire ? 0 : want);
	if (retire)
		model_retire(p);
	c->retired += res.retired;
	c->uncounted += res.uncounted;
}

/* The owner's worker: a few retired entries released, oldest first. */
static void op_reclaim(struct ctx *c, int p)
{
	unsigned long n = 1 + rng_below(&c->rng, 16), before = M.retired[p];
	unsigned long released = M.released, want = n < before ? n : before;
	unsigned long left = svm_tlb_space_reclaim(&c->sp[p], n);

	if (M.released - released != want || left != before - want)
		mismatch(c, "reclaim releases", M.released - released, want);
}

/* A fill whose walk raced with an invalidation must be refused. */
static void op_stale(struct ctx *c, int p, unsigned long va)
{
	struct svm_tlb_entry *e, *got;
	unsigned long seq, va2;
	uint64_t refused = space_counter(&c->sp[p], SVMSIM_STAT_TLB_STALE_REFUSED);
	struct svm_tlb_flush_res res;

	if (svm_tlb_fill_begin(&c->sp[p], va, 0, &seq))
		return;
	/* the release hook keeps the model in step with what this removes */
	va2 = pick_va(c) & ~0xffful;
	flush_range(&c->sp[p], va2, va2 | 0xfff, &res);
	e = svm_tlb_entry_alloc(GFP_KERNEL);
	svm_tlb_entry_set(e, va, 12, 1, SVMSIM_PERM_READ, 0);
	if (svm_tlb_insert(&c->sp[p], e, seq, 0, &got) != -EAGAIN) {
		mismatch(c, "stale insert accepted", 1, 0);
		svm_tlb_put(got);
		return;
	}
	svm_tlb_entry_free(e);
	if (space_counter(&c->sp[p], SVMSIM_STAT_TLB_STALE_REFUSED) != refused + 1)
		mismatch(c, "stale counter", 0, 1);
}

/* Range model bracket: fills over the range are held off until the end. */
static void op_bracket(struct ctx *c, int p, unsigned long va)
{
	unsigned long start = va & ~0xffful, last = start + 8 * 4096 - 1, seq;
	struct svm_tlb_flush_res res;

	if (last < start)	/* at the top of the address space */
		return;

	svm_tlb_invalidate_begin(&c->sp[p], start, last);
	flush_range(&c->sp[p], start, last, &res);
	if (svm_tlb_fill_begin(&c->sp[p], start + 4096, 0, &seq) != -EAGAIN)
		mismatch(c, "fill inside an invalidation allowed", 1, 0);
	/* the model: drop what the flush removed */
	if (!svm_tlb_invalidate_end(&c->sp[p]))
		mismatch(c, "end did not go idle", 0, 1);
	if (svm_tlb_fill_begin(&c->sp[p], start + 4096, 0, &seq) != 0)
		mismatch(c, "fill after the end refused", 1, 0);
}

static void check_all(struct ctx *c)
{
	unsigned long pfn;
	unsigned int shift, perm;

	for (int p = 0; p < NPASID; p++) {
		if (READ_ONCE(c->sp[p].nentries) != M.live[p])
			mismatch(c, "entries", c->sp[p].nentries, M.live[p]);
		if (svm_tlb_space_stale(&c->sp[p]) != M.retired[p])
			mismatch(c, "stale entries", svm_tlb_space_stale(&c->sp[p]),
				 M.retired[p]);
		if (c->tlb.max_space_entries &&
		    M.live[p] + M.retired[p] > c->tlb.max_space_entries)
			mismatch(c, "space over its bound", M.live[p] + M.retired[p],
				 c->tlb.max_space_entries);
	}
	for (unsigned int i = 0; i < MAP_BUCKETS; i++)
		for (struct rec *r = M.b[i]; r; r = r->next) {
			unsigned long va = r->vpn << r->shift;

			if (!svm_tlb_peek(&c->sp[pidx(r->pasid)], va, &pfn, &shift, &perm)) {
				/* a 4K entry may shadow a 2M one at its base */
				if (r->shift == 21 && model_get(r->pasid, va >> 12, 12))
					continue;
				mismatch(c, "model entry not cached", 0, 1);
			} else if (shift == r->shift && (pfn != r->pfn || perm != r->perm)) {
				mismatch(c, "cached entry differs", pfn, r->pfn);
			}
		}
	if (c->tlb.ways) {
		for (unsigned int i = 0; i < c->tlb.nsets; i++)
			if (c->tlb.sets[i].nr > c->tlb.ways)
				mismatch(c, "set over capacity", c->tlb.sets[i].nr, c->tlb.ways);
	}
}

static void run(const char *name, unsigned int sets, unsigned int ways,
		unsigned int policy, uint64_t seed, unsigned long nops, bool budgets)
{
	struct ctx *c = calloc(1, sizeof(*c));
	double t0 = now_sec();

	memset(&M, 0, sizeof(M));
	c->rng = seed * 2654435761u + 1;
	if (svm_tlb_init(&c->tlb, sets, ways, policy, &model_ops, NULL))
		abort();
	c->budgets = budgets;
	if (budgets && !ways)
		svm_tlb_set_limits(&c->tlb, 3000, 1500);
	for (int p = 0; p < NPASID; p++)
		svm_tlb_space_init(&c->tlb, &c->sp[p], pasids[p]);

	for (unsigned long i = 0; i < nops; i++) {
		int p = (int)rng_below(&c->rng, NPASID);
		unsigned long va = pick_va(c);
		unsigned int op = (unsigned int)rng_below(&c->rng, 100);

		if (op < 45)
			op_lookup(c, p, va);
		else if (op < 85)
			op_insert(c, p, va);
		else if (op < 95 && (!budgets || op < 92))
			op_flush(c, p);
		else if (op < 95)
			op_reclaim(c, p);
		else if (op < 98)
			op_stale(c, p, va);
		else
			op_bracket(c, p, va);
		c->ops[op < 45 ? 0 : op < 85 ? 1 : op < 95 ? 2 : op < 98 ? 3 : 4]++;
		if (i % 65536 == 0)
			check_all(c);
	}
	check_all(c);

	for (int p = 0; p < NPASID; p++) {
		kill_space(&c->sp[p]);
	}
	tap_ok(c->mismatches == 0 && !M.bad_release, "%s: %lu ops match the model "
	       "(lookup %lu insert %lu flush %lu stale %lu bracket %lu) in %.2fs",
	       name, nops, c->ops[0], c->ops[1], c->ops[2], c->ops[3], c->ops[4],
	       now_sec() - t0);
	if (budgets)
		tap_diag("%s: %lu entries retired, collateral of %lu not counted", name,
			 c->retired, c->uncounted);
	tap_ok(M.live[0] + M.live[1] + M.live[2] == 0 &&
	       M.retired[0] + M.retired[1] + M.retired[2] == 0 &&
	       atomic_long_read(&c->tlb.nentries) == 0,
	       "%s: every entry released after the spaces are killed", name);
	svm_tlb_destroy(&c->tlb);
	for (int p = 0; p < NPASID; p++)
		free(M.arr[p]);
	free(c);
}

int main(int argc, char **argv)
{
	uint64_t seed = 1;
	unsigned long nops = 1000000;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--ops"))
			nops = strtoul(argv[i + 1], NULL, 0);
	}
	rcu_register_thread();
	tlb_cache_create();
	tap_diag("seed %" PRIu64 ", %lu ops per geometry", seed, nops);
	run("unbounded 4096 sets", 4096, 0, SVMSIM_REPL_CLOCK, seed, nops, false);
	run("64x4 clock", 64, 4, SVMSIM_REPL_CLOCK, seed + 1, nops / 4, false);
	run("32x8 lru", 32, 8, SVMSIM_REPL_LRU, seed + 2, nops / 4, false);
	run("16x2 random", 16, 2, SVMSIM_REPL_RANDOM, seed + 3, nops / 4, false);
	run("1x16 fifo", 1, 16, SVMSIM_REPL_FIFO, seed + 4, nops / 4, false);
	run("unbounded, budgets and limits", 4096, 0, SVMSIM_REPL_CLOCK, seed + 5,
	    nops / 2, true);
	run("64x4 clock, budgets", 64, 4, SVMSIM_REPL_CLOCK, seed + 6, nops / 4, true);
	tlb_cache_destroy();
	rcu_unregister_thread();
	return tap_finish();
}
