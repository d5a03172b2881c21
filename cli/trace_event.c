/*
 * trace_event.c - building a trace_event from an "ev" line: what both of
 * the reader's parsers share (the flag names decoded into O_* bits, the
 * check that paths are absolute and normalised, the defaults SCHEMA.md
 * gives for omitted keys) and the jansson parser, the reference the fast
 * parser (trace_fast.c) must agree with.  An event whose paths are not
 * usable is skipped with a diagnostic; one with an unknown operation is
 * skipped silently (a newer preload's).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "trace_private.h"

/* ---- open/rename/unlink flags -------------------------------------------- */

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE	 (1 << 1)
#define RENAME_WHITEOUT	 (1 << 2)
#endif

struct flag_name {
	const char *name;
	int value;
};

static const struct flag_name flag_names[] = {
    {"O_RDONLY", O_RDONLY},
    {"O_WRONLY", O_WRONLY},
    {"O_RDWR", O_RDWR},
    {"O_CREAT", O_CREAT},
    {"O_EXCL", O_EXCL},
    {"O_NOCTTY", O_NOCTTY},
    {"O_TRUNC", O_TRUNC},
    {"O_APPEND", O_APPEND},
    {"O_NONBLOCK", O_NONBLOCK},
    {"O_NDELAY", O_NDELAY},
    {"O_DSYNC", O_DSYNC},
    {"O_SYNC", O_SYNC},
    {"O_RSYNC", O_RSYNC},
    {"O_ASYNC", O_ASYNC},
    {"O_DIRECT", O_DIRECT},
    {"O_LARGEFILE", O_LARGEFILE},
    {"O_DIRECTORY", O_DIRECTORY},
    {"O_NOFOLLOW", O_NOFOLLOW},
    {"O_NOATIME", O_NOATIME},
    {"O_CLOEXEC", O_CLOEXEC},
    {"O_PATH", O_PATH},
    {"O_TMPFILE", O_TMPFILE},
    {"AT_REMOVEDIR", AT_REMOVEDIR},
    {"AT_SYMLINK_FOLLOW", AT_SYMLINK_FOLLOW},
    {"AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW},
    {"AT_EMPTY_PATH", AT_EMPTY_PATH},
    {"RENAME_NOREPLACE", RENAME_NOREPLACE},
    {"RENAME_EXCHANGE", RENAME_EXCHANGE},
    {"RENAME_WHITEOUT", RENAME_WHITEOUT},
};

/* "O_WRONLY|O_CREAT|0x40000" -> bits; unknown names are ignored. */
int tr_decode_flags(const char *s)
{
	int v = 0;

	while (s && *s) {
		const char *end = strchr(s, '|');
		size_t n = end ? (size_t)(end - s) : strlen(s);

		while (n && (*s == ' ')) {
			s++;
			n--;
		}
		while (n && s[n - 1] == ' ')
			n--;
		if (n && s[0] >= '0' && s[0] <= '9') {
			v |= (int)strtol(s, NULL, 0);
		} else {
			for (size_t i = 0;
			     i < sizeof flag_names / sizeof flag_names[0]; i++)
				if (strlen(flag_names[i].name) == n &&
				    !memcmp(flag_names[i].name, s, n)) {
					v |= flag_names[i].value;
					break;
				}
		}
		s = end ? end + 1 : NULL;
	}
	return v;
}

/* ---- what both parsers check and fill in --------------------------------- */

/* An absolute, lexically normalised path, as SCHEMA.md promises: a forged
 * "/tmp/../etc/passwd" or a relative name must not reach the planner,
 * whose never-grant checks compare prefixes. */
bool tr_path_normal(const char *p)
{
	if (p[0] != '/')
		return false;
	if (!p[1])
		return true;
	for (const char *c = p; c; c = strchr(c + 1, '/')) {
		const char *n = c + 1;
		size_t k = strcspn(n, "/");

		if (k == 0 || (k == 1 && n[0] == '.') ||
		    (k == 2 && n[0] == '.' && n[1] == '.'))
			return false;
	}
	return true;
}

/* NULL when an event's paths are usable, else what is wrong with them. */
const char *tr_ev_path_problem(struct trace *t, json_t *o)
{
	int op = op_from_name(tr_jstr(o, K_OP));
	json_t *v;

	if (!tr_decode_path(json_object_get(o, K_PATH), &t->pathbuf[0]))
		return "no path";
	if (!tr_path_normal(t->pathbuf[0].buf))
		return "a path that is not absolute and normalised";
	v = json_object_get(o, K_PATH2);
	if (v && (unroot_op_attrs((enum unroot_op)op) & OPA_PATH2) &&
	    (!tr_decode_path(v, &t->pathbuf[0]) ||
	     !tr_path_normal(t->pathbuf[0].buf)))
		return "a path2 that is not absolute and normalised";
	v = json_object_get(o, K_REAL);
	if (v && (!tr_decode_path(v, &t->pathbuf[0]) ||
		  !tr_path_normal(t->pathbuf[0].buf)))
		return "a real path that is not absolute and normalised";
	return NULL;
}

/* The defaults SCHEMA.md gives for keys the preload may leave out. */
void tr_event_defaults(struct trace_event *ev, const struct logfile *f,
		       bool has_pid, bool has_tid, bool has_uid, bool has_gid)
{
	if (!has_pid)
		ev->pid = f->proc ? f->proc->pid : 0;
	if (!has_tid)
		ev->tid = ev->pid;
	if (!has_uid)
		ev->uid = f->proc ? f->proc->euid : 0;
	if (!has_gid)
		ev->gid = f->proc ? f->proc->egid : 0;
}

/* ---- the jansson parser: the reference ------------------------------------
 */

/*
 * The "py" array of an event: file names are decoded into the source's
 * buffers, function names borrowed from the record (alive until the next
 * event of that file).  A frame that is not an object with a file is
 * skipped; more than TRACE_MAX_PYFRAMES are ignored.
 */
static void decode_py(struct source *s, json_t *a, struct trace_event *ev)
{
	size_t i;
	json_t *v;

	ev->npy = 0;
	if (!json_is_array(a))
		return;
	json_array_foreach (a, i, v) {
		struct trace_pyframe *f;
		const char *fn;

		if (ev->npy == TRACE_MAX_PYFRAMES)
			break;
		if (!json_is_object(v) ||
		    !tr_decode_path(json_object_get(v, K_PY_FILE),
				    &s->pybuf[ev->npy]))
			continue;
		f = &ev->py[ev->npy];
		f->file = s->pybuf[ev->npy].buf;
		f->line = (int)tr_jint(v, K_PY_LINE, 0);
		fn = tr_jstr(v, K_PY_FUNC);
		f->func = fn ? fn : "";
		ev->npy++;
	}
}

/* The event of a record jansson parsed; false to skip it. */
bool tr_json_build(struct source *s, json_t *o)
{
	struct trace_event *ev = &s->ev;
	json_t *v;
	const char *id;
	int op = op_from_name(tr_jstr(o, K_OP));

	if (op < 0)
		return false;
	memset(ev, 0, sizeof *ev);
	ev->op = (enum unroot_op)op;
	ev->fn = tr_jstr(o, K_FN);
	if (!ev->fn)
		ev->fn = "";
	if (!tr_decode_path(json_object_get(o, K_PATH), &s->pathbuf[0]))
		sb_reset(&s->pathbuf[0]);
	ev->path = s->pathbuf[0].buf;
	if (tr_decode_path(json_object_get(o, K_PATH2), &s->pathbuf[1]))
		ev->path2 = s->pathbuf[1].buf;
	if (tr_decode_path(json_object_get(o, K_REAL), &s->pathbuf[2]))
		ev->real = s->pathbuf[2].buf;
	if (tr_decode_path(json_object_get(o, K_ARGV0), &s->pathbuf[3]))
		ev->argv0 = s->pathbuf[3].buf;
	ev->flags_text = tr_jstr(o, K_FLAGS);
	ev->flags = tr_decode_flags(ev->flags_text);
	if ((id = tr_jstr(o, K_MODE))) {
		ev->has_mode = true;
		ev->mode = (unsigned)strtoul(id, NULL, 8);
	}
	v = json_object_get(o, K_OWNER);
	ev->owner_uid = json_is_array(v)
			    ? (int)json_integer_value(json_array_get(v, 0))
			    : -1;
	ev->owner_gid = json_is_array(v)
			    ? (int)json_integer_value(json_array_get(v, 1))
			    : -1;
	ev->ret = tr_jint(o, K_RET, 0);
	ev->errname = tr_jstr(o, K_ERRNO);
	ev->err = ev->errname ? errno_from_name(ev->errname) : 0;
	/* the defaults SCHEMA.md gives for keys the preload may omit */
	ev->pid = (int)tr_jint(o, K_PID, s->f->proc ? s->f->proc->pid : 0);
	ev->tid = (int)tr_jint(o, K_TID, ev->pid);
	ev->ts = tr_jint(o, K_TS, 0);
	ev->uid =
	    (unsigned)tr_jint(o, K_UID, s->f->proc ? s->f->proc->euid : 0);
	ev->gid =
	    (unsigned)tr_jint(o, K_GID, s->f->proc ? s->f->proc->egid : 0);
	tr_decode_state(o, K_ST, &ev->st);
	tr_decode_state(o, K_ST2, &ev->st2);
	tr_decode_state(o, K_PARENT, &ev->parent);
	id = tr_jstr(o, K_STACK);
	ev->stack = id ? tr_find_stack(s->f, id) : NULL;
	decode_py(s, json_object_get(o, K_PY), ev);
	ev->proc = s->f->proc;
	ev->file = s->f->path;
	return true;
}
