/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bound bench's regions.
 *
 * struct region is the stable bookkeeping of one region for the whole run:
 * its memory and the coherence checker's per-page state.  The table of
 * live regions that device threads pick from holds, per region, an
 * RCU-protected descriptor of its current incarnation; the owning mutator
 * publishes a new one after every change and frees the old with call_rcu,
 * so a device thread's descriptor stays valid for as long as it is inside
 * rcu_read_lock().
 */
#ifndef _SVMBENCH_REGION_H
#define _SVMBENCH_REGION_H

#include <stdatomic.h>
#include <stdint.h>
#include <urcu.h>

#include "mapping.h"
#include "workload.h"

struct region {
	unsigned int index;
	unsigned int owner;		/* the mutator thread that changes it */
	struct region_map map;
	_Atomic uint64_t gen;		/* generation stamped last (the owner writes) */
	/* operation that changes it now or did last (messages) */
	const char *_Atomic op;
	/* epoch << 8 | enum region_state: any change of state bumps the epoch */
	_Atomic uint64_t state;
	/* per page: the generation the CPU stamped; 0 while it is being changed */
	_Atomic uint64_t *published;
	/* per page and device thread: ack_pack(generation, value acknowledged) */
	_Atomic uint64_t *acks;
	/* while an operation that keeps the contents runs: the generation before it; else 0 */
	_Atomic uint64_t keep;
	/* per page and device thread: ack_pack(keep, value) acknowledged while it ran */
	_Atomic uint64_t *op_acks;
	/* per page: the state word of the RS_SOFTCLEAN interval a device write hit */
	_Atomic uint64_t *softclean;
};

/* One incarnation of a region, as device threads see it. */
struct region_desc {
	struct rcu_head rcu;
	struct region *r;
	char *base;
	size_t npages;
	uint64_t gen;
};

struct region_table {
	struct region_arena arena;	/* where the regions are (--layout) */
	unsigned int n;
	unsigned int ndev;		/* device threads: ack slots per page */
	struct region *regions;
	struct region_desc **live;	/* RCU: live[i] describes regions[i] */
};

struct options;

int regions_create(struct region_table *t, const struct options *o);
void regions_destroy(struct region_table *t);
struct region_desc *region_pick(struct region_table *t, uint64_t *rng);
int region_publish(struct region_table *t, struct region *r);

#endif /* _SVMBENCH_REGION_H */
