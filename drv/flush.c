// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: how the device executes one invalidation of a bond's range.
 *
 * sync:   remove the entries in the callback (page by page with
 *         SVMSIM_CONFIG_PAGE_DESCS), then spend the simulated
 *         device latency (waiting for the ATS invalidation completion);
 *         with cfg.lat_tail_pct, a drawn share of flushes spends
 *         cfg.lat_tail_mult times that (a device's slow completions).
 * queued: post an invalidation descriptor to the device's queue and wait
 *         for its completion (invq.c) -- or, with SVMSIM_CONFIG_PAGE_DESCS,
 *         one descriptor per page, posted together and waited for once
 *         (SMMUv3 without range invalidation: a CMD_TLBI per page, one
 *         CMD_SYNC); the device thread batches them,
 *         and a waiter that may not sleep helps complete them, so it never
 *         waits for a task that may not run (the thread, or a preempted
 *         completer: each descriptor is completed with preemption off).
 *         A batch the device never completes (cfg.qi_lose_pct) or
 *         completes too late ends by the driver's timeout
 *         (cfg.qi_timeout_ns): the driver resets the PASID's entries
 *         itself (invq.c), so this holds then too.
 *
 * Either way the entries are gone, and no access holds one, when this
 * returns -- unless an injected bug (inject.c) says otherwise.
 */
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>

#include "svmsim.h"
#include "svmsim/psi.h"

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

/*
 * SVMSIM_CONFIG_PSI: widen @req to the aligned power-of-two block that
 * holds it, as a VT-d PSI descriptor would, and name the range that really
 * changed (@exact, unless the observer already did), so the pages the
 * block adds count as collateral.
 */
static void svmsim_psi_widen(struct svm_tlb_flush_req *req, struct svm_tlb_range *exact)
{
	unsigned long bstart, blast;

	svm_psi_block(req->start, req->last, &bstart, &blast);
	if (bstart == req->start && blast == req->last)
		return;
	if (!req->changed) {
		exact->start = req->start;
		exact->last = req->last;
		req->changed = exact;
		req->nchanged = 1;
	}
	req->start = bstart;
	req->last = blast;
}

/*
 * SVMSIM_CONFIG_PAGE_DESCS: how many one-page descriptors @req goes as,
 * or 0 for one descriptor -- a single page, or a range over the threshold
 * (then PASID-wide) or over SVMSIM_PAGE_DESCS_MAX.
 */
static unsigned long svmsim_page_descs(struct svmsim_dev *dev,
				       const struct svm_tlb_flush_req *req)
{
	unsigned long n;

	if (!(READ_ONCE(dev->cfg.flags) & SVMSIM_CONFIG_PAGE_DESCS))
		return 0;
	n = (req->last >> PAGE_SHIFT) - (req->start >> PAGE_SHIFT) + 1;
	if (n < 2 || n > SVMSIM_PAGE_DESCS_MAX || (req->threshold && n > req->threshold))
		return 0;
	return n;
}

/* @tmpl narrowed to the page at @va (and to @tmpl's own range). */
static void svmsim_page_req(struct svm_tlb_flush_req *one, const struct svm_tlb_flush_req *tmpl,
			    unsigned long va)
{
	*one = *tmpl;
	one->start = max(va, tmpl->start);
	one->last = min(va + PAGE_SIZE - 1, tmpl->last);
}

/* Sync mode, one-page descriptors: the device removes the pages one by one. */
static void svmsim_flush_pages_now(struct svmsim_bond *b, const struct svm_tlb_flush_req *req,
				   unsigned long n, struct svm_tlb_flush_res *sum)
{
	unsigned long va = req->start & PAGE_MASK;
	struct svm_tlb_flush_req one;
	struct svm_tlb_flush_res r;

	for (; n; n--, va += PAGE_SIZE) {
		svmsim_page_req(&one, req, va);
		svmsim_space_flush(b, &one, &r);
		svm_tlb_res_add(sum, &r);
	}
}

/* Queued mode: post the next group of one-page descriptors of @op. */
static void svmsim_flush_post_group(struct svmsim_flush_op *op, bool may_sleep)
{
	unsigned int i, n = min_t(unsigned long, op->left, SVMSIM_PAGE_DESCS_GROUP);
	struct svmsim_inv_desc *d;

	for (i = 0; i < n; i++, op->next += PAGE_SIZE) {
		d = &op->pages[i];
		svmsim_page_req(&d->req, &op->d.req, op->next);
		memset(&d->res, 0, sizeof(d->res));
		d->bond = op->b;
		d->owned = false;
	}
	op->left -= n;
	op->ngroup = n;
	svmsim_invq_post(op->b->dev, op->pages, n, may_sleep);
}

/*
 * Queued mode: post @op's range as one-page descriptors, if the device
 * says so, they take at most SVMSIM_PAGE_DESCS_WAITS device waits, and
 * there is memory for a group (the secondary callback may not sleep:
 * without, the range goes as one descriptor, counted).
 */
static bool svmsim_flush_post_pages(struct svmsim_flush_op *op, bool may_sleep)
{
	unsigned long n = svmsim_page_descs(op->b->dev, &op->d.req);
	gfp_t gfp = may_sleep ? GFP_KERNEL : GFP_NOWAIT | __GFP_NOWARN;

	/* a callback that may not sleep spins through every wait: bound them */
	if (!n || DIV_ROUND_UP(n, READ_ONCE(op->b->dev->cfg.qi_batch)) > SVMSIM_PAGE_DESCS_WAITS)
		return false;
	op->pages = svmsim_alloc_fails() ? NULL :
		kmalloc_array(min_t(unsigned long, n, SVMSIM_PAGE_DESCS_GROUP),
			      sizeof(*op->pages), gfp);
	if (!op->pages) {
		svmsim_count(op->b, SVMSIM_STAT_QI_DESCS_NOMEM, 1);
		return false;
	}
	svmsim_obj_add(SVMSIM_OBJ_PAGE_DESCS, 1);
	op->next = op->d.req.start & PAGE_MASK;
	op->left = n;
	svmsim_flush_post_group(op, may_sleep);
	return true;
}

/* Wait for @op's one-page descriptors, group by group; sum what they did. */
static void svmsim_flush_wait_pages(struct svmsim_flush_op *op, bool may_sleep)
{
	struct svmsim_dev *dev = op->b->dev;
	unsigned int i;

	for (;;) {
		for (i = 0; i < op->ngroup; i++) {
			svmsim_invq_wait(dev, &op->pages[i], may_sleep);
			svm_tlb_res_add(&op->d.res, &op->pages[i].res);
		}
		if (!op->left)
			break;
		svmsim_flush_post_group(op, may_sleep);
	}
	kfree(op->pages);
	op->pages = NULL;
	svmsim_obj_add(SVMSIM_OBJ_PAGE_DESCS, -1);
}

/**
 * svmsim_flush_post() - pass 1: start the device's flush of [start, last]
 * @op: one device's part of an invalidation; @op->b set, the rest is ours.
 * @start: first address.
 * @last: last address, inclusive.
 * @changed: the ranges that really changed, or NULL if [start, last] is
 *	exact (collateral accounting).  Must stay valid until the wait.
 * @nchanged: number of @changed.
 * @may_sleep: the caller may sleep (a full queue: else it spins, helping).
 *
 * sync: the entries are removed now and the device's completion is due
 * svmsim_dev_latency() later; queued: a descriptor is posted.  Sleeps
 * only if @may_sleep.
 * The two passes let one callback start the flushes of several devices
 * before it waits for any (fanout.c); svmsim_flush() does both at once.
 */
void svmsim_flush_post(struct svmsim_flush_op *op, unsigned long start, unsigned long last,
		       const struct svm_tlb_range *changed, unsigned int nchanged, bool may_sleep)
{
	struct svmsim_bond *b = op->b;
	struct svmsim_dev *dev = b->dev;
	struct svm_tlb_flush_req *req = &op->d.req;

	*req = (struct svm_tlb_flush_req) {
		.start = start,
		.last = last,
		.threshold = READ_ONCE(dev->cfg.flush_threshold),
		.changed = changed,
		.nchanged = nchanged,
		.budget = READ_ONCE(dev->cfg.flush_budget),
		.bugs = svmsim_inj_flush_flags(b),
	};
	memset(&op->d.res, 0, sizeof(op->d.res));
	op->d.bond = b;
	/* @op lives in the caller's frame or a kmalloc'd array: not zeroed */
	op->d.owned = false;
	op->start = start;
	op->last = last;
	op->queued = false;
	op->due_ns = 0;
	op->pages = NULL;
	if (READ_ONCE(dev->cfg.flags) & SVMSIM_CONFIG_PSI)
		svmsim_psi_widen(req, &op->exact);
	if (READ_ONCE(dev->cfg.flush_mode) == SVMSIM_FLUSH_SYNC) {
		unsigned long n = svmsim_page_descs(dev, req);
		u64 lat;

		if (n)
			svmsim_flush_pages_now(b, req, n, &op->d.res);
		else
			svmsim_space_flush(b, req, &op->d.res);
		lat = svmsim_dev_latency(dev);
		/* 0: the completion is already here, and no clock is read */
		op->due_ns = lat ? ktime_get_ns() + lat : 0;
	} else if (!svmsim_inj_nowait(b, req)) {
		if (!svmsim_flush_post_pages(op, may_sleep))
			svmsim_invq_post(dev, &op->d, 1, may_sleep);
		op->queued = true;
	}
}

/**
 * svmsim_flush_wait() - pass 2: wait for the device's completion, record it
 * @op: posted by svmsim_flush_post().
 * @event: enum svmsim_event, for the statistics.
 * @may_sleep: the caller may sleep (a blockable range start).
 * @t0: local_clock() when the callback began, for its latency.
 *
 * Once it returns no access uses a translation of the range -- unless an
 * injected bug says otherwise.
 */
void svmsim_flush_wait(struct svmsim_flush_op *op, unsigned int event, bool may_sleep, u64 t0)
{
	struct svmsim_bond *b = op->b;
	u64 now;

	if (op->pages) {
		svmsim_flush_wait_pages(op, may_sleep);
	} else if (op->queued) {
		svmsim_invq_wait(b->dev, &op->d, may_sleep);
	} else if (op->due_ns) {
		now = ktime_get_ns();
		if (op->due_ns > now)
			svmsim_delay_ns(op->due_ns - now);
	}
	svmsim_record_flush(b, event, op->start, op->last, &op->d.res, local_clock() - t0);
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
 */
void svmsim_flush(struct svmsim_bond *b, unsigned long start, unsigned long last,
		  const struct svm_tlb_range *changed, unsigned int nchanged,
		  unsigned int event, bool may_sleep, u64 t0)
{
	struct svmsim_flush_op op = { .b = b };

	svmsim_flush_post(&op, start, last, changed, nchanged, may_sleep);
	svmsim_flush_wait(&op, event, may_sleep, t0);
}
