// SPDX-License-Identifier: GPL-2.0
/*
 * Fan-out to several devices (SVMSIM_BIND_FANOUT): one mm bound to K
 * devices through the mm's two-pass notifier, which posts each flush to
 * every member before it waits for any.  Whatever the shape, every
 * invalidation must reach every device:
 *  - all K members: MADV_DONTNEED and munmap + mmap leave no device with
 *    a translation of the range, and each device then reads the CPU's new
 *    data; each bond counts its fan-out flushes, none of them serial;
 *  - a mix: device 0 with its own notifier, the others fanned out;
 *  - no memory for the passes (debugfs fail_nth): the members are flushed
 *    one at a time, counted in SVMSIM_STAT_FANOUT_SERIAL, still all of them;
 *  - a member that leaves and joins again and again while the mm changes
 *    and the devices read (joins in the middle of invalidations): not one
 *    stale read, no fill refused for ever;
 *  - queued, every batch lost (the driver's timeout recovers it): the
 *    waiter that serves its devices reaches the timeout on each, and every
 *    device then reads the CPU's new data;
 *  - the notifier goes with its last member, or with the process that
 *    exits with its members bound; the pinned model refuses the flag.
 * Times are never checked here: how parallel compares with serial is
 * svmbench's --devices / --fanout, in the sweep.
 *
 * Uses up to 4 devices (module parameter ndevices); the flush mode and
 * latency of --flush / --latency-ns apply to each.
 *
 * usage: svmsim-test_fanout [--model M] [--fill F] [--flush sync|queued] [--latency-ns N]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib.h"

#define MAXDEV		4
#define NPAGES		16
#define CHURN_ROUNDS	300
#define FAIL_NTH	"/sys/kernel/debug/svmsim/fail_nth"

static unsigned int ndev;
static struct dev devs[MAXDEV];
static struct svmsim_config saved[MAXDEV];

/* Give every device --flush / --latency-ns (no bond). */
static void open_all_config(void)
{
	struct svmsim_config c;

	for (unsigned int i = 0; i < ndev; i++) {
		c = saved[i];
		if (opt.set & OPT_FLUSH) {
			c.flush_mode = opt.flush_mode;
			c.dev_latency_ns = opt.latency_ns;
		}
		if (set_config_settled(devs[i].fd, &c))
			bail("SET_CONFIG %u", i);
	}
}

/* Open every device and configure it. */
static void open_all(void)
{
	for (unsigned int i = 0; i < ndev; i++) {
		if (dev_open(&devs[i], i))
			bail("open /dev/svmsim%u: %s", i, strerror(errno));
		if (svmsim_get_config(devs[i].fd, &saved[i]))
			bail("GET_CONFIG %u", i);
	}
	open_all_config();
}

/* Put each configuration back; the flush mode waits for the bonds' frees (EBUSY). */
static void close_all(void)
{
	for (unsigned int i = 0; i < ndev; i++) {
		set_config_settled(devs[i].fd, &saved[i]);
		close(devs[i].fd);
	}
}

/* Bind device i with FANOUT if bit i of @fan is set. */
static void bind_all(unsigned int fan)
{
	for (unsigned int i = 0; i < ndev; i++) {
		uint32_t flags = bind_flags() | ((fan >> i) & 1 ? SVMSIM_BIND_FANOUT : 0);
		int ret = svmsim_bind(devs[i].fd, opt.model, opt.fill, flags, &devs[i].pasid);

		if (ret)
			bail("bind /dev/svmsim%u: %s", i, errname(ret));
	}
}

static void unbind_all(void)
{
	for (unsigned int i = 0; i < ndev; i++)
		svmsim_unbind(devs[i].fd, devs[i].pasid);
}

/* Pages of [p, p + n pages) that device @i caches. */
static unsigned int cached(unsigned int i, const char *p, unsigned int n)
{
	struct svmsim_probe pr;
	unsigned int c = 0;

	for (unsigned int k = 0; k < n; k++)
		if (!svmsim_probe(devs[i].fd, devs[i].pasid, p + k * PG, &pr) && pr.page_shift)
			c++;
	return c;
}

/* Write @gen into every page, and have every device cache them all. */
static bool cache_everywhere(uint64_t *p, uint64_t gen)
{
	bool ok = true;

	for (unsigned int k = 0; k < NPAGES; k++)
		p[k * PG / 8] = gen;
	for (unsigned int i = 0; i < ndev; i++)
		ok &= !svmsim_prefetch(devs[i].fd, devs[i].pasid, p, NPAGES * PG) &&
		      cached(i, (char *)p, NPAGES) == NPAGES;
	return ok;
}

/* Every device reads @gen from pages [first, first + n). */
static bool devices_read(uint64_t *p, unsigned int first, unsigned int n, uint64_t gen)
{
	uint64_t v;

	for (unsigned int i = 0; i < ndev; i++)
		for (unsigned int k = first; k < first + n; k++)
			if (dma_read_u64(&devs[i], &p[k * PG / 8], &v) || v != gen)
				return false;
	return true;
}

/* No device caches pages [first, first + n). */
static bool none_cached(const uint64_t *p, unsigned int first, unsigned int n)
{
	for (unsigned int i = 0; i < ndev; i++)
		if (cached(i, (const char *)(p + first * PG / 8), n))
			return false;
	return true;
}

static void snap_all(struct svmsim_stats *s)
{
	for (unsigned int i = 0; i < ndev; i++)
		stats_snap(&devs[i], devs[i].pasid, &s[i]);
}

/* Every bond in @fan counted at least @min fan-out flushes, and @serial ones serial? */
static bool counted(const struct svmsim_stats *a, const struct svmsim_stats *b,
		    unsigned int fan, uint64_t min, bool serial)
{
	for (unsigned int i = 0; i < ndev; i++) {
		uint64_t f = stats_delta(&a[i], &b[i], SVMSIM_STAT_FANOUT);
		uint64_t s = stats_delta(&a[i], &b[i], SVMSIM_STAT_FANOUT_SERIAL);

		if (!((fan >> i) & 1)) {
			if (f || s)
				return false;
			continue;
		}
		if (f < min || (serial ? s < min : s != 0)) {
			tap_diag("device %u: fanout %llu, serial %llu", i,
				 (unsigned long long)f, (unsigned long long)s);
			return false;
		}
	}
	return true;
}

/* DONTNEED the first half, munmap + mmap the second: nobody keeps either. */
static void every_device_flushed(unsigned int fan, const char *what)
{
	struct svmsim_stats a[MAXDEV], b[MAXDEV];
	uint64_t *p = map_anon(NPAGES * PG, PROT_READ | PROT_WRITE);
	uint64_t *q = p + NPAGES / 2 * PG / 8;

	tap_ok(cache_everywhere(p, 1), "%s, %s: %u devices cache the %u pages", model_name(),
	       what, ndev, NPAGES);
	snap_all(a);
	madvise(p, NPAGES / 2 * PG, MADV_DONTNEED);
	tap_ok(none_cached(p, 0, NPAGES / 2), "%s, %s: DONTNEED: no device keeps a page", model_name(),
	       what);
	if (munmap(q, NPAGES / 2 * PG) || map_anon_at(q, NPAGES / 2 * PG) != q)
		bail("remap: %s", strerror(errno));
	tap_ok(none_cached(p, NPAGES / 2, NPAGES / 2), "%s, %s: munmap: no device keeps a page",
	       model_name(), what);
	for (unsigned int k = 0; k < NPAGES; k++)
		p[k * PG / 8] = 2;
	tap_ok(devices_read(p, 0, NPAGES, 2), "%s, %s: every device reads the new data",
	       model_name(), what);
	snap_all(b);
	tap_ok(counted(a, b, fan, 2, false), "%s, %s: the members counted their fan-out flushes, "
	       "none serial", model_name(), what);
	munmap(p, NPAGES * PG);
}

/* With no memory for the passes: one device at a time, all of them. */
static void serial_fallback(void)
{
	unsigned int all = (1u << ndev) - 1;
	struct svmsim_stats a[MAXDEV], b[MAXDEV];
	uint64_t *p = map_anon(NPAGES * PG, PROT_READ | PROT_WRITE);
	int fd = open(FAIL_NTH, O_WRONLY);

	if (fd < 0 || ndev < 2) {
		tap_skip("%s: no memory for the passes: needs allow_fail_alloc=1 and 2 devices",
			 model_name());
		tap_skip("%s: (the serial fallback flushes every device)", model_name());
		if (fd >= 0)
			close(fd);
		munmap(p, NPAGES * PG);
		return;
	}
	cache_everywhere(p, 1);
	snap_all(a);
	/* This task's next svmsim allocation fails: the passes' array. */
	if (write(fd, "1", 1) != 1)
		bail("fail_nth: %s", strerror(errno));
	madvise(p, NPAGES * PG, MADV_DONTNEED);
	if (write(fd, "0", 1) != 1)
		bail("fail_nth: %s", strerror(errno));
	close(fd);
	snap_all(b);
	tap_ok(none_cached(p, 0, NPAGES), "%s, no memory for the passes: no device keeps a page",
	       model_name());
	tap_ok(counted(a, b, all, 1, true), "%s, no memory for the passes: counted as serial",
	       model_name());
	munmap(p, NPAGES * PG);
}

/* ---- a member leaving and joining under mm changes and DMA ---- */

static int churn_stop;
static unsigned long churn_joins;

static void *churner(void *arg)
{
	struct dev *d = arg;

	for (int r = 0; r < CHURN_ROUNDS && !__atomic_load_n(&churn_stop, __ATOMIC_ACQUIRE); r++) {
		if (svmsim_bind(d->fd, opt.model, opt.fill, bind_flags() | SVMSIM_BIND_FANOUT,
				&d->pasid))
			continue;
		__atomic_add_fetch(&churn_joins, 1, __ATOMIC_RELAXED);
		usleep(200);
		svmsim_unbind(d->fd, d->pasid);
	}
	return NULL;
}

/* Device 0 stays; the last device leaves and joins; both read. */
static void churn(void)
{
	struct dev *last = &devs[ndev - 1];
	unsigned long stale = 0, errors = 0, reads = 0;
	uint64_t *p = map_anon(NPAGES * PG, PROT_READ | PROT_WRITE);
	pthread_t t;
	uint64_t v;

	if (svmsim_bind(devs[0].fd, opt.model, opt.fill, bind_flags() | SVMSIM_BIND_FANOUT,
			&devs[0].pasid))
		bail("bind 0");
	churn_joins = 0;
	__atomic_store_n(&churn_stop, 0, __ATOMIC_RELEASE);
	if (pthread_create(&t, NULL, churner, last))
		bail("pthread_create");
	for (uint64_t gen = 1; __atomic_load_n(&churn_joins, __ATOMIC_RELAXED) < CHURN_ROUNDS / 2 &&
	     gen < 100000; gen++) {
		if (munmap(p, NPAGES * PG) || map_anon_at(p, NPAGES * PG) != p)
			bail("remap: %s", strerror(errno));
		for (unsigned int k = 0; k < NPAGES; k++)
			p[k * PG / 8] = gen;
		for (unsigned int k = 0; k < NPAGES; k++) {
			/* A read through a member that just left fails: fine. */
			int r0 = dma_read_u64(&devs[0], &p[k * PG / 8], &v);

			reads++;
			errors += r0 != 0;
			stale += !r0 && v != gen;
			if (!dma_read_u64(last, &p[k * PG / 8], &v)) {
				reads++;
				stale += v != gen;
			}
		}
		madvise(p, NPAGES * PG, MADV_DONTNEED);
	}
	__atomic_store_n(&churn_stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	svmsim_unbind(devs[0].fd, devs[0].pasid);
	tap_diag("%lu joins, %lu reads", churn_joins, reads);
	tap_ok(churn_joins > 0 && stale == 0 && errors == 0,
	       "%s: a member leaving and joining %lu times under munmap/DONTNEED: %lu stale reads, "
	       "%lu failed reads of the staying device", model_name(), churn_joins, stale, errors);
	munmap(p, NPAGES * PG);
}

/* Live objects of a kind (debugfs svmsim/alloc), polled until @want or 2 s. */
static bool live_becomes(const char *name, long want)
{
	for (int i = 0; i < 40; i++) {
		if (live_objects(name) == want)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

/* A process that exits with its members bound: ->release stops them all. */
static void exit_with_members(void)
{
	uint64_t *p;
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bail("fork: %s", strerror(errno));
	if (!pid) {
		bind_all((1u << ndev) - 1);
		p = map_anon(NPAGES * PG, PROT_READ | PROT_WRITE);
		_exit(cache_everywhere(p, 1) ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && !WEXITSTATUS(status) && live_becomes("fanout", 0) &&
	       live_becomes("bond", 0), "%s: a process exits with %u members bound: reaped, "
	       "the notifier gone", model_name(), ndev);
}

/*
 * Every device queued at 200 us (its waiter sleeps and serves it), every
 * batch lost, a 2 ms timeout: each member's flush ends by the driver's
 * recovery, and no device keeps the range.  Between bonds (the flush mode
 * changes only without one).
 */
static void lost_completions(void)
{
	struct svmsim_stats a[MAXDEV], b[MAXDEV];
	struct svmsim_config c;
	bool recovered = true;
	uint64_t *p;

	for (unsigned int i = 0; i < ndev; i++) {
		c = saved[i];
		c.flush_mode = SVMSIM_FLUSH_QUEUED;
		c.dev_latency_ns = 200000;
		c.qi_timeout_ns = 2000000;
		c.qi_lose_pct = 100;
		if (set_config_settled(devs[i].fd, &c))
			bail("SET_CONFIG %u: lost completions", i);
	}
	bind_all((1u << ndev) - 1);
	p = map_anon(NPAGES * PG, PROT_READ | PROT_WRITE);
	if (!cache_everywhere(p, 5))
		bail("caching under lost completions");
	snap_all(a);
	madvise(p, NPAGES * PG, MADV_DONTNEED);
	snap_all(b);
	for (unsigned int i = 0; i < ndev; i++)
		recovered &= stats_delta(&a[i], &b[i], SVMSIM_STAT_QI_TIMEOUTS) >= 1;
	tap_ok(recovered && none_cached(p, 0, NPAGES),
	       "%s: queued, every batch lost: each of %u members' flushes ended by the "
	       "timeout's recovery, no device caches the range", model_name(), ndev);
	tap_ok(devices_read(p, 0, NPAGES, 0),
	       "%s: ... and every device reads the CPU's zeroes", model_name());
	munmap(p, NPAGES * PG);
	unbind_all();
	open_all_config();
}

static void body(void)
{
	unsigned int all = (1u << ndev) - 1;
	int fd;

	open_all();
	bind_all(all);
	tap_ok(live_objects("fanout") == 1, "%s: one fan-out notifier for the mm's %u members",
	       model_name(), ndev);
	every_device_flushed(all, "all members");
	unbind_all();
	bind_all(all & ~1u);
	every_device_flushed(all & ~1u, "device 0 on its own notifier");
	unbind_all();
	bind_all(all);
	serial_fallback();
	unbind_all();
	lost_completions();
	churn();
	tap_ok(live_becomes("fanout", 0), "%s: the notifier went with its last member",
	       model_name());
	exit_with_members();
	fd = svmsim_open(0);
	ok_errno(svmsim_ioctl(fd, SVMSIM_IOC_BIND, &(struct svmsim_bind) {
			.model = SVMSIM_MODEL_PINNED, .flags = SVMSIM_BIND_FANOUT }), -EINVAL,
		 "%s: the pinned model refuses SVMSIM_BIND_FANOUT", model_name());
	close(fd);
	close_all();
}

int main(int argc, char **argv)
{
	struct svmsim_version v;
	int fd;

	parse_opts(argc, argv);
	fd = svmsim_open(0);
	if (fd < 0 || svmsim_version(fd, &v))
		bail("/dev/svmsim0: %s", strerror(errno));
	close(fd);
	if (!(v.features & SVMSIM_FEAT_FANOUT))
		return tap_skip_all("the module has no SVMSIM_BIND_FANOUT");
	if (v.ndevices < 2)
		return tap_skip_all("one device only (module parameter ndevices)");
	ndev = v.ndevices < MAXDEV ? v.ndevices : MAXDEV;
	tap_diag("%u devices", ndev);
	return run_variants(VARY_MODEL | VARY_FILL, body);
}
