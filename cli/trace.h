/*
 * trace.h - the log reader: every command that consumes a trace goes
 * through this interface, never through the JSON directly.
 *
 * A trace is read in two passes.  trace_open() reads every file once and
 * keeps what is small (processes, mounts, users, groups, ancestor dirs,
 * stacks, untraced programs, the trace.json metadata); events are not kept.
 * trace_each_event() then streams the events of all files merged in time
 * order, so memory grows with the number of processes and distinct stacks,
 * not with the number of events.
 *
 * Damaged input never stops a read: a truncated last line, a corrupt line
 * or an unreadable file becomes a diagnostic naming file and line, and the
 * rest is used.
 */
#ifndef UNROOT_TRACE_H
#define UNROOT_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../schema/schema.h"

enum file_type {
#define FT_ENUM(e, s) e,
	UNROOT_FILE_TYPES(FT_ENUM)
#undef FT_ENUM
	    FT__COUNT
};

/* The state of a file before a call. */
enum state_kind { ST_UNKNOWN = 0, ST_ABSENT, ST_PRESENT };
struct file_state {
	enum state_kind kind;
	enum file_type type;
	unsigned uid, gid;
	unsigned mode; /* permission bits incl. 07000 */
};

struct trace_frame {
	char *module;	      /* full path of the module */
	unsigned long offset; /* address - module base */
	char *symbol;	      /* NULL when unknown */
	unsigned long symoff;
};

struct trace_stack {
	char *id;
	int nframes;
	struct trace_frame *frames; /* innermost first, libunroot removed */
};

struct env_var {
	char *name, *value;
};

struct trace_proc {
	int pid, ppid;
	long long ts;
	char *exe, *argv0, *cwd; /* never NULL ("" when unknown) */
	char **argv;		 /* NULL-terminated, NULL when not recorded */
	unsigned uid, euid, gid, egid;
	unsigned *groups;
	int ngroups;
	unsigned long long ns;
	char *rootfs;
	struct env_var *env;
	int nenv;
	bool stacks;
	bool ptrace;	  /* written by the fallback tracer: no native stack */
	bool forked;	  /* a fork record: fields inherited (SCHEMA.md) */
	bool orphan;	  /* a fork record whose source was not found: the
			     inherited fields are unknown */
	bool ended;	  /* an "end" record was seen */
	long lost;	  /* from the end record */
	char *file;	  /* the log file it came from */
	const char *home; /* env HOME or NULL */
};

struct trace_mount {
	unsigned long long ns;
	char *mnt, *fs, *src, *root, *opts;
	bool ro;
};

struct trace_user {
	char *rootfs, *name, *home, *shell;
	unsigned uid, gid;
};

struct trace_group {
	char *rootfs, *name;
	unsigned gid;
	char **members; /* NULL-terminated */
};

struct trace_os {
	char *rootfs, *id, *version_id, *pretty;
};

struct trace_dir {
	char *path;
	struct file_state st;
};

struct trace_untraced {
	int pid;
	long long ts;
	char *path;
	char *why;
	char *fallback; /* why the fallback tracer could not follow it, or "" */
	const struct trace_proc *proc; /* the process that exec'd, or NULL */
};

/* An inet socket bound ("net" record): the address and port asked for. */
struct trace_net {
	int pid;
	long long ts;
	char *addr; /* "0.0.0.0", "::" */
	unsigned port;
	int err;		       /* 0 when the bind succeeded */
	char *errname;		       /* NULL on success */
	const struct trace_proc *proc; /* the process that bound, or NULL */
};

/* A call only privilege allows, refused ("priv" record: chroot, a set*id
 * call, setgroups, initgroups). */
struct trace_priv {
	int pid;
	long long ts;
	char *fn;
	char *path;		       /* chroot's directory, else NULL */
	char *args;		       /* the other arguments as text, or "" */
	char *errname;		       /* "EPERM" */
	const struct trace_proc *proc; /* the process refused, or NULL */
};

/* One Python frame of an event's "py" array (SCHEMA.md). */
struct trace_pyframe {
	const char
	    *file; /* code object's file name, decoded path ("<frozen ...>") */
	int line;  /* 0 when unknown */
	const char *func; /* qualified name, "" when unknown */
};
#define TRACE_MAX_PYFRAMES 9 /* 8 frames + the importer after 8 frozen ones */

struct trace_event {
	enum unroot_op op;
	const char *fn;
	const char *path;	/* never NULL */
	const char *path2;	/* NULL when absent */
	const char *real;	/* NULL when absent */
	const char *argv0;	/* exec/spawn, NULL when absent */
	const char *flags_text; /* as recorded, NULL when absent */
	int flags; /* O_* bits decoded from flags_text, 0 if none */
	bool has_mode;
	unsigned mode;
	int owner_uid, owner_gid; /* chown; -1 when absent */
	long long ret;
	int err;	     /* 0 on success, else the errno value */
	const char *errname; /* NULL on success */
	int pid, tid;
	long long ts;
	unsigned uid, gid;
	struct file_state st, st2, parent;
	const struct trace_stack *stack; /* NULL when none */
	int npy;			 /* Python frames, 0 when none */
	struct trace_pyframe py[TRACE_MAX_PYFRAMES]; /* innermost first */
	const struct trace_proc *proc; /* the process image that made it */
	const char *file;	       /* log file and line, for messages */
	long line;
};

/* A problem found while reading, with where it was found. */
struct trace_diag {
	char *file; /* NULL for trace-wide messages */
	long line;  /* 0 when not about a line */
	char *message;
	bool warning; /* false: an error (e.g. a whole file unreadable) */
};

struct trace;

/*
 * Read the trace directories (each either a trace directory holding log/,
 * or a directory of .jsonl files).  Returns NULL only when nothing at all
 * could be read; *why then says why (static storage or allocated, do not
 * free).  Diagnostics are kept on the trace.
 */
struct trace *trace_open(char *const *dirs, int ndirs, const char **why);
void trace_close(struct trace *t);

/* Stream every event in time order; stop early when fn returns nonzero,
 * and return that value.  May be called more than once.  The event and
 * its strings are valid only during the call. */
int trace_each_event(struct trace *t,
		     int (*fn)(const struct trace_event *ev, void *ctx),
		     void *ctx);

/*
 * The same pass for a summary, cheaper: every event is counted into
 * *tally, but only the events that run a program (exec, spawn: what
 * warnings.h needs) and the writes that failed are decoded and given to
 * fn, in time order.  A successful write is recognised and counted from
 * the head of its line as the preload writes it (operation, open flags,
 * errno), without decoding it; a line of any other shape is decoded.
 */
struct trace_tally {
	long long written; /* writes that succeeded (trace_event_writes) */
	long long denied;  /* writes refused (trace_event_denied) */
};
int trace_each_notable(struct trace *t,
		       int (*fn)(const struct trace_event *ev, void *ctx),
		       void *ctx, struct trace_tally *tally);

/* For tests: false sends every "ev" line through jansson instead of the
 * fast parser (the reference it must agree with).  Default true. */
void trace_set_fast_events(bool on);

size_t trace_nprocs(const struct trace *t);
const struct trace_proc *trace_proc_at(const struct trace *t, size_t i);
size_t trace_nmounts(const struct trace *t);
const struct trace_mount *trace_mount_at(const struct trace *t, size_t i);
size_t trace_nusers(const struct trace *t);
const struct trace_user *trace_user_at(const struct trace *t, size_t i);
size_t trace_ngroups(const struct trace *t);
const struct trace_group *trace_group_at(const struct trace *t, size_t i);
size_t trace_nos(const struct trace *t);
const struct trace_os *trace_os_at(const struct trace *t, size_t i);
size_t trace_nuntraced(const struct trace *t);
const struct trace_untraced *trace_untraced_at(const struct trace *t, size_t i);
/* The recorded state of an ancestor directory, or NULL. */
const struct trace_dir *trace_dir_state(const struct trace *t,
					const char *path);
size_t trace_nnets(const struct trace *t);
const struct trace_net *trace_net_at(const struct trace *t, size_t i);
size_t trace_npriv(const struct trace *t);
const struct trace_priv *trace_priv_at(const struct trace *t, size_t i);
size_t trace_ndiags(const struct trace *t);
const struct trace_diag *trace_diag_at(const struct trace *t, size_t i);
/* Count of events (known after trace_open). */
long long trace_nevents(const struct trace *t);

/* trace.json of the first directory that has one, or NULL (a json_t *,
 * borrowed; declared void * so this header does not need jansson). */
const void *trace_meta(const struct trace *t, size_t dir_index);
size_t trace_ndirs(const struct trace *t);

/*
 * What trace.json says (SCHEMA.md), read here so that no command spells
 * its keys: for trace directory dir, the workload's argv[0] (NULL when
 * not recorded) and its exit status (false when unknown); and the bind
 * mounts and volumes of `unroot docker` runs, of every directory.
 */
const char *trace_meta_command(const struct trace *t, size_t dir);
bool trace_meta_exit(const struct trace *t, size_t dir, long long *status);
struct trace_bind {
	const char *container; /* the path inside the container */
	const char *host;      /* the host path, NULL when unknown */
	const char *volume;    /* a named volume, NULL for a bind mount */
	bool ro;
};
size_t trace_nbinds(const struct trace *t);
const struct trace_bind *trace_bind_at(const struct trace *t, size_t i);

/*
 * The cross-check of an `unroot docker` run (trace.json "layer"): the
 * changes of the container's layer (docker diff) that no event explains,
 * of every directory, and per directory whether the check ran.
 */
struct trace_unseen {
	char change; /* 'A' added, 'C' changed, 'D' deleted */
	const char *path;
	struct file_state st;	  /* after the run; ST_UNKNOWN for D */
	struct file_state parent; /* its directory; ST_UNKNOWN when unread */
};
size_t trace_nunseen(const struct trace *t);
const struct trace_unseen *trace_unseen_at(const struct trace *t, size_t i);
struct trace_layer {
	long long changes;	 /* the layer's changes, -1 when unread */
	const char *error;	 /* why the check could not run, or NULL */
	size_t nuncovered;	 /* mounts the layer does not cover */
	const char *uncovered[]; /* their paths */
};
/* NULL when directory dir had no cross-check (a host run, older trace). */
const struct trace_layer *trace_meta_layer(const struct trace *t, size_t dir);

/*
 * The options of an `unroot docker` run (trace.json "run"), NULL when dir
 * has none.  An env var whose value came from the host's environment has
 * value NULL: it was not recorded.
 */
struct trace_strs {
	char **v;
	size_t n;
};
struct trace_run_env {
	char *name;
	char *value; /* NULL: from the host's environment, not recorded */
};
struct trace_run {
	char *user, *workdir, *entrypoint; /* NULL when not given */
	bool read_only;
	struct trace_run_env *env;
	size_t nenv;
	bool has_command; /* arguments were given after the image */
	struct trace_strs command, env_files, ports, tmpfs, group_add, cap_add,
	    cap_drop, security_opt, sysctl;
};
const struct trace_run *trace_meta_run(const struct trace *t, size_t dir);

/*
 * Whether an event changes the file system, the definition every command
 * shares: schema.h's attributes of its operation (OPA_WRITES; an open by
 * UNROOT_OPEN_WRITES of its flags: O_WRONLY, O_RDWR, O_CREAT, O_TRUNC,
 * O_APPEND or O_TMPFILE).  Failed calls count too (a denied write is still
 * a write the workload wanted).  What else an operation does (metadata
 * only, a probe, path2 a path) is unroot_op_attrs(ev->op).
 */
bool trace_event_writes(const struct trace_event *ev);

/*
 * Whether a call was refused for want of permission, the definition every
 * command shares: EACCES, EPERM, or EROFS (a read-only file system refuses
 * a write as surely as a mode does).  Other failures (ENOENT, EEXIST ...)
 * would fail for any user.  trace_errno_denied is the errno's part alone;
 * an event is no denial when trace_event_erofs_on_missing_name says it
 * stands for ENOENT.
 */
bool trace_errno_denied(int err);
bool trace_event_denied(const struct trace_event *ev);
/*
 * Whether a read-only file system refused the removal or rename of a name
 * that did not exist (its state before the call: absent): the kernel
 * refuses those calls there before it looks the name up, where a writable
 * one answers ENOENT.  Nothing needed writing: Ruby's FileUtils.rm_f of a
 * stale file goes on either way.  No denial: a failed write like ENOENT.
 */
bool trace_event_erofs_on_missing_name(const struct trace_event *ev);

/*
 * The record type of one log line (enum unroot_rec), and for an event its
 * errno (0 on success) in *err; -1 when the line is not a record (not a
 * JSON object, no or an unknown "t").  For commands that copy or filter
 * log files without reading a whole trace.
 */
int trace_line_record(const char *line, size_t len, int *err);

/*
 * The caller a person wants to read: the first frame of ev's stack outside
 * libc, the loader, the threading and unwinding libraries and libunroot;
 * NULL when there is none.  trace_frame_text() writes a frame as
 * "libsqlite3.so.0:sqlite3_open_v2+0x4f" or "python3.11+0x2000"
 * (allocated, unescaped).
 */
const struct trace_frame *trace_event_frame(const struct trace_event *ev);
char *trace_frame_text(const struct trace_frame *f);

/* What a person calls the program of a process image: the basename of its
 * executable, else of its argv[0], else unknown (also when p is NULL). */
const char *trace_program(const struct trace_proc *p, const char *unknown);

/* Names. */
const char *op_name(enum unroot_op op);
int op_from_name(const char *name); /* -1 when unknown */
const char *file_type_name(enum file_type t);

#endif
