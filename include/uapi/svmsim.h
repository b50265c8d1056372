/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * svmsim: ioctl ABI of the emulated Shared Virtual Memory device.
 *
 * One misc device per emulated device: /dev/svmsim0, /dev/svmsim1, ...
 * A process binds its address space (mm) to a PASID through a device fd,
 * then asks the device to read, write or atomically update its memory by
 * virtual address (DMA).  The device translates through a software IOTLB
 * that it fills with get_user_pages and keeps coherent from mmu_notifier
 * callbacks.
 *
 * Conventions, for every ioctl:
 *  - structs have a fixed size, explicit padding and 64-bit pointers;
 *  - input fields named "pad"/"reserved" must be zero (EINVAL otherwise);
 *  - an unknown ioctl number fails with ENOTTY; a known number whose size
 *    field differs from this ABI's struct (an old or new header) with EINVAL;
 *  - an unreadable or unwritable argument pointer fails with EFAULT;
 *  - unknown bits in a flags field fail with EINVAL;
 *  - a call that allocates memory may fail with ENOMEM.
 * Errors particular to a call are listed beside it.
 *
 * Who may do what (the privilege model):
 *  - the device nodes are created root-only (mode 0600); to give a group
 *    access, install a udev rule such as scripts/udev/70-svmsim.rules
 *    (group "svmsim", mode 0660).  Whoever can open a node is a user;
 *  - any fd, also one opened O_RDONLY, may observe: VERSION, STATS (a
 *    PASID bound through it, or the device), HIST, GET_CONFIG, PROBE;
 *  - making the device act needs an fd opened for writing (EBADF
 *    otherwise, as write(2) on such an fd): BIND, UNBIND, DMA, ZAP,
 *    INJECT, write(2), and mmap() of the device window (EACCES);
 *  - a bond acts only for the mm that made it (the binder's: with
 *    SVMSIM_BIND_PID not the mm bound): another process (a fork child
 *    holding the inherited fd) gets EPERM from DMA, PROBE, INJECT and
 *    UNBIND on it, until the bound mm has exited;
 *  - SVMSIM_BIND_PID binds another task's mm only for its ptrace tracer;
 *  - what changes the device for every user needs CAP_SYS_ADMIN as well
 *    (EPERM otherwise): SET_CONFIG, and STATS with SVMSIM_STATS_RESET on
 *    the device (pasid 0);
 *  - bug injection needs the module parameter allow_inject=1, which only
 *    whoever loads the module can set; pinning is charged to the
 *    RLIMIT_MEMLOCK of the bound process unless it has CAP_IPC_LOCK.
 * The order of checks: ioctl number (ENOTTY, EINVAL), privilege (EBADF,
 * EPERM), then the argument (EFAULT, EINVAL, ...).
 *
 * Changing a struct or a meaning bumps SVMSIM_ABI_VERSION.
 */
#ifndef _UAPI_SVMSIM_H
#define _UAPI_SVMSIM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * 2: svmsim_config grew max_entries, max_pasid_entries, flush_budget (its
 *    ioctl numbers changed with its size); stats TLB_RETIRED, _UNCOUNTED,
 *    _STALE; pinned fills past RLIMIT_MEMLOCK fail with ENOMEM.
 * 3: a bond whose process exited is reaped: its PASID is given back (and
 *    may be bound again) without waiting for the fd's close, and the fd
 *    keeps a record of its counters (SVMSIM_MAX_RECORDS at most); the
 *    pinned model gives an exited process's pins back too.  Device windows
 *    allocate their pages on first touch, within the device's memory
 *    (window_mem_mb; mmap and swapping zaps fail with ENOMEM beyond it);
 *    stat WINDOW_PAGES.
 * 4: the catalogue of injectable bugs grew from 6 to 19 (enum svmsim_bug);
 *    a sanitizer report says when and by whom the entry was filled
 *    (struct svmsim_san_report grew by 16 bytes).
 * 5: SVMSIM_BIND_PID binds the mm of a task the caller traces; its first
 *    reserved word became svmsim_bind.pid (same size, same number);
 *    svmsim_config.flags takes SVMSIM_CONFIG_PSI (was: must be zero).
 * (still 5) svmsim_config's first three reserved words became the device
 *    faults lat_tail_pct/_mult, qi_timeout_ns, qi_depth/qi_lose_pct; zero
 *    keeps today's behaviour and an older module refuses non-zero ones
 *    with EINVAL, so binaries of either side keep working: no bump.  New
 *    stats DEV_TAIL, QI_LOST, QI_TIMEOUTS, QI_FULL, QI_KILLED at the end.
 * (still 5) its last reserved word became qi_coalesce_ns, the queue's
 *    coalescing window, on the same terms (0: as before).
 * (still 5) svmsim_config.flags takes SVMSIM_CONFIG_PAGE_DESCS (an older
 *    module refuses it with EINVAL); new stat QI_DESCS_NOMEM at the end.
 */
#define SVMSIM_ABI_VERSION	5
#define SVMSIM_IOC_MAGIC	0xC7
#define SVMSIM_DEV_PREFIX	"/dev/svmsim"

/* ---- invalidation models, fill policies (per bind) ---------------------- */

/**
 * enum svmsim_model - how a bond keeps the device TLB coherent
 * @SVMSIM_MODEL_DEFAULT: the device's configured default model.
 * @SVMSIM_MODEL_SECONDARY: intel_svm / arm-smmu-v3-sva style: flush in
 *	invalidate_range (<= 6.5) or arch_invalidate_secondary_tlbs (>= 6.6),
 *	after the CPU page table changed; never sleeps.
 * @SVMSIM_MODEL_RANGE: KVM / HMM / RDMA ODP style: flush in
 *	invalidate_range_start and refuse fills in the range until the
 *	matching invalidate_range_end.
 * @SVMSIM_MODEL_PINNED: vfio type1 style: pages are pinned (FOLL_LONGTERM)
 *	at bind or first touch and never invalidated; no mmu_notifier
 *	flushes.  Shows what pinning costs and breaks (migration, munmap).
 *	Every pin is charged to the process's pinned memory (VmPin) against
 *	RLIMIT_MEMLOCK unless CAP_IPC_LOCK, until unbind (or eviction)
 *	releases it: the whole folio it holds (a 4K pin of a THP: 2 MB), for
 *	each pin.  A pin past the limit fails with ENOMEM.
 */
enum svmsim_model {
	SVMSIM_MODEL_DEFAULT	= 0,
	SVMSIM_MODEL_SECONDARY	= 1,
	SVMSIM_MODEL_RANGE	= 2,
	SVMSIM_MODEL_PINNED	= 3,
	SVMSIM_MODEL_NR
};

/**
 * enum svmsim_fill - what a TLB entry holds on the page it translates
 * @SVMSIM_FILL_DEFAULT: the device's configured default policy.
 * @SVMSIM_FILL_REF: keep the page reference taken by get_user_pages until
 *	the entry is flushed (safe even if a bug leaves an entry stale).
 * @SVMSIM_FILL_NOREF: drop it at once; coherence only by invalidation.
 */
enum svmsim_fill {
	SVMSIM_FILL_DEFAULT	= 0,
	SVMSIM_FILL_REF		= 1,
	SVMSIM_FILL_NOREF	= 2,
	SVMSIM_FILL_NR
};

/* ---- SVMSIM_IOC_VERSION ------------------------------------------------- */

#define SVMSIM_FEAT_INVALIDATE_RANGE	(1u << 0) /* kernel: ops->invalidate_range */
#define SVMSIM_FEAT_SECONDARY_TLBS	(1u << 1) /* kernel: arch_invalidate_secondary_tlbs */
#define SVMSIM_FEAT_CHANGE_PTE		(1u << 2) /* kernel: ops->change_pte */
#define SVMSIM_FEAT_INJECT		(1u << 3) /* module loaded with allow_inject=1 */
#define SVMSIM_FEAT_HUGE		(1u << 4) /* 2M TLB entries for PMD-mapped THP */
#define SVMSIM_FEAT_SANITIZER		(1u << 5) /* the coherence sanitizer (SVMSIM_BIND_SANITIZE) */
#define SVMSIM_FEAT_FANOUT		(1u << 6) /* the two-pass fan-out (SVMSIM_BIND_FANOUT) */

/**
 * struct svmsim_version - SVMSIM_IOC_VERSION (out only; never fails)
 * @abi_version: SVMSIM_ABI_VERSION of the module.
 * @device_index: N of /dev/svmsimN this fd refers to.
 * @ndevices: number of emulated devices.
 * @features: SVMSIM_FEAT_* bits.
 * @max_pasid: largest PASID value the module hands out ((1 << 20) - 1).
 * @page_shifts: bit mask of TLB entry sizes: bit 12 (4K), bit 21 (2M).
 * @entry_bytes: memory a cached TLB entry takes: its slab object's size
 *	(0 from modules older than the field).
 * @bond_bytes: memory a bond takes besides its entries: the bond's kmalloc
 *	object and the per-CPU counters of the bond and of its TLB space, on
 *	every possible CPU (not the sanitizer's ring of a SANITIZE bond, nor
 *	the PASID's holder, one per mm); 0 from older modules.
 * @reserved: written as zero.
 */
struct svmsim_version {
	__u32 abi_version;
	__u32 device_index;
	__u32 ndevices;
	__u32 features;
	__u32 max_pasid;
	__u32 page_shifts;
	__u32 entry_bytes;
	__u32 bond_bytes;
	__u64 reserved[4];
};

/* ---- SVMSIM_IOC_BIND / SVMSIM_IOC_UNBIND -------------------------------- */

/*
 * A bond ends with UNBIND, with close() of the fd it was made through, or
 * with the exit of its process (the last user of the mm).  At the exit the
 * bond is released at once: every entry flushed, DMA on its PASID fails
 * with ESRCH.  Soon after, off the exit path, it is reaped: torn down as
 * by an unbind, its PASID given back when no other device holds it, and
 * the fd keeps a record of the bond's final counters, which STATS reads.
 * UNBIND of that PASID, by anyone, drops the record.  An fd keeps at most
 * SVMSIM_MAX_RECORDS records, one per PASID: a newer record of the same
 * PASID, or the limit, drops the oldest (STATS then fails with EINVAL).  A
 * PASID given back may be bound again, through the same fd too: its live
 * bond then comes first for every call.
 */
#define SVMSIM_MAX_RECORDS	256

#define SVMSIM_BIND_NO_HUGE	(1u << 0) /* never create 2M entries for this bond */
#define SVMSIM_BIND_SANITIZE	(1u << 1) /* check every access (see "The sanitizer") */
#define SVMSIM_BIND_PID		(1u << 2) /* bind the mm of task @pid (see below) */
#define SVMSIM_BIND_FANOUT	(1u << 3) /* share the mm's two-pass notifier (see below) */
#define SVMSIM_BIND_FLAGS	(SVMSIM_BIND_NO_HUGE | SVMSIM_BIND_SANITIZE | SVMSIM_BIND_PID | \
				 SVMSIM_BIND_FANOUT)

/**
 * struct svmsim_bind - SVMSIM_IOC_BIND: bind the caller's mm to this device
 * @model: enum svmsim_model.
 * @fill: enum svmsim_fill (ignored by SVMSIM_MODEL_PINNED, which pins).
 * @flags: SVMSIM_BIND_*.
 * @pasid: out: the PASID of the caller's mm.  One PASID per mm, shared by
 *	every svmsim device the mm is bound to (like the kernel's SVA PASID).
 * @pin_addr: SVMSIM_MODEL_PINNED only: page-aligned start of a range to pin
 *	and map at bind time (vfio MAP_DMA); 0 with @pin_len 0 pins nothing.
 * @pin_len: length of that range, page multiple; must be 0 for other models.
 * @pid: with SVMSIM_BIND_PID: the task (a thread ID in the caller's PID
 *	namespace) whose mm to bind instead of the caller's; else 0.
 * @pad: must be zero.
 * @reserved: must be zero.
 *
 * SVMSIM_BIND_PID (svmsim-run): the caller must be @pid's ptrace tracer
 * (or share its mm).  The kernel checked ptrace_may_access() with
 * PTRACE_MODE_ATTACH_REALCREDS when the trace began (PTRACE_ATTACH,
 * PTRACE_SEIZE, PTRACE_TRACEME's LSM check), and a traced task's exec
 * gains no privileges, so a tracer may already read and write that mm;
 * modules cannot call ptrace_may_access() themselves.  The bond acts for
 * the caller's mm: DMA, PROBE, INJECT, UNBIND and STATS through this fd,
 * from the caller's process, use the target's address space.  It ends as
 * any other: when the target's mm exits (the last task using it exits or
 * execs), by UNBIND, or by close().  Not for SVMSIM_MODEL_PINNED.
 *
 * SVMSIM_BIND_FANOUT (fan-out to several devices): an mm bound to K
 * devices gets, by default, K notifiers, which the kernel calls in turn:
 * each device is flushed and its completion waited for before the next
 * begins (serial: K device latencies per invalidation).  Bonds made with
 * this flag instead share one notifier per mm and model, which posts the
 * flush to every such device and then waits for them all (parallel: about
 * one latency), the two-pass shape of a driver of several devices.  Every
 * member is flushed by every invalidation, with the same guarantee as
 * alone; SVMSIM_STAT_FANOUT counts them, SVMSIM_STAT_FANOUT_SERIAL those
 * that had to go one device at a time (no memory for the passes).  Range
 * and secondary models; a mix of members with and without the flag is
 * allowed (those without are flushed by their own notifiers).
 *
 * Errors: EINVAL bad model/fill/flags/reserved/pad, pin range unaligned,
 * given for a non-pinned model, or beyond the user address space, @pid
 * given without SVMSIM_BIND_PID, or not > 0 with it, SVMSIM_BIND_PID for
 * the pinned model, SVMSIM_BIND_FANOUT for the pinned model; EBUSY the mm
 * is already bound to this device; ENOSPC
 * no free PASID; ENOMEM; EFAULT the pin range is not mapped; EACCES
 * (pinned) the pin range's mapping forbids access (PROT_NONE); ENOMEM
 * (pinned) the pin range, or a pin made for it, takes the caller's pinned
 * memory past RLIMIT_MEMLOCK (without CAP_IPC_LOCK); ESRCH the caller has
 * no mm, or (SVMSIM_BIND_PID) no task @pid, or it has no mm (exited, a
 * kernel thread); EPERM (SVMSIM_BIND_PID) the caller does not trace @pid;
 * EOPNOTSUPP (SVMSIM_BIND_PID) a kernel without MMU_GATHER_RCU_TABLE_FREE
 * (the sanitizer could not walk another mm's page tables safely).
 */
struct svmsim_bind {
	__u32 model;
	__u32 fill;
	__u32 flags;
	__u32 pasid;
	__u64 pin_addr;
	__u64 pin_len;
	__s32 pid;
	__u32 pad;
	__u64 reserved[3];
};

/**
 * struct svmsim_unbind - SVMSIM_IOC_UNBIND
 * @pasid: a PASID bound through this fd.
 * @flags: must be zero.
 * @reserved: must be zero.
 *
 * Flushes the bond's entries, waits for DMA in flight on them, and releases
 * the PASID when no device holds it.  close() unbinds everything bound
 * through the fd.  A bond whose process exited may be unbound by anyone;
 * once reaped, unbinding drops its record.  Errors: EINVAL not bound
 * through this fd (nor recorded); EPERM bound by another process's mm (an
 * inherited fd) that is still alive.
 */
struct svmsim_unbind {
	__u32 pasid;
	__u32 flags;
	__u64 reserved[2];
};

/* ---- SVMSIM_IOC_DMA ----------------------------------------------------- */

/**
 * enum svmsim_dma_op - device operations on PASID-tagged virtual addresses
 * @SVMSIM_DMA_READ: copy @len bytes at @addr to the caller's buffer @buf.
 * @SVMSIM_DMA_WRITE: copy @len bytes from @buf to @addr.
 * @SVMSIM_DMA_CAS: 64-bit compare-and-swap at @addr (8-byte aligned, @len 8):
 *	if *addr == @operand then *addr = @swap; @result = old value.
 * @SVMSIM_DMA_FADD: 64-bit fetch-and-add of @operand at @addr; @result = old.
 * @SVMSIM_DMA_PREFETCH: translate every page of [@addr, @addr + @len) into
 *	the TLB (an ATS translation request), moving no data.
 *
 * READ and WRITE move each naturally aligned 2-, 4- or 8-byte unit of
 * [@addr, @addr + @len) in one access (single-copy atomic): a CPU reading
 * such a unit during a device write sees its old or its new value, never
 * a mix, and likewise for a device read during a CPU write.
 */
enum svmsim_dma_op {
	SVMSIM_DMA_READ		= 0,
	SVMSIM_DMA_WRITE	= 1,
	SVMSIM_DMA_CAS		= 2,
	SVMSIM_DMA_FADD		= 3,
	SVMSIM_DMA_PREFETCH	= 4,
	SVMSIM_DMA_OP_NR
};

#define SVMSIM_DMA_NOFILL	(1u << 0) /* a TLB miss faults (EHOSTUNREACH) instead of filling */
#define SVMSIM_DMA_FLAGS	(SVMSIM_DMA_NOFILL)
#define SVMSIM_DMA_MAX_LEN	(1ull << 30)

/**
 * struct svmsim_dma - SVMSIM_IOC_DMA: one device access, synchronous
 * @pasid: a PASID bound by the caller's mm through this fd.
 * @op: enum svmsim_dma_op.
 * @flags: SVMSIM_DMA_*.
 * @pad: must be zero.
 * @addr: device virtual address in the PASID's address space.
 * @len: bytes, 1..SVMSIM_DMA_MAX_LEN; 8 for the atomics.
 * @buf: the caller's buffer (READ: destination, WRITE: source).
 * @operand: CAS: expected value; FADD: addend.
 * @swap: CAS: new value.
 * @result: out: the atomics' old value.
 * @done: out: bytes completed before a fault (all of @len on success).
 * @fault_addr: out: the device address that faulted, 0 on success.
 * @reserved: must be zero.
 *
 * The struct is copied back on success and on a device fault.  A device
 * fault is one of: EFAULT @addr not mapped (or above the user address
 * space); EACCES the mapping forbids the access (PROT_NONE; write to a
 * read-only mapping); EHOSTUNREACH SVMSIM_DMA_NOFILL and a TLB miss; EIO
 * the coherence sanitizer stopped the access: the translation it was
 * about to use was stale (SVMSIM_IOC_SAN_REPORTS says which).
 * Other errors: EINVAL bad op/flags/len/alignment/reserved; EINVAL @pasid
 * not bound through this fd; EPERM @pasid bound by another mm; ESRCH the
 * bound mm has exited (the bond was released or reaped) or is being
 * unbound;
 * EAGAIN a page request was refused by invalidations racing with it (it
 * waits for those in progress, and walks again) for 10 s, the device's
 * page-request timeout; EINTR a fatal signal; EFAULT also for a bad @buf; ENOMEM, also
 * (pinned model) a page request whose pin would take the caller's pinned
 * memory past RLIMIT_MEMLOCK (without CAP_IPC_LOCK).
 */
struct svmsim_dma {
	__u32 pasid;
	__u32 op;
	__u32 flags;
	__u32 pad;
	__u64 addr;
	__u64 len;
	__u64 buf;
	__u64 operand;
	__u64 swap;
	__u64 result;
	__u64 done;
	__u64 fault_addr;
	__u64 reserved[2];
};

/* ---- statistics --------------------------------------------------------- */

/**
 * enum svmsim_stat - indices of svmsim_stats.counters[]
 *
 * Counted per device and per bond.  "(gauge)" marks a current value that a
 * reset leaves alone.
 */
enum svmsim_stat {
	SVMSIM_STAT_TLB_HITS,		/* lookups that found a usable entry */
	SVMSIM_STAT_TLB_MISSES,		/* lookups that found none */
	SVMSIM_STAT_TLB_INSERTS,	/* entries inserted */
	SVMSIM_STAT_TLB_EVICTIONS,	/* entries evicted for capacity */
	SVMSIM_STAT_TLB_FLUSHED,	/* entries removed by invalidation */
	SVMSIM_STAT_TLB_COLLATERAL,	/* ... of which outside the range that changed */
	SVMSIM_STAT_TLB_STALE_REFUSED,	/* inserts refused: sequence moved since the walk */
	SVMSIM_STAT_TLB_FULL_FLUSHES,	/* PASID-wide flushes (whole range or threshold) */
	SVMSIM_STAT_TLB_WALK_FLUSHES,	/* range flushes done by walking the PASID's entries */
	SVMSIM_STAT_TLB_PROBE_FLUSHES,	/* range flushes done by probing each page */
	SVMSIM_STAT_TLB_ENTRIES,	/* (gauge) entries cached */
	SVMSIM_STAT_TLB_ENTRIES_2M,	/* (gauge) 2M entries cached */
	SVMSIM_STAT_FILLS,		/* page requests that inserted an entry */
	SVMSIM_STAT_FILLS_2M,		/* ... of which 2M entries */
	SVMSIM_STAT_FILL_RETRIES,	/* page walks redone after a refused insert */
	SVMSIM_STAT_FILL_WAITS,		/* waits for an invalidation in progress (range) */
	SVMSIM_STAT_FILL_FAULTS,	/* page requests that ended in a device fault */
	SVMSIM_STAT_DMA_OPS,		/* DMA ioctls */
	SVMSIM_STAT_DMA_BYTES,		/* bytes moved */
	SVMSIM_STAT_DMA_FAULTS,		/* DMA ioctls that ended in a device fault */
	SVMSIM_STAT_INV_CALLS,		/* invalidation callbacks that flushed */
	SVMSIM_STAT_INV_EMPTY,		/* ... that found nothing to remove */
	SVMSIM_STAT_INV_NONBLOCK,	/* invalidate_range_start without BLOCKABLE */
	SVMSIM_STAT_INV_OBSERVED,	/* start/end brackets seen by the range observer */
	SVMSIM_STAT_QI_DESCS,		/* invalidation descriptors queued */
	SVMSIM_STAT_QI_BATCHES,		/* batches the queue processed */
	SVMSIM_STAT_QI_WAITS,		/* wait descriptors completed */
	SVMSIM_STAT_RELEASES,		/* mm releases (exit while bound) */
	SVMSIM_STAT_BINDS,		/* bonds made */
	SVMSIM_STAT_UNBINDS,		/* bonds ended: unbind, close, or reaped after exit */
	SVMSIM_STAT_PINNED_PAGES,	/* (gauge) pages pinned by pinned-model bonds */
	SVMSIM_STAT_ZAPS,		/* window zaps (ioctl and write()) */
	SVMSIM_STAT_WINDOW_SWAPS,	/* window backing swaps */
	SVMSIM_STAT_INJECTED,		/* times an injected bug changed behaviour */
	SVMSIM_STAT_TLB_RETIRED,	/* entries removed at once by a retiring flush */
	SVMSIM_STAT_TLB_UNCOUNTED,	/* ... of which collateral not counted */
	SVMSIM_STAT_TLB_STALE,		/* (gauge) retired entries not released yet */
	SVMSIM_STAT_WINDOW_PAGES,	/* (gauge) device memory pages backing windows */
	SVMSIM_STAT_SAN_CHECKS,		/* sanitizer: accesses checked against the CPU's page table */
	SVMSIM_STAT_SAN_STALE,		/* ... stopped: stale translation (a report each) */
	SVMSIM_STAT_SAN_WAITS,		/* ... differing while an invalidation ran: looked up again */
	SVMSIM_STAT_SAN_UNCHECKED,	/* ... not checkable: device-window or pinned-model pages */
	SVMSIM_STAT_FANOUT,		/* flushes through the fan-out notifier (SVMSIM_BIND_FANOUT) */
	SVMSIM_STAT_FANOUT_SERIAL,	/* ... of which one device at a time (no memory) */
	SVMSIM_STAT_DEV_TAIL,		/* flushes (sync) or batches (queued) given the tail latency */
	SVMSIM_STAT_QI_LOST,		/* batches whose completion the device lost */
	SVMSIM_STAT_QI_TIMEOUTS,	/* descriptors the driver retired at qi_timeout_ns */
	SVMSIM_STAT_QI_FULL,		/* posts that found qi_depth descriptors queued */
	SVMSIM_STAT_QI_KILLED,		/* sleeping waits cut by a fatal signal: spun to the end */
	SVMSIM_STAT_QI_DESCS_NOMEM,	/* page-descriptor flushes sent as one: no memory */
	SVMSIM_STAT_NR
};

#define SVMSIM_STATS_MAX	64

/**
 * enum svmsim_event - what caused an invalidation callback
 *
 * The first eight mirror the kernel's enum mmu_notifier_event.  The
 * secondary model's callback carries no event: it is attributed to the
 * newest start/end bracket still in progress when there is one, else to
 * the newest bracket that ended since the previous secondary flush (6.12
 * and batched flushes of reclaim and migration come after their brackets
 * ended), else to SVMSIM_EV_UNATTRIBUTED.
 */
enum svmsim_event {
	SVMSIM_EV_UNMAP,
	SVMSIM_EV_CLEAR,
	SVMSIM_EV_PROTECTION_VMA,
	SVMSIM_EV_PROTECTION_PAGE,
	SVMSIM_EV_SOFT_DIRTY,
	SVMSIM_EV_RELEASE,
	SVMSIM_EV_MIGRATE,
	SVMSIM_EV_EXCLUSIVE,
	SVMSIM_EV_UNATTRIBUTED,
	SVMSIM_EV_CHANGE_PTE,		/* 6.1 ->change_pte */
	SVMSIM_EV_MM_RELEASE,		/* ->release: the mm is exiting */
	SVMSIM_EV_OTHER,		/* an event value this ABI does not know */
	SVMSIM_EV_NR
};

#define SVMSIM_EV_MAX		16

/**
 * enum svmsim_size_class - invalidation range sizes, in 4K pages
 * @SVMSIM_SZ_FULL: the whole address space (0..ULONG_MAX, exit, clear_refs,
 *	6.12's widened flush_tlb_mm_range).
 */
enum svmsim_size_class {
	SVMSIM_SZ_1,
	SVMSIM_SZ_2_8,
	SVMSIM_SZ_9_64,
	SVMSIM_SZ_65_512,
	SVMSIM_SZ_513_4096,
	SVMSIM_SZ_4097_UP,
	SVMSIM_SZ_FULL,
	SVMSIM_SZ_NR
};

#define SVMSIM_STATS_RESET	(1u << 0) /* zero counters (not gauges) after reading */

/**
 * struct svmsim_stats - SVMSIM_IOC_STATS
 * @pasid: in: 0 for the device, else a PASID bound through this fd (or
 *	the record of a reaped bond: see "A bond ends" above).
 * @flags: in: SVMSIM_STATS_RESET (for the device: its histograms too).
 * @ncounters: out: SVMSIM_STAT_NR.
 * @nevents: out: SVMSIM_EV_NR.
 * @counters: out: indexed by enum svmsim_stat.
 * @ev_calls: out: invalidation callbacks, by enum svmsim_event.
 * @ev_entries: out: entries they removed.
 * @ev_collateral: out: ... of which outside the range that changed.
 * @reserved: must be zero.
 *
 * Errors: EINVAL bad flags, reserved, or a PASID neither bound nor recorded
 * on this fd; EPERM SVMSIM_STATS_RESET of the device (pasid 0) without CAP_SYS_ADMIN.
 */
struct svmsim_stats {
	__u32 pasid;
	__u32 flags;
	__u32 ncounters;
	__u32 nevents;
	__u64 counters[SVMSIM_STATS_MAX];
	__u64 ev_calls[SVMSIM_EV_MAX];
	__u64 ev_entries[SVMSIM_EV_MAX];
	__u64 ev_collateral[SVMSIM_EV_MAX];
	__u64 reserved[4];
};

/* ---- latency histograms ------------------------------------------------- */

/*
 * Device histograms are log-linear in nanoseconds: values below
 * 2^SVMSIM_HIST_SUB_BITS have a bucket each; above, each power of two is
 * split into 2^SVMSIM_HIST_SUB_BITS equal buckets (relative width <= 6.25%).
 * Values of 2^SVMSIM_HIST_MAX_SHIFT ns (~68 s) or more land in the last
 * bucket.  svmsim_hist_lower() gives a bucket's lower bound.
 */
#define SVMSIM_HIST_SUB_BITS	4
#define SVMSIM_HIST_MAX_SHIFT	36
#define SVMSIM_HIST_NBUCKETS	\
	((SVMSIM_HIST_MAX_SHIFT - SVMSIM_HIST_SUB_BITS + 1) << SVMSIM_HIST_SUB_BITS)

/**
 * enum svmsim_hist_kind - which device histogram
 * @SVMSIM_HIST_EVENT: invalidation callback latency; index: enum svmsim_event.
 * @SVMSIM_HIST_SIZE: invalidation callback latency; index: enum
 *	svmsim_size_class.
 * @SVMSIM_HIST_FILL: page request (fill) latency; index 0.
 * @SVMSIM_HIST_QUEUE: queued flushes, post to completion; index 0.
 */
enum svmsim_hist_kind {
	SVMSIM_HIST_EVENT,
	SVMSIM_HIST_SIZE,
	SVMSIM_HIST_FILL,
	SVMSIM_HIST_QUEUE,
	SVMSIM_HIST_KIND_NR
};

/**
 * struct svmsim_hist - SVMSIM_IOC_HIST: read one device histogram
 * @kind: enum svmsim_hist_kind.
 * @index: see the kind.
 * @flags: must be zero.
 * @nbuckets: in: capacity of @buckets (0 for the summary only); out:
 *	SVMSIM_HIST_NBUCKETS.  At most that many are written.
 * @buckets: user pointer to __u64[@nbuckets], or 0.
 * @count: out: samples.
 * @sum_ns: out: their sum.
 * @min_ns: out: smallest (0 when empty).
 * @max_ns: out: largest.
 * @reserved: must be zero.
 *
 * Errors: EINVAL bad kind/index/flags/reserved; EFAULT bad @buckets.
 */
struct svmsim_hist {
	__u32 kind;
	__u32 index;
	__u32 flags;
	__u32 nbuckets;
	__u64 buckets;
	__u64 count;
	__u64 sum_ns;
	__u64 min_ns;
	__u64 max_ns;
	__u64 reserved[3];
};

/* Lower bound, in ns, of histogram bucket @i (for i < SVMSIM_HIST_NBUCKETS). */
static inline __u64 svmsim_hist_lower(__u32 i)
{
	__u32 sub = 1u << SVMSIM_HIST_SUB_BITS;

	if (i < sub)
		return i;
	return (__u64)(sub + (i & (sub - 1))) << ((i >> SVMSIM_HIST_SUB_BITS) - 1);
}

/* ---- device configuration ----------------------------------------------- */

/**
 * enum svmsim_repl - TLB replacement policy within a set
 * @SVMSIM_REPL_CLOCK: second chance on a referenced bit set by hits.
 * @SVMSIM_REPL_LRU: least recently used (a shared clock: costs a hit).
 * @SVMSIM_REPL_FIFO: oldest inserted.
 * @SVMSIM_REPL_RANDOM: uniformly random way.
 */
enum svmsim_repl {
	SVMSIM_REPL_CLOCK,
	SVMSIM_REPL_LRU,
	SVMSIM_REPL_FIFO,
	SVMSIM_REPL_RANDOM,
	SVMSIM_REPL_NR
};

/**
 * enum svmsim_flush_mode - where the device executes an invalidation
 * @SVMSIM_FLUSH_SYNC: in the notifier callback.
 * @SVMSIM_FLUSH_QUEUED: as descriptors on the device's invalidation queue,
 *	processed in batches after @dev_latency_ns; the callback posts a
 *	wait descriptor and waits for it, serving the device itself: its post
 *	starts the batch if the device is idle, and its wait completes it --
 *	spinning where it may not sleep, and also where it may but
 *	@dev_latency_ns is at most 20 us (shorter than a sleep and wake-up);
 *	else asleep until a wake-up (learnt from earlier sleeps) before the
 *	deadline, then spinning.  A device thread takes the batches no post
 *	could start (one in flight, a coalescing window).
 */
enum svmsim_flush_mode {
	SVMSIM_FLUSH_SYNC,
	SVMSIM_FLUSH_QUEUED,
	SVMSIM_FLUSH_MODE_NR
};

#define SVMSIM_MAX_SETS		(1u << 20)
#define SVMSIM_MAX_WAYS		64
#define SVMSIM_MAX_LATENCY_NS	10000000ull	/* 10 ms */
#define SVMSIM_MAX_QI_BATCH	4096
#define SVMSIM_MAX_QI_DEPTH	4096
#define SVMSIM_MAX_TAIL_MULT	1000
#define SVMSIM_MAX_TAIL_NS	100000000ull	/* 100 ms: a tail latency, a timeout */

/**
 * struct svmsim_config - SVMSIM_IOC_SET_CONFIG / SVMSIM_IOC_GET_CONFIG
 * @tlb_sets: number of sets (hash buckets), power of two, 1..SVMSIM_MAX_SETS.
 * @tlb_ways: entries per set, 1..SVMSIM_MAX_WAYS; 0 = unbounded (chained).
 * @tlb_policy: enum svmsim_repl.
 * @flush_mode: enum svmsim_flush_mode.
 * @flush_threshold: range flushes covering more than this many 4K pages
 *	flush the whole PASID instead (like a PASID-selective IOTLB flush);
 *	0 = never.
 * @qi_batch: queued mode: most descriptors handled per batch, 1..4096.
 * @dev_latency_ns: simulated invalidation completion latency of the device,
 *	per flush (sync) or per batch (queued); <= SVMSIM_MAX_LATENCY_NS.
 * @default_model: enum svmsim_model used by binds that ask for DEFAULT.
 * @default_fill: enum svmsim_fill used by binds that ask for DEFAULT.
 * @flags: SVMSIM_CONFIG_* (others must be zero):
 *	SVMSIM_CONFIG_PSI: page-selective flushes as Intel VT-d expresses
 *	them (an address and a size order): each range flush removes the
 *	smallest naturally aligned power-of-two block of pages that holds the
 *	range; the pages it adds are counted as collateral.  Applies at once.
 *	SVMSIM_CONFIG_PAGE_DESCS: page-selective flushes as an SMMUv3
 *	without range invalidation issues them -- one CMD_TLBI per page,
 *	then one CMD_SYNC for them all: a range flush of 2 or more pages is
 *	split into one-page descriptors that are posted together (one
 *	doorbell) and waited for once.  Queued mode: each descriptor counts
 *	in SVMSIM_STAT_QI_DESCS and takes one place of @qi_batch, so
 *	@qi_batch 1 waits for the pages one by one; at most
 *	SVMSIM_PAGE_DESCS_GROUP are posted per wait (a longer range posts
 *	and waits group by group).  Sync mode: the pages are removed one by
 *	one, then the one completion is waited for.  A range over
 *	@flush_threshold pages (when set), or over SVMSIM_PAGE_DESCS_MAX, is
 *	still one descriptor (PASID-wide over the threshold), and so is, in
 *	queued mode, one that would take more than SVMSIM_PAGE_DESCS_WAITS
 *	device waits (pages / @qi_batch: a callback that may not sleep spins
 *	through them all, and @dev_latency_ns times a tail may be 100 ms
 *	each).  Without memory
 *	for a group (the callback may not sleep), the range goes as one
 *	descriptor, counted in SVMSIM_STAT_QI_DESCS_NOMEM.  Excludes
 *	SVMSIM_CONFIG_PSI (EINVAL with both).  Applies at once.
 * @pad: must be zero.
 * @max_entries: most TLB entries of the device, <= SVMSIM_MAX_ENTRIES;
 *	0 = no bound.  A fill past it evicts one of its own PASID's entries
 *	(a PASID with none may still cache one).
 * @max_pasid_entries: most TLB entries of one PASID, <= SVMSIM_MAX_ENTRIES;
 *	0 = no bound.  A fill past it evicts that PASID's oldest entry.
 * @flush_budget: most pages a flush probes or entries it walks in the
 *	callback; a flush that would take more retires the PASID's whole
 *	TLB at once instead -- O(1) in the number of entries, like a
 *	PASID-selective invalidation -- and the device's reclaim worker
 *	releases the retired entries (and, with fill=ref, their pages) soon
 *	after, off the callback path.  0 = no budget (a flush may walk every
 *	entry of the PASID while the callback holds its locks).  Counted in
 *	SVMSIM_STAT_TLB_RETIRED / _UNCOUNTED / _STALE.
 * @pad2: must be zero.
 * @lat_tail_pct: device faults (all off at 0): the latency tail.  This
 *	percentage (0..100) of flushes (sync) or batches (queued) takes
 *	@dev_latency_ns * @lat_tail_mult instead, drawn from a per-device
 *	random stream; each is counted in SVMSIM_STAT_DEV_TAIL.
 * @lat_tail_mult: 1..SVMSIM_MAX_TAIL_MULT when @lat_tail_pct is set (0
 *	allowed otherwise); @dev_latency_ns * @lat_tail_mult must not exceed
 *	SVMSIM_MAX_TAIL_NS.
 * @qi_timeout_ns: queued mode: the driver's wait timeout per batch,
 *	<= SVMSIM_MAX_TAIL_NS; 0 = none (a late batch is waited for).  A batch
 *	whose completion has not come qi_timeout_ns after the device took it
 *	-- lost (@qi_lose_pct), or late (its latency, tail included, is
 *	longer) -- times out, as a VT-d invalidation time-out error does: the
 *	driver counts each of its descriptors in SVMSIM_STAT_QI_TIMEOUTS and
 *	recovers by resetting the descriptor's PASID in the device TLB itself
 *	-- every entry of that PASID removed at once, synchronously -- then
 *	retires the descriptor.  The callback still returns only after the
 *	entries are gone: a timeout costs the PASID its cached entries, never
 *	coherence.
 * @qi_depth: queued mode: most descriptors posted and not yet taken for
 *	completion, 1..SVMSIM_MAX_QI_DEPTH; 0 = unbounded.  A poster that
 *	finds the queue full counts it once in SVMSIM_STAT_QI_FULL and helps
 *	the device (starts and completes batches whose deadline passed) until
 *	there is room: it never waits for a task that may not run.
 * @qi_lose_pct: queued mode: this percentage (0..100) of batches never
 *	completes (SVMSIM_STAT_QI_LOST); needs @qi_timeout_ns (EINVAL
 *	without), which ends them as above.
 * @qi_coalesce_ns: queued mode: the coalescing window,
 *	<= SVMSIM_MAX_TAIL_NS; 0 = none.  The device starts a batch only
 *	once its oldest pending descriptor has waited this long, or as soon
 *	as @qi_batch descriptors are pending -- as a driver that gathers
 *	invalidations before it rings the doorbell, or a device that
 *	coalesces its completions, so that more descriptors share one wait.
 *	Every waiter's descriptor is then done within the window plus the
 *	batch's latency; a waiter that may not sleep still never depends on
 *	another task (it waits out the window and starts the batch itself).
 *
 * A sleeping wait (a blockable range start, queued mode, a latency over
 * 20 us) that a fatal
 * signal interrupts cannot give up: the device may still use the entries
 * until the flush completes.  It counts SVMSIM_STAT_QI_KILLED and spins,
 * helping the device, until its descriptor is done; then it returns.
 *
 * The TLB geometry (@tlb_sets, @tlb_ways, @tlb_policy) and @flush_mode can
 * change only while no mm is bound to the device (EBUSY otherwise); the
 * other fields apply at once.  SET_CONFIG needs CAP_SYS_ADMIN and an fd
 * opened for writing.  Errors: EINVAL a value out of range; EPERM no
 * CAP_SYS_ADMIN; EBADF a read-only fd.
 */
struct svmsim_config {
	__u32 tlb_sets;
	__u32 tlb_ways;
	__u32 tlb_policy;
	__u32 flush_mode;
	__u32 flush_threshold;
	__u32 qi_batch;
	__u64 dev_latency_ns;
	__u32 default_model;
	__u32 default_fill;
	__u32 flags;
	__u32 pad;
	__u32 max_entries;
	__u32 max_pasid_entries;
	__u32 flush_budget;
	__u32 pad2;
	__u32 lat_tail_pct;
	__u32 lat_tail_mult;
	__u64 qi_timeout_ns;
	__u32 qi_depth;
	__u32 qi_lose_pct;
	__u64 qi_coalesce_ns;
};

#define SVMSIM_MAX_ENTRIES	(1u << 24)	/* bound of max_entries, max_pasid_entries */

#define SVMSIM_CONFIG_PSI	(1u << 0) /* power-of-two page-selective flushes */
#define SVMSIM_CONFIG_PAGE_DESCS (1u << 1) /* one descriptor per page, one wait */
#define SVMSIM_CONFIG_FLAGS	(SVMSIM_CONFIG_PSI | SVMSIM_CONFIG_PAGE_DESCS)

/* SVMSIM_CONFIG_PAGE_DESCS: descriptors posted per wait, pages per range */
#define SVMSIM_PAGE_DESCS_GROUP	64	/* SMMUv3's command batch, CMDQ_BATCH_ENTRIES */
#define SVMSIM_PAGE_DESCS_MAX	512	/* SMMUv3's CMDQ_MAX_TLBI_OPS */
#define SVMSIM_PAGE_DESCS_WAITS	64	/* most device waits one range may take */

/* ---- device window zap --------------------------------------------------- */

#define SVMSIM_ZAP_SWAP		(1u << 0) /* move the window to new backing pages first */
#define SVMSIM_ZAP_FLAGS	(SVMSIM_ZAP_SWAP)

/**
 * struct svmsim_zap - SVMSIM_IOC_ZAP: zap the caller's device window
 * @addr: start, page aligned, inside the window mmap()ed from this fd.
 * @len: bytes, page multiple, > 0, within that mapping.
 * @flags: SVMSIM_ZAP_*.  With SWAP the window's contents are copied to a
 *	second set of device pages that back it from then on, so a device
 *	entry left stale by the zap reads old data.
 * @pad: must be zero.
 * @reserved: must be zero.
 *
 * Runs zap_vma_ptes() under mmap_read_lock (the CPU refaults the pages).
 * write(fd, addr, len) does the same without SWAP, as in the seed, and
 * returns len.  Errors: EINVAL not inside this fd's window, or unaligned;
 * ENOMEM (SWAP) the device's memory cannot hold the second set (the
 * first swap reserves the window's size again), or no memory for the
 * pages swapped (then nothing moved); write() also EFAULT for a
 * range the VFS refuses (addr + len above the user address space).
 */
struct svmsim_zap {
	__u64 addr;
	__u64 len;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/*
 * The device window: mmap(fd, len, MAP_SHARED, offset 0) maps device pages,
 * one mapping per fd at a time.  The first mmap sizes the fd's window and
 * reserves that much of the device's memory (module parameter
 * window_mem_mb, per device); each page is allocated when first touched,
 * charged to the toucher's memory cgroup, and kept with its contents until
 * close(), which gives the memory back (stat WINDOW_PAGES counts the pages
 * allocated).  Errors: EINVAL offset not 0, not MAP_SHARED, len 0, above
 * SVMSIM_WINDOW_MAX_PAGES pages or above the fd's first mapping; EBUSY the
 * window is mapped already; ENOMEM the device's memory cannot hold the
 * window, or no kernel memory; and mmap(2)'s own (EACCES: fd mode).  A
 * page whose first touch finds no kernel memory faults as the kernel does
 * when out of memory.
 */
#define SVMSIM_WINDOW_MAX_PAGES	4096	/* largest device window, pages */

/* ---- TLB probe ------------------------------------------------------------ */

#define SVMSIM_PERM_READ	(1u << 0)
#define SVMSIM_PERM_WRITE	(1u << 1)

/**
 * struct svmsim_probe - SVMSIM_IOC_PROBE: look @addr up in the TLB, no fill
 * @pasid: a PASID bound by the caller's mm through this fd.
 * @flags: must be zero.
 * @addr: device virtual address.
 * @pfn: out: the cached PFN of @addr's 4K page, when cached.
 * @page_shift: out: 12 or 21 for the entry found, 0 when not cached.
 * @perm: out: SVMSIM_PERM_* of the entry.
 * @reserved: must be zero.
 *
 * Errors: as DMA for @pasid; EINVAL bad flags/reserved.
 */
struct svmsim_probe {
	__u32 pasid;
	__u32 flags;
	__u64 addr;
	__u64 pfn;
	__u32 page_shift;
	__u32 perm;
	__u64 reserved[2];
};

/* ---- fault injection -------------------------------------------------------- */

/**
 * enum svmsim_bug - the catalogue of classic driver mistakes (drv/inject.c)
 *
 * Each is a mistake real invalidation code has made; the device makes it
 * when told to.  Values are ABI: new bugs are appended.  Where a bug
 * applies: "range" and "secondary" are models, "queued" a flush mode.
 *
 * @SVMSIM_BUG_NONE: behave correctly.
 * @SVMSIM_BUG_SKIP_INVALIDATE: ignore an invalidation callback: every
 *	@param-th one (0 or 1: all).  Both models.
 * @SVMSIM_BUG_NO_FILL_BLOCK: flush at invalidate_range_start but let fills
 *	proceed before the matching end (the PTE is not cleared yet, so a
 *	fill can cache the old page).  Range.
 * @SVMSIM_BUG_IGNORE_SEQ: insert fills without checking the invalidation
 *	sequence count (a fill that walked the old PTE is kept).  Both.
 * @SVMSIM_BUG_END_OFF_BY_ONE: the end taken one page short (an exclusive
 *	end converted twice): the last page of every range stays.  Both.
 * @SVMSIM_BUG_WRONG_PASID: flush another PASID's entries instead of the
 *	bond's (the device models it as flushing nothing of this bond).  Both.
 * @SVMSIM_BUG_NO_WAIT: return before the queued flush completes.  Queued.
 * @SVMSIM_BUG_SKIP_UNMAP: ignore invalidations of event
 *	MMU_NOTIFY_UNMAP (munmap, mremap).  Range: only its callbacks carry
 *	the event (the secondary callback has none); the same for the next
 *	five.
 * @SVMSIM_BUG_SKIP_CLEAR: ignore MMU_NOTIFY_CLEAR (MADV_DONTNEED, zap,
 *	COW, NUMA migration, reclaim, THP split).  Range.
 * @SVMSIM_BUG_SKIP_PROTECTION_VMA: ignore MMU_NOTIFY_PROTECTION_VMA
 *	(mprotect).  Range.
 * @SVMSIM_BUG_SKIP_PROTECTION_PAGE: ignore MMU_NOTIFY_PROTECTION_PAGE
 *	(fork write-protecting the parent's COW pages; page_mkclean).  Range.
 * @SVMSIM_BUG_SKIP_MIGRATE: ignore MMU_NOTIFY_MIGRATE.  Range.  Only
 *	migrate_vma() (device-private memory) sends it; NUMA migration and
 *	move_pages() send MMU_NOTIFY_CLEAR.
 * @SVMSIM_BUG_SKIP_SOFT_DIRTY: ignore MMU_NOTIFY_SOFT_DIRTY (writing 4 to
 *	/proc/PID/clear_refs).  Range.
 * @SVMSIM_BUG_SKIP_CHANGE_PTE: ignore ->change_pte (6.1 only: 6.10
 *	removed it; EOPNOTSUPP on newer kernels).  Secondary.
 * @SVMSIM_BUG_LATE_FLUSH: flush at invalidate_range_end instead of start
 *	(the device uses the old page while the kernel changes it).  Range.
 * @SVMSIM_BUG_START_OFF_BY_ONE: the start taken one page late (rounded up
 *	past an aligned start): the first page of every range stays.  Both.
 * @SVMSIM_BUG_END_OVERFLOW: the end rounded up to a page: end = ULONG_MAX
 *	(a whole-address-space flush) wraps to 0 and nothing is flushed (the
 *	intel_svm bug fixed by e7ad6c2a4b1a).  Both.
 * @SVMSIM_BUG_4K_LEAVES_2M: an invalidation of less than 2M looks up 4K
 *	entries only, leaving a 2M entry that covers the range.  Both.
 * @SVMSIM_BUG_SKIP_RELEASE: ->release does not stop the device: it keeps
 *	its translations of an mm whose page tables are being freed.  Both.
 * @SVMSIM_BUG_FULL_FORGETS_2M: the PASID-wide flush (a whole-address-space
 *	range, or one over the device's flush_threshold) drops 4K entries
 *	only.  Both.
 *
 * Bugs need the module parameter allow_inject=1 (EPERM otherwise) and a
 * SVMSIM_FILL_REF bond, or a sanitized one (EINVAL otherwise), so that a
 * stale entry either still holds its page or is stopped before it is
 * used.  A bug that does not apply to the bond's model or flush mode is
 * EINVAL.
 */
enum svmsim_bug {
	SVMSIM_BUG_NONE,
	SVMSIM_BUG_SKIP_INVALIDATE,
	SVMSIM_BUG_NO_FILL_BLOCK,
	SVMSIM_BUG_IGNORE_SEQ,
	SVMSIM_BUG_END_OFF_BY_ONE,
	SVMSIM_BUG_WRONG_PASID,
	SVMSIM_BUG_NO_WAIT,
	SVMSIM_BUG_SKIP_UNMAP,
	SVMSIM_BUG_SKIP_CLEAR,
	SVMSIM_BUG_SKIP_PROTECTION_VMA,
	SVMSIM_BUG_SKIP_PROTECTION_PAGE,
	SVMSIM_BUG_SKIP_MIGRATE,
	SVMSIM_BUG_SKIP_SOFT_DIRTY,
	SVMSIM_BUG_SKIP_CHANGE_PTE,
	SVMSIM_BUG_LATE_FLUSH,
	SVMSIM_BUG_START_OFF_BY_ONE,
	SVMSIM_BUG_END_OVERFLOW,
	SVMSIM_BUG_4K_LEAVES_2M,
	SVMSIM_BUG_SKIP_RELEASE,
	SVMSIM_BUG_FULL_FORGETS_2M,
	SVMSIM_BUG_NR
};

#define SVMSIM_MAX_FILL_DELAY_US	1000000

/**
 * struct svmsim_inject - SVMSIM_IOC_INJECT
 * @pasid: a PASID bound by the caller's mm through this fd.
 * @bug: enum svmsim_bug.
 * @param: bug parameter (see the bug).
 * @fill_delay_us: sleep this long between the page walk and the TLB insert
 *	of every fill, to widen fill-vs-invalidate races in tests; not a bug,
 *	allowed without allow_inject.  <= SVMSIM_MAX_FILL_DELAY_US.
 * @reserved: must be zero.
 *
 * Errors: EPERM a bug without allow_inject=1, or @pasid bound by another
 * mm; EINVAL bad values, a bug on an unsanitized noref bond or a pinned
 * one, a bug for another model (see enum svmsim_bug), NO_WAIT on a sync
 * device, @pasid not bound through this fd; EOPNOTSUPP SKIP_CHANGE_PTE on
 * a kernel without ->change_pte; ESRCH
 * the bond is dead (its process exited -- released or reaped -- or it is
 * being unbound).
 */
struct svmsim_inject {
	__u32 pasid;
	__u32 bug;
	__u32 param;
	__u32 fill_delay_us;
	__u64 reserved[2];
};

/* ---- ioctl numbers ------------------------------------------------------ */

/* ---- the coherence sanitizer ------------------------------------------ */

/*
 * The sanitizer (bind flag SVMSIM_BIND_SANITIZE, or module parameter
 * sanitize=1 for every bond) checks every device access of a bond against
 * the process's page table at the moment of use: the PFN the device is
 * about to use must be the one the CPU maps now, with the permissions the
 * access needs (a writable entry also needs a writable PTE).  The CPU's
 * page is looked up as GUP-fast does, and held while the device touches
 * it, so a freed or reused page is never read or written.  A difference
 * while an invalidation is in progress -- for the secondary model a
 * bracket begun or a flush pending, for the range model its start's flush
 * running -- is the kernel's own order of events: the access looks up
 * again.  Any other difference is a stale translation: the access stops
 * (DMA fails with EIO), SAN_STALE counts it, the tracepoint
 * svmsim_san_stale fires, and the device keeps a report (the newest
 * SVMSIM_SAN_REPORTS of them).  The range model is judged even inside a
 * bracket: its contract is that the entries are gone once the start's
 * flush returned.  Device-window (PFN-map) and pinned-model pages are not
 * checked (SAN_UNCHECKED).  With the sanitizer on, injected bugs also
 * work with SVMSIM_FILL_NOREF, the faithful mode (no page held).
 */
#define SVMSIM_SAN_REPORTS	64	/* reports a device keeps */
#define SVMSIM_SAN_INVALS	4	/* invalidations a report recalls */
#define SVMSIM_SAN_FILLS	64	/* fills a sanitized bond remembers */

/**
 * struct svmsim_san_inval - an invalidation a report recalls
 * @start: first address.
 * @last: last address, inclusive.
 * @ns: when it began (ktime_get_ns()).
 * @event: enum svmsim_event.
 * @flushed: 1 if the driver flushed, 0 if it skipped (an injected bug).
 */
struct svmsim_san_inval {
	__u64 start;
	__u64 last;
	__u64 ns;
	__u32 event;
	__u32 flushed;
};

/**
 * struct svmsim_san_report - one stale translation the sanitizer stopped
 * @seq: its number on the device, from 1.
 * @ns: when (ktime_get_ns()).
 * @pasid: the bond's PASID.
 * @write: 1 for a writing access.
 * @addr: the device address.
 * @cached_pfn: the PFN the entry held.
 * @current_pfn: the PFN the CPU maps now; 0 if nothing usable (unmapped,
 *	or not writable for a writable entry: see @current_perm).
 * @cached_perm: SVMSIM_PERM_* of the entry.
 * @current_perm: SVMSIM_PERM_* of the CPU's mapping now (0: none).
 * @page_shift: the entry's page size (12 or 21).
 * @ninvals: valid entries of @invals.
 * @invals: the newest invalidations of the bond that covered @addr,
 *	newest first (at most SVMSIM_SAN_INVALS, of the bond's last 16).
 * @fill_ns: when the entry was filled (ktime_get_ns()); 0 if it is older
 *	than the bond's last SVMSIM_SAN_FILLS fills.
 * @fill_tid: the thread whose device access missed and filled it.
 * @fill_write: 1 if that access was a write.
 */
struct svmsim_san_report {
	__u64 seq;
	__u64 ns;
	__u32 pasid;
	__u32 write;
	__u64 addr;
	__u64 cached_pfn;
	__u64 current_pfn;
	__u32 cached_perm;
	__u32 current_perm;
	__u32 page_shift;
	__u32 ninvals;
	struct svmsim_san_inval invals[SVMSIM_SAN_INVALS];
	__u64 fill_ns;
	__u32 fill_tid;
	__u32 fill_write;
};

#define SVMSIM_SAN_CLEAR	(1u << 0) /* forget the reports after reading them */

/**
 * struct svmsim_san_reports - SVMSIM_IOC_SAN_REPORTS: the device's reports
 * @flags: in: SVMSIM_SAN_CLEAR (needs CAP_SYS_ADMIN, EPERM otherwise).
 * @max: in: room at @reports, in reports (0: only count).
 * @reports: in: user pointer to @max struct svmsim_san_report, oldest
 *	first.
 * @total: out: reports ever made on the device.
 * @n: out: reports written.
 * @reserved: must be zero.
 *
 * Any fd may read them.  Errors: EINVAL bad flags or reserved; EFAULT.
 */
struct svmsim_san_reports {
	__u32 flags;
	__u32 max;
	__u64 reports;
	__u64 total;
	__u32 n;
	__u32 pad;
	__u64 reserved[2];
};

#define SVMSIM_IOC_VERSION	_IOR(SVMSIM_IOC_MAGIC, 0x00, struct svmsim_version)
#define SVMSIM_IOC_BIND		_IOWR(SVMSIM_IOC_MAGIC, 0x01, struct svmsim_bind)
#define SVMSIM_IOC_UNBIND	_IOW(SVMSIM_IOC_MAGIC, 0x02, struct svmsim_unbind)
#define SVMSIM_IOC_DMA		_IOWR(SVMSIM_IOC_MAGIC, 0x03, struct svmsim_dma)
#define SVMSIM_IOC_STATS	_IOWR(SVMSIM_IOC_MAGIC, 0x04, struct svmsim_stats)
#define SVMSIM_IOC_HIST		_IOWR(SVMSIM_IOC_MAGIC, 0x05, struct svmsim_hist)
#define SVMSIM_IOC_SET_CONFIG	_IOW(SVMSIM_IOC_MAGIC, 0x06, struct svmsim_config)
#define SVMSIM_IOC_GET_CONFIG	_IOR(SVMSIM_IOC_MAGIC, 0x07, struct svmsim_config)
#define SVMSIM_IOC_ZAP		_IOW(SVMSIM_IOC_MAGIC, 0x08, struct svmsim_zap)
#define SVMSIM_IOC_PROBE	_IOWR(SVMSIM_IOC_MAGIC, 0x09, struct svmsim_probe)
#define SVMSIM_IOC_INJECT	_IOW(SVMSIM_IOC_MAGIC, 0x0a, struct svmsim_inject)
#define SVMSIM_IOC_SAN_REPORTS	_IOWR(SVMSIM_IOC_MAGIC, 0x0b, struct svmsim_san_reports)

#endif /* _UAPI_SVMSIM_H */
