/*
 * layerdiff.c - the container layer's changes against the trace
 * (layerdiff.h).
 *
 * The changes go into a map by path.  One pass over the events marks
 * what each successful write explains: its own path, path2 and real path,
 * each where it lands through a symlinked directory (realdirs.h: a rename
 * into /var/run/x made /run/x)
 * (added, changed or deleted), every changed directory above them (a
 * name made and removed again leaves only its directory changed), and,
 * for a rename or link, everything below the new name (a directory moved
 * in); for a rename, unlink or rmdir, every deletion below the old name.
 * What is left, apart from the runtime's mount points and directories
 * changed only through a listed child, is unseen.  The changes are read
 * from the overlay2 directories where they can be (overlaydiff.h), else
 * from `docker diff`.  The state of each
 * unseen path and of its directory is read from the stopped container
 * (the first tar header of `docker cp CID:PATH -`), the directory's from
 * the trace's own `dir` record when it has one (the image's state, before
 * the run).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "layerdiff.h"
#include "map.h"
#include "overlaydiff.h"
#include "realdirs.h"
#include "schema.h"
#include "util.h"

#define MAX_STATS 64 /* unseen paths whose state is read from the container */

struct change {
	char kind; /* 'A', 'C', 'D' */
	char *path;
	bool explained;
	bool has_child; /* a path below it is listed */
};

struct layer {
	struct change *v;
	size_t n, cap;
	struct map bypath;	   /* path -> index + 1 */
	struct strset moved_in;	   /* new names of renames and links */
	struct strset removed;	   /* old names of renames, unlinks, rmdirs */
	struct realdirs real;	   /* symlinked directories the trace shows */
	const struct container *c; /* its mounts are not the layer's */
	const struct trace *t;	   /* nor those of its mount table */
};

/* ---- reading docker diff ------------------------------------------------- */

static int read_diff(struct layer *l, const char *cid, char **why)
{
	char *argv[] = {"docker", "diff", (char *)cid, NULL};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int rc = child_capture(argv, &out, &err);

	if (rc) {
		char *nl = err.len ? strchr(err.buf, '\n') : NULL;

		if (nl)
			*nl = '\0';
		*why = rc < 0 ? xasprintf("cannot run docker diff: %s",
					  strerror(errno))
			      : xasprintf("docker diff %s failed: %s", cid,
					  err.len ? err.buf : "(no message)");
	}
	for (char *p = rc ? NULL : out.buf, *nl; p && *p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		if (!strchr("ACD", p[0]) || p[1] != ' ' || p[2] != '/')
			continue;
		l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
		l->v[l->n++] =
		    (struct change){.kind = p[0], .path = xstrdup(p + 2)};
	}
	sb_release(&out);
	sb_release(&err);
	return rc ? -1 : 0;
}

/* The changes, from the overlay2 directories when they can say (no
 * docker diff, about 0.4 s), else from docker diff; *source says which. */
static int read_changes(struct layer *l, const char *cid, const char **source,
			char **why)
{
	struct layer_change *v;
	size_t n;

	if (overlay_layer_changes(cid, &v, &n)) {
		l->v = xgrow(l->v, &l->cap, n, sizeof *l->v);
		for (size_t i = 0; i < n; i++)
			l->v[i] = (struct change){.kind = v[i].kind,
						  .path = v[i].path};
		l->n = n;
		free(v);
		*source = "overlay2";
		return 0;
	}
	*source = "docker diff";
	return read_diff(l, cid, why);
}

static struct change *change_n(struct layer *l, const char *p, size_t len)
{
	struct map_slot *s = map_find_n(&l->bypath, p, len, map_hash(p, len));

	return s ? &l->v[(size_t)s->val - 1] : NULL;
}

/* ---- what the events explain --------------------------------------------- */

/* path, and every changed directory above it, are explained. */
static void explain(struct layer *l, const char *path)
{
	struct change *ch;
	size_t len;

	if (!path || path[0] != '/')
		return;
	len = strlen(path);
	ch = change_n(l, path, len);
	if (ch)
		ch->explained = true;
	while ((len = parent_len(path, len)) > 0) {
		ch = change_n(l, path, len);
		if (ch && ch->kind == 'C')
			ch->explained = true;
	}
}

/* What the successful write ev explains; orig is ev as recorded. */
static void explain_write(struct layer *l, const struct trace_event *orig,
			  const struct trace_event *ev)
{
	explain(l, orig->path);
	explain(l, orig->real);
	explain(l, ev->path);
	explain(l, ev->path2);
	if (ev->path2 && (ev->op == OP_RENAME || ev->op == OP_LINK))
		strset_add(&l->moved_in, ev->path2);
	if (ev->op == OP_RENAME || ev->op == OP_UNLINK || ev->op == OP_RMDIR)
		strset_add(&l->removed, ev->path);
}

static int explain_event(const struct trace_event *orig, void *ctx)
{
	struct layer *l = ctx;
	const struct trace_event *ev = orig;
	struct trace_event canon;
	char *own[2] = {NULL, NULL};

	/* the layer lists where a write landed: /var/run/x is /run/x */
	if (realdirs_event(&l->real, orig, &canon, own))
		ev = &canon;
	if (!ev->err && trace_event_writes(ev))
		explain_write(l, orig, ev);
	free(own[0]);
	free(own[1]);
	return 0;
}

/* Whether path or a directory above it is in set. */
static bool under_one_of(const struct strset *set, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = strlen(path);
	bool found = false;

	sb_adds(&sb, path);
	for (; len > 0 && !found; len = parent_len(path, len)) {
		sb.buf[len] = '\0';
		found = strset_has(set, sb.buf);
	}
	sb_release(&sb);
	return found;
}

/* ---- what is no one's ---------------------------------------------------- */

static bool under(const char *path, const char *dir)
{
	return dir && *dir && path_is_under(path, dir);
}

/* A mount point the runtime or this run made (the run's options, the
 * image's VOLUMEs: any mount the container's mount table shows), or below
 * one. */
static bool runtime_mount(const struct layer *l, const char *path)
{
	static const char *const fixed[] = {"/dev",	  "/proc",
					    "/sys",	  "/etc/hostname",
					    "/etc/hosts", "/etc/resolv.conf",
					    CT_PAYLOAD,	  CT_LOG};
	const struct container *c = l->c;

	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		if (under(path, fixed[i]))
			return true;
	for (size_t i = 0; i < c->nbinds; i++)
		if (under(path, c->binds[i].container))
			return true;
	for (size_t i = 0; i < c->ntmpfs; i++)
		if (under(path, c->tmpfs[i]))
			return true;
	/* the image's VOLUMEs and whatever else the mount table shows */
	for (size_t i = 0; l->t && i < trace_nmounts(l->t); i++) {
		const char *mnt = trace_mount_at(l->t, i)->mnt;

		if (strcmp(mnt, "/") && under(path, mnt))
			return true;
	}
	return under(path, c->workdir);
}

static bool unseen(const struct layer *l, const struct change *ch)
{
	if (ch->explained || runtime_mount(l, ch->path) ||
	    (ch->kind == 'C' && ch->has_child))
		return false;
	if (ch->kind == 'D')
		return !under_one_of(&l->removed, ch->path);
	return !under_one_of(&l->moved_in, ch->path);
}

/* ---- the state of an unseen path ----------------------------------------- */

static unsigned long octal(const unsigned char *f, size_t n)
{
	unsigned long v = 0;

	for (size_t i = 0; i < n && f[i] >= '0' && f[i] <= '7'; i++)
		v = v * 8 + (f[i] - '0');
	return v;
}

/* The first member's state in a tar stream of n bytes: extended headers
 * (pax 'x'/'g', GNU long names 'L'/'K') are skipped. */
static bool tar_state(const unsigned char *b, size_t n, struct file_state *st)
{
	size_t off = 0;

	while (off + 512 <= n) {
		const unsigned char *h = b + off;
		char type = (char)h[156];

		if (memcmp(h + 257, "ustar", 5))
			return false;
		if (strchr("xgLK", type) && type) {
			off += 512 + (octal(h + 124, 12) + 511) / 512 * 512;
			continue;
		}
		st->kind = ST_PRESENT;
		st->type = type == '5'	 ? FT_DIR
			   : type == '2' ? FT_SYMLINK
			   : type == '6' ? FT_FIFO
			   : type == '3' ? FT_CHR
			   : type == '4' ? FT_BLK
					 : FT_FILE;
		st->mode = (unsigned)octal(h + 100, 8) & 07777;
		st->uid = (unsigned)octal(h + 108, 8);
		st->gid = (unsigned)octal(h + 116, 8);
		return true;
	}
	return false;
}

/* path's state in the stopped container; ST_UNKNOWN when unreadable. */
static struct file_state container_state(const char *cid, const char *path)
{
	char *src = xasprintf("%s:%s", cid, path);
	char *argv[] = {"docker", "cp", src, "-", NULL};
	unsigned char *buf = xcalloc(1, 16384);
	ssize_t n = child_read_head(argv, buf, 16384);
	struct file_state st = {.kind = ST_UNKNOWN};

	if (n > 0)
		tar_state(buf, (size_t)n, &st);
	free(buf);
	free(src);
	return st;
}

static json_t *state_json(const struct file_state *st)
{
	char mode[8];

	snprintf(mode, sizeof mode, "%04o", st->mode & 07777);
	return json_pack("{s:s, s:i, s:i, s:s}", K_TYPE,
			 file_type_name(st->type), K_UID, (json_int_t)st->uid,
			 K_GID, (json_int_t)st->gid, K_MODE, mode);
}

static json_t *unseen_json(const char *cid, struct trace *t,
			   const struct change *ch, bool stat)
{
	char *dir = path_dirname(ch->path), kind[2] = {ch->kind, 0};
	const struct trace_dir *rec = t ? trace_dir_state(t, dir) : NULL;
	struct file_state st = {.kind = ST_UNKNOWN}, parent = st;
	json_t *o = json_object();

	if (rec)
		parent = rec->st;
	if (stat && ch->kind != 'D')
		st = container_state(cid, ch->path);
	if (stat && parent.kind == ST_UNKNOWN)
		parent = container_state(cid, dir);
	json_object_set_new(o, K_PATH, json_path(ch->path));
	json_object_set_new(o, K_META_LAYER_CHANGE, json_string(kind));
	if (st.kind == ST_PRESENT)
		json_object_set_new(o, K_ST, state_json(&st));
	if (parent.kind == ST_PRESENT)
		json_object_set_new(o, K_PARENT, state_json(&parent));
	free(dir);
	return o;
}

/* ---- the check ----------------------------------------------------------- */

static int change_cmp(const void *a, const void *b)
{
	return strcmp(((const struct change *)a)->path,
		      ((const struct change *)b)->path);
}

/* Sorted by path, in the map, each directory knowing it has a child. */
static void index_changes(struct layer *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof *l->v, change_cmp);
	for (size_t i = 0; i < l->n; i++)
		map_put(&l->bypath, l->v[i].path, (void *)(i + 1));
	for (size_t i = 0; i < l->n; i++) {
		const char *p = l->v[i].path;
		size_t len = parent_len(p, strlen(p));
		struct change *dir = len ? change_n(l, p, len) : NULL;

		if (dir)
			dir->has_child = true;
	}
}

static json_t *uncovered_json(const struct container *c)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c->nbinds; i++)
		json_array_append_new(a, json_path(c->binds[i].container));
	for (size_t i = 0; i < c->ntmpfs; i++)
		json_array_append_new(a, json_path(c->tmpfs[i]));
	return a;
}

json_t *layer_check(const struct container *c, const char *cid, struct trace *t)
{
	struct layer l = {.c = c, .t = t};
	json_t *o = json_object(), *un = json_array();
	char *why = NULL;
	const char *source;
	size_t nstat = 0;

	json_object_set_new(o, K_META_LAYER_UNCOVERED, uncovered_json(c));
	if (read_changes(&l, cid, &source, &why)) {
		json_object_set_new(o, K_META_LAYER_ERROR, json_string(why));
		free(why);
	} else {
		index_changes(&l);
		if (t)
			trace_each_event(t, explain_event, &l);
		for (size_t i = 0; i < l.n; i++)
			if (unseen(&l, &l.v[i]))
				json_array_append_new(
				    un, unseen_json(cid, t, &l.v[i],
						    nstat++ < MAX_STATS));
		json_object_set_new(o, K_META_LAYER_CHANGES,
				    json_integer((json_int_t)l.n));
		json_object_set_new(o, K_META_LAYER_SOURCE,
				    json_string(source));
	}
	json_object_set_new(o, K_META_LAYER_UNSEEN, un);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].path);
	free(l.v);
	map_free(&l.bypath, NULL);
	strset_free(&l.moved_in);
	strset_free(&l.removed);
	realdirs_free(&l.real);
	return o;
}
