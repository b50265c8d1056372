// SPDX-License-Identifier: GPL-2.0
/*
 * dontneed: madvise(MADV_DONTNEED) the region (timed): its pages go, the
 * CPU's next touch maps zero pages, which it stamps.  A sample counts only
 * if every page was present (faulted in) when the madvise started.
 *
 * --op-pages N drops the first N pages only.  In a THP region that is a
 * zap inside a huge page: the kernel splits the PMD (the same pages, now
 * mapped by PTEs) and then zaps the 4K pages -- the path where a driver
 * must not leave a 2M entry covering them.  The first touch after a split
 * maps 4K pages, so each such op first drops the whole region (untimed):
 * the touch before the op then faults in a fresh PMD-mapped THP.
 */
#include <errno.h>
#include <sys/mman.h>

#include "clock.h"
#include "workload.h"

static size_t dontneed_pages(const struct mutation *m)
{
	return m->op_pages && m->op_pages < m->map->npages ? m->op_pages : m->map->npages;
}

static int dontneed_mutate(struct mutation *m)
{
	size_t len = dontneed_pages(m) * PAGE_SZ;
	bool present;
	uint64_t t0;

	if (m->map->huge && len < map_len(m->map) && madvise(m->map->base, map_len(m->map),
							     MADV_DONTNEED))
		return -errno;
	present = mutation_prepare(m);		/* else it drops less than the region */
	t0 = now_ns();
	if (madvise(m->map->base, len, MADV_DONTNEED))
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
