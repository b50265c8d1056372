/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mutator threads: each owns regions (i, i + T, ...) and, per iteration,
 * changes one with the workload's operation -- bound, timed, with the
 * device's translations cached first -- and asks its baseline peer to do
 * the same unbound, alternating which goes first.
 */
#ifndef _SVMBENCH_MUTATOR_H
#define _SVMBENCH_MUTATOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bench.h"
#include "hist.h"

struct mutator {
	pthread_t thread;
	unsigned int id;
	uint64_t quota;			/* iterations; 0: until the deadline */
	uint64_t rng;
	struct bench *b;
	struct hist *lat;		/* bound latencies */
	uint64_t failures;		/* op failures, bound */
	uint64_t failures_unbound;
	uint64_t discarded;		/* samples that timed something else, bound */
	uint64_t discarded_unbound;
	uint64_t *child_buf;		/* the cow child's snapshot */
	struct region *cur;		/* the region being changed */
	uint64_t gen;			/* ... to this generation */
	bool started;			/* its thread runs */
	int err;			/* fatal error, -errno */
};

int mutators_start(struct bench *b);
int mutators_join(struct bench *b);
void mutators_free(struct bench *b);

#endif /* _SVMBENCH_MUTATOR_H */
