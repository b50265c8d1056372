// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench's coherence checker (bench/checker.c), driven by hand in user
 * space: the mutator's begin/end and the device's observe/DMA/judge steps
 * of checker.h, with the DMA simulated by what it did to the page.  Each
 * rule must fire on the history it forbids and stay quiet on the ones a
 * coherent device may produce -- in particular the rules that judge
 * accesses made while an operation that keeps the contents runs.
 */
#include <stdlib.h>
#include <string.h>
#include <urcu.h>

#include "checker.h"
#include "tap.h"

TAP_DEFINE_STATE;

#define NPAGES	2
#define NDEV	2

static struct region reg;
static struct region_desc *live[1];
static struct region_table tab = { .n = 1, .ndev = NDEV, .regions = &reg, .live = live };
static struct checker ck;

static void setup(void)
{
	memset(&reg, 0, sizeof(reg));
	reg.map.base = aligned_alloc(PAGE_SZ, NPAGES * PAGE_SZ);
	memset(reg.map.base, 0, NPAGES * PAGE_SZ);
	reg.map.npages = NPAGES;
	reg.map.id = 1;
	reg.map.window_fd = -1;
	reg.published = calloc(NPAGES, sizeof(*reg.published));
	reg.acks = calloc(NPAGES * NDEV, sizeof(*reg.acks));
	reg.op_acks = calloc(NPAGES * NDEV, sizeof(*reg.op_acks));
	atomic_init(&reg.gen, 1);
	atomic_init(&reg.state, RS_MAPPED);
	atomic_init(&reg.op, "unit");
	map_stamp(&reg.map, 1);
	for (size_t k = 0; k < NPAGES; k++)
		atomic_init(&reg.published[k], 1);
	if (checker_init(&ck, &tab, "unit", 1, 1))
		abort();
}

static void teardown(void)
{
	checker_destroy(&ck);
	free(reg.map.base);
	free(reg.published);
	free(reg.acks);
	free(reg.op_acks);
	free(live[0]);
	live[0] = NULL;
}

/* The owner's operation ends: the pages stamped with the next generation. */
static void op_end(void)
{
	uint64_t gen = atomic_load(&reg.gen) + 1;

	map_stamp(&reg.map, gen);
	atomic_store(&reg.gen, gen);
	checker_end(&ck, &reg);
}

/* A device write of @v by thread 0 into page 0; @lands: it reached the page. */
static void dev_write(uint64_t v, bool lands)
{
	struct dma_obs before;

	checker_observe(&reg, 0, &before);
	if (lands)
		*map_slot(&reg.map, 0, 0) = v;
	checker_judge_write(&ck, &reg, 0, 0, v, &before, 0);
}

/* A device read of page 0 that returned @h. */
static void dev_read(struct page_hdr h)
{
	struct dma_obs before;

	checker_observe(&reg, 0, &before);
	checker_judge_read(&ck, &reg, 0, &before, 0, &h);
}

static uint64_t count(enum violation v)
{
	return atomic_load(&ck.violations[v]);
}

static void test_lost_write_during(void)
{
	setup();
	checker_begin(&ck, &reg, "migrate", true);
	dev_write(5, true);
	op_end();
	tap_ok(checker_violations(&ck) == 0,
	       "a write acknowledged during a preserving op and seen after: no violation");
	checker_begin(&ck, &reg, "migrate", true);
	dev_write(6, false);
	op_end();
	tap_ok(count(V_LOST_WRITE) == 1 && checker_violations(&ck) == 1,
	       "a write acknowledged during a preserving op and not seen after: lost write");
	teardown();

	setup();
	checker_begin(&ck, &reg, "munmap", false);
	dev_write(7, false);
	op_end();
	tap_ok(checker_violations(&ck) == 0,
	       "the same during an op that discards the contents: not judged");
	teardown();
}

/* A write whose DMA outlived the operation is not held against it. */
static void test_write_across_end(void)
{
	struct dma_obs before;

	setup();
	checker_begin(&ck, &reg, "migrate", true);
	checker_observe(&reg, 0, &before);
	op_end();
	checker_judge_write(&ck, &reg, 0, 0, 9, &before, 0);
	checker_begin(&ck, &reg, "migrate", true);
	op_end();
	tap_ok(checker_violations(&ck) == 0,
	       "a write that began inside the op and was acknowledged after it: not judged");
	teardown();
}

static void test_reads_during(void)
{
	setup();
	checker_begin(&ck, &reg, "mprotect", true);
	dev_read((struct page_hdr){ .gen = 1, .region_id = 1, .page_index = 0 });
	dev_read((struct page_hdr){ .gen = 2, .region_id = 1, .page_index = 0 });
	tap_ok(checker_violations(&ck) == 0,
	       "reads during a preserving op of the old or the new generation: fine");
	dev_read((struct page_hdr){ .gen = 1, .region_id = 1, .page_index = 1 });
	tap_ok(count(V_WRONG_PAGE) == 1, "a read during it of another page's header: wrong page");
	dev_read((struct page_hdr){ 0 });
	tap_ok(count(V_WRONG_PAGE) == 2, "... or of a zero page: wrong page");
	op_end();
	checker_begin(&ck, &reg, "mprotect", true);
	dev_read((struct page_hdr){ .gen = 1, .region_id = 1, .page_index = 0 });
	tap_ok(count(V_STALE_READ) == 1,
	       "a read during the next op of the generation before the last: stale read");
	op_end();
	checker_begin(&ck, &reg, "munmap", false);
	dev_read((struct page_hdr){ 0 });
	tap_ok(count(V_WRONG_PAGE) == 2 && count(V_STALE_READ) == 1,
	       "during an op that discards the contents reads are not judged");
	op_end();
	teardown();
}

int main(void)
{
	rcu_register_thread();
	test_lost_write_during();
	test_write_across_end();
	test_reads_during();
	rcu_barrier();
	rcu_unregister_thread();
	return tap_finish();
}
