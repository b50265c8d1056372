// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: the coherence sanitizer -- the device checks every translation
 * it is about to use against the CPU's page table, at the moment of use.
 *
 * The DMA engine holds the entry (so no flush of it can complete) and asks
 * svmsim_san_check().  That looks the address up in the caller's page
 * table as GUP-fast does -- the bound mm's, which for a SVMSIM_BIND_PID
 * bond is not the caller's: then the same lockless walk on that mm
 * (svmsim_san_gup_mm()) -- taking a reference on the page it finds:
 *   - the same PFN, with the permissions the entry grants: the access goes
 *     ahead on that page, which the reference keeps alive;
 *   - anything else, while an invalidation that may cover the address is
 *     in progress: the kernel changes PTEs before the secondary flush (and
 *     6.12 and batched reclaim flush after the bracket ended), so the
 *     difference is expected; the access drops the entry and looks up
 *     again, as a device retries a translation;
 *   - anything else otherwise: a stale translation.  The access stops
 *     before it touches memory, and the device keeps a report.
 * The shared zero page is mapped by special PTEs, which GUP-fast does not
 * see either: an entry of the zero page (read-only) is checked by what
 * the access would read instead -- the CPU's view of the same bytes,
 * copied without faulting, must be mapped and zero.
 *
 * "In progress" means, for the secondary model, an observer slot covering
 * the address (a bracket begun, or one ended whose flush is still to
 * come: svmsim_san_slot_pending()), a CPU TLB
 * flush the kernel gathered and has not done yet (mm_tlb_flush_pending():
 * 6.6+ sends the secondary flush with it, and a flush of another range
 * may have taken the bracket's slot meanwhile -- seen on 6.12 as reports
 * of entries whose zap was still to be flushed), or a secondary flush
 * running; for the range model only its start's flush running: once that
 * returned, its contract is that no entry of the range exists until the
 * end, so a difference inside a bracket is a bug too (a late flush).
 *
 * Why no false report: a PTE that no longer matches was changed after
 * its invalidation began (range start, observer slot) -- and a secondary
 * flush in progress is counted (flushing) before it takes the observer's
 * slots -- so if the PTE read saw the change, the full barrier between
 * that read and the checks below makes the in-progress marks visible.
 * PTEs that only gain permissions (a fault) change without invalidation,
 * which is why only a page or a permission the entry has and the CPU
 * lacks counts.  Window (PFN-map) and pinned-model pages are not checked:
 * GUP-fast does not see PFN maps, and pins promise no coherence.
 *
 * Lock order: the observer's lock and a bond's history lock are taken
 * from here under an entry hold, with preemption disabled, and nothing is
 * taken under them; the device's report lock last of all.
 */
#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "svmsim.h"
#include "svmsim/names.h"
#include "trace.h"

/* A translation: the device's cached one, or the CPU's now. */
struct svmsim_san_xlate {
	unsigned long pfn;
	unsigned int perm;
	unsigned int shift;
};

static bool sanitize;
module_param(sanitize, bool, 0644);
MODULE_PARM_DESC(sanitize,
		 "check every device access of new bonds against the CPU's page table "
		 "(default no; or per bond: SVMSIM_BIND_SANITIZE)");

/**
 * svmsim_san_bind() - decide at bind whether a bond is sanitized
 * @b: the new bond.
 * @flags: its SVMSIM_BIND_* flags.
 */
void svmsim_san_bind(struct svmsim_bond *b, u32 flags)
{
	spin_lock_init(&b->san.lock);
	atomic_set(&b->san.flushing, 0);
	b->san.on = (flags & SVMSIM_BIND_SANITIZE) || READ_ONCE(sanitize);
	if (b->san.on && !svmsim_alloc_fails())
		b->san.fills = kcalloc(SVMSIM_SAN_FILLS, sizeof(*b->san.fills),
				       GFP_KERNEL_ACCOUNT);
}

/**
 * svmsim_san_free() - free a bond's sanitizer state
 * @b: the bond, being freed.
 */
void svmsim_san_free(struct svmsim_bond *b)
{
	kfree(b->san.fills);
}

/**
 * svmsim_san_filled() - a fill inserted an entry: remember it for reports
 * @b: the bond.
 * @va: the address that missed.
 * @pfn: the entry's first PFN.
 * @shift: its page shift.
 * @write: the access that missed was a write.
 */
void svmsim_san_filled(struct svmsim_bond *b, unsigned long va, unsigned long pfn,
		       unsigned int shift, bool write)
{
	struct svmsim_san_fill *f;

	if (!b->san.fills)
		return;
	spin_lock(&b->san.lock);
	f = &b->san.fills[b->san.fnext++ % SVMSIM_SAN_FILLS];
	f->vpn = va >> shift;
	f->pfn = pfn;
	f->shift = shift;
	f->ns = ktime_get_ns();
	f->tid = task_pid_nr(current);
	f->write = write;
	spin_unlock(&b->san.lock);
}

/* The newest remembered fill of the entry @x caches for @va, into @r. */
static void svmsim_san_recall_fill(struct svmsim_bond *b, unsigned long va,
				   const struct svmsim_san_xlate *x,
				   struct svmsim_san_report *r)
{
	unsigned long first = x->pfn - ((va & ((1UL << x->shift) - 1)) >> PAGE_SHIFT);
	const struct svmsim_san_fill *f;
	unsigned int i;

	if (!b->san.fills)
		return;
	spin_lock(&b->san.lock);
	for (i = 1; i <= SVMSIM_SAN_FILLS; i++) {
		f = &b->san.fills[(b->san.fnext - i) % SVMSIM_SAN_FILLS];
		if (f->ns && f->shift == x->shift && f->vpn == va >> x->shift && f->pfn == first) {
			r->fill_ns = f->ns;
			r->fill_tid = f->tid;
			r->fill_write = f->write;
			break;
		}
	}
	spin_unlock(&b->san.lock);
}

/**
 * __svmsim_san_flush_begin() - an invalidation callback starts its flush
 * @b: the bond.
 *
 * Before the callback takes the observer's slots or marks its range: the
 * sanitizer must see one of the two at every moment (it reads them in the
 * reverse order, svmsim_san_in_progress()).
 */
void __svmsim_san_flush_begin(struct svmsim_bond *b)
{
	atomic_inc(&b->san.flushing);
	smp_mb__after_atomic();
}

/**
 * __svmsim_san_flush_end() - the callback is done; remember what it did
 * @b: the bond.
 * @start: the callback's first address.
 * @last: its last address, inclusive.
 * @event: enum svmsim_event.
 * @fstart: first address it flushed.
 * @flast: last address it flushed (below @fstart: it flushed nothing).
 */
void __svmsim_san_flush_end(struct svmsim_bond *b, unsigned long start, unsigned long last,
			    unsigned int event, unsigned long fstart, unsigned long flast)
{
	struct svmsim_san_inv *h;

	spin_lock(&b->san.lock);
	h = &b->san.hist[b->san.next++ % SVMSIM_SAN_HIST];
	h->start = start;
	h->last = last;
	h->fstart = fstart;
	h->flast = flast;
	h->ns = ktime_get_ns();
	h->event = event;
	spin_unlock(&b->san.lock);
	smp_mb__before_atomic();
	atomic_dec(&b->san.flushing);
}

/*
 * Does observer slot @s stand for a change of @va not flushed yet?  A
 * bracket still open, or the overflow slot (which may stand for open
 * ones), does.  One that ended and is not taken yet does where its flush
 * is still to come:
 *   - before 6.6, every range end sends it, maybe after the observer's
 *     end callback ran (SVMSIM_SECONDARY_FLUSH_AT_END; seen on 6.1 as
 *     reports under NUMA migration when this was not counted);
 *   - 6.6+, fork's write-protect: dup_mmap() flushes the parent once,
 *     after every VMA's bracket ended, with no flush marked pending.
 * Any other that ended on 6.6+ flushed what it changed in the bracket or
 * under a pending flush (checked before this).  One left in its slot
 * zapped nothing -- no flush then, and it waits for the next one -- and
 * counting it held a stale access in -EAGAIN for the device's 10 s
 * timeout instead of reporting it.
 */
static bool svmsim_san_slot_pending(const struct svmsim_obs_range *s, unsigned long va)
{
	if (!s->active && s->key && !SVMSIM_SECONDARY_FLUSH_AT_END &&
	    s->event != SVMSIM_EV_PROTECTION_PAGE)
		return false;
	return s->r.start <= va && va <= s->r.last;
}

/*
 * Is an invalidation of @va in progress?  The marks are read in the
 * reverse of the order a callback sets them: it raises san.flushing, then
 * takes the observer's slots; so the slots (and the CPU's pending flush)
 * first, then san.flushing.  Read the other way round, an access could
 * read san.flushing just before a flush began and the slots just after
 * that flush took them -- seeing neither, and reporting the entry the
 * flush was about to remove (seen on 6.12: fork's write-protect, then its
 * 0..ULONG_MAX flush, under a device write).
 */
static bool svmsim_san_in_progress(struct svmsim_bond *b, unsigned long va)
{
	struct svmsim_observer *o = &b->observer;
	bool covered = false;
	unsigned int i;

	if (b->model == SVMSIM_MODEL_SECONDARY) {
		/*
		 * A CPU TLB flush gathered and not yet done (6.6+ sends the
		 * secondary flush with it, after the bracket ended; another
		 * flush may have taken that bracket's observer slot meanwhile).
		 */
		if (mm_tlb_flush_pending(b->mm))
			return true;
		spin_lock(&o->lock);
		for (i = 0; i < o->n && !covered; i++)
			covered = svmsim_san_slot_pending(&o->slots[i], va);
		spin_unlock(&o->lock);
		if (covered)
			return true;
	}
	/* Pairs with svmsim_san_flush_begin(): its count before the take. */
	smp_rmb();
	return atomic_read(&b->san.flushing);
}

/* The bond's newest invalidations that covered @va, newest first. */
static u32 svmsim_san_recall(struct svmsim_bond *b, unsigned long va,
			     struct svmsim_san_inval *out)
{
	unsigned int i, n = 0;
	struct svmsim_san_inv *h;

	spin_lock(&b->san.lock);
	for (i = 0; i < SVMSIM_SAN_HIST && n < SVMSIM_SAN_INVALS; i++) {
		h = &b->san.hist[(b->san.next - 1 - i) % SVMSIM_SAN_HIST];
		if (!h->ns || va < h->start || va > h->last)
			continue;
		out[n].start = h->start;
		out[n].last = h->last;
		out[n].ns = h->ns;
		out[n].event = h->event;
		out[n].flushed = h->fstart <= va && va <= h->flast;
		n++;
	}
	spin_unlock(&b->san.lock);
	return n;
}

static void svmsim_san_report(struct svmsim_bond *b, unsigned long va, bool write,
			      const struct svmsim_san_xlate *cached,
			      const struct svmsim_san_xlate *cur)
{
	struct svmsim_dev *dev = b->dev;
	struct svmsim_san_inval invals[SVMSIM_SAN_INVALS];
	struct svmsim_san_report rep = { 0 }, *r;
	u32 ninvals = svmsim_san_recall(b, va, invals);

	/* (the bond's lock before the device's: see the lock order) */
	svmsim_san_recall_fill(b, va, cached, &rep);

	spin_lock(&dev->san_lock);
	r = &dev->san_ring[dev->san_total++ % SVMSIM_SAN_REPORTS];
	if (dev->san_kept < SVMSIM_SAN_REPORTS)
		dev->san_kept++;
	*r = rep;
	r->seq = dev->san_total;
	r->ns = ktime_get_ns();
	r->pasid = b->pasid;
	r->write = write;
	r->addr = va;
	r->cached_pfn = cached->pfn;
	r->current_pfn = cur->pfn;
	r->cached_perm = cached->perm;
	r->current_perm = cur->perm;
	r->page_shift = cached->shift;
	r->ninvals = ninvals;
	memcpy(r->invals, invals, ninvals * sizeof(invals[0]));
	spin_unlock(&dev->san_lock);
	svmsim_count(b, SVMSIM_STAT_SAN_STALE, 1);
	trace_svmsim_san_stale(dev->index, b->pasid, va, cached->pfn, cur->pfn, write);
}

/*
 * GUP-fast also fails, now and then, on a PTE that is fine: it re-reads
 * the PTE and PMD after taking the page and gives up if they changed --
 * as they do when a CPU sets the accessed or dirty bit meanwhile.  A
 * difference must persist over these tries to count.
 */
#define SVMSIM_SAN_GUP_TRIES	4

/*
 * The upper levels of @mm's page table down to @va's PMD, on copies, as
 * GUP-fast walks them; the caller has interrupts off (see below).
 * Return: the PMD's address, *@pmd its value; NULL where an upper level
 * is empty or bad (a 1G leaf is "bad": not seen).
 */
static pmd_t *svmsim_san_walk_pmd(struct mm_struct *mm, unsigned long va, pmd_t *pmd)
{
	pmd_t *pmdp;
	pgd_t pgd;
	p4d_t p4d;
	pud_t pud;

	pgd = READ_ONCE(*pgd_offset(mm, va));
	if (pgd_none(pgd) || pgd_bad(pgd))
		return NULL;
	p4d = READ_ONCE(*p4d_offset(&pgd, va));
	if (p4d_none(p4d) || p4d_bad(p4d))
		return NULL;
	pud = READ_ONCE(*pud_offset(&p4d, va));
	if (pud_none(pud) || pud_bad(pud))
		return NULL;
	pmdp = pmd_offset(&pud, va);
	*pmd = svmsim_pmd_read(pmdp);
	return pmdp;
}

/*
 * The lockless walk of svmsim_san_maps_zero() and GUP-fast, on any mm:
 * GUP-fast itself works on current->mm only, and a SVMSIM_BIND_PID bond
 * is checked from its tracer's threads.  Interrupts off keep the page
 * tables from being freed meanwhile: x86 frees them after an IPI to every
 * CPU or through RCU (MMU_GATHER_RCU_TABLE_FREE, which Debian's kernels
 * have), and an interrupts-off section holds off both -- also for an mm
 * this CPU does not run.  The page is taken as GUP-fast takes it: a
 * speculative reference on its folio, then the PMD and PTE read again
 * (changed: let go).  The mm cannot exit under us: its ->release kills
 * the bond, which waits for the entry the caller holds.
 * Return: the page mapped at @va, referenced, if the CPU may access it
 * so (@write), else NULL; *@reads: the CPU could read @va without a fault.
 */
static struct page *svmsim_san_gup_mm(struct mm_struct *mm, unsigned long va,
				      bool write, bool *reads)
{
	struct page *page = NULL;
	struct folio *folio;
	unsigned long flags;
	pte_t *ptep = NULL, pte = __pte(0);
	pmd_t *pmdp, pmd;

	*reads = false;
	local_irq_save(flags);
	pmdp = svmsim_san_walk_pmd(mm, va, &pmd);
	if (!pmdp || !pmd_present(pmd))
		goto out;
	if (pmd_leaf(pmd)) {
		*reads = pmd_access_permitted(pmd, false);
		if (!pmd_trans_huge(pmd) || !pmd_access_permitted(pmd, write))
			goto out;	/* devmap, or no access */
		page = pmd_page(pmd) + ((va & ~PMD_MASK) >> PAGE_SHIFT);
	} else {
		if (pmd_bad(pmd))
			goto out;
		ptep = pte_offset_kernel(&pmd, va);
		pte = ptep_get_lockless(ptep);
		*reads = pte_access_permitted(pte, false);
		/* special: the zero page, PFN maps; devmap PTEs are special too */
		if (!pte_access_permitted(pte, write) || pte_special(pte))
			goto out;
		page = pte_page(pte);
	}
	folio = page_folio(page);
	if (!folio_try_get(folio)) {
		page = NULL;
		goto out;
	}
	if (folio != page_folio(page) ||
	    pmd_val(svmsim_pmd_read(pmdp)) != pmd_val(pmd) ||
	    (ptep && pte_val(ptep_get_lockless(ptep)) != pte_val(pte))) {
		folio_put(folio);
		page = NULL;
	}
out:
	local_irq_restore(flags);
	return page;
}

/* Is @b's mm another than the caller's (a SVMSIM_BIND_PID bond)? */
static bool svmsim_san_remote(struct svmsim_bond *b)
{
	return b->mm != current->mm;
}

/*
 * The page the CPU maps at @va, referenced, or NULL.  Only a success
 * fills the result: GUP-fast may store a PMD-mapped page into it before
 * failing, with no reference taken (putting that one freed a mapped THP).
 */
static struct page *svmsim_san_gup(struct svmsim_bond *b, unsigned long va,
				   unsigned int flags)
{
	struct page *p;
	bool reads;

	if (svmsim_san_remote(b))
		return svmsim_san_gup_mm(b->mm, va, flags & FOLL_WRITE, &reads);
	return get_user_page_fast_only(va, flags, &p) ? p : NULL;
}

/* Can the CPU read @va now, without a fault? */
static bool svmsim_san_cpu_reads(struct svmsim_bond *b, unsigned long va)
{
	struct page *p;
	bool reads;
	u8 c;

	if (svmsim_san_remote(b)) {
		p = svmsim_san_gup_mm(b->mm, va, false, &reads);
		if (p)
			put_page(p);
		return reads;
	}
	return !copy_from_user_nofault(&c, (const void __user *)va, 1);
}

/*
 * Does the CPU map the shared zero page at @va?  GUP-fast refuses its
 * special PTE, so walk the page table the way GUP-fast does: locklessly,
 * on copies of the upper levels, with interrupts off, which keeps the
 * tables from being freed meanwhile.  Not under the page-table lock: a 6.1
 * secondary flush runs under it and waits for this access's hold.  A PMD
 * mapping (the huge zero page) is not recognised: false.
 */
static bool svmsim_san_maps_zero(struct mm_struct *mm, unsigned long va)
{
	unsigned long flags;
	bool zero = false;
	pmd_t pmd;
	pte_t pte;

	local_irq_save(flags);
	if (!svmsim_san_walk_pmd(mm, va, &pmd) || !pmd_present(pmd) ||
	    pmd_trans_huge(pmd) || pmd_bad(pmd))
		goto out;
	pte = ptep_get_lockless(pte_offset_kernel(&pmd, va));
	zero = pte_present(pte) && is_zero_pfn(pte_pfn(pte));
out:
	local_irq_restore(flags);
	return zero;
}

/*
 * A zero-page entry: true if the CPU's view of [va, va + n) is mapped and
 * reads zero, as the device would read it.
 */
static bool svmsim_san_zero_ok(struct svmsim_bond *b, unsigned long va, size_t n)
{
	u64 buf[8];
	size_t k, i;

	/* Another mm: mapped to the zero page, it reads zero. */
	if (svmsim_san_remote(b))
		return svmsim_san_maps_zero(b->mm, va);

	for (; n; va += k, n -= k) {
		k = min(n, sizeof(buf));
		if (copy_from_user_nofault(buf, (const void __user *)va, k))
			return false;
		for (i = 0; i < k; i++)
			if (((u8 *)buf)[i])
				return false;
	}
	return true;
}

/**
 * svmsim_san_check() - judge the translation an access is about to use
 * @b: a sanitized bond (of the caller's mm, or bound by pid).
 * @e: the entry, held; preemption disabled.
 * @va: the device address.
 * @n: bytes the access touches from @va (within the page).
 * @write: the access writes.
 * @page: out: the page to release (put_page()) after the access, or NULL.
 *
 * Return: SVMSIM_SAN_OK (go ahead), SVMSIM_SAN_AGAIN (drop @e and look up
 * again) or SVMSIM_SAN_STALE (reported: stop the access).
 */
int svmsim_san_check(struct svmsim_bond *b, struct svm_tlb_entry *e, unsigned long va,
		     size_t n, bool write, struct page **page)
{
	unsigned long cached = svm_tlb_entry_pfn(e, va), cur_pfn = 0;
	unsigned int eperm = svm_tlb_entry_perm(e);
	bool ewrite = eperm & SVMSIM_PERM_WRITE;
	unsigned int cur_perm = 0, tries;
	struct page *p = NULL;

	*page = NULL;
	if ((svm_tlb_entry_flags(e) & SVMSIM_ENTRY_PFNMAP) || b->model == SVMSIM_MODEL_PINNED) {
		svmsim_count(b, SVMSIM_STAT_SAN_UNCHECKED, 1);
		return SVMSIM_SAN_OK;
	}
	svmsim_count(b, SVMSIM_STAT_SAN_CHECKS, 1);
	for (tries = 0; tries < SVMSIM_SAN_GUP_TRIES; tries++) {
		if (p)
			put_page(p);
		cur_perm = 0;
		p = svmsim_san_gup(b, va, ewrite ? FOLL_WRITE : 0);
		if (p)
			cur_perm = SVMSIM_PERM_READ | (ewrite ? SVMSIM_PERM_WRITE : 0);
		else if (ewrite && (p = svmsim_san_gup(b, va, 0)))
			cur_perm = SVMSIM_PERM_READ;
		cur_pfn = p ? page_to_pfn(p) : 0;
		if (p && cur_pfn == cached && (cur_perm & eperm) == eperm) {
			*page = p;	/* keeps the page while the device touches it */
			return SVMSIM_SAN_OK;
		}
	}
	/* The zero page is never freed: no reference needed to read it. */
	if (!p && is_zero_pfn(cached) && !ewrite && svmsim_san_zero_ok(b, va, n))
		return SVMSIM_SAN_OK;
	/*
	 * No page at all, yet the CPU can read the address: a PTE GUP-fast
	 * does not take.  The zero page is judged against; anything else
	 * (devmap, special) gives nothing to judge by: let the access look
	 * up again, bounded by the device's timeout.
	 */
	if (!p && !is_zero_pfn(cached) && svmsim_san_cpu_reads(b, va)) {
		if (!svmsim_san_maps_zero(b->mm, va)) {
			svmsim_count(b, SVMSIM_STAT_SAN_WAITS, 1);
			return SVMSIM_SAN_AGAIN;
		}
		/* the zero page (a read after MADV_DONTNEED): judge against it */
		cur_pfn = my_zero_pfn(va);
		cur_perm = SVMSIM_PERM_READ;
	}
	/* The PTE read above, then the marks of invalidations in progress. */
	smp_mb();
	if (svmsim_san_in_progress(b, va)) {
		if (p)
			put_page(p);
		svmsim_count(b, SVMSIM_STAT_SAN_WAITS, 1);
		return SVMSIM_SAN_AGAIN;
	}
	svmsim_san_report(b, va, write,
			  &(struct svmsim_san_xlate){ cached, eperm, svm_tlb_entry_shift(e) },
			  &(struct svmsim_san_xlate){ cur_pfn, cur_perm, 0 });
	if (p)
		put_page(p);
	return SVMSIM_SAN_STALE;
}

/**
 * svmsim_san_released() - ->release left the device running (a bug)
 * @b: the bond, not killed by its ->release (injected SKIP_RELEASE).
 *
 * The page tables are about to be freed: a translation the device still
 * holds now is stale whatever it maps, and the next device access through
 * it would reach freed memory.  Report one (the CPU maps nothing).
 */
void svmsim_san_released(struct svmsim_bond *b)
{
	struct svmsim_san_xlate cached, none = { 0 };
	unsigned long va;

	if (!b->san.on)
		return;
	if (svm_tlb_first(&b->space, &va, &cached.pfn, &cached.shift, &cached.perm))
		svmsim_san_report(b, va, false, &cached, &none);
}

/**
 * svmsim_ioctl_san_reports() - SVMSIM_IOC_SAN_REPORTS
 * @f: the file.
 * @arg: struct svmsim_san_reports.
 *
 * Return: 0, -EINVAL, -EPERM, -EFAULT or -ENOMEM.
 */
long svmsim_ioctl_san_reports(struct svmsim_file *f, void __user *arg)
{
	struct svmsim_dev *dev = f->dev;
	struct svmsim_san_report *buf = NULL;
	struct svmsim_san_reports q;
	u64 total, first, i;
	u32 n;
	int ret = 0;

	if (copy_from_user(&q, arg, sizeof(q)))
		return -EFAULT;
	if ((q.flags & ~SVMSIM_SAN_CLEAR) || q.pad ||
	    !svmsim_reserved_zero(q.reserved, ARRAY_SIZE(q.reserved)))
		return -EINVAL;
	if ((q.flags & SVMSIM_SAN_CLEAR) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	n = min_t(u32, q.max, SVMSIM_SAN_REPORTS);
	if (n) {
		buf = svmsim_alloc_fails() ? NULL : kcalloc(n, sizeof(*buf), GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}
	spin_lock(&dev->san_lock);
	total = dev->san_total;
	first = total - min_t(u64, total, min_t(u64, dev->san_kept, n));
	for (i = first; i < total; i++)
		buf[i - first] = dev->san_ring[i % SVMSIM_SAN_REPORTS];
	if (q.flags & SVMSIM_SAN_CLEAR)
		dev->san_kept = 0;
	spin_unlock(&dev->san_lock);
	q.total = total;
	q.n = total - first;
	if (q.n && copy_to_user(u64_to_user_ptr(q.reports), buf, q.n * sizeof(*buf)))
		ret = -EFAULT;
	else if (copy_to_user(arg, &q, sizeof(q)))
		ret = -EFAULT;
	kfree(buf);
	return ret;
}

/* debugfs svmsim/svmsimN-san: the reports SVMSIM_IOC_SAN_REPORTS returns. */
static int svmsim_san_show(struct seq_file *m, void *unused)
{
	struct svmsim_dev *dev = m->private;
	struct svmsim_san_report *r, *buf;
	u64 total, first, i;
	u32 k;

	buf = kcalloc(SVMSIM_SAN_REPORTS, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	spin_lock(&dev->san_lock);
	total = dev->san_total;
	first = total - dev->san_kept;
	for (i = first; i < total; i++)
		buf[i - first] = dev->san_ring[i % SVMSIM_SAN_REPORTS];
	spin_unlock(&dev->san_lock);
	seq_printf(m, "reports %llu, the newest %llu:\n", total, total - first);
	for (i = 0; i < total - first; i++) {
		r = &buf[i];
		seq_printf(m, "%llu: %llu ns pasid %u %s %#llx cached pfn %#llx perm %u shift %u, current pfn %#llx perm %u\n",
			   r->seq, r->ns, r->pasid, r->write ? "write" : "read", r->addr,
			   r->cached_pfn, r->cached_perm, r->page_shift, r->current_pfn,
			   r->current_perm);
		if (r->fill_ns)
			seq_printf(m, "    filled at %llu ns by a %s of tid %u\n", r->fill_ns,
				   r->fill_write ? "write" : "read", r->fill_tid);
		for (k = 0; k < r->ninvals; k++)
			seq_printf(m, "    %s [%#llx, %#llx] at %llu ns: %s\n",
				   svmsim_event_names[r->invals[k].event], r->invals[k].start,
				   r->invals[k].last, r->invals[k].ns,
				   r->invals[k].flushed ? "flushed it" : "did not flush it");
	}
	kfree(buf);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(svmsim_san);

/**
 * svmsim_san_debugfs() - create a device's debugfs report file
 * @dev: the device.
 * @root: the svmsim debugfs directory.
 *
 * Return: the file (debugfs_remove() it at exit).
 */
struct dentry *svmsim_san_debugfs(struct svmsim_dev *dev, struct dentry *root)
{
	char name[24];

	snprintf(name, sizeof(name), "%s-san", dev->name);
	return debugfs_create_file(name, 0400, root, dev, &svmsim_san_fops);
}
