/*
 * tracepack_units.c - what a log directory holds, as the readers see it
 * (tracepack.h): every process image's log once, from its own *.jsonl
 * file or from a segment of a *.pack file, in name order.
 *
 * A pack is read by its framing lines only: each is read where the last
 * segment ended and names the next segment's file and byte count, so
 * listing a pack costs one small read per segment.  A framing line that
 * is not one ends the pack (a problem naming its offset); a last segment
 * that the file cuts short is kept with the bytes there are (a problem).
 *
 * Which copy is read, when an image has more than one (a compaction
 * killed between renaming its pack into place and deleting the
 * originals, or a writer that opened the file while it was packed): the
 * log file itself, which holds at least the bytes any segment of it
 * holds; else the segment in the pack whose name sorts last (the newest).
 *
 * A log file with a stage file beside it (an image killed, or still
 * running, with records in its staging window: SCHEMA.md "Stage files")
 * is read with the window laid over it.  The window is read once, when
 * the directory is listed, before any log is read (stage_read).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map.h"
#include "schema.h"
#include "trace_private.h"
#include "tracepack.h"
#include "util.h"

#define MAX_FRAME 4096	/* a framing line: a file name and a count */
#define PACK_READ 65536 /* a pack's frames are read this much at a time */

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return s[0] != '.' && n > m && !strcmp(s + n - m, suffix);
}

bool log_is_file_name(const char *name)
{
	return has_suffix(name, UNROOT_LOG_SUFFIX);
}

bool log_is_pack_name(const char *name)
{
	return has_suffix(name, UNROOT_PACK_SUFFIX);
}

bool log_is_stage_name(const char *name)
{
	return has_suffix(name, UNROOT_LOG_SUFFIX UNROOT_STAGE_SUFFIX);
}

int log_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct log_unit *push(struct log_units *u)
{
	u->v = xgrow(u->v, &u->cap, u->n + 1, sizeof *u->v);
	memset(&u->v[u->n], 0, sizeof u->v[u->n]);
	return &u->v[u->n++];
}

static int unit_cmp(const void *a, const void *b)
{
	return strcmp(((const struct log_unit *)a)->name,
		      ((const struct log_unit *)b)->name);
}

/* What a framing line says (its file name and byte count, each when
 * there): read without jansson when the fast parser can (trace_fast.c),
 * as there are as many of them as processes; false when it is no pack
 * record. */
static bool frame_read(const char *line, size_t n, char **name, bool *has_bytes,
		       long long *bytes)
{
	struct tr_flat fr = {
	    .type = REC_PACK, .skey = K_PACK_FILE, .ikey = K_PACK_BYTES};
	json_t *o, *b;
	const char *t;

	if (tr_fast_flat((char *)line, n, &fr)) {
		*name = fr.has_s ? xstrndup(fr.s, fr.ns) : NULL;
		*has_bytes = fr.has_i;
		*bytes = fr.i;
		return true;
	}
	o = json_loadb(line, n, 0, NULL);
	t = json_string_value(json_object_get(o, K_T));
	if (!o || !t || strcmp(t, REC_PACK)) {
		json_decref(o);
		return false;
	}
	b = json_object_get(o, K_PACK_BYTES);
	*name = json_path_value(json_object_get(o, K_PACK_FILE));
	*has_bytes = json_is_integer(b);
	*bytes = *has_bytes ? json_integer_value(b) : 0;
	json_decref(o);
	return true;
}

/* The segment's file name from a framing line, or NULL (with *msg). */
static char *frame_name(const char *line, size_t n, off_t *bytes,
			const char **msg)
{
	char *name = NULL;
	bool has_bytes = false;
	long long b = 0;

	*msg = NULL;
	if (!frame_read(line, n, &name, &has_bytes, &b))
		*msg = "not a framing line";
	else if (!name || strchr(name, '/') || !log_is_file_name(name))
		*msg = "the framing line names no log file";
	else if (!has_bytes || b < 0)
		*msg = "the framing line has no byte count";
	else
		*bytes = (off_t)b;
	if (*msg) {
		free(name);
		return NULL;
	}
	return name;
}

__attribute__((format(printf, 4, 5))) static void
tell(log_problem_fn problem, void *ctx, const char *file, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	problem(ctx, file, msg);
}

/* What read_pack holds of a pack: len bytes from offset at. */
struct pack_window {
	char *buf; /* PACK_READ bytes */
	off_t at;
	size_t len;
};

/* The framing line at off of the pack open on fd (size bytes), through
 * the window b (read again from off when the line may reach past it); its
 * length in *n, NULL without a newline within MAX_FRAME bytes. */
static const char *frame_at(int fd, struct pack_window *b, off_t off,
			    off_t size, size_t *n)
{
	size_t have;
	const char *p, *nl;

	if (off < b->at || (off - b->at + MAX_FRAME > (off_t)b->len &&
			    b->at + (off_t)b->len < size)) {
		ssize_t got = pread(fd, b->buf, PACK_READ, off);

		b->at = off;
		b->len = got > 0 ? (size_t)got : 0;
	}
	have = off - b->at < (off_t)b->len ? b->len - (size_t)(off - b->at) : 0;
	if (have > MAX_FRAME)
		have = MAX_FRAME;
	p = b->buf + (off - b->at);
	nl = have ? memchr(p, '\n', have) : NULL;
	*n = nl ? (size_t)(nl - p) : 0;
	return nl ? p : NULL;
}

/* Add the segments of one pack to segs (name -> index in u). */
static void read_pack(const char *path, struct log_units *u, struct map *segs,
		      log_problem_fn problem, void *ctx)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct pack_window b = {NULL, 0, 0};
	struct stat st;
	off_t off = 0;

	if (fd < 0 || fstat(fd, &st)) {
		tell(problem, ctx, path, "damaged pack at byte 0: %s",
		     strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	b.buf = xmalloc(PACK_READ);
	while (off < st.st_size) {
		size_t n;
		const char *line = frame_at(fd, &b, off, st.st_size, &n);
		const char *msg = "no framing line";
		struct log_unit *s;
		off_t bytes = 0;
		char *name = line ? frame_name(line, n, &bytes, &msg) : NULL;

		if (!name) {
			tell(problem, ctx, path, "damaged pack at byte %ld: %s",
			     (long)off, msg);
			break;
		}
		s = push(u);
		s->name = name;
		s->src = xstrdup(path);
		s->off = off + (off_t)n + 1;
		s->len = bytes;
		if (s->off + bytes > st.st_size) {
			tell(problem, ctx, path,
			     "damaged pack at byte %ld: the pack ends inside "
			     "this segment: its bytes up to the end are read",
			     (long)off);
			s->len = st.st_size - s->off;
		}
		/* a later pack's segment of the same name replaces it */
		map_put(segs, name, (void *)(u->n));
		off = s->off + bytes;
	}
	free(b.buf);
	close(fd);
}

static void free_unit(struct log_unit *x)
{
	free(x->name);
	free(x->src);
	log_stage_free(x->stage);
	memset(x, 0, sizeof *x);
}

/* ---- stage files ---------------------------------------------------- */

#define STAGE_MAX_CAP ((unsigned long long)64 << 20)

/*
 * The window as one consistent snapshot, or NULL with *msg.  When the
 * writer is resetting the head (gen odd) or resets it while the window is
 * read (gen changed), the window read is not used, and none is needed:
 * the writer resets the head only after the kernel has copied the window
 * into the log, which is read after this.
 */
static struct log_stage *stage_read(int fd, const char **msg)
{
	struct unroot_stage_head h, again;
	struct log_stage *st = xcalloc(1, sizeof *st);

	*msg = "cannot read its head";
	if (!pread_exact(fd, &h, sizeof h, 0))
		goto bad;
	*msg = "not a stage file";
	if (h.magic != UNROOT_STAGE_MAGIC || h.cap > STAGE_MAX_CAP ||
	    h.len > h.cap || h.start > (unsigned long long)INT64_MAX)
		goto bad;
	*msg = "cannot read its window";
	st->bytes = xmalloc(h.len + 1);
	if (!pread_exact(fd, st->bytes, h.len, UNROOT_STAGE_HEAD) ||
	    !pread_exact(fd, &again, sizeof again, 0))
		goto bad;
	*msg = NULL;
	if (!(h.gen & 1) && again.gen == h.gen) {
		st->start = (off_t)h.start;
		st->len = h.len;
	}
	return st;
bad:
	log_stage_free(st);
	return NULL;
}

/* The stage file name (in logdir) onto its log file's unit in u. */
static void attach_stage(const char *logdir, const char *name,
			 struct log_units *u, log_problem_fn problem, void *ctx)
{
	char *path = xasprintf("%s/%s", logdir, name);
	char *log = xstrndup(name, strlen(name) - strlen(UNROOT_STAGE_SUFFIX));
	struct log_unit key = {.name = log}, *x;
	const char *msg = "no log file of this name";
	int fd;

	x = bsearch(&key, u->v, u->n, sizeof *u->v, unit_cmp);
	if (x && x->len < 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		msg = fd < 0 ? strerror(errno) : NULL;
		if (fd >= 0) {
			x->stage = stage_read(fd, &msg);
			close(fd);
		}
	}
	if (msg)
		tell(problem, ctx, path, "stage file not laid over a log: %s",
		     msg);
	free(log);
	free(path);
}

void log_stage_lay(const struct log_stage *st, off_t pos, char *buf, size_t n)
{
	off_t from, to;

	if (!st || !st->len)
		return;
	from = pos > st->start ? pos : st->start;
	to = pos + (off_t)n;
	if (to > st->start + (off_t)st->len)
		to = st->start + (off_t)st->len;
	if (from < to)
		memcpy(buf + (from - pos), st->bytes + (from - st->start),
		       (size_t)(to - from));
}

void log_stage_free(struct log_stage *st)
{
	if (st)
		free(st->bytes);
	free(st);
}

/* Keep the units of files, and the segments that segs still names and
 * files does not; in name order. */
static void keep_read_copies(struct log_units *u, size_t nfiles,
			     const struct map *segs)
{
	struct strset files = STRSET_INIT;
	size_t k = nfiles;

	for (size_t i = 0; i < nfiles; i++)
		strset_add(&files, u->v[i].name);
	for (size_t i = nfiles; i < u->n; i++) {
		struct log_unit *x = &u->v[i];

		if (strset_has(&files, x->name) ||
		    (size_t)map_get(segs, x->name) != i + 1)
			free_unit(x);
		else
			u->v[k++] = *x;
	}
	u->n = k;
	strset_free(&files);
	if (u->n > 1)
		qsort(u->v, u->n, sizeof *u->v, unit_cmp);
}

int log_units_list(const char *logdir, struct log_units *u,
		   log_problem_fn problem, void *ctx)
{
	DIR *d = opendir(logdir);
	struct dirent *de;
	char **packs = NULL, **stages = NULL;
	size_t npacks = 0, cappacks = 0, nfiles, nstages = 0, capstages = 0;
	struct map segs = MAP_INIT;

	memset(u, 0, sizeof *u);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (log_is_file_name(de->d_name)) {
			struct log_unit *x = push(u);

			x->name = xstrdup(de->d_name);
			x->src = xasprintf("%s/%s", logdir, de->d_name);
			x->len = -1;
		} else if (log_is_pack_name(de->d_name)) {
			packs =
			    xgrow(packs, &cappacks, npacks + 1, sizeof *packs);
			packs[npacks++] =
			    xasprintf("%s/%s", logdir, de->d_name);
		} else if (log_is_stage_name(de->d_name)) {
			stages = xgrow(stages, &capstages, nstages + 1,
				       sizeof *stages);
			stages[nstages++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	nfiles = u->n;
	if (npacks > 1)
		qsort(packs, npacks, sizeof *packs, log_name_cmp);
	for (size_t i = 0; i < npacks; i++) {
		read_pack(packs[i], u, &segs, problem, ctx);
		free(packs[i]);
	}
	free(packs);
	keep_read_copies(u, nfiles, &segs);
	map_free(&segs, NULL);
	for (size_t i = 0; i < nstages; i++) {
		attach_stage(logdir, stages[i], u, problem, ctx);
		free(stages[i]);
	}
	free(stages);
	return 0;
}

void log_units_free(struct log_units *u)
{
	for (size_t i = 0; i < u->n; i++)
		free_unit(&u->v[i]);
	free(u->v);
	memset(u, 0, sizeof *u);
}

char *log_unit_read(const struct log_unit *u, size_t *len)
{
	size_t want = (size_t)u->len, have = 0;
	char *buf;
	int fd;

	if (u->len < 0) {
		buf = file_read(u->src, len);
		if (buf)
			log_stage_lay(u->stage, 0, buf, *len);
		return buf;
	}
	fd = open(u->src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	buf = xmalloc(want + 1);
	while (have < want) {
		ssize_t got =
		    pread(fd, buf + have, want - have, u->off + (off_t)have);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;

			close(fd);
			free(buf);
			errno = e;
			return NULL;
		}
		if (got == 0)
			break;
		have += (size_t)got;
	}
	close(fd);
	buf[have] = '\0';
	*len = have;
	return buf;
}
