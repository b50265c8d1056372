/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP (kselftest style) output for svmsim's test programs.
 *
 *	tap_plan(n);
 *	tap_ok(cond, "name %d", i);
 *	tap_diag("detail");
 *	return tap_finish();	// exit status: 0 iff every test passed
 */
#ifndef _SVMSIM_TAP_H
#define _SVMSIM_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

struct tap_state {
	int planned;
	int run;
	int failed;
	int skipped;
};

extern struct tap_state tap;

#define TAP_DEFINE_STATE struct tap_state tap

static inline void tap_plan(int n)
{
	tap.planned = n;
	printf("TAP version 13\n1..%d\n", n);
	fflush(stdout);
}

static inline void tap_vdiag(const char *fmt, va_list ap)
{
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

__attribute__((format(printf, 1, 2)))
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vdiag(fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3)))
static inline bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	tap.run++;
	if (!cond)
		tap.failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap.run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

__attribute__((format(printf, 1, 2)))
static inline void tap_skip(const char *fmt, ...)
{
	va_list ap;

	tap.run++;
	tap.skipped++;
	printf("ok %d - # SKIP ", tap.run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Print the totals; the exit status is 0 only if all planned tests passed. */
static inline int tap_finish(void)
{
	if (tap.run != tap.planned) {
		printf("# planned %d tests but ran %d\n", tap.planned, tap.run);
		tap.failed++;
	}
	printf("# totals: pass:%d fail:%d skip:%d\n",
	       tap.run - tap.failed - tap.skipped, tap.failed, tap.skipped);
	fflush(stdout);
	return tap.failed ? 1 : 0;
}

#endif /* _SVMSIM_TAP_H */
