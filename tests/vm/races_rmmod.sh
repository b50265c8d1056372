#!/bin/sh
# rmmod racing a busy module (issue 13, lifecycle races): refused while a
# process is bound with DMA and queued invalidations in flight, while only
# the device window is mapped, and while an orphan holds an fd inherited
# from a bound parent that exited; clean (and insmod again) once the holder
# is killed, retried at once so the unload races the holder's exit.
# rmmod runs under a watchdog: stuck for 60 s, it prints rmmod's kernel
# stack, logs blocked tasks (sysrq w) and fails.
#
#   svmsim-races_rmmod [MODEL [ITERATIONS]]    (defaults: both models, 2)
# The suite's module arguments (tests/vm/run-tests.sh), so that the
# programs after this one find the module as the suite loaded it.
ARGS=${SVMSIM_MODULE_ARGS:-allow_inject=1 allow_fail_alloc=1}
models=${1:-secondary range}
n=${2:-2}
READY=/tmp/svmsim-hold.ready
fail=0
t=0

stacks() {
	for s in /proc/$1/task/*/stack; do
		echo "# stack of $s:"
		sed 's/^/#     /' "$s" 2>/dev/null
	done
	echo w >/proc/sysrq-trigger 2>/dev/null
}

# rmmod under the watchdog: 0 unloaded, 1 refused, 2 stuck.
try_rmmod() {
	svmsim-module unload 2>/dev/null &
	rp=$!
	w=0
	while kill -0 $rp 2>/dev/null; do
		if [ $w -ge 600 ]; then
			echo "# rmmod stuck for 60 s"
			stacks $rp
			return 2
		fi
		sleep 0.1
		w=$((w + 1))
	done
	wait $rp && return 0
	return 1
}

echo "TAP version 13"
for model in $models; do
for mode in queued window orphan; do
	i=0 refused=0 clean=0 retries=0 bad=""
	while [ $i -lt $n ] && [ -z "$bad" ]; do
		i=$((i + 1))
		rm -f $READY
		svmsim-test_races --model "$model" --hold $mode &
		holder=$!
		w=0
		while [ ! -s $READY ] && [ $w -lt 600 ]; do
			sleep 0.1
			w=$((w + 1))
		done
		if [ ! -s $READY ]; then
			bad="the holder did not get ready in 60 s"
			stacks $holder
			kill -9 $holder 2>/dev/null
			break
		fi
		victim=$(cat $READY)
		try_rmmod
		case $? in
		0) bad="rmmod succeeded while busy ($mode)"; svmsim-module load "$ARGS"; break ;;
		1) refused=$((refused + 1)) ;;
		2) bad="rmmod stuck while busy"; break ;;
		esac
		kill -9 "$victim" $holder 2>/dev/null
		# At once, racing the holder's exit; then until it is gone.
		r=0
		while :; do
			try_rmmod
			rc=$?
			[ $rc -eq 0 ] && break
			[ $rc -eq 2 ] && { bad="rmmod stuck after the holder's kill"; break; }
			r=$((r + 1))
			if [ $r -ge 300 ]; then
				bad="rmmod still refused 30 s after the holder's kill"
				stacks "$victim"
				break
			fi
			sleep 0.1
		done
		wait $holder 2>/dev/null
		[ -n "$bad" ] && break
		retries=$((retries + r))
		clean=$((clean + 1))
		svmsim-module load "$ARGS" || { bad="insmod failed"; break; }
	done
	t=$((t + 1))
	if [ -z "$bad" ]; then
		echo "ok $t - $model: rmmod vs $mode holder: refused $refused/$n, clean after $clean/$n (retries $retries)"
	else
		echo "not ok $t - $model: rmmod vs $mode holder: $bad (iteration $i)"
		fail=$((fail + 1))
	fi
done
done
lsmod | grep -q '^svmsim ' || svmsim-module load "$ARGS"
echo "1..$t"
echo "# totals: pass:$((t - fail)) fail:$fail skip:0"
[ $fail -eq 0 ]
