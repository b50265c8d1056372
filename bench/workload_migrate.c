// SPDX-License-Identifier: GPL-2.0
/*
 * migrate: move_pages(2) every page of the region to the other NUMA node
 * (timed); the CPU stamps the copies.  Pages the kernel could not move
 * (e.g. -EBUSY: pinned by the device) are counted as failures.
 */
#include <errno.h>
#include <linux/mempolicy.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clock.h"
#include "workload.h"

/* libnuma is not linked in: the system call itself. */
static long move_pages(size_t n, void **pages, const int *nodes, int *status, int flags)
{
	return syscall(SYS_move_pages, 0, n, pages, nodes, status, flags);
}

/* The node that is not where page 0 is now. */
static int migrate_target(struct mutation *m, void **pages)
{
	int where = -1;

	if (move_pages(1, pages, NULL, &where, 0) < 0)
		return -errno;
	return where == m->nodes[0] ? m->nodes[1] : m->nodes[0];
}

static uint64_t migrate_failures(long ret, const int *status, size_t n)
{
	uint64_t failed = 0;
	size_t k;

	if (ret > 0)		/* the kernel gave up: that many pages not moved */
		return (uint64_t)ret;
	for (k = 0; k < n; k++)
		failed += status[k] < 0;
	return failed;
}

static int migrate_run(struct mutation *m, void **pages, int *nodes, int *status)
{
	size_t n = m->map->npages, k;
	int target;
	uint64_t t0;
	long ret;

	for (k = 0; k < n; k++)
		pages[k] = map_page(m->map, k);
	target = migrate_target(m, pages);
	if (target < 0)
		return target;
	for (k = 0; k < n; k++)
		nodes[k] = target;
	mutation_prepare(m);
	t0 = now_ns();
	ret = move_pages(n, pages, nodes, status, MPOL_MF_MOVE);
	if (ret < 0)
		return -errno;
	mutation_record(m, t0);
	m->failures += migrate_failures(ret, status, n);
	map_stamp(m->map, m->gen);
	return 0;
}

static int migrate_mutate(struct mutation *m)
{
	size_t n = m->map->npages;
	void **pages = calloc(n, sizeof(*pages));
	int *nodes = calloc(n, sizeof(*nodes)), *status = calloc(n, sizeof(*status));
	int ret = pages && nodes && status ? migrate_run(m, pages, nodes, status) : -ENOMEM;

	free(pages);
	free(nodes);
	free(status);
	return ret;
}

const struct workload workload_migrate = {
	.name = "migrate",
	.op = "move_pages",
	.needs_numa = true,
	.mutate = migrate_mutate,
};
