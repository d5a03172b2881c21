/*
 * plan_stable.c - names that exist for one run (struct plan_stable): what
 * the trace shows about how each path was made (tempname.h's evidence,
 * from the successful calls of every process) and the pids of its
 * processes, so that a grant never names a temporary name (a mkdtemp
 * directory, a file made exclusively and removed) or a pid
 * (hsperfdata_root/5554), and root's own names in a path root wrote
 * (docs/permission-model.md, "Names that exist for one run").
 *
 * Invariants:
 * - A component is temporary only by tempname.h's classifier (the one
 *   shared with the baseline), by being the decimal pid of a process of
 *   the trace, or by holding the host name docker gave one of the traced
 *   runs (trace.json "hostname": the container's id, another in every
 *   run; rabbitmq's rabbit@HOST.log); nothing else here guesses.
 * - A need on such a path is granted on its stable parent (the directory
 *   that holds the first temporary component), which the next run has
 *   again; never on the name itself, which no build can chown.
 * - Root's names are rebased as whole components only: "/root" (root's
 *   home, to the user's), and a component ending in "_root" or "-root"
 *   that a process running as root wrote (the JVM's hsperfdata_root).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"
#include "quote.h"

void stable_note_event(struct planner *p, const struct trace_event *ev)
{
	if (!ev->err)
		tn_evidence_note(&p->stable.tn, ev);
}

void stable_note_proc(struct planner *p, const struct trace_proc *proc)
{
	char key[24];

	if (proc->pid <= 0)
		return;
	snprintf(key, sizeof key, "%d", proc->pid);
	strset_add(&p->stable.pids, key);
}

void planner_add_hostname(struct planner *p, const char *name)
{
	struct plan_stable *s = &p->stable;

	if (!*name)
		return;
	for (size_t i = 0; i < s->nhosts; i++)
		if (!strcmp(s->hosts[i], name))
			return;
	s->hosts = xrealloc(s->hosts, (s->nhosts + 1) * sizeof *s->hosts);
	s->hosts[s->nhosts++] = xstrdup(name);
}

/* The component c (n bytes) holds a host name docker gave a run:
 * rabbit@8b8251ff26af.log, 8b8251ff26af.pid. */
static bool holds_hostname(const struct planner *p, const char *c, size_t n)
{
	for (size_t i = 0; i < p->stable.nhosts; i++)
		if (memmem(c, n, p->stable.hosts[i],
			   strlen(p->stable.hosts[i])))
			return true;
	return false;
}

/* A component of digits that is the pid of a process of the trace. */
static bool is_traced_pid(struct planner *p, const char *c, size_t n)
{
	char key[24];

	if (!n || n >= sizeof key || c[0] == '0')
		return false;
	for (size_t i = 0; i < n; i++)
		if (c[i] < '0' || c[i] > '9')
			return false;
	memcpy(key, c, n);
	key[n] = 0;
	return strset_has(&p->stable.pids, key);
}

/* The component path[s..e) exists for one run: a pid of the trace, or a
 * temporary name the trace shows made in the run (exclusively or by a
 * template).  A name by shape alone is not enough: the fallback takes
 * words and versions of the image's own names too. */
static bool unstable_at(struct planner *p, const char *path, size_t s, size_t e,
			unsigned parent_bits)
{
	unsigned bits =
	    tn_evidence_of(&p->stable.tn, path, e, map_hash(path, e));
	struct tn_token tok;

	if (is_traced_pid(p, path + s, e - s) ||
	    holds_hostname(p, path + s, e - s))
		return true;
	if (!(bits & (TN_EXCL | TN_TEMPLATE)) && !(parent_bits & TN_EXCL))
		return false;
	return tempname_classify(
	    path + s, e - s,
	    bits | (parent_bits & TN_EXCL ? TN_PARENT_EXCL : 0), &tok);
}

size_t unstable_component(struct planner *p, const char *path)
{
	size_t i = 0;
	unsigned parent = 0;

	while (path[i]) {
		size_t s = i + (path[i] == '/');
		size_t e = s + strcspn(path + s, "/");

		if (e > s && s > 1 && unstable_at(p, path, s, e, parent))
			return s;
		parent =
		    tn_evidence_of(&p->stable.tn, path, e, map_hash(path, e));
		i = e;
	}
	return 0;
}

/* The component c[0..n) ends in "_NAME" or "-NAME" (hsperfdata_root), or
 * is NAME when whole. */
static bool names_user(const char *c, size_t n, const char *name, bool whole)
{
	size_t k = strlen(name);

	if (whole && n == k && !memcmp(c, name, k))
		return true;
	return n > k + 1 && !memcmp(c + n - k, name, k) &&
	       (c[n - k - 1] == '_' || c[n - k - 1] == '-');
}

/* path with from's names in it made to's (allocated), or NULL when it
 * has none; the first component is never one. */
static char *rebase_names(const char *path, const char *from, const char *to,
			  bool whole)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i = 0, k = strlen(from);
	bool changed = false;

	if (!path || *path != '/' || !strcmp(from, to))
		return NULL;
	while (path[i]) {
		size_t s = i + 1, n = strcspn(path + s, "/");

		sb_addc(&sb, '/');
		if (s > 1 && names_user(path + s, n, from, whole)) {
			sb_add(&sb, path + s, n - k);
			sb_adds(&sb, to);
			changed = true;
		} else {
			sb_add(&sb, path + s, n);
		}
		i = s + n;
	}
	if (!changed) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

char *rebase_root_names(struct planner *p, const char *path)
{
	const char *user = p->id.user;

	if (names_user(user, strlen(user), "root", false))
		return NULL;
	return rebase_names(path, "root", user, false);
}

void rename_user_mounts(struct planner *p, const char *from)
{
	struct plan *pl = p->plan;

	for (size_t i = 0; i < pl->ntmpfs; i++) {
		char *dir =
		    rebase_names(pl->tmpfs[i].dir, from, p->id.user, true);

		if (dir) {
			free(pl->tmpfs[i].dir);
			pl->tmpfs[i].dir = dir;
		}
	}
}

/* n's path, granted on its stable parent: owned, unless the user makes
 * that directory itself (a pre-created or created name covers it). */
bool grant_stable_parent(struct planner *p, const struct need *n)
{
	size_t s;
	char *dir, *e, *why;
	struct file_state st;
	struct grant *g;

	if (n->kind == NEED_READ || n->kind == NEED_GROUP)
		return false;
	s = unstable_component(p, n->path);
	if (!s)
		return false;
	dir = xstrndup(n->path, s > 1 ? s - 1 : 1);
	if (!need_find(p, NEED_CREATE, dir)) {
		e = comment_safe(n->path);
		why = xasprintf("%s exists for one run only (a temporary name, "
				"a pid or the host name, made again with "
				"another name by every run): its directory, "
				"which every run has, is owned instead",
				e);
		free(e);
		st = create_dir_state(p, dir, n);
		g = add_grant(p, GRANT_OWN_DIR, dir, &n->ev, n->count,
			      n->writer, why);
		g->owner_state = st;
	}
	free(dir);
	return true;
}

void stable_free(struct plan_stable *s)
{
	tn_evidence_free(&s->tn);
	strset_free(&s->pids);
	for (size_t i = 0; i < s->nhosts; i++)
		free(s->hosts[i]);
	free(s->hosts);
}
