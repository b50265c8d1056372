// SPDX-License-Identifier: GPL-2.0
/*
 * What each mm operation costs the device, for one model (--model): the
 * invalidation callbacks it triggers by event, the entries they removed
 * (collateral apart), and the in-kernel callback latency (median, from the
 * device histograms) -- DESIGN.md's callback table, measured through this
 * driver.  Checks that every operation on 64 cached pages removes exactly
 * those 64 entries and is attributed to the event the kernel names, and
 * what a munmap that splits a VMA costs each model (op_split()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "lib.h"
#include "svmsim/loglin.h"
#include "svmsim/names.h"

#define NP 64

static struct dev d;

/* Median of the device's per-event histograms merged, in ns. */
static uint64_t kernel_median(void)
{
	static uint64_t sum[SVMSIM_HIST_NBUCKETS], b[SVMSIM_HIST_NBUCKETS];
	struct svmsim_hist h;
	uint64_t count = 0, min = UINT64_MAX, max = 0;

	memset(sum, 0, sizeof(sum));
	for (uint32_t ev = 0; ev < SVMSIM_EV_NR; ev++) {
		if (svmsim_hist(d.fd, SVMSIM_HIST_EVENT, ev, b, SVMSIM_HIST_NBUCKETS, &h) ||
		    !h.count)
			continue;
		count += h.count;
		min = h.min_ns < min ? h.min_ns : min;
		max = h.max_ns > max ? h.max_ns : max;
		for (unsigned int i = 0; i < SVMSIM_HIST_NBUCKETS; i++)
			sum[i] += b[i];
	}
	if (!count)
		return 0;
	return loglin_percentile(sum, SVMSIM_HIST_NBUCKETS, count, LOGLIN_PPM / 2,
				 SVMSIM_HIST_SUB_BITS, min, max);
}

/* A cached 64-page region with data, and the device stats reset. */
static char *prepare(void)
{
	char *p = map_anon(NP * PG, PROT_READ | PROT_WRITE);
	struct svmsim_stats st;

	madvise(p, NP * PG, MADV_NOHUGEPAGE);
	fill_pattern(p, NP * PG, 1);
	svmsim_prefetch(d.fd, d.pasid, p, NP * PG);
	svmsim_stats(d.fd, 0, true, &st);
	return p;
}

/* Print the row; check @want entries removed, all of them as @want_event. */
/*
 * @batched: the kernel may defer the op's TLB flushes into one batch, and
 * 6.12 then tells the secondary TLB 0..ULONG_MAX (arch_tlbbatch_add_pending):
 * the entries it removes beyond the page being unmapped are collateral, so
 * the check counts every entry removed.  Whether it batches depends on the
 * CPUs the mm has run on.
 */
static void report_n(const char *op, uint32_t want_event, uint64_t want, bool batched)
{
	struct svmsim_stats st;
	char events[256] = "";
	size_t n = 0;
	uint64_t entries;

	svmsim_stats(d.fd, 0, false, &st);
	for (uint32_t ev = 0; ev < SVMSIM_EV_NR; ev++)
		if (st.ev_calls[ev])
			n += (size_t)snprintf(events + n, sizeof(events) - n, " %s:%llu/%llu",
					      svmsim_event_names[ev],
					      (unsigned long long)st.ev_calls[ev],
					      (unsigned long long)(st.ev_entries[ev] - st.ev_collateral[ev]));
	entries = st.counters[SVMSIM_STAT_TLB_FLUSHED] - st.counters[SVMSIM_STAT_TLB_COLLATERAL];
	tap_diag("%-9s %-10s calls %3llu, entries %3llu (+%llu collateral), full %llu, median %6llu ns;"
		 " event:calls/entries%s", svmsim_model_names[opt.model], op,
		 (unsigned long long)st.counters[SVMSIM_STAT_INV_CALLS], (unsigned long long)entries,
		 (unsigned long long)st.counters[SVMSIM_STAT_TLB_COLLATERAL],
		 (unsigned long long)st.counters[SVMSIM_STAT_TLB_FULL_FLUSHES],
		 (unsigned long long)kernel_median(), events);
	if (batched) {
		entries = st.counters[SVMSIM_STAT_TLB_FLUSHED];
		st.ev_collateral[want_event] = 0;
	}
	tap_ok(entries == want && st.ev_entries[want_event] - st.ev_collateral[want_event] == want,
	       "%s: %s removes %llu entries, as event %s%s", model_name(), op,
	       (unsigned long long)want, svmsim_event_names[want_event],
	       batched ? " (a batched flush may take some as collateral)" : "");
}

static void report_batched(const char *op, uint32_t want_event, bool batched)
{
	char what[64];

	snprintf(what, sizeof(what), "%s of %d cached pages", op, NP);
	report_n(what, want_event, NP, batched);
}

static void report(const char *op, uint32_t want_event)
{
	report_batched(op, want_event, false);
}

static void op_munmap(void)
{
	char *p = prepare();

	munmap(p, NP * PG);
	report("munmap", SVMSIM_EV_UNMAP);
}

static void op_dontneed(void)
{
	char *p = prepare();

	madvise(p, NP * PG, MADV_DONTNEED);
	report("dontneed", SVMSIM_EV_CLEAR);
	munmap(p, NP * PG);
}

static void op_mprotect(void)
{
	char *p = prepare();

	mprotect(p, NP * PG, PROT_READ);
	report("mprotect", SVMSIM_EV_PROTECTION_VMA);
	munmap(p, NP * PG);
}

/* Fork write-protects (flushing), then the parent's writes COW each page. */
static void op_cow(void)
{
	char *p = prepare();
	pid_t pid = fork();

	if (!pid) {
		sleep(2);
		_exit(0);
	}
	report("fork", SVMSIM_EV_PROTECTION_PAGE);
	svmsim_prefetch(d.fd, d.pasid, p, NP * PG);
	{
		struct svmsim_stats st;

		svmsim_stats(d.fd, 0, true, &st);
	}
	for (int i = 0; i < NP; i++)
		p[(size_t)i * PG] = 2;
	report("cow-write", SVMSIM_EV_CLEAR);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	munmap(p, NP * PG);
}

static void op_migrate(void)
{
	char *p;
	int to;

	if (numa_nodes() < 2) {
		tap_skip("%s: migrate needs two NUMA nodes", model_name());
		return;
	}
	p = prepare();
	to = node_of(p) == 0 ? 1 : 0;
	move_to_node(p, NP, to);
	report_batched("migrate", SVMSIM_EV_CLEAR, true);
	munmap(p, NP * PG);
}

/*
 * A munmap that splits a larger VMA.  Before splitting, the kernel checks
 * for a huge PMD at the split point, and __split_huge_pmd() brackets the
 * whole 2M around it with a CLEAR invalidate_range_start/only_end before it
 * looks -- even when no huge page is there.  The range model must flush
 * that 2M (it cannot tell an empty bracket); the secondary model never
 * hears of it (only_end skips invalidate_range; 6.12 flushes no TLB).  So a
 * 16-page hole costs the range model the 496 neighbours in its 2M window.
 * Either way the neighbours must still read their data through the device.
 */
#define SPLIT_WIN	512		/* pages in the 2M window */
#define SPLIT_AT	200		/* hole start, pages into the window */
#define SPLIT_NP	16		/* hole size: under 6.12's 33-page full-flush limit */

static void op_split(void)
{
	static const char what[] = "munmap of 16 pages inside a VMA (split)";
	size_t len = 2 * SPLIT_WIN * PG, tail = len - (SPLIT_AT + SPLIT_NP) * PG;
	char *p = map_2m_aligned(len, MADV_NOHUGEPAGE);
	char *hole = p + SPLIT_AT * PG, *back = hole + SPLIT_NP * PG;
	char *a = malloc(SPLIT_AT * PG), *b = malloc(tail);
	struct svmsim_stats st;
	uint64_t v;

	fill_pattern(p, len, 5);
	svmsim_prefetch(d.fd, d.pasid, p, len);
	svmsim_stats(d.fd, 0, true, &st);
	munmap(hole, SPLIT_NP * PG);
	if (opt.model == SVMSIM_MODEL_RANGE)
		report_n(what, SVMSIM_EV_CLEAR, SPLIT_WIN, false);
	else
		report_n(what, SVMSIM_EV_UNMAP, SPLIT_NP, false);
	tap_ok(!dma_read(&d, p, a, SPLIT_AT * PG) && !dma_read(&d, back, b, tail) &&
	       !memcmp(a, p, SPLIT_AT * PG) && !memcmp(b, back, tail) &&
	       dma_read_u64(&d, hole, &v) == -EFAULT,
	       "%s: after the split the device reads both sides' data, the hole faults",
	       model_name());
	free(a);
	free(b);
	munmap(p, len);
}

/* Read a whole text file (debugfs, tracefs) into a static buffer. */
static const char *slurp(const char *path)
{
	static char buf[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = 0;
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

static void put(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(s, f);
		fclose(f);
	}
}

/* debugfs and the tracepoints show what the device did. */
static void test_observability(void)
{
	const char *tr = "/sys/kernel/tracing";
	char path[128], *p;
	const char *t;

	t = slurp("/sys/kernel/debug/svmsim/svmsim0");
	tap_ok(strstr(t, "entries_flushed") && strstr(t, "bond pasid") && strstr(t, "config:"),
	       "%s: debugfs shows the config, counters and bonds", model_name());
	snprintf(path, sizeof(path), "%s/events/svmsim/enable", tr);
	put(path, "1");
	snprintf(path, sizeof(path), "%s/trace", tr);
	put(path, "");
	p = prepare();
	munmap(p, NP * PG);
	t = slurp(path);
	tap_ok(strstr(t, "svmsim_invalidate") && strstr(t, "svmsim_fill") && strstr(t, "svmsim_dma"),
	       "%s: the svmsim_invalidate, _fill and _dma tracepoints fire", model_name());
	snprintf(path, sizeof(path), "%s/events/svmsim/enable", tr);
	put(path, "0");
}

static void body(void)
{
	dev_setup(&d);
	test_observability();
	op_munmap();
	op_dontneed();
	op_mprotect();
	op_cow();
	op_migrate();
	op_split();
	dev_close(&d);
}

int main(int argc, char **argv)
{
	parse_opts(argc, argv);
	return run_variants(VARY_MODEL, body);
}
