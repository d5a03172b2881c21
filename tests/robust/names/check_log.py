# check_log.py LOGDIR MADE: every path the workload made is recorded with
# its exact bytes (a JSON string, or {"hex": ...} for non-UTF-8)
import json, os, re, sys
log, made = sys.argv[1], open(sys.argv[2], "rb").read().split(b"\0")
def dec(v):
    if isinstance(v, str):
        return v.encode("utf-8", "surrogateescape")
    return bytes.fromhex(v["hex"])
seen = set()
hexes = 0
for n in os.listdir(log):
    for l in re.split(rb"[\n\0]+", open(os.path.join(log, n), "rb").read()):
        if not l:
            continue
        r = json.loads(l)
        if r.get("t") == "ev" and r.get("op") in ("mkdir", "open") and r.get("ret", -1) >= 0:
            if not isinstance(r["path"], str):
                hexes += 1
            seen.add(dec(r["path"]))
miss = [m for m in made if m not in seen]
print("%d paths made, %d recorded, %d as hex, longest %d bytes" % (len(made), len(seen), hexes, max(map(len, made))))
for m in miss[:5]:
    print("NOT RECORDED:", m[:80], "...", len(m))
sys.exit(1 if miss else 0)
