/*
 * helpers.h - building trace events in memory for the planner's unit
 * tests: a root process, states, and one call per helper, so each test
 * reads as the workload it describes.
 */
#ifndef UNROOT_TEST_PLAN_HELPERS_H
#define UNROOT_TEST_PLAN_HELPERS_H

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "planner.h"
#include "quote.h"
#include "util.h"

static struct trace_proc root_proc = {
    .pid = 100,
    .exe = "/usr/bin/python3.11",
    .argv0 = "python3",
    .cwd = "/app",
    .uid = 0,
    .euid = 0,
    .home = "/root",
};

static struct file_state ABSENT = {.kind = ST_ABSENT};

static inline struct file_state S(enum file_type t, unsigned uid, unsigned gid,
				  unsigned mode) {
	struct file_state s = {.kind = ST_PRESENT,
			       .type = t,
			       .uid = uid,
			       .gid = gid,
			       .mode = mode};
	return s;
}
#define DIR_ROOT  S(FT_DIR, 0, 0, 0755)
#define FILE_ROOT S(FT_FILE, 0, 0, 0644)
#define TMP	  S(FT_DIR, 0, 0, 01777)

static inline struct planner *
new_planner(void)
{
	struct plan_options o;
	static struct writers *w;
	char *why = NULL;

	if (!w)
		w = writers_load(&why);
	free(why);
	plan_options_init(&o);
	o.writers = w;
	return planner_new(&o);
}

/* A planner for a read-only root (`unroot plan --read-only`). */
static inline struct planner *new_planner_ro(void)
{
	struct plan_options o;
	static struct writers *w;
	char *why = NULL;

	if (!w)
		w = writers_load(&why);
	free(why);
	plan_options_init(&o);
	o.writers = w;
	o.read_only = true;
	return planner_new(&o);
}

/* An event of proc, as the trace reader makes it. */
static inline struct trace_event
ev_make(enum unroot_op op, const char *path, const char *path2, int flags,
	const char *flags_text, struct file_state st, struct file_state parent,
	struct file_state st2, int err, const struct trace_proc *proc)
{
	struct trace_event ev = {
	    .op = op,
	    .fn = "test",
	    .path = path,
	    .path2 = path2,
	    .flags = flags,
	    .flags_text = flags_text,
	    .st = st,
	    .parent = parent,
	    .st2 = st2,
	    .err = err,
	    .errname = err ? errno_name(err) : NULL,
	    .owner_uid = -1,
	    .owner_gid = -1,
	    .pid = proc->pid,
	    .proc = proc,
	    .uid = proc->euid,
	    .gid = 0,
	};
	return ev;
}

static inline void ev_full(struct planner *p, enum unroot_op op,
			   const char *path, const char *path2, int flags,
			   const char *flags_text, struct file_state st,
			   struct file_state parent, struct file_state st2,
			   int err, const struct trace_proc *proc)
{
	struct trace_event ev = ev_make(op, path, path2, flags, flags_text, st,
					parent, st2, err, proc);

	planner_add_event(p, &ev);
}

#define NOSTATE ((struct file_state){.kind = ST_UNKNOWN})

static inline void ev_creat(struct planner *p, const char *path,
			    struct file_state parent)
{
	ev_full(p, OP_OPEN, path, NULL, O_WRONLY | O_CREAT | O_TRUNC,
		"O_WRONLY|O_CREAT|O_TRUNC", ABSENT, parent, NOSTATE, 0,
		&root_proc);
}

static inline void ev_append(struct planner *p, const char *path,
			     struct file_state st, struct file_state parent)
{
	ev_full(p, OP_OPEN, path, NULL, O_WRONLY | O_APPEND | O_CREAT,
		"O_WRONLY|O_APPEND|O_CREAT", st, parent, NOSTATE, 0,
		&root_proc);
}

static inline void ev_mkdir(struct planner *p, const char *path,
			    struct file_state parent)
{
	ev_full(p, OP_MKDIR, path, NULL, 0, NULL, ABSENT, parent, NOSTATE, 0,
		&root_proc);
}

static inline void ev_unlink(struct planner *p, const char *path,
			     struct file_state st, struct file_state parent)
{
	ev_full(p, OP_UNLINK, path, NULL, 0, NULL, st, parent, NOSTATE, 0,
		&root_proc);
}

static inline void ev_rename(struct planner *p, const char *from,
			     const char *to, struct file_state st,
			     struct file_state parent, struct file_state st2)
{
	ev_full(p, OP_RENAME, from, to, 0, NULL, st, parent, st2, 0,
		&root_proc);
}

static inline void dir_rec(struct planner *p, const char *path,
			   struct file_state st)
{
	struct trace_dir d = {.path = (char *)path, .st = st};

	planner_add_dir(p, &d);
}

/* The directories most cases start from: /, /app and /run root's, /tmp
 * 1777, /root 0700. */
static inline void app_dirs(struct planner *p)
{
	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/app", DIR_ROOT);
	dir_rec(p, "/tmp", TMP);
	dir_rec(p, "/run", DIR_ROOT);
	dir_rec(p, "/root", S(FT_DIR, 0, 0, 0700));
}

/*
 * A mkdir (err 0) or a denied one (err) by proc made from a call site:
 * pyfile, when given, is the file of its one Python frame; module, when
 * given, the module of its one native frame.  What the trace records to
 * say which program or library made a call.
 */
static inline void ev_mkdir_at(struct planner *p, const char *path,
			       struct file_state parent, int err,
			       const struct trace_proc *proc,
			       const char *pyfile, const char *module)
{
	static struct trace_frame frame;
	static struct trace_stack stack = {.id = "s1", .nframes = 1};
	struct trace_event ev = ev_make(OP_MKDIR, path, NULL, 0, NULL, ABSENT,
					parent, NOSTATE, err, proc);

	if (pyfile) {
		ev.npy = 1;
		ev.py[0].file = pyfile;
		ev.py[0].line = 1;
		ev.py[0].func = "f";
	}
	if (module) {
		frame.module = (char *)module;
		stack.frames = &frame;
		ev.stack = &stack;
	}
	planner_add_event(p, &ev);
}

/* A docker anonymous volume (a Dockerfile's VOLUME) mounted at mnt, as
 * the mount table shows it. */
static inline void anonymous_volume(struct planner *p, const char *mnt)
{
	struct trace_mount m = {
	    .mnt = (char *)mnt,
	    .fs = "ext4",
	    .src = "/dev/sda1",
	    .root = "/var/lib/docker/volumes/"
		    "0123456789abcdef0123456789abcdef0123456789abcdef"
		    "0123456789abcdef/_data"};

	planner_add_mount(p, &m);
}

static inline const struct grant *grant_on(const struct plan *pl,
					   enum grant_kind k, const char *path)
{
	for (size_t i = 0; i < pl->ngrants; i++)
		if (pl->grants[i].kind == k &&
		    !strcmp(pl->grants[i].path, path))
			return &pl->grants[i];
	return NULL;
}

/* The plan's tmpfs mount on dir (a read-only root), or NULL. */
static inline const struct tmpfs_fix *tmpfs_on(const struct plan *pl,
					       const char *dir)
{
	for (size_t i = 0; i < pl->ntmpfs; i++)
		if (!strcmp(pl->tmpfs[i].dir, dir))
			return &pl->tmpfs[i];
	return NULL;
}

/* Whether one of the n strings at v holds a (and b, when given). */
static inline bool has_text(char **v, size_t n, const char *a, const char *b)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(v[i], a) && (!b || strstr(v[i], b)))
			return true;
	return false;
}

/* How many of the n strings at v hold a. */
static inline size_t count_text(char **v, size_t n, const char *a)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += strstr(v[i], a) != NULL;
	return k;
}

static inline size_t applied_grants(const struct plan *pl)
{
	size_t n = 0;

	for (size_t i = 0; i < pl->ngrants; i++)
		n += !pl->grants[i].alternative;
	return n;
}

#endif
