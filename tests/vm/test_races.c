// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle races, for one model (--model): process exit, close(), unbind,
 * munmap, exec, CLONE_VM siblings, fork with the parent exiting, and
 * bind/unbind storms, each racing DMA (and fills slowed down with
 * fill_delay_us) for --iterations rounds.
 *
 * Every race runs in its own process group under a watchdog: when the
 * race makes no progress for --stall seconds, the watchdog prints the
 * kernel stacks of every task of the group, asks the kernel to log its
 * blocked tasks (sysrq w), kills the group and fails the test.  After
 * each race no bond may be left on the device (debugfs) and no TLB entry
 * cached, and the release counter must have moved exactly as many times
 * as bound address spaces went away.  A WARN, oops or lockup fails the
 * VM run (scripts/vm).
 *
 *   svmsim-test_races [--model M] [--fill F] [--iterations N] [--stall S]
 *                     [--only NAME,NAME...] [--bug BUG]
 *   svmsim-test_races --hold queued|window|orphan   (for races_rmmod.sh)
 *
 * The default iteration count is the short form of `make check`; the long
 * form is --iterations 10000.
 */
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "lib.h"
#include "svmsim/names.h"

#define SHORT_ITERATIONS	100
#define NTALLY			12

static long iters = SHORT_ITERATIONS;
static int stall_s = 60;
static const char *only;
static uint32_t bug;			/* --bug: injected into munmap_fill (self-test) */

/*
 * What a race's processes share with each other and with the watchdog.
 * Only a race's own iterations count as progress: helper threads that
 * keep spinning while the iterations stall must not hide the stall.
 */
struct shared {
	atomic_long progress;		/* moves while the race is alive */
	atomic_long fails;
	atomic_long binds;		/* address spaces bound (released later) */
	atomic_long tally[NTALLY];	/* results of racing calls, by errno */
	atomic_int flag[4];
	atomic_int cpid;
	atomic_uint pasid;
	char note[200];
};

static struct shared *sh;

static const int tally_errno[NTALLY] = {
	0, EINVAL, ESRCH, EPERM, EBADF, EBUSY, EFAULT, EACCES, EAGAIN, EINTR, ENOMEM, -1,
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	if (us > 0)
		nanosleep(&ts, NULL);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void tick(void)
{
	atomic_fetch_add_explicit(&sh->progress, 1, memory_order_relaxed);
}

__attribute__((format(printf, 2, 3)))
static bool check(bool cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		return true;
	if (atomic_fetch_add(&sh->fails, 1) < 8) {
		va_start(ap, fmt);
		tap_vdiag(fmt, ap);
		va_end(ap);
	}
	return false;
}

/* @ret must be one of the @n errnos of @allowed (0 for success); tallied. */
static bool allowed_in(int ret, const char *what, const int *allowed, size_t n)
{
	size_t i;

	for (i = 0; i < NTALLY - 1 && tally_errno[i] != -ret; i++)
		;
	atomic_fetch_add_explicit(&sh->tally[i], 1, memory_order_relaxed);
	for (i = 0; i < n; i++)
		if (-ret == allowed[i])
			return true;
	return check(false, "%s: %s, not a result this race allows", what, errname(ret));
}

#define ALLOWED(ret, what, ...)						\
	allowed_in((ret), (what), (const int[]){ __VA_ARGS__ },		\
		   sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))

static uint64_t dev_stat(unsigned int idx)
{
	struct dev d;
	uint64_t v;

	if (dev_open(&d, opt.device))
		return 0;
	v = stat_of(&d, 0, idx);
	dev_close(&d);
	return v;
}

/* Bonds still linked to device @index (its debugfs file), or -1. */
static int bonds_left(unsigned int index)
{
	char path[80], line[256];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/svmsim/svmsim%u", index);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, "bond ", 5);
	fclose(f);
	return n;
}

static int open_bind(struct dev *d, unsigned int index)
{
	int ret = dev_open(d, index);

	return ret ? ret : dev_bind(d);
}

/* ---- the watchdog -------------------------------------------------------- */

static void dump_file(const char *path, const char *prefix)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		tap_diag("%s%s", prefix, line);
	}
	fclose(f);
}

/* Print the kernel stack of every task in process group @pgid. */
static void dump_group(pid_t pgid)
{
	char path[300], stat[512], comm[64];
	struct dirent *p, *t;
	DIR *proc = opendir("/proc"), *tasks;
	FILE *f;
	int fd;

	while (proc && (p = readdir(proc))) {
		int pid = atoi(p->d_name), pgrp = 0;
		char state = '?', *c;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		stat[0] = 0;
		if (!fgets(stat, sizeof(stat), f))
			stat[0] = 0;
		fclose(f);
		c = strrchr(stat, ')');
		if (!c || sscanf(c + 1, " %c %*d %d", &state, &pgrp) != 2 || pgrp != pgid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task", pid);
		tasks = opendir(path);
		while (tasks && (t = readdir(tasks))) {
			if (atoi(t->d_name) <= 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/task/%s/comm", pid, t->d_name);
			comm[0] = 0;
			f = fopen(path, "r");
			if (f) {
				if (!fgets(comm, sizeof(comm), f))
					comm[0] = 0;
				fclose(f);
			}
			comm[strcspn(comm, "\n")] = 0;
			tap_diag("stalled: pid %d task %s (%s), process state %c:", pid, t->d_name,
				 comm, state);
			snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid, t->d_name);
			dump_file(path, "    ");
		}
		if (tasks)
			closedir(tasks);
	}
	if (proc)
		closedir(proc);
	/* The console gets every blocked task's stack too. */
	fd = open("/proc/sysrq-trigger", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "w", 1) != 1)
			tap_diag("sysrq w: %s", strerror(errno));
		close(fd);
	}
}

static void tally_note(char *buf, size_t len)
{
	size_t o = strlen(buf);

	for (int i = 0; i < NTALLY && o < len; i++) {
		long n = atomic_load(&sh->tally[i]);

		if (n)
			o += (size_t)snprintf(buf + o, len - o, " %s:%ld",
					      i == NTALLY - 1 ? "other" : errname(-tally_errno[i]), n);
	}
}

/* Is @name in the comma-separated --only list (or is there none)? */
static bool selected(const char *name, bool optional)
{
	size_t n = strlen(name);

	if (!only)
		return !optional;
	for (const char *p = only; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/*
 * Run @fn in a new process group; fail it when it stalls for stall_s, exits
 * non-zero, or leaves bonds or TLB entries behind.
 */
static void run(const char *name, void (*fn)(void))
{
	uint64_t entries0 = dev_stat(SVMSIM_STAT_TLB_ENTRIES);
	long last = -1;
	double t0 = now_s(), seen = t0, dt;
	bool stalled = false, exited = false;
	int status = 0, left0, left1;
	char note[400];
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	fflush(stdout);
	pid = fork();
	if (!pid) {
		setpgid(0, 0);
		/* Orphans of the race are reparented here, and reaped. */
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		fn();
		while (wait(NULL) > 0)
			;
		_exit(atomic_load(&sh->fails) ? 1 : 0);
	}
	setpgid(pid, pid);
	while (!exited) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = true;
			break;
		}
		if (atomic_load(&sh->progress) != last) {
			last = atomic_load(&sh->progress);
			seen = now_s();
		} else if (now_s() - seen > stall_s) {
			stalled = true;
			tap_diag("%s: no progress for %d s after %ld steps: stacks follow", name,
				 stall_s, last);
			dump_group(pid);
			kill(-pid, SIGKILL);
			for (int i = 0; i < 300 && !exited; i++) {
				exited = waitpid(pid, &status, WNOHANG) == pid;
				sleep_us(100000);
			}
			if (!exited)
				tap_diag("%s: the race's processes do not die (D state?)", name);
			break;
		}
		sleep_us(20000);
	}
	dt = now_s() - t0;
	/* Every process of the group is gone; so must be every bond. */
	left0 = bonds_left(0);
	left1 = bonds_left(1);
	check(left0 <= 0 && left1 <= 0, "%s: %d + %d bonds left on the devices", name, left0,
	      left1);
	check(dev_stat(SVMSIM_STAT_TLB_ENTRIES) == entries0, "%s: %llu TLB entries left", name,
	      (unsigned long long)(dev_stat(SVMSIM_STAT_TLB_ENTRIES) - entries0));
	snprintf(note, sizeof(note), "%s", sh->note);
	tally_note(note, sizeof(note));
	tap_ok(!stalled && exited && WIFEXITED(status) && !WEXITSTATUS(status) &&
	       !atomic_load(&sh->fails),
	       "%s: %s: %ld iterations in %.1f s;%s", model_name(), name, iters, dt, note);
}

/* ---- DMA workers ----------------------------------------------------------- */

struct worker {
	pthread_t t;
	const volatile int *fd;		/* the fd and PASID may change under it */
	const volatile uint32_t *pasid;
	char *mem;
	size_t pages;
	int op;				/* SVMSIM_DMA_*; -1: mixed */
	const char *what;
	const int *allowed;
	size_t nallowed;
	volatile int stop;
	long exit_after;		/* > 0: exit_group() after this many ops */
	uint64_t seed;
	atomic_long ops;
};

static void *worker_loop(void *arg)
{
	struct worker *w = arg;
	uint64_t v = 0;
	int ret;

	while (!w->stop) {
		size_t page = rnd(&w->seed) % w->pages;
		char *addr = w->mem + page * PG + (rnd(&w->seed) % (PG / 8)) * 8;
		int op = w->op >= 0 ? w->op : (int)(rnd(&w->seed) % 3);
		struct svmsim_dma d = {
			.pasid = *w->pasid, .addr = (uintptr_t)addr, .len = 8,
			.buf = (uintptr_t)&v, .operand = 1,
		};

		d.op = op == 0 ? SVMSIM_DMA_READ : op == 1 ? SVMSIM_DMA_WRITE : SVMSIM_DMA_FADD;
		ret = svmsim_dma(*w->fd, &d);
		allowed_in(ret, w->what, w->allowed, w->nallowed);
		/* >=: exit_after may be set after the count passed it. */
		if (atomic_fetch_add_explicit(&w->ops, 1, memory_order_relaxed) + 1 >=
		    w->exit_after && w->exit_after > 0)
			_exit(0);
	}
	return NULL;
}

#define START_WORKER(w, fdp, pasidp, m, n, o, wh, ...) do {			\
	static const int _al[] = { __VA_ARGS__ };				\
	(w)->fd = (fdp); (w)->pasid = (pasidp); (w)->mem = (m);			\
	(w)->pages = (n); (w)->op = (o); (w)->what = (wh);			\
	(w)->allowed = _al; (w)->nallowed = sizeof(_al) / sizeof(_al[0]);	\
	(w)->stop = 0; (w)->exit_after = 0; (w)->seed = (uintptr_t)(w) | 1;				\
	atomic_store(&(w)->ops, 0);						\
	pthread_create(&(w)->t, NULL, worker_loop, (w));			\
} while (0)

static void stop_worker(struct worker *w)
{
	w->stop = 1;
	pthread_join(w->t, NULL);
}

/* ---- 1. exit while device threads DMA -------------------------------------- */

#define EXIT_ZAPS	256

static volatile int exit_fd;
static volatile uint32_t exit_pasid;

static void exit_dma_child(long i)
{
	uint64_t seed = (uint64_t)i * 2654435761u + 1;
	struct worker w[3];
	struct dev d;
	char *mem;
	long want;

	if (open_bind(&d, opt.device))
		_exit(3);
	atomic_fetch_add(&sh->binds, 1);
	exit_fd = d.fd;
	exit_pasid = d.pasid;
	svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_NONE, 0, (uint32_t)(rnd(&seed) % 4) * 100);
	mem = map_anon(32 * PG, PROT_READ | PROT_WRITE);
	for (int k = 0; k < 3; k++)
		START_WORKER(&w[k], &exit_fd, &exit_pasid, mem, 32, -1, "DMA racing exit",
			     0, EAGAIN, EINTR);
	/*
	 * Invalidations in flight too: zap pages the workers use, until they
	 * did @want DMAs or EXIT_ZAPS zaps.  Back-to-back zaps refuse fills
	 * that walked before them (the space's sequence), so a fill slowed
	 * by the injected delay may wait for a gap in the zaps: uncapped,
	 * 100 rounds took 70-90 s under TCG, with nothing more exercised.
	 */
	want = (long)(rnd(&seed) % 16);
	for (int z = 0; z < EXIT_ZAPS && atomic_load(&w[0].ops) + atomic_load(&w[1].ops) < want;
	     z++)
		madvise(mem + (rnd(&seed) % 32) * PG, PG, MADV_DONTNEED);
	if (i & 1)
		_exit(0);			/* exit_group from the main thread */
	w[0].exit_after = atomic_load(&w[0].ops) + 1;	/* ...or from a worker's */
	for (;;)
		pause();
}

static void race_exit_dma(void)
{
	uint64_t rel0 = dev_stat(SVMSIM_STAT_RELEASES), rel;
	int status;

	for (long i = 0; i < iters; i++) {
		pid_t pid = fork();

		if (!pid)
			exit_dma_child(i);
		waitpid(pid, &status, 0);
		check(WIFEXITED(status) && !WEXITSTATUS(status), "exit_dma %ld: child status %#x",
		      i, status);
		tick();
	}
	rel = dev_stat(SVMSIM_STAT_RELEASES) - rel0;
	check(rel == (uint64_t)atomic_load(&sh->binds), "exit_dma: %llu releases for %ld binds",
	      (unsigned long long)rel, atomic_load(&sh->binds));
	snprintf(sh->note, sizeof(sh->note), " releases %llu of %ld exits;",
		 (unsigned long long)rel, atomic_load(&sh->binds));
}

/* ---- 2. close(fd) racing DMA and bind --------------------------------------- */

static volatile int close_fd = -1;
static volatile uint32_t close_pasid;
static volatile int close_stop;

static void *close_binder(void *arg)
{
	uint64_t seed = (uintptr_t)arg | 1;
	uint32_t pasid = 0;
	int fd, ret;

	while (!close_stop) {
		fd = close_fd;
		ret = svmsim_bind(fd, opt.model, opt.fill, 0, &pasid);
		ALLOWED(ret, "bind racing close", 0, EBUSY, EBADF);
		if (!ret) {
			close_pasid = pasid;
			ret = svmsim_inject(fd, pasid, SVMSIM_BUG_NONE, 0,
					    (uint32_t)(rnd(&seed) % 3) * 100);
			ALLOWED(ret, "inject racing close", 0, EINVAL, EBADF);
			sleep_us((long)(rnd(&seed) % 300));
			ret = svmsim_unbind(fd, pasid);
			ALLOWED(ret, "unbind racing close", 0, EINVAL, EBADF);
		}
	}
	return NULL;
}

static void race_close(void)
{
	uint64_t seed = 88172645463325252ull;
	uint64_t binds0 = dev_stat(SVMSIM_STAT_BINDS), unbinds0 = dev_stat(SVMSIM_STAT_UNBINDS);
	uint64_t binds, unbinds;
	char *mem = map_anon(64 * PG, PROT_READ | PROT_WRITE);
	struct worker w[2];
	pthread_t b;
	struct dev d;

	if (dev_open(&d, opt.device))
		_exit(3);
	close_fd = d.fd;
	for (int k = 0; k < 2; k++)
		START_WORKER(&w[k], &close_fd, &close_pasid, mem, 64, -1, "DMA racing close",
			     0, EINVAL, ESRCH, EBADF, EAGAIN);
	pthread_create(&b, NULL, close_binder, (void *)1);
	for (long i = 0; i < iters; i++) {
		sleep_us((long)(rnd(&seed) % 500));
		check(close(close_fd) == 0, "close: %s", strerror(errno));
		/* Usually the same number again, now a fresh, unbound file. */
		if (dev_open(&d, opt.device))
			check(false, "open %ld: %s", i, strerror(errno));
		close_fd = d.fd;
		tick();
	}
	close_stop = 1;
	pthread_join(b, NULL);
	for (int k = 0; k < 2; k++)
		stop_worker(&w[k]);
	close(close_fd);
	binds = dev_stat(SVMSIM_STAT_BINDS) - binds0;
	unbinds = dev_stat(SVMSIM_STAT_UNBINDS) - unbinds0;
	check(binds == unbinds, "close: %llu binds, %llu unbinds", (unsigned long long)binds,
	      (unsigned long long)unbinds);
	snprintf(sh->note, sizeof(sh->note), " binds %llu, unbinds %llu;",
		 (unsigned long long)binds, (unsigned long long)unbinds);
}

/* ---- 3. unbind racing DMA and an invalidation ------------------------------ */

static volatile int inval_stop;

static void *invalidator(void *arg)
{
	char *mem = arg;
	uint64_t seed = 0x1234567;

	while (!inval_stop) {
		char *p = mem + (rnd(&seed) % 32) * PG;

		switch (rnd(&seed) % 4) {
		case 0:
			munmap(p, PG);
			mmap(p, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			     -1, 0);
			break;
		case 1:
			mmap(p, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			     -1, 0);
			break;
		case 2:
			mprotect(p, PG, PROT_READ);
			mprotect(p, PG, PROT_READ | PROT_WRITE);
			break;
		default:
			madvise(p, PG, MADV_DONTNEED);
		}
	}
	return NULL;
}

static void race_unbind(void)
{
	uint64_t seed = 0xfeedbeef, v, *probe = map_anon(PG, PROT_READ | PROT_WRITE);
	char *mem = map_anon(32 * PG, PROT_READ | PROT_WRITE);
	volatile uint32_t pasid = 0;
	struct worker w[2];
	uint64_t leaks = 0;
	long probe_bad = 0;
	pthread_t inv;
	struct dev d;
	int ret;

	if (dev_open(&d, opt.device))
		_exit(3);
	for (int k = 0; k < 2; k++)
		START_WORKER(&w[k], &d.fd, &pasid, mem, 32, -1, "DMA racing unbind",
			     0, EINVAL, ESRCH, EFAULT, EACCES, EAGAIN);
	pthread_create(&inv, NULL, invalidator, mem);
	for (long i = 0; i < iters; i++) {
		ret = dev_bind(&d);
		if (!check(ret == 0, "bind %ld: %s", i, errname(ret)))
			break;
		svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_NONE, 0, (uint32_t)(rnd(&seed) % 3) * 100);
		*probe = (uint64_t)i;
		/* Nobody invalidates @probe: its fill has no reason to fail. */
		ret = dma_read_u64(&d, probe, &v);
		if ((ret || v != (uint64_t)i) && !probe_bad++)
			check(false, "DMA after bind %ld: %s, %llu", i, errname(ret),
			      (unsigned long long)v);
		pasid = d.pasid;
		sleep_us((long)(rnd(&seed) % 400));
		ret = svmsim_unbind(d.fd, d.pasid);
		check(ret == 0, "unbind %ld: %s", i, errname(ret));
		/* The bond is gone: nothing of it may stay cached. */
		v = stat_of(&d, 0, SVMSIM_STAT_TLB_ENTRIES);
		if (v && !leaks++)
			check(false, "%llu entries cached after unbind %ld", (unsigned long long)v, i);
		tick();
	}
	inval_stop = 1;
	pthread_join(inv, NULL);
	for (int k = 0; k < 2; k++)
		stop_worker(&w[k]);
	dev_close(&d);
	check(!probe_bad, "unbind: %ld of %ld DMAs to a page nobody invalidates failed",
	      probe_bad, iters);
	snprintf(sh->note, sizeof(sh->note), " unbinds leaving entries %llu, failed DMAs to an "
		 "untouched page %ld;", (unsigned long long)leaks, probe_bad);
}

/* ---- 4. munmap racing a fill ------------------------------------------------ */

static char *volatile fill_target;
static volatile int fill_stop;

static void *fill_reader(void *arg)
{
	const struct dev *d = arg;
	uint64_t v;

	while (!fill_stop) {
		int ret = dma_read_u64(d, (const void *)fill_target, &v);

		ALLOWED(ret, "fill racing munmap", 0, EFAULT, EAGAIN);
	}
	return NULL;
}

static void race_munmap_fill(void)
{
	enum { NP = 16 };
	uint64_t seed = 0xabcdef12345ull, v;
	char *mem = map_anon(NP * PG, PROT_READ | PROT_WRITE);
	long stale = 0;
	pthread_t r;
	struct dev d;
	int ret;

	if (open_bind(&d, opt.device))
		_exit(3);
	atomic_fetch_add(&sh->binds, 1);
	for (int k = 0; k < NP; k++)
		*(uint64_t *)(mem + k * PG) = (uint64_t)-1;
	fill_target = mem;
	pthread_create(&r, NULL, fill_reader, &d);
	for (long i = 0; i < iters; i++) {
		char *p = mem + (i % NP) * PG;

		/* Widen the window between the reader's page walk and its insert. */
		if (i % 64 == 0)
			svmsim_inject(d.fd, d.pasid, bug, 0, (uint32_t)(rnd(&seed) % 5) * 100);
		fill_target = p;
		sleep_us((long)(rnd(&seed) % 200));
		if (i & 1)
			munmap(p, PG);
		mmap(p, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		*(uint64_t *)p = (uint64_t)i;
		/* Whatever the reader's fill cached, the device sees the new page. */
		ret = dma_read_u64(&d, p, &v);
		if (ret || v != (uint64_t)i)
			if (!stale++)
				check(false, "munmap_fill %ld: device read %s, %llu, want %ld", i,
				      errname(ret), (unsigned long long)v, i);
		tick();
	}
	fill_stop = 1;
	pthread_join(r, NULL);
	dev_close(&d);
	snprintf(sh->note, sizeof(sh->note), " stale reads %ld, fill retries %llu;", stale,
		 (unsigned long long)dev_stat(SVMSIM_STAT_FILL_RETRIES));
}

/* ---- 5. exec while a fill sleeps ------------------------------------------- */

/* The image exec'd by race_exec: argv: --exec-child FD PASID. */
static int exec_child(char **argv)
{
	int fd = atoi(argv[2]);
	uint32_t old = (uint32_t)strtoul(argv[3], NULL, 0);
	uint64_t x = 5, v = 0;
	struct dev d = { .fd = fd };
	int ret;

	if (fd < 0) {
		/* The fd was close-on-exec: the device must work for a new one. */
		if (open_bind(&d, opt.device) || dma_read_u64(&d, &x, &v) || v != 5)
			return 10;
		return svmsim_unbind(d.fd, d.pasid) ? 11 : 0;
	}
	/* The old mm went away with exec: its bond is dead (or reaped). */
	ret = svmsim_dma_read(fd, old, &x, &v, 8);
	if (ret != -ESRCH)
		return 20;
	if (dev_bind(&d))
		return 21;
	if (dma_read_u64(&d, &x, &v) || v != 5)
		return 22;
	/*
	 * Reaped already, the old PASID may be ours now: the live bond comes
	 * first, then the record.  Anyone may unbind a dead bond or a record.
	 */
	if (d.pasid == old)
		return svmsim_unbind(fd, d.pasid) || svmsim_unbind(fd, old) ? 25 : 0;
	if (svmsim_unbind(fd, old))
		return 23;
	return svmsim_unbind(fd, d.pasid) ? 24 : 0;
}

static void exec_fill_child(long i)
{
	uint64_t seed = (uint64_t)i * 0x9E3779B97F4A7C15ull + 7;
	char fdarg[16], pasidarg[16], devarg[16];
	char *mem = map_anon(256 * PG, PROT_READ | PROT_WRITE);
	struct worker w[2];
	struct dev d;

	if (open_bind(&d, opt.device))
		_exit(3);
	atomic_fetch_add(&sh->binds, 1);
	exit_fd = d.fd;
	exit_pasid = d.pasid;
	/* Every access is a fill (256 fresh pages), and each sleeps. */
	svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_NONE, 0, 500 + (uint32_t)(rnd(&seed) % 1500));
	for (int k = 0; k < 2; k++)
		START_WORKER(&w[k], &exit_fd, &exit_pasid, mem, 256, 0, "fill racing exec",
			     0, EAGAIN, EINTR);
	sleep_us(200 + (long)(rnd(&seed) % 2000));
	if (i & 1)
		fcntl(d.fd, F_SETFD, 0);	/* keep the fd across exec */
	snprintf(fdarg, sizeof(fdarg), "%d", i & 1 ? d.fd : -1);
	snprintf(pasidarg, sizeof(pasidarg), "%u", d.pasid);
	snprintf(devarg, sizeof(devarg), "%u", opt.device);
	execl("/proc/self/exe", "svmsim-test_races", "--exec-child", fdarg, pasidarg,
	      "--model", svmsim_model_names[opt.model], "--fill", svmsim_fill_names[opt.fill],
	      "--device", devarg, (char *)NULL);
	_exit(9);
}

static void race_exec(void)
{
	uint64_t rel0 = dev_stat(SVMSIM_STAT_RELEASES), rel;
	int status;

	for (long i = 0; i < iters; i++) {
		pid_t pid = fork();

		if (!pid)
			exec_fill_child(i);
		waitpid(pid, &status, 0);
		check(WIFEXITED(status) && !WEXITSTATUS(status), "exec %ld (fd %s): status %#x",
		      i, i & 1 ? "kept" : "close-on-exec", status);
		tick();
	}
	rel = dev_stat(SVMSIM_STAT_RELEASES) - rel0;
	check(rel == (uint64_t)atomic_load(&sh->binds), "exec: %llu releases for %ld execs",
	      (unsigned long long)rel, atomic_load(&sh->binds));
	snprintf(sh->note, sizeof(sh->note), " releases %llu of %ld execs;",
		 (unsigned long long)rel, atomic_load(&sh->binds));
}

/* ---- 6. the binder exits, a CLONE_VM sibling keeps the mm --------------------- */

static struct dev clone_dev;
static uint64_t *clone_word;

static int wait_flag(int i, int want)
{
	for (long n = 0; atomic_load(&sh->flag[i]) != want; n++)
		sleep_us(n < 100 ? 10 : 1000);
	return 0;
}

/* The sibling: shares the binder's mm, has its own copy of the fd table. */
static int clone_sibling(void *arg)
{
	uint64_t v = 0;
	int ret;

	(void)arg;
	/* Racing the binder's exit: the mm lives on, so does the bond. */
	for (int k = 0; k < 8; k++) {
		ret = svmsim_dma_read(clone_dev.fd, clone_dev.pasid, clone_word, &v, 8);
		if (ret || v != 42)
			atomic_store(&sh->flag[2], 2);
	}
	wait_flag(1, 1);			/* the binder is dead and reaped */
	ret = svmsim_dma_read(clone_dev.fd, clone_dev.pasid, clone_word, &v, 8);
	if (atomic_load(&sh->flag[2]) == 0)
		atomic_store(&sh->flag[2], !ret && v == 42 ? 1 : 3);
	wait_flag(3, 1);
	return 0;
}

static void clone_binder(void)
{
	char *stack = map_anon(256 * 1024, PROT_READ | PROT_WRITE);
	int pid;

	if (open_bind(&clone_dev, opt.device))
		_exit(3);
	atomic_fetch_add(&sh->binds, 1);
	clone_word = map_anon(PG, PROT_READ | PROT_WRITE);
	*clone_word = 42;
	svmsim_prefetch(clone_dev.fd, clone_dev.pasid, clone_word, PG);
	pid = clone(clone_sibling, stack + 256 * 1024, CLONE_VM | CLONE_PARENT | SIGCHLD, NULL);
	atomic_store(&sh->cpid, pid);
	_exit(pid > 0 ? 0 : 4);
}

static void race_clone_vm(void)
{
	uint64_t rel0 = dev_stat(SVMSIM_STAT_RELEASES), rel;
	long early = 0, late = 0;
	int status;

	for (long i = 0; i < iters; i++) {
		pid_t pid;

		for (int k = 0; k < 4; k++)
			atomic_store(&sh->flag[k], 0);
		atomic_store(&sh->cpid, 0);
		pid = fork();
		if (!pid)
			clone_binder();
		waitpid(pid, &status, 0);
		if (!check(WIFEXITED(status) && !WEXITSTATUS(status) && atomic_load(&sh->cpid) > 0,
			   "clone_vm %ld: binder status %#x", i, status))
			break;
		rel = dev_stat(SVMSIM_STAT_RELEASES) - rel0;
		if (rel != (uint64_t)i && !early++)
			check(false, "clone_vm %ld: released while the sibling keeps the mm", i);
		atomic_store(&sh->flag[1], 1);
		while (!atomic_load(&sh->flag[2]))
			sleep_us(50);
		check(atomic_load(&sh->flag[2]) == 1,
		      "clone_vm %ld: the sibling's DMA failed (%d) after the binder exited", i,
		      atomic_load(&sh->flag[2]));
		atomic_store(&sh->flag[3], 1);
		waitpid(atomic_load(&sh->cpid), &status, 0);
		rel = dev_stat(SVMSIM_STAT_RELEASES) - rel0;
		if (rel != (uint64_t)i + 1 && !late++)
			check(false, "clone_vm %ld: %llu releases after the last user, want %ld", i,
			      (unsigned long long)rel, i + 1);
		tick();
	}
	snprintf(sh->note, sizeof(sh->note), " releases %llu of %ld mms, early %ld, wrong %ld;",
		 (unsigned long long)(dev_stat(SVMSIM_STAT_RELEASES) - rel0),
		 atomic_load(&sh->binds), early, late);
}

/* ---- 7. fd inherited across fork, the parent exiting ----------------------- */

static int fork_grandchild(struct dev *d, pid_t parent)
{
	uint32_t theirs = d->pasid;
	uint64_t x = 77, v = 0;
	int ret;

	/* While the parent may still live: not ours to use. */
	ret = svmsim_dma_read(d->fd, theirs, &x, &v, 8);
	if (ret != -EPERM && ret != -ESRCH)
		return 20;
	while (getppid() == parent)		/* reparented after its exit_mm */
		sleep_us(20);
	if (svmsim_dma_read(d->fd, theirs, &x, &v, 8) != -ESRCH)
		return 21;
	if (svmsim_unbind(d->fd, theirs))	/* a dead bond: anyone may */
		return 22;
	if (dev_bind(d))
		return 23;
	atomic_fetch_add(&sh->binds, 1);
	if (dma_read_u64(d, &x, &v) || v != 77)
		return 24;
	return 0;				/* exit bound: a release, then close */
}

static void race_fork(void)
{
	uint64_t rel0 = dev_stat(SVMSIM_STAT_RELEASES), rel;
	int status, bad = 0;

	for (long i = 0; i < iters; i++) {
		pid_t pid = fork();

		if (!pid) {
			uint64_t x = 1, v;
			struct dev d;
			pid_t me = getpid(), q;

			if (open_bind(&d, opt.device) || dma_read_u64(&d, &x, &v))
				_exit(3);
			atomic_fetch_add(&sh->binds, 1);
			q = fork();
			if (!q)
				_exit(fork_grandchild(&d, me));
			if (i & 1)
				sleep_us(i % 300);
			_exit(0);		/* exit bound; the child keeps the fd */
		}
		waitpid(pid, &status, 0);
		check(WIFEXITED(status) && !WEXITSTATUS(status), "fork %ld: parent status %#x", i,
		      status);
		/* The orphan is reparented to us (subreaper). */
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			if (!bad++)
				check(false, "fork %ld: the child with the inherited fd: status %#x", i,
				      status);
		tick();
	}
	rel = dev_stat(SVMSIM_STAT_RELEASES) - rel0;
	check(rel == (uint64_t)atomic_load(&sh->binds), "fork: %llu releases for %ld mms bound",
	      (unsigned long long)rel, atomic_load(&sh->binds));
	snprintf(sh->note, sizeof(sh->note), " releases %llu of %ld mms, failed children %d;",
		 (unsigned long long)rel, atomic_load(&sh->binds), bad);
}

/* ---- 8. bind/unbind storms ---------------------------------------------------- */

enum { STORM_THREADS = 4, STORM_PROCS = 2 };

static int storm_fd[2];
static volatile uint32_t storm_pasid;
static char *storm_mem;
static long storm_iters;

static void *storm_thread(void *arg)
{
	uint64_t seed = (uintptr_t)arg * 7919 + 1, v;
	uint32_t pasid = 0;
	int ret;

	for (long i = 0; i < storm_iters; i++) {
		int fd = storm_fd[rnd(&seed) & 1];

		ret = svmsim_bind(fd, opt.model, opt.fill, 0, &pasid);
		ALLOWED(ret, "bind storm", 0, EBUSY);
		if (!ret) {
			storm_pasid = pasid;
			ALLOWED(svmsim_inject(fd, pasid, SVMSIM_BUG_NONE, 0,
					      (uint32_t)(rnd(&seed) % 2) * 50),
				"inject in a bind storm", 0, EINVAL, ESRCH, EPERM);
		} else {
			/* Maybe stale: freed, then another mm's (EPERM). */
			pasid = storm_pasid;
		}
		ret = svmsim_dma_read(fd, pasid, storm_mem + (rnd(&seed) % 16) * PG, &v, 8);
		ALLOWED(ret, "DMA in a bind storm", 0, EINVAL, ESRCH, EPERM, EAGAIN);
		ret = svmsim_unbind(fd, pasid);
		ALLOWED(ret, "unbind storm", 0, EINVAL, EPERM);
		tick();
	}
	return NULL;
}

static void storm_process(unsigned int salt)
{
	pthread_t t[STORM_THREADS];

	storm_mem = map_anon(16 * PG, PROT_READ | PROT_WRITE);
	for (int k = 0; k < STORM_THREADS; k++)
		pthread_create(&t[k], NULL, storm_thread, (void *)(uintptr_t)(salt * 16 + k));
	for (int k = 0; k < STORM_THREADS; k++)
		pthread_join(t[k], NULL);
	/* Whatever the interleaving, nothing of this mm stays bound. */
	for (int k = 0; k < 2; k++)
		svmsim_unbind(storm_fd[k], storm_pasid);
}

static void race_storm(void)
{
	uint64_t binds0 = dev_stat(SVMSIM_STAT_BINDS), unbinds0 = dev_stat(SVMSIM_STAT_UNBINDS);
	uint64_t binds, unbinds;
	struct dev a, b;
	pid_t pids[STORM_PROCS];
	int status;

	/* Two fds on the device, shared by STORM_PROCS + 1 mms x threads. */
	if (dev_open(&a, opt.device) || dev_open(&b, opt.device))
		_exit(3);
	storm_fd[0] = a.fd;
	storm_fd[1] = b.fd;
	storm_iters = iters / STORM_THREADS + 1;
	for (int p = 0; p < STORM_PROCS; p++) {
		pids[p] = fork();
		if (!pids[p]) {
			storm_process((unsigned int)p + 1);
			_exit(0);
		}
	}
	storm_process(0);
	for (int p = 0; p < STORM_PROCS; p++) {
		waitpid(pids[p], &status, 0);
		check(WIFEXITED(status) && !WEXITSTATUS(status), "storm process %d: %#x", p, status);
	}
	check(bonds_left(opt.device) == 0, "storm: %d bonds left with the fds still open",
	      bonds_left(opt.device));
	dev_close(&a);
	dev_close(&b);
	binds = dev_stat(SVMSIM_STAT_BINDS) - binds0;
	unbinds = dev_stat(SVMSIM_STAT_UNBINDS) - unbinds0;
	check(binds == unbinds, "storm: %llu binds, %llu unbinds", (unsigned long long)binds,
	      (unsigned long long)unbinds);
	snprintf(sh->note, sizeof(sh->note), " %d mms x %d threads, binds %llu;",
		 STORM_PROCS + 1, STORM_THREADS, (unsigned long long)binds);
}

/* ---- 9 (not in the default set). bind/unbind racing mmap of the window -------- */

static void *window_mapper(void *arg)
{
	(void)arg;
	while (!close_stop) {
		char *w = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, close_fd, 0);

		if (w != MAP_FAILED) {
			w[0] = 1;
			munmap(w, 4 * PG);
		}
	}
	return NULL;
}

/*
 * Issue 13 defect 1 (bind holds the file lock across mmap_lock; ->mmap
 * takes them the other way round): hangs in D state until fixed, which
 * the watchdog reports with the stacks.  Run it with --only window_bind.
 */
static void race_window_bind(void)
{
	pthread_t t;
	struct dev d;
	int ret;

	if (dev_open(&d, opt.device))
		_exit(3);
	close_fd = d.fd;
	pthread_create(&t, NULL, window_mapper, NULL);
	for (long i = 0; i < iters; i++) {
		ret = dev_bind(&d);
		check(!ret, "window_bind %ld: bind: %s", i, errname(ret));
		if (!ret)
			svmsim_unbind(d.fd, d.pasid);
		tick();
	}
	close_stop = 1;
	pthread_join(t, NULL);
	dev_close(&d);
}

/* ---- holders for races_rmmod.sh ------------------------------------------------ */

/*
 * Keep the module busy until killed: "queued": bound, the device in
 * queued flush mode, DMA and invalidations in flight; "window": only the
 * device window stays mapped (fd closed); "orphan": a bound process forks
 * a child that keeps the fd, then exits.  Writes the pid that holds the
 * module to /tmp/svmsim-hold.ready when the state is reached.
 */
static int hold(const char *mode)
{
	char *mem = map_anon(32 * PG, PROT_READ | PROT_WRITE);
	struct svmsim_config c;
	struct worker w;
	struct dev d;
	pthread_t inv;
	int fd;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || dev_open(&d, opt.device))
		return 1;
	if (!strcmp(mode, "window")) {
		void *win = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);

		if (win == MAP_FAILED)
			return 1;
		memset(win, 1, 16 * PG);
		dev_close(&d);
	} else {
		if (!strcmp(mode, "queued") && !svmsim_get_config(d.fd, &c)) {
			c.flush_mode = SVMSIM_FLUSH_QUEUED;
			c.dev_latency_ns = 200000;
			svmsim_set_config(d.fd, &c);	/* EBUSY if bound elsewhere: fine */
		}
		if (dev_bind(&d))
			return 1;
		START_WORKER(&w, &d.fd, &d.pasid, mem, 32, -1, "holder DMA",
			     0, EINVAL, ESRCH, EFAULT, EACCES, EAGAIN, EINTR);
		pthread_create(&inv, NULL, invalidator, mem);
		if (!strcmp(mode, "orphan")) {
			pid_t q = fork();

			if (q) {
				/* The parent exits bound; the child holds the fd. */
				while (!atomic_load(&w.ops))
					sleep_us(100);
				_exit(0);
			}
			sleep_us(100000);
		}
	}
	/* The pid to kill: in "orphan" mode, the child's. */
	fd = open("/tmp/svmsim-hold.ready.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dprintf(fd, "%d\n", getpid());
		close(fd);
		rename("/tmp/svmsim-hold.ready.tmp", "/tmp/svmsim-hold.ready");
	}
	for (;;)
		pause();
}

static const struct {
	const char *name;
	void (*fn)(void);
	bool optional;		/* only when --only names it */
} races[] = {
	{ "exit_dma", race_exit_dma, false },
	{ "close", race_close, false },
	{ "unbind", race_unbind, false },
	{ "munmap_fill", race_munmap_fill, false },
	{ "exec", race_exec, false },
	{ "clone_vm", race_clone_vm, false },
	{ "fork", race_fork, false },
	{ "storm", race_storm, false },
	{ "window_bind", race_window_bind, true },
};

static void body(void)
{
	for (size_t i = 0; i < sizeof(races) / sizeof(races[0]); i++)
		if (selected(races[i].name, races[i].optional))
			run(races[i].name, races[i].fn);
}

int main(int argc, char **argv)
{
	const char *hold_mode = NULL;
	char **rest = calloc((size_t)argc + 1, sizeof(*rest));
	int n = 1;

	rest[0] = argv[0];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--exec-child") && i + 2 < argc) {
			sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
			parse_opts(argc - i - 2, argv + i + 2);
			return exec_child(argv + i - 1);
		} else if (!strcmp(argv[i], "--iterations") && i + 1 < argc) {
			iters = atol(argv[++i]);
		} else if (!strcmp(argv[i], "--stall") && i + 1 < argc) {
			stall_s = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(argv[i], "--bug") && i + 1 < argc) {
			/* Shows that munmap_fill can fail: e.g. --bug ignore_seq. */
			for (bug = SVMSIM_BUG_NR - 1; bug && strcmp(argv[i + 1], svmsim_bug_names[bug]);)
				bug--;
			i++;
		} else if (!strcmp(argv[i], "--hold") && i + 1 < argc) {
			hold_mode = argv[++i];
		} else {
			rest[n++] = argv[i];
		}
	}
	parse_opts(n, rest);
	if (hold_mode)
		return hold(hold_mode);
	if (iters < 1)
		iters = 1;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	return run_variants(VARY_MODEL, body);
}
