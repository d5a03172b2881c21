#!/usr/bin/python3
"""check.py CASE LIBUNROOT - Python call sites (preload/python.c).

Each case runs a real workload under the preload, reads the .jsonl logs
with the json module and checks the "py" frames of the "ev" records: they
name the file, line and function that made the call, belong to their own
call (never another thread's or an earlier call's), and are absent from
processes that are not Python.  Exit 0 pass, 1 fail, 77 skip.
"""
import glob
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

PY = "/usr/bin/python3"
CASE, LIB = sys.argv[1], sys.argv[2]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def skip(why):
    """Exit 77 (CTest: skipped), saying why."""
    print("SKIP: %s: %s" % (CASE, why))
    sys.exit(77)


def run(argv, tmp, env=None, script=None):
    """Run argv under the preload in tmp; return (events, stdout)."""
    log = os.path.join(tmp, "log")
    if os.path.isdir(log):
        shutil.rmtree(log)
    os.mkdir(log)
    os.chmod(log, 0o1777)
    e = dict(os.environ)
    e.update(env or {})
    e.update(UNROOT_LOG=log, LD_PRELOAD=LIB)
    for k in ("PYTHONDEVMODE", "PYTHONDONTWRITEBYTECODE", "PYTHONMALLOC"):
        e.pop(k, None)
    if script is not None:
        path = os.path.join(tmp, "work.py")
        with open(path, "w") as f:
            f.write(textwrap.dedent(script))
        argv = argv + [path]
    p = subprocess.run(argv, cwd=tmp, env=e, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=300)
    if p.returncode != 0:
        fail("%s exited %d: %s" % (argv, p.returncode, p.stderr[-2000:]))
    evs = []
    for name in glob.glob(os.path.join(log, "*.jsonl")):
        with open(name, "rb") as f:
            data = f.read()
        # NUL bytes are padding of the mapped log (SCHEMA.md)
        for m in re.finditer(rb"([^\n\0]+)(\n|\0|$)", data):
            if m.group(2) != b"\n":
                continue  # a record cut by a kill
            r = json.loads(m.group(1))
            if r.get("t") == "ev":
                evs.append(r)
    return evs, p.stdout


def line_of(script, marker):
    for i, l in enumerate(textwrap.dedent(script).splitlines(), 1):
        if marker in l:
            return i
    raise KeyError(marker)


def find(evs, op, path_end):
    return [r for r in evs if r["op"] == op and isinstance(r["path"], str)
            and r["path"].endswith(path_end)]


def expect_site(evs, op, path_end, file_end, line, fn):
    rs = find(evs, op, path_end)
    if not rs:
        fail("no %s event for ...%s" % (op, path_end))
        return
    for r in rs:
        py = r.get("py")
        if not py:
            fail("%s %s: no py frames" % (op, r["path"]))
            continue
        top = py[0]
        if not (top["f"].endswith(file_end) and top["l"] == line
                and top["fn"] == fn):
            fail("%s %s: innermost frame %r, want %s:%d in %s"
                 % (op, r["path"], top, file_end, line, fn))


CLEAN = """
    assert sys.exc_info() == (None, None, None), sys.exc_info()
    print("CLEAN")
"""


def expect_clean(out):
    if "CLEAN" not in out:
        fail("the workload did not finish cleanly: %r" % out[-500:])


def case_open(tmp):
    s = """\
    import sys
    def writer(p):
        with open(p, "w") as f:  # WRITE
            f.write("x")
    writer("out.txt")
    """ + CLEAN
    evs, out = run([PY], tmp, script=s)
    expect_clean(out)
    expect_site(evs, "open", "/out.txt", "work.py", line_of(s, "# WRITE"),
                "writer")
    r = find(evs, "open", "/out.txt")
    if r and r[0].get("py") and len(r[0]["py"]) < 2:
        fail("want the caller's frame too: %r" % r[0]["py"])


def case_os(tmp):
    s = """\
    import os, sys, pathlib
    os.mkdir("d")                         # MKDIR
    os.rename("d", "d2")                  # RENAME
    open("f", "w").close()
    os.chmod("f", 0o600)                  # CHMOD
    os.symlink("f", "ln")                 # SYMLINK
    os.utime("f")                         # UTIME
    os.remove("ln")                       # REMOVE
    os.rmdir("d2")                        # RMDIR
    pathlib.Path("p.txt").write_text("x") # PATHLIB
    """ + CLEAN
    evs, out = run([PY], tmp, script=s)
    expect_clean(out)
    for op, path, mark in (("mkdir", "/d", "MKDIR"),
                           ("rename", "/d", "RENAME"),
                           ("chmod", "/f", "CHMOD"),
                           ("symlink", "/ln", "SYMLINK"),
                           ("utime", "/f", "UTIME"),
                           ("unlink", "/ln", "REMOVE"),
                           ("rmdir", "/d2", "RMDIR")):
        expect_site(evs, op, path, "work.py", line_of(s, "# " + mark),
                    "<module>")
    # a PathLike path: the site is pathlib's, called from the script
    r = find(evs, "open", "/p.txt")
    if not r or not r[0].get("py"):
        fail("pathlib write has no py frames")
    elif not any(f["f"].endswith("work.py") and
                 f["l"] == line_of(s, "# PATHLIB") for f in r[0]["py"]):
        fail("pathlib write frames miss the script: %r" % r[0]["py"])


def case_sqlite(tmp):
    s = """\
    import sqlite3, sys, ctypes, os
    def db_work(p):
        con = sqlite3.connect(p)   # CONNECT
        con.execute("create table t(x)")
        con.execute("insert into t values (1)")
        con.commit()
        con.close()
    def held(p):
        libc = ctypes.PyDLL(None)  # keeps the GIL around the call
        fd = libc.open(p, os.O_WRONLY | os.O_CREAT, 0o644)  # HELD
        os.close(fd)
    db_work(os.path.abspath("x.db"))
    held(b"held.out")
    """ + CLEAN
    evs, out = run([PY], tmp, script=s)
    expect_clean(out)
    # sqlite opens the database inside connect() (the sqlite3.connect
    # event); its journal is written inside sqlite3_step with the GIL
    # released and no audit event: no site, and never a wrong one
    expect_site(evs, "open", "/x.db", "work.py", line_of(s, "# CONNECT"),
                "db_work")
    for r in find(evs, "open", "/x.db-journal"):
        for f in r.get("py", []):
            if f["fn"] not in ("db_work", "<module>"):
                fail("journal write with a foreign site: %r" % r["py"])
    # a C call made while holding the GIL: frames walked in the wrapper
    expect_site(evs, "open", "/held.out", "work.py", line_of(s, "# HELD"),
                "held")


def case_tempfile(tmp):
    s = """\
    import tempfile, sys, os
    def make():
        fd, p = tempfile.mkstemp(dir=".")
        os.close(fd)
        d = tempfile.mkdtemp(dir=".")
        with tempfile.NamedTemporaryFile(dir=".", delete=False) as f:
            f.write(b"x")
        return p, d
    print(make())
    """ + CLEAN
    evs, out = run([PY], tmp, script=s)
    expect_clean(out)
    for op in ("open", "mkdir"):
        rs = [r for r in evs if r["op"] == op and r["path"].startswith(tmp)]
        if not rs:
            fail("no %s event in the temp dir" % op)
        for r in rs:
            fs = r.get("py") or []
            if not fs or not fs[0]["f"].endswith("tempfile.py"):
                fail("%s %s: innermost frame not tempfile's: %r"
                     % (op, r["path"], fs))
            elif not any(f["fn"] == "make" for f in fs):
                fail("%s %s: caller make() missing: %r" % (op, r["path"], fs))


def case_threads(tmp):
    # eight writer functions, one per thread, each on its own line: every
    # record's site must be its own thread's function and line
    fns = "".join(
        "def w%d(n):\n"
        "    for i in range(n):\n"
        "        with open('t%d_%%d' %% i, 'w') as f: f.write('x')  # W%d\n"
        % (k, k, k) for k in range(8))
    s = "import sys, threading\n" + fns + textwrap.dedent("""\
    ts = [threading.Thread(target=globals()['w%d' % k], args=(200,))
          for k in range(8)]
    for t in ts: t.start()
    for t in ts: t.join()
    """) + textwrap.dedent(CLEAN)
    evs, out = run([PY], tmp, script=s)
    expect_clean(out)
    n = bad = 0
    for r in evs:
        base = os.path.basename(r["path"])
        if r["op"] != "open" or not base.startswith("t") or "_" not in base:
            continue
        n += 1
        k = int(base[1:base.index("_")])
        fs = r.get("py") or []
        if not fs or fs[0]["fn"] != "w%d" % k or \
           fs[0]["l"] != line_of(s, "# W%d" % k):
            bad += 1
            if bad < 5:
                fail("%s: site %r is not w%d's" % (base, fs[:1], k))
    if n != 1600:
        fail("want 1600 thread writes, got %d" % n)
    if bad:
        fail("%d of %d thread writes with a wrong or missing site" % (bad, n))


def case_lines_belong_to_the_code_not_its_address(tmp):
    """Lines are remembered (preload/pyline.c) under what decides them: one
    function's two call sites alternate; code objects freed and made again
    at one address each name their own line; one function body compiled at
    thirty first lines (identical line tables) names thirty lines."""
    s = """\
    import sys
    def w(p, k):
        if k:
            open(p, "w").close()  # ODD
        else:
            open(p, "w").close()  # EVEN
    for i in range(6):
        w("a%d" % i, i % 2)  # CALL
    ids = set()
    for i in range(30):
        c = compile("\\n" * i + "open('g%d', 'w').close()\\n" % i, "gen.py",
                    "exec")
        ids.add(id(c))
        exec(c)
        del c
    for i in range(30):
        ns = {}
        src = "\\n" * i + "def f(p):\\n    open(p, 'w').close()\\n"
        exec(compile(src, "fn.py", "exec"), ns)
        ns["f"]("h%d" % i)
    print("ADDRESSES", len(ids))
    """ + CLEAN
    evs, out = run([PY], tmp, script=s)
    expect_clean(out)
    m = re.search(r"ADDRESSES (\d+)", out)
    if not m or int(m.group(1)) >= 30:
        fail("the generated code objects never shared an address: %r" % out)
    for i in range(6):
        mark = "# ODD" if i % 2 else "# EVEN"
        expect_site(evs, "open", "/a%d" % i, "work.py", line_of(s, mark), "w")
        r = find(evs, "open", "/a%d" % i)
        if r and len(r[0].get("py") or []) > 1:
            caller = r[0]["py"][1]
            if caller["l"] != line_of(s, "# CALL"):
                fail("a%d: caller frame %r" % (i, caller))
    for i in range(30):
        expect_site(evs, "open", "/g%d" % i, "gen.py", i + 1, "<module>")
        expect_site(evs, "open", "/h%d" % i, "fn.py", i + 2, "f")


def case_pycache(tmp):
    mod = os.path.join(tmp, "mymod.py")
    with open(mod, "w") as f:
        f.write("X = 1\n")
    s = """\
    import sys
    sys.path.insert(0, ".")
    import mymod
    """ + CLEAN
    evs, out = run([PY], tmp, script=s)
    expect_clean(out)
    rs = [r for r in evs if "__pycache__" in r["path"] and
          r["op"] in ("open", "rename", "mkdir")]
    if not rs:
        fail("no __pycache__ write")
    for r in rs:
        fs = r.get("py") or []
        if not fs or "importlib._bootstrap_external" not in fs[0]["f"]:
            fail("%s %s: site not importlib's: %r" % (r["op"], r["path"], fs))
        elif not any(f["f"].endswith("work.py") for f in fs):
            fail("%s: importing script not among frames: %r"
                 % (r["path"], fs))


def case_matplotlib(tmp):
    if subprocess.run([PY, "-c", "import matplotlib"],
                      capture_output=True).returncode:
        skip("%s cannot import matplotlib (apt-get install "
             "python3-matplotlib)" % PY)
    home = os.path.join(tmp, "home")
    os.mkdir(home)
    env = {"HOME": home, "MPLBACKEND": "Agg"}
    env.pop("MPLCONFIGDIR", None)
    os.environ.pop("MPLCONFIGDIR", None)
    evs, out = run([PY, "-c", "import matplotlib.pyplot"], tmp, env=env)
    rs = [r for r in evs if r["op"] == "open" and
          os.path.basename(r["path"]).startswith("fontlist") and
          r["path"].endswith(".json")]
    if not rs:
        fail("no fontlist*.json write")
    for r in rs:
        fs = r.get("py") or []
        if not any("/matplotlib/" in f["f"] for f in fs):
            fail("fontlist write without a matplotlib frame: %r" % fs)


def case_nonpython(tmp):
    evs, out = run(["sh", "-c", "echo x > a; mkdir b; tar cf c.tar a b"], tmp)
    if len(evs) < 3:
        fail("want sh and tar events, got %d" % len(evs))
    for r in evs:
        if "py" in r:
            fail("non-Python %s %s has py" % (r["op"], r["path"]))


def case_audit(tmp):
    s = """\
    import sys, os
    seen = []
    def hook(event, args):
        if event in ("open", "os.mkdir"):
            seen.append(event)
    sys.addaudithook(hook)
    open("a", "w").close()            # OPEN
    os.mkdir("dd")
    assert "open" in seen and "os.mkdir" in seen, seen
    # the tracer's walk reads no audited attribute: no extra events
    before = len(seen)
    assert os.path.exists("a")
    try:
        open("/nonexistent/x", "w")
    except OSError as e:
        assert e.errno == 2
    assert sys.exc_info() == (None, None, None)
    calls = []
    sys.settrace(lambda *a: calls.append(a) or None)
    open("b", "w").close()
    sys.settrace(None)
    assert sys.gettrace() is None
    print("SEEN", len(seen) - before)
    """ + CLEAN
    evs, out = run([PY], tmp, script=s)
    expect_clean(out)
    expect_site(evs, "open", "/a", "work.py", line_of(s, "# OPEN"),
                "<module>")
    r = find(evs, "open", "/nonexistent/x")
    if not r or r[0].get("errno") != "ENOENT" or not r[0].get("py"):
        fail("failed open: %r" % r)


def case_fork(tmp):
    s = """\
    import os, sys
    def parent_write():
        open("before", "w").close()   # PARENT
    parent_write()
    pid = os.fork()
    if pid == 0:
        open("child", "w").close()    # CHILD
        os._exit(0)
    os.waitpid(pid, 0)
    open("after", "w").close()        # AFTER
    """ + CLEAN
    evs, out = run([PY], tmp, script=s)
    expect_clean(out)
    expect_site(evs, "open", "/before", "work.py", line_of(s, "# PARENT"),
                "parent_write")
    expect_site(evs, "open", "/child", "work.py", line_of(s, "# CHILD"),
                "<module>")
    expect_site(evs, "open", "/after", "work.py", line_of(s, "# AFTER"),
                "<module>")


def case_subinterp(tmp):
    if subprocess.run([PY, "-c", "import _xxsubinterpreters"],
                      capture_output=True).returncode:
        skip("%s has no _xxsubinterpreters module" % PY)
    s = """\
    import sys, _xxsubinterpreters as si
    i = si.create()
    si.run_string(i, "open('sub.txt', 'w').close()\\nopen('sub2.txt', 'w').close()")
    si.destroy(i)
    open("main.txt", "w").close()     # MAIN
    """ + CLEAN
    evs, out = run([PY], tmp, script=s)
    expect_clean(out)
    expect_site(evs, "open", "/main.txt", "work.py", line_of(s, "# MAIN"),
                "<module>")
    for name in ("/sub.txt", "/sub2.txt"):
        r = find(evs, "open", name)
        if not r:
            fail("no event for %s" % name)
        elif r[0].get("py") and r[0]["py"][0]["f"] != "<string>":
            fail("%s: wrong site %r" % (name, r[0]["py"]))


def case_versions(tmp):
    """Every CPython 3.8+ on the machine: the system's and any other
    (pyenv's, /usr/local's)."""
    found = [PY] + sorted(glob.glob(os.path.expanduser(
        "~/.pyenv/versions/3.*/bin/python3")))
    found += [p for p in ("/usr/local/bin/python3",) if os.path.exists(p)]
    s = """\
    import os, sys
    def writer():
        open("v.txt", "w").close()   # V
        os.mkdir("vd")               # VD
    writer()
    """ + CLEAN
    ran = 0
    for py in found:
        v = subprocess.run([py, "-c", "import sys; print(sys.version_info >= (3, 8))"],
                           capture_output=True, text=True)
        if v.stdout.strip() != "True":
            continue
        for n in ("v.txt", "vd"):
            p = os.path.join(tmp, n)
            if os.path.isdir(p):
                os.rmdir(p)
            elif os.path.exists(p):
                os.unlink(p)
        evs, out = run([py], tmp, script=s)
        expect_clean(out)
        expect_site(evs, "open", "/v.txt", "work.py", line_of(s, "# V"),
                    "writer")
        expect_site(evs, "mkdir", "/vd", "work.py", line_of(s, "# VD"),
                    "writer")
        ran += 1
    if not ran:
        fail("no CPython 3.8+ among %r" % found)
    print("versions checked:", ran)


def main():
    fn = globals().get("case_" + CASE)
    if not fn:
        print("unknown case " + CASE, file=sys.stderr)
        return 2
    if not os.path.exists(LIB):
        skip("no preload at %s (build it first)" % LIB)
    tmp = tempfile.mkdtemp(prefix="unroot-py-")
    try:
        fn(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


sys.exit(main())
