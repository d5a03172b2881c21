#!/bin/sh
# e2e_bind_mount.sh - the seed article's scenario 4: training writes its
# model to /app/output, a bind mount from the host.  The bind is real
# (mount --bind in the test's private mount namespace), so the trace's
# mount table shows it; the plan must put it in its host section with a
# numeric chown of the host directory, and change nothing in the image.
# The host-side command is then run, and uid 1001 writes with zero denials.
set -eu
. "$(dirname "$0")/lib_e2e.sh"

fixdir "$IMG/app" "$IMG/app/output" "$S/hostdir"
mount --bind "$S/hostdir" "$IMG/app/output" || skip "cannot bind mount"
cat >"$IMG/app/train.py" <<PY
import os
os.makedirs("$IMG/app/output/run1", exist_ok=True)
with open("$IMG/app/output/run1/model.bin", "wb") as f:
    f.write(b"weights")
print("trained")
PY
chmod 644 "$IMG/app/train.py"

profile "$PY" "$IMG/app/train.py"
make_plan
grep -q "^# host: " "$S/plan.sh" || fail "the plan has no host section"
grep -q "^#   .*app/output is a bind mount or volume: on the host run: chown $E2E_UID:$E2E_UID .*hostdir" "$S/plan.sh" ||
	fail "the host section does not name the bind mount and its host directory"
grep -v '^#' "$S/plan.sh" | grep -q 'app/output' && fail "the plan changes the mount in the image"
rm -rf "$S/hostdir/run1"
apply_plan
expect_changed
# the host side of the plan
chown "$E2E_UID:$E2E_UID" "$S/hostdir"
run_user "$PY" "$IMG/app/train.py"
assert_stat "$IMG/app" "0:0 755"
echo "PASS $E2E_NAME"
