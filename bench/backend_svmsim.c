// SPDX-License-Identifier: GPL-2.0
/*
 * The svmsim backend: open, configure, bind, inject, access; and undo it
 * all.  Every capability of backend.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "backend.h"
#include "options.h"
#include "svmsim/dev.h"
#include "svmsim/names.h"

#define RESTORE_TRIES	100	/* x 10 ms: bonds are freed asynchronously */

static int devconf_fail(const char *what, int err)
{
	return backend_fail("svmsim", what, err);
}

/* The asked-for settings on top of the device's current ones. */
static void devconf_apply(struct svmsim_config *c, const struct options *o)
{
	if (opt_set(o, OPT_TLB_SETS))
		c->tlb_sets = o->tlb_sets;
	if (opt_set(o, OPT_TLB_WAYS))
		c->tlb_ways = o->tlb_ways;
	if (opt_set(o, OPT_TLB_POLICY))
		c->tlb_policy = o->tlb_policy;
	if (opt_set(o, OPT_FLUSH_MODE))
		c->flush_mode = o->flush_mode;
	if (opt_set(o, OPT_THRESHOLD))
		c->flush_threshold = o->threshold;
	if (opt_set(o, OPT_FLUSH_BUDGET))
		c->flush_budget = o->flush_budget;
	if (opt_set(o, OPT_LATENCY))
		c->dev_latency_ns = o->latency_ns;
	if (opt_set(o, OPT_QI_BATCH))
		c->qi_batch = o->qi_batch;
	if (opt_set(o, OPT_QI_COALESCE))
		c->qi_coalesce_ns = o->qi_coalesce_ns;
	if (opt_set(o, OPT_PSI))
		c->flags = o->psi ? c->flags | SVMSIM_CONFIG_PSI : c->flags & ~SVMSIM_CONFIG_PSI;
	if (opt_set(o, OPT_PAGE_DESCS))
		c->flags = o->page_descs ? c->flags | SVMSIM_CONFIG_PAGE_DESCS :
			   c->flags & ~SVMSIM_CONFIG_PAGE_DESCS;
	if (opt_set(o, OPT_LAT_TAIL)) {
		c->lat_tail_pct = o->lat_tail_pct;
		c->lat_tail_mult = o->lat_tail_mult;
	}
	if (opt_set(o, OPT_QI_DEPTH))
		c->qi_depth = o->qi_depth;
	if (opt_set(o, OPT_QI_TIMEOUT))
		c->qi_timeout_ns = o->qi_timeout_ns;
	if (opt_set(o, OPT_QI_LOSE))
		c->qi_lose_pct = o->qi_lose_pct;
}

static int devconf_version(int fd)
{
	struct svmsim_version v;
	int ret = svmsim_version(fd, &v);

	if (ret)
		return devconf_fail("SVMSIM_IOC_VERSION", ret);
	if (v.abi_version != SVMSIM_ABI_VERSION) {
		fprintf(stderr, "svmbench: the module speaks ABI %u, svmbench ABI %u\n",
			v.abi_version, SVMSIM_ABI_VERSION);
		return -EPROTO;
	}
	return 0;
}

/* Open /dev/svmsim@index and configure it (before binding).  0 or -errno (printed). */
static int devconf_open_one(struct devbind *d, const struct options *o, unsigned int index)
{
	char what[96];
	int ret;

	d->fd = svmsim_open(index);
	if (d->fd < 0) {
		snprintf(what, sizeof(what), "open %s%u%s", SVMSIM_DEV_PREFIX, index,
			 index > o->device ? " (--devices: the module parameter ndevices is too "
			 "small)" : "");
		return devconf_fail(what, d->fd);
	}
	ret = devconf_version(d->fd);
	if (ret)
		return ret;
	ret = svmsim_get_config(d->fd, &d->saved);
	if (ret)
		return devconf_fail("SVMSIM_IOC_GET_CONFIG", ret);
	d->cfg = d->saved;
	devconf_apply(&d->cfg, o);
	d->changed = memcmp(&d->cfg, &d->saved, sizeof(d->cfg)) != 0;
	ret = d->changed ? svmsim_set_config(d->fd, &d->cfg) : 0;
	if (ret)
		return devconf_fail(ret == -EBUSY ? "SVMSIM_IOC_SET_CONFIG (another process is "
				    "bound: TLB geometry and flush mode cannot change)" :
				    "SVMSIM_IOC_SET_CONFIG", ret);
	ret = svmsim_get_config(d->fd, &d->cfg);
	if (ret)
		return devconf_fail("SVMSIM_IOC_GET_CONFIG", ret);
	d->model = o->model ? o->model : d->cfg.default_model;
	d->fill = o->fill ? o->fill : d->cfg.default_fill;
	return 0;
}

/* The first device, then --devices' others, configured alike. */
static int devconf_open(struct devbind *d, const struct options *o)
{
	unsigned int i;
	int ret = devconf_open_one(d, o, o->device);

	if (ret || o->devices < 2)
		return ret;
	d->peers = calloc(o->devices - 1, sizeof(*d->peers));
	if (!d->peers)
		return devconf_fail("--devices", -ENOMEM);
	for (i = 0; i + 1 < o->devices; i++) {
		d->peers[i].fd = -1;
		d->peers[i].be = d->be;
		d->npeers++;
		ret = devconf_open_one(&d->peers[i], o, o->device + 1 + i);
		if (ret)
			return ret;
	}
	return 0;
}

/* What @bug needs that this bond lacks (the module's EINVAL cases), or NULL. */
static const char *devconf_inject_unmet(const struct devbind *d, uint32_t bug,
					bool sanitize)
{
	if (d->model == SVMSIM_MODEL_PINNED)
		return "injected bugs do not apply to the pinned model";
	if (d->fill != SVMSIM_FILL_REF && !sanitize)
		return "injected bugs need --fill ref or --sanitize";
	if (bug == SVMSIM_BUG_NO_FILL_BLOCK && d->model != SVMSIM_MODEL_RANGE)
		return "no_fill_block needs --model range";
	if (bug == SVMSIM_BUG_NO_WAIT && d->cfg.flush_mode != SVMSIM_FLUSH_QUEUED)
		return "no_wait needs --flush-mode queued";
	return "the module's rules for this bug (include/uapi/svmsim.h, enum svmsim_bug)";
}

static int devconf_inject(struct devbind *d, const struct options *o)
{
	const char *unmet = o->inject ? devconf_inject_unmet(d, o->inject, o->sanitize) : NULL;
	int ret;

	if (o->inject == SVMSIM_BUG_NONE && !o->fill_delay_us)
		return 0;
	ret = svmsim_inject(d->fd, d->pasid, o->inject, o->inject_param, o->fill_delay_us);
	if (ret == -EPERM)
		fprintf(stderr, "svmbench: --inject needs the module parameter allow_inject=1\n");
	else if (ret == -EINVAL && unmet)
		fprintf(stderr, "svmbench: --inject %s: %s\n", svmsim_bug_names[o->inject], unmet);
	else if (ret == -EOPNOTSUPP)
		fprintf(stderr, "svmbench: --inject %s: not on this kernel\n",
			svmsim_bug_names[o->inject]);
	return ret ? devconf_fail("SVMSIM_IOC_INJECT", ret) : 0;
}

/*
 * Bind the calling process's mm to every device (--fanout parallel: through
 * the mm's two-pass notifier); then inject what was asked, into the first.
 */
static int devconf_bind(struct devbind *d, const struct options *o)
{
	uint32_t flags = (o->sanitize ? SVMSIM_BIND_SANITIZE : 0) |
			 (o->fanout == FANOUT_PARALLEL ? SVMSIM_BIND_FANOUT : 0);
	unsigned int i;
	int ret = svmsim_bind(d->fd, d->model, d->fill, flags, &d->pasid);

	if (ret)
		return devconf_fail("SVMSIM_IOC_BIND", ret);
	d->bound = true;
	for (i = 0; i < d->npeers; i++) {
		struct devbind *p = &d->peers[i];

		ret = svmsim_bind(p->fd, p->model, p->fill, flags, &p->pasid);
		if (ret)
			return devconf_fail("SVMSIM_IOC_BIND (--devices)", ret);
		p->bound = true;
	}
	return devconf_inject(d, o);
}

static void devconf_close_one(struct devbind *d);

/* Unbind, put the configuration back as found, close; the peers first. */
static void devconf_close(struct devbind *d)
{
	unsigned int i;

	for (i = 0; i < d->npeers; i++)
		devconf_close_one(&d->peers[i]);
	free(d->peers);
	d->peers = NULL;
	d->npeers = 0;
	devconf_close_one(d);
}

static void devconf_close_one(struct devbind *d)
{
	int ret = 0, tries;

	if (d->fd < 0)
		return;
	if (d->bound)
		svmsim_unbind(d->fd, d->pasid);
	d->bound = false;
	for (tries = 0; d->changed && tries < RESTORE_TRIES; tries++) {
		ret = svmsim_set_config(d->fd, &d->saved);
		if (ret != -EBUSY)
			break;
		sleep_ns(10 * 1000 * 1000);
	}
	if (d->changed && ret)
		devconf_fail("restoring the device configuration", ret);
	close(d->fd);
	d->fd = -1;
}

static int svmsim_be_read(const struct devbind *d, const void *addr, void *buf, size_t len)
{
	return svmsim_dma_read(d->fd, d->pasid, addr, buf, len);
}

static int svmsim_be_write(const struct devbind *d, void *addr, const void *buf, size_t len)
{
	return svmsim_dma_write(d->fd, d->pasid, addr, buf, len);
}

/* Every device caches the range: an invalidation of it has work on all. */
static int svmsim_be_prefetch(const struct devbind *d, const void *addr, size_t len)
{
	unsigned int i;
	int ret = svmsim_prefetch(d->fd, d->pasid, addr, len);

	for (i = 0; !ret && i < d->npeers; i++)
		ret = svmsim_prefetch(d->peers[i].fd, d->peers[i].pasid, addr, len);
	return ret;
}

const struct backend backend_svmsim = {
	.name = "svmsim",
	.summary = "this project's emulated SVA device (/dev/svmsimN): every feature",
	.caps = BE_READ | BE_WRITE | BE_PREFETCH | BE_STATS | BE_CONFIG | BE_MODEL | BE_FILL |
		BE_INJECT | BE_SANITIZE | BE_WINDOW,
	.open = devconf_open,
	.bind = devconf_bind,
	.close = devconf_close,
	.read = svmsim_be_read,
	.write = svmsim_be_write,
	.prefetch = svmsim_be_prefetch,
};
