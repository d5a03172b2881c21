/*
 * trace_line.c - the reader's line reader: a file read in large blocks,
 * its lines handed out in place, and the record type of a line (and what
 * an event line does: tr_glance) found without parsing it.  The
 * descriptor may be closed between refills (lr_release_fd: pass 2 keeps
 * more files open than there are descriptors) and is reopened at the
 * saved offset; lr_seek moves to a line pass 1 marked (a summary's pass
 * 2 reads only those).  A log that is a segment of a pack (tracepack.h)
 * is read between its offset and its limit, as if it were the whole file;
 * consecutive segments of one pack share the descriptor.
 * A staging window left beside a log file is laid over what is read
 * (tracepack.h).
 *
 * NUL bytes are padding, wherever they are (SCHEMA.md): the preload
 * reserves space for a record in a shared mapping before writing it, so a
 * process killed in between leaves NULs between records, and the unused
 * end of a preallocated file is NULs.  A run of NULs is skipped; a line
 * whose bytes stop at a NUL instead of a newline is a record cut short
 * (LR_NUL), and reading goes on after the NULs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace_private.h"

void lr_init(struct lreader *r, const char *path, size_t cap)
{
	memset(r, 0, sizeof *r);
	r->path = path;
	r->fd = -1;
	r->limit = -1;
	r->cap = cap;
	r->buf = xmalloc(cap);
}

void lr_read_ahead(struct lreader *r, size_t cap)
{
	r->ahead = xmalloc(cap);
	r->ahead_cap = cap;
}

void lr_start(struct lreader *r, const struct logfile *f)
{
	/* the next segment of the pack just read keeps its descriptor and
	 * what was read ahead: reads are positional (a trace of many short
	 * processes is one pack of hundreds of segments) */
	if (!r->path || !f->src || strcmp(r->path, f->src)) {
		lr_release_fd(r);
		r->ahead_len = 0;
	}
	r->path = f->src;
	r->pos = f->off;
	r->limit = f->len < 0 ? -1 : f->off + f->len;
	r->stage = f->stage;
	r->beg = r->end = 0;
	r->eof = false;
	r->lineno = 0;
}

void lr_release_fd(struct lreader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

void lr_free(struct lreader *r)
{
	lr_release_fd(r);
	free(r->buf);
	r->buf = NULL;
	free(r->ahead);
	r->ahead = NULL;
}

/* Open (or reopen) the file; returns -1 with errno set.  Reads say
 * where they read (pread), so a reopened file needs no seek. */
int lr_open(struct lreader *r)
{
	if (r->fd >= 0)
		return 0;
	r->fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	return r->fd < 0 ? -1 : 0;
}

off_t lr_line_off(const struct lreader *r, const char *line)
{
	return r->pos - (off_t)r->end + (line - r->buf);
}

/* Within what the buffer holds, the line is found in place; elsewhere
 * the buffer is dropped and the next fill reads from the spot. */
void lr_seek(struct lreader *r, const struct tr_spot *spot)
{
	off_t held = r->pos - (off_t)r->end;

	r->lineno = spot->lineno - 1;
	if (spot->off >= held + (off_t)r->beg && spot->off < r->pos) {
		r->beg = (size_t)(spot->off - held);
		return;
	}
	r->pos = spot->off;
	r->beg = r->end = 0;
	r->eof = false;
}

/* Up to want bytes at r->pos into buf: positional, and for a segment of a
 * pack through the read-ahead when there is one.  Bytes read, 0 at the
 * file's end, -1 with errno. */
static ssize_t pread_again(int fd, char *buf, size_t n, off_t at)
{
	ssize_t got;

	do
		got = pread(fd, buf, n, at);
	while (got < 0 && errno == EINTR);
	return got;
}

static ssize_t lr_read(struct lreader *r, char *buf, size_t want)
{
	ssize_t got;

	if (r->limit < 0 || !r->ahead_cap)
		return pread_again(r->fd, buf, want, r->pos);
	if (r->pos < r->ahead_off ||
	    r->pos >= r->ahead_off + (off_t)r->ahead_len) {
		got = pread_again(r->fd, r->ahead, r->ahead_cap, r->pos);
		r->ahead_off = r->pos;
		r->ahead_len = got < 0 ? 0 : (size_t)got;
		if (got <= 0)
			return got;
	}
	size_t at = (size_t)(r->pos - r->ahead_off);
	if (want > r->ahead_len - at)
		want = r->ahead_len - at;
	memcpy(buf, r->ahead + at, want);
	return (ssize_t)want;
}

static int lr_fill(struct lreader *r, lr_opener op, void *ctx)
{
	size_t want;
	ssize_t got;

	if (r->beg) {
		memmove(r->buf, r->buf + r->beg, r->end - r->beg);
		r->end -= r->beg;
		r->beg = 0;
	}
	if (r->end + 1 >= r->cap) {
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
	want = r->cap - 1 - r->end; /* a byte stays free: lr_next's sentinel */
	if (r->limit >= 0 && (off_t)want > r->limit - r->pos)
		want = r->pos < r->limit ? (size_t)(r->limit - r->pos) : 0;
	if (!want) { /* the end of a pack's segment */
		r->eof = true;
		return 0;
	}
	if (r->fd < 0 && (op ? op(r, ctx) : lr_open(r)) < 0)
		return -1;
	got = lr_read(r, r->buf + r->end, want);
	if (got < 0)
		return -1;
	if (got == 0) {
		r->eof = true;
		return 0;
	}
	log_stage_lay(r->stage, r->pos, r->buf + r->end, (size_t)got);
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
int lr_next(struct lreader *r, char **line, size_t *len, enum lr_end *how,
	    lr_opener op, void *ctx)
{
	for (;;) {
		char *s, *p;

		lr_skip_nul(r);
		s = r->buf + r->beg;
		/* one scan for the newline or a NUL, the sentinel NUL after
		 * the data ending it */
		r->buf[r->end] = '\0';
		p = strchrnul(s, '\n');
		if (!*p && p < r->buf + r->end) {
			/* the NUL stays: it terminates the line and is
			 * skipped as padding by the next call */
			*line = s;
			*len = (size_t)(p - s);
			*how = LR_NUL;
			r->beg = (size_t)(p - r->buf);
			r->lineno++;
			return 1;
		}
		if (*p) {
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

/* "t" and "ev" as written, and the head of an event as the preload
 * writes it: {"t":"ev" */
#define T_KEY	 "\"" K_T "\""
#define EV_VALUE "\"" REC_EVENT "\""
#define EV_HEAD	 "{" T_KEY ":" EV_VALUE
#define LEN(lit) (sizeof(lit) - 1)

/*
 * Whether the line is an "ev" record: the first key is "t" (SCHEMA.md) and
 * its value is "ev".  Returns 1 for ev, 0 for another record, -1 when the
 * line does not start like a record (the caller parses it to find out).
 */
int tr_line_is_event(const char *s, size_t n)
{
	const char *end = s + n;

	if (n > LEN(EV_HEAD) && !memcmp(s, EV_HEAD, LEN(EV_HEAD)))
		return 1;
	s = skip_ws(s, end);
	if (s == end || *s++ != '{')
		return -1;
	s = skip_ws(s, end);
	if ((size_t)(end - s) < LEN(T_KEY) || memcmp(s, T_KEY, LEN(T_KEY)))
		return -1;
	s = skip_ws(s + LEN(T_KEY), end);
	if (s == end || *s++ != ':')
		return -1;
	s = skip_ws(s, end);
	if ((size_t)(end - s) >= LEN(EV_VALUE) &&
	    !memcmp(s, EV_VALUE, LEN(EV_VALUE)))
		return 1;
	return 0;
}

/* A line that cannot be complete JSON (cheap check for skipped lines). */
bool tr_line_looks_cut(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n == 0 || s[n - 1] != '}';
}

/* ---- what a glance at an event line tells -------------------------------- */

#define OP_HEAD	   EV_HEAD ",\"" K_OP "\":\""
#define FLAGS_KEY  "\"" K_FLAGS "\":\""
#define ERRNO_KEY  "\"" K_ERRNO "\":"
#define MAX_GLANCE 256 /* longer op or flags text: decoded in full */

/* The open flags of an event line whose flags follow from (the text of
 * its "flags" key, decoded as both parsers do); false when not found. */
static bool glance_flags(const char *from, const char *end, int *flags)
{
	/* the last text decoded: a trace repeats a handful of them (the CLI
	 * reads on one thread) */
	static char last[MAX_GLANCE];
	static size_t last_n = MAX_GLANCE;
	static int last_flags;
	const char *p = strstr(from, FLAGS_KEY), *q;
	size_t n;

	if (!p)
		return false;
	p += LEN(FLAGS_KEY);
	q = memchr(p, '"', (size_t)(end - p));
	if (!q || q - p >= MAX_GLANCE)
		return false;
	n = (size_t)(q - p);
	if (n == last_n && !memcmp(p, last, n)) {
		*flags = last_flags;
		return true;
	}
	if (memchr(p, '\\', n))
		return false;
	memcpy(last, p, n);
	last[n] = 0;
	last_n = n;
	*flags = last_flags = tr_decode_flags(last);
	return true;
}

/* The operation named name[0..n), or -1 (op_from_name without copying
 * the name out: names of other lengths are not compared). */
static int glance_op(const char *name, size_t n)
{
	static size_t lens[OP__COUNT];

	for (int op = 0; op < OP__COUNT; op++) {
		if (!lens[op])
			lens[op] = strlen(op_name((enum unroot_op)op));
		if (lens[op] == n &&
		    !memcmp(op_name((enum unroot_op)op), name, n))
			return op;
	}
	return -1;
}

/*
 * An event line as the preload writes it starts {"t":"ev","op":"NAME":
 * its operation says whether it writes (for open, its "flags" do), and
 * an "errno" key with a string value that it failed (a key, not the text
 * of a value: inside a JSON string every quote is escaped).  Anything else
 * - another shape, an unknown operation, a program run (exec, spawn), a
 * write that failed - is GL_DECODE.  s[n] is the NUL that lr_next puts
 * there (a line holds no other NUL).
 */
enum glance tr_glance(const char *s, size_t n)
{
	const char *end = s + n, *p = s + LEN(OP_HEAD), *q, *e;
	unsigned attrs;
	int op, flags;
	bool writes;

	if (n <= LEN(OP_HEAD) || memcmp(s, OP_HEAD, LEN(OP_HEAD)))
		return GL_DECODE;
	q = memchr(p, '"', (size_t)(end - p));
	if (!q || q - p >= MAX_GLANCE)
		return GL_DECODE;
	if ((op = glance_op(p, (size_t)(q - p))) < 0)
		return GL_DECODE;
	attrs = unroot_op_attrs((enum unroot_op)op);
	if (attrs & OPA_RUNS)
		return GL_DECODE;
	writes = (attrs & OPA_WRITES) != 0;
	if (attrs & OPA_BY_FLAGS) {
		if (!glance_flags(q, end, &flags))
			return GL_DECODE;
		writes = UNROOT_OPEN_WRITES(flags);
	}
	if (!writes)
		return GL_OTHER;
	e = strstr(q, ERRNO_KEY);
	if (e && e + LEN(ERRNO_KEY) < end && e[LEN(ERRNO_KEY)] != 'n')
		return GL_DECODE; /* failed ("errno":null is success) */
	return GL_WRITE;
}
