// SPDX-License-Identifier: GPL-2.0
/*
 * dontneed: madvise(MADV_DONTNEED) the region (timed): its pages go, the
 * CPU's next touch maps zero pages, which it stamps.  A sample counts only
 * if every page was present (faulted in) when the madvise started.
 */
#include <errno.h>
#include <sys/mman.h>

#include "clock.h"
#include "workload.h"

static int dontneed_mutate(struct mutation *m)
{
	bool present = mutation_prepare(m);	/* else it drops less than the region */
	uint64_t t0 = now_ns();

	if (madvise(m->map->base, map_len(m->map), MADV_DONTNEED))
		return -errno;
	mutation_sample(m, now_ns() - t0, present);
	map_stamp(m->map, m->gen);
	return 0;
}

const struct workload workload_dontneed = {
	.name = "dontneed",
	.op = "madvise(MADV_DONTNEED)",
	.mutate = dontneed_mutate,
};
