// SPDX-License-Identifier: GPL-2.0
/*
 * The skip_release cell of svmbench --validate: the bug acts when a bound
 * process exits, so the bound process is a child that binds, caches a few
 * pages in the device TLB and exits; the sanitizer reports, at ->release,
 * a translation the device kept of the dying mm.  No device access can
 * follow (the mm is gone), so only the sanitizer can see this bug.  The
 * parent reads the device's counters (they count every bond of it): the
 * cell must be the device's only user, as validate's cells are.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "options.h"
#include "svmsim/dev.h"
#include "validate.h"

#define EXIT_PAGES	4

/* In the child: bind, inject, cache EXIT_PAGES pages, exit with them cached. */
static _Noreturn void exit_child(const struct vconfig *cfg, const struct vrun *r)
{
	const struct vmode_desc *m = &vmodes[r->mode];
	size_t len = EXIT_PAGES * 4096;
	int fd = svmsim_open(cfg->o->device);
	uint32_t pasid;
	char *p;

	if (fd < 0 || svmsim_bind(fd, r->model, m->fill,
				  m->sanitize ? SVMSIM_BIND_SANITIZE : 0, &pasid))
		_exit(2);
	if (svmsim_inject(fd, pasid, r->b->bug, 0, 0))
		_exit(3);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(4);
	memset(p, 1, len);
	_exit(svmsim_prefetch(fd, pasid, p, len) ? 5 : 0);
}

/* One bound child's life.  Return: its exit status, or -errno. */
static int exit_once(const struct vconfig *cfg, const struct vrun *r)
{
	pid_t pid = fork();
	int ws;

	if (pid < 0)
		return -errno;
	if (!pid)
		exit_child(cfg, r);
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

/* The device's counters into @r; true once the sanitizer reported. */
static bool exit_counters(int fd, struct vrun *r)
{
	struct svmsim_stats st;

	if (svmsim_stats(fd, 0, false, &st))
		return false;
	r->injected = st.counters[SVMSIM_STAT_INJECTED];
	r->san_stale = st.counters[SVMSIM_STAT_SAN_STALE];
	r->san_checks = st.counters[SVMSIM_STAT_SAN_CHECKS];
	r->dev_ops = st.counters[SVMSIM_STAT_DMA_OPS];
	return r->san_stale > 0;
}

static void exit_detected(struct vrun *r, uint64_t ns)
{
	snprintf(r->detected_by, sizeof(r->detected_by), "sanitizer");
	r->detect_s = ns / 1e9;
	r->detect_ops = r->ops;
	r->detect_dev_ops = r->dev_ops;
}

/**
 * vexit_run() - bound children exit until the sanitizer reports one
 * @cfg: the validation.
 * @r: as for vcell_run().
 *
 * Return: 0, or -errno if the device cannot be opened.
 */
int vexit_run(const struct vconfig *cfg, struct vrun *r)
{
	int fd = svmsim_open(cfg->o->device), st = 0;
	uint64_t t0 = now_ns(), budget = (uint64_t)(r->budget_s * 1e9);

	if (fd < 0)
		return fd;
	svmsim_stats(fd, 0, true, &(struct svmsim_stats){ 0 });
	while (now_ns() - t0 < budget) {
		st = exit_once(cfg, r);
		if (st)
			break;
		r->ops++;
		if (exit_counters(fd, r)) {
			exit_detected(r, now_ns() - t0);
			break;
		}
	}
	r->elapsed_s = (now_ns() - t0) / 1e9;
	r->status = st ? 2 : 0;
	r->have = !st;
	if (st)
		fprintf(stderr, "svmbench: validate: the exiting child failed (status %d)\n", st);
	close(fd);
	return 0;
}
