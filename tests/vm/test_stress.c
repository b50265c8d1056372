// SPDX-License-Identifier: GPL-2.0
/*
 * Races between device page faults and invalidations, for one model
 * (--model):
 *  - a multithreaded stress: device threads read pages while CPU threads
 *    munmap+mmap and MADV_DONTNEED the same pages; zero stale reads;
 *  - a deterministic race: a fill that walked the old page table sleeps
 *    (injected fill delay) across a munmap+mmap; its insert must be
 *    refused and the walk redone, so the device reads the new data.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "lib.h"

#define NPAGES		64
#define CPU_THREADS	2
#define DEV_THREADS	2
#define CPU_OPS		1500

struct hdr {
	uint64_t gen;
	uint64_t index;
};

static struct dev d;
static char *region;
static uint64_t published[NPAGES];	/* 0 while the page changes */
static uint64_t next_gen = 1;
static int stop;
static long violations, reads, faults;

static uint64_t load(uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void publish(int i, uint64_t gen)
{
	__atomic_store_n(&published[i], gen, __ATOMIC_RELEASE);
}

static void stamp(int i)
{
	struct hdr *h = (struct hdr *)(region + (size_t)i * PG);
	uint64_t gen = __atomic_add_fetch(&next_gen, 1, __ATOMIC_RELAXED);

	h->gen = gen;
	h->index = (uint64_t)i;
	publish(i, gen);
}

/* CPU thread @t changes the pages i with i % CPU_THREADS == t. */
static void *cpu_thread(void *arg)
{
	int t = (int)(intptr_t)arg;
	unsigned int seed = (unsigned int)t + 1;

	for (int n = 0; n < CPU_OPS; n++) {
		int i = (rand_r(&seed) % (NPAGES / CPU_THREADS)) * CPU_THREADS + t;
		char *p = region + (size_t)i * PG;

		publish(i, 0);
		if (n % 2) {
			munmap(p, PG);
			map_anon_at(p, PG);
		} else {
			madvise(p, PG, MADV_DONTNEED);
		}
		stamp(i);
	}
	return NULL;
}

/*
 * A read is checked only if the page's published generation was set and
 * unchanged across the DMA: then the header must carry exactly it.
 */
static void *device_thread(void *arg)
{
	unsigned int seed = (unsigned int)(intptr_t)arg * 7919u;
	struct hdr h;

	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		int i = rand_r(&seed) % NPAGES;
		uint64_t g0 = load(&published[i]), g1;
		int ret = dma_read(&d, region + (size_t)i * PG, &h, sizeof(h));

		g1 = load(&published[i]);
		if (ret) {
			__atomic_add_fetch(&faults, 1, __ATOMIC_RELAXED);
			continue;
		}
		__atomic_add_fetch(&reads, 1, __ATOMIC_RELAXED);
		if (g0 && g0 == g1 && (h.gen != g0 || h.index != (uint64_t)i) &&
		    __atomic_add_fetch(&violations, 1, __ATOMIC_RELAXED) < 5)
			tap_diag("stale read: page %d gen %llu (index %llu), CPU published %llu",
				 i, (unsigned long long)h.gen, (unsigned long long)h.index,
				 (unsigned long long)g0);
	}
	return NULL;
}

static void test_stress(void)
{
	pthread_t cpu[CPU_THREADS], dev[DEV_THREADS];
	uint64_t refused0 = stat_of(&d, d.pasid, SVMSIM_STAT_TLB_STALE_REFUSED);

	region = map_anon(NPAGES * PG, PROT_READ | PROT_WRITE);
	for (int i = 0; i < NPAGES; i++)
		stamp(i);
	for (int i = 0; i < DEV_THREADS; i++)
		pthread_create(&dev[i], NULL, device_thread, (void *)(intptr_t)(i + 1));
	for (int i = 0; i < CPU_THREADS; i++)
		pthread_create(&cpu[i], NULL, cpu_thread, (void *)(intptr_t)i);
	for (int i = 0; i < CPU_THREADS; i++)
		pthread_join(cpu[i], NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < DEV_THREADS; i++)
		pthread_join(dev[i], NULL);
	tap_diag("%s: %d CPU ops, %ld device reads, %ld faults, %llu inserts refused as stale",
		 model_name(), CPU_THREADS * CPU_OPS, reads, faults,
		 (unsigned long long)(stat_of(&d, d.pasid, SVMSIM_STAT_TLB_STALE_REFUSED) - refused0));
	tap_ok(violations == 0, "%s: fault-vs-invalidate stress (%d CPU + %d device threads): "
	       "no stale read", model_name(), CPU_THREADS, DEV_THREADS);
	tap_ok(reads > 1000, "%s: ... with the race exercised (%ld checked reads)", model_name(),
	       reads);
	munmap(region, NPAGES * PG);
}

struct delayed_read {
	uint64_t *addr;
	uint64_t value;
	int ret;
};

static void *delayed_read(void *arg)
{
	struct delayed_read *r = arg;

	r->ret = dma_read_u64(&d, r->addr, &r->value);
	return NULL;
}

static void test_fill_race(void)
{
	uint64_t *p = map_anon(PG, PROT_READ | PROT_WRITE);
	struct delayed_read r = { .addr = p };
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	struct svmsim_stats s0, s1;
	pthread_t t;

	*p = 1;
	stats_snap(&d, d.pasid, &s0);
	svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_NONE, 0, 200 * 1000);
	pthread_create(&t, NULL, delayed_read, &r);
	nanosleep(&ts, NULL);		/* the fill has walked page 1 and sleeps */
	munmap(p, PG);
	map_anon_at(p, PG);
	*p = 2;
	pthread_join(t, NULL);
	svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_NONE, 0, 0);
	stats_snap(&d, d.pasid, &s1);
	tap_ok(!r.ret && r.value == 2, "%s: a fill racing munmap+mmap reads the new page (%llu)",
	       model_name(), (unsigned long long)r.value);
	tap_ok(stats_delta(&s0, &s1, SVMSIM_STAT_TLB_STALE_REFUSED) >= 1 &&
	       stats_delta(&s0, &s1, SVMSIM_STAT_FILL_RETRIES) >= 1,
	       "%s: ... because its stale insert was refused and the walk redone", model_name());
	munmap(p, PG);
}

int main(int argc, char **argv)
{
	parse_opts(argc, argv);
	dev_setup(&d);
	tap_plan(4);
	test_stress();
	test_fill_race();
	dev_close(&d);
	return tap_finish();
}
