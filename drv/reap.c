// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: reaping the bonds of exited processes, and their records.
 *
 * A child that binds through an inherited fd and exits leaves its bond on
 * the fd.  ->release already stopped all device access through it; the
 * reap, run from svmsim_wq, tears it down as an unbind would (notifiers
 * put, entries released, PASID given back when no other device holds it,
 * memory freed) and leaves on the fd a record: the PASID and the bond's
 * final counters.  So what an exited process costs its fd is a record
 * (about 1 kB, charged to the memory cgroup), and at most
 * SVMSIM_MAX_RECORDS of them: the oldest goes first.  Nothing global
 * -- no PASID, no notifier, no per-CPU memory -- outlives the mm.
 *
 * The ABI's view (include/uapi/svmsim.h): DMA, PROBE and INJECT on the
 * PASID of a reaped bond fail with ESRCH as on a released one; STATS reads
 * the record; UNBIND, from anyone, drops it.  A PASID given back may be
 * bound again, through the same fd too: the live bond then comes first.
 *
 * A record made while the bond is being torn down points at the bond, and
 * STATS reads the bond live; the reap then copies the final counters in
 * and lets go of it.  Until then the record belongs to the reap: UNBIND or
 * close() only take it off the list (@bond set, list entry empty), and the
 * reap frees it.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include "svmsim.h"

static void svmsim_file_release(struct kref *ref)
{
	struct svmsim_file *f = container_of(ref, struct svmsim_file, ref);

	kfree(f);
	svmsim_obj_add(SVMSIM_OBJ_FILE, -1);
}

/**
 * svmsim_file_put() - drop a reference on a file's state
 * @f: the file (its open file, or a bond made through it, held one).
 */
void svmsim_file_put(struct svmsim_file *f)
{
	kref_put(&f->ref, svmsim_file_release);
}

static void svmsim_record_free(struct svmsim_record *r)
{
	kfree(r);
	svmsim_obj_add(SVMSIM_OBJ_RECORD, -1);
}

/* Take @r off @f's list; free it unless its reap still runs.  f->lock. */
static void svmsim_record_unlink(struct svmsim_file *f, struct svmsim_record *r)
{
	list_del_init(&r->link);
	f->nrecords--;
	if (!r->bond)
		svmsim_record_free(r);
}

/*
 * Add @r as the newest record of @f.  A PASID names one record: an older
 * one of @r's PASID goes, and so does the oldest if @f has too many
 * (records still being made stay: there are at most as many as reaps in
 * flight).  f->lock.
 */
static void svmsim_record_add(struct svmsim_file *f, struct svmsim_record *r)
{
	struct svmsim_record *old, *n;

	list_for_each_entry_safe(old, n, &f->records, link) {
		if (old->pasid == r->pasid)
			svmsim_record_unlink(f, old);
	}
	if (f->nrecords >= SVMSIM_MAX_RECORDS) {
		list_for_each_entry(old, &f->records, link) {
			if (!old->bond) {
				svmsim_record_unlink(f, old);
				break;
			}
		}
	}
	list_add_tail(&r->link, &f->records);
	f->nrecords++;
}

/**
 * svmsim_file_record() - the newest record of @pasid on @f
 * @f: the file, f->lock held.
 * @pasid: a PASID.
 *
 * Return: the record, or NULL.
 */
struct svmsim_record *svmsim_file_record(struct svmsim_file *f, u32 pasid)
{
	struct svmsim_record *r;

	list_for_each_entry_reverse(r, &f->records, link) {
		if (r->pasid == pasid)
			return r;
	}
	return NULL;
}

/**
 * svmsim_record_drop() - UNBIND of a reaped bond: forget its record
 * @f: the file.
 * @pasid: the PASID.
 *
 * Return: true if @f had a record of @pasid (the newest one is dropped).
 */
bool svmsim_record_drop(struct svmsim_file *f, u32 pasid)
{
	struct svmsim_record *r;

	mutex_lock(&f->lock);
	r = svmsim_file_record(f, pasid);
	if (r)
		svmsim_record_unlink(f, r);
	mutex_unlock(&f->lock);
	return r;
}

/**
 * svmsim_file_drop_records() - close(): forget every record of @f
 * @f: the file, being released.
 */
void svmsim_file_drop_records(struct svmsim_file *f)
{
	struct svmsim_record *r, *n;

	mutex_lock(&f->lock);
	list_for_each_entry_safe(r, n, &f->records, link)
		svmsim_record_unlink(f, r);
	mutex_unlock(&f->lock);
}

/**
 * svmsim_file_stats() - SVMSIM_IOC_STATS of a PASID bound through @f
 * @f: the file.
 * @pasid: a PASID with a bond or a record on @f (the bond comes first).
 * @reset: zero the counters (not gauges) after reading them.
 * @st: out: the counters.
 *
 * Return: 0, or -EINVAL: @f has neither.
 */
int svmsim_file_stats(struct svmsim_file *f, u32 pasid, bool reset,
		      struct svmsim_stats *st)
{
	struct svmsim_record *r;
	struct svmsim_bond *b;

	b = svmsim_file_bond_get(f, pasid);
	if (IS_ERR(b)) {
		mutex_lock(&f->lock);
		r = svmsim_file_record(f, pasid);
		b = r ? r->bond : NULL;
		if (b)
			kref_get(&b->ref);		/* still being torn down */
		else if (r)
			svmsim_stats_copy(st, &r->st, reset);
		mutex_unlock(&f->lock);
		if (!r)
			return -EINVAL;
		if (!b)
			return 0;
	}
	svmsim_stats_read(f->dev, b, st);
	if (reset)
		svmsim_stats_reset(f->dev, b);
	svmsim_bond_put(b);
	return 0;
}

/*
 * The reap: swap the bond for a record on its file, tear it down, then
 * give the record its final counters.  Without memory for the record the
 * bond stays on the file, released, as before reaping existed.
 */
static void svmsim_bond_reap_work(struct work_struct *work)
{
	struct svmsim_bond *b = container_of(work, struct svmsim_bond, reap_work);
	struct svmsim_file *f = b->file;
	struct svmsim_record *r;
	bool ours = false;

	r = svmsim_alloc_fails() ? NULL : kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	mutex_lock(&f->lock);
	/* Off the list: unbound or closed meanwhile, and torn down there. */
	if (r && !list_empty(&b->file_link)) {
		list_del_init(&b->file_link);
		INIT_LIST_HEAD(&r->link);
		r->pasid = b->pasid;
		r->bond = b;			/* the file's reference, now the record's */
		svmsim_record_add(f, r);
		svmsim_obj_add(SVMSIM_OBJ_RECORD, 1);
		ours = true;
	}
	mutex_unlock(&f->lock);
	if (!ours) {
		kfree(r);
		goto out;
	}
	/* Each bond's end counts as one unbind: binds and unbinds balance. */
	svmsim_count(b, SVMSIM_STAT_UNBINDS, 1);
	svmsim_bond_teardown(b);		/* puts the record's reference */
	mutex_lock(&f->lock);
	svmsim_stats_read(b->dev, b, &r->st);
	r->bond = NULL;
	if (list_empty(&r->link))		/* dropped meanwhile: ours to free */
		svmsim_record_free(r);
	mutex_unlock(&f->lock);
out:
	svmsim_bond_put(b);
}

/**
 * svmsim_bond_reap_kick() - reap @b, whose mm has exited, off this path
 * @b: a bond just killed by ->release.  Any context.
 */
void svmsim_bond_reap_kick(struct svmsim_bond *b)
{
	if (!kref_get_unless_zero(&b->ref))
		return;
	if (!queue_work(svmsim_wq, &b->reap_work))
		svmsim_bond_put(b);
}

/**
 * svmsim_bond_reap_init() - prepare a new bond's reap
 * @b: the bond.
 * @f: the file it is bound through; referenced until the bond is freed.
 */
void svmsim_bond_reap_init(struct svmsim_bond *b, struct svmsim_file *f)
{
	INIT_WORK(&b->reap_work, svmsim_bond_reap_work);
	INIT_LIST_HEAD(&b->file_link);
	kref_get(&f->ref);
	b->file = f;
}
