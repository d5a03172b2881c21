# leader.sh BIN HELPER - a static program whose main thread has left by
# pthread_exit: the paths of its other thread's calls on descriptors (an
# fchmod, an openat relative to a directory descriptor) are still known,
# read from that thread's /proc entries, not the gone main thread's.
. "$(dirname "$0")/lib.sh"
[ -x "$T/bin/leader" ] || fail "leader was not built"
mkdir "$T/d"
new_log root
out=$(UNROOT_LOG=$T/log "$H" -- "$T/bin/leader" "$T/d" 2>&1) ||
	fail "status $?: $out"
echo "$out" | grep -q "leader: ok" || fail "the program failed: $out"
expect "open=$T/d/data" "chmod=$T/d/data" "open=$T/d/g"
say "ok"
