/*
 * tracepack.c - trace_dir_pack(): after a run, the small logs of a
 * trace's log/ directory are concatenated into pack files, so that a
 * trace of many short processes does not take a disk block (4 KiB) for
 * each few hundred bytes of records (schema/SCHEMA.md, "Pack files").
 *
 * Which logs: a *.jsonl log file whose disk blocks (st_blocks) are more
 * than twice its bytes, not counting NUL padding at its end (a killed
 * image keeps its preallocated tail: the padding goes, one NUL of it is
 * kept after a last line cut short, so that the reader says of it what it
 * said of the file); files over 1 MiB are left as they are, and so are
 * files with a stage file beside them (their window is laid over the
 * file, not over a segment).  Every other
 * byte is kept exactly, behind a framing line naming the file and its
 * byte count.
 *
 * A log still being written is never packed.  Every writer the preload
 * has holds its file open for writing (its shared mapping keeps the
 * descriptor's open file), and a read lease (F_SETLEASE F_RDLCK) is
 * refused while anyone does: a file is packed only under a read lease,
 * held until the file is deleted, and a writer that opens it by name
 * meanwhile breaks the lease, which keeps the file (the reader then reads
 * the file, not the segment).  Where files cannot be leased (not their
 * owner, no CAP_LEASE, leases disabled) they stay as they are; on a file
 * system without fallocate the preload writes each record by opening its
 * file by name, unseen by a lease until then, so nothing is packed there.
 *
 * At SIGKILL of the CLI at any instant nothing is lost: a pack is written
 * under a hidden temporary name (.pack-tmp-*, which readers ignore and the
 * next compaction removes), linked into place as pack-NNNNNN.pack, and
 * only then are the originals deleted; a log found both as a file and as
 * a segment is read from the file (tracepack_units.c).  Not fsync'd: the
 * guarantee is the process's death, not the machine's.
 *
 * For tests only: UNROOT_TEST_PACK_KILL=STEP sends the CLI SIGKILL at a
 * step ("written": the temporary pack written; "placed": the pack in
 * place, no original deleted; "deleting": one original deleted), so that
 * tests/cli/pack.sh can prove each state reads as the unpacked trace.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map.h"
#include "schema.h"
#include "tracepack.h"
#include "util.h"

#define TMP_PREFIX  ".pack-tmp-"
#define MAX_PACKED  ((off_t)1 << 20) /* larger files are left alone */
#define BATCH_FILES 256		     /* leased descriptors held at once */
#define BATCH_BYTES ((size_t)8 << 20)

/* A log taken for the pack being made: leased, read. */
struct taken {
	char *name;
	size_t idx; /* in the list of logs */
	int fd;	    /* holds the lease */
	char *buf;
	size_t kept; /* bytes packed */
};

struct packer {
	const char *logdir;
	const char *kill_at; /* UNROOT_TEST_PACK_KILL */
	unsigned seq;	     /* the next pack's number */
	long packed;
	struct taken *v;
	size_t n, cap, bytes;
};

static void test_kill(const struct packer *p, const char *step)
{
	if (p->kill_at && !strcmp(p->kill_at, step))
		raise(SIGKILL);
}

/* The log files of logdir in name order; a killed compaction's temporary
 * packs removed, and p->seq past every pack there. */
static char **list_logs(struct packer *p, size_t *n)
{
	DIR *d = opendir(p->logdir);
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0, k = 0;
	unsigned seq;
	struct strset staged = STRSET_INIT;

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		const char *s = de->d_name;

		if (!strncmp(s, TMP_PREFIX, strlen(TMP_PREFIX))) {
			char *tmp = xasprintf("%s/%s", p->logdir, s);

			(void)unlink(tmp);
			free(tmp);
		} else if (log_is_file_name(s)) {
			v = xgrow(v, &cap, *n + 1, sizeof *v);
			v[(*n)++] = xstrdup(s);
		} else if (sscanf(s, UNROOT_PACK_PREFIX "%u", &seq) == 1 &&
			   seq >= p->seq) {
			p->seq = seq + 1;
		} else if (log_is_stage_name(s)) {
			strset_add(&staged, s);
		}
	}
	closedir(d);
	/* a log with a staging window left beside it stays a file */
	for (size_t i = 0; i < *n; i++) {
		char *stage = xasprintf("%s" UNROOT_STAGE_SUFFIX, v[i]);

		if (strset_has(&staged, stage))
			free(v[i]);
		else
			v[k++] = v[i];
		free(stage);
	}
	*n = k;
	strset_free(&staged);
	if (*n > 1)
		qsort(v, *n, sizeof *v, log_name_cmp);
	return v;
}

/* The bytes of a log worth keeping: NUL padding at its end goes, but for
 * one NUL after a last line cut short (what the reader reports). */
static size_t kept_bytes(const char *buf, size_t len)
{
	size_t end = len;

	while (end && !buf[end - 1])
		end--;
	if (end < len && end && buf[end - 1] != '\n')
		end++;
	return end;
}

/* Lease and read one log: 1 when it joins the pack being made, 0 when
 * not, -1 when no descriptor was left for it (the pack so far is to be
 * made first). */
static int take(struct packer *p, const char *name, size_t idx)
{
	char *path = xasprintf("%s/%s", p->logdir, name);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct taken t = {.fd = fd, .idx = idx};
	struct stat st;

	free(path);
	if (fd < 0)
		return errno == EMFILE || errno == ENFILE ? -1 : 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_PACKED ||
	    fcntl(fd, F_SETLEASE, F_RDLCK)) /* a writer has it open */
		goto no;
	t.buf = xmalloc((size_t)st.st_size + 1);
	if (!pread_exact(fd, t.buf, (size_t)st.st_size, 0))
		goto no;
	t.kept = kept_bytes(t.buf, (size_t)st.st_size);
	if ((long long)st.st_blocks * 512 <= 2 * (long long)t.kept)
		goto no; /* not small: its blocks are not double its bytes */
	t.name = xstrdup(name);
	p->v = xgrow(p->v, &p->cap, p->n + 1, sizeof *p->v);
	p->v[p->n++] = t;
	p->bytes += t.kept;
	return 1;
no:
	free(t.buf);
	close(fd);
	return 0;
}

/* The framing line of one segment (SCHEMA.md), newline included. */
static void add_frame(struct strbuf *sb, const struct taken *t)
{
	json_t *o = json_object();
	char *line;

	json_object_set_new(o, K_T, json_string(REC_PACK));
	json_object_set_new(o, K_PACK_FILE, json_path(t->name));
	json_object_set_new(o, K_PACK_BYTES, json_integer((json_int_t)t->kept));
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	sb_adds(sb, line);
	sb_addc(sb, '\n');
	free(line);
	json_decref(o);
}

/* Write the taken logs as a temporary pack and link it into place as
 * the next pack-NNNNNN.pack; 0, or -1 with *why (nothing changed). */
static int place_pack(struct packer *p, char **why)
{
	char *tmp = xasprintf("%s/" TMP_PREFIX "XXXXXX", p->logdir), *to;
	struct strbuf sb = STRBUF_INIT;
	int fd = mkostemp(tmp, O_CLOEXEC), rc = -1;
	bool ok;

	if (fd < 0) {
		*why = xasprintf("cannot create a pack in %s: %s", p->logdir,
				 strerror(errno));
		free(tmp);
		return -1;
	}
	for (size_t i = 0; i < p->n; i++) {
		add_frame(&sb, &p->v[i]);
		sb_add(&sb, p->v[i].buf, p->v[i].kept);
	}
	ok = !fchmod(fd, 0644) && write_all(fd, sb.buf, sb.len);
	ok = !close(fd) && ok;
	sb_release(&sb);
	if (!ok) {
		*why = xasprintf("cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	test_kill(p, "written");
	for (int err = EEXIST; err == EEXIST;) {
		to = xasprintf("%s/" UNROOT_PACK_PREFIX
			       "%06u" UNROOT_PACK_SUFFIX,
			       p->logdir, p->seq++);
		err = link(tmp, to) ? errno : 0;
		if (!err)
			rc = 0;
		else if (err != EEXIST)
			*why =
			    xasprintf("cannot place %s: %s", to, strerror(err));
		free(to);
	}
out:
	(void)unlink(tmp);
	free(tmp);
	return rc;
}

/* The pack is in place: delete each original whose lease no writer has
 * broken (a broken one keeps its file, which the reader prefers). */
static void drop_originals(struct packer *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct taken *t = &p->v[i];

		if (fcntl(t->fd, F_GETLEASE) == F_RDLCK) {
			char *path = xasprintf("%s/%s", p->logdir, t->name);

			(void)unlink(path);
			free(path);
			test_kill(p, "deleting");
		}
		p->packed++;
	}
}

static void release(struct packer *p)
{
	for (size_t i = 0; i < p->n; i++) {
		close(p->v[i].fd);
		free(p->v[i].buf);
		free(p->v[i].name);
	}
	p->n = 0;
	p->bytes = 0;
}

/* Let the last log taken go; returns its index in the list of logs. */
static size_t untake_last(struct packer *p)
{
	struct taken *t = &p->v[--p->n];

	p->bytes -= t->kept;
	close(t->fd);
	free(t->buf);
	free(t->name);
	return t->idx;
}

/* Make the pack of the logs taken, delete them, and let them go. */
static int flush(struct packer *p, char **why)
{
	int rc = place_pack(p, why);

	if (!rc) {
		test_kill(p, "placed");
		drop_originals(p);
	}
	release(p);
	return rc;
}

/* Whether the preload maps its files here (else it writes by name). */
static bool has_fallocate(const char *logdir)
{
	char *tmp = xasprintf("%s/" TMP_PREFIX "XXXXXX", logdir);
	int fd = mkostemp(tmp, O_CLOEXEC);
	bool ok = fd >= 0 && !fallocate(fd, 0, 0, 4096);

	if (fd >= 0) {
		close(fd);
		(void)unlink(tmp);
	}
	free(tmp);
	return ok;
}

long trace_dir_pack(const char *logdir, char **why)
{
	struct packer p = {.logdir = logdir};
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	size_t n;
	char **names;
	int rc = 0;

	*why = NULL;
	p.kill_at = getenv("UNROOT_TEST_PACK_KILL");
	names = list_logs(&p, &n);
	if (!n || !has_fallocate(logdir)) {
		free(names);
		return 0;
	}
	/* a writer breaking a lease sends SIGIO, whose default kills */
	sigaction(SIGIO, &ign, &old);
	for (size_t i = 0; i < n && !rc;) {
		if (take(&p, names[i], i) < 0 && p.n > 1) {
			/* out of descriptors: the last log taken gives its
			 * own to the pack, made now; go on from that log */
			i = untake_last(&p);
			rc = flush(&p, why);
			continue;
		}
		i++;
		if (p.n &&
		    (p.n == BATCH_FILES || p.bytes >= BATCH_BYTES || i == n))
			rc = flush(&p, why);
	}
	sigaction(SIGIO, &old, NULL);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(p.v);
	return rc ? -1 : p.packed;
}
