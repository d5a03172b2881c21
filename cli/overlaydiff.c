/*
 * overlaydiff.c - a container layer's changes from its overlay2
 * directories (overlaydiff.h), by the rules of docs/layer.md.
 *
 * The list is what `docker diff` prints: the container's file system
 * compared with its image's, entry by entry.  Only what the upper
 * directory holds can differ, so only it is walked (names sorted
 * bytewise, a directory before what is in it), each entry against the
 * image's entry of the same path: the lower layers, top first, as the
 * kernel merges them (a whiteout hides the name below it, an opaque or
 * non-directory entry every layer below it).  Any error (an unreadable
 * entry or attribute, a lower path that is neither there nor missing) or
 * anything the walk cannot read (a redirect or metacopy attribute, the
 * user.overlay.* ones) gives it up, and the caller asks `docker diff`.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "child.h"
#include "map.h"
#include "overlaydiff.h"
#include "util.h"

struct walk {
	struct strbuf path; /* the entry's path in the container ("" at /) */
	char *const *lowers;
	size_t nlowers;
	const char *upper;
	struct layer_change *v;
	size_t n, cap;
};

static void add(struct walk *w, char kind, const char *path)
{
	w->v = xgrow(w->v, &w->cap, w->n + 1, sizeof *w->v);
	w->v[w->n++] = (struct layer_change){
	    .kind = kind, .path = xstrdup(*path ? path : "/")};
}

/* Reads attribute name of path into buf (*len bytes); 1: it is set, 0: it
 * is not, -1: it cannot be read (Docker's diff fails on that too). */
static int xattr(const char *path, const char *name, char *buf, size_t *len)
{
	ssize_t n = lgetxattr(path, name, buf, *len);

	*len = n > 0 ? (size_t)n : 0;
	if (n < 0)
		return errno == ENODATA ? 0 : -1;
	return 1;
}

static bool is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

/* An entry of one file system view: its lstat and file capabilities. */
struct entry {
	bool exists;
	struct stat st;
	char cap[64];
	size_t ncap;
};

static bool read_entry(const char *path, struct entry *e)
{
	e->ncap = sizeof e->cap;
	e->exists = true;
	return lstat(path, &e->st) == 0 &&
	       xattr(path, "security.capability", e->cap, &e->ncap) >= 0;
}

/* Docker's test of a changed entry: type and mode, owner, device, and for
 * what is not a directory its size and modification time (to the second
 * where either has no nanoseconds), and its file capabilities. */
static bool differ(const struct entry *a, const struct entry *b)
{
	const struct stat *x = &a->st, *y = &b->st;

	if (x->st_mode != y->st_mode || x->st_uid != y->st_uid ||
	    x->st_gid != y->st_gid || x->st_rdev != y->st_rdev)
		return true;
	if (!S_ISDIR(x->st_mode) &&
	    (x->st_size != y->st_size ||
	     x->st_mtim.tv_sec != y->st_mtim.tv_sec ||
	     (x->st_mtim.tv_nsec != y->st_mtim.tv_nsec && x->st_mtim.tv_nsec &&
	      y->st_mtim.tv_nsec)))
		return true;
	return a->ncap != b->ncap || memcmp(a->cap, b->cap, a->ncap);
}

/* The lower layers that make the image's directory at w->path, top
 * first, from vis[0..n), those of its parent: a layer's own directory
 * there counts; an opaque one hides the layers below, as does a whiteout
 * or anything not a directory.  -1 on an error. */
static ssize_t visible_below(struct walk *w, const size_t *vis, size_t n,
			     size_t *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char *p = xasprintf("%s%s", w->lowers[vis[i]], w->path.buf);
		struct stat st;
		char buf[8];
		size_t len = sizeof buf;
		int rc = lstat(p, &st), err = errno, opaque = 0;

		if (rc == 0 && S_ISDIR(st.st_mode))
			opaque = xattr(p, "trusted.overlay.opaque", buf, &len);
		free(p);
		if (rc != 0 && (err == ENOENT || err == ENOTDIR))
			continue;
		if (rc != 0 || opaque < 0)
			return -1;
		if (!S_ISDIR(st.st_mode))
			break;
		out[k++] = vis[i];
		if (opaque == 1 && len == 1 && buf[0] == 'y')
			break;
	}
	return (ssize_t)k;
}

/* The image's entry at w->path, in the layers vis[0..n) of its
 * directory; false on an error. */
static bool image_entry(struct walk *w, const size_t *vis, size_t n,
			struct entry *e)
{
	e->exists = false;
	for (size_t i = 0; i < n; i++) {
		char *p = xasprintf("%s%s", w->lowers[vis[i]], w->path.buf);
		struct stat st;
		bool ok = lstat(p, &st) == 0;
		int err = errno;

		if (!ok) {
			free(p);
			if (err == ENOENT)
				continue;
			return false;
		}
		ok = is_whiteout(&st) || read_entry(p, e);
		free(p);
		return ok;
	}
	return true;
}

/* What the native walk cannot read: a redirect, metacopy or
 * user.overlay.* attribute (with them Docker diffs the mounted views). */
static bool unreadable_marks(const char *path)
{
	static const char *const names[] = {
	    "trusted.overlay.redirect", "trusted.overlay.metacopy",
	    "user.overlay.opaque", "user.overlay.redirect",
	    "user.overlay.metacopy"};
	char buf[8];

	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		size_t len = sizeof buf;
		if (xattr(path, names[i], buf, &len) != 0)
			return true;
	}
	return false;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory path, sorted; NULL when it cannot be read. */
static char **sorted_names(const char *path, size_t *n)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	errno = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		names = xgrow(names, &cap, *n + 1, sizeof *names);
		names[(*n)++] = xstrdup(e->d_name);
	}
	bool ok = errno == 0;
	closedir(d);
	if (!ok) {
		while (*n)
			free(names[--*n]);
		free(names);
		return NULL;
	}
	if (*n)
		qsort(names, *n, sizeof *names, by_name);
	return names ? names : xcalloc(1, sizeof *names);
}

static void free_names(char **names, size_t n)
{
	if (!names)
		return;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static bool walk_dir(struct walk *w, const size_t *vis, size_t nvis,
		     bool opaque);

/* The entries of the image's directory at w->path (layers vis) that an
 * opaque directory of the container hides: deletions, unless the
 * container has one of that name (names, sorted). */
static bool hidden_by_opaque(struct walk *w, const size_t *vis, size_t nvis,
			     char **names, size_t n)
{
	size_t at = w->path.len;
	struct strset seen = {0};
	bool ok = true;

	for (size_t i = 0; ok && i < nvis; i++) {
		char *dir = xasprintf("%s%s", w->lowers[vis[i]], w->path.buf);
		size_t m;
		char **lower = sorted_names(dir, &m);
		free(dir);
		ok = lower != NULL;
		for (size_t j = 0; ok && j < m; j++) {
			if (!strset_add(&seen, lower[j]) ||
			    bsearch(&lower[j], names, n, sizeof *names,
				    by_name))
				continue;
			sb_addc(&w->path, '/');
			sb_adds(&w->path, lower[j]);
			struct entry e;
			ok = image_entry(w, vis, nvis, &e);
			if (ok && e.exists)
				add(w, 'D', w->path.buf);
			w->path.len = at;
			w->path.buf[at] = '\0';
		}
		free_names(lower, m);
	}
	strset_free(&seen);
	return ok;
}

/* The container's entry at w->path (upper path up), in the directory
 * whose image layers are vis[0..nvis); false on an error. */
static bool visit(struct walk *w, const char *up, const size_t *vis,
		  size_t nvis)
{
	struct entry now, was;
	size_t before = w->n;
	char kind = 0;

	if (!read_entry(up, &now) || unreadable_marks(up) ||
	    !image_entry(w, vis, nvis, &was))
		return false;
	if (is_whiteout(&now.st)) {
		if (was.exists)
			add(w, 'D', w->path.buf);
		return true;
	}
	if (!was.exists)
		kind = 'A';
	else if (differ(&was, &now))
		kind = 'C';
	if (kind)
		add(w, kind, w->path.buf);
	if (!S_ISDIR(now.st.st_mode))
		return true;
	char buf[8];
	size_t len = sizeof buf;
	int opaque = xattr(up, "trusted.overlay.opaque", buf, &len);
	size_t *below = xcalloc(nvis + 1, sizeof *below);
	ssize_t nbelow = was.exists && S_ISDIR(was.st.st_mode)
			     ? visible_below(w, vis, nvis, below)
			     : 0;
	bool ok = opaque >= 0 && nbelow >= 0 &&
		  walk_dir(w, below, (size_t)nbelow,
			   opaque == 1 && len == 1 && buf[0] == 'y');
	free(below);
	/* a directory with changes inside is listed as changed */
	if (ok && !kind && w->n > before)
		add(w, 'C', w->path.buf);
	return ok;
}

/* The container's directory at w->path, whose image layers are vis:
 * each of its entries, depth first; an opaque one's hidden entries. */
static bool walk_dir(struct walk *w, const size_t *vis, size_t nvis,
		     bool opaque)
{
	size_t n, at = w->path.len;
	char *dir = xasprintf("%s%s", w->upper, w->path.buf);
	char **names = sorted_names(dir, &n);
	bool ok = names != NULL;

	for (size_t i = 0; ok && i < n; i++) {
		sb_addc(&w->path, '/');
		sb_adds(&w->path, names[i]);
		char *up = xasprintf("%s%s", w->upper, w->path.buf);
		ok = visit(w, up, vis, nvis);
		free(up);
		w->path.len = at;
		w->path.buf[at] = '\0';
	}
	if (ok && opaque)
		ok = hidden_by_opaque(w, vis, nvis, names, n);
	free_names(names, n);
	free(dir);
	return ok;
}

static void free_changes(struct layer_change *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

bool overlay_walk(const char *upper, char *const *lowers, size_t nlowers,
		  struct layer_change **out, size_t *n)
{
	struct walk w = {.lowers = lowers, .nlowers = nlowers, .upper = upper};
	size_t *vis = xcalloc(nlowers + 1, sizeof *vis);
	struct stat st;
	bool ok;

	for (size_t i = 0; i < nlowers; i++)
		vis[i] = i;
	sb_init(&w.path);
	ok = upper[0] == '/' && lstat(upper, &st) == 0 && S_ISDIR(st.st_mode) &&
	     !unreadable_marks(upper) && walk_dir(&w, vis, nlowers, false);
	sb_release(&w.path);
	free(vis);
	if (!ok) {
		free_changes(w.v, w.n);
		return false;
	}
	*out = w.v;
	*n = w.n;
	return true;
}

/* The container's GraphDriver, as docker describes it; NULL when it
 * cannot say. */
static json_t *graph_driver(const char *cid)
{
	char *argv[] = {"docker",
			"container",
			"inspect",
			"--format",
			"{{json .GraphDriver}}",
			(char *)cid,
			NULL};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	json_t *gd = NULL;

	if (child_capture(argv, &out, &err) == 0)
		gd = json_loads(out.buf, 0, NULL);
	sb_release(&out);
	sb_release(&err);
	return gd;
}

bool overlay_layer_changes(const char *cid, struct layer_change **out,
			   size_t *n)
{
	json_t *gd = graph_driver(cid);
	const char *name = json_string_value(json_object_get(gd, "Name"));
	json_t *data = json_object_get(gd, "Data");
	const char *upper =
	    json_string_value(json_object_get(data, "UpperDir"));
	const char *lower =
	    json_string_value(json_object_get(data, "LowerDir"));
	char **lowers = NULL, *copy = lower ? xstrdup(lower) : NULL;
	size_t nlowers = 0, cap = 0;
	bool ok = false;

	for (char *p = copy ? strtok(copy, ":") : NULL; p;
	     p = strtok(NULL, ":")) {
		lowers = xgrow(lowers, &cap, nlowers + 1, sizeof *lowers);
		lowers[nlowers++] = p;
	}
	if (name && !strcmp(name, "overlay2") && upper)
		ok = overlay_walk(upper, lowers, nlowers, out, n);
	free(lowers);
	free(copy);
	json_decref(gd);
	return ok;
}
