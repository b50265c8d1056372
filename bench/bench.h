/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One svmbench run: everything the orchestration (main.c), the mutator
 * threads (mutator.c) and the report share.
 */
#ifndef _SVMBENCH_BENCH_H
#define _SVMBENCH_BENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "baseline.h"
#include "checker.h"
#include "backend.h"
#include "device.h"
#include "mapping.h"
#include "options.h"
#include "pin.h"
#include "lockstep.h"
#include "region.h"
#include "sysinfo.h"

struct mutator;

struct bench {
	const struct options *o;
	const struct sysinfo *si;
	struct devbind dev;
	struct region_table table;
	struct region_map ballast;	/* --cached pages; npages 0: none */
	struct checker ck;
	struct baseline bl;
	struct device_pool devices;
	struct mutator *mut;		/* o->threads of them */
	uint64_t start_ns;
	uint64_t deadline_ns;		/* --duration */
	_Atomic uint64_t ops_done;	/* bound operations completed */
	atomic_uint running;		/* mutators not finished */
	atomic_bool abort;		/* a mutator failed: everyone stops */
	atomic_bool stop;		/* --stop-on-detect: detected, stop early */
	struct lockstep lockstep;	/* --lockstep: the mutators' iterations */
};

/* CPU of pin slot @slot (pin.h), or -1. */
static inline int bench_cpu(const struct bench *b, unsigned int slot)
{
	return pin_cpu(b->o->pin, slot, b->si->vcpus);
}

#endif /* _SVMBENCH_BENCH_H */
