// SPDX-License-Identifier: GPL-2.0
/*
 * mixed: each iteration draws one of the anonymous-memory operations
 * (dontneed, munmap, cow, migrate when there are two NUMA nodes,
 * mprotect).  zap is not among them: it needs device-window regions.
 */
#include "svmsim/rng.h"
#include "workload.h"

static const struct workload *const mixed_ops[] = {
	&workload_dontneed, &workload_munmap, &workload_cow, &workload_migrate,
	&workload_mprotect,
};

static const struct workload *mixed_pick(uint64_t *rng, unsigned int nnodes)
{
	const struct workload *w;

	do
		w = mixed_ops[rng_below(rng, sizeof(mixed_ops) / sizeof(mixed_ops[0]))];
	while (w->needs_numa && nnodes < 2);
	return w;
}

const struct workload workload_mixed = {
	.name = "mixed",
	.op = "mixed",
	.forks = true,
	.pick = mixed_pick,
};
