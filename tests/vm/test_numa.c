// SPDX-License-Identifier: GPL-2.0
/*
 * The device under automatic NUMA balancing, for one model and fill policy
 * (--model secondary|range --fill ref|noref): no stale read, ever.
 *
 * NUMA balancing makes PTEs PROT_NONE (a hinting fault on the next CPU
 * access) and migrates a page to the node that keeps faulting on it.  On
 * x86 such a PTE is not "accessible", so changing it later (migration
 * clears it) flushes no CPU TLB -- and, on 6.6+, no secondary TLB either.
 * A device fill that walked through it (GUP follows a NUMA-hinting PTE
 * unless asked to honor the fault, since 6.6) would cache a translation
 * that no flush ever removes.
 *
 * The check, with no false positives: a CPU writer (pinned to the last
 * CPU, on the other node) stamps generation g into byte 0 of every page of
 * the region, then publishes g.  A device reader (on CPU 0) loads the
 * published generation P, DMA-reads byte 0 of a page, loads it again (P2).
 * The page then held a generation in [P, P2 + 1] (modulo 256: one byte
 * cannot tear); anything else is an older generation -- a stale read.
 * Every few passes the writer moves the region back to node 0, so the
 * balancer keeps migrating it towards the writer.
 *
 * The test switches kernel.numa_balancing on (the suite runner switches it
 * off) with short scan periods, and restores everything at exit.  Without
 * --model/--fill it runs all four combinations, RUN_SECONDS each.
 *
 * With --compaction the pages move by memory compaction instead (the
 * suite runner switches proactive compaction off too).  A full compaction
 * moves pages from the bottom of each zone to free pages near its top and
 * stops where its two scanners meet, so pages that sit high up need not
 * move at all (a CI run saw 0 of 64 move three times in a row).  The region
 * is therefore picked out of a 256 MB area by physical address: the
 * lowest-PFN page of the NPAGES lowest pageblocks the area got, and every
 * other page of the area is freed, leaving those pageblocks nearly empty.
 * Proactive compaction is switched on, and a thread asks for a full
 * compaction (vm.compact_memory) over and over.  Same writer (without the
 * moves to node 0), same reader and check.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"

#define NPAGES		64
#define RUN_SECONDS	8
#define MOVE_EVERY	16	/* writer passes between moves back to node 0 */
#define AREA_PAGES	65536	/* --compaction: the area the region is picked from */
#define PAGEBLOCK	512	/* pages per pageblock (x86-64: 2 MB) */

static struct dev d;
static uint8_t *area;		/* the mapping the region's pages are in */
static size_t area_pages;
static uint8_t *region[NPAGES];	/* the region's pages */
static int compaction;		/* --compaction */
static uint64_t published;
static int stop;

/* ---- sysctl and debugfs knobs, restored at exit ---- */

struct knob {
	const char *path;
	const char *value;
	char saved[32];
	int have;
};

static struct knob knobs[] = {
	{ "/proc/sys/kernel/numa_balancing", "1", "", 0 },
	{ "/sys/kernel/debug/sched/numa_balancing/scan_delay_ms", "0", "", 0 },
	{ "/sys/kernel/debug/sched/numa_balancing/scan_period_min_ms", "10", "", 0 },
	{ "/sys/kernel/debug/sched/numa_balancing/scan_period_max_ms", "100", "", 0 },
};

static struct knob compaction_knobs[] = {
	{ "/proc/sys/vm/compaction_proactiveness", "20", "", 0 },
};

static struct knob *knob_set = knobs;
static unsigned int nknobs = sizeof(knobs) / sizeof(knobs[0]);

#define NKNOBS	nknobs

static int write_str(const char *path, const char *v)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -1;
	ret = fputs(v, f) < 0;
	return fclose(f) || ret ? -1 : 0;
}

static void knobs_restore(void)
{
	unsigned int i;

	for (i = 0; i < NKNOBS; i++)
		if (knob_set[i].have)
			write_str(knob_set[i].path, knob_set[i].saved);
}

static int knobs_set(void)
{
	unsigned int i;
	FILE *f;

	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);	/* may be there */
	for (i = 0; i < NKNOBS; i++) {
		f = fopen(knob_set[i].path, "r");
		if (!f)
			continue;
		knob_set[i].have = fgets(knob_set[i].saved, sizeof(knob_set[i].saved), f) != NULL;
		fclose(f);
		if (knob_set[i].have && write_str(knob_set[i].path, knob_set[i].value) && !i)
			return -1;
	}
	atexit(knobs_restore);
	return knob_set[0].have ? 0 : -1;
}

static long vmstat(const char *key)
{
	size_t n = strlen(key);
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ' ')
			v = atol(line + n + 1);
	fclose(f);
	return v;
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* ---- the writer (CPU, other node) and the reader (device, node 0) ---- */

static void *writer(void *arg)
{
	uint64_t g;
	int i;

	pin_to_cpu((int)(intptr_t)arg);
	for (g = 1; !__atomic_load_n(&stop, __ATOMIC_RELAXED); g++) {
		if (!compaction && g % MOVE_EVERY == 0)
			move_to_node(area, NPAGES, 0);
		for (i = 0; i < NPAGES; i++)
			__atomic_store_n(region[i], (uint8_t)g,
					 __ATOMIC_RELAXED);
		__atomic_store_n(&published, g, __ATOMIC_RELEASE);
	}
	return NULL;
}

struct reader_res {
	long reads, stale, unverified, errors;
	int first_err;
	char first_stale[128];
};

static void reader(struct reader_res *r)
{
	struct timespec t0, t;
	uint64_t p1, p2;
	uint8_t v;
	int i = 0, ret;

	pin_to_cpu(0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		p1 = __atomic_load_n(&published, __ATOMIC_ACQUIRE);
		ret = dma_read(&d, region[i], &v, 1);
		p2 = __atomic_load_n(&published, __ATOMIC_ACQUIRE);
		r->reads++;
		if (ret) {
			r->errors++;
			r->first_err = r->first_err ? r->first_err : ret;
		} else if (p2 + 1 - p1 >= 256) {
			r->unverified++;	/* the writer lapped the byte */
		} else if ((uint8_t)(v - (uint8_t)p1) > p2 + 1 - p1) {
			if (!r->stale++)
				snprintf(r->first_stale, sizeof(r->first_stale),
					 "page %d read generation %u (mod 256) after %llu was "
					 "published (%llu by the end of the read)", i, v,
					 (unsigned long long)p1, (unsigned long long)p2);
		}
		i = (i + 1) % NPAGES;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < RUN_SECONDS);
}

/* --compaction: ask for a full compaction until told to stop. */
static void *compactor(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		write_str("/proc/sys/vm/compact_memory", "1");
		usleep(20000);
	}
	return NULL;
}

/* Region pages whose PFN is not the one recorded in @pfns (and update). */
static int pages_moved(uint64_t *pfns)
{
	int i, moved = 0;
	uint64_t pfn;

	for (i = 0; i < NPAGES; i++) {
		pfn = pfn_of(region[i]);
		moved += pfn != pfns[i];
		pfns[i] = pfn;
	}
	return moved;
}

/* PFN of each of the area's pages (0: not present), read in one go. */
static uint64_t *area_pfns(void)
{
	uint64_t *pfn = calloc(area_pages, sizeof(*pfn));
	size_t len = area_pages * sizeof(*pfn);
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (!pfn || fd < 0 || pread(fd, pfn, len, (off_t)((uintptr_t)area / PG) * 8) != (ssize_t)len)
		bail("pagemap: %s", strerror(errno));
	close(fd);
	for (size_t i = 0; i < area_pages; i++)
		pfn[i] = (pfn[i] >> 63) ? pfn[i] & ((1ull << 55) - 1) : 0;
	return pfn;
}

/*
 * --compaction: the region is the lowest-PFN page of each of the NPAGES
 * lowest pageblocks the area got; the rest of the area is freed.
 */
static void region_pick(void)
{
	uint64_t *pfn = area_pfns(), block, last = 0;
	uint8_t *keep = calloc(area_pages, 1);
	size_t i, j, best;
	int n;

	for (n = 0; n < NPAGES; n++) {
		best = area_pages;
		for (i = 0; i < area_pages; i++)
			if (pfn[i] && (!n || pfn[i] / PAGEBLOCK > last) &&
			    (best == area_pages || pfn[i] < pfn[best]))
				best = i;
		if (best == area_pages)
			bail("the area has fewer than %d pageblocks", NPAGES);
		block = pfn[best] / PAGEBLOCK;
		last = block;
		keep[best] = 1;
		region[n] = area + best * PG;
	}
	for (i = 0; i < area_pages; i = j) {	/* free the runs between kept pages */
		for (; i < area_pages && keep[i]; i++)
			;
		for (j = i; j < area_pages && !keep[j]; j++)
			;
		if (j > i)
			madvise(area + i * PG, (j - i) * PG, MADV_DONTNEED);
	}
	free(keep);
	free(pfn);
}

/* A fresh region: NPAGES contiguous pages, or (--compaction) picked. */
static void region_map(void)
{
	area_pages = compaction ? AREA_PAGES : NPAGES;
	area = map_anon(area_pages * PG, PROT_READ | PROT_WRITE);
	madvise(area, area_pages * PG, MADV_NOHUGEPAGE);	/* 4K pages migrate one by one */
	memset(area, 0, area_pages * PG);
	if (compaction) {
		region_pick();
		return;
	}
	for (int i = 0; i < NPAGES; i++)
		region[i] = area + (size_t)i * PG;
	move_to_node(area, NPAGES, 0);
}

/* Compaction: it ran and moved pages, and the region's if fill=noref. */
static void check_compaction(long mig, int moved)
{
	tap_ok(mig > 0 && (moved > 0 || opt.fill == SVMSIM_FILL_REF),
	       "%s: compaction ran: %ld pages migrated, %d of the region's %d moved%s",
	       model_name(), mig, moved, NPAGES, opt.fill == SVMSIM_FILL_REF ?
	       " (ref: referenced pages need not move)" : "");
}

/* What one run of the writer and reader saw. */
struct run_res {
	struct reader_res r;
	long hint, mig;		/* hinting faults; pages migrated (all) */
	int moved;		/* region pages whose PFN changed */
};

/* One run on a fresh region: writer (and compactor) against the reader. */
static void run_once(int ncpu, struct run_res *res)
{
	const char *migrated = compaction ? "pgmigrate_success" : "numa_pages_migrated";
	long hint0, mig0;
	uint64_t pfns[NPAGES];
	pthread_t w, c;

	memset(res, 0, sizeof(*res));
	region_map();
	pages_moved(pfns);
	published = 0;
	stop = 0;
	hint0 = vmstat("numa_hint_faults");
	mig0 = vmstat(migrated);
	pthread_create(&w, NULL, writer, (void *)(intptr_t)(ncpu - 1));
	if (compaction)
		pthread_create(&c, NULL, compactor, NULL);
	reader(&res->r);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	pthread_join(w, NULL);
	if (compaction)
		pthread_join(c, NULL);
	res->hint = vmstat("numa_hint_faults") - hint0;
	res->mig = vmstat(migrated) - mig0;
	res->moved = pages_moved(pfns);
	munmap(area, area_pages * PG);
}

/*
 * One model and fill: a fresh bond, writer and reader; two TAP points.
 * Compaction may leave a region alone (its pages sat where compaction
 * moves pages to): then, with fill=noref, up to two more runs on fresh
 * regions, so that the stale-read check saw pages move.
 */
static void run_one(int ncpu)
{
	struct run_res res;
	int runs = 0;

	dev_setup(&d);
	pin_to_cpu(0);
	do
		run_once(ncpu, &res);
	while (compaction && opt.fill == SVMSIM_FILL_NOREF && !res.moved &&
	       !res.r.stale && !res.r.errors && ++runs < 3);
	if (res.r.stale)
		tap_diag("first stale read: %s", res.r.first_stale);
	tap_ok(!res.r.stale && !res.r.errors,
	       "%s: %ld device reads under %s: %ld stale, %ld errors (%s), "
	       "%ld unverifiable", model_name(), res.r.reads,
	       compaction ? "compaction" : "NUMA balancing", res.r.stale, res.r.errors,
	       errname(res.r.first_err), res.r.unverified);
	if (compaction)
		check_compaction(res.mig, res.moved);
	else
		/*
		 * The stale-read check means something only if pages moved
		 * under the reader; a ref fill's page reference may keep them
		 * from moving (seen: secondary/ref on 6.1), so there only the
		 * hinting faults.
		 */
		tap_ok(res.hint > 0 && (res.mig > 0 || opt.fill == SVMSIM_FILL_REF),
		       "%s: NUMA balancing ran: %ld hinting faults, %ld pages migrated%s",
		       model_name(), res.hint, res.mig, opt.fill == SVMSIM_FILL_REF ?
		       " (ref: referenced pages need not migrate)" : "");
	dev_close(&d);
}

/*
 * Without arguments: every model and fill in one run, so numa_balancing is
 * switched (a static key: kernel text patching) once on and once off.
 */
static void body(void)
{
	run_one((int)sysconf(_SC_NPROCESSORS_ONLN));
}

int main(int argc, char **argv)
{
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);

	if (argc > 1 && !strcmp(argv[argc - 1], "--compaction")) {
		compaction = 1;
		knob_set = compaction_knobs;
		nknobs = sizeof(compaction_knobs) / sizeof(compaction_knobs[0]);
		argc--;
	}
	parse_opts(argc, argv);
	if ((!compaction && numa_nodes() < 2) || ncpu < 2 || knobs_set())
		return tap_skip_all("needs two CPUs and %s", compaction ?
				    "vm.compaction_proactiveness" :
				    "two NUMA nodes and kernel.numa_balancing");
	return run_variants(VARY_MODEL | VARY_FILL, body);
}
