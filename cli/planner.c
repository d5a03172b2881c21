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
	grant_needs(p);
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
