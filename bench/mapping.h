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

/*
 * Where a run's regions live: one PROT_NONE reservation, guard pages at
 * both ends, the regions inside it in order.  LAYOUT_GUARDED leaves a
 * PROT_NONE guard (a page; 2M for THP regions) between neighbours, so that
 * every region is a VMA of its own for the whole run: munmap and mprotect
 * always cover exactly one VMA, and what they cost does not depend on the
 * neighbours.  LAYOUT_PACKED puts them back to back: anonymous neighbours
 * merge into one VMA, which each munmap or mprotect splits (and the remap
 * or re-protect merges again).
 */
enum layout { LAYOUT_GUARDED, LAYOUT_PACKED, LAYOUT_NR };

extern const char *const layout_names[LAYOUT_NR];

struct region_arena {
	char *base;		/* the reservation */
	size_t len;
	char *first;		/* region 0 */
	size_t stride;		/* from one region to the next */
};

int arena_create(struct region_arena *a, enum layout layout, unsigned int n, size_t npages,
		 bool huge);
void arena_destroy(struct region_arena *a);

static inline void *arena_slot(const struct region_arena *a, unsigned int i)
{
	return a->first + i * a->stride;
}

struct region_map {
	char *base;
	size_t npages;
	uint64_t id;
	bool huge;
	int window_fd;		/* the device fd whose window this is, or -1 */
};

int map_create(struct region_map *m, uint64_t id, size_t npages, bool huge, int window_dev,
	       void *at);
int maps_merged(const struct region_map *maps, size_t stride, unsigned int n, bool *bad);
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
