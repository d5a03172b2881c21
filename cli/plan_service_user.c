/*
 * plan_service_user.c - running as a service user of the image instead
 * of a new user (docs/permission-model.md, "What a run as root hides":
 * service users): the last choice of planner_finish, made with every grant
 * and refused read known.  It keeps no state of its own; when it chooses a
 * user, it drops the grants and refused reads that user does not need,
 * and the identity becomes that user (become_user), and so does the plan
 * (plan_take_user).
 *
 * Invariants:
 * - Never when the user was named (--user, --uid), under OpenShift, or
 *   when the new user's HOME is created for it.
 * - A service user is chosen only when it leaves no more reads refused
 *   than the new user and needs strictly fewer grants, or leaves fewer
 *   reads refused; a tie keeps the new user (a dedicated uid).  A chown
 *   the workload makes to give a path to another user (apache2ctl's to
 *   www-data) counts as a refused read for every user but that one.
 * - Only the primary group counts for a service user: USER uid:gid drops
 *   the supplementary groups.
 * - The tmpfs mounts of a read-only root are taken before this choice,
 *   from every written directory; the chosen user's names replace the
 *   new user's in them (hsperfdata_nonroot is hsperfdata_tomcat).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"

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
	case GRANT_READ:
		return !user_may(p, u, st, 4);
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

/* A read the new user is refused (not granted by GRANT_READ, whose cost
 * is counted as a grant's). */
static bool read_refused(struct planner *p, const struct need *nd)
{
	return nd->kind == NEED_READ && !find_grant(p, GRANT_READ, nd->path);
}

/* The reads refused to the new user that u may make. */
static size_t reads_u_may(struct planner *p, const struct trace_user *u,
			  size_t *total)
{
	size_t n = 0;

	*total = 0;
	for (size_t i = 0; i < p->needs.n; i++) {
		const struct need *nd = &p->needs.v[i];

		if (!read_refused(p, nd))
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

/* The chowns that give a path away which fail when run as uid (the
 * workload gives it to another user): like a refused read, nothing
 * grants them. */
static size_t gives_failing(const struct planner *p, unsigned uid)
{
	size_t n = 0;

	for (size_t i = 0; i < p->replay.nga; i++)
		n += p->replay.ga[i].uid >= 0 &&
		     (unsigned)p->replay.ga[i].uid != uid;
	return n;
}

/* A plan's cost: the grants that change the image, the reads refused
 * (and the chowns that would fail). */
struct cost {
	size_t grants, reads;
};

/*
 * The cost of the plan for the new user, and the candidates: the users
 * that own (or whose group holds) what its grants and refused reads are
 * about.  False when the new user's HOME is created for it: then it
 * stays.
 */
static bool new_user_cost(struct planner *p, struct cost *b,
			  const struct trace_user ***cand, size_t *ncand)
{
	struct plan *pl = p->plan;

	*b = (struct cost){0, 0};
	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];

		if (!counted(g))
			continue;
		if (g->kind == GRANT_MKDIR && !strcmp(g->path, p->id.home))
			return false; /* the new user's HOME */
		b->grants++;
		add_candidate(p, cand, ncand, &g->owner_state,
			      g->kind == GRANT_GROUP ? g->gid : 0);
	}
	for (size_t i = 0; i < p->needs.n; i++)
		if (p->needs.v[i].kind == NEED_READ)
			add_candidate(p, cand, ncand, &p->needs.v[i].image,
				      p->needs.v[i].image.kind == ST_PRESENT
					  ? p->needs.v[i].image.gid
					  : 0);
	for (size_t i = 0; i < p->needs.n; i++)
		b->reads += read_refused(p, &p->needs.v[i]);
	for (size_t i = 0; i < p->replay.nga; i++) {
		struct file_state owner = {
		    .kind = ST_PRESENT, .uid = (unsigned)p->replay.ga[i].uid};

		if (p->replay.ga[i].uid > 0)
			add_candidate(p, cand, ncand, &owner, 0);
	}
	b->reads += gives_failing(p, (unsigned)-1);
	return true;
}

/* The cost of the plan for u: the grants it still lacks, the reads it is
 * denied too. */
static struct cost service_user_cost(struct planner *p,
				     const struct trace_user *u)
{
	const struct plan *pl = p->plan;
	size_t total, may_read = reads_u_may(p, u, &total);
	struct cost c = {0, total - may_read + gives_failing(p, u->uid)};

	for (size_t i = 0; i < pl->ngrants; i++)
		c.grants +=
		    counted(&pl->grants[i]) && user_needs(p, u, &pl->grants[i]);
	return c;
}

/* The candidate whose plan costs least, when it costs less than the new
 * user's (b): fewer reads refused, then fewer grants.  NULL when none. */
static const struct trace_user *cheapest(struct planner *p,
					 const struct trace_user **cand,
					 size_t ncand, struct cost b,
					 struct cost *best_cost)
{
	const struct trace_user *best = NULL;

	for (size_t k = 0; k < ncand; k++) {
		struct cost c = service_user_cost(p, cand[k]);

		if (c.reads > b.reads ||
		    (c.reads == b.reads && c.grants >= b.grants))
			continue;
		if (!best || c.reads < best_cost->reads ||
		    (c.reads == best_cost->reads &&
		     c.grants < best_cost->grants)) {
			best = cand[k];
			*best_cost = c;
		}
	}
	return best;
}

/* The workload gives path to uid (a refused chown u makes to itself). */
static bool gives_to(const struct planner *p, const char *path, unsigned uid)
{
	for (size_t i = 0; i < p->replay.nga; i++)
		if (p->replay.ga[i].refused && p->replay.ga[i].uid >= 0 &&
		    (unsigned)p->replay.ga[i].uid == uid &&
		    !strcmp(p->replay.ga[i].path, path))
			return true;
	return false;
}

/* Whether a grant that u needs is the alternative of w's redirect. */
static bool redirect_needed(const struct planner *p, const struct trace_user *u,
			    const struct writer *w)
{
	const struct plan *pl = p->plan;

	for (size_t i = 0; i < pl->ngrants; i++)
		if (pl->grants[i].alternative && pl->grants[i].writer == w &&
		    user_needs(p, u, &pl->grants[i]))
			return true;
	return false;
}

/* Run as u: drop the grants it does not need (and the redirects that
 * replaced only those: PGDATA for the postgres user, who owns the
 * directory), the reads it may make and the chowns to itself, and make it
 * the plan's user. */
static void run_as(struct planner *p, const struct trace_user *u)
{
	struct plan *pl = p->plan;

	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];

		if (g->alternative && g->kind != GRANT_BUILD && g->writer &&
		    !user_needs(p, u, g) && !redirect_needed(p, u, g->writer)) {
			drop_redirects_of(p, g->writer);
			kill_grant(p, i);
		} else if (counted(g) && !user_needs(p, u, g)) {
			kill_grant(p, i);
		}
	}
	compact_grants(p);
	for (size_t i = pl->nrefused; i-- > 0;) {
		struct need *nd = need_find(p, NEED_READ, pl->refused[i].path);

		if ((!nd || !user_may(p, u, &nd->image, nd->want)) &&
		    !gives_to(p, pl->refused[i].path, u->uid))
			continue;
		free(pl->refused[i].path);
		free(pl->refused[i].why);
		evidence_free(&pl->refused[i].ev);
		memmove(&pl->refused[i], &pl->refused[i + 1],
			(pl->nrefused - i - 1) * sizeof *pl->refused);
		pl->nrefused--;
	}
	char *was = xstrdup(p->id.user);

	become_user(p, u);
	plan_take_user(p);
	pl->service_user = true;
	rename_redirect_dirs(p, p->id.user);
	rename_user_mounts(p, was);
	free(was);
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
void choose_service_user(struct planner *p)
{
	const struct trace_user **cand = NULL, *best = NULL;
	size_t ncand = 0;
	struct cost b, c = {0, 0};

	if (p->o.user_given || p->o.uid_given || p->o.openshift)
		return;
	if (new_user_cost(p, &b, &cand, &ncand))
		best = cheapest(p, cand, ncand, b, &c);
	free(cand);
	if (!best)
		return;
	plan_note(p, xasprintf("runs as the service user %s (uid %u), which "
			       "already owns or may use what the workload "
			       "needs: %zu grant%s and %zu refused read%s, "
			       "where a new user %s would need %zu grant%s "
			       "and %zu refused read%s",
			       best->name, best->uid, c.grants,
			       c.grants == 1 ? "" : "s", c.reads,
			       c.reads == 1 ? "" : "s", p->id.user, b.grants,
			       b.grants == 1 ? "" : "s", b.reads,
			       b.reads == 1 ? "" : "s"));
	run_as(p, best);
}
