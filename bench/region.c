// SPDX-License-Identifier: GPL-2.0
/*
 * The RCU table of live regions: see region.h.
 */
#include <errno.h>
#include <stdlib.h>

#include "options.h"
#include "region.h"
#include "svmsim/rng.h"

static void region_desc_free(struct rcu_head *head)
{
	free(caa_container_of(head, struct region_desc, rcu));
}

static int region_init(struct region *r, unsigned int index, const struct options *o,
		       unsigned int ndev, const struct region_arena *arena)
{
	size_t k, npages = o->pages;
	int ret;

	r->index = index;
	r->owner = index % o->threads;
	atomic_init(&r->gen, 1);
	atomic_init(&r->state, RS_MAPPED);
	atomic_init(&r->op, o->workload->op);
	r->published = calloc(npages, sizeof(*r->published));
	r->acks = calloc(npages * (ndev ? ndev : 1), sizeof(*r->acks));
	r->op_acks = calloc(npages * (ndev ? ndev : 1), sizeof(*r->op_acks));
	r->softclean = calloc(npages, sizeof(*r->softclean));
	if (!r->published || !r->acks || !r->op_acks || !r->softclean)
		return -ENOMEM;
	ret = map_create(&r->map, index + 1, npages, o->huge,
			 o->workload->window ? (int)o->device : -1, arena_slot(arena, index));
	if (ret)
		return ret;
	for (k = 0; k < npages; k++)
		atomic_init(&r->published[k], 1);
	return 0;
}

/**
 * regions_create() - map every region at generation 1 and publish it
 * @t: out.
 * @o: the options (regions, pages, huge, layout, workload, device, threads).
 *
 * Return: 0 or -errno; on error regions_destroy() cleans up.
 */
int regions_create(struct region_table *t, const struct options *o)
{
	unsigned int i;
	int ret;

	t->n = o->regions;
	t->ndev = o->device_threads;
	t->regions = calloc(t->n, sizeof(*t->regions));
	t->live = calloc(t->n, sizeof(*t->live));
	if (!t->regions || !t->live)
		return -ENOMEM;
	for (i = 0; i < t->n; i++)
		t->regions[i].map.window_fd = -1;
	ret = arena_create(&t->arena, o->layout, t->n, o->pages, o->huge);
	if (ret)
		return ret;
	for (i = 0; i < t->n; i++) {
		ret = region_init(&t->regions[i], i, o, t->ndev, &t->arena);
		if (!ret)
			ret = region_publish(t, &t->regions[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* After every thread is gone: no reader left, callbacks drained here. */
void regions_destroy(struct region_table *t)
{
	unsigned int i;

	for (i = 0; t->live && i < t->n; i++)
		free(t->live[i]);
	rcu_barrier();
	for (i = 0; t->regions && i < t->n; i++) {
		map_destroy(&t->regions[i].map);
		free(t->regions[i].published);
		free(t->regions[i].acks);
		free(t->regions[i].op_acks);
		free(t->regions[i].softclean);
	}
	arena_destroy(&t->arena);
	free(t->regions);
	free(t->live);
	t->regions = NULL;
	t->live = NULL;
}

/* A random live region's descriptor.  Caller: inside rcu_read_lock(). */
struct region_desc *region_pick(struct region_table *t, uint64_t *rng)
{
	return rcu_dereference(t->live[rng_below(rng, t->n)]);
}

/*
 * Replace @r's descriptor by one of its current incarnation (r->gen);
 * readers holding the old one keep it until their grace period ends.
 */
int region_publish(struct region_table *t, struct region *r)
{
	struct region_desc *d = malloc(sizeof(*d)), *old;

	if (!d)
		return -ENOMEM;
	d->r = r;
	d->base = r->map.base;
	d->npages = r->map.npages;
	d->gen = r->gen;
	old = rcu_xchg_pointer(&t->live[r->index], d);
	if (old)
		call_rcu(&old->rcu, region_desc_free);
	return 0;
}
