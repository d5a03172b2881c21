# run_untraced.sh BIN HELPER UNROOT PRELOAD root|uid1001 - `unroot run`
# of a first program that nothing follows (a static one with no fallback
# tracer beside the preload; as uid 1001, a set-uid one, which the loader
# runs in secure mode) keeps its output and status, and the trace says so:
# `unroot run`, `unroot report` and `unroot plan` name it NOT TRACED
# instead of reading an empty trace as a clean one.  As root the same
# set-uid program is the caller's own and is traced.
. "$(dirname "$0")/lib.sh"
USER=$3
[ -x "$T/bin/workload-go" ] || skip "the Go workload was not built"
# unroot and the preload without the helper beside them
mkdir -p "$T/u/bin" "$T/u/lib/unroot"
cp "$1" "$T/u/bin/unroot"
cp "$2" "$T/u/lib/unroot/libunroot.so"
chmod -R a+rX "$T/u"
U=$T/u/bin/unroot
RUN=""
mkdir -p "$T/w" "$T/tr"
if [ "$USER" = uid1001 ]; then
	chown 1001:1001 "$T/w" "$T/tr"
	RUN=as_user
fi

# untraced TRACE PROGRAM WHY: every reader of TRACE names PROGRAM untraced
untraced() {
	line="NOT TRACED: $2 ($3)"
	grep -qF "$line" "$T/err" || fail "unroot run did not say '$line'"
	grep -q "no process reported in" "$T/err" &&
		fail "unroot run still asked whether the preload is broken"
	"$U" report "$1" >"$T/report" 2>&1 || fail "report: status $?"
	grep -qF "$line" "$T/report" || fail "the report did not say '$line'"
	"$U" plan "$1" >"$T/plan" 2>&1 || fail "plan: status $?"
	grep -qF "untraced program $2 ($3)" "$T/plan" ||
		fail "the plan did not warn of $2"
}

# a static program, no helper: run as it is, and named untraced
W=$T/w/go
mkdir -p "$W"
[ "$USER" = uid1001 ] && chown 1001:1001 "$W"
out=$(cd "$T" && $RUN "$U" run -o "$T/tr/go" -- "$T/bin/workload-go" "$W" \
	"$T/w" 2>"$T/err") || fail "status $?: $out $(cat "$T/err")"
echo "$out" | grep -q "workload: ok" || fail "the program failed: $out"
cat "$T/err"
untraced "$T/tr/go" "$T/bin/workload-go" static
[ -d "$W/g0" ] || fail "the program's writes are not there"

# a set-uid program of root's: secure mode for uid 1001, not for root
mkdir "$T/suid"
chmod 755 "$T/suid"
cp /usr/bin/id "$T/suid/id"
chmod 4755 "$T/suid/id"
want=$($RUN "$T/suid/id" -u)
out=$(cd "$T" && $RUN "$U" run -o "$T/tr/suid" -- "$T/suid/id" -u \
	2>"$T/err") || fail "status $?: $out $(cat "$T/err")"
[ "$out" = "$want" ] || fail "the set-uid program said $out, not $want"
cat "$T/err"
if [ "$USER" = uid1001 ]; then
	untraced "$T/tr/suid" "$T/suid/id" setuid
else
	grep -q "NOT TRACED" "$T/err" && fail "root's own set-uid program untraced"
	grep -q "processes seen: 1" "$T/err" || fail "the program was not traced"
fi
say "ok"
