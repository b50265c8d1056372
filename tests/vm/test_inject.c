// SPDX-License-Identifier: GPL-2.0
/*
 * Each injected driver bug (SVMSIM_IOC_INJECT, module allow_inject=1) must
 * make the device read stale data that a coherence check catches -- the
 * proof that the tests, and the correct driver, are not passing by luck.
 * For one model (--model); bugs that need the other model or the queued
 * flush mode are skipped or configured here.  Without allow_inject every
 * case is skipped.
 *
 * Pattern: a page holds generation 1 and is cached; the mm changes it (the
 * CPU writes generation 2 on a fresh page); the device then reads 1.
 *
 * With --sanitize 1 the bonds are sanitized and use --fill (noref is the
 * faithful mode): the sanitizer must stop that read (EIO) and report the
 * stale translation -- address, cached and current PFN -- at once.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"
#include "stale.h"

/*
 * munmap + mmap, the new page left untouched, then MADV_DONTNEED over it:
 * a bracket that zaps nothing, so 6.12 sends it no secondary flush and it
 * stays in the observer's slot until the next one.  Ended, it is not an
 * invalidation in progress: the sanitizer must still stop the stale read
 * at once (it used to wait on it for the device's 10 s timeout: EAGAIN).
 */
static void remap_quiet_bracket(uint64_t *p, size_t pages)
{
	munmap(p, pages * PG);
	map_anon_at(p, pages * PG);
	madvise(p, pages * PG, MADV_DONTNEED);
}

static void test_simple(uint32_t bug, const char *name, void (*change)(uint64_t *, size_t),
			const char *how)
{
	struct dev d;
	uint64_t *p;

	if (bond_with(&d, 0, opt.model, bug, 0, 0)) {
		tap_ok(false, "%s: %s: inject", model_name(), name);
		return;
	}
	p = cached_pages(&d, 1);
	change(p, 1);
	stale_unflushed = true;
	check_stale(&d, p, name, how);
	stale_unflushed = false;
	dev_close(&d);
	munmap(p, PG);
}

static void test_off_by_one(void)
{
	check_one_page_left(SVMSIM_BUG_END_OFF_BY_ONE, "end_off_by_one", remap,
			    "munmap+mmap of two pages (last page)", 0, "first");
}

struct racer {
	struct dev *d;
	uint64_t *p;
	uint64_t value;
	volatile int stop;
};

static void *read_once(void *arg)
{
	struct racer *r = arg;

	dma_read_u64(r->d, r->p, &r->value);
	return NULL;
}

static void *read_loop(void *arg)
{
	struct racer *r = arg;
	uint64_t v;

	while (!r->stop)
		dma_read_u64(r->d, r->p, &v);
	return NULL;
}

/* ignore_seq: a fill sleeping across the change inserts the old page. */
static void test_ignore_seq(void)
{
	struct dev d;
	struct racer r = { .d = &d };
	pthread_t t;

	bond_with(&d, 0, opt.model, SVMSIM_BUG_IGNORE_SEQ, 0, 200 * 1000);
	r.p = map_anon(PG, PROT_READ | PROT_WRITE);
	*r.p = 1;
	pthread_create(&t, NULL, read_once, &r);
	sleep_ms(50);
	remap(r.p, 1);
	pthread_join(t, NULL);
	svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_IGNORE_SEQ, 0, 0);
	check_stale(&d, r.p, "ignore_seq", "a fill raced munmap+mmap");
	dev_close(&d);
	munmap(r.p, PG);
}

/*
 * no_fill_block (range model): a device thread refills the page during the
 * simulated device latency that follows the flush in invalidate_range_start
 * -- before the PTE is cleared.  A race: tried up to 20 times.
 */
static void test_no_fill_block(void)
{
	struct svmsim_config c0, c;
	struct dev d;
	struct racer r = { .d = &d };
	pthread_t t;
	uint64_t v = 0, since;
	int tries, ret = 0;

	if (opt.model != SVMSIM_MODEL_RANGE) {
		tap_skip("%s: no_fill_block applies to the range model", model_name());
		return;
	}
	c = dev1_open(&d, &c0);
	c.dev_latency_ns = 10 * 1000 * 1000;
	dev1_bond(&d, &c, SVMSIM_MODEL_RANGE, SVMSIM_BUG_NO_FILL_BLOCK);
	r.p = map_anon(PG, PROT_READ | PROT_WRITE);
	for (tries = 1, since = san_total(&d); tries <= 20; tries++) {
		*r.p = 1;
		r.stop = 0;
		pthread_create(&t, NULL, read_loop, &r);
		sleep_ms(5);
		/*
		 * Sanitized: the old page must not come back as the new one
		 * (the per-CPU free list hands the page just freed to the next
		 * fault), or the stale entry names the current PFN and nothing
		 * is stale to see -- a CI run missed 20 tries in a row so.
		 */
		hold_old_pages(r.p, 1);
		dontneed(r.p, 1);
		r.stop = 1;
		pthread_join(t, NULL);
		ret = dma_read_u64(&d, r.p, &v);
		release_old_pages();
		/* (sanitized, the read loop's own access may have been the one stopped) */
		if (caught(&d, r.p, opt.sanitize ? -EIO : ret, v, since))
			break;
	}
	tap_ok(tries <= 20, "%s: no_fill_block: %s after a fill during MADV_DONTNEED (try %d, %s)",
	       model_name(), opt.sanitize ? "the sanitizer stops a stale read" :
	       "the device reads stale generation 1", tries, errname(ret));
	dev_close(&d);
	restore_config(&c0);
	munmap(r.p, PG);
}

/* no_wait (queued mode): the callback returns before the device flushed. */
static void test_no_wait(void)
{
	struct svmsim_config c0, c;
	struct dev d;
	uint64_t *p;

	c = dev1_open(&d, &c0);
	c.flush_mode = SVMSIM_FLUSH_QUEUED;
	c.dev_latency_ns = SVMSIM_MAX_LATENCY_NS;
	dev1_bond(&d, &c, opt.model, SVMSIM_BUG_NO_WAIT);
	p = cached_pages(&d, 1);
	dontneed(p, 1);
	check_stale(&d, p, "no_wait", "MADV_DONTNEED, flush still queued");
	dev_close(&d);
	restore_config(&c0);
	munmap(p, PG);
}

struct toggle {
	struct dev *d;
	uint64_t *p;
	size_t pages;
	volatile int stop;
	volatile int done;
	long toggles, churns;
	int ret;
};

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *toggle_loop(void *arg)
{
	struct toggle *t = arg;

	while (!t->stop) {
		svmsim_inject(t->d->fd, t->d->pasid, SVMSIM_BUG_NO_FILL_BLOCK, 0, 0);
		svmsim_inject(t->d->fd, t->d->pasid, SVMSIM_BUG_NONE, 0, 0);
		t->toggles++;
	}
	return NULL;
}

static void *churn_loop(void *arg)
{
	struct toggle *t = arg;

	while (!t->stop) {
		if (t->churns++ & 1)
			remap(t->p, t->pages);
		else
			dontneed(t->p, t->pages);
	}
	return NULL;
}

static void *dma_all(void *arg)
{
	struct toggle *t = arg;
	uint64_t v;

	do {
		for (size_t i = 0; i < t->pages; i++) {
			t->ret = dma_read_u64(t->d, t->p + i * PG / 8, &v);
			if (t->ret && t->stop)
				break;
		}
	} while (!t->stop);
	t->done = 1;
	return NULL;
}

/*
 * SVMSIM_IOC_INJECT switching no_fill_block on and off while brackets are
 * in progress (range model): each bracket must end what its start began,
 * whatever the bug is by then.  Afterwards, with the bug off and the mm
 * quiet, a fill must neither wait (an invalidation left "in progress"
 * for ever) nor fail.
 */
static void test_toggle_no_fill_block(void)
{
	struct toggle t = { 0 };
	struct svmsim_stats s0, s1;
	pthread_t th[3];
	struct dev d;
	uint64_t t0;

	if (opt.model != SVMSIM_MODEL_RANGE) {
		tap_skip("%s: toggling no_fill_block applies to the range model", model_name());
		tap_skip("%s: toggling no_fill_block applies to the range model", model_name());
		return;
	}
	bond_with(&d, 0, SVMSIM_MODEL_RANGE, SVMSIM_BUG_NONE, 0, 0);
	t.d = &d;
	t.pages = 16;
	t.p = map_anon(t.pages * PG, PROT_READ | PROT_WRITE);
	pthread_create(&th[0], NULL, toggle_loop, &t);
	pthread_create(&th[1], NULL, churn_loop, &t);
	pthread_create(&th[2], NULL, dma_all, &t);
	sleep_ms(2000);
	t.stop = 1;
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	tap_diag("%ld toggles, %ld munmap+mmap/MADV_DONTNEED", t.toggles, t.churns);

	svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_NONE, 0, 0);
	/*
	 * A fill made while the bug was on may have cached a page that a
	 * bracket then replaced: a real stale entry, which the sanitizer
	 * (when on) rightly stops with EIO.  One bracket of the correct
	 * driver flushes the whole range, so what follows judges only
	 * the bracket bookkeeping.
	 */
	dontneed(t.p, t.pages);
	stats_snap(&d, d.pasid, &s0);
	t.done = 0;
	t0 = ms_now();
	pthread_create(&th[2], NULL, dma_all, &t);
	/* A fill normally takes well under a millisecond; a leaked bracket
	 * blocks it for SVMSIM_FILL_RETRIES seconds. */
	while (!t.done && ms_now() - t0 < 10000)
		sleep_ms(10);
	tap_ok(t.done && !t.ret, "%s: fills work after toggling no_fill_block mid-bracket "
	       "(%s, %s)", model_name(), t.done ? "done" : "still blocked after 10 s",
	       errname(t.ret));
	pthread_join(th[2], NULL);
	stats_snap(&d, d.pasid, &s1);
	tap_ok(stats_delta(&s0, &s1, SVMSIM_STAT_FILL_WAITS) == 0,
	       "%s: ... and none waited for an invalidation in progress (%llu waits)",
	       model_name(), (unsigned long long)stats_delta(&s0, &s1, SVMSIM_STAT_FILL_WAITS));
	dev_close(&d);
	munmap(t.p, t.pages * PG);
}

static void body(void);

int main(int argc, char **argv)
{
	struct svmsim_version v;
	struct dev d;

	parse_opts(argc, argv);
	dev_open(&d, 0);
	svmsim_version(d.fd, &v);
	dev_close(&d);
	if (!(v.features & SVMSIM_FEAT_INJECT))
		return tap_skip_all("module loaded without allow_inject=1");
	return run_variants(VARY_MODEL, body);
}

static void body(void)
{
	test_simple(SVMSIM_BUG_SKIP_INVALIDATE, "skip_invalidate", remap, "munmap+mmap");
	test_simple(SVMSIM_BUG_SKIP_INVALIDATE, "skip_invalidate", remap_quiet_bracket,
		    "munmap+mmap, then a bracket that zaps nothing");
	test_simple(SVMSIM_BUG_WRONG_PASID, "wrong_pasid", dontneed, "MADV_DONTNEED");
	test_off_by_one();
	test_ignore_seq();
	test_no_fill_block();
	test_no_wait();
	test_toggle_no_fill_block();
}
