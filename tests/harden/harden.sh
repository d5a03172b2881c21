#!/bin/sh
# harden.sh CASE - end to end for `unroot harden` against a real Docker
# engine (every container runs with --network none).  Each case hardens a
# copy of its Dockerfile and context in a scratch directory:
#   example NAME  examples/NAME goes from its root Dockerfile to a verified
#                 non-root image: exit 0, the last run as the user has zero
#                 denials, the image's USER is not root
#   service       a config file shipped 640 root:svc and a state directory
#                 owned by svc: the root run's plan is not enough, a later
#                 round fixes it, and the result grants only what is needed
#                 (the config stays 640 root:svc, no recursive chown)
#   readonly      a write under a read-only bind mount: harden stops after
#                 a round with no progress (exit 1) and names the denial
#   server        a server that runs until stopped: --stop-after ends each
#                 run with SIGTERM, and the same status as root verifies
set -eu
case=$1
. "$SRC/tests/container/common.sh"
ensure_images bookworm
ensure_payload

ctx=$WORK/ctx
out=$WORK/harden.out
case $case in
example) src=$SRC/examples/$2; tag=unroot-harden-test-$2:latest ;;
*) src=$SRC/tests/harden/$case; tag=unroot-harden-test-$case:latest ;;
esac
cp -r "$src" "$ctx"

# harden [ARGS...]: run unroot harden on the copy; its status in $rc
harden() {
	step "unroot harden -f $ctx/Dockerfile -t $tag -w $WORK/w $*"
	rc=0
	"$UNROOT" harden -f "$ctx/Dockerfile" -t "$tag" -w "$WORK/w" "$@" \
		>"$out" 2>&1 || rc=$?
	cat "$out"
	echo "(exit $rc)"
}

# last_round sets $last, the last round's trace; the image's user
last_round() {
	last=$(ls -d "$WORK"/w/round*/ | grep -v denials | sed 's:/$::' | sort -V | tail -1)
	"$UNROOT" report "$last" >/dev/null || fail "no readable trace in $last"
}
image_user() { docker image inspect --format '{{.Config.User}}' "$tag"; }
in_image() { docker run --rm --network none --entrypoint /bin/sh "$tag" -c "$1"; }

case $case in
example)
	harden
	[ "$rc" -eq 0 ] || fail "harden did not verify $2 (exit $rc)"
	grep -q '^== unroot harden: verified' "$out" || fail "no 'verified' summary"
	last_round
	n=$(count_denials "$last")
	[ "$n" -eq 0 ] || fail "$n denials in the last run ($last)"
	case $(image_user) in
	"" | 0 | 0:* | root | root:*) fail "$tag runs as '$(image_user)'" ;;
	esac
	grep -q "^+USER " "$out" || fail "the diff does not show the USER line"
	;;
service)
	harden
	if [ "$rc" -eq 1 ] && grep -q "reads are not granted by ownership" "$out"; then
		echo "SKIP: the planner does not grant read denials yet (it refuses /etc/svc/svc.conf 640 root:svc; issue 9)"
		exit 77
	fi
	[ "$rc" -eq 0 ] || fail "harden did not verify the service (exit $rc)"
	rounds=$(sed -n 's/^rounds: \([0-9]*\) run.*/\1/p' "$out")
	[ "${rounds:-0}" -ge 2 ] || fail "converged in ${rounds:-?} round(s): the root run's plan should not have been enough"
	last_round
	n=$(count_denials "$last")
	[ "$n" -eq 0 ] || fail "$n denials in the last run"
	# only what is needed: the config keeps its mode and owners, nothing
	# is made world-readable or given away recursively
	st=$(in_image 'stat -c "%a %U:%G" /etc/svc/svc.conf')
	[ "$st" = "640 root:svc" ] || fail "/etc/svc/svc.conf became $st"
	grep -q 'chown -R\|chmod -R\|o+r\|o+w\|a+r\|777' "$ctx/Dockerfile.nonroot" &&
		fail "the hardened Dockerfile grants more than needed"
	id=$(docker run --rm --network none --entrypoint id "$tag")
	echo "the image runs as: $id"
	case $id in
	*svc*) ;;
	*) fail "the user is neither svc nor in its group: $id" ;;
	esac
	;;
readonly)
	data=$WORK/data
	mkdir -p "$data"
	echo input >"$data/in.txt"
	harden -- -v "$data:/data:ro"
	[ "$rc" -eq 1 ] || fail "harden should stop with 1, not $rc"
	grep -q "^== stopped: round 1 adds nothing to the plan" "$out" ||
		fail "harden did not stop after the first round without progress"
	grep -q "/data/out.txt -> EROFS" "$out" || fail "the denial is not named"
	grep -q "mounted read-only" "$out" || fail "the reason is not given"
	[ ! -e "$data/out.txt" ] || fail "something wrote into the read-only mount"
	;;
server)
	harden --stop-after 2
	[ "$rc" -eq 0 ] || fail "harden did not verify the server (exit $rc)"
	grep -q "stopped by --stop-after" "$out" || fail "the runs were not stopped"
	last_round
	n=$(count_denials "$last")
	[ "$n" -eq 0 ] || fail "$n denials in the last run"
	grep -q "/run/serve" "$ctx/Dockerfile.nonroot" || fail "no grant for /run/serve"
	;;
*) fail "unknown case $case" ;;
esac
echo "PASS: harden $case ${2:-}"
