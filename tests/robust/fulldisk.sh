#!/bin/sh
# fulldisk.sh - the log directory on a full filesystem (a 256k tmpfs in a
# private mount namespace): the workload's exit status and output are the
# same as bare, nothing dies of SIGBUS, and unroot says records were lost.
# The disk full takes the end records (which carry the lost count), so the
# count itself is gone: `unroot run` and `unroot report` both say (in the
# same words) that the first process exited normally without an end
# record; when trace.json was lost too, the report warns that it is
# unreadable instead (without it the exit status is unknown).
#
# usage: fulldisk.sh PATH/TO/unroot        (root; skips without unshare)
set -u
UNROOT=$(realpath "$1")
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] && command -v unshare >/dev/null ||
	{ echo "SKIP: needs root and unshare"; exit 77; }
T=$(mktemp -d /tmp/urfull-XXXXXX)
[ -n "${UR_KEEP:-}" ] || trap 'rm -rf "$T"' EXIT

# the workload: 3,000 creates by a shell and its children, some output,
# a status of its own
cat >"$T/wl.sh" <<'W'
cd "$1" || exit 9
i=0
while [ $i -lt 3000 ]; do
	: >"f$i"
	[ $((i % 500)) = 0 ] && touch "t$i" && echo "at $i"
	i=$((i + 1))
done
ls | wc -l
exit 7
W
mkdir "$T/bare" "$T/traced" "$T/trace"
sh "$T/wl.sh" "$T/bare" >"$T/bare.out" 2>&1
echo "bare: exit $?"

unshare -m sh -c '
	set -u
	mount --make-rprivate / 2>/dev/null
	mount -t tmpfs -o size=256k tmpfs "$2/trace" || exit 90
	"$1" run -o "$2/trace" -- sh "$2/wl.sh" "$2/traced" >"$2/traced.out" 2>"$2/run.err"
	echo $? >"$2/traced.rc"
	df -k "$2/trace" | tail -n 1 >"$2/df"
	"$1" report "$2/trace" >"$2/report" 2>&1
	echo $? >"$2/report.rc"
	ls -l "$2/trace" >"$2/ls"
' sh "$UNROOT" "$T"
[ $? = 90 ] && { echo "SKIP: cannot mount a tmpfs"; exit 77; }
rc=$(cat "$T/traced.rc")
echo "traced: exit $rc; log fs: $(cat "$T/df")"
echo "unroot run said:"
sed 's/^/  | /' "$T/run.err"
[ "$rc" = 7 ] || fail "exit status $rc under the tracer, 7 bare"
cmp "$T/bare.out" "$T/traced.out" || fail "output differs under the tracer"
grep -q SIGBUS "$T/run.err" && fail "SIGBUS"
echo "report (exit $(cat "$T/report.rc")):"
grep -iE "lost|incomplete|never reported|error" "$T/report" | head -n 10 |
	sed 's/^/  | /'
expect "$T/run.err" "records were lost" "unroot run does not say records were lost"
expect "$T/report" "Warnings:" "the report has no warnings"
sed -n '/^Warnings:/,$p' "$T/report" | grep -q "records were lost\|trace.json" ||
	fail "the report does not warn of the lost records or trace.json"
echo PASS
