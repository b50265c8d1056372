// SPDX-License-Identifier: GPL-2.0
/*
 * Result rows, CSV and JSON Lines: see row.h.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jsonput.h"
#include "row.h"

struct field *put(struct row *r, const char *name, enum field_kind kind)
{
	struct field *f;

	if (r->n >= MAX_FIELDS)
		abort();	/* a programming error: raise MAX_FIELDS */
	f = &r->f[r->n++];
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->kind = kind;
	return f;
}

static void csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void value(FILE *f, const struct field *x, bool json)
{
	switch (x->kind) {
	case F_STR:
		(json ? json_put_str : csv_str)(f, x->s);
		break;
	case F_U64:
		fprintf(f, "%llu", (unsigned long long)x->u);
		break;
	case F_F64:
		fprintf(f, "%.*f", x->decimals, x->d);
		break;
	case F_NULL:
		if (json)
			fputs("null", f);
		break;
	case F_JSON:
		fputs(x->s ? x->s : "null", f);
		break;
	}
}

void row_write_csv(FILE *f, const struct row *r, bool header)
{
	unsigned int i, n = 0;

	for (i = 0; header && i < r->n; i++)
		if (r->f[i].kind != F_JSON)
			fprintf(f, "%s%s", n++ ? "," : "", r->f[i].name);
	if (header)
		fputc('\n', f);
	for (i = 0, n = 0; i < r->n; i++) {
		if (r->f[i].kind == F_JSON)
			continue;
		if (n++)
			fputc(',', f);
		value(f, &r->f[i], false);
	}
	fputc('\n', f);
}

void row_write_json(FILE *f, const struct row *r)
{
	unsigned int i;

	fputc('{', f);
	for (i = 0; i < r->n; i++) {
		fprintf(f, "%s\"%s\":", i ? "," : "", r->f[i].name);
		value(f, &r->f[i], true);
	}
	fputs("}\n", f);
}

/* A header unless we append to a regular file that already has content. */
bool row_wants_header(FILE *f)
{
	struct stat st;

	return fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size == 0;
}

