/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the user-space tests of the IOTLB core (drv/tlb.c).
 */
#ifndef _SVMSIM_TLB_UTIL_H
#define _SVMSIM_TLB_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "svmsim/rng.h"
#include "svmsim/tlb.h"

static inline double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline uint64_t space_counter(struct svm_tlb_space *s, unsigned int idx)
{
	u64 c[SVM_TLB_NR_COUNTERS];

	svm_tlb_read_counters(&s->stats, c);
	return c[idx];
}

/*
 * Fill @va of @s as the driver does: sample the sequence, "walk", insert.
 * Returns svm_tlb_insert()'s result; on 0/-EEXIST the hold is dropped and
 * *@out (if given) is the entry cached -- to be used only while nothing
 * can remove it (single-threaded tests).
 */
static inline int fill_entry(struct svm_tlb_space *s, unsigned long va,
			     unsigned int shift, unsigned long pfn, unsigned int perm,
			     unsigned int flags, struct svm_tlb_entry **out)
{
	struct svm_tlb_entry *e, *got;
	unsigned long seq;
	int ret;

	ret = svm_tlb_fill_begin(s, va, 0, &seq);
	if (ret)
		return ret;
	e = svm_tlb_entry_alloc(GFP_KERNEL);
	if (!e)
		abort();
	svm_tlb_entry_set(e, va, shift, pfn, perm, flags);
	ret = svm_tlb_insert(s, e, seq, 0, &got);
	if (ret == 0 || ret == -EEXIST) {
		svm_tlb_put(got);
		if (out)
			*out = got;
	}
	if (ret)
		svm_tlb_entry_free(e);
	return ret;
}

static inline int fill_va(struct svm_tlb_space *s, unsigned long va,
			  unsigned int shift, unsigned long pfn, unsigned int perm,
			  unsigned int flags)
{
	return fill_entry(s, va, shift, pfn, perm, flags, NULL);
}

/* The entry cache of the core, as the module creates it at init. */
static inline void tlb_cache_create(void)
{
	if (svm_tlb_cache_create())
		abort();
}

/* ... and destroys it at exit, once the deferred frees have run. */
static inline void tlb_cache_destroy(void)
{
	rcu_barrier();
	svm_tlb_cache_destroy();
}

/* A release hook that counts, for tests that check every entry is freed. */
static unsigned long released __attribute__((unused));

static inline void count_release(struct svm_tlb *tlb, struct svm_tlb_entry *e)
{
	(void)tlb;
	(void)e;
	__atomic_fetch_add(&released, 1, __ATOMIC_RELAXED);
}

static const struct svm_tlb_ops count_release_ops __attribute__((unused)) = {
	.release = count_release,
};

/* Tear a space down as an owner does: kill, reclaim all, detach, free. */
static inline void kill_space(struct svm_tlb_space *s)
{
	struct svm_tlb_flush_res res;

	svm_tlb_space_kill(s, &res);
	while (svm_tlb_space_reclaim(s, 64))
		;
	svm_tlb_space_detach(s);
	svm_tlb_space_free(s);
}

static inline void flush_range(struct svm_tlb_space *s, unsigned long start,
			       unsigned long last, struct svm_tlb_flush_res *res)
{
	struct svm_tlb_flush_req req = { .start = start, .last = last };

	svm_tlb_flush(s, &req, res);
}

#endif /* _SVMSIM_TLB_UTIL_H */
