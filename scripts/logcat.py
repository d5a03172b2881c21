#!/usr/bin/env python3
"""logcat.py - the logs of a trace's log directory, for the shell tests and
the benchmark that look at records directly (the CLI's reader is
cli/trace*.c; this is not one).

A log directory holds one *.jsonl file per process image and, once `unroot
run` or `unroot docker` has packed the small ones, *.pack files: segments,
each a framing line {"t":"pack","file":NAME,"bytes":N} followed by exactly N
bytes of the log NAME (schema/SCHEMA.md, "Pack files").  Each image is
listed once, as cli/tracepack_units.c lists it: its own file when it has
one, else its segment in the pack whose name sorts last.  Names starting
with '.' are not logs.  A log file with a stage file beside it
(NAME.jsonl.stage: an image killed, or still running, with records in its
staging window; SCHEMA.md "Stage files") is read with the window laid over
it.

    logcat.py [--names | --sizes] LOGDIR...

prints the records of every log, in name order, one per line (NUL padding
removed, a last line without a newline ended with one); --names prints the
logs' names instead, and --sizes "NAME BYTES" lines.  As a module:
units(logdir) yields (name, bytes) pairs.
"""
import json
import os
import struct
import sys

STAGE_MAGIC = 0x3165676174737275  # schema/schema.h UNROOT_STAGE_MAGIC
STAGE_HEAD = 64


def laid(path, data):
    """data, the bytes of the log file path, with the window of its stage
    file (if any) laid over them."""
    try:
        with open(path + ".stage", "rb") as f:
            stage = f.read()
    except OSError:
        return data
    magic, gen, start, n, cap = struct.unpack_from("<5Q", stage)
    if magic != STAGE_MAGIC or gen & 1 or n > cap or not n:
        return data
    win = stage[STAGE_HEAD:STAGE_HEAD + n]
    return data[:start] + win + data[start + len(win):]


def _hexname(v):
    if isinstance(v, dict) and "hex" in v:
        return bytes.fromhex(v["hex"]).decode("utf-8", "surrogateescape")
    return v


def _segments(path):
    with open(path, "rb") as f:
        data = f.read()
    off = 0
    while off < len(data):
        nl = data.find(b"\n", off)
        if nl < 0:
            break
        try:
            frame = json.loads(data[off:nl])
        except ValueError:
            break
        if not isinstance(frame, dict) or frame.get("t") != "pack":
            break
        n = frame.get("bytes")
        if not isinstance(n, int) or n < 0:
            break
        yield _hexname(frame.get("file")), data[nl + 1:nl + 1 + n]
        off = nl + 1 + n


def units(logdir):
    """(name, bytes) of every log of logdir, once each, in name order."""
    files, segs = {}, {}
    names = sorted(os.listdir(logdir))
    for name in names:
        if name.startswith("."):
            continue
        if name.endswith(".jsonl"):
            files[name] = os.path.join(logdir, name)
        elif name.endswith(".pack"):
            for seg, data in _segments(os.path.join(logdir, name)):
                segs[seg] = data  # a later pack's segment wins
    for name in sorted(set(files) | set(segs)):
        if name in files:
            try:
                with open(files[name], "rb") as f:
                    yield name, laid(files[name], f.read())
            except OSError:  # packed meanwhile
                if name in segs:
                    yield name, segs[name]
        else:
            yield name, segs[name]


def main(argv):
    mode = None
    if argv and argv[0] in ("--names", "--sizes"):
        mode = argv.pop(0)
    if not argv:
        sys.stderr.write("usage: logcat.py [--names|--sizes] LOGDIR...\n")
        return 2
    out = sys.stdout.buffer
    for logdir in argv:
        for name, data in units(logdir):
            if mode == "--names":
                out.write(name.encode("utf-8", "surrogateescape") + b"\n")
            elif mode == "--sizes":
                out.write(b"%s %d\n" % (
                    name.encode("utf-8", "surrogateescape"), len(data)))
            else:
                data = data.replace(b"\0", b"")
                if data and not data.endswith(b"\n"):
                    data += b"\n"
                out.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
