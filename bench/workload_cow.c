// SPDX-License-Identifier: GPL-2.0
/*
 * cow: fork(), then the parent writes each page once -- the first write
 * after fork is a copy-on-write fault, timed as one store per page (the
 * store of the page's new generation).  The region is prepared (cached by
 * the device) after the fork: the COW must invalidate what the device
 * caches of the shared page.
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

static void cow_first_writes(struct mutation *m)
{
	size_t k;

	for (k = 0; k < m->map->npages; k++) {
		uint64_t t0 = now_ns();

		map_hdr(m->map, k)->gen = m->gen;
		mutation_record(m, t0);
		if (m->hooks && m->hooks->stamped)
			m->hooks->stamped(m->arg, k);
	}
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
	if (pid > 0) {
		mutation_prepare(m);
		cow_first_writes(m);
	}
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
	.mutate = cow_mutate,
};
