#!/bin/sh
# e2e_pytest.sh - pytest (Debian's python3-pytest) runs an application's
# tests in a root-owned /app under coverage.py (python3-coverage), as a CI
# job in the image does.  Besides
# CPython's bytecode, pytest rewrites the asserts of each test module and
# caches the result in __pycache__ under a name of its own
# (NAME.cpython-XY-pytest-VERSION.pyc) that compileall never makes, and it
# keeps its cache in /app/.pytest_cache.  The plan must compile at build
# time, set PYTHONDONTWRITEBYTECODE=1 for pytest's own bytecode (the
# catalogue's pytest-rewrite entry: pytest writes none then), pre-create
# .pytest_cache for the user and never make a source directory writable.
# coverage run erases its data file, .coverage in the working directory,
# before it makes it again (an unlink that finds nothing in root's run):
# a pre-created .coverage would not do, and owning /app is what the
# catalogue's coverage entry avoids (COVERAGE_FILE).  The user's run then
# passes, and coverage report reads the data, with zero denials.
set -eu
. "$(dirname "$0")/lib_e2e.sh"
"$PY" -c 'import pytest' 2>/dev/null || skip "python3-pytest not installed"
"$PY" -c 'import coverage' 2>/dev/null || skip "python3-coverage not installed"

A=$IMG/app
fixdir "$A" "$A/tests"
printf 'def add(a, b):\n    return a + b\n' >"$A/calc.py"
printf 'import calc\n\n\ndef test_add():\n    assert calc.add(2, 3) == 5\n' \
	>"$A/tests/test_calc.py"
printf '[pytest]\npythonpath = .\n' >"$A/pytest.ini"
chmod 644 "$A/calc.py" "$A/tests/test_calc.py" "$A/pytest.ini"

PYTEST="cd $A && $PY -m coverage run -m pytest -q tests && $PY -m coverage report"
profile sh -c "$PYTEST"
ls "$A"/tests/__pycache__/*-pytest-*.pyc >/dev/null 2>&1 ||
	fail "pytest wrote no rewritten bytecode as root"
make_plan
[ "$(plan_env_value PYTHONDONTWRITEBYTECODE)" = 1 ] ||
	fail "the plan does not set PYTHONDONTWRITEBYTECODE=1 for pytest"
[ "$(plan_env_value COVERAGE_FILE)" = /var/cache/nonroot/coverage/.coverage ] ||
	fail "the plan does not name coverage's data file with COVERAGE_FILE"
grep -q '^# warning: owning' "$S/plan.sh" &&
	fail "the plan warns of a grant it does not make"
grep -q 'compileall' "$S/plan.sh" ||
	fail "the plan does not compile the bytecode at build time"
grep -v '^#' "$S/plan.sh" | grep -q "chown.*__pycache__\|chown.*app'\|chown.*tests'" &&
	fail "the plan makes a source directory writable"
# the image as built: nothing of the run yet
rm -rf "$A/__pycache__" "$A/tests/__pycache__" "$A/.pytest_cache" "$A/.coverage"
apply_plan
for p in $(cat "$S/changed"); do
	case "$p" in
	"$A/.pytest_cache" | */__pycache__ | */__pycache__/*) ;;
	/var/cache/nonroot | /var/cache/nonroot/coverage) ;;
	*) fail "the plan changed $p" ;;
	esac
done
assert_stat "$A/.pytest_cache" "$E2E_UID:$E2E_UID 755"
run_user sh -c "$PYTEST"
[ -s "$A/.pytest_cache/v/cache/nodeids" ] ||
	fail "the user's run kept no cache in .pytest_cache"
[ -s /var/cache/nonroot/coverage/.coverage ] && [ ! -e "$A/.coverage" ] ||
	fail "the user's coverage data is not where COVERAGE_FILE says"
assert_stat "$A" "0:0 755"
assert_stat "$A/tests" "0:0 755"
echo "PASS $E2E_NAME"
