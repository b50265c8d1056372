/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's side of a run: device counters and invalidation latency
 * histograms, reset at the start and read at the end of the same interval.
 */
#ifndef _SVMBENCH_KSTATS_H
#define _SVMBENCH_KSTATS_H

#include "hist.h"
#include "uapi/svmsim.h"

struct kstats {
	struct svmsim_stats st;			/* device counters */
	struct hist *ev[SVMSIM_EV_NR];		/* flush latency by event */
	struct hist *flush;			/* all events merged */
};

int kstats_reset(int fd);
int kstats_read(int fd, struct kstats *k);
void kstats_free(struct kstats *k);

#endif /* _SVMBENCH_KSTATS_H */
