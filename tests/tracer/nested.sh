# nested.sh BIN HELPER UNROOT PRELOAD - a dynamic program the helper
# traces (with the preload) execs a static one: the preload neither hands
# it to a second helper (it could not attach: one tracer per process) nor
# says it untraced; the helper already tracing it records its writes.
. "$(dirname "$0")/lib.sh"
stage_unroot "$1" "$2"
LIB=$T/u/lib/unroot/libunroot.so
W=$T/w
mkdir "$W" "$W/x" "$T/d2"
new_log
out=$(LD_PRELOAD=$LIB UNROOT_LOG=$T/log UNROOT_LIB=$LIB \
	"$T/u/lib/unroot/unroot-ptrace" -- /bin/sh -c \
	"\"$T/bin/workload\" \"$W\" \"$W\"; exec \"$T/bin/workload\" \"$W/x\" \"$T/d2\"" \
	2>"$T/err") || fail "status $?: $out $(cat "$T/err")"
echo "$out"
cat "$T/err"
[ ! -s "$T/err" ] || fail "a line on stderr (a second helper?)"
[ "$(echo "$out" | grep -c "workload: ok")" -eq 2 ] || fail "output: $out"
wait_tracer "$(grep -l '"exe":"/usr/bin/dash"' "$T/log"/*.jsonl | head -1 |
	sed 's,.*/\([0-9]*\)-.*,\1,')"
if grep -qh '"t":"untraced"' "$T/log"/*.jsonl; then
	fail "the static program was said untraced"
fi
expect mixed "preload:exec=$T/bin/workload" "ptrace:mkdir=$W/t0" \
	"ptrace:unlink=$W/child/g" "ptrace:mkdir=$W/x/t3" \
	"ptrace:mkdir=$T/d2/newdir"
say "ok"
