"""A model cache written the way huggingface-hub writes one (the library
the seed article's scenario 3 names; the real package is not in Debian):

  $HF_HOME/hub/models--ORG--NAME/blobs/<sha256>          file contents
  $HF_HOME/hub/models--ORG--NAME/refs/main               the commit id
  $HF_HOME/hub/models--ORG--NAME/snapshots/<commit>/F -> ../../blobs/<sha256>
  $HF_HOME/hub/.locks/models--ORG--NAME/<sha256>.lock    held while writing

HF_HOME defaults to ~/.cache/huggingface, so as root it writes under /root;
setting HF_HOME redirects it.  The "download" copies files baked into the
image at /app/weights."""
import fcntl
import hashlib
import os
import tempfile

REPO = "models--example--tiny"
SRC = "/app/weights"
home = os.environ.get("HF_HOME") or os.path.join(
    os.path.expanduser("~"), ".cache", "huggingface")
hub = os.path.join(home, "hub")
repo = os.path.join(hub, REPO)
locks = os.path.join(hub, ".locks", REPO)
for d in ("blobs", "refs", "snapshots"):
    os.makedirs(os.path.join(repo, d), exist_ok=True)
os.makedirs(locks, exist_ok=True)

files = sorted(os.listdir(SRC))
commit = hashlib.sha1("".join(files).encode()).hexdigest()
snap = os.path.join(repo, "snapshots", commit)
os.makedirs(snap, exist_ok=True)
for name in files:
    data = open(os.path.join(SRC, name), "rb").read()
    sha = hashlib.sha256(data).hexdigest()
    blob = os.path.join(repo, "blobs", sha)
    with open(os.path.join(locks, sha + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(blob):
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(blob),
                                       suffix=".incomplete")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, blob)
        link = os.path.join(snap, name)
        if not os.path.islink(link):
            os.symlink(os.path.join("..", "..", "blobs", sha), link)
with open(os.path.join(repo, "refs", "main"), "w") as f:
    f.write(commit)
for name in files:
    assert open(os.path.join(snap, name), "rb").read()
print("hubcache: cached", len(files), "files in", snap)
