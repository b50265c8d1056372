#!/bin/sh
# The kernel's upstream hmm-tests against its HMM test mirror (test_hmm,
# "dmirror"), both built from Debian's packaged source by scripts/dmirror;
# the tests that need device-private memory SKIP with their reason there.
# Runs in the guest when test_hmm is loaded:
#   scripts/vm --extra-module build/KVER/dmirror/test_hmm.ko \
#       --bin build/KVER/dmirror/hmm-tests -- svmsim-hmm_tests
# Prints the harness's TAP and a "# totals:" line for run-tests.sh.
if [ ! -d /sys/module/test_hmm ] || ! command -v hmm-tests >/dev/null; then
	echo "TAP version 13"
	echo "1..0 # SKIP test_hmm.ko or hmm-tests is not in the guest (scripts/dmirror)"
	echo "# totals: pass:0 fail:0 skip:0"
	exit 0
fi
# devtmpfs makes the nodes (test_hmm adds its devices with a devt); should
# it not, make them from /proc/devices as upstream's test_hmm.sh does.
major=$(awk '$2 == "HMM_DMIRROR" { print $1 }' /proc/devices)
for i in 0 1; do
	[ -e /dev/hmm_dmirror$i ] || mknod /dev/hmm_dmirror$i c "$major" $i
done
# compound and anon_write_hugetlbfs need hugetlbfs pages: lend them 4.
huge=$(cat /proc/sys/vm/nr_hugepages)
echo 4 >/proc/sys/vm/nr_hugepages
hmm-tests >/tmp/hmm-tests.out 2>&1
rc=$?
echo "$huge" >/proc/sys/vm/nr_hugepages
cat /tmp/hmm-tests.out
# "# Totals: pass:P fail:F xfail:0 xpass:0 skip:S error:E" -> our totals line.
sed -n 's/^# Totals: pass:\([0-9]*\) fail:\([0-9]*\) .*skip:\([0-9]*\) error:\([0-9]*\).*/\1 \2 \3 \4/p' \
	/tmp/hmm-tests.out | while read -r p f s e; do
	echo "# totals: pass:$p fail:$((f + e)) skip:$s"
done
rm -f /tmp/hmm-tests.out
exit $rc
