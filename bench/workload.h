/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workloads: the mm operation svmbench times, and what puts the region
 * back in shape afterwards.  The same code runs in the bound bench and in
 * its unbound baseline peers; only the hooks differ (the bound side's tell
 * the coherence checker what the region goes through; the peer has none).
 *
 * A mutate() call prepares the region right before the operation it times
 * (mutation_prepare(): the CPU touches every page and, bound, the device
 * caches them; for cow that is after the fork), performs the operation,
 * records its latency, restores the region (remap, re-protect) and stamps
 * every page with m->gen.  It returns 0 or -errno (fatal); failures the
 * operation reports per page or per call are counted in m->failures.
 *
 * A sample must time the operation it names.  Each workload checks, untimed
 * and the same way on both sides, that it did: every page was present (and,
 * bound, cached by the device) when the operation started
 * (mutation_prepare()); migrate: every page moved;
 * cow: the timed store itself took the fault that copied the page (not a
 * device write before it).  A sample that fails its check is not recorded
 * but counted in m->discarded, and reported.
 */
#ifndef _SVMBENCH_WORKLOAD_H
#define _SVMBENCH_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hist.h"
#include "mapping.h"

/* Where a region is in its life; what the device may legitimately see. */
enum region_state {
	RS_MAPPED,	/* stable, readable and writable */
	RS_BUSY,	/* being changed: anything goes */
	RS_UNMAPPED,	/* munmap returned, not mapped again yet: DMA must fault */
	RS_READONLY,	/* mprotect(PROT_READ) returned: DMA writes must fault */
	RS_SOFTCLEAN,	/* clear_refs returned: a DMA write must leave its page soft-dirty */
};

struct mutation_hooks {
	/*
	 * Just before the timed operation: the device caches the region (and
	 * the ballast).  false: not all of it got cached.
	 */
	bool (*prepare)(void *arg);
	/* The region entered @st (RS_UNMAPPED, RS_READONLY, then RS_BUSY again). */
	void (*state)(void *arg, enum region_state st);
	/* cow: page @page carries the new generation now. */
	void (*stamped)(void *arg, size_t page);
	/* softdirty, still in RS_SOFTCLEAN: judge the device writes of it. */
	void (*softclean_end)(void *arg);
	/*
	 * cow: fork() as this process must (the bound one pauses its RCU
	 * helper threads), and undo that once the timed writes are done.
	 */
	pid_t (*fork)(void);
	void (*forked)(void *arg);
	/*
	 * cow, in the child: once the parent's timed writes are done (its
	 * after-fork duties, then what it watches), and once the parent's
	 * iteration is over (what it saw: the exit status).
	 */
	void (*child_start)(void *arg);
	int (*child_end)(void *arg);
	/* cow, in the parent: the child's wait status. */
	void (*reaped)(void *arg, int wstatus);
};

struct mutation {
	const struct region_map *map;
	uint64_t gen;			/* stamp this on every page */
	unsigned int pause_us;		/* dwell in RS_UNMAPPED / RS_READONLY / cow child */
	size_t op_pages;		/* dontneed: pages the op covers; 0: all */
	const int *nodes;		/* migrate: the two NUMA nodes */
	struct hist *lat;		/* latency samples, ns */
	uint64_t failures;		/* out: counted, not fatal */
	uint64_t discarded;		/* out: samples that timed something else */
	const struct mutation_hooks *hooks;
	void *arg;
};

struct workload {
	const char *name;
	const char *op;			/* what is timed, for messages */
	bool window;			/* regions are device windows */
	bool needs_numa;		/* needs two NUMA nodes */
	bool forks;			/* may fork a child that watches the pages */
	/*
	 * The operation keeps the region's contents (migrate, mprotect, cow):
	 * the checker also judges device accesses made while it runs.
	 */
	bool preserves;
	/* The operation for one iteration (mixed draws one); NULL: itself. */
	const struct workload *(*pick)(uint64_t *rng, unsigned int nnodes);
	int (*mutate)(struct mutation *m);
};

extern const struct workload workload_zap, workload_dontneed, workload_munmap,
	workload_cow, workload_migrate, workload_mprotect, workload_mixed, workload_softdirty;

const struct workload *workload_find(const char *name);
const struct workload *workload_by_index(unsigned int i);
unsigned int workload_index(const struct workload *w);
const struct workload *workload_pick(const struct workload *w, uint64_t *rng,
				     unsigned int nnodes);
const char *workload_names(void);

/* Helpers for the workloads. */
bool mutation_prepare(struct mutation *m);
void mutation_sample(struct mutation *m, uint64_t ns, bool valid);
void mutation_state(struct mutation *m, enum region_state st);
void mutation_dwell(struct mutation *m, enum region_state st);

#endif /* _SVMBENCH_WORKLOAD_H */
