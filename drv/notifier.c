// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: mmu_notifier callbacks.
 *
 * secondary model (intel_svm, arm-smmu-v3-sva): the flush runs in
 *   ->invalidate_range (6.1) / ->arch_invalidate_secondary_tlbs (6.12),
 *   after the CPU page table changed and before the pages are freed; it
 *   must not sleep.  A fill that walked the old PTE is refused by the
 *   sequence count the flush bumps.  On 6.1 ->change_pte (COW) flushes the
 *   page too.  A separate observer notifier records the start/end brackets,
 *   for collateral accounting and event attribution (6.6+ forbids start/end
 *   and the secondary callback in one ops table).
 *
 * range model (KVM, HMM, RDMA ODP): the flush runs in
 *   ->invalidate_range_start, before the PTEs change, and fills of the
 *   range are refused until the matching ->invalidate_range_end.  When the
 *   start is not blockable (OOM reaper) nothing here sleeps: in queued mode
 *   the flush is posted like any other and the callback spins until it
 *   completes, helping the device after a grace period rather than
 *   depending on the queue thread (drv/invq.c, svmsim_invq_wait()).
 *   Every start and end here pairs up whatever bug is injected at either
 *   moment, so switching one mid-bracket cannot leak a bracket or end
 *   another's.
 *
 * Injected bugs (inject.c) enter through its hooks only: what a callback
 * flushes (svmsim_inj_range()), when the range model flushes
 * (svmsim_inj_late_flush()) and whether ->release stops the device.
 *
 * Both: ->release (exit_mmap) kills the bond's TLB space before the page
 * tables go and has the bond reaped (drv/reap.c); ->free_notifier drops
 * the notifier's bond reference after SRCU, so a callback never runs on
 * freed memory.
 *
 * pinned model (vfio type1): no invalidation reaches it, the pins keep
 * the pages; it subscribes to ->release only, so an exited process's pins
 * and PASID are given back without waiting for the fd's close.
 */
#include <linux/ktime.h>
#include <linux/sched/clock.h>
#include <linux/mmu_notifier.h>
#include <linux/sched.h>

#include "compat.h"
#include "svmsim.h"
#include "trace.h"

/*
 * A bracket's begin and end, for svmsim-run --record: the observer's
 * (secondary model) or the range model's own callbacks, one per bond.
 */
static void svmsim_trace_bracket(struct svmsim_bond *b,
				 const struct mmu_notifier_range *range)
{
	trace_svmsim_bracket(b->dev->index, b->pasid, range->start, svmsim_last(range->end),
			     svmsim_event_of(range->event), mmu_notifier_range_blockable(range));
}

static void svmsim_trace_bracket_end(struct svmsim_bond *b,
				     const struct mmu_notifier_range *range)
{
	trace_svmsim_bracket_end(b->dev->index, b->pasid, range->start, svmsim_last(range->end));
}

static struct svmsim_bond *mn_bond(struct mmu_notifier *mn)
{
	return container_of(mn, struct svmsim_bond, mn);
}

static struct svmsim_bond *obs_bond(struct mmu_notifier *mn)
{
	return container_of(mn, struct svmsim_bond, obs);
}

/* ---- the observer: what really changed (secondary model) ---- */

static int svmsim_obs_start(struct mmu_notifier *mn,
			    const struct mmu_notifier_range *range)
{
	struct svmsim_bond *b = obs_bond(mn);
	struct svmsim_observer *o = &b->observer;
	struct svmsim_obs_range *slot;

	if (range->end <= range->start)
		return 0;
	svmsim_trace_bracket(b, range);
	spin_lock(&o->lock);
	if (o->n < SVMSIM_OBS_SLOTS) {
		slot = &o->slots[o->n++];
		slot->key = range;
		slot->r.start = range->start;
		slot->r.last = svmsim_last(range->end);
		slot->event = svmsim_event_of(range->event);
		slot->active = true;
	} else {
		/*
		 * Full: the last slot becomes "everything changed" until the
		 * next flush takes it; collateral is undercounted meanwhile.
		 */
		slot = &o->slots[SVMSIM_OBS_SLOTS - 1];
		slot->key = NULL;
		slot->r.start = 0;
		slot->r.last = ULONG_MAX;
		slot->event = SVMSIM_EV_UNATTRIBUTED;
		slot->active = false;
	}
	spin_unlock(&o->lock);
	svmsim_count(b, SVMSIM_STAT_INV_OBSERVED, 1);
	return 0;
}

static void svmsim_obs_end(struct mmu_notifier *mn,
			   const struct mmu_notifier_range *range)
{
	struct svmsim_bond *b = obs_bond(mn);
	struct svmsim_observer *o = &b->observer;
	unsigned int i;

	/*
	 * Only an active slot can be this bracket's: the key is the caller's
	 * stack address, and one that ended but is not taken yet may carry
	 * the same key (fork brackets each VMA from the same frame).  Ending
	 * that one instead would leave this bracket active for ever, naming
	 * every later flush after it.
	 */
	if (range->end > range->start)
		svmsim_trace_bracket_end(b, range);
	spin_lock(&o->lock);
	for (i = o->n; i-- > 0;) {
		if (o->slots[i].active && o->slots[i].key == range) {
			o->slots[i].active = false;
			break;
		}
	}
	spin_unlock(&o->lock);
}

/*
 * Name a flush's event: the newest bracket in progress, else the newest
 * that ended (6.12 and batched flushes of reclaim and migration come after
 * their brackets ended).  A bracket flushed inside itself and ended later
 * stays until the next flush takes it, so "newest", not "the only one".
 */
static unsigned int svmsim_obs_event(const struct svmsim_observer *o)
{
	unsigned int i;

	for (i = o->n; i-- > 0;)
		if (o->slots[i].active)
			return o->slots[i].event;
	return o->n ? o->slots[o->n - 1].event : SVMSIM_EV_UNATTRIBUTED;
}

/*
 * Copy the ranges that changed since the last secondary flush into
 * @changed, name the event, and forget the brackets that have ended.
 */
static unsigned int svmsim_obs_take(struct svmsim_bond *b,
				    struct svm_tlb_range *changed,
				    unsigned int *event)
{
	struct svmsim_observer *o = &b->observer;
	unsigned int i, n, kept = 0;

	spin_lock(&o->lock);
	n = o->n;
	for (i = 0; i < n; i++)
		changed[i] = o->slots[i].r;
	*event = svmsim_obs_event(o);
	for (i = 0; i < n; i++) {
		if (o->slots[i].active)
			o->slots[kept++] = o->slots[i];
	}
	o->n = kept;
	spin_unlock(&o->lock);
	return n;
}

/* ---- one bond's part of a callback, in two passes (also fanout.c) ---- */

/**
 * svmsim_cb_post() - pass 1 for one bond: flush what an injected bug lets us
 * @cb: this bond's part of the callback.
 * @b: the bond.
 * @start: the callback's first address.
 * @last: its last address, inclusive.
 * @changed: the ranges that really changed, or NULL (exact); kept by the
 *	caller until svmsim_cb_wait().
 * @nchanged: number of @changed.
 * @event: enum svmsim_event.
 * @skip: flush nothing (an injected LATE_FLUSH: the end flushes).
 * @may_sleep: the callback may sleep (queued: a full queue).
 *
 * svmsim_san_flush_begin() came first.
 */
void svmsim_cb_post(struct svmsim_cb *cb, struct svmsim_bond *b, unsigned long start,
		    unsigned long last, const struct svm_tlb_range *changed,
		    unsigned int nchanged, unsigned int event, bool skip, bool may_sleep)
{
	cb->op.b = b;
	cb->start = start;
	cb->last = last;
	cb->fstart = start;
	cb->flast = last;
	cb->event = event;
	cb->flushed = !skip && svmsim_inj_range(b, event, &cb->fstart, &cb->flast);
	if (cb->flushed)
		svmsim_flush_post(&cb->op, cb->fstart, cb->flast, changed, nchanged, may_sleep);
}

/**
 * svmsim_cb_wait() - pass 2: wait for the bond's device, tell the sanitizer
 * @cb: posted by svmsim_cb_post().
 * @may_sleep: the callback may sleep.
 * @t0: local_clock() when the callback began.
 */
void svmsim_cb_wait(struct svmsim_cb *cb, bool may_sleep, u64 t0)
{
	if (cb->flushed)
		svmsim_flush_wait(&cb->op, cb->event, may_sleep, t0);
	/* (1, 0): an empty range, whatever @start is */
	svmsim_san_flush_end(cb->op.b, cb->start, cb->last, cb->event,
			     cb->flushed ? cb->fstart : 1, cb->flushed ? cb->flast : 0);
}

/* ---- secondary model ---- */

/**
 * svmsim_secondary_post() - pass 1 of the secondary flush for one bond
 * @b: the bond.
 * @start: first address.
 * @end: exclusive end (ULONG_MAX: the whole address space).
 * @changed: room for SVMSIM_OBS_SLOTS ranges, kept until the wait.
 * @cb: this bond's part of the callback.
 */
void svmsim_secondary_post(struct svmsim_bond *b, unsigned long start, unsigned long end,
			   struct svm_tlb_range *changed, struct svmsim_cb *cb)
{
	unsigned int n, event;

	svmsim_san_flush_begin(b);
	n = svmsim_obs_take(b, changed, &event);
	svmsim_cb_post(cb, b, start, svmsim_last(end), n ? changed : NULL, n, event, false, false);
}

/**
 * svmsim_secondary_invalidate() - the secondary model's flush
 * @mn: the bond's notifier.
 * @mm: the bond's mm.
 * @start: first address.
 * @end: exclusive end (ULONG_MAX: the whole address space).
 *
 * ->invalidate_range on 6.1, ->arch_invalidate_secondary_tlbs on 6.12; may
 * be called with the page table lock held, never sleeps.
 */
static void svmsim_secondary_invalidate(struct mmu_notifier *mn, struct mm_struct *mm,
					unsigned long start, unsigned long end)
{
	struct svm_tlb_range changed[SVMSIM_OBS_SLOTS];
	struct svmsim_cb cb;
	u64 t0 = local_clock();

	if (end <= start)
		return;
	svmsim_secondary_post(mn_bond(mn), start, end, changed, &cb);
	svmsim_cb_wait(&cb, false, t0);
}

/**
 * svmsim_change_pte_post() - pass 1 of 6.1's ->change_pte for one bond
 * @b: the bond.
 * @address: the page whose PTE now maps another page.
 * @cb: this bond's part of the callback.
 */
void svmsim_change_pte_post(struct svmsim_bond *b, unsigned long address, struct svmsim_cb *cb)
{
	unsigned long start = address & PAGE_MASK;

	svmsim_san_flush_begin(b);
	svmsim_cb_post(cb, b, start, start + PAGE_SIZE - 1, NULL, 0, SVMSIM_EV_CHANGE_PTE, false,
		       false);
}

/**
 * svmsim_change_pte() - 6.1's ->change_pte: a PTE now maps another page
 * @mn: the bond's notifier.
 * @mm: the bond's mm.
 * @address: the page.
 * @pte: the new PTE (not used: the device refaults rather than follows).
 *
 * COW (wp_page_copy) and KSM call it inside a start/end bracket; the
 * invalidate_range that follows flushes the page again, cheaply.
 */
static void __maybe_unused svmsim_change_pte(struct mmu_notifier *mn,
					     struct mm_struct *mm,
					     unsigned long address, pte_t pte)
{
	struct svmsim_cb cb;
	u64 t0 = local_clock();

	svmsim_change_pte_post(mn_bond(mn), address, &cb);
	svmsim_cb_wait(&cb, false, t0);
}

/* ---- range model ---- */

/**
 * svmsim_range_post() - pass 1 of a range start for one bond
 * @b: the bond; its TLB space began the invalidation already (always, bug
 *	or not: the end always ends it; NO_FILL_BLOCK lets fills ignore it
 *	instead, svmsim_fill_flags()).
 * @range: the kernel's range.
 * @cb: this bond's part of the callback.
 */
void svmsim_range_post(struct svmsim_bond *b, const struct mmu_notifier_range *range,
		       struct svmsim_cb *cb)
{
	svmsim_trace_bracket(b, range);
	if (!mmu_notifier_range_blockable(range))
		svmsim_count(b, SVMSIM_STAT_INV_NONBLOCK, 1);
	svmsim_san_flush_begin(b);
	svmsim_cb_post(cb, b, range->start, svmsim_last(range->end), NULL, 0,
		       svmsim_event_of(range->event), svmsim_inj_late_flush(b, true),
		       mmu_notifier_range_blockable(range));
}

static int svmsim_range_start(struct mmu_notifier *mn,
			      const struct mmu_notifier_range *range)
{
	struct svmsim_bond *b = mn_bond(mn);
	struct svmsim_cb cb;
	u64 t0 = local_clock();

	if (range->end <= range->start)
		return 0;
	svm_tlb_invalidate_begin(&b->space, range->start, svmsim_last(range->end));
	svmsim_range_post(b, range, &cb);
	svmsim_cb_wait(&cb, mmu_notifier_range_blockable(range), t0);
	return 0;
}

/**
 * svmsim_range_end_bond() - a range end for one bond
 * @b: the bond, whose space began this invalidation.
 * @range: the kernel's range.
 *
 * Ends the space's invalidation, after the flush an injected LATE_FLUSH
 * moved here.  May sleep where the kernel's end may (queued mode).
 */
void svmsim_range_end_bond(struct svmsim_bond *b, const struct mmu_notifier_range *range)
{
	struct svmsim_cb cb;

	svmsim_trace_bracket_end(b, range);
	if (svmsim_inj_late_flush(b, false)) {
		u64 t0 = local_clock();

		svmsim_san_flush_begin(b);
		svmsim_cb_post(&cb, b, range->start, svmsim_last(range->end), NULL, 0,
			       svmsim_event_of(range->event), false,
			       mmu_notifier_range_blockable(range));
		svmsim_cb_wait(&cb, mmu_notifier_range_blockable(range), t0);
	}
	/* Most ends have no fill waiting: skip the wait queue's lock then. */
	if (svm_tlb_invalidate_end(&b->space) && wq_has_sleeper(&b->fill_wq))
		wake_up_all(&b->fill_wq);
}

static void svmsim_range_end(struct mmu_notifier *mn,
			     const struct mmu_notifier_range *range)
{
	if (range->end > range->start)
		svmsim_range_end_bond(mn_bond(mn), range);
}

/* ---- both ---- */

/**
 * svmsim_bond_mm_release() - exit_mmap(): stop the bond's device access
 * @b: the bond.
 *
 * Before the page tables go, like intel_svm clearing the PASID entry.  No
 * invalidation follows.
 */
void svmsim_bond_mm_release(struct svmsim_bond *b)
{
	if (svmsim_inj_skip_release(b))
		return;
	svmsim_bond_kill(b, SVMSIM_EV_MM_RELEASE);
	svmsim_bond_reap_kick(b);
}

static void svmsim_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	svmsim_bond_mm_release(mn_bond(mn));
}

static void svmsim_mn_free(struct mmu_notifier *mn)
{
	svmsim_bond_put(mn_bond(mn));
}

static void svmsim_obs_free(struct mmu_notifier *mn)
{
	svmsim_bond_put(obs_bond(mn));
}

static const struct mmu_notifier_ops svmsim_secondary_ops = {
	.release = svmsim_mn_release,
	SVMSIM_OPS_SECONDARY_TLB(svmsim_secondary_invalidate)
	SVMSIM_OPS_CHANGE_PTE(svmsim_change_pte)
	.free_notifier = svmsim_mn_free,
};

static const struct mmu_notifier_ops svmsim_range_ops = {
	.release = svmsim_mn_release,
	.invalidate_range_start = svmsim_range_start,
	.invalidate_range_end = svmsim_range_end,
	.free_notifier = svmsim_mn_free,
};

static const struct mmu_notifier_ops svmsim_pinned_ops = {
	.release = svmsim_mn_release,
	.free_notifier = svmsim_mn_free,
};

/* A fan-out member's own notifier: no callbacks; it holds the bond until SRCU. */
static const struct mmu_notifier_ops svmsim_member_ops = {
	.free_notifier = svmsim_mn_free,
};

static const struct mmu_notifier_ops svmsim_observer_ops = {
	.invalidate_range_start = svmsim_obs_start,
	.invalidate_range_end = svmsim_obs_end,
	.free_notifier = svmsim_obs_free,
};

/* Register one notifier; it holds a bond reference until ->free_notifier. */
static int svmsim_mn_add(struct svmsim_bond *b, struct mmu_notifier *mn,
			 const struct mmu_notifier_ops *ops)
{
	int ret;

	mn->ops = ops;
	kref_get(&b->ref);
	ret = mmu_notifier_register(mn, b->mm);
	if (ret) {
		mn->ops = NULL;
		svmsim_bond_put(b);	/* not the last: the caller holds one */
	}
	return ret;
}

/* A fan-out member: its own notifier, then the mm's fan-out notifier. */
static int svmsim_fanout_add_bond(struct svmsim_bond *b)
{
	int ret = svmsim_mn_add(b, &b->mn, &svmsim_member_ops);

	return ret ? ret : svmsim_fanout_join(b);
}

/**
 * svmsim_notifier_register() - subscribe a new bond to its mm
 * @b: the bond; its mm is the caller's (mm_users held).
 *
 * The pinned model registers for ->release only; a SVMSIM_BIND_FANOUT bond
 * joins its mm's fan-out notifier (fanout.c) instead of its own (the
 * secondary model's observer is still its own).  A registered notifier's
 * ->ops stays set: svmsim_notifier_unregister() puts exactly those, also
 * after a failure here.
 *
 * Return: 0 or the error of mmu_notifier_register() / _get().
 */
int svmsim_notifier_register(struct svmsim_bond *b)
{
	int ret;

	if (b->model == SVMSIM_MODEL_PINNED)
		return svmsim_mn_add(b, &b->mn, &svmsim_pinned_ops);
	if (b->model == SVMSIM_MODEL_SECONDARY) {
		/*
		 * The observer last: the mm calls its newest subscriber first,
		 * so on 6.1 a range_end ends the observer's bracket before the
		 * flush it then sends to the bond takes the brackets -- an
		 * ended bracket is not left behind as if its flush were still
		 * to come (the sanitizer would excuse a stale entry under it).
		 */
		if (b->flags & SVMSIM_BIND_FANOUT)
			ret = svmsim_fanout_add_bond(b);
		else
			ret = svmsim_mn_add(b, &b->mn, &svmsim_secondary_ops);
		if (ret)
			return ret;
		return svmsim_mn_add(b, &b->obs, &svmsim_observer_ops);
	}
	if (b->flags & SVMSIM_BIND_FANOUT)
		return svmsim_fanout_add_bond(b);
	return svmsim_mn_add(b, &b->mn, &svmsim_range_ops);
}

/**
 * svmsim_notifier_unregister() - unsubscribe; the frees come after SRCU
 * @b: the bond, already killed (no entries, no fills).  Called once.
 */
void svmsim_notifier_unregister(struct svmsim_bond *b)
{
	if (b->mn.ops)
		mmu_notifier_put(&b->mn);
	if (b->obs.ops)
		mmu_notifier_put(&b->obs);
}
