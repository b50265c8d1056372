/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time for svmbench: CLOCK_MONOTONIC in nanoseconds (the vDSO: cheap enough
 * to bracket a single store), and short sleeps.
 */
#ifndef _SVMBENCH_CLOCK_H
#define _SVMBENCH_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / 1000000000ull),
		.tv_nsec = (long)(ns % 1000000000ull),
	};

	while (nanosleep(&ts, &ts))
		;
}

#endif /* _SVMBENCH_CLOCK_H */
