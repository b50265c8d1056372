// SPDX-License-Identifier: GPL-2.0
/*
 * Lock order and bond lifetime races (issue 13, defects 1 and 3), for
 * every model whatever --model says:
 *
 *   - SVMSIM_IOC_BIND/UNBIND in a loop against mmap()/munmap() of the
 *     device window on the same fd (bind takes mmap_lock to register the
 *     notifier or to pin; ->mmap runs under mmap_lock);
 *   - a fill that evicts another process's entries (small set-associative
 *     TLB) against that process unbinding: the victim bond must outlive
 *     the eviction's release.
 *
 * With --model M only the first case runs, for M.
 *
 * Each case runs in a child under a watchdog: a case that does not finish
 * in time is reported "not ok ... stalled" with the kernel stacks of the
 * child's threads, and the program exits non-zero at once (a task stuck
 * in D state cannot be reaped).
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"

#define WATCHDOG_S	60
#define RUN_MS		3000	/* each racing loop runs this long, or its count */

static const uint32_t models[] = {
	SVMSIM_MODEL_SECONDARY, SVMSIM_MODEL_RANGE, SVMSIM_MODEL_PINNED,
};

static const char *mname(uint32_t m)
{
	return m == SVMSIM_MODEL_SECONDARY ? "secondary" :
	       m == SVMSIM_MODEL_RANGE ? "range" : "pinned";
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void cat(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
			printf("#   %s\n", l);
	}
	close(fd);
}

/* The kernel stacks of every thread of @pid, as TAP diagnostics. */
static void dump_stacks(pid_t pid)
{
	char path[320];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		printf("# task %s:\n", de->d_name);
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid, de->d_name);
		cat(path);
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", (int)pid, de->d_name);
		cat(path);
	}
	closedir(dir);
	fflush(stdout);
}

/*
 * Run @fn(@arg) in a child; pass if it exits 0 within the watchdog.  A
 * stall dumps the child's stacks and ends the program: its threads may be
 * stuck in D state for good.
 */
static char *child_note;	/* shared with the child: its diagnostics */

static void note(const char *fmt, ...)
{
	size_t n = strlen(child_note);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(child_note + n, PG / 2 - n, fmt, ap);
	va_end(ap);
}

static void watched(int (*fn)(void *), void *arg, const char *name)
{
	uint64_t t0 = now_ms();
	int status = 0, null;
	pid_t pid;

	if (!child_note)
		child_note = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				  -1, 0);
	child_note[0] = 0;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		/*
		 * A child stuck in D state must not hold the runner's output
		 * pipe open: it reports through child_note.
		 */
		null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		_exit(fn(arg));
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() - t0 > WATCHDOG_S * 1000ull) {
			printf("%s", child_note);
			tap_ok(false, "%s: stalled for %d s (deadlock?)", name, WATCHDOG_S);
			dump_stacks(pid);
			kill(pid, SIGKILL);
			printf("# totals: pass:? fail:1 skip:0\n");
			fflush(stdout);
			_exit(1);
		}
		sleep_ms(50);
	}
	if (child_note[0])
		printf("%s", child_note);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s (exit status 0x%x)",
	       name, status);
}

/* ---- defect 1: bind/unbind vs mmap/munmap of the window, same fd ---- */

struct bind_mmap {
	uint32_t model;
	int fd;
	char *pin;
	volatile int stop;
	long binds, maps, bind_errs, map_errs;
};

static void *bind_loop(void *arg)
{
	struct bind_mmap *s = arg;
	uint64_t t0 = now_ms();
	uint32_t pasid;
	int ret;

	for (long i = 0; i < 3000 && now_ms() - t0 < RUN_MS; i++) {
		if (s->model == SVMSIM_MODEL_PINNED)
			ret = svmsim_bind_pinned(s->fd, (uintptr_t)s->pin, 4 * PG, &pasid);
		else
			ret = svmsim_bind(s->fd, s->model, SVMSIM_FILL_REF, 0, &pasid);
		if (ret) {
			s->bind_errs++;
			continue;
		}
		s->binds++;
		if (svmsim_unbind(s->fd, pasid))
			s->bind_errs++;
	}
	s->stop = 1;
	return NULL;
}

static void *mmap_loop(void *arg)
{
	struct bind_mmap *s = arg;

	while (!s->stop) {
		char *w = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);

		if (w == MAP_FAILED) {
			s->map_errs++;
			continue;
		}
		w[0] = 1;	/* fault a window page in */
		munmap(w, 4 * PG);
		s->maps++;
	}
	return NULL;
}

static int bind_vs_mmap(void *arg)
{
	struct bind_mmap s = { .model = *(uint32_t *)arg };
	pthread_t t[2];

	s.fd = svmsim_open(0);
	if (s.fd < 0)
		return 2;
	s.pin = map_anon(4 * PG, PROT_READ | PROT_WRITE);
	memset(s.pin, 1, 4 * PG);
	pthread_create(&t[0], NULL, bind_loop, &s);
	pthread_create(&t[1], NULL, mmap_loop, &s);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	note("# %s: %ld binds (%ld errors), %ld window maps (%ld errors)\n",
	     mname(s.model), s.binds, s.bind_errs, s.maps, s.map_errs);
	close(s.fd);
	return s.binds && s.maps && !s.bind_errs && !s.map_errs ? 0 : 1;
}

static void test_bind_vs_mmap(bool one)
{
	char name[128];

	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		uint32_t m = models[i];

		if (one && m != opt.model)
			continue;
		snprintf(name, sizeof(name), "%s: bind/unbind racing mmap/munmap of the "
			 "window on one fd", mname(m));
		watched(bind_vs_mmap, &m, name);
	}
}

/* ---- defect 3: a foreign eviction's release against the victim's unbind ---- */

#define DELAY_PARAM	"/sys/module/svmsim/parameters/release_delay_us"
#define EVICT_PAGES	64

static int write_param(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

/* Kernel taint flags: bit 9 is TAINT_WARN (a WARN fired). */
static unsigned long tainted(void)
{
	char buf[32] = "";
	int fd = open("/proc/sys/kernel/tainted", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = 0;
		close(fd);
	}
	return strtoul(buf, NULL, 10);
}

/* The evictor: fill @EVICT_PAGES pages round and round until @deadline. */
static int evictor(uint64_t deadline)
{
	struct dev d;
	char *p;
	uint64_t v;
	long n = 0;

	if (dev_open(&d, 1) || svmsim_bind(d.fd, SVMSIM_MODEL_SECONDARY, SVMSIM_FILL_REF, 0,
					    &d.pasid))
		return 2;
	p = map_anon(EVICT_PAGES * PG, PROT_READ | PROT_WRITE);
	memset(p, 1, EVICT_PAGES * PG);
	for (size_t i = 0; now_ms() < deadline; i++, n++)
		if (svmsim_dma_read(d.fd, d.pasid, p + (i % EVICT_PAGES) * PG, &v, 8))
			return 3;
	/* Its own half of child_note: the victim appends concurrently. */
	snprintf(child_note + PG / 2, PG / 2, "# evictor: %ld DMA reads\n", n);
	return 0;
}

/* The victim: bind a one-page pinned range and unbind, until @deadline. */
static int victim(uint64_t deadline)
{
	uint32_t pasid;
	long n = 0;
	char *p;
	int fd = svmsim_open(1);

	if (fd < 0)
		return 2;
	p = map_anon(PG, PROT_READ | PROT_WRITE);
	p[0] = 1;
	while (now_ms() < deadline) {
		if (svmsim_bind_pinned(fd, (uintptr_t)p, PG, &pasid) ||
		    svmsim_unbind(fd, pasid))
			return 3;
		n++;
	}
	note("# victim: %ld pinned bind/unbind cycles\n", n);
	close(fd);
	return 0;
}

static int evict_vs_unbind(void *arg)
{
	uint64_t deadline = now_ms() + RUN_MS;
	int status[2] = { -1, -1 };
	pid_t pid[2];

	(void)arg;
	child_note[PG / 2] = 0;
	for (int i = 0; i < 2; i++) {
		pid[i] = fork();
		if (!pid[i])
			_exit(i ? victim(deadline) : evictor(deadline));
	}
	for (int i = 0; i < 2; i++)
		waitpid(pid[i], &status[i], 0);
	note("%s# evictor status 0x%x, victim status 0x%x\n", child_note + PG / 2,
	     status[0], status[1]);
	return status[0] || status[1];
}

/*
 * A one-set, two-way TLB on device 1: every fill of the evictor evicts,
 * often the victim's pinned entry.  release_delay_us makes each pinned
 * release wait, so the victim's unbind (and bond free) runs inside a
 * release that has left the victim's lock; svm_tlb_space_free() then
 * WARNs.  The fix keeps the victim's lock across the release.
 */
static void test_evict_vs_unbind(void)
{
	struct svmsim_config c0, c;
	unsigned long taint0;
	int fd = svmsim_open(1);

	svmsim_get_config(fd, &c0);
	c = c0;
	c.tlb_sets = 1;
	c.tlb_ways = 2;
	if (svmsim_set_config(fd, &c) || write_param(DELAY_PARAM, "5000")) {
		tap_skip("foreign eviction vs unbind: cannot configure device 1 or %s "
			 "(module without allow_inject?)", DELAY_PARAM);
		close(fd);
		return;
	}
	taint0 = tainted();
	watched(evict_vs_unbind, NULL, "pinned victim unbinding while another process's "
		"fills evict its entries (tlb_sets=1, tlb_ways=2)");
	write_param(DELAY_PARAM, "0");
	tap_ok(!(tainted() & ~taint0 & (1ul << 9)),
	       "no kernel WARN: no bond freed before its evicted entries' releases ran");
	for (int i = 0; i < 100 && svmsim_set_config(fd, &c0) == -EBUSY; i++)
		sleep_ms(10);
	close(fd);
}

/*
 * No options: every case.  --model M: only the bind/mmap case of model M
 * (a stall ends the program, so each model can be shown on its own).
 */
int main(int argc, char **argv)
{
	bool one = argc > 1;

	parse_opts(argc, argv);
	if (!one)
		test_evict_vs_unbind();
	test_bind_vs_mmap(one);
	return tap_finish();
}
