// SPDX-License-Identifier: GPL-2.0
/*
 * Queued flush mode must make progress with every CPU spinning in a
 * callback (issue 13, defect 4).  Meant for a guest booted with
 * preempt=full, where the device's queue thread can be preempted anywhere.
 *
 * Secondary callbacks of COW faults spin, under the page table lock, until
 * their descriptor completes.  Real-time CPU hogs, one pinned to each CPU,
 * wake every ~100-200 us -- preempting the queue thread wherever it is --
 * and write to pages that a child shares (COW), so their callbacks spin
 * with preemption disabled; CFS threads add COW, mprotect and munmap in
 * the same page table, and device threads keep the TLB filled.  If a
 * descriptor could be left to a preempted task (the queue thread in the
 * middle of a batch), every CPU ends up spinning and the guest locks up
 * (soft lockup / RCU stall, or this program's real-time watchdog).
 *
 * Options: --model (secondary: the callbacks that spin), --latency-ns N
 * (default 20000), --seconds S (default 12), --rt 0 (hogs in SCHED_OTHER,
 * to compare: the lockup then takes longer to come, or does not),
 * --coalesce-ns N (the queue's coalescing window: waiters that spin wait
 * it out as well, default 0).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"

#define AREA_PAGES	256	/* one page table: every worker shares its lock */
#define HOG_PAGES	8
#define WORKERS		4
#define WORKER_PAGES	32
#define DEV_THREADS	2
#define QI_BATCH	32
#define STALL_SECONDS	60

static struct dev d;
static char *area;
static int stop;
static unsigned long progress, hog_rounds, worker_ops, forks, dma_ops;
static int seconds = 12;
static bool rt_ok = true;
static int use_rt = 1;
static unsigned long long coalesce_ns;	/* --coalesce-ns: the queue's window */

static void bump(unsigned long *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&progress, 1, __ATOMIC_RELAXED);
}

static bool stopped(void)
{
	return __atomic_load_n(&stop, __ATOMIC_ACQUIRE);
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static bool make_rt(int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	return pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
}

/* Hog @arg: pinned, real time, wakes often and writes COW pages. */
static void *hog(void *arg)
{
	int cpu = (int)(intptr_t)arg;
	char *pages = area + (size_t)cpu * HOG_PAGES * PG;
	unsigned int seed = (unsigned int)cpu + 17;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (use_rt && !make_rt(10))
		__atomic_store_n(&rt_ok, false, __ATOMIC_RELAXED);
	while (!stopped()) {
		sleep_us(100 + rand_r(&seed) % 100);
		for (int i = 0; i < HOG_PAGES; i++)
			pages[(size_t)i * PG] ^= 1;
		bump(&hog_rounds);
	}
	return NULL;
}

/* Keeps a child sharing the area most of the time: writes then COW. */
static void *forker(void *arg)
{
	(void)arg;
	while (!stopped()) {
		int fds[2];
		pid_t pid;
		char c;

		if (pipe(fds))
			break;
		pid = fork();
		if (pid == 0) {
			close(fds[1]);
			while (read(fds[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		close(fds[0]);
		sleep_us(5000);
		close(fds[1]);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		bump(&forks);
	}
	return NULL;
}

/* CFS worker: COW writes, mprotect and munmap+mmap in the shared table. */
static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg;
	char *pages = area + (size_t)(2 * HOG_PAGES + t * WORKER_PAGES) * PG;
	unsigned int seed = (unsigned int)t * 31u + 5;

	while (!stopped()) {
		int i = rand_r(&seed) % WORKER_PAGES;
		char *p = pages + (size_t)i * PG;

		switch (rand_r(&seed) % 4) {
		case 0:
			mprotect(p, PG, PROT_READ);
			mprotect(p, PG, PROT_READ | PROT_WRITE);
			break;
		case 1:
			munmap(p, PG);
			map_anon_at(p, PG);
			break;
		default:
			for (int j = 0; j < WORKER_PAGES; j++)
				pages[(size_t)j * PG] ^= 1;
			break;
		}
		bump(&worker_ops);
	}
	return NULL;
}

static void *device(void *arg)
{
	unsigned int seed = (unsigned int)(intptr_t)arg * 7919u;
	uint64_t v;

	while (!stopped()) {
		int i = rand_r(&seed) % AREA_PAGES;

		dma_read_u64(&d, area + (size_t)i * PG, &v);
		bump(&dma_ops);
	}
	return NULL;
}

/*
 * Real time above the hogs, so it runs whenever a CPU is not stuck with
 * preemption disabled: no progress for STALL_SECONDS means a task waits
 * for one that does not run.  Dump every CPU's stack and fail.
 */
static void *watchdog(void *arg)
{
	unsigned long last = 0, now;
	int idle = 0;

	(void)arg;
	make_rt(20);
	while (!stopped()) {
		sleep_us(1000000);
		now = __atomic_load_n(&progress, __ATOMIC_RELAXED);
		idle = now == last ? idle + 1 : 0;
		last = now;
		if (idle >= STALL_SECONDS) {
			FILE *f = fopen("/proc/sysrq-trigger", "w");

			if (f) {
				fputs("l", f);
				fclose(f);
			}
			printf("not ok 1 - queued mode: no progress for %d s (stall)\n",
			       STALL_SECONDS);
			fflush(stdout);
			_exit(1);
		}
	}
	return NULL;
}

static void configure(void)
{
	struct svmsim_config c;

	opt.flush_mode = SVMSIM_FLUSH_QUEUED;
	opt.set |= OPT_FLUSH;
	if (!opt.latency_ns)
		opt.latency_ns = 20000;
	dev_setup(&d);		/* queued + latency; restored at exit */
	svmsim_get_config(d.fd, &c);
	c.qi_batch = QI_BATCH;	/* applies at once */
	c.qi_coalesce_ns = coalesce_ns;
	if (svmsim_set_config(d.fd, &c)) {
		printf("Bail out! cannot set qi_batch\n");
		exit(1);
	}
}

static void body(void);

int main(int argc, char **argv)
{
	char *argv2[16];
	int argc2 = 0;

	/* --seconds is ours; the rest goes to parse_opts(). */
	for (int i = 0; i < argc && argc2 < 15; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--seconds"))
			seconds = atoi(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--rt"))
			use_rt = atoi(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--coalesce-ns"))
			coalesce_ns = strtoull(argv[++i], NULL, 0);
		else
			argv2[argc2++] = argv[i];
	}
	argv2[argc2] = NULL;
	parse_opts(argc2, argv2);
	return run_variants(VARY_MODEL, body);
}

static void body(void)
{
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN), nhog = ncpu > 4 ? 4 : ncpu;
	pthread_t hogs[4], workers[WORKERS], devs[DEV_THREADS], fk, wd;
	uint64_t descs0, descs;

	configure();
	area = map_2m_aligned(AREA_PAGES * PG, MADV_NOHUGEPAGE);
	memset(area, 1, AREA_PAGES * PG);
	descs0 = stat_of(&d, d.pasid, SVMSIM_STAT_QI_DESCS);

	pthread_create(&wd, NULL, watchdog, NULL);
	for (int i = 0; i < DEV_THREADS; i++)
		pthread_create(&devs[i], NULL, device, (void *)(intptr_t)(i + 1));
	for (int i = 0; i < WORKERS; i++)
		pthread_create(&workers[i], NULL, worker, (void *)(intptr_t)i);
	pthread_create(&fk, NULL, forker, NULL);
	for (int i = 0; i < nhog; i++)
		pthread_create(&hogs[i], NULL, hog, (void *)(intptr_t)i);
	sleep_us((long)seconds * 1000000);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < nhog; i++)
		pthread_join(hogs[i], NULL);
	pthread_join(fk, NULL);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(workers[i], NULL);
	for (int i = 0; i < DEV_THREADS; i++)
		pthread_join(devs[i], NULL);
	pthread_join(wd, NULL);

	descs = stat_of(&d, d.pasid, SVMSIM_STAT_QI_DESCS) - descs0;
	tap_diag("%s: %d s, %d %s hogs%s, %lu hog rounds, %lu worker ops, %lu forks, "
		 "%lu DMAs, %llu descriptors queued", model_name(), seconds, nhog,
		 use_rt ? "SCHED_FIFO" : "SCHED_OTHER", rt_ok ? "" : " (SCHED_FIFO refused)", hog_rounds, worker_ops, forks, dma_ops,
		 (unsigned long long)descs);
	tap_ok(true, "%s: queued mode with every CPU spinning in callbacks: no stall",
	       model_name());
	/* Progress, not speed: how far TCG gets in a few seconds varies. */
	tap_ok(descs > 100 && forks > 5,
	       "%s: ... with the queue exercised (%llu descriptors, %lu forks)", model_name(),
	       (unsigned long long)descs, forks);
	munmap(area, AREA_PAGES * PG);
	dev_close(&d);
}
