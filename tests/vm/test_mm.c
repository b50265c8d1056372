// SPDX-License-Identifier: GPL-2.0
/*
 * Device/CPU coherence across every mm operation, for one model and fill
 * policy (--model secondary|range --fill ref|noref).  Each test checks,
 * through device DMA, that the device sees exactly what the CPU sees, and
 * checks the counters it expects (a munmap of N cached pages removes N
 * entries, collateral aside).
 *
 * The kernel's hmm-tests.c cases that apply to a non-migrating device are
 * here (anon read/write, PROT_NONE, read-only, munmap, mremap, THP, shared
 * memory, fork), plus MADV_DONTNEED, mprotect, NUMA migration, the device
 * window zap and the invalidation of a huge range.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "lib.h"

static struct dev d;

/* Entries removed for real changes since @a (collateral excluded). */
static uint64_t flushed_since(const struct svmsim_stats *a)
{
	struct svmsim_stats b;

	stats_snap(&d, d.pasid, &b);
	return stats_delta(a, &b, SVMSIM_STAT_TLB_FLUSHED) -
	       stats_delta(a, &b, SVMSIM_STAT_TLB_COLLATERAL);
}

static bool cached(const void *va)
{
	struct svmsim_probe p;

	return !svmsim_probe(d.fd, d.pasid, va, &p) && p.page_shift;
}

static void test_anon_read_write(void)
{
	char *p = map_anon(4 * PG, PROT_READ | PROT_WRITE), *buf = malloc(4 * PG);
	struct svmsim_stats s0;
	uint64_t old;

	fill_pattern(p, 4 * PG, 1);
	stats_snap(&d, d.pasid, &s0);
	tap_ok(!dma_read(&d, p, buf, 4 * PG) && check_pattern(buf, 4 * PG, 1),
	       "%s: anon read of 4 pages sees the CPU's data", model_name());
	tap_ok(stat_of(&d, d.pasid, SVMSIM_STAT_FILLS) - s0.counters[SVMSIM_STAT_FILLS] == 4 &&
	       cached(p + 3 * PG), "%s: ... with 4 page requests, cached", model_name());
	fill_pattern(buf, 2 * PG, 2);
	tap_ok(!dma_write(&d, p + PG + 100, buf, 2 * PG) &&
	       check_pattern(p + PG + 100, 2 * PG, 2) && check_pattern(p, PG, 1),
	       "%s: anon write across page boundaries is visible to the CPU", model_name());
	*(uint64_t *)(p + 8) = 5;
	tap_ok(!svmsim_atomic(d.fd, d.pasid, SVMSIM_DMA_CAS, p + 8, 5, 9, &old) && old == 5 &&
	       *(uint64_t *)(p + 8) == 9 &&
	       !svmsim_atomic(d.fd, d.pasid, SVMSIM_DMA_CAS, p + 8, 5, 11, &old) && old == 9 &&
	       *(uint64_t *)(p + 8) == 9 &&
	       !svmsim_atomic(d.fd, d.pasid, SVMSIM_DMA_FADD, p + 8, 3, 0, &old) && old == 9 &&
	       *(uint64_t *)(p + 8) == 12,
	       "%s: compare-and-swap and fetch-add are atomic on CPU memory", model_name());
	munmap(p, 4 * PG);
	free(buf);
}

static void test_protection_faults(void)
{
	char *none = map_anon(PG, PROT_NONE), *ro = map_anon(PG, PROT_READ);
	uint64_t v = 1;

	ok_errno(dma_read_u64(&d, none, &v), -EACCES, "%s: read of PROT_NONE", model_name());
	ok_errno(dma_write_u64(&d, ro, 7), -EACCES, "%s: write to PROT_READ", model_name());
	tap_ok(!dma_read_u64(&d, ro, &v) && v == 0, "%s: read of PROT_READ works (zeros)",
	       model_name());
	munmap(none, PG);
	munmap(ro, PG);
}

static void test_munmap(void)
{
	char *p = map_anon(64 * PG, PROT_READ | PROT_WRITE);
	struct svmsim_stats s0;
	uint64_t v;

	fill_pattern(p, 64 * PG, 3);
	svmsim_prefetch(d.fd, d.pasid, p, 64 * PG);
	stats_snap(&d, d.pasid, &s0);
	munmap(p, 64 * PG);
	tap_ok(flushed_since(&s0) == 64 && !cached(p) && !cached(p + 63 * PG),
	       "%s: munmap of 64 cached pages removes 64 entries (%llu)", model_name(),
	       (unsigned long long)flushed_since(&s0));
	ok_errno(dma_read_u64(&d, p + 5 * PG, &v), -EFAULT, "%s: DMA after munmap", model_name());
}

static void test_munmap_remap(void)
{
	char *p = map_anon(8 * PG, PROT_READ | PROT_WRITE), *buf = malloc(8 * PG);

	fill_pattern(p, 8 * PG, 4);
	dma_read(&d, p, buf, 8 * PG);
	munmap(p, 8 * PG);
	map_anon_at(p, 8 * PG);
	fill_pattern(p, 8 * PG, 5);
	tap_ok(!dma_read(&d, p, buf, 8 * PG) && check_pattern(buf, 8 * PG, 5),
	       "%s: munmap + mmap at the same address: the device reads the new data",
	       model_name());
	munmap(p, 8 * PG);
	free(buf);
}

static void test_dontneed(void)
{
	char *p = map_anon(16 * PG, PROT_READ | PROT_WRITE), *buf = malloc(16 * PG);
	struct svmsim_stats s0;
	bool zeros = true;

	fill_pattern(p, 16 * PG, 6);
	dma_read(&d, p, buf, 16 * PG);
	stats_snap(&d, d.pasid, &s0);
	madvise(p, 16 * PG, MADV_DONTNEED);
	tap_ok(flushed_since(&s0) == 16, "%s: MADV_DONTNEED of 16 cached pages removes 16 entries",
	       model_name());
	dma_read(&d, p, buf, 16 * PG);
	for (size_t i = 0; i < 16 * PG; i++)
		zeros &= !buf[i];
	tap_ok(zeros, "%s: after MADV_DONTNEED the device reads zeros", model_name());
	munmap(p, 16 * PG);
	free(buf);
}

static void test_mprotect(void)
{
	char *p = map_anon(4 * PG, PROT_READ | PROT_WRITE);
	uint64_t v = 0;

	dma_write_u64(&d, p, 42);	/* read-write entries cached */
	mprotect(p, 4 * PG, PROT_READ);
	ok_errno(dma_write_u64(&d, p, 43), -EACCES, "%s: write after mprotect(PROT_READ)",
		 model_name());
	tap_ok(!dma_read_u64(&d, p, &v) && v == 42 && *(uint64_t *)p == 42,
	       "%s: read after mprotect(PROT_READ) works", model_name());
	mprotect(p, 4 * PG, PROT_READ | PROT_WRITE);
	tap_ok(!dma_write_u64(&d, p, 44) && *(uint64_t *)p == 44,
	       "%s: write after mprotect back to read-write", model_name());
	munmap(p, 4 * PG);
}

/*
 * fork + COW: the device is bound to the parent.  Before and after the
 * parent writes, the device must see the parent's pages, its writes must
 * land in the parent's pages, and the child's copy must never change.
 */
static void test_fork_cow(void)
{
	char *p = map_anon(8 * PG, PROT_READ | PROT_WRITE), *buf = malloc(8 * PG);
	int to_child[2], from_child[2];
	char go = 1, child_ok = 0;
	uint64_t v = 0;
	pid_t pid;

	fill_pattern(p, 8 * PG, 7);
	dma_write_u64(&d, p + 7 * PG, *(uint64_t *)(p + 7 * PG));	/* RW entries */
	dma_read(&d, p, buf, 8 * PG);
	if (pipe(to_child) || pipe(from_child))
		exit(1);
	pid = fork();
	if (!pid) {
		/* The child's copy must stay exactly pattern 7. */
		close(d.fd);
		read(to_child[0], &go, 1);
		go = check_pattern(p, 8 * PG, 7);
		write(from_child[1], &go, 1);
		_exit(0);
	}
	/* Device write before the parent's first CPU write: COW breaks now. */
	tap_ok(!dma_write_u64(&d, p + PG, 0xd1) && *(uint64_t *)(p + PG) == 0xd1,
	       "%s: after fork a device write lands in the parent's page", model_name());
	fill_pattern(p + 2 * PG, 6 * PG, 8);		/* the parent writes (COW) */
	tap_ok(!dma_read(&d, p + 2 * PG, buf, 6 * PG) && check_pattern(buf, 6 * PG, 8),
	       "%s: after fork + parent writes the device sees the parent's new data",
	       model_name());
	tap_ok(!dma_write_u64(&d, p + 3 * PG, 0xd2) && *(uint64_t *)(p + 3 * PG) == 0xd2 &&
	       !dma_read_u64(&d, p + PG, &v) && v == 0xd1,
	       "%s: device writes after the COW reach the parent", model_name());
	write(to_child[1], &go, 1);
	read(from_child[0], &child_ok, 1);
	waitpid(pid, NULL, 0);
	tap_ok(child_ok == 1, "%s: the child's pages were never touched by the device",
	       model_name());
	close(to_child[0]);
	close(to_child[1]);
	close(from_child[0]);
	close(from_child[1]);
	munmap(p, 8 * PG);
	free(buf);
}

static void test_migrate(void)
{
	char *p = map_anon(8 * PG, PROT_READ | PROT_WRITE), *buf = malloc(8 * PG);
	uint64_t pfn0, pfn1;
	struct svmsim_probe pr;
	int to, moved = 0;

	if (numa_nodes() < 2) {
		tap_skip("%s: move_pages needs two NUMA nodes", model_name());
		tap_skip("%s: move_pages keeps data", model_name());
		return;
	}
	fill_pattern(p, 8 * PG, 9);
	move_to_node(p, 8, 0);
	dma_read(&d, p, buf, 8 * PG);
	pfn0 = pfn_of(p + 2 * PG);
	to = node_of(p) == 0 ? 1 : 0;
	/* A page under concurrent migration may need another try. */
	for (int i = 0; i < 3 && moved < 8; i++)
		moved = move_to_node(p, 8, to);
	pfn1 = pfn_of(p + 2 * PG);
	tap_ok(moved == 8 && pfn1 != pfn0, "%s: move_pages of 8 cached pages to node %d succeeds",
	       model_name(), to);
	tap_ok(!dma_read(&d, p, buf, 8 * PG) && check_pattern(buf, 8 * PG, 9) &&
	       !svmsim_probe(d.fd, d.pasid, p + 2 * PG, &pr) && pr.pfn == pfn1,
	       "%s: after migration the device reads the data through the new PFN",
	       model_name());
	munmap(p, 8 * PG);
	free(buf);
}

static void test_mremap(void)
{
	char *p = map_anon(4 * PG, PROT_READ | PROT_WRITE), *buf = malloc(4 * PG);
	char *target = map_anon(4 * PG, PROT_NONE), *q;
	uint64_t v;

	fill_pattern(p, 4 * PG, 10);
	dma_read(&d, p, buf, 4 * PG);
	q = mremap(p, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, target);
	tap_ok(q == target && dma_read_u64(&d, p, &v) == -EFAULT && !cached(p),
	       "%s: after mremap the old address faults", model_name());
	tap_ok(!dma_read(&d, q, buf, 4 * PG) && check_pattern(buf, 4 * PG, 10),
	       "%s: after mremap the new address reads the data", model_name());
	munmap(q, 4 * PG);
	free(buf);
}

static void test_thp(void)
{
	char *p = map_huge_aligned(2 * HPG), *buf = malloc(2 * HPG);
	struct svmsim_probe pr;
	struct svmsim_stats s0;
	uint64_t v;
	bool huge;

	fill_pattern(p, 2 * HPG, 11);
	stats_snap(&d, d.pasid, &s0);
	dma_read(&d, p, buf, 2 * HPG);
	huge = !svmsim_probe(d.fd, d.pasid, p + 5 * PG, &pr) && pr.page_shift == 21;
	if (!huge || pfn_of(p) % 512) {
		tap_skip("%s: no THP was allocated", model_name());
		tap_skip("%s: THP write", model_name());
		tap_skip("%s: THP partial munmap", model_name());
		goto out;
	}
	tap_ok(check_pattern(buf, 2 * HPG, 11) && pr.pfn == pfn_of(p + 5 * PG) &&
	       stat_of(&d, d.pasid, SVMSIM_STAT_FILLS) - s0.counters[SVMSIM_STAT_FILLS] == 2,
	       "%s: THP read: two 2M entries for two huge pages", model_name());
	fill_pattern(buf, 64, 12);
	tap_ok(!dma_write(&d, p + HPG - 32, buf, 64) && check_pattern(p + HPG - 32, 64, 12),
	       "%s: THP write across the 2M boundary", model_name());
	munmap(p + 7 * PG, PG);			/* splits the first PMD */
	tap_ok(dma_read_u64(&d, p + 7 * PG, &v) == -EFAULT &&
	       !dma_read(&d, p, buf, 7 * PG) && check_pattern(buf, 7 * PG, 11) &&
	       !svmsim_probe(d.fd, d.pasid, p + 3 * PG, &pr) && pr.page_shift == 12,
	       "%s: THP partial munmap: that page faults, the rest reads right via 4K entries",
	       model_name());
out:
	munmap(p, 2 * HPG);
	free(buf);
}

static void test_shared_memfd(void)
{
	int fd = memfd_create("svmsim-test", 0);
	char *a, *b, *buf = malloc(8 * PG);
	struct svmsim_stats s0;
	uint64_t v;

	ftruncate(fd, 8 * PG);
	a = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	b = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	fill_pattern(a, 8 * PG, 13);
	tap_ok(!dma_read(&d, b, buf, 8 * PG) && check_pattern(buf, 8 * PG, 13),
	       "%s: shared memfd: the device reads through a second mapping", model_name());
	tap_ok(!dma_write_u64(&d, b + PG, 0x5eed) && *(uint64_t *)(a + PG) == 0x5eed,
	       "%s: shared memfd: a device write shows in the other mapping", model_name());
	stats_snap(&d, d.pasid, &s0);
	ftruncate(fd, 4 * PG);
	tap_ok(flushed_since(&s0) >= 4 && dma_read_u64(&d, b + 5 * PG, &v) == -EFAULT &&
	       !dma_read(&d, b + 2 * PG, buf, PG) && !memcmp(buf, a + 2 * PG, PG),
	       "%s: ftruncate: truncated pages fault, the rest reads right", model_name());
	munmap(a, 8 * PG);
	munmap(b, 8 * PG);
	close(fd);
	free(buf);
}

static void test_window_zap(void)
{
	uint64_t *w = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
	struct svmsim_stats s0;
	uint64_t v = 0;

	w[0] = 1;
	w[PG / 8] = 1;
	dma_read_u64(&d, w, &v);
	stats_snap(&d, d.pasid, &s0);
	tap_ok(v == 1 && !svmsim_zap(d.fd, w, 2 * PG, SVMSIM_ZAP_SWAP) && flushed_since(&s0) == 1,
	       "%s: zap (ioctl, swapping the backing) flushes the cached window page",
	       model_name());
	w[0] = 2;	/* refaults onto the new backing page */
	tap_ok(!dma_read_u64(&d, w, &v) && v == 2 && w[PG / 8] == 1,
	       "%s: after the zap the device reads what the CPU wrote, data kept", model_name());
	tap_ok(write(d.fd, w, PG) == PG, "%s: zap by write(fd, addr, len) as in the seed",
	       model_name());
	w[0] = 3;
	tap_ok(!dma_read_u64(&d, w, &v) && v == 3 && !dma_write_u64(&d, w + 1, 77) && w[1] == 77,
	       "%s: after write() the device and CPU agree both ways", model_name());
	munmap(w, 8 * PG);
}

/*
 * The device may not read a window page the CPU may not read: x86 keeps a
 * PROT_NONE PTE "present", so the PFN-map walk must look at the VMA's
 * VM_READ as the anonymous walk does.
 */
static void test_window_protection(void)
{
	uint64_t *w = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
	uint64_t v = 0;
	int r0, r1, r2, w2;

	w[0] = 11;
	r1 = dma_read_u64(&d, w, &v);
	mprotect(w, PG, PROT_NONE);
	r0 = dma_read_u64(&d, w, &v);
	tap_ok(!r1 && v == 11 && r0 == -EACCES,
	       "%s: window page cached, then PROT_NONE: device read %s (want EACCES)",
	       model_name(), errname(r0));
	mprotect(w, PG, PROT_READ);
	w2 = dma_write_u64(&d, w, 12);
	r2 = dma_read_u64(&d, w, &v);
	tap_ok(w2 == -EACCES && !r2 && v == 11,
	       "%s: window page PROT_READ: device write %s (want EACCES), read %s, value %llu",
	       model_name(), errname(w2), errname(r2), (unsigned long long)v);
	munmap(w, 2 * PG);
}

/*
 * Fills under a storm of invalidations (defect 7): two CPU threads fault
 * in and MADV_DONTNEED 64-page regions just below and just above a THP
 * (each zap: an invalidation bracket, and on 6.12 a whole-address-space
 * secondary flush), while two device threads read random pages of all
 * three.  Every invalidation moves the sequence a fill checks; two in
 * progress at once are tracked as their union, which covers the THP; a
 * read of a zapped page waits for its bracket.  A fill must wait and walk
 * again -- as a CPU access would fault again -- never give up with EAGAIN.
 */
#define STORM_READS	3000
#define STORM_PAGES	64
#define STORM_SECONDS	20

static int storm_stop;

static void *storm_cpu(void *arg)
{
	char *p = arg;

	while (!__atomic_load_n(&storm_stop, __ATOMIC_RELAXED)) {
		p[0] = 1;
		p[(STORM_PAGES - 1) * PG] = 1;
		madvise(p, STORM_PAGES * PG, MADV_DONTNEED);
	}
	return NULL;
}

struct storm_dev {
	char *p;
	unsigned int seed;
	long reads, eagain, other;
	int first_err;
};

static void *storm_device(void *arg)
{
	struct storm_dev *t = arg;
	struct timespec t0, now;
	uint64_t v;
	int i, ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < STORM_READS; i++) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > STORM_SECONDS)
			break;		/* a bound on the run, not a check */
		t->reads++;
		ret = dma_read_u64(&d, t->p + (rand_r(&t->seed) % (512 + 2 * STORM_PAGES)) * PG,
				   &v);
		if (ret == -EAGAIN)
			t->eagain++;
		else if (ret) {
			t->other++;
			t->first_err = t->first_err ? t->first_err : ret;
		}
	}
	return NULL;
}

static void test_fill_storm(void)
{
	char *all = map_2m_aligned(3 * HPG, MADV_NORMAL), *thp = all + HPG;
	char *lo = thp - STORM_PAGES * PG;
	struct storm_dev dev[2] = { { lo, 1, 0, 0, 0, 0 }, { lo, 2, 0, 0, 0, 0 } };
	pthread_t c[2], t[2];
	struct svmsim_stats s0;
	int i;

	madvise(thp, HPG, MADV_HUGEPAGE);
	memset(thp, 1, HPG);
	stats_snap(&d, d.pasid, &s0);
	storm_stop = 0;
	pthread_create(&c[0], NULL, storm_cpu, lo);
	pthread_create(&c[1], NULL, storm_cpu, thp + HPG);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, storm_device, &dev[i]);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	__atomic_store_n(&storm_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++)
		pthread_join(c[i], NULL);
	tap_ok(!dev[0].eagain && !dev[1].eagain && !dev[0].other && !dev[1].other,
	       "%s: %ld device reads under an invalidation storm: %ld EAGAIN, "
	       "%ld other errors (%s); %llu fills, %llu walks redone", model_name(),
	       dev[0].reads + dev[1].reads, dev[0].eagain + dev[1].eagain, dev[0].other + dev[1].other,
	       errname(dev[0].first_err ? dev[0].first_err : dev[1].first_err),
	       (unsigned long long)(stat_of(&d, d.pasid, SVMSIM_STAT_FILLS) -
				    s0.counters[SVMSIM_STAT_FILLS]),
	       (unsigned long long)(stat_of(&d, d.pasid, SVMSIM_STAT_FILL_RETRIES) -
				    s0.counters[SVMSIM_STAT_FILL_RETRIES]));
	munmap(all, 3 * HPG);
}

/*
 * A fill outlasts a burst of invalidations elsewhere (defect 7): with each
 * fill's walk-to-insert window widened to 2 ms (fill_delay_us), a CPU
 * thread zaps an unrelated page for a second, faster than that, so every
 * insert in the burst sees the space's sequence moved and is refused.  A
 * device must walk again until the burst ends -- a CPU access would just
 * fault again -- not give up after a count of tries (64 x 2 ms < 1 s).
 */
#define BURST_MS	1000

static int burst_on;

static void *burst_cpu(void *arg)
{
	char *q = arg;
	struct timespec t0, now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	__atomic_store_n(&burst_on, 1, __ATOMIC_RELEASE);
	do {
		q[0] = 1;
		madvise(q, PG, MADV_DONTNEED);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 <
		 BURST_MS);
	__atomic_store_n(&burst_on, 0, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Fills of fresh pages while a burst lasts, until one had to walk again
 * (a fill whose 2 ms window no zap happened to hit proves nothing: the
 * burst thread shares two vCPUs with everything else); a burst that ended
 * before any fill did (the filler was not scheduled) is run again.
 */
static void test_fill_outlasts_burst(void)
{
	/* Pages to fill while bursts run: a TCG guest may schedule the burst late. */
	const int npages = 128;
	uint64_t *p = map_anon(npages * PG, PROT_READ | PROT_WRITE), v = 0;
	char *q = map_anon(PG, PROT_READ | PROT_WRITE);
	uint64_t redone = 0, want = 0;
	struct svmsim_stats s0;
	int i = 0, ret = 0, burst;
	pthread_t c;

	for (i = 0; i < npages; i++)
		p[i * PG / 8] = 0x5eed + (uint64_t)i;
	svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_NONE, 0, 2000);
	stats_snap(&d, d.pasid, &s0);
	for (burst = 0, i = 0; burst < 3 && !ret && !redone && i < npages; burst++) {
		pthread_create(&c, NULL, burst_cpu, q);
		while (!__atomic_load_n(&burst_on, __ATOMIC_ACQUIRE))
			sched_yield();
		for (; i < npages && !ret && !redone &&
			    __atomic_load_n(&burst_on, __ATOMIC_ACQUIRE); i++) {
			want = 0x5eed + (uint64_t)i;
			ret = dma_read_u64(&d, &p[i * PG / 8], &v);
			redone = stat_of(&d, d.pasid, SVMSIM_STAT_FILL_RETRIES) -
				 s0.counters[SVMSIM_STAT_FILL_RETRIES];
		}
		pthread_join(c, NULL);
	}
	svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_NONE, 0, 0);
	tap_ok(!ret && v == want && redone > 0,
	       "%s: a fill outlasts a %d ms burst of unrelated invalidations: %s, %llu walks "
	       "redone (fill %d, burst %d)", model_name(), BURST_MS, errname(ret),
	       (unsigned long long)redone, i, burst);
	munmap(p, npages * PG);
	munmap(q, PG);
}

/*
 * An invalidation of a huge range, and of the whole address space
 * (clear_refs soft-dirty: 0..ULONG_MAX on both kernels), with many entries
 * cached: it must finish promptly (a soft lockup fails the VM run) and
 * remove them all.
 */
static void test_huge_invalidation(void)
{
	const size_t n = 65536;
	char *p = map_anon(n * PG, PROT_READ | PROT_WRITE);
	struct svmsim_stats s0;
	struct timespec t0, t1;
	int fd, ret;

	madvise(p, n * PG, MADV_NOHUGEPAGE);	/* 4K entries, not huge zero pages */
	ret = svmsim_prefetch(d.fd, d.pasid, p, n * PG);
	if (ret)
		tap_diag("prefetch of %zu pages: %s, %llu entries", n, errname(ret),
			 (unsigned long long)stat_of(&d, d.pasid, SVMSIM_STAT_TLB_ENTRIES));
	fd = open("/proc/self/clear_refs", O_WRONLY);
	stats_snap(&d, d.pasid, &s0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	write(fd, "4", 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(fd);
	tap_ok(stat_of(&d, d.pasid, SVMSIM_STAT_TLB_ENTRIES) == 0 &&
	       stat_of(&d, d.pasid, SVMSIM_STAT_TLB_FULL_FLUSHES) > s0.counters[SVMSIM_STAT_TLB_FULL_FLUSHES],
	       "%s: invalidation of 0..ULONG_MAX with %zu entries cached removes all (%.1f ms; %llu left)",
	       model_name(), n, (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6,
	       (unsigned long long)stat_of(&d, d.pasid, SVMSIM_STAT_TLB_ENTRIES));
	ret = svmsim_prefetch(d.fd, d.pasid, p, n * PG);
	if (ret)
		tap_diag("prefetch of %zu pages: %s", n, errname(ret));
	stats_snap(&d, d.pasid, &s0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	munmap(p, n * PG);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_ok(flushed_since(&s0) == n && stat_of(&d, d.pasid, SVMSIM_STAT_TLB_ENTRIES) == 0,
	       "%s: munmap of %zu cached pages removes them all (%.1f ms; %llu removed)",
	       model_name(), n, (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6,
	       (unsigned long long)flushed_since(&s0));
}

static void body(void)
{
	dev_setup(&d);
	test_anon_read_write();
	test_protection_faults();
	test_munmap();
	test_munmap_remap();
	test_dontneed();
	test_mprotect();
	test_fork_cow();
	test_migrate();
	test_mremap();
	test_thp();
	test_shared_memfd();
	test_window_zap();
	test_window_protection();
	test_fill_storm();
	test_fill_outlasts_burst();
	test_huge_invalidation();
	dev_close(&d);
}

int main(int argc, char **argv)
{
	parse_opts(argc, argv);
	return run_variants(VARY_MODEL | VARY_FILL, body);
}
