// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: the device window -- device memory mapped into the process.
 *
 * mmap() of a device fd maps a VM_PFNMAP window of device pages (ordinary
 * kernel pages standing in for device RAM), inserted on fault with
 * vmf_insert_pfn().  SVMSIM_IOC_ZAP, and write(fd, addr, len) as in the
 * seed, zap the caller's window with zap_vma_ptes() under mmap_read_lock:
 * the mmu_notifier callbacks flush the device entries and the CPU refaults.
 * With SVMSIM_ZAP_SWAP the zapped pages first move to a second set of
 * device pages (contents copied), so a device entry a buggy driver left
 * stale reads the old page: stale data becomes visible.
 *
 * One mmap() at a time per file (VM_DONTCOPY: not inherited by fork), so
 * no two VMAs map the same window page and a swap needs to zap one VMA.
 *
 * Device memory is finite, as on real hardware: each device has
 * window_mem_mb of it.  The first mmap() of a file reserves its window's
 * size there, the first swap as much again for the second set, and
 * close() gives both back; beyond the device's memory they fail with
 * ENOMEM.  Pages are allocated when first touched (fault) or swapped,
 * and charged to the memory cgroup of whoever touched them, so an idle
 * window costs its page arrays only.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/slab.h>

#include "compat.h"
#include "svmsim.h"

static unsigned int window_mem_mb = 256;
module_param(window_mem_mb, uint, 0644);
MODULE_PARM_DESC(window_mem_mb,
		 "device memory per device for the device windows, MB; mmap() and swapping "
		 "zaps beyond it fail with ENOMEM (default 256)");

/**
 * struct svmsim_window - one file's device memory
 * @lock: guards @cur, the entries of @pages, @pages[1] and @vmas against
 *	faults and zaps.
 * @dev: the device whose memory it holds.
 * @npages: size.
 * @reserved: pages of the device's memory reserved: @npages, twice that
 *	once @pages[1] exists.
 * @pages: two sets of backing pages, each page allocated at its first
 *	use; set 1 is made at the first swap.
 * @cur: per page, the set backing it now.
 * @vmas: VMAs mapping the window (splits count); mmap() needs 0.
 */
struct svmsim_window {
	struct mutex lock;
	struct svmsim_dev *dev;
	unsigned long npages;
	unsigned long reserved;
	struct page **pages[2];
	u8 *cur;
	unsigned int vmas;
};

/* Give back @n pages of @dev's memory. */
static void svmsim_window_unreserve(struct svmsim_dev *dev, unsigned long n)
{
	atomic_long_sub(n, &dev->window_reserved);
}

/* Reserve @n pages of @dev's memory: 0 or -ENOMEM. */
static int svmsim_window_reserve(struct svmsim_dev *dev, unsigned long n)
{
	unsigned long limit = (unsigned long)READ_ONCE(window_mem_mb) << (20 - PAGE_SHIFT);

	if (atomic_long_add_return(n, &dev->window_reserved) > limit) {
		svmsim_window_unreserve(dev, n);
		return -ENOMEM;
	}
	return 0;
}

static void svmsim_window_free_set(struct svmsim_window *w, struct page **set)
{
	unsigned long i, n = 0;

	if (!set)
		return;
	for (i = 0; i < w->npages; i++) {
		if (set[i]) {
			__free_page(set[i]);
			n++;
		}
	}
	svmsim_obj_add(SVMSIM_OBJ_PAGE, -(long)n);
	svmsim_dev_count(w->dev, SVMSIM_STAT_WINDOW_PAGES, -(s64)n);
	kvfree(set);
}

/*
 * Page @i of set @s, allocated if it was never used: charged to the
 * memory cgroup of the task that touched it.  Under w->lock.
 */
static struct page *svmsim_window_page(struct svmsim_window *w, unsigned int s,
				       unsigned long i, bool may_fail)
{
	struct page *p = w->pages[s][i];

	if (p)
		return p;
	p = may_fail && svmsim_alloc_fails() ? NULL :
	    alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!p)
		return NULL;
	w->pages[s][i] = p;
	svmsim_obj_add(SVMSIM_OBJ_PAGE, 1);
	svmsim_dev_count(w->dev, SVMSIM_STAT_WINDOW_PAGES, 1);
	return p;
}

static struct svmsim_window *svmsim_window_alloc(struct svmsim_dev *dev, unsigned long npages)
{
	struct svmsim_window *w;

	if (svmsim_window_reserve(dev, npages))
		return NULL;
	w = svmsim_alloc_fails() ? NULL : kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w)
		goto unreserve;
	mutex_init(&w->lock);
	w->dev = dev;
	w->npages = npages;
	w->reserved = npages;
	w->cur = svmsim_alloc_fails() ? NULL : kvcalloc(npages, 1, GFP_KERNEL_ACCOUNT);
	if (w->cur)
		w->pages[0] = svmsim_alloc_fails() ? NULL :
			      kvcalloc(npages, sizeof(struct page *), GFP_KERNEL_ACCOUNT);
	if (!w->cur || !w->pages[0]) {
		kvfree(w->cur);
		kfree(w);
		goto unreserve;
	}
	svmsim_obj_add(SVMSIM_OBJ_WINDOW, 1);
	return w;
unreserve:
	svmsim_window_unreserve(dev, npages);
	return NULL;
}

/**
 * svmsim_window_free() - free a file's window (at release: no VMA is left)
 * @f: the file.
 *
 * Device entries of other bonds were flushed when the VMAs went; with the
 * ref fill policy an entry left stale by a bug holds its own page reference.
 */
void svmsim_window_free(struct svmsim_file *f)
{
	struct svmsim_window *w = f->window;

	if (!w)
		return;
	svmsim_window_free_set(w, w->pages[0]);
	svmsim_window_free_set(w, w->pages[1]);
	svmsim_window_unreserve(w->dev, w->reserved);
	kvfree(w->cur);
	kfree(w);
	f->window = NULL;
	svmsim_obj_add(SVMSIM_OBJ_WINDOW, -1);
}

/*
 * The page was reserved at mmap(): a failed allocation is the kernel out
 * of memory (or the memory cgroup at its limit), not the device.
 */
static vm_fault_t svmsim_window_fault(struct vm_fault *vmf)
{
	struct svmsim_window *w = vmf->vma->vm_private_data;
	struct page *p;
	vm_fault_t ret;

	if (vmf->pgoff >= w->npages)
		return VM_FAULT_SIGBUS;
	mutex_lock(&w->lock);
	p = svmsim_window_page(w, w->cur[vmf->pgoff], vmf->pgoff, false);
	ret = p ? vmf_insert_pfn(vmf->vma, vmf->address, page_to_pfn(p)) : VM_FAULT_OOM;
	mutex_unlock(&w->lock);
	return ret;
}

static void svmsim_window_open(struct vm_area_struct *vma)
{
	struct svmsim_window *w = vma->vm_private_data;

	mutex_lock(&w->lock);
	w->vmas++;
	mutex_unlock(&w->lock);
}

static void svmsim_window_close(struct vm_area_struct *vma)
{
	struct svmsim_window *w = vma->vm_private_data;

	mutex_lock(&w->lock);
	w->vmas--;
	mutex_unlock(&w->lock);
}

static const struct vm_operations_struct svmsim_window_vm_ops = {
	.open = svmsim_window_open,
	.close = svmsim_window_close,
	.fault = svmsim_window_fault,
};

/**
 * svmsim_is_window() - is @vma a device window of svmsim?
 * @vma: any VMA.
 *
 * Return: true if the page walk may translate it by PFN.
 */
bool svmsim_is_window(struct vm_area_struct *vma)
{
	return vma->vm_ops == &svmsim_window_vm_ops;
}

/**
 * svmsim_window_mmap() - map the file's window (allocated on first use)
 * @f: the file.
 * @vma: MAP_SHARED, offset 0, at most SVMSIM_WINDOW_MAX_PAGES, and no larger
 *	than the window's first mapping.
 *
 * The kernel calls ->mmap() with mmap_lock held for writing; f->lock ranks
 * below it (drv/svmsim.h), which is why bind never holds f->lock while it
 * registers a notifier or pins.
 *
 * Return: 0, -EINVAL, -EBUSY (already mapped) or -ENOMEM.
 */
int svmsim_window_mmap(struct svmsim_file *f, struct vm_area_struct *vma)
{
	unsigned long npages = vma_pages(vma);
	struct svmsim_window *w;
	int ret = 0;

	if (vma->vm_pgoff || !npages || npages > SVMSIM_WINDOW_MAX_PAGES ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	mutex_lock(&f->lock);
	w = f->window;
	if (!w) {
		w = svmsim_window_alloc(f->dev, npages);
		if (!w) {
			ret = -ENOMEM;
			goto out;
		}
		f->window = w;
	}
	if (npages > w->npages) {
		ret = -EINVAL;
		goto out;
	}
	mutex_lock(&w->lock);
	if (w->vmas)
		ret = -EBUSY;
	else
		w->vmas = 1;
	mutex_unlock(&w->lock);
	if (ret)
		goto out;
	svmsim_vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP |
			    VM_DONTCOPY);
	vma->vm_ops = &svmsim_window_vm_ops;
	vma->vm_private_data = w;
out:
	mutex_unlock(&f->lock);
	return ret;
}

/* The second set, reserved and made at the first swap.  Under w->lock. */
static int svmsim_window_second_set(struct svmsim_window *w)
{
	if (w->pages[1])
		return 0;
	if (svmsim_window_reserve(w->dev, w->npages))
		return -ENOMEM;
	w->pages[1] = svmsim_alloc_fails() ? NULL :
		      kvcalloc(w->npages, sizeof(struct page *), GFP_KERNEL_ACCOUNT);
	if (!w->pages[1]) {
		svmsim_window_unreserve(w->dev, w->npages);
		return -ENOMEM;
	}
	w->reserved += w->npages;
	return 0;
}

/*
 * Move pages [first, first + n) to the other backing set, contents kept:
 * all of them, or (-ENOMEM) none.  A page never touched has no contents
 * and no translation anywhere: it stays where it is.
 */
static int svmsim_window_swap(struct svmsim_window *w, unsigned long first,
			      unsigned long n)
{
	unsigned long i;
	int ret;

	ret = svmsim_window_second_set(w);
	if (ret)
		return ret;
	for (i = first; i < first + n; i++) {
		if (w->pages[w->cur[i]][i] && !svmsim_window_page(w, !w->cur[i], i, true))
			return -ENOMEM;
	}
	for (i = first; i < first + n; i++) {
		if (!w->pages[w->cur[i]][i])
			continue;
		copy_highpage(w->pages[!w->cur[i]][i], w->pages[w->cur[i]][i]);
		w->cur[i] = !w->cur[i];
	}
	return 0;
}

/* Zap [addr, addr + len) of @f's window in the caller's mm. */
static int svmsim_window_zap(struct svmsim_file *f, unsigned long addr,
			     unsigned long len, bool swap)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct svmsim_window *w;
	int ret = 0;

	if (!mm || !len || !PAGE_ALIGNED(addr) || !PAGE_ALIGNED(len) ||
	    addr + len < addr)
		return -EINVAL;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (!vma || !svmsim_is_window(vma) || vma->vm_file->private_data != f ||
	    addr + len > vma->vm_end) {
		ret = -EINVAL;
		goto out;
	}
	w = vma->vm_private_data;
	/* Faults wait: none may map a page between the zap and the swap. */
	mutex_lock(&w->lock);
	zap_vma_ptes(vma, addr, len);
	if (swap)
		ret = svmsim_window_swap(w, vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT),
					 len >> PAGE_SHIFT);
	mutex_unlock(&w->lock);
	svmsim_dev_count(f->dev, SVMSIM_STAT_ZAPS, 1);
	if (swap && !ret)
		svmsim_dev_count(f->dev, SVMSIM_STAT_WINDOW_SWAPS, 1);
out:
	mmap_read_unlock(mm);
	return ret;
}

/**
 * svmsim_ioctl_zap() - SVMSIM_IOC_ZAP
 * @f: the file.
 * @arg: struct svmsim_zap.
 *
 * Return: 0, -EINVAL (see the ABI) or -ENOMEM (a swap beyond the
 * device's memory, or the kernel's).
 */
long svmsim_ioctl_zap(struct svmsim_file *f, void __user *arg)
{
	struct svmsim_zap z;

	if (copy_from_user(&z, arg, sizeof(z)))
		return -EFAULT;
	if ((z.flags & ~SVMSIM_ZAP_FLAGS) || z.pad ||
	    !svmsim_reserved_zero(z.reserved, ARRAY_SIZE(z.reserved)))
		return -EINVAL;
	return svmsim_window_zap(f, z.addr, z.len, z.flags & SVMSIM_ZAP_SWAP);
}

/**
 * svmsim_window_write() - write(fd, addr, len): the seed's zap
 * @f: the file.
 * @buf: taken as the address to zap, not read.
 * @count: bytes; the pages holding [buf, buf + count) are zapped.
 *
 * Return: @count, or -EINVAL if the range is not in this file's window.
 */
ssize_t svmsim_window_write(struct svmsim_file *f, const char __user *buf,
			    size_t count)
{
	unsigned long addr = (unsigned long)buf, start = addr & PAGE_MASK;
	int ret;

	if (!count)
		return 0;
	if (addr + count < addr)
		return -EINVAL;
	ret = svmsim_window_zap(f, start, PAGE_ALIGN(addr + count) - start, false);
	return ret ? ret : count;
}
