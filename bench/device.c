// SPDX-License-Identifier: GPL-2.0
/*
 * Device threads and a mutator's device accesses: see device.h.  All go
 * through the backend's ops (backend.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "pin.h"
#include "svmsim/rng.h"

#define VERIFY_PAGES	64	/* pages a mutator reads back after its op, at most */

/* One DMA read of a page header, judged.  Returns the DMA's result. */
int device_read_page(const struct devbind *dev, struct checker *ck, struct region *r,
		     char *base, size_t page)
{
	struct page_hdr h = { 0 };
	struct dma_obs before;
	int ret;

	checker_observe(r, page, &before);
	ret = dev_read(dev, base + page * PAGE_SZ, &h, sizeof(h));
	checker_judge_read(ck, r, page, &before, ret, &h);
	return ret;
}

/* One DMA write of the next value into this thread's slot, judged. */
static int device_write_slot(struct device_thread *th, struct region *r, char *base,
			     size_t page)
{
	struct device_pool *p = th->pool;
	uint64_t v = ++th->value;
	struct dma_obs before;
	int ret;

	checker_observe(r, page, &before);
	ret = dev_write(p->dev, base + page * PAGE_SZ + SLOT_OFFSET(th->tid), &v, sizeof(v));
	checker_judge_write(p->ck, r, page, th->tid, v, &before, ret);
	return ret;
}

/*
 * A random page of a random live region, read or written (read only, on a
 * backend that cannot write 8 bytes without rewriting the page).
 */
static void device_access(struct device_thread *th)
{
	struct device_pool *p = th->pool;
	bool can_write = backend_can(p->dev->be, BE_WRITE);
	struct region_desc *d;
	size_t page;

	rcu_read_lock();
	d = region_pick(p->t, &th->rng);
	page = rng_below(&th->rng, d->npages);
	if ((rng_next(&th->rng) & 1) || !can_write)
		th->reads += !device_read_page(p->dev, p->ck, d->r, d->base, page);
	else
		th->writes += !device_write_slot(th, d->r, d->base, page);
	rcu_read_unlock();
}

static void *device_main(void *arg)
{
	struct device_thread *th = arg;

	rcu_register_thread();
	pin_self(th->cpu);
	while (!atomic_load_explicit(&th->pool->stop, memory_order_relaxed))
		device_access(th);
	rcu_unregister_thread();
	return NULL;
}

/**
 * device_pool_start() - start @n device threads
 * @p: dev, t and ck set.
 * @n: threads.
 * @cpus: CPU of each, or NULL: not pinned.
 * @seed: the run's seed.
 *
 * Return: 0 or -errno; on error the threads started are stopped.
 */
int device_pool_start(struct device_pool *p, unsigned int n, const int *cpus, uint64_t seed)
{
	unsigned int i;
	int ret;

	atomic_init(&p->stop, false);
	p->n = 0;
	p->th = calloc(n ? n : 1, sizeof(*p->th));
	if (!p->th)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct device_thread *th = &p->th[i];

		th->tid = i;
		th->cpu = cpus ? cpus[i] : -1;
		th->rng = rng_seed(seed, 1000 + i);
		th->pool = p;
		ret = -pthread_create(&th->thread, NULL, device_main, th);
		if (ret) {
			device_pool_stop(p);
			return ret;
		}
		p->n++;
	}
	return 0;
}

void device_pool_stop(struct device_pool *p)
{
	unsigned int i;

	atomic_store(&p->stop, true);
	for (i = 0; i < p->n; i++)
		pthread_join(p->th[i].thread, NULL);
}

/*
 * Cache [addr, addr + len) in the device TLB (an ATS translation request).
 * A backend with nothing to cache (no BE_PREFETCH) has nothing to do.
 * Return: 0, or -errno when it was not all cached (counted by the checker).
 */
int device_prefetch(const struct devbind *dev, struct checker *ck, const void *addr,
		    size_t len)
{
	int ret;

	if (!len || !backend_can(dev->be, BE_PREFETCH))
		return 0;
	ret = dev->be->prefetch(dev, addr, len);
	if (ret)
		checker_prefetch_failed(ck, addr, ret);
	return ret;
}

/*
 * After its op the mutator reads the region back through the device (at
 * most VERIFY_PAGES pages, first and last included): with no device
 * thread, this is what catches a translation the op left stale.
 */
void device_verify(const struct devbind *dev, struct checker *ck, struct region *r)
{
	size_t n = r->map.npages, want = n < VERIFY_PAGES ? n : VERIFY_PAGES, i;

	if (!backend_can(dev->be, BE_READ))
		return;
	for (i = 0; i < want; i++)
		device_read_page(dev, ck, r, r->map.base,
				 want < 2 ? 0 : i * (n - 1) / (want - 1));
}
