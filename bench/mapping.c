// SPDX-License-Identifier: GPL-2.0
/*
 * Region memory: create, recreate at the same address, stamp, touch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mapping.h"
#include "svmsim/dev.h"

/*
 * THP-backed only when asked: Debian's kernels have THP "always", which
 * would otherwise turn large regions and the ballast into 2M pages -- a few
 * 2M TLB entries instead of the 4K entries --pages and --cached promise.
 */
static int map_advise_huge(const struct region_map *m)
{
	return madvise(m->base, map_len(m), m->huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) ?
	       -errno : 0;
}

const char *const layout_names[LAYOUT_NR] = {
	[LAYOUT_GUARDED] = "guarded",
	[LAYOUT_PACKED] = "packed",
};

/**
 * arena_create() - reserve address space for @n regions laid out as @layout
 * @a: out.
 * @layout: see enum layout.
 * @n: regions.
 * @npages: 4K pages per region.
 * @huge: THP regions: 2M aligned, and 2M guards so the alignment holds.
 *
 * The reservation is PROT_NONE and reserves no memory; map_create() maps
 * each region over its slot.  Return: 0 or -errno.
 */
int arena_create(struct region_arena *a, enum layout layout, unsigned int n, size_t npages,
		 bool huge)
{
	size_t guard = huge ? HUGE_SZ : PAGE_SZ, len = npages * PAGE_SZ;
	uintptr_t first;

	a->stride = len + (layout == LAYOUT_GUARDED ? guard : 0);
	a->len = guard + (size_t)n * a->stride + guard + (huge ? HUGE_SZ : 0);
	a->base = mmap(NULL, a->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (a->base == MAP_FAILED) {
		a->base = NULL;
		return -errno;
	}
	first = ((uintptr_t)a->base + guard + guard - 1) & ~(uintptr_t)(guard - 1);
	a->first = (char *)first;
	return 0;
}

void arena_destroy(struct region_arena *a)
{
	if (a->base)
		munmap(a->base, a->len);
	a->base = NULL;
}

/* Anonymous memory at a 2M boundary: over-allocate, then trim both ends. */
static void *map_anon_aligned(size_t len)
{
	char *p = mmap(NULL, len + HUGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t head;

	if (p == MAP_FAILED)
		return MAP_FAILED;
	head = (HUGE_SZ - ((uintptr_t)p & (HUGE_SZ - 1))) & (HUGE_SZ - 1);
	if (head)
		munmap(p, head);
	munmap(p + head + len, HUGE_SZ - head);
	return p + head;
}

static int map_window(struct region_map *m, int dev, void *at)
{
	int fd = svmsim_open(dev);

	if (fd < 0)
		return fd;
	m->window_fd = fd;
	m->base = mmap(at, map_len(m), PROT_READ | PROT_WRITE, MAP_SHARED | (at ? MAP_FIXED : 0),
		       fd, 0);
	return m->base == MAP_FAILED ? -errno : 0;
}

/* Anonymous memory: over @at (a slot of an arena), 2M aligned if huge, or anywhere. */
static void *map_anon(size_t len, bool huge, void *at)
{
	if (at)
		return mmap(at, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	return huge ? map_anon_aligned(len) :
	       mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/**
 * map_create() - map a region and stamp generation 1 on it
 * @m: out.
 * @id: the region id its headers carry.
 * @npages: 4K pages; a multiple of 512 when @huge.
 * @huge: THP-backed: 2M aligned, MADV_HUGEPAGE.
 * @window_dev: N of /dev/svmsimN to map a device window of, or -1.
 * @at: where: a slot of a struct region_arena (MAP_FIXED over it), or NULL.
 *
 * Return: 0 or -errno.
 */
int map_create(struct region_map *m, uint64_t id, size_t npages, bool huge, int window_dev,
	       void *at)
{
	int ret;

	m->id = id;
	m->npages = npages;
	m->huge = huge;
	m->window_fd = -1;
	if (window_dev >= 0) {
		ret = map_window(m, window_dev, at);
	} else {
		m->base = map_anon(map_len(m), huge, at);
		ret = m->base == MAP_FAILED ? -errno : map_advise_huge(m);
	}
	if (ret) {
		map_destroy(m);
		return ret;
	}
	map_stamp(m, 1);
	return 0;
}

/*
 * After munmap: map fresh anonymous memory at the same address.  NOREPLACE:
 * if anything else took the hole meanwhile, say so rather than clobber it.
 */
int map_remap(const struct region_map *m)
{
	void *p = mmap(m->base, map_len(m), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	if (p != m->base) {	/* a kernel without NOREPLACE treats it as a hint */
		munmap(p, map_len(m));
		return -EEXIST;
	}
	return map_advise_huge(m);
}

void map_destroy(struct region_map *m)
{
	if (m->base && m->base != MAP_FAILED)
		munmap(m->base, map_len(m));
	if (m->window_fd >= 0)
		close(m->window_fd);
	m->base = NULL;
	m->window_fd = -1;
}

/*
 * Mark in @bad[] each of the @n regions at @maps (@stride bytes apart, so
 * that the caller's own structs can be walked) that is not a VMA of its own
 * in /proc/self/maps now: merged with a neighbour, or split.  Marks stay
 * (a caller ORs several looks).  Return: 0, or -errno if maps is unreadable.
 */
int maps_merged(const struct region_map *maps, size_t stride, unsigned int n, bool *bad)
{
	FILE *f = fopen("/proc/self/maps", "re");
	unsigned long lo, hi;
	unsigned int i;
	size_t cap = 0;
	char *line = NULL;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%lx-%lx", &lo, &hi) != 2)
			continue;
		for (i = 0; i < n; i++) {
			const struct region_map *m =
				(const void *)((const char *)maps + i * stride);
			uintptr_t b = (uintptr_t)m->base, e = b + map_len(m);

			/* a VMA that overlaps the region but is not exactly it */
			bad[i] |= lo < e && hi > b && (lo != b || hi != e);
		}
	}
	free(line);
	fclose(f);
	return 0;
}

/* The CPU writes every page's header: the pages are current at @gen. */
void map_stamp(const struct region_map *m, uint64_t gen)
{
	size_t k;

	for (k = 0; k < m->npages; k++) {
		volatile struct page_hdr *h = map_hdr(m, k);

		h->gen = gen;
		h->region_id = m->id;
		h->page_index = k;
	}
}

/* The CPU reads every page: the preparation both sides do before an op. */
void map_touch(const struct region_map *m)
{
	size_t k;

	for (k = 0; k < m->npages; k++)
		(void)map_hdr(m, k)->gen;
}
