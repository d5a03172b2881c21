# dropuid.sh BIN HELPER - a root program that drops to uid 1001
# in-process: its calls after the drop carry uid 1001, the denied one
# EACCES.  A tracer with CAP_SYS_PTRACE still resolves a relative path
# against the cwd; one without it (root in Docker's default capabilities,
# here setpriv's bounding set) cannot read /proc/PID/cwd of a process that
# is no longer its uid's, and records the call with "nopath".  Nor can it
# read /proc/PID/exe of a program the process then execs, as gosu does:
# its proc record names the file the exec named instead, and so do the
# records of the processes it forks.
. "$(dirname "$0")/lib.sh"
W=$T/work
D=$T/rootdir
mkdir "$W" "$D"
chown 1001:1001 "$W"

new_log
UNROOT_LOG=$T/log "$H" -- "$T/bin/dropuid" "$W" "$D" || fail "status $?"
expect "open=$W/before" "open=$W/after#1001" "open=$D/after=EACCES#1001" \
	"open=$W/rel#1001"

rm -f "$W"/*
new_log
UNROOT_LOG=$T/log setpriv --inh-caps=-sys_ptrace --bounding-set=-sys_ptrace \
	"$H" -- "$T/bin/dropuid" "$W" "$D" || fail "status $?"
expect "open=$W/before" "open=$W/after#1001" "open=$D/after=EACCES#1001" \
	"nopath:open"

rm -f "$W"/*
new_log
UNROOT_LOG=$T/log setpriv --inh-caps=-sys_ptrace --bounding-set=-sys_ptrace \
	"$H" -- "$T/bin/dropuid" "$W" "$D" "$T/bin/workload" "$W" >/dev/null ||
	fail "status $?"
procs=$(python3 "$LOGCAT" "$T/log" | grep '"t":"proc"' | grep -F "\"argv0\":\"$T/bin/workload\"")
[ -n "$procs" ] || fail "no proc record of the exec'd workload"
if echo "$procs" | grep -vqF "\"exe\":\"$T/bin/workload\""; then
	echo "$procs"
	fail "a proc record of the workload does not name its program"
fi
say "ok"
