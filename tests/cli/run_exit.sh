#!/bin/sh
# run_exit.sh UNROOT - exit codes and trace-directory handling of
# `unroot run`: 127 not found, 126 not executable, the command's status,
# 128+N for a signal, 125 (and nothing deleted) for a foreign directory.
set -u
unroot=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0

expect() {
	want=$1
	shift
	"$unroot" run -o "$tmp/t" -- "$@" >/dev/null 2>"$tmp/err"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL: unroot run $*: exit $got, want $want" >&2
		cat "$tmp/err" >&2
		fail=1
	fi
	if [ ! -f "$tmp/t/trace.json" ]; then
		echo "FAIL: unroot run $*: no trace.json" >&2
		fail=1
	fi
}

expect 127 ./no-such-command-here
printf 'not a program\n' >"$tmp/noexec"
chmod 644 "$tmp/noexec"
expect 126 "$tmp/noexec"
expect 1 false
expect 0 true
expect 143 sh -c 'kill -TERM $$'
expect 3 sh -c 'exit 3'

# log/ is world-writable and sticky whatever the umask
mode=$(stat -c %a "$tmp/t/log")
[ "$mode" = 1777 ] || { echo "FAIL: log mode $mode" >&2; fail=1; }

# a previous trace is replaced: its log files go, trace.json is rewritten
touch "$tmp/t/log/old.jsonl" "$tmp/t/keep-me"
expect 0 true
[ ! -e "$tmp/t/log/old.jsonl" ] || { echo "FAIL: old log kept" >&2; fail=1; }
[ -e "$tmp/t/keep-me" ] || { echo "FAIL: deleted a foreign file" >&2; fail=1; }

# a non-empty directory that is not a trace is refused, untouched
mkdir "$tmp/other"
echo precious >"$tmp/other/data"
"$unroot" run -o "$tmp/other" -- true >/dev/null 2>"$tmp/err"
got=$?
[ "$got" = 125 ] || { echo "FAIL: foreign dir: exit $got, want 125" >&2; fail=1; }
[ "$(cat "$tmp/other/data")" = precious ] || { echo "FAIL: data lost" >&2; fail=1; }
[ ! -e "$tmp/other/log" ] || { echo "FAIL: log created in foreign dir" >&2; fail=1; }
grep -q "not an unroot trace" "$tmp/err" || { echo "FAIL: unclear message" >&2; cat "$tmp/err" >&2; fail=1; }

# a missing preload is unroot's own error
UNROOT_PRELOAD=$tmp/nope.so "$unroot" run -o "$tmp/t2" -- true >/dev/null 2>&1
got=$?
[ "$got" = 125 ] || { echo "FAIL: missing preload: exit $got" >&2; fail=1; }

# the report reads what run wrote
"$unroot" run -o "$tmp/t" -- sh -c 'echo x >"$1/out"' sh "$tmp" >/dev/null 2>&1
"$unroot" report "$tmp/t" >"$tmp/report" 2>&1 || { echo "FAIL: report exit $?" >&2; fail=1; }
grep -q "out" "$tmp/report" || { echo "FAIL: report misses the write" >&2; cat "$tmp/report" >&2; fail=1; }
"$unroot" report "$tmp/nonexistent" >/dev/null 2>&1
got=$?
[ "$got" = 1 ] || { echo "FAIL: report of missing dir: exit $got" >&2; fail=1; }
"$unroot" report --bogus >/dev/null 2>&1
got=$?
[ "$got" = 2 ] || { echo "FAIL: report usage: exit $got" >&2; fail=1; }

exit $fail
