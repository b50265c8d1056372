/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmsim: internal objects of the emulated SVM device.
 *
 *   svmsim_dev   one per /dev/svmsimN: configuration, software IOTLB,
 *                invalidation queue, counters and histograms.
 *   svmsim_mm    one per bound mm: its PASID (shared by all devices).
 *   svmsim_bond  one per (device, mm): the mmu_notifier(s), the PASID's
 *                space in the device TLB, fill wait queue, injected bugs.
 *   svmsim_file  one per open(): the bonds made through it, the records of
 *                reaped ones, the window.
 *
 * Lifetimes.  A bond is referenced (kref) by the file that made it, by
 * each mmu_notifier registered for it (dropped in ->free_notifier, after
 * SRCU), by each queued invalidation descriptor and by each ioctl using
 * it.  Unbind (or close, or nothing for an exited mm until then) kills its
 * TLB space -- every entry flushed and drained, no more fills -- and puts
 * the notifiers; the memory goes when the last reference does.  The bond
 * holds mmgrab() on its mm for that whole time and mmget_not_zero()s it
 * around every page walk, so the device never keeps an address space
 * alive.  A device lives until module exit, which waits for every bond.
 * When the mm exits (->release), the bond is reaped off the exit path
 * (reap.c): torn down as by an unbind -- PASID given back, memory freed --
 * and replaced on its file by a record of its final counters.  Each bond
 * holds a reference on its svmsim_file for the reap to find it; the file's
 * memory goes with its last reference, after close().
 *
 * Locks, outermost first.  A path may take a lock only while holding
 * none listed below it.  "kernel" marks the kernel's own locks, which the
 * kernel holds around our callbacks.
 *   svmsim_mm_lock (mutex, pasid.c)    the mm list and the PASID IDA; taken
 *                                      with no other lock held.
 *   mmap_lock (kernel rwsem)           held by the kernel around ->mmap(),
 *                                      window faults and VMA open/close;
 *                                      taken by us for mmu_notifier_register()
 *                                      (write), page walks and pins (read),
 *                                      and zaps (read).  So nothing below --
 *                                      f->lock included -- may be held while
 *                                      taking it: bind registers and pins
 *                                      without f->lock.  With SVMSIM_BIND_PID
 *                                      it is the bound mm's, not the caller's:
 *                                      the same rank (the caller holds its own
 *                                      mm's lock in no ioctl).  Bind by pid
 *                                      takes task_lock (get_task_mm) and RCU
 *                                      with nothing of ours held, and drops
 *                                      the target's mm_users last, lock-free:
 *                                      that mmput() may run ->release.
 *   svmsim_file.lock (mutex)           the file's bonds and records lists
 *                                      and window; held only for list and
 *                                      pointer updates, and record copies.
 *   svmsim_dev.lock (mutex)            the device's bonds list, nbonds,
 *                                      configuration writes, TLB rebuild.
 *   svmsim_window.lock (mutex)         window backing vs faults and zaps.
 *   page-table lock (kernel spinlock)  held around the secondary callback
 *                                      (->invalidate_range on 6.1, and
 *                                      ->arch_invalidate_secondary_tlbs)
 *                                      and ->change_pte: nothing that sleeps
 *                                      from there on.
 *   svmsim_fanout.lock (callback)      a fan-out's members and brackets
 *                                      (fanout.c); begins its members'
 *                                      invalidations under it.
 *   TLB space and set locks (callback) see include/svmsim/tlb.h; a release
 *                                      (put_page, unpin) may run under them.
 *                                      Also taken by the reclaim worker
 *                                      (bond.c, svmsim_wq) and by unbind, a
 *                                      batch of retired entries at a time,
 *                                      with nothing else held.
 *   svmsim_observer.lock (callback)    the ranges a bond saw start; also
 *                                      read by the sanitizer (sanitize.c)
 *                                      under an entry hold.
 *   svmsim_bond_san.lock (callback)    a bond's recent invalidations and fills.
 *   svmsim_invq.lock (callback)        the invalidation queue and the
 *                                      device's random stream (sync-mode
 *                                      flushes draw their tail under it).
 *   svmsim_dev.san_lock                the sanitizer's reports; innermost.
 * Notifier SRCU (kernel): every callback runs in an SRCU read section of
 * the mm's notifiers.  Nothing here waits for it (mmu_notifier_put() frees
 * through call_srcu()) except mmu_notifier_synchronize(), called with no
 * lock held (config quiesce drops dev->lock first; module exit).
 * No mutex is taken from a notifier callback: only the spinlocks marked
 * "callback".
 * Configuration fields are read without a lock (READ_ONCE): a change
 * applies to the next operation.
 */
#ifndef _SVMSIM_H
#define _SVMSIM_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "svmsim/tlb.h"
#include "uapi/svmsim.h"

#define SVMSIM_MAX_DEVICES	16
#define SVMSIM_MAX_PASID	((1u << 20) - 1)
#define SVMSIM_FILL_TIMEOUT_MS	10000	/* page request refused that long: EAGAIN */
#define SVMSIM_ACCESS_RETRIES	64	/* fills per page access before EAGAIN */
#define SVMSIM_OBS_SLOTS	16	/* start/end brackets a bond tracks */

/* ---- counters and histograms (stats.c) ---- */

/*
 * Counters of a device or bond, per CPU: callbacks on different CPUs never
 * share a cache line for them.  A read sums the CPUs.
 */
struct svmsim_pcpu_counters {
	u64 c[SVMSIM_STAT_NR];
	u64 ev_calls[SVMSIM_EV_NR];
	u64 ev_entries[SVMSIM_EV_NR];
	u64 ev_collateral[SVMSIM_EV_NR];
};

struct svmsim_counters {
	struct svmsim_pcpu_counters __percpu *pcpu;
};

/*
 * A latency histogram: shared buckets (the count is their sum), the sum,
 * and min (stored plus one, 0 = empty) and max, which are rarely written.
 */
struct svmsim_lathist {
	atomic64_t sum;
	atomic64_t min;
	atomic64_t max;
	atomic64_t b[SVMSIM_HIST_NBUCKETS];
};

struct svmsim_hists {
	struct svmsim_lathist ev[SVMSIM_EV_NR];
	struct svmsim_lathist sz[SVMSIM_SZ_NR];
	struct svmsim_lathist fill;
	struct svmsim_lathist queue;
};

/* ---- the invalidation queue (invq.c) ---- */

/**
 * struct svmsim_invq - a device's invalidation queue (queued flush mode)
 * @lock: guards the lists, @deadline, @claimed, @nposted, @npending,
 *	@timed_out and @rng (callback context).
 * @pending: posted descriptors, oldest first.
 * @inflight: the batch the device is working on.
 * @deadline: ktime_get_ns() at which @inflight is done (simulated latency),
 *	or, if @timed_out, at which the driver's timeout ends it.
 * @claimed: descriptors taken off @inflight whose flush is running now,
 *	each by a task with preemption disabled; the batch is over when
 *	@inflight is empty and @claimed is 0.
 * @nposted: descriptors on @pending and @inflight (cfg.qi_depth bounds it).
 * @npending: descriptors on @pending (a full batch ends the coalescing
 *	window, cfg.qi_coalesce_ns; read locklessly by the waiting thread).
 * @timed_out: the batch in flight will not complete by the device (lost,
 *	or later than cfg.qi_timeout_ns): at @deadline the driver recovers.
 * @rng: the device's random stream (xorshift64*, include/svmsim/rng.h)
 *	for the latency tail and lost completions.
 * @wake_ns: what a sleep costs past its end (the wake-up), a running
 *	estimate that sleepers keep (no lock: a lost update only blurs it);
 *	a sleeper sets its alarm that much before the deadline (invq.c).
 * @thread: the device's queue thread.
 * @kick: wakes @thread.
 * @done: wakes sleeping waiters.
 */
struct svmsim_invq {
	spinlock_t lock;
	struct list_head pending;
	struct list_head inflight;
	u64 deadline;
	unsigned int claimed;
	unsigned int nposted;
	unsigned int npending;
	bool timed_out;
	u64 rng;
	u64 wake_ns;
	struct task_struct *thread;
	wait_queue_head_t kick;
	wait_queue_head_t done;
};

struct svmsim_bond;

/**
 * struct svmsim_inv_desc - one invalidation descriptor plus its wait
 * @link: in svmsim_invq.pending.
 * @bond: the bond to flush.
 * @req: the flush.  A waiting poster's @req.changed points at its own
 *	array; an owned descriptor's at @changed.
 * @res: out: what the flush removed.
 * @posted_ns: when it was queued.
 * @done: set (release) by the processor when @res is valid; the poster's
 *	stack descriptor may be gone right after.
 * @owned: the poster did not wait (injected bug NO_WAIT): the descriptor
 *	is the first member of a struct svmsim_owned_desc, which the
 *	processor frees after dropping the bond reference it holds.  Any
 *	other's poster serves the device in its wait (invq.c): its post may
 *	have started the batch without waking the queue thread.
 */
struct svmsim_inv_desc {
	struct list_head link;
	struct svmsim_bond *bond;
	struct svm_tlb_flush_req req;
	struct svm_tlb_flush_res res;
	u64 posted_ns;
	int done;
	bool owned;
};

/* An owned descriptor and its copy of the changed ranges (inject.c). */
struct svmsim_owned_desc {
	struct svmsim_inv_desc d;	/* first: freed through &d */
	struct svm_tlb_range changed[];
};

/**
 * struct svmsim_flush_op - one device's part of one invalidation
 * @b: the bond (device, PASID) to flush.
 * @exact: the range that changed, when a PSI block widened the request.
 * @start: first address flushed (for the statistics).
 * @last: last address flushed, inclusive.
 * @due_ns: sync mode: ktime_get_ns() when the device's completion is due.
 * @queued: @d was posted to the device's queue: wait for it.
 * @d: the flush request, its result, and (queued mode) its descriptor.
 * @pages: SVMSIM_CONFIG_PAGE_DESCS, queued: the group of one-page
 *	descriptors posted (@d.req their template, @d.res their sum), or
 *	NULL: @d is the one descriptor.
 * @next: ...the first page not posted yet;
 * @left: ...the number of pages not posted yet;
 * @ngroup: ...the number of descriptors of @pages posted.
 *
 * Lives from svmsim_flush_post() to svmsim_flush_wait(), in the caller's
 * frame or in a fan-out's array (fanout.c).
 */
struct svmsim_flush_op {
	struct svmsim_bond *b;
	struct svm_tlb_range exact;
	unsigned long start;
	unsigned long last;
	u64 due_ns;
	bool queued;
	struct svmsim_inv_desc d;
	struct svmsim_inv_desc *pages;
	unsigned long next;
	unsigned long left;
	unsigned int ngroup;
};

/**
 * struct svmsim_cb - one bond's part of one notifier callback
 * @start: the callback's first address.
 * @last: its last address, inclusive.
 * @fstart: what the driver flushed of it (an injected bug may change it)...
 * @flast: ...to here, inclusive.
 * @event: enum svmsim_event.
 * @flushed: the driver flushed at all (an injected bug may skip).
 * @op: the device's flush.
 */
struct svmsim_cb {
	unsigned long start;
	unsigned long last;
	unsigned long fstart;
	unsigned long flast;
	unsigned int event;
	bool flushed;
	struct svmsim_flush_op op;
};

/* ---- device ---- */

/**
 * struct svmsim_dev - one emulated device
 * @misc: /dev/svmsimN.
 * @name: "svmsimN".
 * @index: N.
 * @lock: guards @bonds, @nbonds, writes of @cfg, and rebuilding @tlb.
 * @cfg: the configuration (SVMSIM_IOC_SET_CONFIG).
 * @tlb: the software IOTLB.
 * @bonds: bonds alive (not unbound).
 * @nbonds: bonds not yet freed; the TLB is rebuilt only at 0.
 * @idle: woken when @nbonds drops to 0.
 * @stats: device counters (the TLB keeps its own, in @tlb).
 * @hists: latency histograms.
 * @invq: the invalidation queue.
 * @window_reserved: pages of device memory the windows reserved (window.c).
 * @san_lock: guards the sanitizer's reports (sanitize.c); taken last.
 * @san_total: reports ever made.
 * @san_kept: reports readable (since the last clear, at most the ring).
 * @san_ring: the newest reports, report N at N % SVMSIM_SAN_REPORTS.
 * @dbg: debugfs file svmsim/svmsimN.
 * @san_dbg: debugfs file svmsim/svmsimN-san (the sanitizer's reports).
 */
struct svmsim_dev {
	struct miscdevice misc;
	char name[16];
	u32 index;
	struct mutex lock;
	struct svmsim_config cfg;
	struct svm_tlb tlb;
	struct list_head bonds;
	unsigned int nbonds;
	wait_queue_head_t idle;
	struct svmsim_counters stats;
	struct svmsim_hists *hists;
	struct svmsim_invq invq;
	atomic_long_t window_reserved;
	spinlock_t san_lock;
	u64 san_total;
	u32 san_kept;
	struct svmsim_san_report san_ring[SVMSIM_SAN_REPORTS];
	struct dentry *dbg;
	struct dentry *san_dbg;
};

/* ---- per mm: the PASID (pasid.c) ---- */

struct svmsim_mm {
	struct mm_struct *mm;
	u32 pasid;
	unsigned int users;
	struct list_head link;
};

/* ---- per bond ---- */

/**
 * struct svmsim_obs_range - one start/end bracket seen by the observer
 * @key: the mmu_notifier_range pointer (start and end pass the same one).
 * @r: its range, inclusive.
 * @event: its svmsim_event.
 * @active: between start and end; closed ones stay until a flush used them.
 */
struct svmsim_obs_range {
	const void *key;
	struct svm_tlb_range r;
	u8 event;
	bool active;
};

/**
 * struct svmsim_observer - what changed, for the secondary model
 * @lock: guards the rest (callback context; never taken from an interrupt,
 *	so no irqsave: re-enabling interrupts is costly in a hot callback).
 * @slots: brackets in progress, or ended since the last secondary flush.
 * @n: slots in use.
 *
 * The secondary callback gets no event and, on 6.12, often 0..ULONG_MAX.
 * A second notifier with start/end (one ops table may not have both on
 * 6.6+) records the ranges that really change, so a flush can count the
 * entries it removed outside them (collateral) and name its event.
 */
struct svmsim_observer {
	spinlock_t lock;
	struct svmsim_obs_range slots[SVMSIM_OBS_SLOTS];
	unsigned int n;
};

/**
 * struct svmsim_inject_state - injected bugs of a bond (SVMSIM_IOC_INJECT)
 * @bug: enum svmsim_bug.
 * @param: its parameter.
 * @fill_delay_us: sleep between the page walk and the insert.
 * @calls: invalidation callbacks seen, for SKIP_INVALIDATE.
 *
 * Read only through the hooks of inject.c.
 */
struct svmsim_inject_state {
	u32 bug;
	u32 param;
	u32 fill_delay_us;
	atomic_t calls;
};

/* ---- the sanitizer, per bond (sanitize.c) ---- */

#define SVMSIM_SAN_HIST		16	/* invalidations a bond remembers */
/* svm_tlb_entry flags (svm_tlb_entry_flags()): */
#define SVMSIM_ENTRY_PFNMAP	(1u << 0)	/* a PFN-map page */
#define SVMSIM_ENTRY_REF	(1u << 1)	/* holds a reference on its page (fill.c) */
#define SVMSIM_ENTRY_PIN	(1u << 2)	/* holds a FOLL_PIN pin on its page */

enum { SVMSIM_SAN_OK, SVMSIM_SAN_AGAIN, SVMSIM_SAN_STALE };

/* One fill of a sanitized bond: the entry it inserted, when, for whom. */
struct svmsim_san_fill {
	unsigned long vpn;
	unsigned long pfn;
	u64 ns;
	pid_t tid;
	u8 shift;
	bool write;
};

/* One invalidation callback: its range, and what it flushed of it. */
struct svmsim_san_inv {
	unsigned long start;
	unsigned long last;
	unsigned long fstart;
	unsigned long flast;
	u64 ns;
	u32 event;
};

/**
 * struct svmsim_bond_san - the sanitizer's state of a bond
 * @on: accesses are checked (decided at bind).
 * @flushing: invalidation callbacks between their start and their end.
 * @lock: guards @hist, @next, @fills and @fnext (callback context).
 * @next: slot of the next @hist record.
 * @hist: the newest invalidations, for reports.
 * @fnext: slot of the next @fills record.
 * @fills: the newest SVMSIM_SAN_FILLS fills, for reports (allocated at
 *	bind when @on; NULL if that failed: reports then lack them).
 */
struct svmsim_bond_san {
	bool on;
	atomic_t flushing;
	spinlock_t lock;
	unsigned int next;
	struct svmsim_san_inv hist[SVMSIM_SAN_HIST];
	unsigned int fnext;
	struct svmsim_san_fill *fills;
};

/**
 * struct svmsim_bond - a (device, mm) binding
 * @ref: see "Lifetimes" above.
 * @dev: the device.
 * @smm: the mm's PASID holder; released at unbind.
 * @mm: the mm, mmgrab()ed until the bond is freed.
 * @owner: the binder's mm, the only one that may act on the bond (DMA,
 *	PROBE, INJECT, UNBIND): @mm, or with SVMSIM_BIND_PID the tracer's.
 *	Compared only; mmgrab()ed so that it is not reused meanwhile.
 * @pasid: the PASID.
 * @model: enum svmsim_model (never DEFAULT).
 * @fill: enum svmsim_fill (never DEFAULT).
 * @flags: SVMSIM_BIND_*.
 * @dead: released (mm exit) or unbound: DMA fails with ESRCH.
 * @dev_link: in svmsim_dev.bonds.
 * @file_link: in svmsim_file.bonds.
 * @mn: the model's notifier (secondary or range ops), if registered.
 * @fan: the mm's fan-out notifier it joined (SVMSIM_BIND_FANOUT), or NULL.
 * @obs: the secondary model's range observer, if registered.
 * @space: the PASID's entries in the device TLB.
 * @fill_wq: fills waiting for an invalidation in progress (range model).
 * @observer: see struct svmsim_observer.
 * @inj: injected bugs.
 * @stats: counters of this bond (the TLB ones live in @space).
 * @free_work: the final free, in process context (svmsim_wq).
 * @reclaim_work: releases the entries a flush retired (svmsim_wq); holds
 *	a reference while queued or running.
 * @reclaim_pending: bit 0: @reclaim_work is queued or running.
 * @san: the coherence sanitizer's state.
 * @file: the file it was bound through (referenced), for the reap.
 * @reap_work: reaps the bond after its mm exited (svmsim_wq); holds a
 *	reference while queued or running.
 */
struct svmsim_bond {
	struct kref ref;
	struct svmsim_dev *dev;
	struct svmsim_mm *smm;
	struct mm_struct *mm;
	struct mm_struct *owner;
	u32 pasid;
	u32 model;
	u32 fill;
	u32 flags;
	bool dead;
	struct list_head dev_link;
	struct list_head file_link;
	struct mmu_notifier mn;
	struct svmsim_fanout *fan;
	struct mmu_notifier obs;
	struct svm_tlb_space space;
	wait_queue_head_t fill_wq;
	struct svmsim_observer observer;
	struct svmsim_inject_state inj;
	struct svmsim_counters stats;
	struct work_struct free_work;
	struct work_struct reclaim_work;
	unsigned long reclaim_pending;
	struct svmsim_bond_san san;
	struct svmsim_file *file;
	struct work_struct reap_work;
};

/**
 * struct svmsim_fanout - the two-pass notifier of one (mm, model)
 * @mn: registered once per mm and model (mmu_notifier_get()); each member
 *	holds one of its users.
 * @lock: guards @members, @in_progress, @inv_start and @inv_last
 *	(callback context).  Order: after the kernel's page-table lock,
 *	before the TLB space locks (it begins members' invalidations).
 * @members: the bonds that joined, at their device's index; read without
 *	@lock inside the notifier's SRCU section, which a leaving member
 *	waits out (mmu_notifier_synchronize()) before it may be freed.
 * @nmembers: bonds in @members.
 * @in_progress: range model: range starts not yet ended.
 * @inv_start: their union's first address...
 * @inv_last: ...and last (inclusive); a member that joins while
 *	@in_progress begins that many invalidations of it, so every end it
 *	gets has its start.
 */
struct svmsim_fanout {
	struct mmu_notifier mn;
	spinlock_t lock;
	struct svmsim_bond *members[SVMSIM_MAX_DEVICES];
	unsigned int nmembers;
	unsigned int in_progress;
	unsigned long inv_start;
	unsigned long inv_last;
};

struct svmsim_window;

/**
 * struct svmsim_record - what is left on a file of a reaped bond
 * @link: in svmsim_file.records, oldest first.
 * @pasid: the PASID the bond had (free again, maybe reused).
 * @bond: the bond while it is being torn down (referenced; STATS reads it
 *	live), then NULL and @st holds its final counters.
 * @st: the counters (SVMSIM_IOC_STATS' answer for the PASID).
 */
struct svmsim_record {
	struct list_head link;
	u32 pasid;
	struct svmsim_bond *bond;
	struct svmsim_stats st;
};

/**
 * struct svmsim_file - one open() of a device
 * @ref: held by the open file and by each bond made through it.
 * @dev: the device.
 * @lock: guards @bonds, @records, @nrecords and @window; taken under
 *	mmap_lock by ->mmap(), so never held while taking mmap_lock (see
 *	"Locks" above).
 * @bonds: bonds made through this file, not reaped.
 * @records: records of reaped bonds.
 * @nrecords: their number (at most SVMSIM_MAX_RECORDS, the UAPI's).
 * @window: the device window, once mmap()ed.
 */
struct svmsim_file {
	struct kref ref;
	struct svmsim_dev *dev;
	struct mutex lock;
	struct list_head bonds;
	struct list_head records;
	unsigned int nrecords;
	struct svmsim_window *window;
};

/* alloc.c: live object counts and failure injection */
enum svmsim_obj {
	SVMSIM_OBJ_FILE,
	SVMSIM_OBJ_BOND,
	SVMSIM_OBJ_MM,
	SVMSIM_OBJ_ENTRY,
	SVMSIM_OBJ_WINDOW,
	SVMSIM_OBJ_PAGE,
	SVMSIM_OBJ_DESC,
	SVMSIM_OBJ_PCPU,
	SVMSIM_OBJ_RECORD,
	SVMSIM_OBJ_FANOUT,
	SVMSIM_OBJ_PAGE_DESCS,
	SVMSIM_OBJ_NR
};

bool svmsim_alloc_fails(void);
void svmsim_obj_add(enum svmsim_obj obj, long n);
void svmsim_alloc_debugfs(struct dentry *root);

/* main.c */
extern bool svmsim_allow_inject;
extern unsigned int svmsim_release_delay_us;
extern struct workqueue_struct *svmsim_wq;
void svmsim_debug_release_delay(void);

/* pasid.c */
struct svmsim_mm *svmsim_mm_get(struct mm_struct *mm);
void svmsim_mm_put(struct svmsim_mm *smm);

/* bond.c */
long svmsim_ioctl_bind(struct svmsim_file *f, void __user *arg);
long svmsim_ioctl_unbind(struct svmsim_file *f, void __user *arg);
struct svmsim_bond *svmsim_bond_lookup(struct svmsim_file *f, u32 pasid);
struct svmsim_bond *svmsim_file_bond_get(struct svmsim_file *f, u32 pasid);
void svmsim_bond_put(struct svmsim_bond *b);
void svmsim_file_unbind_all(struct svmsim_file *f);
void svmsim_bond_kill(struct svmsim_bond *b, unsigned int event);
void svmsim_bond_teardown(struct svmsim_bond *b);
void svmsim_space_flush(struct svmsim_bond *b, const struct svm_tlb_flush_req *req,
			struct svm_tlb_flush_res *res);

/* inject.c: the catalogue of driver bugs, and its hooks */
long svmsim_ioctl_inject(struct svmsim_file *f, void __user *arg);
bool __svmsim_inj_range(struct svmsim_bond *b, unsigned int event,
			unsigned long *start, unsigned long *last);
bool __svmsim_inj_late_flush(struct svmsim_bond *b, bool start);
unsigned int __svmsim_inj_flush_flags(struct svmsim_bond *b);
bool svmsim_inj_nowait(struct svmsim_bond *b, const struct svm_tlb_flush_req *req);
unsigned int svmsim_inj_fill_flags(struct svmsim_bond *b);
void svmsim_inj_filled(struct svmsim_bond *b);
bool svmsim_inj_skip_release(struct svmsim_bond *b);

/* sanitize.c */
void svmsim_san_released(struct svmsim_bond *b);
void __svmsim_san_flush_begin(struct svmsim_bond *b);
void __svmsim_san_flush_end(struct svmsim_bond *b, unsigned long start, unsigned long last,
			    unsigned int event, unsigned long fstart, unsigned long flast);
void svmsim_san_filled(struct svmsim_bond *b, unsigned long va, unsigned long pfn,
		       unsigned int shift, bool write);
void svmsim_san_free(struct svmsim_bond *b);
void svmsim_san_bind(struct svmsim_bond *b, u32 flags);
int svmsim_san_check(struct svmsim_bond *b, struct svm_tlb_entry *e, unsigned long va,
		     size_t n, bool write, struct page **page);
long svmsim_ioctl_san_reports(struct svmsim_file *f, void __user *arg);
struct dentry *svmsim_san_debugfs(struct svmsim_dev *dev, struct dentry *root);

/* reap.c */
void svmsim_bond_reap_kick(struct svmsim_bond *b);
struct svmsim_record *svmsim_file_record(struct svmsim_file *f, u32 pasid);
int svmsim_file_stats(struct svmsim_file *f, u32 pasid, bool reset,
		      struct svmsim_stats *st);
bool svmsim_record_drop(struct svmsim_file *f, u32 pasid);
void svmsim_file_put(struct svmsim_file *f);
void svmsim_file_drop_records(struct svmsim_file *f);
void svmsim_bond_reap_init(struct svmsim_bond *b, struct svmsim_file *f);

/* notifier.c */
int svmsim_notifier_register(struct svmsim_bond *b);
void svmsim_notifier_unregister(struct svmsim_bond *b);
void svmsim_cb_post(struct svmsim_cb *cb, struct svmsim_bond *b, unsigned long start,
		    unsigned long last, const struct svm_tlb_range *changed,
		    unsigned int nchanged, unsigned int event, bool skip, bool may_sleep);
void svmsim_cb_wait(struct svmsim_cb *cb, bool may_sleep, u64 t0);
void svmsim_secondary_post(struct svmsim_bond *b, unsigned long start, unsigned long end,
			   struct svm_tlb_range *changed, struct svmsim_cb *cb);
void svmsim_change_pte_post(struct svmsim_bond *b, unsigned long address,
			    struct svmsim_cb *cb);
void svmsim_range_post(struct svmsim_bond *b, const struct mmu_notifier_range *range,
		       struct svmsim_cb *cb);
void svmsim_range_end_bond(struct svmsim_bond *b, const struct mmu_notifier_range *range);
void svmsim_bond_mm_release(struct svmsim_bond *b);

/* fanout.c */
int svmsim_fanout_join(struct svmsim_bond *b);
void svmsim_fanout_leave(struct svmsim_bond *b);

/* flush.c */
void svmsim_flush(struct svmsim_bond *b, unsigned long start, unsigned long last,
		  const struct svm_tlb_range *changed, unsigned int nchanged,
		  unsigned int event, bool may_sleep, u64 t0);
void svmsim_flush_post(struct svmsim_flush_op *op, unsigned long start, unsigned long last,
		       const struct svm_tlb_range *changed, unsigned int nchanged, bool may_sleep);
void svmsim_flush_wait(struct svmsim_flush_op *op, unsigned int event, bool may_sleep,
		       u64 t0);
void svmsim_delay_ns(u64 ns);

/* fill.c */
int svmsim_fill(struct svmsim_bond *b, unsigned long va, bool write);
int svmsim_pin_range(struct svmsim_bond *b, unsigned long start, unsigned long len);
extern const struct svm_tlb_ops svmsim_tlb_ops;

/* dma.c */
long svmsim_ioctl_dma(struct svmsim_file *f, void __user *arg);
long svmsim_ioctl_probe(struct svmsim_file *f, void __user *arg);

/* window.c */
int svmsim_window_mmap(struct svmsim_file *f, struct vm_area_struct *vma);
long svmsim_ioctl_zap(struct svmsim_file *f, void __user *arg);
ssize_t svmsim_window_write(struct svmsim_file *f, const char __user *buf,
			    size_t count);
void svmsim_window_free(struct svmsim_file *f);
bool svmsim_is_window(struct vm_area_struct *vma);

/* invq.c */
int svmsim_invq_start(struct svmsim_dev *dev);
void svmsim_invq_stop(struct svmsim_dev *dev);
void svmsim_invq_post(struct svmsim_dev *dev, struct svmsim_inv_desc *d, unsigned int n,
		      bool may_sleep);
u64 __svmsim_dev_latency(struct svmsim_dev *dev);
void svmsim_invq_wait(struct svmsim_dev *dev, struct svmsim_inv_desc *d,
		      bool may_sleep);

/* config.c */
long svmsim_ioctl_set_config(struct svmsim_file *f, void __user *arg);
long svmsim_ioctl_get_config(struct svmsim_file *f, void __user *arg);
int svmsim_config_defaults(struct svmsim_config *cfg);

/* stats.c */
void svmsim_stats_read(struct svmsim_dev *dev, struct svmsim_bond *b,
		       struct svmsim_stats *st);
void svmsim_stats_reset(struct svmsim_dev *dev, struct svmsim_bond *b);
void svmsim_stats_copy(struct svmsim_stats *dst, struct svmsim_stats *src,
		       bool reset);
int svmsim_counters_init(struct svmsim_counters *c);
void svmsim_counters_free(struct svmsim_counters *c);
void svmsim_record_flush(struct svmsim_bond *b, unsigned int event,
			 unsigned long start, unsigned long last,
			 const struct svm_tlb_flush_res *res, u64 ns);
void svmsim_hist_add(struct svmsim_lathist *h, u64 ns);
long svmsim_ioctl_stats(struct svmsim_file *f, void __user *arg);
long svmsim_ioctl_hist(struct svmsim_file *f, void __user *arg);
int svmsim_stats_init(struct svmsim_dev *dev);
void svmsim_stats_exit(struct svmsim_dev *dev);
void svmsim_hist_snapshot(struct svmsim_lathist *h, u64 *buckets, unsigned int n,
			  struct svmsim_hist *q);
/* debugfs.c */
void svmsim_debugfs_dev_add(struct svmsim_dev *dev);
void svmsim_debugfs_dev_remove(struct svmsim_dev *dev);
void svmsim_debugfs_init(void);
void svmsim_debugfs_exit(void);

/* Inclusive last address of the mm's exclusive end; ULONG_MAX stays. */
static inline unsigned long svmsim_last(unsigned long end)
{
	return end == ULONG_MAX ? ULONG_MAX : end - 1;
}

static inline bool svmsim_reserved_zero(const __u64 *r, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (r[i])
			return false;
	return true;
}

/*
 * ---- fast paths of the callbacks' hooks ----
 *
 * The invalidation callbacks call each hook below once or twice per bond.
 * The common case (no bug injected, no sanitizer, no latency tail) is
 * decided inline, without a call: under TCG every call and return is a
 * translated-block lookup (and a return thunk on these kernels), and a
 * range start made a dozen of them for nothing.
 */

/**
 * svmsim_count() - add to a counter of a bond and of its device
 * @b: the bond.
 * @idx: enum svmsim_stat, not one the TLB core keeps.
 * @n: amount (negative for gauges going down).
 */
static inline void svmsim_count(struct svmsim_bond *b, unsigned int idx, s64 n)
{
	this_cpu_add(b->stats.pcpu->c[idx], n);
	this_cpu_add(b->dev->stats.pcpu->c[idx], n);
}

/**
 * svmsim_dev_count() - add to a device counter
 * @dev: the device.
 * @idx: enum svmsim_stat.
 * @n: amount.
 */
static inline void svmsim_dev_count(struct svmsim_dev *dev, unsigned int idx, s64 n)
{
	this_cpu_add(dev->stats.pcpu->c[idx], n);
}

/* No bug injected in @b: every inject.c hook does nothing (one read). */
static inline bool svmsim_inj_none(struct svmsim_bond *b)
{
	return READ_ONCE(b->inj.bug) == SVMSIM_BUG_NONE;
}

/* See __svmsim_inj_range(). */
static inline bool svmsim_inj_range(struct svmsim_bond *b, unsigned int event,
				    unsigned long *start, unsigned long *last)
{
	return svmsim_inj_none(b) || __svmsim_inj_range(b, event, start, last);
}

/* See __svmsim_inj_late_flush(). */
static inline bool svmsim_inj_late_flush(struct svmsim_bond *b, bool start)
{
	return !svmsim_inj_none(b) && __svmsim_inj_late_flush(b, start);
}

/* See __svmsim_inj_flush_flags(). */
static inline unsigned int svmsim_inj_flush_flags(struct svmsim_bond *b)
{
	return svmsim_inj_none(b) ? 0 : __svmsim_inj_flush_flags(b);
}

/*
 * svmsim_inj_flushed() - count the 2M entries a flush bug left in place:
 * 4K_LEAVES_2M and FULL_FORGETS_2M act inside the TLB core, and changed
 * behaviour only if an entry the correct flush removes stayed.
 */
static inline void svmsim_inj_flushed(struct svmsim_bond *b,
				      const struct svm_tlb_flush_res *res)
{
	if (res->spared)
		svmsim_count(b, SVMSIM_STAT_INJECTED, res->spared);
}

/* See __svmsim_san_flush_begin(); nothing unless the bond is sanitized. */
static inline void svmsim_san_flush_begin(struct svmsim_bond *b)
{
	if (b->san.on)
		__svmsim_san_flush_begin(b);
}

/* See __svmsim_san_flush_end(). */
static inline void svmsim_san_flush_end(struct svmsim_bond *b, unsigned long start,
					unsigned long last, unsigned int event,
					unsigned long fstart, unsigned long flast)
{
	if (b->san.on)
		__svmsim_san_flush_end(b, start, last, event, fstart, flast);
}

/*
 * svmsim_dev_latency() - the latency of one sync-mode flush:
 * cfg.dev_latency_ns, or with a tail set, drawn (__svmsim_dev_latency()).
 */
static inline u64 svmsim_dev_latency(struct svmsim_dev *dev)
{
	if (!READ_ONCE(dev->cfg.lat_tail_pct))
		return READ_ONCE(dev->cfg.dev_latency_ns);
	return __svmsim_dev_latency(dev);
}

#endif /* _SVMSIM_H */
