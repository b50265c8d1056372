// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench's option table (bench/options.c): the defaults, the "was it
 * set" bits (a device setting given as 0 is given, one not given is not,
 * whatever its value), the bounds and names each option accepts, and the
 * checks across options.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "options.h"
#include "svmsim/names.h"
#include "tap.h"
#include "workload.h"

TAP_DEFINE_STATE;

/* options_parse() of a NULL-terminated argument list; stderr quiet. */
static int parse(struct options *o, const char *const *args)
{
	char *argv[32] = { "svmbench" };
	int argc = 1, ret;
	FILE *saved = stderr;

	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	optind = 0;
	stderr = fopen("/dev/null", "w");
	ret = options_parse(o, argc, argv);
	fclose(stderr);
	stderr = saved;
	return ret;
}

#define PARSE(o, ...) parse(o, (const char *const []){ __VA_ARGS__, NULL })

static bool none_set(const struct options *o)
{
	unsigned int i;

	for (i = 0; i < OPT_NR; i++)
		if (opt_set(o, i))
			return false;
	return true;
}

int main(void)
{
	struct options o;

	tap_ok(!parse(&o, (const char *const []){ NULL }) && none_set(&o),
	       "no arguments: runs, no option counts as given");
	tap_ok(o.backend == &backend_svmsim && o.workload == &workload_munmap &&
	       o.threads == 1 && o.device_threads == 1 && o.pages == 1 && o.regions == 4 &&
	       o.iterations == DEFAULT_ITERATIONS && o.seed == 1 && o.baseline &&
	       o.pause_us == 100 && o.max_reports == 100 && o.format == FMT_CSV &&
	       o.validate_budget == 10 && o.validate_clean_ops == 1000000 &&
	       o.validate_bugs == (1ull << SVMSIM_BUG_NR) - 1 && !o.inject && !o.layout,
	       "the defaults --help states");
	tap_ok(!PARSE(&o, "--tlb-sets", "0", "--psi", "off", "--latency-ns", "0") &&
	       opt_set(&o, OPT_TLB_SETS) && opt_set(&o, OPT_PSI) && opt_set(&o, OPT_LATENCY) &&
	       !opt_set(&o, OPT_TLB_WAYS) && !opt_set(&o, OPT_FLUSH_MODE) &&
	       o.tlb_sets == 0 && !o.psi && o.latency_ns == 0,
	       "a device setting given as 0 or off is given; the others are not");
	tap_ok(!PARSE(&o, "--flush-mode", "sync", "--tlb-policy", "clock") &&
	       opt_set(&o, OPT_FLUSH_MODE) && opt_set(&o, OPT_TLB_POLICY) && o.flush_mode == 0,
	       "a name whose index is 0 is given");
	tap_ok(PARSE(&o, "--latency-ns", "-1") == 2 && PARSE(&o, "--threshold", "4294967296") == 2 &&
	       PARSE(&o, "--psi", "maybe") == 2 && PARSE(&o, "--model", "default") == 2,
	       "-1, out of range, unknown and the default model are refused");
	tap_ok(!PARSE(&o, "--threshold", "4294967295", "--latency-ns", "9223372036854775807") &&
	       o.threshold == UINT32_MAX && o.latency_ns == INT64_MAX, "the largest values");
	tap_ok(PARSE(&o, "--threads", "0") == 2 && PARSE(&o, "--threads", "65") == 2 &&
	       !PARSE(&o, "--threads", "64") && o.threads == 64 && o.regions == 64,
	       "--threads 1..64; --regions follows it");
	tap_ok(PARSE(&o, "--iterations", "5", "--duration", "1") == 2 &&
	       !PARSE(&o, "--duration", "1") && o.iterations == 0 && o.duration == 1,
	       "--iterations and --duration exclude each other; --duration drops the default count");
	tap_ok(!PARSE(&o, "--backend", "null") && o.device_threads == 0 &&
	       !PARSE(&o, "--backend", "null", "--device-threads", "1") && o.device_threads == 1,
	       "device threads: 0 on a backend without reads unless given");
	tap_ok(!PARSE(&o, "--backend", "dmirror", "--tlb-sets", "0") &&
	       backend_check(o.backend, &o) != NULL &&
	       !PARSE(&o, "--backend", "dmirror", "--model", "secondary") &&
	       backend_check(o.backend, &o) != NULL,
	       "a device setting given to a backend without it is refused, even as 0");
	tap_ok(PARSE(&o, "--psi", "on", "--page-descs", "on") == 2 &&
	       !PARSE(&o, "--psi", "off", "--page-descs", "on") && o.page_descs &&
	       opt_set(&o, OPT_PAGE_DESCS) && PARSE(&o, "--page-descs", "1") == 2,
	       "--page-descs on|off, not with --psi on");
	tap_ok(!PARSE(&o, "--no-baseline") && !o.baseline && !PARSE(&o, "--no-baseline", "--baseline") &&
	       o.baseline && !PARSE(&o, "--inject", "skip_invalidate:3") && o.inject &&
	       o.inject_param == 3 && PARSE(&o, "--inject", "skip_invalidate:x") == 2,
	       "flags, and --inject BUG:P");
	tap_ok(!PARSE(&o, "--validate", "--bugs", "none,skip_clear", "--modes", "ref") &&
	       o.validate_bugs == (1ull | 1ull << SVMSIM_BUG_SKIP_CLEAR) && o.validate_modes == 4 &&
	       PARSE(&o, "--bugs", "") == 2 && PARSE(&o, "--validate", "--label", "x") == 2,
	       "--bugs, --modes, and what --validate refuses");
	return tap_finish();
}
