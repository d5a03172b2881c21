# lib.sh - sourced by the tracer tests: BIN (the test programs) and HELPER
# (unroot-ptrace) from the arguments, a scratch directory T that uid 1001
# can use, and the helpers below.  Each test exits 0, 1 (failed) or 77
# (skipped: a tool it needs is missing).
set -u
BIN=$1
HELPER=$2
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
# the records of a log directory, packed or not (scripts/logcat.py)
LOGCAT=$HERE/../../scripts/logcat.py
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
	"$BIN"/workload-go-cgo \
	"$BIN"/daemon "$BIN"/pid1 "$BIN"/dropuid "$BIN"/signals "$BIN"/storm \
	"$BIN"/probe "$BIN"/leader; do
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
	# shellcheck disable=SC2034 # for the test that sources this
	U=$T/u/bin/unroot
}

# app_root root|uid1001: a temporary root R whose var/lib/myapp (W) the
# user owns and whose var/lib (D) is root's, a trace directory $T/tr the
# user may write, and RUN, the command prefix that runs as the user
# shellcheck disable=SC2034 # W, D and RUN are for the test that sources this
app_root() {
	R=$T/root
	mkdir -p "$R/var/lib/myapp" "$T/tr"
	chmod 755 "$R" "$R/var" "$R/var/lib"
	RUN=""
	if [ "$1" = uid1001 ]; then
		chown 1001:1001 "$R/var/lib/myapp" "$T/tr"
		RUN=as_user
	fi
	W=$R/var/lib/myapp
	D=$R/var/lib
}

# workload_specs W D root|uid1001 NAME...: the records expect.py finds for
# the workload (workload.c, workload.go) run as `workload W D`, whose
# threads or goroutines and child are NAME...
workload_specs() {
	ws_w=$1 ws_d=$2 ws_user=$3
	shift 3
	ws="bind=$ws_w/sock"
	for n in "$@"; do
		d=$ws_w/$n
		ws="$ws mkdir=$d open=$d/f rename=$d/f chmod=$d/g unlink=$d/g"
	done
	if [ "$ws_user" = uid1001 ]; then
		ws="$ws mkdir=$ws_d/newdir=EACCES open=$ws_d/newfile=EACCES"
	else
		ws="$ws mkdir=$ws_d/newdir open=$ws_d/newfile"
	fi
	echo "$ws"
}

# need_docker: skip unless Docker answers and has the image the container
# tests run in, unroot-base:bookworm (IMG)
need_docker() {
	IMG=unroot-base:bookworm
	command -v docker >/dev/null || skip "docker is missing"
	docker info >/dev/null 2>&1 || skip "no Docker engine answers"
	docker image inspect $IMG >/dev/null 2>&1 ||
		skip "$IMG is missing: run scripts/base-images bookworm"
}
