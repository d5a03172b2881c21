/*
 * pyframes.c - the Python frames of a call site, read through CPython's C
 * API (pyapi.h): the code and frame attributes a walk reads (by interned
 * name where that is safe), each frame's file, function and line (lines
 * remembered: pyline.c), and str or bytes paths as libc will see them.
 * python.c decides when a walk happens; everything here runs with the GIL
 * held and leaves no Python error set.
 */
#include <string.h>

#include "pyapi.h"

static int qualname_missing;  /* code objects have no co_qualname (< 3.11) */
static int linetable_missing; /* no co_linetable, only co_lnotab (< 3.10) */

bool ur_py_is_instance(pyobj *o, pyobj *type)
{
	if (!type)
		return false;
	pyobj *t = ur_py.type_of(o);
	if (!t)
		return false;
	bool r = ur_py.is_subtype(t, type) != 0;
	ur_py.decref(t);
	return r;
}

bool ur_py_path_bytes(pyobj *o, char *out, size_t cap, size_t *len)
{
	pyobj *b = NULL;
	char *s;
	pyssize n;
	bool ok = false;

	if (ur_py_is_instance(o, ur_py.str_type)) {
		b = ur_py.fs_encode(o);
		if (!b)
			return false;
		o = b;
	} else if (!ur_py_is_instance(o, ur_py.bytes_type)) {
		return false;
	}
	if (ur_py.bytes_as(o, &s, &n) == 0 && n >= 0 && (size_t)n < cap) {
		memcpy(out, s, (size_t)n);
		out[n] = 0;
		*len = (size_t)n;
		ok = true;
	}
	if (b)
		ur_py.decref(b);
	return ok;
}

/*
 * The attributes a walk reads, by name.  PyObject_GetAttrString makes a
 * new str of the name each time, and the type's attribute cache is keyed
 * on the name object's address: a fresh name always misses and the lookup
 * walks the type's dictionaries (about 780 instructions, against about
 * 120 for a hit).  So in the main interpreter the names
 * are interned once and kept (one reference each, never dropped: they
 * outlive a finalization, and are forgotten then, so that an interpreter
 * started again interns its own); a subinterpreter, which may have its
 * own GIL and its own objects, gets the C strings as before.
 */
enum py_attr {
	A_LINETABLE,
	A_LNOTAB,
	A_FIRSTLINENO,
	A_FILENAME,
	A_QUALNAME,
	A_NAME,
	A_LASTI,
	A_CODE,
	A_BACK,
	A_COUNT
};
static const char *const attr_text_of[A_COUNT] = {
    "co_linetable", "co_lnotab", "co_firstlineno", "co_filename", "co_qualname",
    "co_name",	    "f_lasti",	 "f_code",	   "f_back"};
static pyobj *attr_names[A_COUNT];

void ur_py_forget_attr_names(void)
{
	for (int i = 0; i < A_COUNT; i++)
		__atomic_store_n(&attr_names[i], NULL, __ATOMIC_RELEASE);
}

/* o's attribute a; GIL held.  NULL with an error set when it has none. */
static pyobj *attr(pyobj *o, enum py_attr a)
{
	if (!ur_py.getattr_obj || !ur_py.intern || !ur_py.interp_get ||
	    !ur_py.interp_main || ur_py.interp_get() != ur_py.interp_main())
		return ur_py.getattr(o, attr_text_of[a]);
	pyobj *name = __atomic_load_n(&attr_names[a], __ATOMIC_ACQUIRE);
	if (!name) {
		pyobj *none = NULL;
		name = ur_py.intern(attr_text_of[a]);
		if (!name) {
			ur_py.err_clear();
			return ur_py.getattr(o, attr_text_of[a]);
		}
		if (!__atomic_compare_exchange_n(&attr_names[a], &none, name,
						 false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			name = none; /* another thread's: ours is kept too */
	}
	return ur_py.getattr_obj(o, name);
}

/* A str attribute of o into out (file names as the file system's bytes). */
static unsigned short attr_text(pyobj *o, enum py_attr name, char *out,
				size_t cap, bool fs)
{
	pyobj *v = attr(o, name);
	unsigned short n = 0;

	if (!v)
		return 0;
	if (fs) {
		size_t len;
		if (ur_py_path_bytes(v, out, cap, &len))
			n = (unsigned short)len;
	} else if (ur_py_is_instance(v, ur_py.str_type)) {
		pyssize len;
		const char *s = ur_py.as_utf8(v, &len);
		if (s && len >= 0 && (size_t)len < cap) {
			memcpy(out, s, (size_t)len);
			n = (unsigned short)len;
		}
	}
	out[n] = 0;
	ur_py.decref(v);
	return n;
}

static bool frozen(const struct py_frame *fr)
{
	return !strncmp(fr->file, "<frozen ", 8);
}

/* An int attribute of o; false (no error left) when it has none. */
static bool attr_long(pyobj *o, enum py_attr name, long *out)
{
	pyobj *v = attr(o, name);

	if (!v) {
		ur_py.err_clear();
		return false;
	}
	*out = ur_py.as_long(v);
	ur_py.decref(v);
	if (*out != -1)
		return true;
	ur_py.err_clear(); /* an error, or -1: not a line or offset to keep */
	return false;
}

/* What decides the line of frame f, running code (pyline.c); false when
 * something cannot be read, and then no error is left set. */
static bool line_key(pyobj *f, pyobj *code, struct ur_pyline_key *k)
{
	pyobj *tab = NULL;
	char *bytes;
	pyssize n;

	if (!linetable_missing) {
		tab = attr(code, A_LINETABLE);
		if (!tab) {
			ur_py.err_clear();
			linetable_missing = 1;
		}
	}
	if (linetable_missing)
		tab = attr(code, A_LNOTAB);
	if (!tab || !ur_py_is_instance(tab, ur_py.bytes_type) ||
	    ur_py.bytes_as(tab, &bytes, &n) != 0) {
		if (tab)
			ur_py.decref(tab);
		ur_py.err_clear();
		return false;
	}
	k->table_len = n;
	k->table_hash = ur_py.object_hash(tab);
	ur_py.decref(tab);
	if (k->table_hash == -1) {
		ur_py.err_clear();
		return false;
	}
	if (!attr_long(code, A_FIRSTLINENO, &k->first))
		return false;
	if (ur_py.frame_get_lasti) {
		k->lasti = ur_py.frame_get_lasti(f);
		return true;
	}
	return attr_long(f, A_LASTI, &k->lasti);
}

/* PyFrame_GetLineNumber(f), remembered in memo under what decides it. */
static int frame_line(struct ur_pyline_memo *memo, pyobj *f, pyobj *code)
{
	struct ur_pyline_key k;
	int line;

	if (!ur_py.object_hash || !line_key(f, code, &k))
		return ur_py.frame_get_line(f);
	if (ur_pyline_find(memo, &k, &line))
		return line;
	line = ur_py.frame_get_line(f);
	ur_pyline_keep(memo, &k, line);
	return line;
}

/*
 * The innermost Python frames of this thread into site; GIL held.  At most
 * PY_FRAMES, and when all of those are the interpreter's frozen modules
 * (an import writing __pycache__ is deeper than that) the first frame
 * further out that is not is added: the code that imported.
 */
void ur_py_walk_frames(struct ur_pyline_memo *lines, struct py_site *site)
{
	pyobj *et, *ev, *etb;
	pyobj *f = ur_py.eval_get_frame();
	bool all_frozen = true;
	int depth = 0;

	site->nframes = 0;
	if (!f)
		return;
	ur_py.err_fetch(&et, &ev, &etb);
	ur_py.incref(f);
	while (f && depth++ < 64) {
		if (site->nframes == PY_FRAMES && !all_frozen)
			break;
		struct py_frame *fr = &site->fr[site->nframes];
		pyobj *code = ur_py.frame_get_code ? ur_py.frame_get_code(f)
						   : attr(f, A_CODE);
		if (!code)
			break;
		fr->line = frame_line(lines, f, code);
		fr->flen = attr_text(code, A_FILENAME, fr->file,
				     sizeof fr->file, true);
		fr->fnlen = 0;
		if (site->nframes == PY_FRAMES && frozen(fr)) {
			ur_py.decref(code); /* still inside importlib: go on */
			goto next;
		}
		all_frozen = all_frozen && frozen(fr);
		if (!qualname_missing) {
			fr->fnlen = attr_text(code, A_QUALNAME, fr->fn,
					      sizeof fr->fn, false);
			if (!fr->fnlen)
				qualname_missing = 1;
		}
		if (!fr->fnlen)
			fr->fnlen = attr_text(code, A_NAME, fr->fn,
					      sizeof fr->fn, false);
		ur_py.decref(code);
		site->nframes++;
		if (site->nframes > PY_FRAMES)
			break;
next:
		ur_py.err_clear();
		pyobj *back = ur_py.frame_get_back ? ur_py.frame_get_back(f)
						   : attr(f, A_BACK);
		if (back == ur_py.none) {
			ur_py.decref(back);
			back = NULL;
		}
		ur_py.decref(f);
		f = back;
	}
	if (f)
		ur_py.decref(f);
	ur_py.err_clear();
	ur_py.err_restore(et, ev, etb);
}
