// SPDX-License-Identifier: GPL-2.0
/*
 * The coherence sanitizer on the correct driver, for one model and fill
 * (--model, --fill): device threads read and write pages of a sanitized
 * bond while the CPU changes them in every way that keeps or drops their
 * contents -- munmap+mmap, MADV_DONTNEED, mprotect, fork (COW), mremap,
 * migration between nodes, THP collapse and split.  The sanitizer must
 * check those accesses and report nothing, and the data must stay
 * coherent.  Also: the report ioctl's arguments, and what the sanitizer
 * costs per access (sanitized vs not, interleaved; reported, not judged).
 * Injected bugs under the sanitizer: svmsim-test_inject --sanitize 1.
 *
 * In the suite (SVMSIM_SUITE=1) it also checks that the sanitized runs
 * before it -- the module's sanitize=1 pass -- made no report at all.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"
#include "svmsim/names.h"

#define NPAGES		512	/* 2M: one THP */
#define DEV_THREADS	2
#define RUN_MS		1500

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

static struct dev d;
static char *region;
static volatile int stop;
static long dev_ops, dev_eio, dev_other;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Device threads: read or write a word of a random page, any result but EIO. */
static void *device_thread(void *arg)
{
	uint64_t seed = (uintptr_t)arg * 0x9E3779B97F4A7C15ull + 1, v;
	int ret;

	while (!stop) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t *p = (uint64_t *)(region + ((seed >> 33) % NPAGES) * PG) + 8;

		if ((seed >> 20) & 1)
			ret = dma_write_u64(&d, p, seed);
		else
			ret = dma_read_u64(&d, p, &v);
		__atomic_add_fetch(&dev_ops, 1, __ATOMIC_RELAXED);
		if (ret == -EIO)
			__atomic_add_fetch(&dev_eio, 1, __ATOMIC_RELAXED);
		else if (ret && ret != -EFAULT && ret != -EACCES && ret != -EAGAIN)
			__atomic_add_fetch(&dev_other, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Print the newest reports of @fd's device (a failure's evidence). */
static void show_reports(int fd, unsigned int max)
{
	struct svmsim_san_report r[8];
	uint64_t total;
	uint32_t n;

	if (max > 8)
		max = 8;
	if (svmsim_san_reports(fd, 0, r, max, &n, &total))
		return;
	for (uint32_t i = 0; i < n; i++) {
		tap_diag("report %llu: pasid %u %s %#llx cached pfn %#llx perm %u, current pfn %#llx perm %u, shift %u",
			 (unsigned long long)r[i].seq, r[i].pasid, r[i].write ? "write" : "read",
			 (unsigned long long)r[i].addr, (unsigned long long)r[i].cached_pfn,
			 r[i].cached_perm, (unsigned long long)r[i].current_pfn, r[i].current_perm,
			 r[i].page_shift);
		for (uint32_t k = 0; k < r[i].ninvals; k++)
			tap_diag("  invalidation: event %s [%#llx, %#llx] %s, %lld us before",
				 svmsim_event_names[r[i].invals[k].event],
				 (unsigned long long)r[i].invals[k].start,
				 (unsigned long long)r[i].invals[k].last,
				 r[i].invals[k].flushed ? "flushed it" : "did not flush it",
				 (long long)(r[i].ns - r[i].invals[k].ns) / 1000);
	}
}

/* The mm operations, each repeated for RUN_MS while the device works. */
static void op_remap(int i)
{
	char *p = region + (size_t)(i % NPAGES) * PG;

	munmap(p, PG);
	map_anon_at(p, PG);
	memset(p, i, 64);
}

static void op_dontneed(int i)
{
	madvise(region + (size_t)(i % NPAGES) * PG, 4 * PG, MADV_DONTNEED);
}

static void op_mprotect(int i)
{
	char *p = region + (size_t)(i % (NPAGES / 2)) * 2 * PG;

	mprotect(p, 2 * PG, PROT_READ);
	mprotect(p, 2 * PG, PROT_READ | PROT_WRITE);
}

static void op_fork(int i)
{
	pid_t pid = fork();

	(void)i;
	if (!pid) {
		region[0]++;	/* the child writes too: COW on both sides */
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	region[(size_t)(i % NPAGES) * PG]++;
}

static void op_mremap(int i)
{
	char *p = region + (size_t)(i % (NPAGES / 4)) * 4 * PG;
	char *tmp = mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	/* Move the pages away and back: two moves of live, cached pages. */
	if (tmp == MAP_FAILED)
		return;
	if (mremap(p, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, tmp) == MAP_FAILED) {
		munmap(tmp, 4 * PG);
		return;
	}
	if (mremap(tmp, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, p) == MAP_FAILED)
		bail("mremap back: %s", strerror(errno));
}

static void op_migrate(int i)
{
	if (numa_nodes() > 1)
		move_to_node(region + (size_t)(i % (NPAGES / 8)) * 8 * PG, 8, i & 1);
}

static void op_thp(int i)
{
	/* Collapse (the region is THP-aligned), then split by a partial mprotect. */
	if (i & 1)
		madvise(region, NPAGES * PG, MADV_COLLAPSE);
	else
		op_mprotect(i);
}

struct op {
	const char *name;
	void (*fn)(int i);
};

static const struct op ops[] = {
	{ "munmap+mmap", op_remap },
	{ "MADV_DONTNEED", op_dontneed },
	{ "mprotect", op_mprotect },
	{ "fork (COW)", op_fork },
	{ "mremap", op_mremap },
	{ "migration", op_migrate },
	{ "THP collapse/split", op_thp },
};

static void test_op(const struct op *op)
{
	struct svmsim_stats s0, s1;
	pthread_t t[DEV_THREADS];
	uint64_t t0;
	long ops_done = 0;

	dev_ops = dev_eio = dev_other = 0;
	stop = 0;
	stats_snap(&d, d.pasid, &s0);
	for (long k = 0; k < DEV_THREADS; k++)
		pthread_create(&t[k], NULL, device_thread, (void *)k);
	t0 = now_ns();
	while (now_ns() - t0 < RUN_MS * 1000000ull)
		op->fn((int)ops_done++);
	stop = 1;
	for (int k = 0; k < DEV_THREADS; k++)
		pthread_join(t[k], NULL);
	stats_snap(&d, d.pasid, &s1);
	if (dev_eio)
		show_reports(d.fd, 4);
	tap_ok(!dev_eio && !dev_other && !stats_delta(&s0, &s1, SVMSIM_STAT_SAN_STALE) &&
	       stats_delta(&s0, &s1, SVMSIM_STAT_SAN_CHECKS) > 0,
	       "%s: %s x %ld under %ld device accesses: %llu checked, %llu looked up again, 0 stale (%ld EIO, %llu reports, %ld other errors)",
	       model_name(), op->name, ops_done, dev_ops,
	       (unsigned long long)stats_delta(&s0, &s1, SVMSIM_STAT_SAN_CHECKS),
	       (unsigned long long)stats_delta(&s0, &s1, SVMSIM_STAT_SAN_WAITS), dev_eio,
	       (unsigned long long)stats_delta(&s0, &s1, SVMSIM_STAT_SAN_STALE), dev_other);
}

/* The data stays coherent under the sanitizer: device writes seen by the CPU and back. */
static void test_coherent(void)
{
	uint64_t v, bad = 0;

	for (int i = 0; i < NPAGES; i++) {
		uint64_t *p = (uint64_t *)(region + (size_t)i * PG);

		*p = 1000 + (uint64_t)i;
		if (dma_read_u64(&d, p, &v) || v != 1000 + (uint64_t)i)
			bad++;
		if (dma_write_u64(&d, p, 2000 + (uint64_t)i) || *p != 2000 + (uint64_t)i)
			bad++;
	}
	tap_ok(!bad, "%s: after the churn, device reads and writes agree with the CPU (%llu bad)",
	       model_name(), (unsigned long long)bad);
}

static void test_report_args(void)
{
	struct svmsim_san_reports q;
	struct svmsim_san_report r;
	uint64_t total = 0;
	uint32_t n = 9;

	memset(&q, 0, sizeof(q));
	q.flags = 2;
	ok_errno(svmsim_ioctl(d.fd, SVMSIM_IOC_SAN_REPORTS, &q), -EINVAL, "san reports: unknown flag");
	memset(&q, 0, sizeof(q));
	q.reserved[1] = 1;
	ok_errno(svmsim_ioctl(d.fd, SVMSIM_IOC_SAN_REPORTS, &q), -EINVAL,
		 "san reports: reserved not zero");
	ok_errno(svmsim_ioctl(d.fd, SVMSIM_IOC_SAN_REPORTS, (void *)8), -EFAULT,
		 "san reports: bad pointer");
	tap_ok(!svmsim_san_reports(d.fd, 0, &r, 0, &n, &total) && n == 0,
	       "san reports: max 0 counts only (%llu made on the device)",
	       (unsigned long long)total);
}

/* Per 8-byte device read: sanitized vs not, alternating batches. */
static void test_cost(void)
{
	struct dev plain;
	uint64_t *p = map_anon(PG, PROT_READ | PROT_WRITE), v, t[2] = { 0, 0 };
	bool both;
	int ret = 0;

	dev_open(&plain, 1);
	ret = svmsim_bind(plain.fd, opt.model, opt.fill, 0, &plain.pasid);
	*p = 5;
	for (int round = 0; round < 40 && !ret; round++) {
		for (int s = 0; s < 2 && !ret; s++) {
			struct dev *dd = s ? &d : &plain;
			uint64_t t0 = now_ns();

			for (int i = 0; i < 500 && !ret; i++)
				ret = dma_read_u64(dd, p, &v);
			t[s] += now_ns() - t0;
		}
	}
	/* With the module parameter sanitize=1 the "plain" bond is sanitized too. */
	both = stat_of(&plain, plain.pasid, SVMSIM_STAT_SAN_CHECKS) > 0;
	tap_ok(!ret, "%s: cost: %.2f us per sanitized 8-byte read, %.2f us %s (x%.2f)",
	       model_name(), t[1] / 20000.0 / 1000, t[0] / 20000.0 / 1000,
	       both ? "on a second sanitized bond (module sanitize=1: no unsanitized figure)" :
	       "unsanitized", t[0] ? (double)t[1] / (double)t[0] : 0.0);
	dev_close(&plain);
	munmap(p, PG);
}

/* In the suite: the sanitized pass before us made no report, on any device. */
static void test_suite_clean(void)
{
	uint64_t checks = 0, reports = 0, total;
	struct svmsim_san_report r;
	uint32_t n;

	for (unsigned int i = 0; i < 2; i++) {
		struct dev x;

		if (dev_open(&x, i))
			continue;
		checks += stat_of(&x, 0, SVMSIM_STAT_SAN_CHECKS);
		total = 0;
		if (!svmsim_san_reports(x.fd, 0, &r, 0, &n, &total))
			reports += total;
		if (total)
			show_reports(x.fd, 8);
		dev_close(&x);
	}
	tap_ok(checks > 0 && reports == 0,
	       "suite: the correct driver, sanitized: %llu accesses checked, %llu reports",
	       (unsigned long long)checks, (unsigned long long)reports);
}

static void body(void)
{
	dev_setup(&d);
	test_report_args();
	region = map_2m_aligned(NPAGES * PG, MADV_HUGEPAGE);
	memset(region, 1, NPAGES * PG);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		test_op(&ops[i]);
	test_coherent();
	test_cost();
	dev_close(&d);
}

int main(int argc, char **argv)
{
	bool suite = getenv("SVMSIM_SUITE") && !strcmp(getenv("SVMSIM_SUITE"), "1");

	parse_opts(argc, argv);
	opt.sanitize = true;
	if (suite)
		test_suite_clean();
	return run_variants(VARY_MODEL, body);
}
