/*
 * pysite.h - the Python call site of an event, as a person wants to read
 * it: not the innermost frame (that is os, pathlib or tempfile) but the
 * innermost frame of the library or program that asked for the write, and
 * the top-level package it belongs to.
 *
 * Works on the "py" frames of trace.h (SCHEMA.md, `py`); nothing here
 * reads files.
 */
#ifndef UNROOT_PYSITE_H
#define UNROOT_PYSITE_H

#include <stdbool.h>
#include <stddef.h>

#include "trace.h"

/*
 * Whether a frame's file is the interpreter's own: a frozen module
 * ("<frozen importlib._bootstrap>") or a file of the standard library
 * (below a lib/pythonX.Y/ directory, or in a pythonXY.zip, but not below
 * its site-packages or dist-packages).
 */
bool py_file_is_stdlib(const char *file);

/*
 * The innermost frame of ev that is neither the standard library nor
 * unroot, or NULL when there is none (no "py" array, or only the
 * interpreter's frames).  When pkg is not NULL it receives the top-level
 * package of that frame (truncated to cap - 1 bytes): the first path
 * component after site-packages/ or dist-packages/ ("matplotlib", "six"
 * for six.py), else the script's name without ".py" ("plot" for
 * /app/plot.py, "<string>" for python -c); "" when NULL is returned.
 */
const struct trace_pyframe *py_library_frame(const struct trace_event *ev,
					     char *pkg, size_t cap);

/*
 * The file of a frame as shown: below site-packages/dist-packages or the
 * standard library directory the part after it ("matplotlib/__init__.py",
 * "pathlib.py"), else the whole name.  A pointer into file.
 */
const char *py_display_file(const char *file);

/*
 * The site as one line, allocated (caller frees), unescaped (the file may
 * hold any byte: escape it before it reaches a terminal or a comment):
 *   "matplotlib/__init__.py:489 in _get_config_or_cache_dir (package
 * matplotlib)"
 *   "/app/plot.py:12 in main (script plot)"
 * The library frame when there is one, else the innermost frame followed
 * by "(standard library)".  NULL when ev has no Python frames.
 */
char *py_site_text(const struct trace_event *ev);

#endif
