# transparency.sh BIN HELPER - output and exit status are the same with
# and without the tracer: the static C and Go workloads, a program that
# ignores a signal, one killed by a signal, one that forks 100 children,
# one whose child stops itself (group-stop) and is continued, one whose
# second thread execs.
. "$(dirname "$0")/lib.sh"
W=$T/work

# one case, run bare and traced: "output|status" must match
same() {
	rm -rf "$W" && mkdir "$W"
	bare=$("$@" 2>&1; echo "|$?")
	rm -rf "$W" && mkdir "$W"
	new_log
	traced=$(UNROOT_LOG=$T/log "$H" -- "$@" 2>&1; echo "|$?")
	if [ "$bare" != "$traced" ]; then
		say "bare:   $bare"
		say "traced: $traced"
		fail "differs: $*"
	fi
	say "same: $* -> $(echo "$traced" | tail -1)"
}

same "$T/bin/workload" "$W"
[ -x "$T/bin/workload-go" ] && same "$T/bin/workload-go" "$W"
same "$T/bin/signals" ignore
same "$T/bin/signals" killed
same "$T/bin/signals" fork 100 "$W"
expect files:100
same "$T/bin/signals" stop
same "$T/bin/signals" threadexec "$T/bin/workload" "$W"
expect "mkdir=$W/t0" "bind=$W/sock"
say "ok"
