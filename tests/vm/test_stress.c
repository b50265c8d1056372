// SPDX-License-Identifier: GPL-2.0
/*
 * Races between device page faults and invalidations, for one model
 * (--model):
 *  - a multithreaded stress: device threads read pages while CPU threads
 *    munmap+mmap and MADV_DONTNEED the same pages; zero stale reads;
 *  - a deterministic race: a fill that walked the old page table sleeps
 *    (injected fill delay) across a munmap+mmap; its insert must be
 *    refused and the walk redone, so the device reads the new data;
 *  - tearing: a device write of a naturally aligned 8-, 4- or 2-byte unit
 *    (alone, or inside a longer DMA) is one access: a CPU thread reading
 *    it meanwhile sees the old or the new value, never a mix; and a device
 *    read of such a unit the CPU is rewriting returns one of its values.
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
#define TEAR_DMAS	10000

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

/* ---- tearing: alternating all-zero / all-one values ---- */

struct tear {
	void *word;		/* the unit under test, naturally aligned */
	unsigned int size;	/* 2, 4 or 8 */
	int stop;
	long bad, seen;
	uint64_t bad_value;
};

static uint64_t ones(unsigned int size)
{
	return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static uint64_t cpu_load(const struct tear *t)
{
	switch (t->size) {
	case 2:
		return __atomic_load_n((uint16_t *)t->word, __ATOMIC_RELAXED);
	case 4:
		return __atomic_load_n((uint32_t *)t->word, __ATOMIC_RELAXED);
	default:
		return __atomic_load_n((uint64_t *)t->word, __ATOMIC_RELAXED);
	}
}

static void cpu_store(const struct tear *t, uint64_t v)
{
	switch (t->size) {
	case 2:
		__atomic_store_n((uint16_t *)t->word, (uint16_t)v, __ATOMIC_RELAXED);
		break;
	case 4:
		__atomic_store_n((uint32_t *)t->word, (uint32_t)v, __ATOMIC_RELAXED);
		break;
	default:
		__atomic_store_n((uint64_t *)t->word, v, __ATOMIC_RELAXED);
	}
}

static void tear_check(struct tear *t, uint64_t v)
{
	t->seen++;
	if (v != 0 && v != ones(t->size) && !t->bad++)
		t->bad_value = v;
}

static void *tear_cpu_reader(void *arg)
{
	struct tear *t = arg;

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE))
		tear_check(t, cpu_load(t));
	return NULL;
}

static void *tear_cpu_writer(void *arg)
{
	struct tear *t = arg;

	for (uint64_t i = 0; !__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE); i++)
		cpu_store(t, i & 1 ? ones(t->size) : 0);
	return NULL;
}

/*
 * @dev_writes: the device writes (@len bytes of 0x00 or 0xff covering the
 * unit) and a CPU thread reads; else the CPU writes and the device reads.
 */
static void tear_run(char *page, size_t off, unsigned int size, size_t len, bool dev_writes)
{
	struct tear t = { .word = page + off, .size = size };
	unsigned char buf[64];
	long dma_errors = 0;
	size_t start = dev_writes ? off - (len - size) / 2 : off;
	pthread_t cpu;

	memset(page, 0, PG);
	pthread_create(&cpu, NULL, dev_writes ? tear_cpu_reader : tear_cpu_writer, &t);
	for (int i = 0; i < TEAR_DMAS; i++) {
		if (dev_writes) {
			memset(buf, i & 1 ? 0xff : 0, len);
			dma_errors += dma_write(&d, page + start, buf, len) != 0;
		} else {
			uint64_t v = 0;

			if (dma_read(&d, page + start, &v, size))
				dma_errors++;
			else
				tear_check(&t, v);
		}
	}
	__atomic_store_n(&t.stop, 1, __ATOMIC_RELEASE);
	pthread_join(cpu, NULL);
	if (t.bad)
		tap_diag("%ld torn values of %ld, e.g. %#llx", t.bad, t.seen,
			 (unsigned long long)t.bad_value);
	tap_ok(!t.bad && !dma_errors && t.seen > TEAR_DMAS / 2,
	       "%s: %s %u-byte unit at offset %zu%s: never torn (%ld checked, %ld DMA errors)",
	       model_name(), dev_writes ? "device writes, CPU reads a" : "CPU writes, device reads a",
	       size, off, len > size ? " inside a longer DMA" : "", t.seen, dma_errors);
}

static void test_tearing(void)
{
	char *page = map_anon(PG, PROT_READ | PROT_WRITE);

	tear_run(page, 64, 8, 8, true);
	tear_run(page, 64, 8, 8, false);
	tear_run(page, 68, 4, 4, true);
	tear_run(page, 68, 4, 4, false);
	tear_run(page, 64, 8, 24, true);	/* the middle word of three */
	tear_run(page, 66, 2, 2, true);
	munmap(page, PG);
}

static void body(void)
{
	dev_setup(&d);
	test_stress();
	test_fill_race();
	test_tearing();
	dev_close(&d);
}

int main(int argc, char **argv)
{
	parse_opts(argc, argv);
	return run_variants(VARY_MODEL, body);
}
