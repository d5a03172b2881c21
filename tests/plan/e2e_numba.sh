#!/bin/sh
# e2e_numba.sh - numba's on-disk cache: a module in a root-owned /app/lib
# with @njit(cache=True).  As root numba writes its index (.nbi) and
# object (.nbc) files into __pycache__ next to the source; the user
# cannot.  The plan must redirect them with NUMBA_CACHE_DIR (the numba
# entry), compile the bytecode at build time (the python-bytecode entry)
# and never make the source directory or its __pycache__ writable; the
# user's run must write its cache in the redirected directory.
set -eu
. "$(dirname "$0")/lib_e2e.sh"
"$PY" -c 'import numba' 2>/dev/null || skip "numba not installed for $PY"

fixdir "$IMG/app" "$IMG/app/lib"
cat >"$IMG/app/lib/fast.py" <<'PY'
from numba import njit

@njit(cache=True)
def total(n):
    s = 0
    for i in range(n):
        s += i
    return s
PY
printf 'import sys\nsys.path.insert(0, "%s")\nimport fast\nprint(fast.total(10))\n' \
	"$IMG/app/lib" >"$IMG/app/main.py"
chmod 644 "$IMG/app/lib/fast.py" "$IMG/app/main.py"

profile "$PY" "$IMG/app/main.py"
ls "$IMG/app/lib/__pycache__/"*.nbi >/dev/null 2>&1 ||
	fail "numba wrote no index beside the source: nothing to plan"
make_plan
cache=$(plan_env_value NUMBA_CACHE_DIR)
[ -n "$cache" ] || fail "the plan does not redirect numba with NUMBA_CACHE_DIR"
grep -v '^#' "$S/plan.sh" | grep -q "chown.*__pycache__\|chown.*app/lib'" &&
	fail "the plan makes the source directory writable"
# the image as built: no bytecode, no numba cache yet
rm -rf "$IMG/app/lib/__pycache__"
apply_plan
for p in $(cat "$S/changed"); do
	case "$p" in
	"$IMG/app/lib/__pycache__" | "$IMG/app/lib/__pycache__/"*.pyc) ;;
	*) fail "the plan changed $p" ;;
	esac
done
run_user "$PY" "$IMG/app/main.py"
find "$cache" -name '*.nbi' | grep -q . || fail "numba did not write its index in $cache"
ls "$IMG/app/lib/__pycache__/"*.nbi >/dev/null 2>&1 &&
	fail "numba wrote beside the source as uid $E2E_UID"
assert_stat "$IMG/app/lib" "0:0 755"
echo "PASS $E2E_NAME"
