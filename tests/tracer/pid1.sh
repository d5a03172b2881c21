# pid1.sh BIN HELPER - a PID 1 entrypoint stays PID 1 under the tracer and
# gets signals as it would without it (a pid namespace made by unshare):
# without a SIGTERM handler, SIGTERM sent from outside is dropped and
# SIGKILL ends it (137); with one, SIGTERM ends it (0).  Its write is
# recorded with pid 1.
. "$(dirname "$0")/lib.sh"
command -v unshare >/dev/null || skip "unshare (util-linux) is missing"
unshare -p -f --mount-proc true 2>/dev/null || skip "cannot unshare a pid namespace"
W=$T/work
mkdir "$W"

# run [helper] VARIANT: start it, signal it, print "output|status"
run() {
	traced=$1
	variant=$2
	rm -f "$T/out" "$W/pid1-file"
	if [ "$traced" = traced ]; then
		new_log
		UNROOT_LOG=$T/log unshare -p -f --mount-proc "$H" -- \
			"$T/bin/pid1" "$W" $variant >"$T/out" 2>&1 &
	else
		unshare -p -f --mount-proc "$T/bin/pid1" "$W" $variant \
			>"$T/out" 2>&1 &
	fi
	upid=$!
	i=0
	until grep -q "pid1: pid" "$T/out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "pid1 did not start"
		sleep 0.05
	done
	child=$(tr -d ' \n' </proc/$upid/task/$upid/children)
	kill -TERM "$child" || fail "cannot signal $child"
	sleep 0.5
	alive="ended by SIGTERM"
	if kill -0 "$child" 2>/dev/null; then
		alive="alive after SIGTERM"
		kill -KILL "$child"
	fi
	wait $upid
	st=$?
	# (the unshare here may add a line of its own: the same both ways)
	echo "$(cat "$T/out")|$alive|$st"
}

for variant in nohandler handler; do
	bare=$(run bare $variant)
	traced=$(run traced $variant)
	say "$variant: bare: $bare"
	say "$variant: traced: $traced"
	[ "$bare" = "$traced" ] || fail "$variant: output or status differ"
	case $variant in
	nohandler) want="alive after SIGTERM" ;;
	handler) want="ended by SIGTERM" ;;
	esac
	echo "$traced" | grep -q "|$want|" || fail "$variant: not $want"
	echo "$traced" | grep -q "^pid1: pid 1$" || fail "not PID 1 under the tracer"
	expect "open=$W/pid1-file@1"
done
say "ok"
