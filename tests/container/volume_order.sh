#!/bin/sh
# volume_order.sh - a Dockerfile `VOLUME /data` whose workload writes under
# /data, with a RUN after the VOLUME line (so the plan's usual place is
# after it).  Docker keeps no change made to a volume's path after its
# VOLUME line, and seeds each new anonymous volume from the image: the
# grant for /data must be built in before that line.  Profiled as root with
# `unroot docker`, hardened with `unroot apply`, the image runs as the
# plan's user on a new anonymous volume, traced: zero denials.
# UNROOT_PAYLOAD_READY=1 uses the payload already in BUILD.
set -eu
. "$(dirname "$0")/common.sh"
[ -n "${UNROOT_PAYLOAD_READY:-}" ] || ensure_payload
img=unroot-test-volume-order
LOCK=/tmp/unroot-docker.lock

data_app "$WORK/ctx"
cat >"$WORK/ctx/Dockerfile" <<'EOF'
FROM unroot-base:bullseye
COPY write.py /app/write.py
VOLUME /data
RUN echo built >/etc/built-marker
CMD ["/usr/bin/python3", "/app/write.py"]
EOF

step "build $img:root"
flock "$LOCK" docker build --network none -q -t "$img:root" "$WORK/ctx" >/dev/null ||
	fail "docker build"
step "profile as root"
"$UNROOT" docker -o "$WORK/root" -- run --rm "$img:root" ||
	fail "the workload failed as root"
"$UNROOT" apply -f "$WORK/ctx/Dockerfile" -o "$WORK/ctx/Dockerfile.nonroot" "$WORK/root" ||
	fail "unroot apply"
cat "$WORK/ctx/Dockerfile.nonroot"
# the grant for /data is built in before the VOLUME line
awk '/^VOLUME \/data$/ { v = NR } /chown .*\/data/ && !c { c = NR }
	END { exit !(c && v && c < v) }' "$WORK/ctx/Dockerfile.nonroot" ||
	fail "no grant for /data before its VOLUME line"
flock "$LOCK" docker build --network none -q -f "$WORK/ctx/Dockerfile.nonroot" \
	-t "$img:nonroot" "$WORK/ctx" >/dev/null || fail "docker build of the hardened image"

step "run as the plan's user on a new anonymous volume, traced"
"$UNROOT" docker -o "$WORK/user" -- run --rm --network none "$img:nonroot" \
	>"$WORK/user.out" || { cat "$WORK/user.out"; fail "the hardened image failed"; }
cat "$WORK/user.out"
grep -q "^uid=1001 wrote /data/db/state" "$WORK/user.out" ||
	fail "the hardened image did not write /data as uid 1001"
n=$(count_denials "$WORK/user")
[ "$n" -eq 0 ] || { "$UNROOT" report "$WORK/user" >&2; fail "$n denials as the user"; }

# A read-only root (docker run --read-only, Compose read_only): Docker
# still mounts the VOLUME, writable, so the plan mounts no tmpfs on or
# below /data (one would take the writes away from the volume); run as the
# plan says, on a named volume at /data, the state is kept in that volume.
step "read-only root: the plan's mounts and a named volume at /data"
"$UNROOT" plan --read-only --format json "$WORK/root" >"$WORK/ro.json" ||
	fail "unroot plan --read-only"
opts=$(python3 -c '
import json, sys
for t in json.load(open(sys.argv[1]))["tmpfs"]:
    if t["dir"] == "/data" or t["dir"].startswith("/data/"):
        assert t["volume"] and t["docker"] == "type=volume,dst=/data", t
        continue  # the named volume below takes its place
    assert not "/data".startswith(t["dir"].rstrip("/") + "/"), t
    print(("--mount " if t["seed"] or t["volume"] else "--tmpfs ") + t["docker"])
' "$WORK/ro.json") || { cat "$WORK/ro.json"; fail "the plan mounts a tmpfs under the VOLUME"; }
"$UNROOT" plan --read-only --format compose "$WORK/root" >"$WORK/ro.compose.yaml" ||
	fail "unroot plan --read-only --format compose"
! grep -q '"/data[:/]' "$WORK/ro.compose.yaml" ||
	{ cat "$WORK/ro.compose.yaml"; fail "compose mounts a tmpfs under the VOLUME"; }
vol=unroot-test-volume-order-data
docker volume rm -f "$vol" >/dev/null 2>&1 || true
# shellcheck disable=SC2086 # the options are words
docker run --rm --network none --read-only $opts -v "$vol:/data" \
	"$img:nonroot" >"$WORK/ro.out" 2>&1 || { cat "$WORK/ro.out"; fail "the read-only run failed"; }
kept=$(docker run --rm --network none -v "$vol:/data" --entrypoint cat \
	"$img:nonroot" /data/db/state) || kept=
docker volume rm -f "$vol" >/dev/null 2>&1 || true
[ "$kept" = saved ] || fail "the named volume does not hold /data/db/state"
echo "PASS volume_order"
