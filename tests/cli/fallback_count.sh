#!/bin/sh
# fallback_count.sh UNROOT - a static program (Debian's busybox-static)
# run five times under `unroot run` is seen by the fallback tracer five
# times: the report names it once, with its first three pids and how many
# more, not one entry per process (a test suite runs thousands).
set -u
unroot=$1
tmp=$(mktemp -d /tmp/unroot-fbcount.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
file -L /bin/busybox | grep -q "statically linked" ||
	{ echo "FAIL: /bin/busybox is not static (apt-get install busybox-static)"; exit 1; }
"$unroot" run -o "$tmp/t" -- sh -c \
	'for i in 1 2 3 4 5; do /bin/busybox true; done' >"$tmp/out" 2>&1 ||
	{ echo "FAIL: unroot run exited $?"; cat "$tmp/out"; exit 1; }
"$unroot" report "$tmp/t" >"$tmp/report" 2>&1 ||
	{ echo "FAIL: unroot report exited $?"; exit 1; }
line=$(grep "^Seen by the fallback tracer" "$tmp/report")
echo "$line"
echo "$line" | grep -Eq ': busybox\[[0-9]+, [0-9]+, [0-9]+ and 2 more\]$' ||
	{ echo "FAIL: not one entry with three pids and 2 more"; exit 1; }
echo "PASS"
