#!/bin/sh
# tracer/bench.sh - what unroot-ptrace costs, measured with
# tests/tracer/storm.c (a static program) in /dev/shm:
#   - one traced write call: (traced - bare) per create storm iteration,
#     halved (each iteration makes two traced calls: the O_CREAT open and
#     the unlink; the close is not traced);
#   - the create storm (N creates+unlinks) and the read storm (N opens for
#     reading: never stopped) bare, under the helper, and under
#     strace -f --seccomp-bpf -e trace=<the calls the helper traces>;
#   - the same create storm, dynamic, under the preload alone, and below
#     a static init (tini-static) started under the helper: as a shim
#     (shim.c: tini runs untraced, the storm is the preload's alone), and
#     the same tini under a name the helper does not know as a shim
#     (traced: the filter stops every write of the preloaded storm, which
#     the tracer then only follows);
# each ROUNDS times, alternating, printing the median and the range of
# the microseconds per iteration and the ratios to bare.
#
#   tracer/bench.sh BUILD [N] [ROUNDS]      (BUILD: the CMake build dir)
set -eu
BUILD=$1
N=${2:-20000}
ROUNDS=${3:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
HELPER=$BUILD/lib/unroot/unroot-ptrace
LIB=$BUILD/lib/unroot/libunroot.so
STORM=$BUILD/tests/tracer/storm
W=$(mktemp -d /dev/shm/unroot-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
# the calls the helper stops without --reads, as strace names them
CALLS=$(sh "$HERE/strace-calls.sh")
TINI=$(command -v tini-static) || {
	echo "tracer/bench.sh: tini-static (package tini) is missing" >&2
	exit 1
}
cp "$TINI" "$W/tini-static"
cp "$TINI" "$W/init-static"

# one run: microseconds per iteration
run() {
	mode=$1
	kind=$2
	rm -rf "$W/log" "$W/d"
	mkdir "$W/log" "$W/d"
	case $mode in
	bare) "$STORM" "$kind" "$N" "$W/d" ;;
	helper) UNROOT_LOG=$W/log "$HELPER" -- "$STORM" "$kind" "$N" "$W/d" ;;
	strace) strace -f --seccomp-bpf -e trace="$CALLS" -o /dev/null \
		"$STORM" "$kind" "$N" "$W/d" ;;
	preload) UNROOT_LOG=$W/log LD_PRELOAD=$LIB "$STORM-dyn" create \
		"$N" "$W/d" ;;
	shim | traced)
		init=$W/tini-static
		[ "$mode" = shim ] || init=$W/init-static
		UNROOT_LOG=$W/log "$HELPER" -- "$init" -s -- env LD_PRELOAD="$LIB" \
			"$STORM-dyn" create "$N" "$W/d" ;;
	esac | sed 's/ us per iteration//'
}

# median, min and max of the numbers on stdin
stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }'
}

for kind in create read dyn; do
	modes="bare helper strace"
	[ $kind = dyn ] && modes="preload shim traced"
	for mode in $modes; do
		: >"$W/$kind-$mode"
	done
	for r in $(seq "$ROUNDS"); do
		for mode in $modes; do
			run $mode $kind >>"$W/$kind-$mode"
		done
	done
	for mode in $modes; do
		set -- $(stats <"$W/$kind-$mode")
		eval "${kind}_$mode=$1"
		printf '%s storm, %s: %s us/iteration (%s-%s)\n' "$kind" "$mode" "$1" "$2" "$3"
	done
done
awk -v b="$create_bare" -v h="$create_helper" -v s="$create_strace" \
	-v rb="$read_bare" -v rh="$read_helper" -v rs="$read_strace" \
	-v dp="$dyn_preload" -v ds="$dyn_shim" -v dt="$dyn_traced" 'BEGIN {
	printf "one traced write call: %.1f us\n", (h - b) / 2
	printf "create storm: helper %.2fx, strace %.2fx\n", h / b, s / b
	printf "read storm: helper %.2fx, strace %.2fx\n", rh / rb, rs / rb
	printf "dynamic create storm: preload %.2fx bare; below tini under the helper: as a shim %.2fx, traced %.2fx (%.2fx the preload)\n", dp / b, ds / b, dt / b, dt / dp }'
echo "N=$N, $ROUNDS rounds, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "strace -e trace=$CALLS"
