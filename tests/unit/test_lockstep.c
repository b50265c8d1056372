// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of svmbench's --lockstep barrier (bench/lockstep.c): threads with
 * different quotas step together -- none starts step s until every thread
 * still stepping has finished step s - 1 -- and those whose quota is done
 * leave without stalling the rest; a stop (abort or --stop-on-detect)
 * releases every waiter.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "lockstep.h"
#include "tap.h"

TAP_DEFINE_STATE;

#define NTHREADS	5
#define MAX_QUOTA	400

static struct lockstep ls;
static atomic_bool abort_flag, stop_flag;
static const unsigned int quota[NTHREADS] = { 400, 399, 250, 1, 0 };
static atomic_uint done[NTHREADS];	/* steps finished */
static atomic_uint early;		/* a thread ran ahead of a party */

static void *stepper(void *arg)
{
	unsigned int me = (unsigned int)(uintptr_t)arg;

	for (unsigned int s = 0; s < quota[me]; s++) {
		lockstep_wait(&ls);
		/* Every party still stepping finished step s - 1. */
		for (unsigned int t = 0; t < NTHREADS; t++)
			if (quota[t] > s && atomic_load(&done[t]) < s)
				atomic_fetch_add(&early, 1);
		atomic_store(&done[me], s + 1);
	}
	lockstep_leave(&ls);
	return NULL;
}

static void test_steps(void)
{
	pthread_t th[NTHREADS];
	unsigned int short_of = 0;

	lockstep_init(&ls, NTHREADS, &abort_flag, &stop_flag);
	for (unsigned int i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, stepper, (void *)(uintptr_t)i);
	for (unsigned int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	lockstep_destroy(&ls);
	for (unsigned int i = 0; i < NTHREADS; i++)
		short_of += atomic_load(&done[i]) != quota[i];
	tap_ok(!short_of, "quotas 400, 399, 250, 1, 0: every thread did its steps, none "
	       "stalled by those that left (%u short)", short_of);
	tap_ok(!atomic_load(&early), "no thread began a step before every party still "
	       "stepping had finished the one before (%u early)", atomic_load(&early));
	tap_ok(!ls.live, "destroyed; a second destroy is a no-op");
	lockstep_destroy(&ls);
}

static void *waiter(void *arg)
{
	(void)arg;
	lockstep_wait(&ls);
	return NULL;
}

static void test_stop(atomic_bool *flag, const char *name)
{
	struct timespec ts = { 0, 30000000 };
	pthread_t th[2];

	atomic_store(flag, false);
	/* Three parties, two come: they wait until @flag is set. */
	lockstep_init(&ls, 3, &abort_flag, &stop_flag);
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, waiter, NULL);
	nanosleep(&ts, NULL);
	atomic_store(flag, true);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	tap_ok(ls.arrived == 0 && ls.step == 0,
	       "%s: both waiters of a step that never fills return, and leave it "
	       "(arrived %u, step %llu)", name, ls.arrived, (unsigned long long)ls.step);
	lockstep_destroy(&ls);
	atomic_store(flag, false);
}

int main(void)
{
	test_steps();
	test_stop(&abort_flag, "abort");
	test_stop(&stop_flag, "stop");
	return tap_finish();
}
