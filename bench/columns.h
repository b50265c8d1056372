/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The columns of svmbench's output, one table per kind of row: the run's
 * row (report.c), and svmbench --validate's cell and summary rows
 * (vreport.c).  Each column has its name, type, unit, meaning and how to
 * get its value; the CSV header, the CSV and JSON rows, svmbench
 * --columns and bench/COLUMNS.md are all made from these tables, so they
 * cannot disagree.
 *
 * FORMAT_VERSION is the first column of every row: raise it whenever a
 * column is added, renamed, removed or moved, or changes type, unit or
 * meaning (tests/unit/test_columns.c holds a fingerprint of the tables'
 * names, types and units that says when).  Rows written before it existed have no format_version column.
 */
#ifndef _SVMBENCH_COLUMNS_H
#define _SVMBENCH_COLUMNS_H

#include <stdbool.h>
#include <stdio.h>

#include "row.h"

#define FORMAT_VERSION	5

enum col_type {
	C_STR,		/* a string */
	C_U64,		/* an unsigned integer */
	C_F64,		/* a decimal number (.decimals places) */
	C_BOOL,		/* "true" or "false" (a string in JSON too, as always) */
	C_JSON,		/* a JSON object, in JSON rows only */
};

struct results;
struct vresults;
struct vrun;
struct sysinfo;

/* What a getter reads: the tables' rows share it. */
struct colctx {
	const struct sysinfo *si;
	const struct results *res;	/* the run's row */
	const char *events;		/* ... its events object, JSON */
	const struct vresults *vres;	/* --validate rows */
	const struct vrun *run;		/* ... a cell's */
	bool pass;			/* ... the summary's verdict */
};

struct column {
	const char *name;
	enum col_type type;
	int decimals;			/* C_F64 */
	const char *unit;		/* "ns", "s", "pages", ...; "-" for none */
	const char *meaning;
	/* Fill @f's value (f->kind is set from .type); false: null (not measured). */
	bool (*get)(const struct colctx *x, const struct column *c, struct field *f);
	unsigned int arg;		/* which value, for a getter that serves several */
	/* NULL, or false when this row leaves the column out altogether (JSON only). */
	bool (*present)(const struct colctx *x, const struct column *c);
};

struct coltable {
	const char *name;		/* "row", "validate_cell", "validate_summary" */
	const char *about;		/* which files hold such rows */
	const struct column *col;
	unsigned int n;
};

/* report.c, vreport.c */
extern const struct coltable row_columns, vcell_columns, vsummary_columns;

/* Every table, for --columns and the docs; NULL-terminated. */
extern const struct coltable *const coltables[];

/* Getters every table uses (columns.c). */
bool col_format_version(const struct colctx *x, const struct column *c, struct field *f);
bool col_environment(const struct colctx *x, const struct column *c, struct field *f);

enum col_env { ENV_TIMESTAMP, ENV_KERNEL, ENV_CPU_MODEL, ENV_VCPUS, ENV_ACCEL, ENV_GIT_REV,
	       ENV_NUMA_BALANCING, ENV_ENTRY_BYTES, ENV_BOND_BYTES };

#define COL_FORMAT_VERSION \
	{ "format_version", C_U64, 0, "-", "the version of this output's format " \
	  "(bench/columns.h): raised whenever a column is added, renamed, removed or " \
	  "moved, or changes type, unit or meaning", col_format_version, 0, NULL }

/* What every row says of the machine, as the run saw it. */
#define COL_ENVIRONMENT \
	{ "timestamp", C_STR, 0, "-", "the start of the run, UTC, ISO 8601", \
	  col_environment, ENV_TIMESTAMP, NULL }, \
	{ "kernel", C_STR, 0, "-", "the kernel release (uname -r)", \
	  col_environment, ENV_KERNEL, NULL }, \
	{ "cpu_model", C_STR, 0, "-", "the CPU's model name (/proc/cpuinfo)", \
	  col_environment, ENV_CPU_MODEL, NULL }, \
	{ "vcpus", C_U64, 0, "CPUs", "CPUs online", col_environment, ENV_VCPUS, NULL }, \
	{ "accel", C_STR, 0, "-", "the VM's accelerator ($SVMSIM_ACCEL: kvm, tcg), " \
	  "else host", col_environment, ENV_ACCEL, NULL }, \
	{ "git_rev", C_STR, 0, "-", "the source revision ($SVMSIM_GIT_REV), else unknown", \
	  col_environment, ENV_GIT_REV, NULL }, \
	{ "numa_balancing", C_U64, 0, "-", "kernel.numa_balancing during the run; " \
	  "null if the kernel has none", col_environment, ENV_NUMA_BALANCING, NULL }, \
	{ "entry_bytes", C_U64, 0, "bytes", "memory one cached svmsim TLB entry takes (its " \
	  "slab object; SVMSIM_IOC_VERSION); null without the svmsim module", \
	  col_environment, ENV_ENTRY_BYTES, NULL }, \
	{ "bond_bytes", C_U64, 0, "bytes", "memory one svmsim bond takes besides its entries " \
	  "(the bond and its per-CPU counters; SVMSIM_IOC_VERSION); null without the module", \
	  col_environment, ENV_BOND_BYTES, NULL }

void columns_build(struct row *r, const struct coltable *t, const struct colctx *x);
void columns_print(FILE *f, bool markdown);

#endif /* _SVMBENCH_COLUMNS_H */
