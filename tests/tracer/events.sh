# events.sh BIN HELPER PROGRAM root|uid1001 - a static program's writes
# are all recorded: four threads (goroutines) and a child each mkdir,
# create, rename, chmod and unlink; the main thread binds a unix socket;
# as uid 1001 also a mkdir and a create denied (EACCES) in root's 0755
# directory; the Go program binds loopback ports ("net" records).  Output
# and status are the program's own.
. "$(dirname "$0")/lib.sh"
PROG=$1
USER=$2
[ -x "$T/bin/$PROG" ] || skip "$PROG was not built (musl-gcc or go missing)"
W=$T/work
D=$T/rootdir
mkdir "$W" "$D"
chmod 755 "$D"
RUN=""
if [ "$USER" = uid1001 ]; then
	chown 1001:1001 "$W"
	RUN=as_user
fi
new_log "$([ "$USER" = uid1001 ] && echo 1001 || echo root)"
out=$(UNROOT_LOG=$T/log $RUN "$H" -- "$T/bin/$PROG" "$W" "$D" 2>&1) ||
	fail "status $?: $out"
echo "$out"
echo "$out" | grep -q "workload: ok" || fail "the program failed: $out"

case $PROG in
workload-go) names="g0 g1 g2 g3 child" ;;
*) names="t0 t1 t2 t3 child" ;;
esac
# shellcheck disable=SC2086 # one name a word
specs=$(workload_specs "$W" "$D" "$USER" $names)
# the Go workload binds a loopback port too: a "net" record, and as uid
# 1001 one below 1024 refused
if [ "$PROG" = workload-go ]; then
	specs="$specs ptrace:net:127.0.0.1:0"
	[ "$USER" = uid1001 ] && specs="$specs ptrace:net:127.0.0.1:1023=EACCES"
fi
# shellcheck disable=SC2086
expect files:2 $specs
say "ok"
