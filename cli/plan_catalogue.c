/*
 * plan_catalogue.c - the known-writers catalogue (cli/data/writers.json,
 * read by writers.c) as the planner uses it (struct plan_catalogue):
 * matching a path and a program to an entry, and what a match leads to:
 * a redirect (the program's variable set to a directory made for it), a
 * build-time step for code a program writes next to itself, the writes
 * under the profiling run's HOME, and the failed attempts that say which
 * program a denial is for (docs/permission-model.md, "Redirects").
 *
 * Invariants:
 * - match_writer() gives what writers_match() would (same entries, same
 *   order, same ancestors, same glob), only faster; its answer for a path
 *   is remembered for the last program asked (the catalogue does not
 *   change while a plan is made).
 * - One redirect per variable; the first wins.
 * - HOME writes and code writes are kept once per distinct (path, writer):
 *   a repeat changes nothing planner_finish decides.
 * - Code (a writer marked code) is never granted: it gets a build step, a
 *   redirect or a note.
 * - A write under HOME gets its entry's redirect only when the trace shows
 *   that entry's program wrote it (writer_identified()); otherwise the
 *   user's HOME is made for it, since a program that builds the path from
 *   HOME itself ignores the variable (docs/catalogue.md, "Who wrote").
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"

struct home_write {
	char *rel; /* "~/.cache/x" */
	struct evidence ev;
	const struct writer *writer;
	bool identified; /* the trace shows that writer made it */
};

struct code_write {
	char *path;
	char *exe;
	struct evidence ev;
	const struct writer *writer;
};

/* A write that failed with ENOENT below a name the same process was
 * denied (pathlib's mkdir of ~/.config/matplotlib before ~/.config):
 * it says which program the denial is for.  path is "~/..." under HOME. */
struct attempt {
	char *path;
	int pid;
	const struct writer *writer;
};

/*
 * writers_match() without globbing every ancestor of every path against
 * every pattern.  A glob match starts with the pattern's literal head (up
 * to its first '*' or '?') and ends with its literal tail (after its last
 * one), so a candidate that lacks either is skipped before writers_glob()
 * runs.  The result is writers_match()'s: same entries, same order, same
 * ancestors (pattern_covers() in writers.c), same glob.
 */
struct wpat {
	const char *pat;
	size_t writer;	   /* index in the catalogue */
	size_t head, tail; /* lengths of the literal head and tail */
	const char *tailp; /* the literal tail */
	const char *lit;   /* its longest literal run: in any match */
	size_t litn;
	bool literal; /* no wildcard: the whole pattern must match */
};

void prepare_writers(struct planner *p)
{
	const struct writers *ws = p->o.writers;
	size_t cap = 0;

	if (!ws)
		return;
	for (size_t i = 0; i < ws->n; i++)
		for (char **l = ws->v[i].libs;
		     ws->v[i].exes && ws->v[i].exes[0] && l && *l; l++) {
			size_t n = p->cat.nelibs;

			p->cat.elibs = xgrow(p->cat.elibs, &p->cat.capelibs,
					     n + 2, sizeof *p->cat.elibs);
			p->cat.elibs[n] = *l;
			p->cat.elibs[++p->cat.nelibs] = NULL;
		}
	for (size_t i = 0; i < ws->n; i++)
		for (char **pt = ws->v[i].paths; pt && *pt; pt++) {
			struct wpat *w =
			    &PUSH(p->cat.wpats, p->cat.nwpats, cap);
			const char *s = *pt;
			size_t n = strlen(s), end = 0, k = 0;

			/* tokens as writers_glob() takes them: "**" eats
			 * the '/' after it; between tokens, literal runs */
			w->litn = 0;
			while (k <= n) {
				size_t at = k;

				if (k < n && s[k] == '*' && s[k + 1] == '*') {
					k += 2;
					if (s[k] == '/')
						k++;
				} else if (k < n &&
					   (s[k] == '*' || s[k] == '?')) {
					k++;
				} else if (k < n) {
					k++;
					continue;
				}
				if (at - end > w->litn) {
					w->lit = s + end;
					w->litn = at - end;
				}
				if (k == n && at == n)
					break;
				end = k;
			}
			w->pat = s;
			w->writer = i;
			w->head = strcspn(s, "*?");
			w->literal = w->head == n;
			w->tail = w->literal ? n : n - end;
			w->tailp = s + n - w->tail;
		}
}

/* Which catalogue entries the program may match (their exes). */
static const bool *writers_allowed(struct planner *p, const char *program)
{
	const struct writers *ws = p->o.writers;
	bool *ok = map_get(&p->cat.wexe, program);

	if (ok)
		return ok;
	ok = xcalloc(ws->n + 1, sizeof *ok);
	for (size_t i = 0; i < ws->n; i++)
		ok[i] = writers_allows(&ws->v[i], program ? program : "");
	map_put(&p->cat.wexe, program, ok);
	return ok;
}

/* Whether w matches path[0..n) (a NUL-terminated copy in buf). */
static bool wpat_hit(const struct wpat *w, char *buf, size_t n)
{
	char saved;
	bool hit;

	if (w->literal)
		return n == w->head && !memcmp(buf, w->pat, n);
	if (n < w->head + w->tail ||
	    (w->tail && (buf[n - 1] != w->tailp[w->tail - 1] ||
			 memcmp(buf + n - w->tail, w->tailp, w->tail))))
		return false;
	saved = buf[n];
	buf[n] = 0;
	hit = writers_glob(w->pat, buf);
	buf[n] = saved;
	return hit;
}

/* The entry match_writer() found for a path, for the program it was
 * asked for. */
struct wmemo {
	char *program;
	const struct writer *w;
};

static void wmemo_free(void *v)
{
	struct wmemo *m = v;

	free(m->program);
	free(m);
}

/* match_writer() without its memo: every pattern tried. */
static const struct writer *scan_writers(struct planner *p, const char *path,
					 const char *program)
{
	const struct writers *ws = p->o.writers;
	const struct writer *found = NULL;
	const bool *ok = writers_allowed(p, program);
	char *buf = xstrdup(path);
	size_t len = strlen(buf);

	for (size_t k = 0; k < p->cat.nwpats && !found; k++) {
		const struct wpat *w = &p->cat.wpats[k];

		if (!ok[w->writer])
			continue;
		/* every candidate is a prefix of the path: so is the head,
		 * and the path holds every literal run */
		if (w->head && (len < w->head || buf[0] != w->pat[0] ||
				memcmp(buf, w->pat, w->head)))
			continue;
		if (w->litn > 1 && !memmem(buf, len, w->lit, w->litn))
			continue;
		/* the path and each ancestor, as pattern_covers() */
		for (size_t n = len; n > 0; n--) {
			if (buf[n] != '/' && buf[n] != 0)
				continue;
			if (wpat_hit(w, buf, n)) {
				found = &ws->v[w->writer];
				break;
			}
		}
	}
	free(buf);
	return found;
}

/* A trace names the same path again and again, nearly always with the
 * same program: the answer is remembered per path, for the last program
 * asked about (the planner asks up to three times an event). */
const struct writer *match_writer(struct planner *p, const char *path,
				  const char *program)
{
	struct wmemo *m;

	if (!p->o.writers || !p->cat.nwpats)
		return NULL;
	m = map_get(&p->cat.wmemo, path);
	if (m && !strcmp(m->program, program))
		return m->w;
	if (!m) {
		m = xcalloc(1, sizeof *m);
		map_put(&p->cat.wmemo, path, m);
	}
	free(m->program);
	m->program = xstrdup(program);
	m->w = scan_writers(p, path, program);
	return m->w;
}

/* Whether a name of list (globs) matches s. */
static bool any_glob(char **list, const char *s)
{
	for (; list && *list; list++)
		if (writers_glob(*list, s))
			return true;
	return false;
}

/* The first module of stack that the libs of an entry limited to its
 * exes name (libpython3.11.so.1.0 for python-bytecode), or NULL. */
static const char *scan_module(const struct planner *p,
			       const struct trace_stack *stack)
{
	for (int i = 0; i < stack->nframes; i++) {
		const char *m = stack->frames[i].module;

		if (m && any_glob(p->cat.elibs, path_basename(m)))
			return path_basename(m);
	}
	return NULL;
}

/* scan_module(), remembered per stack: a stack's id is unique within its
 * log file, and the planner asks up to three times an event, for events
 * that share a few stacks (32 frames each, at most). */
static const char *embedded_module(struct planner *p,
				   const struct trace_event *ev)
{
	static const char none[] = "";
	char key[512];
	int n;
	struct map_slot *s;
	const char *m;

	if (!ev->stack || !p->cat.elibs)
		return NULL;
	n = ev->file && ev->stack->id
		? snprintf(key, sizeof key, "%s\n%s", ev->file, ev->stack->id)
		: -1;
	if (n < 0 || (size_t)n >= sizeof key)
		return scan_module(p, ev->stack);
	s = map_find_n(&p->cat.smemo, key, (size_t)n, map_hash(key, (size_t)n));
	if (s)
		return *(const char *)s->val ? s->val : NULL;
	m = scan_module(p, ev->stack);
	map_put(&p->cat.smemo, key, m ? xstrdup(m) : (void *)none);
	return m;
}

static void smemo_free(void *v)
{
	if (*(char *)v)
		free(v);
}

const struct writer *match_writer_of(struct planner *p, const char *path,
				     const struct trace_event *ev)
{
	char *names = program_names(ev);
	const char *module = embedded_module(p, ev);
	const struct writer *w;

	if (module) {
		char *key = xasprintf("%s//%s", names, module);

		free(names);
		names = key;
	}
	w = match_writer(p, path, names);
	free(names);
	return w;
}

/* Whether file lies in a directory named for one of the packages. */
static bool in_package(char **packages, const char *file)
{
	for (; packages && *packages; packages++) {
		char *dir = xasprintf("/%s/", *packages);
		bool in = strstr(file, dir) != NULL;

		free(dir);
		if (in)
			return true;
	}
	return false;
}

/*
 * Whether ev shows that w's program made it, not only that it wrote where
 * w's program writes: the program is one of w's exes (match_writer()
 * checked it), a frame of its native stack is in one of w's libraries, or
 * a frame of its Python call site is in one of w's packages.  An entry
 * that names none of these (any XDG program) is never identified.
 */
static bool writer_identified(const struct writer *w,
			      const struct trace_event *ev)
{
	if (!w)
		return false;
	if (w->exes && w->exes[0])
		return true;
	for (int i = 0; ev->stack && i < ev->stack->nframes; i++) {
		const char *m = ev->stack->frames[i].module;

		if (m && any_glob(w->libs, path_basename(m)))
			return true;
	}
	for (int i = 0; i < ev->npy; i++)
		if (ev->py[i].file && in_package(w->python, ev->py[i].file))
			return true;
	return false;
}

static char *expand_user(const char *tmpl, const char *user)
{
	struct strbuf sb = STRBUF_INIT;

	for (const char *s = tmpl; *s; s++) {
		if (!strncmp(s, "{user}", 6)) {
			sb_adds(&sb, user);
			s += 5;
		} else
			sb_addc(&sb, *s);
	}
	return sb_detach(&sb);
}

static void add_redirect(struct planner *p, const char *var, char *value,
			 char *dir, const struct writer *w,
			 const struct evidence *ev)
{
	struct plan *pl = p->plan;
	struct redirect *r;

	for (size_t i = 0; i < pl->nredirects; i++)
		if (!strcmp(pl->redirects[i].var, var)) {
			free(value);
			free(dir);
			return;
		}
	pl->redirects = xrealloc(pl->redirects,
				 (pl->nredirects + 1) * sizeof *pl->redirects);
	r = &pl->redirects[pl->nredirects++];
	r->var = xstrdup(var);
	r->value = value;
	r->dir = dir;
	r->writer = w;
	evidence_copy(&r->ev, ev);
}

/* The value of w's variable for its directory dir: dir itself, or the
 * file its value names in it ("{dir}/.coverage"). */
static char *redirect_value(const struct writer *w, const char *dir)
{
	const char *at = w->value ? strstr(w->value, "{dir}") : NULL;

	if (!at)
		return xstrdup(dir);
	return xasprintf("%.*s%s%s", (int)(at - w->value), w->value, dir,
			 at + 5);
}

/* A catalogue redirect for w, when it has one: true when added. */
bool redirect_for(struct planner *p, const struct writer *w,
		  const struct evidence *ev)
{
	if (!w || !w->env)
		return false;
	if (w->dir) {
		char *dir = expand_user(w->dir, p->id.user);

		add_redirect(p, w->env, redirect_value(w, dir), dir, w, ev);
		return true;
	}
	if (w->value) {
		add_redirect(p, w->env, xstrdup(w->value), NULL, w, ev);
		return true;
	}
	return false;
}

void rename_redirect_dirs(struct planner *p, const char *user)
{
	struct plan *pl = p->plan;

	for (size_t i = 0; i < pl->nredirects; i++) {
		struct redirect *r = &pl->redirects[i];

		if (!r->writer || !r->writer->dir || !r->dir ||
		    !strstr(r->writer->dir, "{user}"))
			continue;
		free(r->dir);
		free(r->value);
		r->dir = expand_user(r->writer->dir, user);
		r->value = redirect_value(r->writer, r->dir);
	}
}

void drop_redirects_of(struct planner *p, const struct writer *w)
{
	struct plan *pl = p->plan;
	size_t k = 0;

	for (size_t i = 0; i < pl->nredirects; i++) {
		struct redirect *r = &pl->redirects[i];

		if (!w || r->writer != w) {
			pl->redirects[k++] = *r;
			continue;
		}
		free(r->var);
		free(r->value);
		free(r->dir);
		evidence_free(&r->ev);
	}
	pl->nredirects = k;
}

/* True the first time key is seen (then it is marked); key is consumed. */
static bool first_seen(struct map *seen, char *key)
{
	bool first = !map_get(seen, key);

	if (first)
		map_put(seen, key, (void *)1);
	free(key);
	return first;
}

/*
 * Only the first write per (rel, writer, mkdir or not) is kept: a later
 * one changes nothing plan_home_writes() decides (redirects and `first`
 * are taken from the earliest, home_write_on_the_way() looks at rel,
 * writer and whether it is a mkdir), and the list stays as long as the
 * distinct paths, not the events.
 */
void add_home_write(struct planner *p, char *rel, const struct trace_event *ev)
{
	const struct writer *w = match_writer_of(p, rel, ev);
	struct home_write *h;

	if (!first_seen(&p->cat.hwseen,
			xasprintf("%p %d %d %s", (const void *)w,
				  ev->op == OP_MKDIR, writer_identified(w, ev),
				  rel))) {
		free(rel);
		return;
	}
	h = &PUSH(p->cat.hw, p->cat.nhw, p->cat.caphw);
	h->rel = rel;
	h->writer = w;
	h->identified = writer_identified(w, ev);
	evidence_from(&h->ev, ev);
}

/*
 * The Python a build step runs as ({exe}): the writing program when it is
 * a python, else the one whose library its stack shows (uwsgi, or Apache's
 * mod_wsgi, embed libpython3.11.so: python3.11, found on the PATH), else
 * python3.
 */
static char *interpreter_of(const struct trace_event *ev)
{
	const char *exe = ev->proc ? ev->proc->exe : NULL;

	if (exe && *exe && !strncmp(path_basename(exe), "python", 6))
		return xstrdup(exe);
	for (int i = 0; ev->stack && i < ev->stack->nframes; i++) {
		const char *m = ev->stack->frames[i].module;
		const char *b = m ? path_basename(m) : "";
		const char *so = strstr(b, ".so");

		/* libpythonX.Y.so.1.0: the version between "libpython" and
		 * ".so" */
		if (!strncmp(b, "libpython", 9) && so && so > b + 9 &&
		    b[9] >= '0' && b[9] <= '9')
			return xasprintf("python%.*s", (int)(so - b - 9),
					 b + 9);
	}
	return xstrdup("python3");
}

/* One per (path, writer): a repeat is covered by the first in
 * plan_code_writes() (same source directory, earlier). */
void add_code_write(struct planner *p, const struct trace_event *ev,
		    const struct writer *w)
{
	struct code_write *cw;

	if (!first_seen(&p->cat.cwseen,
			xasprintf("%p %s", (const void *)w, ev->path)))
		return;
	cw = &PUSH(p->cat.cw, p->cat.ncw, p->cat.capcw);

	cw->path = xstrdup(ev->path);
	cw->exe = interpreter_of(ev);
	cw->writer = w;
	evidence_from(&cw->ev, ev);
}

/* A write that failed with ENOENT, kept when its path names a catalogue
 * writer that has a redirect: attempt_below() uses it. */
void add_attempt(struct planner *p, const struct trace_event *ev)
{
	char *path = home_relative(ev->path, home_of(ev));
	const struct writer *w;
	struct attempt *a;

	if (!path)
		path = xstrdup(ev->path);
	w = match_writer_of(p, path, ev);
	if (!w || !w->env || (!w->dir && !w->value) ||
	    !writer_identified(w, ev) ||
	    !first_seen(&p->cat.atseen, xasprintf("%d %s", ev->pid, path))) {
		free(path);
		return;
	}
	a = &PUSH(p->cat.at, p->cat.nat, p->cat.capat);
	a->path = path;
	a->pid = ev->pid;
	a->writer = w;
}

/*
 * The writer a denial at path is for, when the same process also tried
 * (before or after) to create something strictly below it that a more
 * specific catalogue entry names: with a bare HOME, pathlib's
 * mkdir(parents=True) of ~/.config/matplotlib fails with ENOENT, then
 * ~/.config is denied; the denial is matplotlib's, and MPLCONFIGDIR, not
 * XDG_CONFIG_HOME, is its redirect.  NULL when there is none.
 */
/* The writer of the first of v made by pid strictly below path whose
 * writer is w (same), or is not w (!same); NULL when there is none. */
static const struct writer *writer_below(const struct attempt *v, size_t n,
					 const char *path, int pid,
					 const struct writer *w, bool same)
{
	for (size_t i = 0; i < n; i++) {
		const struct attempt *a = &v[i];

		if (a->pid == pid && (a->writer == w) == same &&
		    strcmp(a->path, path) && path_is_under(a->path, path))
			return a->writer;
	}
	return NULL;
}

const struct writer *attempt_below(struct planner *p, const char *path, int pid,
				   const struct writer *w)
{
	return writer_below(p->cat.at, p->cat.nat, path, pid, w, false);
}

/* A successful write whose path names writer w: the first per process,
 * writer and directory is kept for made_below() (a cache of a thousand
 * files in one directory is one entry). */
void add_made(struct planner *p, const struct trace_event *ev,
	      const struct writer *w)
{
	struct attempt *a;
	char *dir = path_dirname(ev->path);

	if (!first_seen(&p->cat.madeseen,
			xasprintf("%d %s %s", ev->pid, w->id, dir))) {
		free(dir);
		return;
	}
	free(dir);
	a = &PUSH(p->cat.made, p->cat.nmade, p->cat.capmade);
	a->path = xstrdup(ev->path);
	a->pid = ev->pid;
	a->writer = w;
}

/*
 * The writer a grant on the path a process wrote (ev) is for, when that
 * process then wrote below it at a path a more specific entry names:
 * webpack makes node_modules/.cache, then its own cache/webpack in it,
 * which find-cache-dir's CACHE_DIR does not move.  NULL when there is
 * none.
 */
const struct writer *made_below(struct planner *p, const struct evidence *ev,
				const struct writer *w)
{
	if (!ev->path)
		return NULL;
	return writer_below(p->cat.made, p->cat.nmade, ev->path, ev->pid, w,
			    false);
}

bool made_below_by(struct planner *p, const struct evidence *ev,
		   const struct writer *w)
{
	return ev->path && w &&
	       writer_below(p->cat.made, p->cat.nmade, ev->path, ev->pid, w,
			    true);
}

/* Has this HOME write a redirect of its own (a catalogue entry with a
 * variable, and the trace shows that entry's program wrote it)? */
static bool home_write_redirected(const struct home_write *h)
{
	return h->identified && h->writer && h->writer->env &&
	       (h->writer->dir || h->writer->value);
}

/*
 * A mkdir under HOME that only makes the way to what a more specific
 * writer's redirect moves elsewhere (makedirs of ~/.cache for
 * ~/.cache/huggingface) is not made once that redirect is set: it needs
 * nothing.  True when every other HOME write below it is such a redirected
 * write, and there is at least one.
 */
static bool home_write_on_the_way(struct planner *p, size_t self)
{
	const struct home_write *h = &p->cat.hw[self];
	size_t below = 0;

	if (strncmp(h->ev.op, "mkdir", 5))
		return false;
	for (size_t i = 0; i < p->cat.nhw; i++) {
		const struct home_write *o = &p->cat.hw[i];

		if (i == self || !strcmp(o->rel, h->rel))
			continue;
		if (!path_is_under(o->rel, h->rel))
			continue;
		if (o->writer == h->writer || !home_write_redirected(o))
			return false;
		below++;
	}
	return below > 0;
}

/*
 * A HOME write whose own call site does not show its program, in a
 * directory the same process wrote for that program with its call site
 * showing it (IPython's history.sqlite-journal, made by SQLite on
 * IPython's history thread, in ~/.ipython): the path below the
 * redirected directory moves with it.
 */
static bool home_write_in_redirected_dir(struct planner *p, size_t self)
{
	const struct home_write *h = &p->cat.hw[self];

	if (!h->writer || home_write_redirected(h))
		return false;
	for (size_t i = 0; i < p->cat.nhw; i++) {
		const struct home_write *o = &p->cat.hw[i];

		if (i != self && o->ev.pid == h->ev.pid &&
		    o->writer == h->writer && home_write_redirected(o) &&
		    path_is_under(h->rel, o->rel))
			return true;
	}
	return false;
}

void plan_home_writes(struct planner *p)
{
	const struct home_write *first = NULL;
	struct plan *pl = p->plan;

	for (size_t i = 0; i < p->cat.nhw; i++) {
		const struct home_write *h = &p->cat.hw[i];

		if (home_write_on_the_way(p, i) ||
		    home_write_in_redirected_dir(p, i))
			continue;
		if (redirect_for(p,
				 attempt_below(p, h->rel, h->ev.pid, h->writer),
				 &h->ev))
			continue;
		if (h->identified && redirect_for(p, h->writer, &h->ev))
			continue;
		if (!first)
			first = &p->cat.hw[i];
	}
	if (!first)
		return;
	pl->needs_home = true;
	if (!strcmp(p->id.home, "/") || !strcmp(p->id.home, "/nonexistent") ||
	    !*p->id.home) {
		char *home = xasprintf("/home/%s", p->id.user);

		add_redirect(p, "HOME", xstrdup(home), home, NULL, &first->ev);
		return;
	}
	add_grant(p, GRANT_MKDIR, p->id.home, &first->ev, 1, NULL,
		  xasprintf("the workload writes under its HOME (%s): the "
			    "user's home is created for it, never root's",
			    first->rel));
}

static char *srcdir_of(const char *path)
{
	const char *at = strstr(path, "/__pycache__");

	return at ? xstrndup(path, at - path) : path_dirname(path);
}

static bool srcdir_covered(struct code_write *cw, size_t n, size_t self,
			   const char *dir)
{
	for (size_t i = 0; i < n; i++) {
		char *other;
		bool under;

		if (i == self || cw[i].writer != cw[self].writer)
			continue;
		other = srcdir_of(cw[i].path);
		under = path_is_under(dir, other) &&
			(strcmp(dir, other) || i < self);
		free(other);
		if (under)
			return true;
	}
	return false;
}

char **build_words(const char *tmpl, const char *exe, const char *src)
{
	char **words = NULL, *copy = xstrdup(tmpl), *save = NULL;
	size_t n = 0;

	for (char *w = strtok_r(copy, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		char *word = !strcmp(w, "{exe}")      ? xstrdup(exe)
			     : !strcmp(w, "{srcdir}") ? xstrdup(src)
						      : xstrdup(w);

		add_string(&words, &n, word);
	}
	add_string(&words, &n, NULL);
	free(copy);
	return words;
}

void plan_code_writes(struct planner *p)
{
	for (size_t i = 0; i < p->cat.ncw; i++) {
		struct code_write *cw = &p->cat.cw[i];
		const struct writer *w = cw->writer;
		char *src = srcdir_of(cw->path);
		struct grant *g;

		if (w->build &&
		    !srcdir_covered(p->cat.cw, p->cat.ncw, i, src)) {
			g = add_grant(p, GRANT_BUILD, src, &cw->ev, 1, w,
				      xasprintf("%s writes %s next to code; "
						"do it at build time instead "
						"of making %s writable",
						w->program, cw->ev.path, src));
			if (!g->build_args)
				g->build_args =
				    build_words(w->build, cw->exe, src);
			if (w->env && w->value)
				plan_note(
				    p, xasprintf("%s: or set %s=%s at run time",
						 w->program, w->env, w->value));
		} else if (!w->build && !redirect_for(p, w, &cw->ev)) {
			plan_note(p, xasprintf("%s writes into code at %s: not "
					       "granted",
					       w->program, cw->ev.path));
		}
		free(src);
	}
}

void catalogue_free(struct plan_catalogue *c)
{
	for (size_t i = 0; i < c->nhw; i++) {
		free(c->hw[i].rel);
		evidence_free(&c->hw[i].ev);
	}
	free(c->hw);
	for (size_t i = 0; i < c->ncw; i++) {
		free(c->cw[i].path);
		free(c->cw[i].exe);
		evidence_free(&c->cw[i].ev);
	}
	free(c->cw);
	for (size_t i = 0; i < c->nat; i++)
		free(c->at[i].path);
	free(c->at);
	for (size_t i = 0; i < c->nmade; i++)
		free(c->made[i].path);
	free(c->made);
	map_free(&c->atseen, NULL);
	map_free(&c->madeseen, NULL);
	strset_free(&c->refused_writers);
	map_free(&c->hwseen, NULL);
	map_free(&c->cwseen, NULL);
	free(c->elibs);
	map_free(&c->smemo, smemo_free);
	map_free(&c->wexe, free);
	map_free(&c->wmemo, wmemo_free);
	free(c->wpats);
}
