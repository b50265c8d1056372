/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * svmsim_null: the null-notifier floor.  A process binds its mm to an open
 * /dev/svmsim_null; the module registers an mmu_notifier whose callbacks
 * only count, in the shape of one of svmsim's models.  What an mm
 * operation costs with it bound is the cost of merely being registered.
 */
#ifndef _UAPI_SVMSIM_NULL_H
#define _UAPI_SVMSIM_NULL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SVMSIM_NULL_DEV		"/dev/svmsim_null"

/**
 * struct svmsim_null_bind - SVMSIM_NULL_IOC_BIND
 * @model: SVMSIM_MODEL_SECONDARY (1): only the secondary-TLB callback
 *	(invalidate_range; arch_invalidate_secondary_tlbs from 6.6) and
 *	release; SVMSIM_MODEL_RANGE (2): only invalidate_range_start/end and
 *	release.
 * @flags: must be 0.
 *
 * Binds the caller's mm to this file.  Errors: EFAULT bad pointer, EINVAL
 * bad model or flags (or no mm), EBUSY this file is bound already, ENOMEM.
 * close() unbinds.
 */
struct svmsim_null_bind {
	__u32 model;
	__u32 flags;
};

/**
 * struct svmsim_null_count - SVMSIM_NULL_IOC_COUNT
 * @calls: callbacks this file's notifier has seen so far.
 * @flags: 0.
 *
 * Errors: EFAULT bad pointer, EINVAL not bound.
 */
struct svmsim_null_count {
	__u64 calls;
	__u64 flags;
};

#define SVMSIM_NULL_IOC_MAGIC	0xC8
#define SVMSIM_NULL_IOC_BIND	_IOW(SVMSIM_NULL_IOC_MAGIC, 0x01, struct svmsim_null_bind)
#define SVMSIM_NULL_IOC_COUNT	_IOR(SVMSIM_NULL_IOC_MAGIC, 0x02, struct svmsim_null_count)

#endif /* _UAPI_SVMSIM_NULL_H */
