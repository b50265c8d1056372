/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels svmsim supports (6.1 and 6.12) is
 * here, and nowhere else.  Each one is a small wrapper or an ops-table
 * fragment; the rest of drv/ calls these and never tests the version.
 *
 *  6.3  vm_flags became read-only: vm_flags_set().
 *  6.5  get_user_pages_remote()/pin_user_pages_remote() lost @vmas.
 *  6.6  GUP follows a PROT_NONE NUMA-hinting PTE unless the caller passes
 *       FOLL_HONOR_NUMA_FAULT; before, it took the hinting fault unless
 *       FOLL_FORCE (6.1 behaves so).  A fill must take it: see fill.c.
 *  6.6  ->invalidate_range became ->arch_invalidate_secondary_tlbs, and one
 *       ops table may no longer have it together with
 *       ->invalidate_range_start/end (mmu_notifier_register() WARNs and
 *       fails), so the secondary model and the range observer are two
 *       notifiers on every kernel.
 *  6.10 ->change_pte was removed.
 *  6.10 follow_pfn()/follow_pte() gave way to follow_pfnmap_start/end().
 *  6.x  pmd_read_atomic() became pmdp_get_lockless().
 */
#ifndef _SVMSIM_COMPAT_H
#define _SVMSIM_COMPAT_H

#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/pgtable.h>
#include <linux/version.h>

#include "uapi/svmsim.h"

/*
 * SVMSIM_SECONDARY_TLB_OP: the name of the secondary-TLB callback in struct
 * mmu_notifier_ops (same signature on every kernel); svmsim_null uses it.
 * SVMSIM_OPS_SECONDARY_TLB(fn) / SVMSIM_OPS_CHANGE_PTE(fn): the ops table
 * initialisers (the latter empty where ->change_pte is gone, 6.10+).
 */
/*
 * SVMSIM_SECONDARY_FLUSH_AT_END: a range end (but an _only_end one) sends
 * the secondary flush of its range, from the same call that ends the
 * brackets of other notifiers -- which may come first (before 6.6).  From
 * 6.6 the flush goes with the CPU's TLB flush instead, and none follows a
 * range that gathered nothing.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define SVMSIM_SECONDARY_TLB_OP invalidate_range
#define SVMSIM_KERNEL_FEATURES_TLB SVMSIM_FEAT_INVALIDATE_RANGE
#define SVMSIM_SECONDARY_FLUSH_AT_END true
#else
#define SVMSIM_SECONDARY_TLB_OP arch_invalidate_secondary_tlbs
#define SVMSIM_KERNEL_FEATURES_TLB SVMSIM_FEAT_SECONDARY_TLBS
#define SVMSIM_SECONDARY_FLUSH_AT_END false
#endif
#define SVMSIM_OPS_SECONDARY_TLB(fn) .SVMSIM_SECONDARY_TLB_OP = (fn),

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
#define SVMSIM_OPS_CHANGE_PTE(fn) .change_pte = (fn),
#define SVMSIM_KERNEL_FEATURES (SVMSIM_KERNEL_FEATURES_TLB | SVMSIM_FEAT_CHANGE_PTE)
#else
#define SVMSIM_OPS_CHANGE_PTE(fn)
#define SVMSIM_KERNEL_FEATURES SVMSIM_KERNEL_FEATURES_TLB
#endif

static inline void svmsim_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
	vma->vm_flags |= flags;
#else
	vm_flags_set(vma, flags);
#endif
}

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define SVMSIM_FOLL_HONOR_NUMA	0	/* the default without FOLL_FORCE */
#else
#define SVMSIM_FOLL_HONOR_NUMA	FOLL_HONOR_NUMA_FAULT
#endif

/* One page of a remote mm, referenced (FOLL_GET).  mmap_read_lock held. */
static inline long svmsim_gup_remote(struct mm_struct *mm, unsigned long addr,
				     unsigned int gup_flags, struct page **page)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	return get_user_pages_remote(mm, addr, 1, gup_flags, page, NULL, NULL);
#else
	return get_user_pages_remote(mm, addr, 1, gup_flags, page, NULL);
#endif
}

/* Pin @nr pages for long-term DMA (FOLL_PIN).  mmap_read_lock held. */
static inline long svmsim_pin_remote(struct mm_struct *mm, unsigned long addr,
				     unsigned long nr, unsigned int gup_flags,
				     struct page **pages)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	return pin_user_pages_remote(mm, addr, nr, gup_flags, pages, NULL, NULL);
#else
	return pin_user_pages_remote(mm, addr, nr, gup_flags, pages, NULL);
#endif
}

/*
 * Translate @addr in a VM_PFNMAP @vma (the device window): the PFN and
 * whether the PTE is writable.  mmap_read_lock held.  0 or -EFAULT.
 */
static inline int svmsim_follow_pfnmap(struct vm_area_struct *vma,
				       unsigned long addr, unsigned long *pfn,
				       bool *writable)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
	spinlock_t *ptl;
	pte_t *ptep;

	if (follow_pte(vma->vm_mm, addr, &ptep, &ptl))
		return -EFAULT;
	__acquire(ptl);		/* follow_pte() returned with it held */
	*pfn = pte_pfn(*ptep);
	*writable = pte_write(*ptep);
	pte_unmap_unlock(ptep, ptl);
	return 0;
#else
	struct follow_pfnmap_args args = { .vma = vma, .address = addr };

	if (follow_pfnmap_start(&args))
		return -EFAULT;
	*pfn = args.pfn;
	*writable = args.writable;
	follow_pfnmap_end(&args);
	return 0;
#endif
}

static inline pmd_t svmsim_pmd_read(pmd_t *pmdp)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	return pmd_read_atomic(pmdp);
#else
	return pmdp_get_lockless(pmdp);
#endif
}

/* The kernel's enum mmu_notifier_event, as an svmsim_event. */
static inline unsigned int svmsim_event_of(enum mmu_notifier_event ev)
{
	switch (ev) {
	case MMU_NOTIFY_UNMAP:		return SVMSIM_EV_UNMAP;
	case MMU_NOTIFY_CLEAR:		return SVMSIM_EV_CLEAR;
	case MMU_NOTIFY_PROTECTION_VMA:	return SVMSIM_EV_PROTECTION_VMA;
	case MMU_NOTIFY_PROTECTION_PAGE: return SVMSIM_EV_PROTECTION_PAGE;
	case MMU_NOTIFY_SOFT_DIRTY:	return SVMSIM_EV_SOFT_DIRTY;
	case MMU_NOTIFY_RELEASE:	return SVMSIM_EV_RELEASE;
	case MMU_NOTIFY_MIGRATE:	return SVMSIM_EV_MIGRATE;
	case MMU_NOTIFY_EXCLUSIVE:	return SVMSIM_EV_EXCLUSIVE;
	default:			return SVMSIM_EV_OTHER;
	}
}

#endif /* _SVMSIM_COMPAT_H */
