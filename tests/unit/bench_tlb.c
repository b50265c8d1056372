// SPDX-License-Identifier: GPL-2.0
/*
 * Micro-benchmark of the IOTLB core in user space (make bench-tlb):
 *  - the size of an entry; inserts (allocate, sample, insert) of 1e5 entries;
 *  - hit lookups per second, 1 and 2 threads;
 *  - flush of [0, 2^47) with 1e3, 1e4, 1e5 entries cached: the cost must
 *    follow the entries, not the 2^35 pages of the range;
 *  - flush of one cached page with 10 and with 1e6 entries cached;
 *  - the whole-space flush with a budget of 1024 (the module's default),
 *    which retires the PASID in O(CPUs) above 1024 entries: 10 to 1e6
 *    entries, walked and retired runs interleaved, and the reclaim that
 *    then releases the retired entries (off the callback path).
 * Medians of repeated runs; the machine is shared and noisy, so compare
 * the ratios, not the absolute numbers.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlb_util.h"

#define BASE	0x100000000ul
#define REPS	7

struct table {
	struct svm_tlb tlb;
	struct svm_tlb_space s;
};

static struct table *table_new(unsigned int sets)
{
	struct table *t = calloc(1, sizeof(*t));

	if (svm_tlb_init(&t->tlb, sets, 0, SVMSIM_REPL_CLOCK, NULL, NULL))
		abort();
	svm_tlb_space_init(&t->tlb, &t->s, 1);
	return t;
}

static void table_free(struct table *t)
{

	kill_space(&t->s);
	svm_tlb_destroy(&t->tlb);
	free(t);
}

static void fill(struct table *t, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (fill_va(&t->s, BASE + i * 4096, 12, i, SVMSIM_PERM_READ, 0))
			abort();
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

struct hitter {
	struct table *t;
	unsigned long n;
	double seconds;
	unsigned long done;
};

static void *hit_loop(void *arg)
{
	struct hitter *h = arg;
	uint64_t rng = (uint64_t)(uintptr_t)h | 1;
	double end;

	rcu_register_thread();
	end = now_sec() + h->seconds;
	while (now_sec() < end) {
		for (int i = 0; i < 1024; i++) {
			struct svm_tlb_entry *e = svm_tlb_lookup(&h->t->s,
				BASE + rng_below(&rng, h->n) * 4096, SVMSIM_PERM_READ);

			svm_tlb_put(e);
		}
		h->done += 1024;
	}
	rcu_unregister_thread();
	return NULL;
}

/* One second of random hits over 1e4 entries by @threads threads: lookups/s. */
static double hit_rate(struct table *t, int threads)
{
	struct hitter h[2];
	pthread_t tid[2];
	unsigned long total = 0;

	for (int i = 0; i < threads; i++) {
		h[i] = (struct hitter){ .t = t, .n = 10000, .seconds = 1.0 };
		pthread_create(&tid[i], NULL, hit_loop, &h[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		total += h[i].done;
	}
	return (double)total;
}

/* The median of three rounds, after one untimed round to warm the caches. */
static void bench_hits(int threads)
{
	struct table *t = table_new(1 << 16);
	double rate[3];

	fill(t, 10000);
	hit_rate(t, threads);
	for (int r = 0; r < 3; r++)
		rate[r] = hit_rate(t, threads);
	printf("hit lookups, %d thread%s, 1e4 entries:   %8.2f M/s (%.1f ns/lookup/thread)\n",
	       threads, threads > 1 ? "s" : " ", median(rate, 3) / 1e6,
	       threads * 1e9 / median(rate, 3));
	table_free(t);
}

/* Fill 1e5 entries into an empty table: ns per fill (allocation included). */
static void bench_insert(void)
{
	const unsigned long n = 100000;
	double ns[REPS];

	for (int r = 0; r < REPS; r++) {
		struct table *t = table_new(1 << 16);
		double t0 = now_sec();

		fill(t, n);
		ns[r] = (now_sec() - t0) * 1e9 / n;
		table_free(t);
	}
	printf("entry: %zu bytes; insert, 1e5 entries: %8.1f ns/entry\n",
	       sizeof(struct svm_tlb_entry), median(ns, REPS));
}

static void bench_huge_flush(unsigned long n)
{
	double us[REPS];
	struct svm_tlb_flush_res res;

	for (int r = 0; r < REPS; r++) {
		struct table *t = table_new(1 << 16);
		double t0;

		fill(t, n);
		t0 = now_sec();
		flush_range(&t->s, 0, (1ul << 47) - 1, &res);
		us[r] = (now_sec() - t0) * 1e6;
		if (res.removed != n)
			abort();
		table_free(t);
	}
	printf("flush [0, 2^47), %7lu entries:    %10.1f us  (%.1f ns/entry)\n", n,
	       median(us, REPS), median(us, REPS) * 1e3 / n);
}

/* Median cost of a whole flush of @n entries with budget @budget, in us. */
static double whole_flush_us(unsigned long n, unsigned long budget, double *reclaim_us)
{
	struct svm_tlb_flush_req req = { .start = 0, .last = ULONG_MAX, .budget = budget };
	struct svm_tlb_flush_res res;
	double us[REPS], rec[REPS];

	for (int r = 0; r < REPS; r++) {
		struct table *t = table_new(1 << 16);
		double t0;

		fill(t, n);
		t0 = now_sec();
		svm_tlb_flush(&t->s, &req, &res);
		us[r] = (now_sec() - t0) * 1e6;
		if (res.removed != n)
			abort();
		t0 = now_sec();
		while (svm_tlb_space_reclaim(&t->s, 256))
			;
		rec[r] = (now_sec() - t0) * 1e6;
		table_free(t);
	}
	*reclaim_us = median(rec, REPS);
	return median(us, REPS);
}

static void bench_retire(void)
{
	static const unsigned long ns[] = { 10, 1000, 100000, 1000000 };
	double walk[4], retire[4], rec_walk, rec[4];

	for (int i = 0; i < 4; i++) {
		walk[i] = whole_flush_us(ns[i], 0, &rec_walk);
		retire[i] = whole_flush_us(ns[i], 1024, &rec[i]);
	}
	for (int i = 0; i < 4; i++)
		printf("whole flush, %7lu cached: walk %10.1f us, budget 1024 %8.1f us "
		       "(then reclaimed in %.0f us)\n", ns[i], walk[i], retire[i], rec[i]);
	printf("budget 1024: 1e6 entries cost %.2fx 10 entries (walk: %.0fx)\n",
	       retire[3] / retire[0], walk[3] / walk[0]);
}

static void bench_page_flush(unsigned long n)
{
	struct table *t = table_new(1 << 16);
	struct svm_tlb_flush_res res;
	double ns[REPS];
	const int k = 2000;

	fill(t, n);
	for (int r = 0; r < REPS; r++) {
		double spent = 0;

		for (int i = 0; i < k; i++) {
			unsigned long va = BASE + (unsigned long)(i % n) * 4096;
			double t0 = now_sec();

			flush_range(&t->s, va, va + 4095, &res);
			spent += now_sec() - t0;
			fill_va(&t->s, va, 12, 1, SVMSIM_PERM_READ, 0);	/* untimed */
		}
		ns[r] = spent * 1e9 / k;
	}
	printf("flush of one cached page, %7lu cached: %8.0f ns\n", n, median(ns, REPS));
	table_free(t);
}

int main(void)
{
	rcu_register_thread();
	tlb_cache_create();
	bench_insert();
	bench_hits(1);
	bench_hits(2);
	bench_huge_flush(1000);
	bench_huge_flush(10000);
	bench_huge_flush(100000);
	bench_page_flush(10);
	bench_page_flush(1000000);
	bench_retire();
	tlb_cache_destroy();
	rcu_unregister_thread();
	return 0;
}
