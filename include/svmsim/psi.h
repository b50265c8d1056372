/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page-selective invalidation as the hardware expresses it (Intel VT-d's
 * PSI descriptors, qi_flush_piotlb(): an address and a size order): a
 * naturally aligned block of 2^order pages.  A range that is not such a
 * block is rounded up to the smallest one that holds it, so the device
 * flushes pages that did not change -- collateral, which svmsim counts.
 * Shared by the module (SVMSIM_CONFIG_PSI) and its user-space unit test.
 */
#ifndef _SVMSIM_PSI_H
#define _SVMSIM_PSI_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#endif

#define SVM_PSI_PAGE_SHIFT	12

/**
 * svm_psi_block() - the smallest aligned power-of-two block holding a range
 * @start: first address of the range.
 * @last: last address of the range, inclusive, >= @start.
 * @bstart: out: first address of the block.
 * @blast: out: last address of the block, inclusive.
 *
 * Return: the block's order (pages = 1 << order).  A range whose block
 * would pass the top of the address space gets 0 .. ULONG_MAX.
 */
static inline unsigned int svm_psi_block(unsigned long start, unsigned long last,
					 unsigned long *bstart, unsigned long *blast)
{
	unsigned int order = 0, top = 8 * sizeof(unsigned long) - SVM_PSI_PAGE_SHIFT;
	unsigned long mask;

	/* grow until the block that holds @start also holds @last */
	for (;; order++) {
		if (order >= top) {
			*bstart = 0;
			*blast = ~0UL;
			return top;
		}
		mask = (1UL << (order + SVM_PSI_PAGE_SHIFT)) - 1;
		if ((start & ~mask) == (last & ~mask))
			break;
	}
	*bstart = start & ~mask;
	*blast = *bstart | mask;
	return order;
}

#endif /* _SVMSIM_PSI_H */
