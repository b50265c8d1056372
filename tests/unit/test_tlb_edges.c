// SPDX-License-Identifier: GPL-2.0
/*
 * Deterministic tests of the IOTLB core's edges: range ends (inclusive,
 * unaligned, ULONG_MAX), the cost bound of huge flushes, 2M entries,
 * collateral counting, the refused stale insert, invalidations in
 * progress, dead spaces, upgrades, eviction, and the drain of accesses in
 * flight.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "tlb_util.h"

TAP_DEFINE_STATE;

#define PG	4096ul
#define HUGE	(2ul << 20)
#define BASE	0x7f0000000000ul
#define R	SVMSIM_PERM_READ
#define RW	(SVMSIM_PERM_READ | SVMSIM_PERM_WRITE)


struct fixture {
	struct svm_tlb tlb;
	struct svm_tlb_space s, other;
};

static struct fixture *setup(unsigned int sets, unsigned int ways, unsigned int policy)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (svm_tlb_init(&f->tlb, sets, ways, policy, &count_release_ops, NULL))
		abort();
	svm_tlb_space_init(&f->tlb, &f->s, 5);
	svm_tlb_space_init(&f->tlb, &f->other, 6);
	return f;
}

static void teardown(struct fixture *f)
{

	kill_space(&f->s);
	kill_space(&f->other);
	svm_tlb_destroy(&f->tlb);
	free(f);
}

static bool cached(struct svm_tlb_space *s, unsigned long va)
{
	unsigned long pfn;
	unsigned int shift, perm;

	return svm_tlb_peek(s, va, &pfn, &shift, &perm);
}

static void fill_pages(struct svm_tlb_space *s, unsigned long va, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (fill_va(s, va + i * PG, 12, 1000 + i, RW, 0))
			abort();
}

static void test_exact_ends(void)
{
	struct fixture *f = setup(1024, 0, 0);
	struct svm_tlb_flush_res res;
	unsigned long p = BASE + 10 * PG, q = BASE + 20 * PG;

	fill_pages(&f->s, BASE, 32);
	/* the mm's exclusive end [p, q + PG) is the inclusive [p, q + PG - 1] */
	flush_range(&f->s, p, q + PG - 1, &res);
	tap_ok(res.removed == 11 && cached(&f->s, p - PG) && !cached(&f->s, p) &&
	       !cached(&f->s, q) && cached(&f->s, q + PG),
	       "exclusive end converted to inclusive: pages p..q removed, p-1 and q+1 kept (%lu)",
	       res.removed);

	/* an unaligned inclusive last byte still covers its page */
	flush_range(&f->s, BASE + 25 * PG + 100, BASE + 26 * PG, &res);
	tap_ok(res.removed == 2 && !cached(&f->s, BASE + 26 * PG) &&
	       cached(&f->s, BASE + 27 * PG),
	       "unaligned range: the pages holding its first and last byte are removed");
	teardown(f);
}

static void test_ulong_max(void)
{
	struct fixture *f = setup(1024, 0, 0);
	struct svm_tlb_flush_res res;
	unsigned long top = ~0ul & ~(PG - 1);

	fill_pages(&f->s, BASE, 4);
	fill_va(&f->s, top, 12, 7, R, 0);
	fill_va(&f->s, ~0ul & ~(HUGE - 1), 21, 1 << 9, R, 0);
	flush_range(&f->s, BASE + 2 * PG, ~0ul, &res);
	tap_ok(res.removed == 4 && cached(&f->s, BASE + PG) && !cached(&f->s, top),
	       "flush [x, ULONG_MAX] removes the top 4K and 2M entries, no overflow (%lu)",
	       res.removed);
	flush_range(&f->s, ~0ul - 10, ~0ul, &res);
	tap_ok(res.removed == 0, "flush of the last bytes of the address space is empty");
	teardown(f);
}

static void test_huge_flush_cost(void)
{
	static const unsigned long counts[] = { 1000, 10000, 100000 };
	struct svm_tlb_flush_res res;

	for (unsigned int i = 0; i < 3; i++) {
		struct fixture *f = setup(1 << 16, 0, 0);
		double t0;

		fill_pages(&f->s, BASE, counts[i]);
		t0 = now_sec();
		flush_range(&f->s, 0, (1ul << 47) - 1, &res);
		tap_ok(res.removed == counts[i] && res.walked &&
		       space_counter(&f->s, SVMSIM_STAT_TLB_WALK_FLUSHES) == 1,
		       "flush [0, 2^47) with %lu cached walks the PASID's entries (%.2f ms)",
		       counts[i], (now_sec() - t0) * 1e3);
		teardown(f);
	}

	struct fixture *f = setup(1024, 0, 0);

	fill_pages(&f->s, BASE, 10);
	flush_range(&f->s, 0, ~0ul, &res);
	tap_ok(res.removed == 10 && res.walked && res.full,
	       "flush [0, ULONG_MAX] with 10 cached: walk of 10, not 2^52 probes");
	fill_pages(&f->s, BASE, 10);
	flush_range(&f->s, BASE + 3 * PG, BASE + 4 * PG - 1, &res);
	tap_ok(res.removed == 1 && !res.walked,
	       "one-page flush with 10 cached probes the page");
	teardown(f);

	f = setup(1 << 16, 0, 0);
	fill_pages(&f->s, BASE, 100000);
	flush_range(&f->s, BASE + 500 * PG, BASE + 501 * PG - 1, &res);
	tap_ok(res.removed == 1 && !res.walked && f->s.nentries == 99999,
	       "one-page flush with 1e5 cached probes one page");
	teardown(f);
}

static void test_second_flush_cheap(void)
{
	struct fixture *f = setup(64, 0, 0);
	struct svm_tlb_flush_res res;
	uint64_t walks, probes;

	fill_pages(&f->s, BASE, 8);
	flush_range(&f->s, BASE, ~0ul, &res);
	walks = space_counter(&f->s, SVMSIM_STAT_TLB_WALK_FLUSHES);
	probes = space_counter(&f->s, SVMSIM_STAT_TLB_PROBE_FLUSHES);
	flush_range(&f->s, BASE, ~0ul, &res);
	tap_ok(res.removed == 0 && !res.walked &&
	       space_counter(&f->s, SVMSIM_STAT_TLB_WALK_FLUSHES) == walks &&
	       space_counter(&f->s, SVMSIM_STAT_TLB_PROBE_FLUSHES) == probes,
	       "a second flush of an emptied range touches nothing (6.1 flushes twice)");
	teardown(f);
}

static void test_huge_entries(void)
{
	struct fixture *f = setup(1024, 0, 0);
	struct svm_tlb_flush_res res;
	struct svm_tlb_flush_req req = { 0 };
	struct svm_tlb_range changed = { BASE + HUGE + 5 * PG, BASE + HUGE + 6 * PG - 1 };
	struct svm_tlb_entry *e;

	fill_va(&f->s, BASE + HUGE, 21, 512, RW, 0);
	e = svm_tlb_lookup(&f->s, BASE + HUGE + 7 * PG + 3, R);
	tap_ok(e && svm_tlb_entry_pfn(e, BASE + HUGE + 7 * PG + 3) == 519,
	       "a 2M entry translates every 4K page inside it");
	if (e)
		svm_tlb_put(e);

	fill_pages(&f->s, BASE, 3);
	/* one page inside the 2M entry changed, the flush covers all 3 MB */
	req.start = BASE;
	req.last = BASE + HUGE + HUGE / 2;
	req.changed = &changed;
	req.nchanged = 1;
	svm_tlb_flush(&f->s, &req, &res);
	tap_ok(res.removed == 4 && res.collateral == 3 && !cached(&f->s, BASE + HUGE + 100 * PG),
	       "flush overlapping part of a 2M entry removes it; the 3 4K entries outside the "
	       "changed page count as collateral (%lu/%lu)", res.removed, res.collateral);

	fill_va(&f->s, BASE + HUGE, 21, 512, RW, 0);
	fill_pages(&f->s, BASE, 3);
	req.start = BASE + 2 * PG;
	req.last = BASE + 3 * PG - 1;
	req.threshold = 0;
	req.changed = NULL;
	svm_tlb_flush(&f->s, &req, &res);
	tap_ok(res.removed == 1 && cached(&f->s, BASE + HUGE), "a 4K flush below a 2M entry keeps it");

	req.start = BASE;
	req.last = BASE + 64 * PG - 1;
	req.threshold = 16;
	svm_tlb_flush(&f->s, &req, &res);
	tap_ok(res.full && res.removed == 3 && res.collateral == 1 &&
	       space_counter(&f->s, SVMSIM_STAT_TLB_FULL_FLUSHES) == 1,
	       "64 pages over a 16-page threshold flush the whole PASID; entries outside are collateral");
	teardown(f);
}

/* The injected flush bugs: 4K entries go, the 2M entries that overlap stay. */
static void test_flush_bugs(void)
{
	struct fixture *f = setup(1024, 0, 0);
	struct svm_tlb_flush_res res;
	struct svm_tlb_flush_req req = { .bugs = SVM_TLB_FLUSH_SMALL_4K };

	fill_va(&f->s, BASE + HUGE, 21, 512, RW, 0);
	fill_pages(&f->s, BASE, 3);
	req.start = BASE + HUGE + 5 * PG;
	req.last = BASE + HUGE + 6 * PG - 1;
	svm_tlb_flush(&f->s, &req, &res);
	tap_ok(res.removed == 0 && res.spared == 1 && cached(&f->s, BASE + HUGE + 5 * PG),
	       "SMALL_4K: a 4K flush inside a 2M entry leaves it (spared %lu)", res.spared);
	req.start = BASE + HUGE;
	req.last = BASE + 2 * HUGE - 1;
	svm_tlb_flush(&f->s, &req, &res);
	tap_ok(res.removed == 1 && !res.spared && !cached(&f->s, BASE + HUGE),
	       "SMALL_4K: a flush of the whole 2M still removes it");

	fill_va(&f->s, BASE + HUGE, 21, 512, RW, 0);
	req.bugs = SVM_TLB_FLUSH_FULL_4K;
	req.start = 0;
	req.last = ~0ul;
	svm_tlb_flush(&f->s, &req, &res);
	tap_ok(res.full && res.removed == 3 && res.spared == 1 && cached(&f->s, BASE + HUGE) &&
	       !cached(&f->s, BASE),
	       "FULL_4K: a whole-space flush removes the 4K entries only (%lu, spared %lu)",
	       res.removed, res.spared);
	fill_pages(&f->s, BASE, 3);
	req.start = BASE;
	req.last = BASE + 64 * PG - 1;
	req.threshold = 16;
	svm_tlb_flush(&f->s, &req, &res);
	tap_ok(res.full && res.removed == 3 && res.spared == 1 && cached(&f->s, BASE + HUGE),
	       "FULL_4K: so does a flush escalated over the threshold");
	teardown(f);
}

static void test_stale_insert(void)
{
	struct fixture *f = setup(64, 0, 0);
	struct svm_tlb_flush_res res;
	struct svm_tlb_entry *e = svm_tlb_entry_alloc(GFP_KERNEL), *got = NULL;
	unsigned long seq;
	int ret;

	svm_tlb_fill_begin(&f->s, BASE, 0, &seq);
	/* the page walk reads the old PTE; an invalidation of it runs now */
	flush_range(&f->s, BASE, BASE + PG - 1, &res);
	svm_tlb_entry_set(e, BASE, 12, 42, R, 0);
	ret = svm_tlb_insert(&f->s, e, seq, 0, &got);
	tap_ok(ret == -EAGAIN && !cached(&f->s, BASE) &&
	       space_counter(&f->s, SVMSIM_STAT_TLB_STALE_REFUSED) == 1,
	       "insert after an invalidation since the walk is refused and counted");

	/* an invalidation of an unrelated range also moves the sequence */
	svm_tlb_fill_begin(&f->s, BASE, 0, &seq);
	flush_range(&f->s, BASE + 100 * PG, BASE + 101 * PG - 1, &res);
	ret = svm_tlb_insert(&f->s, e, seq, 0, &got);
	tap_ok(ret == -EAGAIN, "any invalidation since the walk refuses the insert (conservative)");

	ret = svm_tlb_insert(&f->s, e, seq, SVM_TLB_INSERT_NOCHECK, &got);
	tap_ok(ret == 0 && cached(&f->s, BASE), "NOCHECK (the injected bug) inserts anyway");
	if (!ret)
		svm_tlb_put(got);
	else
		svm_tlb_entry_free(e);
	teardown(f);
}

static void test_in_progress(void)
{
	struct fixture *f = setup(64, 0, 0);
	unsigned long seq, seq2;
	struct svm_tlb_entry *e = svm_tlb_entry_alloc(GFP_KERNEL), *got;
	int ret;

	svm_tlb_fill_begin(&f->s, BASE, 0, &seq);
	svm_tlb_invalidate_begin(&f->s, BASE, BASE + 4 * PG - 1);
	tap_ok(svm_tlb_fill_begin(&f->s, BASE + PG, 0, &seq2) == -EAGAIN,
	       "fill_begin inside an invalidation in progress: -EAGAIN");
	tap_ok(svm_tlb_fill_begin(&f->s, BASE + 8 * PG, 0, &seq2) == 0,
	       "fill_begin outside it proceeds");
	tap_ok(fill_va(&f->s, BASE + 8 * PG, 12, 1, R, 0) == 0,
	       "a fill outside the range in progress inserts");
	svm_tlb_entry_set(e, BASE, 12, 0, R, 0);
	ret = svm_tlb_insert(&f->s, e, seq2, 0, &got);
	tap_ok(ret == -EAGAIN, "an insert inside the range in progress is refused even with a fresh seq");
	tap_ok(svm_tlb_fill_begin(&f->s, BASE, SVM_TLB_FILL_NOBLOCK, &seq2) == 0 &&
	       svm_tlb_insert(&f->s, e, seq2, SVM_TLB_FILL_NOBLOCK, NULL) == 0,
	       "FILL_NOBLOCK (the injected bug) fills inside the range in progress");
	e = svm_tlb_entry_alloc(GFP_KERNEL);
	svm_tlb_invalidate_begin(&f->s, BASE + 100 * PG, BASE + 101 * PG - 1);
	tap_ok(!svm_tlb_invalidate_end(&f->s) && svm_tlb_invalidate_end(&f->s),
	       "nested invalidations: idle only after the last end");
	tap_ok(svm_tlb_fill_begin(&f->s, BASE + PG, 0, &seq2) == 0, "fills resume after the end");
	svm_tlb_entry_free(e);
	teardown(f);
}

static void test_dead(void)
{
	struct fixture *f = setup(64, 0, 0);
	struct svm_tlb_flush_res res;
	unsigned long seq;

	fill_pages(&f->s, BASE, 5);
	svm_tlb_fill_begin(&f->s, BASE + 10 * PG, 0, &seq);
	svm_tlb_space_kill(&f->s, &res);
	tap_ok(res.removed == 5 && !svm_tlb_lookup(&f->s, BASE, R) &&
	       svm_tlb_fill_begin(&f->s, BASE, 0, &seq) == -ESRCH &&
	       fill_va(&f->s, BASE, 12, 1, R, 0) == -ESRCH,
	       "a killed space is empty and refuses fills");
	teardown(f);
}

static void test_upgrade(void)
{
	struct fixture *f = setup(64, 0, 0);
	struct svm_tlb_entry *e;

	fill_va(&f->s, BASE, 12, 1, R, 0);
	tap_ok(svm_tlb_lookup(&f->s, BASE, RW) == NULL, "a write misses on a read-only entry");
	tap_ok(fill_va(&f->s, BASE, 12, 1, R, 0) == -EEXIST,
	       "a second read fill finds the cached entry");
	tap_ok(fill_va(&f->s, BASE, 12, 2, RW, 0) == 0 && f->s.nentries == 1,
	       "a write fill replaces the read-only entry");
	e = svm_tlb_lookup(&f->s, BASE, RW);
	tap_ok(e && svm_tlb_entry_pfn(e, BASE) == 2, "the write then hits");
	if (e)
		svm_tlb_put(e);
	teardown(f);
}

static void test_eviction(void)
{
	struct fixture *f = setup(1, 4, SVMSIM_REPL_CLOCK);
	struct svm_tlb_flush_res res;
	struct svm_tlb_entry *e;

	fill_pages(&f->s, BASE, 4);
	for (int i = 0; i < 4; i++) {	/* reference all but page 2 */
		if (i == 2)
			continue;
		e = svm_tlb_lookup(&f->s, BASE + (unsigned long)i * PG, R);
		svm_tlb_put(e);
	}
	fill_pages(&f->s, BASE + 10 * PG, 1);
	tap_ok(f->s.nentries == 4 && !cached(&f->s, BASE + 2 * PG) &&
	       space_counter(&f->s, SVMSIM_STAT_TLB_EVICTIONS) == 1,
	       "clock: a full set evicts the unreferenced entry");
	fill_pages(&f->s, BASE + 20 * PG, 6);
	tap_ok(f->s.nentries == 4 && f->tlb.sets[0].nr == 4 &&
	       space_counter(&f->s, SVMSIM_STAT_TLB_EVICTIONS) == 7,
	       "capacity holds: 4 entries after 11 inserts, 7 evictions");

	teardown(f);

	/* FIFO, one set of 4: other's o0..o2, then our s0 */
	f = setup(1, 4, SVMSIM_REPL_FIFO);
	for (int i = 0; i < 3; i++)
		fill_va(&f->other, BASE + (unsigned long)i * PG, 12, 1, R, 0);
	fill_va(&f->s, BASE + 40 * PG, 12, 1, R, 0);
	spin_lock(&f->other.lock);	/* another CPU flushing that PASID */
	fill_va(&f->s, BASE + 41 * PG, 12, 1, R, 0);
	spin_unlock(&f->other.lock);
	tap_ok(f->other.nentries == 3 && f->s.nentries == 1 && cached(&f->s, BASE + 41 * PG),
	       "oldest victim's space busy: our own entry is evicted instead");

	flush_range(&f->s, 0, ~0ul, &res);
	fill_va(&f->other, BASE + 3 * PG, 12, 1, R, 0);
	spin_lock(&f->other.lock);
	fill_va(&f->s, BASE + 42 * PG, 12, 1, R, 0);
	spin_unlock(&f->other.lock);
	tap_ok(f->tlb.sets[0].nr == 5 && atomic_long_read(&f->tlb.overflows) == 1,
	       "no evictable way: the set runs over by one, counted");
	teardown(f);
}

/* Foreign victims are tagged with the owner flag FOREIGN; count their releases. */
#define FOREIGN	0x80u
static int foreign_released, foreign_unlocked;

static void check_foreign_release(struct svm_tlb *tlb, struct svm_tlb_entry *e)
{
	(void)tlb;
	if (svm_tlb_entry_flags(e) != FOREIGN)
		return;
	foreign_released++;
	/* Held by the evicting insert (this thread), if released under it. */
	if (spin_trylock(&e->space->lock)) {
		foreign_unlocked++;
		spin_unlock(&e->space->lock);
	}
}

static const struct svm_tlb_ops check_foreign_ops = {
	.release = check_foreign_release,
};

/*
 * An insert that evicts another PASID's entry releases it under that
 * PASID's space lock: the evictor holds nothing else that keeps the
 * victim's owner (a bond being unbound) alive.
 */
static void test_foreign_release(void)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (svm_tlb_init(&f->tlb, 1, 2, SVMSIM_REPL_FIFO, &check_foreign_ops, NULL))
		abort();
	svm_tlb_space_init(&f->tlb, &f->s, 5);
	svm_tlb_space_init(&f->tlb, &f->other, 6);
	fill_va(&f->other, BASE, 12, 1, R, FOREIGN);
	fill_va(&f->other, BASE + PG, 12, 1, R, FOREIGN);
	fill_va(&f->s, BASE + 2 * PG, 12, 1, R, 0);
	tap_ok(foreign_released == 1 && !foreign_unlocked && f->other.nentries == 1,
	       "a foreign victim is released under its space's lock (%d released, %d unlocked)",
	       foreign_released, foreign_unlocked);
	tap_ok(atomic_read(&f->other.releasing) == 0 && atomic_read(&f->s.releasing) == 0,
	       "no release is left in flight after the insert returns");
	teardown(f);
}

static void test_same_pasid_and_nohold(void)
{
	struct fixture *f = setup(64, 0, 0);
	struct svm_tlb_space twin;
	struct svm_tlb_entry *e = svm_tlb_entry_alloc(GFP_KERNEL);
	unsigned long seq;
	int ret;

	/* PASID 5 released by f->s's mm and handed to another: */
	svm_tlb_space_init(&f->tlb, &twin, 5);
	fill_va(&twin, BASE, 12, 77, R, 0);
	tap_ok(!cached(&f->s, BASE) && cached(&twin, BASE),
	       "two spaces with one PASID value never see each other's entries");
	kill_space(&twin);

	svm_tlb_fill_begin(&f->s, BASE, 0, &seq);
	svm_tlb_entry_set(e, BASE, 12, 0, R, 0);
	ret = svm_tlb_insert(&f->s, e, seq, 0, NULL);
	tap_ok(ret == 0 && atomic_read(&e->users) == 0 && cached(&f->s, BASE),
	       "insert without a hold leaves the entry unheld");
	teardown(f);
}

static void test_reconfigure(void)
{
	struct fixture *f = setup(64, 0, 0);
	struct svm_tlb t;

	tap_ok(svm_tlb_reconfigure(&f->tlb, 8, 2, SVMSIM_REPL_LRU) == -EBUSY,
	       "reconfigure with spaces attached: -EBUSY");
	teardown(f);
	svm_tlb_init(&t, 64, 0, 0, &count_release_ops, NULL);
	tap_ok(svm_tlb_reconfigure(&t, 6, 2, 0) == -EINVAL &&
	       svm_tlb_reconfigure(&t, 8, 2, SVMSIM_REPL_LRU) == 0 && t.nsets == 8 &&
	       t.ways == 2 && t.policy == SVMSIM_REPL_LRU,
	       "reconfigure an idle TLB: bad geometry refused, good one applied");
	svm_tlb_destroy(&t);
}

struct holder {
	struct svm_tlb_space *s;
	volatile int held;
	int done;
};

static void *hold_entry(void *arg)
{
	struct holder *h = arg;
	struct svm_tlb_entry *e;

	rcu_register_thread();
	e = svm_tlb_lookup(h->s, BASE, R);
	__atomic_store_n(&h->held, 1, __ATOMIC_RELEASE);
	usleep(100000);
	__atomic_store_n(&h->done, 1, __ATOMIC_RELEASE);
	svm_tlb_put(e);
	rcu_unregister_thread();
	return NULL;
}

/*
 * Flush while another thread holds BASE's entry for 100 ms.  Return
 * whether that access had ended when the flush returned.
 */
static int flush_under_hold(struct fixture *f, const struct svm_tlb_flush_req *req,
			    struct svm_tlb_flush_res *res)
{
	struct holder h = { .s = &f->s };
	pthread_t t;
	int done;

	pthread_create(&t, NULL, hold_entry, &h);
	while (!__atomic_load_n(&h.held, __ATOMIC_ACQUIRE))
		sched_yield();
	svm_tlb_flush(&f->s, req, res);
	done = __atomic_load_n(&h.done, __ATOMIC_ACQUIRE);
	pthread_join(t, NULL);
	return done;
}

static void test_drain(void)
{
	struct fixture *f = setup(64, 0, 0);
	struct svm_tlb_flush_req req = { .start = BASE, .last = BASE + PG - 1 };
	struct svm_tlb_flush_res res;
	unsigned long before = __atomic_load_n(&released, __ATOMIC_RELAXED);
	int done;

	fill_pages(&f->s, BASE, 1);
	done = flush_under_hold(f, &req, &res);
	tap_ok(done && res.removed == 1 &&
	       __atomic_load_n(&released, __ATOMIC_RELAXED) == before + 1,
	       "a flush returns only after the access holding the entry ended");
	teardown(f);
}

/* A budgeted PASID-wide flush of many entries retires them; reclaim frees. */
static void test_retire(void)
{
	struct fixture *f = setup(4096, 0, 0);
	struct svm_tlb_range changed = { BASE + 7 * PG, BASE + 9 * PG - 1 };
	struct svm_tlb_flush_req req = {
		.start = 0, .last = ULONG_MAX, .budget = 16,
		.changed = &changed, .nchanged = 1,
	};
	struct svm_tlb_flush_res res;
	unsigned long n = 100000, before, left, steps = 0;
	u64 walks = space_counter(&f->s, SVMSIM_STAT_TLB_WALK_FLUSHES);

	fill_pages(&f->s, BASE, n);
	fill_pages(&f->other, BASE, 3);
	before = __atomic_load_n(&released, __ATOMIC_RELAXED);
	svm_tlb_flush(&f->s, &req, &res);
	tap_ok(res.removed == n && res.retired == n && res.collateral == n - 2 &&
	       !res.uncounted && res.full && !res.walked &&
	       __atomic_load_n(&released, __ATOMIC_RELAXED) == before &&
	       space_counter(&f->s, SVMSIM_STAT_TLB_WALK_FLUSHES) == walks,
	       "a budgeted whole flush of %lu entries retires them without a walk "
	       "or a release, collateral counted by probing the changed range (%lu)",
	       n, res.collateral);
	tap_ok(!cached(&f->s, BASE) && !cached(&f->s, BASE + (n - 1) * PG) &&
	       !svm_tlb_lookup(&f->s, BASE + 5 * PG, R) && f->s.nentries == 0 &&
	       svm_tlb_space_stale(&f->s) == n && cached(&f->other, BASE),
	       "retired entries are invisible at once; the other PASID keeps its own");
	tap_ok(fill_va(&f->s, BASE + 5 * PG, 12, 77, R, 0) == 0 &&
	       cached(&f->s, BASE + 5 * PG) && f->s.nentries == 1,
	       "a fill after the retirement caches the page again beside its stale twin");
	left = svm_tlb_space_reclaim(&f->s, 1000);
	tap_ok(left == n - 1000 &&
	       __atomic_load_n(&released, __ATOMIC_RELAXED) == before + 1000 &&
	       cached(&f->s, BASE + 5 * PG),
	       "a reclaim releases exactly its budget of stale entries (%lu left)", left);
	while (svm_tlb_space_reclaim(&f->s, 1000))
		steps++;
	tap_ok(svm_tlb_space_stale(&f->s) == 0 &&
	       __atomic_load_n(&released, __ATOMIC_RELAXED) == before + n &&
	       atomic_long_read(&f->tlb.nentries) == 1 + 3 && steps == n / 1000 - 2,
	       "bounded reclaims release every retired entry once, live ones stay");

	/* a range over the budget in both pages and entries escalates */
	fill_pages(&f->s, BASE + 10 * PG, 40);
	req = (struct svm_tlb_flush_req){ .start = BASE + 10 * PG,
					  .last = BASE + 40 * PG - 1, .budget = 8 };
	svm_tlb_flush(&f->s, &req, &res);
	tap_ok(res.retired == 41 && res.uncounted == 41 && res.full &&
	       !cached(&f->s, BASE + 45 * PG) && svm_tlb_space_stale(&f->s) == 41,
	       "a range flush that would probe and walk past its budget retires the "
	       "PASID (collateral not counted: %lu)", res.uncounted);
	teardown(f);
}

/* Give @e generation @gen, as if it had been inserted then. */
static void retag(struct svm_tlb_entry *e, unsigned long gen)
{
	e->pfn_gen = svm_tlb_entry_first_pfn(e) |
		     (u64)svm_tlb_gen_tag(gen) << SVM_TLB_PFN_BITS;
}

/*
 * A space never retires while its oldest stale entry is 2^22 gens old: an
 * entry keeps 24 bits of its generation.
 */
static void test_retire_generation_bound(void)
{
	const unsigned long span = 1ul << (SVM_TLB_GEN_BITS - 2);
	struct fixture *f = setup(64, 0, 0);
	struct svm_tlb_flush_req req = { .start = 0, .last = ULONG_MAX, .budget = 1 };
	struct svm_tlb_flush_res res;

	fill_pages(&f->s, BASE, 4);
	svm_tlb_flush(&f->s, &req, &res);
	fill_pages(&f->s, BASE, 4);
	f->s.gen += span;	/* as if 2^22 retirements went by */
	f->s.stale_gen = f->s.gen - span;
	/* re-tag the live entries with the moved generation */
	for (struct list_head *l = f->s.entries.next; l != &f->s.entries; l = l->next)
		retag(list_entry(l, struct svm_tlb_entry, snode), f->s.gen);
	svm_tlb_flush(&f->s, &req, &res);
	tap_ok(res.removed == 4 && res.retired == 0 && res.walked &&
	       svm_tlb_space_stale(&f->s) == 4,
	       "a space whose stale entries are 2^22 generations old walks instead "
	       "of retiring (24-bit generations never wrap onto a live one)");
	teardown(f);
}

static void test_limits(void)
{
	struct fixture *f = setup(64, 0, 0);
	struct svm_tlb_flush_req req = { .start = 0, .last = ULONG_MAX, .budget = 1 };
	struct svm_tlb_flush_res res;
	unsigned long before;

	svm_tlb_set_limits(&f->tlb, 8, 4);
	fill_pages(&f->s, BASE, 6);
	tap_ok(f->s.nentries == 4 && !cached(&f->s, BASE) && !cached(&f->s, BASE + PG) &&
	       cached(&f->s, BASE + 5 * PG) &&
	       space_counter(&f->s, SVMSIM_STAT_TLB_EVICTIONS) == 2,
	       "a space at its bound evicts its own oldest entries");
	svm_tlb_flush(&f->s, &req, &res);
	before = __atomic_load_n(&released, __ATOMIC_RELAXED);
	fill_pages(&f->s, BASE + 100 * PG, 2);
	tap_ok(f->s.nentries == 2 && svm_tlb_space_stale(&f->s) == 2 &&
	       __atomic_load_n(&released, __ATOMIC_RELAXED) == before + 2 &&
	       space_counter(&f->s, SVMSIM_STAT_TLB_EVICTIONS) == 2,
	       "stale entries go first, and are not counted as evictions");
	fill_pages(&f->other, BASE, 4);
	fill_pages(&f->s, BASE + 200 * PG, 2);
	tap_ok(atomic_long_read(&f->tlb.nentries) == 8 && f->other.nentries == 4,
	       "the table's bound holds: a full table makes each space evict its own");
	svm_tlb_set_limits(&f->tlb, 8, 0);
	while (svm_tlb_space_reclaim(&f->s, 16))
		;
	svm_tlb_flush(&f->s, &req, &res);
	while (svm_tlb_space_reclaim(&f->s, 16))
		;
	fill_pages(&f->other, BASE + 10 * PG, 4);
	fill_pages(&f->s, BASE, 1);
	tap_ok(f->s.nentries == 1 && atomic_long_read(&f->tlb.overflows) == 1 &&
	       atomic_long_read(&f->tlb.nentries) == 9,
	       "an empty space may still insert one entry past a full table (overflow)");
	teardown(f);
}

/* The fields packed into an entry read back whole, at the extremes. */
static void test_entry_fields(void)
{
	struct svm_tlb_entry *e = svm_tlb_entry_alloc(GFP_KERNEL);
	const unsigned long top_pfn = (1ul << SVM_TLB_PFN_BITS) - 1;

	tap_ok(sizeof(*e) == 64, "an entry is 64 bytes (%zu)", sizeof(*e));
	svm_tlb_entry_set(e, ~0ul, 12, top_pfn, RW, 0xff);
	e->pfn_gen |= (u64)SVM_TLB_GEN_MASK << SVM_TLB_PFN_BITS;
	tap_ok(svm_tlb_entry_start(e) == 0xfffffffffffff000ul && svm_tlb_entry_last(e) == ~0ul &&
	       svm_tlb_entry_shift(e) == 12 && svm_tlb_entry_perm(e) == RW &&
	       svm_tlb_entry_flags(e) == 0xff && svm_tlb_entry_first_pfn(e) == top_pfn &&
	       svm_tlb_entry_gen(e) == SVM_TLB_GEN_MASK &&
	       svm_tlb_entry_vpn(e) == (1ul << 52) - 1,
	       "the last 4K page: address, size, perm, flags, 40-bit PFN, generation");
	svm_tlb_entry_set(e, ~0ul, 21, 0, R, 0);
	tap_ok(svm_tlb_entry_start(e) == 0xffffffffffe00000ul && svm_tlb_entry_last(e) == ~0ul &&
	       svm_tlb_entry_shift(e) == 21 && svm_tlb_entry_perm(e) == R &&
	       !svm_tlb_entry_flags(e) && svm_tlb_entry_gen(e) == 0 &&
	       svm_tlb_entry_pfn(e, ~0ul) == 511,
	       "the last 2M page: its 4K pages' PFNs follow the first");
	svm_tlb_entry_free(e);
}

/* LRU stamps wrap at 32 bits: the oldest entry is still the victim across it. */
static void test_lru_stamp_wrap(void)
{
	struct fixture *f = setup(1, 2, SVMSIM_REPL_LRU);
	struct svm_tlb_entry *e;

	atomic_long_set(&f->tlb.clock, 0xfffffffdul);
	fill_pages(&f->s, BASE, 2);	/* stamps 0xfffffffe and 0xffffffff */
	e = svm_tlb_lookup(&f->s, BASE, R);	/* page 0 used last: stamp 0 */
	svm_tlb_put(e);
	fill_pages(&f->s, BASE + 2 * PG, 1);
	tap_ok(cached(&f->s, BASE) && !cached(&f->s, BASE + PG) && cached(&f->s, BASE + 2 * PG),
	       "LRU across the 32-bit wrap of the stamps evicts the least recently used");
	teardown(f);
}

/* A retirement waits for an access that holds an entry it retires. */
static void test_retire_drain(void)
{
	struct fixture *f = setup(64, 0, 0);
	struct svm_tlb_flush_req req = { .start = 0, .last = ULONG_MAX, .budget = 1 };
	struct svm_tlb_flush_res res;
	int done;

	fill_pages(&f->s, BASE, 4);
	done = flush_under_hold(f, &req, &res);
	tap_ok(done && res.retired == 4,
	       "a retirement returns only after the access holding an entry ended");
	teardown(f);
}

int main(void)
{
	rcu_register_thread();
	tlb_cache_create();
	test_entry_fields();
	test_lru_stamp_wrap();
	test_exact_ends();
	test_ulong_max();
	test_huge_flush_cost();
	test_second_flush_cheap();
	test_huge_entries();
	test_flush_bugs();
	test_stale_insert();
	test_in_progress();
	test_dead();
	test_upgrade();
	test_eviction();
	test_foreign_release();
	test_same_pasid_and_nohold();
	test_reconfigure();
	test_drain();
	test_retire();
	test_retire_generation_bound();
	test_limits();
	test_retire_drain();
	tlb_cache_destroy();
	rcu_unregister_thread();
	return tap_finish();
}
