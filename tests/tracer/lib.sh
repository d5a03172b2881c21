# lib.sh - sourced by the tracer tests: BIN (the test programs) and HELPER
# (unroot-ptrace) from the arguments, a scratch directory T that uid 1001
# can use, and the helpers below.  Each test exits 0, 1 (failed) or 77
# (skipped: a tool it needs is missing).
set -u
BIN=$1
HELPER=$2
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
say() { echo "$(basename "$0"): $*"; }
fail() { say "FAIL: $*"; exit 1; }
skip() { say "SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root (runs programs as uid 1001)"
T=$(mktemp -d /tmp/unroot-tracer.XXXXXX)
trap 'rm -rf "$T"' EXIT
chmod 755 "$T"
# the programs and the helper, where uid 1001 can run them
mkdir "$T/bin"
cp "$HELPER" "$T/bin/unroot-ptrace"
for p in "$BIN"/workload "$BIN"/workload-musl "$BIN"/workload-go \
	"$BIN"/daemon "$BIN"/pid1 "$BIN"/dropuid "$BIN"/signals "$BIN"/storm \
	"$BIN"/probe; do
	[ -f "$p" ] && cp "$p" "$T/bin/"
done
chmod -R a+rX "$T/bin"
H=$T/bin/unroot-ptrace

as_user() { setpriv --reuid=1001 --regid=1001 --clear-groups "$@"; }

# a fresh log directory owned by OWNER (root or 1001)
new_log() {
	rm -rf "$T/log"
	mkdir "$T/log"
	[ "${1:-root}" = root ] || chown 1001:1001 "$T/log"
}

# wait until the tracer that traced pid $1 has finished writing
wait_tracer() {
	[ -f "$T/log/.ptrace-$1" ] && flock -s "$T/log/.ptrace-$1" true
	return 0
}

expect() { python3 "$HERE/expect.py" "$T/log" "$@" || fail "records missing"; }

# stage_unroot UNROOT PRELOAD: the unroot command with libunroot.so and
# this helper beside it (../lib/unroot/), where uid 1001 can run them: U
stage_unroot() {
	mkdir -p "$T/u/bin" "$T/u/lib/unroot"
	cp "$1" "$T/u/bin/unroot"
	cp "$2" "$T/u/lib/unroot/libunroot.so"
	cp "$H" "$T/u/lib/unroot/unroot-ptrace"
	chmod -R a+rX "$T/u"
	U=$T/u/bin/unroot
}
