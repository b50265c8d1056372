// SPDX-License-Identifier: GPL-2.0
/*
 * Resource and time bounds of the device TLB (issue: a callback held a
 * spinlock for 20.9 s with a million entries cached; entries were
 * unbounded):
 *  - the defaults bound the entries of the device and of each PASID, and
 *    a fill past a bound evicts within its own PASID;
 *  - a flush that would probe or walk more than flush_budget retires the
 *    PASID's entries at once (a generation bump, O(1) in the entries):
 *    the callback removes nothing one by one (no walk, no probe flush
 *    counted), every retired translation is gone when the mm call
 *    returns, and the reclaim worker releases them all soon after (the
 *    stale gauge returns to 0, and with fill=ref the pages' references);
 *  - the same when the mm exits with the entries cached (->release);
 *  - the device stays coherent across retirements (mprotect, munmap), of
 *    4K entries and, with THP on, of 2M entries.
 * Run per model and fill.  Timing is reported, never checked: the munmap
 * of a large cached range against a small one, as a ratio.
 *
 * usage: svmsim-test_bounds [--model M] [--fill F]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"

#define MANY	32768ul		/* entries cached by the large cases */

static struct svmsim_config saved;

/* 4K entries: THP would make a few 2M ones (covered by test_mm). */
static char *map_4k(size_t len, int prot)
{
	char *p = map_anon(len, prot);

	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void set_config(const struct dev *d, uint32_t max, uint32_t max_pasid,
		       uint32_t budget)
{
	struct svmsim_config c = saved;

	c.max_entries = max;
	c.max_pasid_entries = max_pasid;
	c.flush_budget = budget;
	if (svmsim_set_config(d->fd, &c))
		bail("SET_CONFIG: %s", strerror(errno));
}

/* Wait (up to 10 s) for the reclaim worker to release every retired entry. */
static bool stale_drains(const struct dev *d)
{
	for (int i = 0; i < 1000; i++) {
		if (!stat_of(d, 0, SVMSIM_STAT_TLB_STALE))
			return true;
		usleep(10000);
	}
	return false;
}

static void test_defaults(const struct dev *d)
{
	tap_ok(saved.max_entries == 1u << 20 && saved.max_pasid_entries == 1u << 18 &&
	       saved.flush_budget == 1024,
	       "defaults: %u entries per device, %u per PASID, flush budget %u",
	       saved.max_entries, saved.max_pasid_entries, saved.flush_budget);
	{
		struct svmsim_config c = saved;

		c.max_entries = SVMSIM_MAX_ENTRIES + 1;
		ok_errno(svmsim_set_config(d->fd, &c), -EINVAL, "config: max_entries too large");
		c = saved;
		c.pad2 = 1;
		ok_errno(svmsim_set_config(d->fd, &c), -EINVAL, "config: pad2 not zero");
	}
}

/* A PASID past its bound keeps at most the bound, evicting its oldest. */
static void test_pasid_bound(void)
{
	size_t n = 2048, len = n * PG;
	char *p = map_4k(len, PROT_READ | PROT_WRITE), *buf = malloc(len);
	struct dev d;
	uint64_t ent, ev0, ev;

	fill_pattern(p, len, 3);
	dev_setup(&d);
	set_config(&d, saved.max_entries, 512, saved.flush_budget);
	ev0 = stat_of(&d, d.pasid, SVMSIM_STAT_TLB_EVICTIONS);
	ok_errno(svmsim_prefetch(d.fd, d.pasid, p, len), 0, "%s: prefetch %zu pages",
		 model_name(), n);
	ent = stat_of(&d, d.pasid, SVMSIM_STAT_TLB_ENTRIES);
	ev = stat_of(&d, d.pasid, SVMSIM_STAT_TLB_EVICTIONS) - ev0;
	tap_ok(ent <= 512 && ev >= n - 512,
	       "%s: a PASID bounded to 512 entries holds %llu after %zu fills (%llu evicted)",
	       model_name(), (unsigned long long)ent, n, (unsigned long long)ev);
	tap_ok(!dma_read(&d, p, buf, len) && check_pattern(buf, len, 3),
	       "%s: the device still reads all %zu pages correctly", model_name(), n);
	set_config(&d, saved.max_entries, saved.max_pasid_entries, saved.flush_budget);
	dev_close(&d);
	munmap(p, len);
	free(buf);
}

/* Cache @n read-only zero-page entries at a fresh mapping. */
static char *cache_zero_pages(const struct dev *d, size_t n)
{
	char *p = map_4k(n * PG, PROT_READ);

	if (svmsim_prefetch(d->fd, d->pasid, p, n * PG))
		bail("prefetch of %zu zero pages: %s", n, strerror(errno));
	return p;
}

static uint64_t unmap_hist[SVMSIM_HIST_NBUCKETS];

/*
 * The slowest unmap callback since the last call (a bucket's lower bound,
 * ns), from the device's own latency histogram; 0 if none or unreadable.
 */
static uint64_t slowest_unmap_callback(const struct dev *d)
{
	static uint64_t now_b[SVMSIM_HIST_NBUCKETS];
	struct svmsim_hist h;
	uint64_t worst = 0;

	if (svmsim_hist(d->fd, SVMSIM_HIST_EVENT, SVMSIM_EV_UNMAP, now_b,
			SVMSIM_HIST_NBUCKETS, &h))
		return 0;
	for (uint32_t i = 0; i < SVMSIM_HIST_NBUCKETS; i++) {
		if (now_b[i] != unmap_hist[i])
			worst = svmsim_hist_lower(i);
		unmap_hist[i] = now_b[i];
	}
	return worst;
}

/* munmap with many entries cached: retired, not walked; released soon. */
static void test_retire_munmap(void)
{
	struct svmsim_stats a, b;
	double t_small, t_large;
	uint64_t cb_small, cb_large, cb_walk;
	struct dev d;
	char *p;

	dev_setup(&d);
	p = cache_zero_pages(&d, 8);
	slowest_unmap_callback(&d);
	t_small = now();
	munmap(p, 8 * PG);
	t_small = now() - t_small;
	cb_small = slowest_unmap_callback(&d);

	p = cache_zero_pages(&d, MANY);
	slowest_unmap_callback(&d);
	stats_snap(&d, d.pasid, &a);
	t_large = now();
	munmap(p, MANY * PG);
	t_large = now() - t_large;
	cb_large = slowest_unmap_callback(&d);
	stats_snap(&d, d.pasid, &b);
	tap_ok(stats_delta(&a, &b, SVMSIM_STAT_TLB_RETIRED) >= MANY &&
	       stats_delta(&a, &b, SVMSIM_STAT_TLB_WALK_FLUSHES) == 0 &&
	       b.counters[SVMSIM_STAT_TLB_ENTRIES] == 0,
	       "%s: munmap of %lu cached pages retires them at once (retired %llu, "
	       "walks %llu, live %llu)", model_name(), MANY,
	       (unsigned long long)stats_delta(&a, &b, SVMSIM_STAT_TLB_RETIRED),
	       (unsigned long long)stats_delta(&a, &b, SVMSIM_STAT_TLB_WALK_FLUSHES),
	       (unsigned long long)b.counters[SVMSIM_STAT_TLB_ENTRIES]);
	tap_ok(stale_drains(&d), "%s: the reclaim worker releases every retired entry",
	       model_name());
	/* The same with no budget: the callback walks every entry. */
	set_config(&d, saved.max_entries, saved.max_pasid_entries, 0);
	p = cache_zero_pages(&d, MANY);
	slowest_unmap_callback(&d);
	munmap(p, MANY * PG);
	cb_walk = slowest_unmap_callback(&d);
	set_config(&d, saved.max_entries, saved.max_pasid_entries, saved.flush_budget);
	tap_diag("%s: unmap callback, slowest: %llu ns with %lu entries cached (%llu ns "
		 "walking them with no budget), %llu ns with 8; the whole munmap %.0f vs "
		 "%.0f us (the kernel's zap of the PTEs included; TCG, noisy)",
		 model_name(), (unsigned long long)cb_large, MANY,
		 (unsigned long long)cb_walk, (unsigned long long)cb_small,
		 t_large * 1e6, t_small * 1e6);
	dev_close(&d);
}

/*
 * Coherence across a retirement: mprotect(PROT_READ) of a range over the
 * budget retires the PASID; a device write there must then fault, and
 * reads everywhere see the CPU's data.
 */
static void test_retire_coherent(void)
{
	size_t n = 4096, len = n * PG;
	char *p = map_4k(len, PROT_READ | PROT_WRITE), *buf = malloc(len);
	uint64_t r0, v = 0;
	struct dev d;

	fill_pattern(p, len, 5);
	dev_setup(&d);
	set_config(&d, saved.max_entries, saved.max_pasid_entries, 64);
	ok_errno(svmsim_prefetch(d.fd, d.pasid, p, len), 0, "%s: prefetch %zu writable pages",
		 model_name(), n);
	r0 = stat_of(&d, d.pasid, SVMSIM_STAT_TLB_RETIRED);
	mprotect(p + 1024 * PG, 2048 * PG, PROT_READ);
	tap_ok(stat_of(&d, d.pasid, SVMSIM_STAT_TLB_RETIRED) > r0,
	       "%s: mprotect of 2048 pages with a budget of 64 retires the PASID", model_name());
	ok_errno(dma_write_u64(&d, p + 2000 * PG, 1), -EACCES,
		 "%s: a device write to a page made read-only faults", model_name());
	p[3] = 'x';
	p[3500 * PG] = 'y';
	tap_ok(!dma_read(&d, p, buf, len) && buf[3] == 'x' && buf[3500 * PG] == 'y' &&
	       !dma_read_u64(&d, p + 2000 * PG, &v) && v == *(uint64_t *)(p + 2000 * PG),
	       "%s: after the retirement the device reads what the CPU wrote", model_name());
	set_config(&d, saved.max_entries, saved.max_pasid_entries, saved.flush_budget);
	dev_close(&d);
	munmap(p, len);
	free(buf);
}

/*
 * THP on: 2M entries retired.  With a budget of 2, mprotect of 8 huge
 * pages of 16 retires the PASID; a write there faults, reads see the CPU.
 */
static void test_retire_thp(void)
{
	size_t len = 16 * HPG;
	char *p = map_huge_aligned(len), *buf = malloc(len);
	uint64_t r0, huge, v = 0;
	struct dev d;

	fill_pattern(p, len, 9);
	dev_setup(&d);
	set_config(&d, saved.max_entries, saved.max_pasid_entries, 2);
	svmsim_prefetch(d.fd, d.pasid, p, len);
	huge = stat_of(&d, d.pasid, SVMSIM_STAT_TLB_ENTRIES_2M);
	if (huge < 3) {
		for (int i = 0; i < 4; i++)
			tap_skip("%s: THP: only %llu 2M entries cached (no THP here?)",
				 model_name(), (unsigned long long)huge);
		goto out;
	}
	r0 = stat_of(&d, d.pasid, SVMSIM_STAT_TLB_RETIRED);
	mprotect(p + 4 * HPG, 8 * HPG, PROT_READ);
	tap_ok(stat_of(&d, d.pasid, SVMSIM_STAT_TLB_RETIRED) >= r0 + huge,
	       "%s: THP: mprotect over the budget retires the PASID's %llu 2M entries",
	       model_name(), (unsigned long long)huge);
	ok_errno(dma_write_u64(&d, p + 5 * HPG + 8, 1), -EACCES,
		 "%s: THP: a device write to a huge page made read-only faults", model_name());
	p[3] = 'x';
	p[13 * HPG] = 'y';
	tap_ok(!dma_read(&d, p, buf, len) && buf[3] == 'x' && buf[13 * HPG] == 'y' &&
	       !dma_read_u64(&d, p + 5 * HPG + 8, &v) && v == *(uint64_t *)(p + 5 * HPG + 8),
	       "%s: THP: after the retirement the device reads what the CPU wrote",
	       model_name());
	munmap(p, len);
	p = NULL;
	tap_ok(stale_drains(&d) && stat_of(&d, d.pasid, SVMSIM_STAT_TLB_ENTRIES) == 0,
	       "%s: THP: after munmap no entry is left, live or stale", model_name());
out:
	set_config(&d, saved.max_entries, saved.max_pasid_entries, saved.flush_budget);
	dev_close(&d);
	if (p)
		munmap(p, len);
	free(buf);
}

/* The mm exits with many entries cached: ->release retires, worker frees. */
static void test_retire_exit(void)
{
	struct dev d;
	pid_t pid;
	int st;

	dev_open(&d, opt.device);
	pid = fork();
	if (pid == 0) {
		struct dev c = { .fd = d.fd };

		if (dev_bind(&c))
			_exit(1);
		cache_zero_pages(&c, MANY);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && stale_drains(&d) &&
	       stat_of(&d, 0, SVMSIM_STAT_TLB_ENTRIES) == 0,
	       "%s: a process exiting with %lu entries cached leaves none, live or stale",
	       model_name(), MANY);
	dev_close(&d);
}

static void body(void)
{
	struct dev d;

	dev_open(&d, opt.device);
	if (svmsim_get_config(d.fd, &saved))
		bail("GET_CONFIG: %s", strerror(errno));
	test_defaults(&d);
	dev_close(&d);
	test_pasid_bound();
	test_retire_munmap();
	test_retire_coherent();
	test_retire_thp();
	test_retire_exit();
}

int main(int argc, char **argv)
{
	parse_opts(argc, argv);
	return run_variants(VARY_MODEL | VARY_FILL, body);
}
