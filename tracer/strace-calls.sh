#!/bin/sh
# tracer/strace-calls.sh - the system calls unroot-ptrace's filter stops
# without --reads (syscalls.def, classes W O X C V), as a comma-separated
# list for `strace -e trace=`, less those this strace does not know by
# name: the peer that tracer/bench.sh and scripts/bench measure it beside
# (strace -f --seccomp-bpf -e trace=LIST).  The open family is in it
# whole: strace's filter cannot look at open's flags, the helper's does.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
calls=$(sed -n 's/^S(\([a-z0-9]*\), *\([WOXCV]\),.*/\1/p' "$HERE/syscalls.def" |
	while read -r c; do
		strace -e trace="$c" -o /dev/null true 2>/dev/null && printf '%s,' "$c"
	done)
echo "${calls%,}"
