#!/bin/sh
# run_summary.sh UNROOT - `unroot run`'s summary counts what the trace
# holds, as uid 1001: a shell that makes 4 writes and is refused 3 (new
# files under /etc and /root, an append to /etc/passwd), all by
# redirections of builtins (no other program runs), is summarised as
# "write calls: 4" and "denials: 3", each refused call listed with its
# path; the 4 writes as root are refused nothing.  Exit 77 when uid 1001
# cannot be used.
set -u
unroot=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../common/stage.sh"
[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 || {
	echo "SKIP: needs root and setpriv for uid 1001"
	exit 77
}
tmp=$(mktemp -d /tmp/unroot-runsum.XXXXXX)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
u=$(stage_unroot "$unroot" "$tmp/stage")
fail=0
bad() {
	echo "FAIL: $*" >&2
	fail=1
}
# sh's own builtins only (a failed redirection of echo, not a special
# builtin, does not end the shell); exec 2>/dev/null is the 4th write
work='exec 2>/dev/null; echo a >w1; echo b >w2; echo c >>w1;
echo >/etc/unroot-summary-denied; echo >/root/unroot-summary-denied;
echo >>/etc/passwd; exit 0'

mkdir "$tmp/u" && chown 1001:1001 "$tmp/u"
cd "$tmp/u" || exit 1
setpriv --reuid=1001 --regid=1001 --clear-groups \
	"$u" run -o "$tmp/u/t" -- sh -c "$work" >/dev/null 2>"$tmp/u.err" ||
	bad "uid 1001: unroot run failed: $(cat "$tmp/u.err")"
grep -q '^  write calls:    4$' "$tmp/u.err" ||
	bad "uid 1001: want 4 write calls: $(cat "$tmp/u.err")"
grep -q '^  denials:        3$' "$tmp/u.err" ||
	bad "uid 1001: want 3 denials: $(cat "$tmp/u.err")"
for d in 'open /etc/unroot-summary-denied (EACCES)' \
	'open /root/unroot-summary-denied (EACCES)' \
	'open /etc/passwd (EACCES)'; do
	grep -qF "  denied: $d by " "$tmp/u.err" ||
		bad "uid 1001: '$d' not listed: $(cat "$tmp/u.err")"
done

mkdir "$tmp/r" && cd "$tmp/r" || exit 1
"$u" run -o "$tmp/r/t" -- sh -c "exec 2>/dev/null; echo a >w1; echo b >w2; echo c >>w1" \
	>/dev/null 2>"$tmp/r.err" || bad "root: unroot run failed: $(cat "$tmp/r.err")"
grep -q '^  denials:        0$' "$tmp/r.err" ||
	bad "root: want 0 denials: $(cat "$tmp/r.err")"
grep -q '^  write calls:    4$' "$tmp/r.err" ||
	bad "root: want 4 write calls: $(cat "$tmp/r.err")"
[ "$fail" = 0 ] && echo PASS
exit "$fail"
