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
echo "PASS volume_order"
