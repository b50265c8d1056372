// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures (module parameter allow_fail_alloc=1): for each
 * operation, fail its 1st, 2nd, ... allocation (debugfs svmsim/fail_nth)
 * until the operation outlives the countdown.  Every failure must return
 * a documented errno, leave nothing half done (the same operation then
 * works), and leak nothing: the module's live object counts (debugfs
 * svmsim/alloc) are back at their starting values once all is closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib.h"

#define DBG		"/sys/kernel/debug/svmsim/"
#define MAX_WALK	64
#define NOBJ		16

struct live {
	char name[NOBJ][32];
	long n[NOBJ];
	int count;
};

static void read_live(struct live *l)
{
	FILE *f = fopen(DBG "alloc", "r");
	char line[128];

	memset(l, 0, sizeof(*l));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && l->count < NOBJ) {
		if (sscanf(line, "%31s %ld", l->name[l->count], &l->n[l->count]) == 2 &&
		    strcmp(l->name[l->count], "failures_injected"))
			l->count++;
	}
	fclose(f);
}

/* Deferred frees (SRCU, then a work item) may lag a close: wait for them. */
static bool live_back(const struct live *start, char *what, size_t len)
{
	struct live now;
	int tries, i;

	for (tries = 0; tries < 100; tries++) {
		read_live(&now);
		for (i = 0; i < start->count; i++)
			if (now.n[i] != start->n[i])
				break;
		if (i == start->count && now.count == start->count)
			return true;
		usleep(50 * 1000);
	}
	snprintf(what, len, "%s %ld -> %ld", i < now.count ? now.name[i] : "?",
		 i < start->count ? start->n[i] : 0, i < now.count ? now.n[i] : 0);
	return false;
}

static int fail_fd = -1;

static void arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fail_fd, buf, len, 0) != len)
		tap_diag("fail_nth: %s", strerror(errno));
}

/* What is left of the countdown; 0 = the failure was injected. */
static int armed_left(void)
{
	char buf[16] = "";

	if (pread(fail_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return atoi(buf);
}

/*
 * One operation under test: @run does it (0 or -errno) and undoes what it
 * made on success; @ctx is its state.  Returns the allocations reached.
 */
struct op {
	const char *name;
	int (*setup)(void **ctx);
	int (*run)(void *ctx);
	void (*teardown)(void *ctx);
};

static void walk(const struct op *op)
{
	struct live start;
	unsigned int n, bad = 0, failures = 0;
	char what[96] = "";
	void *ctx = NULL;
	int ret = 0, left = 0;

	read_live(&start);
	for (n = 1; n <= MAX_WALK; n++) {
		if (op->setup && op->setup(&ctx)) {
			tap_ok(false, "%s: setup failed", op->name);
			return;
		}
		arm(n);
		ret = op->run(ctx);
		left = armed_left();
		arm(0);
		if (op->teardown)
			op->teardown(ctx);
		if (left > 0)
			break;		/* the operation made fewer than n allocations */
		failures++;
		if (ret != -ENOMEM && ret != 0) {
			if (!bad++)
				tap_diag("%s: allocation %u failed: got %s, want ENOMEM", op->name,
					 n, errname(ret));
		}
	}
	tap_ok(n <= MAX_WALK && !ret && !bad,
	       "%s: each of its %u allocations failed in turn gives ENOMEM (or a fallback), then it works",
	       op->name, failures);
	tap_ok(live_back(&start, what, sizeof(what)), "%s: no leak after %u failures%s%s",
	       op->name, failures, *what ? ": " : "", what);
}

/* ---- the operations ---- */

static int op_open(void *ctx)
{
	struct dev d;
	int ret = dev_open(&d, 0);

	(void)ctx;
	if (!ret)
		dev_close(&d);
	return ret;
}

struct bind_ctx {
	uint32_t model;
	void *pin;
};

static int op_bind(void *ctx)
{
	struct bind_ctx *c = ctx;
	struct svmsim_bind b = { .model = c->model };
	struct dev d;
	int ret = dev_open(&d, 0);

	if (ret)
		return ret;
	if (c->model == SVMSIM_MODEL_PINNED) {
		b.pin_addr = (uintptr_t)c->pin;
		b.pin_len = 8 * PG;
	}
	ret = svmsim_ioctl(d.fd, SVMSIM_IOC_BIND, &b);
	/* Nothing half bound: the same bind works right after a failure. */
	if (ret == -ENOMEM && svmsim_ioctl(d.fd, SVMSIM_IOC_BIND, &b))
		ret = -EBADE;
	dev_close(&d);
	return ret;
}

static struct bind_ctx bind_secondary = { SVMSIM_MODEL_SECONDARY, NULL };
static struct bind_ctx bind_range = { SVMSIM_MODEL_RANGE, NULL };
static struct bind_ctx bind_pinned = { SVMSIM_MODEL_PINNED, NULL };

static int setup_secondary(void **ctx) { *ctx = &bind_secondary; return 0; }
static int setup_range(void **ctx) { *ctx = &bind_range; return 0; }
static int setup_pinned(void **ctx) { *ctx = &bind_pinned; return 0; }

/* A bound device and a buffer: the DMA operations' state. */
struct dma_ctx {
	struct dev d;
	char *buf;
	char *mem;
	size_t len;
};

static struct dma_ctx dctx;

static int setup_dma(void **ctx)
{
	dev_setup(&dctx.d);
	dctx.len = 64 * 1024;
	dctx.mem = map_anon(dctx.len, PROT_READ | PROT_WRITE);
	dctx.buf = malloc(dctx.len);
	fill_pattern(dctx.mem, dctx.len, 3);
	*ctx = &dctx;
	return 0;
}

static void teardown_dma(void *ctx)
{
	struct dma_ctx *c = ctx;

	dev_close(&c->d);
	munmap(c->mem, c->len);
	free(c->buf);
}

/* A fill after a failed one must work, and read the right data. */
static int op_dma_read(void *ctx)
{
	struct dma_ctx *c = ctx;
	int ret = dma_read(&c->d, c->mem, c->buf, c->len);

	if (ret == -ENOMEM && (dma_read(&c->d, c->mem, c->buf, c->len) ||
			       !check_pattern(c->buf, c->len, 3)))
		return -EBADE;
	return ret;
}

static int op_set_config(void *ctx)
{
	struct svmsim_config c0, c;
	struct dev d;
	int ret = dev_open(&d, 1);

	(void)ctx;
	if (ret)
		return ret;
	svmsim_get_config(d.fd, &c0);
	c = c0;
	c.tlb_sets = c0.tlb_sets == 1024 ? 2048 : 1024;
	ret = svmsim_set_config(d.fd, &c);
	if (ret == -ENOMEM) {
		/* Unchanged, and the device still works with it. */
		svmsim_get_config(d.fd, &c);
		if (c.tlb_sets != c0.tlb_sets)
			ret = -EBADE;
	}
	if (!ret)
		ret = svmsim_set_config(d.fd, &c0);
	dev_close(&d);
	return ret;
}

/* An open fd, not bound, for the operations that need no more. */
static struct dev odev;

static int setup_open(void **ctx)
{
	*ctx = &odev;
	return dev_open(&odev, 0);
}

static void teardown_open(void *ctx)
{
	dev_close(ctx);
}

static int op_stats_hist(void *ctx)
{
	static uint64_t buckets[SVMSIM_HIST_NBUCKETS];
	struct dev *d = ctx;
	struct svmsim_stats st;
	struct svmsim_hist h;
	int ret = svmsim_stats(d->fd, 0, false, &st);

	if (!ret)
		ret = svmsim_hist(d->fd, SVMSIM_HIST_FILL, 0, buckets, SVMSIM_HIST_NBUCKETS, &h);
	return ret;
}

/* The window: first mmap allocates it, a swapping zap its second set. */
static int op_window(void *ctx)
{
	struct dev *d = ctx;
	uint64_t *w;
	int ret;

	w = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, 0);
	if (w == MAP_FAILED)
		return -errno;
	w[0] = 1;
	ret = svmsim_zap(d->fd, w, 16 * PG, SVMSIM_ZAP_SWAP);
	/* The contents survive a failed swap, and a retry works. */
	if (ret == -ENOMEM && (w[0] != 1 || svmsim_zap(d->fd, w, 16 * PG, SVMSIM_ZAP_SWAP)))
		ret = -EBADE;
	if (!ret && w[0] != 1)
		ret = -EBADE;
	munmap(w, 16 * PG);
	return ret;
}

/* Queued mode, NO_WAIT: a descriptor the queue owns; failing it is a sync flush. */
static int setup_nowait(void **ctx)
{
	struct svmsim_config c;

	setup_dma(ctx);
	svmsim_get_config(dctx.d.fd, &c);
	if (c.flush_mode != SVMSIM_FLUSH_QUEUED)
		return -1;
	if (svmsim_inject(dctx.d.fd, dctx.d.pasid, SVMSIM_BUG_NO_WAIT, 0, 0))
		return -1;
	/* Cached before the countdown starts: the flush is all it reaches. */
	return dma_read(&dctx.d, dctx.mem, dctx.buf, PG) ? -1 : 0;
}

static int op_nowait_flush(void *ctx)
{
	struct dma_ctx *c = ctx;

	return madvise(c->mem, PG, MADV_DONTNEED) ? -errno : 0;
}

static const struct op ops[] = {
	{ "open", NULL, op_open, NULL },
	{ "bind secondary", setup_secondary, op_bind, NULL },
	{ "bind range", setup_range, op_bind, NULL },
	{ "bind pinned (8 pages)", setup_pinned, op_bind, NULL },
	{ "DMA read, 16 fills", setup_dma, op_dma_read, teardown_dma },
	{ "SET_CONFIG geometry", NULL, op_set_config, NULL },
	{ "STATS and HIST", setup_open, op_stats_hist, teardown_open },
	{ "window mmap + swapping zap", setup_open, op_window, teardown_open },
};

static void test_nowait(void)
{
	const struct op op = { "queued NO_WAIT flush", setup_nowait, op_nowait_flush,
			       teardown_dma };
	struct svmsim_config c0, c;
	struct dev d;

	dev_open(&d, 0);
	svmsim_get_config(d.fd, &c0);
	c = c0;
	c.flush_mode = SVMSIM_FLUSH_QUEUED;
	if (svmsim_set_config(d.fd, &c)) {
		tap_skip("queued NO_WAIT flush: cannot switch the device to queued mode");
		tap_skip("queued NO_WAIT flush: leak check");
	} else {
		walk(&op);
		svmsim_set_config(d.fd, &c0);
	}
	dev_close(&d);
}

static void body(void)
{
	for (unsigned int i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		walk(&ops[i]);
	test_nowait();
}

int main(int argc, char **argv)
{
	char *pin;
	int ret;

	parse_opts(argc, argv);
	fail_fd = open(DBG "fail_nth", O_RDWR);
	if (fail_fd < 0 || pwrite(fail_fd, "0", 1, 0) != 1)
		return tap_skip_all("needs the module loaded with allow_fail_alloc=1 (%s)",
				    strerror(errno));
	pin = map_anon(8 * PG, PROT_READ | PROT_WRITE);
	memset(pin, 1, 8 * PG);
	bind_pinned.pin = pin;
	ret = run_variants(VARY_MODEL, body);
	close(fail_fd);
	return ret;
}
