#!/bin/sh
# erofs_missing.sh UNROOT - on a read-only file system the kernel refuses
# unlink, rmdir and rename before it looks the name up: a name that does
# not exist is refused EROFS where a writable file system says ENOENT.
# A real program (python3, whose os.unlink and os.rename call the kernel
# at once) removes and renames a missing name and removes a present file
# on a read-only tmpfs, under `unroot run`: the run's summary counts one
# denial, the report lists the present one as denied and the missing ones
# as other failed writes, and a baseline made
# from a run on the writable tmpfs (ENOENT, and the file removed) passes
# `unroot check` on the read-only run but for the one real denial.
# Exit 77 when a tmpfs cannot be mounted (not root).
set -u
unroot=$1
tmp=$(mktemp -d /tmp/unroot-erofs.XXXXXX)
ro=$tmp/ro
mkdir "$ro"
cleanup() {
	umount "$ro" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mount -t tmpfs -o mode=755 tmpfs "$ro" 2>/dev/null ||
	{ echo "SKIP: cannot mount a tmpfs"; exit 77; }
fail=0
bad() {
	echo "FAIL: $*"
	fail=1
}
work() {
	"$unroot" run -o "$1" -- /usr/bin/python3 -c '
import os, sys
d = sys.argv[1]
for call in (lambda: os.unlink(d + "/missing"),
             lambda: os.rename(d + "/gone", d + "/new"),
             lambda: os.unlink(d + "/present")):
    try:
        call()
    except OSError:
        pass' "$ro" >"$1.out" 2>&1 || bad "unroot run exited $? ($1.out)"
}

: >"$ro/present"
work "$tmp/rw"
: >"$ro/present"
mount -o remount,ro "$ro" || { echo "SKIP: cannot remount read-only"; exit 77; }
work "$tmp/rofs"

grep -q '^  denials: *1$' "$tmp/rofs.out" ||
	{ cat "$tmp/rofs.out"; bad "the run's summary does not count one denial"; }
grep -q "denied: unlink $ro/missing" "$tmp/rofs.out" &&
	bad "the run's summary lists the missing name as denied"
"$unroot" report "$tmp/rofs" >"$tmp/report" 2>&1 || bad "unroot report exited $?"
cat "$tmp/report"
sed -n '/^Denied (1):/,/^$/p' "$tmp/report" | grep -q "unlink  $ro/present  EROFS" ||
	bad "the present file's EROFS is not the one denial"
for f in "unlink  $ro/missing  EROFS" "rename  $ro/gone  EROFS"; do
	sed -n '/^Other failed writes/,/^$/p' "$tmp/report" | grep -qF "$f" ||
		bad "not listed as another failed write: $f"
done

"$unroot" baseline -o "$tmp/baseline.json" "$tmp/rw" >/dev/null 2>&1 ||
	bad "unroot baseline exited $?"
"$unroot" check --baseline "$tmp/baseline.json" "$tmp/rofs" >"$tmp/check" 2>&1
rc=$?
cat "$tmp/check"
[ $rc -eq 1 ] || bad "unroot check exited $rc, not 1 (the present file's denial is new)"
grep -q "$ro/present" "$tmp/check" || bad "check does not name the present file's denial"
! grep -qE "$ro/(missing|gone)" "$tmp/check" || bad "check counts a missing name as a denial"
[ $fail -eq 0 ] && echo "PASS erofs_missing"
exit $fail
