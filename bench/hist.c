// SPDX-License-Identifier: GPL-2.0
/*
 * Log-linear latency histograms: see hist.h.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "svmsim/loglin.h"

/* loglin's own clamp sits above any value we clamp to max_value first. */
#define HIST_NO_SHIFT_CLAMP	63

static unsigned int hist_geometry_nbuckets(unsigned int sub_bits, uint64_t max_value)
{
	return loglin_index(max_value, sub_bits, HIST_NO_SHIFT_CLAMP) + 1;
}

size_t hist_bytes(unsigned int sub_bits, uint64_t max_value)
{
	return sizeof(struct hist) +
	       hist_geometry_nbuckets(sub_bits, max_value) * sizeof(uint64_t);
}

/* @mem: hist_bytes() of zeroed or reusable memory. */
struct hist *hist_init(void *mem, unsigned int sub_bits, uint64_t max_value)
{
	struct hist *h = mem;

	memset(h, 0, hist_bytes(sub_bits, max_value));
	h->sub_bits = sub_bits;
	h->nbuckets = hist_geometry_nbuckets(sub_bits, max_value);
	h->max_value = max_value;
	h->has_sumsq = true;
	return h;
}

struct hist *hist_new(unsigned int sub_bits, uint64_t max_value)
{
	void *mem = malloc(hist_bytes(sub_bits, max_value));

	return mem ? hist_init(mem, sub_bits, max_value) : NULL;
}

void hist_free(struct hist *h)
{
	free(h);
}

unsigned int hist_index(const struct hist *h, uint64_t v)
{
	if (v > h->max_value)
		v = h->max_value;
	return loglin_index(v, h->sub_bits, HIST_NO_SHIFT_CLAMP);
}

void hist_add(struct hist *h, uint64_t v)
{
	h->buckets[hist_index(h, v)]++;
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
	h->sumsq += (unsigned __int128)v * v;
}

static bool hist_same_geometry(const struct hist *a, const struct hist *b)
{
	return a->sub_bits == b->sub_bits && a->nbuckets == b->nbuckets &&
	       a->max_value == b->max_value;
}

/* dst += src.  -EINVAL if their buckets differ. */
int hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned int i;

	if (!hist_same_geometry(dst, src))
		return -EINVAL;
	if (!src->count)
		return 0;
	for (i = 0; i < dst->nbuckets; i++)
		dst->buckets[i] += src->buckets[i];
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	dst->sumsq += src->sumsq;
	dst->has_sumsq = dst->has_sumsq && src->has_sumsq;
	return 0;
}

/*
 * Replace @h by a histogram read elsewhere (the module's), which keeps no
 * sum of squares: its standard deviation is unknown from then on.
 */
int hist_load(struct hist *h, const uint64_t *buckets, unsigned int nbuckets,
	      uint64_t count, uint64_t sum, uint64_t min, uint64_t max)
{
	if (nbuckets != h->nbuckets)
		return -EINVAL;
	memcpy(h->buckets, buckets, nbuckets * sizeof(*buckets));
	h->count = count;
	h->sum = sum;
	h->min = min;
	h->max = max;
	h->sumsq = 0;
	h->has_sumsq = !count;
	return 0;
}

/* loglin_percentile(): the one definition the module and the tests share. */
bool hist_percentile(const struct hist *h, uint32_t ppm, uint64_t *out)
{
	if (!h->count || ppm > LOGLIN_PPM)
		return false;
	*out = loglin_percentile(h->buckets, h->nbuckets, h->count, ppm, h->sub_bits,
				 h->min, h->max);
	return true;
}

bool hist_mean(const struct hist *h, double *out)
{
	if (!h->count)
		return false;
	*out = (double)h->sum / (double)h->count;
	return true;
}

/*
 * Population standard deviation from the exact running sums:
 * n^2 var = n sumsq - sum^2, in integers while n sumsq fits 128 bits (no
 * cancellation), else in long double.
 */
bool hist_stdev(const struct hist *h, double *out)
{
	const unsigned __int128 max128 = ~(unsigned __int128)0;
	long double n = (long double)h->count, var;

	if (!h->count || !h->has_sumsq)
		return false;
	if (h->sumsq <= max128 / h->count) {
		unsigned __int128 d = h->sumsq * h->count -
				      (unsigned __int128)h->sum * h->sum;

		var = (long double)d / (n * n);
	} else {
		long double mean = (long double)h->sum / n;

		var = (long double)h->sumsq / n - mean * mean;
	}
	*out = var > 0 ? (double)sqrtl(var) : 0.0;
	return true;
}
