#!/bin/sh
# private_tree.sh SRC - the tests that run as uid 1001 (CTest label `user`)
# pass when the repository lies below a directory that user cannot search,
# as a clone under /root (mode 0700) does: SRC is copied (without its build
# directories and .git) to SCRATCH/private/src, SCRATCH/private being mode
# 0700 and owned by root, configured and built in SCRATCH/private/build
# (the CLI, the preload and the fallback tracer), and those tests are run
# there by CTest; each must stage what uid 1001 runs where it can reach it
# (tests/common/stage.sh).  The CPython suite
# (label `transparency`, a quarter of an hour) is left out: it stages the
# preload as real_programs does.  UR_PRIVATE_ONLY=REGEX runs only the
# tests it matches; UR_KEEP=1 keeps the scratch directory.  Exit 77 (skip,
# saying why) when not root.
set -eu
src=$(cd "$1" && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (the tests run as root and as uid 1001)"; exit 77; }
command -v setpriv >/dev/null 2>&1 || { echo "SKIP: setpriv not installed"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

S=$(mktemp -d /tmp/unroot-private.XXXXXX)
chmod 755 "$S"
[ -n "${UR_KEEP:-}" ] || trap 'rm -rf "$S"' EXIT
trap 'exit 1' INT TERM
P=$S/private
mkdir -m 700 "$P" "$P/src"
(cd "$src" && tar --exclude='./build*' --exclude=./.git \
	--exclude=./unroot-trace -cf - .) | tar -C "$P/src" -xf -
if setpriv --reuid=1001 --regid=1001 --clear-groups \
	test -r "$P/src/CMakeLists.txt" 2>/dev/null; then
	fail "uid 1001 can read $P/src: the tree is not private"
fi

echo "== build in $P/build"
if ! { cmake -S "$P/src" -B "$P/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
	cmake --build "$P/build" -j"$(nproc)" --target unroot preload unroot-ptrace \
		test_preload; } >"$S/build.log" 2>&1; then
	tail -n 30 "$S/build.log" >&2
	fail "the build in $P failed"
fi
echo "== ctest -L user (uid 1001) in $P/build"
cd "$P/build"
only=${UR_PRIVATE_ONLY:-.}
ctest -N -L user -LE 'transparency|container' -R "$only" | tail -n 1
ctest --output-on-failure -L user -LE 'transparency|container' -R "$only"
