/*
 * trace_private.h - what the files of the log reader share; nothing
 * outside them includes it (trace.h is the reader's interface).  The
 * reader's files, each owning one part:
 *
 *   trace.c          names, the shared predicates, diagnostics, frames and
 *                    the accessors of trace.h
 *   trace_line.c     the line reader (NUL padding, cut lines, descriptors
 *                    given back and reopened) and a line's record type
 *   trace_open.c     finding the files, pass 1 over each (trace_open), and
 *                    trace_close
 *   trace_records.c  the small records of pass 1 (proc, mount, user, group,
 *                    os, dir, stack, untraced, end) and the JSON field
 *                    helpers they are read with
 *   trace_fork.c     fork records completed from their source (SCHEMA.md)
 *   trace_event.c    building an event: what both parsers share (flag
 *                    names, path checks, defaults) and the jansson parser,
 *                    the reference
 *   trace_fast.c     the fast event parser
 *   trace_merge.c    pass 2: every file's events merged in time order
 *
 * Invariants: every key is read by its K_* name of schema/keys.h; the two
 * event parsers build the same trace_event from the same line
 * (tests/cli/test_reader.c compares them); damaged input is a diagnostic,
 * never a stop.
 */
#ifndef UNROOT_TRACE_PRIVATE_H
#define UNROOT_TRACE_PRIVATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "map.h"
#include "trace.h"
#include "tracepack.h"
#include "util.h"

/* ---- the trace ---------------------------------------------------------- */

/* Where a line starts in its log's source, and its line number. */
struct tr_spot {
	off_t off;
	long lineno;
};

/* Spots kept a file: a file with more notable lines is read from its
 * first one on (memory stays bounded however many a log holds). */
#define TR_MAX_SPOTS 1024

/* One process image's log (tracepack.h struct log_unit): named by the
 * path of its own log file, read from src (that file, or a pack). */
struct logfile {
	char *path;		 /* log/NAME: what diagnostics and procs name */
	char *src;		 /* the file its bytes are read from */
	off_t off, len;		 /* where in src; len -1: to its end */
	struct log_stage *stage; /* laid over src (tracepack.h), or NULL */
	size_t dir;		 /* index of the trace directory */
	bool skip;		 /* newer schema, unreadable */
	long long nevents;	 /* "ev" lines seen in pass 1 */
	long long nwritten;	 /* of those, successful writes (tr_glance) */
	long long nnotable;	 /* and those a summary decodes (GL_DECODE) */
	struct tr_spot *spots;	 /* where the first of those are (pass 1) */
	size_t nspots, capspots; /* at most TR_MAX_SPOTS */
	long ev_checked;	 /* event lines already diagnosed by pass 2 */
	struct trace_proc *proc;
	struct trace_stack **stacks; /* sorted by id after pass 1 */
	size_t nstacks, capstacks;
};

/* A growable array of pointers. */
struct ptrvec {
	void **v;
	size_t n, cap;
};

/* trace.json of one trace directory, as read (trace_open.c). */
struct dirmeta {
	json_t *json;  /* NULL when absent */
	char *command; /* "command"[0], NULL when absent */
	bool has_exit;
	long long exit;
	struct trace_layer *layer; /* "layer", NULL when absent */
	struct trace_run *run;	   /* "run", NULL when absent */
};

struct trace {
	char **dirnames;
	struct dirmeta *meta; /* per directory */
	size_t ndirs;
	struct logfile *files;
	size_t nfiles, capfiles;
	struct ptrvec procs, mounts, users, groups, oses, untraced, nets, privs;
	struct ptrvec diags;
	struct ptrvec binds;  /* struct trace_bind, strings owned */
	struct ptrvec unseen; /* struct trace_unseen, path owned */
	struct map dirs; /* path -> struct trace_dir *, the first record's */
	long long nevents;
	struct strbuf pathbuf[1]; /* scratch for tr_ev_path_problem() */
};

/* trace.c */
void tr_pv_push(struct ptrvec *pv, void *p);
__attribute__((format(printf, 5, 6))) void tr_diag(struct trace *t,
						   const char *file, long line,
						   bool warn, const char *fmt,
						   ...);
int tr_file_type_from_name(const char *name); /* -1 when unknown */
int tr_rec_from_name(const char *name);	      /* enum unroot_rec, or -1 */

/* ---- trace_line.c: the line reader ---------------------------------------
 *
 * Reads a file in large blocks and hands out lines in place.  The
 * descriptor may be closed between refills (lr_release_fd) and is reopened
 * at the saved offset.
 */
enum lr_end {
	LR_NL,	/* ended by a newline */
	LR_NUL, /* cut by NUL padding */
	LR_EOF, /* the end of the file, no newline */
};

struct lreader {
	const char *path;
	int fd;
	off_t pos;   /* file offset of the next read */
	off_t limit; /* the offset where its lines end; -1: the file's end */
	const struct log_stage *stage; /* the log's window, laid over it */
	char *buf;
	size_t cap, beg, end;
	bool eof;
	long lineno;
	unsigned long last_use;
	/* the pack's bytes [ahead_off, ahead_off + ahead_len) read ahead of
	 * its segments, when lr_read_ahead asked for it (ahead_cap) */
	char *ahead;
	size_t ahead_cap, ahead_len;
	off_t ahead_off;
};

/* Called when the reader needs a descriptor; may evict another's. */
typedef int (*lr_opener)(struct lreader *r, void *ctx);

void lr_init(struct lreader *r, const char *path, size_t cap);
/* Read the segments of a pack (tracepack.h) cap bytes at a time, the
 * next segments with them: a reader going through every segment in
 * order (pass 1) then makes one read per cap bytes, not one a segment. */
void lr_read_ahead(struct lreader *r, size_t cap);
/* (Re)start r on the log f: its source, offset and limit. */
void lr_start(struct lreader *r, const struct logfile *f);
void lr_release_fd(struct lreader *r);
void lr_free(struct lreader *r);
int lr_open(struct lreader *r);
/* Where the line lr_next just gave out starts in the source. */
off_t lr_line_off(const struct lreader *r, const char *line);
/* Make the line at spot the next one lr_next gives out. */
void lr_seek(struct lreader *r, const struct tr_spot *spot);
int lr_next(struct lreader *r, char **line, size_t *len, enum lr_end *how,
	    lr_opener op, void *ctx);
int tr_line_is_event(const char *s, size_t n);
bool tr_line_looks_cut(const char *s, size_t n);
/* What an event line is, read from its head without decoding it
 * (trace_each_notable): a write that succeeded, another event that is
 * neither a write nor a program run, or one to decode in full. */
enum glance { GL_DECODE, GL_WRITE, GL_OTHER };
enum glance tr_glance(const char *s, size_t n);

/* ---- trace_records.c: pass 1's records and JSON fields ------------------- */

long long tr_jint(json_t *o, const char *key, long long def);
const char *tr_jstr(json_t *o, const char *key);
bool tr_decode_path(json_t *v, struct strbuf *sb);
char *tr_path_dup(json_t *v, bool dflt);
void tr_decode_state(json_t *o, const char *key, struct file_state *st);
/* trace.json's "run" (trace_run.c): NULL when v is not an object. */
struct trace_run *tr_read_run(const json_t *v);
void tr_free_run(struct trace_run *r);

/*
 * A proc record as read, with what a fork record needs to be resolved:
 * which fields it carried itself, and the record it inherits from.
 */
/* The bit of each key a fork record may inherit (PF(EXE) ...). */
enum proc_field {
#define PF_ENUM(e) PF_BIT_##e,
	UNROOT_FORK_INHERITED_KEYS(PF_ENUM)
#undef PF_ENUM
	    PF__COUNT
};
#define PF(e) (1u << PF_BIT_##e)

struct proc_rec {
	struct trace_proc p; /* first: a proc_rec is freed as a trace_proc */
	unsigned have;	     /* PF() of the keys the record carried */
	long long pts;	     /* fork records: ts of the source */
	int from;	     /* fork records: pid of the source */
	int state;	     /* 0 unresolved, 1 resolving, 2 resolved */
};

/* Take one parsed record other than an event; false: skip the file. */
bool tr_take_record(struct trace *t, struct logfile *f, json_t *o, long line);
/* An "end" record with its loss count: the file's process ended. */
void tr_take_end(struct logfile *f, long long lost);
void tr_free_proc(struct trace_proc *p);
void tr_free_mount(struct trace_mount *m);
void tr_free_user(struct trace_user *u);
void tr_free_group(struct trace_group *g);
void tr_free_os(struct trace_os *o);
void tr_free_untraced(struct trace_untraced *u);
void tr_free_priv(struct trace_priv *v);
void tr_free_net(struct trace_net *n);
void tr_free_stack(struct trace_stack *s);
void tr_free_dir(void *d);
void tr_sort_stacks(struct logfile *f);
const struct trace_stack *tr_find_stack(const struct logfile *f,
					const char *id);

/* trace_fork.c */
void tr_resolve_forks(struct trace *t);

/* ---- events: trace_event.c, trace_fast.c, trace_merge.c ------------------ */

/*
 * One log file being streamed: its next event, built when the file is
 * advanced.  The event's strings point into the file's line buffer (the
 * fast parser decodes in place), into cur (jansson) or into the source's
 * own buffers; all stay valid until the source is advanced again.
 */
struct source {
	struct lreader r;
	struct logfile *f;
	bool has;    /* ev is the next event of this file */
	json_t *cur; /* the record ev borrows from (jansson path), or NULL */
	struct trace_event ev;
	struct strbuf pathbuf[4];
	struct strbuf pybuf[TRACE_MAX_PYFRAMES]; /* file names of ev.py */
	size_t order;				 /* file index: the tie-break */
	size_t spot; /* trace_each_notable: the next of f->spots to visit */
};

/* trace_event.c */
int tr_decode_flags(const char *s);
bool tr_path_normal(const char *p);
const char *tr_ev_path_problem(struct trace *t, json_t *o);
void tr_event_defaults(struct trace_event *ev, const struct logfile *f,
		       bool has_pid, bool has_tid, bool has_uid, bool has_gid);
bool tr_json_build(struct source *s, json_t *o);

/*
 * trace_fast.c: the event of an "ev" line into s->ev: 1 when built, 0 to
 * skip it silently (an unknown operation), -1 with *why when its paths are
 * not usable, -2 (the line untouched) when jansson must read it.
 */
int tr_fast_event(struct source *s, char *line, size_t len, const char **why);

/* trace_fast.c: a flat record of one type, read without jansson. */
struct tr_flat {
	const char *type;	 /* the record type ("t") it must be */
	const char *skey, *ikey; /* the string and integer keys wanted */
	const char *s;		 /* the string as written (no escapes) */
	size_t ns;
	long long i;
	bool has_s, has_i;
};
/* false: trace_set_fast_events(false), every line goes to jansson */
bool tr_fast_enabled(void);
bool tr_fast_flat(char *line, size_t len, struct tr_flat *r);

/*
 * A proc record's members as tr_fast_proc found them in the line: strings
 * as written (no escapes; p NULL when absent), integers, and the keys a
 * fork record may inherit (have).  Up to TR_FAST_ITEMS elements in each
 * list; a longer one is left to jansson.
 */
#define TR_FAST_ITEMS 64
struct tr_slice {
	const char *p;
	size_t n;
};
struct tr_proc_fields {
	unsigned have; /* PF() of the inherited keys present */
	bool fork, stacks, has_euid, has_egid, has_argv, has_groups, has_env;
	long long pid, ppid, ts, pts, from, uid, euid, gid, egid, ns;
	struct tr_slice exe, argv0, cwd, rootfs, tracer;
	int nargv, nenv, ngroups;
	/* last: only the scalars above are cleared for each record */
	struct tr_slice argv[TR_FAST_ITEMS];
	struct tr_slice env[2 * TR_FAST_ITEMS]; /* name, value, ... */
	long long groups[TR_FAST_ITEMS];
};
bool tr_fast_proc(char *line, size_t len, struct tr_proc_fields *r);
/* A proc record read by tr_fast_proc, taken as tr_take_record takes it. */
void tr_take_proc_fields(struct trace *t, struct logfile *f,
			 const struct tr_proc_fields *r, long line);

#endif
