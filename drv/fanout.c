// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: one notifier per (mm, model) that fans each invalidation out to
 * every device bound with SVMSIM_BIND_FANOUT, in two passes.
 *
 * Serial.  K devices bound to one mm, each with its own notifier (the
 * default), are flushed in turn: the mm calls one notifier after the
 * other, and each flushes its device and waits for the completion before
 * the next begins -- K device latencies per invalidation.
 *
 * Parallel.  A driver of several devices does better, as the two-pass
 * mmu_interval_notifier proposed for multi-GPU drivers in 2025-26 lets it
 * (->invalidate_start posts, ->invalidate_finish waits): post to every
 * device first, then wait for them all -- about one latency.  Neither 6.1
 * nor 6.12 has that interface, so the shape lives here: one notifier per
 * mm and model, registered by its first member (mmu_notifier_get()), whose
 * callbacks run pass 1 -- each member's flush posted (sync mode: entries
 * removed, completion due dev_latency_ns later; queued: a descriptor
 * posted) -- then pass 2 -- each member's completion waited for.  The
 * invariant is each member's as before: once the callback returns, no
 * member's device uses a translation of the range.
 *
 * Members.  @members is read under @lock by each callback, which then
 * uses the bonds it saw without the lock: a member's own notifier (b->mn,
 * notifier.c's member ops: no callbacks, only ->free_notifier) holds its
 * bond until an SRCU grace period after it leaves, so a callback that saw it can finish.
 * A member leaves after its TLB space was killed (no entries, no fills),
 * so an invalidation it misses afterwards finds nothing to flush.
 *
 * Brackets (range model).  Registration excludes invalidations in flight
 * (mm_take_all_locks()), but a member joining an existing notifier does
 * not: it joins in the middle of any start/end in progress.  So @lock also
 * counts the starts not yet ended and their union, and a joining member's
 * space begins that many invalidations of the union: every end it then
 * gets has its start, and no fill it makes meanwhile can cache what those
 * brackets change.
 */
#include <linux/mmu_notifier.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>

#include "compat.h"
#include "svmsim.h"

enum svmsim_fan_kind { SVMSIM_FAN_SECONDARY, SVMSIM_FAN_CHANGE_PTE, SVMSIM_FAN_RANGE };

/*
 * One callback to fan out: its kind and arguments (@start, @end: the
 * secondary range, or @start the page of a change_pte).
 */
struct svmsim_fan_call {
	enum svmsim_fan_kind kind;
	unsigned long start;
	unsigned long end;
	const struct mmu_notifier_range *range;
	bool may_sleep;
	u64 t0;
};

static struct svmsim_fanout *fan_of(struct mmu_notifier *mn)
{
	return container_of(mn, struct svmsim_fanout, mn);
}

/* The members now.  Caller holds @fan->lock. */
static unsigned int svmsim_fanout_members(struct svmsim_fanout *fan,
					  struct svmsim_bond **out)
{
	unsigned int i, n = 0;

	for (i = 0; i < SVMSIM_MAX_DEVICES; i++)
		if (fan->members[i])
			out[n++] = fan->members[i];
	return n;
}

static unsigned int svmsim_fanout_snapshot(struct svmsim_fanout *fan,
					   struct svmsim_bond **out)
{
	unsigned int n;

	spin_lock(&fan->lock);
	n = svmsim_fanout_members(fan, out);
	spin_unlock(&fan->lock);
	return n;
}

/* Pass 1 for one member. */
static void svmsim_fanout_post(const struct svmsim_fan_call *c, struct svmsim_bond *b,
			       struct svmsim_cb *cb, struct svm_tlb_range *changed)
{
	switch (c->kind) {
	case SVMSIM_FAN_SECONDARY:
		svmsim_secondary_post(b, c->start, c->end, changed, cb);
		break;
	case SVMSIM_FAN_CHANGE_PTE:
		svmsim_change_pte_post(b, c->start, cb);
		break;
	case SVMSIM_FAN_RANGE:
		svmsim_range_post(b, c->range, cb);
		break;
	}
}

/* One member at a time: a single member, or no memory for the passes. */
static void svmsim_fanout_serial(struct svmsim_bond **bonds, unsigned int n,
				 const struct svmsim_fan_call *c)
{
	struct svm_tlb_range changed[SVMSIM_OBS_SLOTS];
	struct svmsim_cb cb;
	unsigned int i;

	for (i = 0; i < n; i++) {
		svmsim_fanout_post(c, bonds[i], &cb, changed);
		svmsim_cb_wait(&cb, c->may_sleep, c->t0);
		svmsim_count(bonds[i], SVMSIM_STAT_FANOUT, 1);
		if (n > 1)
			svmsim_count(bonds[i], SVMSIM_STAT_FANOUT_SERIAL, 1);
	}
}

/*
 * Fan @c out to @bonds: every post, then every wait.  The callback's
 * state per member does not fit the stack for 16 devices, so it is
 * allocated without sleeping (the secondary callback may hold the page
 * table lock); without memory the members go one at a time, counted.
 */
static void svmsim_fanout_call(struct svmsim_bond **bonds, unsigned int n,
			       const struct svmsim_fan_call *c)
{
	const gfp_t gfp = GFP_NOWAIT | __GFP_NOWARN;
	struct svm_tlb_range *changed = NULL;
	struct svmsim_cb *cbs = NULL;
	unsigned int i;

	if (n > 1 && !svmsim_alloc_fails()) {
		cbs = kmalloc_array(n, sizeof(*cbs), gfp);
		if (cbs && c->kind == SVMSIM_FAN_SECONDARY) {
			changed = kmalloc_array(n * SVMSIM_OBS_SLOTS, sizeof(*changed), gfp);
			if (!changed) {
				kfree(cbs);
				cbs = NULL;
			}
		}
	}
	if (!cbs) {
		svmsim_fanout_serial(bonds, n, c);
		return;
	}
	for (i = 0; i < n; i++)
		svmsim_fanout_post(c, bonds[i], &cbs[i],
				   changed ? changed + i * SVMSIM_OBS_SLOTS : NULL);
	for (i = 0; i < n; i++) {
		svmsim_cb_wait(&cbs[i], c->may_sleep, c->t0);
		svmsim_count(bonds[i], SVMSIM_STAT_FANOUT, 1);
	}
	kfree(changed);
	kfree(cbs);
}

/* ---- secondary model ---- */

static void svmsim_fanout_secondary(struct mmu_notifier *mn, struct mm_struct *mm,
				    unsigned long start, unsigned long end)
{
	struct svmsim_bond *bonds[SVMSIM_MAX_DEVICES];
	struct svmsim_fan_call c = {
		.kind = SVMSIM_FAN_SECONDARY, .start = start, .end = end, .t0 = local_clock(),
	};

	if (end > start)
		svmsim_fanout_call(bonds, svmsim_fanout_snapshot(fan_of(mn), bonds), &c);
}

static void __maybe_unused svmsim_fanout_change_pte(struct mmu_notifier *mn,
						    struct mm_struct *mm,
						    unsigned long address, pte_t pte)
{
	struct svmsim_bond *bonds[SVMSIM_MAX_DEVICES];
	struct svmsim_fan_call c = {
		.kind = SVMSIM_FAN_CHANGE_PTE, .start = address, .t0 = local_clock(),
	};

	svmsim_fanout_call(bonds, svmsim_fanout_snapshot(fan_of(mn), bonds), &c);
}

/* ---- range model ---- */

static int svmsim_fanout_range_start(struct mmu_notifier *mn,
				     const struct mmu_notifier_range *range)
{
	struct svmsim_fanout *fan = fan_of(mn);
	struct svmsim_bond *bonds[SVMSIM_MAX_DEVICES];
	unsigned long last = svmsim_last(range->end);
	struct svmsim_fan_call c = {
		.kind = SVMSIM_FAN_RANGE, .range = range,
		.may_sleep = mmu_notifier_range_blockable(range), .t0 = local_clock(),
	};
	unsigned int i, n;

	if (range->end <= range->start)
		return 0;
	spin_lock(&fan->lock);
	if (!fan->in_progress++) {
		fan->inv_start = range->start;
		fan->inv_last = last;
	} else {
		fan->inv_start = min(fan->inv_start, range->start);
		fan->inv_last = max(fan->inv_last, last);
	}
	n = svmsim_fanout_members(fan, bonds);
	for (i = 0; i < n; i++)
		svm_tlb_invalidate_begin(&bonds[i]->space, range->start, last);
	spin_unlock(&fan->lock);
	svmsim_fanout_call(bonds, n, &c);
	return 0;
}

static void svmsim_fanout_range_end(struct mmu_notifier *mn,
				    const struct mmu_notifier_range *range)
{
	struct svmsim_fanout *fan = fan_of(mn);
	struct svmsim_bond *bonds[SVMSIM_MAX_DEVICES];
	unsigned int i, n;

	if (range->end <= range->start)
		return;
	spin_lock(&fan->lock);
	n = svmsim_fanout_members(fan, bonds);
	/* Never below 0: registration saw no start in flight. */
	if (fan->in_progress)
		fan->in_progress--;
	spin_unlock(&fan->lock);
	for (i = 0; i < n; i++)
		svmsim_range_end_bond(bonds[i], range);
}

/* ---- both ---- */

static void svmsim_fanout_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct svmsim_bond *bonds[SVMSIM_MAX_DEVICES];
	unsigned int i, n = svmsim_fanout_snapshot(fan_of(mn), bonds);

	for (i = 0; i < n; i++)
		svmsim_bond_mm_release(bonds[i]);
}

static struct mmu_notifier *svmsim_fanout_alloc(struct mm_struct *mm)
{
	struct svmsim_fanout *fan = kzalloc(sizeof(*fan), GFP_KERNEL_ACCOUNT);

	if (!fan)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&fan->lock);
	svmsim_obj_add(SVMSIM_OBJ_FANOUT, 1);
	return &fan->mn;
}

static void svmsim_fanout_free(struct mmu_notifier *mn)
{
	kfree(fan_of(mn));
	svmsim_obj_add(SVMSIM_OBJ_FANOUT, -1);
}

static const struct mmu_notifier_ops svmsim_fanout_secondary_ops = {
	.release = svmsim_fanout_release,
	SVMSIM_OPS_SECONDARY_TLB(svmsim_fanout_secondary)
	SVMSIM_OPS_CHANGE_PTE(svmsim_fanout_change_pte)
	.alloc_notifier = svmsim_fanout_alloc,
	.free_notifier = svmsim_fanout_free,
};

static const struct mmu_notifier_ops svmsim_fanout_range_ops = {
	.release = svmsim_fanout_release,
	.invalidate_range_start = svmsim_fanout_range_start,
	.invalidate_range_end = svmsim_fanout_range_end,
	.alloc_notifier = svmsim_fanout_alloc,
	.free_notifier = svmsim_fanout_free,
};

/* Add @b to @fan; its space begins the brackets in progress first. */
static int svmsim_fanout_add(struct svmsim_fanout *fan, struct svmsim_bond *b)
{
	unsigned int i, idx = b->dev->index;

	spin_lock(&fan->lock);
	/* Free: a member leaves before its device forgets it (teardown). */
	if (fan->members[idx]) {
		spin_unlock(&fan->lock);
		return -EBUSY;
	}
	for (i = 0; i < fan->in_progress; i++)
		svm_tlb_invalidate_begin(&b->space, fan->inv_start, fan->inv_last);
	fan->members[idx] = b;
	fan->nmembers++;
	spin_unlock(&fan->lock);
	b->fan = fan;
	return 0;
}

/**
 * svmsim_fanout_join() - subscribe a SVMSIM_BIND_FANOUT bond through its
 *	mm's fan-out notifier
 * @b: the bond (range or secondary model), whose member notifier (b->mn)
 *	is registered; its mm has mm_users held.
 *
 * Registers the fan-out notifier of (@b->mm, @b->model) if @b is its
 * first member.  Takes mmap_lock: no lock of ours may be held.
 *
 * Return: 0, -ENOMEM, -EBUSY or the error of mmu_notifier_get().
 */
int svmsim_fanout_join(struct svmsim_bond *b)
{
	const struct mmu_notifier_ops *ops = b->model == SVMSIM_MODEL_RANGE ?
		&svmsim_fanout_range_ops : &svmsim_fanout_secondary_ops;
	struct mmu_notifier *mn;
	int ret;

	mn = svmsim_alloc_fails() ? ERR_PTR(-ENOMEM) : mmu_notifier_get(ops, b->mm);
	if (IS_ERR(mn))
		return PTR_ERR(mn);
	ret = svmsim_fanout_add(fan_of(mn), b);
	if (ret)
		mmu_notifier_put(mn);
	return ret;
}

/**
 * svmsim_fanout_leave() - leave the mm's fan-out notifier
 * @b: a member whose TLB space was killed.
 *
 * Callbacks that saw @b may still be running; @b->mn, put after this,
 * keeps @b until they are done.  The last member's leave frees the
 * notifier (after SRCU).  Never sleeps.
 */
void svmsim_fanout_leave(struct svmsim_bond *b)
{
	struct svmsim_fanout *fan = b->fan;

	spin_lock(&fan->lock);
	fan->members[b->dev->index] = NULL;
	fan->nmembers--;
	spin_unlock(&fan->lock);
	b->fan = NULL;
	mmu_notifier_put(&fan->mn);
}
