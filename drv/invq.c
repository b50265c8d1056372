// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: the device's invalidation queue (flush mode "queued").
 *
 * Callbacks post descriptors; the device -- a kernel thread per device --
 * takes up to cfg.qi_batch of them at a time, spends cfg.dev_latency_ns
 * once per batch (like one wait descriptor completing a batch of IOTLB
 * invalidations), flushes each one and marks it done.  A poster that may
 * sleep waits on a wait queue; one that may not (the secondary callback,
 * a non-blockable range start) spins, and after a grace of twice the
 * latency processes the queue itself, so progress never depends on the
 * scheduler running the thread while every CPU spins.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "svmsim.h"

#define SVMSIM_INVQ_HELP_NS	(100 * NSEC_PER_USEC)

static void svmsim_invq_latency(u64 ns, bool may_sleep)
{
	if (may_sleep && ns >= 20 * NSEC_PER_USEC)
		usleep_range(ns / NSEC_PER_USEC, ns / NSEC_PER_USEC + 5);
	else
		svmsim_delay_ns(ns);
}

/* Complete one descriptor; the poster's memory may be gone after done. */
static void svmsim_invq_complete(struct svmsim_dev *dev, struct svmsim_inv_desc *d)
{
	struct svmsim_bond *b = d->bond;

	svm_tlb_flush(&b->space, &d->req, &d->res);
	svmsim_hist_add(&dev->hists->queue, ktime_get_ns() - d->posted_ns);
	svmsim_count(b, SVMSIM_STAT_QI_WAITS, 1);
	if (d->owned) {
		svmsim_bond_put(b);
		kfree(d);
	} else {
		smp_store_release(&d->done, 1);
	}
}

/*
 * Process one batch unless someone else is.  Returns true if it did.
 * @may_sleep: the caller can sleep through the device latency.
 */
static bool svmsim_invq_process(struct svmsim_dev *dev, bool may_sleep)
{
	struct svmsim_invq *q = &dev->invq;
	struct svmsim_inv_desc *d, *n;
	unsigned int max = READ_ONCE(dev->cfg.qi_batch), taken = 0;
	unsigned long flags;
	LIST_HEAD(batch);

	spin_lock_irqsave(&q->lock, flags);
	if (q->busy || list_empty(&q->pending)) {
		spin_unlock_irqrestore(&q->lock, flags);
		return false;
	}
	q->busy = true;
	list_for_each_entry_safe(d, n, &q->pending, link) {
		if (taken++ == max)
			break;
		list_move_tail(&d->link, &batch);
	}
	spin_unlock_irqrestore(&q->lock, flags);

	svmsim_invq_latency(READ_ONCE(dev->cfg.dev_latency_ns), may_sleep);
	list_for_each_entry_safe(d, n, &batch, link) {
		list_del(&d->link);
		svmsim_invq_complete(dev, d);
	}
	svmsim_dev_count(dev, SVMSIM_STAT_QI_BATCHES, 1);

	spin_lock_irqsave(&q->lock, flags);
	q->busy = false;
	spin_unlock_irqrestore(&q->lock, flags);
	wake_up_all(&q->done);
	return true;
}

static int svmsim_invq_thread(void *arg)
{
	struct svmsim_dev *dev = arg;
	struct svmsim_invq *q = &dev->invq;

	while (!kthread_should_stop()) {
		wait_event_interruptible(q->kick, !list_empty_careful(&q->pending) ||
					 kthread_should_stop());
		while (svmsim_invq_process(dev, true))
			cond_resched();
	}
	return 0;
}

/**
 * svmsim_invq_post() - queue a descriptor for the device
 * @dev: the device.
 * @d: the descriptor; @d->bond and @d->req set.
 */
void svmsim_invq_post(struct svmsim_dev *dev, struct svmsim_inv_desc *d)
{
	struct svmsim_invq *q = &dev->invq;
	unsigned long flags;

	d->done = 0;
	d->posted_ns = ktime_get_ns();
	spin_lock_irqsave(&q->lock, flags);
	list_add_tail(&d->link, &q->pending);
	spin_unlock_irqrestore(&q->lock, flags);
	svmsim_count(d->bond, SVMSIM_STAT_QI_DESCS, 1);
	wake_up(&q->kick);
}

/**
 * svmsim_invq_wait() - wait for a posted descriptor to complete
 * @dev: the device.
 * @d: the descriptor, posted by the caller.
 * @may_sleep: sleep rather than spin.
 */
void svmsim_invq_wait(struct svmsim_dev *dev, struct svmsim_inv_desc *d,
		      bool may_sleep)
{
	u64 help_at;

	if (may_sleep) {
		wait_event(dev->invq.done, smp_load_acquire(&d->done));
		return;
	}
	help_at = ktime_get_ns() + 2 * READ_ONCE(dev->cfg.dev_latency_ns) +
		  SVMSIM_INVQ_HELP_NS;
	while (!smp_load_acquire(&d->done)) {
		if (ktime_get_ns() > help_at)
			svmsim_invq_process(dev, false);
		cpu_relax();
	}
}

/**
 * svmsim_invq_start() - start a device's queue thread
 * @dev: the device.
 *
 * Return: 0 or the kthread error.
 */
int svmsim_invq_start(struct svmsim_dev *dev)
{
	struct svmsim_invq *q = &dev->invq;

	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->pending);
	init_waitqueue_head(&q->kick);
	init_waitqueue_head(&q->done);
	q->thread = kthread_run(svmsim_invq_thread, dev, "%s-invq", dev->name);
	return PTR_ERR_OR_ZERO(q->thread);
}

/**
 * svmsim_invq_stop() - process what is left and stop the thread
 * @dev: the device; no bond is left to post.
 */
void svmsim_invq_stop(struct svmsim_dev *dev)
{
	while (svmsim_invq_process(dev, true))
		;
	kthread_stop(dev->invq.thread);
}
