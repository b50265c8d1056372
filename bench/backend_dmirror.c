// SPDX-License-Identifier: GPL-2.0
/*
 * The dmirror backend: the kernel's own HMM mirror test driver
 * (lib/test_hmm.c), built out of tree from Debian's linux-source package
 * by scripts/dmirror and loaded beside svmsim by the VM runner.
 *
 * What it is: open() of /dev/hmm_dmirrorN inserts an mmu_interval_notifier
 * over the opener's whole mm; HMM_DMIRROR_READ copies whole pages by
 * virtual address out of its mirror, faulting missing ones in through
 * hmm_range_fault(); invalidations erase mirror entries under its mutex.
 * So the mirror caches translations (pages it read stay mirrored until
 * invalidated) and a read is also its prefetch.
 *
 * What it is not: its WRITE copies whole pages from a buffer, so an 8-byte
 * device write would clobber the CPU's concurrent stamps; it has no probe,
 * statistics, configuration, injection or sanitizer.  Capabilities: read
 * and prefetch only (backend.h); runs that need more are refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "backend.h"
#include "dmirror_abi.h"
#include "mapping.h"
#include "options.h"

#define PREFETCH_CHUNK		64	/* pages per read when prefetching */

static int dmirror_open(struct devbind *d, const struct options *o)
{
	char path[64];

	(void)d;
	snprintf(path, sizeof(path), DMIRROR_DEV_PREFIX "%u", o->device);
	if (access(path, R_OK | W_OK))
		return backend_fail("dmirror", path, -errno);
	return 0;
}

/* The driver binds the opener's mm at open(): open is the bind. */
static int dmirror_bind(struct devbind *d, const struct options *o)
{
	char path[64];

	snprintf(path, sizeof(path), DMIRROR_DEV_PREFIX "%u", o->device);
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return backend_fail("dmirror", path, -errno);
	d->bound = true;
	return 0;
}

/* Pages [first, first + n) into @buf: 0 or -errno. */
static int dmirror_read_pages(const struct devbind *d, uintptr_t first, size_t n, void *buf)
{
	struct dmirror_cmd c = { .addr = first, .ptr = (uintptr_t)buf, .npages = n };

	return ioctl(d->fd, DMIRROR_IOC_READ, &c) < 0 ? -errno : 0;
}

/* Any byte range: the pages that hold it are read whole, then the bytes copied out. */
static int dmirror_read(const struct devbind *d, const void *addr, void *buf, size_t len)
{
	uintptr_t a = (uintptr_t)addr, first = a & ~(uintptr_t)(PAGE_SZ - 1);
	size_t n = (a + len - first + PAGE_SZ - 1) / PAGE_SZ;
	char one[PAGE_SZ], *pages = n == 1 ? one : malloc(n * PAGE_SZ);
	int ret;

	if (!len)
		return 0;
	if (!pages)
		return -ENOMEM;
	ret = dmirror_read_pages(d, first, n, pages);
	if (!ret)
		memcpy(buf, pages + (a - first), len);
	if (pages != one)
		free(pages);
	return ret;
}

/* Mirroring a page is reading it: read the range, PREFETCH_CHUNK pages at a time. */
static int dmirror_prefetch(const struct devbind *d, const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr & ~(uintptr_t)(PAGE_SZ - 1);
	uintptr_t end = (uintptr_t)addr + len;
	char *buf = malloc(PREFETCH_CHUNK * PAGE_SZ);
	int ret = buf ? 0 : -ENOMEM;

	while (!ret && a < end) {
		size_t n = (end - a + PAGE_SZ - 1) / PAGE_SZ;

		n = n < PREFETCH_CHUNK ? n : PREFETCH_CHUNK;
		ret = dmirror_read_pages(d, a, n, buf);
		a += n * PAGE_SZ;
	}
	free(buf);
	return ret;
}

const struct backend backend_dmirror = {
	.name = "dmirror",
	.summary = "the kernel's HMM mirror test driver (lib/test_hmm.c, /dev/hmm_dmirrorN): "
		   "reads only",
	.caps = BE_READ | BE_PREFETCH,
	.open = dmirror_open,
	.bind = dmirror_bind,
	.close = backend_close_fd,
	.read = dmirror_read,
	.prefetch = dmirror_prefetch,
};
