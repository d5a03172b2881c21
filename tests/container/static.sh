# static.sh pid1|shell|harden - a static Go entrypoint (CGO_ENABLED=0, tests/tracer/
# workload.go) is traced by the fallback tracer that `unroot docker` puts
# in front of it: as PID 1, as root and as uid 1001 (denials with EACCES,
# the same exit status as without unroot), and behind a shell entrypoint
# (the preload in dash hands the static program to the helper); the report
# names the tracer; `unroot harden` of its Dockerfile ends verified with
# the one grant it needs.  Images are tagged unroot-test-static-*; docker
# builds (harden's too) run under the host-wide lock, which this test takes
# itself (run it without an outer flock).  The payload is rebuilt from the
# current sources first (ensure_payload), as every container test does.
MODE=${1:?usage: static.sh pid1|shell|harden}
. "$(dirname "$0")/common.sh"
LOCK=/tmp/unroot-docker.lock
EXPECT="python3 $SRC/tests/tracer/expect.py"
GO=$BUILD/tests/tracer/workload-go
[ -x "$GO" ] || { echo "SKIP: the Go workload was not built (golang-go)"; exit 77; }
ensure_payload
[ -x "$PAYLOAD/unroot-ptrace" ] || fail "no unroot-ptrace in $PAYLOAD"
docker image inspect unroot-base:bullseye >/dev/null 2>&1 ||
	fail "unroot-base:bullseye is missing (scripts/base-images bullseye)"

IMG=unroot-test-static-go
SHIMG=unroot-test-static-shell
mkdir "$WORK/ctx"
cp "$GO" "$WORK/ctx/workload"
cat >"$WORK/ctx/Dockerfile" <<'DF'
FROM unroot-base:bullseye
RUN mkdir -p /var/lib/myapp
COPY workload /app/workload
ENTRYPOINT ["/app/workload", "/var/lib/myapp", "/var/lib"]
DF
cat >"$WORK/ctx/Dockerfile.shell" <<'DF'
FROM unroot-base:bullseye
RUN mkdir -p /var/lib/myapp
COPY workload /app/workload
ENTRYPOINT ["/bin/sh", "-c", "/app/workload /var/lib/myapp /var/lib && echo shell-done"]
DF
step "build $IMG and $SHIMG"
flock $LOCK docker build -q -t $IMG "$WORK/ctx" >/dev/null || fail "docker build"
flock $LOCK docker build -q -t $SHIMG -f "$WORK/ctx/Dockerfile.shell" \
	"$WORK/ctx" >/dev/null || fail "docker build (shell)"

specs() { # specs DIR [=ERRNO]: the workload's writes in DIR, at PID 1
	s="ptrace:bind=$1/sock$2@1"
	for g in g0 g1 g2 g3; do
		s="$s ptrace:mkdir=$1/$g$2@1"
	done
	echo "$s"
}

pid1() { # as PID 1, as root and as uid 1001
	for user in root 1001; do
		step "PID 1 static entrypoint as $user"
		docker run --rm --network none --user $user:$user $IMG \
			>/dev/null 2>&1
		bare=$?
		"$UNROOT" docker -o "$WORK/t-$user" run --rm --user $user:$user \
			$IMG >"$WORK/out-$user" 2>&1
		st=$?
		cat "$WORK/out-$user"
		[ $st -eq $bare ] || fail "exit $st under unroot, $bare without"
		if [ $user = root ]; then
			# shellcheck disable=SC2046
			$EXPECT "$WORK/t-$user/log" $(specs /var/lib/myapp) \
				ptrace:mkdir=/var/lib/newdir@1 || fail "records missing"
		else
			# shellcheck disable=SC2046
			$EXPECT "$WORK/t-$user/log" $(specs /var/lib/myapp =EACCES) \
				ptrace:mkdir=/var/lib/newdir=EACCES@1 ||
				fail "records missing"
		fi
		"$UNROOT" report "$WORK/t-$user" >"$WORK/report-$user" ||
			fail "unroot report"
		grep -q "^Seen by the fallback tracer .*: workload\[1[],]" \
			"$WORK/report-$user" || fail "the report does not name the tracer"
	done
	grep -q "newdir  EACCES  by workload\[1\] uid 1001 (seen by unroot-ptrace)" \
		"$WORK/report-1001" || fail "the denial does not say who saw it"
}

shell() { # behind a shell entrypoint: dash's preload hands it over
	grep -q -- --argv0 "$PAYLOAD/lib/x86_64-linux-gnu/libunroot.so" ||
		fail "the payload's preload does not hand static programs over"
	step "static program behind a shell entrypoint"
	"$UNROOT" docker -o "$WORK/t-shell" run --rm $SHIMG \
		>"$WORK/out-shell" 2>&1 ||
		fail "status $? behind a shell: $(cat "$WORK/out-shell")"
	grep -q shell-done "$WORK/out-shell" || fail "the shell did not go on"
	$EXPECT "$WORK/t-shell/log" mixed preload:exec=/app/workload \
		ptrace:mkdir=/var/lib/myapp/g0 ptrace:mkdir=/var/lib/newdir ||
		fail "records missing behind the shell"
	if "$LOGCAT" "$WORK/t-shell/log" | grep -q '"t":"untraced"'; then
		fail "the static program was said untraced"
	fi
}

harden() { # the Dockerfile hardens to a verified non-root image
	step "unroot harden of the static entrypoint"
	(cd "$WORK/ctx" && flock $LOCK "$UNROOT" harden -f Dockerfile \
		-t unroot-test-static-harden) >"$WORK/harden.out" 2>&1
	st=$?
	cat "$WORK/harden.out"
	[ $st -eq 0 ] || fail "harden exited $st"
	grep -q "== unroot harden: verified" "$WORK/harden.out" ||
		fail "not verified"
	[ "$(grep -c "^   Seen by the fallback tracer .*: workload\[1[],]" \
		"$WORK/harden.out")" -eq 2 ] ||
		fail "harden does not say, per run, that the fallback tracer was used"
	grep -q "chown 1001:1001 '/var/lib/myapp'" "$WORK/ctx/Dockerfile.nonroot" ||
		fail "the grant of /var/lib/myapp is missing"
}

case $MODE in
pid1 | shell | harden) $MODE ;;
*) fail "unknown mode $MODE" ;;
esac
echo PASS
