/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backends: the device svmbench drives, behind a small ops table, so that
 * its device threads, workloads and checker run unchanged against any
 * driver that can read (and, better, write) process memory by virtual
 * address.  bench/BACKENDS.md says what each op must guarantee and how
 * the checker uses it.
 *
 *   svmsim    this project's device: every op and capability
 *   dmirror   the kernel's HMM mirror test driver (lib/test_hmm.c, built
 *             by scripts/dmirror): whole-page reads only
 *   null      svmsim_null.ko: a notifier whose callbacks do nothing, the
 *             floor of what merely being registered costs; no access
 *
 * A run that needs a capability its backend lacks is refused up front
 * with the reason (backend_check()), never faked.
 */
#ifndef _SVMBENCH_BACKEND_H
#define _SVMBENCH_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "uapi/svmsim.h"

struct options;
struct devbind;

/* What a backend can do beyond open, bind and close. */
enum backend_cap {
	BE_READ		= 1u << 0,	/* read any byte range of a page by VA */
	BE_WRITE	= 1u << 1,	/* write 8 bytes by VA, leaving the rest of the page */
	BE_PREFETCH	= 1u << 2,	/* cache translations (a read may stand in for it) */
	BE_STATS	= 1u << 3,	/* the module's counters and flush histograms */
	BE_CONFIG	= 1u << 4,	/* TLB geometry, flush mode, threshold, latency */
	BE_MODEL	= 1u << 5,	/* --model chooses the notifier shape */
	BE_FILL		= 1u << 6,	/* --fill ref|noref */
	BE_INJECT	= 1u << 7,	/* --inject, --fill-delay-us */
	BE_SANITIZE	= 1u << 8,	/* --sanitize, --stop-on-detect, --validate */
	BE_WINDOW	= 1u << 9,	/* device windows the driver zaps (workload zap) */
};

struct backend {
	const char *name;
	const char *summary;		/* one line for --help */
	unsigned int caps;		/* enum backend_cap */
	/* Open the device and configure it; nothing bound yet.  -errno, printed. */
	int (*open)(struct devbind *d, const struct options *o);
	/* Bind the calling process's mm: from now on invalidations reach the device. */
	int (*bind)(struct devbind *d, const struct options *o);
	/* Unbind, undo the configuration, close.  Safe after a failed open. */
	void (*close)(struct devbind *d);
	/*
	 * Device accesses by virtual address, from any thread, concurrently
	 * with the mm operations: 0, or -EFAULT / -EACCES when the address
	 * is not mapped (for this access), -EAGAIN to be retried, other
	 * -errno unexpected.  NULL when the capability is missing.
	 */
	int (*read)(const struct devbind *d, const void *addr, void *buf, size_t len);
	int (*write)(const struct devbind *d, void *addr, const void *buf, size_t len);
	int (*prefetch)(const struct devbind *d, const void *addr, size_t len);
};

/* One opened device, as the run uses it. */
struct devbind {
	const struct backend *be;
	int fd;
	uint32_t pasid;			/* svmsim */
	bool bound;
	uint32_t model;			/* effective, never DEFAULT (svmsim, null) */
	uint32_t fill;			/* effective, never DEFAULT (svmsim) */
	struct svmsim_config cfg;	/* svmsim: in effect for the run */
	struct svmsim_config saved;	/* svmsim: found at start, restored at exit */
	bool changed;			/* cfg differs from saved */
	struct devbind *peers;		/* svmsim --devices: the other K-1 devices */
	unsigned int npeers;
};

extern const struct backend backend_svmsim, backend_dmirror, backend_null;

const struct backend *backend_find(const char *name);
const struct backend *backend_by_index(unsigned int i);
const char *backend_names(void);
const char *backend_check(const struct backend *be, const struct options *o);
int backend_fail(const char *who, const char *what, int err);
void backend_close_fd(struct devbind *d);

static inline bool backend_can(const struct backend *be, unsigned int caps)
{
	return (be->caps & caps) == caps;
}

static inline int backend_open(struct devbind *d, const struct options *o,
			       const struct backend *be)
{
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->be = be;
	return be->open(d, o);
}

static inline int backend_bind(struct devbind *d, const struct options *o)
{
	return d->be->bind(d, o);
}

static inline void backend_close(struct devbind *d)
{
	if (d->be)
		d->be->close(d);
}

static inline int dev_read(const struct devbind *d, const void *addr, void *buf, size_t len)
{
	return d->be->read(d, addr, buf, len);
}

static inline int dev_write(const struct devbind *d, void *addr, const void *buf, size_t len)
{
	return d->be->write(d, addr, buf, len);
}

#endif /* _SVMBENCH_BACKEND_H */
