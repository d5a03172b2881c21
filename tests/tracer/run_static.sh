# run_static.sh BIN HELPER UNROOT PRELOAD root|uid1001 - `unroot run` of a
# static Go program traces it through the fallback tracer: its writes
# under a temporary root's var/lib are in the trace (as uid 1001 the
# creates in root's var/lib denied with EACCES), every proc and ev record
# says "tracer":"ptrace", the program keeps its output and status, and
# the report names the tracer that saw them.
. "$(dirname "$0")/lib.sh"
stage_unroot "$1" "$2"
USER=$3
[ -x "$T/bin/workload-go" ] || skip "the Go workload was not built"
app_root "$USER"
out=$(cd "$T" && $RUN "$U" run -o "$T/tr/t" -- "$T/bin/workload-go" \
	"$W" "$D" 2>"$T/err") || fail "status $?: $out $(cat "$T/err")"
echo "$out"
cat "$T/err"
echo "$out" | grep -q "workload: ok" || fail "the program failed: $out"
grep -q "NOT TRACED" "$T/err" && fail "said untraced"

specs=$(workload_specs "$W" "$D" "$USER" g0 g1 g2 g3 child)
# shellcheck disable=SC2086
python3 "$HERE/expect.py" "$T/tr/t/log" files:2 $specs ||
	fail "records missing"

"$U" report "$T/tr/t" >"$T/report" || fail "unroot report failed"
grep -q "^Seen by the fallback tracer (unroot-ptrace: system calls, no native stack): workload-go\[" \
	"$T/report" || fail "the report does not name the fallback tracer"
if [ "$USER" = uid1001 ]; then
	grep -q "newdir  EACCES  by workload-go\[[0-9]*\] uid 1001 (seen by unroot-ptrace)" \
		"$T/report" || fail "the denial does not say who saw it"
fi
say "ok"
