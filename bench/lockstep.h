/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --lockstep: the mutator threads start each iteration together, so T
 * invalidations are in flight at once (the queued-batching study: K
 * descriptors under one device wait against K waits).
 */
#ifndef _SVMBENCH_LOCKSTEP_H
#define _SVMBENCH_LOCKSTEP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * A barrier that threads may leave (a mutator whose quota or --duration
 * is done) and that gives up when @abort or @stop is set, so no thread
 * waits on one that will never come.
 */
struct lockstep {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int parties;		/* threads still stepping */
	unsigned int arrived;		/* of them, waiting for this step */
	uint64_t step;			/* steps released so far */
	const atomic_bool *abort;
	const atomic_bool *stop;
	bool live;			/* initialised, not yet destroyed */
};

void lockstep_init(struct lockstep *l, unsigned int parties, const atomic_bool *abort,
		   const atomic_bool *stop);
/* Once no party waits; a no-op on a lockstep never initialised (zeroed). */
void lockstep_destroy(struct lockstep *l);
/* Wait until every party still stepping has arrived (or a stop). */
void lockstep_wait(struct lockstep *l);
/* This party takes no more steps. */
void lockstep_leave(struct lockstep *l);

#endif /* _SVMBENCH_LOCKSTEP_H */
