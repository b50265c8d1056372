/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --stop-on-detect: the first sign that the device used a stale
 * translation, seen from the outside while the run goes on.  Two judges:
 * the coherence checker (its violation count) and the device's sanitizer
 * (the bond's SAN_STALE counter, which counts every report it makes).
 * The run's monitor polls both and ends the run at the first detection,
 * recording when (since the measured interval began), after how many
 * bound operations and how many device operations (the bond's DMA_OPS).
 * Polled, so the time is late by at most one poll interval.  A backend
 * without the module's statistics (BE_STATS) has the checker only, and
 * no device operation count (dev_ops_known false).
 */
#ifndef _SVMBENCH_DETECT_H
#define _SVMBENCH_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#define DETECT_POLL_NS	(10 * 1000 * 1000ull)

struct checker;
struct devbind;

struct detect {
	bool on;		/* --stop-on-detect */
	bool detected;
	bool by_checker;
	bool by_sanitizer;
	uint64_t ns;		/* since the start of the measured interval */
	uint64_t ops;		/* bound operations done by then */
	uint64_t dev_ops;	/* the bond's DMA ioctls by then */
	bool dev_ops_known;
};

bool detect_poll(struct detect *d, const struct devbind *dev, struct checker *ck,
		 uint64_t elapsed_ns, uint64_t ops);
const char *detect_by(const struct detect *d);

#endif /* _SVMBENCH_DETECT_H */
