#!/bin/sh
# rmmod with lost completions outstanding (issue 10 part 4): a process
# leaves descriptors of a batch the device lost in flight (owned ones, the
# injected bug NO_WAIT; qi_timeout_ns 100 ms) and exits; the module must
# unload at once -- its exit waits for the bonds those descriptors hold
# until the driver's timeout retires them -- neither stuck nor warning,
# and load again.  Per model.
#
#   svmsim-devfault_rmmod [MODEL...]    (default: secondary range)
ARGS=${SVMSIM_MODULE_ARGS:-allow_inject=1 allow_fail_alloc=1}
models=${*:-secondary range}
fail=0
t=0

echo "TAP version 13"
for model in $models; do
	t=$((t + 1))
	bad=""
	counts=$(svmsim-test_devfault --model "$model" --hold-lost) ||
		bad="the holder left nothing outstanding or failed: '$counts'"
	if [ -z "$bad" ]; then
		svmsim-module unload &
		rp=$!
		w=0
		while kill -0 $rp 2>/dev/null && [ $w -lt 300 ]; do
			sleep 0.1
			w=$((w + 1))
		done
		if kill -0 $rp 2>/dev/null; then
			bad="rmmod stuck for 30 s"
			for s in /proc/"$rp"/task/*/stack; do sed 's/^/#     /' "$s" 2>/dev/null; done
		elif ! wait $rp; then
			bad="rmmod refused"
		fi
	fi
	if [ -n "$bad" ] && lsmod | grep -q '^svmsim '; then
		# The holder's device configuration (every batch lost) must
		# not outlive this test: a fresh module resets it.
		svmsim-module reload "$ARGS" || bad="$bad; reload failed"
	fi
	lsmod | grep -q '^svmsim ' || svmsim-module load "$ARGS" || bad="$bad; insmod failed"
	# "DESCS LOST TIMEOUTS", the holder's counts.
	# shellcheck disable=SC2086
	set -- $counts
	if [ -z "$bad" ]; then
		echo "ok $t - $model: rmmod with $(($1 - $3)) of $1 descriptors outstanding ($2 batches lost) unloads"
	else
		echo "not ok $t - $model: $bad"
		fail=$((fail + 1))
	fi
done
echo "1..$t"
echo "# totals: pass:$((t - fail)) fail:$fail skip:0"
[ $fail -eq 0 ]
