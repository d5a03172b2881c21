# filter_only.sh BIN HELPER - `unroot-ptrace --filter-only`, the
# benchmark's floor for the static read storm: the filter alone, no
# tracer.  A read-only open runs as it would bare; a call the filter stops
# fails with ENOSYS (nobody is there to trace it) and nothing is recorded,
# which is why the option is for measuring and never for tracing.
. "$(dirname "$0")/lib.sh"
echo data >"$T/in.txt"
new_log
out=$(UNROOT_LOG=$T/log "$H" --filter-only /bin/cat "$T/in.txt") ||
	fail "a read under the filter alone failed: status $?"
[ "$out" = data ] || fail "cat printed '$out'"
err=$(UNROOT_LOG=$T/log "$H" --filter-only /bin/mkdir "$T/d" 2>&1) &&
	fail "mkdir succeeded under the filter with no tracer"
case $err in
*"Function not implemented"*) ;;
*) fail "mkdir did not fail with ENOSYS: $err" ;;
esac
[ ! -e "$T/d" ] || fail "the directory was made"
[ -z "$(ls -A "$T/log")" ] || fail "something was recorded: $(ls -A "$T/log")"
say "ok"
