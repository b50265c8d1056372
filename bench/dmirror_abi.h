/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioctl ABI of the kernel's HMM mirror test driver (lib/test_hmm.c,
 * its lib/test_hmm_uapi.h), the part the dmirror backend uses: the same in
 * 6.1 and 6.12.  Declared here because that header ships only inside the
 * kernel source; scripts/dmirror compiles this file against the packaged
 * header when it builds the module and fails if they differ.
 */
#ifndef _SVMBENCH_DMIRROR_ABI_H
#define _SVMBENCH_DMIRROR_ABI_H

#include <linux/ioctl.h>
#include <stdint.h>

struct dmirror_cmd {
	uint64_t addr;		/* page-aligned virtual address, else EINVAL */
	uint64_t ptr;		/* user buffer, npages * 4K */
	uint64_t npages;
	uint64_t cpages;	/* out: pages copied */
	uint64_t faults;	/* out: fault rounds (hmm_range_fault()) */
};

#define DMIRROR_IOC_READ	_IOWR('H', 0x00, struct dmirror_cmd)
#define DMIRROR_DEV_PREFIX	"/dev/hmm_dmirror"

#endif /* _SVMBENCH_DMIRROR_ABI_H */
