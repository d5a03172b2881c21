#!/bin/sh
# named_volume.sh - a workload that writes into a named volume
# (-v NAME:/data), profiled as root with `unroot docker`.  A named volume
# outlives the run: what the profiling run made there stays owned by root.
# The plan must name the volume (not a host path), count what root made in
# it, and give the chown that fixes it from a container.  Proven on the
# real volume: the hardened image run as the plan's user on it is denied
# before that chown, and has zero denials after it.
# UNROOT_PAYLOAD_READY=1 uses the payload already in BUILD.
set -eu
. "$(dirname "$0")/common.sh"
[ -n "${UNROOT_PAYLOAD_READY:-}" ] || ensure_payload
img=unroot-test-named-volume
vol=unroot-test-named-volume
LOCK=/tmp/unroot-docker.lock
cleanup() { docker volume rm -f "$vol" >/dev/null 2>&1 || :; rm -rf "$WORK"; }

data_app "$WORK/ctx"
cat >"$WORK/ctx/Dockerfile" <<'EOF'
FROM unroot-base:bullseye
COPY write.py /app/write.py
CMD ["/usr/bin/python3", "/app/write.py"]
EOF

step "build $img:root"
flock "$LOCK" docker build --network none -q -t "$img:root" "$WORK/ctx" >/dev/null ||
	fail "docker build"
docker volume rm -f "$vol" >/dev/null 2>&1 || :
docker volume create "$vol" >/dev/null
step "profile as root on the named volume $vol"
"$UNROOT" docker -o "$WORK/root" -- run --rm --network none -v "$vol:/data" "$img:root" ||
	fail "the workload failed as root"
"$UNROOT" plan "$WORK/root" >"$WORK/plan" || fail "unroot plan"
cat "$WORK/plan"
grep -q "^#   /data is the named volume $vol:" "$WORK/plan" ||
	fail "the plan does not name the volume"
grep -q "^#   the profiling run, as root, created 2 entries in $vol (/data/db)" "$WORK/plan" ||
	fail "the plan does not say what root left in the volume"
grep -q "on the host run" "$WORK/plan" && fail "a named volume got host-path advice"
fix=$(sed -n "s|^#     \(docker run --rm --user 0 -v $vol:/data\) <image> \(chown -R [0-9]*:[0-9]* /data\)\$|\1 --network none $img:nonroot \2|p" "$WORK/plan")
[ -n "$fix" ] || fail "the plan gives no chown for the volume"
"$UNROOT" apply -f "$WORK/ctx/Dockerfile" -o "$WORK/ctx/Dockerfile.nonroot" "$WORK/root" ||
	fail "unroot apply"
flock "$LOCK" docker build --network none -q -f "$WORK/ctx/Dockerfile.nonroot" \
	-t "$img:nonroot" "$WORK/ctx" >/dev/null || fail "docker build of the hardened image"

step "as the plan's user on the same volume, before the chown: denied"
"$UNROOT" docker -o "$WORK/before" -- run --rm --network none -v "$vol:/data" \
	"$img:nonroot" >"$WORK/before.out" 2>&1 || :
n=$(count_denials "$WORK/before")
[ "$n" -gt 0 ] || fail "root's files in the volume did not stop the user (the callout would be moot)"

step "the plan's chown: $fix"
# shellcheck disable=SC2086 # the command line the plan gave, word by word
$fix || fail "the plan's chown failed"
step "as the plan's user after it: zero denials"
"$UNROOT" docker -o "$WORK/after" -- run --rm --network none -v "$vol:/data" \
	"$img:nonroot" >"$WORK/after.out" || { cat "$WORK/after.out"; fail "the hardened image failed"; }
grep -q "^uid=1001 wrote /data/db/state" "$WORK/after.out" ||
	fail "the hardened image did not write the volume as uid 1001"
n=$(count_denials "$WORK/after")
[ "$n" -eq 0 ] || { "$UNROOT" report "$WORK/after" >&2; fail "$n denials as the user"; }
echo "PASS named_volume"
