// SPDX-License-Identifier: GPL-2.0
/*
 * Device-side faults of the invalidation path (struct svmsim_config's
 * lat_tail_pct/_mult, qi_timeout_ns, qi_depth, qi_lose_pct), per model:
 *
 *  - a latency tail, sync and queued: the share of flushes (batches) given
 *    the tail is the asked one within a binomial bound, and (queued) the
 *    queue histogram holds at least that many samples as slow as the tail;
 *  - lost completions (100 %) and late ones (latency over the timeout):
 *    every flush times out and is recovered by the driver, no translation
 *    stays behind (probe, and the device reads the new page), no hang; an
 *    unbind with lost batches in flight returns;
 *  - a bounded queue (depth 1 and 2): mutators and device threads, and a
 *    range-model process whose sleeping waits keep the queue full, all
 *    complete, the queue was found full, no stale entry seen;
 *  - (range model) a fatal signal during a munmap whose blockable range
 *    start waits 5 ms for the device: the task dies, the wait is counted as
 *    cut, and the device holds no entry of the unmapped range.
 *
 * Counts, never wall-clock thresholds.  Options: lib.h's (--model ...).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"

#define TAIL_OPS	240
#define TAIL_PCT	30
#define TAIL_MULT	25
#define TAIL_LAT_NS	20000ull		/* the tail: 500 us */
#define LOST_OPS	60
#define DEPTH_SECONDS	2
#define MUTATORS	8
#define MUT_PAGES	8
#define DEV_THREADS	2
#define SLEEPERS	4
#define KILL_ATTEMPTS	40
#define KILL_PAGES	16

static struct dev d;
static struct svmsim_config saved;

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* Rebind under a new configuration (the flush mode needs no bond). */
static void configure(uint32_t mode, uint64_t lat, uint32_t tail_pct, uint32_t tail_mult,
		      uint64_t timeout, uint32_t depth, uint32_t lose)
{
	struct svmsim_config c = saved;

	c.flush_mode = mode;
	c.dev_latency_ns = lat;
	c.lat_tail_pct = tail_pct;
	c.lat_tail_mult = tail_mult;
	c.qi_timeout_ns = timeout;
	c.qi_depth = depth;
	c.qi_lose_pct = lose;
	dev_rebind(&d, &c);
}

/* |k - n p| within 5 standard deviations (and one): a binomial count. */
static bool binomial_ok(uint64_t k, uint64_t n, double p)
{
	double mean = (double)n * p, sd = sqrt((double)n * p * (1 - p));

	return fabs((double)k - mean) <= 5 * sd + 1;
}

/* Samples of histogram @kind/@index in buckets that may hold @ns or more. */
static uint64_t hist_at_least(uint32_t kind, uint32_t index, uint64_t ns)
{
	static uint64_t b[SVMSIM_HIST_NBUCKETS];
	struct svmsim_hist h;
	uint64_t n = 0;

	if (svmsim_hist(d.fd, kind, index, b, SVMSIM_HIST_NBUCKETS, &h))
		bail("hist: %s", strerror(errno));
	for (uint32_t i = 0; i < SVMSIM_HIST_NBUCKETS; i++)
		if (i + 1 == SVMSIM_HIST_NBUCKETS || svmsim_hist_lower(i + 1) > ns)
			n += b[i];
	return n;
}

static uint64_t flush_hist_at_least(uint64_t ns)
{
	uint64_t n = 0;

	for (uint32_t e = 0; e < SVMSIM_EV_NR; e++)
		n += hist_at_least(SVMSIM_HIST_EVENT, e, ns);
	return n;
}

/* One cached page dropped: DONTNEED of a page the device caches. */
static void cached_drop(char *p)
{
	uint64_t v;

	*(volatile char *)p = 1;
	dma_read_u64(&d, p, &v);
	madvise(p, PG, MADV_DONTNEED);
}

static void part_tail(bool queued)
{
	const char *mode = queued ? "queued" : "sync";
	uint64_t tail_ns = TAIL_LAT_NS * TAIL_MULT, slow0, slow, n, k;
	struct svmsim_stats a, b;
	char *area = map_anon(64 * PG, PROT_READ | PROT_WRITE);

	configure(queued ? SVMSIM_FLUSH_QUEUED : SVMSIM_FLUSH_SYNC, TAIL_LAT_NS, TAIL_PCT,
		  TAIL_MULT, 0, 0, 0);
	stats_snap(&d, 0, &a);
	slow0 = queued ? hist_at_least(SVMSIM_HIST_QUEUE, 0, tail_ns) :
			 flush_hist_at_least(tail_ns);
	for (int i = 0; i < TAIL_OPS; i++)
		cached_drop(area + (size_t)(i % 64) * PG);
	stats_snap(&d, 0, &b);
	slow = (queued ? hist_at_least(SVMSIM_HIST_QUEUE, 0, tail_ns) :
			 flush_hist_at_least(tail_ns)) - slow0;
	n = stats_delta(&a, &b, queued ? SVMSIM_STAT_QI_BATCHES : SVMSIM_STAT_INV_CALLS);
	k = stats_delta(&a, &b, SVMSIM_STAT_DEV_TAIL);
	tap_diag("%s/%s: tail %llu of %llu %s (asked %d %%), %llu samples >= %llu us",
		 model_name(), mode, (unsigned long long)k, (unsigned long long)n,
		 queued ? "batches" : "flushes", TAIL_PCT, (unsigned long long)slow,
		 (unsigned long long)(tail_ns / 1000));
	tap_ok(n >= TAIL_OPS / 2 && binomial_ok(k, n, TAIL_PCT / 100.0),
	       "%s/%s: latency tail on %llu of %llu, within 5 sd of %d %%", model_name(), mode,
	       (unsigned long long)k, (unsigned long long)n, TAIL_PCT);
	/*
	 * Queued: a batch completes only once ktime_get_ns() passed its
	 * deadline, and the queue histogram is in the same clock: each tail
	 * batch has a descriptor at least that slow, whatever TCG does.  Sync
	 * spins with udelay() but is timed by local_clock(), which a guest may
	 * run at another rate: shown, not checked.
	 */
	if (queued)
		tap_ok(k > 0 && slow >= k,
		       "%s/%s: the queue histogram holds the tail (%llu >= %llu)", model_name(),
		       mode, (unsigned long long)slow, (unsigned long long)k);
	else
		tap_ok(k > 0, "%s/%s: the tail was drawn (%llu flushes)", model_name(), mode,
		       (unsigned long long)k);
	munmap(area, 64 * PG);
}

/* Drops with every batch timing out: the device holds nothing stale after. */
static void part_timeout(bool lost)
{
	const char *what = lost ? "lost" : "late";
	char *area = map_anon(16 * PG, PROT_READ | PROT_WRITE);
	unsigned int stale = 0, cached = 0;
	struct svmsim_stats a, b;
	uint64_t lost_n, to;

	/* lost: every completion lost, 1 ms timeout; late: 2 ms latency. */
	configure(SVMSIM_FLUSH_QUEUED, lost ? 10000 : 2000000, 0, 0, 1000000, 0,
		  lost ? 100 : 0);
	stats_snap(&d, d.pasid, &a);
	lost_n = stat_of(&d, 0, SVMSIM_STAT_QI_LOST);
	for (int i = 0; i < LOST_OPS; i++) {
		char *p = area + (size_t)(i % 16) * PG;
		struct svmsim_probe pr;
		uint64_t v = 0;

		memset(p, 0x5a, PG);
		if (!dma_read_u64(&d, p, &v) && !svmsim_probe(d.fd, d.pasid, p, &pr) &&
		    pr.page_shift)
			cached++;
		madvise(p, PG, MADV_DONTNEED);
		if (svmsim_probe(d.fd, d.pasid, p, &pr) || pr.page_shift)
			stale++;
		if (dma_read_u64(&d, p, &v) || v)
			stale++;
	}
	stats_snap(&d, d.pasid, &b);
	lost_n = stat_of(&d, 0, SVMSIM_STAT_QI_LOST) - lost_n;
	to = stats_delta(&a, &b, SVMSIM_STAT_QI_TIMEOUTS);
	tap_diag("%s/%s: %d drops, %u cached before, %llu timeouts, %llu batches lost, "
		 "%u stale", model_name(), what, LOST_OPS, cached, (unsigned long long)to,
		 (unsigned long long)lost_n, stale);
	tap_ok(stale == 0 && cached == LOST_OPS,
	       "%s/%s completions: every drop leaves no entry and the device reads the new page",
	       model_name(), what);
	tap_ok(to >= LOST_OPS && (lost ? lost_n > 0 : lost_n == 0),
	       "%s/%s completions: %llu flushes timed out and were recovered", model_name(),
	       what, (unsigned long long)to);
	munmap(area, 16 * PG);
}

/* ---- unbind while batches are lost ---- */

static volatile int stop;
static char *shared_area;

static void *dropper(void *arg)
{
	(void)arg;
	for (unsigned int i = 0; !__atomic_load_n(&stop, __ATOMIC_ACQUIRE); i++)
		cached_drop(shared_area + (size_t)(i % 16) * PG);
	return NULL;
}

static void part_unbind_lost(void)
{
	pthread_t t[2];
	uint64_t to;
	int ret;

	configure(SVMSIM_FLUSH_QUEUED, 0, 0, 0, 2000000, 0, 100);
	shared_area = map_anon(16 * PG, PROT_READ | PROT_WRITE);
	stop = 0;
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, dropper, NULL);
	sleep_us(100000);
	to = stat_of(&d, d.pasid, SVMSIM_STAT_QI_TIMEOUTS);
	ret = svmsim_unbind(d.fd, d.pasid);
	d.pasid = 0;
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	tap_ok(ret == 0 && to > 0,
	       "%s: unbind with lost completions in flight returns (%llu timeouts before)",
	       model_name(), (unsigned long long)to);
	munmap(shared_area, 16 * PG);
}

/* ---- a bounded queue under load ---- */

static char *qarea;
static unsigned long violations, mut_ops;

static void *mutator(void *arg)
{
	int t = (int)(intptr_t)arg;
	char *pages = qarea + (size_t)t * HPG;
	unsigned int seed = (unsigned int)t * 77u + 3;

	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		char *p = pages + (size_t)(rand_r(&seed) % MUT_PAGES) * PG;
		struct svmsim_probe pr;

		*(volatile char *)p = 1;
		if (rand_r(&seed) % 2) {
			madvise(p, PG, MADV_DONTNEED);
		} else {
			munmap(p, PG);
			map_anon_at(p, PG);
		}
		/* Device threads may refill it, but only with the page mapped now. */
		if (!svmsim_probe(d.fd, d.pasid, p, &pr) && pr.page_shift == 12) {
			uint64_t now = pfn_of(p);

			if (now && pr.pfn != now)
				__atomic_add_fetch(&violations, 1, __ATOMIC_RELAXED);
		}
		__atomic_add_fetch(&mut_ops, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *device(void *arg)
{
	unsigned int seed = (unsigned int)(intptr_t)arg * 7919u;
	uint64_t v;

	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
		dma_read_u64(&d, qarea + (size_t)(rand_r(&seed) % MUTATORS) * HPG +
			     (size_t)(rand_r(&seed) % MUT_PAGES) * PG, &v);
	return NULL;
}

/*
 * Another process on the same device, range model: its waits sleep, so its
 * descriptors stay posted while ours -- secondary ones under the page table
 * lock, with both CPUs spinning -- find the queue full of them.
 */
static struct dev sleeper_dev;

static void *sleeper_thread(void *arg)
{
	char *p = arg;

	for (unsigned int i = 0;; i++) {
		char *q = p + (size_t)(i % MUT_PAGES) * PG;
		uint64_t v;

		*(volatile char *)q = 1;
		dma_read_u64(&sleeper_dev, q, &v);
		madvise(q, PG, MADV_DONTNEED);
	}
	return NULL;
}

static pid_t sleeper_start(void)
{
	pid_t pid = fork();
	pthread_t t;
	char *p;

	if (pid)
		return pid;
	if (dev_open(&sleeper_dev, opt.device) ||
	    svmsim_bind(sleeper_dev.fd, SVMSIM_MODEL_RANGE, 0, 0, &sleeper_dev.pasid))
		_exit(1);
	/* More sleeping posters than the deepest queue tried: it stays full. */
	p = map_2m_aligned(SLEEPERS * HPG, MADV_NOHUGEPAGE);
	for (int i = 1; i < SLEEPERS; i++)
		pthread_create(&t, NULL, sleeper_thread, p + (size_t)i * HPG);
	sleeper_thread(p);
	_exit(0);
}

static void part_depth(uint32_t depth)
{
	pthread_t m[MUTATORS], dv[DEV_THREADS];
	uint64_t full, dev_full;
	pid_t sleeper;

	configure(SVMSIM_FLUSH_QUEUED, 50000, 0, 0, 0, depth, 0);
	/* A page table each: their callbacks do not queue on one lock. */
	qarea = map_2m_aligned(MUTATORS * HPG, MADV_NOHUGEPAGE);
	for (int i = 0; i < MUTATORS; i++)
		memset(qarea + (size_t)i * HPG, 1, MUT_PAGES * PG);
	stop = 0;
	violations = mut_ops = 0;
	full = stat_of(&d, d.pasid, SVMSIM_STAT_QI_FULL);
	dev_full = stat_of(&d, 0, SVMSIM_STAT_QI_FULL);
	fflush(stdout);
	sleeper = sleeper_start();
	for (int i = 0; i < DEV_THREADS; i++)
		pthread_create(&dv[i], NULL, device, (void *)(intptr_t)(i + 1));
	for (int i = 0; i < MUTATORS; i++)
		pthread_create(&m[i], NULL, mutator, (void *)(intptr_t)i);
	sleep_us(DEPTH_SECONDS * 1000000L);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < MUTATORS; i++)
		pthread_join(m[i], NULL);
	for (int i = 0; i < DEV_THREADS; i++)
		pthread_join(dv[i], NULL);
	kill(sleeper, SIGKILL);
	waitpid(sleeper, NULL, 0);
	full = stat_of(&d, d.pasid, SVMSIM_STAT_QI_FULL) - full;
	dev_full = stat_of(&d, 0, SVMSIM_STAT_QI_FULL) - dev_full;
	tap_diag("%s/depth %u: %lu mutator ops, %llu posts found the queue full (%llu of them "
		 "ours), %lu stale", model_name(), depth, mut_ops, (unsigned long long)dev_full,
		 (unsigned long long)full, violations);
	tap_ok(violations == 0 && mut_ops > 0 && dev_full > 0,
	       "%s: qi_depth %u: %d mutators, %d device threads and a range-model process "
	       "complete, queue full %llu times, no stale entry", model_name(), depth, MUTATORS,
	       DEV_THREADS, (unsigned long long)dev_full);
	munmap(qarea, MUTATORS * HPG);
}

/* ---- a fatal signal during a waiting range start ---- */

static char *kill_area;

static int unmapper(void *arg)
{
	(void)arg;
	syscall(SYS_munmap, kill_area, KILL_PAGES * PG);
	syscall(SYS_exit, 0);
	return 0;
}

static void part_killed(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	unsigned int attempts = 0, killed_by_sig = 0, checked = 0, stale = 0;
	unsigned int seed = 99;
	uint64_t killed0, killed = 0;

	configure(SVMSIM_FLUSH_QUEUED, 5000000, 0, 0, 0, 0, 0);
	killed0 = stat_of(&d, d.pasid, SVMSIM_STAT_QI_KILLED);
	while (attempts < KILL_ATTEMPTS && (!killed || !checked)) {
		unsigned char vec[KILL_PAGES];
		int status;
		pid_t pid;

		attempts++;
		kill_area = map_anon(KILL_PAGES * PG, PROT_READ | PROT_WRITE);
		memset(kill_area, 3, KILL_PAGES * PG);
		for (int i = 0; i < KILL_PAGES; i++) {
			uint64_t v;

			dma_read_u64(&d, kill_area + (size_t)i * PG, &v);
		}
		/* Same mm, own thread group: the kill ends it, not us. */
		pid = clone(unmapper, stack + sizeof(stack), CLONE_VM | SIGCHLD, NULL);
		if (pid < 0)
			bail("clone: %s", strerror(errno));
		sleep_us(500 + rand_r(&seed) % 4000);
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid)
			bail("waitpid: %s", strerror(errno));
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			killed_by_sig++;
		if (mincore(kill_area, KILL_PAGES * PG, vec) && errno == ENOMEM) {
			/* Unmapped: the device must hold none of it. */
			checked++;
			for (int i = 0; i < KILL_PAGES; i++) {
				struct svmsim_probe pr;

				if (svmsim_probe(d.fd, d.pasid, kill_area + (size_t)i * PG,
						 &pr) || pr.page_shift)
					stale++;
			}
		} else {
			munmap(kill_area, KILL_PAGES * PG);
		}
		killed = stat_of(&d, d.pasid, SVMSIM_STAT_QI_KILLED) - killed0;
	}
	tap_diag("%s: %u attempts, %u children died of SIGKILL, %llu waits cut by it, "
		 "%u unmapped ranges probed, %u stale entries", model_name(), attempts,
		 killed_by_sig, (unsigned long long)killed, checked, stale);
	tap_ok(killed > 0 && killed_by_sig > 0,
	       "%s: SIGKILL during a munmap waiting for the device: the task dies, the wait "
	       "is cut and spun to the end (%llu)", model_name(), (unsigned long long)killed);
	tap_ok(checked > 0 && stale == 0,
	       "%s: ... and the device holds no entry of the unmapped range", model_name());
}

static void body(void)
{
	if (dev_open(&d, opt.device))
		bail("open /dev/svmsim%u", opt.device);
	part_tail(false);
	part_tail(true);
	part_timeout(true);
	part_timeout(false);
	part_unbind_lost();
	part_depth(1);
	part_depth(2);
	if (opt.model == SVMSIM_MODEL_RANGE)
		part_killed();
	if (d.pasid)
		svmsim_unbind(d.fd, d.pasid);
	d.pasid = 0;
	if (svmsim_set_config(d.fd, &saved))
		bail("cannot restore the configuration");
	dev_close(&d);
}

/* Each field's range, and lost completions without a timeout: EINVAL. */
static void check_errnos(void)
{
	struct svmsim_config c;
	int fd = svmsim_open(opt.device);

	if (fd < 0)
		bail("open /dev/svmsim%u", opt.device);
#define BAD(stmt, what) do {							\
		c = saved;							\
		stmt;								\
		ok_errno(svmsim_set_config(fd, &c), -EINVAL, "config: " what);	\
	} while (0)
	BAD(c.lat_tail_pct = 101; c.lat_tail_mult = 2, "lat_tail_pct over 100");
	BAD(c.lat_tail_pct = 10; c.lat_tail_mult = SVMSIM_MAX_TAIL_MULT + 1, "lat_tail_mult over 1000");
	BAD(c.lat_tail_pct = 10; c.lat_tail_mult = 0, "a tail without a multiplier");
	BAD(c.dev_latency_ns = 1000000; c.lat_tail_pct = 10; c.lat_tail_mult = 101,
	    "tail latency over 100 ms");
	BAD(c.qi_timeout_ns = SVMSIM_MAX_TAIL_NS + 1, "qi_timeout_ns over 100 ms");
	BAD(c.qi_depth = SVMSIM_MAX_QI_DEPTH + 1, "qi_depth over 4096");
	BAD(c.qi_lose_pct = 101; c.qi_timeout_ns = 1000, "qi_lose_pct over 100");
	BAD(c.qi_lose_pct = 1, "lost completions without a timeout");
	c = saved;
	c.dev_latency_ns = 100000;
	c.lat_tail_pct = 100;
	c.lat_tail_mult = 1000;
	c.qi_timeout_ns = SVMSIM_MAX_TAIL_NS;
	c.qi_depth = SVMSIM_MAX_QI_DEPTH;
	c.qi_lose_pct = 100;
	ok_errno(svmsim_set_config(fd, &c), 0, "config: every fault at its bound");
	ok_errno(svmsim_set_config(fd, &saved), 0, "config: all off again");
	close(fd);
}

/*
 * --hold-lost (for devfault_rmmod.sh): leave descriptors of a lost batch in
 * flight -- owned ones, posted by the injected bug NO_WAIT, so no waiter
 * holds the module -- and exit at once, unbound, the configuration left as
 * it is (the rmmod that follows resets it): the module must unload while
 * they are outstanding, the driver's timeout (100 ms) retiring them.
 */
static int hold_lost(void)
{
	char *area = map_anon(16 * PG, PROT_READ | PROT_WRITE);
	uint64_t descs, lost, to;
	int ret;

	if (dev_open(&d, opt.device))
		bail("open /dev/svmsim%u", opt.device);
	svmsim_get_config(d.fd, &saved);
	configure(SVMSIM_FLUSH_QUEUED, 0, 0, 0, SVMSIM_MAX_TAIL_NS, 0, 100);
	ret = svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_NO_WAIT, 0, 0);
	if (ret)
		bail("inject no_wait: %s (module parameter allow_inject=1?)", errname(ret));
	for (int i = 0; i < 16; i++)
		cached_drop(area + (size_t)i * PG);
	/*
	 * The device thread takes the batch (and loses it) when it next
	 * runs, which may be after the posts returned: wait up to 5 s.
	 */
	for (int i = 0; i < 500 && !stat_of(&d, 0, SVMSIM_STAT_QI_LOST); i++)
		usleep(10 * 1000);
	descs = stat_of(&d, 0, SVMSIM_STAT_QI_DESCS);
	lost = stat_of(&d, 0, SVMSIM_STAT_QI_LOST);
	to = stat_of(&d, 0, SVMSIM_STAT_QI_TIMEOUTS);
	printf("%llu %llu %llu\n", (unsigned long long)descs, (unsigned long long)lost,
	       (unsigned long long)to);
	fflush(stdout);
	dev_close(&d);
	_exit(descs > to && lost > 0 ? 0 : 1);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[argc - 1], "--hold-lost")) {
		parse_opts(argc - 1, argv);
		return hold_lost();
	}
	parse_opts(argc, argv);
	if (keep_config(&saved))
		bail("cannot read /dev/svmsim%u's configuration", opt.device);
	check_errnos();
	return run_variants(VARY_MODEL, body);
}
