#!/bin/sh
# svmsim-trinity [CALLS [CHILDREN]]: run Debian's trinity (brought into the guest with
# `scripts/vm --bin /usr/bin/trinity`) against the svmsim device files, as an
# unprivileged user given access to them.  Trinity knows none of svmsim's ioctl
# numbers (its ioctl table is compiled in), so it mostly reaches the ioctl
# dispatcher's ENOTTY/EINVAL, mmap, write and close; svmsim-fuzz is the real
# test.  TAP: passes if trinity ran its calls and the kernel taint did not
# change (scripts/vm fails the run on any WARN/BUG in the log).
CALLS=${1:-100000}
CHILDREN=${2:-4}
echo "TAP version 13"
echo "1..1"
if ! command -v trinity >/dev/null; then
	echo "ok 1 - # SKIP trinity is not in the guest (scripts/vm --bin /usr/bin/trinity)"
	echo "# totals: pass:0 fail:0 skip:1"
	exit 0
fi
chmod 0666 /dev/svmsim*
grep -q '^fuzz:' /etc/passwd || echo 'fuzz:x:1000:1000:fuzz:/tmp/fuzz:/bin/sh' >>/etc/passwd
grep -q '^fuzz:' /etc/group || echo 'fuzz:x:1000:' >>/etc/group
mkdir -p /tmp/fuzz && chown 1000:1000 /tmp/fuzz
taint0=$(cat /proc/sys/kernel/tainted)
start=$(date +%s)
# Only the victim files as fds; the fd-taking syscalls svmsim implements.
cd /tmp/fuzz && su fuzz -c "trinity -q -l off --stats -N $CALLS -C $CHILDREN -V /dev/svmsim0 \
	--disable-fds=sockets,pipes,perf,epoll,eventfd,pseudo,timerfd,testfile,memfd,drm \
	-c ioctl -c mmap -c write -c close -c fcntl -c dup" >/tmp/fuzz/trinity.log 2>&1
rc=$?
[ -d "${SVMSIM_OUT:-}" ] && cp /tmp/fuzz/trinity.log "$SVMSIM_OUT/"
secs=$(($(date +%s) - start))
taint1=$(cat /proc/sys/kernel/tainted)
sed -n '/rrno/,$p' /tmp/fuzz/trinity.log | head -60 | sed 's/^/# /'
tail -n 15 /tmp/fuzz/trinity.log | sed 's/^/# /'
echo "# trinity: $CALLS calls asked, $CHILDREN children, exit $rc, $secs s; taint $taint0 -> $taint1"
if [ "$taint0" = "$taint1" ] && grep -q 'Ran [0-9]* syscalls\|syscalls. Successes' /tmp/fuzz/trinity.log; then
	echo "ok 1 - trinity -V /dev/svmsim0 as uid 1000"
	echo "# totals: pass:1 fail:0 skip:0"
	exit 0
fi
echo "not ok 1 - trinity -V /dev/svmsim0 as uid 1000 (exit $rc, taint $taint0 -> $taint1)"
echo "# totals: pass:0 fail:1 skip:0"
exit 1
