#!/bin/sh
# The in-VM test suite: runs inside the guest (scripts/vm, busybox sh) with
# the module loaded (allow_inject=1) and every test program on PATH.  Prints
# each program's TAP and a summary; exits non-zero if anything failed.
#
#   svmsim-run-tests [PROGRAM...]    default: the whole suite
#
# Each program's kernel log is checked on its own: a marker goes to
# /dev/kmsg before it, and the log since the marker is checked after it
# with scripts/vm's badness rules (/svmsim/badness.sh), so a kernel warning
# fails the program that caused it (kmsg_selftest checks the check).
# Modules are loaded by svmsim-module (scripts/vm.d/module), with ARGS.
ARGS="allow_inject=1 allow_fail_alloc=1"
export SVMSIM_MODULE_ARGS="$ARGS"	# programs that reload the module use these
status=0
summary=""
kmsg_check=0
# shellcheck source=/dev/null  # scripts/vm.d/badness.sh, put there by scripts/vm
[ -r /svmsim/badness.sh ] && [ -w /dev/kmsg ] && . /svmsim/badness.sh && kmsg_check=1
nstep=0

# kmsg_mark TEXT: a marker for the next program in the kernel log (KERN_INFO: not on the console).
kmsg_mark() {
	nstep=$((nstep + 1))
	mark="svmsim-run-tests: begin $nstep: $*"
	[ $kmsg_check -eq 1 ] && echo "<6>$mark" >/dev/kmsg
}

# kmsg_bad: the badness in the kernel log since the last marker (the whole log if it is gone).
kmsg_bad() {
	[ $kmsg_check -eq 1 ] || return 0
	dmesg >/tmp/.svmsim-kmsg
	if awk -v m="$mark" 'f { print } index($0, m) { f = 1 } END { exit !f }' \
		/tmp/.svmsim-kmsg >/tmp/.svmsim-kmsg-since; then
		svmsim_badness /tmp/.svmsim-kmsg-since
	else
		echo "(the marker left the log buffer: the whole log)"
		svmsim_badness /tmp/.svmsim-kmsg
	fi
}

# run_step CMD...: run CMD, its output in $out, its status in $rc, the kernel
# badness it left in $bad.
run_step() {
	kmsg_mark "$*"
	out=$("$@" 2>&1)
	rc=$?
	bad=$(kmsg_bad)
}

run() {
	echo "# ---- $*"
	t0=$(date +%s)
	run_step "$@"
	secs=$(($(date +%s) - t0))
	printf '%s\n' "$out"
	totals=$(printf '%s\n' "$out" | grep '^# totals:' | tail -n 1)
	# No totals line: the program died before its plan (tests count
	# themselves: tests/lib/tap.h), whatever its exit status.
	if [ -z "$totals" ]; then
		totals="# totals: (none: died before its plan)"
		[ $rc -eq 0 ] && rc=99
	fi
	if [ -n "$bad" ]; then
		echo "# kernel badness in the log since $1 started:"
		printf '%s\n' "$bad" | sed 's/^/#   /'
		totals="$totals, KERNEL BADNESS"
	fi
	summary="$summary
$* -> ${totals#\# totals: } (exit $rc, ${secs} s)"
	if [ $rc -ne 0 ] || [ -n "$bad" ]; then
		status=1
	fi
}

# The per-program check must be able to fail, and blame the right program:
# three steps; the middle one writes a fake kernel warning (tagged, so that
# scripts/vm's whole-log scan ignores it) to /dev/kmsg.
kmsg_selftest() {
	echo "# ---- kmsg_selftest"
	if [ $kmsg_check -eq 0 ]; then
		summary="$summary
kmsg_selftest -> skip (no /svmsim/badness.sh or /dev/kmsg: not under scripts/vm)"
		return 0
	fi
	run_step true
	b1=$bad
	run_step sh -c "echo '<4>WARNING: CPU: 0 PID: 0 at svmsim-run-tests $SVMSIM_SELFTEST_TAG: no kernel wrote this' >/dev/kmsg"
	b2=$bad
	run_step true
	b3=$bad
	echo "TAP version 13"
	echo "1..3"
	n=0
	if [ -z "$b1" ]; then
		echo "ok 1 - the step before is not blamed"
	else
		echo "not ok 1 - the step before is blamed: $b1"
		n=$((n + 1))
	fi
	case $b2 in
	*"WARNING: CPU: 0 PID: "*"$SVMSIM_SELFTEST_TAG"*) echo "ok 2 - the step that wrote the warning is blamed: $b2" ;;
	*) echo "not ok 2 - the step that wrote the warning is not blamed (${b2:-nothing})"; n=$((n + 1)) ;;
	esac
	if [ -z "$b3" ]; then
		echo "ok 3 - the step after is not blamed"
	else
		echo "not ok 3 - the step after is blamed: $b3"
		n=$((n + 1))
	fi
	echo "# totals: pass:$((3 - n)) fail:$n skip:0"
	summary="$summary
kmsg_selftest -> pass:$((3 - n)) fail:$n skip:0"
	[ $n -eq 0 ] || status=1
}

# Load/unload: the module must come and go cleanly, and refuse to go while
# a device is open.
reload() {
	n=0 ok=0
	while [ $n -lt 3 ]; do
		svmsim-module unload && svmsim-module load "$ARGS" && ok=$((ok + 1))
		n=$((n + 1))
	done
	sleep 5 </dev/svmsim0 &
	holder=$!
	sleep 1
	if svmsim-module unload 2>/dev/null; then
		busy="not ok"
		svmsim-module load "$ARGS"
	else
		busy="ok"
	fi
	kill $holder 2>/dev/null
	wait $holder 2>/dev/null
	echo "TAP version 13"
	echo "1..2"
	[ $ok -eq 3 ] && echo "ok 1 - rmmod + insmod, 3 times" || echo "not ok 1 - rmmod + insmod ($ok of 3)"
	echo "$busy 2 - rmmod refused while /dev/svmsim0 is open"
	[ $ok -eq 3 ] && [ "$busy" = ok ] && { echo "# totals: pass:2 fail:0 skip:0"; return 0; }
	echo "# totals: pass:? fail:1 skip:0"
	return 1
}

# Automatic NUMA balancing and proactive compaction migrate pages in the
# background, adding invalidations the counter checks do not expect; the
# tests migrate pages themselves.  Both are covered switched on, with the
# device reading the moving pages: svmsim-test_numa [--compaction].
[ -w /proc/sys/kernel/numa_balancing ] && echo 0 >/proc/sys/kernel/numa_balancing
[ -w /proc/sys/vm/compaction_proactiveness ] && echo 0 >/proc/sys/vm/compaction_proactiveness

# The module was loaded by scripts/vm with its own arguments: use ours.
svmsim-module reload "$ARGS" || { echo "Bail out! insmod $ARGS failed"; exit 1; }

if [ $# -gt 0 ]; then
	for t in "$@"; do
		if [ "$t" = kmsg_selftest ]; then kmsg_selftest; else run $t; fi
	done
else
	kmsg_selftest
	run reload
	run svmsim-test_basic
	# Each program covers both models (and test_mm, test_bounds and
	# test_numa both fills too) itself, one variant after the other
	# (run_variants() in lib.c): the matrix is written once, there.
	run svmsim-test_mm
	run svmsim-test_life
	run svmsim-test_reap
	run svmsim-test_stress
	run svmsim-test_stress --flush queued --latency-ns 50000
	run svmsim-test_queue --seconds 4
	run svmsim-test_devfault
	run svmsim-test_coalesce
	run svmsim-devfault_rmmod
	run svmsim-test_inject
	run svmsim-test_catalogue
	run svmsim-test_callbacks
	run svmsim-test_alloc
	run svmsim-test_bounds
	run svmsim-test_psi
	run svmsim-test_pagedesc
	# Fan-out: one mm on 4 devices, through the two-pass notifier.
	if svmsim-module reload "$ARGS ndevices=4"; then
		run svmsim-test_fanout
		# queued: waiters that spin (20 us), and sleeping ones (200 us),
		# which serve their devices' batches themselves
		run svmsim-test_fanout --flush queued --latency-ns 20000
		run svmsim-test_fanout --flush queued --latency-ns 200000
	else
		summary="$summary
svmsim-test_fanout -> insmod ndevices=4 failed"
		status=1
	fi
	svmsim-module reload "$ARGS" || { echo "Bail out! insmod $ARGS failed"; exit 1; }
	run svmsim-test_races
	run svmsim-races_rmmod
	run svmsim-test_pinned
	run svmsim-test_reap --model pinned
	run svmsim-test_priv
	run svmsim-test_locks
	# The null-notifier floor (skips without svmsim_null.ko), and the
	# kernel's own hmm-tests against its test mirror when scripts/vm-check
	# loaded test_hmm.ko (scripts/dmirror builds both).
	run svmsim-test_null
	[ -d /sys/module/test_hmm ] && run svmsim-hmm_tests
	run svmsim-test_numa
	run svmsim-test_numa --compaction
	# The correct driver under the coherence sanitizer (every new bond
	# sanitized): the mm workloads again, and test_sanitize's own, with
	# not one report; then each injected bug, caught by the sanitizer in
	# the faithful fill=noref mode.
	echo 1 >/sys/module/svmsim/parameters/sanitize
	run svmsim-test_mm --fill noref
	run svmsim-test_sanitize --fill noref
	run svmsim-test_numa
	echo 0 >/sys/module/svmsim/parameters/sanitize
	export SVMSIM_SUITE=1
	run svmsim-test_sanitize --model secondary --fill ref
	unset SVMSIM_SUITE
	# Injected bugs from here on: after the suite's report count above.
	run svmsim-test_inject --sanitize 1 --fill noref
	run svmsim-test_catalogue --sanitize 1 --fill noref
	# svmsim-run on a real program (its last case injects skip_invalidate)
	run svmsim-test_run
	# svmbench --validate: every bug of the catalogue against the
	# workloads that expose it (3 s per cell; caught bugs stop in well
	# under 1 s), then the correct driver sanitized, fill noref and ref,
	# until 1e6 device operations each, with not one report.  Its clean
	# run replaces the sanitized svmsim-test_stress pass (same mm churn
	# under DMA, sanitized, more operations).  The table goes to /out.
	run svmbench --validate --budget 3 --out /out/validate
	# The short fuzz: random bind models cover secondary, range and pinned.
	run svmsim-fuzz --duration 30 --inject --progress 15
	if command -v svmsim-bench_smoke >/dev/null; then
		run svmsim-bench_smoke
	fi
fi

echo "# ==== summary ($(uname -r))$summary"
exit $status
