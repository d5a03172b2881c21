/*
 * plan_identity.c - who the user is (struct plan_identity): the image's
 * users and groups as the trace records them, the user the plan runs as
 * (a new one, or one the image has), its groups, and the permission
 * checks made with them (docs/permission-model.md, "The user" and "The
 * checks").
 *
 * Invariants:
 * - The identity is resolved once, before the first event is replayed
 *   (resolve_identity), and then changes only by joining a service's
 *   group (add_group_id, from plan_needs.c's try_join) or, in
 *   planner_finish, by choosing a service user (plan_service_user.c).
 * - A state the trace does not know (ST_UNKNOWN, ST_ABSENT) permits: the
 *   planner never invents a denial it has no evidence for.
 * - Groups that open secrets, devices, logs or root (shadow, disk, adm,
 *   sudo, ...) are never a service's group, so never joined.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"

static void copy_user(struct trace_user *dst, const struct trace_user *u)
{
	dst->rootfs = NULL;
	dst->name = xstrdup(u->name ? u->name : "");
	dst->home = xstrdup(u->home ? u->home : "");
	dst->shell = xstrdup(u->shell ? u->shell : "");
	dst->uid = u->uid;
	dst->gid = u->gid;
}

void planner_add_user(struct planner *p, const struct trace_user *u)
{
	for (size_t i = 0; i < p->id.nusers; i++)
		if (!strcmp(p->id.users[i].name, u->name ? u->name : ""))
			return;
	copy_user(&PUSH(p->id.users, p->id.nusers, p->id.capusers), u);
}

void planner_add_group(struct planner *p, const struct trace_group *g)
{
	struct trace_group *dst;
	size_t n = 0;

	for (size_t i = 0; i < p->id.ngrps; i++)
		if (!strcmp(p->id.grps[i].name, g->name ? g->name : ""))
			return;
	dst = &PUSH(p->id.grps, p->id.ngrps, p->id.capgrps);
	dst->rootfs = NULL;
	dst->name = xstrdup(g->name ? g->name : "");
	dst->gid = g->gid;
	while (g->members && g->members[n])
		n++;
	dst->members = xcalloc(n + 1, sizeof *dst->members);
	for (size_t i = 0; i < n; i++)
		dst->members[i] = xstrdup(g->members[i]);
}

static const struct trace_user *user_by_name(struct planner *p,
					     const char *name)
{
	for (size_t i = 0; i < p->id.nusers; i++)
		if (!strcmp(p->id.users[i].name, name))
			return &p->id.users[i];
	return NULL;
}

const struct trace_user *user_by_uid(struct planner *p, unsigned uid)
{
	for (size_t i = 0; i < p->id.nusers; i++)
		if (p->id.users[i].uid == uid)
			return &p->id.users[i];
	return NULL;
}

const struct trace_group *group_by_gid(struct planner *p, unsigned gid)
{
	for (size_t i = 0; i < p->id.ngrps; i++)
		if (p->id.grps[i].gid == gid)
			return &p->id.grps[i];
	return NULL;
}

void add_group_id(struct planner *p, unsigned gid)
{
	for (size_t i = 0; i < p->id.ngroups; i++)
		if (p->id.groups[i] == gid)
			return;
	p->id.groups =
	    xrealloc(p->id.groups, (p->id.ngroups + 1) * sizeof *p->id.groups);
	p->id.groups[p->id.ngroups++] = gid;
}

bool group_is_users(struct planner *p, unsigned gid, const char *user)
{
	const struct trace_group *g;

	if (p->o.openshift)
		gid = 0;
	g = group_by_gid(p, gid);
	for (char **m = g ? g->members : NULL; m && *m; m++)
		if (strcmp(*m, user) && strcmp(*m, "root"))
			return false;
	for (size_t i = 0; i < p->id.nusers; i++)
		if (p->id.users[i].gid == gid && p->id.users[i].uid &&
		    strcmp(p->id.users[i].name, user))
			return false;
	return true;
}

static void reuse_user(struct planner *p, const struct trace_user *u)
{
	p->id.user = xstrdup(u->name);
	p->id.uid = u->uid;
	p->id.gid = u->gid;
	p->id.home = xstrdup(u->home && *u->home ? u->home : "/");
	p->id.create_user = false;
	p->id.create_group = false;
}

static void choose_free_uid(struct planner *p)
{
	unsigned uid = p->o.uid;

	while (user_by_uid(p, uid))
		uid++;
	if (uid != p->o.uid)
		plan_note(p, xasprintf("uid %u is taken in the image by %s: "
				       "using uid %u",
				       p->o.uid, user_by_uid(p, p->o.uid)->name,
				       uid));
	p->id.uid = uid;
	p->id.gid =
	    p->o.gid_given ? p->o.gid : (p->o.uid == p->o.gid ? uid : p->o.gid);
}

static void resolve_group(struct planner *p)
{
	const struct trace_group *g = group_by_gid(p, p->id.gid);

	if (!p->id.create_user) {
		p->id.group = xstrdup(g ? g->name : p->id.user);
		return;
	}
	p->id.create_group = !g;
	p->id.group = xstrdup(g ? g->name : p->id.user);
	if (g && strcmp(g->name, p->id.user))
		plan_note(p,
			  xasprintf("gid %u exists in the image as group %s: "
				    "the user joins it",
				    p->id.gid, g->name));
}

void resolve_identity(struct planner *p)
{
	const struct trace_user *named, *byuid;

	if (p->id.done)
		return;
	p->id.done = true;
	named = user_by_name(p, p->o.user);
	byuid = user_by_uid(p, p->o.uid);
	p->id.create_user = true;
	if (named) {
		reuse_user(p, named);
		if (p->o.uid_given && named->uid != p->o.uid)
			plan_note(p,
				  xasprintf("user %s exists in the image with "
					    "uid %u: reusing it",
					    named->name, named->uid));
	} else if (byuid && p->o.uid_given) {
		reuse_user(p, byuid);
		plan_note(p, xasprintf("uid %u exists in the image as %s: "
				       "reusing it",
				       byuid->uid, byuid->name));
	} else {
		p->id.user = xstrdup(p->o.user);
		choose_free_uid(p);
		p->id.home = xasprintf("/home/%s", p->id.user);
	}
	resolve_group(p);
	if (p->o.openshift)
		p->id.gid = 0;
	add_group_id(p, p->id.gid);
	for (size_t i = 0; i < p->id.ngrps; i++)
		for (char **m = p->id.grps[i].members; m && *m; m++)
			if (!strcmp(*m, p->id.user))
				add_group_id(p, p->id.grps[i].gid);
}

/* Become u, a user of the image (the service user chosen at the end). */
void become_user(struct planner *p, const struct trace_user *u)
{
	free(p->id.user);
	free(p->id.group);
	free(p->id.home);
	reuse_user(p, u);
	resolve_group(p);
}

/* ---- permission checks ------------------------------------------------ */

bool in_groups(const struct planner *p, unsigned gid)
{
	for (size_t i = 0; i < p->id.ngroups; i++)
		if (p->id.groups[i] == gid)
			return true;
	return false;
}

/* want: 4 read, 2 write, 1 search/execute.  Unknown states permit: the
 * planner never invents a denial it has no evidence for. */
bool may(const struct planner *p, const struct file_state *st, unsigned want)
{
	unsigned bits;

	if (st->kind != ST_PRESENT)
		return true;
	if (st->uid == p->id.uid)
		bits = st->mode >> 6;
	else if (in_groups(p, st->gid))
		bits = st->mode >> 3;
	else
		bits = st->mode;
	return (bits & want & 7) == want;
}

bool owns(const struct planner *p, const struct file_state *st)
{
	return st->kind != ST_PRESENT || st->uid == p->id.uid;
}

/*
 * Groups that are a service's own: a group of the image (its record is in
 * the trace) other than root's and the system's privileged ones, whose
 * members read secrets (shadow), devices (disk, kmem, tty), logs (adm),
 * /usr/local (staff) or gain root (sudo, wheel, docker).
 */
const struct trace_group *service_group(struct planner *p, unsigned gid)
{
	static const char *const privileged[] = {
	    "root",  "shadow", "disk",	  "kmem",   "tty",  "adm",
	    "staff", "sudo",   "wheel",	  "docker", "utmp", "systemd-journal",
	    "lxd",   "admin",  "nogroup", "nobody", NULL,
	};
	const struct trace_group *g;

	if (gid == 0 || p->o.openshift)
		return NULL;
	g = group_by_gid(p, gid);
	if (!g)
		return NULL;
	for (int i = 0; privileged[i]; i++)
		if (!strcmp(g->name, privileged[i]))
			return NULL;
	return g;
}

void identity_free(struct plan_identity *id)
{
	for (size_t i = 0; i < id->nusers; i++) {
		free(id->users[i].name);
		free(id->users[i].home);
		free(id->users[i].shell);
	}
	free(id->users);
	for (size_t i = 0; i < id->ngrps; i++) {
		free(id->grps[i].name);
		for (char **m = id->grps[i].members; m && *m; m++)
			free(*m);
		free(id->grps[i].members);
	}
	free(id->grps);
	free(id->groups);
	free(id->user);
	free(id->group);
	free(id->home);
}
