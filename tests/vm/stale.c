// SPDX-License-Identifier: GPL-2.0
/*
 * The kit of the injected-bug tests: see stale.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "stale.h"

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* munmap + mmap at the same address, CPU writes generation 2. */
void remap(uint64_t *p, size_t pages)
{
	munmap(p, pages * PG);
	map_anon_at(p, pages * PG);
	for (size_t i = 0; i < pages; i++)
		p[i * PG / 8] = 2;
}

/* MADV_DONTNEED keeps the VMA (and the mmap lock shared) during the zap. */
void dontneed(uint64_t *p, size_t pages)
{
	madvise(p, pages * PG, MADV_DONTNEED);
	for (size_t i = 0; i < pages; i++)
		p[i * PG / 8] = 2;
}

/*
 * Sanitized bonds use fill=noref: nothing keeps a page the mm dropped, and
 * the allocator may hand the same page straight back to the next fault at
 * the same address -- the stale translation is then right by luck.  A
 * pipe holding the old pages (vmsplice takes page references, and no mm
 * event) makes the new ones new.
 */
static int holder[2] = { -1, -1 };

void hold_old_pages(uint64_t *p, size_t pages)
{
	struct iovec iov = { p, pages * PG };

	if (!opt.sanitize)
		return;
	if (pipe(holder) || vmsplice(holder[1], &iov, 1, 0) != (ssize_t)(pages * PG))
		bail("vmsplice: %s", strerror(errno));
}

void release_old_pages(void)
{
	for (int i = 0; i < 2; i++) {
		if (holder[i] >= 0)
			close(holder[i]);
		holder[i] = -1;
	}
}

uint64_t *cached_pages(struct dev *d, size_t pages)
{
	uint64_t *p = map_anon(pages * PG, PROT_READ | PROT_WRITE), v;

	for (size_t i = 0; i < pages; i++) {
		p[i * PG / 8] = 1;
		dma_read_u64(d, p + i * PG / 8, &v);
	}
	hold_old_pages(p, pages);
	return p;
}

/* The fill policy of the bonds: ref, unless the sanitizer guards them. */
static uint32_t inject_fill(void)
{
	return opt.sanitize ? opt.fill : SVMSIM_FILL_REF;
}

/* Bind @d's fd (@model) as the options say: fill, sanitizer. */
int bind_for_bugs(struct dev *d, uint32_t model)
{
	return svmsim_bind(d->fd, model, inject_fill(), bind_flags(), &d->pasid);
}

/* A fresh bond on device @index with @bug. */
int bond_with(struct dev *d, unsigned int index, uint32_t model, uint32_t bug,
		     uint32_t param, uint32_t delay_us)
{
	int ret = dev_open(d, index);

	if (!ret)
		ret = bind_for_bugs(d, model);
	if (!ret)
		ret = svmsim_inject(d->fd, d->pasid, bug, param, delay_us);
	return ret;
}

uint64_t san_total(const struct dev *d)
{
	struct svmsim_san_report r;
	uint64_t total = 0;

	san_reports_since(d->fd, 0, &r, 0, &total);
	return total;
}

/* Does debugfs svmsim/svmsimN-san of any device list a report of @addr? */
static bool debugfs_lists(uint64_t addr)
{
	char path[64], line[256], want[32];
	bool found = false;

	snprintf(want, sizeof(want), " %#llx cached", (unsigned long long)addr);
	for (int i = 0; i < 2 && !found; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/kernel/debug/svmsim/svmsim%d-san", i);
		f = fopen(path, "r");
		while (f && !found && fgets(line, sizeof(line), f))
			found = strstr(line, want);
		if (f)
			fclose(f);
	}
	return found;
}

bool stale_unflushed;

/* A report since @since of @p's translation: a PFN or a permission gone. */
bool san_caught(const struct dev *d, const uint64_t *p, int ret, uint64_t since)
{
	struct svmsim_san_report r[4];
	uint64_t total;
	int n = san_reports_since(d->fd, since, r, 4, &total);

	for (int i = 0; i < n; i++) {
		if (r[i].addr != (uintptr_t)p || r[i].pasid != d->pasid ||
		    (r[i].cached_pfn == r[i].current_pfn && !(r[i].cached_perm & ~r[i].current_perm)))
			continue;
		tap_diag("report %llu: pasid %u addr %#llx cached pfn %#llx perm %u, current %#llx perm %u, %u invalidations recalled, filled %llu ns before by a %s of tid %u",
			 (unsigned long long)r[i].seq, r[i].pasid, (unsigned long long)r[i].addr,
			 (unsigned long long)r[i].cached_pfn, r[i].cached_perm,
			 (unsigned long long)r[i].current_pfn, r[i].current_perm, r[i].ninvals,
			 (unsigned long long)(r[i].ns - r[i].fill_ns),
			 r[i].fill_write ? "write" : "read", r[i].fill_tid);
		/* one of the test's accesses filled the entry, before the report */
		if (!r[i].fill_ns || r[i].fill_ns > r[i].ns || !r[i].fill_tid) {
			tap_diag("the report should say when and by whom the entry was filled");
			return false;
		}
		if (!debugfs_lists(r[i].addr))
			tap_diag("debugfs svmsim/svmsimN-san does not list it");
		if (stale_unflushed && (!r[i].ninvals || r[i].invals[0].flushed)) {
			tap_diag("the newest invalidation of the address should say it did not flush it");
			return false;
		}
		return ret == -EIO && debugfs_lists(r[i].addr);
	}
	return false;
}

bool caught(const struct dev *d, const uint64_t *p, int ret, uint64_t v, uint64_t since)
{
	if (!opt.sanitize)
		return !ret && v == 1;
	return san_caught(d, p, ret, since);
}

void check_stale(struct dev *d, uint64_t *p, const char *bug, const char *how)
{
	uint64_t v = 0, since = san_total(d);
	int ret = dma_read_u64(d, p, &v);

	release_old_pages();
	tap_ok(caught(d, p, ret, v, since), "%s: %s: %s after %s (%s %llu)", model_name(), bug,
	       opt.sanitize ? "the sanitizer stops the stale read" :
	       "the device reads stale generation 1", how, errname(ret), (unsigned long long)v);
}

/*
 * Put device 1's configuration back once its bonds are freed: descriptors
 * that a no_wait bond left queued hold it for up to the device latency.
 */
void restore_config(const struct svmsim_config *c0)
{
	struct dev d;

	dev_open(&d, 1);
	set_config_settled(d.fd, c0);
	dev_close(&d);
}

struct svmsim_config dev1_open(struct dev *d, struct svmsim_config *c0)
{
	if (dev_open(d, 1) || svmsim_get_config(d->fd, c0))
		bail("device 1: %s", strerror(errno));
	return *c0;
}

int dev1_bond(struct dev *d, const struct svmsim_config *c, uint32_t model, uint32_t bug)
{
	/* The bonds of an earlier case may still be on their way out. */
	int ret = set_config_settled(d->fd, c);

	if (ret)
		tap_diag("device 1: SET_CONFIG: %s", strerror(-ret));

	if (!ret)
		ret = bind_for_bugs(d, model);
	if (!ret)
		ret = svmsim_inject(d->fd, d->pasid, bug, 0, 0);
	return ret;
}

void check_one_page_left(uint32_t bug, const char *name, void (*change)(uint64_t *, size_t),
			 const char *how, unsigned int flushed, const char *which)
{
	struct dev d;
	uint64_t *p, v = 0;

	bond_with(&d, 0, opt.model, bug, 0, 0);
	p = cached_pages(&d, 2);
	change(p, 2);
	dma_read_u64(&d, p + flushed * PG / 8, &v);
	tap_ok(v == 2, "%s: %s: the %s page is flushed", model_name(), name, which);
	stale_unflushed = true;
	check_stale(&d, p + (1 - flushed) * PG / 8, name, how);
	stale_unflushed = false;
	dev_close(&d);
	munmap(p, 2 * PG);
}
