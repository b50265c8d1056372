# shellcheck shell=sh
# Kernel badness: the one set of rules for what in a kernel log fails a run.
# Sourced by scripts/vm on the host (bash: the console log and the guest's
# whole dmesg) and, as /svmsim/badness.sh, by svmsim-run-tests in the guest
# (busybox sh: the log each test program left, since its /dev/kmsg marker).
# POSIX sh and POSIX ERE only: busybox grep must read them as GNU grep does.

# Badness: warnings, BUGs, oopses, lockups, stalls, sanitizer reports.
SVMSIM_BAD_RE='WARNING:|BUG:|BUG [^ ]+ \((Not tainted|Tainted:)|Oops|general protection fault|soft lockup|hard LOCKUP|hung task|blocked for more than|rcu.*stall|rcu: INFO|KASAN|UBSAN|kernel BUG|Kernel panic|list_add corruption|list_del corruption|refcount_t:|[Bb]ad page state|[Bb]ad page map|page dumped because'
# Not badness: the command line echo, the unsigned-module taint notes, CPU-bug mitigation notes.
SVMSIM_OK_RE='[Cc]ommand line:|module verification failed|loading out-of-tree module taints kernel|(Spectre V[12]|RETBleed|MDS|TAA|MMIO Stale Data|SRBDS|GDS|RFDS|ITS|BHI|SRSO|L1TF|VMSCAPE|TSA|x86/bugs|Speculative Store Bypass) ?: WARNING:'
# The fake warning that svmsim-run-tests' own self-test (kmsg_selftest)
# writes to /dev/kmsg to prove that its per-program check blames the right
# program: badness in the guest, ignored by scripts/vm's whole-log scan.
SVMSIM_SELFTEST_TAG='[svmsim-kmsg-selftest]'

# svmsim_badness FILE: print FILE's lines of kernel badness (none: prints nothing).
svmsim_badness() {
	tr -d '\r' <"$1" | grep -E -- "$SVMSIM_BAD_RE" | grep -Ev -- "$SVMSIM_OK_RE" || true
}

# svmsim_badness_host FILE: the same, without the self-test's fake warnings.
svmsim_badness_host() {
	svmsim_badness "$1" | grep -Fv -- "$SVMSIM_SELFTEST_TAG" || true
}
