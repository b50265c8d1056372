// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim software IOTLB core.
 *
 * The design, the complexity bounds and the locking rules are in
 * include/svmsim/tlb.h.  This file builds both into the module and, over
 * include/svmsim/user_shim.h and liburcu, into user-space tests: keep to
 * the kernel APIs the shim provides.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#endif

#include "svmsim/tlb.h"

/* An entry fits a 64-byte slab object: see struct svm_tlb_entry. */
_Static_assert(sizeof(struct svm_tlb_entry) <= 64, "svm_tlb_entry over 64 bytes");
/* The attributes stay in the page offset of svm_tlb_entry.va ... */
_Static_assert(SVM_TLB_VA_FLAGS_MASK <= SVM_TLB_VA_ATTR_MASK, "entry attributes too wide");
/* ... and a 52-bit physical address's PFN in svm_tlb_entry.pfn_gen. */
_Static_assert(SVM_TLB_PFN_BITS >= 52 - SVM_TLB_SHIFT_4K, "PFN field too narrow");

/* The key that svm_tlb_entry.va matches: first address and page size. */
#define SVM_TLB_VA_KEY_MASK	(~SVM_TLB_VA_ATTR_MASK | SVM_TLB_VA_HUGE)

static unsigned long svm_tlb_key(unsigned long vpn, unsigned int shift)
{
	return (vpn << shift) | (shift == SVM_TLB_SHIFT_2M ? SVM_TLB_VA_HUGE : 0);
}

static void svm_count(struct svm_tlb_space *s, unsigned int idx, long n)
{
	if (!n)
		return;
	this_cpu_add(s->stats.pcpu->c[idx], n);
	this_cpu_add(s->tlb->stats.pcpu->c[idx], n);
}

static int svm_counters_init(struct svm_tlb_counters *c)
{
	c->pcpu = alloc_percpu(struct svm_tlb_pcpu);
	return c->pcpu ? 0 : -ENOMEM;
}

static void svm_counters_free(struct svm_tlb_counters *c)
{
	free_percpu(c->pcpu);
	c->pcpu = NULL;
}

static struct svm_tlb_set *svm_tlb_set_of(struct svm_tlb *tlb, u32 pasid,
					  unsigned long vpn, unsigned int shift)
{
	u64 key = ((u64)vpn << 1 | (shift == SVM_TLB_SHIFT_2M)) ^ ((u64)pasid << 43);

	/* hash_64() shifts by 64 - bits: undefined for a single set. */
	if (!tlb->set_bits)
		return &tlb->sets[0];
	return &tlb->sets[hash_64(key, tlb->set_bits)];
}

static bool svm_tlb_overlaps(const struct svm_tlb_entry *e, unsigned long start,
			     unsigned long last)
{
	return svm_tlb_entry_start(e) <= last && svm_tlb_entry_last(e) >= start;
}

/* Number of 4K pages touched by [start, last]; never overflows on x86-64. */
static unsigned long svm_tlb_pages(unsigned long start, unsigned long last)
{
	return (last >> SVM_TLB_SHIFT_4K) - (start >> SVM_TLB_SHIFT_4K) + 1;
}

static unsigned long svm_tlb_huge_regions(unsigned long start, unsigned long last)
{
	return (last >> SVM_TLB_SHIFT_2M) - (start >> SVM_TLB_SHIFT_2M) + 1;
}

/**
 * svm_tlb_init() - set up an empty TLB
 * @tlb: the table to initialise.
 * @nsets: number of sets, a power of two up to SVMSIM_MAX_SETS.
 * @ways: entries per set, up to SVMSIM_MAX_WAYS; 0 = unbounded chains.
 * @policy: enum svmsim_repl.
 * @ops: owner hooks, may be NULL.
 * @owner: stored in @tlb->owner for the hooks.
 *
 * Return: 0, -EINVAL for a bad geometry or policy, -ENOMEM.
 */
int svm_tlb_init(struct svm_tlb *tlb, unsigned int nsets, unsigned int ways,
		 unsigned int policy, const struct svm_tlb_ops *ops, void *owner)
{
	unsigned int i;

	if (!is_power_of_2(nsets) || nsets > SVMSIM_MAX_SETS ||
	    ways > SVMSIM_MAX_WAYS || policy >= SVMSIM_REPL_NR)
		return -EINVAL;

	memset(tlb, 0, sizeof(*tlb));
	if (svm_counters_init(&tlb->stats))
		return -ENOMEM;
	tlb->sets = kvcalloc(nsets, sizeof(*tlb->sets), GFP_KERNEL);
	if (!tlb->sets) {
		svm_counters_free(&tlb->stats);
		return -ENOMEM;
	}
	for (i = 0; i < nsets; i++) {
		spin_lock_init(&tlb->sets[i].lock);
		INIT_HLIST_HEAD(&tlb->sets[i].chain);
	}
	tlb->nsets = nsets;
	tlb->set_bits = ilog2(nsets);
	tlb->ways = ways;
	tlb->policy = policy;
	tlb->ops = ops;
	tlb->owner = owner;
	atomic_long_set(&tlb->clock, 0);
	atomic_long_set(&tlb->nentries, 0);
	atomic_long_set(&tlb->n2m, 0);
	atomic_long_set(&tlb->nstale, 0);
	atomic_long_set(&tlb->overflows, 0);
	spin_lock_init(&tlb->spaces_lock);
	INIT_LIST_HEAD(&tlb->spaces);
	return 0;
}

/**
 * svm_tlb_reconfigure() - change the geometry of a TLB that has no spaces
 * @tlb: the table.
 * @nsets: new number of sets.
 * @ways: new ways (0 = unbounded).
 * @policy: new enum svmsim_repl.
 *
 * Counters are kept.  On error the table is unchanged.
 *
 * Return: 0, -EINVAL, -EBUSY (a space exists) or -ENOMEM.
 */
int svm_tlb_reconfigure(struct svm_tlb *tlb, unsigned int nsets,
			unsigned int ways, unsigned int policy)
{
	struct svm_tlb_set *sets, *old;
	unsigned int i;

	if (!is_power_of_2(nsets) || nsets > SVMSIM_MAX_SETS ||
	    ways > SVMSIM_MAX_WAYS || policy >= SVMSIM_REPL_NR)
		return -EINVAL;
	sets = kvcalloc(nsets, sizeof(*sets), GFP_KERNEL);
	if (!sets)
		return -ENOMEM;
	for (i = 0; i < nsets; i++) {
		spin_lock_init(&sets[i].lock);
		INIT_HLIST_HEAD(&sets[i].chain);
	}
	spin_lock(&tlb->spaces_lock);
	if (!list_empty(&tlb->spaces)) {
		spin_unlock(&tlb->spaces_lock);
		kvfree(sets);
		return -EBUSY;
	}
	old = tlb->sets;
	tlb->sets = sets;
	tlb->nsets = nsets;
	tlb->set_bits = ilog2(nsets);
	tlb->ways = ways;
	tlb->policy = policy;
	spin_unlock(&tlb->spaces_lock);
	kvfree(old);
	return 0;
}

/**
 * svm_tlb_set_limits() - bound the entries of the table and of each space
 * @tlb: the table.
 * @max_entries: most entries linked in the table, live and stale; 0 = none.
 * @max_space_entries: most entries of one space; 0 = none.
 *
 * Takes effect at the next insert; entries above a new bound go as their
 * spaces insert again, or are flushed.
 */
void svm_tlb_set_limits(struct svm_tlb *tlb, unsigned long max_entries,
			unsigned long max_space_entries)
{
	WRITE_ONCE(tlb->max_entries, max_entries);
	WRITE_ONCE(tlb->max_space_entries, max_space_entries);
}

/**
 * svm_tlb_destroy() - free a TLB whose spaces have all been destroyed
 * @tlb: the table.
 *
 * Entries still waiting for their grace period are freed by their RCU
 * callbacks; the module waits for them (rcu_barrier()) before
 * svm_tlb_cache_destroy().
 */
void svm_tlb_destroy(struct svm_tlb *tlb)
{
	WARN_ON_ONCE(!list_empty(&tlb->spaces));
	WARN_ON_ONCE(atomic_long_read(&tlb->nentries));
	kvfree(tlb->sets);
	tlb->sets = NULL;
	svm_counters_free(&tlb->stats);
}

/**
 * svm_tlb_space_init() - start caching translations of a PASID
 * @tlb: the table.
 * @s: the space to initialise.
 * @pasid: its PASID.
 *
 * Return: 0 or -ENOMEM.
 */
int svm_tlb_space_init(struct svm_tlb *tlb, struct svm_tlb_space *s, u32 pasid)
{
	if (svm_counters_init(&s->stats))
		return -ENOMEM;
	s->tlb = tlb;
	spin_lock_init(&s->lock);
	INIT_LIST_HEAD(&s->entries);
	s->nentries = 0;
	s->n2m = 0;
	s->gen = 0;
	INIT_LIST_HEAD(&s->stale);
	s->nstale = 0;
	s->stale_gen = 0;
	s->seq = 0;
	s->in_progress = 0;
	s->inv_start = 0;
	s->inv_last = 0;
	s->bug_inserts = 0;
	s->dead = false;
	atomic_set(&s->releasing, 0);
	s->pasid = pasid;
	spin_lock(&tlb->spaces_lock);
	list_add_tail(&s->link, &tlb->spaces);
	spin_unlock(&tlb->spaces_lock);
	return 0;
}

/**
 * svm_tlb_space_detach() - detach a killed, empty space from its table
 * @s: the space; svm_tlb_space_kill() must have run, and
 *	svm_tlb_space_reclaim() until it returned 0.
 *
 * Lookups, flushes and fills on it still work (they find nothing, refuse
 * everything) until svm_tlb_space_free().
 */
void svm_tlb_space_detach(struct svm_tlb_space *s)
{
	WARN_ON_ONCE(!s->dead || s->nentries || s->nstale);
	spin_lock(&s->tlb->spaces_lock);
	list_del(&s->link);
	spin_unlock(&s->tlb->spaces_lock);
}

/**
 * svm_tlb_space_free() - free a detached space's counters
 * @s: the space, detached and used by nobody any more (or never
 *	initialised: its zeroed counters are freed as nothing).
 */
void svm_tlb_space_free(struct svm_tlb_space *s)
{
	/* A release still to run would use the owner's freed memory. */
	WARN_ON_ONCE(atomic_read(&s->releasing));
	svm_counters_free(&s->stats);
}

/* ---- lookups ------------------------------------------------------------ */

/* Retired by a generation bump, waiting for svm_tlb_space_reclaim(). */
static bool svm_tlb_stale(const struct svm_tlb_entry *e)
{
	return svm_tlb_entry_gen(e) != svm_tlb_gen_tag(READ_ONCE(e->space->gen));
}

/*
 * Entries match on their space, not the PASID value: a PASID released by
 * one mm and handed to another must never let a late lookup of the old
 * bond see the new mm's translations.  The PASID only picks the set.
 * Only entries of generation @gen match: stale ones share the chains.
 */
static bool svm_tlb_match(const struct svm_tlb_entry *e,
			  const struct svm_tlb_space *s, unsigned long key, u32 gen)
{
	return (e->va & SVM_TLB_VA_KEY_MASK) == key && e->space == s &&
	       svm_tlb_entry_gen(e) == gen;
}

static struct svm_tlb_entry *svm_tlb_find_rcu(struct svm_tlb_space *s,
					      unsigned long vpn,
					      unsigned int shift, u32 gen)
{
	struct svm_tlb_set *set = svm_tlb_set_of(s->tlb, s->pasid, vpn, shift);
	unsigned long key = svm_tlb_key(vpn, shift);
	struct svm_tlb_entry *e;

	hlist_for_each_entry_rcu(e, &set->chain, hnode) {
		if (svm_tlb_match(e, s, key, gen))
			return e;
	}
	return NULL;
}

/* The live entry of a key; caller holds the set's lock and @s's. */
static struct svm_tlb_entry *svm_tlb_find_locked(struct svm_tlb_set *set,
						 struct svm_tlb_space *s,
						 unsigned long vpn,
						 unsigned int shift)
{
	unsigned long key = svm_tlb_key(vpn, shift);
	u32 gen = svm_tlb_gen_tag(s->gen);
	struct svm_tlb_entry *e;

	hlist_for_each_entry(e, &set->chain, hnode) {
		if (svm_tlb_match(e, s, key, gen))
			return e;
	}
	return NULL;
}

/* Take a hold on @e unless it has been removed. */
static bool svm_tlb_get(struct svm_tlb_entry *e)
{
	int old = atomic_read(&e->users);

	do {
		if (old & SVM_TLB_DEAD)
			return false;
	} while (!atomic_try_cmpxchg(&e->users, &old, old + 1));
	return true;
}

/* Find @va's live entry of @s under RCU (4K first, then 2M if any are cached). */
static struct svm_tlb_entry *svm_tlb_find_va(struct svm_tlb_space *s,
					     unsigned long va)
{
	u32 gen = svm_tlb_gen_tag(READ_ONCE(s->gen));
	struct svm_tlb_entry *e;

	e = svm_tlb_find_rcu(s, va >> SVM_TLB_SHIFT_4K, SVM_TLB_SHIFT_4K, gen);
	if (!e && READ_ONCE(s->n2m))
		e = svm_tlb_find_rcu(s, va >> SVM_TLB_SHIFT_2M, SVM_TLB_SHIFT_2M, gen);
	return e;
}

/* This CPU's count of holds on entries of generation @gen's parity. */
#define svm_tlb_holds(s, gen)	((s)->stats.pcpu->holds[(gen) & 1])

/*
 * Hold @e for an access: counted on this CPU under @e's generation parity,
 * then in the entry's own count (which removals of single entries wait
 * on), then the generation checked again after a full barrier -- so
 * either a retirement's scan (svm_tlb_retire()) sees this hold and waits
 * for it, or we see the retirement and back off.  The barrier is the
 * successful cmpxchg of svm_tlb_get(), fully ordered (free on x86).
 */
static bool svm_tlb_hold(struct svm_tlb_space *s, struct svm_tlb_entry *e)
{
	u32 gen = svm_tlb_entry_gen(e);

	this_cpu_inc(svm_tlb_holds(s, gen));
	if (svm_tlb_get(e)) {
		smp_mb__after_atomic();
		if (gen == svm_tlb_gen_tag(READ_ONCE(s->gen)))
			return true;
		atomic_dec(&e->users);
	}
	this_cpu_dec(svm_tlb_holds(s, gen));
	return false;
}

static void svm_tlb_touch(struct svm_tlb *tlb, struct svm_tlb_entry *e)
{
	switch (tlb->policy) {
	case SVMSIM_REPL_CLOCK:
		/* Test first: don't dirty the line on every hit. */
		if (!READ_ONCE(e->referenced))
			WRITE_ONCE(e->referenced, 1);
		break;
	case SVMSIM_REPL_LRU:
		WRITE_ONCE(e->stamp, (u32)atomic_long_inc_return(&tlb->clock));
		break;
	default:
		break;
	}
}

/**
 * svm_tlb_lookup() - translate @va for an access, taking a hold on the entry
 * @s: the PASID's space.
 * @va: virtual address.
 * @perm: SVMSIM_PERM_* the access needs.
 *
 * Takes no lock.  The caller must svm_tlb_put() the entry as soon as the
 * access is done, without sleeping or taking locks meanwhile: flushes of
 * the entry wait for it.
 *
 * Return: the entry (hit), or NULL (miss, or cached with fewer permissions).
 */
struct svm_tlb_entry *svm_tlb_lookup(struct svm_tlb_space *s, unsigned long va,
				     unsigned int perm)
{
	struct svm_tlb_entry *e;

	rcu_read_lock();
	e = svm_tlb_find_va(s, va);
	if (e && ((svm_tlb_entry_perm(e) & perm) != perm || !svm_tlb_hold(s, e)))
		e = NULL;
	rcu_read_unlock();

	if (!e) {
		svm_count(s, SVMSIM_STAT_TLB_MISSES, 1);
		return NULL;
	}
	svm_tlb_touch(s->tlb, e);
	svm_count(s, SVMSIM_STAT_TLB_HITS, 1);
	return e;
}

/**
 * svm_tlb_put() - end an access begun by svm_tlb_lookup() or svm_tlb_insert()
 * @e: the entry.
 */
void svm_tlb_put(struct svm_tlb_entry *e)
{
	/*
	 * Read before the entry may go; the space outlives the hold (its
	 * kill retires it, which waits for the hold).
	 */
	struct svm_tlb_space *s = e->space;
	u32 gen = svm_tlb_entry_gen(e);

	/* Value-returning: fully ordered, so the access is done before. */
	atomic_dec_return(&e->users);
	this_cpu_dec(svm_tlb_holds(s, gen));
}

/**
 * svm_tlb_peek() - report what is cached for @va, without holding or counting
 * @s: the PASID's space.
 * @va: virtual address.
 * @pfn: out: the PFN of @va's 4K page.
 * @shift: out: the entry's page shift.
 * @perm: out: its SVMSIM_PERM_* bits.
 *
 * Return: true if an entry was cached.
 */
bool svm_tlb_peek(struct svm_tlb_space *s, unsigned long va,
		  unsigned long *pfn, unsigned int *shift, unsigned int *perm)
{
	struct svm_tlb_entry *e;
	bool found = false;

	rcu_read_lock();
	e = svm_tlb_find_va(s, va);
	if (e && !(atomic_read(&e->users) & SVM_TLB_DEAD)) {
		*pfn = svm_tlb_entry_pfn(e, va);
		*shift = svm_tlb_entry_shift(e);
		*perm = svm_tlb_entry_perm(e);
		found = true;
	}
	rcu_read_unlock();
	return found;
}

/**
 * svm_tlb_first() - any one live entry of a space (diagnostics)
 * @s: the PASID's space.
 * @va: out: the entry's first address.
 * @pfn: out: its first PFN.
 * @shift: out: its page shift.
 * @perm: out: its SVMSIM_PERM_* bits.
 *
 * Return: true if the space caches an entry.
 */
bool svm_tlb_first(struct svm_tlb_space *s, unsigned long *va, unsigned long *pfn,
		   unsigned int *shift, unsigned int *perm)
{
	struct svm_tlb_entry *e;

	spin_lock(&s->lock);
	e = list_first_entry_or_null(&s->entries, struct svm_tlb_entry, snode);
	if (e) {
		*va = svm_tlb_entry_start(e);
		*pfn = svm_tlb_entry_first_pfn(e);
		*shift = svm_tlb_entry_shift(e);
		*perm = svm_tlb_entry_perm(e);
	}
	spin_unlock(&s->lock);
	return e;
}

/* ---- removal ------------------------------------------------------------ */

/*
 * Unlink @e from its set and space and mark it dead; it goes on @dead for
 * svm_tlb_drain() and svm_tlb_finish().  Caller holds @e's space lock and
 * @set's lock.
 */
static void svm_tlb_unlink(struct svm_tlb_set *set, struct svm_tlb_entry *e,
			   struct list_head *dead)
{
	struct svm_tlb_space *s = e->space;
	struct svm_tlb *tlb = s->tlb;

	hlist_del_rcu(&e->hnode);
	set->nr--;
	list_move(&e->snode, dead);
	if (svm_tlb_stale(e)) {
		s->nstale--;
		atomic_long_dec(&tlb->nstale);
	} else {
		WRITE_ONCE(s->nentries, s->nentries - 1);
		if (svm_tlb_entry_shift(e) == SVM_TLB_SHIFT_2M)
			WRITE_ONCE(s->n2m, s->n2m - 1);
	}
	if (svm_tlb_entry_shift(e) == SVM_TLB_SHIFT_2M)
		atomic_long_dec(&tlb->n2m);
	atomic_long_dec(&tlb->nentries);
	atomic_inc(&s->releasing);
	atomic_fetch_or(SVM_TLB_DEAD, &e->users);
}

/*
 * Wait until no access holds the removed entries.  Every remover does this
 * before it releases the lock of the space the entries belonged to, so a
 * later flush of that space -- which must take the lock first -- cannot
 * return while an access still uses a translation someone else removed
 * (say a whole-space flush on another CPU, or an eviction).
 */
static void svm_tlb_drain(struct list_head *dead)
{
	struct svm_tlb_entry *e;

	list_for_each_entry(e, dead, snode) {
		while (atomic_read_acquire(&e->users) != SVM_TLB_DEAD)
			cpu_relax();
	}
}

/* Entries come from this cache (svm_tlb_cache_create()). */
static struct kmem_cache *svm_tlb_entry_cache;

static void svm_tlb_entry_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(svm_tlb_entry_cache, container_of(head, struct svm_tlb_entry, rcu));
}

/*
 * Hand one drained entry back to the owner (the caller decides under which
 * lock); free it after a grace period.  Its @rcu overwrites @snode: the
 * caller is done with the removal list at this entry (svm_tlb_finish()
 * has read the next one already).
 */
static void svm_tlb_release_one(struct svm_tlb *tlb, struct svm_tlb_entry *e)
{
	struct svm_tlb_space *s = e->space;

	if (tlb->ops && tlb->ops->release)
		tlb->ops->release(tlb, e);
	atomic_dec(&s->releasing);
	call_rcu(&e->rcu, svm_tlb_entry_free_rcu);
}

static void svm_tlb_finish(struct svm_tlb *tlb, struct list_head *dead)
{
	struct svm_tlb_entry *e, *n;

	/* _safe: the release reuses the entry's link as its rcu_head. */
	list_for_each_entry_safe(e, n, dead, snode)
		svm_tlb_release_one(tlb, e);
}

/* ---- fills -------------------------------------------------------------- */

/**
 * svm_tlb_cache_create() - create the cache entries are allocated from
 *
 * Once, before any svm_tlb_entry_alloc() (module init).  Its own cache
 * ("svmsim_tlb_entry", cache-line aligned) puts an entry in a 64-byte
 * object, where kmalloc would round it up to the next size class.
 *
 * Return: 0 or -ENOMEM.
 */
int svm_tlb_cache_create(void)
{
	svm_tlb_entry_cache = kmem_cache_create("svmsim_tlb_entry",
						sizeof(struct svm_tlb_entry), 0,
						SLAB_HWCACHE_ALIGN, NULL);
	return svm_tlb_entry_cache ? 0 : -ENOMEM;
}

/**
 * svm_tlb_cache_destroy() - destroy the entry cache
 *
 * After every table is destroyed and rcu_barrier() has run the deferred
 * frees of their last entries (module exit).
 */
void svm_tlb_cache_destroy(void)
{
	kmem_cache_destroy(svm_tlb_entry_cache);
	svm_tlb_entry_cache = NULL;
}

/**
 * svm_tlb_entry_bytes() - memory an entry takes: its slab object's size
 *
 * Return: the entry cache's object size (svm_tlb_cache_create() has run).
 */
unsigned int svm_tlb_entry_bytes(void)
{
	return kmem_cache_size(svm_tlb_entry_cache);
}

/**
 * svm_tlb_entry_alloc() - allocate an entry for svm_tlb_insert()
 * @gfp: allocation flags.
 *
 * Return: a zeroed entry, or NULL.
 */
struct svm_tlb_entry *svm_tlb_entry_alloc(gfp_t gfp)
{
	return kmem_cache_zalloc(svm_tlb_entry_cache, gfp);
}

/**
 * svm_tlb_entry_free() - free an entry that svm_tlb_insert() did not take
 * @e: the entry.
 */
void svm_tlb_entry_free(struct svm_tlb_entry *e)
{
	kmem_cache_free(svm_tlb_entry_cache, e);
}

static bool svm_tlb_in_progress_over(struct svm_tlb_space *s,
				     unsigned long start, unsigned long last)
{
	return s->in_progress && start <= s->inv_last && last >= s->inv_start;
}

/**
 * svm_tlb_fill_begin() - sample the invalidation sequence before a page walk
 * @s: the PASID's space.
 * @va: the address the walk is for.
 * @flags: SVM_TLB_FILL_NOBLOCK: ignore invalidations in progress (bug).
 * @seq: out: the sequence to pass to svm_tlb_insert().
 *
 * Return: 0; -EAGAIN while an invalidation over @va is in progress (wait
 * for its end, then retry); -ESRCH once the space is dead.
 */
int svm_tlb_fill_begin(struct svm_tlb_space *s, unsigned long va,
		       unsigned int flags, unsigned long *seq)
{
	bool busy;
	int ret = 0;

	spin_lock(&s->lock);
	busy = svm_tlb_in_progress_over(s, va, va);
	if (s->dead)
		ret = -ESRCH;
	else if (!(flags & SVM_TLB_FILL_NOBLOCK) && busy)
		ret = -EAGAIN;
	else
		*seq = s->seq;
	if (!ret && busy)	/* a correct fill would have waited for the end */
		s->bug_inserts++;
	spin_unlock(&s->lock);
	return ret;
}

/**
 * svm_tlb_take_bug_inserts() - stale inserts an injected bug let through
 * @s: the PASID's space.
 *
 * Return: how many walks svm_tlb_fill_begin() let start, and inserts
 * svm_tlb_insert() made, since the last call, that a correct fill would
 * have refused (an invalidation in progress over the address, or the
 * sequence moved since the walk began).
 */
unsigned long svm_tlb_take_bug_inserts(struct svm_tlb_space *s)
{
	unsigned long n;

	spin_lock(&s->lock);
	n = s->bug_inserts;
	s->bug_inserts = 0;
	spin_unlock(&s->lock);
	return n;
}

/**
 * svm_tlb_fill_blocked() - is an invalidation in progress over a range?
 * @s: the PASID's space.
 * @start: first address, e.g. of the entry a refused insert would have made.
 * @last: last address (inclusive).
 *
 * For a filler deciding whether to wait (until the last invalidation in
 * progress ends: the tracked range is their union) before walking again.
 *
 * Return: true while one is, or false (also once the space is dead).
 */
bool svm_tlb_fill_blocked(struct svm_tlb_space *s, unsigned long start,
			  unsigned long last)
{
	bool blocked;

	spin_lock(&s->lock);
	blocked = !s->dead && svm_tlb_in_progress_over(s, start, last);
	spin_unlock(&s->lock);
	return blocked;
}

static bool svm_tlb_may_evict(const struct svm_tlb_entry *e,
			      const struct svm_tlb_space *only)
{
	return !only || e->space == only;
}

/* Choose a victim in @set by the policy, among @only's entries if given. */
static struct svm_tlb_entry *svm_tlb_pick(struct svm_tlb *tlb,
					  struct svm_tlb_set *set,
					  const struct svm_tlb_space *only)
{
	struct svm_tlb_entry *e, *best = NULL;
	unsigned int n = 0, k;

	/* A retired entry first: it only waits for its reclaim. */
	hlist_for_each_entry(e, &set->chain, hnode) {
		if (svm_tlb_may_evict(e, only) && svm_tlb_stale(e))
			return e;
	}
	switch (tlb->policy) {
	case SVMSIM_REPL_CLOCK:
		/* Second chance: clear the referenced bits passed over. */
		hlist_for_each_entry(e, &set->chain, hnode) {
			if (!svm_tlb_may_evict(e, only))
				continue;
			if (!best)
				best = e;
			if (!READ_ONCE(e->referenced))
				return e;
			WRITE_ONCE(e->referenced, 0);
		}
		return best;
	case SVMSIM_REPL_RANDOM:
		hlist_for_each_entry(e, &set->chain, hnode)
			n += svm_tlb_may_evict(e, only);
		if (!n)
			return NULL;
		k = get_random_u32() % n;
		hlist_for_each_entry(e, &set->chain, hnode) {
			if (svm_tlb_may_evict(e, only) && !k--)
				return e;
		}
		return NULL;
	default: /* LRU and FIFO: the oldest stamp (32 bits: compare as they wrap) */
		hlist_for_each_entry(e, &set->chain, hnode) {
			if (svm_tlb_may_evict(e, only) &&
			    (!best || (s32)(READ_ONCE(e->stamp) - READ_ONCE(best->stamp)) < 0))
				best = e;
		}
		return best;
	}
}

/*
 * Unlink a victim of the replacement or of a bound onto @dead: an eviction
 * unless it was stale (then it was counted when its flush retired it).
 * Caller holds its space's lock and @set's lock.
 */
static void svm_tlb_unlink_victim(struct svm_tlb_set *set, struct svm_tlb_entry *victim,
				  struct list_head *dead)
{
	svm_count(victim->space, SVMSIM_STAT_TLB_EVICTIONS, !svm_tlb_stale(victim));
	svm_tlb_unlink(set, victim, dead);
}

/*
 * Evict @victim of another space, if that space's lock is free: the lock
 * order (space, then set) lets a set lock holder only try it.  Drained
 * and released under that lock: the victim's owner may be unbinding, and
 * its kill must take the lock (and so wait for us) before it can free the
 * space the release may still use -- once the lock is dropped nothing
 * keeps the victim's space alive for the caller.
 */
static bool svm_tlb_evict_foreign(struct svm_tlb_set *set,
				  struct svm_tlb_entry *victim)
{
	struct svm_tlb_space *vs = victim->space;
	LIST_HEAD(dead);

	if (!spin_trylock(&vs->lock))
		return false;
	svm_tlb_unlink_victim(set, victim, &dead);
	while (atomic_read_acquire(&victim->users) != SVM_TLB_DEAD)
		cpu_relax();
	svm_tlb_release_one(vs->tlb, victim);
	spin_unlock(&vs->lock);
	return true;
}

/*
 * Make room in a full set.  Caller holds @s's lock and @set's lock.  If
 * the policy's victim belongs to a busy space, evict one of our own; if
 * we have none there, let the set run over by one (counted).  Own victims
 * go on @dead, for the caller to drain and release.
 */
static void svm_tlb_evict(struct svm_tlb_space *s, struct svm_tlb_set *set,
			  struct list_head *dead)
{
	struct svm_tlb *tlb = s->tlb;
	struct svm_tlb_entry *victim = svm_tlb_pick(tlb, set, NULL);

	if (victim && victim->space != s) {
		if (svm_tlb_evict_foreign(set, victim))
			return;
		victim = svm_tlb_pick(tlb, set, s);
	}
	if (!victim) {
		atomic_long_inc(&tlb->overflows);
		return;
	}
	svm_tlb_unlink_victim(set, victim, dead);
}

static bool svm_tlb_over_limits(struct svm_tlb_space *s)
{
	struct svm_tlb *tlb = s->tlb;
	unsigned long max = READ_ONCE(tlb->max_entries);
	unsigned long max_space = READ_ONCE(tlb->max_space_entries);

	return (max_space && s->nentries + s->nstale >= max_space) ||
	       (max && (unsigned long)atomic_long_read(&tlb->nentries) >= max);
}

/*
 * Keep the table and @s within their bounds: before an insert, remove one
 * of @s's own entries -- a stale one, else the oldest inserted -- onto
 * @dead.  Caller holds @s's lock and no set lock.  A space with no entry
 * may go past the table's bound by its one entry (counted as an overflow).
 */
static void svm_tlb_make_room(struct svm_tlb_space *s, struct list_head *dead)
{
	struct svm_tlb *tlb = s->tlb;
	struct svm_tlb_entry *victim;
	struct svm_tlb_set *set;

	if (!svm_tlb_over_limits(s))
		return;
	if (s->nstale)
		victim = list_first_entry(&s->stale, struct svm_tlb_entry, snode);
	else if (s->nentries)
		victim = list_last_entry(&s->entries, struct svm_tlb_entry, snode);
	else {
		atomic_long_inc(&tlb->overflows);
		return;
	}
	set = svm_tlb_set_of(tlb, s->pasid, svm_tlb_entry_vpn(victim),
			     svm_tlb_entry_shift(victim));
	spin_lock(&set->lock);
	svm_tlb_unlink_victim(set, victim, dead);
	spin_unlock(&set->lock);
}

static void svm_tlb_link(struct svm_tlb_space *s, struct svm_tlb_set *set,
			 struct svm_tlb_entry *e)
{
	struct svm_tlb *tlb = s->tlb;

	/* @stamp and @referenced share a word: each policy sets its own. */
	if (tlb->policy == SVMSIM_REPL_CLOCK)
		e->referenced = 0;
	else
		e->stamp = (u32)atomic_long_inc_return(&tlb->clock);
	e->pfn_gen = (e->pfn_gen & SVM_TLB_PFN_MASK) |
		     (u64)svm_tlb_gen_tag(s->gen) << SVM_TLB_PFN_BITS;
	hlist_add_head_rcu(&e->hnode, &set->chain);
	set->nr++;
	list_add(&e->snode, &s->entries);
	WRITE_ONCE(s->nentries, s->nentries + 1);
	if (svm_tlb_entry_shift(e) == SVM_TLB_SHIFT_2M) {
		WRITE_ONCE(s->n2m, s->n2m + 1);
		atomic_long_inc(&tlb->n2m);
	}
	atomic_long_inc(&tlb->nentries);
}

/**
 * svm_tlb_insert() - insert a filled translation unless it may be stale
 * @s: the PASID's space.
 * @e: from svm_tlb_entry_alloc(), described by svm_tlb_entry_set().
 * @seq: from svm_tlb_fill_begin() before the page walk that found @e's PFN.
 * @flags: SVM_TLB_INSERT_NOCHECK, SVM_TLB_FILL_NOBLOCK (injected bugs).
 * @out: out: on 0 or -EEXIST, the entry to use, held as by svm_tlb_lookup();
 *	NULL to take no hold (a kernel caller that may be preempted must not
 *	hold an entry: flushers spin on it).
 *
 * The caller must not hold any entry (an eviction waits for holders).
 *
 * Return: 0 inserted (@out = @e); -EEXIST an entry with the same key and at
 * least @e's permissions is cached (@out = it; @e is not taken); -EAGAIN an
 * invalidation began since @seq or is in progress over @e: walk again;
 * -ESRCH the space is dead.  On errors @e is not taken.
 */
int svm_tlb_insert(struct svm_tlb_space *s, struct svm_tlb_entry *e,
		   unsigned long seq, unsigned int flags,
		   struct svm_tlb_entry **out)
{
	struct svm_tlb *tlb = s->tlb;
	struct svm_tlb_set *set;
	unsigned int shift = svm_tlb_entry_shift(e), perm = svm_tlb_entry_perm(e);
	unsigned long vpn = svm_tlb_entry_vpn(e);
	struct svm_tlb_entry *old;
	LIST_HEAD(dead);
	bool busy;
	int ret = 0;

	e->space = s;
	atomic_set(&e->users, out ? 1 : 0);
	set = svm_tlb_set_of(tlb, s->pasid, vpn, shift);

	spin_lock(&s->lock);
	if (s->dead) {
		ret = -ESRCH;
		goto unlock_space;
	}
	busy = svm_tlb_in_progress_over(s, svm_tlb_entry_start(e), svm_tlb_entry_last(e));
	if (!(flags & SVM_TLB_INSERT_NOCHECK) &&
	    (seq != s->seq || (!(flags & SVM_TLB_FILL_NOBLOCK) && busy))) {
		svm_count(s, SVMSIM_STAT_TLB_STALE_REFUSED, 1);
		ret = -EAGAIN;
		goto unlock_space;
	}
	if (seq != s->seq || busy)	/* a correct fill would have walked again */
		s->bug_inserts++;

	svm_tlb_make_room(s, &dead);
	spin_lock(&set->lock);
	old = svm_tlb_find_locked(set, s, vpn, shift);
	if (old) {
		/*
		 * Live: removed entries are unlinked under this lock, and the
		 * generation cannot move under the space lock.
		 */
		if ((svm_tlb_entry_perm(old) & perm) == perm) {
			if (out && svm_tlb_hold(s, old))
				*out = old;
			ret = -EEXIST;
			goto unlock_set;
		}
		/* Upgrade (read-only -> read-write): replace. */
		svm_tlb_unlink(set, old, &dead);
	}
	if (tlb->ways && set->nr >= tlb->ways)
		svm_tlb_evict(s, set, &dead);
	svm_tlb_link(s, set, e);
	svm_count(s, SVMSIM_STAT_TLB_INSERTS, 1);
	if (out) {
		/* As svm_tlb_hold(): the generation is stable under our lock. */
		this_cpu_inc(svm_tlb_holds(s, svm_tlb_entry_gen(e)));
		*out = e;
	}
unlock_set:
	spin_unlock(&set->lock);
	svm_tlb_drain(&dead);
unlock_space:
	spin_unlock(&s->lock);
	svm_tlb_finish(tlb, &dead);
	return ret;
}

/* ---- invalidation ------------------------------------------------------- */

/**
 * svm_tlb_invalidate_begin() - an invalidation of [start, last] begins
 * @s: the PASID's space.
 * @start: first address.
 * @last: last address (inclusive).
 *
 * Until the matching svm_tlb_invalidate_end(), fills over the range are
 * refused (range model).  Does not remove entries: see svm_tlb_flush().
 */
void svm_tlb_invalidate_begin(struct svm_tlb_space *s, unsigned long start,
			      unsigned long last)
{
	spin_lock(&s->lock);
	if (!s->in_progress++) {
		s->inv_start = start;
		s->inv_last = last;
	} else {
		s->inv_start = min(s->inv_start, start);
		s->inv_last = max(s->inv_last, last);
	}
	s->seq++;
	spin_unlock(&s->lock);
}

/**
 * svm_tlb_invalidate_end() - an invalidation begun earlier ended
 * @s: the PASID's space.
 *
 * Return: true if no invalidation is in progress any more (wake fillers).
 */
bool svm_tlb_invalidate_end(struct svm_tlb_space *s)
{
	bool idle;

	spin_lock(&s->lock);
	/* An end without a begin (registered mid-invalidation) is ignored. */
	if (s->in_progress)
		s->in_progress--;
	idle = !s->in_progress;
	spin_unlock(&s->lock);
	return idle;
}

static bool svm_tlb_is_collateral(const struct svm_tlb_flush_req *req,
				  const struct svm_tlb_entry *e)
{
	unsigned int i;

	if (!req->changed)
		return !svm_tlb_overlaps(e, req->start, req->last);
	for (i = 0; i < req->nchanged; i++) {
		if (svm_tlb_overlaps(e, req->changed[i].start, req->changed[i].last))
			return false;
	}
	return true;
}

/* Remove @e (caller holds its space's lock), accounting it in @res. */
static void svm_tlb_remove(struct svm_tlb_set *set, struct svm_tlb_entry *e,
			   const struct svm_tlb_flush_req *req,
			   struct svm_tlb_flush_res *res, struct list_head *dead)
{
	res->removed++;
	res->collateral += svm_tlb_is_collateral(req, e);
	svm_tlb_unlink(set, e, dead);
}

static void svm_tlb_probe_one(struct svm_tlb_space *s, unsigned long vpn,
			      unsigned int shift,
			      const struct svm_tlb_flush_req *req,
			      struct svm_tlb_flush_res *res,
			      struct list_head *dead)
{
	struct svm_tlb_set *set = svm_tlb_set_of(s->tlb, s->pasid, vpn, shift);
	struct svm_tlb_entry *e;

	spin_lock(&set->lock);
	e = svm_tlb_find_locked(set, s, vpn, shift);
	if (e)
		svm_tlb_remove(set, e, req, res, dead);
	spin_unlock(&set->lock);
}

/* Probe each page of size 1 << @shift in the range (no overflow at the top). */
static void svm_tlb_probe_pages(struct svm_tlb_space *s, unsigned int shift,
				const struct svm_tlb_flush_req *req,
				struct svm_tlb_flush_res *res,
				struct list_head *dead)
{
	unsigned long vpn = req->start >> shift, last = req->last >> shift;

	for (;; vpn++) {
		svm_tlb_probe_one(s, vpn, shift, req, res, dead);
		if (vpn == last)
			break;
	}
}

/* Probe every 4K page and every 2M region of the range. */
static void svm_tlb_flush_probe(struct svm_tlb_space *s,
				const struct svm_tlb_flush_req *req,
				struct svm_tlb_flush_res *res,
				struct list_head *dead)
{
	svm_tlb_probe_pages(s, SVM_TLB_SHIFT_4K, req, res, dead);
	if (s->n2m)
		svm_tlb_probe_pages(s, SVM_TLB_SHIFT_2M, req, res, dead);
}

/*
 * Walk the space's entries, removing those in range (all if @all); with
 * @only_4k (an injected bug) the 2M ones stay.
 */
static void svm_tlb_flush_walk(struct svm_tlb_space *s,
			       const struct svm_tlb_flush_req *req, bool all,
			       bool only_4k, struct svm_tlb_flush_res *res,
			       struct list_head *dead)
{
	struct svm_tlb_entry *e, *n;
	struct svm_tlb_set *set;

	list_for_each_entry_safe(e, n, &s->entries, snode) {
		if (!all && !svm_tlb_overlaps(e, req->start, req->last))
			continue;
		if (only_4k && svm_tlb_entry_shift(e) == SVM_TLB_SHIFT_2M) {
			res->spared++;	/* what the bug changed: its INJECTED count */
			continue;
		}
		set = svm_tlb_set_of(s->tlb, s->pasid, svm_tlb_entry_vpn(e),
				     svm_tlb_entry_shift(e));
		spin_lock(&set->lock);
		svm_tlb_remove(set, e, req, res, dead);
		spin_unlock(&set->lock);
	}
}

/* Entries retired while the oldest stale one is this many generations old. */
#define SVM_TLB_GEN_SPAN	(1UL << (SVM_TLB_GEN_BITS - 2))

/* May @s retire again?  Not if the generations entries keep could wrap. */
static bool svm_tlb_may_retire(const struct svm_tlb_space *s)
{
	return !s->nstale || s->gen - s->stale_gen < SVM_TLB_GEN_SPAN;
}

/* Live entries of @s overlapping [start, last], probing each page. */
static unsigned long svm_tlb_count_range(struct svm_tlb_space *s,
					 unsigned long start, unsigned long last)
{
	unsigned int shifts[] = { SVM_TLB_SHIFT_4K, SVM_TLB_SHIFT_2M };
	struct svm_tlb_set *set;
	unsigned long vpn, n = 0;
	unsigned int i;

	for (i = 0; i < (s->n2m ? 2 : 1); i++) {
		for (vpn = start >> shifts[i];; vpn++) {
			set = svm_tlb_set_of(s->tlb, s->pasid, vpn, shifts[i]);
			spin_lock(&set->lock);
			n += !!svm_tlb_find_locked(set, s, vpn, shifts[i]);
			spin_unlock(&set->lock);
			if (vpn == last >> shifts[i])
				break;
		}
	}
	return n;
}

/*
 * Live entries of @s inside the ranges that really changed, or ULONG_MAX
 * if counting them would probe more than @budget pages.
 */
static unsigned long svm_tlb_count_changed(struct svm_tlb_space *s,
					   const struct svm_tlb_flush_req *req,
					   unsigned long budget)
{
	struct svm_tlb_range whole = { req->start, req->last };
	const struct svm_tlb_range *r = req->changed ? req->changed : &whole;
	unsigned int i, n = req->changed ? req->nchanged : 1;
	unsigned long probes = 0, inside = 0;

	for (i = 0; i < n; i++) {
		if (r[i].start == 0 && r[i].last == ULONG_MAX)
			return s->nentries;
		probes += svm_tlb_pages(r[i].start, r[i].last);
		if (s->n2m)
			probes += svm_tlb_huge_regions(r[i].start, r[i].last);
		if (probes > budget)
			return ULONG_MAX;
	}
	for (i = 0; i < n; i++)
		inside += svm_tlb_count_range(s, r[i].start, r[i].last);
	return inside;
}

/*
 * Retire every live entry of @s in O(CPUs): see "Retirement" in tlb.h.
 * Their collateral is counted now if the changed ranges can be probed
 * within @budget; their release waits for svm_tlb_space_reclaim().
 * Caller holds @s's lock.
 */
static void svm_tlb_retire(struct svm_tlb_space *s,
			   const struct svm_tlb_flush_req *req,
			   unsigned long budget, struct svm_tlb_flush_res *res)
{
	unsigned long inside = svm_tlb_count_changed(s, req, budget);
	unsigned long old = s->gen;
	int cpu;

	res->removed = s->nentries;
	res->retired = s->nentries;
	if (inside == ULONG_MAX)
		res->uncounted = s->nentries;
	else
		res->collateral = s->nentries - min(inside, s->nentries);

	if (!s->nstale)
		s->stale_gen = old;
	list_splice_tail_init(&s->entries, &s->stale);
	s->nstale += s->nentries;
	atomic_long_add(s->nentries, &s->tlb->nstale);
	WRITE_ONCE(s->nentries, 0);
	WRITE_ONCE(s->n2m, 0);

	WRITE_ONCE(s->gen, old + 1);
	/* Pairs with svm_tlb_hold(): it sees the new generation, or we its hold. */
	smp_mb();
	for_each_possible_cpu(cpu) {
		while (READ_ONCE(per_cpu_ptr(s->stats.pcpu, cpu)->holds[old & 1]))
			cpu_relax();
	}
	/* The accesses we waited for are done before our caller goes on. */
	smp_mb();
}

/* Does an injected bug make this flush leave the 2M entries? */
static bool svm_tlb_flush_bug(const struct svm_tlb_flush_req *req, bool full,
			      unsigned long pages)
{
	if (full)
		return req->bugs & SVM_TLB_FLUSH_FULL_4K;
	return (req->bugs & SVM_TLB_FLUSH_SMALL_4K) &&
	       pages < (1UL << (SVM_TLB_SHIFT_2M - SVM_TLB_SHIFT_4K));
}

static void svm_tlb_flush_locked(struct svm_tlb_space *s,
				 const struct svm_tlb_flush_req *req,
				 struct svm_tlb_flush_res *res,
				 struct list_head *dead)
{
	unsigned long pages = svm_tlb_pages(req->start, req->last);
	unsigned long budget = req->budget ? req->budget : ULONG_MAX;
	unsigned long probes;

	memset(res, 0, sizeof(*res));
	/* Fills that walked the page tables before this point are stale. */
	s->seq++;
	res->full = (req->start == 0 && req->last == ULONG_MAX) ||
		    (req->threshold && pages > req->threshold);
	if (!s->nentries)
		return;		/* the cheap case: 6.1 flushes each unmap twice */

	probes = pages;
	if (s->n2m)
		probes += svm_tlb_huge_regions(req->start, req->last);
	if (svm_tlb_flush_bug(req, res->full, pages)) {
		res->walked = true;
		svm_tlb_flush_walk(s, req, res->full, true, res, dead);
	} else if (!res->full && probes <= s->nentries && probes <= budget) {
		svm_tlb_flush_probe(s, req, res, dead);
	} else if (s->nentries <= budget || !svm_tlb_may_retire(s)) {
		res->walked = true;
		svm_tlb_flush_walk(s, req, res->full, false, res, dead);
	} else {
		/* Over the budget: the whole PASID, like its hardware flush. */
		res->full = true;
		svm_tlb_retire(s, req, budget, res);
	}

	svm_count(s, SVMSIM_STAT_TLB_FLUSHED, res->removed);
	svm_count(s, SVMSIM_STAT_TLB_COLLATERAL, res->collateral);
	if (!res->retired)
		svm_count(s, res->walked ? SVMSIM_STAT_TLB_WALK_FLUSHES :
					   SVMSIM_STAT_TLB_PROBE_FLUSHES, 1);
	if (res->full)
		svm_count(s, SVMSIM_STAT_TLB_FULL_FLUSHES, 1);
}

/* Flush (and with @kill, kill) @s: remove, drain under the lock, release. */
static void svm_tlb_flush_space(struct svm_tlb_space *s,
				const struct svm_tlb_flush_req *req, bool kill,
				struct svm_tlb_flush_res *res)
{
	LIST_HEAD(dead);

	spin_lock(&s->lock);
	if (kill)
		s->dead = true;
	svm_tlb_flush_locked(s, req, res, &dead);
	svm_tlb_drain(&dead);
	spin_unlock(&s->lock);
	svm_tlb_finish(s->tlb, &dead);
}

/**
 * svm_tlb_flush() - remove a PASID's translations of a range
 * @s: the PASID's space.
 * @req: the range (inclusive), escalation threshold, changed ranges and
 *	budget.
 * @res: out: what was removed.
 *
 * Bumps the invalidation sequence, so fills that walked the page tables
 * before are refused.  Returns only when no access holds a removed entry.
 * Costs O(min(pages in range, entries of the PASID)), and with a budget
 * at most @req->budget steps plus O(CPUs): past it, the PASID's entries
 * are retired (svm_tlb_space_reclaim() releases them later).  Must not be
 * called while holding an entry.
 */
void svm_tlb_flush(struct svm_tlb_space *s, const struct svm_tlb_flush_req *req,
		   struct svm_tlb_flush_res *res)
{
	if (WARN_ON_ONCE(req->start > req->last)) {
		memset(res, 0, sizeof(*res));
		return;
	}
	svm_tlb_flush_space(s, req, false, res);
}

/* A kill retires whatever the space holds, so it costs O(CPUs). */
static const struct svm_tlb_flush_req svm_tlb_kill_req = {
	.start = 0,
	.last = ULONG_MAX,
	.budget = 1,
};

/**
 * svm_tlb_space_kill() - refuse further inserts and retire the whole space
 * @s: the PASID's space.
 * @res: out: what was removed (retired).
 *
 * Idempotent; O(CPUs).  Returns only when no access holds any of its
 * entries.  The owner then calls svm_tlb_space_reclaim() until it returns
 * 0 before svm_tlb_space_detach().
 */
void svm_tlb_space_kill(struct svm_tlb_space *s, struct svm_tlb_flush_res *res)
{
	svm_tlb_flush_space(s, &svm_tlb_kill_req, true, res);
}

/**
 * svm_tlb_space_reclaim() - remove and release retired entries
 * @s: the PASID's space.
 * @budget: most entries to remove in this call.
 *
 * The owner's call (the releases run in its context, after the space lock
 * is dropped); never sleeps; holds the space lock for at most @budget
 * removals, so a caller that may sleep loops with cond_resched() between.
 *
 * Return: retired entries still left.
 */
unsigned long svm_tlb_space_reclaim(struct svm_tlb_space *s, unsigned long budget)
{
	struct svm_tlb_entry *e;
	struct svm_tlb_set *set;
	unsigned long left;
	LIST_HEAD(dead);

	spin_lock(&s->lock);
	for (; budget && s->nstale; budget--) {
		e = list_first_entry(&s->stale, struct svm_tlb_entry, snode);
		set = svm_tlb_set_of(s->tlb, s->pasid, svm_tlb_entry_vpn(e),
				     svm_tlb_entry_shift(e));
		spin_lock(&set->lock);
		svm_tlb_unlink(set, e, &dead);
		spin_unlock(&set->lock);
	}
	svm_tlb_drain(&dead);
	left = s->nstale;
	spin_unlock(&s->lock);
	svm_tlb_finish(s->tlb, &dead);
	return left;
}

/* ---- counters ----------------------------------------------------------- */

/**
 * svm_tlb_read_counters() - snapshot counters
 * @c: the counters (of a space or a table).
 * @out: SVM_TLB_NR_COUNTERS values, indexed by enum svmsim_stat.
 */
void svm_tlb_read_counters(const struct svm_tlb_counters *c, u64 *out)
{
	struct svm_tlb_pcpu *p;
	unsigned int i;
	int cpu;

	memset(out, 0, SVM_TLB_NR_COUNTERS * sizeof(*out));
	for_each_possible_cpu(cpu) {
		p = per_cpu_ptr(c->pcpu, cpu);
		for (i = 0; i < SVM_TLB_NR_COUNTERS; i++)
			out[i] += READ_ONCE(p->c[i]);
	}
}

/**
 * svm_tlb_reset_counters() - zero counters
 * @c: the counters.
 */
void svm_tlb_reset_counters(struct svm_tlb_counters *c)
{
	struct svm_tlb_pcpu *p;
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		p = per_cpu_ptr(c->pcpu, cpu);
		for (i = 0; i < SVM_TLB_NR_COUNTERS; i++)
			WRITE_ONCE(p->c[i], 0);
	}
}
