// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: the device page request -- fill a TLB entry from the CPU page
 * tables of the bound mm.
 *
 *   1. sample the invalidation sequence (waiting out, in the range model,
 *      an invalidation in progress over the address);
 *   2. walk: mmget_not_zero + mmap_read_lock, then get_user_pages_remote()
 *      (write intent for writes; pin_user_pages_remote(FOLL_LONGTERM) for
 *      the pinned model), or the PFN-map lookup for the device window;
 *      a PMD-mapped THP gives a 2M entry;
 *   3. insert unless an invalidation began since step 1 -- the walk may
 *      have read a PTE just before it was cleared -- and walk again if so
 *      (counted), after that invalidation if it is still in progress over
 *      the entry's span; until a fatal signal or the page-request timeout.
 *
 * An address that is unmapped, above the user address space, PROT_NONE,
 * or read-only for a write is a device fault (EFAULT, EACCES), like an
 * IOMMU translation or permission fault.
 *
 * Why a cached translation is always flushed in time (the DESIGN invariant
 * "once the callback returns, no device access uses the old translation"):
 * since 6.6 the kernel sends the secondary-TLB flush
 * (->arch_invalidate_secondary_tlbs) only where it flushes CPU TLBs (6.1
 * also sent ->invalidate_range from every invalidate_range_end), and x86
 * skips that for a PTE that is not "accessible" (pte_accessible(): not
 * present, or a NUMA-hinting PROT_NONE PTE with no flush pending) -- a CPU
 * cannot have cached it (ptep_clear_flush(), the batched unmap of
 * migration and reclaim).  Migration of a page behind a hinting PTE, its
 * unmap, swap-out or replacement therefore reach the secondary model with
 * no flush at all (the range model still gets the start/end bracket; PMD
 * changes always flush).  So the device TLB may only ever hold what a CPU
 * TLB could hold: a fill caches a translation only from a PTE a CPU access
 * would use as it is --
 *  - present and accessible: GUP takes the NUMA-hinting fault first
 *    (SVMSIM_FOLL_HONOR_NUMA; 6.6+ GUP follows the hinting PTE otherwise,
 *    and a later migration left the device reading the old page), a 2M
 *    entry is never made from a PROT_NONE PMD, and a VMA without VM_READ
 *    is refused before any walk (x86 keeps its PROT_NONE PTEs "present",
 *    which the PFN-map walk of the window would otherwise follow);
 *  - never swap, migration or device-exclusive entries: GUP faults those
 *    in (waiting out a migration), like the CPU.
 * From such a PTE every later change -- zap, unmap, migration, COW,
 * mprotect, NUMA hinting (change_prot_numa), KSM, THP split, reclaim --
 * flushes the CPU TLB and with it the secondary TLB, and a change that
 * raced with the walk moved the sequence the insert checks.  PTE changes
 * that need no CPU flush (a permission upgrade, a hinting PTE made present
 * again) make the device refault at worst, never read stale data.
 *
 * Pinned model: each pin is charged to the bond's mm (pinned_vm, VmPin)
 * against RLIMIT_MEMLOCK unless CAP_IPC_LOCK, as RDMA and io_uring charge
 * theirs, and uncharged when its entry releases the pin.  A pin holds its
 * whole folio -- a 4K pin of a THP keeps all 2 MB from being freed,
 * migrated or split -- so it is charged folio_nr_pages(); each pin of a
 * folio is charged (several 4K entries of one THP: each 2 MB).  A pin past
 * the limit fails the fill with ENOMEM (vfio's errno).
 */
#include <linux/capability.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/sched/clock.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/resource.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>

#include "compat.h"
#include "svmsim.h"
#include "trace.h"

/**
 * struct svmsim_walk - what one page walk found
 * @pfn: first 4K PFN of the translation.
 * @shift: 12, or 21 for a PMD-mapped THP.
 * @perm: SVMSIM_PERM_*.
 * @page: the reference the walk took (GUP get or pin), or NULL.
 * @pinned: @page is a FOLL_PIN pin, charged to the bond's mm.
 * @pfnmap: a device-window (PFN-map) page, which GUP cannot see.
 */
struct svmsim_walk {
	unsigned long pfn;
	unsigned int shift;
	unsigned int perm;
	struct page *page;
	bool pinned;
	bool pfnmap;
};

/*
 * What an entry holds, in its flags: SVMSIM_ENTRY_PIN a FOLL_PIN pin
 * (released by unpin_user_page()), SVMSIM_ENTRY_REF a plain reference (a
 * pinned bond also holds plain references, on device-window pages), or
 * neither.  On the page at the entry's first PFN: the walk took it on the
 * 4K page at the address, which for a 2M entry is another page of the same
 * PMD-mapped folio -- and pins and references are counted per folio, which
 * cannot split while one is held.
 */
static unsigned int svmsim_entry_holds(bool keep, bool pinned)
{
	if (!keep)
		return 0;
	return pinned ? SVMSIM_ENTRY_PIN : SVMSIM_ENTRY_REF;
}

/* What a pin of @page holds: its folio (which cannot split while pinned). */
static long svmsim_pin_pages(struct page *page)
{
	return folio_nr_pages(page_folio(page));
}

/*
 * Charge a new pin of @page to the bond's mm.  The caller is the bond's
 * own process (DMA and BIND refuse other mms), so its RLIMIT_MEMLOCK and
 * CAP_IPC_LOCK are the ones to check.  0 or -ENOMEM.
 */
static int svmsim_pin_charge(struct svmsim_bond *b, struct page *page)
{
	u64 limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	long n = svmsim_pin_pages(page);

	if ((u64)atomic64_add_return(n, &b->mm->pinned_vm) > limit &&
	    !capable(CAP_IPC_LOCK)) {
		atomic64_sub(n, &b->mm->pinned_vm);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Drop a charged pin.  From any context a release runs in (a flush, a
 * foreign eviction, unbind): the charge goes to the bond's mm, which the
 * bond keeps (mmgrab) until it is freed, after its last entry.
 */
static void svmsim_unpin(struct svmsim_bond *b, struct page *page)
{
	long n = svmsim_pin_pages(page);

	unpin_user_page(page);
	atomic64_sub(n, &b->mm->pinned_vm);
}

static void svmsim_walk_release(struct svmsim_bond *b, struct svmsim_walk *w)
{
	if (!w->page)
		return;
	if (w->pinned)
		svmsim_unpin(b, w->page);
	else
		put_page(w->page);
	w->page = NULL;
}

/* The TLB's hook: an entry is gone and drained; drop its page. */
static void svmsim_tlb_release(struct svm_tlb *tlb, struct svm_tlb_entry *e)
{
	struct svmsim_bond *b = container_of(e->space, struct svmsim_bond, space);
	unsigned int flags = svm_tlb_entry_flags(e);
	struct page *page;

	svmsim_obj_add(SVMSIM_OBJ_ENTRY, -1);
	if (!(flags & (SVMSIM_ENTRY_PIN | SVMSIM_ENTRY_REF)))
		return;		/* noref: the page may be gone */
	page = pfn_to_page(svm_tlb_entry_first_pfn(e));
	if (flags & SVMSIM_ENTRY_PIN) {
		svmsim_debug_release_delay();
		svmsim_unpin(b, page);
		svmsim_count(b, SVMSIM_STAT_PINNED_PAGES, -1);
	} else {
		put_page(page);
	}
}

const struct svm_tlb_ops svmsim_tlb_ops = {
	.release = svmsim_tlb_release,
};

/* If a PMD-sized THP maps @page at @va, widen the walk to a 2M entry. */
static void svmsim_walk_huge(struct mm_struct *mm, unsigned long va, bool write,
			     struct svmsim_walk *w)
{
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t pmd;

	if (!PageCompound(w->page))
		return;
	pgd = pgd_offset(mm, va);
	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return;
	p4d = p4d_offset(pgd, va);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return;
	pud = pud_offset(p4d, va);
	if (pud_none(*pud) || pud_bad(*pud))
		return;
	/* Page tables below a PUD are stable under mmap_read_lock. */
	pmd = svmsim_pmd_read(pmd_offset(pud, va));
	/* A NUMA-hinting PMD is "present" on x86: see the top of the file. */
	if (!pmd_present(pmd) || !pmd_trans_huge(pmd) || pmd_protnone(pmd))
		return;
	if (pmd_pfn(pmd) + ((va >> PAGE_SHIFT) & (HPAGE_PMD_NR - 1)) != w->pfn)
		return;
	if (write && !pmd_write(pmd))
		return;
	w->pfn = pmd_pfn(pmd);
	w->shift = SVM_TLB_SHIFT_2M;
}

/* get_user_pages' errors as device faults. */
static int svmsim_gup_errno(long ret)
{
	switch (ret) {
	case -ENOMEM:
	case -EINTR:
		return ret;
	case -ERESTARTSYS:
		return -EINTR;
	case -EBUSY:
	case -EAGAIN:
		return -EAGAIN;
	default:
		return -EFAULT;
	}
}

static int svmsim_walk_pages(struct svmsim_bond *b, struct vm_area_struct *vma,
			     unsigned long va, bool write, struct svmsim_walk *w)
{
	unsigned int gup = (write ? FOLL_WRITE : 0) | SVMSIM_FOLL_HONOR_NUMA;
	long got;
	int ret;

	if (!(vma->vm_flags & VM_READ))
		return -EACCES;
	if (write && !(vma->vm_flags & VM_WRITE))
		return -EACCES;
	w->pinned = b->model == SVMSIM_MODEL_PINNED;
	w->pfnmap = false;
	if (w->pinned)
		got = svmsim_pin_remote(b->mm, va & PAGE_MASK, 1, gup | FOLL_LONGTERM,
					&w->page);
	else
		got = svmsim_gup_remote(b->mm, va & PAGE_MASK, gup, &w->page);
	if (got <= 0) {
		w->page = NULL;
		return got ? svmsim_gup_errno(got) : -EFAULT;
	}
	if (w->pinned) {
		ret = svmsim_pin_charge(b, w->page);
		if (ret) {
			unpin_user_page(w->page);
			w->page = NULL;
			return ret;
		}
	}
	w->pfn = page_to_pfn(w->page);
	w->shift = SVM_TLB_SHIFT_4K;
	w->perm = SVMSIM_PERM_READ | (write ? SVMSIM_PERM_WRITE : 0);
	if (!(b->flags & SVMSIM_BIND_NO_HUGE))
		svmsim_walk_huge(b->mm, va, write, w);
	return 0;
}

/*
 * The device window is VM_PFNMAP: no struct page behind the PTE as far as
 * GUP knows.  Look the PFN up instead, faulting the page in first if a
 * zap left it unmapped, as a CPU access would.
 */
static int svmsim_walk_pfnmap(struct svmsim_bond *b, struct vm_area_struct *vma,
			      unsigned long va, bool write, struct svmsim_walk *w)
{
	bool writable, unlocked = false;
	unsigned long pfn;
	int ret;

	if (!svmsim_is_window(vma))
		return -EFAULT;
	/* x86 keeps a PROT_NONE PTE present: the VMA says what the CPU may. */
	if (!(vma->vm_flags & VM_READ))
		return -EACCES;
	if (write && !(vma->vm_flags & VM_WRITE))
		return -EACCES;
	if (svmsim_follow_pfnmap(vma, va, &pfn, &writable)) {
		ret = fixup_user_fault(b->mm, va, write ? FAULT_FLAG_WRITE : 0,
				       &unlocked);
		if (ret)
			return svmsim_gup_errno(ret);
		/* The mmap lock was dropped and retaken: @vma may be gone. */
		if (unlocked || svmsim_follow_pfnmap(vma, va, &pfn, &writable))
			return -EAGAIN;
	}
	if ((write && !writable) || !pfn_valid(pfn))
		return write && !writable ? -EACCES : -EFAULT;
	w->pfn = pfn;
	w->shift = SVM_TLB_SHIFT_4K;
	w->perm = SVMSIM_PERM_READ | (writable ? SVMSIM_PERM_WRITE : 0);
	w->pinned = false;	/* an earlier walk of @va may have pinned */
	w->pfnmap = true;
	/* The sanitizer cannot check window pages: hold them (bugs on noref). */
	if (b->fill == SVMSIM_FILL_REF || b->san.on) {
		w->page = pfn_to_page(pfn);
		get_page(w->page);
	}
	return 0;
}

/* Step 2: translate @va in the bound mm.  -EAGAIN: walk again. */
static int svmsim_walk(struct svmsim_bond *b, unsigned long va, bool write,
		       struct svmsim_walk *w)
{
	struct mm_struct *mm = b->mm;
	struct vm_area_struct *vma;
	int ret;

	if (va >= TASK_SIZE_MAX)
		return -EFAULT;
	/* The device never keeps the address space alive. */
	if (!mmget_not_zero(mm))
		return -ESRCH;
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	vma = vma_lookup(mm, va);
	if (!vma)
		ret = -EFAULT;
	else if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		ret = svmsim_walk_pfnmap(b, vma, va, write, w);
	else
		ret = svmsim_walk_pages(b, vma, va, write, w);
	mmap_read_unlock(mm);
	mmput(mm);
	return ret;
}

/* Step 3: insert the walk's translation; the entry takes @w's page. */
static int svmsim_insert(struct svmsim_bond *b, unsigned long va,
			 struct svmsim_walk *w, unsigned long seq,
			 unsigned int flags, bool write)
{
	struct svm_tlb_entry *e;
	bool keep = w->pinned || b->fill == SVMSIM_FILL_REF || (w->pfnmap && w->page);
	int ret;

	/* Charged to the process whose page request it is, like its page tables. */
	e = svmsim_alloc_fails() ? NULL : svm_tlb_entry_alloc(GFP_KERNEL_ACCOUNT);
	if (!e) {
		svmsim_walk_release(b, w);
		return -ENOMEM;
	}
	svmsim_obj_add(SVMSIM_OBJ_ENTRY, 1);
	svm_tlb_entry_set(e, va, w->shift, w->pfn, w->perm,
			  (w->pfnmap ? SVMSIM_ENTRY_PFNMAP : 0) |
			  svmsim_entry_holds(keep, w->pinned));
	ret = svm_tlb_insert(&b->space, e, seq, flags, NULL);
	if (ret) {
		svm_tlb_entry_free(e);
		svmsim_obj_add(SVMSIM_OBJ_ENTRY, -1);
		svmsim_walk_release(b, w);
		return ret == -EEXIST ? 0 : ret;
	}
	svmsim_count(b, SVMSIM_STAT_FILLS, 1);
	svmsim_san_filled(b, va, w->pfn, w->shift, write);	/* not @e: it may be gone */
	if (w->shift == SVM_TLB_SHIFT_2M)
		svmsim_count(b, SVMSIM_STAT_FILLS_2M, 1);
	if (w->pinned)
		svmsim_count(b, SVMSIM_STAT_PINNED_PAGES, 1);
	if (keep)
		w->page = NULL;		/* now the entry's */
	else
		svmsim_walk_release(b, w);	/* noref: coherence by invalidation only */
	return 0;
}

/*
 * Range model: wait, killably, while an invalidation in progress covers
 * [start, last] -- the address before a walk, the entry's whole span (2M)
 * after an insert refused.  Walking again before it ends would only be
 * refused again.  The range end wakes fill_wq once none is in progress;
 * the timeout only re-checks.  The secondary model never waits here.
 */
static int svmsim_fill_wait(struct svmsim_bond *b, unsigned long start,
			    unsigned long last)
{
	if (!svm_tlb_fill_blocked(&b->space, start, last))
		return 0;
	svmsim_count(b, SVMSIM_STAT_FILL_WAITS, 1);
	if (wait_event_killable_timeout(b->fill_wq,
					!svm_tlb_fill_blocked(&b->space, start, last),
					HZ) < 0)
		return -EINTR;
	return 0;
}

/**
 * svmsim_fill() - handle a device page request for @va
 * @b: the bond.
 * @va: the address that missed.
 * @write: the access writes.
 *
 * A walk refused because an invalidation began meanwhile (anywhere in the
 * space: the sequence is per space) is redone after that invalidation, if
 * still in progress over the entry's span, has ended; as often as needed
 * -- a count of walks would run out under a stream of invalidations
 * elsewhere (6.12 sends many whole-space flushes) -- until a fatal signal,
 * or SVMSIM_FILL_TIMEOUT_MS, a device's page-request timeout.
 *
 * On return the translation may already have been invalidated again: the
 * caller looks it up anew, with preemption disabled.
 *
 * Return: 0 (inserted, or already cached); a device fault -EFAULT or
 * -EACCES; -ESRCH the bond is dead or its mm gone; -EAGAIN the page
 * request timed out; -EINTR a fatal signal; -ENOMEM (also a pin over
 * RLIMIT_MEMLOCK).
 */
int svmsim_fill(struct svmsim_bond *b, unsigned long va, bool write)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(SVMSIM_FILL_TIMEOUT_MS);
	unsigned int flags = svmsim_inj_fill_flags(b), tries = 0, delay;
	unsigned long seq, start = va, last = va;
	struct svmsim_walk w = { 0 };
	u64 t0 = local_clock();
	int ret;

	for (;;) {
		/* NO_FILL_BLOCK: the bug is not to wait for brackets in progress. */
		ret = flags & SVM_TLB_FILL_NOBLOCK ? 0 : svmsim_fill_wait(b, start, last);
		if (ret)
			break;
		ret = svm_tlb_fill_begin(&b->space, va, flags, &seq);
		if (ret == -EAGAIN)	/* one began since the wait */
			goto again;
		if (ret)
			break;
		ret = svmsim_walk(b, va, write, &w);
		if (ret == -EAGAIN)
			goto again;
		if (ret)
			break;
		delay = READ_ONCE(b->inj.fill_delay_us);
		if (delay)
			usleep_range(delay, delay + delay / 8 + 1);
		start = va & ~((1ul << w.shift) - 1);
		last = start + (1ul << w.shift) - 1;
		ret = svmsim_insert(b, va, &w, seq, flags, write);
		if (ret != -EAGAIN)
			break;
		svmsim_count(b, SVMSIM_STAT_FILL_RETRIES, 1);
		tries++;
again:
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (time_after(jiffies, deadline)) {
			ret = -EAGAIN;
			break;
		}
		cond_resched();
	}
	if (ret == -EFAULT || ret == -EACCES)
		svmsim_count(b, SVMSIM_STAT_FILL_FAULTS, 1);
	if (flags)
		svmsim_inj_filled(b);
	svmsim_hist_add(&b->dev->hists->fill, local_clock() - t0);
	trace_svmsim_fill(b->dev->index, b->pasid, va, w.pfn, w.shift, tries, ret);
	return ret;
}

/**
 * svmsim_pin_range() - pinned model: pin and map a range at bind (MAP_DMA)
 * @b: the pinned bond.
 * @start: page aligned.
 * @len: page multiple.
 *
 * Pins writable where the mapping allows, else read-only.
 *
 * Return: 0 or the first page's fault; the caller unbinds on error.
 */
int svmsim_pin_range(struct svmsim_bond *b, unsigned long start, unsigned long len)
{
	unsigned long va, pfn;
	unsigned int shift, perm;
	int ret;

	for (va = start; va - start < len; va += PAGE_SIZE) {
		if (svm_tlb_peek(&b->space, va, &pfn, &shift, &perm))
			continue;	/* inside a 2M entry already */
		ret = svmsim_fill(b, va, true);
		if (ret == -EACCES)
			ret = svmsim_fill(b, va, false);
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}
