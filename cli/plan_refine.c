/*
 * plan_refine.c - the steps of planner_finish that work on the grants as
 * a whole, once every need has one (plan_grants.c): fold many rewritten
 * files into one tree (chown -R), drop a pre-created name that an owned
 * directory covers, attach the catalogue's hints to grants whose path no
 * pattern names, and vet each grant (redirects and build steps instead,
 * paths never granted, shared system directories warned about), and, with
 * the user final, refuse a grant the renderer cannot write as a whole line
 * (render.h).  It keeps no state of its own.
 *
 * Invariants:
 * - Each step ends with compact_grants(): the grants a step removed are
 *   gone, the order of the others unchanged.
 * - A tree is owned only when tree_threshold files below it are rewritten,
 *   and never a protected or shared system directory
 *   (docs/permission-model.md, "The grants").
 * - A grant of a protected path is refused, unless a redirect or a build
 *   step replaces it (then it is kept as the alternative, not applied).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"
#include "quote.h"
#include "render.h"

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

/* The own-file and own-dir grants sorted by path (*n of them), each
 * own-file one counted in cnt for its path and every ancestor. */
static struct gref *owned_by_path(struct planner *p, struct map *cnt, size_t *n)
{
	struct plan *pl = p->plan;
	struct gref *v = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];

		if (grant_dead(p, i) ||
		    (g->kind != GRANT_OWN_FILE && g->kind != GRANT_OWN_DIR))
			continue;
		v = xgrow(v, &cap, *n + 1, sizeof *v);
		v[*n].path = g->path;
		v[(*n)++].i = i;
		if (g->kind == GRANT_OWN_FILE)
			count_chain(cnt, g->path, 1);
	}
	if (*n > 1)
		qsort(v, *n, sizeof *v, gref_cmp);
	return v;
}

/* Fold every own grant at or below dir into one own-tree grant for the
 * count files rewritten there, with the evidence of grant i. */
static void fold_into_tree(struct planner *p, size_t i, const char *dir,
			   size_t count, const struct gref *v, size_t n,
			   struct map *cnt)
{
	struct evidence ev;
	char *edir = comment_safe(dir);

	evidence_copy(&ev, &p->plan->grants[i].ev);
	kill_below(p, v, n, dir, cnt);
	add_grant(p, GRANT_OWN_TREE, dir, &ev, (long)count, NULL,
		  xasprintf("%zu existing files below %s are "
			    "rewritten; chown -R copies every "
			    "file into a new layer, so prefer "
			    "COPY --chown=%u:%u where %s is "
			    "added",
			    count, edir, p->id.uid, p->id.gid, edir));
	evidence_free(&ev);
	free(edir);
}

/*
 * chown -R a tree when many existing files in it are rewritten: for each
 * own-file grant in order, the lowest ancestor holding tree_threshold of
 * them.  Counts only fall as grants are folded into trees, so one that
 * found no tree never finds one later, and one pass in order gives what
 * restarting after every fold would.
 */
void collapse_trees(struct planner *p)
{
	struct plan *pl = p->plan;
	struct map cnt = {0};
	size_t n;
	struct gref *v = owned_by_path(p, &cnt, &n);

	for (size_t i = 0; i < pl->ngrants; i++) {
		char *dir;

		if (grant_dead(p, i) || pl->grants[i].kind != GRANT_OWN_FILE)
			continue;
		for (dir = path_dirname(pl->grants[i].path);
		     strcmp(dir, "/") && strcmp(dir, ".");) {
			size_t count = (uintptr_t)map_get(&cnt, dir);
			char *up;

			if (count >= p->o.tree_threshold &&
			    !protected_reason(dir) &&
			    !is_shared_system_dir(dir)) {
				fold_into_tree(p, i, dir, count, v, n, &cnt);
				break;
			}
			up = path_dirname(dir);
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

/* A directory the plan pre-creates for the same catalogue entry (or for
 * none): whatever vet_grants() then makes of it (a redirect, a refusal)
 * it makes of the names below too. */
static bool made_for_same_writer(struct planner *p, const char *dir,
				 const struct writer *w)
{
	const struct grant *m = find_grant(p, GRANT_MKDIR, dir);

	return m && m->writer == w;
}

/* The own-dir grant own still holds g's name after vet_grants(): it is
 * for g's catalogue entry, or for one with no redirect or build step to
 * take its place (coverage's COVERAGE_FILE replaces the working directory
 * it owned for .coverage; pytest's .pytest_cache there needs its own). */
static bool still_covers(const struct grant *own, const struct grant *g)
{
	const struct writer *w = own->writer;

	return w == g->writer || !w ||
	       !(w->build || (w->env && (w->dir || w->value)));
}

/*
 * A name pre-created (mkdir, touch) in a directory the plan also gives to
 * the user needs nothing of its own: the user creates it there, unless
 * that grant gives way to its program's redirect.  The
 * choices are made need by need, so a file's touch can come before another
 * file's need turns its directory into an own-dir grant.  A directory the
 * plan pre-creates is the user's too: the records of a program whose
 * threads make a tree at once (node's mkdir -p on libuv's pool) can show
 * dist/assets made before dist, and the replay then took dist/assets for
 * a first missing component of its own.  Whether each grant is covered is
 * decided before any is removed, so a chain of them keeps only its top.
 */
void prune_covered(struct planner *p)
{
	struct plan *pl = p->plan;
	bool *covered = xcalloc(pl->ngrants ? pl->ngrants : 1, sizeof *covered);

	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i], *own;
		char *dir;

		if (grant_dead(p, i) ||
		    (g->kind != GRANT_TOUCH && g->kind != GRANT_MKDIR))
			continue;
		dir = path_dirname(g->path);
		own = find_grant(p, GRANT_OWN_DIR, dir);
		covered[i] = (own && still_covers(own, g)) ||
			     made_for_same_writer(p, dir, g->writer) ||
			     tree_covers(p, dir);
		free(dir);
	}
	for (size_t i = 0; i < pl->ngrants; i++)
		if (covered[i])
			kill_grant(p, i);
	free(covered);
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
void attach_hints(struct planner *p)
{
	struct plan *pl = p->plan;
	struct gref *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];

		if (grant_dead(p, i) || g->writer || g->kind == GRANT_BUILD ||
		    g->kind == GRANT_SEARCH || g->kind == GRANT_GROUP ||
		    g->kind == GRANT_READ)
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

/* The note of writer w's own setting, when it has one. */
static void note_option(struct planner *p, const struct writer *w)
{
	if (w && w->option)
		plan_note(p, xasprintf("%s: its own option avoids this: %s",
				       w->program, w->option));
}

/* The writer goes on from path when refused it, to a fallback the plan
 * provides: what it asks of path first is a probe (harden sets its
 * denials aside), said in a note once a run was refused there. */
static void add_fallback(struct planner *p, const char *granted,
			 const struct writer *w)
{
	struct plan *pl = p->plan;
	/* the writer's own directory, never a parent the grant landed on */
	char *path = writers_entry_root(w, granted);

	if (!path)
		return;
	if (!plan_fallback_holding(pl, path)) {
		pl->fallbacks =
		    xrealloc(pl->fallbacks,
			     (pl->nfallbacks + 1) * sizeof *pl->fallbacks);
		pl->fallbacks[pl->nfallbacks].path = xstrdup(path);
		pl->fallbacks[pl->nfallbacks++].writer = w;
	}
	if (strset_has(&p->cat.refused_writers, w->id)) {
		char *e = comment_safe(path);

		plan_note(p, xasprintf("%s was refused %s and goes on: %s",
				       w->program, e, w->fallback));
		free(e);
	}
	free(path);
}

/*
 * A redirect or a build step that makes grant i unnecessary (it is then
 * kept as the alternative, not applied): the writer the grant is for,
 * named by the catalogue, by a write below the grant's own that a more
 * specific entry names, or by a failed attempt below it; or NULL.
 */
static const struct writer *replace_by_writer(struct planner *p, size_t i)
{
	struct plan *pl = p->plan;
	struct grant *g = &pl->grants[i];
	const struct writer *w = g->writer;
	struct grant *b;

	if (g->kind == GRANT_BUILD)
		return w;
	/* the program wrote below at a path a more specific entry names:
	 * that entry's, unless the grant's own entry, whose variable moves
	 * other programs' writes, named a write below too (babel-loader's
	 * cache beside webpack's: CACHE_DIR stays, webpack's option is a
	 * note) */
	const struct writer *mw = made_below(p, &g->ev, w);
	if (mw && w && w->env && made_below_by(p, &g->ev, w))
		note_option(p, mw);
	else if (mw)
		w = g->writer = mw;
	if (!w || !w->env) {
		/* a failed attempt below names the program */
		const struct writer *aw =
		    attempt_below(p, g->path, g->ev.pid, w);

		if (aw)
			w = g->writer = aw;
	}
	if (redirect_for(p, w, &g->ev))
		g->alternative = true;
	if (w && w->build) {
		b = add_grant(p, GRANT_BUILD, w->id, &g->ev, 1, w,
			      xasprintf("%s: run at build time, so nothing "
					"is written at run time",
					w->program));
		g = &pl->grants[i];
		if (!b->build_args)
			b->build_args = build_words(w->build, "", "");
		g->alternative = true;
	}
	if (w && w->fallback && g->alternative)
		add_fallback(p, g->path, w);
	return w;
}

/* Grant i is of a path never granted (why): refused instead. */
static void refuse_protected(struct planner *p, size_t i, const char *why)
{
	const struct grant *g = &p->plan->grants[i];
	char *e = comment_safe(g->path);
	struct refusal *r =
	    plan_refusal(p, g->path,
			 xasprintf("%s is %s: write access is not granted; "
				   "change the program or its "
				   "configuration to write elsewhere",
				   e, why));

	evidence_copy(&r->ev, &g->ev);
	free(e);
	kill_grant(p, i);
}

/* Owning a directory the whole system shares is the least grant: said in
 * a warning, with the program's own option when it has one. */
static void warn_shared_dir(struct planner *p, struct grant *g,
			    const struct writer *w)
{
	char *e = comment_safe(g->path);

	g->shared_dir = true;
	plan_warn(p, xasprintf("owning %s, a directory shared by the "
			       "whole system, is the least grant "
			       "for %s %s%s%s",
			       e, g->ev.program, g->ev.op,
			       w && w->option
				   ? "; the program's own option avoids it: "
				   : "",
			       w && w->option ? w->option : ""));
	free(e);
}

/* Owning a directory that holds files of the image the workload reads or
 * runs (the application's code beside a database it makes there) lets
 * the user rename or remove those files: the least grant, said in a
 * warning with the writer's own advice when the catalogue has some. */
static void warn_image_dir(struct planner *p, const struct grant *g,
			   const struct writer *w)
{
	char *e = comment_safe(g->path);
	char *more = !w		 ? xstrdup("")
		     : w->option ? xasprintf("; %s's own option: %s",
					     w->program, w->option)
		     : w->note	 ? xasprintf("; %s", w->note)
				 : xstrdup("");

	plan_warn(p, xasprintf("owning %s lets the user rename or remove the "
			       "files of the image the workload uses there; "
			       "it is the least grant for %s %s, and a "
			       "directory of its own for what it writes "
			       "avoids it%s",
			       e, g->ev.program, g->ev.op, more));
	free(more);
	free(e);
}

/* A grant that lets the user change configuration of the image in /etc. */
static bool is_etc_write(const struct grant *g)
{
	return g->kind != GRANT_READ && g->kind != GRANT_BUILD &&
	       g->kind != GRANT_GROUP && g->kind != GRANT_SEARCH &&
	       !strncmp(g->path, "/etc/", 5);
}

/* An application's configuration that its start-up writes (an entrypoint
 * that renders a template with envsubst, or edits it with sed -i): the
 * least grant, said in a warning, with the writer's option when the
 * catalogue has one. */
static void warn_etc(struct planner *p, const struct grant *g,
		     const struct writer *w)
{
	char *e = comment_safe(g->path);

	plan_warn(p, xasprintf("the user may change %s, configuration of the "
			       "image, which %s %s writes at run time: the "
			       "least grant; rendering it into a directory "
			       "of its own (/tmp, a volume) that the program "
			       "is told to read keeps /etc read-only%s%s",
			       e, g->ev.program, g->ev.op,
			       w && w->option ? "; its own option: " : "",
			       w && w->option ? w->option : ""));
	free(e);
}

/* The warning of each grant that lets the user change configuration of
 * the image in /etc: after the service-user choice, which may drop it. */
void warn_etc_grants(struct planner *p)
{
	struct plan *pl = p->plan;

	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];

		if (!g->alternative && is_etc_write(g))
			warn_etc(p, g, g->writer ? g->writer : g->hint);
	}
}

/* Redirects, build fixes, refusals and warnings for each grant. */
void refuse_unrenderable(struct planner *p)
{
	struct plan *pl = p->plan;

	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];
		char *why = g->alternative ? NULL : plan_grant_refusal(pl, g);
		struct refusal *r;

		if (!why)
			continue;
		r = plan_refusal(
		    p, g->path ? g->path : "",
		    xasprintf("no line is written for it: %s", why));
		evidence_copy(&r->ev, &g->ev);
		kill_grant(p, i);
		free(why);
	}
	compact_grants(p);
}

/* An owned directory that others share, or that holds the image's code. */
static void warn_owned_dir(struct planner *p, struct grant *g,
			   const struct writer *w)
{
	if (is_shared_system_dir(g->path))
		warn_shared_dir(p, g, w);
	else if (holds_used_image_files(p, g->path))
		warn_image_dir(p, g, w);
}

/*
 * Owning a directory of the image lets the user rename or remove what the
 * image put there; without reads, whether the workload uses any of it (its
 * code) is known only from a script it ran or bytecode written there.
 * The owned directories nothing shows either way are named in one warning
 * (a read-only root's mounts have one of their own, plan_readonly.c).
 */
void warn_unread_owned_dirs(struct planner *p)
{
	struct plan *pl = p->plan;
	struct strbuf names = STRBUF_INIT;
	size_t n = 0;

	if (!p->mnt.no_reads || p->o.read_only)
		return;
	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];
		char *e;

		if ((g->kind != GRANT_OWN_DIR && g->kind != GRANT_OWN_TREE) ||
		    g->alternative || is_shared_system_dir(g->path) ||
		    holds_used_image_files(p, g->path) ||
		    holds_nothing_shipped(p, g->path))
			continue;
		e = comment_safe(g->path);
		sb_addf(&names, "%s%s", n++ ? ", " : "", e);
		free(e);
	}
	if (n)
		warn_reads_unrecorded(p, names.buf, n, false);
	sb_release(&names);
}

void vet_grants(struct planner *p)
{
	struct plan *pl = p->plan;

	for (size_t i = 0; i < pl->ngrants; i++) {
		struct grant *g = &pl->grants[i];
		const struct writer *w;
		const char *why;

		if (g->kind == GRANT_GROUP)
			continue;
		why = grant_protected_reason(g);
		w = replace_by_writer(p, i);
		g = &pl->grants[i];
		if (!w)
			w = g->hint; /* for its option only, never a redirect */
		note_option(p, w);
		if (why && !g->alternative)
			refuse_protected(p, i, why);
		else if (!why && (g->kind == GRANT_OWN_DIR ||
				  g->kind == GRANT_OWN_TREE)) {
			if (!g->alternative)
				warn_owned_dir(p, g, w);
			else /* not applied: marked, not warned about */
				g->shared_dir = is_shared_system_dir(g->path);
		}
	}
	compact_grants(p);
}
