// SPDX-License-Identifier: GPL-2.0
/*
 * One cell of svmbench --validate: svmbench itself, re-executed with the
 * cell's options and --stop-on-detect, in a process of its own (a crash or
 * a hang costs one cell, and each run starts from a fresh mm and bond);
 * its JSON row is read back.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "jsonget.h"
#include "options.h"
#include "svmsim/names.h"
#include "validate.h"

#define MAX_ARGS	64
#define ROW_MAX		(64 * 1024)
#define SLACK_S		60		/* setup and teardown beyond the budget */

struct argv_buf {
	char *v[MAX_ARGS + 1];
	unsigned int n;
	char words[1024];		/* the split words of add_words() */
	size_t used;			/* ... of words[] */
	char num[2][32];
};

static void add(struct argv_buf *a, const char *s)
{
	if (a->n < MAX_ARGS)
		a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

/* Split @s (space-separated) into @a; its words are copied to a->words. */
static void add_words(struct argv_buf *a, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	char *w, *save = NULL, *copy = a->words + a->used;

	if (!s || a->used + len + 1 > sizeof(a->words))
		return;
	memcpy(copy, s, len + 1);
	a->used += len + 1;
	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		add(a, w);
}

/* Common options first: a cell's own (later) override them. */
static void build_argv(struct argv_buf *a, const struct vconfig *cfg, const struct vrun *r,
		       const char *out, const char *extra)
{
	const struct vmode_desc *m = &vmodes[r->mode];

	snprintf(a->num[0], sizeof(a->num[0]), "%u", cfg->o->device);
	snprintf(a->num[1], sizeof(a->num[1]), "%.3f", r->budget_s);
	add(a, cfg->self);
	add(a, "--no-baseline");
	add(a, "--stop-on-detect");
	add_words(a, "--format json --max-reports 1 --threads 1 --device-threads 2 "
		  "--pages 4 --pause-us 200");
	add(a, "--out");
	add(a, out);
	add(a, "--device");
	add(a, a->num[0]);
	add(a, "--duration");
	add(a, a->num[1]);
	add(a, "--workload");
	add(a, r->c->workload);
	add(a, "--model");
	add(a, svmsim_model_names[r->model]);
	add(a, "--fill");
	add(a, svmsim_fill_names[m->fill]);
	if (m->sanitize)
		add(a, "--sanitize");
	if (r->b->bug != SVMSIM_BUG_NONE) {
		add(a, "--inject");
		add(a, svmsim_bug_names[r->b->bug]);
	}
	add_words(a, r->c->args);
	add_words(a, extra);
}

static pid_t spawn(char *const argv[], int log_fd)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	dup2(log_fd, STDOUT_FILENO);
	dup2(log_fd, STDERR_FILENO);
	execv(argv[0], argv);
	_exit(127);
}

/* Wait at most @limit_s; kill it past that.  Return: exit status, or -1. */
static int reap(pid_t pid, double limit_s)
{
	uint64_t deadline = now_ns() + (uint64_t)(limit_s * 1e9);
	int ws;
	pid_t got;

	while ((got = waitpid(pid, &ws, WNOHANG)) == 0 && now_ns() < deadline)
		sleep_ns(20 * 1000 * 1000);
	if (got == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &ws, 0);
		return -1;
	}
	return got > 0 && WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

/* The fields of svmbench's JSON row that a verdict needs. */
static bool parse_row(struct vrun *r, const char *row)
{
	r->detected_by[0] = 0;
	json_str(row, "detected_by", r->detected_by, sizeof(r->detected_by));
	json_f64(row, "detect_s", &r->detect_s);
	json_u64(row, "detect_ops", &r->detect_ops);
	json_u64(row, "detect_dev_ops", &r->detect_dev_ops);
	return json_f64(row, "elapsed_s", &r->elapsed_s) && json_u64(row, "ops", &r->ops) &&
	       json_u64(row, "dma_ops", &r->dev_ops) && json_u64(row, "injected", &r->injected) &&
	       json_u64(row, "san_stale", &r->san_stale) &&
	       json_u64(row, "san_checks", &r->san_checks) &&
	       json_u64(row, "violations", &r->violations) &&
	       json_u64(row, "unexpected_faults", &r->unexpected);
}

static bool read_row(struct vrun *r, const char *path)
{
	char *row = malloc(ROW_MAX);
	FILE *f = fopen(path, "r");
	bool ok = row && f && fgets(row, ROW_MAX, f) && parse_row(r, row);

	if (f)
		fclose(f);
	free(row);
	return ok;
}

/* The last lines svmbench printed, when it gave no result. */
static void show_log(const char *path)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "tail -n 5 %s >&2", path);
	if (system(cmd))
		fprintf(stderr, "svmbench: (no log)\n");
}

/**
 * vcell_run() - run one cell and read what it measured
 * @cfg: the validation.
 * @r: b, c, mode, model and budget_s set; the rest filled in.
 * @extra: more options (the clean run's), or NULL.
 *
 * Return: 0, or -errno if it could not even start.
 */
int vcell_run(const struct vconfig *cfg, struct vrun *r, const char *extra)
{
	char out[] = "/tmp/svmbench-cell-XXXXXX", log[] = "/tmp/svmbench-log-XXXXXX";
	int out_fd = mkstemp(out), log_fd = mkstemp(log);
	struct argv_buf a = { .n = 0 };
	pid_t pid;

	if (out_fd < 0 || log_fd < 0)
		return -errno;
	close(out_fd);
	build_argv(&a, cfg, r, out, extra);
	pid = spawn(a.v, log_fd);
	close(log_fd);
	if (pid < 0)
		return -errno;
	r->status = reap(pid, r->budget_s * 2 + SLACK_S);
	r->have = read_row(r, out);
	if (!r->have && r->status != 77)
		show_log(log);
	unlink(out);
	unlink(log);
	return 0;
}
