/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory of one region, as either process sees it (the bound bench
 * and its unbound baseline peers do the same things to their own copies):
 * anonymous pages (4K, or 2M-aligned THP), or a device window (zap).
 *
 * Every 4K page starts with a header the CPU stamps after each change;
 * device thread t owns the 8-byte slot at SLOT_OFFSET(t) of every page.
 */
#ifndef _SVMBENCH_MAPPING_H
#define _SVMBENCH_MAPPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SZ		4096ul
#define HUGE_SZ		(2ul << 20)
#define HUGE_PAGES	(HUGE_SZ / PAGE_SZ)
#define SLOT_BASE	64
#define SLOT_OFFSET(t)	(SLOT_BASE + 8 * (size_t)(t))

/* written by the CPU; the device only ever reads it */
struct page_hdr {
	uint64_t gen;
	uint64_t region_id;	/* region index + 1: a zero page never matches */
	uint64_t page_index;
};

struct region_map {
	char *base;
	size_t npages;
	uint64_t id;
	bool huge;
	int window_fd;		/* the device fd whose window this is, or -1 */
};

int map_create(struct region_map *m, uint64_t id, size_t npages, bool huge, int window_dev);
int map_remap(const struct region_map *m);
void map_destroy(struct region_map *m);
void map_stamp(const struct region_map *m, uint64_t gen);
void map_touch(const struct region_map *m);

static inline size_t map_len(const struct region_map *m)
{
	return m->npages * PAGE_SZ;
}

static inline char *map_page(const struct region_map *m, size_t page)
{
	return m->base + page * PAGE_SZ;
}

static inline volatile struct page_hdr *map_hdr(const struct region_map *m, size_t page)
{
	return (volatile struct page_hdr *)map_page(m, page);
}

static inline volatile uint64_t *map_slot(const struct region_map *m, size_t page, unsigned int t)
{
	return (volatile uint64_t *)(map_page(m, page) + SLOT_OFFSET(t));
}

#endif /* _SVMBENCH_MAPPING_H */
