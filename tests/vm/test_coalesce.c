// SPDX-License-Identifier: GPL-2.0
/*
 * The queue's coalescing window (struct svmsim_config.qi_coalesce_ns), per
 * model, queued mode:
 *
 *  - a lone descriptor waits out the window: every queue sample (post to
 *    completion) of single-page DONTNEEDs is at least the window long,
 *    and the device then reads the CPU's new page;
 *  - a full batch does not wait for the window: K threads drop a cached
 *    page each at once with qi_batch K and the longest window; the K
 *    descriptors complete in one batch, before the window would close
 *    (range model, K = 4; the secondary model's waiters spin and hold
 *    their CPUs, so a thread that gets none cannot post the descriptor
 *    that fills the batch: skipped there);
 *  - a shorter window applies at once: a waiter in a 100 ms window is
 *    released early when SET_CONFIG sets the window to 0 (the queue
 *    thread sleeping out the old window is woken);
 *  - many threads under a window share waits: descriptors per batch with
 *    the window against without (reported), no stale read.
 *
 * The bounds are the window's own: a sample shorter than the window means
 * it was not applied; one as long as the 100 ms window where a full batch
 * or a shorter window should have ended it means the early start failed.
 * Options: lib.h's (--model ...).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"

#define LONE_OPS	8
#define LONE_WINDOW_NS	5000000ull	/* 5 ms */
#define LONG_WINDOW_NS	SVMSIM_MAX_TAIL_NS	/* 100 ms */
#define FULL_K		4
#define SHARE_THREADS	8
#define SHARE_ROUNDS	12

static struct dev d;
static struct svmsim_config saved;

/* Queued mode with @lat, @batch and window @win; a fresh bond. */
static void configure(uint64_t lat, uint32_t batch, uint64_t win)
{
	struct svmsim_config c = saved;

	c.flush_mode = SVMSIM_FLUSH_QUEUED;
	c.dev_latency_ns = lat;
	c.qi_batch = batch;
	c.qi_coalesce_ns = win;
	dev_rebind(&d, &c);
}

/* The window alone, in effect at once (no rebind). */
static int set_window(uint64_t win)
{
	struct svmsim_config c;
	int ret = svmsim_get_config(d.fd, &c);

	c.qi_coalesce_ns = win;
	return ret ? ret : svmsim_set_config(d.fd, &c);
}

/* ---- the queue histogram: post to completion, device-wide ---- */

static uint64_t qbuckets[SVMSIM_HIST_NBUCKETS];

static void queue_snap(uint64_t *b)
{
	struct svmsim_hist h;

	if (svmsim_hist(d.fd, SVMSIM_HIST_QUEUE, 0, b, SVMSIM_HIST_NBUCKETS, &h))
		bail("hist: %s", strerror(errno));
}

/* Samples since @b0: in all, and those surely shorter than @ns. */
static void queue_since(const uint64_t *b0, uint64_t ns, uint64_t *all, uint64_t *below)
{
	queue_snap(qbuckets);
	*all = *below = 0;
	for (uint32_t i = 0; i < SVMSIM_HIST_NBUCKETS; i++) {
		uint64_t n = qbuckets[i] - b0[i];

		*all += n;
		if (i + 1 < SVMSIM_HIST_NBUCKETS && svmsim_hist_lower(i + 1) <= ns)
			*below += n;
	}
}

/* ---- pages the device caches ---- */

/* A page of its own (a VMA each: DONTNEEDs of threads do not share one), cached. */
static uint64_t *cached_page(uint64_t v)
{
	uint64_t *p = map_anon(PG, PROT_READ | PROT_WRITE), got;

	*p = v;
	if (dma_read_u64(&d, p, &got) || got != v)
		bail("device read of a fresh page");
	return p;
}

/* Drop @p (DONTNEED), write @v on the CPU: 0 if the device reads @v. */
static int drop_and_check(uint64_t *p, uint64_t v)
{
	uint64_t got = 0;
	int ret;

	madvise(p, PG, MADV_DONTNEED);
	*p = v;
	ret = dma_read_u64(&d, p, &got);
	return ret ? ret : got == v ? 0 : -ESTALE;
}

static void test_lone(void)
{
	uint64_t b0[SVMSIM_HIST_NBUCKETS], all, below;
	uint64_t *p = cached_page(1);
	int bad = 0;

	configure(0, 32, LONE_WINDOW_NS);
	queue_snap(b0);
	for (int i = 0; i < LONE_OPS; i++) {
		*p = 100 + i;
		if (dma_read_u64(&d, p, &all))
			bad++;
		bad += drop_and_check(p, 200 + i) != 0;
	}
	queue_since(b0, LONE_WINDOW_NS, &all, &below);
	tap_ok(all >= LONE_OPS && !below,
	       "%s: lone descriptors wait out the 5 ms window: %llu queue samples, "
	       "%llu shorter", model_name(), (unsigned long long)all,
	       (unsigned long long)below);
	tap_ok(!bad, "%s: ... and the device reads the CPU's new page after each (%d not)",
	       model_name(), bad);
	munmap(p, PG);
}

/* ---- threads dropping a cached page each, started together ---- */

struct dropper {
	pthread_barrier_t *go, *done;
	uint64_t *p;
	int rounds;
	int bad;
};

static void *dropper(void *arg)
{
	struct dropper *t = arg;
	uint64_t got;

	for (int r = 0; r < t->rounds; r++) {
		*t->p = r + 1;
		if (dma_read_u64(&d, t->p, &got))
			t->bad++;
		pthread_barrier_wait(t->go);
		t->bad += drop_and_check(t->p, 1000 + r) != 0;
		pthread_barrier_wait(t->done);
	}
	return NULL;
}

/* What the drops of drop_together() cost the queue, nothing else counted. */
struct drops {
	uint64_t descs, batches;	/* qi_descs, qi_batches */
	uint64_t samples, below;	/* queue samples; those shorter than the window */
	int bad;			/* stale or failed device reads */
};

/*
 * @n threads, @rounds rounds each, every round's drops started together;
 * the counters and the queue histogram are read around the drops only
 * (thread stacks and the pages' munmaps invalidate too).
 */
static void drop_together(int n, int rounds, uint64_t win, struct drops *out)
{
	uint64_t b0[SVMSIM_HIST_NBUCKETS];
	pthread_t th[SHARE_THREADS];
	struct dropper t[SHARE_THREADS];
	pthread_barrier_t go, done;
	struct svmsim_stats s0, s1;

	pthread_barrier_init(&go, NULL, (unsigned int)n + 1);
	pthread_barrier_init(&done, NULL, (unsigned int)n + 1);
	for (int i = 0; i < n; i++) {
		t[i] = (struct dropper){ .go = &go, .done = &done, .p = cached_page(7),
					 .rounds = rounds };
		pthread_create(&th[i], NULL, dropper, &t[i]);
	}
	for (int r = 0; r < rounds; r++) {
		if (!r) {
			stats_snap(&d, 0, &s0);
			queue_snap(b0);
		}
		pthread_barrier_wait(&go);
		pthread_barrier_wait(&done);
	}
	stats_snap(&d, 0, &s1);
	queue_since(b0, win, &out->samples, &out->below);
	out->descs = stats_delta(&s0, &s1, SVMSIM_STAT_QI_DESCS);
	out->batches = stats_delta(&s0, &s1, SVMSIM_STAT_QI_BATCHES);
	out->bad = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		out->bad += t[i].bad;
		munmap(t[i].p, PG);
	}
	pthread_barrier_destroy(&go);
	pthread_barrier_destroy(&done);
}

static void test_full_batch(void)
{
	int k = FULL_K;
	struct drops r;

	if (opt.model == SVMSIM_MODEL_SECONDARY) {
		/* 2 spinning waiters on 2 CPUs: 1 of 2 once, 2 of 2 four times */
		for (int i = 0; i < 3; i++)
			tap_skip("%s: full batch: the waiters spin, holding their CPUs; whether "
				 "the batch fills first is the scheduler's", model_name());
		return;
	}
	configure(1000000, (uint32_t)k, LONG_WINDOW_NS);
	drop_together(k, 1, LONG_WINDOW_NS, &r);
	tap_ok(r.descs >= (uint64_t)k && r.batches >= 1 && r.batches < r.descs,
	       "%s: %d threads drop a page at once, qi_batch %d, 100 ms window: %llu "
	       "descriptors in %llu batches", model_name(), k, k,
	       (unsigned long long)r.descs, (unsigned long long)r.batches);
	tap_ok(r.samples >= (uint64_t)k && r.below == r.samples,
	       "%s: ... a full batch starts at once: %llu of %llu queue samples shorter "
	       "than the window", model_name(), (unsigned long long)r.below,
	       (unsigned long long)r.samples);
	tap_ok(!r.bad, "%s: ... and the device reads each CPU's new page (%d not)",
	       model_name(), r.bad);
}

static void *one_drop(void *arg)
{
	uint64_t *p = arg;

	return (void *)(intptr_t)drop_and_check(p, 77);
}

static void test_shrink(void)
{
	uint64_t b0[SVMSIM_HIST_NBUCKETS], all, below, *p;
	struct timespec ts = { 0, 5000000 };
	pthread_t th;
	void *ret;
	int set;

	configure(0, 32, LONG_WINDOW_NS);
	p = cached_page(3);
	queue_snap(b0);
	pthread_create(&th, NULL, one_drop, p);
	nanosleep(&ts, NULL);
	set = set_window(0);
	pthread_join(th, &ret);
	queue_since(b0, LONG_WINDOW_NS, &all, &below);
	/* (the thread's stack may add a descriptor of its own: not all) */
	tap_ok(!set && all >= 1 && below >= 1,
	       "%s: a 100 ms window set to 0 with a descriptor in it applies at once: %llu "
	       "of %llu queue samples shorter than 100 ms (set_config %s)", model_name(),
	       (unsigned long long)below, (unsigned long long)all, errname(set));
	tap_ok(!ret, "%s: ... and the device reads the CPU's new page (%s)", model_name(),
	       errname((int)(intptr_t)ret));
	munmap(p, PG);
}

/* Descriptors per batch of SHARE_THREADS threads' drops under window @win. */
static double share(uint64_t win, int *bad)
{
	struct drops r;

	configure(2000000, 32, win);
	drop_together(SHARE_THREADS, SHARE_ROUNDS, win, &r);
	*bad += r.bad;
	return r.batches ? (double)r.descs / r.batches : 0;
}

static void test_share(void)
{
	int bad = 0;
	double none = share(0, &bad), win = share(20000000, &bad);

	tap_diag("%s: descriptors per batch, %d threads, 2 ms latency: %.2f without a "
		 "window, %.2f with 20 ms", model_name(), SHARE_THREADS, none, win);
	tap_ok(win > 1.0 && !bad,
	       "%s: %d threads x %d drops under a 20 ms window: %.2f descriptors per batch, "
	       "%d stale or failed reads", model_name(), SHARE_THREADS, SHARE_ROUNDS, win, bad);
}

static void body(void)
{
	dev_setup(&d);
	test_lone();
	test_full_batch();
	test_shrink();
	test_share();
	dev_close(&d);
}

int main(int argc, char **argv)
{
	int ret;

	parse_opts(argc, argv);
	ret = keep_config(&saved);
	if (ret)
		return tap_skip_all("cannot read device %u's configuration: %s", opt.device,
				    errname(ret));
	return run_variants(VARY_MODEL, body);
}
