# killed.sh BIN HELPER - when the tracer dies, its tracees die with it
# (PTRACE_O_EXITKILL: SIGKILL, status 137) rather than run on with every
# traced call failing with ENOSYS.
. "$(dirname "$0")/lib.sh"
W=$T/work
mkdir "$W"
new_log
UNROOT_LOG=$T/log "$H" -- "$T/bin/signals" loop "$W" >"$T/out" 2>&1 &
pid=$!
i=0
until grep -q '"op":"unlink"' "$T"/log/*.jsonl 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "nothing was recorded"
	sleep 0.05
done
tracer=$(cat "$T/log/.ptrace-$pid")
[ -n "$tracer" ] || fail "no tracer pid in the lock file"
kill -KILL "$tracer"
wait $pid
st=$?
cat "$T/out"
[ $st -eq 137 ] || fail "the tracee exited $st, not 137 (SIGKILL)"
! grep -q "Function not implemented" "$T/out" || fail "a call failed with ENOSYS"
say "ok: the tracee was killed with its tracer"
