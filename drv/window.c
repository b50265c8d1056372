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
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/slab.h>

#include "compat.h"
#include "svmsim.h"

/**
 * struct svmsim_window - one file's device memory
 * @lock: guards @cur, @pages[1] and @vmas against faults and zaps.
 * @npages: size.
 * @pages: two sets of backing pages; set 1 is allocated at the first swap.
 * @cur: per page, the set backing it now.
 * @vmas: VMAs mapping the window (splits count); mmap() needs 0.
 */
struct svmsim_window {
	struct mutex lock;
	unsigned long npages;
	struct page **pages[2];
	u8 *cur;
	unsigned int vmas;
};

static void svmsim_window_free_set(struct page **set, unsigned long n)
{
	unsigned long i;

	if (!set)
		return;
	for (i = 0; i < n; i++) {
		if (set[i]) {
			__free_page(set[i]);
			svmsim_obj_add(SVMSIM_OBJ_PAGE, -1);
		}
	}
	kvfree(set);
}

static struct page **svmsim_window_alloc_set(unsigned long n)
{
	struct page **set;
	unsigned long i;

	set = svmsim_alloc_fails() ? NULL : kvcalloc(n, sizeof(*set), GFP_KERNEL_ACCOUNT);
	if (!set)
		return NULL;
	/* Device memory the user asked for: charged to its memory cgroup. */
	for (i = 0; i < n; i++) {
		set[i] = svmsim_alloc_fails() ? NULL :
			 alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!set[i]) {
			svmsim_window_free_set(set, n);
			return NULL;
		}
		svmsim_obj_add(SVMSIM_OBJ_PAGE, 1);
	}
	return set;
}

static struct svmsim_window *svmsim_window_alloc(unsigned long npages)
{
	struct svmsim_window *w;

	w = svmsim_alloc_fails() ? NULL : kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w)
		return NULL;
	svmsim_obj_add(SVMSIM_OBJ_WINDOW, 1);
	mutex_init(&w->lock);
	w->npages = npages;
	w->cur = svmsim_alloc_fails() ? NULL : kvcalloc(npages, 1, GFP_KERNEL_ACCOUNT);
	w->pages[0] = w->cur ? svmsim_window_alloc_set(npages) : NULL;
	if (!w->cur || !w->pages[0]) {
		kvfree(w->cur);
		kfree(w);
		svmsim_obj_add(SVMSIM_OBJ_WINDOW, -1);
		return NULL;
	}
	return w;
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
	svmsim_window_free_set(w->pages[0], w->npages);
	svmsim_window_free_set(w->pages[1], w->npages);
	kvfree(w->cur);
	kfree(w);
	f->window = NULL;
	svmsim_obj_add(SVMSIM_OBJ_WINDOW, -1);
}

static vm_fault_t svmsim_window_fault(struct vm_fault *vmf)
{
	struct svmsim_window *w = vmf->vma->vm_private_data;
	vm_fault_t ret;

	if (vmf->pgoff >= w->npages)
		return VM_FAULT_SIGBUS;
	mutex_lock(&w->lock);
	ret = vmf_insert_pfn(vmf->vma, vmf->address,
			     page_to_pfn(w->pages[w->cur[vmf->pgoff]][vmf->pgoff]));
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
		w = svmsim_window_alloc(npages);
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

/* Move pages [first, first + n) to the other backing set, contents kept. */
static int svmsim_window_swap(struct svmsim_window *w, unsigned long first,
			      unsigned long n)
{
	unsigned long i;

	if (!w->pages[1]) {
		w->pages[1] = svmsim_window_alloc_set(w->npages);
		if (!w->pages[1])
			return -ENOMEM;
	}
	for (i = first; i < first + n; i++) {
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
 * Return: 0, -EINVAL (see the ABI) or -ENOMEM (first swap).
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
