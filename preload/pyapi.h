/*
 * pyapi.h - what python.c and pyframes.c share, and nothing else includes:
 * CPython's C API as python.c resolves it at start-up (ur_py; a member is
 * NULL where this interpreter lacks the function), a call site's frames,
 * and the frame walk.  Every function here is called with the GIL held.
 */
#ifndef UNROOT_PYAPI_H
#define UNROOT_PYAPI_H

#include "unroot.h"

typedef struct pyobj pyobj; /* PyObject, opaque */
typedef long pyssize;	    /* Py_ssize_t */
typedef int (*audit_hook_fn)(const char *event, pyobj *args, void *data);

struct py_api {
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
};
HIDDEN extern struct py_api ur_py;

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

/* pyframes.c */
HIDDEN bool ur_py_is_instance(pyobj *o, pyobj *type);
/* A str or bytes path as the bytes libc will see; false otherwise. */
HIDDEN bool ur_py_path_bytes(pyobj *o, char *out, size_t cap, size_t *len);
/* This thread's innermost frames into site (their lines through lines). */
HIDDEN void ur_py_walk_frames(struct ur_pyline_memo *lines,
			      struct py_site *site);
/* The interpreter finalizes: interned attribute names are not kept. */
HIDDEN void ur_py_forget_attr_names(void);

#endif
