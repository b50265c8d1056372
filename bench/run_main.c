// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim-run [OPTIONS] -- PROGRAM ARGS...: run PROGRAM, unmodified, with
 * every address space it makes bound to an svmsim device, a device shadow
 * reading its memory, the coherence sanitizer on, and a report of the
 * invalidations it caused at the end.  See usage() and README.md.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "svmsim/dev.h"
#include "svmsim/names.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: svmsim-run [OPTIONS] -- PROGRAM [ARGS...]\n"
"\n"
"Runs PROGRAM unmodified under ptrace(2).  Every address space it makes --\n"
"the first exec, each fork child, each later exec -- is bound to the device\n"
"by pid (SVMSIM_BIND_PID: only a tracer may) on the same terms, and a device\n"
"shadow of a few threads reads sampled pages of its mappings, at a bounded\n"
"rate, through the device TLB, so that the program's invalidations find\n"
"entries to flush.  The sanitizer checks every device access.  At exit a\n"
"report goes to stderr (or --report FILE), and JSON to --json FILE.\n"
"\n"
"  -d, --device N          /dev/svmsimN (0)\n"
"  -m, --model M           secondary | range (secondary)\n"
"  -f, --fill F            noref | ref (noref: the faithful mode)\n"
"      --no-sanitize       do not check device accesses (on by default)\n"
"      --no-huge           no 2M TLB entries\n"
"  device configuration (needs root and no bond on the device):\n"
"      --sets N --ways N --policy clock|lru|fifo|random --flush sync|queued\n"
"      --latency-ns N --flush-threshold PAGES --max-entries N\n"
"      --max-pasid-entries N --flush-budget N\n"
"  the shadow:\n"
"  -t, --threads N         shadow threads (2)\n"
"  -r, --rate N            DMA operations per second per thread (500)\n"
"      --chunk PAGES       pages each operation reads (4)\n"
"      --maps-ms MS        re-read /proc/PID/maps this often (100)\n"
"  report and exit:\n"
"      --json FILE         the report as JSON too\n"
"      --report FILE       the text report there instead of stderr\n"
"      --record FILE       the invalidation stream into FILE, for svmsim-replay:\n"
"                          a header (kernel, model, TLB geometry, config), then\n"
"                          in order each bracket (B), each flush a callback made\n"
"                          (F: secondary, change_pte, range, release) and each\n"
"                          fill (I); needs tracefs (README.md, bench/replay.h)\n"
"  -q, --quiet             no text report\n"
"      --san-exit N        exit status when the sanitizer reported (%d)\n"
"      --inject BUG[:P]    inject BUG (enum svmsim_bug name) into every bond\n"
"                          (tests; the module needs allow_inject=1)\n"
"\n"
"Exit status: PROGRAM's (128+N if a signal N killed it), else %d if the\n"
"sanitizer reported a stale translation, %d if svmsim-run failed, %d if\n"
"PROGRAM could not be executed.\n"
"\n"
"Limits: PROGRAM must not be traced already, nor trace its own children\n"
"(ptrace allows one tracer); a setuid or file-capability program runs\n"
"without its privileges (a traced exec gains none); static programs are\n"
"fine.  Job control stops (SIGTSTP, SIGSTOP) are resumed at once.  The\n"
"device's sanitizer reports are read from its ring of the newest %d.\n",
		RUN_EXIT_SANITIZER, RUN_EXIT_SANITIZER, RUN_EXIT_ERROR, RUN_EXIT_EXEC,
		SVMSIM_SAN_REPORTS);
}

uint64_t run_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void run_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("svmsim-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int64_t num(const char *opt, const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || *end || v < 0) {
		run_warn("%s: not a number >= 0: %s", opt, s);
		exit(RUN_EXIT_ERROR);
	}
	return v;
}

static int64_t named(const char *opt, const char *const *names, unsigned int n,
		     const char *s)
{
	int i = svmsim_name_index(names, 0, n, s);

	if (i < 0) {
		run_warn("%s: unknown value %s", opt, s);
		exit(RUN_EXIT_ERROR);
	}
	return i;
}

enum {
	O_NO_SAN = 256, O_NO_HUGE, O_SETS, O_WAYS, O_POLICY, O_FLUSH, O_LAT, O_THRESH,
	O_MAXE, O_MAXPE, O_BUDGET, O_CHUNK, O_MAPS, O_JSON, O_REPORT, O_SANEXIT, O_INJECT,
	O_RECORD,
};

static void parse(struct run_opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "device", 1, 0, 'd' }, { "model", 1, 0, 'm' }, { "fill", 1, 0, 'f' },
		{ "no-sanitize", 0, 0, O_NO_SAN }, { "no-huge", 0, 0, O_NO_HUGE },
		{ "sets", 1, 0, O_SETS }, { "ways", 1, 0, O_WAYS }, { "policy", 1, 0, O_POLICY },
		{ "flush", 1, 0, O_FLUSH }, { "latency-ns", 1, 0, O_LAT },
		{ "flush-threshold", 1, 0, O_THRESH }, { "max-entries", 1, 0, O_MAXE },
		{ "max-pasid-entries", 1, 0, O_MAXPE }, { "flush-budget", 1, 0, O_BUDGET },
		{ "threads", 1, 0, 't' }, { "rate", 1, 0, 'r' }, { "chunk", 1, 0, O_CHUNK },
		{ "maps-ms", 1, 0, O_MAPS }, { "json", 1, 0, O_JSON }, { "report", 1, 0, O_REPORT },
		{ "record", 1, 0, O_RECORD },
		{ "quiet", 0, 0, 'q' }, { "san-exit", 1, 0, O_SANEXIT }, { "inject", 1, 0, O_INJECT },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	char *colon;
	int c;

	o->model = SVMSIM_MODEL_SECONDARY;
	o->fill = SVMSIM_FILL_NOREF;
	o->sanitize = true;
	o->sets = o->ways = o->policy = o->flush_mode = o->flush_threshold = -1;
	o->latency_ns = o->max_entries = o->max_pasid_entries = o->flush_budget = -1;
	o->threads = 2;
	o->rate = 500;
	o->chunk = 4;
	o->maps_ms = 100;
	o->inject_bug = -1;
	o->san_exit = RUN_EXIT_SANITIZER;
	/* "+": stop at the first non-option, PROGRAM's own options are its own. */
	while ((c = getopt_long(argc, argv, "+d:m:f:t:r:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o->device = (unsigned int)num("--device", optarg); break;
		case 'm':
			o->model = (uint32_t)named("--model", svmsim_model_names, SVMSIM_MODEL_NR, optarg);
			if (o->model != SVMSIM_MODEL_SECONDARY && o->model != SVMSIM_MODEL_RANGE) {
				run_warn("--model: secondary or range");
				exit(RUN_EXIT_ERROR);
			}
			break;
		case 'f':
			o->fill = (uint32_t)named("--fill", svmsim_fill_names, SVMSIM_FILL_NR, optarg);
			break;
		case O_NO_SAN: o->sanitize = false; break;
		case O_NO_HUGE: o->no_huge = true; break;
		case O_SETS: o->sets = num("--sets", optarg); break;
		case O_WAYS: o->ways = num("--ways", optarg); break;
		case O_POLICY:
			o->policy = named("--policy", svmsim_repl_names, SVMSIM_REPL_NR, optarg);
			break;
		case O_FLUSH:
			o->flush_mode = named("--flush", svmsim_flush_mode_names,
					      SVMSIM_FLUSH_MODE_NR, optarg);
			break;
		case O_LAT: o->latency_ns = num("--latency-ns", optarg); break;
		case O_THRESH: o->flush_threshold = num("--flush-threshold", optarg); break;
		case O_MAXE: o->max_entries = num("--max-entries", optarg); break;
		case O_MAXPE: o->max_pasid_entries = num("--max-pasid-entries", optarg); break;
		case O_BUDGET: o->flush_budget = num("--flush-budget", optarg); break;
		case 't': o->threads = (unsigned int)num("--threads", optarg); break;
		case 'r': o->rate = (unsigned int)num("--rate", optarg); break;
		case O_CHUNK: o->chunk = (unsigned int)num("--chunk", optarg); break;
		case O_MAPS: o->maps_ms = (unsigned int)num("--maps-ms", optarg); break;
		case O_JSON: o->json = optarg; break;
		case O_REPORT: o->report = optarg; break;
		case O_RECORD: o->record = optarg; break;
		case 'q': o->quiet = true; break;
		case O_SANEXIT: o->san_exit = (int)num("--san-exit", optarg) & 255; break;
		case O_INJECT:
			colon = strchr(optarg, ':');
			if (colon) {
				*colon = 0;
				o->inject_param = (uint32_t)num("--inject", colon + 1);
			}
			o->inject_bug = (int32_t)named("--inject", svmsim_bug_names, SVMSIM_BUG_NR,
						       optarg);
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(RUN_EXIT_ERROR);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		exit(RUN_EXIT_ERROR);
	}
	if (!o->chunk || o->chunk > 512 || o->threads > 64 || !o->maps_ms) {
		run_warn("--chunk 1..512, --threads 0..64, --maps-ms > 0");
		exit(RUN_EXIT_ERROR);
	}
	o->set_config = o->sets >= 0 || o->ways >= 0 || o->policy >= 0 || o->flush_mode >= 0 ||
			o->flush_threshold >= 0 || o->latency_ns >= 0 || o->max_entries >= 0 ||
			o->max_pasid_entries >= 0 || o->flush_budget >= 0;
	o->argv = argv + optind;
}

#define SET_IF(field, v) do { if ((v) >= 0) c.field = (v); } while (0)

/* Open the device, check the ABI, apply the configuration asked for. */
static int setup_device(struct run_state *s)
{
	struct svmsim_version v;
	struct svmsim_config c;
	int ret;

	s->fd = svmsim_open(s->o.device);
	if (s->fd < 0) {
		run_warn("open %s%u: %s", SVMSIM_DEV_PREFIX, s->o.device, strerror(-s->fd));
		return -1;
	}
	ret = svmsim_version(s->fd, &v);
	if (ret || v.abi_version != SVMSIM_ABI_VERSION) {
		run_warn("the module's ABI is %u, svmsim-run's %u", ret ? 0 : v.abi_version,
			 SVMSIM_ABI_VERSION);
		return -1;
	}
	if (s->o.sanitize && !(v.features & SVMSIM_FEAT_SANITIZER)) {
		run_warn("the module has no sanitizer");
		return -1;
	}
	if (svmsim_get_config(s->fd, &c))
		return -1;
	if (s->o.set_config) {
		SET_IF(tlb_sets, s->o.sets);
		SET_IF(tlb_ways, s->o.ways);
		SET_IF(tlb_policy, s->o.policy);
		SET_IF(flush_mode, s->o.flush_mode);
		SET_IF(flush_threshold, s->o.flush_threshold);
		SET_IF(dev_latency_ns, s->o.latency_ns);
		SET_IF(max_entries, s->o.max_entries);
		SET_IF(max_pasid_entries, s->o.max_pasid_entries);
		SET_IF(flush_budget, s->o.flush_budget);
		ret = svmsim_set_config(s->fd, &c);
		if (ret) {
			run_warn("SVMSIM_IOC_SET_CONFIG: %s%s", strerror(-ret),
				 ret == -EBUSY ? " (another mm is bound to the device)" :
				 ret == -EPERM ? " (needs CAP_SYS_ADMIN)" : "");
			return -1;
		}
		if (svmsim_get_config(s->fd, &c))
			return -1;
	}
	s->cfg = c;
	return 0;
}

static struct run_state *the_state;

/* SIGTERM, SIGHUP: pass them on to PROGRAM, which decides. */
static void forward(int sig)
{
	if (the_state && the_state->child > 0)
		kill(the_state->child, sig);
}

static void signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* The terminal sends these to PROGRAM too: stay to report. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
}

int main(int argc, char **argv)
{
	static struct run_state s;
	pthread_rwlockattr_t ra;
	int san = 0, status, rec;

	parse(&s.o, argc, argv);
	the_state = &s;
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&s.lock, &ra);
	if (setup_device(&s) || run_snapshot(&s))
		return RUN_EXIT_ERROR;
	s.t0 = run_now_ns();
	signals();
	if (s.o.record && run_record_start(&s))
		return RUN_EXIT_ERROR;
	if (run_shadow_start(&s)) {
		run_record_stop(&s);
		return RUN_EXIT_ERROR;
	}
	if (run_trace(&s)) {
		run_shadow_stop(&s);
		run_record_stop(&s);
		return RUN_EXIT_ERROR;
	}
	run_shadow_stop(&s);
	/* The recording first: the report names its records. */
	rec = run_record_stop(&s);
	if (run_report(&s, &san) || rec)
		return RUN_EXIT_ERROR;
	status = run_exit_status(&s, san);
	/* PROGRAM never ran (its exec failed: nothing was bound): say so. */
	if (WIFEXITED(s.status) && WEXITSTATUS(s.status) == RUN_EXIT_EXEC && !s.nmms)
		return RUN_EXIT_EXEC;
	return status;
}
