#!/bin/sh
# services.sh SVC [--read-only] - a real service from Debian's packages,
# hardened end to end: `unroot harden` on tests/services/SVC/Dockerfile must verify (the
# run as the plan's user has no denial and the root run's exit status, and
# the image's check script exits 0 only when the service answered), the
# image's USER must not be root, and the hardened image must pass its
# check again run plainly and with an explicit --user UID:GID (plus the
# --group-add options its plan names, when it relies on a group).
# With --read-only, harden verifies the image as a kubelet runs it and the
# Pod manifest it writes must run the check, read by a script that knows
# only the manifest (tests/harden/readonly_pod_run.py).
#
# SVC/answer holds the grants a careful engineer would write for SVC by
# hand (its format is in answer.py): the plan harden verified (from the
# same traces, as json) must apply those or fewer, and no grant may name a
# path that a traced run made for itself alone (a temporary or pid name).
# No round may show a change in the container's layer that no traced call
# explains, unless the trace names a program it could not follow.
#
# SVC/refused, when present, names a service that no grant of a path can
# make work as a non-root user (it chroots, or switches users, in its
# stock configuration): harden must then stop unverified and its output
# must hold each line of SVC/refused (the call it was refused, and why).
#
# SVC/says, when present, holds lines harden's output must hold besides
# (a warning the plan must give, as for SVC/refused); SVC/says-read-only
# more of them for the --read-only run.
#
# SVC/prepare, when present, runs on the host in the copy of SVC's folder
# before the build (builds have no network): npm install from a committed
# lockfile, javac.  It exits 77 when the host lacks the tool.
#
# The packages (SVC/packages, with what they need that the base image
# lacks) are fetched on the host with apt-get --download-only against the
# base image's dpkg status (the host is Debian 12, as unroot-base:bookworm)
# and installed
# with dpkg -i in an image built once, without network, and cached as
# unroot-test-service-SVC-pkgs.  Every container runs with --network none.
set -eu
svc=$1 ro=${2:-}
. "$SRC/tests/container/common.sh"
# UNROOT_KEEP_WORK=1 keeps the scratch directory (traces, plans) to look at
if [ -n "${UNROOT_KEEP_WORK:-}" ]; then
	cleanup() { echo "kept $WORK"; }
fi
# run under the host-wide docker lock (flock /tmp/unroot-docker.lock
# ctest -L container); the base image and payload are made only if missing
docker image inspect unroot-base:bookworm >/dev/null 2>&1 || ensure_images bookworm
[ -f "$PAYLOAD/lib/x86_64-linux-gnu/libunroot.so" ] || ensure_payload

dir=$SRC/tests/services/$svc
pkgs=unroot-test-service-$svc-pkgs
tag=unroot-test-service-$svc
[ "$ro" != --read-only ] || tag=unroot-test-service-$svc-ro:latest

if ! docker image inspect "$pkgs" >/dev/null 2>&1; then
	step "fetch $(cat "$dir/packages") and build $pkgs"
	mkdir -p "$WORK/pkgctx/debs/partial"
	cp "$SRC/tests/services/pkgs.Dockerfile" "$WORK/pkgctx/Dockerfile"
	# what the base image lacks: apt resolves against its dpkg status
	docker run --rm --network none unroot-base:bookworm \
		cat /var/lib/dpkg/status >"$WORK/status"
	# shellcheck disable=SC2046 # one package name per word
	apt-get -q -y --no-install-recommends --download-only \
		-o Dir::State::status="$WORK/status" \
		-o Dir::Cache::archives="$WORK/pkgctx/debs" \
		-o APT::Sandbox::User=root install $(cat "$dir/packages") \
		>"$WORK/download.log" 2>&1 ||
		{ cat "$WORK/download.log"; echo "SKIP: cannot download the packages of $svc"; exit 77; }
	rm -rf "$WORK/pkgctx/debs/partial" "$WORK/pkgctx/debs/lock"
	docker build --network none -q \
		-t "$pkgs" "$WORK/pkgctx" || fail "could not build $pkgs"
fi

cp -r "$dir" "$WORK/ctx"
cp "$SRC/tests/services/http-get" "$WORK/ctx/"
if [ -f "$dir/prepare" ]; then
	step "prepare the build context of $svc on the host"
	rc=0
	(cd "$WORK/ctx" && sh ./prepare) || rc=$?
	[ $rc -eq 77 ] && { echo "SKIP: cannot prepare $svc"; exit 77; }
	[ $rc -eq 0 ] || fail "$svc/prepare exited $rc"
fi
start=$(date +%s)
step "unroot harden $ro -f $WORK/ctx/Dockerfile -t $tag"
rc=0
# shellcheck disable=SC2086 # $ro is one option or none
"$UNROOT" harden $ro -f "$WORK/ctx/Dockerfile" \
	-t "$tag" -w "$WORK/w" >"$WORK/harden.out" 2>&1 || rc=$?
cat "$WORK/harden.out"
# every change the container's layer shows was made by a call the traces
# hold (the preload's or the fallback tracer's), in every round, unless
# the trace names a program it could not follow (squid's workers, exec'd
# with ids the preload may not be loaded under)
if grep -qF "SEEN ONLY IN THE CONTAINER'S CHANGES" "$WORK/harden.out" &&
	! grep -qE "NOT TRACED|PARTLY TRACED|untraced program" "$WORK/harden.out"; then
	fail "a change in the container's layer that no traced call explains (above)"
fi
if [ -f "$dir/refused" ]; then
	[ $rc -ne 0 ] || fail "harden verified $svc, which needs privilege"
	grep -q '^== unroot harden: NOT verified' "$WORK/harden.out" ||
		fail "harden did not say NOT verified"
	while IFS= read -r line; do
		case $line in '#'* | '') continue ;; esac
		grep -qF -- "$line" "$WORK/harden.out" ||
			fail "harden did not say: $line"
	done <"$dir/refused"
	echo "PASS: $svc is not verified, and harden says why"
	exit 0
fi
[ $rc -eq 0 ] || fail "harden exited $rc, not verified"
grep -q '^== unroot harden: verified' "$WORK/harden.out" ||
	fail "harden did not say verified"
set -- "$dir/says"
[ "$ro" != --read-only ] || set -- "$@" "$dir/says-read-only"
for says; do
	[ -f "$says" ] || continue
	while IFS= read -r line; do
		case $line in '#'* | '') continue ;; esac
		grep -qF -- "$line" "$WORK/harden.out" ||
			fail "harden did not say: $line"
	done <"$says"
done
if [ "$ro" = --read-only ]; then
	# the Pod harden wrote, run as a kubelet would by a reader of the
	# manifest alone (tests/harden/readonly_pod_run.py): the check passes
	pod=$WORK/ctx/Dockerfile.nonroot.pod.yaml
	[ -s "$pod" ] || fail "harden --read-only wrote no $pod"
	python3 "$SRC/tests/harden/readonly_pod_run.py" "$pod" "$tag" \
		"$WORK/emptydir" >"$WORK/podargs" || fail "cannot run $pod"
	set --
	while IFS= read -r a; do set -- "$@" "$a"; done <"$WORK/podargs"
	step "the Pod as a kubelet runs it: $*"
	docker run --rm "$@" >"$WORK/pod.out" 2>&1 ||
		{ cat "$WORK/pod.out"; fail "the Pod's check failed"; }
	grep -q "$svc: ok" "$WORK/pod.out" || fail "no '$svc: ok' from the Pod"
	echo "PASS: $svc read-only ($(($(date +%s) - start)) s)"
	exit 0
fi

step "the plan's grants against $svc/answer"
# what harden planned from: round0/ and the feed of each later round
# (the whole trace of that run as the user)
set -- "$WORK/w/round0"
for d in "$WORK/w"/round*-feed; do [ -d "$d" ] && set -- "$@" "$d"; done
"$UNROOT" plan --format json "$@" >"$WORK/plan.json" ||
	fail "unroot plan failed on harden's traces"
python3 "$SRC/tests/services/answer.py" "$dir/answer" "$WORK/plan.json" \
	"$WORK/w"/round[0-9]* ||
	fail "the plan grants more than $svc/answer (above)"

user=$(docker image inspect --format '{{.Config.User}}' "$tag")
case $user in
'' | 0 | 0:* | root | root:*) fail "the hardened image runs as root ($user)" ;;
esac
step "the hardened image runs as $user and its check passes"
docker run --rm --network none "$tag" >"$WORK/run.out" 2>&1 ||
	{ cat "$WORK/run.out"; fail "the hardened image's check failed"; }
grep -q "$svc: ok" "$WORK/run.out" || fail "no '$svc: ok' from the check"

# with an explicit group, docker drops /etc/group's memberships: the plan
# names the --group-add options that keep what it relies on
uid=${user%%:*}
gid=$(docker run --rm --network none --entrypoint id "$tag" -g)
adds=$(grep -o -- '--group-add [0-9]*' "$WORK/ctx/Dockerfile.nonroot" | sort -u | tr '\n' ' ')
step "docker run --user $uid:$gid $adds"
# shellcheck disable=SC2086 # the options are words
docker run --rm --network none --user "$uid:$gid" $adds "$tag" \
	>"$WORK/run2.out" 2>&1 ||
	{ cat "$WORK/run2.out"; fail "the check failed with --user $uid:$gid $adds"; }
grep -q "$svc: ok" "$WORK/run2.out" || fail "no '$svc: ok' with --user $uid:$gid"
echo "PASS: $svc ($(($(date +%s) - start)) s from harden to the last check)"
