// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/self/pagemap and the calling thread's fault counter: see pagemap.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mapping.h"
#include "pagemap.h"

#define PM_CHUNK	512	/* entries read at a time */

/* /proc/self/pagemap of the calling process, or -errno. */
int pagemap_open(void)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static bool pagemap_read(int fd, const void *addr, uint64_t *e, size_t n)
{
	off_t off = (off_t)((uintptr_t)addr / PAGE_SZ * sizeof(*e));
	size_t len = n * sizeof(*e);

	return fd >= 0 && pread(fd, e, len, off) == (ssize_t)len;
}

/* The entry of the page at @addr; 0 (not present) if it cannot be read. */
uint64_t pagemap_entry(int fd, const void *addr)
{
	uint64_t e;

	return pagemap_read(fd, addr, &e, 1) ? e : 0;
}

/*
 * Is every page of [@base, @base + @npages pages) present?  true when
 * pagemap cannot tell (no procfs): the check is then skipped, not failed.
 */
bool pagemap_all_present(const void *base, size_t npages)
{
	uint64_t e[PM_CHUNK];
	int fd = pagemap_open();
	size_t k, i, n;
	bool all = true;

	if (fd < 0)
		return true;
	for (k = 0; all && k < npages; k += n) {
		n = npages - k < PM_CHUNK ? npages - k : PM_CHUNK;
		if (!pagemap_read(fd, (const char *)base + k * PAGE_SZ, e, n))
			break;
		for (i = 0; i < n; i++)
			all &= !!(e[i] & PM_PRESENT);
	}
	close(fd);
	return all;
}

/* Minor faults the calling thread took so far (-1: unknown). */
long thread_minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) ? -1 : ru.ru_minflt;
}
