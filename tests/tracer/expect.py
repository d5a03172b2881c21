#!/usr/bin/env python3
"""expect.py - find every expected record in a trace the tracer wrote.

usage: expect.py LOGDIR SPEC...

  OP=PATH[=ERRNO][@PID][#UID]
                         an "ev" record with that op and path; with ERRNO
                         failed so, without it succeeded; @PID: its pid;
                         #UID: its "uid" key (the thread's euid, present
                         when it is not the proc record's)
  untraced:WHY=PATH      an "untraced" record
  nopath:OP              an "ev" record of OP whose path was unknown
  real:OP=PATH>REAL      an "ev" record of OP on PATH whose "real" (where
                         it landed) is REAL; with REAL empty, one that has
                         no "real"
  net:ADDR:PORT[=ERRNO]  a "net" record of a bind of ADDR and PORT; with
                         ERRNO failed so, without it succeeded
  files:N                at least N log files (process images)
  once:SPEC              exactly one record matches SPEC
  ptrace:SPEC            SPEC, recorded by the tracer ("tracer": "ptrace")
  preload:SPEC           SPEC, recorded by the preload (no "tracer" key)
  mixed                  the trace holds the preload's records too

Every log file must start with a "proc" record, every line must parse, and
(unless mixed) every "proc" and "ev" record must say "tracer": "ptrace".  Prints what is missing and
exits 1, else prints how many records it read.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts"))
import logcat  # noqa: E402  (the logs of a packed trace too)


def load(logdir, mixed):
    records, files, problems = [], 0, []
    for name, data in logcat.units(logdir):  # log files and packs alike
        path = os.path.join(logdir, name)
        files += 1
        text = data.decode("utf-8")
        lines = [l for l in text.split("\n") if l.strip("\0 ")]
        for i, line in enumerate(lines):
            try:
                rec = json.loads(line)
            except ValueError as e:
                problems.append(f"{path}:{i + 1}: {e}")
                continue
            if i == 0 and rec.get("t") != "proc":
                problems.append(f"{path}: first record is not proc")
            if not mixed and rec.get("t") in ("proc", "ev") and \
                    rec.get("tracer") != "ptrace":
                problems.append(f"{path}:{i + 1}: no tracer key")
            records.append(rec)
    return records, files, problems


def matches(rec, spec):
    if spec.startswith("ptrace:"):
        return rec.get("tracer") == "ptrace" and matches(rec, spec[7:])
    if spec.startswith("preload:"):
        return "tracer" not in rec and matches(rec, spec[8:])
    if spec.startswith("untraced:"):
        why, path = spec[len("untraced:"):].split("=", 1)
        return rec.get("t") == "untraced" and rec.get("why") == why and \
            rec.get("path") == path
    if spec.startswith("net:"):
        what, _, err = spec[4:].partition("=")
        addr, port = what.rsplit(":", 1)
        return rec.get("t") == "net" and rec.get("addr") == addr and \
            rec.get("port") == int(port) and rec.get("errno") == (err or None)
    if spec.startswith("real:"):
        what, real = spec[5:].split(">", 1)
        op, path = what.split("=", 1)
        return rec.get("t") == "ev" and rec.get("op") == op and \
            rec.get("path") == path and rec.get("real") == (real or None)
    if spec.startswith("nopath:"):
        return rec.get("t") == "ev" and rec.get("op") == spec[7:] and \
            str(rec.get("nopath", "")).startswith("path unknown: ")
    pid = uid = None
    if "#" in spec:
        spec, uid = spec.rsplit("#", 1)
    if "@" in spec:
        spec, pid = spec.rsplit("@", 1)
    parts = spec.split("=")
    op, path = parts[0], parts[1]
    err = parts[2] if len(parts) > 2 else None
    return rec.get("t") == "ev" and rec.get("op") == op and \
        rec.get("path") == path and rec.get("errno") == err and \
        (pid is None or rec.get("pid") == int(pid)) and \
        (uid is None or rec.get("uid") == int(uid))


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    specs = sys.argv[2:]
    records, files, problems = load(sys.argv[1], "mixed" in specs)
    for spec in specs:
        if spec == "mixed":
            continue
        if spec.startswith("once:"):
            n = sum(1 for r in records if matches(r, spec[5:]))
            if n != 1:
                problems.append(f"{n} records match {spec[5:]}, not one")
        elif spec.startswith("files:"):
            if files < int(spec[6:]):
                problems.append(f"{files} log files, expected {spec[6:]}")
        elif not any(matches(r, spec) for r in records):
            problems.append(f"missing: {spec}")
    for p in problems:
        print("expect.py:", p)
    if problems:
        evs = [r for r in records if r.get("t") in ("ev", "untraced", "net")]
        print(f"expect.py: {len(evs)} ev/untraced/net records in the trace:")
        for r in evs[:60]:
            print("  ", json.dumps({k: r.get(k) for k in
                  ("t", "op", "fn", "path", "real", "addr", "port", "errno",
                   "pid", "why",
                   "nopath")
                  if k in r}))
        return 1
    print(f"expect.py: {len(records)} records in {files} files, all found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
