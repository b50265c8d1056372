// SPDX-License-Identifier: GPL-2.0
/*
 * The pinned model (vfio type1 style): pages pinned at bind (MAP_DMA) or
 * at first touch, never invalidated.  What it costs and what it breaks:
 * the device keeps reading a page the process unmapped, and the kernel
 * cannot migrate a pinned page.  Also: a pinned bond on the device window
 * (PFN-mapped pages hold plain references, not pins), and unbind returning
 * every pin.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib.h"

static uint64_t pinned(const struct dev *d)
{
	return stat_of(d, 0, SVMSIM_STAT_PINNED_PAGES);
}

static void test_pin_at_bind(void)
{
	char *p = map_anon(16 * PG, PROT_READ | PROT_WRITE), *buf = malloc(16 * PG);
	struct dev d;
	uint64_t v = 0;
	int moved;

	fill_pattern(p, 16 * PG, 1);
	dev_open(&d, 0);
	ok_errno(svmsim_bind_pinned(d.fd, (uintptr_t)p, 16 * PG, &d.pasid), 0,
		 "pinned: bind pins and maps 16 pages");
	tap_ok(pinned(&d) == 16 && !dma_read(&d, p, buf, 16 * PG) && check_pattern(buf, 16 * PG, 1),
	       "pinned: 16 pages pinned, the device reads them");
	moved = move_to_node(p, 4, node_of(p) == 0 ? 1 : 0);
	if (numa_nodes() < 2)
		tap_skip("pinned: migration needs two NUMA nodes");
	else
		tap_ok(moved == 0, "pinned: move_pages cannot migrate pinned pages (%d of 4 moved)",
		       moved);
	munmap(p, 16 * PG);
	map_anon_at(p, 16 * PG);
	*(uint64_t *)p = 2;
	tap_ok(!dma_read_u64(&d, p, &v) && v != 2 && pinned(&d) == 16,
	       "pinned: after munmap + mmap the device still reads the old page (stale by design)");
	ok_errno(svmsim_unbind(d.fd, d.pasid), 0, "pinned: unbind");
	tap_ok(pinned(&d) == 0, "pinned: unbind returns every pin");
	dev_close(&d);
	munmap(p, 16 * PG);
	free(buf);
}

/* PFN-mapped window pages hold plain references, released as such. */
static void test_pinned_window(void)
{
	struct dev d;
	uint64_t *w, *anon = map_anon(PG, PROT_READ | PROT_WRITE), v = 0;

	dev_open(&d, 1);
	w = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
	w[0] = 5;
	*anon = 6;
	svmsim_bind_pinned(d.fd, 0, 0, &d.pasid);
	tap_ok(!dma_read_u64(&d, w, &v) && v == 5 && !dma_write_u64(&d, w + 1, 9) && w[1] == 9 &&
	       !dma_read_u64(&d, anon, &v) && v == 6 && pinned(&d) == 1,
	       "pinned: window pages (referenced) and anon pages (pinned, at first touch)");
	svmsim_unbind(d.fd, d.pasid);
	tap_ok(pinned(&d) == 0, "pinned: unbind releases both kinds of reference");
	munmap(w, 4 * PG);
	dev_close(&d);
	munmap(anon, PG);
}

int main(void)
{
	tap_plan(8);
	test_pin_at_bind();
	test_pinned_window();
	return tap_finish();
}
