/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The coherence checker: proves that the device never sees a stale page.
 *
 * Generations.  Each region has a generation the CPU stamps into every
 * page header after each change.  Per page, the checker publishes the
 * generation the CPU stamped, or 0 while the page is being changed.  A
 * device access brackets its DMA with observations of the page's
 * published generation and the region's state word; it judges only what
 * happened entirely within one stable interval (same published generation,
 * non-zero; or the same state epoch), so a correct driver can never be
 * blamed for a change racing the DMA:
 *
 *  - stale read: a DMA read of the header returned a generation older
 *    than the one published throughout the DMA;
 *  - wrong page: ... or the header of another region or page;
 *  - lost write: device thread t's DMA write of value v into its slot
 *    completed within published generation g, so it was acknowledged as
 *    (g, v); when the region is next changed, the mutator first marks it
 *    busy and reads the slot through the CPU: if it holds less than v, the
 *    write went to a page the CPU no longer maps.  Acknowledgements carry
 *    their generation so one recorded late is never held against the next;
 *  - unmapped DMA: a DMA succeeded while the region stayed unmapped
 *    (between munmap and mmap) for all of it;
 *  - read-only write: a DMA write succeeded while the region stayed
 *    read-only (between mprotect(PROT_READ) and its undoing) for all of it;
 *  - child write: after fork the child snapshots its copies of the pages
 *    (the region being written and every region mapped and stable), and
 *    when the parent has finished its iteration it looks again: the device
 *    must never have written them;
 *  - soft-clean write: a DMA write succeeded while the region stayed
 *    soft-clean (after clear_refs "4" returned, before the CPU wrote it),
 *    yet pagemap does not show the page soft-dirty at the end of that
 *    interval: the device wrote through a translation that skipped the
 *    write fault which marks the page.  Only clear_refs clears the bit
 *    and the softdirty workload runs it under a lock, with the check, so
 *    no other clear_refs can intervene.
 *
 * During an operation that keeps the contents (migrate, mprotect, cow:
 * struct workload.preserves) the checker also judges what happens while
 * it runs, where the rules above see only a busy region.  The owner
 * records the region's generation before the operation (its "keep"), and
 * a device access that observed the same keep before and after its DMA
 * ran entirely inside that one operation:
 *
 *  - a read must return this page's header with the old generation or a
 *    newer one (the CPU stamps the new one before the operation ends):
 *    another page's header is a wrong page, an older generation a stale
 *    read;
 *  - a write acknowledged then is recorded apart, and when the operation
 *    ends the owner, having cleared the keep first, reads the slot through
 *    the CPU: less than the value is a lost write -- one that landed, say,
 *    on the source page after migration copied it.
 *
 * No false positive, by construction: the generation and the slot are
 * the page's contents, which the operation keeps, so a coherent device
 * can only see them as before or as the CPU set them since; a write
 * counts only if its DMA completed before the device's second look saw
 * the keep still set, hence before the owner cleared it and read the
 * slot (sequentially consistent atomics order the two); a record the
 * owner misses is a check skipped, never a false alarm.  Each device
 * thread writes increasing values into its own slot only, so any later
 * value there includes the one acknowledged.
 *
 * A DMA error is legitimate while the region is busy, unmapped or
 * read-only; EAGAIN is retryable; any other error, or a fault while the
 * region stayed mapped and writable, is an unexpected fault (counted and
 * reported apart; not a coherence violation).
 */
#ifndef _SVMBENCH_CHECKER_H
#define _SVMBENCH_CHECKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "region.h"

enum violation {
	V_STALE_READ,
	V_WRONG_PAGE,
	V_LOST_WRITE,
	V_UNMAPPED_DMA,
	V_READONLY_WRITE,
	V_CHILD_WRITE,
	V_SOFTCLEAN_WRITE,
	V_NR
};

extern const char *const violation_names[V_NR];

struct child_report;

struct checker {
	const char *workload;
	struct region_table *t;
	unsigned int max_reports;
	_Atomic uint64_t violations[V_NR];
	_Atomic uint64_t unexpected;	/* unexpected faults */
	_Atomic uint64_t retries;	/* EAGAIN */
	_Atomic uint64_t printed;
	struct child_report *child;	/* shared with cow children, one per mutator */
	unsigned int nchild;
};

/* What a device access saw of its page just before (or after) the DMA. */
struct dma_obs {
	uint64_t state;
	uint64_t published;
	uint64_t keep;
};

int checker_init(struct checker *ck, struct region_table *t, const char *workload,
		 unsigned int nmutators, unsigned int max_reports);
void checker_destroy(struct checker *ck);
uint64_t checker_violations(struct checker *ck);

/* Device side. */
void checker_observe(const struct region *r, size_t page, struct dma_obs *o);
void checker_judge_read(struct checker *ck, struct region *r, size_t page,
			const struct dma_obs *before, int ret, const struct page_hdr *h);
void checker_judge_write(struct checker *ck, struct region *r, size_t page, unsigned int tid,
			 uint64_t value, const struct dma_obs *before, int ret);
void checker_prefetch_failed(struct checker *ck, const void *addr, int ret);

/* Mutator side. */
void checker_begin(struct checker *ck, struct region *r, const char *op, bool preserves);
void checker_set_state(struct region *r, enum region_state st);
void checker_publish_page(struct region *r, size_t page, uint64_t gen);
int checker_end(struct checker *ck, struct region *r);
void checker_softclean_end(struct checker *ck, struct region *r);

/* cow children: @buf holds checker_child_words() words. */
size_t checker_child_words(const struct checker *ck);
void checker_child_start(struct checker *ck, const struct region *own, uint64_t *buf);
int checker_child_end(struct checker *ck, unsigned int mutator, const uint64_t *buf);
void checker_child_reaped(struct checker *ck, unsigned int mutator, int wstatus);

#endif /* _SVMBENCH_CHECKER_H */
