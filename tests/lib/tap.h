/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP (kselftest style) output for svmsim's test programs.
 *
 *	tap_ok(cond, "name %d", i);
 *	tap_diag("detail");
 *	return tap_finish();	// exit status: 0 iff every test passed
 *
 * Programs count themselves: the plan ("1..N") comes last, from
 * tap_finish(), so no count is written by hand.  A program that dies
 * before tap_finish() leaves no plan and no totals line, which the suite's
 * runner treats as a failure.  tap_skip_all() ends a program that cannot
 * run here with TAP's "1..0 # SKIP reason".
 */
#ifndef _SVMSIM_TAP_H
#define _SVMSIM_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

struct tap_state {
	bool started;	/* the "TAP version" line is out */
	int run;
	int failed;
	int skipped;
};

extern struct tap_state tap;

#define TAP_DEFINE_STATE struct tap_state tap

static inline void tap_start(void)
{
	if (!tap.started)
		printf("TAP version 13\n");
	tap.started = true;
}

static inline void tap_vdiag(const char *fmt, va_list ap)
{
	tap_start();
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

	tap_start();
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

	tap_start();
	tap.run++;
	tap.skipped++;
	printf("ok %d - # SKIP ", tap.run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* The plan and the totals; the exit status is 0 only if every test passed. */
static inline int tap_finish(void)
{
	tap_start();
	printf("1..%d\n", tap.run);
	printf("# totals: pass:%d fail:%d skip:%d\n",
	       tap.run - tap.failed - tap.skipped, tap.failed, tap.skipped);
	fflush(stdout);
	return tap.failed ? 1 : 0;
}

/* Nothing can run here: say why, and end (exit status 0). */
__attribute__((format(printf, 1, 2)))
static inline int tap_skip_all(const char *fmt, ...)
{
	va_list ap;

	tap_start();
	printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n# totals: pass:0 fail:0 skip:0\n");
	fflush(stdout);
	return 0;
}

#endif /* _SVMSIM_TAP_H */
