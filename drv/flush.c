// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: how the device executes one invalidation of a bond's range.
 *
 * sync:   remove the entries in the callback, then spend the simulated
 *         device latency (waiting for the ATS invalidation completion).
 * queued: post an invalidation descriptor to the device's queue and wait
 *         for its completion (invq.c); the device thread batches them,
 *         and a waiter that may not sleep helps complete them, so it never
 *         waits for a task that may not run (the thread, or a preempted
 *         completer: each descriptor is completed with preemption off).
 *
 * Either way the entries are gone, and no access holds one, when this
 * returns -- unless an injected bug says otherwise.
 */
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>

#include "svmsim.h"

/**
 * svmsim_delay_ns() - busy-wait @ns nanoseconds (a device completion)
 * @ns: up to SVMSIM_MAX_LATENCY_NS.
 *
 * Busy, because the secondary callback may not sleep -- the VT-d queued
 * invalidation wait spins the same way.
 */
void svmsim_delay_ns(u64 ns)
{
	while (ns >= NSEC_PER_MSEC) {
		mdelay(1);
		ns -= NSEC_PER_MSEC;
	}
	if (ns >= NSEC_PER_USEC)
		udelay(ns / NSEC_PER_USEC);
	if (ns % NSEC_PER_USEC)
		ndelay(ns % NSEC_PER_USEC);
}

/* NO_WAIT: post a copy the queue owns, and return at once. */
static void svmsim_post_nowait(struct svmsim_bond *b,
			       const struct svm_tlb_flush_req *req)
{
	struct svmsim_inv_desc *d;

	d = svmsim_alloc_fails() ? NULL :
		kzalloc(struct_size(d, changed, req->nchanged), GFP_ATOMIC);
	if (!d) {	/* cannot even be wrong: be right */
		struct svm_tlb_flush_res res;

		svmsim_space_flush(b, req, &res);
		return;
	}
	d->req = *req;
	if (req->changed) {
		memcpy(d->changed, req->changed, req->nchanged * sizeof(*req->changed));
		d->req.changed = d->changed;
	}
	d->bond = b;
	d->owned = true;
	svmsim_obj_add(SVMSIM_OBJ_DESC, 1);
	kref_get(&b->ref);
	svmsim_count(b, SVMSIM_STAT_INJECTED, 1);
	svmsim_invq_post(b->dev, d);
}

/**
 * svmsim_flush() - the device flushes [start, last] of a bond's PASID
 * @b: the bond.
 * @start: first address.
 * @last: last address, inclusive.
 * @changed: the ranges that really changed, or NULL if [start, last] is
 *	exact (collateral accounting).
 * @nchanged: number of @changed.
 * @event: enum svmsim_event, for the statistics.
 * @may_sleep: the caller may sleep (a blockable range start).
 * @t0: local_clock() when the callback began, for its latency.
 *
 * Return: false if an injected bug made it flush nothing (WRONG_PASID).
 */
bool svmsim_flush(struct svmsim_bond *b, unsigned long start, unsigned long last,
		  const struct svm_tlb_range *changed, unsigned int nchanged,
		  unsigned int event, bool may_sleep, u64 t0)
{
	struct svmsim_dev *dev = b->dev;
	struct svm_tlb_flush_req req = {
		.start = start,
		.last = last,
		.threshold = READ_ONCE(dev->cfg.flush_threshold),
		.changed = changed,
		.nchanged = nchanged,
		.budget = READ_ONCE(dev->cfg.flush_budget),
	};
	struct svmsim_inv_desc d = { .bond = b };
	struct svm_tlb_flush_res res = { 0 };
	u32 bug = READ_ONCE(b->inj.bug);

	if (bug == SVMSIM_BUG_WRONG_PASID) {
		/* flushes another PASID: nothing of this bond's */
		svmsim_count(b, SVMSIM_STAT_INJECTED, 1);
		svmsim_record_flush(b, event, start, last, &res, local_clock() - t0);
		return false;
	}
	if (READ_ONCE(dev->cfg.flush_mode) == SVMSIM_FLUSH_SYNC) {
		svmsim_space_flush(b, &req, &res);
		svmsim_delay_ns(READ_ONCE(dev->cfg.dev_latency_ns));
	} else if (bug == SVMSIM_BUG_NO_WAIT) {
		svmsim_post_nowait(b, &req);
	} else {
		d.req = req;
		svmsim_invq_post(dev, &d);
		svmsim_invq_wait(dev, &d, may_sleep);
		res = d.res;
	}
	svmsim_record_flush(b, event, start, last, &res, local_clock() - t0);
	return true;
}
