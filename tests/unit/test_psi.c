// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the page-selective invalidation block (include/svmsim/psi.h):
 * for random ranges and the edges (one page, a block exactly, one byte
 * over a boundary, the top of the address space), the block is aligned
 * to its size, holds the range, and is the smallest that does: the block
 * of the order below cannot hold it.
 */
#include <stdint.h>
#include <stdio.h>

#include "svmsim/psi.h"
#include "svmsim/rng.h"
#include "tap.h"

TAP_DEFINE_STATE;

#define NRANDOM	200000
#define PG	4096UL

/* 0 if [bs, bl] of @order is a right answer for [s, l], else what is wrong. */
static const char *check(unsigned long s, unsigned long l, unsigned int order,
			 unsigned long bs, unsigned long bl)
{
	unsigned long size, below;

	if (bs == 0 && bl == ~0UL)
		return order >= 52 ? NULL : "whole space for a block that fits";
	size = PG << order;
	if (bs & (size - 1))
		return "block not aligned to its size";
	if (bl != bs + size - 1)
		return "block end is not start + size - 1";
	if (s < bs || l > bl)
		return "block does not hold the range";
	if (order == 0)
		return NULL;
	below = (PG << (order - 1)) - 1;
	if ((s & ~below) == (l & ~below))
		return "a smaller block holds the range";
	return NULL;
}

static int one(unsigned long s, unsigned long l)
{
	unsigned long bs, bl;
	unsigned int order = svm_psi_block(s, l, &bs, &bl);
	const char *why = check(s, l, order, bs, bl);

	if (why)
		tap_diag("[%#lx, %#lx] -> order %u [%#lx, %#lx]: %s", s, l, order, bs, bl, why);
	return why != NULL;
}

int main(void)
{
	uint64_t rng = rng_seed(1, 0);
	unsigned long bs, bl, s, l;
	int bad = 0;

	tap_ok(svm_psi_block(5 * PG, 6 * PG - 1, &bs, &bl) == 0 && bs == 5 * PG &&
	       bl == 6 * PG - 1, "one page is its own block (order 0)");
	tap_ok(svm_psi_block(8 * PG, 16 * PG - 1, &bs, &bl) == 3 && bs == 8 * PG,
	       "an aligned 8-page block stays itself (order 3)");
	tap_ok(svm_psi_block(PG, 3 * PG - 1, &bs, &bl) == 2 && bs == 0 && bl == 4 * PG - 1,
	       "pages 1-2 round up to pages 0-3 (order 2: two pages of collateral)");
	tap_ok(svm_psi_block(7 * PG, 9 * PG - 1, &bs, &bl) == 4 && bs == 0 &&
	       bl == 16 * PG - 1, "pages 7-8 cross a 8-page boundary: pages 0-15 (order 4)");
	tap_ok(svm_psi_block(0, ~0UL, &bs, &bl) >= 52 && bs == 0 && bl == ~0UL,
	       "0..ULONG_MAX is the whole space");
	tap_ok(svm_psi_block(~0UL - PG + 1, ~0UL, &bs, &bl) == 0 && bl == ~0UL,
	       "the top page is its own block, no overflow");
	for (int i = 0; i < NRANDOM; i++) {
		unsigned int span = (unsigned int)rng_below(&rng, 40);

		s = (unsigned long)rng_next(&rng) & ~(PG - 1);
		l = s + (unsigned long)rng_below(&rng, (1ULL << span) * PG);
		if (l < s)
			l = ~0UL;
		bad += one(s, l);
	}
	tap_ok(!bad, "%d random ranges: aligned, holding, smallest (%d wrong)", NRANDOM, bad);
	return tap_finish();
}
