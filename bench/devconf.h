/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device svmbench drives: open it, apply the configuration asked for
 * (and restore the one found at exit), bind the process, inject bugs.
 */
#ifndef _SVMBENCH_DEVCONF_H
#define _SVMBENCH_DEVCONF_H

#include <stdbool.h>
#include <stdint.h>

#include "uapi/svmsim.h"

struct options;

struct devbind {
	int fd;
	uint32_t pasid;
	bool bound;
	uint32_t model;			/* effective, never DEFAULT */
	uint32_t fill;			/* effective, never DEFAULT */
	struct svmsim_config cfg;	/* in effect for the run */
	struct svmsim_config saved;	/* found at start, restored at exit */
	bool changed;			/* cfg differs from saved */
};

int devconf_open(struct devbind *d, const struct options *o);
int devconf_bind(struct devbind *d, const struct options *o);
void devconf_close(struct devbind *d);

#endif /* _SVMBENCH_DEVCONF_H */
