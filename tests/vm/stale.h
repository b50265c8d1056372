/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kit of the injected-bug tests (test_inject, test_catalogue): make
 * the device cache a page, change the mm under it, and tell whether the
 * device then used a stale translation.
 *
 * Unsanitized bonds use fill=ref (a stale entry keeps its page): a stale
 * read returns the old generation 1 where the CPU now has 2.  Sanitized
 * bonds (--sanitize 1) use --fill (noref is the faithful mode): the
 * sanitizer must stop the access (EIO) and report the address, with a
 * cached PFN the CPU no longer maps or a permission it no longer grants.
 */
#ifndef _SVMSIM_TEST_STALE_H
#define _SVMSIM_TEST_STALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib.h"

void sleep_ms(long ms);

/* mm changes; the CPU then writes generation 2 into every page. */
void remap(uint64_t *p, size_t pages);		/* munmap + mmap at the same address */
void dontneed(uint64_t *p, size_t pages);	/* MADV_DONTNEED */

/* @pages pages holding generation 1, cached by the device. */
uint64_t *cached_pages(struct dev *d, size_t pages);
/*
 * Sanitized, keep the pages the mm is about to drop (so new pages differ
 * from old ones); release them before the device is checked.
 */
void hold_old_pages(uint64_t *p, size_t pages);
void release_old_pages(void);

/* Bind @d's fd with @model, the fill and sanitizer the options say. */
int bind_for_bugs(struct dev *d, uint32_t model);
/* Open device @index, bind, inject @bug. */
int bond_with(struct dev *d, unsigned int index, uint32_t model, uint32_t bug,
	      uint32_t param, uint32_t delay_us);

uint64_t san_total(const struct dev *d);

/*
 * Tests that reconfigure a device use device 1: dev1_open() opens it and
 * returns its configuration, also kept in @c0; dev1_bond() applies @c,
 * binds @model and injects @bug; restore_config() puts @c0 back once the
 * bonds are gone.
 */
struct svmsim_config dev1_open(struct dev *d, struct svmsim_config *c0);
int dev1_bond(struct dev *d, const struct svmsim_config *c, uint32_t model, uint32_t bug);
void restore_config(const struct svmsim_config *c0);	/* the device's reports ever made */

/*
 * The device's access of @p returned @ret (a read: value @v).  Caught?
 * Unsanitized: the read returned generation 1.  Sanitized: EIO, and a
 * report since @since names @p, listed in debugfs too.  With
 * stale_unflushed set the report's newest invalidation must say the
 * driver did not flush the address.
 */
extern bool stale_unflushed;
bool caught(const struct dev *d, const uint64_t *p, int ret, uint64_t v, uint64_t since);
bool san_caught(const struct dev *d, const uint64_t *p, int ret, uint64_t since);
/*
 * An off-by-one bug: of two cached pages changed by @change (@how), the
 * page @flushed must be flushed (one TAP line, @which names it) and the
 * other one stale (a second line).
 */
void check_one_page_left(uint32_t bug, const char *name, void (*change)(uint64_t *, size_t),
			 const char *how, unsigned int flushed, const char *which);
/* Read @p through the device and report the verdict as a TAP line. */
void check_stale(struct dev *d, uint64_t *p, const char *bug, const char *how);

#endif /* _SVMSIM_TEST_STALE_H */
