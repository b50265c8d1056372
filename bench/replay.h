/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmsim-replay: an invalidation stream recorded by svmsim-run --record,
 * replayed against the shared TLB core (drv/tlb.c) under both models.
 *
 * The record format (text, one record per line, fields separated by one
 * space; addresses in hex; ts: the trace clock in seconds):
 *
 *   # svmsim-record 1
 *   H kernel=K model=M fill=F huge=0|1 dev=N sets=N ways=N policy=P
 *     threshold=N budget=N max_entries=N max_pasid_entries=N psi=0|1
 *                         (one line: the run's TLB geometry and config)
 *   B ts pasid start last event blockable
 *                         an invalidation bracket began over [start, last]
 *   E ts pasid start last that bracket ended
 *   F ts pasid shape start last event removed collateral
 *                         a flush a callback made, and what it removed live;
 *                         shape: secondary (invalidate_range /
 *                         arch_invalidate_secondary_tlbs), change_pte (6.1),
 *                         range (invalidate_range_start), release (mm exit)
 *   I ts pasid va shift   a device fill inserted a translation
 *   L lost                trailer: trace events the buffer dropped
 *
 * Events are enum svmsim_event names.  Lines starting with '#' are comments.
 */
#ifndef _SVMSIM_REPLAY_H
#define _SVMSIM_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define REPLAY_FORMAT		1
#define REPLAY_MAX_BRACKETS	16	/* pending brackets per PASID, as the driver's observer */

enum replay_shape {
	REPLAY_SHAPE_SECONDARY,
	REPLAY_SHAPE_CHANGE_PTE,
	REPLAY_SHAPE_RANGE,
	REPLAY_SHAPE_RELEASE,
	REPLAY_SHAPE_NR,
};

extern const char *const replay_shape_names[REPLAY_SHAPE_NR];

/* The H line. */
struct replay_hdr {
	char kernel[96];
	uint32_t model, fill, policy;
	bool huge, psi;
	unsigned int dev, sets, ways;
	unsigned long threshold, budget, max_entries, max_pasid_entries;
};

/* What one model's device did with the stream. */
struct replay_model {
	uint64_t calls;		/* flushes of a callback (not releases) */
	uint64_t removed;	/* entries they removed */
	uint64_t collateral;	/* of which outside the ranges that changed */
	uint64_t whole;		/* flushes of the whole address space, 0..ULONG_MAX */
	uint64_t full;		/* flushes that emptied the PASID (whole or over the threshold) */
	uint64_t releases;	/* mm exits */
	uint64_t release_removed;	/* entries they removed */
	uint64_t fills;		/* translations inserted */
	uint64_t fills_cached;	/* fills whose translation was cached already */
};

struct replay_result {
	struct replay_hdr hdr;
	bool have_hdr;
	uint64_t lines, brackets, ends, fills, lost;
	uint64_t flushes[REPLAY_SHAPE_NR];
	/* what the recorded run's own flushes removed (F records, not releases) */
	uint64_t live_calls, live_removed, live_collateral;
	/* secondary: replayed only from the secondary shapes a recording holds */
	bool secondary_recorded;
	struct replay_model secondary, range;
};

int replay_stream(FILE *f, struct replay_result *r, char *err, size_t errlen);
void replay_print_text(FILE *f, const char *name, const struct replay_result *r);
void replay_print_json(FILE *f, const char *name, const struct replay_result *r);

#endif /* _SVMSIM_REPLAY_H */
