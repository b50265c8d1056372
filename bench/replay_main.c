// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim-replay [--json FILE] [-q] RECORDING...: replay streams recorded by
 * svmsim-run --record under both models (bench/replay.c).  User space, no
 * device, no VM: the driver's TLB core runs here over liburcu.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "svmsim/tlb.h"

static void usage(FILE *f)
{
	fputs("usage: svmsim-replay [--json FILE] [-q] RECORDING...\n"
	      "\n"
	      "Replays each RECORDING (svmsim-run --record FILE) against a TLB of its\n"
	      "recorded geometry under both models -- secondary: flush what the\n"
	      "secondary callbacks flushed, collateral against the brackets since the\n"
	      "last flush; range: flush each bracket's range at its start -- and prints\n"
	      "per model: calls, entries flushed, collateral (entries removed outside\n"
	      "the ranges that changed), whole-address-space flushes, full flushes,\n"
	      "releases, fills.  A range-model recording has no secondary callbacks:\n"
	      "only its range side is replayed.  The record format: README.md\n"
	      "(\"Recording and replaying\") and bench/replay.h.\n"
	      "\n"
	      "  --json FILE   the reports as JSON too (an array, one object per RECORDING;\n"
	      "                - for stdout, then no text report)\n"
	      "  -q            no text report\n"
	      "\n"
	      "Exit status: 0, 1 if a RECORDING could not be read or is malformed, 2 usage.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", 1, 0, 'j' }, { "quiet", 0, 0, 'q' }, { "help", 0, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct replay_result r;
	const char *json = NULL;
	bool quiet = false;
	FILE *jf = NULL, *f;
	int c, i, status = 0, njson = 0;
	char err[160];

	while ((c = getopt_long(argc, argv, "j:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'j': json = optarg; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (json) {
		jf = strcmp(json, "-") ? fopen(json, "w") : stdout;
		quiet |= jf == stdout;
		if (!jf) {
			perror(json);
			return 1;
		}
		fputs("[\n", jf);
	}
	rcu_register_thread();
	if (svm_tlb_cache_create()) {
		fputs("svmsim-replay: out of memory\n", stderr);
		return 1;
	}
	for (i = optind; i < argc; i++) {
		f = fopen(argv[i], "re");
		if (!f) {
			perror(argv[i]);
			status = 1;
			continue;
		}
		if (replay_stream(f, &r, err, sizeof(err))) {
			fprintf(stderr, "svmsim-replay: %s: %s\n", argv[i], err);
			status = 1;
		} else {
			if (!quiet)
				replay_print_text(stdout, argv[i], &r);
			if (jf) {
				if (njson++)
					fputs(",\n", jf);
				replay_print_json(jf, argv[i], &r);
			}
		}
		fclose(f);
	}
	rcu_barrier();
	svm_tlb_cache_destroy();
	rcu_unregister_thread();
	if (jf) {
		fputs("]\n", jf);
		if (jf != stdout)
			fclose(jf);
	}
	return status;
}
