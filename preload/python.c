/*
 * python.c - Python call sites.  Owns everything the preload knows about
 * CPython: detecting that this process is an interpreter (3.8 or later)
 * and resolving its C API (pyapi.h), an audit hook that remembers, per
 * thread, where in Python code the next file operation comes from, and the
 * "py" key of "ev" records.  Reading the frames is pyframes.c's.
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

#include "pyapi.h"

struct py_api ur_py;

static int py_present;	   /* the C API resolved: this is CPython */
static int hook_installed; /* our audit hook is in the runtime's list */
static int pending_asked;  /* a pending call will install it */
static pthread_key_t site_key;

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
		ur_syscall(SYS_munmap, p, sizeof(struct py_tls));
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
	long r = ur_syscall(SYS_faccessat, AT_FDCWD, path, R_OK);
	return r < 0 && (errno == EACCES || errno == EPERM);
}

static void remember(const struct audit_event *e, pyobj *args)
{
	struct py_tls *t = get_tls();
	if (!t)
		return;
	struct py_site *s = &t->site;
	pyssize n = ur_py.tuple_size(args);
	unsigned ops = e->ops;

	s->valid = false;
	s->any_path = true;
	s->plen = 0;
	if (e->arg >= 0 && e->arg < n) {
		pyobj *p = ur_py.tuple_item(args, e->arg);
		if (!p || p == ur_py.none)
			return;
		if (ur_py_path_bytes(p, s->path, sizeof s->path, &s->plen))
			s->any_path = false;
		else if (ur_py_is_instance(p, ur_py.str_type) ||
			 ur_py_is_instance(p, ur_py.bytes_type))
			return; /* too long to compare: no site */
		/* else a descriptor or a PathLike: matched on the op alone */
	}
	if (!strcmp(e->name, "open")) {
		long flags = 0;
		if (n > 2) {
			flags = ur_py.as_long(ur_py.tuple_item(args, 2));
			if (flags == -1)
				ur_py.err_clear();
		}
		if (open_writes(flags)) {
			ops = OPBIT(OP_OPEN);
		} else {
			if (s->any_path || !read_may_be_recorded(s->path))
				return;
			ops = OPBIT(OP_READ);
		}
	}
	ur_py_walk_frames(&t->lines, s);
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
			ur_py_forget_attr_names();
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
		if (strcmp(event, events[i].name))
			continue;
		pyobj *et, *ev, *etb;
		in_python++;
		ur_guard++;
		ur_py.err_fetch(&et, &ev, &etb);
		remember(&events[i], args);
		ur_py.err_clear();
		ur_py.err_restore(et, ev, etb);
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
	bool started = ur_py.is_initialized();

	if (__atomic_exchange_n(&hook_installed, 1, __ATOMIC_ACQ_REL))
		return;
	in_python++;
	if (started)
		ur_py.err_fetch(&et, &ev, &etb);
	/* a workload hook may refuse (sys.addaudithook event): then no sites */
	ur_py.add_audit_hook(audit_hook, NULL);
	if (started) {
		ur_py.err_clear();
		ur_py.err_restore(et, ev, etb);
	}
	in_python--;
}

static int install_pending(void *arg)
{
	(void)arg;
	__atomic_store_n(&pending_asked, 0, __ATOMIC_RELEASE);
	if (ur_py.is_initialized() &&
	    !(ur_py.is_finalizing && ur_py.is_finalizing()))
		install_hook();
	return 0;
}

/* True when this thread holds the GIL of a running interpreter. */
static bool holds_gil(void)
{
	if (!ur_py.is_initialized())
		return false;
	if (ur_py.is_finalizing && ur_py.is_finalizing())
		return false;
	/*
	 * Not PyGILState_Check(): it answers 1 whenever a subinterpreter
	 * exists (3.8-3.11).  The current thread state (the GIL holder's
	 * before 3.12, this thread's since) must be this thread's own.
	 */
	void *cur = ur_py.unchecked_tstate();
	return cur && cur == ur_py.this_thread_state();
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
	size_t n = ur_read_proc("cmdline", cmd, sizeof cmd - 1);
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

#define SYM(field, name) (*(void **)&ur_py.field = dlsym(RTLD_DEFAULT, name))

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
	if (!ur_py.is_initialized || !ur_py.unchecked_tstate ||
	    !ur_py.this_thread_state || !ur_py.add_audit_hook ||
	    !ur_py.eval_get_frame || !ur_py.frame_get_line || !ur_py.getattr ||
	    !ur_py.fs_encode || !ur_py.as_utf8 || !ur_py.bytes_as ||
	    !ur_py.type_of || !ur_py.is_subtype || !ur_py.tuple_size ||
	    !ur_py.tuple_item || !ur_py.as_long || !ur_py.err_fetch ||
	    !ur_py.err_restore || !ur_py.err_clear || !ur_py.incref ||
	    !ur_py.decref || !ur_py.none || !ur_py.str_type ||
	    !ur_py.bytes_type || !ur_py.long_type)
		return;
	if (pthread_key_create(&site_key, free_tls))
		return;
	pthread_atfork(NULL, NULL, after_fork_child);
	py_present = 1;
	if (!ur_py.is_initialized() && preinit_is_safe())
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
		    ur_py.add_pending_call && ur_py.is_initialized() &&
		    !(ur_py.is_finalizing && ur_py.is_finalizing()) &&
		    !__atomic_exchange_n(&pending_asked, 1, __ATOMIC_ACQ_REL))
			ur_py.add_pending_call(install_pending, NULL);
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
	ur_py_walk_frames(&t->lines, &t->now);
	ur_guard--;
	in_python--;
	if (t->now.nframes)
		emit(j, &t->now);
}
