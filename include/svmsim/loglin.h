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

#endif /* _SVMSIM_LOGLIN_H */
