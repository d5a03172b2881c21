#!/bin/sh
# e2e_pipeline.sh - the seed article's scenario 2: a pipeline that writes
# and deletes intermediate files in /app/processing and saves a model in
# /app/model, which does not exist in the image.  The plan must own
# processing (names come and go in it), pre-create /app/model, and leave
# /app and /app/input root-owned.
set -eu
. "$(dirname "$0")/lib_e2e.sh"

fixdir "$IMG/app" "$IMG/app/processing" "$IMG/app/input"
printf 'alpha\nbeta\n' >"$IMG/app/input/data.txt"
cat >"$IMG/app/pipeline.py" <<PY
import os
app = "$IMG/app"
proc = os.path.join(app, "processing")
with open(os.path.join(app, "input", "data.txt")) as f:
    rows = f.read().split()
for i, row in enumerate(rows):
    tmp = os.path.join(proc, "chunk%d.tmp" % i)
    with open(tmp, "w") as f:
        f.write(row.upper())
    os.replace(tmp, os.path.join(proc, "chunk%d.out" % i))
with open(os.path.join(proc, "merged.txt"), "w") as f:
    for i in range(len(rows)):
        p = os.path.join(proc, "chunk%d.out" % i)
        f.write(open(p).read() + "\n")
        os.unlink(p)
os.makedirs(os.path.join(app, "model", "epoch1"), exist_ok=True)
with open(os.path.join(app, "model", "epoch1", "w.bin"), "wb") as f:
    f.write(b"w")
print("pipeline done")
PY
chmod 644 "$IMG/app/input/data.txt" "$IMG/app/pipeline.py"

profile "$PY" "$IMG/app/pipeline.py"
make_plan
# the second run must start from the image, not from the root run's output
rm -rf "$IMG/app/model" "$IMG/app/processing"/*
apply_plan
expect_changed "$IMG/app/processing" "$IMG/app/model"
run_user "$PY" "$IMG/app/pipeline.py"
assert_stat "$IMG/app" "0:0 755"
assert_stat "$IMG/app/input" "0:0 755"
assert_stat "$IMG/app/input/data.txt" "0:0 644"
assert_stat "$IMG/app/pipeline.py" "0:0 644"
assert_stat "$IMG/app/processing" "$E2E_UID:$E2E_UID 755"
assert_stat "$IMG/app/model" "$E2E_UID:$E2E_UID 755"
echo "PASS $E2E_NAME"
