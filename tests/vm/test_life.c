// SPDX-License-Identifier: GPL-2.0
/*
 * Bond lifetimes, for one model (--model): a process that exits while
 * bound (->release), DMA racing exit, unbind and close; two devices bound
 * to one mm; PASIDs per mm and per process.  Exit, unbind and close must
 * stop device access at once and never touch freed memory (a WARN, oops
 * or hang fails the VM run).
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "lib.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* A child binds through the parent's fd, uses the device, and exits. */
static void test_exit_while_bound(void)
{
	int fds[2], go[2];
	struct dev d;
	struct svmsim_stats st;
	uint32_t cpasid = 0;
	uint64_t releases, v;
	char c = 0;
	pid_t pid;

	dev_open(&d, 0);
	releases = stat_of(&d, 0, SVMSIM_STAT_RELEASES);
	if (pipe(fds) || pipe(go))
		exit(1);
	pid = fork();
	if (!pid) {
		uint64_t *p = map_anon(4 * PG, PROT_READ | PROT_WRITE);
		uint32_t pasid;

		*p = 99;
		if (svmsim_bind(d.fd, opt.model, opt.fill, 0, &pasid) ||
		    svmsim_dma_read(d.fd, pasid, p, &v, 8) || v != 99)
			pasid = 0;
		write(fds[1], &pasid, sizeof(pasid));
		read(go[0], &c, 1);	/* the parent tries the child's PASID */
		_exit(0);		/* exit while bound, entries cached */
	}
	read(fds[0], &cpasid, sizeof(cpasid));
	tap_ok(cpasid != 0, "%s: a child binds through an inherited fd and DMAs", model_name());
	ok_errno(svmsim_dma_read(d.fd, cpasid, &v, &v, 8), -EPERM,
		 "%s: the parent DMAs with the child's PASID", model_name());
	ok_errno(svmsim_unbind(d.fd, cpasid), -EPERM, "%s: the parent unbinds the child's PASID",
		 model_name());
	write(go[1], &c, 1);
	waitpid(pid, NULL, 0);
	ok_errno(svmsim_dma_read(d.fd, cpasid, &v, &v, 8), -ESRCH,
		 "%s: DMA on the PASID of an exited mm", model_name());
	svmsim_stats(d.fd, cpasid, false, &st);
	tap_ok(stat_of(&d, 0, SVMSIM_STAT_RELEASES) == releases + 1 &&
	       st.counters[SVMSIM_STAT_TLB_ENTRIES] == 0 && st.ev_calls[SVMSIM_EV_MM_RELEASE] == 1,
	       "%s: the exit released the bond and flushed its entries", model_name());
	ok_errno(svmsim_unbind(d.fd, cpasid), 0, "%s: anyone may unbind a released bond",
		 model_name());
	dev_close(&d);
	close(fds[0]);
	close(fds[1]);
	close(go[0]);
	close(go[1]);
}

struct dma_loop {
	const struct dev *d;
	char *mem;
	size_t pages;
	volatile int stop;
	long ok, faults;
	int last_err;
};

/* Read pages of @mem until stopped or the bond goes away. */
static void *dma_loop(void *arg)
{
	struct dma_loop *l = arg;
	uint64_t v;
	int ret;

	for (size_t i = 0; !l->stop; i++) {
		ret = svmsim_dma_read(l->d->fd, l->d->pasid, l->mem + (i % l->pages) * PG, &v, 8);
		if (!ret) {
			l->ok++;
			continue;
		}
		l->faults++;
		l->last_err = ret;
		if (ret == -ESRCH || ret == -EINVAL || ret == -EBADF)
			break;
	}
	return NULL;
}

/* A process exits while its threads are in DMA ioctls (fills sleeping). */
static void test_exit_during_dma(void)
{
	int status = -1;
	pid_t pid = fork();

	if (!pid) {
		struct dma_loop l[2];
		pthread_t t[2];
		struct dev d;

		dev_setup(&d);
		svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_NONE, 0, 2000);	/* slow fills */
		for (int i = 0; i < 2; i++) {
			memset(&l[i], 0, sizeof(l[i]));
			l[i].d = &d;
			l[i].pages = 64;
			l[i].mem = map_anon(64 * PG, PROT_READ | PROT_WRITE);
			pthread_create(&t[i], NULL, dma_loop, &l[i]);
		}
		sleep_ms(50);
		_exit(7);	/* exit_group with DMA in flight */
	}
	alarm(60);
	waitpid(pid, &status, 0);
	alarm(0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 7,
	       "%s: a process exits promptly with DMA (fills) in flight", model_name());
}

/* Bind @d, start a DMA thread on 256 pages with slow fills, let it run. */
static pthread_t start_dma(struct dev *d, struct dma_loop *l)
{
	pthread_t t;

	dev_setup(d);
	l->d = d;
	l->pages = 256;
	l->mem = map_anon(256 * PG, PROT_READ | PROT_WRITE);
	svmsim_inject(d->fd, d->pasid, SVMSIM_BUG_NONE, 0, 1000);
	pthread_create(&t, NULL, dma_loop, l);
	sleep_ms(100);
	return t;
}

static void test_unbind_during_dma(void)
{
	struct dma_loop l = { 0 };
	struct dev d;
	pthread_t t = start_dma(&d, &l);

	ok_errno(svmsim_unbind(d.fd, d.pasid), 0, "%s: unbind with DMA in flight", model_name());
	pthread_join(t, NULL);
	tap_ok(l.ok > 0 && (l.last_err == -ESRCH || l.last_err == -EINVAL),
	       "%s: the DMA thread stops with %s after %ld accesses", model_name(),
	       errname(l.last_err), l.ok);
	tap_ok(stat_of(&d, 0, SVMSIM_STAT_TLB_ENTRIES) == 0,
	       "%s: no entry of the unbound PASID is left", model_name());
	dev_close(&d);
	munmap(l.mem, 256 * PG);
}

static void test_close_during_dma(void)
{
	struct dma_loop l = { 0 };
	struct dev d, probe;
	pthread_t t = start_dma(&d, &l);

	tap_ok(close(d.fd) == 0, "%s: close with DMA in flight", model_name());
	pthread_join(t, NULL);
	dev_open(&probe, opt.device);
	tap_ok(l.last_err == -EBADF && stat_of(&probe, 0, SVMSIM_STAT_TLB_ENTRIES) == 0,
	       "%s: after close the DMA stops (EBADF) and the entries are gone", model_name());
	dev_close(&probe);
	munmap(l.mem, 256 * PG);
}

static void test_two_devices(void)
{
	struct dev a, b;
	char *p = map_anon(8 * PG, PROT_READ | PROT_WRITE);
	uint64_t v, fa, fb;

	dev_open(&a, 0);
	dev_open(&b, 1);
	dev_bind(&a);
	dev_bind(&b);
	tap_ok(a.pasid == b.pasid, "%s: one mm, two devices, one PASID (%u)", model_name(),
	       a.pasid);
	fill_pattern(p, 8 * PG, 1);
	svmsim_prefetch(a.fd, a.pasid, p, 8 * PG);
	svmsim_prefetch(b.fd, b.pasid, p, 8 * PG);
	fa = stat_of(&a, a.pasid, SVMSIM_STAT_TLB_FLUSHED) - stat_of(&a, a.pasid, SVMSIM_STAT_TLB_COLLATERAL);
	fb = stat_of(&b, b.pasid, SVMSIM_STAT_TLB_FLUSHED) - stat_of(&b, b.pasid, SVMSIM_STAT_TLB_COLLATERAL);
	munmap(p, 8 * PG);
	tap_ok(stat_of(&a, a.pasid, SVMSIM_STAT_TLB_FLUSHED) -
	       stat_of(&a, a.pasid, SVMSIM_STAT_TLB_COLLATERAL) - fa == 8 &&
	       stat_of(&b, b.pasid, SVMSIM_STAT_TLB_FLUSHED) -
	       stat_of(&b, b.pasid, SVMSIM_STAT_TLB_COLLATERAL) - fb == 8,
	       "%s: a munmap flushes both devices' entries", model_name());
	tap_ok(dma_read_u64(&a, p, &v) == -EFAULT && dma_read_u64(&b, p, &v) == -EFAULT,
	       "%s: both devices fault after the munmap", model_name());
	dev_close(&a);
	ok_errno(dma_read_u64(&b, &v, &v), 0, "%s: the second device keeps working after the "
		 "first closes", model_name());
	dev_close(&b);
}

static void test_pasid_per_process(void)
{
	int fds[2];
	uint32_t mine, theirs = 0;
	struct dev d;
	pid_t pid;

	dev_setup(&d);
	mine = d.pasid;
	if (pipe(fds))
		exit(1);
	pid = fork();
	if (!pid) {
		struct dev c;

		close(d.fd);
		dev_setup(&c);
		write(fds[1], &c.pasid, sizeof(c.pasid));
		_exit(0);
	}
	read(fds[0], &theirs, sizeof(theirs));
	waitpid(pid, NULL, 0);
	tap_ok(theirs && theirs != mine, "%s: another process gets another PASID (%u, %u)",
	       model_name(), mine, theirs);
	close(fds[0]);
	close(fds[1]);
	dev_close(&d);
}

/*
 * The OOM reaper's path: process_mrelease() reaps a dying process's mm at
 * once, calling invalidate_range_start without MMU_NOTIFY_RANGE_BLOCKABLE.
 * A thread sleeping in a (delayed) fill keeps the killed child's mm alive
 * long enough.  The bond must flush without sleeping and stay sane.
 */
/*
 * One try: a child caches 128 pages and sleeps in a delayed fill; kill it
 * and reap it.  Returns process_mrelease()'s result (-1 and errno).
 */
static int mrelease_once(struct dev *d)
{
	int fds[2], pidfd, ret, err;
	pid_t pid;
	char c;

	if (pipe(fds))
		exit(1);
	pid = fork();
	if (!pid) {
		struct dma_loop l = { .pages = 64 };
		pthread_t t;

		dev_bind(d);
		l.d = d;
		l.mem = map_anon(256 * PG, PROT_READ | PROT_WRITE);
		memset(l.mem, 1, 256 * PG);
		svmsim_prefetch(d->fd, d->pasid, l.mem, 256 * PG);
		svmsim_inject(d->fd, d->pasid, SVMSIM_BUG_NONE, 0, SVMSIM_MAX_FILL_DELAY_US);
		l.mem += 128 * PG;	/* uncached half: fills that sleep */
		pthread_create(&t, NULL, dma_loop, &l);
		write(fds[1], "r", 1);
		pause();
	}
	read(fds[0], &c, 1);
	sleep_ms(100);			/* the thread is in a fill */
	pidfd = (int)syscall(434 /* pidfd_open */, pid, 0);
	kill(pid, SIGKILL);
	ret = (int)syscall(448 /* process_mrelease */, pidfd, 0);
	err = errno;
	waitpid(pid, NULL, 0);
	close(pidfd);
	close(fds[0]);
	close(fds[1]);
	errno = err;
	return ret;
}

static void test_mrelease(void)
{
	uint64_t nonblock0, flushed0;
	struct dev d;
	int ret, tries = 0;

	dev_open(&d, 0);
	/*
	 * Tried again (up to 5 times) when the child's exit won the race:
	 * ESRCH, its exit dropped the mm first (it was between fills); or no
	 * flush, exit_mmap ran before the reaper could unmap (the mm's
	 * ->release then retired the entries, which the checks below do not
	 * count).
	 */
	do {
		nonblock0 = stat_of(&d, 0, SVMSIM_STAT_INV_NONBLOCK);
		flushed0 = stat_of(&d, 0, SVMSIM_STAT_TLB_FLUSHED);
		ret = mrelease_once(&d);
	} while (((ret && errno == ESRCH) ||
		  (!ret && stat_of(&d, 0, SVMSIM_STAT_TLB_FLUSHED) < flushed0 + 128)) &&
		 ++tries < 5);
	if (tries)
		tap_diag("process_mrelease(): %d tries lost the race to the exit", tries);
	tap_ok(ret == 0, "%s: process_mrelease() reaps a killed, bound process (%s)",
	       model_name(), ret ? strerror(errno) : "ok");
	if (opt.model == SVMSIM_MODEL_RANGE)
		tap_ok(stat_of(&d, 0, SVMSIM_STAT_INV_NONBLOCK) > nonblock0 &&
		       stat_of(&d, 0, SVMSIM_STAT_TLB_FLUSHED) >= flushed0 + 128,
		       "%s: the reaper's non-blockable start flushed the cached pages",
		       model_name());
	else
		tap_ok(stat_of(&d, 0, SVMSIM_STAT_TLB_FLUSHED) >= flushed0 + 128,
		       "%s: the reaper's flushes removed the cached pages", model_name());
	dev_close(&d);
}

static void body(void)
{
	test_mrelease();
	test_exit_while_bound();
	test_exit_during_dma();
	test_unbind_during_dma();
	test_close_during_dma();
	test_two_devices();
	test_pasid_per_process();
}

int main(int argc, char **argv)
{
	parse_opts(argc, argv);
	return run_variants(VARY_MODEL, body);
}
