// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of svmbench --validate's pure logic: reading fields of a result
 * row (bench/jsonget.c: top-level keys only, nulls, strings, numbers) and
 * the verdicts (bench/verdict.c: a cell's outcome from what it measured,
 * a bug's over its cells, which outcomes fail).
 */
#include <string.h>

#include "jsonget.h"
#include "tap.h"
#include "validate.h"

TAP_DEFINE_STATE;

static const char row[] =
	"{\"label\":null,\"kernel\":\"6.1.0-57-amd64\",\"ops\":123,\"detect_s\":0.250,"
	"\"events\":{\"unmap\":{\"calls\":7,\"p50_ns\":null},\"injected\":99},"
	"\"injected\":4,\"detected_by\":\"sanitizer\",\"quote\":\"a\\\"b\",\"last\":18446744073709551615}";

static void test_json(void)
{
	uint64_t u = 0;
	double d = 0;
	char s[32];

	tap_ok(json_u64(row, "ops", &u) && u == 123, "a number");
	tap_ok(json_u64(row, "injected", &u) && u == 4, "a key at the top level, not the nested one");
	tap_ok(!json_u64(row, "calls", &u), "a key only nested is not found");
	tap_ok(json_f64(row, "detect_s", &d) && d == 0.25, "a fraction");
	tap_ok(!json_u64(row, "label", &u) && !json_f64(row, "label", &d), "null is no number");
	tap_ok(json_str(row, "detected_by", s, sizeof(s)) && !strcmp(s, "sanitizer"), "a string");
	tap_ok(json_str(row, "kernel", s, 4) && !strcmp(s, "6.1"), "a string truncated to fit");
	tap_ok(json_u64(row, "last", &u) && u == UINT64_MAX, "the largest u64");
	tap_ok(!json_find(row, "b"), "a key inside an escaped string is not a key");
	tap_ok(!json_find("{\"ops\"", "ops") && !json_find("{\"ops\":", "nope"), "truncated input");
}

static const struct vbug bug = { .bug = SVMSIM_BUG_SKIP_CLEAR };
static const struct vbug harmless = { .bug = SVMSIM_BUG_SKIP_CHANGE_PTE, .harmless = "why" };
static const struct vbug none = { .bug = SVMSIM_BUG_NONE };
static const struct vbug harmless_range = {
	.bug = SVMSIM_BUG_4K_LEAVES_2M, .harmless = "why", .harmless_models = M_RANGE,
};

static struct vrun run(const struct vbug *b, uint64_t injected, const char *by)
{
	struct vrun r = { .b = b, .have = true, .injected = injected };

	strcpy(r.detected_by, by);
	return r;
}

static void test_cell(void)
{
	struct vrun r = run(&bug, 0, "");

	tap_ok(verdict_cell(&r) == VO_NOT_REACHED, "never acted: not reached");
	r = run(&bug, 3, "");
	tap_ok(verdict_cell(&r) == VO_MISSED, "acted, undetected: missed");
	r = run(&harmless, 3, "");
	tap_ok(verdict_cell(&r) == VO_HARMLESS, "acted, undetected, with a reason: harmless");
	r = run(&harmless_range, 3, "");
	r.model = SVMSIM_MODEL_RANGE;
	tap_ok(verdict_cell(&r) == VO_HARMLESS, "... on a model the reason names: harmless");
	r.model = SVMSIM_MODEL_SECONDARY;
	tap_ok(verdict_cell(&r) == VO_MISSED, "... on another model: missed");
	r = run(&bug, 3, "checker");
	tap_ok(verdict_cell(&r) == VO_CAUGHT, "acted and detected: caught");
	r = run(&bug, 0, "sanitizer");
	tap_ok(verdict_cell(&r) == VO_DIRTY, "detected without acting: a false alarm");
	r = run(&none, 0, "");
	tap_ok(verdict_cell(&r) == VO_CLEAN, "none, nothing seen: clean");
	r.unexpected = 1;
	tap_ok(verdict_cell(&r) == VO_DIRTY, "none with an unexpected fault: dirty");
	r = run(&bug, 3, "both");
	r.have = false;
	r.status = 77;
	tap_ok(verdict_cell(&r) == VO_UNAVAILABLE, "exit 77: unavailable");
	r.status = 2;
	tap_ok(verdict_cell(&r) == VO_ERROR, "no row: error");
}

static void test_group(void)
{
	struct vrun g[3] = { { .outcome = VO_NOT_REACHED }, { .outcome = VO_MISSED },
			     { .outcome = VO_CAUGHT } };

	tap_ok(verdict_group(g, 3) == VO_CAUGHT, "a catch in any cell catches the bug");
	tap_ok(verdict_group(g, 2) == VO_MISSED, "acted somewhere, caught nowhere: missed");
	tap_ok(verdict_group(g, 1) == VO_NOT_REACHED, "acted nowhere: not reached");
	g[0].outcome = VO_DIRTY;
	tap_ok(verdict_group(g, 3) == VO_DIRTY, "a false alarm wins");
	tap_ok(verdict_fails(VO_MISSED) && verdict_fails(VO_DIRTY) && verdict_fails(VO_ERROR),
	   "missed, dirty and error fail");
	tap_ok(!verdict_fails(VO_CAUGHT) && !verdict_fails(VO_NOT_REACHED) &&
	   !verdict_fails(VO_HARMLESS) && !verdict_fails(VO_NA) && !verdict_fails(VO_CLEAN),
	   "the others pass");
}

int main(void)
{
	test_json();
	test_cell();
	test_group();
	return tap_finish();
}
