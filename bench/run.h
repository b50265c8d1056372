/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmsim-run: put an unmodified program on the emulated device.
 *
 *   run_main.c    options, device set-up, main()
 *   run_trace.c   the program under ptrace: each new mm bound by pid
 *   run_shadow.c  the device shadow: threads that read the bound mms
 *   run_report.c  the report at exit (text and JSON)
 *   run_record.c  --record: the invalidation stream, from a tracefs instance
 *
 * Threads: the tracer (main thread) owns the list of address spaces
 * (struct run_mm); it adds and retires them under run.lock (write), and
 * the shadow threads read the list and the mms' mappings, and do their
 * DMA, under run.lock (read).  A writer is preferred, so a bind or a
 * retire waits for at most the DMA operations in flight.
 */
#ifndef _SVMSIM_RUN_H
#define _SVMSIM_RUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "uapi/svmsim.h"

/* Exit statuses of svmsim-run besides the program's own. */
#define RUN_EXIT_SANITIZER	97	/* default of --san-exit */
#define RUN_EXIT_ERROR		125	/* svmsim-run itself failed */
#define RUN_EXIT_EXEC		127	/* the program could not be executed */

#define RUN_RECENT		64	/* addresses a shadow thread revisits, per mm */
#define RUN_MAX_REPORTS		SVMSIM_SAN_REPORTS

struct run_opts {
	unsigned int device;
	uint32_t model;
	uint32_t fill;
	bool sanitize;
	bool no_huge;
	/* device configuration: applied when any is set */
	bool set_config;
	int64_t sets, ways, policy, flush_mode, flush_threshold;
	int64_t latency_ns, max_entries, max_pasid_entries, flush_budget;
	/* the shadow */
	unsigned int threads;
	unsigned int rate;		/* DMA operations per second per thread */
	unsigned int chunk;		/* pages per operation */
	unsigned int maps_ms;		/* re-read /proc/PID/maps this often */
	/* an injected bug on every bond (tests) */
	int32_t inject_bug;
	uint32_t inject_param;
	int san_exit;
	const char *json;
	const char *report;
	const char *record;		/* --record FILE */
	bool quiet;
	char **argv;			/* PROGRAM ARGS... */
};

/* One readable mapping of a bound mm. */
struct run_vma {
	uint64_t start, end;
};

/* One address space of the program, bound to the device under a PASID. */
struct run_mm {
	struct run_mm *next;
	unsigned int id;		/* 1, 2, ... in the order bound */
	pid_t pid;			/* the task it was bound for */
	pid_t rep;			/* a live task using it (for kcmp, maps) */
	char cmd[128];			/* its program and arguments (cut) */
	unsigned int ntasks;		/* tasks known to use it */
	int fd;				/* its own fd: records are per fd and PASID */
	uint32_t pasid;
	bool bound;
	bool live;			/* not retired yet (the shadow may use it) */
	int bind_err;			/* -errno of a failed bind */
	uint64_t t_bind, t_end;		/* CLOCK_MONOTONIC ns */
	/* the shadow's view, under run.lock */
	struct run_vma *vmas;
	unsigned int nvmas;
	uint64_t pages;			/* readable pages in @vmas */
	uint64_t maps_ns;		/* when @vmas was read */
	pthread_mutex_t maps_lock;	/* one reader of /proc/PID/maps at a time */
	/* final counters, read when retired */
	struct svmsim_stats st;
	bool have_stats;
};

struct run_state {
	struct run_opts o;
	int fd;				/* /dev/svmsimN, O_RDWR: device-wide calls */
	struct svmsim_config cfg;	/* as in effect */
	pthread_rwlock_t lock;		/* see the top */
	struct run_mm *mms;		/* every mm ever bound, newest first */
	unsigned int nmms;
	unsigned int nlive;
	volatile int stop;		/* the shadow stops */
	pid_t child;			/* PROGRAM's first process */
	int status;			/* its wait status */
	bool child_done;
	uint64_t t0;
	/* device state at the start, for differences */
	struct svmsim_stats dev0;
	uint64_t san_total0;
	uint64_t (*hist0)[SVMSIM_HIST_NBUCKETS];	/* EV_NR + SZ_NR histograms */
	unsigned long shadow_ops, shadow_faults, shadow_errors;
	/* --record: run_record.c */
	FILE *rec;
	char rec_dir[256];		/* the tracefs instance */
	int rec_fd;			/* its trace_pipe */
	pthread_t rec_tid;
	int rec_stop;
	uint64_t rec_records, rec_lost;
};

uint64_t run_now_ns(void);
void run_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* run_trace.c */
int run_trace(struct run_state *s);
void run_mm_retire(struct run_state *s, struct run_mm *m);

/* run_shadow.c */
int run_shadow_start(struct run_state *s);
void run_shadow_stop(struct run_state *s);

/* run_record.c */
int run_record_start(struct run_state *s);
int run_record_stop(struct run_state *s);

/* run_report.c */
int run_snapshot(struct run_state *s);
int run_report(struct run_state *s, int *san_reports);
int run_exit_status(const struct run_state *s, bool san);

#endif /* _SVMSIM_RUN_H */
