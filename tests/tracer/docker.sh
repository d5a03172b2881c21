# docker.sh BIN HELPER - in a container with Docker's default seccomp
# profile and capabilities (no --cap-add), as PID 1: the static C (gcc
# and musl-gcc) and Go workloads' writes are all recorded, as root and as
# uid 1001 (a denied mkdir and create in root's /etc); behind a shell entrypoint, the static C workload's;
# and `docker stop` ends a PID 1 entrypoint exactly as without the tracer
# (no SIGTERM handler: killed after the timeout, 137; a handler: 0).
# It only runs containers (no docker build): no host-wide lock.
. "$(dirname "$0")/lib.sh"
need_docker
[ -x "$T/bin/workload-go" ] || skip "the Go workload was not built"
W=$T/work
NAME=unroot-tracer-test-$$
trap 'docker rm -f $NAME >/dev/null 2>&1; rm -rf "$T"' EXIT

# drun [docker run options] -- CMD...: a container with the helper and
# the programs at /u, the work directory at /w, the log at /log
drun() {
	docker run --network none -v "$T/bin:/u:ro" -v "$W:/w" \
		-v "$T/log:/log" -e UNROOT_LOG=/log "$@"
}

# every static workload (gcc -static, musl-gcc -static, Go) as PID 1: all
# of its records (lib.sh's workload_specs), the main thread's with pid 1
for prog in workload workload-musl workload-go; do
	[ -x "$T/bin/$prog" ] || fail "$prog was not built"
	names="t0 t1 t2 t3 child"
	[ $prog = workload-go ] && names="g0 g1 g2 g3 child"
	for user in root 1001; do
		rm -rf "$W" && mkdir "$W" && chown "$user" "$W"
		new_log "$user"
		drun --rm --user "$user:$user" $IMG /u/unroot-ptrace -- \
			/u/$prog /w /etc || fail "$prog: status $? as $user"
		as=root
		[ $user = root ] || as=uid1001
		# shellcheck disable=SC2046,SC2086 # one spec, one name a word
		expect $(workload_specs /w /etc $as $names) "bind=/w/sock@1" \
			"mkdir=/w/${names%% *}@1"
		say "$prog as PID 1, $user: all records found"
	done
done

rm -rf "$W" && mkdir "$W"
new_log
drun --rm $IMG sh -c '/u/unroot-ptrace -- /u/workload /w && echo shell-done' \
	>"$T/out" || fail "status $? behind a shell"
grep -q shell-done "$T/out" || fail "the shell did not go on"
expect "mkdir=/w/t0" "open=/w/child/f" "bind=/w/sock"

# stop VARIANT traced|bare: the exit status docker stop leaves
stop() {
	rm -rf "$W" && mkdir "$W"
	new_log
	if [ "$2" = traced ]; then
		drun -d --name $NAME $IMG /u/unroot-ptrace -- /u/pid1 /w $1 >/dev/null
	else
		drun -d --name $NAME $IMG /u/pid1 /w $1 >/dev/null
	fi
	i=0
	until [ -f "$W/pid1-file" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "pid1 did not start"
		sleep 0.05
	done
	docker stop -t 2 $NAME >/dev/null
	st=$(docker wait $NAME)
	logs=$(docker logs $NAME 2>&1 | tr '\n' ' ')
	docker rm $NAME >/dev/null
	echo "$logs|$st"
}
for variant in nohandler handler; do
	bare=$(stop $variant bare)
	traced=$(stop $variant traced)
	say "$variant: bare: $bare; traced: $traced"
	[ "$bare" = "$traced" ] || fail "docker stop differs under the tracer"
	expect "open=/w/pid1-file@1"
done
echo "$bare" | grep -q "pid1: SIGTERM |0" || fail "the handler did not run"
say "ok"
