// SPDX-License-Identifier: GPL-2.0
/*
 * zap: the driver zaps the region, a device window, with zap_vma_ptes()
 * (SVMSIM_IOC_ZAP, timed), as the seed's write() did -- moving it to new
 * backing pages first (SVMSIM_ZAP_SWAP), so that a device entry left
 * stale reads the old page and is seen.  The CPU refaults and stamps.
 * (pagemap does not show a window's VM_PFNMAP pages: the CPU's touch
 * right before is what makes them present.)
 */
#include "clock.h"
#include "svmsim/dev.h"
#include "workload.h"

static int zap_mutate(struct mutation *m)
{
	bool present = mutation_prepare(m);
	uint64_t t0 = now_ns();
	int ret;

	ret = svmsim_zap(m->map->window_fd, m->map->base, map_len(m->map), SVMSIM_ZAP_SWAP);
	if (ret)
		return ret;
	mutation_sample(m, now_ns() - t0, present);
	map_stamp(m->map, m->gen);
	return 0;
}

const struct workload workload_zap = {
	.name = "zap",
	.op = "SVMSIM_IOC_ZAP",
	.window = true,
	.mutate = zap_mutate,
};
