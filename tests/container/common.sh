# common.sh - sourced by the container tests: skip (exit 77, one line) when
# no Docker engine is reachable, make sure the base images and the payload
# exist (building them offline when missing), and small helpers.
# Every container started here runs with --network none.
# Expects SRC (source tree) and BUILD (build tree) in the environment.
SRC=${SRC:?SRC is not set}
BUILD=${BUILD:?BUILD is not set}
UNROOT=$BUILD/bin/unroot
# the records of a trace's log directory, packed or not
LOGCAT=$SRC/scripts/logcat.py
PAYLOAD=$BUILD/lib/unroot

if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
	echo "SKIP: no Docker engine reachable (docker info fails); container tests not run"
	exit 77
fi

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

ensure_images() { # ensure_images TAG... (builds only what is missing)
	"$SRC/scripts/base-images" "$@" || fail "could not build base images $*"
}

# The payload is rebuilt from the current sources when we can (root; a
# few seconds once the bullseye tree is cached), else an existing one is used.
ensure_payload() {
	if [ "$(id -u)" -eq 0 ]; then
		"$SRC/scripts/build-payload" "$PAYLOAD" >"$WORK/build-payload.log" 2>&1 ||
			{ cat "$WORK/build-payload.log" >&2; fail "could not build the payload"; }
		grep needs "$WORK/build-payload.log" || true
	fi
	[ -f "$PAYLOAD/lib/x86_64-linux-gnu/libunroot.so" ] ||
		fail "no payload in $PAYLOAD (run scripts/build-payload as root)"
}

# need_bookworm_and_payload: the payload and unroot-base:bookworm, each
# made (under the host-wide lock) only when missing
need_bookworm_and_payload() {
	[ -f "$PAYLOAD/lib/x86_64-linux-gnu/libunroot.so" ] ||
		flock /tmp/unroot-docker.lock sh -c ". '$SRC/tests/container/common.sh'; ensure_payload" ||
		fail "no payload"
	docker image inspect unroot-base:bookworm >/dev/null 2>&1 ||
		flock /tmp/unroot-docker.lock "$SRC/scripts/base-images" bookworm ||
		fail "unroot-base:bookworm is missing"
}

# count_denials TRACE: denied calls (EACCES, EPERM, EROFS, as the
# report's "denied" says) in a trace
count_denials() {
	"$UNROOT" report --json "$1" | grep -c '"denied": *true' || true
}

# plan_json TRACE EXPR [plan options]: a python expression over the plan's
# json (bound to p), one value per line
plan_list() {
	t=$1 key=$2
	shift 2
	"$UNROOT" plan --format json "$@" "$t" | python3 -c '
import json, sys
p = json.load(sys.stdin)
for x in p.get(sys.argv[1]) or []:
    if isinstance(x, str):
        print(x)
    else:
        print(x.get("host") or x.get("dir") or x.get("path") or "")
' "$key"
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/unroot-ctest.XXXXXX")
# profile_app IMG: the app in $WORK/ctx (serve.py and data/model.bin) as an
# image FROM unroot-base:bullseye, built as IMG:root, profiled as root with
# `unroot docker --reads` into $WORK/root, hardened with `unroot apply` and
# built as IMG:nonroot (builds under the host-wide docker lock).
profile_app() {
	cat >"$WORK/ctx/Dockerfile" <<'EOF'
FROM unroot-base:bullseye
COPY serve.py /app/serve.py
COPY data/model.bin /app/data/model.bin
CMD ["/usr/bin/python3", "/app/serve.py"]
EOF
	step "build $1:root"
	flock /tmp/unroot-docker.lock docker build --network none -q \
		-t "$1:root" "$WORK/ctx" >/dev/null || fail "docker build"
	step "profile as root"
	"$UNROOT" docker --reads -o "$WORK/root" -- run --rm "$1:root" ||
		fail "the workload failed as root"
	"$UNROOT" apply -f "$WORK/ctx/Dockerfile" \
		-o "$WORK/ctx/Dockerfile.nonroot" "$WORK/root" || fail "unroot apply"
	flock /tmp/unroot-docker.lock docker build --network none -q \
		-f "$WORK/ctx/Dockerfile.nonroot" -t "$1:nonroot" "$WORK/ctx" \
		>/dev/null || fail "docker build of the hardened image"
}

# data_app CTX: CTX/write.py, an app that makes /data/db/state and says
# which uid wrote it (the volume tests' workload)
data_app() {
	mkdir -p "$1"
	cat >"$1/write.py" <<'PY'
import os
os.makedirs("/data/db", exist_ok=True)
with open("/data/db/state", "w") as f:
    f.write("saved")
print("uid=%d wrote /data/db/state" % os.getuid())
PY
}

cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
