// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: statistics -- counters per device and per bond, log-linear
 * latency histograms per device (each invalidation callback by event and
 * by range size, fills, queued flushes), and the STATS and HIST ioctls
 * that read them.  Who shows them elsewhere: debugfs.c (the debugfs
 * files), trace.c (the tracepoints).
 */
#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "svmsim.h"
#include "svmsim/loglin.h"

#include "trace.h"

/**
 * svmsim_counters_init() - allocate per-CPU counters, zeroed
 * @c: the counters.
 *
 * Return: 0 or -ENOMEM.
 */
int svmsim_counters_init(struct svmsim_counters *c)
{
	c->pcpu = svmsim_alloc_fails() ? NULL : alloc_percpu(struct svmsim_pcpu_counters);
	if (!c->pcpu)
		return -ENOMEM;
	svmsim_obj_add(SVMSIM_OBJ_PCPU, 1);
	return 0;
}

/**
 * svmsim_counters_free() - free them (NULL is fine)
 * @c: the counters.
 */
void svmsim_counters_free(struct svmsim_counters *c)
{
	if (c->pcpu)
		svmsim_obj_add(SVMSIM_OBJ_PCPU, -1);
	free_percpu(c->pcpu);
	c->pcpu = NULL;
}

/**
 * svmsim_hist_add() - record a latency
 * @h: the histogram.
 * @ns: nanoseconds.
 */
void svmsim_hist_add(struct svmsim_lathist *h, u64 ns)
{
	s64 old;

	atomic64_inc(&h->b[loglin_index(ns, SVMSIM_HIST_SUB_BITS, SVMSIM_HIST_MAX_SHIFT)]);
	atomic64_add(ns, &h->sum);
	/* min is stored plus one: 0 means empty */
	old = atomic64_read(&h->min);
	while ((!old || ns + 1 < (u64)old) && !atomic64_try_cmpxchg(&h->min, &old, ns + 1))
		;
	old = atomic64_read(&h->max);
	while (ns > (u64)old && !atomic64_try_cmpxchg(&h->max, &old, ns))
		;
}

static void svmsim_hist_reset(struct svmsim_lathist *h)
{
	unsigned int i;

	for (i = 0; i < SVMSIM_HIST_NBUCKETS; i++)
		atomic64_set(&h->b[i], 0);
	atomic64_set(&h->sum, 0);
	atomic64_set(&h->min, 0);
	atomic64_set(&h->max, 0);
}

/**
 * svmsim_hist_snapshot() - read a histogram
 * @h: the histogram.
 * @buckets: out: its first @n bucket counts (NULL if @n is 0).
 * @n: at most SVMSIM_HIST_NBUCKETS.
 * @q: out: count, sum_ns, min_ns and max_ns (the HIST ioctl's fields).
 *
 * Updates may race the read: the count is the sum of the buckets read
 * (@n of them, the rest read as well), so a percentile of @buckets is
 * consistent with it.
 */
void svmsim_hist_snapshot(struct svmsim_lathist *h, u64 *buckets, unsigned int n,
			  struct svmsim_hist *q)
{
	unsigned int i;
	s64 min;
	u64 v;

	q->count = 0;
	for (i = 0; i < SVMSIM_HIST_NBUCKETS; i++) {
		v = atomic64_read(&h->b[i]);
		if (i < n)
			buckets[i] = v;
		q->count += v;
	}
	q->sum_ns = atomic64_read(&h->sum);
	min = atomic64_read(&h->min);
	q->min_ns = min ? min - 1 : 0;
	q->max_ns = atomic64_read(&h->max);
}

static unsigned int svmsim_size_class(unsigned long start, unsigned long last)
{
	unsigned long pages = (last >> PAGE_SHIFT) - (start >> PAGE_SHIFT) + 1;

	if ((!start && last == ULONG_MAX) || pages >= (TASK_SIZE_MAX >> PAGE_SHIFT))
		return SVMSIM_SZ_FULL;
	if (pages == 1)
		return SVMSIM_SZ_1;
	if (pages <= 8)
		return SVMSIM_SZ_2_8;
	if (pages <= 64)
		return SVMSIM_SZ_9_64;
	if (pages <= 512)
		return SVMSIM_SZ_65_512;
	if (pages <= 4096)
		return SVMSIM_SZ_513_4096;
	return SVMSIM_SZ_4097_UP;
}

static void svmsim_ev_add(struct svmsim_counters *c, unsigned int event,
			  const struct svm_tlb_flush_res *res)
{
	this_cpu_inc(c->pcpu->ev_calls[event]);
	if (res->removed)
		this_cpu_add(c->pcpu->ev_entries[event], res->removed);
	if (res->collateral)
		this_cpu_add(c->pcpu->ev_collateral[event], res->collateral);
}

/**
 * svmsim_record_flush() - account one invalidation callback
 * @b: the bond.
 * @event: enum svmsim_event.
 * @start: first address flushed.
 * @last: last address flushed.
 * @res: what the flush removed.
 * @ns: the callback's latency.
 */
void svmsim_record_flush(struct svmsim_bond *b, unsigned int event,
			 unsigned long start, unsigned long last,
			 const struct svm_tlb_flush_res *res, u64 ns)
{
	struct svmsim_dev *dev = b->dev;

	if (event >= SVMSIM_EV_NR)
		event = SVMSIM_EV_OTHER;
	svmsim_count(b, SVMSIM_STAT_INV_CALLS, 1);
	if (!res->removed)
		svmsim_count(b, SVMSIM_STAT_INV_EMPTY, 1);
	svmsim_ev_add(&b->stats, event, res);
	svmsim_ev_add(&dev->stats, event, res);
	svmsim_hist_add(&dev->hists->ev[event], ns);
	svmsim_hist_add(&dev->hists->sz[svmsim_size_class(start, last)], ns);
	trace_svmsim_invalidate(dev->index, b->pasid, start, last, event,
				res->removed, res->collateral, ns);
}

/* Sum the CPUs' counters into @st. */
static void svmsim_counters_sum(struct svmsim_counters *c, struct svmsim_stats *st)
{
	struct svmsim_pcpu_counters *p;
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		p = per_cpu_ptr(c->pcpu, cpu);
		for (i = 0; i < SVMSIM_STAT_NR; i++)
			st->counters[i] += READ_ONCE(p->c[i]);
		for (i = 0; i < SVMSIM_EV_NR; i++) {
			st->ev_calls[i] += READ_ONCE(p->ev_calls[i]);
			st->ev_entries[i] += READ_ONCE(p->ev_entries[i]);
			st->ev_collateral[i] += READ_ONCE(p->ev_collateral[i]);
		}
	}
}

/* A current value (UAPI "(gauge)"): a reset leaves it alone. */
static bool svmsim_stat_is_gauge(unsigned int i)
{
	return i == SVMSIM_STAT_TLB_ENTRIES || i == SVMSIM_STAT_TLB_ENTRIES_2M ||
	       i == SVMSIM_STAT_TLB_STALE || i == SVMSIM_STAT_PINNED_PAGES ||
	       i == SVMSIM_STAT_WINDOW_PAGES;
}

/*
 * Zero them, but for the gauges (PINNED_PAGES, WINDOW_PAGES), never written here:
 * saving and restoring it around a memset lost a racing pin or unpin of
 * that CPU for good (the fuzzer found the gauge off by one).  A counter
 * zeroed while another CPU adds to it may still lose that one update.
 */
static void svmsim_counters_zero(struct svmsim_counters *c)
{
	struct svmsim_pcpu_counters *p;
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		p = per_cpu_ptr(c->pcpu, cpu);
		for (i = 0; i < SVMSIM_STAT_NR; i++)
			if (!svmsim_stat_is_gauge(i))
				WRITE_ONCE(p->c[i], 0);
		memset(p->ev_calls, 0, sizeof(p->ev_calls));
		memset(p->ev_entries, 0, sizeof(p->ev_entries));
		memset(p->ev_collateral, 0, sizeof(p->ev_collateral));
	}
}

/**
 * svmsim_stats_read() - fill @st from a bond or the device
 * @dev: the device.
 * @b: the bond, or NULL for the device.
 * @st: out: counters, event tallies, ncounters and nevents.
 */
void svmsim_stats_read(struct svmsim_dev *dev, struct svmsim_bond *b,
			      struct svmsim_stats *st)
{
	struct svmsim_counters *c = b ? &b->stats : &dev->stats;
	u64 tlb[SVM_TLB_NR_COUNTERS];
	unsigned int i;

	svm_tlb_read_counters(b ? &b->space.stats : &dev->tlb.stats, tlb);
	svmsim_counters_sum(c, st);
	for (i = 0; i < SVM_TLB_NR_COUNTERS; i++)
		st->counters[i] = tlb[i];
	st->counters[SVMSIM_STAT_TLB_ENTRIES] = b ? READ_ONCE(b->space.nentries) :
					       atomic_long_read(&dev->tlb.nentries);
	st->counters[SVMSIM_STAT_TLB_ENTRIES_2M] = b ? READ_ONCE(b->space.n2m) :
						  atomic_long_read(&dev->tlb.n2m);
	st->counters[SVMSIM_STAT_TLB_STALE] = b ? svm_tlb_space_stale(&b->space) :
					     atomic_long_read(&dev->tlb.nstale);
	st->ncounters = SVMSIM_STAT_NR;
	st->nevents = SVMSIM_EV_NR;
}

/**
 * svmsim_stats_reset() - zero the counters (not gauges) of a bond or the device
 * @dev: the device (its histograms too when @b is NULL).
 * @b: the bond, or NULL.
 */
void svmsim_stats_reset(struct svmsim_dev *dev, struct svmsim_bond *b)
{
	struct svmsim_counters *c = b ? &b->stats : &dev->stats;
	unsigned int i;

	svm_tlb_reset_counters(b ? &b->space.stats : &dev->tlb.stats);
	svmsim_counters_zero(c);
	if (b)
		return;
	for (i = 0; i < SVMSIM_EV_NR; i++)
		svmsim_hist_reset(&dev->hists->ev[i]);
	for (i = 0; i < SVMSIM_SZ_NR; i++)
		svmsim_hist_reset(&dev->hists->sz[i]);
	svmsim_hist_reset(&dev->hists->fill);
	svmsim_hist_reset(&dev->hists->queue);
}

/**
 * svmsim_stats_copy() - answer STATS from counters kept in a record
 * @dst: out: counters, event tallies, ncounters and nevents.
 * @src: the kept counters.
 * @reset: then zero @src's counters (not gauges).
 */
void svmsim_stats_copy(struct svmsim_stats *dst, struct svmsim_stats *src, bool reset)
{
	unsigned int i;

	memcpy(dst->counters, src->counters, sizeof(dst->counters));
	memcpy(dst->ev_calls, src->ev_calls, sizeof(dst->ev_calls));
	memcpy(dst->ev_entries, src->ev_entries, sizeof(dst->ev_entries));
	memcpy(dst->ev_collateral, src->ev_collateral, sizeof(dst->ev_collateral));
	dst->ncounters = src->ncounters;
	dst->nevents = src->nevents;
	if (!reset)
		return;
	for (i = 0; i < SVMSIM_STAT_NR; i++)
		if (!svmsim_stat_is_gauge(i))
			src->counters[i] = 0;
	memset(src->ev_calls, 0, sizeof(src->ev_calls));
	memset(src->ev_entries, 0, sizeof(src->ev_entries));
	memset(src->ev_collateral, 0, sizeof(src->ev_collateral));
}

/**
 * svmsim_ioctl_stats() - SVMSIM_IOC_STATS
 * @f: the file.
 * @arg: struct svmsim_stats.
 *
 * Return: 0, -EINVAL, -EPERM, -EFAULT or -ENOMEM.
 */
long svmsim_ioctl_stats(struct svmsim_file *f, void __user *arg)
{
	struct svmsim_stats *st;
	long ret = 0;

	st = svmsim_alloc_fails() ? NULL : kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	if (copy_from_user(st, arg, sizeof(*st))) {
		ret = -EFAULT;
		goto out;
	}
	if ((st->flags & ~SVMSIM_STATS_RESET) ||
	    !svmsim_reserved_zero(st->reserved, ARRAY_SIZE(st->reserved))) {
		ret = -EINVAL;
		goto out;
	}
	/* Zeroing what every user of the device reads is an admin's act. */
	if ((st->flags & SVMSIM_STATS_RESET) && !st->pasid && !capable(CAP_SYS_ADMIN)) {
		ret = -EPERM;
		goto out;
	}
	if (st->pasid) {
		ret = svmsim_file_stats(f, st->pasid, st->flags & SVMSIM_STATS_RESET, st);
		if (ret)
			goto out;
	} else {
		svmsim_stats_read(f->dev, NULL, st);
		if (st->flags & SVMSIM_STATS_RESET)
			svmsim_stats_reset(f->dev, NULL);
	}
	if (copy_to_user(arg, st, sizeof(*st)))
		ret = -EFAULT;
out:
	kfree(st);
	return ret;
}

static struct svmsim_lathist *svmsim_hist_of(struct svmsim_dev *dev, u32 kind,
					     u32 index)
{
	switch (kind) {
	case SVMSIM_HIST_EVENT:
		return index < SVMSIM_EV_NR ? &dev->hists->ev[index] : NULL;
	case SVMSIM_HIST_SIZE:
		return index < SVMSIM_SZ_NR ? &dev->hists->sz[index] : NULL;
	case SVMSIM_HIST_FILL:
		return index ? NULL : &dev->hists->fill;
	case SVMSIM_HIST_QUEUE:
		return index ? NULL : &dev->hists->queue;
	default:
		return NULL;
	}
}

/**
 * svmsim_ioctl_hist() - SVMSIM_IOC_HIST
 * @f: the file.
 * @arg: struct svmsim_hist.
 *
 * Return: 0, -EINVAL, -EFAULT or -ENOMEM.
 */
long svmsim_ioctl_hist(struct svmsim_file *f, void __user *arg)
{
	struct svmsim_lathist *h;
	struct svmsim_hist q;
	u64 *buckets = NULL;
	unsigned int n;
	long ret = 0;

	if (copy_from_user(&q, arg, sizeof(q)))
		return -EFAULT;
	h = svmsim_hist_of(f->dev, q.kind, q.index);
	if (!h || q.flags || !svmsim_reserved_zero(q.reserved, ARRAY_SIZE(q.reserved)))
		return -EINVAL;
	n = q.buckets ? min_t(u32, q.nbuckets, SVMSIM_HIST_NBUCKETS) : 0;
	if (n) {
		buckets = svmsim_alloc_fails() ? NULL :
			  kmalloc_array(n, sizeof(*buckets), GFP_KERNEL);
		if (!buckets)
			return -ENOMEM;
	}
	svmsim_hist_snapshot(h, buckets, n, &q);
	if (n && copy_to_user(u64_to_user_ptr(q.buckets), buckets, n * sizeof(*buckets)))
		ret = -EFAULT;
	kfree(buckets);
	if (ret)
		return ret;
	q.nbuckets = SVMSIM_HIST_NBUCKETS;
	return copy_to_user(arg, &q, sizeof(q)) ? -EFAULT : 0;
}

/**
 * svmsim_stats_init() - the counters and histograms of a device
 * @dev: the device.
 *
 * Return: 0 or -ENOMEM.
 */
int svmsim_stats_init(struct svmsim_dev *dev)
{
	/*
	 * The ABI's arrays hold every counter and event, and the TLB core's
	 * counters are the first UAPI stats (it counts by svmsim_stat index).
	 */
	BUILD_BUG_ON(SVMSIM_STAT_NR > SVMSIM_STATS_MAX);
	BUILD_BUG_ON(SVMSIM_EV_NR > SVMSIM_EV_MAX);
	BUILD_BUG_ON(SVMSIM_STAT_TLB_HITS != 0);
	BUILD_BUG_ON(SVM_TLB_NR_COUNTERS > SVMSIM_STAT_TLB_ENTRIES);
	if (svmsim_counters_init(&dev->stats))
		return -ENOMEM;
	dev->hists = kvzalloc(sizeof(*dev->hists), GFP_KERNEL);
	if (!dev->hists) {
		svmsim_counters_free(&dev->stats);
		return -ENOMEM;
	}
	return 0;
}

/**
 * svmsim_stats_exit() - undo svmsim_stats_init()
 * @dev: the device.
 */
void svmsim_stats_exit(struct svmsim_dev *dev)
{
	kvfree(dev->hists);
	svmsim_counters_free(&dev->stats);
}
