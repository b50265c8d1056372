// SPDX-License-Identifier: GPL-2.0
/*
 * The unbound baseline peers: see baseline.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "baseline.h"
#include "mapping.h"
#include "options.h"
#include "pin.h"
#include "sysinfo.h"
#include "workload.h"

struct peer_req {
	uint32_t region;	/* the peer's own index: region = peer + index * threads */
	uint32_t workload;	/* workload_index() of the operation */
	uint64_t gen;
};

struct peer_rep {
	int32_t status;		/* 0 or -errno */
	uint32_t pad;
	uint64_t failures;
	uint64_t discarded;	/* samples that timed something else */
};

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);	/* <= PIPE_BUF: all or nothing */

	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EPIPE;
}

/* Regions of mutator @id: id, id + T, id + 2T, ... */
static unsigned int owned_regions(const struct options *o, unsigned int id)
{
	return (o->regions - id + o->threads - 1) / o->threads;
}

/* The peer's regions, laid out as the bound process lays out its own. */
static int peer_map(const struct options *o, unsigned int id, struct region_map *maps,
		    struct region_arena *arena)
{
	unsigned int j, n = owned_regions(o, id);
	int ret = arena_create(arena, o->layout, n, o->pages, o->huge);

	for (j = 0; !ret && j < n; j++)
		ret = map_create(&maps[j], id + j * o->threads + 1, o->pages, o->huge,
				 o->workload->window ? (int)o->device : -1, arena_slot(arena, j));
	return ret;
}

static int peer_serve(const struct options *o, const struct sysinfo *si, struct region_map *maps,
		      unsigned int nmaps, struct peer *self)
{
	const struct workload *w;
	struct peer_req req;
	struct peer_rep rep = { 0 };
	struct mutation m;

	while (!read_full(self->req, &req, sizeof(req))) {
		w = workload_by_index(req.workload);
		if (!w || !w->mutate || req.region >= nmaps)
			return -EINVAL;
		m = (struct mutation){
			.map = &maps[req.region], .gen = req.gen, .pause_us = o->pause_us,
			.op_pages = o->op_pages,
			.nodes = si->nodes, .lat = self->hist,
		};
		rep.status = w->mutate(&m);
		rep.failures = m.failures;
		rep.discarded = m.discarded;
		if (write_full(self->rep, &rep, sizeof(rep)))
			return -EPIPE;
	}
	return 0;	/* EOF: the bench is done */
}

/* The peer process: map, say ready (or why not), serve until EOF. */
static _Noreturn void peer_main(const struct options *o, const struct sysinfo *si,
				unsigned int id, struct peer *self)
{
	struct region_map *maps = calloc(owned_regions(o, id), sizeof(*maps));
	struct peer_rep ready = { .status = maps ? 0 : -ENOMEM };
	struct region_arena arena = { 0 };

	pin_self(pin_cpu(o->pin, id, si->vcpus));
	if (!ready.status)
		ready.status = peer_map(o, id, maps, &arena);
	if (write_full(self->rep, &ready, sizeof(ready)) || ready.status)
		_exit(2);
	_exit(peer_serve(o, si, maps, owned_regions(o, id), self) ? 2 : 0);
}

static int peer_start(struct baseline *b, const struct options *o, const struct sysinfo *si,
		      unsigned int id)
{
	struct peer *p = &b->peers[id];
	int req[2], rep[2];
	unsigned int j;

	if (pipe(req))
		return -errno;
	if (pipe(rep)) {
		close(req[0]);
		close(req[1]);
		return -errno;
	}
	p->pid = fork();
	if (p->pid < 0) {
		int err = -errno;

		close(req[0]);
		close(req[1]);
		close(rep[0]);
		close(rep[1]);
		return err;
	}
	if (!p->pid) {
		for (j = 0; j < id; j++) {	/* other peers' EOF must not wait for us */
			close(b->peers[j].req);
			close(b->peers[j].rep);
		}
		close(req[1]);
		close(rep[0]);
		p->req = req[0];
		p->rep = rep[1];
		peer_main(o, si, id, p);
	}
	close(req[0]);
	close(rep[1]);
	p->req = req[1];
	p->rep = rep[0];
	return 0;
}

static int peer_ready(struct peer *p, unsigned int id)
{
	struct peer_rep ready;
	int ret = read_full(p->rep, &ready, sizeof(ready));

	if (!ret)
		ret = ready.status;
	if (ret)
		fprintf(stderr, "svmbench: baseline peer %u could not set up its regions: %s\n",
			id, strerror(-ret));
	return ret;
}

/**
 * baseline_start() - fork the peers (call before anything else exists)
 * @b: out.
 * @o: the options.
 * @si: the machine.
 *
 * Return: 0 or -errno (printed).
 */
int baseline_start(struct baseline *b, const struct options *o, const struct sysinfo *si)
{
	size_t one = hist_bytes(HIST_SUB_BITS, HIST_MAX_NS);
	unsigned int i;
	int ret = 0;

	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	if (!o->baseline)
		return 0;
	b->on = true;
	b->shm_len = one * o->threads;
	b->shm = mmap(NULL, b->shm_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	b->peers = calloc(o->threads, sizeof(*b->peers));
	if (b->shm == MAP_FAILED || !b->peers) {
		fprintf(stderr, "svmbench: baseline: out of memory\n");
		return -ENOMEM;
	}
	for (i = 0; !ret && i < o->threads; i++) {
		b->peers[i].hist = hist_init((char *)b->shm + i * one, HIST_SUB_BITS, HIST_MAX_NS);
		ret = peer_start(b, o, si, i);
		if (!ret)
			b->n++;
	}
	for (i = 0; !ret && i < b->n; i++)
		ret = peer_ready(&b->peers[i], i);
	return ret;
}

/*
 * Ask peer @peer to do @op on its region @region; wait for it.  Its op
 * failures and discarded samples are added to *@failures and *@discarded.
 */
int baseline_op(struct baseline *b, unsigned int peer, unsigned int region,
		const struct workload *op, uint64_t gen, uint64_t *failures, uint64_t *discarded)
{
	struct peer *p = &b->peers[peer];
	struct peer_req req = { .region = region, .workload = workload_index(op), .gen = gen };
	struct peer_rep rep;
	int ret = write_full(p->req, &req, sizeof(req));

	if (!ret)
		ret = read_full(p->rep, &rep, sizeof(rep));
	if (ret)
		return ret;
	*failures += rep.failures;
	*discarded += rep.discarded;
	return rep.status;
}

/*
 * Tell the peers to finish, reap them, and add their latencies to @merged
 * (may be NULL).  Return: 0, or -ECHILD if a peer failed.
 */
int baseline_stop(struct baseline *b, struct hist *merged)
{
	unsigned int i;
	int ret = 0, wstatus;

	for (i = 0; i < b->n; i++) {
		close(b->peers[i].req);
		close(b->peers[i].rep);
		if (waitpid(b->peers[i].pid, &wstatus, 0) < 0 || !WIFEXITED(wstatus) ||
		    WEXITSTATUS(wstatus))
			ret = -ECHILD;
		if (merged)
			hist_merge(merged, b->peers[i].hist);
	}
	b->n = 0;
	free(b->peers);
	b->peers = NULL;
	if (b->shm && b->shm != MAP_FAILED)
		munmap(b->shm, b->shm_len);
	b->shm = NULL;
	return ret;
}

/* Any number of operations of one side at a time, never of both. */
void side_enter(struct baseline *b, enum side s)
{
	if (!b->on)
		return;
	pthread_mutex_lock(&b->lock);
	while (b->active[!s])
		pthread_cond_wait(&b->cond, &b->lock);
	b->active[s]++;
	pthread_mutex_unlock(&b->lock);
}

void side_leave(struct baseline *b, enum side s)
{
	if (!b->on)
		return;
	pthread_mutex_lock(&b->lock);
	if (!--b->active[s])
		pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
}
