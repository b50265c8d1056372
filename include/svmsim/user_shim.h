/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-ins for the kernel APIs that the software IOTLB core
 * (drv/tlb.c) uses, so that the very same file is compiled into the module
 * and into user-space tests and benchmarks -- the way the kernel's own
 * tools/testing/radix-tree runs lib/radix-tree.c over liburcu.
 *
 * Only what the core needs is here.  Semantics follow the kernel:
 *  - spinlock_t is a mutex (user space may sleep, and a mutex keeps
 *    ThreadSanitizer exact); the core never sleeps under one anyway;
 *  - READ_ONCE/WRITE_ONCE/atomics are C11-style __atomic builtins, which
 *    sanitizers understand;
 *  - RCU is liburcu's memb flavour.  ThreadSanitizer cannot see liburcu's
 *    grace periods (membarrier), so the TSan build defines
 *    SVM_SHIM_RWLOCK_RCU and gets a reader-writer-lock RCU instead
 *    (tests/unit/shim_rcu.c): slower, same guarantees, visible to TSan.
 */
#ifndef _SVMSIM_USER_SHIM_H
#define _SVMSIM_USER_SHIM_H

#ifdef __KERNEL__
#error "user_shim.h is for user space only"
#endif

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
typedef unsigned int gfp_t;

#define GFP_KERNEL	0u
#define GFP_NOWAIT	1u
#define __GFP_NOWARN	0u

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define __always_unused	__attribute__((unused))
#define __must_check	__attribute__((warn_unused_result))

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#ifdef __SANITIZE_THREAD__
/*
 * TSan does not model fences: a sequentially consistent read-modify-write
 * of one shared word orders the same accesses (all of them are totally
 * ordered and synchronise with each other) and TSan sees it.
 */
int shim_mb_word __attribute__((weak));
#define smp_mb()		((void)__atomic_fetch_add(&shim_mb_word, 0, __ATOMIC_SEQ_CST))
#else
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
/* The kernel's is free after a fully ordered RMW; C11 wants the fence. */
#define smp_mb__after_atomic()	smp_mb()
#define cpu_relax()		sched_yield()
#define might_sleep()		do { } while (0)
#define lockdep_assert_held(l)	do { (void)(l); } while (0)

#define WARN_ON_ONCE(cond) ({							\
	bool __c = !!(cond);							\
	if (unlikely(__c)) {							\
		fprintf(stderr, "WARN_ON_ONCE(%s) at %s:%d\n", #cond,		\
			__FILE__, __LINE__);					\
		abort();							\
	}									\
	__c;									\
})

#define min(a, b)	((a) < (b) ? (a) : (b))
#define max(a, b)	((a) > (b) ? (a) : (b))

static inline bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

static inline unsigned int ilog2(unsigned long n)
{
	return (unsigned int)(sizeof(long) * 8 - 1 - __builtin_clzl(n));
}

/* ---- locks ---- */

typedef struct {
	pthread_mutex_t m;
} spinlock_t;

static inline void spin_lock_init(spinlock_t *l)
{
	pthread_mutex_init(&l->m, NULL);
}

static inline void spin_lock(spinlock_t *l)
{
	pthread_mutex_lock(&l->m);
}

static inline void spin_unlock(spinlock_t *l)
{
	pthread_mutex_unlock(&l->m);
}

static inline int spin_trylock(spinlock_t *l)
{
	return pthread_mutex_trylock(&l->m) == 0;
}

/* ---- atomics ---- */

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
typedef struct { s64 counter; } atomic64_t;

#define ATOMIC_INIT(i)	{ (i) }

#define __SHIM_ATOMIC_OPS(pfx, atype, ctype)					\
static inline ctype pfx##_read(const atype *v)					\
{ return __atomic_load_n(&v->counter, __ATOMIC_RELAXED); }			\
static inline void pfx##_set(atype *v, ctype i)				\
{ __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED); }			\
static inline void pfx##_add(ctype i, atype *v)				\
{ __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED); }			\
static inline void pfx##_sub(ctype i, atype *v)				\
{ __atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED); }			\
static inline void pfx##_inc(atype *v) { pfx##_add(1, v); }			\
static inline void pfx##_dec(atype *v) { pfx##_sub(1, v); }			\
static inline ctype pfx##_inc_return(atype *v)					\
{ return __atomic_add_fetch(&v->counter, 1, __ATOMIC_SEQ_CST); }		\
static inline ctype pfx##_dec_return(atype *v)					\
{ return __atomic_sub_fetch(&v->counter, 1, __ATOMIC_SEQ_CST); }		\
static inline ctype pfx##_fetch_or(ctype i, atype *v)				\
{ return __atomic_fetch_or(&v->counter, i, __ATOMIC_SEQ_CST); }		\
static inline ctype pfx##_fetch_add(ctype i, atype *v)				\
{ return __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST); }		\
static inline ctype pfx##_xchg(atype *v, ctype i)				\
{ return __atomic_exchange_n(&v->counter, i, __ATOMIC_SEQ_CST); }		\
static inline bool pfx##_try_cmpxchg(atype *v, ctype *old, ctype new)		\
{ return __atomic_compare_exchange_n(&v->counter, old, new, false,		\
				     __ATOMIC_SEQ_CST, __ATOMIC_RELAXED); }	\
static inline ctype pfx##_read_acquire(const atype *v)				\
{ return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE); }

__SHIM_ATOMIC_OPS(atomic, atomic_t, int)
__SHIM_ATOMIC_OPS(atomic_long, atomic_long_t, long)
__SHIM_ATOMIC_OPS(atomic64, atomic64_t, s64)

/*
 * ---- per-CPU data ----
 * As in the kernel, a per-CPU object is one copy per CPU at a fixed stride
 * and this_cpu_add() adds "this CPU's" offset to the address of copy 0.
 * A "CPU" here is a slot handed to each thread on first use.
 */
#define __percpu
#define SHIM_NR_CPUS		16
#define SHIM_PCPU_STRIDE	256	/* bytes: one copy, on its own lines */

static inline unsigned int shim_this_cpu(void)
{
	static __thread int slot = -1;
	static int next;

	if (slot < 0)
		slot = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) % SHIM_NR_CPUS;
	return (unsigned int)slot;
}

#define shim_cpu_off(ptr, cpu) \
	((__typeof__(ptr))((char *)(ptr) + (size_t)(cpu) * SHIM_PCPU_STRIDE))
#define alloc_percpu(type) ({							\
	_Static_assert(sizeof(type) <= SHIM_PCPU_STRIDE, "per-CPU object too big"); \
	(type *)calloc(SHIM_NR_CPUS, SHIM_PCPU_STRIDE);				\
})
#define free_percpu(p)			free(p)
#define per_cpu_ptr(p, cpu)		shim_cpu_off(p, cpu)
#define for_each_possible_cpu(cpu)	for ((cpu) = 0; (cpu) < SHIM_NR_CPUS; (cpu)++)
#define this_cpu_add(var, n) \
	((void)__atomic_fetch_add(shim_cpu_off(&(var), shim_this_cpu()), (n), __ATOMIC_RELAXED))
#define this_cpu_inc(var)		this_cpu_add(var, 1)
#define this_cpu_dec(var)		this_cpu_add(var, -1)

/* ---- allocation ---- */

static inline void *kmalloc(size_t n, gfp_t gfp)
{
	(void)gfp;
	return malloc(n);
}

static inline void *kzalloc(size_t n, gfp_t gfp)
{
	(void)gfp;
	return calloc(1, n);
}

static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	(void)gfp;
	return calloc(n, size);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

#define kvfree kfree

/*
 * A kmem_cache is its object size and alignment; objects come from
 * aligned_alloc(), so an entry takes its size rounded to the alignment,
 * as in the kernel's slab.
 */
#define SLAB_HWCACHE_ALIGN	1ul
#define SHIM_CACHE_LINE		64

struct kmem_cache {
	size_t size;
	size_t align;
};

static inline struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
						   unsigned int align, unsigned long flags,
						   void (*ctor)(void *))
{
	struct kmem_cache *c = malloc(sizeof(*c));

	(void)name;
	(void)ctor;	/* the core passes none */
	if (!c)
		return NULL;
	c->align = (flags & SLAB_HWCACHE_ALIGN) ? SHIM_CACHE_LINE : (align ? align : sizeof(void *));
	c->size = (size + c->align - 1) / c->align * c->align;
	return c;
}

static inline void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t gfp)
{
	void *p = aligned_alloc(c->align, c->size);

	(void)gfp;
	if (p)
		memset(p, 0, c->size);
	return p;
}

static inline void kmem_cache_free(struct kmem_cache *c, void *p)
{
	(void)c;
	free(p);
}

static inline unsigned int kmem_cache_size(struct kmem_cache *c)
{
	return (unsigned int)c->size;
}

static inline void kmem_cache_destroy(struct kmem_cache *c)
{
	free(c);
}

/* ---- hashing and randomness ---- */

#define GOLDEN_RATIO_64 0x61C8864680B583EBull

static inline u32 hash_64(u64 val, unsigned int bits)
{
	return bits ? (u32)((val * GOLDEN_RATIO_64) >> (64 - bits)) : 0;
}

static inline u32 get_random_u32(void)
{
	static __thread u64 x;

	if (!x)
		x = (u64)(uintptr_t)&x ^ 0x9E3779B97F4A7C15ull;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (u32)(x >> 32);
}

/* ---- RCU ---- */

#ifdef SVM_SHIM_RWLOCK_RCU
struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

void rcu_read_lock(void);
void rcu_read_unlock(void);
void synchronize_rcu(void);
void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head));
void rcu_barrier(void);
static inline void rcu_register_thread(void) { }
static inline void rcu_unregister_thread(void) { }
#else
/* Keep the rcu_* names mapped to the memb flavour; inline read side. */
#define URCU_API_MAP
#define _LGPL_SOURCE
#include <urcu/urcu-memb.h>
#include <urcu/call-rcu.h>
#undef rcu_dereference
#undef rcu_assign_pointer
#endif

/* Acquire/release in C11 terms, so every build's sanitizers see the order. */
#define rcu_dereference(p)		__atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define rcu_dereference_protected(p, c)	(p)
#define rcu_assign_pointer(p, v)	__atomic_store_n(&(p), (v), __ATOMIC_RELEASE)

/* ---- lists (the subset of <linux/list.h> and <linux/rculist.h> used) ---- */

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name)	{ &(name), &(name) }
#define LIST_HEAD(name)		struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *l)
{
	l->next = l;
	l->prev = l;
}

static inline void __list_add(struct list_head *n, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

static inline void list_add(struct list_head *n, struct list_head *head)
{
	__list_add(n, head, head->next);
}

static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	__list_add(n, head->prev, head);
}

static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = NULL;
	e->prev = NULL;
}

static inline void list_move(struct list_head *e, struct list_head *head)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	list_add(e, head);
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

#define list_entry(ptr, type, member)	container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_first_entry_or_null(ptr, type, member)				\
	(list_empty(ptr) ? NULL : list_first_entry(ptr, type, member))
#define list_last_entry(ptr, type, member) list_entry((ptr)->prev, type, member)

/* Move @list's entries to the tail of @head; @list is left empty. */
static inline void list_splice_tail_init(struct list_head *list,
					 struct list_head *head)
{
	if (list_empty(list))
		return;
	list->next->prev = head->prev;
	head->prev->next = list->next;
	list->prev->next = head;
	head->prev = list->prev;
	INIT_LIST_HEAD(list);
}
#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)

#define list_for_each_entry(pos, head, member)					\
	for (pos = list_first_entry(head, __typeof__(*pos), member);		\
	     &pos->member != (head);						\
	     pos = list_next_entry(pos, member))

#define list_for_each_entry_safe(pos, n, head, member)				\
	for (pos = list_first_entry(head, __typeof__(*pos), member),		\
	     n = list_next_entry(pos, member);					\
	     &pos->member != (head);						\
	     pos = n, n = list_next_entry(n, member))

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#define INIT_HLIST_HEAD(ptr)	((ptr)->first = NULL)

static inline void hlist_add_head_rcu(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	n->pprev = &h->first;
	if (first)
		first->pprev = &n->next;
	rcu_assign_pointer(h->first, n);
}

/* Unlink; readers already on @n still see a valid ->next. */
static inline void hlist_del_rcu(struct hlist_node *n)
{
	struct hlist_node *next = n->next;

	__atomic_store_n(n->pprev, next, __ATOMIC_RELEASE);
	if (next)
		next->pprev = n->pprev;
	n->pprev = NULL;
}

#define hlist_entry_safe(ptr, type, member) ({					\
	__typeof__(ptr) ____ptr = (ptr);					\
	____ptr ? container_of(____ptr, type, member) : NULL;			\
})

#define hlist_for_each_entry_rcu(pos, head, member)				\
	for (pos = hlist_entry_safe(rcu_dereference((head)->first),		\
				    __typeof__(*(pos)), member);		\
	     pos;								\
	     pos = hlist_entry_safe(rcu_dereference((pos)->member.next),	\
				    __typeof__(*(pos)), member))

/* Writers under the lock that protects the chain. */
#define hlist_for_each_entry(pos, head, member)					\
	for (pos = hlist_entry_safe((head)->first, __typeof__(*(pos)), member);\
	     pos;								\
	     pos = hlist_entry_safe((pos)->member.next, __typeof__(*(pos)), member))

#define hlist_for_each_entry_safe(pos, n, head, member)				\
	for (pos = hlist_entry_safe((head)->first, __typeof__(*pos), member);	\
	     pos && ({ n = pos->member.next; 1; });				\
	     pos = hlist_entry_safe(n, __typeof__(*pos), member))

#endif /* _SVMSIM_USER_SHIM_H */
