// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: the catalogue of classic driver bugs (enum svmsim_bug).
 *
 * Every injected bug lives here.  The correct driver calls a few hooks at
 * fixed points and reads as if no bug existed:
 *
 *   svmsim_inj_range()       an invalidation callback is about to flush
 *                            [start, last]: skip it, or flush less;
 *   svmsim_inj_late_flush()  range model: flush at the end, not the start;
 *   svmsim_inj_flush_flags() the TLB core's flush misses 2M entries;
 *   svmsim_inj_flushed()     ... and counts those it missed;
 *   svmsim_inj_nowait()      queued mode: return before the flush is done;
 *   svmsim_inj_fill_flags()  a fill ignores the sequence or the brackets;
 *   svmsim_inj_filled()      ... and counts the stale fills it inserted;
 *   svmsim_inj_skip_release() ->release leaves the device running.
 *
 * A new bug is one enum value (UAPI), one row of svmsim_bug_rules[], one
 * case in its hook and one test.  Every bug that changes behaviour counts
 * SVMSIM_STAT_INJECTED.  Each hook reads the bond's bug once, so a bug
 * switched mid-callback acts on one whole decision or not at all.  The
 * first four decide the no-bug case inline (svmsim.h) and call the
 * __svmsim_inj_*() here only for a bond with a bug.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "svmsim.h"

#define M_SEC		BIT(SVMSIM_MODEL_SECONDARY)
#define M_RANGE		BIT(SVMSIM_MODEL_RANGE)
#define M_BOTH		(M_SEC | M_RANGE)

/**
 * struct svmsim_bug_rule - where a bug applies
 * @models: bit per enum svmsim_model.
 * @queued: needs the queued flush mode.
 * @skips: the event a SKIP_<event> bug ignores, plus one (0: none; the
 *	first event, SVMSIM_EV_UNMAP, is 0).
 */
struct svmsim_bug_rule {
	u8 models;
	bool queued;
	u8 skips;
};

#define SKIPS(ev)	.skips = (ev) + 1

/* Does @rule's bug ignore invalidations of @event? */
static bool svmsim_rule_skips(const struct svmsim_bug_rule *rule, unsigned int event)
{
	return rule->skips == event + 1;
}

static const struct svmsim_bug_rule svmsim_bug_rules[SVMSIM_BUG_NR] = {
	[SVMSIM_BUG_NONE]		= { M_BOTH },
	[SVMSIM_BUG_SKIP_INVALIDATE]	= { M_BOTH },
	[SVMSIM_BUG_NO_FILL_BLOCK]	= { M_RANGE },
	[SVMSIM_BUG_IGNORE_SEQ]		= { M_BOTH },
	[SVMSIM_BUG_END_OFF_BY_ONE]	= { M_BOTH },
	[SVMSIM_BUG_WRONG_PASID]	= { M_BOTH },
	[SVMSIM_BUG_NO_WAIT]		= { M_BOTH, .queued = true },
	[SVMSIM_BUG_SKIP_UNMAP]		= { M_RANGE, SKIPS(SVMSIM_EV_UNMAP) },
	[SVMSIM_BUG_SKIP_CLEAR]		= { M_RANGE, SKIPS(SVMSIM_EV_CLEAR) },
	[SVMSIM_BUG_SKIP_PROTECTION_VMA] = { M_RANGE, SKIPS(SVMSIM_EV_PROTECTION_VMA) },
	[SVMSIM_BUG_SKIP_PROTECTION_PAGE] = { M_RANGE, SKIPS(SVMSIM_EV_PROTECTION_PAGE) },
	[SVMSIM_BUG_SKIP_MIGRATE]	= { M_RANGE, SKIPS(SVMSIM_EV_MIGRATE) },
	[SVMSIM_BUG_SKIP_SOFT_DIRTY]	= { M_RANGE, SKIPS(SVMSIM_EV_SOFT_DIRTY) },
	[SVMSIM_BUG_SKIP_CHANGE_PTE]	= { M_SEC, SKIPS(SVMSIM_EV_CHANGE_PTE) },
	[SVMSIM_BUG_LATE_FLUSH]		= { M_RANGE },
	[SVMSIM_BUG_START_OFF_BY_ONE]	= { M_BOTH },
	[SVMSIM_BUG_END_OVERFLOW]	= { M_BOTH },
	[SVMSIM_BUG_4K_LEAVES_2M]	= { M_BOTH },
	[SVMSIM_BUG_SKIP_RELEASE]	= { M_BOTH },
	[SVMSIM_BUG_FULL_FORGETS_2M]	= { M_BOTH },
};

static u32 svmsim_bug(struct svmsim_bond *b)
{
	return READ_ONCE(b->inj.bug);
}

static bool svmsim_injected(struct svmsim_bond *b)
{
	svmsim_count(b, SVMSIM_STAT_INJECTED, 1);
	return true;
}

/* SKIP_INVALIDATE: drop every param-th callback (0 or 1: all). */
static bool svmsim_inj_skip_nth(struct svmsim_bond *b)
{
	u32 every = READ_ONCE(b->inj.param);

	if (every > 1 && atomic_inc_return(&b->inj.calls) % every)
		return false;
	return svmsim_injected(b);
}

/**
 * __svmsim_inj_range() - what an invalidation callback flushes, bugs applied
 * @b: the bond.
 * @event: the callback's enum svmsim_event.
 * @start: in: the callback's first address; out: the first to flush.
 * @last: in: its last address (inclusive); out: the last to flush.
 *
 * Return: false if the callback flushes nothing of this bond.
 */
bool __svmsim_inj_range(struct svmsim_bond *b, unsigned int event,
			unsigned long *start, unsigned long *last)
{
	u32 bug = svmsim_bug(b);

	switch (bug) {
	case SVMSIM_BUG_NONE:
		return true;
	case SVMSIM_BUG_SKIP_INVALIDATE:
		return !svmsim_inj_skip_nth(b);
	case SVMSIM_BUG_WRONG_PASID:	/* flushes another PASID: nothing of ours */
		return !svmsim_injected(b);
	case SVMSIM_BUG_END_OFF_BY_ONE:
		if (*last == ULONG_MAX)		/* nothing after it to be one short of */
			return true;
		svmsim_injected(b);
		if (*last - *start < PAGE_SIZE)
			return false;
		*last -= PAGE_SIZE;
		return true;
	case SVMSIM_BUG_START_OFF_BY_ONE:
		svmsim_injected(b);
		if (*last - *start < PAGE_SIZE)
			return false;
		*start += PAGE_SIZE;
		return true;
	case SVMSIM_BUG_END_OVERFLOW:
		/* PAGE_ALIGN(ULONG_MAX) == 0: the range [start, 0) is empty */
		return *last != ULONG_MAX || !svmsim_injected(b);
	default:
		if (svmsim_rule_skips(&svmsim_bug_rules[bug], event))
			return !svmsim_injected(b);
		return true;
	}
}

/**
 * __svmsim_inj_late_flush() - range model: does this bond flush at the end?
 * @b: the bond.
 * @start: asked at invalidate_range_start (else at the end).
 *
 * Return: true under LATE_FLUSH: the start only blocks fills, the end
 * flushes.  The caller asks at the start and again at the end, so a bug
 * switched in between flushes twice or not at all -- both a bug's doing.
 * A start that defers its flush counts as the bug acting.
 */
bool __svmsim_inj_late_flush(struct svmsim_bond *b, bool start)
{
	if (svmsim_bug(b) != SVMSIM_BUG_LATE_FLUSH)
		return false;
	if (start)
		svmsim_injected(b);
	return true;
}

/**
 * __svmsim_inj_flush_flags() - the TLB core's flush bugs for this bond
 * @b: the bond.
 *
 * Return: SVM_TLB_FLUSH_* bug flags for svm_tlb_flush_req.bugs.
 */
unsigned int __svmsim_inj_flush_flags(struct svmsim_bond *b)
{
	switch (svmsim_bug(b)) {
	case SVMSIM_BUG_4K_LEAVES_2M:
		return SVM_TLB_FLUSH_SMALL_4K;
	case SVMSIM_BUG_FULL_FORGETS_2M:
		return SVM_TLB_FLUSH_FULL_4K;
	default:
		return 0;
	}
}

/**
 * svmsim_inj_nowait() - NO_WAIT: post a copy the queue owns and return
 * @b: the bond.
 * @req: the flush.
 *
 * Return: false if the bond has no such bug: post and wait as usual.
 */
bool svmsim_inj_nowait(struct svmsim_bond *b, const struct svm_tlb_flush_req *req)
{
	struct svmsim_owned_desc *od;
	struct svmsim_inv_desc *d;

	if (svmsim_bug(b) != SVMSIM_BUG_NO_WAIT)
		return false;
	od = svmsim_alloc_fails() ? NULL :
		kzalloc(struct_size(od, changed, req->nchanged), GFP_ATOMIC);
	if (!od)		/* cannot even be wrong: be right */
		return false;
	d = &od->d;
	d->req = *req;
	if (req->changed) {
		memcpy(od->changed, req->changed, req->nchanged * sizeof(*req->changed));
		d->req.changed = od->changed;
	}
	d->bond = b;
	d->owned = true;
	svmsim_obj_add(SVMSIM_OBJ_DESC, 1);
	kref_get(&b->ref);
	svmsim_injected(b);
	svmsim_invq_post(b->dev, d, 1, false);
	return true;
}

/**
 * svmsim_inj_fill_flags() - the TLB core's fill bugs for this bond
 * @b: the bond.
 *
 * Return: SVM_TLB_INSERT_NOCHECK, SVM_TLB_FILL_NOBLOCK or 0.
 */
unsigned int svmsim_inj_fill_flags(struct svmsim_bond *b)
{
	switch (svmsim_bug(b)) {
	case SVMSIM_BUG_IGNORE_SEQ:
		return SVM_TLB_INSERT_NOCHECK;
	case SVMSIM_BUG_NO_FILL_BLOCK:
		return SVM_TLB_FILL_NOBLOCK;
	default:
		return 0;
	}
}

/**
 * svmsim_inj_filled() - count the stale fills a fill bug inserted
 * @b: the bond, after a fill made with svmsim_inj_fill_flags().
 *
 * IGNORE_SEQ and NO_FILL_BLOCK act only when a fill raced an invalidation:
 * it walked while one was in progress over its address, or was inserted
 * where a correct one would have walked again.  (A sequence moved by an
 * invalidation of another range counts too: the bug took a chance.)
 */
void svmsim_inj_filled(struct svmsim_bond *b)
{
	unsigned long n = svm_tlb_take_bug_inserts(&b->space);

	if (n)
		svmsim_count(b, SVMSIM_STAT_INJECTED, n);
}

/**
 * svmsim_inj_skip_release() - SKIP_RELEASE: ->release leaves the device on
 * @b: the bond.
 *
 * Return: true if ->release must not kill the bond.  The sanitizer is told
 * (the device still holds translations of an mm whose page tables go).
 */
bool svmsim_inj_skip_release(struct svmsim_bond *b)
{
	if (svmsim_bug(b) != SVMSIM_BUG_SKIP_RELEASE)
		return false;
	svmsim_injected(b);
	svmsim_san_released(b);
	return true;
}

static int svmsim_inject_check(struct svmsim_bond *b, const struct svmsim_inject *in)
{
	const struct svmsim_bug_rule *rule;

	if (in->bug >= SVMSIM_BUG_NR || in->fill_delay_us > SVMSIM_MAX_FILL_DELAY_US ||
	    !svmsim_reserved_zero(in->reserved, ARRAY_SIZE(in->reserved)))
		return -EINVAL;
	if (in->bug == SVMSIM_BUG_NONE)
		return in->param ? -EINVAL : 0;
	if (!svmsim_allow_inject)
		return -EPERM;
	rule = &svmsim_bug_rules[in->bug];
	/*
	 * A stale entry must still hold its page (no use-after-free), unless
	 * the sanitizer checks every access before it touches a page.
	 */
	if ((b->fill != SVMSIM_FILL_REF && !b->san.on) || !(rule->models & BIT(b->model)))
		return -EINVAL;
	if (rule->queued && READ_ONCE(b->dev->cfg.flush_mode) != SVMSIM_FLUSH_QUEUED)
		return -EINVAL;
	if (svmsim_rule_skips(rule, SVMSIM_EV_CHANGE_PTE) &&
	    !(SVMSIM_KERNEL_FEATURES & SVMSIM_FEAT_CHANGE_PTE))
		return -EOPNOTSUPP;
	return 0;
}

/**
 * svmsim_ioctl_inject() - SVMSIM_IOC_INJECT
 * @f: the file.
 * @arg: struct svmsim_inject.
 *
 * Return: 0 or a documented errno.
 */
long svmsim_ioctl_inject(struct svmsim_file *f, void __user *arg)
{
	struct svmsim_inject in;
	struct svmsim_bond *b;
	int ret;

	if (copy_from_user(&in, arg, sizeof(in)))
		return -EFAULT;
	b = svmsim_bond_lookup(f, in.pasid);
	if (IS_ERR(b))
		return PTR_ERR(b);
	ret = svmsim_inject_check(b, &in);
	if (!ret) {
		atomic_set(&b->inj.calls, 0);
		WRITE_ONCE(b->inj.param, in.param);
		WRITE_ONCE(b->inj.fill_delay_us, in.fill_delay_us);
		WRITE_ONCE(b->inj.bug, in.bug);
	}
	svmsim_bond_put(b);
	return ret;
}
