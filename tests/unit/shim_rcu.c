// SPDX-License-Identifier: GPL-2.0
/*
 * RCU for the ThreadSanitizer build of the unit tests (SVM_SHIM_RWLOCK_RCU).
 *
 * TSan cannot see liburcu's grace periods, which rest on membarrier(), and
 * would report every free after call_rcu() as a race with the readers.  A
 * reader-writer lock gives the same guarantee -- a grace period (taking the
 * write side) ends only after every reader section that began before it --
 * and TSan understands it.  Readers nest (per-thread depth); callbacks are
 * batched and run after a grace period, never inside a read section.
 */
#include <pthread.h>
#include <stdlib.h>

#include "svmsim/user_shim.h"

static pthread_rwlock_t gp_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t cb_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rcu_head *pending;
static unsigned long npending;
static __thread int depth;

#define BATCH 4096

void rcu_read_lock(void)
{
	if (depth++ == 0)
		pthread_rwlock_rdlock(&gp_lock);
}

void rcu_read_unlock(void)
{
	if (--depth == 0)
		pthread_rwlock_unlock(&gp_lock);
}

void synchronize_rcu(void)
{
	if (depth)
		abort();	/* a grace period inside a reader deadlocks */
	pthread_rwlock_wrlock(&gp_lock);
	pthread_rwlock_unlock(&gp_lock);
}

static void run_callbacks(struct rcu_head *list)
{
	while (list) {
		struct rcu_head *next = list->next;

		list->func(list);
		list = next;
	}
}

void rcu_barrier(void)
{
	struct rcu_head *list;

	pthread_mutex_lock(&cb_lock);
	list = pending;
	pending = NULL;
	npending = 0;
	pthread_mutex_unlock(&cb_lock);
	synchronize_rcu();
	run_callbacks(list);
}

void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	bool flush;

	head->func = func;
	pthread_mutex_lock(&cb_lock);
	head->next = pending;
	pending = head;
	flush = ++npending >= BATCH;
	pthread_mutex_unlock(&cb_lock);
	if (flush && !depth)
		rcu_barrier();
}
