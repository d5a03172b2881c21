/*
 * trace.c - the log reader declared in trace.h.  It owns everything that
 * knows the JSON of SCHEMA.md: the other commands see only the structs.
 *
 * Pass 1 (trace_open) reads each log file once, line by line, and keeps
 * the small records (proc, mount, user, group, os, dir, stack, untraced,
 * end).  Event lines are recognised by their prefix and only counted, so
 * pass 1 is I/O bound.  Pass 2 (trace_each_event) opens every file that
 * has events, keeps one parsed event per file, and merges them through a
 * binary heap on (ts, file); memory is one line buffer and one event per
 * file.  When there are more files than descriptors, readers give their
 * descriptor back and reopen at the saved offset when next needed.
 *
 * NUL bytes are padding and skipped (a record cut by them is a warning),
 * a last line without a newline is a warning, a line that is not JSON is a
 * warning naming file:line, and a record with a newer schema version makes
 * the whole file an error and it is skipped.
 */
#define _GNU_SOURCE
#include "trace.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* ---- names --------------------------------------------------------------- */

static const char *const op_names[] = {
#define OP_NAME(e, s) s,
    UNROOT_OPS(OP_NAME)
#undef OP_NAME
};

static const char *const ft_names[] = {
#define FT_NAME(e, s) s,
    UNROOT_FILE_TYPES(FT_NAME)
#undef FT_NAME
};

const char *op_name(enum unroot_op op)
{
	if ((int)op < 0 || op >= OP__COUNT)
		return "?";
	return op_names[op];
}

int op_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < OP__COUNT; i++)
		if (!strcmp(op_names[i], name))
			return i;
	return -1;
}

const char *file_type_name(enum file_type t)
{
	if ((int)t < 0 || t >= FT__COUNT)
		return "?";
	return ft_names[t];
}

static int file_type_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < FT__COUNT; i++)
		if (!strcmp(ft_names[i], name))
			return i;
	return -1;
}

bool trace_event_writes(const struct trace_event *ev)
{
	switch (ev->op) {
	case OP_OPEN:
		return (ev->flags &
			(O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) ||
		       (ev->flags & O_TMPFILE) == O_TMPFILE;
	case OP_CONNECT:
	case OP_EXEC:
	case OP_SPAWN:
	case OP_READ:
	case OP_STAT:
	case OP_ACCESS:
	case OP__COUNT:
		return false;
	default:
		return true;
	}
}

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
static int decode_flags(const char *s)
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

/* ---- the trace ----------------------------------------------------------- */

struct logfile {
	char *path;
	size_t dir;	   /* index of the trace directory */
	bool skip;	   /* newer schema, unreadable */
	long long nevents; /* "ev" lines seen in pass 1 */
	long ev_checked;   /* event lines already diagnosed by pass 2 */
	struct trace_proc *proc;
	struct trace_stack **stacks; /* sorted by id after pass 1 */
	size_t nstacks, capstacks;
};

/* A growable array of pointers. */
struct ptrvec {
	void **v;
	size_t n, cap;
};

static void pv_push(struct ptrvec *pv, void *p)
{
	pv->v = xgrow(pv->v, &pv->cap, pv->n + 1, sizeof *pv->v);
	pv->v[pv->n++] = p;
}

/* Directory states: an open-addressing hash on the path. */
struct dirmap {
	struct trace_dir **slot;
	size_t n, cap; /* cap is a power of two */
};

struct trace {
	char **dirnames;
	json_t **meta; /* per directory, NULL when absent */
	size_t ndirs;
	struct logfile *files;
	size_t nfiles, capfiles;
	struct ptrvec procs, mounts, users, groups, oses, untraced, diags;
	struct dirmap dirs;
	long long nevents;
	struct strbuf pathbuf[1]; /* scratch for ev_path_problem() */
};

/* ---- diagnostics --------------------------------------------------------- */

__attribute__((format(printf, 5, 6))) static void diag(struct trace *t,
						       const char *file,
						       long line, bool warn,
						       const char *fmt, ...)
{
	struct trace_diag *d = xcalloc(1, sizeof *d);
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	d->file = file ? xstrdup(file) : NULL;
	d->line = line;
	d->message = sb_detach(&sb);
	d->warning = warn;
	pv_push(&t->diags, d);
}

/* ---- JSON field helpers -------------------------------------------------- */

static long long jint(json_t *o, const char *key, long long def)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v)) {
		double d = json_real_value(v);

		/* converting a double outside long long is undefined */
		if (!(d > -9.2e18 && d < 9.2e18))
			return def;
		return (long long)d;
	}
	return def;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/*
 * A path as SCHEMA.md writes it (a string or {"hex": ...}) into sb, by
 * util.h's one policy.  Returns false when v is absent, of another form
 * or malformed.
 */
static bool decode_path(json_t *v, struct strbuf *sb)
{
	char *s = json_path_value(v);

	sb_reset(sb);
	if (!s)
		return false;
	sb_adds(sb, s);
	free(s);
	return true;
}

/* An allocated copy of a path field; "" when absent if dflt, else NULL. */
static char *path_dup(json_t *v, bool dflt)
{
	struct strbuf sb = STRBUF_INIT;

	if (!decode_path(v, &sb)) {
		sb_release(&sb);
		return dflt ? xstrdup("") : NULL;
	}
	return sb_detach(&sb);
}

static char *str_dup(json_t *o, const char *key)
{
	const char *s = jstr(o, key);

	return xstrdup(s ? s : "");
}

static void decode_state(json_t *o, const char *key, struct file_state *st)
{
	json_t *v = json_object_get(o, key);
	const char *mode;
	int ft;

	memset(st, 0, sizeof *st);
	if (!v) {
		st->kind = ST_UNKNOWN;
		return;
	}
	if (json_is_null(v)) {
		st->kind = ST_ABSENT;
		return;
	}
	if (!json_is_object(v)) {
		st->kind = ST_UNKNOWN;
		return;
	}
	st->kind = ST_PRESENT;
	ft = file_type_from_name(jstr(v, "type"));
	st->type = ft < 0 ? FT_FILE : (enum file_type)ft;
	st->uid = (unsigned)jint(v, "uid", 0);
	st->gid = (unsigned)jint(v, "gid", 0);
	mode = jstr(v, "mode");
	st->mode = mode ? (unsigned)strtoul(mode, NULL, 8) & 07777 : 0;
}

/* ---- line reader ----------------------------------------------------------
 *
 * Reads a file in large blocks and hands out lines in place.  The
 * descriptor may be closed between refills (lr_release_fd) and is reopened
 * at the saved offset.
 *
 * NUL bytes are padding, wherever they are (SCHEMA.md): the preload
 * reserves space for a record in a shared mapping before writing it, so a
 * process killed in between leaves NULs between records, and the unused
 * end of a preallocated file is NULs.  A run of NULs is skipped; a line
 * whose bytes stop at a NUL instead of a newline is a record cut short
 * (LR_NUL), and reading goes on after the NULs.
 */
enum lr_end {
	LR_NL,	/* ended by a newline */
	LR_NUL, /* cut by NUL padding */
	LR_EOF, /* the end of the file, no newline */
};

struct lreader {
	const char *path;
	int fd;
	off_t pos; /* file offset of the next read */
	char *buf;
	size_t cap, beg, end;
	bool eof;
	long lineno;
	unsigned long last_use;
};

static void lr_init(struct lreader *r, const char *path, size_t cap)
{
	memset(r, 0, sizeof *r);
	r->path = path;
	r->fd = -1;
	r->cap = cap;
	r->buf = xmalloc(cap);
}

static void lr_release_fd(struct lreader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

static void lr_free(struct lreader *r)
{
	lr_release_fd(r);
	free(r->buf);
	r->buf = NULL;
}

/* Open (or reopen) the file; returns -1 with errno set. */
static int lr_open(struct lreader *r)
{
	if (r->fd >= 0)
		return 0;
	r->fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (r->fd < 0)
		return -1;
	if (r->pos && lseek(r->fd, r->pos, SEEK_SET) < 0) {
		int e = errno;

		lr_release_fd(r);
		errno = e;
		return -1;
	}
	return 0;
}

/* Called when the reader needs a descriptor; may evict another's. */
typedef int (*lr_opener)(struct lreader *r, void *ctx);

static int lr_fill(struct lreader *r, lr_opener op, void *ctx)
{
	ssize_t got;

	if (r->beg) {
		memmove(r->buf, r->buf + r->beg, r->end - r->beg);
		r->end -= r->beg;
		r->beg = 0;
	}
	if (r->end == r->cap) {
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
	if (r->fd < 0 && (op ? op(r, ctx) : lr_open(r)) < 0)
		return -1;
	do
		got = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -1;
	if (got == 0) {
		r->eof = true;
		return 0;
	}
	r->pos += got;
	r->end += (size_t)got;
	return 0;
}

/* Step over NUL padding at r->beg (a preallocated tail may be long). */
static void lr_skip_nul(struct lreader *r)
{
	size_t i = r->beg;

	while (i < r->end && (i & 7) && !r->buf[i])
		i++;
	if (i < r->end && !r->buf[i]) {
		uint64_t w;

		while (i + 8 <= r->end && (memcpy(&w, r->buf + i, 8), !w))
			i += 8;
		while (i < r->end && !r->buf[i])
			i++;
	}
	r->beg = i;
}

/*
 * The next line, without its newline, NUL-terminated in place.  Returns 1
 * with *how telling what ended it, 0 at the end, -1 on a read error (errno
 * set).
 */
static int lr_next(struct lreader *r, char **line, size_t *len,
		   enum lr_end *how, lr_opener op, void *ctx)
{
	for (;;) {
		char *s, *p, *z;
		size_t n;

		lr_skip_nul(r);
		s = r->buf + r->beg;
		n = r->end - r->beg;
		p = memchr(s, '\n', n);
		z = memchr(s, '\0', p ? (size_t)(p - s) : n);
		if (z) {
			/* the NUL stays: it terminates the line and is
			 * skipped as padding by the next call */
			*line = s;
			*len = (size_t)(z - s);
			*how = LR_NUL;
			r->beg = (size_t)(z - r->buf);
			r->lineno++;
			return 1;
		}
		if (p) {
			*p = '\0';
			*line = s;
			*len = (size_t)(p - s);
			*how = LR_NL;
			r->beg = (size_t)(p - r->buf) + 1;
			r->lineno++;
			return 1;
		}
		if (r->eof) {
			if (r->beg == r->end)
				return 0;
			if (r->end == r->cap)
				r->buf = xrealloc(r->buf, ++r->cap);
			r->buf[r->end] = '\0';
			*line = s;
			*len = r->end - r->beg;
			*how = LR_EOF;
			r->beg = r->end;
			r->lineno++;
			return 1;
		}
		if (lr_fill(r, op, ctx) < 0)
			return -1;
	}
}

/* ---- the record type of a line, cheaply ---------------------------------- */

static const char *skip_ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	return s;
}

/*
 * Whether the line is an "ev" record: the first key is "t" (SCHEMA.md) and
 * its value is "ev".  Returns 1 for ev, 0 for another record, -1 when the
 * line does not start like a record (the caller parses it to find out).
 */
static int line_is_event(const char *s, size_t n)
{
	const char *end = s + n;

	if (n >= 10 && !memcmp(s, "{\"t\":\"ev\"", 9))
		return 1;
	s = skip_ws(s, end);
	if (s == end || *s++ != '{')
		return -1;
	s = skip_ws(s, end);
	if (end - s < 3 || memcmp(s, "\"t\"", 3))
		return -1;
	s = skip_ws(s + 3, end);
	if (s == end || *s++ != ':')
		return -1;
	s = skip_ws(s, end);
	if (end - s >= 4 && !memcmp(s, "\"ev\"", 4))
		return 1;
	return 0;
}

/* A line that cannot be complete JSON (cheap check for skipped lines). */
static bool line_looks_cut(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n == 0 || s[n - 1] != '}';
}

/* ---- pass 1: the small records ------------------------------------------- */

static void free_proc(struct trace_proc *p)
{
	if (!p)
		return;
	free(p->exe);
	free(p->argv0);
	free(p->cwd);
	if (p->argv)
		for (char **a = p->argv; *a; a++)
			free(*a);
	free(p->argv);
	free(p->groups);
	for (int i = 0; i < p->nenv; i++) {
		free(p->env[i].name);
		free(p->env[i].value);
	}
	free(p->env);
	free(p->rootfs);
	free(p->file);
	free(p);
}

/*
 * A proc record as read, with what a fork record needs to be resolved:
 * which fields it carried itself, and the record it inherits from.
 */
enum proc_field {
	PF_EXE = 1 << 0,
	PF_ARGV0 = 1 << 1,
	PF_ARGV = 1 << 2,
	PF_CWD = 1 << 3,
	PF_UID = 1 << 4,
	PF_EUID = 1 << 5,
	PF_GID = 1 << 6,
	PF_EGID = 1 << 7,
	PF_GROUPS = 1 << 8,
	PF_NS = 1 << 9,
	PF_ROOTFS = 1 << 10,
	PF_ENV = 1 << 11,
	PF_STACKS = 1 << 12,
};

struct proc_rec {
	struct trace_proc p; /* first: a proc_rec is freed as a trace_proc */
	unsigned have;	     /* PF_* the record carried */
	long long pts;	     /* fork records: ts of the source */
	int from;	     /* fork records: pid of the source */
	int state;	     /* 0 unresolved, 1 resolving, 2 resolved */
};

static unsigned fields_present(json_t *o)
{
	static const struct {
		const char *key;
		unsigned bit;
	} keys[] = {
	    {"exe", PF_EXE},	   {"argv0", PF_ARGV0},	  {"argv", PF_ARGV},
	    {"cwd", PF_CWD},	   {"uid", PF_UID},	  {"euid", PF_EUID},
	    {"gid", PF_GID},	   {"egid", PF_EGID},	  {"groups", PF_GROUPS},
	    {"ns", PF_NS},	   {"rootfs", PF_ROOTFS}, {"env", PF_ENV},
	    {"stacks", PF_STACKS},
	};
	unsigned have = 0;

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (json_object_get(o, keys[i].key))
			have |= keys[i].bit;
	return have;
}

static struct trace_proc *parse_proc(json_t *o, const char *file)
{
	struct proc_rec *rec = xcalloc(1, sizeof *rec);
	struct trace_proc *p = &rec->p;
	json_t *a, *v;
	const char *key;
	size_t i;

	rec->have = fields_present(o);
	p->forked = json_is_true(json_object_get(o, "fork"));
	rec->pts = jint(o, "pts", 0);
	rec->from = (int)jint(o, "from", 0);
	rec->state = p->forked ? 0 : 2;

	p->pid = (int)jint(o, "pid", 0);
	p->ppid = (int)jint(o, "ppid", 0);
	p->ts = jint(o, "ts", 0);
	p->exe = path_dup(json_object_get(o, "exe"), true);
	p->argv0 = path_dup(json_object_get(o, "argv0"), true);
	p->cwd = path_dup(json_object_get(o, "cwd"), true);
	a = json_object_get(o, "argv");
	if (json_is_array(a)) {
		p->argv = xcalloc(json_array_size(a) + 1, sizeof *p->argv);
		json_array_foreach (a, i, v)
			p->argv[i] = path_dup(v, true);
	}
	p->uid = (unsigned)jint(o, "uid", 0);
	p->euid = (unsigned)jint(o, "euid", p->uid);
	p->gid = (unsigned)jint(o, "gid", 0);
	p->egid = (unsigned)jint(o, "egid", p->gid);
	a = json_object_get(o, "groups");
	if (json_is_array(a)) {
		p->groups = xcalloc(json_array_size(a) + 1, sizeof *p->groups);
		json_array_foreach (a, i, v)
			p->groups[p->ngroups++] =
			    (unsigned)json_integer_value(v);
	}
	p->ns = (unsigned long long)jint(o, "ns", 0);
	p->rootfs = str_dup(o, "rootfs");
	a = json_object_get(o, "env");
	if (json_is_object(a)) {
		p->env = xcalloc(json_object_size(a) + 1, sizeof *p->env);
		json_object_foreach (a, key, v) {
			struct env_var *e = &p->env[p->nenv++];

			e->name = xstrdup(key);
			e->value = path_dup(v, true);
			if (!strcmp(key, "HOME"))
				p->home = e->value;
		}
	}
	p->stacks = json_is_true(json_object_get(o, "stacks"));
	p->file = xstrdup(file);
	return p;
}

/* ---- fork records ---------------------------------------------------------
 */

static struct proc_rec *fork_source(struct trace *t, const struct proc_rec *r)
{
	int pid = r->from ? r->from : r->p.ppid;

	for (size_t i = 0; i < t->procs.n; i++) {
		struct proc_rec *s = (struct proc_rec *)t->procs.v[i];
		if (s != r && s->p.pid == pid && s->p.ts == r->pts)
			return s;
	}
	return NULL;
}

static char **copy_argv(char **argv)
{
	size_t n = 0;
	char **out;

	if (!argv)
		return NULL;
	while (argv[n])
		n++;
	out = xcalloc(n + 1, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(argv[i]);
	return out;
}

static void inherit(struct proc_rec *r, const struct proc_rec *s)
{
	struct trace_proc *p = &r->p;
	const struct trace_proc *q = &s->p;

	if (!(r->have & PF_EXE)) {
		free(p->exe);
		p->exe = xstrdup(q->exe);
	}
	if (!(r->have & PF_ARGV0)) {
		free(p->argv0);
		p->argv0 = xstrdup(q->argv0);
	}
	if (!(r->have & PF_ARGV))
		p->argv = copy_argv(q->argv);
	if (!(r->have & PF_CWD)) {
		free(p->cwd);
		p->cwd = xstrdup(q->cwd);
	}
	if (!(r->have & PF_UID))
		p->uid = q->uid;
	if (!(r->have & PF_EUID))
		p->euid = q->euid;
	if (!(r->have & PF_GID))
		p->gid = q->gid;
	if (!(r->have & PF_EGID))
		p->egid = q->egid;
	if (!(r->have & PF_GROUPS) && q->ngroups) {
		p->groups = xcalloc((size_t)q->ngroups + 1, sizeof *p->groups);
		memcpy(p->groups, q->groups,
		       (size_t)q->ngroups * sizeof *p->groups);
		p->ngroups = q->ngroups;
	}
	if (!(r->have & PF_NS))
		p->ns = q->ns;
	if (!(r->have & PF_ROOTFS) && q->rootfs) {
		free(p->rootfs);
		p->rootfs = xstrdup(q->rootfs);
	}
	if (!(r->have & PF_ENV) && q->nenv) {
		p->env = xcalloc((size_t)q->nenv + 1, sizeof *p->env);
		for (int i = 0; i < q->nenv; i++) {
			p->env[i].name = xstrdup(q->env[i].name);
			p->env[i].value = xstrdup(q->env[i].value);
			if (!strcmp(p->env[i].name, "HOME"))
				p->home = p->env[i].value;
		}
		p->nenv = q->nenv;
	}
	if (!(r->have & PF_STACKS))
		p->stacks = q->stacks;
}

/* Resolve a fork record (and its chain of sources) per SCHEMA.md. */
static void resolve_fork(struct trace *t, struct proc_rec *r)
{
	if (r->state == 2)
		return;
	if (r->state == 1) { /* a cycle: forged or damaged records */
		r->p.orphan = true;
		r->state = 2;
		return;
	}
	r->state = 1;
	struct proc_rec *s = fork_source(t, r);
	if (s)
		resolve_fork(t, s);
	if (s && !s->p.orphan)
		inherit(r, s);
	else
		r->p.orphan = true;
	r->state = 2;
}

static void resolve_forks(struct trace *t)
{
	for (size_t i = 0; i < t->procs.n; i++) {
		struct proc_rec *r = (struct proc_rec *)t->procs.v[i];
		resolve_fork(t, r);
		if (r->p.orphan)
			diag(t, r->p.file, 1, true,
			     "fork record of pid %d: the record it inherits "
			     "from (pid %d) was not found; its program and "
			     "ids are unknown",
			     r->p.pid, r->from ? r->from : r->p.ppid);
	}
}

static void parse_mount(struct trace *t, json_t *o)
{
	struct trace_mount *m = xcalloc(1, sizeof *m);

	m->ns = (unsigned long long)jint(o, "ns", 0);
	m->mnt = path_dup(json_object_get(o, "mnt"), true);
	m->fs = str_dup(o, "fs");
	m->src = path_dup(json_object_get(o, "src"), true);
	m->root = path_dup(json_object_get(o, "root"), true);
	m->opts = str_dup(o, "opts");
	m->ro = json_is_true(json_object_get(o, "ro"));
	pv_push(&t->mounts, m);
}

static void parse_user(struct trace *t, json_t *o)
{
	struct trace_user *u = xcalloc(1, sizeof *u);

	u->rootfs = str_dup(o, "rootfs");
	u->name = str_dup(o, "name");
	u->home = path_dup(json_object_get(o, "home"), true);
	u->shell = path_dup(json_object_get(o, "shell"), true);
	u->uid = (unsigned)jint(o, "uid", 0);
	u->gid = (unsigned)jint(o, "gid", 0);
	pv_push(&t->users, u);
}

static void parse_group(struct trace *t, json_t *o)
{
	struct trace_group *g = xcalloc(1, sizeof *g);
	json_t *a = json_object_get(o, "members"), *v;
	size_t i, n = 0;

	g->rootfs = str_dup(o, "rootfs");
	g->name = str_dup(o, "name");
	g->gid = (unsigned)jint(o, "gid", 0);
	g->members = xcalloc(json_array_size(a) + 1, sizeof *g->members);
	json_array_foreach (a, i, v)
		if (json_is_string(v))
			g->members[n++] = xstrdup(json_string_value(v));
	pv_push(&t->groups, g);
}

static void parse_os(struct trace *t, json_t *o)
{
	struct trace_os *s = xcalloc(1, sizeof *s);

	s->rootfs = str_dup(o, "rootfs");
	s->id = str_dup(o, "id");
	s->version_id = str_dup(o, "version_id");
	s->pretty = str_dup(o, "pretty");
	pv_push(&t->oses, s);
}

static void parse_untraced(struct trace *t, json_t *o, struct logfile *f)
{
	struct trace_untraced *u = xcalloc(1, sizeof *u);

	u->pid = (int)jint(o, "pid", 0);
	u->ts = jint(o, "ts", 0);
	u->path = path_dup(json_object_get(o, "path"), true);
	u->why = str_dup(o, "why");
	u->proc = f->proc; /* fixed up after pass 1 if it came later */
	pv_push(&t->untraced, u);
}

static unsigned long parse_hex(json_t *v)
{
	if (json_is_integer(v))
		return (unsigned long)json_integer_value(v);
	if (json_is_string(v))
		return strtoul(json_string_value(v), NULL, 0);
	return 0;
}

static void parse_stack(json_t *o, struct logfile *f)
{
	struct trace_stack *s;
	json_t *a = json_object_get(o, "frames"), *v;
	const char *id = jstr(o, "id");
	size_t i;

	if (!id)
		return;
	s = xcalloc(1, sizeof *s);
	s->id = xstrdup(id);
	s->frames = xcalloc(json_array_size(a) + 1, sizeof *s->frames);
	json_array_foreach (a, i, v) {
		struct trace_frame *fr = &s->frames[s->nframes++];
		const char *sym = jstr(v, "s");

		fr->module = path_dup(json_object_get(v, "m"), true);
		fr->offset = parse_hex(json_object_get(v, "o"));
		fr->symbol = sym ? xstrdup(sym) : NULL;
		fr->symoff = parse_hex(json_object_get(v, "so"));
	}
	f->stacks =
	    xgrow(f->stacks, &f->capstacks, f->nstacks + 1, sizeof *f->stacks);
	f->stacks[f->nstacks++] = s;
}

static void free_stack(struct trace_stack *s)
{
	for (int i = 0; i < s->nframes; i++) {
		free(s->frames[i].module);
		free(s->frames[i].symbol);
	}
	free(s->frames);
	free(s->id);
	free(s);
}

static int stack_cmp(const void *a, const void *b)
{
	const struct trace_stack *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

static const struct trace_stack *find_stack(const struct logfile *f,
					    const char *id)
{
	size_t lo = 0, hi = f->nstacks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(f->stacks[mid]->id, id);

		if (!c)
			return f->stacks[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- directory states ---------------------------------------------------- */

static size_t str_hash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static struct trace_dir **dirmap_slot(const struct dirmap *m, const char *path)
{
	size_t i = str_hash(path) & (m->cap - 1);

	while (m->slot[i] && strcmp(m->slot[i]->path, path))
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

static void dirmap_put(struct dirmap *m, struct trace_dir *d)
{
	struct trace_dir **s;

	if (2 * (m->n + 1) > m->cap) {
		struct dirmap bigger = {.cap = m->cap ? 2 * m->cap : 256};

		bigger.slot = xcalloc(bigger.cap, sizeof *bigger.slot);
		for (size_t i = 0; i < m->cap; i++)
			if (m->slot[i])
				*dirmap_slot(&bigger, m->slot[i]->path) =
				    m->slot[i];
		bigger.n = m->n;
		free(m->slot);
		*m = bigger;
	}
	s = dirmap_slot(m, d->path);
	if (*s) {
		/* first record wins */
		free(d->path);
		free(d);
		return;
	}
	*s = d;
	m->n++;
}

static void parse_dir(struct trace *t, json_t *o)
{
	struct trace_dir *d;
	char *path = path_dup(json_object_get(o, "path"), false);

	if (!path)
		return;
	d = xcalloc(1, sizeof *d);
	d->path = path;
	decode_state(o, "st", &d->st);
	dirmap_put(&t->dirs, d);
}

const struct trace_dir *trace_dir_state(const struct trace *t, const char *path)
{
	if (!t->dirs.cap)
		return NULL;
	return *dirmap_slot(&t->dirs, path);
}

/* ---- pass 1 over one file ------------------------------------------------ */

/* Counts of the global arrays, to drop what a skipped file added. */
struct mark {
	size_t procs, mounts, users, groups, oses, untraced;
};

static void take_mark(const struct trace *t, struct mark *m)
{
	m->procs = t->procs.n;
	m->mounts = t->mounts.n;
	m->users = t->users.n;
	m->groups = t->groups.n;
	m->oses = t->oses.n;
	m->untraced = t->untraced.n;
}

static void free_mount(struct trace_mount *m);
static void free_user(struct trace_user *u);
static void free_group(struct trace_group *g);
static void free_os(struct trace_os *o);
static void free_untraced(struct trace_untraced *u);

static void roll_back(struct trace *t, const struct mark *m, struct logfile *f)
{
	while (t->procs.n > m->procs)
		free_proc(t->procs.v[--t->procs.n]);
	while (t->mounts.n > m->mounts)
		free_mount(t->mounts.v[--t->mounts.n]);
	while (t->users.n > m->users)
		free_user(t->users.v[--t->users.n]);
	while (t->groups.n > m->groups)
		free_group(t->groups.v[--t->groups.n]);
	while (t->oses.n > m->oses)
		free_os(t->oses.v[--t->oses.n]);
	while (t->untraced.n > m->untraced)
		free_untraced(t->untraced.v[--t->untraced.n]);
	for (size_t i = 0; i < f->nstacks; i++)
		free_stack(f->stacks[i]);
	f->nstacks = 0;
	f->proc = NULL;
	f->nevents = 0;
	f->skip = true;
}

/* Handle one parsed non-event record; false when the file must be skipped. */
static bool take_record(struct trace *t, struct logfile *f, json_t *o,
			long line)
{
	const char *type = jstr(o, "t");
	long long v = jint(o, "v", 0);

	if (v > UNROOT_SCHEMA_VERSION) {
		diag(t, f->path, line, false,
		     "schema version %lld is newer than this unroot reads "
		     "(%d): file skipped; upgrade unroot",
		     v, UNROOT_SCHEMA_VERSION);
		return false;
	}
	if (!type)
		return true;
	if (!strcmp(type, REC_EVENT)) {
		f->nevents++;
	} else if (!strcmp(type, REC_PROC)) {
		if (f->proc) {
			diag(t, f->path, line, true,
			     "a second proc record (ignored)");
			return true;
		}
		f->proc = parse_proc(o, f->path);
		pv_push(&t->procs, f->proc);
	} else if (!strcmp(type, REC_MOUNT)) {
		parse_mount(t, o);
	} else if (!strcmp(type, REC_USER)) {
		parse_user(t, o);
	} else if (!strcmp(type, REC_GROUP)) {
		parse_group(t, o);
	} else if (!strcmp(type, REC_OS)) {
		parse_os(t, o);
	} else if (!strcmp(type, REC_DIR)) {
		parse_dir(t, o);
	} else if (!strcmp(type, REC_STACK)) {
		parse_stack(o, f);
	} else if (!strcmp(type, REC_UNTRACED)) {
		parse_untraced(t, o, f);
	} else if (!strcmp(type, REC_END)) {
		if (f->proc) {
			f->proc->ended = true;
			f->proc->lost += (long)jint(o, "lost", 0);
		}
	}
	return true;
}

static void scan_file(struct trace *t, struct logfile *f, struct lreader *r)
{
	struct mark m;
	char *line;
	size_t len;
	enum lr_end how;
	int rc;

	take_mark(t, &m);
	r->path = f->path;
	if (lr_open(r) < 0) {
		diag(t, f->path, 0, false, "cannot open: %s", strerror(errno));
		f->skip = true;
		return;
	}
	while ((rc = lr_next(r, &line, &len, &how, NULL, NULL)) > 0) {
		int ev = line_is_event(line, len);
		bool nl = how == LR_NL;
		json_t *o;
		json_error_t err;

		if (how == LR_EOF)
			diag(t, f->path, r->lineno, true,
			     "last line has no newline (the process was "
			     "probably killed while writing): %s",
			     line_looks_cut(line, len) ? "ignored" : "used");
		else if (how == LR_NUL)
			diag(t, f->path, r->lineno, true,
			     "record cut short by NUL padding (the process "
			     "was probably killed while writing it): %s",
			     line_looks_cut(line, len) ? "ignored" : "used");
		if (len == 0)
			continue;
		if (ev == 1) {
			if (line_looks_cut(line, len)) {
				if (nl)
					diag(t, f->path, r->lineno, true,
					     "corrupt line (cut short): "
					     "skipped");
				continue;
			}
			f->nevents++;
			continue;
		}
		o = json_loadb(line, len, 0, &err);
		if (!o || !json_is_object(o)) {
			if (nl)
				diag(t, f->path, r->lineno, true,
				     "corrupt line (%s): skipped",
				     o ? "not an object" : err.text);
			json_decref(o);
			continue;
		}
		if (!take_record(t, f, o, r->lineno)) {
			json_decref(o);
			roll_back(t, &m, f);
			break;
		}
		json_decref(o);
	}
	if (rc < 0)
		diag(t, f->path, r->lineno + 1, false, "read error: %s",
		     strerror(errno));
	lr_release_fd(r);
}

/* ---- finding the files --------------------------------------------------- */

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void read_meta(struct trace *t, size_t di)
{
	char *path = xasprintf("%s/" UNROOT_TRACE_META, t->dirnames[di]);
	json_error_t err;
	json_t *o;

	if (access(path, F_OK)) {
		free(path);
		return;
	}
	o = json_load_file(path, 0, &err);
	if (!o || !json_is_object(o)) {
		diag(t, path, o ? 0 : err.line, true, "cannot read: %s",
		     o ? "not a JSON object" : err.text);
		json_decref(o);
	} else if (jint(o, "unroot", 0) > UNROOT_SCHEMA_VERSION) {
		diag(t, path, 0, false,
		     "trace made by a newer unroot (schema %lld, this reads "
		     "%d)",
		     jint(o, "unroot", 0), UNROOT_SCHEMA_VERSION);
		t->meta[di] = o;
	} else {
		t->meta[di] = o;
	}
	free(path);
}

/* Add every *.jsonl of one trace directory; false if it is unreadable. */
static bool list_dir(struct trace *t, size_t di)
{
	const char *dir = t->dirnames[di];
	char *logdir = xasprintf("%s/" UNROOT_TRACE_LOGDIR, dir);
	struct stat st;
	struct dirent *de;
	struct ptrvec names = {0};
	DIR *d;

	if (stat(logdir, &st) || !S_ISDIR(st.st_mode)) {
		free(logdir);
		logdir = xstrdup(dir);
	}
	d = opendir(logdir);
	if (!d) {
		diag(t, dir, 0, false, "cannot read the trace directory: %s",
		     strerror(errno));
		free(logdir);
		return false;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' &&
		    has_suffix(de->d_name, UNROOT_LOG_SUFFIX))
			pv_push(&names, xstrdup(de->d_name));
	closedir(d);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof *names.v, name_cmp);
	for (size_t i = 0; i < names.n; i++) {
		struct logfile *f;

		t->files = xgrow(t->files, &t->capfiles, t->nfiles + 1,
				 sizeof *t->files);
		f = &t->files[t->nfiles++];
		memset(f, 0, sizeof *f);
		f->path = xasprintf("%s/%s", logdir, (char *)names.v[i]);
		f->dir = di;
		free(names.v[i]);
	}
	free(names.v);
	free(logdir);
	return true;
}

struct trace *trace_open(char *const *dirs, int ndirs, const char **why)
{
	struct trace *t = xcalloc(1, sizeof *t);
	struct lreader r;
	size_t readable = 0;

	t->ndirs = ndirs > 0 ? (size_t)ndirs : 0;
	t->dirnames = xcalloc(t->ndirs + 1, sizeof *t->dirnames);
	t->meta = xcalloc(t->ndirs + 1, sizeof *t->meta);
	sb_init(&t->pathbuf[0]);
	for (size_t i = 0; i < t->ndirs; i++) {
		t->dirnames[i] = xstrdup(dirs[i]);
		read_meta(t, i);
		if (list_dir(t, i))
			readable++;
	}
	if (!readable) {
		*why = t->ndirs ? "no trace directory could be read"
				: "no trace directory given";
		trace_close(t);
		return NULL;
	}
	lr_init(&r, NULL, 1 << 16);
	for (size_t i = 0; i < t->nfiles; i++) {
		struct logfile *f = &t->files[i];

		r.fd = -1;
		r.pos = 0;
		r.beg = r.end = 0;
		r.eof = false;
		r.lineno = 0;
		scan_file(t, f, &r);
		if (f->nstacks > 1)
			qsort(f->stacks, f->nstacks, sizeof *f->stacks,
			      stack_cmp);
		t->nevents += f->nevents;
	}
	lr_free(&r);
	resolve_forks(t);
	/* untraced records name the process of their file */
	for (size_t i = 0; i < t->untraced.n; i++) {
		struct trace_untraced *u = t->untraced.v[i];

		for (size_t j = 0; !u->proc && j < t->procs.n; j++) {
			const struct trace_proc *p = t->procs.v[j];

			if (p->pid == u->pid && p->ts <= u->ts)
				u->proc = p;
		}
	}
	return t;
}

/* ---- freeing ------------------------------------------------------------- */

static void free_mount(struct trace_mount *m)
{
	free(m->mnt);
	free(m->fs);
	free(m->src);
	free(m->root);
	free(m->opts);
	free(m);
}

static void free_user(struct trace_user *u)
{
	free(u->rootfs);
	free(u->name);
	free(u->home);
	free(u->shell);
	free(u);
}

static void free_group(struct trace_group *g)
{
	for (char **m = g->members; m && *m; m++)
		free(*m);
	free(g->members);
	free(g->rootfs);
	free(g->name);
	free(g);
}

static void free_os(struct trace_os *o)
{
	free(o->rootfs);
	free(o->id);
	free(o->version_id);
	free(o->pretty);
	free(o);
}

static void free_untraced(struct trace_untraced *u)
{
	free(u->path);
	free(u->why);
	free(u);
}

void trace_close(struct trace *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ndirs; i++) {
		free(t->dirnames[i]);
		json_decref(t->meta[i]);
	}
	free(t->dirnames);
	free(t->meta);
	for (size_t i = 0; i < t->nfiles; i++) {
		for (size_t j = 0; j < t->files[i].nstacks; j++)
			free_stack(t->files[i].stacks[j]);
		free(t->files[i].stacks);
		free(t->files[i].path);
	}
	free(t->files);
	for (size_t i = 0; i < t->procs.n; i++)
		free_proc(t->procs.v[i]);
	for (size_t i = 0; i < t->mounts.n; i++)
		free_mount(t->mounts.v[i]);
	for (size_t i = 0; i < t->users.n; i++)
		free_user(t->users.v[i]);
	for (size_t i = 0; i < t->groups.n; i++)
		free_group(t->groups.v[i]);
	for (size_t i = 0; i < t->oses.n; i++)
		free_os(t->oses.v[i]);
	for (size_t i = 0; i < t->untraced.n; i++)
		free_untraced(t->untraced.v[i]);
	for (size_t i = 0; i < t->diags.n; i++) {
		struct trace_diag *d = t->diags.v[i];

		free(d->file);
		free(d->message);
		free(d);
	}
	free(t->procs.v);
	free(t->mounts.v);
	free(t->users.v);
	free(t->groups.v);
	free(t->oses.v);
	free(t->untraced.v);
	free(t->diags.v);
	for (size_t i = 0; i < t->dirs.cap; i++)
		if (t->dirs.slot[i]) {
			free(t->dirs.slot[i]->path);
			free(t->dirs.slot[i]);
		}
	free(t->dirs.slot);
	sb_release(&t->pathbuf[0]);
	free(t);
}

/* ---- the fast event parser ------------------------------------------------
 *
 * "ev" lines are nearly all of a trace, and building a jansson tree for
 * each costs more than everything else the CLI does with it.  This parser
 * reads the shape the preload writes (SCHEMA.md's keys, string paths,
 * integers, state objects, py frames) straight from the line and builds
 * the event in place.  Anything else - a hex path, a real number, an
 * escape it does not decode, an unknown nested value, a duplicate key,
 * bytes jansson would reject - makes it give up before it has changed the
 * line, and the line goes through jansson as before: the two give the same
 * trace_event (tests/cli/test_reader.c compares them on a corpus).
 */

static bool fast_events = true;

void trace_set_fast_events(bool on)
{
	fast_events = on;
}

/* A string value: the bytes between the quotes, as written. */
struct fstr {
	char *p;
	size_t n;
	bool esc; /* holds a backslash escape */
};

struct fstate {
	bool set, null;
	struct fstr type, mode;
	bool has_type, has_mode, has_uid, has_gid;
	long long uid, gid;
};

struct fframe {
	bool has_f, has_l, has_fn;
	struct fstr f, fn;
	long long l;
};

enum fkey {
	FK_T,
	FK_OP,
	FK_FN,
	FK_PATH,
	FK_PATH2,
	FK_REAL,
	FK_ARGV0,
	FK_FLAGS,
	FK_MODE,
	FK_OWNER,
	FK_RET,
	FK_ERRNO,
	FK_PID,
	FK_TID,
	FK_TS,
	FK_UID,
	FK_GID,
	FK_ST,
	FK_ST2,
	FK_PARENT,
	FK_STACK,
	FK_PY,
	FK__COUNT
};

static const char *const fkey_names[FK__COUNT] = {
    "t",    "op",    "fn",  "path",   "path2", "real", "argv0", "flags",
    "mode", "owner", "ret", "errno",  "pid",   "tid",  "ts",	"uid",
    "gid",  "st",    "st2", "parent", "stack", "py",
};

struct fev {
	bool seen[FK__COUNT];
	struct fstr str[FK__COUNT]; /* string-valued keys */
	bool errno_null;
	long long num[FK__COUNT]; /* integer-valued keys */
	long long owner[2];
	struct fstate st[3]; /* st, st2, parent */
	struct fframe py[TRACE_MAX_PYFRAMES];
	int npy;
};

struct fcur {
	char *c, *end;
};

static void f_ws(struct fcur *k)
{
	while (k->c < k->end && (*k->c == ' ' || *k->c == '\t' ||
				 *k->c == '\r' || *k->c == '\n'))
		k->c++;
}

/* What may follow a number or a literal ("nullx" is neither). */
static bool f_delim(char c)
{
	switch (c) {
	case ' ':
	case '\t':
	case '\r':
	case '\n':
	case ',':
	case '}':
	case ']':
		return true;
	default:
		return false;
	}
}

#define f_lit(k, lit) f_litn(k, lit, sizeof lit - 1)

static bool f_litn(struct fcur *k, const char *lit, size_t n)
{
	if ((size_t)(k->end - k->c) < n || memcmp(k->c, lit, n))
		return false;
	k->c += n;
	return k->c == k->end || f_delim(*k->c);
}

/* A JSON string jansson accepts, without decoding it. */
static bool f_string(struct fcur *k, struct fstr *out)
{
	char *c = k->c, *start;
	bool high = false;

	if (c == k->end || *c != '"')
		return false;
	start = ++c;
	out->esc = false;
	for (;;) {
		unsigned char ch;

		if (c == k->end)
			return false;
		ch = (unsigned char)*c;
		if (ch == '"')
			break;
		if (ch == '\\') {
			out->esc = true;
			if (++c == k->end)
				return false;
			if (*c == 'u') {
				unsigned v = 0;

				if (k->end - c < 5)
					return false;
				for (int i = 1; i <= 4; i++) {
					int h = hex_digit(c[i]);

					if (h < 0)
						return false;
					v = v << 4 | (unsigned)h;
				}
				/* \u0000 is refused by jansson; surrogate
				 * pairs are left to it */
				if (!v || (v >= 0xd800 && v <= 0xdfff))
					return false;
				c += 5;
				continue;
			}
			if (!strchr("\"\\/bfnrt", *c) || !*c)
				return false;
			c++;
			continue;
		}
		if (ch < 0x20)
			return false;
		if (ch >= 0x80)
			high = true;
		c++;
	}
	out->p = start;
	out->n = (size_t)(c - start);
	if (high && !utf8_valid(start, out->n))
		return false;
	k->c = c + 1;
	return true;
}

/* An integer as jansson reads one into a json_int_t (one out of range is
 * its error to report); a real number is left to jansson. */
static bool f_int(struct fcur *k, long long *v)
{
	char *c = k->c;
	bool neg = false;
	unsigned long long x = 0;
	int digits = 0;

	if (c < k->end && *c == '-') {
		neg = true;
		c++;
	}
	if (c == k->end || *c < '0' || *c > '9')
		return false;
	if (*c == '0' && c + 1 < k->end && c[1] >= '0' && c[1] <= '9')
		return false;
	while (c < k->end && *c >= '0' && *c <= '9') {
		if (++digits > 19)
			return false;
		x = x * 10 + (unsigned)(*c++ - '0');
	}
	if (c < k->end && !f_delim(*c))
		return false;
	if (x > (unsigned long long)LLONG_MAX + neg)
		return false;
	k->c = c;
	*v = neg ? (long long)(0 - x) : (long long)x;
	return true;
}

/* Decode a string in place (it only shrinks) and NUL-terminate it. */
static char *f_decode(struct fstr *s)
{
	char *in = s->p, *end = s->p + s->n, *out = s->p;

	if (!s->esc) {
		*end = '\0';
		return s->p;
	}
	while (in < end) {
		if (*in != '\\') {
			*out++ = *in++;
			continue;
		}
		in++;
		switch (*in) {
		case 'b':
			*out++ = '\b';
			in++;
			break;
		case 'f':
			*out++ = '\f';
			in++;
			break;
		case 'n':
			*out++ = '\n';
			in++;
			break;
		case 'r':
			*out++ = '\r';
			in++;
			break;
		case 't':
			*out++ = '\t';
			in++;
			break;
		case 'u': {
			unsigned v = 0;

			for (int i = 1; i <= 4; i++)
				v = v << 4 | (unsigned)hex_digit(in[i]);
			in += 5;
			if (v < 0x80) {
				*out++ = (char)v;
			} else if (v < 0x800) {
				*out++ = (char)(0xc0 | v >> 6);
				*out++ = (char)(0x80 | (v & 0x3f));
			} else {
				*out++ = (char)(0xe0 | v >> 12);
				*out++ = (char)(0x80 | ((v >> 6) & 0x3f));
				*out++ = (char)(0x80 | (v & 0x3f));
			}
			break;
		}
		default: /* " \ / */
			*out++ = *in++;
			break;
		}
	}
	*out = '\0';
	return s->p;
}

static enum fkey f_key(const struct fstr *s)
{
	/* the keys in the order the preload writes them come first */
	static enum fkey hint;

	for (int j = 0; j < FK__COUNT; j++) {
		int i = (hint + j) % FK__COUNT;
		const char *name = fkey_names[i];

		if (name[0] == s->p[0] && !strncmp(name, s->p, s->n) &&
		    !name[s->n]) {
			hint = (enum fkey)((i + 1) % FK__COUNT);
			return (enum fkey)i;
		}
	}
	return FK__COUNT;
}

/* "KEY": and the blanks around it; false unless a plain string key. */
static bool f_name(struct fcur *k, struct fstr *key)
{
	if (!f_string(k, key) || key->esc)
		return false;
	f_ws(k);
	if (k->c == k->end || *k->c++ != ':')
		return false;
	f_ws(k);
	return true;
}

/*
 * After a member or an element: 1 when a ',' says another follows, 0 when
 * the closing bracket ends the object or array, -1 for anything else.
 */
static int f_next(struct fcur *k, char close)
{
	f_ws(k);
	if (k->c == k->end)
		return -1;
	if (*k->c == close) {
		k->c++;
		return 0;
	}
	if (*k->c++ != ',')
		return -1;
	f_ws(k);
	return 1;
}

/* {"type":...,"uid":...,"gid":...,"mode":...} or null */
static bool f_state(struct fcur *k, struct fstate *st)
{
	st->set = true;
	if (k->c < k->end && *k->c == 'n')
		return (st->null = f_lit(k, "null"));
	if (k->c == k->end || *k->c != '{')
		return false;
	k->c++;
	f_ws(k);
	if (k->c < k->end && *k->c == '}') {
		k->c++;
		return true;
	}
	for (;;) {
		struct fstr key;
		bool *seen;

		if (!f_name(k, &key))
			return false;
		if (key.n == 4 && !memcmp(key.p, "type", 4)) {
			seen = &st->has_type;
			if (*seen || !f_string(k, &st->type))
				return false;
		} else if (key.n == 4 && !memcmp(key.p, "mode", 4)) {
			seen = &st->has_mode;
			if (*seen || !f_string(k, &st->mode))
				return false;
		} else if (key.n == 3 && !memcmp(key.p, "uid", 3)) {
			seen = &st->has_uid;
			if (*seen || !f_int(k, &st->uid))
				return false;
		} else if (key.n == 3 && !memcmp(key.p, "gid", 3)) {
			seen = &st->has_gid;
			if (*seen || !f_int(k, &st->gid))
				return false;
		} else {
			return false;
		}
		*seen = true;
		int more = f_next(k, '}');
		if (more <= 0)
			return more == 0;
	}
}

/* [{"f":...,"l":...,"fn":...}, ...]: frames without "f" are dropped, as
 * decode_py() drops them, and those past TRACE_MAX_PYFRAMES ignored. */
static bool f_py(struct fcur *k, struct fev *e)
{
	if (k->c == k->end || *k->c != '[')
		return false;
	k->c++;
	f_ws(k);
	if (k->c < k->end && *k->c == ']') {
		k->c++;
		return true;
	}
	for (;;) {
		struct fframe fr = {0};

		if (k->c == k->end || *k->c != '{')
			return false;
		k->c++;
		f_ws(k);
		if (k->c < k->end && *k->c == '}')
			k->c++;
		else
			for (;;) {
				struct fstr key;

				if (!f_name(k, &key))
					return false;
				if (key.n == 1 && key.p[0] == 'f') {
					if (fr.has_f || !f_string(k, &fr.f))
						return false;
					fr.has_f = true;
				} else if (key.n == 1 && key.p[0] == 'l') {
					if (fr.has_l || !f_int(k, &fr.l))
						return false;
					fr.has_l = true;
				} else if (key.n == 2 &&
					   !memcmp(key.p, "fn", 2)) {
					if (fr.has_fn || !f_string(k, &fr.fn))
						return false;
					fr.has_fn = true;
				} else {
					return false;
				}
				int more = f_next(k, '}');
				if (more < 0)
					return false;
				if (more == 0)
					break;
			}
		if (fr.has_f && e->npy < TRACE_MAX_PYFRAMES)
			e->py[e->npy++] = fr;
		int more = f_next(k, ']');
		if (more <= 0)
			return more == 0;
	}
}

/* An unknown key's value: a scalar, else left to jansson. */
static bool f_skip(struct fcur *k)
{
	struct fstr s;
	long long v;

	if (k->c == k->end)
		return false;
	switch (*k->c) {
	case '"':
		return f_string(k, &s);
	case 't':
		return f_lit(k, "true");
	case 'f':
		return f_lit(k, "false");
	case 'n':
		return f_lit(k, "null");
	default:
		return f_int(k, &v);
	}
}

/* Read the whole line; false (the line untouched) when jansson must. */
static bool f_scan(char *line, size_t len, struct fev *e)
{
	struct fcur k = {line, line + len};

	f_ws(&k);
	if (k.c == k.end || *k.c++ != '{')
		return false;
	f_ws(&k);
	for (;;) {
		struct fstr key;
		enum fkey fk;
		bool ok;

		/* an escaped key may spell a known one: jansson's job */
		if (!f_name(&k, &key))
			return false;
		fk = f_key(&key);
		if (fk < FK__COUNT && e->seen[fk])
			return false; /* jansson keeps the last: rare, its job
				       */
		switch (fk) {
		case FK_T:
		case FK_OP:
		case FK_FN:
		case FK_PATH:
		case FK_PATH2:
		case FK_REAL:
		case FK_ARGV0:
		case FK_FLAGS:
		case FK_MODE:
		case FK_STACK:
			ok = f_string(&k, &e->str[fk]);
			break;
		case FK_ERRNO:
			if (k.c < k.end && *k.c == 'n')
				ok = e->errno_null = f_lit(&k, "null");
			else
				ok = f_string(&k, &e->str[fk]);
			break;
		case FK_RET:
		case FK_PID:
		case FK_TID:
		case FK_TS:
		case FK_UID:
		case FK_GID:
			ok = f_int(&k, &e->num[fk]);
			break;
		case FK_OWNER:
			ok = k.c < k.end && *k.c++ == '[';
			f_ws(&k);
			ok = ok && f_int(&k, &e->owner[0]);
			f_ws(&k);
			ok = ok && k.c < k.end && *k.c++ == ',';
			f_ws(&k);
			ok = ok && f_int(&k, &e->owner[1]);
			f_ws(&k);
			ok = ok && k.c < k.end && *k.c++ == ']';
			break;
		case FK_ST:
		case FK_ST2:
		case FK_PARENT:
			ok = f_state(&k, &e->st[fk - FK_ST]);
			break;
		case FK_PY:
			ok = f_py(&k, e);
			break;
		default:
			ok = f_skip(&k);
			break;
		}
		if (!ok)
			return false;
		if (fk < FK__COUNT)
			e->seen[fk] = true;
		int more = f_next(&k, '}');
		if (more < 0)
			return false;
		if (more == 0)
			break;
	}
	f_ws(&k);
	return k.c == k.end;
}

static void f_build_state(struct fstate *f, struct file_state *st)
{
	memset(st, 0, sizeof *st);
	if (!f->set) {
		st->kind = ST_UNKNOWN;
		return;
	}
	if (f->null) {
		st->kind = ST_ABSENT;
		return;
	}
	st->kind = ST_PRESENT;
	if (f->has_type) {
		int ft = file_type_from_name(f_decode(&f->type));

		st->type = ft < 0 ? FT_FILE : (enum file_type)ft;
	} else {
		st->type = FT_FILE;
	}
	st->uid = (unsigned)(f->has_uid ? f->uid : 0);
	st->gid = (unsigned)(f->has_gid ? f->gid : 0);
	st->mode = f->has_mode
		       ? (unsigned)strtoul(f_decode(&f->mode), NULL, 8) & 07777
		       : 0;
}

/* ---- pass 2: the merge --------------------------------------------------- */

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
};

struct merge {
	struct trace *t;
	struct source *src;
	size_t nsrc;
	size_t *heap, nheap;
	size_t open, max_open;
	unsigned long clock;
};

/* Opener for the line readers: keeps at most max_open descriptors. */
static int merge_open(struct lreader *r, void *ctx)
{
	struct merge *m = ctx;

	for (;;) {
		struct source *lru = NULL;

		if (m->open < m->max_open) {
			if (lr_open(r) == 0) {
				m->open++;
				r->last_use = ++m->clock;
				return 0;
			}
			if ((errno != EMFILE && errno != ENFILE) || !m->open)
				return -1;
			m->max_open = m->open; /* the real limit is lower */
		}
		/* evict the least recently used descriptor */
		for (size_t i = 0; i < m->nsrc; i++) {
			struct source *s = &m->src[i];

			if (s->r.fd >= 0 && &s->r != r &&
			    (!lru || s->r.last_use < lru->r.last_use))
				lru = s;
		}
		if (!lru)
			return -1;
		lr_release_fd(&lru->r);
		m->open--;
	}
}

/* An absolute, lexically normalised path, as SCHEMA.md promises: a forged
 * "/tmp/../etc/passwd" or a relative name must not reach the planner,
 * whose never-grant checks compare prefixes. */
static bool path_normal(const char *p)
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
static const char *ev_path_problem(struct trace *t, json_t *o)
{
	const char *op = jstr(o, "op");
	json_t *v;

	if (!decode_path(json_object_get(o, "path"), &t->pathbuf[0]))
		return "no path";
	if (!path_normal(t->pathbuf[0].buf))
		return "a path that is not absolute and normalised";
	v = json_object_get(o, "path2");
	if (v && op && (!strcmp(op, "rename") || !strcmp(op, "link")) &&
	    (!decode_path(v, &t->pathbuf[0]) ||
	     !path_normal(t->pathbuf[0].buf)))
		return "a path2 that is not absolute and normalised";
	v = json_object_get(o, "real");
	if (v && (!decode_path(v, &t->pathbuf[0]) ||
		  !path_normal(t->pathbuf[0].buf)))
		return "a real path that is not absolute and normalised";
	return NULL;
}

static bool src_less(const struct merge *m, size_t a, size_t b)
{
	const struct source *x = &m->src[a], *y = &m->src[b];

	if (x->ev.ts != y->ev.ts)
		return x->ev.ts < y->ev.ts;
	return x->order < y->order;
}

static void heap_down(struct merge *m, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i, tmp;

		if (l < m->nheap && src_less(m, m->heap[l], m->heap[min]))
			min = l;
		if (r < m->nheap && src_less(m, m->heap[r], m->heap[min]))
			min = r;
		if (min == i)
			return;
		tmp = m->heap[i];
		m->heap[i] = m->heap[min];
		m->heap[min] = tmp;
		i = min;
	}
}

/* Raise the soft descriptor limit to the hard one; return what we may use. */
static size_t fd_budget(size_t want)
{
	struct rlimit rl;
	size_t avail;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 64;
	if (rl.rlim_cur < rl.rlim_max && want + 64 > rl.rlim_cur) {
		rlim_t old = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			rl.rlim_cur = old;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20))
		rl.rlim_cur = 1u << 20;
	avail = rl.rlim_cur > 64 ? (size_t)rl.rlim_cur - 48 : 16;
	return avail < want ? avail : want;
}

/* The defaults SCHEMA.md gives for keys the preload may leave out. */
static void event_defaults(struct trace_event *ev, const struct logfile *f,
			   bool has_pid, bool has_tid, bool has_uid,
			   bool has_gid)
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

/*
 * The event of a line the fast parser read (e): 1 when built, 0 to skip
 * it silently (an unknown operation), -1 with *why when its paths are not
 * usable (as ev_path_problem()).
 */
static int fast_build(struct source *s, struct fev *e, const char **why)
{
	struct trace_event *ev = &s->ev;
	int op;

	if (!e->seen[FK_PATH]) {
		*why = "no path";
		return -1;
	}
	memset(ev, 0, sizeof *ev);
	ev->path = f_decode(&e->str[FK_PATH]);
	if (!path_normal(ev->path)) {
		*why = "a path that is not absolute and normalised";
		return -1;
	}
	op = e->seen[FK_OP] ? op_from_name(f_decode(&e->str[FK_OP])) : -1;
	if (e->seen[FK_PATH2]) {
		ev->path2 = f_decode(&e->str[FK_PATH2]);
		if ((op == OP_RENAME || op == OP_LINK) &&
		    !path_normal(ev->path2)) {
			*why = "a path2 that is not absolute and normalised";
			return -1;
		}
	}
	if (e->seen[FK_REAL]) {
		ev->real = f_decode(&e->str[FK_REAL]);
		if (!path_normal(ev->real)) {
			*why =
			    "a real path that is not absolute and normalised";
			return -1;
		}
	}
	if (op < 0)
		return 0;
	ev->op = (enum unroot_op)op;
	ev->fn = e->seen[FK_FN] ? f_decode(&e->str[FK_FN]) : "";
	if (e->seen[FK_ARGV0])
		ev->argv0 = f_decode(&e->str[FK_ARGV0]);
	if (e->seen[FK_FLAGS])
		ev->flags_text = f_decode(&e->str[FK_FLAGS]);
	ev->flags = decode_flags(ev->flags_text);
	if (e->seen[FK_MODE]) {
		ev->has_mode = true;
		ev->mode =
		    (unsigned)strtoul(f_decode(&e->str[FK_MODE]), NULL, 8);
	}
	ev->owner_uid = e->seen[FK_OWNER] ? (int)e->owner[0] : -1;
	ev->owner_gid = e->seen[FK_OWNER] ? (int)e->owner[1] : -1;
	ev->ret = e->num[FK_RET];
	if (e->seen[FK_ERRNO] && !e->errno_null)
		ev->errname = f_decode(&e->str[FK_ERRNO]);
	ev->err = ev->errname ? errno_from_name(ev->errname) : 0;
	ev->pid = (int)e->num[FK_PID];
	ev->tid = (int)e->num[FK_TID];
	ev->ts = e->num[FK_TS];
	ev->uid = (unsigned)e->num[FK_UID];
	ev->gid = (unsigned)e->num[FK_GID];
	event_defaults(ev, s->f, e->seen[FK_PID], e->seen[FK_TID],
		       e->seen[FK_UID], e->seen[FK_GID]);
	for (int i = 0; i < 3; i++)
		f_build_state(&e->st[i], i == 0	  ? &ev->st
					 : i == 1 ? &ev->st2
						  : &ev->parent);
	if (e->seen[FK_STACK])
		ev->stack = find_stack(s->f, f_decode(&e->str[FK_STACK]));
	for (int i = 0; i < e->npy; i++) {
		struct trace_pyframe *f = &ev->py[i];

		f->file = f_decode(&e->py[i].f);
		f->line = e->py[i].has_l ? (int)e->py[i].l : 0;
		f->func = e->py[i].has_fn ? f_decode(&e->py[i].fn) : "";
	}
	ev->npy = e->npy;
	ev->proc = s->f->proc;
	ev->file = s->f->path;
	return 1;
}

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
		    !decode_path(json_object_get(v, "f"), &s->pybuf[ev->npy]))
			continue;
		f = &ev->py[ev->npy];
		f->file = s->pybuf[ev->npy].buf;
		f->line = (int)jint(v, "l", 0);
		fn = jstr(v, "fn");
		f->func = fn ? fn : "";
		ev->npy++;
	}
}

/* The event of a record jansson parsed; false to skip it. */
static bool json_build(struct source *s, json_t *o)
{
	struct trace_event *ev = &s->ev;
	json_t *v;
	const char *id;
	int op = op_from_name(jstr(o, "op"));

	if (op < 0)
		return false;
	memset(ev, 0, sizeof *ev);
	ev->op = (enum unroot_op)op;
	ev->fn = jstr(o, "fn");
	if (!ev->fn)
		ev->fn = "";
	if (!decode_path(json_object_get(o, "path"), &s->pathbuf[0]))
		sb_reset(&s->pathbuf[0]);
	ev->path = s->pathbuf[0].buf;
	if (decode_path(json_object_get(o, "path2"), &s->pathbuf[1]))
		ev->path2 = s->pathbuf[1].buf;
	if (decode_path(json_object_get(o, "real"), &s->pathbuf[2]))
		ev->real = s->pathbuf[2].buf;
	if (decode_path(json_object_get(o, "argv0"), &s->pathbuf[3]))
		ev->argv0 = s->pathbuf[3].buf;
	ev->flags_text = jstr(o, "flags");
	ev->flags = decode_flags(ev->flags_text);
	if ((id = jstr(o, "mode"))) {
		ev->has_mode = true;
		ev->mode = (unsigned)strtoul(id, NULL, 8);
	}
	v = json_object_get(o, "owner");
	ev->owner_uid = json_is_array(v)
			    ? (int)json_integer_value(json_array_get(v, 0))
			    : -1;
	ev->owner_gid = json_is_array(v)
			    ? (int)json_integer_value(json_array_get(v, 1))
			    : -1;
	ev->ret = jint(o, "ret", 0);
	ev->errname = jstr(o, "errno");
	ev->err = ev->errname ? errno_from_name(ev->errname) : 0;
	/* the defaults SCHEMA.md gives for keys the preload may omit */
	ev->pid = (int)jint(o, "pid", s->f->proc ? s->f->proc->pid : 0);
	ev->tid = (int)jint(o, "tid", ev->pid);
	ev->ts = jint(o, "ts", 0);
	ev->uid = (unsigned)jint(o, "uid", s->f->proc ? s->f->proc->euid : 0);
	ev->gid = (unsigned)jint(o, "gid", s->f->proc ? s->f->proc->egid : 0);
	decode_state(o, "st", &ev->st);
	decode_state(o, "st2", &ev->st2);
	decode_state(o, "parent", &ev->parent);
	id = jstr(o, "stack");
	ev->stack = id ? find_stack(s->f, id) : NULL;
	decode_py(s, json_object_get(o, "py"), ev);
	ev->proc = s->f->proc;
	ev->file = s->f->path;
	return true;
}

/* Advance a source to its next usable event. */
static void source_next(struct merge *m, struct source *s)
{
	struct trace *t = m->t;
	char *line;
	size_t len;
	enum lr_end how;
	int rc;

	json_decref(s->cur);
	s->cur = NULL;
	s->has = false;
	s->r.last_use = ++m->clock;
	while ((rc = lr_next(&s->r, &line, &len, &how, merge_open, m)) > 0) {
		bool fresh = s->r.lineno > s->f->ev_checked;
		json_error_t err;
		const char *why = NULL;
		json_t *o;

		if (line_is_event(line, len) != 1)
			continue;
		if (line_looks_cut(line, len))
			continue; /* diagnosed in pass 1 */
		if (fast_events) {
			struct fev e;
			int b;

			memset(&e, 0, sizeof e);
			if (f_scan(line, len, &e)) {
				b = fast_build(s, &e, &why);
				if (b < 0 && fresh)
					diag(t, s->f->path, s->r.lineno, true,
					     "event with %s: skipped", why);
				if (b <= 0)
					continue;
				s->has = true;
				break;
			}
		}
		o = json_loadb(line, len, 0, &err);
		if (!o || !json_is_object(o)) {
			if (fresh)
				diag(t, s->f->path, s->r.lineno, true,
				     "corrupt line (%s): skipped",
				     o ? "not an object" : err.text);
			json_decref(o);
			continue;
		}
		if ((why = ev_path_problem(t, o))) {
			if (fresh)
				diag(t, s->f->path, s->r.lineno, true,
				     "event with %s: skipped", why);
			json_decref(o);
			continue;
		}
		if (!json_build(s, o)) {
			json_decref(o);
			continue;
		}
		s->cur = o;
		s->has = true;
		break;
	}
	if (s->has)
		s->ev.line = s->r.lineno;
	if (rc < 0 && s->r.lineno >= s->f->ev_checked)
		diag(t, s->f->path, s->r.lineno + 1, false,
		     "read error while streaming events: %s", strerror(errno));
	if (s->r.lineno > s->f->ev_checked)
		s->f->ev_checked = s->r.lineno;
	if (!s->has && s->r.fd >= 0) {
		lr_release_fd(&s->r);
		m->open--;
	}
}

static void merge_free(struct merge *m)
{
	for (size_t i = 0; i < m->nsrc; i++) {
		struct source *s = &m->src[i];

		json_decref(s->cur);
		lr_free(&s->r);
		for (size_t j = 0; j < 4; j++)
			sb_release(&s->pathbuf[j]);
		for (size_t j = 0; j < TRACE_MAX_PYFRAMES; j++)
			sb_release(&s->pybuf[j]);
	}
	free(m->src);
	free(m->heap);
}

int trace_each_event(struct trace *t,
		     int (*fn)(const struct trace_event *ev, void *ctx),
		     void *ctx)
{
	struct merge m = {.t = t};
	int rc = 0;

	for (size_t i = 0; i < t->nfiles; i++)
		if (!t->files[i].skip && t->files[i].nevents)
			m.nsrc++;
	if (!m.nsrc)
		return 0;
	m.src = xcalloc(m.nsrc, sizeof *m.src);
	m.heap = xcalloc(m.nsrc, sizeof *m.heap);
	m.max_open = fd_budget(m.nsrc);
	m.nsrc = 0;
	for (size_t i = 0; i < t->nfiles; i++) {
		struct source *s;

		if (t->files[i].skip || !t->files[i].nevents)
			continue;
		s = &m.src[m.nsrc++];
		s->f = &t->files[i];
		s->order = i;
		for (size_t j = 0; j < 4; j++)
			sb_init(&s->pathbuf[j]);
		for (size_t j = 0; j < TRACE_MAX_PYFRAMES; j++)
			sb_init(&s->pybuf[j]);
		lr_init(&s->r, s->f->path, 1 << 14);
		source_next(&m, s);
		if (s->has)
			m.heap[m.nheap++] = (size_t)(s - m.src);
	}
	for (size_t i = m.nheap; i-- > 0;)
		heap_down(&m, i);
	while (m.nheap) {
		struct source *s = &m.src[m.heap[0]];

		if ((rc = fn(&s->ev, ctx)))
			break;
		source_next(&m, s);
		if (!s->has)
			m.heap[0] = m.heap[--m.nheap];
		heap_down(&m, 0);
	}
	merge_free(&m);
	return rc;
}

/* ---- frames -------------------------------------------------------------- */

static bool frame_is_system(const struct trace_frame *f)
{
	static const char *const prefixes[] = {
	    "libc.so", "libc-",	 "ld-linux",  "ld-musl",
	    "ld-",     "ld.so",	 "libunroot", "libpthread",
	    "libdl.",  "libdl-", "libunwind",
	};
	const char *base = f->module ? path_basename(f->module) : "";

	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (!strncmp(base, prefixes[i], strlen(prefixes[i])))
			return true;
	return !*base;
}

const struct trace_frame *trace_event_frame(const struct trace_event *ev)
{
	if (!ev->stack)
		return NULL;
	for (int i = 0; i < ev->stack->nframes; i++)
		if (!frame_is_system(&ev->stack->frames[i]))
			return &ev->stack->frames[i];
	return NULL;
}

char *trace_frame_text(const struct trace_frame *f)
{
	if (!f)
		return NULL;
	if (f->symbol)
		return xasprintf("%s:%s+0x%lx", path_basename(f->module),
				 f->symbol, f->symoff);
	return xasprintf("%s+0x%lx", path_basename(f->module), f->offset);
}

/* ---- accessors ----------------------------------------------------------- */

size_t trace_nprocs(const struct trace *t)
{
	return t->procs.n;
}

const struct trace_proc *trace_proc_at(const struct trace *t, size_t i)
{
	return i < t->procs.n ? t->procs.v[i] : NULL;
}

size_t trace_nmounts(const struct trace *t)
{
	return t->mounts.n;
}

const struct trace_mount *trace_mount_at(const struct trace *t, size_t i)
{
	return i < t->mounts.n ? t->mounts.v[i] : NULL;
}

size_t trace_nusers(const struct trace *t)
{
	return t->users.n;
}

const struct trace_user *trace_user_at(const struct trace *t, size_t i)
{
	return i < t->users.n ? t->users.v[i] : NULL;
}

size_t trace_ngroups(const struct trace *t)
{
	return t->groups.n;
}

const struct trace_group *trace_group_at(const struct trace *t, size_t i)
{
	return i < t->groups.n ? t->groups.v[i] : NULL;
}

size_t trace_nos(const struct trace *t)
{
	return t->oses.n;
}

const struct trace_os *trace_os_at(const struct trace *t, size_t i)
{
	return i < t->oses.n ? t->oses.v[i] : NULL;
}

size_t trace_nuntraced(const struct trace *t)
{
	return t->untraced.n;
}

const struct trace_untraced *trace_untraced_at(const struct trace *t, size_t i)
{
	return i < t->untraced.n ? t->untraced.v[i] : NULL;
}

size_t trace_ndiags(const struct trace *t)
{
	return t->diags.n;
}

const struct trace_diag *trace_diag_at(const struct trace *t, size_t i)
{
	return i < t->diags.n ? t->diags.v[i] : NULL;
}

long long trace_nevents(const struct trace *t)
{
	return t->nevents;
}

const void *trace_meta(const struct trace *t, size_t dir_index)
{
	return dir_index < t->ndirs ? t->meta[dir_index] : NULL;
}

size_t trace_ndirs(const struct trace *t)
{
	return t->ndirs;
}

const char *trace_program(const struct trace_proc *p, const char *unknown)
{
	if (!p)
		return unknown;
	if (p->exe && *p->exe)
		return path_basename(p->exe);
	if (p->argv0 && *p->argv0)
		return path_basename(p->argv0);
	return unknown;
}
