/*
 * python.c - Python call sites.  Owns everything the preload knows about
 * CPython: detecting that this process is an interpreter (3.8 or later),
 * an audit hook that remembers, per thread, where in Python code the next
 * file operation comes from, and the "py" key of "ev" records.
 *
 * Why both an audit hook and a frame walk: CPython releases the GIL around
 * open(), mkdir() ... so a wrapper cannot look at Python frames when the
 * call reaches libc; but the interpreter raises an audit event ("open",
 * "os.mkdir" ...) just before, with the GIL held, and a C audit hook can
 * walk the frames then.  C extensions that write while holding the GIL
 * (sqlite3's journal) raise no event; there the wrapper itself holds the
 * GIL and walks the frames directly.
 *
 * Nothing here links libpython: the C API is resolved with dlsym at
 * start-up (the python3 executable exports it; so does libpython3.x.so in
 * an embedding program already loaded then).  Whether any loaded object
 * defines Py_IsInitialized is first asked of the objects' GNU hash tables
 * (symbols.c), which the loader has read already: a failing dlsym
 * would build its error message with malloc, and so set up malloc's heap
 * in every program that is not Python.  Only an object without a GNU hash
 * table, or one that defines the symbol, leads to dlsym, which decides as
 * before.
 *
 * When the hook is installed: PySys_AddAuditHook is documented as safe
 * before Py_Initialize, so the constructor installs it at once and it sees
 * the interpreter's own start-up (imports writing __pycache__).  One case
 * forbids that: when the interpreter will switch to the debug allocator
 * (-X dev, PYTHONDEVMODE, PYTHONMALLOC=*debug) the hook's entry, malloc'd
 * now, would be freed by the debug allocator at exit, which aborts.  There
 * the hook is installed later, at the first recorded event of a thread
 * holding the GIL, or by a pending call (Py_AddPendingCall needs no GIL)
 * asked for by the first recorded event of any thread: the events before
 * that have no site.
 *
 * A remembered site is attached only to the call it belongs to: the same
 * process and thread, an operation the event can cause, and the same path
 * (as given or absolute).  It is consumed by the first recorded event of
 * its thread, matching or not, so it is never reused.  Paths given as
 * PathLike objects or file descriptors cannot be read without running
 * Python code (__fspath__, which a sys.settrace user would see), so those
 * sites match on the operation alone, which is sound because the event is
 * raised immediately before its call.
 *
 * Python is never called without the GIL, in a vfork child (ur_begin
 * records nothing there), while the interpreter finalizes, or re-entered
 * from our own hook.  The error indicator is saved and restored around
 * everything that can fail, and the hook always returns 0: the workload's
 * own audit hooks still run and nothing it can observe changes (the frame
 * walk uses C accessors, not the audited frame.f_code attribute, where the
 * version has them).
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "unroot.h"

typedef struct pyobj pyobj; /* PyObject, opaque */
typedef long pyssize;	    /* Py_ssize_t */
typedef int (*audit_hook_fn)(const char *event, pyobj *args, void *data);

static struct {
	int (*is_initialized)(void);
	int (*is_finalizing)(void);
	void *(*unchecked_tstate)(void);
	void *(*this_thread_state)(void);
	int (*add_audit_hook)(audit_hook_fn hook, void *data);
	int (*add_pending_call)(int (*fn)(void *), void *arg);
	pyobj *(*eval_get_frame)(void);
	pyobj *(*frame_get_code)(pyobj *f); /* 3.9+ */
	pyobj *(*frame_get_back)(pyobj *f); /* 3.9+ */
	int (*frame_get_line)(pyobj *f);
	int (*frame_get_lasti)(pyobj *f); /* 3.11+ */
	pyssize (*object_hash)(pyobj *o); /* Py_hash_t */
	pyobj *(*getattr)(pyobj *o, const char *name);
	pyobj *(*getattr_obj)(pyobj *o, pyobj *name);
	pyobj *(*intern)(const char *s);
	void *(*interp_get)(void); /* 3.9+ */
	void *(*interp_main)(void);
	pyobj *(*fs_encode)(pyobj *unicode);
	const char *(*as_utf8)(pyobj *unicode, pyssize *n);
	int (*bytes_as)(pyobj *b, char **s, pyssize *n);
	pyobj *(*type_of)(pyobj *o);
	int (*is_subtype)(pyobj *a, pyobj *b);
	pyssize (*tuple_size)(pyobj *t);
	pyobj *(*tuple_item)(pyobj *t, pyssize i);
	long (*as_long)(pyobj *o);
	void (*err_fetch)(pyobj **t, pyobj **v, pyobj **tb);
	void (*err_restore)(pyobj *t, pyobj *v, pyobj *tb);
	void (*err_clear)(void);
	void (*incref)(pyobj *o);
	void (*decref)(pyobj *o);
	pyobj *none, *str_type, *bytes_type, *long_type;
} py;

static int py_present;	      /* the C API resolved: this is CPython */
static int hook_installed;    /* our audit hook is in the runtime's list */
static int pending_asked;     /* a pending call will install it */
static int qualname_missing;  /* code objects have no co_qualname (< 3.11) */
static int linetable_missing; /* no co_linetable, only co_lnotab (< 3.10) */
static pthread_key_t site_key;

#define PY_FRAMES 8
#define PY_FN_MAX 256

struct py_frame {
	int line;
	unsigned short flen, fnlen;
	char file[PATH_MAX];
	char fn[PY_FN_MAX];
};

struct py_site {
	bool valid;
	bool any_path; /* the event named no readable path */
	pid_t pid;
	unsigned ops; /* bit per enum unroot_op it can cause */
	size_t plen;
	char path[PATH_MAX];
	int nframes;
	struct py_frame fr[PY_FRAMES + 1]; /* + the caller of importlib */
};

/* per thread: its frames' lines (pyline.c), the site an audit event left
 * and a scratch for a walk */
struct py_tls {
	struct ur_pyline_memo lines;
	struct py_site site;
	struct py_site now;
};

static __thread struct py_tls *tls;
static __thread int in_python; /* >0: we are calling CPython ourselves */

#define OPBIT(o) (1u << (o))

static void free_tls(void *p)
{
	if (p)
		munmap(p, sizeof(struct py_tls));
}

static struct py_tls *get_tls(void)
{
	if (LIKELY(tls != NULL))
		return tls;
	void *p = mmap(NULL, sizeof(struct py_tls), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	tls = p;
	pthread_setspecific(site_key, p);
	return tls;
}

/* ---- calling CPython ---- */

static bool is_instance(pyobj *o, pyobj *type)
{
	if (!type)
		return false;
	pyobj *t = py.type_of(o);
	if (!t)
		return false;
	bool r = py.is_subtype(t, type) != 0;
	py.decref(t);
	return r;
}

/* A str or bytes path as the bytes libc will see; false otherwise. */
static bool path_bytes(pyobj *o, char *out, size_t cap, size_t *len)
{
	pyobj *b = NULL;
	char *s;
	pyssize n;
	bool ok = false;

	if (is_instance(o, py.str_type)) {
		b = py.fs_encode(o);
		if (!b)
			return false;
		o = b;
	} else if (!is_instance(o, py.bytes_type)) {
		return false;
	}
	if (py.bytes_as(o, &s, &n) == 0 && n >= 0 && (size_t)n < cap) {
		memcpy(out, s, (size_t)n);
		out[n] = 0;
		*len = (size_t)n;
		ok = true;
	}
	if (b)
		py.decref(b);
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

static void forget_attr_names(void)
{
	for (int i = 0; i < A_COUNT; i++)
		__atomic_store_n(&attr_names[i], NULL, __ATOMIC_RELEASE);
}

/* o's attribute a; GIL held.  NULL with an error set when it has none. */
static pyobj *attr(pyobj *o, enum py_attr a)
{
	if (!py.getattr_obj || !py.intern || !py.interp_get ||
	    !py.interp_main || py.interp_get() != py.interp_main())
		return py.getattr(o, attr_text_of[a]);
	pyobj *name = __atomic_load_n(&attr_names[a], __ATOMIC_ACQUIRE);
	if (!name) {
		pyobj *none = NULL;
		name = py.intern(attr_text_of[a]);
		if (!name) {
			py.err_clear();
			return py.getattr(o, attr_text_of[a]);
		}
		if (!__atomic_compare_exchange_n(&attr_names[a], &none, name,
						 false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			name = none; /* another thread's: ours is kept too */
	}
	return py.getattr_obj(o, name);
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
		if (path_bytes(v, out, cap, &len))
			n = (unsigned short)len;
	} else if (is_instance(v, py.str_type)) {
		pyssize len;
		const char *s = py.as_utf8(v, &len);
		if (s && len >= 0 && (size_t)len < cap) {
			memcpy(out, s, (size_t)len);
			n = (unsigned short)len;
		}
	}
	out[n] = 0;
	py.decref(v);
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
		py.err_clear();
		return false;
	}
	*out = py.as_long(v);
	py.decref(v);
	if (*out != -1)
		return true;
	py.err_clear(); /* an error, or -1: not a line or offset to keep */
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
			py.err_clear();
			linetable_missing = 1;
		}
	}
	if (linetable_missing)
		tab = attr(code, A_LNOTAB);
	if (!tab || !is_instance(tab, py.bytes_type) ||
	    py.bytes_as(tab, &bytes, &n) != 0) {
		if (tab)
			py.decref(tab);
		py.err_clear();
		return false;
	}
	k->table_len = n;
	k->table_hash = py.object_hash(tab);
	py.decref(tab);
	if (k->table_hash == -1) {
		py.err_clear();
		return false;
	}
	if (!attr_long(code, A_FIRSTLINENO, &k->first))
		return false;
	if (py.frame_get_lasti) {
		k->lasti = py.frame_get_lasti(f);
		return true;
	}
	return attr_long(f, A_LASTI, &k->lasti);
}

/* PyFrame_GetLineNumber(f), remembered in memo under what decides it. */
static int frame_line(struct ur_pyline_memo *memo, pyobj *f, pyobj *code)
{
	struct ur_pyline_key k;
	int line;

	if (!py.object_hash || !line_key(f, code, &k))
		return py.frame_get_line(f);
	if (ur_pyline_find(memo, &k, &line))
		return line;
	line = py.frame_get_line(f);
	ur_pyline_keep(memo, &k, line);
	return line;
}

/*
 * The innermost Python frames of this thread into site; GIL held.  At most
 * PY_FRAMES, and when all of those are the interpreter's frozen modules
 * (an import writing __pycache__ is deeper than that) the first frame
 * further out that is not is added: the code that imported.
 */
static void walk_frames(struct py_tls *t, struct py_site *site)
{
	pyobj *et, *ev, *etb;
	pyobj *f = py.eval_get_frame();
	bool all_frozen = true;
	int depth = 0;

	site->nframes = 0;
	if (!f)
		return;
	py.err_fetch(&et, &ev, &etb);
	py.incref(f);
	while (f && depth++ < 64) {
		if (site->nframes == PY_FRAMES && !all_frozen)
			break;
		struct py_frame *fr = &site->fr[site->nframes];
		pyobj *code =
		    py.frame_get_code ? py.frame_get_code(f) : attr(f, A_CODE);
		if (!code)
			break;
		fr->line = frame_line(&t->lines, f, code);
		fr->flen = attr_text(code, A_FILENAME, fr->file,
				     sizeof fr->file, true);
		fr->fnlen = 0;
		if (site->nframes == PY_FRAMES && frozen(fr)) {
			py.decref(code); /* still inside importlib: go on */
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
		py.decref(code);
		site->nframes++;
		if (site->nframes > PY_FRAMES)
			break;
next:
		py.err_clear();
		pyobj *back =
		    py.frame_get_back ? py.frame_get_back(f) : attr(f, A_BACK);
		if (back == py.none) {
			py.decref(back);
			back = NULL;
		}
		py.decref(f);
		f = back;
	}
	if (f)
		py.decref(f);
	py.err_clear();
	py.err_restore(et, ev, etb);
}

/* ---- the audit hook ---- */

struct audit_event {
	const char *name;
	unsigned ops;
	int arg; /* which argument names the path */
};

static const struct audit_event events[] = {
    {"open", OPBIT(OP_OPEN) | OPBIT(OP_READ), 0},
    {"os.mkdir", OPBIT(OP_MKDIR), 0},
    {"os.rmdir", OPBIT(OP_RMDIR), 0},
    {"os.remove", OPBIT(OP_UNLINK) | OPBIT(OP_RMDIR), 0},
    {"os.rename", OPBIT(OP_RENAME), 0},
    {"os.link", OPBIT(OP_LINK), 0},
    {"os.symlink", OPBIT(OP_SYMLINK), 1},
    {"os.truncate", OPBIT(OP_TRUNCATE), 0},
    {"os.chmod", OPBIT(OP_CHMOD), 0},
    {"os.chown", OPBIT(OP_CHOWN), 0},
    {"os.utime", OPBIT(OP_UTIME), 0},
    {"os.mkfifo", OPBIT(OP_MKNOD), 0},
    {"os.mknod", OPBIT(OP_MKNOD), 0},
    {"os.setxattr", OPBIT(OP_XATTR), 0},
    {"os.removexattr", OPBIT(OP_XATTR), 0},
    {"os.exec", OPBIT(OP_EXEC), 0},
    {"os.posix_spawn", OPBIT(OP_SPAWN), 0},
    {"os.system", OPBIT(OP_SPAWN) | OPBIT(OP_EXEC), -1},
    {"socket.bind", OPBIT(OP_BIND), 1},
    /* 3.10+: sqlite opens the database inside connect(), GIL released */
    {"sqlite3.connect", OPBIT(OP_OPEN), 0},
};

static bool open_writes(long flags)
{
	return ur_open_writes((int)flags);
}

/* A read open is worth a site only if it is recorded: --reads, or denied. */
static bool read_may_be_recorded(const char *path)
{
	if (ur_record_reads)
		return true;
	long r = syscall(SYS_faccessat, AT_FDCWD, path, R_OK);
	return r < 0 && (errno == EACCES || errno == EPERM);
}

static void remember(const struct audit_event *e, pyobj *args)
{
	struct py_tls *t = get_tls();
	if (!t)
		return;
	struct py_site *s = &t->site;
	pyssize n = py.tuple_size(args);
	unsigned ops = e->ops;

	s->valid = false;
	s->any_path = true;
	s->plen = 0;
	if (e->arg >= 0 && e->arg < n) {
		pyobj *p = py.tuple_item(args, e->arg);
		if (!p || p == py.none)
			return;
		if (path_bytes(p, s->path, sizeof s->path, &s->plen))
			s->any_path = false;
		else if (is_instance(p, py.str_type) ||
			 is_instance(p, py.bytes_type))
			return; /* too long to compare: no site */
		/* else a descriptor or a PathLike: matched on the op alone */
	}
	if (!strcmp(e->name, "open")) {
		long flags = 0;
		if (n > 2) {
			flags = py.as_long(py.tuple_item(args, 2));
			if (flags == -1)
				py.err_clear();
		}
		if (open_writes(flags)) {
			ops = OPBIT(OP_OPEN);
		} else {
			if (s->any_path || !read_may_be_recorded(s->path))
				return;
			ops = OPBIT(OP_READ);
		}
	}
	walk_frames(t, s);
	if (!s->nframes)
		return;
	s->ops = ops;
	s->pid = ur_pid;
	s->valid = true;
}

static int audit_hook(const char *event, pyobj *args, void *data)
{
	(void)data;
	if (event[0] != 'o' && event[0] != 's' && event[0] != 'c')
		return 0;
	if (in_python || !ur_enabled)
		return 0;
	if (event[0] == 'c') {
		/* the runtime drops every hook at finalization */
		if (!strcmp(event, "cpython._PySys_ClearAuditHooks")) {
			__atomic_store_n(&hook_installed, 0, __ATOMIC_RELEASE);
			forget_attr_names();
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
		if (strcmp(event, events[i].name))
			continue;
		pyobj *et, *ev, *etb;
		in_python++;
		ur_guard++;
		py.err_fetch(&et, &ev, &etb);
		remember(&events[i], args);
		py.err_clear();
		py.err_restore(et, ev, etb);
		ur_guard--;
		in_python--;
		break;
	}
	return 0;
}

/* ---- installing it ---- */

/* Install the hook; the caller holds the GIL or Python is not started. */
static void install_hook(void)
{
	pyobj *et = NULL, *ev = NULL, *etb = NULL;
	bool started = py.is_initialized();

	if (__atomic_exchange_n(&hook_installed, 1, __ATOMIC_ACQ_REL))
		return;
	in_python++;
	if (started)
		py.err_fetch(&et, &ev, &etb);
	/* a workload hook may refuse (sys.addaudithook event): then no sites */
	py.add_audit_hook(audit_hook, NULL);
	if (started) {
		py.err_clear();
		py.err_restore(et, ev, etb);
	}
	in_python--;
}

static int install_pending(void *arg)
{
	(void)arg;
	__atomic_store_n(&pending_asked, 0, __ATOMIC_RELEASE);
	if (py.is_initialized() && !(py.is_finalizing && py.is_finalizing()))
		install_hook();
	return 0;
}

/* True when this thread holds the GIL of a running interpreter. */
static bool holds_gil(void)
{
	if (!py.is_initialized())
		return false;
	if (py.is_finalizing && py.is_finalizing())
		return false;
	/*
	 * Not PyGILState_Check(): it answers 1 whenever a subinterpreter
	 * exists (3.8-3.11).  The current thread state (the GIL holder's
	 * before 3.12, this thread's since) must be this thread's own.
	 */
	void *cur = py.unchecked_tstate();
	return cur && cur == py.this_thread_state();
}

/* The debug allocator would free our pre-init hook entry: see the top. */
static bool preinit_is_safe(void)
{
	const char *m = getenv("PYTHONMALLOC");
	const char *d = getenv("PYTHONDEVMODE");
	char cmd[8192];

	if (m && *m && strcmp(m, "malloc") && strcmp(m, "pymalloc"))
		return false;
	if (d && *d)
		return false;
	size_t n = ur_read_file("/proc/self/cmdline", cmd, sizeof cmd - 1);
	cmd[n] = 0;
	for (size_t i = 0; i < n; i += strlen(cmd + i) + 1) {
		const char *a = cmd + i;
		if (!strncmp(a, "-Xdev", 5))
			return false;
		if (!strcmp(a, "-X") && i + 3 < n && !strncmp(a + 3, "dev", 3))
			return false;
		if (!strcmp(a, "-c") || !strcmp(a, "-m") || !strcmp(a, "--"))
			break;
	}
	return n > 0;
}

static void after_fork_child(void)
{
	if (tls) {
		tls->site.valid = false;
		tls->now.valid = false;
	}
	in_python = 0;
	__atomic_store_n(&pending_asked, 0, __ATOMIC_RELEASE);
}

#define SYM(field, name) (*(void **)&py.field = dlsym(RTLD_DEFAULT, name))

void ur_python_init(void)
{
	if (!ur_loaded_may_define("Py_IsInitialized") ||
	    !dlsym(RTLD_DEFAULT, "Py_IsInitialized"))
		return; /* not CPython: the only cost */
	SYM(is_initialized, "Py_IsInitialized");
	if (!SYM(is_finalizing, "Py_IsFinalizing"))
		SYM(is_finalizing, "_Py_IsFinalizing");
	if (!SYM(unchecked_tstate, "PyThreadState_GetUnchecked"))
		SYM(unchecked_tstate, "_PyThreadState_UncheckedGet");
	SYM(this_thread_state, "PyGILState_GetThisThreadState");
	SYM(add_audit_hook, "PySys_AddAuditHook");
	SYM(add_pending_call, "Py_AddPendingCall");
	SYM(eval_get_frame, "PyEval_GetFrame");
	SYM(frame_get_code, "PyFrame_GetCode");
	SYM(frame_get_back, "PyFrame_GetBack");
	SYM(frame_get_line, "PyFrame_GetLineNumber");
	SYM(frame_get_lasti, "PyFrame_GetLasti");
	SYM(object_hash, "PyObject_Hash");
	SYM(getattr, "PyObject_GetAttrString");
	SYM(getattr_obj, "PyObject_GetAttr");
	SYM(intern, "PyUnicode_InternFromString");
	SYM(interp_get, "PyInterpreterState_Get");
	SYM(interp_main, "PyInterpreterState_Main");
	SYM(fs_encode, "PyUnicode_EncodeFSDefault");
	SYM(as_utf8, "PyUnicode_AsUTF8AndSize");
	SYM(bytes_as, "PyBytes_AsStringAndSize");
	SYM(type_of, "PyObject_Type");
	SYM(is_subtype, "PyType_IsSubtype");
	SYM(tuple_size, "PyTuple_Size");
	SYM(tuple_item, "PyTuple_GetItem");
	SYM(as_long, "PyLong_AsLong");
	SYM(err_fetch, "PyErr_Fetch");
	SYM(err_restore, "PyErr_Restore");
	SYM(err_clear, "PyErr_Clear");
	SYM(incref, "Py_IncRef");
	SYM(decref, "Py_DecRef");
	SYM(none, "_Py_NoneStruct");
	SYM(str_type, "PyUnicode_Type");
	SYM(bytes_type, "PyBytes_Type");
	SYM(long_type, "PyLong_Type");
	/* PySys_AddAuditHook is 3.8+: older interpreters are left alone */
	if (!py.is_initialized || !py.unchecked_tstate ||
	    !py.this_thread_state || !py.add_audit_hook || !py.eval_get_frame ||
	    !py.frame_get_line || !py.getattr || !py.fs_encode || !py.as_utf8 ||
	    !py.bytes_as || !py.type_of || !py.is_subtype || !py.tuple_size ||
	    !py.tuple_item || !py.as_long || !py.err_fetch || !py.err_restore ||
	    !py.err_clear || !py.incref || !py.decref || !py.none ||
	    !py.str_type || !py.bytes_type || !py.long_type)
		return;
	if (pthread_key_create(&site_key, free_tls))
		return;
	pthread_atfork(NULL, NULL, after_fork_child);
	py_present = 1;
	if (!py.is_initialized() && preinit_is_safe())
		install_hook();
}

/* ---- the "py" key of an event ---- */

static void emit(struct jbuf *j, const struct py_site *s)
{
	jb_key(j, K_PY);
	jb_raw(j, "[", 1);
	for (int i = 0; i < s->nframes; i++) {
		const struct py_frame *fr = &s->fr[i];
		if (i)
			jb_raw(j, ",", 1);
		jb_raw(j, "{", 1);
		j->comma = false;
		jb_strn(j, K_PY_FILE, fr->file, fr->flen);
		jb_int(j, K_PY_LINE, fr->line);
		jb_strn(j, K_PY_FUNC, fr->fn, fr->fnlen);
		jb_raw(j, "}", 1);
		j->comma = true;
	}
	jb_raw(j, "]", 1);
	j->comma = true;
}

static bool site_matches(const struct py_site *s, const struct call *c,
			 const char *abs_path)
{
	if (!s->valid || s->pid != ur_pid || c->op >= 32 ||
	    !(s->ops & OPBIT(c->op)))
		return false;
	if (s->any_path)
		return true;
	if (c->path && !strcmp(c->path, s->path))
		return true;
	return abs_path && !strcmp(abs_path, s->path);
}

void ur_python_site(struct jbuf *j, const struct call *c, const char *abs_path)
{
	if (!py_present || in_python)
		return;
	struct py_tls *t = tls;
	if (t && t->site.valid) {
		bool match = site_matches(&t->site, c, abs_path);
		t->site.valid = false; /* consumed either way: never reused */
		if (match) {
			emit(j, &t->site);
			return;
		}
	}
	if (!holds_gil()) {
		/* ask the interpreter to install the hook from its main loop */
		if (!__atomic_load_n(&hook_installed, __ATOMIC_ACQUIRE) &&
		    py.add_pending_call && py.is_initialized() &&
		    !(py.is_finalizing && py.is_finalizing()) &&
		    !__atomic_exchange_n(&pending_asked, 1, __ATOMIC_ACQ_REL))
			py.add_pending_call(install_pending, NULL);
		return;
	}
	/* a C extension writing with the GIL held: walk the frames here */
	if (!__atomic_load_n(&hook_installed, __ATOMIC_ACQUIRE))
		install_hook();
	t = get_tls();
	if (!t)
		return;
	in_python++;
	ur_guard++;
	walk_frames(t, &t->now);
	ur_guard--;
	in_python--;
	if (t->now.nframes)
		emit(j, &t->now);
}
