// SPDX-License-Identifier: GPL-2.0
/*
 * munmap: unmap the region (timed), stay unmapped for the pause, map fresh
 * anonymous memory at the same address and stamp it.  Device accesses
 * while unmapped must fault; afterwards they must see the new pages.  A
 * sample counts only if every page was present when the munmap started.
 */
#include <errno.h>
#include <sys/mman.h>

#include "clock.h"
#include "workload.h"

static int munmap_mutate(struct mutation *m)
{
	bool present = mutation_prepare(m);	/* else fewer pages to unmap */
	uint64_t t0 = now_ns();
	int ret;

	if (munmap(m->map->base, map_len(m->map)))
		return -errno;
	mutation_sample(m, now_ns() - t0, present);
	mutation_dwell(m, RS_UNMAPPED);
	ret = map_remap(m->map);
	if (ret)
		return ret;
	map_stamp(m->map, m->gen);
	return 0;
}

const struct workload workload_munmap = {
	.name = "munmap",
	.op = "munmap",
	.mutate = munmap_mutate,
};
