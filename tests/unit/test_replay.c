// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim-replay's core (bench/replay.c) on hand-written streams, against
 * counts worked out by hand: what each model's flushes remove, the
 * collateral of the secondary model's whole-address-space flush against
 * the bracket that changed, the range model's threshold escalation, the
 * release of an exited mm, a range-model recording (no secondary side),
 * and malformed recordings.
 */
#include <stdio.h>
#include <string.h>

#include "replay.h"
#include "svmsim/tlb.h"
#include "tap.h"

TAP_DEFINE_STATE;

#define HDR(model) "# svmsim-record 1\n" \
	"H kernel=test model=" model " fill=noref huge=1 dev=0 sets=64 ways=8 policy=lru " \
	"threshold=4 budget=0 max_entries=0 max_pasid_entries=0 psi=0\n"

/*
 * PASID 1: four 4K entries and a 2M one; a one-page unmap bracket and its
 * secondary flush; a one-page clear bracket whose secondary flush is the
 * whole address space (6.12's widening); a refill; a change_pte; the mm
 * exits.  PASID 2: an 8-page bracket (over the threshold of 4) around one
 * cached page, with a far entry that only an escalated flush removes.
 */
static const char secondary_stream[] = HDR("secondary")
	"I 1.0 1 0x10000 12\n"
	"I 1.0 1 0x11000 12\n"
	"I 1.0 1 0x12000 12\n"
	"I 1.0 1 0x13000 12\n"
	"I 1.0 1 0x20000000 21\n"
	"B 1.1 1 0x11000 0x11fff unmap 1\n"
	"F 1.1 1 secondary 0x11000 0x11fff unmap 1 0\n"
	"B 1.2 1 0x12000 0x12fff clear 1\n"
	"F 1.2 1 secondary 0x0 0xffffffffffffffff clear 4 3\n"
	"I 1.3 1 0x10000 12\n"
	"F 1.4 1 change_pte 0x10000 0x10fff change_pte 1 0\n"
	"F 1.5 1 release 0x0 0xffffffffffffffff mm_release 0 0\n"
	"I 2.0 2 0x5000 12\n"
	"I 2.0 2 0x40000000 12\n"
	"B 2.1 2 0x0 0x7fff unmap 1\n"
	"F 2.1 2 secondary 0x5000 0x5fff unmap 1 0\n"
	"L 0\n";

/*
 * PASID 3: bracket A stays open while bracket B begins, ends and is
 * flushed; A is still "what changed" for the whole-address-space flush
 * that follows (0x300000 is collateral), and once ended, for one more
 * flush, which then takes it.
 */
static const char ends_stream[] = HDR("secondary")
	"I 1.0 3 0x100000 12\n"
	"I 1.0 3 0x200000 12\n"
	"I 1.0 3 0x300000 12\n"
	"B 1.1 3 0x100000 0x100fff protection_vma 1\n"
	"B 1.2 3 0x200000 0x200fff clear 1\n"
	"E 1.2 3 0x200000 0x200fff\n"
	"F 1.2 3 secondary 0x200000 0x200fff clear 1 0\n"
	"F 1.3 3 secondary 0x0 0xffffffffffffffff protection_vma 2 1\n"
	"E 1.3 3 0x100000 0x100fff\n"
	"I 1.4 3 0x300000 12\n"
	"F 1.5 3 secondary 0x300000 0x300fff unmap 1 1\n"
	"F 1.6 3 secondary 0x0 0xffffffffffffffff unmap 0 0\n"
	"L 0\n";

static const char range_stream[] = HDR("range")
	"I 1.0 7 0x10000 12\n"
	"I 1.0 7 0x11000 12\n"
	"B 1.1 7 0x10000 0x10fff unmap 0\n"
	"F 1.1 7 range 0x10000 0x10fff unmap 1 0\n"
	"L 5\n";

static int run(const char *text, struct replay_result *r, char *err, size_t len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	if (!f)
		return -2;
	ret = replay_stream(f, r, err, len);
	fclose(f);
	return ret;
}

#define EQ(got, want, what) \
	tap_ok((got) == (want), "%s: %llu (want %llu)", what, \
	       (unsigned long long)(got), (unsigned long long)(want))

static void test_secondary(void)
{
	struct replay_result r;
	char err[160] = "";

	tap_ok(run(secondary_stream, &r, err, sizeof(err)) == 0, "secondary stream replays %s", err);
	EQ(r.brackets, 3, "brackets");
	EQ(r.fills, 8, "fill records");
	EQ(r.flushes[REPLAY_SHAPE_SECONDARY], 3, "secondary flush records");
	EQ(r.flushes[REPLAY_SHAPE_CHANGE_PTE], 1, "change_pte records");
	EQ(r.flushes[REPLAY_SHAPE_RELEASE], 1, "release records");
	EQ(r.live_calls, 4, "live calls");
	EQ(r.live_removed, 7, "live entries flushed");
	EQ(r.live_collateral, 3, "live collateral");
	tap_ok(r.secondary_recorded, "a secondary recording replays the secondary side");
	/* 1 + 4 (whole: 0x10000, 0x12000, 0x13000, 2M) + 1 (change_pte) + 1 (pasid 2) */
	EQ(r.secondary.calls, 4, "secondary: calls");
	EQ(r.secondary.removed, 7, "secondary: entries flushed");
	/* the whole-AS flush against [0x12000]: 0x10000, 0x13000 and the 2M entry */
	EQ(r.secondary.collateral, 3, "secondary: collateral");
	EQ(r.secondary.whole, 1, "secondary: whole-address-space flushes");
	EQ(r.secondary.full, 1, "secondary: full flushes");
	EQ(r.secondary.fills, 8, "secondary: fills inserted");
	EQ(r.secondary.releases, 1, "secondary: releases");
	EQ(r.secondary.release_removed, 0, "secondary: release found PASID 1 empty");
	/* one page each in PASID 1; PASID 2's 8 pages escalate: 0x5000 and 0x40000000 */
	EQ(r.range.calls, 3, "range: calls (one per bracket)");
	EQ(r.range.removed, 4, "range: entries flushed");
	EQ(r.range.collateral, 1, "range: collateral (the escalated flush's far entry)");
	EQ(r.range.whole, 0, "range: whole-address-space flushes");
	EQ(r.range.full, 1, "range: full flushes (over the threshold)");
	EQ(r.range.fills, 7, "range: fills inserted");
	EQ(r.range.fills_cached, 1, "range: the refill found 0x10000 cached");
	EQ(r.range.release_removed, 3, "range: release removed 0x10000, 0x13000, 2M");
}

static void test_ends(void)
{
	struct replay_result r;
	char err[160] = "";

	tap_ok(run(ends_stream, &r, err, sizeof(err)) == 0, "bracket-end stream replays %s", err);
	EQ(r.ends, 2, "ends: bracket ends");
	EQ(r.secondary.calls, 4, "ends: secondary calls");
	EQ(r.secondary.removed, 4, "ends: secondary entries flushed");
	/* 0x300000 outside open A, then 0x300000 outside ended-but-untaken A */
	EQ(r.secondary.collateral, 2, "ends: secondary collateral against the open bracket");
	EQ(r.secondary.whole, 2, "ends: secondary whole-address-space flushes");
	EQ(r.range.calls, 2, "ends: range calls");
	EQ(r.range.removed, 2, "ends: range entries flushed");
	EQ(r.range.collateral, 0, "ends: range collateral");
	EQ(r.range.fills_cached, 1, "ends: range refill found 0x300000 cached");
}

static void test_range(void)
{
	struct replay_result r;
	char err[160] = "";

	tap_ok(run(range_stream, &r, err, sizeof(err)) == 0, "range stream replays %s", err);
	tap_ok(!r.secondary_recorded && r.secondary.calls == 0,
	       "a range recording has no secondary side");
	EQ(r.range.calls, 1, "range recording: calls");
	EQ(r.range.removed, 1, "range recording: entries flushed");
	EQ(r.range.collateral, 0, "range recording: collateral");
	EQ(r.lost, 5, "range recording: lost events from the trailer");
}

static void test_malformed(void)
{
	struct replay_result r;
	char err[160];

	tap_ok(run("I 1.0 1 0x1000 12\n", &r, err, sizeof(err)) == -1 && strstr(err, "header"),
	       "a record before the header is refused (%s)", err);
	tap_ok(run(HDR("secondary") "I 1.0 1 0x1000 13\n", &r, err, sizeof(err)) == -1,
	       "a fill of an unknown page size is refused (%s)", err);
	tap_ok(run(HDR("secondary") "F 1.0 1 sideways 0x0 0xfff unmap 0 0\n", &r, err,
		   sizeof(err)) == -1, "an unknown callback shape is refused (%s)", err);
	tap_ok(run(HDR("secondary") "B 1.0 1 0x2000 0x1fff unmap 1\n", &r, err,
		   sizeof(err)) == -1, "a bracket with last < start is refused (%s)", err);
	tap_ok(run("# nothing\n", &r, err, sizeof(err)) == -1, "an empty recording is refused");
}

int main(void)
{
	rcu_register_thread();
	if (svm_tlb_cache_create())
		abort();
	test_secondary();
	test_ends();
	test_range();
	test_malformed();
	rcu_barrier();
	svm_tlb_cache_destroy();
	rcu_unregister_thread();
	return tap_finish();
}
