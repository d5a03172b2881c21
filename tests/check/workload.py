# tests/check/workload.py - a workload whose written names change on every
# run (Python temp names, a pid, a content hash, a mkstemp name, HOME), used by
# check_integration.sh to show that `unroot check` does not call them new.
# With --new it also writes one extra, fixed path: the regression to catch.
import ctypes
import hashlib
import os
import sys
import tempfile

work = sys.argv[1]
os.makedirs(os.path.join(work, "cache"), exist_ok=True)

with tempfile.NamedTemporaryFile(dir=work, delete=True) as f:
    f.write(b"x")
d = tempfile.mkdtemp(prefix="matplotlib-", dir=work)
os.rmdir(d)

with open(os.path.join(work, "cache", "app.%d.pid" % os.getpid()), "w") as f:
    f.write(str(os.getpid()))

blob = hashlib.sha256(os.urandom(16)).hexdigest()
with open(os.path.join(work, "cache", blob), "w") as f:
    f.write("blob")

home_cache = os.path.expanduser("~/.cache/workload")
os.makedirs(home_cache, exist_ok=True)
with open(os.path.join(home_cache, "settings"), "w") as f:
    f.write("x")

libc = ctypes.CDLL(None)
template = ctypes.create_string_buffer(
    os.path.join(work, "cache", "state.XXXXXX").encode())
fd = libc.mkstemp(template)
os.close(fd)
os.unlink(template.value.decode())

if "--new" in sys.argv:
    with open(os.path.join(work, "cache", "surprise.db"), "w") as f:
        f.write("new")
if "--evil" in sys.argv:
    with open(os.path.join(work, "cache", "::set-output name=x::\x1b[31mred"),
              "w") as f:
        f.write("evil")
