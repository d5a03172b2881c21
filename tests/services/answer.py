#!/usr/bin/env python3
"""answer.py ANSWER PLAN_JSON TRACE_DIR... - compare a plan with the grants a
careful engineer wrote by hand for the same service (SVC/answer), and with
the traces it was made from.  Prints each problem on a line of its own and
exits 1 when there is one, 0 when every grant the plan applies is in the
answer (the plan may grant less) and none names a path that exists for one
run only.  Exit 2: the answer or the plan cannot be read (file and line).

The answer, one grant per line ('#' starts a comment):

    user NAME      the user the image runs as (a service user of the
                   image, or the new user the plan creates)
    own PATH       the user owns PATH (made when missing: mkdir, touch,
                   chown of a directory or a file); covers "search PATH"
                   and a name made or owned directly in PATH
    tree PATH      the user owns PATH and everything below it; covers
                   every grant of PATH or below it
    group PATH     the user joins the group of PATH
    search PATH    a search or read bit on PATH
    read PATH      PATH, a file only root could read, readable to the
                   user's own group (chgrp, g+r); it stays root's
    build PATH     a build-time step for what is written at PATH
    env VAR        the program's own variable VAR, set to a directory the
                   user owns
    home           the user's HOME is created and owned by the user
    tmpfs PATH     a tmpfs mounted at PATH
    host PATH      a bind mount at PATH whose host directory is fixed

Paths under /var/run and /var/lock are the same grants as under /run and
/run/lock (Debian's symlinks), whichever name the plan or the answer uses.

A name exists for one run when a traced run made it with mktemp or a
template, or made it and removed it (unlink, rmdir, renamed away), or made
it with the pid of a process of that run as its name: a grant of it, or of
anything below it, could not hold in the next run.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts"))
import logcat  # noqa: E402  (the logs of a packed trace too)

KINDS = ("user", "own", "tree", "group", "search", "read", "build", "env",
         "home", "tmpfs", "host")


def die(msg):
    print("answer.py: " + msg, file=sys.stderr)
    sys.exit(2)


def text(p):
    """A path of the plan or trace: a string or {"hex": ...}."""
    if isinstance(p, dict) and "hex" in p:
        return bytes.fromhex(p["hex"]).decode("utf-8", "surrogateescape")
    return p


def read_answer(name):
    ans = {k: set() for k in KINDS}
    with open(name, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            kind = words[0]
            if kind not in KINDS:
                die("%s:%d: unknown kind '%s' (one of %s)" %
                    (name, n, kind, " ".join(KINDS)))
            if kind == "home":
                if len(words) != 1:
                    die("%s:%d: 'home' takes nothing" % (name, n))
                ans["home"].add("")
                continue
            if len(words) != 2:
                die("%s:%d: '%s' takes one word" % (name, n, kind))
            ans[kind].add(canonical(words[1].rstrip("/") or "/"))
    return ans


# Debian's symlinks into /run: a grant by either name is the same grant
ALIASES = (("/var/run", "/run"), ("/var/lock", "/run/lock"))


def canonical(path):
    for old, new in ALIASES:
        if under(path, old):
            return new + path[len(old):]
    return path


def under(path, top):
    return path == top or top == "/" or path.startswith(top + "/")


def in_answer(ans, kind, path):
    """Whether the answer holds a grant of this kind on path, or more."""
    if any(under(path, t) for t in ans["tree"]):
        return True
    if kind in ("mkdir", "touch", "own-dir", "own-file"):
        # a name directly in a directory the user owns: it could make it
        return path in ans["own"] or os.path.dirname(path) in ans["own"]
    if kind == "search":
        return path in ans["search"] or path in ans["own"]
    if kind == "group":
        return path in ans["group"]
    if kind == "read":
        return path in ans["read"] or path in ans["own"]
    if kind == "build":
        return path in ans["build"]
    return False  # own-tree: only a tree of it or above


def plan_problems(ans, plan):
    out = []
    user = text(plan.get("user"))
    if ans["user"] and user not in ans["user"]:
        out.append("the plan's user is %s, the answer's %s" %
                   (user, " ".join(sorted(ans["user"]))))
    for g in plan.get("grants") or []:
        if g.get("alternative"):
            continue  # kept as the alternative of a redirect: not applied
        path, kind = canonical(text(g["path"])), g["kind"]
        if kind == "mkdir" and path == text(plan.get("home")) and ans["home"]:
            continue
        if not in_answer(ans, kind, path):
            out.append("grant outside the answer: %s %s (%s)" %
                       (kind, path, text(g.get("why")) or ""))
    for r in plan.get("redirects") or []:
        if r["var"] == "HOME" and ans["home"]:
            continue
        if r["var"] not in ans["env"]:
            out.append("redirect outside the answer: %s=%s" %
                       (r["var"], text(r.get("value"))))
    for t in plan.get("tmpfs") or []:
        if canonical(text(t["dir"])) not in ans["tmpfs"]:
            out.append("tmpfs outside the answer: %s" % text(t["dir"]))
    for h in plan.get("host") or []:
        if canonical(text(h["mount"])) not in ans["host"]:
            out.append("host fix outside the answer: %s" % text(h["mount"]))
    return out


def records(trace):
    log = os.path.join(trace, "log")
    for _name, data in logcat.units(log if os.path.isdir(log) else trace):
        for raw in data.split(b"\n"):
            raw = raw.strip(b"\0")
            if not raw:
                continue
            try:
                yield json.loads(raw)
            except ValueError:
                continue  # a record cut by a kill: the reader warns


CREATES = ("mkdir", "mknod", "bind", "symlink")


def one_run_names(trace):
    """The names a run made for itself alone (see the module comment)."""
    made, removed, temp, pids = set(), set(), set(), set()
    for r in records(trace):
        if r.get("t") == "proc":
            pids.add(str(r.get("pid")))
        if r.get("t") != "ev" or r.get("errno"):
            continue
        op, path = r.get("op"), text(r.get("path"))
        new = r.get("st") is None and "st" in r
        if op == "mktemp":
            temp.add(path)
        elif op in CREATES or (op == "open" and new and
                               "O_CREAT" in (r.get("flags") or "")):
            made.add(path)
        if op in ("unlink", "rmdir", "rename"):
            removed.add(path)
        if op in ("rename", "link") and r.get("st2") is None:
            made.add(text(r.get("path2")))
    temp |= made & removed
    # a component named by a pid of the run, made in it (hsperfdata's)
    temp |= {m for m in made if os.path.basename(m) in pids}
    return temp


def run_problems(plan, traces):
    temp = set()
    for t in traces:
        if os.path.isdir(t):  # a round's log or Dockerfile is no trace
            temp |= one_run_names(t)
    paths = [text(g["path"]) for g in plan.get("grants") or []
             if not g.get("alternative")]
    paths += [text(r["dir"]) for r in plan.get("redirects") or [] if r["dir"]]
    out = []
    for p in paths:
        hit = next((t for t in temp if under(p, t)), None)
        if hit:
            out.append("grant of a name made for one run: %s (%s)" % (p, hit))
    return out


def main():
    if len(sys.argv) < 3:
        die("usage: answer.py ANSWER PLAN_JSON TRACE_DIR...")
    ans = read_answer(sys.argv[1])
    try:
        with open(sys.argv[2], encoding="utf-8") as f:
            plan = json.load(f)
    except (OSError, ValueError) as e:
        die("%s: %s" % (sys.argv[2], e))
    problems = plan_problems(ans, plan) + run_problems(plan, sys.argv[3:])
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


main()
