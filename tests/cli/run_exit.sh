#!/bin/sh
# run_exit.sh UNROOT - exit codes and trace-directory handling of
# `unroot run`: 127 not found, 126 not executable, the command's status
# (a file without "#!" run by /bin/sh),
# 128+N for a signal, 125 (and nothing deleted) for a foreign directory;
# and the exit codes every command shares (README.md's table): a
# directory that holds no trace is exit 3 naming it, for every command
# that reads traces; a usage error is exit 2 (125 for run and docker);
# apply refuses a Dockerfile without FROM, naming it.  A previous trace
# is set aside and deleted in the background (untraced, by an rm made
# the lowest priority before its exec), a left-over of that too.
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
# an executable file without "#!" runs with /bin/sh, as execvp runs it,
# traced, whether named by its path or found in PATH
printf 'echo ran >"%s/noshebang.out"\nexit 4\n' "$tmp" >"$tmp/noshebang"
chmod 755 "$tmp/noshebang"
for how in "$tmp/noshebang" noshebang; do
	rm -f "$tmp/noshebang.out"
	PATH="$tmp:$PATH" expect 4 "$how"
	grep -qx ran "$tmp/noshebang.out" 2>/dev/null ||
		{ echo "FAIL: $how (no #!) did not run with /bin/sh" >&2; fail=1; }
	grep -rqs noshebang.out "$tmp/t/log" ||
		{ echo "FAIL: $how (no #!) ran untraced" >&2; fail=1; }
done

# log/ is world-writable and sticky whatever the umask
mode=$(stat -c %a "$tmp/t/log")
[ "$mode" = 1777 ] || { echo "FAIL: log mode $mode" >&2; fail=1; }

# a previous trace is replaced: its log files go, trace.json is rewritten
touch "$tmp/t/log/old.jsonl" "$tmp/t/keep-me"
expect 0 true
[ ! -e "$tmp/t/log/old.jsonl" ] || { echo "FAIL: old log kept" >&2; fail=1; }
[ -e "$tmp/t/keep-me" ] || { echo "FAIL: deleted a foreign file" >&2; fail=1; }

# the previous trace is set aside (a hidden .unroot-old.* directory) and
# deleted in the background; once that is done nothing of it is left
gone() { # DIR: whether no trace set aside is left in DIR after 10 s
	i=0
	while [ $i -lt 100 ]; do
		set -- "$1" "$1"/.unroot-old.*
		[ -e "$2" ] || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
gone "$tmp/t" || { echo "FAIL: the old trace set aside is never deleted" >&2; fail=1; }
# the deleting is not traced into the new trace: the rm that does it gets
# none of the environment run set up for the workload
if grep -rqs -e 'unroot-old' -e '"exe":"[^"]*/rm"' "$tmp/t/log"; then
	echo "FAIL: the deletion of the replaced trace is in the new trace" >&2
	fail=1
fi
# and only once the workload is over: while it runs the old logs are still
# there (deleting them then would compete with it)
touch "$tmp/t/log/old.jsonl"
"$unroot" run -o "$tmp/t" -- sh -c "sleep 0.5; ls $tmp/t/.unroot-old.*/log" \
	>"$tmp/during" 2>/dev/null
grep -qx old.jsonl "$tmp/during" || { echo "FAIL: the old trace was deleted while the workload ran" >&2; fail=1; }
gone "$tmp/t" || { echo "FAIL: the old trace set aside is not deleted after the run" >&2; fail=1; }
# one left behind (its deleting process killed) does not make a directory
# foreign, and the next run deletes it
mkdir -p "$tmp/left/.unroot-old.abcdef/log"
touch "$tmp/left/.unroot-old.abcdef/log/1-x.jsonl"
expect_in() { # DIR WANT CMD...: unroot run -o DIR with its status
	d=$1 want=$2
	shift 2
	"$unroot" run -o "$d" -- "$@" >/dev/null 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] || { echo "FAIL: run -o $d $*: exit $got, want $want" >&2; cat "$tmp/err" >&2; fail=1; }
}
expect_in "$tmp/left" 0 true
gone "$tmp/left" || { echo "FAIL: a trace left aside is not deleted" >&2; fail=1; }
[ -f "$tmp/left/trace.json" ] || { echo "FAIL: no trace written beside a left-over" >&2; fail=1; }

# the rm that deletes it is made the lowest priority, in a session of its
# own, before its exec: never at the caller's priority, where it kept the
# processor the caller was waiting for at the vfork
touch "$tmp/t/log/old.jsonl"
strace -f -qq -e trace=setsid,setpriority,execve -o "$tmp/st" \
	"$unroot" run -o "$tmp/t" -- true >/dev/null 2>&1
rmpid=$(awk '/execve\("\/bin\/rm"/ {print $1; exit}' "$tmp/st")
if [ -z "$rmpid" ]; then
	echo "FAIL: no rm deleted the replaced trace" >&2
	fail=1
else
	awk -v p="$rmpid" '$1 == p' "$tmp/st" | sed '/execve/q' >"$tmp/rmsteps"
	grep -q 'setsid() *= ' "$tmp/rmsteps" ||
		{ echo "FAIL: the deleting rm has no session of its own before its exec" >&2; fail=1; }
	grep -q 'setpriority(PRIO_PROCESS, 0, 19) *= 0' "$tmp/rmsteps" ||
		{ echo "FAIL: the deleting rm is not the lowest priority before its exec" >&2; fail=1; }
fi
gone "$tmp/t" || { echo "FAIL: the old trace is not deleted under strace" >&2; fail=1; }

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

# expect_status WANT WHAT UNROOT-ARGS...: the exit status, and (for 3) a
# message naming WHAT on stderr
expect_status() {
	want=$1 what=$2
	shift 2
	"$unroot" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL: unroot $*: exit $got, want $want" >&2
		cat "$tmp/err" >&2
		fail=1
	elif [ -n "$what" ] && ! grep -qF -- "$what" "$tmp/err"; then
		echo "FAIL: unroot $*: the message does not name $what" >&2
		cat "$tmp/err" >&2
		fail=1
	fi
}

# a directory that holds no trace: missing, empty, or anything else
mkdir "$tmp/empty" "$tmp/notrace"
echo data >"$tmp/notrace/file"
"$unroot" baseline -o "$tmp/bl.json" "$tmp/t" >/dev/null 2>&1 ||
	{ echo "FAIL: baseline of a good trace" >&2; fail=1; }
printf 'FROM debian:12\nCMD ["true"]\n' >"$tmp/Dockerfile"
for dir in "$tmp/nonexistent" "$tmp/empty" "$tmp/notrace" /etc; do
	expect_status 3 "$dir" report "$dir"
	expect_status 3 "$dir" report --format json "$dir"
	expect_status 3 "$dir" plan "$dir"
	expect_status 3 "$dir" plan "$tmp/t" "$dir"
	expect_status 3 "$dir" apply -f "$tmp/Dockerfile" -o "$tmp/out.df" "$dir"
	expect_status 3 "$dir" baseline -o "$tmp/new.json" "$dir"
	expect_status 3 "$dir" check --baseline "$tmp/bl.json" "$dir"
	expect_status 3 "$dir" diff "$tmp/t" "$dir"
	expect_status 3 "$dir" diff "$dir" "$tmp/t"
done
[ ! -e "$tmp/out.df" ] || { echo "FAIL: apply wrote without a trace" >&2; fail=1; }
[ ! -e "$tmp/new.json" ] || { echo "FAIL: baseline wrote without a trace" >&2; fail=1; }
# a trace directory whose processes recorded nothing
mkdir -p "$tmp/silent/log"
expect_status 3 "$tmp/silent" report "$tmp/silent"
expect_status 3 "$tmp/silent" plan "$tmp/silent"
# the good trace still reads
expect_status 0 "" report "$tmp/t"
expect_status 0 "" plan "$tmp/t"

# apply refuses a Dockerfile without FROM and writes nothing
printf 'RUN true\nCMD ["true"]\n' >"$tmp/nofrom"
expect_status 1 "$tmp/nofrom" apply -f "$tmp/nofrom" -o "$tmp/nofrom.out" "$tmp/t"
grep -q "no FROM" "$tmp/err" || { echo "FAIL: apply does not say FROM is missing" >&2; fail=1; }
[ ! -e "$tmp/nofrom.out" ] || { echo "FAIL: apply wrote a Dockerfile without FROM" >&2; fail=1; }
expect_status 0 "" apply -f "$tmp/Dockerfile" -o "$tmp/ok.df" "$tmp/t"

# usage errors: 2, but 125 for run and docker (their workload's status
# passes through)
for cmd in report plan apply baseline check diff harden; do
	expect_status 2 "--bogus" $cmd --bogus
done
expect_status 2 "--format" plan --format nosuch "$tmp/t"
expect_status 2 "--format" report --format
expect_status 2 "-f" apply "$tmp/t"
expect_status 2 "two trace directories" diff "$tmp/t"
expect_status 125 "--bogus" run --bogus -- true
expect_status 125 "--bogus" docker --bogus run img
expect_status 0 "" report --help

exit $fail
