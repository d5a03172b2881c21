# daemon.sh BIN HELPER - a daemonising program works: the program the
# caller started exits 0 at once, the daemon (two forks down, in a new
# session) is still traced, and its writes are in the trace once the
# tracer has finished (the lock it holds, LOGDIR/.ptrace-PID).
. "$(dirname "$0")/lib.sh"
W=$T/work
mkdir "$W"
new_log
UNROOT_LOG=$T/log "$H" -- "$T/bin/daemon" "$W" &
pid=$!
wait $pid || fail "the starter exited $?"
wait_tracer $pid
[ -f "$W/daemon-renamed" ] || fail "the daemon did not finish its work"
expect files:2 "open=$W/daemon-file" "rename=$W/daemon-file"
say "ok"
