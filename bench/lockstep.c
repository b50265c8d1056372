// SPDX-License-Identifier: GPL-2.0
/* --lockstep's barrier (lockstep.h). */
#include <time.h>

#include "lockstep.h"

/* A stop is polled this often by a waiting party. */
#define POLL_NS	10000000L

void lockstep_init(struct lockstep *l, unsigned int parties, const atomic_bool *abort,
		   const atomic_bool *stop)
{
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	l->parties = parties;
	l->arrived = 0;
	l->step = 0;
	l->abort = abort;
	l->stop = stop;
	l->live = true;
}

void lockstep_destroy(struct lockstep *l)
{
	if (!l->live)
		return;
	l->live = false;
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
}

/* Everyone still stepping is here: release them.  Caller holds @l->lock. */
static void lockstep_release_if_all(struct lockstep *l)
{
	if (l->arrived && l->arrived >= l->parties) {
		l->arrived = 0;
		l->step++;
		pthread_cond_broadcast(&l->cond);
	}
}

static bool lockstep_stopped(const struct lockstep *l)
{
	return atomic_load(l->abort) || atomic_load(l->stop);
}

void lockstep_wait(struct lockstep *l)
{
	struct timespec ts;
	uint64_t step;

	pthread_mutex_lock(&l->lock);
	step = l->step;
	l->arrived++;
	lockstep_release_if_all(l);
	while (l->step == step && !lockstep_stopped(l)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += POLL_NS;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&l->cond, &l->lock, &ts);
	}
	if (l->step == step)		/* stopped: not waiting any more */
		l->arrived--;
	pthread_mutex_unlock(&l->lock);
}

void lockstep_leave(struct lockstep *l)
{
	pthread_mutex_lock(&l->lock);
	l->parties--;
	lockstep_release_if_all(l);
	pthread_mutex_unlock(&l->lock);
}
