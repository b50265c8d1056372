// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: the DMA engine.  One SVMSIM_IOC_DMA is one device access to
 * PASID-tagged virtual addresses: any length, crossing pages and 2M
 * boundaries, through the TLB, from any number of threads at once.
 *
 * Per 4K piece: look the address up with preemption disabled, copy while
 * holding the entry, drop it; on a miss, run a page request (fill.c) and
 * look up again.  Flushes wait for holders, so once an invalidation
 * callback has returned no access uses a translation it removed.  The
 * caller's buffer is copied through a kernel bounce buffer outside that
 * section: faulting on it there could recurse into our own notifier.
 */
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "svmsim.h"
#include "trace.h"

#define SVMSIM_BOUNCE	(16 * 1024)	/* larger transfers go in chunks */
#define SVMSIM_STACK_BUF 256		/* small ones need no allocation */

/**
 * struct svmsim_access - one device operation in progress
 * @b: the bond.
 * @op: enum svmsim_dma_op.
 * @nofill: SVMSIM_DMA_NOFILL.
 * @operand: CAS expected value / FADD addend.
 * @swap: CAS new value.
 * @result: out: the atomics' old value.
 */
struct svmsim_access {
	struct svmsim_bond *b;
	u32 op;
	bool nofill;
	u64 operand;
	u64 swap;
	u64 result;
};

static bool svmsim_op_writes(u32 op)
{
	return op == SVMSIM_DMA_WRITE || op == SVMSIM_DMA_CAS ||
	       op == SVMSIM_DMA_FADD;
}

/*
 * The largest access, of 8, 4, 2 or 1 bytes, that is naturally aligned at
 * device address @addr and fits in @n bytes.
 */
static size_t svmsim_unit(unsigned long addr, size_t n)
{
	size_t s = sizeof(u64);

	while (s > 1 && (s > n || !IS_ALIGNED(addr, s)))
		s >>= 1;
	return s;
}

/*
 * Device reads and writes move every naturally aligned 2-, 4- and 8-byte
 * unit of the transfer in one access (single-copy atomic), like a device's
 * aligned transaction of that size: a CPU never sees half of a device
 * write, nor the device half of a CPU write.  memcpy() gives no such
 * promise -- it may be "rep movsb", byte by byte under emulation.  Only
 * the target page's side needs it: the bounce buffer @k is private, and
 * its side of each unit is a memcpy() of constant size (a plain load or
 * store, of any alignment).
 */
#define SVMSIM_UNIT_MOVE(type, p, k, to_page) do {			\
		type __v;						\
		if (to_page) {						\
			memcpy(&__v, k, sizeof(__v));			\
			WRITE_ONCE(*(type *)(p), __v);			\
		} else {						\
			__v = READ_ONCE(*(const type *)(p));		\
			memcpy(k, &__v, sizeof(__v));			\
		}							\
	} while (0)

/* Move @n bytes between page address @p and bounce buffer @k, by units. */
static void svmsim_mem_move(void *p, void *k, size_t n, bool to_page)
{
	size_t s;

	for (; n; p += s, k += s, n -= s) {
		s = svmsim_unit((unsigned long)p, n);
		switch (s) {
		case sizeof(u64):
			SVMSIM_UNIT_MOVE(u64, p, k, to_page);
			break;
		case sizeof(u32):
			SVMSIM_UNIT_MOVE(u32, p, k, to_page);
			break;
		case sizeof(u16):
			SVMSIM_UNIT_MOVE(u16, p, k, to_page);
			break;
		default:
			SVMSIM_UNIT_MOVE(u8, p, k, to_page);
		}
	}
}

/* Move data under a held translation; @kbuf is kernel memory. */
static void svmsim_touch(struct svmsim_access *a, struct svm_tlb_entry *e,
			 unsigned long va, void *kbuf, size_t n)
{
	void *page = kmap_local_page(pfn_to_page(svm_tlb_entry_pfn(e, va)));
	void *p = page + offset_in_page(va);

	switch (a->op) {
	case SVMSIM_DMA_READ:
		svmsim_mem_move(p, kbuf, n, false);
		break;
	case SVMSIM_DMA_WRITE:
		svmsim_mem_move(p, kbuf, n, true);
		break;
	case SVMSIM_DMA_CAS:
		a->result = cmpxchg((u64 *)p, a->operand, a->swap);
		break;
	case SVMSIM_DMA_FADD:
		a->result = atomic64_fetch_add(a->operand, (atomic64_t *)p);
		break;
	default:	/* PREFETCH moves nothing */
		break;
	}
	kunmap_local(page);
}

/*
 * Touch through @e, checked first by the sanitizer on a sanitized bond:
 * 0, -EAGAIN (the sanitizer saw an invalidation in progress: look up
 * again) or -EIO (a stale translation, stopped and reported).
 */
static int svmsim_touch_checked(struct svmsim_access *a, struct svm_tlb_entry *e,
				unsigned long va, void *kbuf, size_t n)
{
	struct page *page;

	if (!a->b->san.on) {
		svmsim_touch(a, e, va, kbuf, n);
		return 0;
	}
	switch (svmsim_san_check(a->b, e, va, n, svmsim_op_writes(a->op), &page)) {
	case SVMSIM_SAN_AGAIN:
		return -EAGAIN;
	case SVMSIM_SAN_STALE:
		return -EIO;
	}
	svmsim_touch(a, e, va, kbuf, n);
	if (page)
		put_page(page);
	return 0;
}

/*
 * Between two looks at a translation the sanitizer saw change: let the
 * invalidation run.  0, or -EINTR (a fatal signal), or -EAGAIN once the
 * device's page-request timeout passed.
 */
static int svmsim_san_wait(unsigned long *deadline)
{
	if (!*deadline)
		*deadline = jiffies + msecs_to_jiffies(SVMSIM_FILL_TIMEOUT_MS);
	cond_resched();
	if (fatal_signal_pending(current))
		return -EINTR;
	return time_after(jiffies, *deadline) ? -EAGAIN : 0;
}

/* One piece within one 4K page: translate (filling on a miss) and touch. */
static int svmsim_access_page(struct svmsim_access *a, unsigned long va,
			      void *kbuf, size_t n)
{
	bool write = svmsim_op_writes(a->op);
	unsigned int perm = SVMSIM_PERM_READ | (write ? SVMSIM_PERM_WRITE : 0);
	unsigned long deadline = 0;
	struct svm_tlb_entry *e;
	unsigned int tries;
	int ret;

	for (tries = 0; tries < SVMSIM_ACCESS_RETRIES;) {
		/* A flusher spins on our hold: never be preempted holding it. */
		preempt_disable();
		e = svm_tlb_lookup(&a->b->space, va, perm);
		if (e) {
			ret = svmsim_touch_checked(a, e, va, kbuf, n);
			svm_tlb_put(e);
			preempt_enable();
			if (ret != -EAGAIN)
				return ret;
			/* An invalidation in progress: its flush will drop @e. */
			ret = svmsim_san_wait(&deadline);
			if (ret)
				return ret;
			continue;
		}
		preempt_enable();
		if (a->nofill)
			return -EHOSTUNREACH;
		ret = svmsim_fill(a->b, va, write);
		if (ret)
			return ret;
		tries++;
	}
	return -EAGAIN;
}

/* A kernel-buffer span: page by page; *@done advances on success. */
static int svmsim_access_span(struct svmsim_access *a, unsigned long va,
			      void *kbuf, size_t len, u64 *done)
{
	size_t n;
	int ret;

	while (len) {
		n = min_t(size_t, len, PAGE_SIZE - offset_in_page(va));
		ret = svmsim_access_page(a, va, kbuf, n);
		if (ret)
			return ret;
		va += n;
		if (kbuf)
			kbuf += n;
		len -= n;
		*done += n;
	}
	return 0;
}

/* READ and WRITE: chunks through the bounce buffer. */
static int svmsim_dma_copy(struct svmsim_access *a, struct svmsim_dma *d)
{
	u8 small[SVMSIM_STACK_BUF];
	size_t chunk = min_t(u64, d->len, SVMSIM_BOUNCE), n;
	void __user *ubuf = u64_to_user_ptr(d->buf);
	u8 *buf = small;
	u64 done;
	int ret = 0;

	if (chunk > sizeof(small)) {
		buf = svmsim_alloc_fails() ? NULL : kmalloc(chunk, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}
	while (d->done < d->len) {
		n = min_t(u64, d->len - d->done, chunk);
		if (a->op == SVMSIM_DMA_WRITE && copy_from_user(buf, ubuf + d->done, n)) {
			ret = -EFAULT;
			break;
		}
		done = 0;
		ret = svmsim_access_span(a, d->addr + d->done, buf, n, &done);
		if (a->op == SVMSIM_DMA_READ && copy_to_user(ubuf + d->done, buf, done)) {
			ret = -EFAULT;
			break;
		}
		d->done += done;
		if (ret) {
			d->fault_addr = d->addr + d->done;
			break;
		}
	}
	if (buf != small)
		kfree(buf);
	return ret;
}

static int svmsim_dma_check(const struct svmsim_dma *d)
{
	if (d->op >= SVMSIM_DMA_OP_NR || (d->flags & ~SVMSIM_DMA_FLAGS) || d->pad ||
	    !svmsim_reserved_zero(d->reserved, ARRAY_SIZE(d->reserved)))
		return -EINVAL;
	if (!d->len || d->len > SVMSIM_DMA_MAX_LEN)
		return -EINVAL;
	if ((d->op == SVMSIM_DMA_CAS || d->op == SVMSIM_DMA_FADD) &&
	    (d->len != sizeof(u64) || !IS_ALIGNED(d->addr, sizeof(u64))))
		return -EINVAL;
	return 0;
}

/* The errors that are device faults: the struct goes back with them. */
static bool svmsim_device_fault(int ret)
{
	return ret == -EFAULT || ret == -EACCES || ret == -EHOSTUNREACH || ret == -EIO;
}

static int svmsim_dma_run(struct svmsim_access *a, struct svmsim_dma *d)
{
	u64 done = 0;
	int ret;

	if (d->op == SVMSIM_DMA_READ || d->op == SVMSIM_DMA_WRITE)
		return svmsim_dma_copy(a, d);
	ret = svmsim_access_span(a, d->addr, NULL, d->len, &done);
	d->done = done;
	if (ret)
		d->fault_addr = d->addr + done;
	d->result = a->result;
	return ret;
}

/**
 * svmsim_ioctl_dma() - SVMSIM_IOC_DMA
 * @f: the file.
 * @arg: struct svmsim_dma.
 *
 * Return: 0 or a documented errno (include/uapi/svmsim.h).
 */
long svmsim_ioctl_dma(struct svmsim_file *f, void __user *arg)
{
	struct svmsim_access a = { 0 };
	struct svmsim_dma d;
	int ret;

	if (copy_from_user(&d, arg, sizeof(d)))
		return -EFAULT;
	ret = svmsim_dma_check(&d);
	if (ret)
		return ret;
	a.b = svmsim_bond_lookup(f, d.pasid);
	if (IS_ERR(a.b))
		return PTR_ERR(a.b);
	a.op = d.op;
	a.nofill = d.flags & SVMSIM_DMA_NOFILL;
	a.operand = d.operand;
	a.swap = d.swap;
	d.done = 0;
	d.fault_addr = 0;
	d.result = 0;

	ret = svmsim_dma_run(&a, &d);

	svmsim_count(a.b, SVMSIM_STAT_DMA_OPS, 1);
	svmsim_count(a.b, SVMSIM_STAT_DMA_BYTES, d.op == SVMSIM_DMA_PREFETCH ? 0 : d.done);
	if (svmsim_device_fault(ret))
		svmsim_count(a.b, SVMSIM_STAT_DMA_FAULTS, 1);
	trace_svmsim_dma(f->dev->index, d.pasid, d.op, d.addr, d.len, d.done, ret);
	svmsim_bond_put(a.b);
	if ((!ret || svmsim_device_fault(ret)) && copy_to_user(arg, &d, sizeof(d)))
		return -EFAULT;
	return ret;
}

/**
 * svmsim_ioctl_probe() - SVMSIM_IOC_PROBE: what the TLB holds for an address
 * @f: the file.
 * @arg: struct svmsim_probe.
 *
 * Return: 0 or a documented errno.
 */
long svmsim_ioctl_probe(struct svmsim_file *f, void __user *arg)
{
	struct svmsim_bond *b;
	struct svmsim_probe p;
	unsigned long pfn = 0;
	unsigned int shift = 0, perm = 0;

	if (copy_from_user(&p, arg, sizeof(p)))
		return -EFAULT;
	if (p.flags || !svmsim_reserved_zero(p.reserved, ARRAY_SIZE(p.reserved)))
		return -EINVAL;
	b = svmsim_bond_lookup(f, p.pasid);
	if (IS_ERR(b))
		return PTR_ERR(b);
	if (!svm_tlb_peek(&b->space, p.addr, &pfn, &shift, &perm))
		pfn = shift = perm = 0;
	svmsim_bond_put(b);
	p.pfn = pfn;
	p.page_shift = shift;
	p.perm = perm;
	return copy_to_user(arg, &p, sizeof(p)) ? -EFAULT : 0;
}
