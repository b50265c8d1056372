// SPDX-License-Identifier: GPL-2.0
/*
 * Region memory: create, recreate at the same address, stamp, touch.
 */
#include <errno.h>
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

static int map_window(struct region_map *m, int dev)
{
	int fd = svmsim_open(dev);

	if (fd < 0)
		return fd;
	m->window_fd = fd;
	m->base = mmap(NULL, map_len(m), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return m->base == MAP_FAILED ? -errno : 0;
}

/**
 * map_create() - map a region and stamp generation 1 on it
 * @m: out.
 * @id: the region id its headers carry.
 * @npages: 4K pages; a multiple of 512 when @huge.
 * @huge: THP-backed: 2M aligned, MADV_HUGEPAGE.
 * @window_dev: N of /dev/svmsimN to map a device window of, or -1.
 *
 * Return: 0 or -errno.
 */
int map_create(struct region_map *m, uint64_t id, size_t npages, bool huge, int window_dev)
{
	int ret;

	m->id = id;
	m->npages = npages;
	m->huge = huge;
	m->window_fd = -1;
	if (window_dev >= 0) {
		ret = map_window(m, window_dev);
	} else {
		m->base = huge ? map_anon_aligned(map_len(m)) :
			  mmap(NULL, map_len(m), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
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
