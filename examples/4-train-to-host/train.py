"""Scenario 4 of the seed article: training that saves the model to a host
bind mount (/app/model).  It writes checkpoints, renames the final one into
place and removes the rest; the host directory must be writable by the
container's user, which is why the plan has a host section."""
import os
import random

OUT = os.environ.get("MODEL_DIR", "/app/model")

random.seed(1)
w = [0.0, 0.0]
data = [(x, 3 * x + 1) for x in range(10)]
for epoch in range(3):
    for x, y in data:
        err = (w[0] * x + w[1]) - y
        w[0] -= 0.01 * err * x
        w[1] -= 0.01 * err
    with open(os.path.join(OUT, f"ckpt-{epoch}.txt"), "w") as f:
        f.write(f"{w[0]} {w[1]}\n")
os.replace(os.path.join(OUT, "ckpt-2.txt"), os.path.join(OUT, "model.txt"))
for epoch in range(2):
    os.unlink(os.path.join(OUT, f"ckpt-{epoch}.txt"))
print("train: saved", os.path.join(OUT, "model.txt"), w)
