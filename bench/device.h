/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device threads: the emulated device reading and writing the regions by
 * virtual address (SVMSIM_IOC_DMA) while mutators change them, each access
 * judged by the coherence checker.  Also the device accesses a mutator
 * makes around its operation: caching a region, and verifying it after.
 */
#ifndef _SVMBENCH_DEVICE_H
#define _SVMBENCH_DEVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "checker.h"
#include "backend.h"
#include "region.h"

struct device_thread {
	pthread_t thread;
	unsigned int tid;		/* also its slot in every page */
	int cpu;			/* -1: not pinned */
	uint64_t rng;
	uint64_t value;			/* last value written into its slots */
	uint64_t reads;			/* DMA reads and writes that succeeded */
	uint64_t writes;
	struct device_pool *pool;
};

struct device_pool {
	unsigned int n;
	const struct devbind *dev;
	struct region_table *t;
	struct checker *ck;
	atomic_bool stop;
	struct device_thread *th;
};

int device_pool_start(struct device_pool *p, unsigned int n, const int *cpus, uint64_t seed);
void device_pool_stop(struct device_pool *p);

int device_read_page(const struct devbind *dev, struct checker *ck, struct region *r,
		     char *base, size_t page);
int device_prefetch(const struct devbind *dev, struct checker *ck, const void *addr,
		    size_t len);
void device_verify(const struct devbind *dev, struct checker *ck, struct region *r);

#endif /* _SVMBENCH_DEVICE_H */
