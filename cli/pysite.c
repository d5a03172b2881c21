/*
 * pysite.c - the library frame of an event's Python stack (pysite.h).
 *
 * The rules are on the file names CPython records (co_filename):
 *   "<frozen ...>"                         the interpreter's frozen modules
 *   .../lib/python3.11/os.py, pythonXY.zip  the standard library
 *   .../site-packages/PKG/..., dist-packages/PKG/...   installed package PKG
 *   anything else ("/app/plot.py", "<string>")          the user's program
 * unroot itself adds no Python code to a process; a package named unroot
 * or _unroot is skipped all the same, so that a helper never takes the
 * blame for its caller's write.
 */
#define _GNU_SOURCE
#include "pysite.h"

#include <string.h>

#include "util.h"

/* Whether [s, s+n) is "pythonX.Y" (optionally "t", free-threaded) or
 * "pythonXY.zip". */
static bool is_stdlib_component(const char *s, size_t n)
{
	size_t i = 6;

	if (n < 8 || memcmp(s, "python", 6) || (s[6] != '2' && s[6] != '3'))
		return false;
	if (n > 10 && !memcmp(s + n - 4, ".zip", 4)) {
		for (i = 6; i < n - 4; i++)
			if (s[i] < '0' || s[i] > '9')
				return false;
		return true;
	}
	if (s[7] != '.' || n < 9)
		return false;
	for (i = 8; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			break;
	if (i == 8)
		return false;
	return i == n || (i + 1 == n && s[i] == 't');
}

/* The part after the last "/site-packages/" or "/dist-packages/", or NULL. */
static const char *after_packages(const char *file)
{
	static const char *const marks[] = {"/site-packages/",
					    "/dist-packages/"};
	const char *best = NULL;

	for (size_t m = 0; m < 2; m++) {
		size_t k = strlen(marks[m]);

		for (const char *p = strstr(file, marks[m]); p;
		     p = strstr(p + 1, marks[m]))
			if (!best || p + k > best)
				best = p + k;
	}
	return best;
}

/* The part after the last standard-library directory component, or NULL. */
static const char *after_stdlib_dir(const char *file)
{
	const char *best = NULL, *p = file;

	while ((p = strchr(p, '/'))) {
		const char *c = p + 1, *e = strchr(c, '/');

		if (!e)
			break;
		if (is_stdlib_component(c, (size_t)(e - c)))
			best = e + 1;
		p = e;
	}
	return best;
}

bool py_file_is_stdlib(const char *file)
{
	if (!file)
		return false;
	if (!strncmp(file, "<frozen ", 8))
		return true;
	if (file[0] != '/')
		return false; /* "<string>", "<stdin>", a relative script */
	if (after_packages(file))
		return false;
	return after_stdlib_dir(file) != NULL;
}

const char *py_display_file(const char *file)
{
	const char *p;

	if (!file)
		return "";
	if ((p = after_packages(file)) && *p)
		return p;
	if (file[0] == '/' && (p = after_stdlib_dir(file)) && *p)
		return p;
	return file;
}

static void set_pkg(char *pkg, size_t cap, const char *s, size_t n)
{
	if (!pkg || !cap)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(pkg, s, n);
	pkg[n] = '\0';
}

/* The top-level package of a frame's file, into pkg. */
static void package_of(const char *file, char *pkg, size_t cap)
{
	const char *p = after_packages(file), *e;
	size_t n;

	if (p) {
		/* an egg directory holds the package one level down */
		for (;;) {
			e = strchr(p, '/');
			n = e ? (size_t)(e - p) : strlen(p);
			if (e && n > 4 && !memcmp(p + n - 4, ".egg", 4)) {
				p = e + 1;
				continue;
			}
			break;
		}
		if (!e && n > 3 && !memcmp(p + n - 3, ".py", 3))
			n -= 3; /* a top-level module: six.py */
		set_pkg(pkg, cap, p, n);
		return;
	}
	if (file[0] == '<') {
		set_pkg(pkg, cap, file, strlen(file));
		return;
	}
	p = path_basename(file);
	n = strlen(p);
	if (n > 3 && !memcmp(p + n - 3, ".py", 3))
		n -= 3;
	set_pkg(pkg, cap, p, n);
}

static bool is_unroot(const char *file)
{
	const char *p = after_packages(file);
	size_t n;

	if (strstr(file, "/lib/unroot/"))
		return true;
	if (!p)
		return false;
	n = strcspn(p, "/");
	if (n > 3 && !memcmp(p + n - 3, ".py", 3))
		n -= 3;
	return (n == 6 && !memcmp(p, "unroot", 6)) ||
	       (n == 7 && !memcmp(p, "_unroot", 7));
}

const struct trace_pyframe *py_library_frame(const struct trace_event *ev,
					     char *pkg, size_t cap)
{
	set_pkg(pkg, cap, "", 0);
	if (!ev)
		return NULL;
	for (int i = 0; i < ev->npy && i < TRACE_MAX_PYFRAMES; i++) {
		const struct trace_pyframe *f = &ev->py[i];

		if (!f->file || py_file_is_stdlib(f->file) ||
		    is_unroot(f->file))
			continue;
		package_of(f->file, pkg, cap);
		return f;
	}
	return NULL;
}

char *py_site_text(const struct trace_event *ev)
{
	char pkg[256];
	const struct trace_pyframe *lib, *f;
	struct strbuf sb = STRBUF_INIT;

	if (!ev || ev->npy <= 0)
		return NULL;
	lib = py_library_frame(ev, pkg, sizeof pkg);
	f = lib ? lib : &ev->py[0];
	sb_adds(&sb, py_display_file(f->file));
	if (f->line > 0)
		sb_addf(&sb, ":%d", f->line);
	if (f->func && *f->func)
		sb_addf(&sb, " in %s", f->func);
	if (lib)
		sb_addf(&sb, " (%s %s)",
			after_packages(lib->file) ? "package" : "script", pkg);
	else
		sb_adds(&sb, " (standard library)");
	return sb_detach(&sb);
}
