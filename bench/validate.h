/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmbench --validate: the catalogue of injectable driver bugs (enum
 * svmsim_bug) run against the workloads most likely to expose each, and
 * the correct driver ("none") run long enough to show it clean.
 *
 *   vcatalogue.c  which cells (workload, model, options) each bug gets, and
 *                 why a bug that never acted could not (its kernel path)
 *   vcell.c       one cell: svmbench re-executed with --stop-on-detect,
 *                 its JSON row read back (jsonget.c)
 *   vexit.c       the skip_release cell: a bound child that exits
 *   verdict.c     a cell's outcome, and a bug's over its cells
 *   vreport.c     the table (stdout), CSV and JSON
 *   validate.c    the order of it all, and the exit status
 *
 * A cell is a bug x workload x model x mode run for at most --budget
 * seconds of workload; a bug stops, per model and mode, at its first
 * detection (its later cells are not run).  Modes say how the bond is
 * bound: noref+san (the faithful mode: no page held, the sanitizer on),
 * ref+san, ref (the coherence checker alone).
 */
#ifndef _SVMBENCH_VALIDATE_H
#define _SVMBENCH_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "uapi/svmsim.h"

struct options;
struct sysinfo;

enum vmode { VM_NOREF_SAN, VM_REF_SAN, VM_REF, VM_NR };

struct vmode_desc {
	const char *name;
	uint32_t fill;
	bool sanitize;
};

extern const struct vmode_desc vmodes[VM_NR];

#define VM_DEFAULT	(1u << VM_NOREF_SAN | 1u << VM_REF_SAN)
#define M_SEC		(1u << SVMSIM_MODEL_SECONDARY)
#define M_RANGE		(1u << SVMSIM_MODEL_RANGE)
#define M_BOTH		(M_SEC | M_RANGE)
#define VCELLS		4
#define VEXIT		"exit"		/* the workload name of vexit.c's cell */

/* One workload a bug is tried on: svmbench options beside the common ones. */
struct vcell {
	const char *workload;
	unsigned int models;		/* M_*: where this cell applies */
	const char *args;		/* space-separated, or NULL */
	double min_s;			/* a budget of at least this (slow cells) */
};

struct vbug {
	uint32_t bug;			/* enum svmsim_bug */
	unsigned int models;		/* M_*, as the module's rules */
	bool queued;			/* needs --flush-mode queued (in the cells' args) */
	bool change_pte;		/* needs a kernel with ->change_pte */
	bool sanitizer_only;		/* nothing the checker can observe */
	const char *needs;		/* the kernel path it needs (not reached: why) */
	const char *harmless;		/* acted, caught nothing, and why that is right */
	unsigned int harmless_models;	/* M_* where @harmless holds; 0: every model */
	struct vcell cells[VCELLS];
};

const struct vbug *vcatalogue(uint32_t bug);

/* What one cell ended as. */
enum voutcome {
	VO_CAUGHT,		/* detected: by checker, sanitizer or both */
	VO_MISSED,		/* the bug acted (injected > 0), nothing caught it */
	VO_UNDETECTED,		/* ... in this cell, but a later cell caught it */
	VO_HARMLESS,		/* ... and the catalogue says why that is right */
	VO_NOT_REACHED,		/* injected stayed 0 */
	VO_NA,			/* the bug does not exist on this kernel */
	VO_UNAVAILABLE,		/* the workload cannot run here (exit 77) */
	VO_ERROR,		/* svmbench failed, no result */
	VO_CLEAN,		/* "none": no violation, report or unexpected fault */
	VO_DIRTY,		/* "none": any of them */
	VO_NR
};

extern const char *const voutcome_names[VO_NR];

/* One cell run and what it measured. */
struct vrun {
	const struct vbug *b;
	const struct vcell *c;
	enum vmode mode;
	uint32_t model;
	double budget_s;
	int status;			/* svmbench's exit status; -1: killed */
	bool have;			/* its JSON row was read */
	char detected_by[16];
	double detect_s;
	uint64_t detect_ops;
	uint64_t detect_dev_ops;
	double elapsed_s;
	uint64_t ops;
	uint64_t dev_ops;		/* DMA ioctls of the run */
	uint64_t injected;
	uint64_t san_stale;
	uint64_t san_checks;
	uint64_t violations;
	uint64_t unexpected;
	enum voutcome outcome;
};

struct vconfig {
	const struct options *o;
	const struct sysinfo *si;
	const char *self;		/* this program, to re-execute */
	double budget_s;		/* per cell */
	uint64_t clean_ops;		/* device operations the clean run must reach */
	unsigned int modes;		/* 1 << enum vmode */
	uint64_t bugs;			/* 1 << enum svmsim_bug */
	uint32_t features;		/* SVMSIM_FEAT_* of the module */
};

/* vcell.c, vexit.c */
int vcell_run(const struct vconfig *cfg, struct vrun *r, const char *extra);
int vexit_run(const struct vconfig *cfg, struct vrun *r);

/* verdict.c */
enum voutcome verdict_cell(const struct vrun *r);
enum voutcome verdict_group(const struct vrun *runs, unsigned int n);
bool verdict_fails(enum voutcome o);

/* vreport.c */
struct vresults {
	const struct vconfig *cfg;
	struct vrun *runs;
	unsigned int n, cap;
	uint64_t clean_dev_ops[VM_NR];
	double wall_s;
};

void vreport_table(const struct vresults *res);
void vreport_totals(const struct vresults *res);
int vreport_files(const struct vresults *res, const char *prefix, bool pass);

int validate_main(const struct options *o, const struct sysinfo *si, const char *self);

#endif /* _SVMBENCH_VALIDATE_H */
