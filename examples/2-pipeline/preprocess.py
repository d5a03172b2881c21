"""Scenario 2 of the seed article: a preprocessing pipeline that writes its
intermediate and final files into /app/processing inside the container
(adding and deleting files), while /app itself stays read-only."""
import hashlib
import os
import tempfile

SRC = "/app/data/input.csv"
OUT = "/app/processing"

os.makedirs(OUT, exist_ok=True)
with open(SRC) as f:
    rows = [line.strip().split(",") for line in f if line.strip()]
header, rows = rows[0], rows[1:]

# stage 1: clean rows into a temporary file, then rename it into place
fd, tmp = tempfile.mkstemp(dir=OUT, prefix=".clean-")
with os.fdopen(fd, "w") as f:
    for r in rows:
        f.write(",".join(x.strip().lower() for x in r) + "\n")
os.replace(tmp, os.path.join(OUT, "clean.csv"))

# stage 2: one shard per label, then a summary; shards are removed after
labels = {}
for r in rows:
    labels.setdefault(r[-1].strip(), []).append(r)
for label, rs in labels.items():
    with open(os.path.join(OUT, f"shard-{label}.csv"), "w") as f:
        f.write("\n".join(",".join(r) for r in rs) + "\n")
with open(os.path.join(OUT, "summary.txt"), "w") as f:
    for label, rs in sorted(labels.items()):
        f.write(f"{label} {len(rs)}\n")
    f.write(hashlib.sha256(open(SRC, "rb").read()).hexdigest() + "\n")
for label in labels:
    os.unlink(os.path.join(OUT, f"shard-{label}.csv"))
print("pipeline: wrote", sorted(os.listdir(OUT)))
