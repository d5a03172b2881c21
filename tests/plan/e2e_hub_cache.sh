#!/bin/sh
# e2e_hub_cache.sh - the seed article's scenario 3, library writers: a
# Hugging Face hub-like cache under HOME (blobs named by sha256, refs,
# snapshots of symlinks, .lock files).  Profiled as root it writes under
# root's HOME; the plan must redirect it with HF_HOME to a directory of
# the user's, never grant anything on root's home.  The script lies in a
# huggingface_hub package, as the library's code does: the catalogue's
# redirect is planned only for the program that wrote (its Python call
# site names the package).
set -eu
. "$(dirname "$0")/lib_e2e.sh"

fixdir "$IMG/app"
fixdir "$IMG/app/huggingface_hub"
cat >"$IMG/app/huggingface_hub/hub.py" <<'PY'
# A miniature of huggingface_hub's cache layout and locking.
import fcntl, hashlib, os
home = os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "huggingface")
repo = os.path.join(home, "hub", "models--org--tiny")
for d in ("blobs", "refs", "snapshots"):
    os.makedirs(os.path.join(repo, d), exist_ok=True)
data = b"tiny model weights"
sha = hashlib.sha256(data).hexdigest()
lockdir = os.path.join(home, "hub", ".locks", "models--org--tiny")
os.makedirs(lockdir, exist_ok=True)
lock = os.path.join(lockdir, sha + ".lock")
with open(lock, "w") as lf:
    fcntl.flock(lf, fcntl.LOCK_EX)
    blob = os.path.join(repo, "blobs", sha)
    if not os.path.exists(blob):
        tmp = blob + ".incomplete"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, blob)
    fcntl.flock(lf, fcntl.LOCK_UN)
os.unlink(lock)
commit = "0123456789abcdef0123456789abcdef01234567"
with open(os.path.join(repo, "refs", "main"), "w") as f:
    f.write(commit)
snap = os.path.join(repo, "snapshots", commit)
os.makedirs(snap, exist_ok=True)
link = os.path.join(snap, "model.bin")
if not os.path.islink(link):
    os.symlink(os.path.join("..", "..", "blobs", sha), link)
assert open(link, "rb").read() == data
print("hub cache ok at", home)
PY
chmod 644 "$IMG/app/huggingface_hub/hub.py"

profile "$PY" "$IMG/app/huggingface_hub/hub.py"
make_plan
hf=$(plan_env_value HF_HOME)
[ -n "$hf" ] || fail "the plan does not redirect the hub cache with HF_HOME"
grep -q "$IMG/root" "$S/plan.sh" | grep -v '^#' && fail "the plan grants on root's HOME"
apply_plan
expect_changed
assert_stat "$hf" "$E2E_UID:$E2E_UID 755"
run_user "$PY" "$IMG/app/huggingface_hub/hub.py"
[ -L "$hf/hub/models--org--tiny/snapshots/0123456789abcdef0123456789abcdef01234567/model.bin" ] ||
	fail "the cache was not written under HF_HOME"
assert_stat "$IMG/root" "0:0 700"
assert_stat "$IMG/app" "0:0 755"
echo "PASS $E2E_NAME"
