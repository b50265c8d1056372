#!/bin/sh
# svmsim-run on Debian's stress-ng mm stressors, in the guest (scripts/run-stress boots it
# with --bin /usr/bin/stress-ng): each stressor for SECS seconds (5) under svmsim-run with
# each model of MODELS (secondary range), sanitizer on, fill noref, the default TLB; the
# model "plain" runs stress-ng alone (its bogo ops/s are the baseline).  Per run, into
# /out/run/: KVER-MODEL-STRESSOR.json (svmsim-run --json), .txt (its text report), .log
# (stress-ng's output and svmsim-run's warnings); the run's stream is recorded (--record)
# and replayed with both models into replay/KVER-MODEL-STRESSOR.json (svmsim-replay --json;
# the recording itself is not kept); a line "MODEL STRESSOR: exit N".
# The module is reloaded as the test suite loads it.
secs=${SECS:-5}
k=$(uname -r)
mkdir -p /out/run/replay
svmsim-module reload || { echo "insmod failed"; exit 1; }
# KSM merges what stress-ng --ksm marks mergeable; it scans only when running.
[ -w /sys/kernel/mm/ksm/run ] && echo 1 >/sys/kernel/mm/ksm/run
status=0
for model in ${MODELS:-secondary range}; do
	for s in "vm:--vm 2 --vm-bytes 32M" "mmap:--mmap 2 --mmap-bytes 16M" "mremap:--mremap 2" \
		 "madvise:--madvise 2" "fork:--fork 2" "brk:--brk 2" "malloc:--malloc 2" \
		 "numa:--numa 1" "userfaultfd:--userfaultfd 1" "ksm:--vm 1 --vm-bytes 16M --vm-madvise mergeable"; do
		name=${s%%:*}
		args=${s#*:}
		f=/out/run/$k-$model-$name
		if [ "$model" = plain ]; then
			# shellcheck disable=SC2086
			stress-ng $args -t ${secs}s --temp-path /tmp --metrics-brief >$f.log 2>&1
		else
			# shellcheck disable=SC2086
			svmsim-run -m $model --json $f.json --report $f.txt --record /tmp/rec -- \
				stress-ng $args -t ${secs}s --temp-path /tmp --metrics-brief >$f.log 2>&1
		fi
		rc=$?
		if [ -f /tmp/rec ]; then
			svmsim-replay -q --json "/out/run/replay/$k-$model-$name.json" /tmp/rec \
				>>"$f.log" 2>&1 || rc=$((rc ? rc : 1))
			rm -f /tmp/rec
		fi
		echo "$model $name: exit $rc"
		[ $rc -eq 0 ] || status=1
	done
done
exit $status
