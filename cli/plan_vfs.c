/*
 * plan_vfs.c - the replay's model of the image's file system (struct
 * plan_vfs): path -> state as the replay changes it.
 *
 * Invariants:
 * - A path the replay has not touched has the state recorded in the trace:
 *   the event's own st/st2/parent when known, else the ancestor `dir`
 *   record (planner_add_dir), else unknown.  The first touch copies that
 *   state into a live node; from then on the node is the truth.
 * - Every node is reachable by hash and linked under its parent (ancestors
 *   are created as structural, not live, nodes), so a rename moves a
 *   subtree without looking at anything else.  One node per distinct
 *   path, never freed before the planner.
 * - Nothing here decides a permission: the replay (plan_replay.c) and the
 *   needs (plan_needs.c) change node states through these functions.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"

static struct vnode *vt_find(const struct map *t, const char *path, size_t len,
			     size_t h)
{
	struct map_slot *s = map_find_n(t, path, len, h);

	return s ? s->val : NULL;
}

static struct vnode *vt_insert(struct map *t, const char *path, size_t len,
			       size_t h)
{
	struct vnode *v = xcalloc(1, sizeof *v);

	v->path = map_put_n(t, path, len, h, v)->key;
	return v;
}

/* The node of path, created with its missing ancestors. */
static struct vnode *vt_node(struct map *t, const char *path)
{
	size_t len = strlen(path), h = map_hash(path, len);
	struct vnode *v = vt_find(t, path, len, h), *first, *below = NULL;

	if (v)
		return v;
	for (;;) {
		v = vt_insert(t, path, len, h);
		if (below) {
			below->parent = v;
			below->sibling = v->child;
			v->child = below;
		} else {
			first = v;
		}
		len = parent_len(path, len);
		if (!len)
			return first;
		h = map_hash(path, len);
		below = v;
		v = vt_find(t, path, len, h);
		if (v) {
			below->parent = v;
			below->sibling = v->child;
			v->child = below;
			return first;
		}
	}
}

void vfs_free(struct plan_vfs *vfs)
{
	map_free(&vfs->nodes, free);
	map_free(&vfs->dirs, free);
	realdirs_free(&vfs->real_dirs);
}

/* The replay's node of path, or NULL when it has not touched it. */
struct vnode *vfs_get(struct planner *p, const char *path)
{
	size_t len = strlen(path);
	struct vnode *v =
	    vt_find(&p->vfs.nodes, path, len, map_hash(path, len));

	return v && v->live ? v : NULL;
}

/* state_at() of path (len bytes, hash h = map_hash(path, len)). */
struct file_state state_at_h(struct planner *p, const char *path, size_t len,
			     size_t h, const struct file_state *recorded)
{
	struct vnode *v = vt_find(&p->vfs.nodes, path, len, h);
	struct map_slot *d;
	struct file_state none = {.kind = ST_UNKNOWN};

	if (v && v->live)
		return v->st;
	if (recorded && recorded->kind != ST_UNKNOWN)
		return *recorded;
	d = map_find_n(&p->vfs.dirs, path, len, h);
	return d ? *(struct file_state *)d->val : none;
}

struct file_state state_at(struct planner *p, const char *path,
			   const struct file_state *recorded)
{
	size_t len = strlen(path);

	return state_at_h(p, path, len, map_hash(path, len), recorded);
}

struct vnode *vnode_at(struct planner *p, const char *path,
		       const struct file_state *recorded)
{
	struct vnode *v = vt_node(&p->vfs.nodes, path);

	if (!v->live) {
		v->st = state_at(p, path, recorded);
		v->live = true;
	}
	return v;
}

void set_created(struct planner *p, const char *path, enum file_type type,
		 unsigned mode)
{
	struct vnode *v = vnode_at(p, path, NULL);

	v->st.kind = ST_PRESENT;
	v->st.type = type;
	v->st.uid = p->id.uid;
	v->st.gid = p->id.gid;
	v->st.mode = mode;
}

void set_absent(struct planner *p, const char *path)
{
	struct vnode *v = vnode_at(p, path, NULL);

	v->st.kind = ST_ABSENT;
}

/*
 * Everything the replay knows at or below from is now below to; the old
 * names are absent.  The subtree is collected first, so a destination
 * inside the source is no problem.
 */
void move_tree(struct planner *p, const char *from, const char *to)
{
	size_t n = strlen(from), cap = 0, cnt = 0, sp = 0, spcap = 0;
	struct vnode *top = vt_find(&p->vfs.nodes, from, n, map_hash(from, n));
	struct vnode **stack = NULL;
	struct {
		const char *rest;
		struct file_state st;
	} *moved = NULL;

	if (!top)
		return;
	stack = xgrow(stack, &spcap, 1, sizeof *stack);
	stack[sp++] = top;
	while (sp) {
		struct vnode *v = stack[--sp];

		/* "/" (or a name ending in '/'): only the name itself */
		if (v != top || from[n - 1] != '/')
			for (struct vnode *c = v->child; c; c = c->sibling) {
				stack =
				    xgrow(stack, &spcap, sp + 1, sizeof *stack);
				stack[sp++] = c;
			}
		if (!v->live)
			continue;
		moved = xgrow(moved, &cap, cnt + 1, sizeof *moved);
		moved[cnt].rest = v->path + n;
		moved[cnt].st = v->st;
		v->st.kind = ST_ABSENT;
		cnt++;
	}
	for (size_t i = 0; i < cnt; i++) {
		char *key = xasprintf("%s%s", to, moved[i].rest);
		struct vnode *v = vt_node(&p->vfs.nodes, key);

		v->st = moved[i].st;
		v->live = true;
		free(key);
	}
	free(stack);
	free(moved);
}

/* The state the trace records for the directory path (a `dir` record),
 * or NULL. */
const struct file_state *dir_record(struct planner *p, const char *path)
{
	return map_get(&p->vfs.dirs, path);
}

void planner_add_dir(struct planner *p, const struct trace_dir *d)
{
	struct file_state *st;

	if (map_get(&p->vfs.dirs, d->path))
		return;
	st = xmalloc(sizeof *st);
	*st = d->st;
	map_put(&p->vfs.dirs, d->path, st);
}
