// SPDX-License-Identifier: GPL-2.0
/*
 * The coherence checker: see checker.h for the protocol.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "checker.h"
#include "pagemap.h"

#define HDR_WORDS	3	/* struct page_hdr */
#define CHILD_FINDINGS	8	/* reported in full per child; all are counted */

const char *const violation_names[V_NR] = {
	[V_STALE_READ]		= "stale_read",
	[V_WRONG_PAGE]		= "wrong_page",
	[V_LOST_WRITE]		= "lost_write",
	[V_UNMAPPED_DMA]	= "unmapped_dma",
	[V_READONLY_WRITE]	= "readonly_write",
	[V_CHILD_WRITE]		= "child_write",
	[V_SOFTCLEAN_WRITE]	= "softclean_write",
};

/* One change a cow child saw in its copy of a page. */
struct child_finding {
	uint32_t region;
	uint32_t page;
	uint32_t word;		/* < HDR_WORDS: a header field; else slot word - HDR_WORDS */
	uint64_t gen;		/* the page's generation in the child's snapshot */
	uint64_t before;
	uint64_t after;
};

/* Written by a cow child, read by its parent once it is reaped. */
struct child_report {
	uint64_t total;
	uint32_t n;
	struct child_finding f[CHILD_FINDINGS];
};

static const char *const hdr_fields[HDR_WORDS] = { "header gen", "header region", "header page" };

int checker_init(struct checker *ck, struct region_table *t, const char *workload,
		 unsigned int nmutators, unsigned int max_reports)
{
	memset(ck, 0, sizeof(*ck));
	ck->workload = workload;
	ck->t = t;
	ck->max_reports = max_reports;
	ck->nchild = nmutators;
	ck->child = mmap(NULL, nmutators * sizeof(*ck->child), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ck->child == MAP_FAILED) {
		ck->child = NULL;
		return -errno;
	}
	return 0;
}

void checker_destroy(struct checker *ck)
{
	if (ck->child)
		munmap(ck->child, ck->nchild * sizeof(*ck->child));
	ck->child = NULL;
}

uint64_t checker_violations(struct checker *ck)
{
	uint64_t n = 0;
	unsigned int v;

	for (v = 0; v < V_NR; v++)
		n += atomic_load(&ck->violations[v]);
	return n;
}

static enum region_state state_of(uint64_t state)
{
	return (enum region_state)(state & 0xff);
}

/* Values compare in 32 bits: a device thread makes fewer than 2^32 writes a run. */
static uint64_t ack_pack(uint64_t gen, uint64_t value)
{
	return gen << 32 | (uint32_t)value;
}

/* Print the first max_reports problems in full; count them all. */
static bool checker_may_print(struct checker *ck)
{
	uint64_t n = atomic_fetch_add(&ck->printed, 1);

	if (!ck->max_reports || n < ck->max_reports)
		return true;
	if (n == ck->max_reports)
		fprintf(stderr, "svmbench: further violations and faults are counted, not printed "
			"(--max-reports)\n");
	return false;
}

__attribute__((format(printf, 5, 6)))
static void checker_violation(struct checker *ck, enum violation v, const struct region *r,
			      size_t page, const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	atomic_fetch_add(&ck->violations[v], 1);
	if (!checker_may_print(ck))
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	fprintf(stderr, "svmbench: VIOLATION %s: workload %s, op %s, addr %p (region %u page %zu): %s\n",
		violation_names[v], ck->workload, atomic_load(&r->op), map_page(&r->map, page),
		r->index, page, detail);
}

static void checker_unexpected(struct checker *ck, const char *what, const void *addr,
			       const char *why, int err)
{
	const char *name = strerrorname_np(-err);

	atomic_fetch_add(&ck->unexpected, 1);
	if (checker_may_print(ck))
		fprintf(stderr, "svmbench: unexpected fault: %s at %p failed with %s%s\n",
			what, addr, name ? name : "an unknown error", why);
}

void checker_observe(const struct region *r, size_t page, struct dma_obs *o)
{
	o->state = atomic_load(&r->state);
	o->published = atomic_load(&r->published[page]);
	o->keep = atomic_load(&r->keep);
}

/* The DMA ran inside one operation that keeps the contents: its keep. */
static uint64_t within_keep(const struct dma_obs *a, const struct dma_obs *b)
{
	return a->keep == b->keep ? a->keep : 0;
}

/* The page held one published generation for all of the DMA: its value. */
static uint64_t stable_gen(const struct dma_obs *a, const struct dma_obs *b)
{
	return a->published == b->published ? a->published : 0;
}

/* The region stayed in one state for all of the DMA: that state. */
static bool stable_in(const struct dma_obs *a, const struct dma_obs *b, enum region_state st)
{
	return a->state == b->state && state_of(a->state) == st;
}

static void checker_judge_fault(struct checker *ck, struct region *r, size_t page,
				const char *what, const struct dma_obs *a,
				const struct dma_obs *b, int ret)
{
	char desc[96];

	if (ret == -EAGAIN) {
		atomic_fetch_add(&ck->retries, 1);
		return;
	}
	if ((ret == -EFAULT || ret == -EACCES) && !stable_in(a, b, RS_MAPPED))
		return;		/* busy, unmapped or read-only: the device may fault */
	snprintf(desc, sizeof(desc), "device %s (region %u page %zu)", what, r->index, page);
	checker_unexpected(ck, desc, map_page(&r->map, page),
			   stable_in(a, b, RS_MAPPED) ? " while the region was mapped and writable" :
			   "", ret);
}

/* A read inside an operation that keeps the contents (@keep: 0 if not). */
static void checker_judge_read_during(struct checker *ck, struct region *r, size_t page,
				      uint64_t keep, const struct page_hdr *h)
{
	if (!keep)
		return;
	if (h->region_id != r->map.id || h->page_index != page)
		checker_violation(ck, V_WRONG_PAGE, r, page,
				  "during the operation the device read header {gen %llu, region "
				  "%llu, page %llu}, expected this page's", (unsigned long long)h->gen,
				  (unsigned long long)h->region_id, (unsigned long long)h->page_index);
	else if (h->gen < keep)
		checker_violation(ck, V_STALE_READ, r, page,
				  "during the operation the device read gen %llu, older than the "
				  "gen %llu the page held before it", (unsigned long long)h->gen,
				  (unsigned long long)keep);
}

void checker_judge_read(struct checker *ck, struct region *r, size_t page,
			const struct dma_obs *before, int ret, const struct page_hdr *h)
{
	struct dma_obs after;
	uint64_t gen;

	checker_observe(r, page, &after);
	if (ret) {
		checker_judge_fault(ck, r, page, "read", before, &after, ret);
		return;
	}
	if (stable_in(before, &after, RS_UNMAPPED))
		checker_violation(ck, V_UNMAPPED_DMA, r, page,
				  "expected a fault, a device read succeeded while the region was "
				  "unmapped (read gen %llu, region gen %llu)",
				  (unsigned long long)h->gen, (unsigned long long)atomic_load(&r->gen));
	gen = stable_gen(before, &after);
	if (!gen) {
		checker_judge_read_during(ck, r, page, within_keep(before, &after), h);
		return;
	}
	if (h->region_id != r->map.id || h->page_index != page)
		checker_violation(ck, V_WRONG_PAGE, r, page,
				  "device read header {gen %llu, region %llu, page %llu}, expected "
				  "{gen %llu, region %llu, page %zu}%s", (unsigned long long)h->gen,
				  (unsigned long long)h->region_id, (unsigned long long)h->page_index,
				  (unsigned long long)gen, (unsigned long long)r->map.id, page,
				  h->region_id ? "" : " (a zero page: a stale translation of the page "
				  "before the CPU wrote it)");
	else if (h->gen < gen)
		checker_violation(ck, V_STALE_READ, r, page,
				  "expected gen %llu, device read gen %llu (a stale translation)",
				  (unsigned long long)gen, (unsigned long long)h->gen);
}

void checker_judge_write(struct checker *ck, struct region *r, size_t page, unsigned int tid,
			 uint64_t value, const struct dma_obs *before, int ret)
{
	struct dma_obs after;
	uint64_t gen;

	checker_observe(r, page, &after);
	if (ret) {
		checker_judge_fault(ck, r, page, "write", before, &after, ret);
		return;
	}
	if (stable_in(before, &after, RS_UNMAPPED))
		checker_violation(ck, V_UNMAPPED_DMA, r, page,
				  "expected a fault, a device write succeeded while the region was "
				  "unmapped (region gen %llu)", (unsigned long long)atomic_load(&r->gen));
	if (stable_in(before, &after, RS_READONLY))
		checker_violation(ck, V_READONLY_WRITE, r, page,
				  "expected a fault, a device write succeeded while the region was "
				  "read-only (region gen %llu)", (unsigned long long)atomic_load(&r->gen));
	if (stable_in(before, &after, RS_SOFTCLEAN))
		atomic_store(&r->softclean[page], after.state);
	gen = stable_gen(before, &after);
	if (gen)
		atomic_store(&r->acks[page * ck->t->ndev + tid], ack_pack(gen, value));
	gen = within_keep(before, &after);
	if (gen)
		atomic_store(&r->op_acks[page * ck->t->ndev + tid], ack_pack(gen, value));
}

void checker_prefetch_failed(struct checker *ck, const void *addr, int ret)
{
	if (ret == -EAGAIN)
		atomic_fetch_add(&ck->retries, 1);
	else
		checker_unexpected(ck, "device prefetch", addr, " of a mapped region", ret);
}

/*
 * Every write of @acks (per page and device thread) acknowledged in @gen
 * must be seen in page @page now; @when says when they were acknowledged.
 */
static void checker_acks(struct checker *ck, struct region *r, _Atomic uint64_t *acks,
			 size_t page, uint64_t gen, const char *when)
{
	unsigned int t;

	for (t = 0; gen && t < ck->t->ndev; t++) {
		uint64_t ack = atomic_load(&acks[page * ck->t->ndev + t]);
		uint64_t seen = *map_slot(&r->map, page, t);

		if (ack && ack >> 32 == (uint32_t)gen && seen < (uint32_t)ack)
			checker_violation(ck, V_LOST_WRITE, r, page,
					  "device thread %u's write of %u was acknowledged %s gen "
					  "%llu, the CPU sees %llu (a device write the CPU never sees)",
					  t, (uint32_t)ack, when, (unsigned long long)gen,
					  (unsigned long long)seen);
	}
}

/*
 * The owner is about to change @r with @op (NULL: keep the name; the final
 * check): busy, nothing published, and the acknowledged writes checked.
 * If the operation @preserves the contents, accesses during it are judged
 * too, against the generation the region holds now.
 */
void checker_begin(struct checker *ck, struct region *r, const char *op, bool preserves)
{
	size_t k;

	if (op)
		atomic_store(&r->op, op);
	checker_set_state(r, RS_BUSY);
	for (k = 0; k < r->map.npages; k++)
		checker_acks(ck, r, r->acks, k, atomic_exchange(&r->published[k], 0), "at");
	if (preserves)
		atomic_store(&r->keep, atomic_load(&r->gen));
}

void checker_set_state(struct region *r, enum region_state st)
{
	uint64_t old = atomic_load(&r->state);

	atomic_store(&r->state, ((old >> 8) + 1) << 8 | st);
}

void checker_publish_page(struct region *r, size_t page, uint64_t gen)
{
	atomic_store(&r->published[page], gen);
}

/* The change is done and every page stamped with r->gen: publish it. */
int checker_end(struct checker *ck, struct region *r)
{
	uint64_t keep = atomic_exchange(&r->keep, 0);
	size_t k;

	/* (cleared first: a write recorded now completed before this point) */
	for (k = 0; keep && k < r->map.npages; k++)
		checker_acks(ck, r, r->op_acks, k, keep, "during the operation from");

	for (k = 0; k < r->map.npages; k++)
		checker_publish_page(r, k, atomic_load(&r->gen));
	checker_set_state(r, RS_MAPPED);
	return region_publish(ck->t, r);
}

/* ---- cow children ---- */

static size_t page_words(const struct checker *ck)
{
	return HDR_WORDS + ck->t->ndev;
}

size_t checker_child_words(const struct checker *ck)
{
	return ck->t->n + (size_t)ck->t->n * ck->t->regions[0].map.npages * page_words(ck);
}

/* Word @w of page @k as the CPU reads it: header fields, then slots. */
static uint64_t page_word(const struct region *r, size_t k, size_t w)
{
	if (w < HDR_WORDS)
		return ((volatile uint64_t *)map_hdr(&r->map, k))[w];
	return *map_slot(&r->map, k, (unsigned int)(w - HDR_WORDS));
}

/*
 * Which regions the child can watch: its parent's region being written,
 * and every other one that was mapped and stable at the fork (the child's
 * copy of the state word is from that instant; one busy may be unmapped).
 */
static bool child_watches(const struct region *r, const struct region *own)
{
	return r == own || state_of(atomic_load(&r->state)) == RS_MAPPED;
}

/* In the child, just after fork. */
void checker_child_start(struct checker *ck, const struct region *own, uint64_t *buf)
{
	size_t pw = page_words(ck), i, k, w;
	uint64_t *p = buf + ck->t->n;

	for (i = 0; i < ck->t->n; i++) {
		const struct region *r = &ck->t->regions[i];

		buf[i] = child_watches(r, own);
		for (k = 0; buf[i] && k < r->map.npages; k++)
			for (w = 0; w < pw; w++)
				p[(i * r->map.npages + k) * pw + w] = page_word(r, k, w);
	}
}

static void child_note(struct child_report *rep, const struct region *r, size_t k, size_t w,
		       const uint64_t *snap, uint64_t now)
{
	if (rep->n < CHILD_FINDINGS)
		rep->f[rep->n++] = (struct child_finding){
			.region = r->index, .page = (uint32_t)k, .word = (uint32_t)w,
			.gen = snap[0], .before = snap[w], .after = now,
		};
	rep->total++;
}

/* In the child, once the parent has finished: 0, or 1 if anything changed. */
int checker_child_end(struct checker *ck, unsigned int mutator, const uint64_t *buf)
{
	struct child_report *rep = &ck->child[mutator];
	size_t pw = page_words(ck), i, k, w;
	const uint64_t *p = buf + ck->t->n;

	rep->n = 0;
	rep->total = 0;
	for (i = 0; i < ck->t->n; i++) {
		const struct region *r = &ck->t->regions[i];

		for (k = 0; buf[i] && k < r->map.npages; k++) {
			const uint64_t *snap = &p[(i * r->map.npages + k) * pw];

			for (w = 0; w < pw; w++) {
				uint64_t now = page_word(r, k, w);

				if (now != snap[w])
					child_note(rep, r, k, w, snap, now);
			}
		}
	}
	return rep->total ? 1 : 0;
}

/* In the parent: count and print what the child saw. */
void checker_child_reaped(struct checker *ck, unsigned int mutator, int wstatus)
{
	struct child_report *rep = &ck->child[mutator];
	uint32_t i;

	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) > 1) {
		atomic_fetch_add(&ck->unexpected, 1);
		if (checker_may_print(ck))
			fprintf(stderr, "svmbench: the cow child watching the pages died (wait "
				"status %#x)\n", wstatus);
		return;
	}
	for (i = 0; WEXITSTATUS(wstatus) && i < rep->n; i++) {
		const struct child_finding *f = &rep->f[i];
		struct region *r = &ck->t->regions[f->region];
		char what[32];

		if (f->word < HDR_WORDS)
			snprintf(what, sizeof(what), "%s", hdr_fields[f->word]);
		else
			snprintf(what, sizeof(what), "device thread %u's slot", f->word - HDR_WORDS);
		checker_violation(ck, V_CHILD_WRITE, r, f->page,
				  "the forked child's copy changed after fork: %s %llu -> %llu, "
				  "child gen %llu (a device write landed in the child's page)", what,
				  (unsigned long long)f->before, (unsigned long long)f->after,
				  (unsigned long long)f->gen);
	}
	if (WEXITSTATUS(wstatus) && rep->total > rep->n)
		atomic_fetch_add(&ck->violations[V_CHILD_WRITE], rep->total - rep->n);
}

/* ---- soft-dirty ---- */

/* End of @r's RS_SOFTCLEAN interval: each page a DMA write hit must be soft-dirty. */
void checker_softclean_end(struct checker *ck, struct region *r)
{
	uint64_t state = atomic_load(&r->state), e;
	int pm = pagemap_open();
	size_t k;

	for (k = 0; pm >= 0 && k < r->map.npages; k++) {
		if (atomic_load(&r->softclean[k]) != state)
			continue;
		e = pagemap_entry(pm, map_page(&r->map, k));
		if ((e & PM_PRESENT) && !(e & PM_SOFT_DIRTY))
			checker_violation(ck, V_SOFTCLEAN_WRITE, r, k,
					  "a device write succeeded after clear_refs, the page is "
					  "not soft-dirty (pagemap %#llx): it skipped the write fault",
					  (unsigned long long)e);
	}
	if (pm >= 0)
		close(pm);
}
