// SPDX-License-Identifier: GPL-2.0
/*
 * Power-of-two page-selective flushes (SVMSIM_CONFIG_PSI, the shape of a
 * VT-d PSI descriptor: an address and a size order).  With 16 pages of a
 * 16-page aligned block cached:
 *  - off: MADV_DONTNEED of pages 1-2 removes exactly those, no collateral;
 *  - on: the same removes pages 0-3 (the order-2 block) and counts the two
 *    pages it added as collateral; pages 4-15 stay cached;
 *  - on: pages 7-8 straddle an 8-page boundary: the order-4 block, all 16
 *    pages, 14 of them collateral;
 *  - on, with a THP the device caches as one 2M entry: DONTNEED of pages
 *    1-2 (an order-2 block inside the 2M) takes the 2M entry -- it overlaps
 *    the range, so it is no collateral -- and the device reads the CPU's
 *    zeroes there and the old data beside them;
 *  - an unknown config flag is refused (EINVAL).
 * Presence is read with SVMSIM_IOC_PROBE, which never fills.
 *
 * usage: svmsim-test_psi [--model M] [--fill F]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib.h"

#define NPAGES	16

static struct svmsim_config saved;

static void set_psi(const struct dev *d, bool on)
{
	struct svmsim_config c = saved;

	c.flags = on ? (saved.flags | SVMSIM_CONFIG_PSI) : (saved.flags & ~SVMSIM_CONFIG_PSI);
	if (svmsim_set_config(d->fd, &c))
		bail("SET_CONFIG psi=%d: %s", on, strerror(errno));
}

/* Bit i set: page i is cached. */
static unsigned int cached_mask(const struct dev *d, const char *p)
{
	struct svmsim_probe pr;
	unsigned int m = 0;

	for (int i = 0; i < NPAGES; i++)
		if (!svmsim_probe(d->fd, d->pasid, p + i * PG, &pr) && pr.page_shift)
			m |= 1u << i;
	return m;
}

static void cache_all(const struct dev *d, char *p)
{
	memset(p, 1, NPAGES * PG);
	if (svmsim_prefetch(d->fd, d->pasid, p, NPAGES * PG))
		bail("prefetch: %s", strerror(errno));
}

/* DONTNEED pages [first, last]; then what stayed cached and the collateral counted. */
static void zap_case(const struct dev *d, char *p, bool psi, int first, int last,
		     unsigned int want, uint64_t want_collateral)
{
	struct svmsim_stats a, b;
	unsigned int got;
	uint64_t coll;

	set_psi(d, psi);
	cache_all(d, p);
	stats_snap(d, d->pasid, &a);
	madvise(p + first * PG, (size_t)(last - first + 1) * PG, MADV_DONTNEED);
	stats_snap(d, d->pasid, &b);
	got = cached_mask(d, p);
	coll = stats_delta(&a, &b, SVMSIM_STAT_TLB_COLLATERAL);
	tap_ok(got == want, "%s: psi %s, DONTNEED pages %d-%d: cached %#06x (want %#06x)",
	       model_name(), psi ? "on" : "off", first, last, got, want);
	tap_ok(coll == want_collateral, "%s: ... %llu collateral entries (want %llu)",
	       model_name(), (unsigned long long)coll, (unsigned long long)want_collateral);
}

/* PSI with a 2M entry: the block inside it takes the whole entry. */
static void thp_case(const struct dev *d)
{
	uint64_t *p = map_huge_aligned(HPG), v0 = 0, v1 = 1, v5 = 0;
	struct svmsim_stats a, b;
	struct svmsim_probe pr;
	bool huge2m;

	set_psi(d, true);
	for (size_t i = 0; i < HPG / 8; i += PG / 8)
		p[i] = 0x7000 + i;
	huge2m = !dma_read_u64(d, p, &v0) && !svmsim_probe(d->fd, d->pasid, p, &pr) &&
		 pr.page_shift == 21;
	if (!huge2m) {
		tap_skip("%s: psi on, THP: no 2M entry (is THP enabled?)", model_name());
		tap_skip("%s: psi on, THP: ... the device's reads", model_name());
		munmap(p, HPG);
		return;
	}
	stats_snap(d, d->pasid, &a);
	madvise((char *)p + PG, 2 * PG, MADV_DONTNEED);
	stats_snap(d, d->pasid, &b);
	huge2m = !svmsim_probe(d->fd, d->pasid, (char *)p + 5 * PG, &pr) && pr.page_shift == 21;
	tap_ok(!huge2m && stats_delta(&a, &b, SVMSIM_STAT_TLB_FLUSHED) >= 1 &&
	       !stats_delta(&a, &b, SVMSIM_STAT_TLB_COLLATERAL),
	       "%s: psi on, THP cached as a 2M entry, DONTNEED pages 1-2: the 2M entry is "
	       "gone, %llu flushed, %llu collateral (want 0)", model_name(),
	       (unsigned long long)stats_delta(&a, &b, SVMSIM_STAT_TLB_FLUSHED),
	       (unsigned long long)stats_delta(&a, &b, SVMSIM_STAT_TLB_COLLATERAL));
	tap_ok(!dma_read_u64(d, (char *)p + PG, &v1) && v1 == 0 &&
	       !dma_read_u64(d, p, &v0) && v0 == 0x7000 &&
	       !dma_read_u64(d, (char *)p + 5 * PG, &v5) && v5 == 0x7000 + 5 * PG / 8,
	       "%s: ... the device reads page 1's zeroes (%#llx) and pages 0 and 5 as before "
	       "(%#llx, %#llx)", model_name(), (unsigned long long)v1,
	       (unsigned long long)v0, (unsigned long long)v5);
	munmap(p, HPG);
}

static void body(void)
{
	struct svmsim_config c;
	struct dev d;
	char *p;

	dev_setup(&d);
	if (svmsim_get_config(d.fd, &saved))
		bail("GET_CONFIG: %s", strerror(errno));
	p = map_2m_aligned(NPAGES * PG, MADV_NOHUGEPAGE);	/* a 16-page aligned block */

	zap_case(&d, p, false, 1, 2, 0xfff9, 0);
	zap_case(&d, p, true, 1, 2, 0xfff0, 2);
	zap_case(&d, p, true, 7, 8, 0x0000, 14);
	thp_case(&d);

	c = saved;
	c.flags = SVMSIM_CONFIG_FLAGS + 1;
	ok_errno(svmsim_set_config(d.fd, &c), -EINVAL, "config: an unknown flag");

	if (svmsim_set_config(d.fd, &saved))
		tap_diag("restoring the configuration: %s", strerror(errno));
	dev_close(&d);
}

int main(int argc, char **argv)
{
	parse_opts(argc, argv);
	return run_variants(VARY_MODEL, body);
}
