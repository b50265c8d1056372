/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A result row: a list of named fields built once from a column table
 * (columns.h) and written as CSV (with a header when the file is new or
 * empty) or as one JSON object per line, so the two never disagree.  A
 * number that was not measured is written empty (CSV) or null (JSON);
 * F_JSON fields are raw JSON, left out of CSV.
 */
#ifndef _SVMBENCH_ROW_H
#define _SVMBENCH_ROW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MAX_FIELDS	192

enum field_kind { F_STR, F_U64, F_F64, F_NULL, F_JSON };

struct field {
	const char *name;
	enum field_kind kind;
	const char *s;		/* F_STR; F_JSON: raw JSON, not in CSV */
	uint64_t u;
	double d;
	int decimals;
};

struct row {
	unsigned int n;
	struct field f[MAX_FIELDS];
};

struct field *put(struct row *r, const char *name, enum field_kind kind);

void row_write_csv(FILE *f, const struct row *r, bool header);
void row_write_json(FILE *f, const struct row *r);
bool row_wants_header(FILE *f);

#endif /* _SVMBENCH_ROW_H */
