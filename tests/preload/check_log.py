#!/usr/bin/python3
"""check_log.py - assertions on an unroot log directory, for the shell
tests of tests/preload (real_programs.sh).  It reads every *.jsonl file
itself (not with the CLI), fails on any line that does not parse (a cut
last line excepted), then checks each argument:

  ev:OP:SUFFIX[:ERRNO]          an "ev" with that op whose path ends with
                                SUFFIX (a glob: "*" allowed), errno null
                                (or the name given)
  stack:OP:SUFFIX:ERRNO:MODULE  the same, and its stack has a frame whose
                                module path contains MODULE
  proc:EXE                      a process image whose exe ends with EXE
  uid:OP:SUFFIX:ERRNO:UID       the matching ev ran with effective uid UID
  none:SUBSTR                   no record's path contains SUBSTR
  nostack:                      no stack records, no ev names a stack
  untraced:SUFFIX:WHY           an "untraced" record whose path ends with
                                SUFFIX, with that why
  real:OP:SUFFIX:REAL           an "ev" as ev: names whose "real" (the
                                path with every link resolved) is REAL
  seen:FILE                     each line "PID EXE NS" of FILE (what a
                                process saw of itself in /proc) matches a
                                proc record of PID with that exe and ns

Fork records (short proc records of forked children) are completed from
the proc record they name before events are completed (SCHEMA.md).
"""
import fnmatch
import json
import re
import os
import struct
import sys


def path_of(v):
    if isinstance(v, dict) and "hex" in v:
        return bytes.fromhex(v["hex"]).decode("utf-8", "surrogateescape")
    return v


PROC_KEYS = ("exe", "argv0", "argv", "cwd", "uid", "euid", "gid", "egid",
             "groups", "ns", "rootfs", "env", "stacks")


def resolve_forks(recs):
    """A fork record's missing keys from the proc record it names: pid
    "from" (else "ppid") and ts "pts", itself resolved first."""
    procs = {(r.get("pid"), r.get("ts")): r for r in recs if r["t"] == "proc"}

    def resolve(p, depth):
        if not p.get("fork") or p.get("_resolved") or depth > 64:
            return
        p["_resolved"] = True
        src = procs.get((p.get("from", p.get("ppid")), p.get("pts")))
        if src is None:
            print("warning: %s: fork record without its source" % p["_file"])
            return
        resolve(src, depth + 1)
        for k in PROC_KEYS:
            if k not in p and k in src:
                p[k] = src[k]

    for r in recs:
        if r["t"] == "proc":
            resolve(r, 0)


def laid(path):
    """The log file's bytes, with the window of a stage file beside it
    laid over them (schema/SCHEMA.md, "Stage files")."""
    data = open(path, "rb").read()
    try:
        stage = open(path + ".stage", "rb").read()
    except OSError:
        return data
    magic, gen, start, n, cap = struct.unpack_from("<5Q", stage)
    if magic != 0x3165676174737275 or gen & 1 or n > cap:
        sys.exit("FAIL %s.stage: not a stage file" % path)
    return data[:start] + stage[64:64 + n] + data[start + n:]


def load(logdir):
    recs, files = [], 0
    for name in sorted(os.listdir(logdir)):
        if not name.endswith(".jsonl"):
            continue
        files += 1
        data = laid(os.path.join(logdir, name))
        # NUL bytes are padding of the mapped log (SCHEMA.md); a record
        # cut by NULs or by the end of the file was cut by a kill
        pieces = re.finditer(rb"([^\n\0]+)(\n|\0|$)", data)
        for i, m in enumerate(pieces):
            line = m.group(1)
            if m.group(2) != b"\n":
                print("warning: %s: cut record" % name)
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                sys.exit("FAIL %s:%d does not parse: %s" % (name, i + 1, e))
            rec["_file"] = name
            recs.append(rec)
    resolve_forks(recs)
    proc, file = {}, None
    for rec in recs:
        if rec["_file"] != file:
            proc, file = {}, rec["_file"]
        if rec.get("t") == "proc":
            proc = rec
        elif rec.get("t") == "ev":
            # keys an ev leaves out, as a reader infers them (SCHEMA.md)
            rec.setdefault("errno", None)
            rec.setdefault("tid", rec.get("pid"))
            rec.setdefault("uid", proc.get("euid"))
            rec.setdefault("gid", proc.get("egid"))
    return recs, files


def seen_matches(recs, path):
    lines = [l.split() for l in open(path) if l.strip()]
    ok = bool(lines)
    for pid, exe, ns in lines:
        if not any(r["t"] == "proc" and r.get("pid") == int(pid)
                   and path_of(r.get("exe")) == exe
                   and r.get("ns") == int(ns) for r in recs):
            print("  no proc record of pid %s with exe %s, ns %s" % (pid, exe, ns))
            ok = False
    return ok


def main():
    logdir = sys.argv[1]
    recs, files = load(logdir)
    stacks = {(r["_file"], r["id"]): r for r in recs if r["t"] == "stack"}
    evs = [r for r in recs if r["t"] == "ev"]
    failed = 0
    for spec in sys.argv[2:]:
        kind, *a = spec.split(":")
        if kind == "real":
            op, suffix, real = a[0], a[1], a[2]
            ok = any(e["op"] == op and path_of(e.get("real")) == real
                     and fnmatch.fnmatchcase(path_of(e.get("path")) or "",
                                             "*" + suffix) for e in evs)
            if not ok:
                print("  no %s of *%s with real %s" % (op, suffix, real))
        elif kind in ("ev", "stack", "uid"):
            op, suffix = a[0], a[1]
            want_errno = a[2] if len(a) > 2 and a[2] else None
            hits = [e for e in evs if e["op"] == op
                    and fnmatch.fnmatchcase(path_of(e.get("path")) or "",
                                            "*" + suffix)
                    and e.get("errno") == want_errno]
            ok = bool(hits)
            if ok and kind == "stack":
                ok = False
                for e in hits:
                    st = stacks.get((e["_file"], e.get("stack")))
                    if st and any(a[3] in f.get("m", "") for f in st["frames"]):
                        ok = True
            if ok and kind == "uid":
                ok = any(e["uid"] == int(a[3]) for e in hits)
        elif kind == "proc":
            ok = any(r["t"] == "proc" and (path_of(r.get("exe")) or "").endswith(a[0])
                     for r in recs)
        elif kind == "untraced":
            ok = any(r["t"] == "untraced"
                     and (path_of(r.get("path")) or "").endswith(a[0])
                     and r.get("why") == a[1] for r in recs)
        elif kind == "seen":
            ok = seen_matches(recs, a[0])
        elif kind == "nostack":
            ok = not any(r["t"] == "stack" or "stack" in r for r in recs)
        elif kind == "none":
            ok = not any(a[0] in (path_of(r.get(k)) or "")
                         for r in recs for k in ("path", "path2", "real")
                         if isinstance(r.get(k), (str, dict)))
        else:
            sys.exit("unknown check " + spec)
        print("%s %s" % ("ok  " if ok else "FAIL", spec))
        failed += not ok
    print("%d files, %d records, %d events" % (files, len(recs), len(evs)))
    sys.exit(1 if failed else 0)


main()
