// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim-run --record FILE: the run's invalidation stream, for
 * svmsim-replay (format: bench/replay.h, README.md).
 *
 * Mechanism: a tracefs instance of its own (instances/svmsim-run.PID, so
 * the global trace buffer and other users' settings stay untouched) with
 * the device's svmsim_bracket, svmsim_bracket_end, svmsim_invalidate and
 * (successful) svmsim_fill events enabled, filtered by device; a thread reads its
 * trace_pipe while PROGRAM runs and writes one record per event, in the
 * trace's order (the per-CPU buffers merged by timestamp).  Every bond on
 * the device during the run is PROGRAM's, as the report assumes.
 *
 * What a recording holds depends on the run's model.  secondary: the
 * observer's brackets (B, and their ends E), the secondary callbacks' flushes (F secondary,
 * F change_pte on 6.1, including 6.12's whole-address-space flushes) and
 * the releases -- both models can be replayed from it.  range: the
 * brackets and each one's own flush (F range) -- there is no secondary
 * callback to replay, so only the range side is.  Events the buffer
 * dropped are counted (the trace_pipe's LOST lines) in the trailer.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "run.h"
#include "svmsim/names.h"

#define REC_BUF		(1 << 16)
#define REC_BUFFER_KB	"4096"	/* per CPU */

static const char *const rec_events[] = {
	"svmsim_bracket", "svmsim_bracket_end", "svmsim_invalidate", "svmsim_fill",
};

static int put_file(const char *dir, const char *name, const char *val)
{
	char path[512];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The tracefs mount that has the svmsim events, or NULL. */
static const char *tracefs_root(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[128];
	unsigned int i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/svmsim/svmsim_bracket", roots[i]);
		if (!access(path, F_OK))
			return roots[i];
	}
	return NULL;
}

static const char *shape_of(const struct run_state *s, unsigned int event)
{
	if (event == SVMSIM_EV_CHANGE_PTE)
		return "change_pte";
	if (event == SVMSIM_EV_MM_RELEASE)
		return "release";
	return s->o.model == SVMSIM_MODEL_RANGE ? "range" : "secondary";
}

static const char *ev_name(unsigned int event)
{
	return event < SVMSIM_EV_NR ? svmsim_event_names[event] : "other";
}

/* One line of trace_pipe: a record, a LOST count, or nothing of ours. */
static void rec_line(struct run_state *s, char *line)
{
	unsigned long start, last, va, pfn, removed, coll;
	unsigned int dev, pasid, event, blockable, shift, retries;
	unsigned long long ns;
	char *p, *ts;
	double t = 0;
	int ret;

	p = strstr(line, "[LOST ");
	if (p && !strstr(line, ": svmsim_")) {
		s->rec_lost += strtoull(p + 6, NULL, 10);
		return;
	}
	p = strstr(line, ": svmsim_");
	if (!p)
		return;
	*p = 0;
	ts = strrchr(line, ' ');
	if (ts)
		t = strtod(ts + 1, NULL);
	p += 2;
	if (sscanf(p, "svmsim_bracket: dev=%u pasid=%u range=0x%lx-0x%lx event=%u blockable=%u",
		   &dev, &pasid, &start, &last, &event, &blockable) == 6) {
		fprintf(s->rec, "B %.6f %u %#lx %#lx %s %u\n", t, pasid, start, last,
			ev_name(event), blockable);
	} else if (sscanf(p, "svmsim_bracket_end: dev=%u pasid=%u range=0x%lx-0x%lx",
			  &dev, &pasid, &start, &last) == 4) {
		fprintf(s->rec, "E %.6f %u %#lx %#lx\n", t, pasid, start, last);
	} else if (sscanf(p, "svmsim_invalidate: dev=%u pasid=%u range=0x%lx-0x%lx event=%u "
			  "removed=%lu collateral=%lu ns=%llu", &dev, &pasid, &start, &last,
			  &event, &removed, &coll, &ns) == 8) {
		fprintf(s->rec, "F %.6f %u %s %#lx %#lx %s %lu %lu\n", t, pasid,
			shape_of(s, event), start, last, ev_name(event), removed, coll);
	} else if (sscanf(p, "svmsim_fill: dev=%u pasid=%u va=0x%lx pfn=0x%lx shift=%u "
			  "retries=%u ret=%d", &dev, &pasid, &va, &pfn, &shift, &retries,
			  &ret) == 7) {
		if (ret)
			return;
		fprintf(s->rec, "I %.6f %u %#lx %u\n", t, pasid, va, shift);
	} else {
		return;
	}
	s->rec_records++;
}

/* Read what is there; 1 if anything was, 0 if empty, -1 on an error. */
static int rec_drain(struct run_state *s, char *buf, size_t *have)
{
	ssize_t n = read(s->rec_fd, buf + *have, REC_BUF - 1 - *have);
	char *line, *nl;

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (!n)
		return 0;
	*have += (size_t)n;
	buf[*have] = 0;
	line = buf;
	while ((nl = strchr(line, '\n'))) {
		*nl = 0;
		rec_line(s, line);
		line = nl + 1;
	}
	*have = strlen(line);
	memmove(buf, line, *have + 1);
	if (*have == REC_BUF - 1)	/* no line fits: drop it */
		*have = 0;
	return 1;
}

static void *rec_thread(void *arg)
{
	struct run_state *s = arg;
	char *buf = malloc(REC_BUF);
	bool stopping = false;
	size_t have = 0;
	int r;

	if (!buf)
		return NULL;
	for (;;) {
		r = rec_drain(s, buf, &have);
		if (r < 0) {
			run_warn("--record: trace_pipe: %s", strerror(errno));
			break;
		}
		if (r)
			continue;
		if (stopping)
			break;	/* the events were off before this last drain */
		if (__atomic_load_n(&s->rec_stop, __ATOMIC_ACQUIRE)) {
			stopping = true;
			continue;
		}
		usleep(20000);
	}
	free(buf);
	return NULL;
}

static int rec_events_set(struct run_state *s, const char *val)
{
	char name[128];
	unsigned int i;
	int ret, err = 0;

	for (i = 0; i < sizeof(rec_events) / sizeof(rec_events[0]); i++) {
		snprintf(name, sizeof(name), "events/svmsim/%s/enable", rec_events[i]);
		ret = put_file(s->rec_dir, name, val);
		if (ret && !err)
			err = ret;
	}
	return err;
}

/* The filters: this device; only fills that inserted. */
static int rec_filters(struct run_state *s)
{
	char name[128], f[96];
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(rec_events) / sizeof(rec_events[0]); i++) {
		snprintf(name, sizeof(name), "events/svmsim/%s/filter", rec_events[i]);
		snprintf(f, sizeof(f), "dev == %u%s", s->o.device,
			 !strcmp(rec_events[i], "svmsim_fill") ? " && ret == 0" : "");
		ret = put_file(s->rec_dir, name, f);
		if (ret)
			return ret;
	}
	return 0;
}

static void rec_header(struct run_state *s)
{
	const struct svmsim_config *c = &s->cfg;
	struct utsname u;

	if (uname(&u))
		strcpy(u.release, "?");
	fprintf(s->rec, "# svmsim-record 1 (svmsim-run --record; svmsim-replay reads it)\n");
	fprintf(s->rec, "H kernel=%s model=%s fill=%s huge=%d dev=%u sets=%u ways=%u policy=%s "
		"threshold=%u budget=%u max_entries=%u max_pasid_entries=%u psi=%d\n", u.release,
		svmsim_model_names[s->o.model], svmsim_fill_names[s->o.fill], !s->o.no_huge,
		s->o.device, c->tlb_sets, c->tlb_ways,
		c->tlb_policy < SVMSIM_REPL_NR ? svmsim_repl_names[c->tlb_policy] : "?",
		c->flush_threshold, c->flush_budget, c->max_entries, c->max_pasid_entries,
		!!(c->flags & SVMSIM_CONFIG_PSI));
	fprintf(s->rec, "# program:");
	for (char **a = s->o.argv; *a; a++)
		fprintf(s->rec, " %s", *a);
	fputc('\n', s->rec);
}

/**
 * run_record_start() - set up the trace instance and start its reader
 * @s: the state, device set up; s->o.record names the file.
 *
 * Return: 0, or -1 (no tracefs or svmsim events, not root, the file).
 */
int run_record_start(struct run_state *s)
{
	const char *root = tracefs_root();
	char path[512];
	int ret;

	if (!root) {
		run_warn("--record: no tracefs with the svmsim events (mount tracefs)");
		return -1;
	}
	s->rec = fopen(s->o.record, "we");
	if (!s->rec) {
		run_warn("--record %s: %s", s->o.record, strerror(errno));
		return -1;
	}
	snprintf(s->rec_dir, sizeof(s->rec_dir), "%s/instances/svmsim-run.%d", root, (int)getpid());
	if (mkdir(s->rec_dir, 0700) && errno != EEXIST) {
		run_warn("--record: mkdir %s: %s", s->rec_dir, strerror(errno));
		goto err_file;
	}
	ret = put_file(s->rec_dir, "buffer_size_kb", REC_BUFFER_KB);
	if (!ret)
		ret = rec_filters(s);
	if (!ret)
		ret = rec_events_set(s, "1");
	if (ret) {
		run_warn("--record: %s: %s", s->rec_dir, strerror(-ret));
		goto err_dir;
	}
	snprintf(path, sizeof(path), "%s/trace_pipe", s->rec_dir);
	s->rec_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->rec_fd < 0) {
		run_warn("--record: %s: %s", path, strerror(errno));
		goto err_dir;
	}
	rec_header(s);
	if (pthread_create(&s->rec_tid, NULL, rec_thread, s)) {
		run_warn("--record: no thread");
		close(s->rec_fd);
		goto err_dir;
	}
	return 0;
err_dir:
	rec_events_set(s, "0");
	rmdir(s->rec_dir);
err_file:
	fclose(s->rec);
	s->rec = NULL;
	return -1;
}

/**
 * run_record_stop() - stop tracing, drain the pipe, close the recording
 * @s: the state; PROGRAM done and its address spaces retired (their
 *	releases traced).
 *
 * Return: 0, or -1 if the recording could not be written.
 */
int run_record_stop(struct run_state *s)
{
	int ret = 0;

	if (!s->rec)
		return 0;
	rec_events_set(s, "0");
	__atomic_store_n(&s->rec_stop, 1, __ATOMIC_RELEASE);
	pthread_join(s->rec_tid, NULL);
	close(s->rec_fd);
	if (rmdir(s->rec_dir))
		run_warn("--record: rmdir %s: %s", s->rec_dir, strerror(errno));
	fprintf(s->rec, "L %" PRIu64 "\n", s->rec_lost);
	if (ferror(s->rec) | fclose(s->rec)) {
		run_warn("--record %s: write error", s->o.record);
		ret = -1;
	}
	s->rec = NULL;
	if (s->rec_lost)
		run_warn("--record: the trace buffer dropped %" PRIu64 " events", s->rec_lost);
	if (!s->o.quiet)
		fprintf(stderr, "svmsim-run: recorded %" PRIu64 " records to %s\n",
			s->rec_records, s->o.record);
	return ret;
}
