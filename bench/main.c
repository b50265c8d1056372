// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench: what each mm operation costs an SVA device, and proof that the
 * device never sees a stale page.  See --help, and the headers of bench/:
 *
 *   options    the command line          workload*  the timed operations
 *   baseline   unbound peer processes    mapping    region memory
 *   region     the RCU table of regions  checker    the coherence protocol
 *   device     device threads, DMA       mutator    mutator threads
 *   backend*   the device: svmsim,       kstats     the module's statistics
 *              dmirror, null
 *   hist       latency histograms        report     CSV / JSON output
 *   sysinfo    machine facts             bench.h    what one run shares
 *   clock.h, pin.h (and svmsim/rng.h): time, CPU pinning, random numbers
 *
 * Order matters: the baseline peers are forked first, before the device
 * is opened and before any thread exists; then the device is configured,
 * the regions mapped, the process bound; the device statistics are reset
 * just before device and mutator threads start, and read when they end.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "clock.h"
#include "detect.h"
#include "kstats.h"
#include "mutator.h"
#include "report.h"
#include "validate.h"
#include "workload.h"

#define EXIT_VIOLATIONS	1
#define EXIT_SETUP	2
#define EXIT_UNAVAIL	77
#define PROGRESS_AFTER	2000000000ull	/* ns: short runs stay quiet */
#define PROGRESS_EVERY	1000000000ull

/* 0, or why this machine cannot run the workload (exit 77). */
static int check_available(const struct options *o, const struct sysinfo *si)
{
	const char *lacks = backend_check(o->backend, o);

	if (o->workload->needs_numa && si->nnodes < 2) {
		fprintf(stderr, "svmbench: %s needs two NUMA nodes; this machine has %u: "
			"unavailable\n", o->workload->name, si->nnodes);
		return EXIT_UNAVAIL;
	}
	if (lacks) {
		fprintf(stderr, "svmbench: --backend %s: %s: unavailable\n", o->backend->name,
			lacks);
		return EXIT_UNAVAIL;
	}
	if (o->huge && !si->thp) {
		fprintf(stderr, "svmbench: --huge: transparent huge pages are disabled here: "
			"unavailable\n");
		return EXIT_UNAVAIL;
	}
	return 0;
}

static int setup_fail(const char *what, int err)
{
	fprintf(stderr, "svmbench: %s: %s\n", what, strerror(-err));
	return err;
}

/* Device, regions, ballast, checker, bind.  Return: 0 or -errno (printed). */
static int setup(struct bench *b)
{
	const struct options *o = b->o;
	int ret = backend_open(&b->dev, o, o->backend);

	if (ret)
		return ret;
	ret = regions_create(&b->table, o);
	if (ret)
		return setup_fail("mapping the regions", ret);
	if (o->cached) {
		ret = map_create(&b->ballast, 0, o->cached, false, -1, NULL);
		if (ret)
			return setup_fail("mapping the ballast", ret);
	}
	ret = checker_init(&b->ck, &b->table, o->workload->name, o->threads, o->max_reports);
	if (ret)
		return setup_fail("checker", ret);
	b->devices = (struct device_pool){ .dev = &b->dev, .t = &b->table, .ck = &b->ck };
	return backend_bind(&b->dev, o);
}

/* --stop-on-detect: poll the judges; at the first detection, stop the run. */
static void watch(struct bench *b, struct detect *det, uint64_t elapsed)
{
	if (det->on && detect_poll(det, &b->dev, &b->ck, elapsed,
				   atomic_load(&b->ops_done)))
		atomic_store(&b->stop, true);
}

static void progress(struct bench *b, struct detect *det)
{
	const struct options *o = b->o;
	uint64_t next = PROGRESS_AFTER, elapsed;

	while (atomic_load(&b->running)) {
		sleep_ns(DETECT_POLL_NS);
		elapsed = now_ns() - b->start_ns;
		watch(b, det, elapsed);
		if (elapsed < next)
			continue;
		next += PROGRESS_EVERY;
		fprintf(stderr, "svmbench: %s: %llu", o->workload->name,
			(unsigned long long)atomic_load(&b->ops_done));
		if (o->iterations)
			fprintf(stderr, "/%llu ops, %.1f s", (unsigned long long)o->iterations,
				elapsed / 1e9);
		else
			fprintf(stderr, " ops, %.1f/%.1f s", elapsed / 1e9, o->duration);
		fprintf(stderr, ", %llu violations\n",
			(unsigned long long)checker_violations(&b->ck));
	}
}

static int start_devices(struct bench *b)
{
	unsigned int i, n = b->o->device_threads;
	int cpus[MAX_DEVICE_THREADS];

	for (i = 0; i < n; i++)
		cpus[i] = bench_cpu(b, b->o->threads + i);
	return device_pool_start(&b->devices, n, b->o->pin ? cpus : NULL, b->o->seed);
}

/* Every region checked one last time, as before a change. */
static void final_check(struct bench *b)
{
	unsigned int i;

	for (i = 0; i < b->table.n; i++)
		checker_begin(&b->ck, &b->table.regions[i], NULL, false);
}

static void collect(struct bench *b, struct results *res)
{
	unsigned int i;

	for (i = 0; i < b->o->threads; i++) {
		hist_merge(res->bound, b->mut[i].lat);
		res->failures += b->mut[i].failures;
		res->failures_unbound += b->mut[i].failures_unbound;
		res->discarded += b->mut[i].discarded;
		res->discarded_unbound += b->mut[i].discarded_unbound;
	}
	for (i = 0; i < b->devices.n; i++) {
		res->dev_reads += b->devices.th[i].reads;
		res->dev_writes += b->devices.th[i].writes;
	}
	for (i = 0; i < V_NR; i++)
		res->violations[i] = atomic_load(&b->ck.violations[i]);
	res->unexpected = atomic_load(&b->ck.unexpected);
	res->retries = atomic_load(&b->ck.retries);
	res->ops = atomic_load(&b->ops_done);
}

/*
 * Mark the regions that are not a VMA of their own now (none with --layout
 * guarded); looked at when the measured interval starts and ends.
 */
static void check_layout(struct bench *b, bool *merged)
{
	if (merged)
		maps_merged(&b->table.regions[0].map, sizeof(b->table.regions[0]), b->table.n,
			    merged);
}

static uint64_t count_merged(const bool *merged, unsigned int n)
{
	uint64_t count = 0;
	unsigned int i;

	for (i = 0; merged && i < n; i++)
		count += merged[i];
	return count;
}

/* The measured interval: statistics reset, threads run, statistics read. */
static int measure(struct bench *b, struct results *res)
{
	bool *merged = calloc(b->table.n, sizeof(*merged));
	int ret, err;

	check_layout(b, merged);
	ret = backend_can(b->dev.be, BE_STATS) ? kstats_reset(b->dev.fd) : 0;
	if (ret) {
		free(merged);
		return ret;
	}
	b->start_ns = now_ns();
	b->deadline_ns = b->start_ns + (uint64_t)(b->o->duration * 1e9);
	ret = start_devices(b);
	if (ret)
		return setup_fail("starting device threads", ret);
	res->det.on = b->o->stop_on_detect;
	ret = mutators_start(b);
	if (!ret)
		progress(b, &res->det);
	err = mutators_join(b);
	res->elapsed_s = (now_ns() - b->start_ns) / 1e9;
	device_pool_stop(&b->devices);
	check_layout(b, merged);
	res->merged_regions = count_merged(merged, b->table.n);
	res->merged_known = merged != NULL;
	free(merged);
	if (ret || err)
		return ret ? setup_fail("starting mutator threads", ret) : err;
	final_check(b);
	watch(b, &res->det, now_ns() - b->start_ns);
	collect(b, res);
	return backend_can(b->dev.be, BE_STATS) ? kstats_read(b->dev.fd, &res->k) : 0;
}

static int exit_status(const struct results *res)
{
	uint64_t violations = 0;
	unsigned int v;

	for (v = 0; v < V_NR; v++)
		violations += res->violations[v];
	if ((violations && !res->o->allow_violations) || res->unexpected)
		return EXIT_VIOLATIONS;
	return 0;
}

static int run(struct bench *b, struct results *res)
{
	int ret = setup(b);

	if (!ret)
		ret = measure(b, res);
	backend_close(&b->dev);
	if (baseline_stop(&b->bl, res->unbound) && !ret) {
		fprintf(stderr, "svmbench: a baseline peer failed\n");
		ret = -1;
	}
	if (!ret)
		ret = report_write(res);
	if (!ret && b->o->hist_out)
		ret = report_hists(res);
	if (!ret)
		report_summary(res);
	return ret ? EXIT_SETUP : exit_status(res);
}

static void cleanup(struct bench *b, struct results *res)
{
	mutators_free(b);
	free(b->devices.th);
	checker_destroy(&b->ck);
	map_destroy(&b->ballast);
	regions_destroy(&b->table);
	kstats_free(&res->k);
	hist_free(res->bound);
	hist_free(res->unbound);
}

int main(int argc, char **argv)
{
	static struct bench b;
	struct results res = { 0 };
	struct options o;
	struct sysinfo si;
	int ret = options_parse(&o, argc, argv);

	if (ret)
		return ret == 1 ? 0 : EXIT_SETUP;
	sysinfo_read(&si);
	if (o.validate)
		return validate_main(&o, &si, "/proc/self/exe");
	ret = check_available(&o, &si);
	if (ret)
		return ret;
	signal(SIGPIPE, SIG_IGN);	/* a dead peer is an error, not a kill */
	b.o = &o;
	b.si = &si;
	b.dev.fd = -1;
	b.ballast.window_fd = -1;
	res = (struct results){ .o = &o, .si = &si, .dev = &b.dev };
	res.bound = hist_new(HIST_SUB_BITS, HIST_MAX_NS);
	res.unbound = o.baseline ? hist_new(HIST_SUB_BITS, HIST_MAX_NS) : NULL;
	if (!res.bound || (o.baseline && !res.unbound))
		return EXIT_SETUP;
	/* first, while this process is alone: the unbound peers */
	if (baseline_start(&b.bl, &o, &si)) {
		baseline_stop(&b.bl, NULL);
		return EXIT_SETUP;
	}
	rcu_register_thread();
	ret = run(&b, &res);
	cleanup(&b, &res);
	rcu_unregister_thread();
	return ret;
}
