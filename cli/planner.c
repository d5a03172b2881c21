/*
 * planner.c - the planner's public face (planner.h): planner_new, the
 * static parts of a trace that belong to no single concern (the image's
 * OS, untraced programs), planner_finish and plan_free; and what every
 * part shares: the plan being built (warnings, notes, refusals) and the
 * evidence of an event.
 *
 * The planner replays a trace under the target user's credentials with
 * the rules of docs/permission-model.md and chooses the least grants.
 * Each concern is a file of its own, listed with the state it owns in
 * plan_private.h.  What depends only on the past is decided during the
 * replay (plan_route.c, plan_replay.c, plan_needs.c); what depends on the
 * future (a pre-created file is only right when the workload never
 * removes or replaces it) is decided in planner_finish, with the whole
 * trace seen, in the order its steps are called below.
 *
 * Invariants:
 * - A warning or a note is added once, however many events lead to it.
 * - The plan's user, group and home are copied from the identity when
 *   planner_finish starts; only choose_service_user changes them after.
 * - planner_finish consumes the planner: the plan owns everything it
 *   returns, and nothing in it points into the planner.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"
#include "pysite.h"
#include "quote.h"

/* ---- names and options ------------------------------------------------ */

static const char *const op_names[] = {
#define OP_NAME(e, s) s,
    UNROOT_OPS(OP_NAME)
#undef OP_NAME
};

const char *grant_kind_name(enum grant_kind k)
{
	static const char *const names[] = {
	    "mkdir",  "touch", "own-dir", "own-file", "own-tree",
	    "search", "group", "read",	  "build",
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

/* ---- the plan being built -------------------------------------------- */

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

/* ---- the lifecycle ---------------------------------------------------- */

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

/* ---- the static parts of the trace ------------------------------------ */

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

	if (u->why && !strcmp(u->why, UNTRACED_IO_URING))
		plan_warn(p, xasprintf("%s set up an io_uring: what it writes "
				       "through it is not in the trace, so "
				       "the plan may be incomplete for it",
				       path));
	else
		plan_warn(p, xasprintf("untraced program %s (%s): what it "
				       "writes is not in the trace, so the "
				       "plan may be incomplete for it",
				       path, u->why ? u->why : "unknown"));
	free(path);
}

/* Whether process pr has id among its user and group ids. */
static bool has_id(const struct trace_proc *pr, unsigned long id)
{
	if (id == pr->uid || id == pr->euid || id == pr->gid || id == pr->egid)
		return true;
	for (int i = 0; i < pr->ngroups; i++)
		if (id == pr->groups[i])
			return true;
	return false;
}

/* Whether the ids v asked for (its args: "ID,ID", -1 for one left alone)
 * are each 0 or left alone (zero), or each one the process already had;
 * false when none is asked for. */
static bool ids_are(const struct trace_priv *v, bool zero)
{
	const char *a = v->args;
	bool any = false;

	while (a && *a) {
		char *end;
		long id = strtol(a, &end, 10);
		bool ok = id == -1 ||
			  (zero ? id == 0 : has_id(v->proc, (unsigned long)id));

		if (end == a || !ok || (*end && *end != ','))
			return false;
		any |= id != -1;
		a = *end ? end + 1 : end;
	}
	return any;
}

/* initgroups(NAME,GID) of a group the process has already. */
static bool initgroups_own(const struct trace_priv *v)
{
	const char *comma = v->args ? strrchr(v->args, ',') : NULL;
	char *end;
	long gid;

	if (strcmp(v->fn, "initgroups") || !comma)
		return false;
	gid = strtol(comma + 1, &end, 10);
	return end != comma + 1 && !*end && gid >= 0 &&
	       has_id(v->proc, (unsigned long)gid);
}

static bool sets_ids(const char *fn)
{
	size_t n = strlen(fn);

	return !strncmp(fn, "set", 3) && n > 5 &&
	       (!strcmp(fn + n - 3, "uid") || !strcmp(fn + n - 3, "gid"));
}

/* A call only privilege allows, refused: advice, never a grant (no path
 * would make it work as a non-root user).  A process that started as
 * root and is refused root's ids back has switched users and checks that
 * it cannot regain root (tor does): the refusal is what it wants, said
 * once.  One that started as a user and is refused ids it already has
 * (initgroups of its own group included) switches even when it runs as
 * the user it switches to; one that clears its groups (setgroups with
 * none) starts a switch, to whichever user. */
void planner_add_priv(struct planner *p, const struct trace_priv *v)
{
	char *what = comment_safe(v->path ? v->path : v->args);
	const char *prog = trace_program(v->proc, "the workload");
	const char *advice = "run the image as the user it switches to, or "
			     "turn the switch off in its configuration";

	if (v->proc && v->proc->euid == 0 && sets_ids(v->fn) &&
	    ids_are(v, true)) {
		plan_note(p, xasprintf("%s, started as root, was refused "
				       "root's ids back after it switched "
				       "users: a check that it cannot regain "
				       "root, as it intends; nothing to do",
				       prog));
		free(what);
		return;
	}
	if (!strcmp(v->fn, "chroot"))
		advice = "turn chroot off in its configuration";
	else if (v->proc && v->proc->euid != 0 &&
		 (ids_are(v, false) || initgroups_own(v)))
		advice = "it runs as that user already and still asks for the "
			 "switch: turn the switch off in its configuration";
	else if (v->proc && v->proc->euid != 0 && !strcmp(v->fn, "setgroups") &&
		 (!v->args || !*v->args))
		advice = "it runs as a non-root user already and still starts "
			 "a switch (clearing its groups is the first step of "
			 "setpriv, su and runuser): run the step without the "
			 "switch, or turn the switch off in its configuration";
	p->plan->nprivs++;
	plan_note(p, xasprintf("%s was refused %s(%s) (%s): a call only "
			       "privilege allows, which no grant of a path "
			       "makes work for a non-root user; %s",
			       prog, v->fn, what, v->errname, advice));
	free(what);
}

/* ---- evidence --------------------------------------------------------- */

const char *program_of(const struct trace_event *ev)
{
	return trace_program(ev->proc, "");
}

char *program_names(const struct trace_event *ev)
{
	const char *exe = program_of(ev);
	const char *as = ev->proc && ev->proc->argv0 && *ev->proc->argv0
			     ? path_basename(ev->proc->argv0)
			     : NULL;

	char *names = !as || !strcmp(as, exe) ? xstrdup(exe)
					      : xasprintf("%s/%s", exe, as);

	/* a Python call site: Python code made the call, in a program of
	 * any name (mod_wsgi in apache2), with or without a native stack */
	if (ev->npy > 0) {
		char *more =
		    *names ? xasprintf("%s/python", names) : xstrdup("python");

		free(names);
		names = more;
	}
	return names;
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
	e->unseen = ev->fn && !strcmp(ev->fn, PLAN_FN_UNSEEN);
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
	dst->unseen = src->unseen;
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

/* ---- planner_finish --------------------------------------------------- */

/* The plan's user is the identity's (again, when it changed). */
void plan_take_user(struct planner *p)
{
	struct plan *pl = p->plan;

	free(pl->user);
	free(pl->group);
	free(pl->home);
	pl->user = xstrdup(p->id.user);
	pl->group = xstrdup(p->id.group);
	pl->home = xstrdup(p->id.home);
	pl->uid = p->id.uid;
	pl->gid = p->id.gid;
	pl->create_user = p->id.create_user;
	pl->create_group = p->id.create_group;
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
	grants_free(&p->grants);
	stable_free(&p->stable);
	free(p);
}

struct plan *planner_finish(struct planner *p)
{
	struct plan *pl = p->plan;

	resolve_identity(p);
	plan_take_user(p);
	pl->alpine = p->alpine;
	pl->no_shell = p->no_shell;
	pl->openshift = p->o.openshift;
	plan_home_writes(p);
	plan_code_writes(p);
	grant_needs(p);
	collapse_trees(p);
	prune_covered(p);
	attach_hints(p);
	plan_program_notes(p);
	vet_grants(p);
	/* a read-only root needs its tmpfs mounts whoever runs: they are
	 * taken from every written directory before the service user
	 * drops the grants it does not need */
	if (p->o.read_only) {
		plan_read_only_root(p);
		plan_read_only_checks(p);
	}
	choose_service_user(p);
	vet_read_grants(p);
	refuse_unrenderable(p);
	warn_etc_grants(p);
	warn_unread_owned_dirs(p);
	group_commands(p);
	free_planner(p);
	return pl;
}

const struct fallback *plan_fallback_holding(const struct plan *pl,
					     const char *path)
{
	for (size_t i = 0; pl && i < pl->nfallbacks; i++)
		if (path_is_under(path, pl->fallbacks[i].path))
			return &pl->fallbacks[i];
	return NULL;
}

const struct refusal *plan_refusal_holding(const struct plan *pl,
					   const char *path)
{
	const struct refusal *under = NULL;

	for (size_t i = 0; pl && i < pl->nrefused; i++) {
		if (!strcmp(pl->refused[i].path, path))
			return &pl->refused[i];
		if (!under && path_is_under(path, pl->refused[i].path))
			under = &pl->refused[i];
	}
	return under;
}

const struct tmpfs_fix *plan_tmpfs_holding(const struct plan *pl,
					   const char *path)
{
	const struct tmpfs_fix *best = NULL;

	for (size_t i = 0; pl && i < pl->ntmpfs; i++)
		if (path_is_under(path, pl->tmpfs[i].dir) &&
		    (!best || strlen(pl->tmpfs[i].dir) > strlen(best->dir)))
			best = &pl->tmpfs[i];
	return best;
}

void plan_free(struct plan *pl)
{
	if (!pl)
		return;
	for (size_t i = 0; i < pl->ngrants; i++)
		grant_release(&pl->grants[i]);
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
		free(pl->host[i].volume);
		free(pl->host[i].root_example);
		evidence_free(&pl->host[i].ev);
	}
	free(pl->host);
	for (size_t i = 0; i < pl->ntmpfs; i++) {
		free(pl->tmpfs[i].dir);
		evidence_free(&pl->tmpfs[i].ev);
	}
	free(pl->tmpfs);
	for (size_t i = 0; i < pl->nimage_volumes; i++) {
		free(pl->image_volumes[i].dir);
		evidence_free(&pl->image_volumes[i].ev);
	}
	free(pl->image_volumes);
	for (size_t i = 0; i < pl->nfallbacks; i++)
		free(pl->fallbacks[i].path);
	free(pl->fallbacks);
	for (size_t i = 0; i < pl->nrefused; i++) {
		free(pl->refused[i].path);
		free(pl->refused[i].why);
		evidence_free(&pl->refused[i].ev);
	}
	free(pl->refused);
	plan_ports_free(pl);
	free(pl->user);
	free(pl->group);
	free(pl->home);
	free(pl);
}
