#!/bin/sh
# scale.sh - the stress suite at scale: 64 threads x
# 5,000 creates, 1,000 forked children each creating a file, and the same
# thread storm SIGKILLed mid-way.  The open records that succeeded must be
# exactly the files on disk (after a SIGKILL at most one call in flight per
# thread may lack its record), and no line may be torn (after a SIGKILL at
# most one per thread).  Records are counted streaming, not held in memory.
#
# usage: scale.sh PATH/TO/libunroot.so PATH/TO/preload_workload [CASE...]
# CASE: threads forks kill (default: all three)
set -u
LIB=$(realpath "$1")
WL=$(realpath "$2")
shift 2
[ $# -gt 0 ] || set -- threads forks kill
T=$(mktemp -d /tmp/urscale-XXXXXX)
chmod 755 "$T"
[ -n "${UR_KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
rc=0

# count LOGDIR WORKDIR MAXMISS MAXTORN: compare records with the disk
count() {
	python3 - "$@" <<'PY'
import json, os, re, struct, sys
log, work, maxmiss, maxtorn = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rec, bad, procs, ends = set(), 0, 0, 0
dup = 0
for n in os.listdir(log):
    if not n.endswith(".jsonl"):
        continue
    data = open(os.path.join(log, n), "rb").read()
    try:  # a staging window left beside the log (SCHEMA.md "Stage files")
        st = open(os.path.join(log, n + ".stage"), "rb").read()
        magic, gen, start, k, cap = struct.unpack_from("<5Q", st)
        assert magic == 0x3165676174737275 and not gen & 1 and k <= cap
        data = data[:start] + st[64:64 + k] + data[start + k:]
    except OSError:
        pass
    # NUL bytes pad the mapped log; a record is a line between them
    for l in re.split(rb"[\n\0]+", data):
        if not l:
            continue
        try:
            r = json.loads(l)
        except ValueError:
            bad += 1
            continue
        t = r.get("t")
        procs += t == "proc"
        ends += t == "end"
        if t == "ev" and r.get("op") == "open" and r.get("ret", -1) >= 0:
            p = r["path"]
            if not isinstance(p, str):
                continue
            p = os.path.basename(p)
            if p in rec:
                dup += 1
            rec.add(p)
disk = set(os.listdir(work))
extra = rec - disk
missing = disk - rec
print("files on disk %d, create records %d, missing %d, extra %d, dup %d, "
      "bad lines %d, procs %d, ends %d" % (len(disk), len(rec), len(missing),
      len(extra), dup, bad, procs, ends))
ok = not extra and not dup and len(missing) <= maxmiss and bad <= maxtorn
if not ok:
    print("FAIL: missing e.g. %s, extra e.g. %s" % (sorted(missing)[:5], sorted(extra)[:5]))
sys.exit(0 if ok else 1)
PY
}

# go NAME SCENARIO ARGS...: run the workload traced in its own dirs
go() {
	name=$1
	shift
	mkdir -p "$T/$name/log" "$T/$name/work"
	start=$(date +%s.%N)
	UNROOT_LOG="$T/$name/log" LD_PRELOAD="$LIB" "$WL" "$1" "$T/$name/work" \
		"$2" ${3:-} >"$T/$name.out" 2>&1
	st=$?
	printf '%s: exit %d, %.1f s\n' "$name" $st \
		"$(echo "$(date +%s.%N) - $start" | bc)"
}

for c in "$@"; do
	case $c in
	threads)
		go threads threads 64 5000
		[ $st -eq 0 ] || { cat "$T/threads.out"; rc=1; }
		[ "$(ls "$T/threads/work" | wc -l)" -eq 320000 ] ||
			{ echo "FAIL: not 320000 files"; rc=1; }
		count "$T/threads/log" "$T/threads/work" 0 0 || rc=1
		;;
	forks)
		go forks forks 1000
		[ $st -eq 0 ] || { cat "$T/forks.out"; rc=1; }
		[ "$(ls "$T/forks/work" | wc -l)" -eq 1000 ] ||
			{ echo "FAIL: not 1000 files"; rc=1; }
		count "$T/forks/log" "$T/forks/work" 0 0 || rc=1
		n=$(ls "$T/forks/log" | wc -l)
		echo "forks: $n log files"
		;;
	kill)
		mkdir -p "$T/kill/log" "$T/kill/work"
		UNROOT_LOG="$T/kill/log" LD_PRELOAD="$LIB" \
			"$WL" threads "$T/kill/work" 64 5000 >/dev/null 2>&1 &
		pid=$!
		sleep 1.5
		kill -KILL $pid
		wait $pid
		st=$?
		echo "kill: exit $st, $(ls "$T/kill/work" | wc -l) files when killed"
		[ $st -eq 137 ] || { echo "FAIL: finished before the kill"; rc=1; }
		count "$T/kill/log" "$T/kill/work" 64 64 || rc=1
		;;
	esac
done
[ $rc -eq 0 ] && echo "PASS" || echo "FAIL"
exit $rc
