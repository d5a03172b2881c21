# preloaded.sh BIN HELPER - each event is recorded once: a dynamic program
# that has the preload (LD_PRELOAD=libunroot.so and UNROOT_LOG in its
# environment) is recorded by the preload and only followed by the tracer;
# the static program it starts is recorded by the tracer.
. "$(dirname "$0")/lib.sh"
LIB=$(dirname "$HELPER")/libunroot.so
[ -f "$LIB" ] || skip "no libunroot.so beside the helper"
W=$T/work
mkdir "$W"
new_log
UNROOT_LOG=$T/log LD_PRELOAD=$LIB "$H" -- \
	sh -c "touch $W/by-sh && $T/bin/workload $W" || fail "status $?"
expect mixed "once:open=$W/by-sh" "preload:open=$W/by-sh" \
	"once:mkdir=$W/t0" "ptrace:mkdir=$W/t0" "once:bind=$W/sock" \
	"ptrace:bind=$W/sock" "preload:exec=$T/bin/workload"
say "ok"
