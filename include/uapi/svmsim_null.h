/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * svmsim_null: ioctl ABI of the null-notifier floor module (svmsim_null.ko).
 *
 * The module registers, on the mm of a process that binds, an mmu_notifier
 * whose callbacks do nothing but count.  Benchmarks compare an mm operation
 * with this notifier registered against the same operation with svmsim (or
 * another driver) bound: the difference is the driver's own cost above the
 * cost of merely being subscribed.
 *
 * One misc device, SVMSIM_NULL_DEV ("/dev/svmsim_null"), mode 0600 as
 * svmsim's nodes.  Each open file binds at most one mm, with one notifier of
 * one of two shapes (@model of struct svmsim_null_bind):
 *  - SVMSIM_MODEL_SECONDARY: ->invalidate_range (kernels <= 6.5) or
 *    ->arch_invalidate_secondary_tlbs (>= 6.6), and ->release;
 *  - SVMSIM_MODEL_RANGE: ->invalidate_range_start, ->invalidate_range_end
 *    and ->release.
 * Every callback adds 1 to the fd's count.  close() of the last reference to
 * the file unbinds (also after the bound mm exited); the notifier is freed
 * after an SRCU grace period.
 *
 * Errors common to every ioctl: ENOTTY for an unknown ioctl number, EFAULT
 * for an unreadable or unwritable argument.
 */
#ifndef _UAPI_SVMSIM_NULL_H
#define _UAPI_SVMSIM_NULL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#include "svmsim.h"	/* SVMSIM_MODEL_SECONDARY, SVMSIM_MODEL_RANGE */

#define SVMSIM_NULL_DEV		"/dev/svmsim_null"
#define SVMSIM_NULL_IOC_MAGIC	0xC8

/**
 * struct svmsim_null_bind - argument of SVMSIM_NULL_IOC_BIND
 * @model: SVMSIM_MODEL_SECONDARY (1) or SVMSIM_MODEL_RANGE (2).
 * @flags: must be 0.
 */
struct svmsim_null_bind {
	__u32 model;
	__u32 flags;
};

/**
 * struct svmsim_null_count - result of SVMSIM_NULL_IOC_COUNT
 * @calls: callbacks the fd's notifier has seen so far (every callback of
 *	the bound shape, ->release included).
 * @flags: 0 (reserved for later use).
 */
struct svmsim_null_count {
	__u64 calls;
	__u64 flags;
};

/*
 * SVMSIM_NULL_IOC_BIND: register a null notifier on the caller's mm and
 * tie it to this fd.
 *   EFAULT  the argument pointer is bad
 *   EINVAL  @model is neither SECONDARY nor RANGE, or @flags is not 0, or
 *           the caller has no mm (a kernel thread)
 *   EBUSY   this fd is bound already (bound once, it stays bound until
 *           close, also after the mm exited)
 *   ENOMEM  out of memory (mmu_notifier_register's errors are passed on)
 */
#define SVMSIM_NULL_IOC_BIND	_IOW(SVMSIM_NULL_IOC_MAGIC, 0x01, struct svmsim_null_bind)

/*
 * SVMSIM_NULL_IOC_COUNT: read the fd's callback count.
 *   EINVAL  this fd is not bound
 *   EFAULT  the argument pointer is bad
 */
#define SVMSIM_NULL_IOC_COUNT	_IOR(SVMSIM_NULL_IOC_MAGIC, 0x02, struct svmsim_null_count)

#endif /* _UAPI_SVMSIM_NULL_H */
