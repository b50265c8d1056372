/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmbench's command line.
 */
#ifndef _SVMBENCH_OPTIONS_H
#define _SVMBENCH_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_THREADS		64
#define MAX_DEVICE_THREADS	64
#define DEFAULT_ITERATIONS	1000
#define UNCHANGED		(-1)	/* a device setting the command line leaves alone */

enum out_format { FMT_CSV, FMT_JSON };

struct backend;
struct workload;

struct options {
	const struct backend *backend;	/* --backend (backend.h) */
	const struct workload *workload;
	uint64_t iterations;		/* total bound operations; 0 with a duration */
	double duration;		/* seconds; 0 with iterations */
	unsigned int threads;
	unsigned int device_threads;	/* default: 1, or 0 on a backend that cannot read */
	bool device_threads_set;
	unsigned int pages;		/* per region */
	unsigned int op_pages;		/* dontneed: pages per operation; 0: all */
	unsigned int regions;
	unsigned int cached;		/* ballast pages kept in the TLB */
	uint32_t model;			/* enum svmsim_model; DEFAULT: the device's */
	uint32_t fill;			/* enum svmsim_fill; DEFAULT: the device's */
	int flush_mode;			/* enum svmsim_flush_mode or UNCHANGED */
	int tlb_policy;			/* enum svmsim_repl or UNCHANGED */
	int psi;			/* 0, 1 (SVMSIM_CONFIG_PSI) or UNCHANGED */
	int64_t latency_ns;		/* or UNCHANGED, like the three below */
	int64_t threshold;
	int64_t flush_budget;
	int64_t tlb_sets;
	int64_t tlb_ways;
	uint64_t seed;
	bool pin;
	unsigned int device;
	bool huge;
	unsigned int layout;		/* enum layout (mapping.h) */
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
	enum out_format format;
	const char *out;		/* NULL: stdout */
	bool append;
	const char *label;		/* a name for the row, or NULL */
	const char *hist_out;		/* latency histograms appended there, or NULL */
};

/* 0: run; 1: --help or --columns was printed; 2: usage error (printed). */
int options_parse(struct options *o, int argc, char **argv);

#endif /* _SVMBENCH_OPTIONS_H */
