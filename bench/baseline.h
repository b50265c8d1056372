/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unbound baseline: one peer process per mutator thread, forked at
 * startup -- before the device is opened or bound and before any thread
 * exists -- with its own copies of that mutator's regions.  When asked
 * over a pipe it performs the same operation on its copy (the same
 * workload code, minus the device) and times it into a histogram in
 * shared memory.  Bound and unbound operations never overlap: a side lock
 * lets any number of either kind run, never both kinds at once.
 */
#ifndef _SVMBENCH_BASELINE_H
#define _SVMBENCH_BASELINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hist.h"

struct options;
struct sysinfo;
struct workload;

enum side { SIDE_BOUND, SIDE_UNBOUND };

struct peer {
	pid_t pid;
	int req;		/* requests to the peer */
	int rep;		/* its replies */
	struct hist *hist;	/* its latencies, in shared memory */
};

struct baseline {
	bool on;
	unsigned int n;
	struct peer *peers;
	void *shm;
	size_t shm_len;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int active[2];	/* operations in progress, by side */
};

int baseline_start(struct baseline *b, const struct options *o, const struct sysinfo *si);
int baseline_op(struct baseline *b, unsigned int peer, unsigned int region,
		const struct workload *op, uint64_t gen, uint64_t *failures, uint64_t *discarded);
int baseline_stop(struct baseline *b, struct hist *merged);
void side_enter(struct baseline *b, enum side s);
void side_leave(struct baseline *b, enum side s);

#endif /* _SVMBENCH_BASELINE_H */
