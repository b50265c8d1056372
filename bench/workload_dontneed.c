// SPDX-License-Identifier: GPL-2.0
/*
 * dontneed: madvise(MADV_DONTNEED) the region (timed): its pages go, the
 * CPU's next touch maps zero pages, which it stamps.
 */
#include <errno.h>
#include <sys/mman.h>

#include "clock.h"
#include "workload.h"

static int dontneed_mutate(struct mutation *m)
{
	uint64_t t0;

	mutation_prepare(m);
	t0 = now_ns();
	if (madvise(m->map->base, map_len(m->map), MADV_DONTNEED))
		return -errno;
	mutation_record(m, t0);
	map_stamp(m->map, m->gen);
	return 0;
}

const struct workload workload_dontneed = {
	.name = "dontneed",
	.op = "madvise(MADV_DONTNEED)",
	.mutate = dontneed_mutate,
};
