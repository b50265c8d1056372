// SPDX-License-Identifier: GPL-2.0
/*
 * Mutator threads: see mutator.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "mutator.h"
#include "pin.h"
#include "svmsim/rng.h"
#include "workload.h"

/*
 * fork() in a process using call_rcu: its helper threads must be quiet.
 * Both sides' after-fork duties wait for the parent's timed writes: the
 * parent's in hook_forked() (call_rcu_after_fork_parent() sleeps until the
 * threads run again), the child's in hook_child_start() (it starts one).
 */
static pid_t rcu_fork(void)
{
	call_rcu_before_fork();
	return fork();
}

static void hook_forked(void *arg)
{
	(void)arg;
	call_rcu_after_fork_parent();
}

/* ---- what the workload tells the checker (struct mutation_hooks) ---- */

/* false: a prefetch failed (EAGAIN), the op would flush less than it should */
static bool hook_prepare(void *arg)
{
	struct mutator *m = arg;
	struct bench *b = m->b;
	int ret = device_prefetch(&b->dev, &b->ck, m->cur->map.base, map_len(&m->cur->map));

	return !(device_prefetch(&b->dev, &b->ck, b->ballast.base, map_len(&b->ballast)) | ret);
}

static void hook_state(void *arg, enum region_state st)
{
	struct mutator *m = arg;

	checker_set_state(m->cur, st);
}

static void hook_stamped(void *arg, size_t page)
{
	struct mutator *m = arg;

	checker_publish_page(m->cur, page, m->gen);
}

static void hook_softclean_end(void *arg)
{
	struct mutator *m = arg;

	checker_softclean_end(&m->b->ck, m->cur);
}

static void hook_child_start(void *arg)
{
	struct mutator *m = arg;

	call_rcu_after_fork_child();
	checker_child_start(&m->b->ck, m->cur, m->child_buf);
}

static int hook_child_end(void *arg)
{
	struct mutator *m = arg;

	return checker_child_end(&m->b->ck, m->id, m->child_buf);
}

static void hook_reaped(void *arg, int wstatus)
{
	struct mutator *m = arg;

	checker_child_reaped(&m->b->ck, m->id, wstatus);
}

static const struct mutation_hooks bound_hooks = {
	.prepare = hook_prepare,
	.state = hook_state,
	.stamped = hook_stamped,
	.softclean_end = hook_softclean_end,
	.fork = rcu_fork,
	.forked = hook_forked,
	.child_start = hook_child_start,
	.child_end = hook_child_end,
	.reaped = hook_reaped,
};

/* ---- one iteration ---- */

static int mutator_failed(const struct workload *op, const char *side, int err)
{
	fprintf(stderr, "svmbench: %s (%s): %s\n", op->op, side, strerror(-err));
	return err;
}

/*
 * The bound side: the checker told, the operation (which has the region
 * and the ballast cached in the device TLB first, untimed), publication,
 * and a read-back through the device.
 */
static int mutate_bound(struct mutator *m, struct region *r, const struct workload *op,
			uint64_t gen)
{
	struct bench *b = m->b;
	struct mutation mu = {
		.map = &r->map, .gen = gen, .pause_us = b->o->pause_us, .nodes = b->si->nodes,
		.op_pages = b->o->op_pages,
		.lat = m->lat, .hooks = &bound_hooks, .arg = m,
	};
	int ret;

	checker_begin(&b->ck, r, op->op, op->preserves);
	m->cur = r;
	m->gen = gen;
	side_enter(&b->bl, SIDE_BOUND);
	ret = op->mutate(&mu);
	side_leave(&b->bl, SIDE_BOUND);
	if (ret)
		return mutator_failed(op, "bound", ret);
	m->failures += mu.failures;
	m->discarded += mu.discarded;
	atomic_store(&r->gen, gen);
	ret = checker_end(&b->ck, r);
	if (ret)
		return mutator_failed(op, "publishing", ret);
	device_verify(&b->dev, &b->ck, r);
	return 0;
}

/* The unbound side: the peer does the same to its copy of the region. */
static int mutate_unbound(struct mutator *m, struct region *r, const struct workload *op,
			  uint64_t gen)
{
	struct bench *b = m->b;
	int ret;

	side_enter(&b->bl, SIDE_UNBOUND);
	ret = baseline_op(&b->bl, m->id, r->index / b->o->threads, op, gen,
			  &m->failures_unbound, &m->discarded_unbound);
	side_leave(&b->bl, SIDE_UNBOUND);
	return ret ? mutator_failed(op, "unbound peer", ret) : 0;
}

/* Iteration @i: this mutator's regions in turn; sides alternate who goes first. */
static int mutator_iteration(struct mutator *m, uint64_t i)
{
	struct bench *b = m->b;
	unsigned int t = b->o->threads, own = (b->table.n - m->id + t - 1) / t;
	struct region *r = &b->table.regions[m->id + (i % own) * t];
	const struct workload *op = workload_pick(b->o->workload, &m->rng, b->si->nnodes);
	uint64_t gen = atomic_load(&r->gen) + 1;
	bool unbound_first = b->bl.on && (i & 1);
	int ret = 0;

	if (unbound_first)
		ret = mutate_unbound(m, r, op, gen);
	if (!ret)
		ret = mutate_bound(m, r, op, gen);
	if (!ret && b->bl.on && !unbound_first)
		ret = mutate_unbound(m, r, op, gen);
	return ret;
}

static bool mutator_done(const struct mutator *m, uint64_t i)
{
	const struct bench *b = m->b;

	if (atomic_load(&b->abort) || atomic_load(&b->stop))
		return true;
	return b->o->iterations ? i >= m->quota : now_ns() >= b->deadline_ns;
}

static void *mutator_main(void *arg)
{
	struct mutator *m = arg;
	struct bench *b = m->b;
	uint64_t i;

	rcu_register_thread();
	pin_self(bench_cpu(b, m->id));
	for (i = 0; !mutator_done(m, i); i++) {
		if (b->o->lockstep)
			lockstep_wait(&b->lockstep);
		m->err = mutator_iteration(m, i);
		if (m->err) {
			atomic_store(&b->abort, true);
			break;
		}
		atomic_fetch_add(&b->ops_done, 1);
	}
	if (b->o->lockstep)
		lockstep_leave(&b->lockstep);
	atomic_fetch_sub(&b->running, 1);
	rcu_unregister_thread();
	return NULL;
}

static int mutator_init(struct mutator *m, struct bench *b, unsigned int id)
{
	const struct options *o = b->o;

	m->id = id;
	m->b = b;
	m->rng = rng_seed(o->seed, id);
	m->quota = o->iterations / o->threads + (id < o->iterations % o->threads);
	m->lat = hist_new(HIST_SUB_BITS, HIST_MAX_NS);
	if (o->workload->forks)
		m->child_buf = calloc(checker_child_words(&b->ck), sizeof(uint64_t));
	return !m->lat || (o->workload->forks && !m->child_buf) ? -ENOMEM : 0;
}

/* Start the mutator threads (b->start_ns and b->deadline_ns set). */
int mutators_start(struct bench *b)
{
	unsigned int i, n = b->o->threads;
	int ret = 0;

	b->mut = calloc(n, sizeof(*b->mut));
	if (!b->mut)
		return -ENOMEM;
	for (i = 0; !ret && i < n; i++)
		ret = mutator_init(&b->mut[i], b, i);
	if (ret)
		return ret;
	if (b->o->lockstep)
		lockstep_init(&b->lockstep, n, &b->abort, &b->stop);
	atomic_store(&b->running, n);
	for (i = 0; i < n; i++) {
		ret = -pthread_create(&b->mut[i].thread, NULL, mutator_main, &b->mut[i]);
		if (ret) {
			atomic_store(&b->abort, true);
			atomic_fetch_sub(&b->running, n - i);
			return ret;
		}
		b->mut[i].started = true;
	}
	return 0;
}

/* Wait for them all; the first fatal error, or 0. */
int mutators_join(struct bench *b)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; b->mut && i < b->o->threads; i++) {
		if (b->mut[i].started)
			pthread_join(b->mut[i].thread, NULL);
		b->mut[i].started = false;
		if (!ret)
			ret = b->mut[i].err;
	}
	lockstep_destroy(&b->lockstep);
	return ret;
}

void mutators_free(struct bench *b)
{
	unsigned int i;

	for (i = 0; b->mut && i < b->o->threads; i++) {
		hist_free(b->mut[i].lat);
		free(b->mut[i].child_buf);
	}
	free(b->mut);
	b->mut = NULL;
}
