// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of svmbench's log-linear histograms (bench/hist.c): percentiles
 * against a sorted array of random values, bucket precision, edge values
 * (0, 1, powers of two, 10 s and beyond), merge equals combined, the
 * empty histogram, the module's geometry, and per-thread histograms
 * merged after a parallel fill (the way svmbench uses them).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "svmsim/rng.h"
#include "svmsim/loglin.h"
#include "tap.h"
#include "uapi/svmsim.h"

TAP_DEFINE_STATE;

#define NRANDOM		200000
#define NTHREADS	4
#define PER_THREAD	50000

static const uint32_t pcts[] = { 0, HIST_P50, HIST_P90, HIST_P99, HIST_P999, 1000000 };

static struct hist *bench_hist(void)
{
	struct hist *h = hist_new(HIST_SUB_BITS, HIST_MAX_NS);

	if (!h)
		abort();
	return h;
}

/* Log-uniform over 1 ns .. 10 s, so every decade is exercised. */
static uint64_t random_latency(uint64_t *rng)
{
	double e = (double)rng_below(rng, 1000000) / 1000000.0 * log(1e10);

	return (uint64_t)exp(e);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile of sorted @v, as hist_percentile() defines it. */
static uint64_t exact_percentile(const uint64_t *v, size_t n, uint32_t ppm)
{
	size_t rank = (size_t)(((unsigned __int128)n * ppm + 999999) / 1000000);

	return v[rank ? rank - 1 : 0];
}

static bool same_hist(const struct hist *a, const struct hist *b)
{
	return a->nbuckets == b->nbuckets && a->count == b->count && a->sum == b->sum &&
	       a->sumsq == b->sumsq && a->min == b->min && a->max == b->max &&
	       !memcmp(a->buckets, b->buckets, a->nbuckets * sizeof(a->buckets[0]));
}

static void test_empty(void)
{
	struct hist *h = bench_hist();
	uint64_t p = 12345;
	double m = 1.5;
	bool any = false;

	for (unsigned int i = 0; i < h->nbuckets; i++)
		any |= h->buckets[i] != 0;
	tap_ok(h->count == 0 && !any, "a new histogram is empty");
	tap_ok(!hist_percentile(h, HIST_P50, &p) && p == 12345,
	       "an empty histogram has no percentile");
	tap_ok(!hist_mean(h, &m) && !hist_stdev(h, &m) && m == 1.5,
	       "an empty histogram has no mean and no stdev");
	hist_free(h);
}

static void test_small_values(void)
{
	struct hist *h = bench_hist();
	uint64_t p0 = 1, p100 = 0;
	bool exact = true;

	for (uint64_t v = 0; v < (1u << HIST_SUB_BITS); v++)
		exact &= hist_index(h, v) == v;
	tap_ok(exact, "values below 2^sub_bits have a bucket each");
	hist_add(h, 0);
	hist_add(h, 1);
	tap_ok(h->buckets[0] == 1 && h->buckets[1] == 1 && h->min == 0 && h->max == 1,
	       "0 and 1 land in buckets 0 and 1");
	tap_ok(hist_percentile(h, 0, &p0) && p0 == 0 && hist_percentile(h, 1000000, &p100) &&
	       p100 == 1, "p0 and p100 of {0, 1} are exact");
	hist_free(h);
}

/* Nearest rank on {10, 20, 30, 40}: rank ceil(q n), exact in one-value buckets. */
static void test_nearest_rank(void)
{
	static const struct { uint32_t ppm; uint64_t want; } cases[] = {
		{ 0, 10 }, { 250000, 10 }, { 250001, 20 }, { HIST_P50, 20 },
		{ 750000, 30 }, { 750001, 40 }, { 1000000, 40 },
	};
	struct hist *h = bench_hist();
	bool ok = true;

	hist_add(h, 30);
	hist_add(h, 10);
	hist_add(h, 40);
	hist_add(h, 20);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t got = 0;

		ok &= hist_percentile(h, cases[i].ppm, &got) && got == cases[i].want;
	}
	tap_ok(ok, "percentiles of {10, 20, 30, 40} follow the nearest rank");
	hist_free(h);
}

static void test_powers_of_two(void)
{
	struct hist *h = bench_hist();
	bool lower_ok = true, below_ok = true, width_ok = true;
	unsigned int i;

	for (unsigned int k = HIST_SUB_BITS; (1ull << k) <= HIST_MAX_NS; k++) {
		uint64_t v = 1ull << k;

		i = hist_index(h, v);
		lower_ok &= loglin_lower(i, HIST_SUB_BITS) == v;
		below_ok &= hist_index(h, v - 1) == i - 1 &&
			    loglin_upper(i - 1, HIST_SUB_BITS) == v;
		/* the widest bucket of each octave is its first: 2^k / 2^sub_bits */
		width_ok &= loglin_upper(i, HIST_SUB_BITS) - v == v >> HIST_SUB_BITS;
	}
	tap_ok(lower_ok, "2^k starts a bucket");
	tap_ok(below_ok, "2^k - 1 ends the bucket before");
	tap_ok(width_ok, "bucket width is 2^-sub_bits of its lower bound");
	hist_free(h);
}

static void test_limits(void)
{
	struct hist *h = bench_hist();
	unsigned int last = h->nbuckets - 1;
	uint64_t p = 0;

	tap_ok(hist_index(h, HIST_MAX_NS) == last && hist_index(h, HIST_MAX_NS - 1) <= last,
	       "10 s is in the last bucket");
	hist_add(h, HIST_MAX_NS);
	hist_add(h, HIST_MAX_NS + 1);
	hist_add(h, 1000 * HIST_MAX_NS);
	tap_ok(h->buckets[last] == 3 && h->count == 3,
	       "values beyond 10 s clamp into the last bucket and are counted");
	tap_ok(h->max == 1000 * HIST_MAX_NS && h->sum == 1002 * HIST_MAX_NS + 1,
	       "values beyond 10 s keep their max and sum");
	tap_ok(hist_percentile(h, 1000000, &p) && p <= h->max && p >= HIST_MAX_NS,
	       "p100 beyond 10 s stays within [10 s, max]");
	hist_free(h);
}

/* Every bucket's middle is within half a bucket: < 0.4% above 128 ns. */
static void test_precision(uint64_t *rng)
{
	struct hist *h = bench_hist();
	double worst = 0;

	for (int n = 0; n < 100000; n++) {
		uint64_t v = 128 + rng_below(rng, HIST_MAX_NS - 128), p = 0;

		hist_init(h, HIST_SUB_BITS, HIST_MAX_NS);
		hist_add(h, v);
		hist_add(h, loglin_upper(hist_index(h, v), HIST_SUB_BITS) - 1);
		hist_add(h, loglin_lower(hist_index(h, v), HIST_SUB_BITS));
		if (!hist_percentile(h, HIST_P50, &p))
			abort();
		worst = fmax(worst, fabs((double)p - (double)v) / (double)v);
	}
	tap_ok(worst <= 1.0 / 256, "a bucket's middle is within 1/256 of any value in it (worst %.5f)",
	       worst);
	hist_free(h);
}

static void test_random_percentiles(uint64_t *rng)
{
	uint64_t *v = malloc(NRANDOM * sizeof(*v));
	struct hist *h = bench_hist();
	long double sum = 0, sq = 0, mean;
	double m = 0, sd = 0;

	for (size_t i = 0; i < NRANDOM; i++) {
		v[i] = random_latency(rng);
		hist_add(h, v[i]);
		sum += v[i];
	}
	qsort(v, NRANDOM, sizeof(*v), cmp_u64);
	for (size_t k = 0; k < sizeof(pcts) / sizeof(pcts[0]); k++) {
		uint64_t want = exact_percentile(v, NRANDOM, pcts[k]), got = 0;

		tap_ok(hist_percentile(h, pcts[k], &got) && hist_index(h, got) == hist_index(h, want),
		       "p%g of %d random values: %llu is in the bucket of the exact %llu",
		       pcts[k] / 10000.0, NRANDOM, (unsigned long long)got,
		       (unsigned long long)want);
	}
	tap_ok(h->min == v[0] && h->max == v[NRANDOM - 1], "min and max are exact");
	mean = sum / NRANDOM;
	for (size_t i = 0; i < NRANDOM; i++)
		sq += ((long double)v[i] - mean) * ((long double)v[i] - mean);
	tap_ok(hist_mean(h, &m) && fabs(m - (double)mean) <= 1e-9 * (double)mean,
	       "mean is exact (%.1f vs %.1f)", m, (double)mean);
	tap_ok(hist_stdev(h, &sd) && fabs(sd - (double)sqrtl(sq / NRANDOM)) <= 1e-9 * sd,
	       "stdev is exact (%.1f vs %.1f)", sd, (double)sqrtl(sq / NRANDOM));
	free(v);
	hist_free(h);
}

static void test_merge(uint64_t *rng)
{
	struct hist *all = bench_hist(), *a = bench_hist(), *b = bench_hist(), *empty;
	struct hist *other = hist_new(4, HIST_KERNEL_MAX_NS);

	for (int i = 0; i < 50000; i++) {
		uint64_t v = random_latency(rng);

		hist_add(all, v);
		hist_add(rng_below(rng, 3) ? a : b, v);
	}
	tap_ok(hist_merge(a, b) == 0 && same_hist(a, all), "merge equals the combined histogram");
	empty = bench_hist();
	tap_ok(hist_merge(a, empty) == 0 && same_hist(a, all),
	       "merging an empty histogram changes nothing");
	tap_ok(hist_merge(empty, all) == 0 && same_hist(empty, all),
	       "merging into an empty histogram copies");
	tap_ok(hist_merge(all, other) == -EINVAL, "histograms of other geometry do not merge");
	hist_free(all);
	hist_free(a);
	hist_free(b);
	hist_free(empty);
	hist_free(other);
}

/* The module's histograms: same bucket math at SVMSIM_HIST_SUB_BITS. */
static void test_kernel_geometry(uint64_t *rng)
{
	struct hist *k = hist_new(SVMSIM_HIST_SUB_BITS, HIST_KERNEL_MAX_NS);
	uint64_t *buckets = calloc(SVMSIM_HIST_NBUCKETS, sizeof(*buckets));
	uint64_t sum = 0, p = 0;
	double sd;
	bool same = true;

	tap_ok(k->nbuckets == SVMSIM_HIST_NBUCKETS, "module geometry has %u buckets",
	       SVMSIM_HIST_NBUCKETS);
	for (int i = 0; i < 10000; i++) {
		uint64_t v = rng_next(rng) >> rng_below(rng, 64);
		unsigned int kb = loglin_index(v, SVMSIM_HIST_SUB_BITS, SVMSIM_HIST_MAX_SHIFT);

		same &= hist_index(k, v) == kb &&
			(kb == SVMSIM_HIST_NBUCKETS - 1 || svmsim_hist_lower(kb) <= v);
	}
	tap_ok(same, "bucket indices match the module's, including >= 2^36");
	buckets[hist_index(k, 1000)] = 3;
	buckets[hist_index(k, 5000)] = 1;
	sum = 3 * 1000 + 5000;
	tap_ok(hist_load(k, buckets, SVMSIM_HIST_NBUCKETS, 4, sum, 1000, 5000) == 0 &&
	       hist_percentile(k, HIST_P50, &p) && hist_index(k, p) == hist_index(k, 1000) &&
	       !hist_stdev(k, &sd), "a loaded module histogram: p50 right, no stdev");
	tap_ok(hist_load(k, buckets, SVMSIM_HIST_NBUCKETS - 1, 4, sum, 1000, 5000) == -EINVAL,
	       "loading a wrong bucket count fails");
	free(buckets);
	hist_free(k);
}

/* The shared rank and bucket math (loglin.h), at its edges. */
static void test_loglin_math(void)
{
	bool lower_same = true;

	tap_ok(loglin_nbuckets(SVMSIM_HIST_SUB_BITS, SVMSIM_HIST_MAX_SHIFT) ==
	       SVMSIM_HIST_NBUCKETS, "the UAPI bucket count is loglin's");
	for (unsigned int i = 0; i < SVMSIM_HIST_NBUCKETS; i++)
		lower_same &= svmsim_hist_lower(i) == loglin_lower(i, SVMSIM_HIST_SUB_BITS);
	tap_ok(lower_same, "the UAPI bucket lower bounds are loglin's");
	tap_ok(loglin_rank(0, HIST_P50) == 1 && loglin_rank(1, HIST_P50) == 1 &&
	       loglin_rank(3, HIST_P50) == 2 && loglin_rank(4, HIST_P50) == 2 &&
	       loglin_rank(100, HIST_P99) == 99 && loglin_rank(101, HIST_P99) == 100,
	       "nearest rank: ceil(count * p), at least 1");
	tap_ok(loglin_rank(UINT64_MAX, LOGLIN_PPM) == UINT64_MAX &&
	       loglin_rank(UINT64_MAX, HIST_P50) == UINT64_MAX / 2 + 1,
	       "nearest rank does not overflow at 2^64 - 1 samples");
	tap_ok(loglin_mid(3, 4) == 3 && loglin_mid(16, 4) == 16 && loglin_mid(32, 4) == 32 &&
	       loglin_mid(48, 4) == 65, "a bucket's middle: exact below 2^sub_bits, "
	       "[lower, upper - 1] halved above");
}

struct filler {
	pthread_t thread;
	uint64_t seed;
	struct hist *h;
};

static void *fill_thread(void *arg)
{
	struct filler *f = arg;
	uint64_t rng = f->seed;

	for (int i = 0; i < PER_THREAD; i++)
		hist_add(f->h, random_latency(&rng));
	return NULL;
}

static void test_threads(void)
{
	struct filler f[NTHREADS];
	struct hist *merged = bench_hist(), *serial = bench_hist();
	bool ok = true;

	for (int t = 0; t < NTHREADS; t++) {
		f[t].seed = rng_seed(7, t);
		f[t].h = bench_hist();
		ok &= !pthread_create(&f[t].thread, NULL, fill_thread, &f[t]);
	}
	for (int t = 0; t < NTHREADS; t++) {
		uint64_t rng = f[t].seed;

		ok &= !pthread_join(f[t].thread, NULL);
		ok &= !hist_merge(merged, f[t].h);
		for (int i = 0; i < PER_THREAD; i++)
			hist_add(serial, random_latency(&rng));
		hist_free(f[t].h);
	}
	tap_ok(ok && same_hist(merged, serial) && merged->count == NTHREADS * PER_THREAD,
	       "per-thread histograms merged equal one filled serially");
	hist_free(merged);
	hist_free(serial);
}

int main(void)
{
	uint64_t rng = rng_seed(42, 0);

	test_empty();
	test_small_values();
	test_nearest_rank();
	test_powers_of_two();
	test_limits();
	test_precision(&rng);
	test_random_percentiles(&rng);
	test_merge(&rng);
	test_kernel_geometry(&rng);
	test_loglin_math();
	test_threads();
	return tap_finish();
}
