// SPDX-License-Identifier: GPL-2.0
/*
 * The backends svmbench knows, and what a run asks of them: see backend.h.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "options.h"
#include "workload.h"

static const struct backend *const backends[] = {
	&backend_svmsim, &backend_dmirror, &backend_null,
};

#define NR_BACKENDS	(sizeof(backends) / sizeof(backends[0]))

const struct backend *backend_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_BACKENDS; i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

const struct backend *backend_by_index(unsigned int i)
{
	return i < NR_BACKENDS ? backends[i] : NULL;
}

/* "svmsim|dmirror|null", for --help. */
const char *backend_names(void)
{
	static char buf[64];
	unsigned int i;

	if (buf[0])
		return buf;
	for (i = 0; i < NR_BACKENDS; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? "|" : "",
			 backends[i]->name);
	return buf;
}

/* Print "svmbench: WHO: WHAT: strerror" and hand @err back. */
int backend_fail(const char *who, const char *what, int err)
{
	fprintf(stderr, "svmbench: %s: %s: %s\n", who, what, strerror(-err));
	return err;
}

/* close() for a backend whose whole binding is its open file (closing unbinds). */
void backend_close_fd(struct devbind *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	d->bound = false;
}

/* Device settings only the svmsim device has. */
static bool config_asked(const struct options *o)
{
	return opt_set(o, OPT_FLUSH_MODE) || opt_set(o, OPT_TLB_POLICY) || opt_set(o, OPT_PSI) ||
	       opt_set(o, OPT_PAGE_DESCS) ||
	       opt_set(o, OPT_LATENCY) || opt_set(o, OPT_THRESHOLD) ||
	       opt_set(o, OPT_FLUSH_BUDGET) || opt_set(o, OPT_TLB_SETS) ||
	       opt_set(o, OPT_TLB_WAYS) || opt_set(o, OPT_LAT_TAIL) || opt_set(o, OPT_QI_DEPTH) ||
	       opt_set(o, OPT_QI_TIMEOUT) || opt_set(o, OPT_QI_LOSE);
}

/*
 * What the run asks that @be cannot do, or NULL.  Each line names the
 * missing capability, so the message says why the run is not made rather
 * than running something else under the same name.
 */
const char *backend_check(const struct backend *be, const struct options *o)
{
	if (o->workload->window && !backend_can(be, BE_WINDOW))
		return "workload zap needs device windows the driver zaps (svmsim only)";
	if (o->device_threads && !backend_can(be, BE_READ))
		return "device threads need device reads: use --device-threads 0";
	if (o->cached && !backend_can(be, BE_READ | BE_PREFETCH))
		return "--cached needs a backend that caches translations";
	if (opt_set(o, OPT_MODEL) && !backend_can(be, BE_MODEL))
		return "--model: this backend has one notifier shape of its own";
	if (opt_set(o, OPT_FILL) && !backend_can(be, BE_FILL))
		return "--fill: this backend decides how it fills";
	if (config_asked(o) && !backend_can(be, BE_CONFIG))
		return "--tlb-*, --flush-*, --threshold, --latency-ns, --psi configure svmsim only";
	if ((o->inject || o->fill_delay_us) && !backend_can(be, BE_INJECT))
		return "--inject and --fill-delay-us need svmsim's bug injection";
	if ((o->sanitize || o->validate) && !backend_can(be, BE_SANITIZE))
		return "--sanitize and --validate need svmsim's sanitizer";
	return NULL;
}
