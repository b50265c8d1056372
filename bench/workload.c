// SPDX-License-Identifier: GPL-2.0
/*
 * The workload registry and what every workload shares.
 */
#include <string.h>

#include "clock.h"
#include "pagemap.h"
#include "workload.h"

/* The order is the wire format of the baseline protocol (an index). */
static const struct workload *const workloads[] = {
	&workload_zap, &workload_dontneed, &workload_munmap, &workload_cow,
	&workload_migrate, &workload_mprotect, &workload_mixed, &workload_softdirty,
};

#define NWORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

const struct workload *workload_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < NWORKLOADS; i++)
		if (!strcmp(workloads[i]->name, name))
			return workloads[i];
	return NULL;
}

const struct workload *workload_by_index(unsigned int i)
{
	return i < NWORKLOADS ? workloads[i] : NULL;
}

unsigned int workload_index(const struct workload *w)
{
	unsigned int i;

	for (i = 0; i < NWORKLOADS && workloads[i] != w; i++)
		;
	return i;
}

const struct workload *workload_pick(const struct workload *w, uint64_t *rng,
				     unsigned int nnodes)
{
	return w->pick ? w->pick(rng, nnodes) : w;
}

/* "zap|dontneed|...", for usage text. */
const char *workload_names(void)
{
	static char names[128];
	unsigned int i;

	if (!names[0])
		for (i = 0; i < NWORKLOADS; i++) {
			if (i)
				strcat(names, "|");
			strcat(names, workloads[i]->name);
		}
	return names;
}

/*
 * Untimed, right before the operation: what both sides do, then the
 * device's part.  Return: whether the operation has what it names to work
 * on: every page present (a device window's VM_PFNMAP pages are not in
 * pagemap: the touch faulted them in, which is all we can tell) and, bound,
 * cached by the device.
 */
bool mutation_prepare(struct mutation *m)
{
	bool cached = true;

	map_touch(m->map);
	if (m->hooks && m->hooks->prepare)
		cached = m->hooks->prepare(m->arg);
	return cached &&
	       (m->map->window_fd >= 0 || pagemap_all_present(m->map->base, m->map->npages));
}

/* One latency sample of @ns, recorded if @valid, else counted as discarded. */
void mutation_sample(struct mutation *m, uint64_t ns, bool valid)
{
	if (valid)
		hist_add(m->lat, ns);
	else
		m->discarded++;
}

void mutation_state(struct mutation *m, enum region_state st)
{
	if (m->hooks && m->hooks->state)
		m->hooks->state(m->arg, st);
}

/*
 * Hold the region in @st for the pause, then mark it busy again: device
 * threads get a chance to hit it there (untimed).
 */
void mutation_dwell(struct mutation *m, enum region_state st)
{
	mutation_state(m, st);
	sleep_ns(m->pause_us * 1000ull);
	mutation_state(m, RS_BUSY);
}
