/*
 * planner.c - replays a trace under the target user's credentials and
 * chooses the least grants (see planner.h and
 * shared/reference/permission-model.md).
 *
 * The replay keeps a virtual file system: path -> state as the replay
 * changes it.  A path the replay has not touched has the state recorded in
 * the trace (the event's st/st2/parent, or an ancestor `dir` record).  A
 * name the workload creates belongs to the user from then on, and a grant,
 * once chosen, is applied to the virtual file system, so what follows below
 * a granted or created path needs nothing more.  Decisions that depend on
 * the future (a pre-created file is only right when the workload never
 * removes or replaces it) are taken in planner_finish, with the whole
 * trace seen.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"
#include "pysite.h"
#include "quote.h"

#define FILES_BEFORE_DIR 4 /* distinct files created in one dir: own it */

/* ---- planner state ---------------------------------------------------- */

static const char *const op_names[] = {
#define OP_NAME(e, s) s,
    UNROOT_OPS(OP_NAME)
#undef OP_NAME
};

const char *grant_kind_name(enum grant_kind k)
{
	static const char *const names[] = {
	    "mkdir",	"touch",  "own-dir", "own-file",
	    "own-tree", "search", "group",   "build",
	};

	return k < sizeof names / sizeof names[0] ? names[k] : "?";
}

void plan_options_init(struct plan_options *o)
{
	memset(o, 0, sizeof *o);
	o->user = "nonroot";
	o->uid = 1001;
	o->gid = 1001;
	o->tree_threshold = 8;
}

void add_string(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

void plan_warn(struct planner *p, char *msg)
{
	for (size_t i = 0; i < p->plan->nwarnings; i++)
		if (!strcmp(p->plan->warnings[i], msg)) {
			free(msg);
			return;
		}
	add_string(&p->plan->warnings, &p->plan->nwarnings, msg);
}

void plan_note(struct planner *p, char *msg)
{
	for (size_t i = 0; i < p->plan->nnotes; i++)
		if (!strcmp(p->plan->notes[i], msg)) {
			free(msg);
			return;
		}
	add_string(&p->plan->notes, &p->plan->nnotes, msg);
}

/* Whether path was refused already; marks it refused when it was not. */
bool refused_before(struct planner *p, const char *path)
{
	if (map_get(&p->refused, path))
		return true;
	map_put(&p->refused, path, (void *)1);
	return false;
}

/* Append a refusal of path (why is consumed); the caller fills its ev. */
struct refusal *plan_refusal(struct planner *p, const char *path, char *why)
{
	struct plan *pl = p->plan;
	struct refusal *r;

	pl->refused =
	    xrealloc(pl->refused, (pl->nrefused + 1) * sizeof *pl->refused);
	r = &pl->refused[pl->nrefused++];
	r->path = xstrdup(path);
	r->why = why;
	return r;
}

struct planner *planner_new(const struct plan_options *o)
{
	struct planner *p = xcalloc(1, sizeof *p);

	p->o = *o;
	if (!p->o.user)
		p->o.user = "nonroot";
	if (!p->o.tree_threshold)
		p->o.tree_threshold = 8;
	p->plan = xcalloc(1, sizeof *p->plan);
	p->no_shell = o->no_shell;
	prepare_writers(p);
	return p;
}

/* ---- feeding the static parts of the trace ---------------------------- */

void planner_add_os(struct planner *p, const struct trace_os *os)
{
	if (os->id && !strcmp(os->id, "alpine"))
		p->alpine = true;
	if (os->pretty && strstr(os->pretty, "istroless"))
		p->no_shell = true;
}

void planner_add_untraced(struct planner *p, const struct trace_untraced *u)
{
	char *path = comment_safe(u->path);

	plan_warn(
	    p, xasprintf("untraced program %s (%s): what it writes is not "
			 "in the trace, so the plan may be incomplete for it",
			 path, u->why ? u->why : "unknown"));
	free(path);
}

/* ---- evidence --------------------------------------------------------- */

const char *program_of(const struct trace_event *ev)
{
	return trace_program(ev->proc, "");
}

void evidence_from(struct evidence *e, const struct trace_event *ev)
{
	const char *op = ev->op < OP__COUNT ? op_names[ev->op] : "?";

	e->program = xstrdup(program_of(ev));
	e->op = ev->flags_text && *ev->flags_text
		    ? xasprintf("%s(%s)", op, ev->flags_text)
		    : xstrdup(op);
	e->path = xstrdup(ev->path);
	e->frame = trace_frame_text(trace_event_frame(ev));
	e->py = py_site_text(ev);
	e->errname = ev->errname ? xstrdup(ev->errname) : NULL;
	e->pid = ev->pid;
}

void evidence_copy(struct evidence *dst, const struct evidence *src)
{
	dst->program = xstrdup(src->program);
	dst->op = xstrdup(src->op);
	dst->path = xstrdup(src->path);
	dst->frame = src->frame ? xstrdup(src->frame) : NULL;
	dst->py = src->py ? xstrdup(src->py) : NULL;
	dst->errname = src->errname ? xstrdup(src->errname) : NULL;
	dst->pid = src->pid;
}

void evidence_free(struct evidence *e)
{
	free(e->program);
	free(e->op);
	free(e->path);
	free(e->frame);
	free(e->py);
	free(e->errname);
}

/* ---- choosing grants -------------------------------------------------- */

static bool has_prefix_dir(const char *path, const char *dir)
{
	return path_is_under(path, dir);
}

/*
 * path with "." and ".." resolved lexically and "//" folded: the reader
 * rejects paths that are not normalised, but the never-grant check must
 * not depend on that ("/tmp/../etc/passwd" is /etc/passwd).
 */
static char *lexical_normal(const char *path)
{
	char *out = xmalloc(strlen(path) + 2);
	size_t n = 0;

	out[n++] = '/';
	while (*path) {
		const char *s = path + strspn(path, "/");
		size_t len = strcspn(s, "/");

		path = s + len;
		if (!len || (len == 1 && s[0] == '.'))
			continue;
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--; /* the slash before the dropped name */
			continue;
		}
		if (n > 1)
			out[n++] = '/';
		memcpy(out + n, s, len);
		n += len;
	}
	out[n] = 0;
	return out;
}

static const char *protected_reason_normal(const char *path);

/* Code, libraries, system configuration and identity: never granted. */
static const char *protected_reason(const char *path)
{
	char *norm = lexical_normal(path);
	const char *why = protected_reason_normal(norm);

	free(norm);
	return why;
}

static const char *protected_reason_normal(const char *path)
{
	static const char *const system[] = {
	    "/usr",    "/bin",	"/sbin", "/lib", "/lib32", "/lib64",
	    "/libx32", "/boot", "/proc", "/sys", NULL,
	};
	static const char *const code_ext[] = {
	    ".py", ".pyc", ".so",  ".sh",    ".pl",
	    ".rb", ".php", ".jar", ".class", NULL,
	};
	size_t n = strlen(path);

	if (!strcmp(path, "/"))
		return "the root directory";
	if (has_prefix_dir(path, "/root"))
		return "root's home";
	for (int i = 0; system[i]; i++)
		if (has_prefix_dir(path, system[i]))
			return "system code and libraries";
	if (has_prefix_dir(path, "/etc"))
		return "system configuration and identity files";
	if (has_prefix_dir(path, "/dev") && !has_prefix_dir(path, "/dev/shm") &&
	    !has_prefix_dir(path, "/dev/mqueue"))
		return "device files";
	if (strstr(path, "/site-packages") || strstr(path, "/dist-packages") ||
	    strstr(path, "/node_modules"))
		return "installed library code";
	for (int i = 0; code_ext[i]; i++) {
		size_t k = strlen(code_ext[i]);

		if (n > k && !strcmp(path + n - k, code_ext[i]))
			return "program source or a library";
	}
	return NULL;
}

static bool is_shared_system_dir(const char *path)
{
	static const char *const shared[] = {
	    "/run",	 "/var/run",   "/var",	   "/var/lib", "/var/cache",
	    "/var/log",	 "/var/spool", "/var/tmp", "/tmp",     "/opt",
	    "/srv",	 "/home",      "/mnt",	   "/media",   "/var/local",
	    "/var/mail", NULL,
	};

	for (int i = 0; shared[i]; i++)
		if (!strcmp(path, shared[i]))
			return true;
	return false;
}

static bool grant_dead(const struct planner *p, size_t i)
{
	return i < p->grants.capdead && p->grants.dead[i];
}

/* Remove grant i at the next compact_grants(); until then it is skipped. */
static void kill_grant(struct planner *p, size_t i)
{
	if (i >= p->grants.capdead) {
		size_t old = p->grants.capdead;

		p->grants.dead = xgrow(p->grants.dead, &p->grants.capdead,
				       i + 1, sizeof *p->grants.dead);
		memset(p->grants.dead + old, 0,
		       (p->grants.capdead - old) * sizeof *p->grants.dead);
	}
	p->grants.dead[i] = true;
}

static void grant_release(struct grant *g)
{
	free(g->path);
	free(g->command);
	for (char **w = g->build_args; w && *w; w++)
		free(*w);
	free(g->build_args);
	free(g->why);
	evidence_free(&g->ev);
}

/* Drop the dead grants, keeping the order of the others. */
static void compact_grants(struct planner *p)
{
	struct plan *pl = p->plan;
	size_t k = 0;

	for (size_t i = 0; i < pl->ngrants; i++) {
		if (grant_dead(p, i)) {
			grant_release(&pl->grants[i]);
			continue;
		}
		if (k != i)
			pl->grants[k] = pl->grants[i];
		k++;
	}
	if (k != pl->ngrants)
		p->grants.stale = true;
	pl->ngrants = k;
	if (p->grants.capdead)
		memset(p->grants.dead, 0,
		       p->grants.capdead * sizeof *p->grants.dead);
}

static struct grant *find_grant(struct planner *p, enum grant_kind k,
				const char *path)
{
	struct plan *pl = p->plan;
	uintptr_t i;

	if (p->grants.stale) {
		for (size_t j = 0; j <= GRANT_BUILD; j++)
			map_free(&p->grants.idx[j], NULL);
		for (size_t j = 0; j < pl->ngrants; j++)
			if (!grant_dead(p, j))
				map_put(&p->grants.idx[pl->grants[j].kind],
					pl->grants[j].path,
					(void *)(uintptr_t)(j + 1));
		p->grants.stale = false;
	}
	i = (uintptr_t)map_get(&p->grants.idx[k], path);
	if (!i || grant_dead(p, i - 1))
		return NULL;
	return &pl->grants[i - 1];
}

struct grant *add_grant(struct planner *p, enum grant_kind k, const char *path,
			const struct evidence *ev, long count,
			const struct writer *w, char *why)
{
	struct plan *pl = p->plan;
	struct grant *g = find_grant(p, k, path);

	if (g) {
		g->nevents += count;
		free(why);
		return g;
	}
	pl->grants =
	    xrealloc(pl->grants, (pl->ngrants + 1) * sizeof *pl->grants);
	g = &pl->grants[pl->ngrants++];
	memset(g, 0, sizeof *g);
	g->kind = k;
	g->path = xstrdup(path);
	g->why = why;
	g->nevents = count;
	g->writer = w;
	evidence_copy(&g->ev, ev);
	map_put(&p->grants.idx[k], path, (void *)(uintptr_t)pl->ngrants);
	return g;
}

/* Files created in each directory (dirname -> count), counted once. */
static void count_created(struct planner *p, struct map *created)
{
	for (size_t i = 0; i < p->needs.n; i++) {
		char *d;

		if (p->needs.v[i].kind != NEED_CREATE ||
		    p->needs.v[i].type != FT_FILE)
			continue;
		d = path_dirname(p->needs.v[i].path);
		map_put(created, d,
			(void *)((uintptr_t)map_get(created, d) + 1));
		free(d);
	}
}

static size_t files_created_in(struct map *created, const char *dir)
{
	return (uintptr_t)map_get(created, dir);
}

static void grant_owner_state(struct planner *p, struct grant *g,
			      const struct file_state *st)
{
	(void)p;
	g->owner_state = *st;
}

static void own_dir_for_create(struct planner *p, const struct need *n,
			       const char *dir, char *why)
{
	struct file_state st = state_at(p, dir, NULL);
	struct need *dn = need_find(p, NEED_DIR, dir);
	struct grant *g;

	g = add_grant(p, GRANT_OWN_DIR, dir, &n->ev, n->count, n->writer, why);
	grant_owner_state(p, g, dn ? &dn->image : &st);
}

static void grant_for_create(struct planner *p, const struct need *n,
			     struct map *created)
{
	char *dir = path_dirname(n->path), *epath = comment_safe(n->path);
	struct map *dirs = &p->vfs.dirs;
	struct file_state *pst = map_get(dirs, dir);
	struct file_state none = n->image;
	size_t many = files_created_in(created, dir);
	struct grant *g;

	if (need_find(p, NEED_DIR, dir)) {
		/* covered by owning the directory */
	} else if (n->type == FT_DIR && !n->removed) {
		g = add_grant(
		    p, GRANT_MKDIR, n->path, &n->ev, n->count, n->writer,
		    xasprintf("pre-create %s owned by the user: the "
			      "first missing component, so its parent "
			      "stays read-only",
			      epath));
		grant_owner_state(p, g, pst ? pst : &none);
	} else if (n->type == FT_FILE && !n->excl && !n->removed &&
		   many <= FILES_BEFORE_DIR) {
		g = add_grant(p, GRANT_TOUCH, n->path, &n->ev, n->count,
			      n->writer,
			      xasprintf("pre-create the file %s owned by the "
					"user: it is only opened for writing, "
					"never removed or replaced",
					epath));
		grant_owner_state(p, g, pst ? pst : &none);
	} else if (n->removed) {
		own_dir_for_create(
		    p, n, dir,
		    xasprintf("%s is removed, renamed over or "
			      "re-created, so a pre-created name "
			      "would not last: the directory is "
			      "needed",
			      epath));
	} else if (many > FILES_BEFORE_DIR) {
		own_dir_for_create(p, n, dir,
				   xasprintf("%zu different files are created "
					     "in it (names vary between runs)",
					     many));
	} else {
		own_dir_for_create(p, n, dir,
				   xasprintf("%s is created exclusively or is "
					     "not a plain file (%s), so it "
					     "cannot be pre-created",
					     epath, n->ev.op));
	}
	free(dir);
	free(epath);
}

static const char *read_verb(const struct need *n)
{
	if (n->want & 4)
		return n->type == FT_DIR ? "list" : "read";
	return n->type == FT_DIR ? "search" : "execute";
}

/* A read no group membership permits: said plainly, never granted. */
static void refuse_read(struct planner *p, const struct need *n)
{
	const struct file_state *st = &n->image;
	const struct trace_user *owner =
	    st->kind == ST_PRESENT && st->uid ? user_by_uid(p, st->uid) : NULL;
	char *e = comment_safe(n->path), *why;

	if (refused_before(p, n->path)) {
		free(e);
		return;
	}
	if (st->kind != ST_PRESENT)
		why = xasprintf(
		    "the user is denied %s on %s (%s) and the trace "
		    "has not its owner or mode, so no group can be "
		    "chosen; reads are not granted by ownership or "
		    "a wider mode: make it readable to a group the "
		    "user joins, or run as its owner",
		    read_verb(n), e, n->ev.errname ? n->ev.errname : "as root");
	else if (owner)
		why = xasprintf("%s belongs to the service user %s (mode %04o, "
				"%u:%u) and no group the user may join can %s "
				"it: this cannot be granted safely (never a "
				"world-readable mode, never a chown of a "
				"service's file); run the workload as %s "
				"(USER %u:%u)",
				e, owner->name, st->mode & 07777, st->uid,
				st->gid, read_verb(n), owner->name, owner->uid,
				owner->gid);
	else
		why = xasprintf(
		    "%s is mode %04o, owner %u:%u, and no service "
		    "group the user may join can %s it: this cannot "
		    "be granted safely (never a world-readable mode, "
		    "never a chown); ship it readable to the "
		    "service's group, or run as its owner",
		    e, st->mode & 07777, st->uid, st->gid, read_verb(n));
	free(e);
	evidence_copy(&plan_refusal(p, n->path, why)->ev, &n->ev);
}

static void grant_for_need(struct planner *p, const struct need *n,
			   struct map *created)
{
	char *epath = comment_safe(n->path);
	struct grant *g = NULL;

	switch (n->kind) {
	case NEED_CREATE:
		grant_for_create(p, n, created);
		break;
	case NEED_DIR:
		g = add_grant(p, GRANT_OWN_DIR, n->path, &n->ev, n->count,
			      n->writer,
			      xasprintf("names are created or removed directly "
					"in %s, which is in the image",
					epath));
		break;
	case NEED_FILE:
		g = add_grant(
		    p, n->type == FT_DIR ? GRANT_OWN_DIR : GRANT_OWN_FILE,
		    n->path, &n->ev, n->count, n->writer,
		    xasprintf("%s ships in the image and the workload "
			      "changes it (%s)",
			      epath, n->ev.op));
		break;
	case NEED_SEARCH:
		g = add_grant(p, GRANT_SEARCH, n->path, &n->ev, n->count, NULL,
			      xasprintf("the user cannot search %s (mode %04o, "
					"owner %u:%u) on the way to what the "
					"workload uses",
					epath, n->image.mode, n->image.uid,
					n->image.gid));
		break;
	case NEED_GROUP: {
		char *file = comment_safe(n->ev.path);
		const char *verb = n->want & 2	 ? "write"
				   : n->want & 4 ? "read"
						 : "search";

		g = add_grant(
		    p, GRANT_GROUP, n->path, &n->ev, n->count, NULL,
		    xasprintf("%s is mode %04o, owner %u:%u, and the "
			      "group %s may %s it: the user joins the "
			      "service's group, which the image "
			      "already allows; no mode is widened and "
			      "no file is given away",
			      file, n->image.mode & 07777, n->image.uid,
			      n->image.gid, epath, verb));
		g->gid = n->gid;
		free(file);
		break;
	}
	case NEED_READ:
		refuse_read(p, n);
		break;
	case NEED__COUNT:
		break;
	}
	if (g)
		grant_owner_state(p, g, &n->image);
	free(epath);
}

static void remove_grant(struct plan *pl, size_t i)
{
	struct grant *g = &pl->grants[i];

	grant_release(g);
	memmove(g, g + 1, (pl->ngrants - i - 1) * sizeof *g);
	pl->ngrants--;
}

/* Grants sorted by path, to find those at or below a directory. */
struct gref {
	const char *path;
	size_t i;
};

static int gref_cmp(const void *a, const void *b)
{
	const struct gref *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* The first entry whose path is not below key (strcmp order). */
static size_t gref_lower(const struct gref *v, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Add d to the count of path and of each of its ancestors. */
static void count_chain(struct map *cnt, const char *path, uintptr_t d)
{
	char *buf = xstrdup(path);
	size_t len = strlen(buf);

	for (;;) {
		map_put(cnt, buf, (void *)((uintptr_t)map_get(cnt, buf) + d));
		len = parent_len(buf, len);
		if (!len)
			break;
		buf[len] = 0;
	}
	free(buf);
}

/* Kill every own-file and own-dir grant at or below dir (path_is_under),
 * uncounting the own-file ones. */
static void kill_below(struct planner *p, const struct gref *v, size_t n,
		       const char *dir, struct map *cnt)
{
	struct plan *pl = p->plan;
	size_t len = strlen(dir);
	char *sub = xasprintf("%s/", dir);

	for (int pass = 0; pass < 2; pass++) {
		const char *key = pass ? sub : dir;

		for (size_t k = gref_lower(v, n, key); k < n; k++) {
			struct grant *g = &pl->grants[v[k].i];

			if (pass ? strncmp(v[k].path, sub, len + 1)
				 : strcmp(v[k].path, dir))
				break;
			if (grant_dead(p, v[k].i))
				continue;
			if (g->kind == GRANT_OWN_FILE)
				count_chain(cnt, g->path, (uintptr_t)-1);
			kill_grant(p, v[k].i);
		}
	}
	free(sub);
}

/*
 * chown -R a tree when many existing files in it are rewritten: for each
 * own-file grant in order, the lowest ancestor holding tree_threshold of
 * them.  Counts only fall as grants are folded into trees, so one that
 * found no tree never finds one later, and one pass in order gives what
 * restarting after every fold would.
 */
static void collapse_trees(struct planner *p)
{
	struct plan *pl = p->plan;
	struct map cnt = {0};
	struct gref *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];

		if (grant_dead(p, i) ||
		    (g->kind != GRANT_OWN_FILE && g->kind != GRANT_OWN_DIR))
			continue;
		v = xgrow(v, &cap, n + 1, sizeof *v);
		v[n].path = g->path;
		v[n++].i = i;
		if (g->kind == GRANT_OWN_FILE)
			count_chain(&cnt, g->path, 1);
	}
	if (n > 1)
		qsort(v, n, sizeof *v, gref_cmp);
	for (size_t i = 0; i < pl->ngrants; i++) {
		struct grant *g = &pl->grants[i];
		char *dir;

		if (grant_dead(p, i) || g->kind != GRANT_OWN_FILE)
			continue;
		for (dir = path_dirname(g->path);
		     strcmp(dir, "/") && strcmp(dir, ".");) {
			size_t count = (uintptr_t)map_get(&cnt, dir);

			if (count >= p->o.tree_threshold &&
			    !protected_reason(dir) &&
			    !is_shared_system_dir(dir)) {
				struct evidence ev;
				char *edir = comment_safe(dir);

				evidence_copy(&ev, &g->ev);
				kill_below(p, v, n, dir, &cnt);
				add_grant(
				    p, GRANT_OWN_TREE, dir, &ev, (long)count,
				    NULL,
				    xasprintf(
					"%zu existing files below %s are "
					"rewritten; chown -R copies every "
					"file into a new layer, so prefer "
					"COPY --chown=%u:%u where %s is "
					"added",
					count, edir, p->id.uid, p->id.gid,
					edir));
				evidence_free(&ev);
				free(edir);
				break;
			}
			char *up = path_dirname(dir);

			free(dir);
			dir = up;
		}
		free(dir);
	}
	free(v);
	map_free(&cnt, NULL);
	compact_grants(p);
}

/* An own-tree grant at dir or one of its ancestors. */
static bool tree_covers(struct planner *p, const char *dir)
{
	char *buf = xstrdup(dir);
	size_t len = strlen(buf);
	bool hit = false;

	while (!hit) {
		hit = find_grant(p, GRANT_OWN_TREE, buf) != NULL;
		len = parent_len(buf, len);
		if (!len)
			break;
		buf[len] = 0;
	}
	free(buf);
	return hit;
}

/*
 * A name pre-created (mkdir, touch) in a directory the plan also gives to
 * the user needs nothing of its own: the user creates it there.  The
 * choices are made need by need, so a file's touch can come before another
 * file's need turns its directory into an own-dir grant.
 */
static void prune_covered(struct planner *p)
{
	struct plan *pl = p->plan;

	for (size_t i = pl->ngrants; i-- > 0;) {
		const struct grant *g = &pl->grants[i];
		char *dir;
		bool covered;

		if (grant_dead(p, i) ||
		    (g->kind != GRANT_TOUCH && g->kind != GRANT_MKDIR))
			continue;
		dir = path_dirname(g->path);
		covered = find_grant(p, GRANT_OWN_DIR, dir) != NULL ||
			  tree_covers(p, dir);
		free(dir);
		if (covered)
			kill_grant(p, i);
	}
	compact_grants(p);
}

/*
 * The catalogue is matched on each event's own path, but the grant that
 * remains may be a directory whose name no pattern names (the supervisord
 * socket's directory, owned because of supervisor.sock.1234): a writer
 * matched on a path the grant covers is kept as its hint, so the
 * program's own option is still shown.  Each grant takes the first such
 * need; the needs' ancestors are looked up among the grants by path.
 */
static void attach_hints(struct planner *p)
{
	struct plan *pl = p->plan;
	struct gref *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];

		if (grant_dead(p, i) || g->writer || g->kind == GRANT_BUILD ||
		    g->kind == GRANT_SEARCH || g->kind == GRANT_GROUP)
			continue;
		v = xgrow(v, &cap, n + 1, sizeof *v);
		v[n].path = g->path;
		v[n++].i = i;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, gref_cmp);
	for (size_t k = 0; k < p->needs.n && n; k++) {
		const struct need *nd = &p->needs.v[k];
		char *buf;
		size_t len;

		if (!nd->writer || nd->writer->code)
			continue;
		buf = xstrdup(nd->path);
		len = strlen(buf);
		for (;;) {
			for (size_t j = gref_lower(v, n, buf);
			     j < n && !strcmp(v[j].path, buf); j++)
				if (!pl->grants[v[j].i].hint)
					pl->grants[v[j].i].hint = nd->writer;
			len = parent_len(buf, len);
			if (!len)
				break;
			buf[len] = 0;
		}
		free(buf);
	}
	free(v);
}

/* Redirects, build fixes, refusals and warnings for each grant. */
static void vet_grants(struct planner *p)
{
	struct plan *pl = p->plan;

	for (size_t i = 0; i < pl->ngrants; i++) {
		struct grant *g = &pl->grants[i];
		const struct writer *w = g->writer;
		const char *why =
		    g->kind == GRANT_BUILD || g->kind == GRANT_GROUP
			? NULL
			: protected_reason(g->path);

		if (g->kind == GRANT_GROUP)
			continue;
		if (g->kind != GRANT_BUILD && (!w || !w->env)) {
			/* a failed attempt below names the program */
			const struct writer *aw =
			    attempt_below(p, g->path, g->ev.pid, w);

			if (aw)
				w = g->writer = aw;
		}
		if (g->kind != GRANT_BUILD && redirect_for(p, w, &g->ev))
			g->alternative = true;
		if (w && w->build && g->kind != GRANT_BUILD) {
			struct grant *b;

			b = add_grant(
			    p, GRANT_BUILD, w->id, &g->ev, 1, w,
			    xasprintf("%s: run at build time, so nothing "
				      "is written at run time",
				      w->program));
			g = &pl->grants[i];
			if (!b->build_args)
				b->build_args = build_words(w->build, "", "");
			g->alternative = true;
		}
		if (!w)
			w = g->hint; /* for its option only, never a redirect */
		if (w && w->option)
			plan_note(
			    p, xasprintf("%s: its own option avoids this: %s",
					 w->program, w->option));
		if (why && !g->alternative) {
			char *e = comment_safe(g->path);
			struct refusal *r = plan_refusal(
			    p, g->path,
			    xasprintf("%s is %s: write access is not granted; "
				      "change the program or its "
				      "configuration to write elsewhere",
				      e, why));

			evidence_copy(&r->ev, &g->ev);
			free(e);
			kill_grant(p, i);
			continue;
		}
		if (why)
			continue;
		if ((g->kind == GRANT_OWN_DIR || g->kind == GRANT_OWN_TREE) &&
		    is_shared_system_dir(g->path)) {
			char *e = comment_safe(g->path);

			g->shared_dir = true;
			plan_warn(
			    p,
			    xasprintf(
				"owning %s, a directory shared by the "
				"whole system, is the least grant "
				"for %s %s%s%s",
				e, g->ev.program, g->ev.op,
				w && w->option
				    ? "; the program's own option avoids it: "
				    : "",
				w && w->option ? w->option : ""));
			free(e);
		}
	}
	compact_grants(p);
}

/* ---- the service user ------------------------------------------------ */

/* Only the primary group counts: the plan runs a service user as USER
 * uid:gid, with which docker drops the supplementary groups. */
static bool user_in_group(const struct planner *p, const struct trace_user *u,
			  unsigned gid)
{
	(void)p;
	return u->gid == gid;
}

/* may() for u; an unknown state does not permit (no evidence it would). */
static bool user_may(const struct planner *p, const struct trace_user *u,
		     const struct file_state *st, unsigned want)
{
	unsigned bits;

	if (st->kind != ST_PRESENT)
		return false;
	if (st->uid == u->uid)
		bits = st->mode >> 6;
	else if (user_in_group(p, u, st->gid))
		bits = st->mode >> 3;
	else
		bits = st->mode;
	return (bits & want & 7) == want;
}

static bool op_needs_owner(const char *op)
{
	return !strncmp(op, "chmod", 5) || !strncmp(op, "chown", 5) ||
	       !strncmp(op, "utime", 5) || !strncmp(op, "xattr", 5);
}

/* Running as u, would the workload need g?  g->owner_state is the image
 * state that decides: the parent for a name created, else the path. */
static bool user_needs(const struct planner *p, const struct trace_user *u,
		       const struct grant *g)
{
	const struct file_state *st = &g->owner_state;

	switch (g->kind) {
	case GRANT_MKDIR:
	case GRANT_TOUCH:
	case GRANT_OWN_DIR:
		return !user_may(p, u, st, 3);
	case GRANT_OWN_FILE:
		if (op_needs_owner(g->ev.op))
			return st->kind != ST_PRESENT || st->uid != u->uid;
		return !user_may(p, u, st, 2);
	case GRANT_SEARCH:
		return !user_may(p, u, st, 1);
	case GRANT_GROUP:
		return !user_in_group(p, u, g->gid) &&
		       (st->kind != ST_PRESENT || st->uid != u->uid);
	case GRANT_OWN_TREE:
		return true;
	case GRANT_BUILD:
		return false;
	}
	return true;
}

/* The reads refused to the new user that u may make. */
static size_t reads_u_may(const struct planner *p, const struct trace_user *u,
			  size_t *total)
{
	size_t n = 0;

	*total = 0;
	for (size_t i = 0; i < p->needs.n; i++) {
		const struct need *nd = &p->needs.v[i];

		if (nd->kind != NEED_READ)
			continue;
		(*total)++;
		n += user_may(p, u, &nd->image, nd->want);
	}
	return n;
}

/* Grants that change the image (the build-time fixes are the same for
 * any user, alternatives are not applied). */
static bool counted(const struct grant *g)
{
	return !g->alternative && g->kind != GRANT_BUILD;
}

/* A user of the image that owns (or whose group holds) what a grant or a
 * refused read is about: a candidate to run as. */
static void add_candidate(struct planner *p, const struct trace_user ***v,
			  size_t *n, const struct file_state *st, unsigned gid)
{
	for (size_t i = 0; i < p->id.nusers; i++) {
		const struct trace_user *u = &p->id.users[i];
		bool hit =
		    (st && st->kind == ST_PRESENT && st->uid == u->uid) ||
		    (gid && u->gid == gid);

		if (!hit || !u->uid || u->uid == p->id.uid || u->uid == 65534 ||
		    !strcmp(u->name, p->id.user))
			continue;
		for (size_t k = 0; k < *n; k++)
			if ((*v)[k] == u)
				hit = false;
		if (hit) {
			*v = xrealloc(*v, (*n + 1) * sizeof **v);
			(*v)[(*n)++] = u;
		}
	}
}

/*
 * Debian's packages create a user for their service (redis, www-data,
 * svc) that owns its data, and a group that reads its configuration.
 * Two plans are compared: (a) run as that user, with only the grants it
 * still lacks, or (b) the new user, joined to the service's group, with
 * every grant.  The one that leaves fewer reads refused wins, then the
 * one with fewer grants; a tie keeps the new user (a dedicated uid).
 * Not when the user was named (--user/--uid), for OpenShift's arbitrary
 * uid, or when the new user's HOME is created for it.
 */
static void choose_service_user(struct planner *p)
{
	struct plan *pl = p->plan;
	const struct trace_user **cand = NULL, *best = NULL;
	size_t ncand = 0, cost_b = 0, best_cost = 0, best_reads = 0;
	size_t reads_b = 0;

	if (p->o.user_given || p->o.uid_given || p->o.openshift)
		return;
	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];

		if (!counted(g))
			continue;
		if (g->kind == GRANT_MKDIR && !strcmp(g->path, p->id.home))
			return; /* the new user's HOME */
		cost_b++;
		add_candidate(p, &cand, &ncand, &g->owner_state,
			      g->kind == GRANT_GROUP ? g->gid : 0);
	}
	for (size_t i = 0; i < p->needs.n; i++)
		if (p->needs.v[i].kind == NEED_READ)
			add_candidate(p, &cand, &ncand, &p->needs.v[i].image,
				      p->needs.v[i].image.kind == ST_PRESENT
					  ? p->needs.v[i].image.gid
					  : 0);
	for (size_t i = 0; i < p->needs.n; i++)
		reads_b += p->needs.v[i].kind == NEED_READ;
	for (size_t k = 0; k < ncand; k++) {
		const struct trace_user *u = cand[k];
		size_t cost = 0, total, may_read = reads_u_may(p, u, &total);

		for (size_t i = 0; i < pl->ngrants; i++)
			cost += counted(&pl->grants[i]) &&
				user_needs(p, u, &pl->grants[i]);
		if (total - may_read > reads_b ||
		    (total - may_read == reads_b && cost >= cost_b))
			continue;
		if (!best || total - may_read < best_reads ||
		    (total - may_read == best_reads && cost < best_cost)) {
			best = u;
			best_cost = cost;
			best_reads = total - may_read;
		}
	}
	free(cand);
	if (!best)
		return;
	plan_note(p, xasprintf("runs as the service user %s (uid %u), which "
			       "already owns or may use what the workload "
			       "needs: %zu grant%s and %zu refused read%s, "
			       "where a new user %s would need %zu grant%s "
			       "and %zu refused read%s",
			       best->name, best->uid, best_cost,
			       best_cost == 1 ? "" : "s", best_reads,
			       best_reads == 1 ? "" : "s", p->id.user, cost_b,
			       cost_b == 1 ? "" : "s", reads_b,
			       reads_b == 1 ? "" : "s"));
	for (size_t i = 0; i < pl->ngrants; i++)
		if (counted(&pl->grants[i]) &&
		    !user_needs(p, best, &pl->grants[i]))
			kill_grant(p, i);
	compact_grants(p);
	for (size_t i = pl->nrefused; i-- > 0;) {
		struct need *nd = need_find(p, NEED_READ, pl->refused[i].path);

		if (!nd || !user_may(p, best, &nd->image, nd->want))
			continue;
		free(pl->refused[i].path);
		free(pl->refused[i].why);
		evidence_free(&pl->refused[i].ev);
		memmove(&pl->refused[i], &pl->refused[i + 1],
			(pl->nrefused - i - 1) * sizeof *pl->refused);
		pl->nrefused--;
	}
	free(p->id.user);
	free(p->id.group);
	free(p->id.home);
	p->id.user = xstrdup(best->name);
	p->id.uid = best->uid;
	p->id.gid = best->gid;
	p->id.home = xstrdup(best->home && *best->home ? best->home : "/");
	p->id.group = xstrdup(group_by_gid(p, best->gid)
				  ? group_by_gid(p, best->gid)->name
				  : best->name);
	free(pl->user);
	free(pl->group);
	free(pl->home);
	pl->user = xstrdup(p->id.user);
	pl->group = xstrdup(p->id.group);
	pl->home = xstrdup(p->id.home);
	pl->uid = p->id.uid;
	pl->gid = p->id.gid;
	pl->create_user = pl->create_group = false;
	pl->service_user = true;
	rename_redirect_dirs(p, p->id.user);
}

/* The membership command of each group grant, for display (`unroot
 * harden` lists it); the formats render it themselves. */
static void group_commands(struct planner *p)
{
	struct plan *pl = p->plan;

	for (size_t i = 0; i < pl->ngrants; i++) {
		struct grant *g = &pl->grants[i];

		if (g->kind != GRANT_GROUP)
			continue;
		free(g->command);
		g->command = xasprintf("usermod -aG %s %s", g->path, pl->user);
	}
}

static void free_planner(struct planner *p)
{
	needs_free(&p->needs);
	catalogue_free(&p->cat);
	mounts_free(&p->mnt);
	replay_free(&p->replay);
	identity_free(&p->id);
	vfs_free(&p->vfs);
	map_free(&p->refused, NULL);
	for (size_t i = 0; i <= GRANT_BUILD; i++)
		map_free(&p->grants.idx[i], NULL);
	free(p->grants.dead);
	free(p);
}

struct plan *planner_finish(struct planner *p)
{
	struct plan *pl = p->plan;

	resolve_identity(p);
	pl->user = xstrdup(p->id.user);
	pl->group = xstrdup(p->id.group);
	pl->home = xstrdup(p->id.home);
	pl->uid = p->id.uid;
	pl->gid = p->id.gid;
	pl->create_user = p->id.create_user;
	pl->create_group = p->id.create_group;
	pl->alpine = p->alpine;
	pl->no_shell = p->no_shell;
	pl->openshift = p->o.openshift;
	plan_home_writes(p);
	plan_code_writes(p);
	{
		struct map created = {0};

		count_created(p, &created);
		for (size_t i = 0; i < p->needs.n; i++)
			grant_for_need(p, &p->needs.v[i], &created);
		map_free(&created, NULL);
	}
	collapse_trees(p);
	prune_covered(p);
	attach_hints(p);
	plan_chown_notes(p);
	vet_grants(p);
	/* a read-only root needs its tmpfs mounts whoever runs: they are
	 * taken from every written directory before the service user
	 * drops the grants it does not need */
	if (p->o.read_only)
		plan_read_only_root(p);
	choose_service_user(p);
	group_commands(p);
	free_planner(p);
	return pl;
}

void plan_free(struct plan *pl)
{
	if (!pl)
		return;
	while (pl->ngrants)
		remove_grant(pl, pl->ngrants - 1);
	free(pl->grants);
	for (size_t i = 0; i < pl->nwarnings; i++)
		free(pl->warnings[i]);
	free(pl->warnings);
	for (size_t i = 0; i < pl->nnotes; i++)
		free(pl->notes[i]);
	free(pl->notes);
	for (size_t i = 0; i < pl->nredirects; i++) {
		free(pl->redirects[i].var);
		free(pl->redirects[i].value);
		free(pl->redirects[i].dir);
		evidence_free(&pl->redirects[i].ev);
	}
	free(pl->redirects);
	for (size_t i = 0; i < pl->nhost; i++) {
		free(pl->host[i].mount);
		free(pl->host[i].hostdir);
		evidence_free(&pl->host[i].ev);
	}
	free(pl->host);
	for (size_t i = 0; i < pl->ntmpfs; i++) {
		free(pl->tmpfs[i].dir);
		evidence_free(&pl->tmpfs[i].ev);
	}
	free(pl->tmpfs);
	for (size_t i = 0; i < pl->nrefused; i++) {
		free(pl->refused[i].path);
		free(pl->refused[i].why);
		evidence_free(&pl->refused[i].ev);
	}
	free(pl->refused);
	free(pl->user);
	free(pl->group);
	free(pl->home);
	free(pl);
}
