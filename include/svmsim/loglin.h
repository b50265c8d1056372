/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear bucketing of non-negative integers (nanoseconds), shared by
 * the module's latency histograms (sub_bits = SVMSIM_HIST_SUB_BITS) and
 * svmbench's (more sub-buckets: at least two significant digits).
 *
 * Values below 2^sub_bits get a bucket each; above, every power of two
 * [2^e, 2^(e+1)) is cut into 2^sub_bits equal buckets, so a bucket's width
 * is at most 2^-sub_bits of its lower bound.  Values of 2^max_shift or more
 * share the last bucket.  Bucket count: (max_shift - sub_bits + 1) << sub_bits.
 */
#ifndef _SVMSIM_LOGLIN_H
#define _SVMSIM_LOGLIN_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
typedef uint64_t loglin_u64;
#endif

#ifdef __KERNEL__
typedef u64 loglin_u64;
#endif

static inline unsigned int loglin_nbuckets(unsigned int sub_bits, unsigned int max_shift)
{
	return (max_shift - sub_bits + 1) << sub_bits;
}

static inline unsigned int loglin_index(loglin_u64 v, unsigned int sub_bits,
					unsigned int max_shift)
{
	loglin_u64 sub = (loglin_u64)1 << sub_bits;
	unsigned int e;

	if (v < sub)
		return (unsigned int)v;
	if (v >> max_shift)
		return loglin_nbuckets(sub_bits, max_shift) - 1;
	e = 63 - (unsigned int)__builtin_clzll(v);
	return ((e - sub_bits + 1) << sub_bits) + (unsigned int)((v >> (e - sub_bits)) - sub);
}

/* Lower bound of bucket @i. */
static inline loglin_u64 loglin_lower(unsigned int i, unsigned int sub_bits)
{
	unsigned int sub = 1u << sub_bits;

	if (i < sub)
		return i;
	return (loglin_u64)(sub + (i & (sub - 1))) << ((i >> sub_bits) - 1);
}

/* Upper bound (exclusive) of bucket @i. */
static inline loglin_u64 loglin_upper(unsigned int i, unsigned int sub_bits)
{
	return loglin_lower(i + 1, sub_bits);
}

/*
 * The value a percentile of bucket @i reports: the middle of its integer
 * range [lower, upper - 1] (exact for the one-value buckets below
 * 2^sub_bits).
 */
static inline loglin_u64 loglin_mid(unsigned int i, unsigned int sub_bits)
{
	loglin_u64 lo = loglin_lower(i, sub_bits);

	return lo + (loglin_upper(i, sub_bits) - 1 - lo) / 2;
}

/* Parts per million of the samples: the unit of a percentile rank. */
#define LOGLIN_PPM	1000000u

/*
 * Nearest rank of the @ppm-th percentile of @count samples:
 * ceil(count * ppm / 1e6), at least 1; computed without overflow for any
 * 64-bit @count (count = q * 1e6 + r).
 */
static inline loglin_u64 loglin_rank(loglin_u64 count, unsigned int ppm)
{
	loglin_u64 q = count / LOGLIN_PPM, r = count % LOGLIN_PPM;
	loglin_u64 want = q * ppm + (r * ppm + LOGLIN_PPM - 1) / LOGLIN_PPM;

	return want ? want : 1;
}

/**
 * loglin_percentile() - the @ppm-th percentile of a log-linear histogram
 * @b: bucket counts.
 * @n: number of buckets.
 * @count: their sum (> 0).
 * @ppm: rank in parts per million (<= LOGLIN_PPM).
 * @sub_bits: the histogram's geometry.
 * @min: smallest sample.
 * @max: largest sample.
 *
 * Nearest rank: the bucket of the smallest sample with at least
 * loglin_rank() samples at or below it, reported as its middle, kept
 * within [min, max] so that exact ends stay exact.  The one definition the
 * module's debugfs, svmbench and the tests share.
 */
static inline loglin_u64 loglin_percentile(const loglin_u64 *b, unsigned int n,
					   loglin_u64 count, unsigned int ppm,
					   unsigned int sub_bits, loglin_u64 min,
					   loglin_u64 max)
{
	loglin_u64 want = loglin_rank(count, ppm), seen = 0, v;
	unsigned int i;

	for (i = 0; i + 1 < n; i++) {
		seen += b[i];
		if (seen >= want)
			break;
	}
	v = loglin_mid(i, sub_bits);
	if (v < min)
		v = min;
	if (v > max)
		v = max;
	return v;
}

#endif /* _SVMSIM_LOGLIN_H */
