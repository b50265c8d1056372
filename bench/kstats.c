// SPDX-License-Identifier: GPL-2.0
/*
 * Device counters and flush latency histograms (SVMSIM_IOC_STATS/HIST).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kstats.h"
#include "svmsim/dev.h"

/* Zero the device's counters and histograms. */
int kstats_reset(int fd)
{
	struct svmsim_stats st;
	int ret = svmsim_stats(fd, 0, true, &st);

	if (ret)
		fprintf(stderr, "svmbench: SVMSIM_IOC_STATS reset: %s\n", strerror(-ret));
	return ret;
}

static int kstats_read_hist(int fd, unsigned int event, struct hist *h)
{
	uint64_t buckets[SVMSIM_HIST_NBUCKETS];
	struct svmsim_hist q;
	int ret = svmsim_hist(fd, SVMSIM_HIST_EVENT, event, buckets, SVMSIM_HIST_NBUCKETS, &q);

	if (ret)
		return ret;
	return hist_load(h, buckets, SVMSIM_HIST_NBUCKETS, q.count, q.sum_ns, q.min_ns,
			 q.max_ns);
}

/* Counters, and the per-event histograms merged into one. */
int kstats_read(int fd, struct kstats *k)
{
	unsigned int e;
	int ret;

	memset(k, 0, sizeof(*k));
	ret = svmsim_stats(fd, 0, false, &k->st);
	k->flush = hist_new(SVMSIM_HIST_SUB_BITS, HIST_KERNEL_MAX_NS);
	if (!ret && !k->flush)
		ret = -ENOMEM;
	for (e = 0; !ret && e < SVMSIM_EV_NR; e++) {
		k->ev[e] = hist_new(SVMSIM_HIST_SUB_BITS, HIST_KERNEL_MAX_NS);
		ret = k->ev[e] ? kstats_read_hist(fd, e, k->ev[e]) : -ENOMEM;
		if (!ret)
			ret = hist_merge(k->flush, k->ev[e]);
	}
	if (ret)
		fprintf(stderr, "svmbench: reading device statistics: %s\n", strerror(-ret));
	return ret;
}

void kstats_free(struct kstats *k)
{
	unsigned int e;

	for (e = 0; e < SVMSIM_EV_NR; e++)
		hist_free(k->ev[e]);
	hist_free(k->flush);
	memset(k, 0, sizeof(*k));
}
