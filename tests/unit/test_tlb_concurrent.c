// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrent readers, fillers and flushers on the IOTLB core.
 *
 * A "page table" holds a version per page; a "mutator" changes a page's
 * version and then invalidates it the way each model does:
 *   secondary: change the PTE, then flush (invalidate_range after the CPU
 *              flush);
 *   range:     begin (fills held off) and flush, change the PTE, end.
 * After the invalidation returns it publishes flushed[page] = new version.
 * Fillers sample the sequence, read the PTE (sometimes yielding in
 * between, to widen the race) and insert the version as the PFN.  Readers
 * check the invariant an IOMMU driver owes its device:
 *   - a hit never returns a version older than one whose invalidation had
 *     returned before the lookup (no stale translation after a flush), and
 *   - while a reader holds an entry, no invalidation of it returns.
 * A second mutator flushes whole spaces (0..ULONG_MAX) at random, like
 * 6.12's widened flushes.  At the end every inserted entry must have been
 * released exactly once.  The "retire" runs give every flush a budget of
 * one step, so nearly all of them retire the whole space in O(1) (the
 * generation and per-CPU hold protocol), a reclaimer thread releases the
 * stale entries meanwhile, and the table and each space are bounded
 * (capacity evictions race with all of it).
 *
 * usage: test_tlb_concurrent [--iters N]
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "tlb_util.h"

TAP_DEFINE_STATE;

#define NSPACE		2
#define NPAGES		64
#define BASE		0x10000000ul
#define NREADERS	2
#define NFILLERS	2

enum model { SECONDARY, RANGE };

struct world {
	struct svm_tlb tlb;
	struct svm_tlb_space sp[NSPACE];
	unsigned long pt[NSPACE][NPAGES];	/* current version */
	unsigned long flushed[NSPACE][NPAGES];	/* version whose flush returned */
	enum model model;
	unsigned long iters;
	unsigned long budget;		/* flushes' budget; 0 = none */
	int stop;
	unsigned long violations;
	unsigned long reads, hits, fills, refused, retired;
};


#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define ADD(x, v)	__atomic_fetch_add(&(x), (v), __ATOMIC_RELAXED)

static unsigned long va_of(int page)
{
	return BASE + (unsigned long)page * 4096;
}

/*
 * The reader's check, also used by the negative control: a hit whose
 * version is older than one whose invalidation had returned -- before the
 * lookup (a stale entry) or while the entry was held (a flush that did not
 * wait for the access) -- is a violation.  Returns 1 for a violation.
 */
static int read_check(struct world *w, int s, int p, int hold_spins)
{
	unsigned long fv = LOAD(w->flushed[s][p]), v, fv2;
	struct svm_tlb_entry *e;

	e = svm_tlb_lookup(&w->sp[s], va_of(p), SVMSIM_PERM_READ);
	if (!e)
		return 0;
	v = svm_tlb_entry_first_pfn(e);
	for (int i = 0; i < hold_spins; i++)
		cpu_relax();
	fv2 = LOAD(w->flushed[s][p]);
	svm_tlb_put(e);
	ADD(w->hits, 1);
	if (v >= fv2)
		return 0;
	if (ADD(w->violations, 1) < 5)
		tap_diag("space %d page %d: version %lu used after the flush of %lu returned (%s)",
			 s, p, v, fv2, v < fv ? "before the lookup" : "during the access");
	return 1;
}

static void *reader(void *arg)
{
	struct world *w = arg;
	uint64_t rng = (uint64_t)(uintptr_t)&rng | 1;

	rcu_register_thread();
	while (!LOAD(w->stop)) {
		int s = (int)rng_below(&rng, NSPACE), p = (int)rng_below(&rng, NPAGES);

		read_check(w, s, p, (int)rng_below(&rng, 3));
		ADD(w->reads, 1);
	}
	rcu_unregister_thread();
	return NULL;
}

static void *filler(void *arg)
{
	struct world *w = arg;
	uint64_t rng = (uint64_t)(uintptr_t)&rng | 1;

	rcu_register_thread();
	while (!LOAD(w->stop)) {
		int s = (int)rng_below(&rng, NSPACE), p = (int)rng_below(&rng, NPAGES);
		struct svm_tlb_entry *e, *got;
		unsigned long seq;
		int ret;

		ret = svm_tlb_fill_begin(&w->sp[s], va_of(p), 0, &seq);
		if (ret) {
			cpu_relax();
			continue;
		}
		e = svm_tlb_entry_alloc(GFP_KERNEL);
		/* the page walk */
		svm_tlb_entry_set(e, va_of(p), 12, LOAD(w->pt[s][p]), SVMSIM_PERM_READ, 0);
		if (rng_below(&rng, 4) == 0)
			cpu_relax();		/* a slow walk */
		ret = svm_tlb_insert(&w->sp[s], e, seq, 0, &got);
		if (ret == 0 || ret == -EEXIST)
			svm_tlb_put(got);
		if (ret)
			svm_tlb_entry_free(e);
		if (ret == -EAGAIN)
			ADD(w->refused, 1);
		if (ret == 0)
			ADD(w->fills, 1);
	}
	rcu_unregister_thread();
	return NULL;
}

/* Change pages [p, p + n) of space s and invalidate them. */
static void mutate(struct world *w, int s, int p, int n)
{
	struct svm_tlb_flush_req req = {
		.start = va_of(p),
		.last = va_of(p + n) - 1,
		.budget = w->budget,
	};
	struct svm_tlb_flush_res res;
	unsigned long v[NPAGES];

	if (w->model == RANGE) {
		svm_tlb_invalidate_begin(&w->sp[s], req.start, req.last);
		svm_tlb_flush(&w->sp[s], &req, &res);
	}
	for (int i = 0; i < n; i++) {
		v[i] = w->pt[s][p + i] + 1;
		STORE(w->pt[s][p + i], v[i]);
	}
	if (w->model == SECONDARY)
		svm_tlb_flush(&w->sp[s], &req, &res);
	else
		svm_tlb_invalidate_end(&w->sp[s]);
	ADD(w->retired, res.retired);
	for (int i = 0; i < n; i++)
		STORE(w->flushed[s][p + i], v[i]);
}

static void *mutator(void *arg)
{
	struct world *w = arg;
	uint64_t rng = 7;

	rcu_register_thread();
	for (unsigned long i = 0; i < w->iters; i++) {
		int s = (int)rng_below(&rng, NSPACE), p = (int)rng_below(&rng, NPAGES);
		int n = 1 + (int)rng_below(&rng, 4);

		if (p + n > NPAGES)
			n = NPAGES - p;
		mutate(w, s, p, n);
		/* let readers and fillers repopulate between invalidations */
		for (int k = 0; k < 4; k++)
			cpu_relax();
	}
	STORE(w->stop, 1);
	rcu_unregister_thread();
	return NULL;
}

/* Whole-space flushes that change nothing: always legal, often collateral. */
static void *wide_flusher(void *arg)
{
	struct world *w = arg;
	uint64_t rng = 11;
	struct svm_tlb_flush_res res;

	rcu_register_thread();
	while (!LOAD(w->stop)) {
		struct svm_tlb_flush_req req = {
			.start = 0, .last = ~0ul, .budget = w->budget,
		};

		svm_tlb_flush(&w->sp[rng_below(&rng, NSPACE)], &req, &res);
		ADD(w->retired, res.retired);
		for (int i = 0; i < 50; i++)
			cpu_relax();
	}
	rcu_unregister_thread();
	return NULL;
}

/* The owner's worker: release retired entries, a few at a time. */
static void *reclaimer(void *arg)
{
	struct world *w = arg;
	uint64_t rng = 13;

	rcu_register_thread();
	while (!LOAD(w->stop)) {
		svm_tlb_space_reclaim(&w->sp[rng_below(&rng, NSPACE)],
				      1 + rng_below(&rng, 8));
		cpu_relax();
	}
	rcu_unregister_thread();
	return NULL;
}

static void run(enum model model, unsigned long iters, unsigned int ways,
		unsigned long budget)
{
	struct world *w = calloc(1, sizeof(*w));
	pthread_t t[NREADERS + NFILLERS + 3];
	uint64_t inserts = 0, evictions = 0;
	const char *name = model == SECONDARY ? "secondary" : "range";
	const char *geo = ways ? " 16x4" : budget ? " retire+limits" : "";
	int n = 0;
	double t0 = now_sec();

	w->model = model;
	w->iters = iters;
	w->budget = budget;
	released = 0;
	if (svm_tlb_init(&w->tlb, ways ? 16 : 256, ways, SVMSIM_REPL_CLOCK, &count_release_ops, NULL))
		abort();
	if (budget)
		svm_tlb_set_limits(&w->tlb, 3 * NPAGES / 2, NPAGES);
	for (int s = 0; s < NSPACE; s++)
		svm_tlb_space_init(&w->tlb, &w->sp[s], (u32)s + 1);

	for (int i = 0; i < NREADERS; i++)
		pthread_create(&t[n++], NULL, reader, w);
	for (int i = 0; i < NFILLERS; i++)
		pthread_create(&t[n++], NULL, filler, w);
	pthread_create(&t[n++], NULL, wide_flusher, w);
	if (budget)
		pthread_create(&t[n++], NULL, reclaimer, w);
	pthread_create(&t[n++], NULL, mutator, w);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);

	{
		u64 c[SVM_TLB_NR_COUNTERS];

		svm_tlb_read_counters(&w->tlb.stats, c);
		inserts = c[SVMSIM_STAT_TLB_INSERTS];
		evictions = c[SVMSIM_STAT_TLB_EVICTIONS];
	}
	for (int s = 0; s < NSPACE; s++) {
		kill_space(&w->sp[s]);
	}
	tap_diag("%s%s: %lu invalidations, %lu reads (%lu hits), %lu fills, %lu refused "
		 "stale, %.2fs", name, geo, iters, w->reads, w->hits,
		 w->fills, w->refused, now_sec() - t0);
	tap_ok(w->violations == 0, "%s%s: no stale hit after a flush returned, no flush "
	       "returned under a held entry", name, geo);
	tap_ok(w->hits > 0 && w->fills > 0, "%s%s: the race was exercised (hits and fills)",
	       name, geo);
	tap_ok(inserts == released && atomic_long_read(&w->tlb.nentries) == 0,
	       "%s%s: every inserted entry released once (%llu)", name, geo,
	       (unsigned long long)inserts);
	if (budget)
		tap_ok(w->retired > 0 && evictions > 0, "%s%s: %lu entries retired, %llu "
		       "capacity evictions", name, geo, w->retired,
		       (unsigned long long)evictions);
	svm_tlb_destroy(&w->tlb);
	free(w);
}

/* The checker must catch a driver that inserts without the sequence check. */
static void negative_control(void)
{
	struct world *w = calloc(1, sizeof(*w));
	struct svm_tlb_entry *e, *got;
	unsigned long seq;
	int bad;

	svm_tlb_init(&w->tlb, 16, 0, 0, &count_release_ops, NULL);
	svm_tlb_space_init(&w->tlb, &w->sp[0], 1);
	svm_tlb_space_init(&w->tlb, &w->sp[1], 2);
	w->model = SECONDARY;
	svm_tlb_fill_begin(&w->sp[0], va_of(3), 0, &seq);
	e = svm_tlb_entry_alloc(GFP_KERNEL);
	/* the walk reads the old PTE... */
	svm_tlb_entry_set(e, va_of(3), 12, w->pt[0][3], SVMSIM_PERM_READ, 0);
	mutate(w, 0, 3, 1);		/* ...which changes and is flushed... */
	svm_tlb_insert(&w->sp[0], e, seq, SVM_TLB_INSERT_NOCHECK, &got);
	svm_tlb_put(got);		/* ...and the stale PFN is inserted */
	bad = read_check(w, 0, 3, 0);
	tap_ok(bad == 1, "negative control: the checker flags a stale insert (NOCHECK)");
	for (int s = 0; s < 2; s++) {
		kill_space(&w->sp[s]);
	}
	svm_tlb_destroy(&w->tlb);
	free(w);
}

int main(int argc, char **argv)
{
	unsigned long iters = 20000;

	if (argc == 3 && !strcmp(argv[1], "--iters"))
		iters = strtoul(argv[2], NULL, 0);
	rcu_register_thread();
	tlb_cache_create();
	negative_control();
	run(SECONDARY, iters, 0, 0);
	run(RANGE, iters, 0, 0);
	run(SECONDARY, iters, 4, 0);
	run(RANGE, iters, 4, 0);
	run(SECONDARY, iters, 0, 1);
	run(RANGE, iters, 0, 1);
	tlb_cache_destroy();
	rcu_unregister_thread();
	return tap_finish();
}
