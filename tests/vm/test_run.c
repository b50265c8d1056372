// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim-run and SVMSIM_BIND_PID.
 *
 * The ABI: binding another task's mm needs to be its tracer (EPERM), a
 * task that exists (ESRCH), and the flag with the pid (EINVAL); a tracer
 * that binds its stopped child reads the child's memory, not its own.
 *
 * svmsim-run: this program, as "--workload", forks a child, forks and
 * execs itself ("--workload-exec"), and maps, writes, protects and unmaps
 * anonymous memory in all three.  Under svmsim-run --model M: every one of
 * the four address spaces (the first exec, the fork child, the second
 * child before and after its exec) is bound, the device shadow's reads
 * met invalidations that flushed entries, the exit status is the
 * program's, and the sanitizer reported nothing.  With a bug injected
 * into every bond (--inject skip_invalidate: the callbacks flush
 * nothing), the sanitizer's reports must show in svmsim-run's report and
 * its exit status (97).
 *
 * --record and svmsim-replay: the clean run records its stream; the
 * recording has the header of the run's model and TLB, brackets, flushes
 * and fills, lost no event, holds at least every flush the bonds counted
 * and one release per address space; svmsim-replay reads it, replays the
 * same numbers of flushes and brackets it holds, both models' replays
 * flush entries (the secondary side only from a secondary recording), and
 * the run's own model's replay removes what the run removed (within 10 %).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib.h"
#include "svmsim/names.h"

#define WL_PAGES	64

static char self[PATH_MAX];

/* Map, write, sometimes write-protect, and unmap, @n times. */
static void churn(unsigned int n, unsigned int seed)
{
	size_t len = WL_PAGES * PG;
	unsigned int i;
	char *p;

	for (i = 0; i < n; i++) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			exit(10);
		memset(p, (int)(seed + i), len);
		usleep(30000);		/* the shadow reads it meanwhile */
		if (i % 3 == 1) {
			mprotect(p, len, PROT_READ);
			usleep(10000);
		}
		if (i % 4 == 2)
			madvise(p, len / 2, MADV_DONTNEED);
		munmap(p, len);
	}
}

static int workload(void)
{
	pid_t a, b;
	int st, bad = 0;

	a = fork();
	if (!a) {
		churn(12, 1);
		_exit(0);
	}
	b = fork();
	if (!b) {
		execl(self, self, "--workload-exec", (char *)NULL);
		_exit(11);
	}
	churn(24, 2);
	if (waitpid(a, &st, 0) != a || !WIFEXITED(st) || WEXITSTATUS(st))
		bad = 1;
	if (waitpid(b, &st, 0) != b || !WIFEXITED(st) || WEXITSTATUS(st))
		bad = 1;
	return bad ? 12 : 0;
}

/* ---- SVMSIM_BIND_PID ---- */

static int bind_pid(int fd, uint32_t model, pid_t pid, uint32_t flags, uint32_t *pasid)
{
	struct svmsim_bind b = { .model = model, .fill = SVMSIM_FILL_REF, .flags = flags,
				 .pid = pid };
	int ret = svmsim_ioctl(fd, SVMSIM_IOC_BIND, &b);

	if (!ret && pasid)
		*pasid = b.pasid;
	return ret;
}

static void test_bind_pid(void)
{
	uint64_t *buf = map_anon(PG, PROT_READ | PROT_WRITE), got = 0;
	uint32_t pasid = 0;
	pid_t child;
	int fd = svmsim_open(opt.device), st, ret;

	if (fd < 0)
		bail("open: %s", errname(fd));
	ok_errno(bind_pid(fd, opt.model, getpid(), 0, NULL), -EINVAL, "bind: pid without SVMSIM_BIND_PID");
	ok_errno(bind_pid(fd, opt.model, 0, SVMSIM_BIND_PID, NULL), -EINVAL, "bind by pid: pid 0");
	{
		struct svmsim_bind b = { .model = opt.model, .flags = SVMSIM_BIND_PID,
					 .pid = getpid(), .pad = 1 };

		ok_errno(svmsim_ioctl(fd, SVMSIM_IOC_BIND, &b), -EINVAL, "bind by pid: pad not zero");
	}
	ok_errno(bind_pid(fd, SVMSIM_MODEL_PINNED, getpid(), SVMSIM_BIND_PID, NULL), -EINVAL,
		 "bind by pid: not for the pinned model");
	ok_errno(bind_pid(fd, opt.model, 0x3ffffff0, SVMSIM_BIND_PID, NULL), -ESRCH,
		 "bind by pid: no such task");
	ok_errno(bind_pid(fd, opt.model, 1, SVMSIM_BIND_PID, NULL), -EPERM,
		 "bind by pid: init, not traced by us (even as root)");
	ret = bind_pid(fd, opt.model, getpid(), SVMSIM_BIND_PID, &pasid);
	tap_ok(!ret, "bind by pid: our own pid binds our mm (%s)", errname(ret));
	if (!ret)
		svmsim_unbind(fd, pasid);

	/* A traced, stopped child: the device reads its memory, not ours. */
	*buf = 0x1111;
	child = fork();
	if (!child) {
		*buf = 0x2222;
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		_exit(0);
	}
	waitpid(child, &st, 0);
	ret = bind_pid(fd, opt.model, child, SVMSIM_BIND_PID | bind_flags(), &pasid);
	tap_ok(!ret, "bind by pid: our traced child (%s)", errname(ret));
	if (!ret) {
		ret = svmsim_dma_read(fd, pasid, buf, &got, sizeof(got));
		tap_ok(!ret && got == 0x2222, "the device reads the child's memory (%s, %#llx)",
		       errname(ret), (unsigned long long)got);
		ok_errno(bind_pid(fd, opt.model, child, SVMSIM_BIND_PID, NULL), -EBUSY,
			 "bind by pid: that mm again");
	}
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	if (!ret) {
		ret = svmsim_dma_read(fd, pasid, buf, &got, sizeof(got));
		ok_errno(ret, -ESRCH, "DMA after the child's exit");
		svmsim_unbind(fd, pasid);
	} else {
		for (st = 0; st < 3; st++)
			tap_skip("no bond of the child");
	}
	close(fd);
}

/* ---- svmsim-run ---- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

/* The number after the first "@key": at or after @from, or -1. */
static long long jnum(const char *from, const char *key)
{
	char k[96];
	const char *p;

	if (!from)
		return -1;
	snprintf(k, sizeof(k), "\"%s\": ", key);
	p = strstr(from, k);
	return p ? strtoll(p + strlen(k), NULL, 10) : -1;
}

static int count(const char *from, const char *needle)
{
	int n = 0;

	while (from && (from = strstr(from, needle))) {
		n++;
		from++;
	}
	return n;
}

/* Run svmsim-run ARGS -- self --workload; its exit status, and its JSON. */
static int run(const char *json, const char *extra, char **out)
{
	char cmd[PATH_MAX * 2];
	int st;

	unlink(json);
	snprintf(cmd, sizeof(cmd), "svmsim-run -m %s --rate 1000 --json %s %s -- %s --workload"
		 " 2>/tmp/svmsim-run.err", svmsim_model_names[opt.model], json, extra, self);
	st = system(cmd);
	*out = slurp(json);
	if (!*out)
		tap_diag("no JSON from: %s", cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void show_err(void)
{
	char *e = slurp("/tmp/svmsim-run.err");

	if (e)
		tap_diag("svmsim-run said:\n%s", e);
	free(e);
}

/* Lines of @text that start with @head and contain @word (NULL: any). */
static long lines_with(const char *text, const char *head, const char *word)
{
	const char *l, *nl;
	long n = 0;
	char buf[256];
	size_t len;

	for (l = text; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		len = nl ? (size_t)(nl - l) : strlen(l);
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, l, len);
		buf[len] = 0;
		if (!strncmp(buf, head, strlen(head)) && (!word || strstr(buf, word)))
			n++;
	}
	return n;
}

#define REC	"/tmp/svmsim-run-clean.rec"
#define REPLAY	"/tmp/svmsim-replay.json"

/* The clean run's recording (@j: its JSON report), replayed. */
static void test_record(const char *j)
{
	char *rec = slurp(REC), *rj, hdr[64];
	const char *total = j ? strstr(j, "\"total\": ") : NULL, *sec, *rng, *live, *mine;
	long nb, nf, ni, nrel, nsec;
	long long lf, lc;
	int st;

	snprintf(hdr, sizeof(hdr), "H kernel=");
	nb = lines_with(rec, "B ", NULL);
	nf = lines_with(rec, "F ", NULL);
	ni = lines_with(rec, "I ", NULL);
	nrel = lines_with(rec, "F ", " release ");
	nsec = lines_with(rec, "F ", " secondary ") + lines_with(rec, "F ", " change_pte ");
	if (!tap_ok(rec && lines_with(rec, hdr, svmsim_model_names[opt.model]) == 1 &&
		    lines_with(rec, "H ", " sets=") == 1 && nb > 0 && nf > 0 && ni > 0 &&
		    lines_with(rec, "L 0", NULL) == 1 && nf >= jnum(total, "inv_calls") &&
		    nrel == jnum(j, "bound"),
		    "--record: header, %ld brackets, %ld flushes (bonds counted %lld), %ld fills,"
		    " %ld releases for %lld address spaces, no event lost", nb, nf,
		    jnum(total, "inv_calls"), ni, nrel, jnum(j, "bound")))
		show_err();
	unlink(REPLAY);
	st = system("svmsim-replay -q --json " REPLAY " " REC " 2>/tmp/svmsim-run.err");
	rj = slurp(REPLAY);
	sec = rj ? strstr(rj, "\"secondary\": {") : NULL;
	rng = rj ? strstr(rj, "\"range\": {") : NULL;
	if (!tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && jnum(rng, "calls") == nb &&
		    jnum(rj, "release") == nrel &&
		    (opt.model == SVMSIM_MODEL_SECONDARY ? jnum(sec, "calls") == nsec
							 : jnum(sec, "calls") == 0),
		    "svmsim-replay reads it: range %lld calls (%ld brackets), secondary %lld"
		    " (%ld secondary callbacks)", jnum(rng, "calls"), nb, jnum(sec, "calls"), nsec))
		show_err();
	live = rj ? strstr(rj, "\"live\": {") : NULL;
	lf = jnum(live, "entries_flushed");
	lc = jnum(live, "collateral");
	/*
	 * The recorded model's replay removes what the run did, up to fills
	 * traced on one CPU after a flush on another (the trace's order).
	 */
	mine = opt.model == SVMSIM_MODEL_SECONDARY ? sec : rng;
	tap_ok(jnum(rng, "entries_flushed") > 0 && lf > 0 &&
	       (opt.model != SVMSIM_MODEL_SECONDARY || jnum(sec, "entries_flushed") > 0) &&
	       llabs(jnum(mine, "entries_flushed") - lf) <= lf / 10 + 2 &&
	       llabs(jnum(mine, "collateral") - lc) <= lc / 10 + 2,
	       "replayed flushes remove entries: secondary %lld (collateral %lld), range %lld"
	       " (collateral %lld); the run itself %lld (collateral %lld)",
	       jnum(sec, "entries_flushed"), jnum(sec, "collateral"),
	       jnum(rng, "entries_flushed"), jnum(rng, "collateral"), lf, lc);
	free(rec);
	free(rj);
}

static void test_run_clean(void)
{
	char *j, *total, *procs;
	int rc = run("/tmp/svmsim-run-clean.json", "--record " REC, &j);
	bool good;

	total = j ? strstr(j, "\"total\": ") : NULL;
	procs = j ? strstr(j, "\"processes\": ") : NULL;
	tap_ok(rc == 0 && jnum(j, "exit") == 0, "svmsim-run: exit status of the program (%d)", rc);
	/* Each stayed bound until its mm exited: its ->release was counted. */
	good = tap_ok(jnum(j, "bound") >= 4 && jnum(j, "bind_failed") == 0 &&
		      count(procs, "--workload-exec") >= 1 &&
		      count(procs, "\"releases\": 1,") == jnum(j, "bound"),
		      "every address space bound until its exit: %lld (first exec, fork child,"
		      " second child before and after its exec), %lld failed, %d released",
		      jnum(j, "bound"), jnum(j, "bind_failed"), count(procs, "\"releases\": 1,"));
	good &= tap_ok(jnum(total, "dma_ops") > 0 && jnum(total, "fills") > 0,
		       "the shadow read through the device: %lld reads, %lld fills",
		       jnum(total, "dma_ops"), jnum(total, "fills"));
	good &= tap_ok(jnum(total, "inv_calls") > 0 && jnum(total, "entries_flushed") > 0,
		       "invalidations counted: %lld calls flushed %lld entries",
		       jnum(total, "inv_calls"), jnum(total, "entries_flushed"));
	good &= tap_ok(jnum(j, "san_stale") == 0 && jnum(j, "san_reports_new") == 0 &&
		       jnum(total, "san_checks") > 0,
		       "sanitizer: %lld checks, %lld stale, %lld reports", jnum(total, "san_checks"),
		       jnum(j, "san_stale"), jnum(j, "san_reports_new"));
	if (!good)
		show_err();
	test_record(j);
	free(j);
}

static void test_run_bug(void)
{
	char *j, *reps;
	/* SVMSIM_RUN_BUG_ARGS="--no-sanitize --fill ref": the same bug unseen (must fail). */
	const char *more = getenv("SVMSIM_RUN_BUG_ARGS");
	char args[256];
	int rc;

	snprintf(args, sizeof(args), "--inject skip_invalidate %s", more ? more : "");
	rc = run("/tmp/svmsim-run-bug.json", args, &j);

	reps = j ? strstr(j, "\"san_reports\": ") : NULL;
	if (!tap_ok(rc == 97 && jnum(j, "san_stale") > 0 && count(reps, "\"seq\": ") > 0 &&
		    count(reps, "--workload") > 0 && count(reps, "\"flushed\": 0") > 0,
		    "injected skip_invalidate: exit %d (want 97), %lld stale, %d reports naming"
		    " the program with a skipped invalidation", rc, jnum(j, "san_stale"),
		    count(reps, "\"seq\": ")))
		show_err();
	free(j);
}

static void test_exit_status(void)
{
	int st = system("svmsim-run -q --threads 1 -- sh -c 'exit 3'");

	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 3, "svmsim-run exits with the program's status");
	st = system("svmsim-run -q -- /nonexistent/program 2>/dev/null");
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 127, "127 when the program cannot run");
}

static void body(void)
{
	test_bind_pid();
	test_exit_status();
	test_run_clean();
	test_run_bug();
}

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return 13;
	self[n] = 0;
	if (argc > 1 && !strcmp(argv[1], "--workload"))
		return workload();
	if (argc > 1 && !strcmp(argv[1], "--workload-exec")) {
		churn(12, 3);
		return 0;
	}
	parse_opts(argc, argv);
	if (opt.model != SVMSIM_MODEL_SECONDARY && opt.model != SVMSIM_MODEL_RANGE)
		opt.model = SVMSIM_MODEL_SECONDARY;
	return run_variants(VARY_MODEL, body);
}
