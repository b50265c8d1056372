/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear latency histograms (include/svmsim/loglin.h bucketing).
 *
 * svmbench's own histograms keep HIST_SUB_BITS sub-buckets per power of two
 * (relative bucket width <= 1/128: better than two significant digits) from
 * 0 to HIST_MAX_NS; larger values share the last bucket but still count in
 * max, the sum and the sum of squares.  The same code reads the module's
 * coarser histograms (SVMSIM_HIST_SUB_BITS) so that percentiles of both
 * are computed one way.
 *
 * A histogram is one allocation (buckets inline) so that it can live in
 * memory shared with a baseline peer process.  Not thread safe: give each
 * thread its own and merge.
 */
#ifndef _SVMBENCH_HIST_H
#define _SVMBENCH_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BITS	7
#define HIST_MAX_NS	10000000000ull	/* 10 s */

/* The module's geometry: its last bucket holds 2^SVMSIM_HIST_MAX_SHIFT ns and up. */
#define HIST_KERNEL_MAX_NS	((1ull << 36) - 1)

/* Percentiles, in parts per million. */
#define HIST_P50	500000u
#define HIST_P90	900000u
#define HIST_P99	990000u
#define HIST_P999	999000u

struct hist {
	unsigned int sub_bits;
	unsigned int nbuckets;
	uint64_t max_value;	/* values above share the last bucket */
	uint64_t count;
	uint64_t sum;
	uint64_t min;
	uint64_t max;
	unsigned __int128 sumsq;
	bool has_sumsq;		/* false once a histogram without it is merged in */
	uint64_t buckets[];
};

size_t hist_bytes(unsigned int sub_bits, uint64_t max_value);
struct hist *hist_init(void *mem, unsigned int sub_bits, uint64_t max_value);
struct hist *hist_new(unsigned int sub_bits, uint64_t max_value);
void hist_free(struct hist *h);

unsigned int hist_index(const struct hist *h, uint64_t v);
void hist_add(struct hist *h, uint64_t v);
int hist_merge(struct hist *dst, const struct hist *src);
int hist_load(struct hist *h, const uint64_t *buckets, unsigned int nbuckets,
	      uint64_t count, uint64_t sum, uint64_t min, uint64_t max);

/* Each returns false, and leaves *out alone, when there is nothing to say. */
bool hist_percentile(const struct hist *h, uint32_t ppm, uint64_t *out);
bool hist_mean(const struct hist *h, double *out);
bool hist_stdev(const struct hist *h, double *out);

#endif /* _SVMBENCH_HIST_H */
