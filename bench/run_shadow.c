// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim-run: the device shadow.  A device working on PROGRAM's memory
 * keeps translations of it in its TLB; these threads play that device:
 * each, at a bounded rate (--rate operations per second), picks a live
 * address space and either a page it read recently (so that an entry an
 * invalidation should have flushed is used again, where the sanitizer
 * sees it) or a new page, sampled uniformly from the readable mappings of
 * /proc/PID/maps, and reads --chunk pages there with SVMSIM_IOC_DMA
 * through the device TLB (a miss is a fill).  The first thread re-reads
 * the maps every --maps-ms.  Reads only: the device never changes
 * PROGRAM's data.  A device read of a page PROGRAM never touched faults
 * it in, as a device's would (anonymous memory: the zero page).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "svmsim/dev.h"

#define PG 4096ull

struct run_recent {
	unsigned int mm_id;
	uint64_t addr;
};

struct run_shadow {
	struct run_state *s;
	pthread_t th;
	unsigned int idx;
	uint64_t rng;
	struct run_recent recent[RUN_RECENT];
	unsigned int nrecent, next;
	uint8_t *buf;
	unsigned long ops, faults, errors;
};

static struct run_shadow *shadows;

static uint64_t rnd(struct run_shadow *sh)
{
	/* xorshift64* */
	sh->rng ^= sh->rng >> 12;
	sh->rng ^= sh->rng << 25;
	sh->rng ^= sh->rng >> 27;
	return sh->rng * 2685821657736338717ull;
}

/* Mappings the device may read: readable, not the kernel's special ones. */
static bool readable(const char *perms, const char *path)
{
	if (perms[0] != 'r')
		return false;
	return strncmp(path, "[vvar", 5) && strcmp(path, "[vsyscall]") &&
	       strncmp(path, SVMSIM_DEV_PREFIX, strlen(SVMSIM_DEV_PREFIX));
}

/* Read /proc/@pid/maps: a new array, or NULL (the task is gone). */
static struct run_vma *read_maps(pid_t pid, unsigned int *n, uint64_t *pages)
{
	char path[64], line[512], perms[8], file[256];
	struct run_vma *v = NULL, *nv;
	unsigned int cap = 0;
	unsigned long long a, b;
	FILE *f;

	*n = 0;
	*pages = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		file[0] = 0;
		if (sscanf(line, "%llx-%llx %7s %*s %*s %*s %255s", &a, &b, perms, file) < 3)
			continue;
		if (!readable(perms, file) || b <= a)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[*n].start = a;
		v[*n].end = b;
		(*n)++;
		*pages += (b - a) / PG;
	}
	fclose(f);
	return v;
}

/* Thread 0: refresh the maps of live address spaces read too long ago. */
static void refresh_maps(struct run_state *s)
{
	uint64_t now = run_now_ns(), old = (uint64_t)s->o.maps_ms * 1000000ull, pages;
	struct run_vma *v, *gone;
	struct run_mm *m;
	unsigned int n;
	pid_t rep;

	for (;;) {
		pthread_rwlock_rdlock(&s->lock);
		for (m = s->mms; m; m = m->next)
			if (m->live && m->bound && now - m->maps_ns >= old)
				break;
		rep = m ? m->rep : 0;
		pthread_rwlock_unlock(&s->lock);
		if (!m)
			return;
		/* @m is never freed before exit; the list only grows at its head. */
		v = read_maps(rep, &n, &pages);
		pthread_rwlock_wrlock(&s->lock);
		gone = m->vmas;
		m->vmas = v;
		m->nvmas = v ? n : 0;
		m->pages = v ? pages : 0;
		m->maps_ns = now;
		pthread_rwlock_unlock(&s->lock);
		free(gone);
	}
}

static struct run_mm *mm_by_id(struct run_state *s, unsigned int id)
{
	struct run_mm *m;

	for (m = s->mms; m; m = m->next)
		if (m->id == id)
			return m->live && m->bound && m->nvmas ? m : NULL;
	return NULL;
}

/* A live, bound address space with known mappings, uniformly; or NULL. */
static struct run_mm *pick_mm(struct run_shadow *sh)
{
	struct run_state *s = sh->s;
	unsigned int n = 0, k;
	struct run_mm *m;

	for (m = s->mms; m; m = m->next)
		n += m->live && m->bound && m->nvmas;
	if (!n)
		return NULL;
	k = (unsigned int)(rnd(sh) % n);
	for (m = s->mms; m; m = m->next)
		if (m->live && m->bound && m->nvmas && !k--)
			return m;
	return NULL;
}

/* A page of @m, uniformly over its readable pages; the bytes left in its mapping. */
static uint64_t pick_page(struct run_shadow *sh, struct run_mm *m, uint64_t *left)
{
	uint64_t k = rnd(sh) % m->pages;
	unsigned int i;

	for (i = 0; i < m->nvmas; i++) {
		uint64_t np = (m->vmas[i].end - m->vmas[i].start) / PG;

		if (k < np) {
			*left = m->vmas[i].end - (m->vmas[i].start + k * PG);
			return m->vmas[i].start + k * PG;
		}
		k -= np;
	}
	*left = 0;
	return 0;
}

/* One device read, under s->lock (read). */
static void one_op(struct run_shadow *sh)
{
	struct run_state *s = sh->s;
	struct run_recent *r;
	struct run_mm *m = NULL;
	uint64_t addr = 0, left = 0, len;
	int ret;

	if (sh->nrecent && rnd(sh) % 2) {
		r = &sh->recent[rnd(sh) % sh->nrecent];
		m = mm_by_id(s, r->mm_id);
		addr = r->addr;
		left = s->o.chunk * PG;
	}
	if (!m) {
		m = pick_mm(sh);
		if (!m)
			return;
		addr = pick_page(sh, m, &left);
		if (!left)
			return;
	}
	len = left < s->o.chunk * PG ? left : s->o.chunk * PG;
	ret = svmsim_dma_read(m->fd, m->pasid, (const void *)(uintptr_t)addr, sh->buf, len);
	sh->ops++;
	if (!ret) {
		sh->recent[sh->next].mm_id = m->id;
		sh->recent[sh->next].addr = addr;
		sh->next = (sh->next + 1) % RUN_RECENT;
		if (sh->nrecent < RUN_RECENT)
			sh->nrecent++;
	} else if (ret == -EFAULT || ret == -EACCES || ret == -EIO || ret == -EHOSTUNREACH) {
		sh->faults++;	/* unmapped or protected since; EIO: the sanitizer stopped it */
	} else if (ret != -ESRCH && ret != -EINVAL && ret != -EINTR && ret != -EAGAIN) {
		sh->errors++;
	}
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ull),
			       .tv_nsec = (long)(t % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void *shadow_main(void *arg)
{
	struct run_shadow *sh = arg;
	struct run_state *s = sh->s;
	uint64_t period = 1000000000ull / (s->o.rate ? s->o.rate : 1), next = run_now_ns();

	while (!s->stop) {
		if (!sh->idx)
			refresh_maps(s);
		pthread_rwlock_rdlock(&s->lock);
		one_op(sh);
		pthread_rwlock_unlock(&s->lock);
		next += period;
		if (run_now_ns() > next + 1000000000ull)	/* far behind: do not catch up */
			next = run_now_ns();
		sleep_until(next);
	}
	return NULL;
}

/**
 * run_shadow_start() - start the shadow threads (none with --threads 0)
 * @s: the state.
 *
 * Return: 0 or -1.
 */
int run_shadow_start(struct run_state *s)
{
	unsigned int i;

	if (!s->o.threads || !s->o.rate)
		return 0;
	shadows = calloc(s->o.threads, sizeof(*shadows));
	if (!shadows)
		return -1;
	for (i = 0; i < s->o.threads; i++) {
		shadows[i].s = s;
		shadows[i].idx = i;
		shadows[i].rng = 0x9e3779b97f4a7c15ull * (i + 1) ^ run_now_ns();
		shadows[i].buf = malloc(s->o.chunk * PG);
		if (!shadows[i].buf || pthread_create(&shadows[i].th, NULL, shadow_main, &shadows[i])) {
			run_warn("cannot start the shadow");
			s->stop = 1;
			while (i--)
				pthread_join(shadows[i].th, NULL);
			return -1;
		}
	}
	return 0;
}

/**
 * run_shadow_stop() - stop and join the shadow threads; sum their counts
 * @s: the state.
 */
void run_shadow_stop(struct run_state *s)
{
	unsigned int i;

	s->stop = 1;
	if (!shadows)
		return;
	for (i = 0; i < s->o.threads; i++) {
		pthread_join(shadows[i].th, NULL);
		s->shadow_ops += shadows[i].ops;
		s->shadow_faults += shadows[i].faults;
		s->shadow_errors += shadows[i].errors;
		free(shadows[i].buf);
	}
	free(shadows);
	shadows = NULL;
}
