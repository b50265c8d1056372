// SPDX-License-Identifier: GPL-2.0
/*
 * migrate: move_pages(2) every page of the region to the other NUMA node
 * (timed); the CPU stamps the copies.  Pages the kernel could not move
 * (e.g. -EBUSY: pinned by the device) are counted as failures.  A sample
 * counts only if every page was present and on one node before, and on
 * the other after: a move_pages that moved fewer pages (none, on a pinned
 * device) timed something else, and is discarded.
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

/*
 * The node that is not where page 0 is now; *@home: whether every page is
 * present and on page 0's node, so that all of them have to move.
 */
static int migrate_target(struct mutation *m, void **pages, int *status, bool *home)
{
	size_t k, n = m->map->npages;

	if (move_pages(n, pages, NULL, status, 0) < 0)
		return -errno;
	*home = status[0] >= 0;
	for (k = 1; k < n; k++)
		*home &= status[k] == status[0];
	return status[0] == m->nodes[0] ? m->nodes[1] : m->nodes[0];
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

/* Did every page move to @target? */
static bool migrate_moved(long ret, const int *status, size_t n, int target)
{
	size_t k;

	for (k = 0; !ret && k < n; k++)
		if (status[k] != target)
			return false;
	return !ret;
}

static int migrate_run(struct mutation *m, void **pages, int *nodes, int *status)
{
	size_t n = m->map->npages, k;
	bool present, home = false;
	int target;
	uint64_t t0, ns;
	long ret;

	for (k = 0; k < n; k++)
		pages[k] = map_page(m->map, k);
	present = mutation_prepare(m);
	target = migrate_target(m, pages, status, &home);
	if (target < 0)
		return target;
	for (k = 0; k < n; k++)
		nodes[k] = target;
	t0 = now_ns();
	ret = move_pages(n, pages, nodes, status, MPOL_MF_MOVE);
	ns = now_ns() - t0;
	if (ret < 0)
		return -errno;
	m->failures += migrate_failures(ret, status, n);
	mutation_sample(m, ns, present && home && migrate_moved(ret, status, n, target));
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
	.preserves = true,
	.mutate = migrate_mutate,
};
