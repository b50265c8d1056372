/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The software IOTLB of an svmsim device: (PASID, virtual page, page size)
 * -> (PFN, permission), compiled into the module and, over liburcu, into
 * user-space tests (include/svmsim/user_shim.h).  Code: drv/tlb.c.
 *
 * Shape.  One struct svm_tlb per device: a table of sets (hash buckets),
 * each with at most @ways entries (set-associative, with a replacement
 * policy) or unbounded chains when @ways is 0.  One struct svm_tlb_space
 * per PASID cached in the device: the list of that PASID's entries, and the
 * invalidation sequence count that fills are validated against.
 *
 * Lookup takes no lock: the set's chain is read under RCU and the entry is
 * then held by a count of accesses in flight (svm_tlb_entry.users).  Removal
 * marks the entry dead (new holds fail), unlinks it, and waits for the
 * holders to finish before it releases the space lock: once a flush
 * returns, no access can use a translation of its range, whether this
 * flush removed it or a concurrent one (a whole-space flush, an eviction)
 * did -- what an ATS invalidation completion promises.  Entry memory is
 * freed after an RCU grace period.
 *
 * A flush of [start, last] costs O(min(pages in range, entries of the
 * PASID)): it probes each page's set when the range is the smaller, and
 * walks the PASID's list otherwise.  It never loops over the pages of a
 * huge range.  With a budget (svm_tlb_flush_req.budget) it costs at most
 * that many steps plus O(1), whatever the TLB holds: a PASID-wide flush of
 * more entries, or a range flush that would probe or walk more, *retires*
 * every entry of the PASID at once instead, the way a PASID-selective
 * IOTLB invalidation does in hardware:
 *
 * Retirement.  Each space has a generation; each entry records the one it
 * was inserted in, and lookups use only entries of the current one.  A
 * retirement bumps it -- every cached entry of the PASID is then invisible
 * -- moves the entries to the space's stale list in O(1), and waits for
 * the accesses that found an entry of the old generation: each lookup
 * counts itself, per CPU, in one of two hold counters picked by the
 * generation's parity (svm_tlb_pcpu.holds) and re-checks the generation
 * after a full barrier, so the retirement (bump, barrier, wait for that
 * parity's counts on every CPU) costs O(CPUs).  Stale entries stay linked
 * (they still occupy their sets, and what their owner holds for them --
 * a page reference -- is held) until svm_tlb_space_reclaim() removes and releases
 * them, a bounded number per call, outside the callback: the owner calls
 * it from a worker, and until none are left before it frees the space.
 * An entry keeps SVM_TLB_GEN_BITS (24) bits of its generation: a space
 * retires again only while its oldest stale entry is less than 2^22
 * generations old (otherwise it walks), so an old entry can never look
 * current.
 *
 * Capacity.  svm_tlb_set_limits() bounds the entries (live and stale) of
 * the table and of each space; an insert past a bound first removes one of
 * its own space's entries (a stale one, else the oldest), so one PASID
 * cannot take the room of the others.  A space with no entry of its own
 * may still insert one past the table's bound (counted as an overflow).
 *
 * Memory.  An entry is 64 bytes (a static assertion in drv/tlb.c keeps
 * it so), allocated from its own kmem_cache: the module creates it with
 * svm_tlb_cache_create() at init and destroys it at exit, after the
 * rcu_barrier() that waits for the last deferred free (user-space
 * programs of the core do the same).
 *
 * Fills follow KVM's mmu_invalidate_seq pattern: svm_tlb_fill_begin()
 * samples the space's sequence before the page walk; svm_tlb_insert()
 * refuses the entry if any invalidation began since (or is in progress over
 * the address), under the same lock that invalidations take.
 *
 * Locking rules:
 *  - svm_tlb_space.lock (the "flush lock") guards the space's list, counts,
 *    sequence, invalidation-in-progress state and dead flag, and is held
 *    across every insertion and removal of the space's entries.
 *  - svm_tlb_set.lock guards a set's chain and occupancy.
 *  - Order: space lock, then set lock.  A set lock holder may take another
 *    space's lock only with spin_trylock (evicting a foreign victim).
 *  - Holders of svm_tlb_entry.users take no lock, do not sleep, and never
 *    insert or flush until they drop it; removers spin until it drains,
 *    holding the entry's space lock, so neither side waits on the other.
 *    In the kernel a holder must also not be preempted (preempt_disable()
 *    around lookup..put): two CPUs spinning on a preempted holder would
 *    never let it run.
 *  - svm_tlb.spaces_lock guards the list of spaces; it is taken before a
 *    space lock.
 *  - svm_tlb_pcpu.holds: a lookup's hold is counted on the CPU that took
 *    it and dropped on the same CPU (kernel callers hold with preemption
 *    off; a user-space "CPU" is a thread's slot).
 *  None of these sleeps: everything here may run from a notifier callback
 *  that must not sleep.
 */
#ifndef _SVMSIM_TLB_H
#define _SVMSIM_TLB_H

#ifdef __KERNEL__
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#else
#include "svmsim/user_shim.h"
#endif

#include "uapi/svmsim.h"

#define SVM_TLB_SHIFT_4K	12
#define SVM_TLB_SHIFT_2M	21

/* Counters the core keeps, per space and per table: svmsim_stat indices. */
#define SVM_TLB_NR_COUNTERS	(SVMSIM_STAT_TLB_PROBE_FLUSHES + 1)

/*
 * Per CPU, so that hits on different CPUs do not share a cache line; a
 * read sums the CPUs, a reset racing an update may lose the update.
 */
struct svm_tlb_pcpu {
	u64 c[SVM_TLB_NR_COUNTERS];
	int holds[2];	/* spaces only: holds taken here, by generation parity */
};

struct svm_tlb_counters {
	struct svm_tlb_pcpu __percpu *pcpu;
};

/* svm_tlb_entry.users: accesses in flight, and this bit once removed. */
#define SVM_TLB_DEAD		(1 << 30)

/*
 * svm_tlb_entry.va: the entry's first address, with the entry's immutable
 * attributes in the bits that are always zero there (the page offset),
 * as a PTE keeps its flags beside the PFN.
 */
#define SVM_TLB_VA_HUGE		(1ul << 0)	/* a 2M entry, else 4K */
#define SVM_TLB_VA_PERM_SHIFT	1		/* SVMSIM_PERM_* bits */
#define SVM_TLB_VA_PERM_MASK	(3ul << SVM_TLB_VA_PERM_SHIFT)
#define SVM_TLB_VA_FLAGS_SHIFT	3		/* the owner's bits */
#define SVM_TLB_VA_FLAGS_MASK	(0xfful << SVM_TLB_VA_FLAGS_SHIFT)
#define SVM_TLB_VA_ATTR_MASK	((1ul << SVM_TLB_SHIFT_4K) - 1)

/*
 * svm_tlb_entry.pfn_gen: the first PFN in the low SVM_TLB_PFN_BITS (x86-64
 * physical addresses have at most 52 bits), the generation above it.
 */
#define SVM_TLB_PFN_BITS	40
#define SVM_TLB_PFN_MASK	((1ull << SVM_TLB_PFN_BITS) - 1)
#define SVM_TLB_GEN_BITS	(64 - SVM_TLB_PFN_BITS)
#define SVM_TLB_GEN_MASK	((1ul << SVM_TLB_GEN_BITS) - 1)

/**
 * struct svm_tlb_entry - one cached translation, in 64 bytes
 * @snode: link in the space's list (space lock), or on a removal list,
 *	until the entry is released;
 * @rcu: then its deferred free (call_rcu).  RCU readers never read
 *	@snode, so the two share memory; @hnode, which they follow after
 *	the unlink, does not.
 * @hnode: link in the set's chain; RCU readers.
 * @space: the PASID space owning the entry.
 * @va: first address | SVM_TLB_VA_* attributes: page size, SVMSIM_PERM_*
 *	bits, the owner's flags (svm_tlb_entry_set(), then read only).
 * @pfn_gen: first 4K page frame | the space's generation when inserted
 *	(its low SVM_TLB_GEN_BITS), set by the insert.
 * @users: accesses in flight, | SVM_TLB_DEAD once removed.
 * @stamp: LRU: last use; FIFO: insertion (svm_tlb.clock ticks, wrapping).
 * @referenced: CLOCK: set by hits, cleared by the hand.  A table's policy
 *	never changes while it caches entries, so one word serves both.
 *
 * Fields are reached through the svm_tlb_entry_*() helpers below.
 */
struct svm_tlb_entry {
	union {
		struct list_head snode;
		struct rcu_head rcu;
	};
	struct hlist_node hnode;
	struct svm_tlb_space *space;
	unsigned long va;
	u64 pfn_gen;
	atomic_t users;
	union {
		u32 stamp;
		u32 referenced;
	};
};

struct svm_tlb_set {
	spinlock_t lock;
	unsigned int nr;
	struct hlist_head chain;
};

struct svm_tlb;

/**
 * struct svm_tlb_ops - owner hooks
 * @release: an entry was removed and no access holds it any more: drop
 *	what the owner holds for it (the entry's flags say what).  Called
 *	without sleeping, possibly with the space lock held, from any
 *	context the removal ran in.  A remover that does
 *	not own the entry's space (an insert evicting another PASID's entry)
 *	holds no reference on that space's owner, so it releases under that
 *	space's lock: the owner's kill and last reclaim, which take the lock,
 *	then return only after such releases ran.  The owner's own removals
 *	(flushes, kill, svm_tlb_space_reclaim()) release after dropping the
 *	lock, within the owner's call.
 */
struct svm_tlb_ops {
	void (*release)(struct svm_tlb *tlb, struct svm_tlb_entry *e);
};

/**
 * struct svm_tlb - a device's IOTLB
 * @sets: @nsets sets.
 * @nsets: power of two.
 * @set_bits: log2(@nsets).
 * @ways: capacity of a set; 0 = unbounded chains.
 * @policy: enum svmsim_repl.
 * @ops: owner hooks (may be NULL).
 * @owner: the owner's pointer, unused by the core.
 * @clock: LRU/FIFO time.
 * @nentries: entries linked, all spaces (live and stale).
 * @n2m: 2M entries linked, all spaces.
 * @nstale: of @nentries, retired and not reclaimed yet.
 * @max_entries: bound on @nentries; 0 = none (svm_tlb_set_limits()).
 * @max_space_entries: bound on a space's entries, live and stale; 0 = none.
 * @overflows: inserts that found no evictable way (set ran over @ways).
 * @stats: counters over all spaces.
 * @spaces_lock: guards @spaces.
 * @spaces: the spaces of this table.
 */
struct svm_tlb {
	struct svm_tlb_set *sets;
	unsigned int nsets;
	unsigned int set_bits;
	unsigned int ways;
	unsigned int policy;
	const struct svm_tlb_ops *ops;
	void *owner;
	atomic_long_t clock;
	atomic_long_t nentries;
	atomic_long_t n2m;
	atomic_long_t nstale;
	unsigned long max_entries;
	unsigned long max_space_entries;
	atomic_long_t overflows;
	struct svm_tlb_counters stats;
	spinlock_t spaces_lock;
	struct list_head spaces;
};

/**
 * struct svm_tlb_space - the entries of one PASID in one TLB
 * @tlb: the table.
 * @lock: the flush lock; see the locking rules above.
 * @entries: the space's live entries (newest first).
 * @nentries: their number.
 * @n2m: of which 2M entries; lookups skip the 2M probe while it is 0.
 * @gen: generation; entries of an older one are stale (retired).
 * @stale: retired entries still linked, oldest first.
 * @nstale: their number.
 * @stale_gen: the generation of the oldest of them.
 * @seq: invalidation sequence: bumped by every invalidation.
 * @in_progress: invalidations begun and not ended (range model).
 * @inv_start: union of the ranges in progress: first address...
 * @inv_last: ...and last address (inclusive).
 * @bug_inserts: fills that walked or inserted because an injected bug
 *	skipped a check (svm_tlb_take_bug_inserts()).
 * @dead: no more inserts (unbind, mm release).
 * @releasing: entries removed whose ops->release has not run yet; the
 *	space (and what its owner embeds it in) must not be freed before
 *	this is 0 (svm_tlb_space_free() warns).
 * @pasid: the PASID.
 * @link: in svm_tlb.spaces.
 * @stats: counters of this space.
 */
struct svm_tlb_space {
	struct svm_tlb *tlb;
	spinlock_t lock;
	struct list_head entries;
	unsigned long nentries;
	unsigned long n2m;
	unsigned long gen;
	struct list_head stale;
	unsigned long nstale;
	unsigned long stale_gen;
	unsigned long seq;
	unsigned int in_progress;
	unsigned long inv_start;
	unsigned long inv_last;
	unsigned long bug_inserts;
	bool dead;
	atomic_t releasing;
	u32 pasid;
	struct list_head link;
	struct svm_tlb_counters stats;
};

/**
 * struct svm_tlb_range - an inclusive address range
 * @start: first byte.
 * @last: last byte (never an exclusive end).
 */
struct svm_tlb_range {
	unsigned long start;
	unsigned long last;
};

/**
 * struct svm_tlb_flush_res - what a flush did
 * @removed: entries removed.
 * @collateral: of which entirely outside the ranges that really changed.
 * @full: the whole space was flushed (whole address space, or escalated
 *	over the threshold).
 * @walked: the PASID's list was walked (else each page was probed).
 * @retired: of @removed, entries retired at once (left linked as stale
 *	entries for svm_tlb_space_reclaim(); their release is deferred).
 * @uncounted: of @retired, entries whose collateral was not counted: the
 *	changed ranges held more pages than the budget allows probing.
 * @spared: 2M entries in the range that an injected bug (@bugs of the
 *	request) left in place.
 */
struct svm_tlb_flush_res {
	unsigned long removed;
	unsigned long collateral;
	bool full;
	bool walked;
	unsigned long retired;
	unsigned long uncounted;
	unsigned long spared;
};

/* Add @r to @sum: one flush done as several (one-page descriptors). */
static inline void svm_tlb_res_add(struct svm_tlb_flush_res *sum,
				   const struct svm_tlb_flush_res *r)
{
	sum->removed += r->removed;
	sum->collateral += r->collateral;
	sum->full |= r->full;
	sum->walked |= r->walked;
	sum->retired += r->retired;
	sum->uncounted += r->uncounted;
	sum->spared += r->spared;
}

/**
 * struct svm_tlb_flush_req - a flush of one space
 * @start: first address to flush.
 * @last: last address (inclusive; ULONG_MAX is fine).
 * @threshold: flush the whole space instead when the range spans more than
 *	this many 4K pages; 0 = never.
 * @changed: the ranges that really changed, for counting collateral
 *	entries; NULL means [@start, @last] is exact.
 * @nchanged: number of @changed ranges.
 * @budget: most pages probed or entries walked; a flush that would take
 *	more retires the whole space instead (O(1)); 0 = no bound.
 * @bugs: SVM_TLB_FLUSH_* injected bugs; 0 for a correct flush.
 */
struct svm_tlb_flush_req {
	unsigned long start;
	unsigned long last;
	unsigned long threshold;
	const struct svm_tlb_range *changed;
	unsigned int nchanged;
	unsigned long budget;
	unsigned int bugs;
};

/*
 * Flush bugs (svm_tlb_flush_req.bugs): the flush walks the space and
 * removes 4K entries only -- a range of less than 2M (SMALL_4K), or a
 * whole-space flush (FULL_4K) -- leaving the 2M entries that overlap.
 */
#define SVM_TLB_FLUSH_SMALL_4K	(1u << 0)
#define SVM_TLB_FLUSH_FULL_4K	(1u << 1)

/* Flags of svm_tlb_fill_begin() and svm_tlb_insert(): injected bugs only. */
#define SVM_TLB_INSERT_NOCHECK	(1u << 0) /* insert: skip every staleness check */
#define SVM_TLB_FILL_NOBLOCK	(1u << 1) /* ignore invalidations in progress */

int svm_tlb_init(struct svm_tlb *tlb, unsigned int nsets, unsigned int ways,
		 unsigned int policy, const struct svm_tlb_ops *ops, void *owner);
int svm_tlb_reconfigure(struct svm_tlb *tlb, unsigned int nsets,
			unsigned int ways, unsigned int policy);
void svm_tlb_destroy(struct svm_tlb *tlb);
void svm_tlb_set_limits(struct svm_tlb *tlb, unsigned long max_entries,
			unsigned long max_space_entries);

int svm_tlb_space_init(struct svm_tlb *tlb, struct svm_tlb_space *s, u32 pasid);
void svm_tlb_space_kill(struct svm_tlb_space *s, struct svm_tlb_flush_res *res);
unsigned long svm_tlb_space_reclaim(struct svm_tlb_space *s, unsigned long budget);
void svm_tlb_space_detach(struct svm_tlb_space *s);
void svm_tlb_space_free(struct svm_tlb_space *s);

struct svm_tlb_entry *svm_tlb_lookup(struct svm_tlb_space *s, unsigned long va,
				     unsigned int perm);
void svm_tlb_put(struct svm_tlb_entry *e);
bool svm_tlb_peek(struct svm_tlb_space *s, unsigned long va,
		  unsigned long *pfn, unsigned int *shift, unsigned int *perm);
bool svm_tlb_first(struct svm_tlb_space *s, unsigned long *va, unsigned long *pfn,
		   unsigned int *shift, unsigned int *perm);

int svm_tlb_fill_begin(struct svm_tlb_space *s, unsigned long va,
		       unsigned int flags, unsigned long *seq);
bool svm_tlb_fill_blocked(struct svm_tlb_space *s, unsigned long start,
			  unsigned long last);
int svm_tlb_cache_create(void);
void svm_tlb_cache_destroy(void);
unsigned int svm_tlb_entry_bytes(void);
struct svm_tlb_entry *svm_tlb_entry_alloc(gfp_t gfp);
void svm_tlb_entry_free(struct svm_tlb_entry *e);
int svm_tlb_insert(struct svm_tlb_space *s, struct svm_tlb_entry *e,
		   unsigned long seq, unsigned int flags,
		   struct svm_tlb_entry **out);

unsigned long svm_tlb_take_bug_inserts(struct svm_tlb_space *s);
void svm_tlb_invalidate_begin(struct svm_tlb_space *s, unsigned long start,
			      unsigned long last);
bool svm_tlb_invalidate_end(struct svm_tlb_space *s);
void svm_tlb_flush(struct svm_tlb_space *s, const struct svm_tlb_flush_req *req,
		   struct svm_tlb_flush_res *res);

/* Retired entries of @s still waiting for svm_tlb_space_reclaim(). */
static inline unsigned long svm_tlb_space_stale(const struct svm_tlb_space *s)
{
	return READ_ONCE(s->nstale);
}

void svm_tlb_read_counters(const struct svm_tlb_counters *c, u64 *out);
void svm_tlb_reset_counters(struct svm_tlb_counters *c);

/* ---- entry fields, for the core, the driver and the tests ---- */

/**
 * svm_tlb_entry_set() - describe a translation before svm_tlb_insert()
 * @e: from svm_tlb_entry_alloc().
 * @va: an address inside the entry (rounded down to its start).
 * @shift: SVM_TLB_SHIFT_4K or SVM_TLB_SHIFT_2M.
 * @pfn: the entry's first 4K page frame, below 1 << SVM_TLB_PFN_BITS.
 * @perm: SVMSIM_PERM_* bits.
 * @flags: the owner's bits (8); the core never reads them.
 */
static inline void svm_tlb_entry_set(struct svm_tlb_entry *e, unsigned long va,
				     unsigned int shift, unsigned long pfn,
				     unsigned int perm, unsigned int flags)
{
	e->va = (va >> shift << shift) |
		(shift == SVM_TLB_SHIFT_2M ? SVM_TLB_VA_HUGE : 0) |
		(((unsigned long)perm << SVM_TLB_VA_PERM_SHIFT) & SVM_TLB_VA_PERM_MASK) |
		(((unsigned long)flags << SVM_TLB_VA_FLAGS_SHIFT) & SVM_TLB_VA_FLAGS_MASK);
	e->pfn_gen = pfn & SVM_TLB_PFN_MASK;
}

static inline unsigned int svm_tlb_entry_shift(const struct svm_tlb_entry *e)
{
	return (e->va & SVM_TLB_VA_HUGE) ? SVM_TLB_SHIFT_2M : SVM_TLB_SHIFT_4K;
}

static inline unsigned int svm_tlb_entry_perm(const struct svm_tlb_entry *e)
{
	return (e->va & SVM_TLB_VA_PERM_MASK) >> SVM_TLB_VA_PERM_SHIFT;
}

static inline unsigned int svm_tlb_entry_flags(const struct svm_tlb_entry *e)
{
	return (e->va & SVM_TLB_VA_FLAGS_MASK) >> SVM_TLB_VA_FLAGS_SHIFT;
}

static inline unsigned long svm_tlb_entry_start(const struct svm_tlb_entry *e)
{
	return e->va & ~SVM_TLB_VA_ATTR_MASK;
}

static inline unsigned long svm_tlb_entry_last(const struct svm_tlb_entry *e)
{
	return svm_tlb_entry_start(e) + (1ul << svm_tlb_entry_shift(e)) - 1;
}

static inline unsigned long svm_tlb_entry_vpn(const struct svm_tlb_entry *e)
{
	return e->va >> svm_tlb_entry_shift(e);
}

/* The entry's first 4K page frame. */
static inline unsigned long svm_tlb_entry_first_pfn(const struct svm_tlb_entry *e)
{
	return e->pfn_gen & SVM_TLB_PFN_MASK;
}

/* The PFN of the 4K page at @va inside entry @e. */
static inline unsigned long svm_tlb_entry_pfn(const struct svm_tlb_entry *e,
					      unsigned long va)
{
	return svm_tlb_entry_first_pfn(e) +
	       ((va - svm_tlb_entry_start(e)) >> SVM_TLB_SHIFT_4K);
}

/* The generation the entry was inserted in (low SVM_TLB_GEN_BITS). */
static inline u32 svm_tlb_entry_gen(const struct svm_tlb_entry *e)
{
	return (u32)(e->pfn_gen >> SVM_TLB_PFN_BITS);
}

/* A space generation as entries record it. */
static inline u32 svm_tlb_gen_tag(unsigned long gen)
{
	return (u32)(gen & SVM_TLB_GEN_MASK);
}

#endif /* _SVMSIM_TLB_H */
