// SPDX-License-Identifier: GPL-2.0
/*
 * The null backend: svmsim_null.ko, a notifier whose callbacks only count,
 * in the shape of the secondary or the range model (--model).  It has no
 * device accesses at all: runs are timed with --device-threads 0, and
 * their overhead over the unbound peers is the floor every other backend
 * is read against.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "backend.h"
#include "options.h"
#include "uapi/svmsim_null.h"

static int null_open(struct devbind *d, const struct options *o)
{
	d->model = o->model ? o->model : SVMSIM_MODEL_SECONDARY;
	if (d->model != SVMSIM_MODEL_SECONDARY && d->model != SVMSIM_MODEL_RANGE)
		return backend_fail("null", "--model: secondary or range", -EINVAL);
	d->fd = open(SVMSIM_NULL_DEV, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return backend_fail("null", SVMSIM_NULL_DEV " (is svmsim_null.ko loaded?)",
				    -errno);
	return 0;
}

static int null_bind(struct devbind *d, const struct options *o)
{
	struct svmsim_null_bind b = { .model = d->model };

	(void)o;
	if (ioctl(d->fd, SVMSIM_NULL_IOC_BIND, &b) < 0)
		return backend_fail("null", "SVMSIM_NULL_IOC_BIND", -errno);
	d->bound = true;
	return 0;
}

const struct backend backend_null = {
	.name = "null",
	.summary = "svmsim_null.ko: a notifier that does nothing (the floor); no device access",
	.caps = BE_MODEL,
	.open = null_open,
	.bind = null_bind,
	.close = backend_close_fd,
};
