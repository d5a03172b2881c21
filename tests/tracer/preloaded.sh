# preloaded.sh BIN HELPER - each event is recorded once: a dynamic program
# that has the preload (LD_PRELOAD=libunroot.so and UNROOT_LOG in its
# environment) is recorded by the preload and only followed by the tracer;
# the static program it starts is recorded by the tracer.  The same holds
# for a preloaded script that a static program execs after switching
# users, as gosu does, under a tracer without CAP_SYS_PTRACE (root in
# Docker's default capabilities), to which the process's /proc entries
# are then closed: the script's writes are the preload's alone, and no
# file of the preload's own log is a record of the tracer's.
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

# the preload where uid 1001 can load it (the build may be under /root)
cp "$LIB" "$T/bin/libunroot.so"
chmod a+r "$T/bin/libunroot.so"
LIB=$T/bin/libunroot.so
D=$T/rootdir
mkdir "$D"
rm -rf "$W"
mkdir "$W"
chown 1001:1001 "$W"
printf '#!/bin/sh\ntouch "$1/by-script"\n' >"$T/bin/script.sh"
chmod 755 "$T/bin/script.sh"
new_log
chmod 1777 "$T/log"
UNROOT_LOG=$T/log LD_PRELOAD=$LIB \
	setpriv --inh-caps=-sys_ptrace --bounding-set=-sys_ptrace \
	"$H" -- "$T/bin/dropuid" "$W" "$D" "$T/bin/script.sh" "$W" >/dev/null ||
	fail "status $?"
expect mixed "ptrace:open=$W/after#1001" "once:open=$W/by-script" \
	"preload:open=$W/by-script"
if python3 "$LOGCAT" "$T/log" | grep '"tracer":"ptrace"' | grep -F "\"path\":\"$T/log/"; then
	fail "the tracer recorded the preload's own log files"
fi
say "ok"
