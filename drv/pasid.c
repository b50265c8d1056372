// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: PASIDs.  One per bound mm, shared by every svmsim device the mm
 * is bound to, like the kernel's global SVA PASID (mm->pasid): a 20-bit
 * IDA, PASID 0 reserved (RID2PASID).  Freed when the mm's last bond goes.
 */
#include <linux/idr.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "svmsim.h"

/* Guards svmsim_mms and every svmsim_mm.users. */
static DEFINE_MUTEX(svmsim_mm_lock);
static LIST_HEAD(svmsim_mms);
static DEFINE_IDA(svmsim_pasid_ida);

/**
 * svmsim_mm_get() - the PASID holder of @mm, allocating a PASID if needed
 * @mm: the caller's mm.
 *
 * Return: the holder with a user reference, or ERR_PTR(-ENOSPC/-ENOMEM).
 */
struct svmsim_mm *svmsim_mm_get(struct mm_struct *mm)
{
	struct svmsim_mm *smm;
	int pasid;

	mutex_lock(&svmsim_mm_lock);
	list_for_each_entry(smm, &svmsim_mms, link) {
		if (smm->mm == mm) {
			smm->users++;
			goto out;
		}
	}
	smm = svmsim_alloc_fails() ? NULL : kzalloc(sizeof(*smm), GFP_KERNEL_ACCOUNT);
	if (!smm) {
		smm = ERR_PTR(-ENOMEM);
		goto out;
	}
	svmsim_obj_add(SVMSIM_OBJ_MM, 1);
	pasid = svmsim_alloc_fails() ? -ENOMEM :
		ida_alloc_range(&svmsim_pasid_ida, 1, SVMSIM_MAX_PASID, GFP_KERNEL);
	if (pasid < 0) {
		kfree(smm);
		svmsim_obj_add(SVMSIM_OBJ_MM, -1);
		smm = ERR_PTR(pasid == -ENOSPC ? -ENOSPC : -ENOMEM);
		goto out;
	}
	smm->pasid = pasid;
	smm->mm = mm;
	smm->users = 1;
	mmgrab(mm);
	list_add(&smm->link, &svmsim_mms);
out:
	mutex_unlock(&svmsim_mm_lock);
	return smm;
}

/**
 * svmsim_mm_put() - drop a user; the last one frees the PASID
 * @smm: from svmsim_mm_get().
 */
void svmsim_mm_put(struct svmsim_mm *smm)
{
	mutex_lock(&svmsim_mm_lock);
	if (--smm->users) {
		mutex_unlock(&svmsim_mm_lock);
		return;
	}
	list_del(&smm->link);
	ida_free(&svmsim_pasid_ida, smm->pasid);
	mutex_unlock(&svmsim_mm_lock);
	mmdrop(smm->mm);
	kfree(smm);
	svmsim_obj_add(SVMSIM_OBJ_MM, -1);
}
