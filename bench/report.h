/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The result of a run: one CSV row (with a header when the file is new or
 * empty) or one JSON object per line, and a one-line summary on stderr.
 * A number that was not measured is written empty (CSV) or null (JSON).
 */
#ifndef _SVMBENCH_REPORT_H
#define _SVMBENCH_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "checker.h"
#include "detect.h"
#include "backend.h"
#include "hist.h"
#include "kstats.h"
#include "options.h"
#include "sysinfo.h"

struct results {
	const struct options *o;
	const struct sysinfo *si;
	const struct devbind *dev;
	double elapsed_s;
	uint64_t ops;			/* bound operations */
	struct hist *bound;
	struct hist *unbound;		/* NULL: --no-baseline */
	struct kstats k;
	uint64_t violations[V_NR];
	uint64_t unexpected;
	uint64_t retries;
	uint64_t failures;
	uint64_t failures_unbound;
	uint64_t discarded;		/* samples that timed something else, bound */
	uint64_t discarded_unbound;
	uint64_t merged_regions;	/* regions not a VMA of their own (start or end) */
	bool merged_known;
	uint64_t dev_reads;
	uint64_t dev_writes;
	struct detect det;		/* --stop-on-detect */
};

int report_write(const struct results *res);
int report_hists(const struct results *res);
void report_summary(const struct results *res);

#endif /* _SVMBENCH_REPORT_H */
