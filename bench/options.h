/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmbench's command line.  One table of option descriptors (options.c)
 * makes the getopt_long table, --help, the defaults and the "was it set"
 * bits: a setting the command line did not give is known by its bit in
 * options.set, never by an in-band value.
 */
#ifndef _SVMBENCH_OPTIONS_H
#define _SVMBENCH_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MAX_THREADS		64
#define MAX_DEVICE_THREADS	64
#define DEFAULT_ITERATIONS	1000
#define MAX_FANOUT_DEVICES	8	/* --devices */

enum fanout { FANOUT_SERIAL, FANOUT_PARALLEL, FANOUT_NR };

enum out_format { FMT_CSV, FMT_JSON };

/* Every option, in --help's order (options.c's table). */
enum opt_id {
	OPT_WORKLOAD, OPT_ITERATIONS, OPT_DURATION, OPT_PAGES, OPT_OP_PAGES, OPT_REGIONS,
	OPT_CACHED, OPT_HUGE, OPT_LAYOUT,
	OPT_THREADS, OPT_LOCKSTEP, OPT_DEVICE_THREADS, OPT_PIN,
	OPT_BACKEND,
	OPT_DEVICE, OPT_DEVICES, OPT_FANOUT, OPT_MODEL, OPT_FILL, OPT_FLUSH_MODE, OPT_LATENCY,
	OPT_QI_BATCH, OPT_QI_COALESCE, OPT_THRESHOLD,
	OPT_FLUSH_BUDGET, OPT_TLB_SETS, OPT_TLB_WAYS, OPT_TLB_POLICY, OPT_PSI, OPT_PAGE_DESCS,
	OPT_LAT_TAIL, OPT_QI_DEPTH, OPT_QI_TIMEOUT, OPT_QI_LOSE, OPT_INJECT,
	OPT_FILL_DELAY, OPT_SANITIZE,
	OPT_BASELINE, OPT_NO_BASELINE, OPT_PAUSE, OPT_SEED, OPT_ALLOW_VIOLATIONS,
	OPT_MAX_REPORTS, OPT_STOP_ON_DETECT,
	OPT_VALIDATE, OPT_BUDGET, OPT_CLEAN_OPS, OPT_MODES, OPT_BUGS,
	OPT_FORMAT, OPT_OUT, OPT_APPEND, OPT_LABEL, OPT_HIST_OUT, OPT_COLUMNS, OPT_HELP,
	OPT_NR
};

struct backend;
struct workload;

struct options {
	const struct backend *backend;	/* --backend (backend.h) */
	const struct workload *workload;
	uint64_t iterations;		/* total bound operations; 0 with a duration */
	double duration;		/* seconds; 0 with iterations */
	unsigned int threads;
	unsigned int device_threads;	/* default: 1, or 0 on a backend that cannot read */
	unsigned int pages;		/* per region */
	unsigned int op_pages;		/* dontneed: pages per operation; 0: all */
	unsigned int regions;
	unsigned int cached;		/* ballast pages kept in the TLB */
	uint32_t model;			/* enum svmsim_model; DEFAULT: the device's */
	uint32_t fill;			/* enum svmsim_fill; DEFAULT: the device's */
	/* Device settings: applied only if given (opt_set()), else the device's. */
	uint32_t flush_mode;		/* enum svmsim_flush_mode */
	uint32_t tlb_policy;		/* enum svmsim_repl */
	bool psi;			/* SVMSIM_CONFIG_PSI */
	bool page_descs;		/* SVMSIM_CONFIG_PAGE_DESCS */
	uint64_t latency_ns;
	uint32_t qi_batch;
	uint32_t threshold;
	uint32_t flush_budget;
	uint32_t tlb_sets;
	uint32_t tlb_ways;
	uint32_t lat_tail_pct;		/* --lat-tail PCT:MULT (device faults) */
	uint32_t lat_tail_mult;
	uint32_t qi_depth;
	uint64_t qi_timeout_ns;
	uint32_t qi_lose_pct;
	uint64_t qi_coalesce_ns;	/* --qi-coalesce-ns */
	uint64_t seed;
	bool pin;
	bool lockstep;			/* mutators start each iteration together */
	unsigned int device;
	unsigned int devices;		/* --devices: the mm bound to this many */
	uint32_t fanout;		/* enum fanout */
	bool huge;
	uint32_t layout;		/* enum layout (mapping.h) */
	uint32_t inject;		/* enum svmsim_bug */
	uint32_t inject_param;
	uint32_t fill_delay_us;
	bool sanitize;			/* bind with SVMSIM_BIND_SANITIZE */
	bool stop_on_detect;		/* end the run at the first violation or report */
	bool validate;			/* svmbench --validate (validate.h) */
	double validate_budget;		/* seconds of workload per cell */
	uint64_t validate_clean_ops;	/* device operations of the clean run, per mode */
	unsigned int validate_modes;	/* 1 << enum vmode */
	uint64_t validate_bugs;		/* 1 << enum svmsim_bug; bit 0: the clean run */
	bool baseline;
	bool allow_violations;
	unsigned int pause_us;
	unsigned int max_reports;	/* violation lines printed; 0: all */
	uint32_t format;		/* enum out_format */
	const char *out;		/* NULL: stdout */
	bool append;
	const char *label;		/* a name for the run, or NULL */
	const char *hist_out;		/* latency histograms appended there, or NULL */
	uint64_t set[(OPT_NR + 63) / 64];	/* a bit per enum opt_id given */
};

/* Was option @id given on the command line? */
static inline bool opt_set(const struct options *o, enum opt_id id)
{
	return o->set[id / 64] >> (id % 64) & 1;
}

/* 0: run; 1: --help or --columns was printed; 2: usage error (printed). */
int options_parse(struct options *o, int argc, char **argv);

struct field;

bool options_value(const struct options *o, enum opt_id id, struct field *f);

/* --help's text (README.md's "svmbench's options" holds a copy). */
void options_usage(FILE *f);

#endif /* _SVMBENCH_OPTIONS_H */
