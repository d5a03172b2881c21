#!/bin/sh
# e2e_bytecode.sh - Python bytecode: a program imports a module from a
# root-owned /app/lib.  As root Python writes __pycache__ next to the
# source; as the user that write fails with EACCES (silently).  The plan
# must compile at build time (python -m compileall, run by the sh script),
# never make the source directory writable, and the user's run must then
# record zero denials.
set -eu
. "$(dirname "$0")/lib_e2e.sh"

fixdir "$IMG/app" "$IMG/app/lib"
printf 'def hello():\n    return "hello"\n' >"$IMG/app/lib/greet.py"
printf 'import sys\nsys.path.insert(0, "%s")\nimport greet\nprint(greet.hello())\n' \
	"$IMG/app/lib" >"$IMG/app/main.py"
chmod 644 "$IMG/app/lib/greet.py" "$IMG/app/main.py"

profile "$PY" "$IMG/app/main.py"
make_plan
grep -q 'compileall' "$S/plan.sh" || fail "the plan does not compile the bytecode at build time"
grep -v '^#' "$S/plan.sh" | grep -q "chown.*__pycache__\|chown.*app/lib'" &&
	fail "the plan makes the source directory writable"
# the image as built: no bytecode yet
rm -rf "$IMG/app/lib/__pycache__"
apply_plan
# compileall creates __pycache__ and its .pyc, owned by root
for p in $(cat "$S/changed"); do
	case "$p" in
	"$IMG/app/lib/__pycache__" | "$IMG/app/lib/__pycache__/"*) ;;
	*) fail "the plan changed $p" ;;
	esac
done
assert_stat "$IMG/app/lib/__pycache__" "0:0 755"
run_user "$PY" "$IMG/app/main.py"
assert_stat "$IMG/app/lib" "0:0 755"
echo "PASS $E2E_NAME"
