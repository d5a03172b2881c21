#!/bin/sh
# e2e_pip.sh - pip's wheel cache under HOME: `pip wheel` of a local sdist
# (offline: --no-index, --no-build-isolation, setuptools from Debian)
# builds the wheel and stores it in ~/.cache/pip/wheels, and writes the
# wheel to /build/wheels, a directory the workload creates in the image.
# (`pip list`, `pip cache dir` and `pip --version` write nothing.)  The
# plan must redirect the cache with PIP_CACHE_DIR (the pip entry) and
# pre-create /build/wheels for the user, leaving /build and the source
# root-owned; the user's run must store its wheel in the redirected cache.
set -eu
. "$(dirname "$0")/lib_e2e.sh"
"$PY" -m pip --version >/dev/null 2>&1 || skip "pip not installed for $PY"
"$PY" -c 'import setuptools' 2>/dev/null || skip "setuptools not installed for $PY"

fixdir "$IMG/src" "$IMG/src/hello" "$IMG/build"
printf 'from setuptools import setup\nsetup(name="hello", version="1.0", py_modules=["hello"])\n' \
	>"$IMG/src/hello/setup.py"
printf 'X = 1\n' >"$IMG/src/hello/hello.py"
(cd "$IMG/src" && tar czf hello-1.0.tar.gz hello)
chmod 644 "$IMG/src/hello/"*.py "$IMG/src/hello-1.0.tar.gz"
set -- "$PY" -m pip wheel --no-index --no-build-isolation --no-deps \
	--disable-pip-version-check -w "$IMG/build/wheels" "$IMG/src/hello-1.0.tar.gz"

profile "$@"
ls -d "$IMG/root/.cache/pip/wheels" >/dev/null 2>&1 ||
	fail "pip wrote no wheel cache under root's HOME: nothing to plan"
make_plan
cache=$(plan_env_value PIP_CACHE_DIR)
[ -n "$cache" ] || fail "the plan does not redirect pip with PIP_CACHE_DIR"
apply_plan
expect_changed "$IMG/build/wheels"
assert_stat "$IMG/build/wheels" "1001:1001 755"
rm -f "$IMG/build/wheels/"*.whl
run_user "$@"
ls "$IMG/build/wheels/"hello-1.0-*.whl >/dev/null 2>&1 || fail "no wheel built as uid $E2E_UID"
find "$cache" -name 'hello-1.0-*.whl' | grep -q . ||
	fail "pip did not store its wheel in $cache"
assert_stat "$IMG/build" "0:0 755"
assert_stat "$IMG/src" "0:0 755"
echo "PASS $E2E_NAME"
