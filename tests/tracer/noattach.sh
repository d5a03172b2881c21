# noattach.sh BIN HELPER - where the tracer cannot attach, one line says
# why and the program runs untraced, with its own output and status; its
# "untraced" record (why "static") says in "fallback" why the helper could
# not follow it.  The
# helper runs under strace -f: a process that is traced already cannot be
# attached to again (EPERM), as where Yama or a seccomp profile forbids
# ptrace.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || skip "strace is missing"
new_log
out=$(UNROOT_LOG=$T/log strace -f -o /dev/null "$H" -- "$T/bin/signals" \
	ignore 2>"$T/err")
st=$?
cat "$T/err"
[ $st -eq 0 ] || fail "status $st"
[ "$out" = "signals: SIGUSR1 ignored" ] || fail "output: $out"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "not one line on stderr"
grep -q "runs untraced: cannot attach the tracer" "$T/err" || fail "no reason"
expect "untraced:static=$T/bin/signals"
grep -h '"t":"untraced"' "$T/log"/*.jsonl |
	grep -q '"fallback":"cannot attach the tracer: Operation not permitted"' ||
	fail "the untraced record does not say why the fallback failed"
say "ok"
