// SPDX-License-Identifier: GPL-2.0
/*
 * mprotect: make the region read-only (timed), stay so for the pause (a
 * device write must fault then), make it writable again and stamp it.  A
 * sample counts only if every page was present when the mprotect started.
 */
#include <errno.h>
#include <sys/mman.h>

#include "clock.h"
#include "workload.h"

static int mprotect_mutate(struct mutation *m)
{
	bool present = mutation_prepare(m);	/* else fewer PTEs to change */
	uint64_t t0 = now_ns();

	if (mprotect(m->map->base, map_len(m->map), PROT_READ))
		return -errno;
	mutation_sample(m, now_ns() - t0, present);
	mutation_dwell(m, RS_READONLY);
	if (mprotect(m->map->base, map_len(m->map), PROT_READ | PROT_WRITE))
		return -errno;
	map_stamp(m->map, m->gen);
	return 0;
}

const struct workload workload_mprotect = {
	.name = "mprotect",
	.op = "mprotect(PROT_READ)",
	.preserves = true,
	.mutate = mprotect_mutate,
};
