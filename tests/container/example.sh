#!/bin/sh
# example.sh NAME [--read-only] - end to end for one of examples/: build
# the root image, profile it with `unroot docker`, `unroot apply` its
# Dockerfile, build the result, run it as the non-root user with
# --network none (it must succeed), trace that run and require zero
# denials.  With --read-only, the hardened image instead runs (traced) with
# a read-only root and the plan's tmpfs mounts (`unroot plan --read-only`),
# and must succeed with zero denials.
set -eu
name=$1
ro=${2:-}
. "$(dirname "$0")/common.sh"
ex=$SRC/examples/$name
img=unroot-example-$name
[ -f "$ex/Dockerfile" ] || fail "no example $name"

case $name in
3-library-writers) ensure_images bookworm-supervisor ;;
nginx) ensure_images bookworm-nginx ;;
*) ensure_images bookworm ;;
esac
ensure_payload

# docker run arguments of the example (binds), as its README gives them
hostdir=$WORK/host-model
mkdir -p "$hostdir"
case $name in
1-serve-readonly) set -- -v "$ex/model:/models:ro" ;;
4-train-to-host) set -- -v "$hostdir:/app/model" ;;
*) set -- ;;
esac

step "build the root image $img:root"
docker build --network none -q -t "$img:root" "$ex" >/dev/null ||
	fail "docker build of $ex"

step "profile: unroot docker -o $WORK/root -- run --rm $* $img:root"
"$UNROOT" docker -o "$WORK/root" -- run --rm "$@" "$img:root" ||
	fail "the workload failed as root under unroot docker"

step "unroot apply"
"$UNROOT" apply -f "$ex/Dockerfile" -o "$WORK/Dockerfile.nonroot" "$WORK/root" ||
	fail "unroot apply"
cat "$WORK/Dockerfile.nonroot"
docker build --network none -q -f "$WORK/Dockerfile.nonroot" -t "$img:nonroot" "$ex" >/dev/null ||
	fail "docker build of the hardened Dockerfile"
user=$(docker image inspect --format '{{.Config.User}}' "$img:nonroot")
case $user in
"" | 0 | 0:* | root | root:*) fail "the hardened image runs as '$user'" ;;
esac

# the plan's host section: the host directories behind bind mounts
for d in $(plan_list "$WORK/root" host); do
	case $d in
	"$hostdir"*) step "host: chown $user $d"; chown "$user" "$d" ;;
	*) ;;
	esac
done
if [ "$name" = 4-train-to-host ]; then
	[ "$(stat -c %u "$hostdir")" = "${user%%:*}" ] ||
		fail "the plan's host section did not name $hostdir"
	rm -f "$hostdir"/*
fi

if [ "$ro" != --read-only ]; then
step "run as $user with --network none"
docker run --rm --network none "$@" "$img:nonroot" ||
	fail "the hardened image failed as non-root"

step "trace the non-root run"
"$UNROOT" docker -o "$WORK/nonroot" -- run --rm "$@" "$img:nonroot" ||
	fail "the hardened image failed under unroot docker"
n=$(count_denials "$WORK/nonroot")
[ "$n" -eq 0 ] || fail "$n denials as non-root"
echo "non-root: zero denials"
else
	# Docker's --tmpfs is root-owned 0755: the plan gives each mount the
	# user's uid/gid (its json "docker" value), checked here.
	"$UNROOT" plan --read-only --format json "$WORK/root" >"$WORK/ro-plan.json" ||
		fail "unroot plan --read-only"
	tmpfs=$(python3 -c '
import json, sys
for t in json.load(open(sys.argv[1]))["tmpfs"]:
    if t.get("seed") or t.get("volume"):  # an anonymous volume
        assert t["docker"] == "type=volume,dst=" + t["dir"], t
        print("--mount " + t["docker"])
        continue
    assert t["docker"].startswith(t["dir"] + ":uid=" + sys.argv[2] + ","), t
    print("--tmpfs " + t["docker"])
' "$WORK/ro-plan.json" "${user%%:*}") || fail "the plan's tmpfs mounts are not the user's"
	if [ "$name" = 3-library-writers ]; then
		# /app holds run.sh: the plan must not hide it under an empty
		# tmpfs (its mount is seeded), and says supervisord's own options
		# avoid the copy; do as it says.
		python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
assert [t for t in p["tmpfs"] if t["dir"] == "/app" and t.get("seed")], p["tmpfs"]
assert [w for w in p["warnings"] if "/app" in w and "supervisord" in w], p["warnings"]
' "$WORK/ro-plan.json" || fail "the read-only plan hides /app or lacks supervisord's option"
		sed -e 's|=/app/supervisord|=/tmp/supervisord|' \
			-e 's|/app/supervisor.sock|/tmp/supervisor.sock|' \
			"$ex/conf/supervisord.conf" >"$WORK/supervisord.conf"
		chmod 644 "$WORK/supervisord.conf"
		set -- "$@" -v "$WORK/supervisord.conf:/app/conf/supervisord.conf:ro"
	fi
	step "read-only root with the plan's tmpfs mounts:$tmpfs"
	[ "$name" = 4-train-to-host ] && rm -f "$hostdir"/*
	# shellcheck disable=SC2086
	"$UNROOT" docker -o "$WORK/ro" -- run --rm --read-only $tmpfs "$@" "$img:nonroot" ||
		fail "the hardened image failed with a read-only root"
	n=$(count_denials "$WORK/ro")
	[ "$n" -eq 0 ] || fail "$n denials with a read-only root"
	echo "read-only root: zero denials"
fi
echo "PASS: $name"
