# dropuid.sh BIN HELPER - a root program that drops to uid 1001
# in-process: its calls after the drop carry uid 1001, the denied one
# EACCES.  A tracer with CAP_SYS_PTRACE still resolves a relative path
# against the cwd; one without it (root in Docker's default capabilities,
# here setpriv's bounding set) cannot read /proc/PID/cwd of a process that
# is no longer its uid's, and records the call with "nopath".
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
say "ok"
