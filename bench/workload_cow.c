// SPDX-License-Identifier: GPL-2.0
/*
 * cow: fork(), then the parent writes each page once -- the first write
 * after fork is a copy-on-write fault, timed as one store per page (the
 * store of the page's new generation).  The region is prepared (cached by
 * the device) after the fork: the COW must invalidate what the device
 * caches of the shared page.
 *
 * Device threads keep writing meanwhile, and a DMA write to a page still
 * shared breaks COW for the parent first (GUP with FOLL_WRITE): the timed
 * store then finds a private writable page and costs a plain store.  Each
 * sample is checked (pagemap and the thread's fault counter, untimed) and
 * counted only if the store itself took the fault that copied the page;
 * the others are discarded and counted.
 *
 * The child lives until the parent has finished the iteration.  So that
 * the timed writes run alone, on both sides alike, the child waits for
 * them before it does anything: a socket pair carries "writes done" to
 * the child, "watching" back (after its after-fork duties and, bound, its
 * snapshot of the pages), and then EOF when the parent has dwelt for the
 * pause with device threads writing; the bound child then looks again.
 */
#include <errno.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "pagemap.h"
#include "workload.h"

/*
 * The child keeps only its end of the socket: another thread's child
 * holding our end would keep ours waiting for EOF, and ours theirs.
 */
static void cow_close_inherited(int keep)
{
	if (keep > 3)
		close_range(3, keep - 1, 0);
	close_range(keep + 1, ~0u, 0);
}

/* One byte; false on EOF or error. */
static bool cow_recv(int fd)
{
	ssize_t n;
	char c;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1;
}

static bool cow_send(int fd)
{
	return write(fd, "", 1) == 1;
}

static _Noreturn void cow_child(struct mutation *m, int fd)
{
	const struct mutation_hooks *h = m->hooks;
	int status = 0;

	cow_close_inherited(fd);
	if (!cow_recv(fd))		/* the parent's timed writes are done */
		_exit(2);
	if (h && h->child_start)
		h->child_start(m->arg);
	if (!cow_send(fd))
		_exit(2);
	while (cow_recv(fd))		/* until EOF: the parent's iteration is over */
		;
	if (h && h->child_end)
		status = h->child_end(m->arg);
	_exit(status);
}

/*
 * Did the store between @e0 and @e1 (pagemap entries) break copy-on-write
 * itself?  The thread took a fault across it, and the page was replaced
 * (a new PFN; when PFNs are hidden, shared before and ours alone after).
 * A device DMA write that came first copied the page already: the store
 * then takes no fault and times a plain store.
 */
static bool cow_store_copied(int pm, uint64_t e0, uint64_t e1, long f0, long f1)
{
	uint64_t p0 = e0 & PM_PFN_MASK, p1 = e1 & PM_PFN_MASK;

	if (f0 >= 0 && f1 >= 0 && f1 <= f0)
		return false;			/* no fault: a plain store */
	if (pm < 0)
		return true;			/* no pagemap: the fault is all we know */
	if (!(e0 & PM_PRESENT) || !(e1 & PM_PRESENT))
		return false;
	if (p0 && p1)
		return p0 != p1;
	return !(e0 & PM_EXCLUSIVE) && (e1 & PM_EXCLUSIVE);
}

static void cow_first_writes(struct mutation *m, bool prepared)
{
	int pm = pagemap_open();
	uint64_t t0, ns, e0, e1;
	long f0, f1;
	size_t k;

	for (k = 0; k < m->map->npages; k++) {
		e0 = pagemap_entry(pm, map_page(m->map, k));
		f0 = thread_minflt();
		t0 = now_ns();
		map_hdr(m->map, k)->gen = m->gen;
		ns = now_ns() - t0;
		f1 = thread_minflt();
		e1 = pagemap_entry(pm, map_page(m->map, k));
		mutation_sample(m, ns, prepared && cow_store_copied(pm, e0, e1, f0, f1));
		if (m->hooks && m->hooks->stamped)
			m->hooks->stamped(m->arg, k);
	}
	if (pm >= 0)
		close(pm);
}

/* The child runs now: release it, dwell while it watches, end it, reap it. */
static int cow_finish(struct mutation *m, int fd, pid_t pid)
{
	bool watching = cow_send(fd) && cow_recv(fd);
	int wstatus;

	if (watching)
		sleep_ns(m->pause_us * 1000ull);
	close(fd);
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (m->hooks && m->hooks->reaped)
		m->hooks->reaped(m->arg, wstatus);
	return watching ? 0 : -EPIPE;
}

/*
 * The parent goes from fork() straight to the timed writes, as the peer
 * does: what the bound process must do after fork (resuming liburcu's
 * call_rcu threads, which sleeps) waits until they are done.
 */
static int cow_mutate(struct mutation *m)
{
	int sv[2], err;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -errno;
	pid = m->hooks && m->hooks->fork ? m->hooks->fork() : fork();
	err = errno;
	if (!pid)
		cow_child(m, sv[1]);
	close(sv[1]);
	if (pid > 0)
		cow_first_writes(m, mutation_prepare(m));
	if (m->hooks && m->hooks->forked)
		m->hooks->forked(m->arg);
	if (pid < 0) {
		close(sv[0]);
		return -err;
	}
	return cow_finish(m, sv[0], pid);
}

const struct workload workload_cow = {
	.name = "cow",
	.op = "first write after fork",
	.forks = true,
	.preserves = true,
	.mutate = cow_mutate,
};
