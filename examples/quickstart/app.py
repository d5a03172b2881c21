"""A small workload with the write habits of a typical containerised
service: a model cache under HOME, an output folder, a SQLite database with
its journal, a pid file it removes at exit, a temp file, and a child
process.  `scripts/demo` profiles it with `unroot run`."""
import os
import sqlite3
import subprocess
import tempfile

home = os.path.expanduser("~")
cache = os.path.join(home, ".cache", "quickstart", "models")
os.makedirs(cache, exist_ok=True)
with open(os.path.join(cache, "weights.bin"), "wb") as f:
    f.write(b"\0" * 64)

os.makedirs("output", exist_ok=True)
with open("output/result.txt", "w") as f:
    f.write("42\n")

db = sqlite3.connect("state.db")
db.execute("create table if not exists runs (n integer)")
db.execute("insert into runs values (1)")
db.commit()
db.close()

with open("app.pid", "w") as f:
    f.write(str(os.getpid()))

with tempfile.NamedTemporaryFile() as tmp:
    tmp.write(b"scratch")

subprocess.run(["sh", "-c", "date > output/stamp"], check=True)
os.unlink("app.pid")
print("quickstart: done")
