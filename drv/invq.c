// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: the device's invalidation queue (flush mode "queued").
 *
 * Callbacks post descriptors.  The device takes up to cfg.qi_batch of them
 * at a time as the batch in flight, which completes cfg.dev_latency_ns
 * later -- like one wait descriptor completing a batch of IOTLB
 * invalidations -- and then each descriptor is flushed and marked done.
 *
 * With a coalescing window (cfg.qi_coalesce_ns) the device holds a batch
 * back until its oldest pending descriptor has waited that long, or
 * until a full batch (cfg.qi_batch) is pending: more descriptors share
 * one wait, each paying up to the window more.  The window does not
 * change who may wait for whom: a waiter that helps waits it out too.
 *
 * Who does the work.  Normally the device's thread: it takes a batch,
 * sleeps until its deadline and completes it.  But a waiter that may not
 * sleep (the secondary callback, often under the page table lock; a
 * non-blockable range start) must not depend on that thread being
 * scheduled: with every CPU spinning -- on the waiter, or on the lock the
 * waiter holds -- it never would be.  So once past a grace period such a
 * waiter helps: it completes the batch in flight whose deadline has
 * passed, or takes a new batch itself and spins until its deadline.
 *
 * No waiter may depend on a task that can be preempted, at any point:
 *  - taking a batch is one section under @q->lock; after it the batch is
 *    the queue's, not the taker's: anyone completes it once its deadline
 *    has passed, so the taker may sleep (the thread) or be preempted (a
 *    preemptible non-blockable waiter) while it waits for the deadline;
 *  - completion is per descriptor: a completer claims the next descriptor
 *    of the batch and flushes it with preemption disabled, so a claim is
 *    only ever held by a running task, and every other descriptor stays
 *    claimable by any helper.  The batch ends when the last claim is
 *    dropped with nothing left in flight; only then may the next start.
 *
 * Device faults (struct svmsim_config, all off by default):
 *  - a latency tail: a batch (or a sync flush, flush.c) takes
 *    dev_latency_ns * lat_tail_mult with probability lat_tail_pct, drawn
 *    from the device's random stream under @q->lock;
 *  - a lost completion: with probability qi_lose_pct a batch is never
 *    completed by the device.  It ends by the driver's timeout instead,
 *    qi_timeout_ns after the device took it, as does a batch whose latency
 *    is longer than the timeout.  What the timeout does is the VT-d answer
 *    to an invalidation time-out error: the waiter may still not return
 *    while the device may hold a translation it asked to remove, and the
 *    driver cannot know which of the batch's invalidations the device did.
 *    So whoever finds the batch past its deadline -- a waiter helping, the
 *    queue thread standing for the driver's fault handler, or module exit
 *    -- recovers each descriptor as it would complete it: it resets that
 *    descriptor's PASID in the device TLB (every entry of the PASID
 *    removed synchronously, the pages the changed ranges do not cover
 *    counted as collateral), counts SVMSIM_STAT_QI_TIMEOUTS and marks the
 *    descriptor done: the lost descriptor is retired, the queue moves on,
 *    and nothing stale is left behind.  The same claim protocol as above
 *    applies, so no waiter depends on a task that may not run;
 *  - a bounded queue: with qi_depth set, a poster that finds qi_depth
 *    descriptors posted and not yet claimed helps (as a non-sleeping
 *    waiter does: starts a batch, waits out its deadline, completes it)
 *    until there is room.  Claimed descriptors do not count, so room comes
 *    from running tasks only; a poster under the page table lock with the
 *    queue full of others' descriptors completes them itself;
 *  - a sleeping waiter a fatal signal interrupts (svmsim_invq_wait())
 *    cannot fail either: it spins and helps until its descriptor is done.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "svmsim.h"
#include "svmsim/rng.h"

#define SVMSIM_INVQ_HELP_NS	(100 * NSEC_PER_USEC)
/*
 * A waiter that may sleep still spins, being the device itself, when the
 * device's latency is at most this: shorter than a sleep and a wake-up
 * cost (VT-d's qi_submit_sync always spins), so the queue adds no more
 * than its bookkeeping to a short wait.  Longer waits sleep.
 */
#define SVMSIM_INVQ_SPIN_NS	(20 * NSEC_PER_USEC)
/*
 * The most a sleeper spins after its wake-up (svmsim_invq_sleep()): later
 * wake-ups mean an overloaded machine, where spinning longer only takes
 * the CPU from whoever would run.
 */
#define SVMSIM_INVQ_WAKE_MAX_NS	(1 * NSEC_PER_MSEC)

/*
 * Deadlines are compared across CPUs: ktime_get_ns(), not the cheaper
 * local_clock() the callbacks time themselves with.
 */

/* True with probability @pct percent, from the device's stream; q->lock held. */
static bool svmsim_invq_draw(struct svmsim_invq *q, u32 pct)
{
	return pct && rng_below(&q->rng, 100) < pct;
}

/* The device latency of one flush or batch, tail drawn; q->lock held. */
static u64 svmsim_invq_latency(struct svmsim_dev *dev)
{
	u64 ns = READ_ONCE(dev->cfg.dev_latency_ns);

	if (svmsim_invq_draw(&dev->invq, READ_ONCE(dev->cfg.lat_tail_pct))) {
		ns *= max_t(u32, READ_ONCE(dev->cfg.lat_tail_mult), 1);
		svmsim_dev_count(dev, SVMSIM_STAT_DEV_TAIL, 1);
	}
	return ns;
}

/**
 * __svmsim_dev_latency() - the latency of one sync-mode flush, tail drawn
 * @dev: the device (svmsim_dev_latency() took the case of no tail).
 *
 * Return: cfg.dev_latency_ns, or with probability cfg.lat_tail_pct that
 * times cfg.lat_tail_mult (counted in SVMSIM_STAT_DEV_TAIL).
 */
u64 __svmsim_dev_latency(struct svmsim_dev *dev)
{
	unsigned long flags;
	u64 ns;

	spin_lock_irqsave(&dev->invq.lock, flags);
	ns = svmsim_invq_latency(dev);
	spin_unlock_irqrestore(&dev->invq.lock, flags);
	return ns;
}

/*
 * The driver's recovery of a descriptor whose batch timed out: reset its
 * PASID in the device TLB -- the device may or may not have done the
 * invalidation, so the driver removes every entry of the PASID itself.
 * What the request said changed stays the changed range, for collateral.
 */
static void svmsim_invq_recover(struct svmsim_inv_desc *d)
{
	struct svm_tlb_flush_req req = d->req;
	struct svm_tlb_range exact = { .start = d->req.start, .last = d->req.last };

	if (!req.changed) {
		req.changed = &exact;
		req.nchanged = 1;
	}
	req.start = 0;
	req.last = ULONG_MAX;
	svmsim_space_flush(d->bond, &req, &d->res);
	svmsim_count(d->bond, SVMSIM_STAT_QI_TIMEOUTS, 1);
}

/*
 * Complete one descriptor, by the device or, if its batch timed out, by
 * the driver's recovery; the poster's memory may be gone after done.
 */
static void svmsim_invq_complete(struct svmsim_dev *dev, struct svmsim_inv_desc *d,
				 bool timed_out)
{
	struct svmsim_bond *b = d->bond;

	if (timed_out)
		svmsim_invq_recover(d);
	else
		svmsim_space_flush(b, &d->req, &d->res);
	svmsim_hist_add(&dev->hists->queue, ktime_get_ns() - d->posted_ns);
	svmsim_count(b, SVMSIM_STAT_QI_WAITS, 1);
	if (d->owned) {
		svmsim_bond_put(b);
		kfree(container_of(d, struct svmsim_owned_desc, d));
		svmsim_obj_add(SVMSIM_OBJ_DESC, -1);
	} else {
		smp_store_release(&d->done, 1);
	}
}

/*
 * The coalescing window (cfg.qi_coalesce_ns): when the oldest pending
 * descriptor's window closes, or 0 if a batch may start now -- no window,
 * or a full batch pending.  Caller holds q->lock; @pending is not empty.
 */
static u64 svmsim_invq_window(struct svmsim_dev *dev)
{
	struct svmsim_invq *q = &dev->invq;
	u64 win = READ_ONCE(dev->cfg.qi_coalesce_ns), open;

	if (!win || q->npending >= READ_ONCE(dev->cfg.qi_batch))
		return 0;
	open = list_first_entry(&q->pending, struct svmsim_inv_desc, link)->posted_ns + win;
	return ktime_get_ns() < open ? open : 0;
}

/*
 * Start a batch if none is in flight and the window allows: take up to
 * qi_batch descriptors and set their deadline -- the device's latency,
 * tail drawn, or the driver's timeout if that comes first or the device
 * loses the completion.  Caller holds q->lock.  Returns the deadline, or
 * 0; then *@open_at (if given) is when the window closes, or 0.
 */
static u64 svmsim_invq_start_batch(struct svmsim_dev *dev, u64 *open_at)
{
	struct svmsim_invq *q = &dev->invq;
	unsigned int max = READ_ONCE(dev->cfg.qi_batch), taken = 0;
	u64 lat, open, timeout = READ_ONCE(dev->cfg.qi_timeout_ns);
	struct svmsim_inv_desc *d, *n;
	bool lost;

	if (!list_empty(&q->inflight) || q->claimed || list_empty(&q->pending))
		return 0;
	open = svmsim_invq_window(dev);
	if (open) {
		if (open_at)
			*open_at = open;
		return 0;
	}
	list_for_each_entry_safe(d, n, &q->pending, link) {
		if (taken == max)
			break;
		list_move_tail(&d->link, &q->inflight);
		taken++;
	}
	q->npending -= taken;
	lat = svmsim_invq_latency(dev);
	lost = svmsim_invq_draw(q, READ_ONCE(dev->cfg.qi_lose_pct));
	if (lost)
		svmsim_dev_count(dev, SVMSIM_STAT_QI_LOST, 1);
	/* Lost with no timeout (changed meanwhile): the timeout is now. */
	q->timed_out = lost || (timeout && lat > timeout);
	if (q->timed_out)
		lat = timeout;
	q->deadline = ktime_get_ns() + lat;
	return q->deadline;
}

/*
 * Claim and complete the next descriptor of the batch in flight, if its
 * deadline has passed.  Preemption stays disabled from the claim to its
 * release, so no waiter ever spins on a preempted completer (a waiter
 * whose descriptor is claimed waits only for a running task).  Returns
 * false if there was nothing to claim.
 */
static bool svmsim_invq_complete_next(struct svmsim_dev *dev)
{
	struct svmsim_invq *q = &dev->invq;
	struct svmsim_inv_desc *d;
	unsigned long flags;
	bool last, timed_out;

	/* Nothing in flight (seen without the lock: the callers look again) */
	if (list_empty_careful(&q->inflight))
		return false;
	preempt_disable();
	spin_lock_irqsave(&q->lock, flags);
	d = list_first_entry_or_null(&q->inflight, struct svmsim_inv_desc, link);
	if (!d || ktime_get_ns() < q->deadline) {
		spin_unlock_irqrestore(&q->lock, flags);
		preempt_enable();
		return false;
	}
	list_del(&d->link);
	q->claimed++;
	q->nposted--;
	timed_out = q->timed_out;
	spin_unlock_irqrestore(&q->lock, flags);

	svmsim_invq_complete(dev, d, timed_out);

	spin_lock_irqsave(&q->lock, flags);
	last = !--q->claimed && list_empty(&q->inflight);
	spin_unlock_irqrestore(&q->lock, flags);
	if (last) {
		svmsim_dev_count(dev, SVMSIM_STAT_QI_BATCHES, 1);
		/* orders the done flags before the look for sleepers */
		if (wq_has_sleeper(&q->done))
			wake_up_all(&q->done);
	}
	preempt_enable();
	return true;
}

/*
 * Complete what is left of the batch in flight, descriptor by descriptor,
 * once its deadline has passed.  Returns true if we completed any.
 */
static bool svmsim_invq_finish(struct svmsim_dev *dev, bool may_sleep)
{
	bool any = false;

	while (svmsim_invq_complete_next(dev)) {
		any = true;
		if (may_sleep)
			cond_resched();
	}
	return any;
}

/*
 * Sleep until @at, and fold how late the wake-up came into the queue's
 * estimate: an average over the last eight or so, a sample bounded to
 * about twice the estimate, so one scheduling hiccup moves it little, and
 * the estimate to SVMSIM_INVQ_WAKE_MAX_NS.
 * A fatal signal ends the sleep (and every later one: the waiter spins
 * instead), as it ends a waiter's sleep in svmsim_invq_wait().
 */
static u64 svmsim_invq_sleep(struct svmsim_invq *q, u64 now, u64 at)
{
	u64 wake = READ_ONCE(q->wake_ns), late;
	ktime_t t = ns_to_ktime(at - now);

	set_current_state(TASK_KILLABLE);
	schedule_hrtimeout_range(&t, 5 * NSEC_PER_USEC, HRTIMER_MODE_REL);
	now = ktime_get_ns();
	late = min(now > at ? now - at : 0, 2 * wake + SVMSIM_INVQ_SPIN_NS);
	WRITE_ONCE(q->wake_ns, min_t(u64, wake - wake / 8 + late / 8, SVMSIM_INVQ_WAKE_MAX_NS));
	return now;
}

/*
 * Wait until @deadline.  A waiter that may sleep sleeps, if the wait is
 * longer than a wake-up by SVMSIM_INVQ_SPIN_NS, until a wake-up before
 * the deadline, and spins the rest (hybrid polling, as the block layer's):
 * the device's latency, not the scheduler's, is what the waiter sees.
 */
static void svmsim_invq_until(struct svmsim_dev *dev, u64 deadline, bool may_sleep)
{
	struct svmsim_invq *q = &dev->invq;
	u64 now = ktime_get_ns(), wake = READ_ONCE(q->wake_ns);

	if (now >= deadline)
		return;
	if (may_sleep && deadline - now >= wake + SVMSIM_INVQ_SPIN_NS) {
		now = svmsim_invq_sleep(q, now, deadline - wake);
		if (now >= deadline)
			return;
	}
	svmsim_delay_ns(deadline - now);
}

/*
 * Be the device for one step: start a batch if there is work, none in
 * flight and the window allows, wait out the deadline of the batch in
 * flight, and complete what others have not claimed of it.  Returns true
 * if we completed any.  If a window holds the batch back, returns false
 * at once with *@open_at set to when it closes.
 */
static bool svmsim_invq_try_step(struct svmsim_dev *dev, bool may_sleep, u64 *open_at)
{
	struct svmsim_invq *q = &dev->invq;
	unsigned long flags;
	u64 deadline;

	*open_at = 0;
	spin_lock_irqsave(&q->lock, flags);
	deadline = svmsim_invq_start_batch(dev, open_at);
	if (!deadline && !list_empty(&q->inflight))
		deadline = q->deadline;
	spin_unlock_irqrestore(&q->lock, flags);
	if (!deadline)
		return false;
	svmsim_invq_until(dev, deadline, may_sleep);
	return svmsim_invq_finish(dev, may_sleep);
}

/* One step as above; a window holding the batch back is waited out. */
static bool svmsim_invq_step(struct svmsim_dev *dev, bool may_sleep)
{
	u64 open;
	bool any = svmsim_invq_try_step(dev, may_sleep, &open);

	if (open)
		svmsim_invq_until(dev, open, may_sleep);
	return any;
}

static bool svmsim_invq_idle(struct svmsim_invq *q)
{
	return list_empty_careful(&q->pending) && list_empty_careful(&q->inflight);
}

/*
 * The window the thread sleeps out ends early when a batch fills up, the
 * pending descriptors are taken by a helper or the window changes.
 */
static bool svmsim_invq_window_over(struct svmsim_dev *dev, u64 win)
{
	return READ_ONCE(dev->invq.npending) >= READ_ONCE(dev->cfg.qi_batch) ||
	       !READ_ONCE(dev->invq.npending) || READ_ONCE(dev->cfg.qi_coalesce_ns) != win ||
	       kthread_should_stop();
}

static int svmsim_invq_thread(void *arg)
{
	struct svmsim_dev *dev = arg;
	struct svmsim_invq *q = &dev->invq;
	u64 open, now, win;

	while (!kthread_should_stop()) {
		wait_event_interruptible(q->kick, !svmsim_invq_idle(q) || kthread_should_stop());
		while (!svmsim_invq_idle(q)) {
			win = READ_ONCE(dev->cfg.qi_coalesce_ns);
			svmsim_invq_try_step(dev, true, &open);
			now = ktime_get_ns();
			if (open > now)
				wait_event_interruptible_hrtimeout(q->kick,
						svmsim_invq_window_over(dev, win),
						ns_to_ktime(open - now));
			cond_resched();
		}
	}
	return 0;
}

/* A waiter that may sleep but will not: the wait is shorter than a wake-up. */
static bool svmsim_invq_spins(struct svmsim_dev *dev, bool may_sleep)
{
	return may_sleep && READ_ONCE(dev->cfg.dev_latency_ns) <= SVMSIM_INVQ_SPIN_NS;
}


/*
 * A full batch waits in a coalescing window: whoever sees it starts it.
 * A waiter that may not sleep holds its CPU, and with every CPU held so,
 * the queue thread the poster woke would not run until the window ends.
 */
static bool svmsim_invq_full_batch(struct svmsim_dev *dev)
{
	struct svmsim_invq *q = &dev->invq;

	return READ_ONCE(dev->cfg.qi_coalesce_ns) && list_empty_careful(&q->inflight) &&
	       READ_ONCE(q->npending) >= READ_ONCE(dev->cfg.qi_batch);
}

/* The queue holds cfg.qi_depth descriptors not yet claimed; q->lock held. */
static bool svmsim_invq_full(struct svmsim_dev *dev)
{
	unsigned int depth = READ_ONCE(dev->cfg.qi_depth);

	return depth && dev->invq.nposted >= depth;
}

/* Add @d to the pending descriptors.  Caller holds q->lock; room checked. */
static void svmsim_invq_add(struct svmsim_invq *q, struct svmsim_inv_desc *d, u64 now)
{
	d->posted_ns = now;
	list_add_tail(&d->link, &q->pending);
	q->nposted++;
	q->npending++;
}

/*
 * Wait for room in a full queue (cfg.qi_depth), helping the device; the
 * first wait of a post is counted.  Called and returns with q->lock held.
 */
static void svmsim_invq_room(struct svmsim_dev *dev, struct svmsim_inv_desc *d,
			     bool may_sleep, bool *full, unsigned long *flags)
	__must_hold(&dev->invq.lock)
{
	struct svmsim_invq *q = &dev->invq;

	while (svmsim_invq_full(dev)) {
		spin_unlock_irqrestore(&q->lock, *flags);
		if (!*full)
			svmsim_count(d->bond, SVMSIM_STAT_QI_FULL, 1);
		*full = true;
		if (!svmsim_invq_step(dev, may_sleep)) {
			/* The batch is all claimed by running tasks. */
			if (may_sleep)
				cond_resched();
			cpu_relax();
		}
		spin_lock_irqsave(&q->lock, *flags);
	}
}

/**
 * svmsim_invq_post() - queue descriptors for the device
 * @dev: the device.
 * @d: an array of @n descriptors, each with @bond and @req set.
 * @n: how many, >= 1.  They are queued under one lock, as one doorbell
 *	(a driver writing its descriptors, then the queue's tail once), so
 *	a batch the device starts takes as many of them as it may.
 * @may_sleep: the caller may sleep; else it spins if the queue is full.
 *
 * A full queue (cfg.qi_depth) is counted once per post in
 * SVMSIM_STAT_QI_FULL; the poster then helps the device until there is
 * room, so it depends on no other task being scheduled.  What does not
 * fit is queued as room comes, in the same order.
 */
void svmsim_invq_post(struct svmsim_dev *dev, struct svmsim_inv_desc *d, unsigned int n,
		      bool may_sleep)
{
	struct svmsim_invq *q = &dev->invq;
	unsigned int i = 0, j, before;
	unsigned long flags;
	bool full = false, started, kick;
	u64 now;

	for (j = 0; j < n; j++)
		d[j].done = 0;
	while (i < n) {
		spin_lock_irqsave(&q->lock, flags);
		svmsim_invq_room(dev, &d[i], may_sleep, &full, &flags);
		now = ktime_get_ns();
		before = q->npending;
		do {
			svmsim_invq_add(q, &d[i++], now);
		} while (i < n && !svmsim_invq_full(dev));
		/*
		 * Every poster that waits serves the device itself, as
		 * VT-d's submitter polls its own wait descriptor: it starts
		 * the device's clock now, if the device is idle, and wakes
		 * nobody.  Its wait is then one sleep to the deadline
		 * (svmsim_invq_until()), where the queue thread would cost
		 * two wake-ups, its own and the waiter's -- and a fan-out
		 * member's callback (fanout.c) waits for its K devices in one
		 * sleep, not K threads' wake-ups.  The thread takes what no
		 * post could start (a batch in flight, a coalescing window,
		 * a descriptor nobody waits for: @d->owned); in a window it
		 * needs a wake-up only when the window opens (the first
		 * pending descriptor) or the batch fills up.
		 */
		started = !d->owned && svmsim_invq_start_batch(dev, NULL);
		kick = !started && (!before || !READ_ONCE(dev->cfg.qi_coalesce_ns) ||
				    q->npending >= READ_ONCE(dev->cfg.qi_batch));
		spin_unlock_irqrestore(&q->lock, flags);
		if (kick)
			wake_up(&q->kick);
	}
	svmsim_count(d->bond, SVMSIM_STAT_QI_DESCS, n);
}

/* Sleep until @d is done; after a fatal signal, spin and help instead. */
static void svmsim_invq_wait_asleep(struct svmsim_dev *dev, struct svmsim_inv_desc *d)
{
	if (!fatal_signal_pending(current) &&
	    !wait_event_killable(dev->invq.done, smp_load_acquire(&d->done)))
		return;
	while (!smp_load_acquire(&d->done)) {
		svmsim_invq_step(dev, false);
		cond_resched();
		cpu_relax();
	}
}

/*
 * A waiter that may not sleep: spin until @d is done, helping the device
 * after a grace period (or at once for a full batch in a window), so it
 * never depends on the queue thread being scheduled.
 */
static void svmsim_invq_wait_helping(struct svmsim_dev *dev, struct svmsim_inv_desc *d)
{
	u64 help_at = ktime_get_ns() + 2 * READ_ONCE(dev->cfg.dev_latency_ns) +
		      READ_ONCE(dev->cfg.qi_coalesce_ns) + SVMSIM_INVQ_HELP_NS;

	while (!smp_load_acquire(&d->done)) {
		if (ktime_get_ns() > help_at || svmsim_invq_full_batch(dev))
			svmsim_invq_step(dev, false);
		cpu_relax();
	}
}

/**
 * svmsim_invq_wait() - wait for a posted descriptor to complete
 * @dev: the device.
 * @d: the descriptor, posted by the caller.
 * @may_sleep: the caller may sleep: it does, unless the device's latency
 *	is at most SVMSIM_INVQ_SPIN_NS, when it spins and completes batches
 *	itself at once.  Every waiter first serves one batch itself
 *	(svmsim_invq_post()): the one its post started, or the one in
 *	flight; a sleeping one wakes a wake-up before the deadline and spins
 *	the rest (svmsim_invq_until()).  Then a waiter that may sleep waits
 *	for the thread; one that may not helps the device after a grace
 *	period, so it never depends on the queue thread.
 *
 * Returns only when @d is done, by the device or by the driver's timeout
 * recovery.  A sleeping wait is killable, but a fatal signal only ends
 * the sleep: the device may still use the entries @d removes, so the
 * caller (a blockable range start) may not return before.  It spins,
 * helping the device, until @d is done, and counts SVMSIM_STAT_QI_KILLED.
 */
void svmsim_invq_wait(struct svmsim_dev *dev, struct svmsim_inv_desc *d,
		      bool may_sleep)
{
	if (svmsim_invq_spins(dev, may_sleep)) {
		while (!smp_load_acquire(&d->done)) {
			if (!svmsim_invq_step(dev, false))
				cpu_relax();
			cond_resched();
		}
		return;
	}
	/*
	 * One step as the device, asleep if it may: @d's batch, if our post
	 * started it.  What is left (a batch that was in flight or held by a
	 * window) goes back to the thread.
	 */
	svmsim_invq_step(dev, may_sleep);
	if (!smp_load_acquire(&d->done)) {
		wake_up(&dev->invq.kick);
		if (may_sleep)
			svmsim_invq_wait_asleep(dev, d);
		else
			svmsim_invq_wait_helping(dev, d);
	}
	/* the sleep, ours or the served step's, ended by a fatal signal */
	if (may_sleep && fatal_signal_pending(current))
		svmsim_count(d->bond, SVMSIM_STAT_QI_KILLED, 1);
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
	INIT_LIST_HEAD(&q->inflight);
	init_waitqueue_head(&q->kick);
	init_waitqueue_head(&q->done);
	q->rng = rng_seed(0x5356d51e, dev->index);	/* reproducible per device */
	q->wake_ns = SVMSIM_INVQ_SPIN_NS;		/* learnt from the first sleeps */
	q->thread = kthread_run(svmsim_invq_thread, dev, "%s-invq", dev->name);
	return PTR_ERR_OR_ZERO(q->thread);
}

/**
 * svmsim_invq_stop() - finish what is queued and stop the thread
 * @dev: the device; no bond is left to post.
 */
void svmsim_invq_stop(struct svmsim_dev *dev)
{
	kthread_stop(dev->invq.thread);
	while (!svmsim_invq_idle(&dev->invq))
		svmsim_invq_step(dev, true);
}
