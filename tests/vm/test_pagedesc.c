// SPDX-License-Identifier: GPL-2.0
/*
 * One descriptor per page, one wait (SVMSIM_CONFIG_PAGE_DESCS: SMMUv3
 * without range invalidation, a CMD_TLBI per page and one CMD_SYNC), per
 * model.  MADV_DONTNEED of NPAGES cached pages (no THP), queued mode, at a
 * latency whose waiter spins (20 us) and one whose waiter sleeps (200 us):
 *
 *  - on, qi_batch 64: the range goes as NPAGES descriptors (range model:
 *    exactly NPAGES, in exactly one batch); fewer batches than
 *    descriptors; every page gone from the TLB, none of them collateral,
 *    and the device reads the CPU's zeroes;
 *  - on, qi_batch 1: one batch per descriptor (the pages waited for one
 *    by one);
 *  - off: one descriptor for the range (range model: exactly one);
 *  - on, a range over the threshold: one (PASID-wide) descriptor;
 *  - on, qi_batch 1, a range of more pages than SVMSIM_PAGE_DESCS_WAITS:
 *    one descriptor (range model: exactly one), not a wait per page;
 *  - on, a range of GROUP_PAGES pages, over SVMSIM_PAGE_DESCS_GROUP:
 *    posted and waited for group by group (range model: GROUP_PAGES
 *    descriptors in 2 batches);
 *  - on, with no memory for the group (allow_fail_alloc=1): the range goes
 *    as one descriptor, counted in SVMSIM_STAT_QI_DESCS_NOMEM, and every
 *    page is still gone;
 *  - sync mode, on: the device removes the pages one flush each (range
 *    model: NPAGES probe flushes, against one off);
 *  - PSI and page descriptors together are refused (EINVAL).
 * Presence is read with SVMSIM_IOC_PROBE, which never fills.
 *
 * usage: svmsim-test_pagedesc [--model M] [--fill F]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib.h"

#define NPAGES		8
#define GROUP_PAGES	(SVMSIM_PAGE_DESCS_GROUP + 36)
#define MAP_PAGES	GROUP_PAGES
#define FAIL_NTH	"/sys/kernel/debug/svmsim/fail_nth"

static struct dev d;
static struct svmsim_config saved;
static char *buf;

static bool range_model(void)
{
	return opt.model == SVMSIM_MODEL_RANGE;
}

static void configure(uint32_t mode, uint64_t lat, uint32_t batch, uint32_t flags,
		      uint32_t threshold)
{
	struct svmsim_config c = saved;

	c.flush_mode = mode;
	c.dev_latency_ns = lat;
	c.qi_batch = batch;
	c.qi_coalesce_ns = 0;
	c.flush_threshold = threshold;
	c.flags = (saved.flags & ~(SVMSIM_CONFIG_PSI | SVMSIM_CONFIG_PAGE_DESCS)) | flags;
	dev_rebind(&d, &c);
}

static unsigned int cached_pages(unsigned int n)
{
	struct svmsim_probe pr;
	unsigned int got = 0;

	for (unsigned int i = 0; i < n; i++)
		if (!svmsim_probe(d.fd, d.pasid, buf + i * PG, &pr) && pr.page_shift)
			got++;
	return got;
}

/* The device reads zeroes (the CPU's new pages) on each of the first @n pages. */
static bool reads_zeroes(unsigned int n)
{
	uint64_t v;

	for (unsigned int i = 0; i < n; i++)
		if (dma_read_u64(&d, buf + i * PG, &v) || v)
			return false;
	return true;
}

struct delta {
	uint64_t descs, batches, flushed, collateral, probes, nomem;
	unsigned int left;
};

/* Cache @n pages, DONTNEED them, and what the bond and device counted. */
static struct delta drop(unsigned int n, const char *fail)
{
	struct svmsim_stats a, b, da, db;
	struct delta r;
	int fd = -1;

	memset(buf, 1, (size_t)n * PG);
	if (svmsim_prefetch(d.fd, d.pasid, buf, (size_t)n * PG))
		bail("prefetch: %s", strerror(errno));
	stats_snap(&d, d.pasid, &a);
	stats_snap(&d, 0, &da);
	if (fail) {
		fd = open(FAIL_NTH, O_WRONLY);
		/* This task's next svmsim allocation fails: the group's array. */
		if (fd < 0 || write(fd, fail, strlen(fail)) != (ssize_t)strlen(fail))
			bail("fail_nth: %s", strerror(errno));
	}
	madvise(buf, (size_t)n * PG, MADV_DONTNEED);
	if (fail) {
		if (write(fd, "0", 1) != 1)
			bail("fail_nth: %s", strerror(errno));
		close(fd);
	}
	stats_snap(&d, d.pasid, &b);
	stats_snap(&d, 0, &db);
	r.descs = stats_delta(&a, &b, SVMSIM_STAT_QI_DESCS);
	r.batches = stats_delta(&da, &db, SVMSIM_STAT_QI_BATCHES);
	r.flushed = stats_delta(&a, &b, SVMSIM_STAT_TLB_FLUSHED);
	r.collateral = stats_delta(&a, &b, SVMSIM_STAT_TLB_COLLATERAL);
	r.probes = stats_delta(&a, &b, SVMSIM_STAT_TLB_PROBE_FLUSHES);
	r.nomem = stats_delta(&a, &b, SVMSIM_STAT_QI_DESCS_NOMEM);
	r.left = cached_pages(n);
	return r;
}

static void gone_ok(const struct delta *r, unsigned int n, const char *what)
{
	tap_ok(r->left == 0 && r->flushed == n && r->collateral == 0 && reads_zeroes(n),
	       "%s, %s: all %u pages gone (%u left, %llu flushed, %llu collateral), the "
	       "device reads zeroes", model_name(), what, n, r->left,
	       (unsigned long long)r->flushed, (unsigned long long)r->collateral);
}

static void queued_cases(uint64_t lat)
{
	char what[64];
	struct delta r;

	snprintf(what, sizeof(what), "queued %llu us", (unsigned long long)lat / 1000);
	configure(SVMSIM_FLUSH_QUEUED, lat, 64, SVMSIM_CONFIG_PAGE_DESCS, 0);
	r = drop(NPAGES, NULL);
	tap_ok(range_model() ? r.descs == NPAGES && r.batches == 1 :
	       r.descs >= NPAGES && r.batches < r.descs,
	       "%s, %s, page descs, qi_batch 64: %llu descriptors in %llu batches (want %s)",
	       model_name(), what, (unsigned long long)r.descs, (unsigned long long)r.batches,
	       range_model() ? "8 in 1" : ">= 8, fewer batches");
	gone_ok(&r, NPAGES, what);

	configure(SVMSIM_FLUSH_QUEUED, lat, 1, SVMSIM_CONFIG_PAGE_DESCS, 0);
	r = drop(NPAGES, NULL);
	tap_ok(r.descs >= NPAGES && r.batches == r.descs && (!range_model() || r.descs == NPAGES),
	       "%s, %s, page descs, qi_batch 1: %llu descriptors in %llu batches (one wait each)",
	       model_name(), what, (unsigned long long)r.descs, (unsigned long long)r.batches);
	gone_ok(&r, NPAGES, what);

	configure(SVMSIM_FLUSH_QUEUED, lat, 64, 0, 0);
	r = drop(NPAGES, NULL);
	tap_ok(r.descs >= 1 && r.descs < NPAGES && (!range_model() || r.descs == 1),
	       "%s, %s, page descs off: %llu descriptors for the range", model_name(), what,
	       (unsigned long long)r.descs);
	gone_ok(&r, NPAGES, what);
}

static void bound_cases(void)
{
	struct delta r;

	configure(SVMSIM_FLUSH_QUEUED, 20000, 64, SVMSIM_CONFIG_PAGE_DESCS, NPAGES / 2);
	r = drop(NPAGES, NULL);
	tap_ok(r.descs >= 1 && r.descs < NPAGES && (!range_model() || r.descs == 1) &&
	       r.left == 0 && reads_zeroes(NPAGES),
	       "%s, page descs, %u pages over a threshold of %u: %llu descriptor(s), all gone",
	       model_name(), NPAGES, NPAGES / 2, (unsigned long long)r.descs);

	/* qi_batch 1: more than SVMSIM_PAGE_DESCS_WAITS waits, so one descriptor */
	configure(SVMSIM_FLUSH_QUEUED, 20000, 1, SVMSIM_CONFIG_PAGE_DESCS, 0);
	r = drop(SVMSIM_PAGE_DESCS_WAITS + 1, NULL);
	tap_ok(r.descs >= 1 && r.descs < SVMSIM_PAGE_DESCS_WAITS && (!range_model() || r.descs == 1) &&
	       r.left == 0 && reads_zeroes(SVMSIM_PAGE_DESCS_WAITS + 1),
	       "%s, page descs, qi_batch 1, %u pages: %llu descriptor(s), not a wait per page "
	       "past %u waits; all gone", model_name(), SVMSIM_PAGE_DESCS_WAITS + 1,
	       (unsigned long long)r.descs, SVMSIM_PAGE_DESCS_WAITS);

	configure(SVMSIM_FLUSH_QUEUED, 20000, SVMSIM_MAX_QI_BATCH, SVMSIM_CONFIG_PAGE_DESCS, 0);
	r = drop(GROUP_PAGES, NULL);
	/* 6.12's secondary model sees this range widened to the whole address space */
	tap_ok(!range_model() || (r.descs == GROUP_PAGES && r.batches == 2),
	       "%s, page descs, %u pages: %llu descriptors in %llu batches (range model: "
	       "a group of %u, then the rest)", model_name(), GROUP_PAGES,
	       (unsigned long long)r.descs, (unsigned long long)r.batches,
	       SVMSIM_PAGE_DESCS_GROUP);
	gone_ok(&r, GROUP_PAGES, "group by group");
}

static void nomem_case(void)
{
	struct delta r;

	if (access(FAIL_NTH, W_OK) || !range_model()) {
		/* The secondary callback's allocation may come from another task. */
		tap_skip("%s, page descs, no memory: needs allow_fail_alloc=1, range model",
			 model_name());
		tap_skip("%s, no memory: (the pages are gone all the same)", model_name());
		return;
	}
	configure(SVMSIM_FLUSH_QUEUED, 20000, 64, SVMSIM_CONFIG_PAGE_DESCS, 0);
	r = drop(NPAGES, "1");
	tap_ok(r.descs == 1 && r.nomem == 1,
	       "%s, page descs, no memory for the group: %llu descriptor, %llu counted in "
	       "qi_descs_nomem (want 1, 1)", model_name(), (unsigned long long)r.descs,
	       (unsigned long long)r.nomem);
	gone_ok(&r, NPAGES, "no memory");
}

static void sync_case(void)
{
	struct delta on, off;

	configure(SVMSIM_FLUSH_SYNC, 0, 64, SVMSIM_CONFIG_PAGE_DESCS, 0);
	on = drop(NPAGES, NULL);
	configure(SVMSIM_FLUSH_SYNC, 0, 64, 0, 0);
	off = drop(NPAGES, NULL);
	tap_ok(on.descs == 0 && (range_model() ? on.probes == NPAGES && off.probes == 1 :
				 on.probes >= NPAGES && off.probes < NPAGES),
	       "%s, sync, page descs: %llu probe flushes (off: %llu), no descriptor",
	       model_name(), (unsigned long long)on.probes, (unsigned long long)off.probes);
	gone_ok(&on, NPAGES, "sync");
}

static void body(void)
{
	struct svmsim_config c;

	dev_setup(&d);
	buf = map_2m_aligned(MAP_PAGES * PG, MADV_NOHUGEPAGE);
	queued_cases(20000);
	queued_cases(200000);
	bound_cases();
	nomem_case();
	sync_case();

	c = saved;
	c.flags |= SVMSIM_CONFIG_PSI | SVMSIM_CONFIG_PAGE_DESCS;
	ok_errno(svmsim_set_config(d.fd, &c), -EINVAL, "%s: config: PSI with page descriptors",
		 model_name());
	munmap(buf, MAP_PAGES * PG);
	dev_close(&d);
}

int main(int argc, char **argv)
{
	parse_opts(argc, argv);
	if (keep_config(&saved))
		bail("GET_CONFIG: %s", strerror(errno));
	return run_variants(VARY_MODEL, body);
}
