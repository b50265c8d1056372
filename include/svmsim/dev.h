/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space access to an svmsim device: thin wrappers over the ioctl ABI
 * (include/uapi/svmsim.h) shared by svmbench and the tests.  Every
 * function returns 0 (or a value) on success and -errno on failure, and
 * never touches errno's meaning otherwise.
 */
#ifndef _SVMSIM_DEV_H
#define _SVMSIM_DEV_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uapi/svmsim.h"

static inline int svmsim_open(unsigned int index)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), SVMSIM_DEV_PREFIX "%u", index);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static inline int svmsim_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static inline int svmsim_version(int fd, struct svmsim_version *v)
{
	memset(v, 0, sizeof(*v));
	return svmsim_ioctl(fd, SVMSIM_IOC_VERSION, v);
}

static inline int svmsim_bind(int fd, uint32_t model, uint32_t fill, uint32_t flags,
			      uint32_t *pasid)
{
	struct svmsim_bind b = { .model = model, .fill = fill, .flags = flags };
	int ret = svmsim_ioctl(fd, SVMSIM_IOC_BIND, &b);

	if (!ret)
		*pasid = b.pasid;
	return ret;
}

static inline int svmsim_bind_pinned(int fd, uint64_t addr, uint64_t len, uint32_t *pasid)
{
	struct svmsim_bind b = {
		.model = SVMSIM_MODEL_PINNED, .pin_addr = addr, .pin_len = len,
	};
	int ret = svmsim_ioctl(fd, SVMSIM_IOC_BIND, &b);

	if (!ret)
		*pasid = b.pasid;
	return ret;
}

static inline int svmsim_unbind(int fd, uint32_t pasid)
{
	struct svmsim_unbind u = { .pasid = pasid };

	return svmsim_ioctl(fd, SVMSIM_IOC_UNBIND, &u);
}

/* One DMA; @d's outputs (done, fault_addr, result) are filled in. */
static inline int svmsim_dma(int fd, struct svmsim_dma *d)
{
	return svmsim_ioctl(fd, SVMSIM_IOC_DMA, d);
}

static inline int svmsim_dma_rw(int fd, uint32_t pasid, uint32_t op, const void *addr,
				void *buf, size_t len)
{
	struct svmsim_dma d = {
		.pasid = pasid, .op = op, .addr = (uintptr_t)addr,
		.len = len, .buf = (uintptr_t)buf,
	};

	return svmsim_dma(fd, &d);
}

static inline int svmsim_dma_read(int fd, uint32_t pasid, const void *addr, void *buf,
				  size_t len)
{
	return svmsim_dma_rw(fd, pasid, SVMSIM_DMA_READ, addr, buf, len);
}

static inline int svmsim_dma_write(int fd, uint32_t pasid, void *addr, const void *buf,
				   size_t len)
{
	return svmsim_dma_rw(fd, pasid, SVMSIM_DMA_WRITE, addr, (void *)buf, len);
}

static inline int svmsim_prefetch(int fd, uint32_t pasid, const void *addr, size_t len)
{
	return svmsim_dma_rw(fd, pasid, SVMSIM_DMA_PREFETCH, addr, NULL, len);
}

static inline int svmsim_atomic(int fd, uint32_t pasid, uint32_t op, void *addr,
				uint64_t operand, uint64_t swap, uint64_t *old)
{
	struct svmsim_dma d = {
		.pasid = pasid, .op = op, .addr = (uintptr_t)addr, .len = 8,
		.operand = operand, .swap = swap,
	};
	int ret = svmsim_dma(fd, &d);

	if (!ret && old)
		*old = d.result;
	return ret;
}

static inline int svmsim_stats(int fd, uint32_t pasid, bool reset, struct svmsim_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->pasid = pasid;
	st->flags = reset ? SVMSIM_STATS_RESET : 0;
	return svmsim_ioctl(fd, SVMSIM_IOC_STATS, st);
}

static inline int svmsim_hist(int fd, uint32_t kind, uint32_t index, uint64_t *buckets,
			      uint32_t nbuckets, struct svmsim_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->kind = kind;
	h->index = index;
	h->buckets = (uintptr_t)buckets;
	h->nbuckets = buckets ? nbuckets : 0;
	return svmsim_ioctl(fd, SVMSIM_IOC_HIST, h);
}

static inline int svmsim_get_config(int fd, struct svmsim_config *c)
{
	memset(c, 0, sizeof(*c));
	return svmsim_ioctl(fd, SVMSIM_IOC_GET_CONFIG, c);
}

static inline int svmsim_set_config(int fd, const struct svmsim_config *c)
{
	return svmsim_ioctl(fd, SVMSIM_IOC_SET_CONFIG, (void *)c);
}

static inline int svmsim_zap(int fd, void *addr, size_t len, uint32_t flags)
{
	struct svmsim_zap z = { .addr = (uintptr_t)addr, .len = len, .flags = flags };

	return svmsim_ioctl(fd, SVMSIM_IOC_ZAP, &z);
}

/* What the TLB caches for @addr: page_shift 0 when nothing. */
static inline int svmsim_probe(int fd, uint32_t pasid, const void *addr,
			       struct svmsim_probe *p)
{
	memset(p, 0, sizeof(*p));
	p->pasid = pasid;
	p->addr = (uintptr_t)addr;
	return svmsim_ioctl(fd, SVMSIM_IOC_PROBE, p);
}

/* SVMSIM_IOC_SAN_REPORTS: up to @max of the device's newest reports, oldest first. */
static inline int svmsim_san_reports(int fd, uint32_t flags, struct svmsim_san_report *r,
				     uint32_t max, uint32_t *n, uint64_t *total)
{
	struct svmsim_san_reports q;
	int ret;

	memset(&q, 0, sizeof(q));
	q.flags = flags;
	q.max = max;
	q.reports = (uintptr_t)r;
	ret = svmsim_ioctl(fd, SVMSIM_IOC_SAN_REPORTS, &q);
	if (!ret) {
		*n = q.n;
		*total = q.total;
	}
	return ret;
}

static inline int svmsim_inject(int fd, uint32_t pasid, uint32_t bug, uint32_t param,
				uint32_t fill_delay_us)
{
	struct svmsim_inject in = {
		.pasid = pasid, .bug = bug, .param = param, .fill_delay_us = fill_delay_us,
	};

	return svmsim_ioctl(fd, SVMSIM_IOC_INJECT, &in);
}

#endif /* _SVMSIM_DEV_H */
