#!/bin/sh
# svmsim-run on two real programs besides stress-ng, in the guest (scripts/run-programs
# boots it with --bin xz --bin sqlite3): "xz" compresses a 6 MB file with two threads and
# decompresses it again (a pipeline of sh, xz and cmp: fork and exec); "sqlite" runs a
# scripted workload on a WAL database with the file mmap()ed (inserts, an index, updates,
# deletes, a checkpoint, VACUUM).  Each under svmsim-run with each model of MODELS
# (secondary range; "plain": the program alone, for its wall time), sanitizer on, fill
# noref, the default TLB, recording its stream (--record), which svmsim-replay then replays
# with both models.  Into /out/run/: KVER-MODEL-NAME.json, .txt (svmsim-run's reports), .log
# (the program's output, svmsim-run's warnings and a line "elapsed: SECONDS"),
# replay/KVER-MODEL-NAME.json (svmsim-replay --json) and .rec.xz (the recording); a line
# "MODEL NAME: exit N" each.  The module is reloaded as the test suite loads it.
k=$(uname -r)
mkdir -p /out/run/replay
svmsim-module reload || { echo "insmod failed"; exit 1; }
cat /usr/local/bin/svm* | head -c 6000000 >/tmp/xz-in
cat >/tmp/sqlite.sql <<'SQL'
PRAGMA journal_mode=WAL;
PRAGMA mmap_size=67108864;
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v BLOB);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 40000)
INSERT INTO t SELECT x, abs(random()) % 100000, randomblob(200) FROM c;
CREATE INDEX tk ON t(k);
SELECT count(*), sum(length(v)) FROM t WHERE k < 50000;
UPDATE t SET v = randomblob(300) WHERE id % 3 = 0;
DELETE FROM t WHERE id % 5 = 0;
SELECT k % 100, count(*) FROM t GROUP BY k % 100 ORDER BY 2 DESC LIMIT 3;
PRAGMA wal_checkpoint(TRUNCATE);
VACUUM;
SELECT count(*) FROM t;
SQL
# By path: busybox's own xz applet (decompress only) would win over PATH.
xz=/usr/local/bin/xz
sqlite3=/usr/local/bin/sqlite3
now() { cut -d' ' -f1 /proc/uptime; }
status=0
for model in ${MODELS:-plain secondary range}; do
	for name in xz sqlite; do
		case $name in
		xz) cmd="$xz -T2 -6 -c /tmp/xz-in >/tmp/xz-out.xz && $xz -d -c /tmp/xz-out.xz | cmp - /tmp/xz-in" ;;
		sqlite) cmd="rm -f /tmp/db /tmp/db-wal /tmp/db-shm; $sqlite3 /tmp/db </tmp/sqlite.sql" ;;
		esac
		f=/out/run/$k-$model-$name
		r=/out/run/replay/$k-$model-$name
		t0=$(now)
		if [ "$model" = plain ]; then
			sh -c "$cmd" >"$f.log" 2>&1
		else
			svmsim-run -m "$model" --json "$f.json" --report "$f.txt" --record /tmp/rec -- \
				sh -c "$cmd" >"$f.log" 2>&1
		fi
		rc=$?
		t1=$(now)
		echo "elapsed: $(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')" >>"$f.log"
		if [ "$model" != plain ] && [ -f /tmp/rec ]; then
			svmsim-replay -q --json "$r.json" /tmp/rec >>"$f.log" 2>&1 || rc=$((rc ? rc : 1))
			$xz -T1 -c /tmp/rec >"$r.rec.xz"
			rm -f /tmp/rec
		fi
		echo "$model $name: exit $rc"
		[ $rc -eq 0 ] || status=1
	done
done
exit $status
