// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench's output columns (bench/columns.h): the CSV header, a CSV row,
 * a JSON row and svmbench --columns all say the same columns in the same
 * order, for the run's row and --validate's cell and summary rows; the
 * counter and violation columns carry the values their names say;
 * bench/COLUMNS.md is what --columns=md prints, and README.md's copy of
 * svmbench --help is what --help prints (bench/options.c); and the tables' shape
 * (names, types, units) matches the fingerprint recorded for
 * FORMAT_VERSION, so a change to them cannot go out without a new version.
 *
 * The rows are made by svmbench's own report code from made-up results:
 * no device is needed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checker.h"
#include "columns.h"
#include "jsonget.h"
#include "options.h"
#include "report.h"
#include "svmsim/names.h"
#include "tap.h"
#include "validate.h"

TAP_DEFINE_STATE;

/*
 * FNV-1a over every table's name and each column's name, type, decimals
 * and unit.  A change to any of them must come with a new FORMAT_VERSION
 * and its fingerprint here (the test prints the new one).
 */
static const uint64_t fingerprints[] = {
	[1] = 0x759f3d2c063af471ull,
	[2] = 0xd9e20d6df61c3e16ull,	/* devices, fanout, qi_batch, device faults and counters, entry_bytes, bond_bytes */
	[3] = 0x5970e250c723151eull,	/* qi_coalesce_ns */
	[4] = 0x5cbd123e01beb653ull,	/* lockstep */
	[5] = 0xb639f118f9cafa33ull,	/* page_descs, qi_descs_nomem */
};

#define MAX_NAMES	224

struct names {
	unsigned int n;
	char s[MAX_NAMES][48];
};

static char dir[64];

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t cap = 1 << 16, len = 0, got;
	char *s = malloc(cap);

	if (!f || !s) {
		if (f)
			fclose(f);
		free(s);
		return NULL;
	}
	while ((got = fread(s + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (len + 1 == cap) {
			char *t = realloc(s, cap *= 2);

			if (!t)
				break;
			s = t;
		}
	}
	s[len] = 0;
	fclose(f);
	return s;
}

static void add_name(struct names *n, const char *s, size_t len)
{
	if (n->n < MAX_NAMES && len < sizeof(n->s[0])) {
		memcpy(n->s[n->n], s, len);
		n->s[n->n++][len] = 0;
	}
}

/* The header line of a CSV file (no name in it needs quoting). */
static void csv_header(const char *text, struct names *n)
{
	const char *p = text, *end = strchr(text, '\n');
	size_t len;

	n->n = 0;
	while (p && end && p < end) {
		len = strcspn(p, ",\n");
		add_name(n, p, len);
		p += len + 1;
	}
}

/* The top-level keys of one JSON object (the line at @obj), in order. */
static void json_keys(const char *obj, struct names *n)
{
	int depth = 0;
	const char *p, *q;

	n->n = 0;
	for (p = obj; *p && *p != '\n'; p++) {
		if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			depth--;
		} else if (*p == '"') {
			for (q = p + 1; *q && *q != '"'; q++)
				if (*q == '\\' && q[1])
					q++;
			if (depth == 1 && q[0] == '"' && q[1] == ':')
				add_name(n, p + 1, (size_t)(q - p - 1));
			p = q;
		}
	}
}

/* @t's columns, less the JSON-only ones unless @json, and less those @x leaves out. */
static void table_names(const struct coltable *t, bool json, const struct colctx *x,
			struct names *n)
{
	unsigned int i;

	n->n = 0;
	for (i = 0; i < t->n; i++)
		if ((json || t->col[i].type != C_JSON) &&
		    (!x || !t->col[i].present || t->col[i].present(x, &t->col[i])))
			add_name(n, t->col[i].name, strlen(t->col[i].name));
}

/* svmbench --columns' names for table @t, in order. */
static void printed_names(const char *tsv, const char *table, struct names *n)
{
	const char *p;
	size_t tl = strlen(table), len;

	n->n = 0;
	for (p = tsv; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, table, tl) || p[tl] != '\t')
			continue;
		len = strcspn(p + tl + 1, "\t\n");
		add_name(n, p + tl + 1, len);
	}
}

static bool same(const struct names *a, const struct names *b, const char *what)
{
	unsigned int i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (strcmp(a->s[i], b->s[i])) {
			tap_diag("%s: column %u is %s, not %s", what, i, a->s[i], b->s[i]);
			return false;
		}
	if (a->n != b->n)
		tap_diag("%s: %u columns, not %u", what, a->n, b->n);
	return a->n == b->n && a->n > 0;
}

/* ---- made-up results ---- */

static struct options o;
static struct sysinfo si = {
	.kernel = "6.1.0-test", .cpu_model = "a \"cpu\", model", .vcpus = 2, .accel = "tcg",
	.git_rev = "abc", .timestamp = "2026-01-01T00:00:00Z", .numa_balancing = 1,
};
static struct devbind dev;
static struct results res;

static void make_results(void)
{
	static char *argv[] = { "svmbench", "--label", "x,\"y\"", "--workload", "dontneed",
				"--duration", "2", NULL };
	unsigned int i;

	optind = 0;
	if (options_parse(&o, 7, argv))
		abort();
	dev = (struct devbind){ .be = &backend_svmsim, .model = 1, .fill = 1,
				.cfg = { .tlb_sets = 64, .tlb_ways = 8, .flush_budget = 1024 } };
	res = (struct results){ .o = &o, .si = &si, .dev = &dev, .elapsed_s = 1.5, .ops = 100,
				.unexpected = 3, .merged_known = true };
	res.bound = hist_new(HIST_SUB_BITS, HIST_MAX_NS);
	res.unbound = hist_new(HIST_SUB_BITS, HIST_MAX_NS);
	res.k.flush = hist_new(SVMSIM_HIST_SUB_BITS, HIST_KERNEL_MAX_NS);
	for (i = 0; i < SVMSIM_EV_NR; i++) {
		res.k.ev[i] = hist_new(SVMSIM_HIST_SUB_BITS, HIST_KERNEL_MAX_NS);
		hist_add(res.k.ev[i], 100 * (i + 1));
		hist_add(res.k.flush, 100 * (i + 1));
	}
	for (i = 1; i <= 100; i++) {
		hist_add(res.bound, 1000 + i);
		hist_add(res.unbound, 500 + i);
	}
	for (i = 0; i < SVMSIM_STAT_NR; i++)
		res.k.st.counters[i] = 1000 + i;
	for (i = 0; i < V_NR; i++)
		res.violations[i] = 100 + i;
}

static void free_results(void)
{
	unsigned int i;

	hist_free(res.bound);
	hist_free(res.unbound);
	kstats_free(&res.k);
	for (i = 0; i < SVMSIM_EV_NR; i++)
		res.k.ev[i] = NULL;
}

static char *write_row(enum out_format format)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/row.%s", dir, format == FMT_JSON ? "json" : "csv");
	o.out = path;
	o.format = format;
	o.append = false;
	if (report_write(&res))
		return NULL;
	return slurp(path);
}

/* The counters and violations are where their names say. */
static void test_values(const char *json)
{
	unsigned int i, bad = 0, seen = 0;
	uint64_t v;

	for (i = 0; i < SVMSIM_STAT_NR; i++)
		if (json_find(json, svmsim_stat_names[i])) {
			seen++;
			bad += !json_u64(json, svmsim_stat_names[i], &v) || v != 1000 + i;
		}
	for (i = 0; i < V_NR; i++) {
		seen++;
		bad += !json_u64(json, violation_names[i], &v) || v != 100 + i;
	}
	tap_ok(!bad && seen >= 16 + V_NR, "run row: %u counter and violation columns carry "
	       "their own values (%u wrong)", seen, bad);
	tap_ok(json_u64(json, "format_version", &v) && v == FORMAT_VERSION,
	       "run row: format_version %d", FORMAT_VERSION);
}

static void test_run_row(const char *tsv)
{
	char want[32];
	struct names table, csv, json, printed;
	char *c, *j;

	snprintf(want, sizeof(want), "%d,\"x,\"\"y\"\"\",", FORMAT_VERSION);
	make_results();
	c = write_row(FMT_CSV);
	j = write_row(FMT_JSON);
	table_names(&row_columns, false, NULL, &table);
	printed_names(tsv, "row", &printed);
	tap_ok(c && j, "run row written as CSV and as JSON");
	csv_header(c ? c : "", &csv);
	tap_ok(same(&csv, &table, "CSV header"), "run row: the CSV header is the table (%u columns)",
	       csv.n);
	table_names(&row_columns, true, NULL, &table);
	json_keys(j ? j : "", &json);
	tap_ok(same(&json, &table, "JSON row"), "run row: the JSON row's keys are the table (%u)",
	       json.n);
	tap_ok(same(&printed, &table, "--columns"), "run row: --columns lists the table (%u)",
	       printed.n);
	tap_ok(c && strchr(c, '\n') && !strncmp(strchr(c, '\n') + 1, want, strlen(want)),
	       "run row: CSV starts with the version and the label, quoted");
	test_values(j ? j : "{}");
	free(c);
	free(j);
	free_results();
}

static void test_validate_rows(const char *tsv)
{
	struct vconfig cfg = { .o = &o, .si = &si, .budget_s = 3, .clean_ops = 1000,
			       .modes = VM_DEFAULT, .features = 5 };
	struct vrun runs[2] = {
		{ .b = vcatalogue(SVMSIM_BUG_SKIP_INVALIDATE), .mode = VM_REF_SAN, .model = 1,
		  .budget_s = 3, .have = true, .detected_by = "checker", .outcome = VO_CAUGHT },
		{ .b = vcatalogue(SVMSIM_BUG_NONE), .mode = VM_NOREF_SAN, .model = 2,
		  .budget_s = 3, .outcome = VO_CLEAN },
	};
	struct vresults vr = { .cfg = &cfg, .runs = runs, .n = 2, .clean_dev_ops = { 11, 12, 13 } };
	struct colctx x = { .si = &si, .vres = &vr };
	struct names table, got, printed;
	char path[128], *c, *j, *last;
	uint64_t v;

	runs[0].c = &runs[0].b->cells[0];
	runs[1].c = &runs[1].b->cells[0];
	snprintf(path, sizeof(path), "%s/validate", dir);
	tap_ok(!vreport_files(&vr, path, true), "--validate's files written");
	snprintf(path, sizeof(path), "%s/validate.csv", dir);
	c = slurp(path);
	snprintf(path, sizeof(path), "%s/validate.json", dir);
	j = slurp(path);

	table_names(&vcell_columns, false, NULL, &table);
	csv_header(c ? c : "", &got);
	tap_ok(same(&got, &table, "validate CSV"), "validate cell: the CSV header is the table (%u)",
	       got.n);
	table_names(&vcell_columns, true, NULL, &table);
	json_keys(j ? j : "", &got);
	tap_ok(same(&got, &table, "validate JSON cell"), "validate cell: the JSON keys are the "
	       "table (%u)", got.n);
	printed_names(tsv, "validate_cell", &printed);
	tap_ok(same(&printed, &table, "--columns validate_cell"), "validate cell: --columns lists "
	       "the table");

	last = j ? strrchr(j, '{') : NULL;
	table_names(&vsummary_columns, true, &x, &table);
	json_keys(last ? last : "", &got);
	tap_ok(same(&got, &table, "validate JSON summary") && table.n ==
	       vsummary_columns.n - 1, "validate summary: the JSON keys are the table, less the "
	       "mode not run (%u)", got.n);
	table_names(&vsummary_columns, true, NULL, &table);
	printed_names(tsv, "validate_summary", &printed);
	tap_ok(same(&printed, &table, "--columns validate_summary"), "validate summary: --columns "
	       "lists the table");
	tap_ok(j && json_u64(j, "format_version", &v) && v == FORMAT_VERSION && last &&
	       json_u64(last, "format_version", &v) && v == FORMAT_VERSION,
	       "validate rows: format_version %d", FORMAT_VERSION);
	free(c);
	free(j);
}

/* Names unique per table, format_version first, every unit and meaning given. */
static void test_tables(void)
{
	const struct coltable *const *t;
	unsigned int i, k, bad = 0;

	for (t = coltables; *t; t++) {
		bad += strcmp((*t)->col[0].name, "format_version") != 0;
		for (i = 0; i < (*t)->n; i++) {
			const struct column *c = &(*t)->col[i];

			bad += !c->unit[0] || !c->meaning[0] || !c->get;
			for (k = 0; k < i; k++)
				bad += !strcmp(c->name, (*t)->col[k].name);
		}
	}
	tap_ok(!bad, "tables: format_version first, names unique, every unit and meaning given");
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

static void test_fingerprint(void)
{
	const struct coltable *const *t;
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned int i;

	for (t = coltables; *t; t++) {
		h = fnv(h, (*t)->name, strlen((*t)->name) + 1);
		for (i = 0; i < (*t)->n; i++) {
			const struct column *c = &(*t)->col[i];
			int shape[2] = { c->type, c->decimals };

			h = fnv(h, c->name, strlen(c->name) + 1);
			h = fnv(h, shape, sizeof(shape));
			h = fnv(h, c->unit, strlen(c->unit) + 1);
		}
	}
	if (FORMAT_VERSION >= sizeof(fingerprints) / sizeof(fingerprints[0]) ||
	    fingerprints[FORMAT_VERSION] != h)
		tap_diag("the tables' fingerprint is 0x%016llx: a new column, name, type or unit "
			 "needs FORMAT_VERSION %d and this fingerprint in fingerprints[]",
			 (unsigned long long)h, FORMAT_VERSION + 1);
	tap_ok(FORMAT_VERSION < sizeof(fingerprints) / sizeof(fingerprints[0]) &&
	       fingerprints[FORMAT_VERSION] == h,
	       "tables: the fingerprint of format_version %d", FORMAT_VERSION);
}

/* The text @print writes, through a file in dir. */
static char *printed(const char *name, bool markdown)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	columns_print(f, markdown);
	fclose(f);
	return slurp(path);
}

/* bench/COLUMNS.md, in the tree this file was compiled from (else the current directory). */
static void test_docs(void)
{
	char path[512], *want = printed("columns.md", true), *got, *cut;

	snprintf(path, sizeof(path), "%s", __FILE__);
	cut = strstr(path, "tests/unit/");
	if (!cut)
		cut = path;
	snprintf(cut, sizeof(path) - (size_t)(cut - path), "bench/COLUMNS.md");
	got = slurp(path);
	if (got && want && strcmp(got, want))
		tap_diag("regenerate it: build/bin/svmbench --columns=md > bench/COLUMNS.md");
	tap_ok(got && want && !strcmp(got, want), "%s is svmbench --columns=md", path);
	free(got);
	free(want);
}

/* README.md's copy of svmbench --help, between its markers. */
static void test_readme_help(void)
{
	static const char begin[] = "<!-- svmbench --help: begin -->\n```text\n";
	static const char end[] = "```\n<!-- svmbench --help: end -->";
	char path[512], tmp[128], *readme, *want, *b, *e, *cut;
	FILE *f;

	snprintf(path, sizeof(path), "%s", __FILE__);
	cut = strstr(path, "tests/unit/");
	if (!cut)
		cut = path;
	snprintf(cut, sizeof(path) - (size_t)(cut - path), "README.md");
	readme = slurp(path);
	snprintf(tmp, sizeof(tmp), "%s/help.txt", dir);
	f = fopen(tmp, "w");
	if (f) {
		options_usage(f);
		fclose(f);
	}
	want = slurp(tmp);
	b = readme ? strstr(readme, begin) : NULL;
	e = b ? strstr(b, end) : NULL;
	if (e)
		*e = 0;
	b = b ? b + strlen(begin) : NULL;
	if (b && e && want && strcmp(b, want))
		tap_diag("regenerate README.md's copy: build/bin/svmbench --help");
	tap_ok(b && e && want && !strcmp(b, want), "%s: its svmbench --help is the option "
	       "table's", path);
	free(readme);
	free(want);
}

static void remove_dir(void)
{
	static const char *const files[] = {
		"row.csv", "row.json", "validate.csv", "validate.json", "columns.tsv",
		"columns.md", "help.txt",
	};
	char path[128];
	unsigned int i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	char *tsv;

	snprintf(dir, sizeof(dir), "/tmp/test_columns.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	tsv = printed("columns.tsv", false);
	test_tables();
	test_fingerprint();
	test_run_row(tsv ? tsv : "");
	test_validate_rows(tsv ? tsv : "");
	test_docs();
	test_readme_help();
	free(tsv);
	remove_dir();
	return tap_finish();
}
