#!/bin/sh
# pack.sh UNROOT USER CASE - `unroot run` packs the small logs of its trace
# (cli/tracepack.c), as root or as uid 1001 (USER: root or 1001):
#   same: a trace of 300 short processes takes at most twice its records'
#     bytes on disk (du), and `unroot report --json` and `unroot plan
#     --format json` read it exactly as the same trace unpacked; a run
#     whose CLI is killed (SIGKILL, UNROOT_TEST_PACK_KILL, test-only) at
#     each step of the packing leaves a trace that reads the same;
#   live: a process the workload left running is still writing its log
#     when the run packs the trace: its log is not packed and nothing it
#     writes afterwards is lost.
# Exit 77 when uid 1001 cannot be used (not root, or no setpriv).
set -u
unroot=$1
user=$2
case=$3
here=$(cd "$(dirname "$0")" && pwd)
logcat=$here/../../scripts/logcat.py
. "$here/../common/stage.sh"
if [ "$user" != root ]; then
	[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 || {
		echo "SKIP: needs root and setpriv for uid 1001"
		exit 77
	}
fi
tmp=$(mktemp -d /tmp/unroot-pack.XXXXXX)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
# the catalogue too: uid 1001 cannot read a build under /root
u=$(stage_unroot "$unroot" "$tmp/stage" "$here/../../cli/data")
d=$tmp/w
mkdir "$d"
[ "$user" = root ] || chown 1001:1001 "$d"
fail=0
bad() {
	echo "FAIL: $*" >&2
	fail=1
}
as() {
	if [ "$user" = root ]; then
		"$@"
	else
		setpriv --reuid=1001 --regid=1001 --clear-groups "$@"
	fi
}
# what the readers see of trace DIR/t, without DIR
seen() {
	(cd "$1" && as "$u" report --json t && as "$u" plan --format json t) \
		2>&1
}

WL='for i in $(seq 300); do /bin/true; done; mkdir -p w/d; echo x >w/d/f; rm w/d/f'

case $case in
same)
	# killed after the pack is in place, before any original is deleted:
	# every log is there twice; from it, the trace unpacked and packed
	(cd "$d" && UNROOT_TEST_PACK_KILL=placed as "$u" run -o t -- sh -c "$WL") \
		>/dev/null 2>&1
	[ $? = 137 ] || bad "the run was not killed at 'placed'"
	ls "$d"/t/log/pack-*.pack >/dev/null 2>&1 || bad "no pack was placed"
	mkdir "$tmp/unpacked" "$tmp/packed"
	cp -a "$d/t" "$tmp/unpacked/t" && cp -a "$d/t" "$tmp/packed/t"
	rm "$tmp"/unpacked/t/log/pack-*.pack
	grep -ao '^{"t":"pack","file":"[^"]*"' "$d"/t/log/pack-*.pack |
		sed 's/.*"file":"//; s/"$//' >"$tmp/names"
	[ -s "$tmp/names" ] || bad "the pack names no log"
	(cd "$tmp/packed/t/log" && xargs rm <"$tmp/names")
	seen "$tmp/unpacked" >"$tmp/want"
	grep -q '"path": *"[^"]*/w/d/f"' "$tmp/want" || bad "no event read: $(head -5 "$tmp/want")"
	seen "$tmp/packed" >"$tmp/got"
	cmp -s "$tmp/want" "$tmp/got" || bad "packed, the trace reads otherwise: $(diff "$tmp/want" "$tmp/got" | head -5)"
	seen "$d" >"$tmp/got"
	cmp -s "$tmp/want" "$tmp/got" || bad "with both copies, the trace reads otherwise: $(diff "$tmp/want" "$tmp/got" | head -5)"
	# the other steps a kill may stop at
	for step in written deleting; do
		rm -rf "$d/t"
		(cd "$d" && UNROOT_TEST_PACK_KILL=$step as "$u" run -o t -- sh -c "$WL") \
			>/dev/null 2>&1
		[ $? = 137 ] || bad "the run was not killed at '$step'"
		[ "$(python3 "$logcat" --names "$d/t/log" | wc -l)" -ge 301 ] ||
			bad "killed at $step, logs were lost"
		seen "$d" >"$tmp/got"
		grep -q '"path": *"[^"]*/w/d/f"' "$tmp/got" || bad "killed at $step, the events are not read"
		grep -q 'warning:' "$tmp/got" && bad "killed at $step: $(grep warning: "$tmp/got")"
	done
	# a whole run: packed, within twice its records' bytes on disk
	rm -rf "$d/t"
	(cd "$d" && as "$u" run -o t -- sh -c "$WL") >/dev/null 2>"$tmp/err" ||
		bad "unroot run failed: $(cat "$tmp/err")"
	grep -q "processes seen: 30[0-9]" "$tmp/err" || bad "summary: $(cat "$tmp/err")"
	for f in "$d"/t/log/.pack-tmp-*; do
		[ -e "$f" ] && bad "a temporary pack was left: $f"
	done
	records=$(python3 "$logcat" --sizes "$d/t/log" | awk '{s += $2} END {print s}')
	disk=$(du -s --block-size=1 "$d/t/log" | cut -f1)
	echo "records $records bytes, on disk $disk bytes"
	[ "$disk" -le $((2 * records)) ] || bad "$disk bytes on disk for $records bytes of records"
	;;
live)
	# the inner shell has written its first records (its log is small)
	# when the workload exits and the run packs; it waits for sleep, then
	# execs mkdir, recorded in that log
	(cd "$d" && as "$u" run -o t -- sh -c '/bin/true; /bin/true
		sh -c ": >started; sleep 2; mkdir late" &
		while [ ! -e started ]; do :; done') \
		>/dev/null 2>"$tmp/err" || bad "unroot run failed: $(cat "$tmp/err")"
	ls "$d"/t/log/pack-*.pack >/dev/null 2>&1 || bad "nothing was packed"
	grep -l '/started"' "$d"/t/log/*.jsonl 2>/dev/null | grep -q . ||
		bad "the live shell's log was packed"
	sleep 4
	[ -d "$d/late" ] || bad "the workload did not finish"
	seen "$d" >"$tmp/got"
	grep -q '"op": *"mkdir".*"path": *"[^"]*/late"' "$tmp/got" ||
		bad "the mkdir made after the packing was lost"
	grep -q '"op": *"exec".*"argv0": *"mkdir"' "$tmp/got" ||
		bad "the exec recorded after the packing was lost"
	as "$u" report "$d/t" 2>&1 | grep -qi 'lost\|incomplete' &&
		bad "the trace says it may have lost records: $(as "$u" report "$d/t" 2>&1 | tail -5)"
	;;
*)
	echo "unknown case $case" >&2
	exit 2
	;;
esac
[ "$fail" = 0 ] && echo "ok: pack $user $case"
exit "$fail"
