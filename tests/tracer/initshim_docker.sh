# initshim_docker.sh BIN HELPER - static init shims in a container
# (Docker's default seccomp profile and capabilities), as `unroot docker`
# runs an entrypoint (`unroot-ptrace --if-static -- ENTRYPOINT...`, with
# LD_PRELOAD):
#   - `docker run --init`: docker-init (tini-static) is PID 1, outside the
#     helper; a dynamic entrypoint runs untraced by ptrace, recorded by the
#     preload, its static child by the helper, each event once;
#   - tini-static as the entrypoint (PID 1) under the helper: runs
#     untraced, its dynamic command likewise (TracerPid 0), each event once;
#   - `docker run --init` with a static entrypoint: all its events are in
#     the trace although docker-init's exit ends the container.
# Exit statuses are those of the same containers without unroot.
. "$(dirname "$0")/lib.sh"
need_docker
SHIM=$(command -v tini-static) || skip "tini-static (package tini) is missing"
[ -x "$T/bin/workload-go" ] || skip "the Go workload was not built"
LIB=$(dirname "$HELPER")/libunroot.so
[ -f "$LIB" ] || skip "no libunroot.so beside the helper"
cp "$LIB" "$T/bin/libunroot.so"
cp "$SHIM" "$T/bin/tini-static"
cat >"$T/bin/cmd.sh" <<'EOF'
#!/bin/sh
touch /w/by-sh
grep TracerPid /proc/$$/status >/w/tracerpid
/u/workload /w /etc
exit 3
EOF
chmod a+rx "$T/bin/cmd.sh"
chmod -R a+rX "$T/bin"
W=$T/work

# drun traced|bare [docker run options] -- CMD...: a container with the
# helper, the preload and the programs at /u, the work directory at /w,
# the log at /log; prints its exit status
drun() {
	mode=$1
	shift
	rm -rf "$W" && mkdir "$W"
	new_log
	if [ "$mode" = traced ]; then
		docker run --rm --network none -v "$T/bin:/u:ro" -v "$W:/w" \
			-v "$T/log:/log" -e UNROOT_LOG=/log \
			-e LD_PRELOAD=/u/libunroot.so "$@" >"$T/out" 2>&1
	else
		docker run --rm --network none -v "$T/bin:/u:ro" -v "$W:/w" \
			"$@" >"$T/out" 2>&1
	fi
	echo $?
}

# same NAME BARE TRACED WANT: the exit statuses match, and are WANT
same() {
	[ "$2" = "$4" ] || fail "$1: exit $2 without unroot, not $4"
	[ "$2" = "$3" ] || fail "$1: exit $3 traced, $2 without unroot: $(cat "$T/out")"
	say "$1: exit $3, as without unroot"
}

# shellcheck disable=SC2046 # one spec a word
once_specs() {
	for s in $(workload_specs /w /etc root t0 t1 t2 t3 child); do
		printf 'once:ptrace:%s ' "$s"
	done
}

untraced_command() {
	grep -q "TracerPid:	0$" "$W/tracerpid" ||
		fail "$1: the dynamic command is under ptrace: $(cat "$W/tracerpid")"
}

bare=$(drun bare --init $IMG /u/cmd.sh)
st=$(drun traced --init $IMG /u/unroot-ptrace --if-static -- /u/cmd.sh)
same "docker run --init, dynamic entrypoint" "$bare" "$st" 3
untraced_command "docker run --init"
# shellcheck disable=SC2046
expect mixed "once:preload:open=/w/by-sh" "once:preload:exec=/u/workload" \
	$(once_specs)

bare=$(drun bare $IMG /u/tini-static -- /u/cmd.sh)
st=$(drun traced $IMG /u/unroot-ptrace --if-static -- /u/tini-static -- \
	/u/cmd.sh)
same "tini-static as PID 1" "$bare" "$st" 3
untraced_command "tini-static as PID 1"
# shellcheck disable=SC2046
expect mixed "once:preload:open=/w/by-sh" "once:preload:exec=/u/workload" \
	$(once_specs)

bare=$(drun bare --init $IMG /u/workload-go /w /etc)
st=$(drun traced --init $IMG /u/unroot-ptrace --if-static -- \
	/u/workload-go /w /etc)
same "docker run --init, static entrypoint" "$bare" "$st" 0
# shellcheck disable=SC2046
expect $(workload_specs /w /etc root g0 g1 g2 g3 child)
say "ok"
