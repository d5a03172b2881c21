/*
 * plan_needs.c - what the user was denied (struct plan_needs): one need
 * per kind and path, in the order the replay met them, each with the
 * evidence of its first event and the image state that decided.
 *
 * Invariants:
 * - A need is recorded at the first denial of its kind on its path; later
 *   ones only count (and lend a catalogue writer if it had none).
 * - Recording a need applies what its grant will give to the replay's
 *   file system at once (the directory becomes the user's, the file the
 *   user's, the directory searchable, the group joined), so what follows
 *   below it needs nothing more (docs/permission-model.md, "The replay").
 * - The choice of the grant itself waits for planner_finish
 *   (plan_grants.c): whether a created name is removed later is only known
 *   with the whole trace seen.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"

struct need *need_find(struct planner *p, enum need_kind k, const char *path)
{
	uintptr_t i = (uintptr_t)map_get(&p->needs.idx[k], path);

	return i ? &p->needs.v[i - 1] : NULL;
}

static struct need *need_add(struct planner *p, enum need_kind k,
			     const char *path, const struct trace_event *ev,
			     const struct writer *w)
{
	struct need *n = need_find(p, k, path);

	if (n) {
		n->count++;
		if (!n->writer)
			n->writer = w;
		return n;
	}
	n = &PUSH(p->needs.v, p->needs.n, p->needs.cap);
	memset(n, 0, sizeof *n);
	n->kind = k;
	n->path = xstrdup(path);
	n->count = 1;
	n->writer = w;
	evidence_from(&n->ev, ev);
	map_put(&p->needs.idx[k], path, (void *)(uintptr_t)p->needs.n);
	return n;
}

/* The user needs to own dir (create or remove names in it). */
void need_dir(struct planner *p, const char *dir,
	      const struct file_state *recorded, const struct trace_event *ev,
	      const struct writer *w)
{
	struct vnode *v = vnode_at(p, dir, recorded);
	struct need *n;
	bool fresh = !need_find(p, NEED_DIR, dir);

	n = need_add(p, NEED_DIR, dir, ev, w);
	if (fresh) {
		n->image = v->st;
		n->type = FT_DIR;
	}
	v->st.kind = ST_PRESENT;
	v->st.uid = p->id.uid;
}

void need_file(struct planner *p, const char *path,
	       const struct file_state *recorded, const struct trace_event *ev,
	       const struct writer *w)
{
	struct vnode *v = vnode_at(p, path, recorded);
	bool fresh = !need_find(p, NEED_FILE, path);
	struct need *n = need_add(p, NEED_FILE, path, ev, w);

	if (fresh) {
		n->image = v->st;
		n->type = v->st.kind == ST_PRESENT ? v->st.type : FT_FILE;
	}
	v->st.uid = p->id.uid;
}

static void need_search(struct planner *p, const char *dir,
			const struct file_state *st,
			const struct trace_event *ev)
{
	struct vnode *v = vnode_at(p, dir, st);
	struct need *n = need_add(p, NEED_SEARCH, dir, ev, NULL);

	n->image = *st;
	v->st.mode |= 1;
}

/*
 * The user is denied want on st: when st's group is a service's group
 * whose bits permit it, the user joins that group (the least grant: what
 * the image's packager already allows the group, no file changes).
 * Applied to the replay at once, so what follows needs nothing more.
 */
bool try_join(struct planner *p, const struct file_state *st, unsigned want,
	      const struct trace_event *ev)
{
	const struct trace_group *g;
	struct need *n;
	bool fresh;

	if (st->kind != ST_PRESENT || st->uid == p->id.uid ||
	    in_groups(p, st->gid) || ((st->mode >> 3) & want & 7) != want)
		return false;
	g = service_group(p, st->gid);
	if (!g)
		return false;
	fresh = !need_find(p, NEED_GROUP, g->name);
	n = need_add(p, NEED_GROUP, g->name, ev, NULL);
	if (fresh) {
		n->image = *st;
		n->gid = st->gid;
		n->want = want;
	}
	add_group_id(p, st->gid);
	return true;
}

/* A read, listing, search or execute no group membership permits. */
void need_read(struct planner *p, const char *path, const struct file_state *st,
	       unsigned want, const struct trace_event *ev)
{
	bool fresh = !need_find(p, NEED_READ, path);
	struct need *n = need_add(p, NEED_READ, path, ev, NULL);

	if (fresh) {
		n->image = *st;
		n->type = st->kind == ST_PRESENT ? st->type : FT_FILE;
	}
	n->want |= want; /* a script is run (x), then read by its shell (r) */
}

/* Search denied on dir: join its service group, else refuse a service
 * user's private directory, else chmod o+x (a root directory on the way). */
void search_denied(struct planner *p, const char *dir,
		   const struct file_state *st, const struct trace_event *ev)
{
	if (try_join(p, st, 1, ev))
		return;
	if (st->kind == ST_PRESENT && st->uid != 0 && user_by_uid(p, st->uid)) {
		need_read(p, dir, st, 1, ev);
		return;
	}
	need_search(p, dir, st, ev);
}

void need_create(struct planner *p, const char *path, enum file_type type,
		 bool excl, const struct trace_event *ev,
		 const struct writer *w, const struct file_state *parent)
{
	struct need *n = need_find(p, NEED_CREATE, path);

	if (n) {
		/* created again: only a directory of its own fits; a create
		 * that was refused made nothing, so the next is a retry
		 * (named's mkdir of /run/named, once for its pid file and
		 * once for its session key) */
		if (n->made)
			n->removed = true;
		n->made = n->made || !ev->err;
		n->count++;
		return;
	}
	n = need_add(p, NEED_CREATE, path, ev, w);
	n->image = *parent; /* the parent's: decides who may create */
	n->type = type;
	n->excl = excl || type != FT_FILE;
	n->made = !ev->err;
	n->removed = strset_has(&p->needs.gone, path);
}

void mark_removed(struct planner *p, const char *path)
{
	struct need *n = need_find(p, NEED_CREATE, path);

	if (n)
		n->removed = true;
}

void note_remove_attempt(struct planner *p, const char *path)
{
	strset_add(&p->needs.gone, path);
	mark_removed(p, path);
}

void needs_free(struct plan_needs *nd)
{
	strset_free(&nd->gone);
	for (size_t i = 0; i < nd->n; i++) {
		free(nd->v[i].path);
		free(nd->v[i].reason);
		evidence_free(&nd->v[i].ev);
	}
	free(nd->v);
	for (size_t i = 0; i < NEED__COUNT; i++)
		map_free(&nd->idx[i], NULL);
}
