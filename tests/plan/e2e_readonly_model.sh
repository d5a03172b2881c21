#!/bin/sh
# e2e_readonly_model.sh - the seed article's scenario 1: a server that only
# reads a model under /app.  The plan must add nothing but the user, and
# uid 1001 must then run it with zero denials.
set -eu
. "$(dirname "$0")/lib_e2e.sh"

fixdir "$IMG/app" "$IMG/app/model"
printf 'weights' >"$IMG/app/model/weights.bin"
cat >"$IMG/app/serve.py" <<PY
import os, sys
with open(os.path.join("$IMG/app/model", "weights.bin"), "rb") as f:
    data = f.read()
assert data == b"weights", data
print("served", len(data), "bytes")
PY
chmod 644 "$IMG/app/model/weights.bin" "$IMG/app/serve.py"

profile "$PY" "$IMG/app/serve.py"
make_plan
grep -q '^chown\|^mkdir\|^touch\|^chmod' "$S/plan.sh" &&
	fail "the plan grants something to a read-only workload"
apply_plan
expect_changed
run_user "$PY" "$IMG/app/serve.py"
assert_stat "$IMG/app" "0:0 755"
assert_stat "$IMG/app/model" "0:0 755"
echo "PASS $E2E_NAME"
