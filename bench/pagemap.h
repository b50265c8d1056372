/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What /proc/self/pagemap says about this process's pages, and its fault
 * counter: how a workload checks, untimed, that a sample timed the
 * operation it names (the pages were there to be changed; a store broke
 * copy-on-write itself rather than finding a page the device's DMA write
 * had already copied).
 *
 * Open pagemap in the process whose pages are read: an fd opened before a
 * fork() keeps reading the parent's mm.  PFNs read as 0 without
 * CAP_SYS_ADMIN; callers fall back to the other bits then.
 */
#ifndef _SVMBENCH_PAGEMAP_H
#define _SVMBENCH_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PM_PRESENT	(1ull << 63)
#define PM_SWAPPED	(1ull << 62)
#define PM_EXCLUSIVE	(1ull << 56)	/* mapped by this process only */
#define PM_SOFT_DIRTY	(1ull << 55)	/* written since clear_refs "4" */
#define PM_PFN_MASK	((1ull << 55) - 1)

int pagemap_open(void);
uint64_t pagemap_entry(int fd, const void *addr);
bool pagemap_all_present(const void *base, size_t npages);
long thread_minflt(void);

#endif /* _SVMBENCH_PAGEMAP_H */
