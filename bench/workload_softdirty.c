// SPDX-License-Identifier: GPL-2.0
/*
 * softdirty: write "4" to /proc/self/clear_refs (timed).  The kernel clears
 * the soft-dirty bit of every PTE of the process and write-protects it,
 * sending MMU_NOTIFY_SOFT_DIRTY over 0..ULONG_MAX (both 6.1 and 6.12): a
 * whole-address-space invalidation.  The region stays soft-clean for the
 * pause while device threads write it; each page a device write hit must
 * then be soft-dirty in pagemap (the write fault marks it), which the
 * checker judges before the CPU rewrites (stamps) every page.
 *
 * clear_refs acts on the whole process: mutators run it one at a time,
 * with their check, under one lock, so no other clear_refs clears a bit
 * between a device write and its judgement.  A sample counts only if
 * every page was present when clear_refs started.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "clock.h"
#include "workload.h"

static pthread_mutex_t clear_refs_lock = PTHREAD_MUTEX_INITIALIZER;

static int clear_soft_dirty(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "4", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

static int softdirty_locked(struct mutation *m)
{
	bool present = mutation_prepare(m);	/* else fewer PTEs to clean */
	uint64_t t0 = now_ns();
	int ret = clear_soft_dirty();

	if (ret)
		return ret;
	mutation_sample(m, now_ns() - t0, present);
	mutation_state(m, RS_SOFTCLEAN);
	sleep_ns(m->pause_us * 1000ull);
	if (m->hooks && m->hooks->softclean_end)
		m->hooks->softclean_end(m->arg);
	mutation_state(m, RS_BUSY);
	return 0;
}

static int softdirty_mutate(struct mutation *m)
{
	int ret;

	pthread_mutex_lock(&clear_refs_lock);
	ret = softdirty_locked(m);
	pthread_mutex_unlock(&clear_refs_lock);
	if (!ret)
		map_stamp(m->map, m->gen);
	return ret;
}

const struct workload workload_softdirty = {
	.name = "softdirty",
	.op = "clear_refs(4)",
	.mutate = softdirty_mutate,
};
