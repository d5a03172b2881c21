/*
 * plan_readonly.c - the tmpfs mounts a read-only root needs (struct
 * plan_mounts' scratch writes and image writes, the plan's tmpfs list):
 * from the grants, the redirects and the writes into scratch directories,
 * from every other write the traced runs made where the image's layer
 * would be read-only, and from the EROFS a read-only run was refused
 * (docs/permission-model.md, "A read-only root").
 *
 * Invariants:
 * - No plain tmpfs is planned on a directory known to hold files shipped
 *   in the image (the working directory, a script's directory, the parent
 *   of a file the workload found there): it would hide them.  Such a
 *   directory gets the program's own option (a warning), or else a seeded
 *   mount: a volume that starts with the image's content (an init step
 *   copies it into a Kubernetes emptyDir), said in a note with the way to
 *   avoid the copy, or, for a database the workload opens to read and
 *   write in place, that a persistent volume keeps what it writes.  "/"
 *   itself is never mounted: it gets the advice alone.
 * - tmpfs mounts never nest: a mount on a parent replaces those below it,
 *   and is seeded when one of them was (the parent's content holds
 *   theirs).  The one exception is the mount of an anonymous volume,
 *   below.
 * - No mount is planned on a directory whose mode or owner the workload
 *   changes (initdb's chmod 0700 of its data directory): the root of a
 *   mount belongs to the runtime (an emptyDir is root's, 1777) and no
 *   user may chmod what it does not own.  Its parent is mounted instead
 *   (seeded when it holds the image's files), so that the workload makes
 *   the directory and owns it.
 * - Every write a traced run made in the image's layer lands in a planned
 *   mount, whether or not the user needed a grant for it: a directory the
 *   user owns is read-only too.
 * - When no trace recorded reads, a plain mount on a directory the
 *   workload did not make (and no scratch directory) is marked unread and
 *   named in one warning: only writes showed what it holds.
 * - A write below an anonymous volume (the image's VOLUME) is never given
 *   a mount below the volume's directory: its mount is the volume's
 *   directory, marked volume (Docker mounts a volume there itself,
 *   writable with --read-only, and keeps what is written in it; only
 *   Kubernetes needs the mount), and a mount on a parent of it nests
 *   around it instead of taking its writes.  Lifted to its parent (the
 *   workload chmods the volume's directory), it is a plain mount there.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"
#include "quote.h"

/* Remove mount i of the plan: its seed. */
static bool drop_mount(struct plan *pl, size_t i)
{
	bool seed = pl->tmpfs[i].seed;

	free(pl->tmpfs[i].dir);
	evidence_free(&pl->tmpfs[i].ev);
	memmove(&pl->tmpfs[i], &pl->tmpfs[i + 1],
		(pl->ntmpfs - i - 1) * sizeof *pl->tmpfs);
	pl->ntmpfs--;
	return seed;
}

/*
 * The mount for a write in dir.  Below an anonymous volume (the image's
 * VOLUME, or -v DIR) it is the volume's own directory, seeded when the
 * workload used the image's files there: Docker already mounts a volume
 * there, and Kubernetes needs one at the same place (an emptyDir, or the
 * persistent volume that keeps what is written), never a tmpfs below it
 * that would take the writes away from the volume.  A volume's mount and
 * a plain one never merge: one on a parent of the volume nests around it
 * (Docker mounts the volume over the parent's tmpfs, a kubelet the
 * volume's emptyDir over the parent's).
 */
static void add_tmpfs(struct planner *p, const char *dir,
		      const struct evidence *ev, bool seed)
{
	struct plan *pl = p->plan;
	const char *vol = anonymous_volume_of(p, dir);

	if (vol) {
		dir = vol;
		seed |= map_get(&p->mnt.shipped, vol) != NULL;
	}
	for (size_t i = 0; i < pl->ntmpfs; i++)
		if (pl->tmpfs[i].volume == !!vol &&
		    path_is_under(dir, pl->tmpfs[i].dir)) {
			/* the parent's content holds this one's */
			pl->tmpfs[i].seed |= seed;
			return;
		}
	/* a tmpfs on a parent replaces those on its subdirectories */
	for (size_t i = pl->ntmpfs; i-- > 0;)
		if (pl->tmpfs[i].volume == !!vol &&
		    path_is_under(pl->tmpfs[i].dir, dir))
			seed |= drop_mount(pl, i);
	pl->tmpfs = xrealloc(pl->tmpfs, (pl->ntmpfs + 1) * sizeof *pl->tmpfs);
	pl->tmpfs[pl->ntmpfs].dir = xstrdup(dir);
	pl->tmpfs[pl->ntmpfs].seed = seed;
	pl->tmpfs[pl->ntmpfs].unread = false;
	pl->tmpfs[pl->ntmpfs].volume = vol != NULL;
	evidence_copy(&pl->tmpfs[pl->ntmpfs].ev, ev);
	pl->ntmpfs++;
}

/* The directory below scratch on the way to path (allocated), or NULL
 * when path is scratch itself. */
static char *below_scratch(const char *scratch, const char *path)
{
	size_t n = strlen(scratch);

	if (strncmp(path, scratch, n) || path[n] != '/' || !path[n + 1])
		return NULL;
	return xstrndup(path, n + 1 + strcspn(path + n + 1, "/"));
}

/* The workload made dir (the event's own mkdir, or the replay's node). */
static bool made_by_workload(struct planner *p, const char *dir,
			     const char *path, const struct trace_event *ev)
{
	const struct vnode *v;

	if (!strcmp(dir, path))
		return ev->op == OP_MKDIR && ev->st.kind == ST_ABSENT;
	v = vfs_get(p, dir);
	return v && v->st.kind == ST_PRESENT && v->st.uid == p->id.uid;
}

/*
 * What to mount for a write under a scratch directory, on the path where
 * it lands (ev->real: a final symlink's target; symlinked directories
 * are resolved before, realdirs.h): the deepest directory below
 * it that the image made (a /run/redis the image owns: an empty tmpfs on
 * /run would hide it, and the program would find no directory for its
 * socket), else the directory the workload made right below it (apache's
 * /run/apache2: a tmpfs on /run would hide the image's /run/lock), else
 * the scratch root.  A temporary name is never a mount point
 * (plan_read_only_root falls back to the scratch root).
 */
static char *scratch_mount_dir(struct planner *p, const char *scratch,
			       const struct trace_event *ev)
{
	const char *path = ev->real ? ev->real : ev->path;
	char *dir = path_dirname(path), *up, *top;
	bool parent = true; /* the event has its directory's state */

	while (strcmp(dir, scratch) && path_is_under(dir, scratch)) {
		const struct vnode *v = parent ? NULL : vfs_get(p, dir);
		const struct file_state *st = parent ? &ev->parent
					      : v    ? &v->st
						     : NULL;

		if (st && from_image(p, dir, st))
			return dir;
		parent = false;
		up = path_dirname(dir);
		free(dir);
		dir = up;
	}
	free(dir);
	top = below_scratch(scratch, path);
	if (top && made_by_workload(p, top, path, ev))
		return top;
	free(top);
	return xstrdup(scratch);
}

/* The first write of dir (consumed) into l. */
static void remember(struct write_list *l, char *dir,
		     const struct trace_event *ev)
{
	struct scratch_write *w;

	if (!strset_add(&l->dirs, dir)) {
		free(dir);
		return;
	}
	w = &PUSH(l->v, l->n, l->cap);
	w->dir = dir;
	evidence_from(&w->ev, ev);
}

void add_scratch_write(struct planner *p, const char *scratch,
		       const struct trace_event *ev)
{
	remember(&p->mnt.sw, scratch_mount_dir(p, scratch, ev), ev);
}

/* The entry a write at path lands on in the image's layer: the top
 * directory the workload made on the way to it, else path itself. */
static char *landing_entry(struct planner *p, const char *path)
{
	char *top = xstrdup(path), *up = path_dirname(top);

	while (strcmp(up, "/") && strset_has(&p->mnt.made, up)) {
		free(top);
		top = up;
		up = path_dirname(top);
	}
	free(up);
	return top;
}

void add_image_write(struct planner *p, const struct trace_event *ev)
{
	const char *path = ev->real ? ev->real : ev->path;

	/* a connect writes nothing on the file system; a check is not a
	 * write; a chown giving a file away fails for the user anyway */
	if (!p->o.read_only || !path || *path != '/' ||
	    on_runtime_fs(p, path) || ev->op == OP_CONNECT ||
	    ev->op == OP_ACCESS ||
	    (ev->op == OP_CHOWN && ev->owner_uid >= 0 &&
	     (unsigned)ev->owner_uid != p->id.uid))
		return;
	if (ev->op == OP_MKDIR && !ev->err && ev->st.kind != ST_PRESENT)
		strset_add(&p->mnt.made, path);
	/* a link makes a name beside its second path only: its source
	 * stays as it is */
	if (ev->op != OP_LINK)
		remember(&p->mnt.iw, landing_entry(p, path), ev);
	if (ev->path2 && *ev->path2 == '/' && !on_runtime_fs(p, ev->path2) &&
	    (ev->op == OP_RENAME || ev->op == OP_LINK))
		remember(&p->mnt.iw, landing_entry(p, ev->path2), ev);
}

/*
 * A read-only root cannot take an empty tmpfs on a directory holding the
 * image's own files (the application in /app): it would hide them.  The
 * directory gets a seeded mount (its volume starts with the image's
 * content), so that the plan works as written, and the advice says how to
 * avoid the copy: the program's own option when the catalogue knows one
 * (it moves the writes to /tmp, which then gets a tmpfs too), else a new
 * dedicated subdirectory.  "/" cannot be a mount: advice only.
 */
static void read_only_shipped_dir(struct planner *p, const struct writer *w,
				  const struct evidence *ev, const char *dir)
{
	char *e;

	if (anonymous_volume_of(p, dir)) {
		/* what Docker seeds the volume with; an init step seeds the
		 * emptyDir (the image volume's callout says so) */
		add_tmpfs(p, dir, ev, true);
		return;
	}
	e = comment_safe(dir);
	if (w && w->option) {
		plan_warn(p,
			  xasprintf("read-only root: %s holds files shipped in "
				    "the image, so no empty tmpfs is mounted "
				    "on it (it would hide them): its volume is "
				    "seeded with the image's content; use %s's "
				    "own option to write elsewhere and avoid "
				    "the copy: %s",
				    e, w->program, w->option));
		if (strstr(w->option, "/tmp/"))
			add_tmpfs(p, "/tmp", ev, false);
		if (strcmp(dir, "/"))
			add_tmpfs(p, dir, ev, true);
	} else if (strcmp(dir, "/") &&
		   ((uintptr_t)map_get(&p->mnt.shipped, dir) &
		    ~(uintptr_t)SHIPPED_REWRITTEN) == SHIPPED_DATA) {
		add_tmpfs(p, dir, ev, true);
		plan_note(
		    p,
		    xasprintf("read-only root: %s holds data of the image "
			      "that %s reads and writes in place (a "
			      "database), so its volume must start with the "
			      "image's content: Docker seeds an anonymous "
			      "volume, a Kubernetes emptyDir needs the init "
			      "step given (it copies nothing); what is "
			      "written there goes with the pod, and a "
			      "persistent volume seeded the same way keeps "
			      "it",
			      e, *ev->program ? ev->program : "the workload"));
	} else if (strcmp(dir, "/")) {
		add_tmpfs(p, dir, ev, true);
		plan_note(
		    p, xasprintf("read-only root: %s holds files shipped in "
				 "the image and is written at run time, so its "
				 "volume must start with the image's content: "
				 "Docker seeds an anonymous volume, a "
				 "Kubernetes emptyDir needs the init step "
				 "given (it copies nothing); to avoid the "
				 "copy, make %s write into a new dedicated "
				 "subdirectory (for example %s/rw, created in "
				 "the image)",
				 e, *ev->program ? ev->program : "the workload",
				 e));
	} else
		plan_warn(
		    p, xasprintf("read-only root: %s holds files shipped in "
				 "the image, so no tmpfs is mounted on it "
				 "(it would hide them); make %s write into "
				 "a new dedicated subdirectory (for example "
				 "%s/rw, created in the image) and mount "
				 "the tmpfs there",
				 e, *ev->program ? ev->program : "the workload",
				 !strcmp(e, "/") ? "" : e));
	free(e);
}

void on_read_only_fs(struct planner *p, const struct trace_event *ev)
{
	char *dir;
	struct evidence e = {0};

	/* a read-only bind (below a tmpfs of the runtime's too) is fixed
	 * on the host; /proc/sys is read-only in a container for root too:
	 * no mount of the image's can change it */
	if (read_only_volume(p, ev) || on_runtime_fs(p, ev->path))
		return;
	if (ev->op == OP_ACCESS) {
		/* a check: a mount only when a write needs one */
		notes_read_only_check(p, ev);
		return;
	}
	/* a new directory gets the tmpfs itself (docker makes the mount
	 * point), so that its parent is not hidden */
	dir = ev->op == OP_MKDIR && ev->st.kind != ST_PRESENT
		  ? xstrdup(ev->path)
		  : path_dirname(ev->path);
	evidence_from(&e, ev);
	if (map_get(&p->mnt.shipped, dir))
		read_only_shipped_dir(p, match_writer_of(p, ev->path, ev), &e,
				      dir);
	else
		add_tmpfs(p, dir, &e, false);
	evidence_free(&e);
	free(dir);
}

/*
 * The tmpfs mount i, on a directory the workload chmods or chowns (what:
 * "program op"), moves to the parent (seeded when the parent holds the
 * image's files), said in a note: true.  "/" is never mounted, so a
 * top-level directory keeps its mount and gets a warning: false.
 */
static bool lift_mount(struct planner *p, size_t i, const char *what)
{
	struct plan *pl = p->plan;
	char *up = path_dirname(pl->tmpfs[i].dir);
	char *e = comment_safe(pl->tmpfs[i].dir);
	bool moved = strcmp(up, "/") != 0, seed;
	struct evidence ev;

	if (!moved)
		plan_warn(p, xasprintf("read-only root: %s changes the mode or "
				       "owner of %s, the root of its mount, "
				       "which the runtime owns: make it write "
				       "into a subdirectory it creates",
				       what, e));
	else {
		plan_note(p, xasprintf("read-only root: %s changes the mode or "
				       "owner of %s, which no user can do on "
				       "the root of a mount (the runtime owns "
				       "it), so its parent is mounted and the "
				       "workload makes %s itself",
				       what, e, e));
		evidence_copy(&ev, &pl->tmpfs[i].ev);
		/* a volume's mount is no plain one's child: dropped here, its
		 * parent's is plain (Kubernetes needs it, as an emptyDir's
		 * root is the runtime's; in Docker it is harmless: the volume
		 * is mounted over it, its root the image's directory) */
		seed = drop_mount(pl, i);
		if (map_get(&p->mnt.shipped, up))
			read_only_shipped_dir(p, NULL, &ev, up);
		else
			add_tmpfs(p, up, &ev, seed);
		evidence_free(&ev);
	}
	free(up);
	free(e);
	return moved;
}

/* Each mount on a directory whose mode or owner the workload changes is
 * lifted to its parent, until none is (a parent may be one too). */
static void lift_owner_changed_mounts(struct planner *p)
{
	struct plan *pl = p->plan;
	bool moved = true;

	while (moved) {
		moved = false;
		for (size_t i = 0; i < pl->ntmpfs && !moved; i++) {
			char *what =
			    map_get(&p->mnt.owner_changed, pl->tmpfs[i].dir);

			if (!what)
				continue;
			/* said once */
			map_put(&p->mnt.owner_changed, pl->tmpfs[i].dir, NULL);
			moved = lift_mount(p, i, what);
			free(what);
		}
	}
}

/* A write in the image's layer that no mount planned so far holds (the
 * user needed no grant for it: a directory it owns, or may write as a
 * member of its group) gets its directory mounted, seeded when that
 * holds the image's files.  A path the plan refuses is left to the
 * refusal. */
static void mount_image_writes(struct planner *p)
{
	struct plan *pl = p->plan;

	for (size_t i = 0; i < p->mnt.iw.n; i++) {
		const struct scratch_write *w = &p->mnt.iw.v[i];
		char *dir;

		if (plan_refusal_holding(pl, w->dir) ||
		    plan_tmpfs_holding(pl, w->dir))
			continue;
		dir = path_dirname(w->dir);
		if (map_get(&p->mnt.shipped, dir))
			read_only_shipped_dir(p, NULL, &w->ev, dir);
		else if (strcmp(dir, "/"))
			add_tmpfs(p, dir, &w->ev, false);
		free(dir);
	}
}

void planner_reads_unrecorded(struct planner *p)
{
	p->mnt.no_reads = true;
}

void warn_reads_unrecorded(struct planner *p, const char *names, size_t n,
			   bool mounts)
{
	plan_warn(p, xasprintf("%sthe trace records no reads (it was made "
			       "without --reads), so nothing shows whether "
			       "%s hold%s files of the image the workload "
			       "%s: record the run again with `unroot run "
			       "--reads` (or `unroot docker --reads`; harden "
			       "does) and plan from that trace",
			       mounts ? "read-only root: " : "", names,
			       n == 1 ? "s" : "",
			       mounts ? "reads, which an empty volume would "
					"hide"
				      : "uses (its code), which the owner may "
					"rename or remove"));
}

/* The plan makes dir (a redirect's directory, or below one; a directory
 * it pre-creates, the user's new home among them). */
static bool made_by_plan(const struct plan *pl, const char *dir)
{
	for (size_t i = 0; i < pl->nredirects; i++)
		if (pl->redirects[i].dir &&
		    path_is_under(dir, pl->redirects[i].dir))
			return true;
	for (size_t i = 0; i < pl->ngrants; i++)
		if (pl->grants[i].kind == GRANT_MKDIR &&
		    !pl->grants[i].alternative &&
		    path_is_under(dir, pl->grants[i].path))
			return true;
	return false;
}

/* The plan gives the user dir (it owns it, or a tree that holds it). */
static bool owned_by_plan(const struct plan *pl, const char *dir)
{
	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];

		if (!g->alternative &&
		    ((g->kind == GRANT_OWN_DIR && !strcmp(g->path, dir)) ||
		     (g->kind == GRANT_OWN_TREE &&
		      path_is_under(dir, g->path))))
			return true;
	}
	return false;
}

/* The directory is new (the workload or the plan makes it), or scratch:
 * an empty mount hides nothing of the image's, whatever the workload
 * reads.  So is one the user owned in the image: the trace's record of
 * it, else the replay's, which a grant of the plan's own does not make
 * the user's. */
bool holds_nothing_shipped(struct planner *p, const char *dir)
{
	const struct file_state *st = dir_record(p, dir);
	const struct vnode *v = st ? NULL : vfs_get(p, dir);
	bool users = st ? st->kind == ST_PRESENT && st->uid == p->id.uid
			: v && v->st.kind == ST_PRESENT &&
			      v->st.uid == p->id.uid &&
			      !owned_by_plan(p->plan, dir);

	return scratch_dir_of(dir) || strset_has(&p->mnt.made, dir) ||
	       made_by_plan(p->plan, dir) || users;
}

/*
 * Without reads, a plain mount on a directory of the image rests on what
 * the workload wrote and ran there alone: each such mount is marked (its
 * comment says so) and one warning names them and how to know.
 */
static void mark_unread_mounts(struct planner *p)
{
	struct plan *pl = p->plan;
	struct strbuf names = STRBUF_INIT;
	size_t n = 0;

	if (!p->mnt.no_reads)
		return;
	for (size_t i = 0; i < pl->ntmpfs; i++) {
		struct tmpfs_fix *t = &pl->tmpfs[i];

		if (t->seed || holds_nothing_shipped(p, t->dir))
			continue;
		t->unread = true;
		char *e = comment_safe(t->dir);
		sb_addf(&names, "%s%s", n++ ? ", " : "", e);
		free(e);
	}
	if (n)
		warn_reads_unrecorded(p, names.buf, n, true);
	sb_release(&names);
}

void plan_read_only_root(struct planner *p)
{
	struct plan *pl = p->plan;

	for (size_t i = 0; i < pl->ngrants; i++) {
		struct grant *g = &pl->grants[i];
		char *dir;

		if (g->alternative || g->kind == GRANT_BUILD ||
		    g->kind == GRANT_SEARCH || g->kind == GRANT_GROUP ||
		    g->kind == GRANT_READ)
			continue;
		dir = g->kind == GRANT_TOUCH || g->kind == GRANT_OWN_FILE
			  ? path_dirname(g->path)
			  : xstrdup(g->path);
		/* a pre-created directory is new: a tmpfs hides nothing,
		 * unless it is an anonymous volume the image fills */
		if ((g->kind != GRANT_MKDIR || is_anonymous_volume(p, dir)) &&
		    map_get(&p->mnt.shipped, dir))
			read_only_shipped_dir(
			    p, g->writer ? g->writer : g->hint, &g->ev, dir);
		else
			add_tmpfs(p, dir, &g->ev, false);
		free(dir);
	}
	for (size_t i = 0; i < pl->nredirects; i++)
		if (pl->redirects[i].dir)
			add_tmpfs(p, pl->redirects[i].dir, &pl->redirects[i].ev,
				  false);
	/* /tmp and /run need no grant, but are read-only too; a name made
	 * for one run is no mount point: its scratch root is */
	for (size_t i = 0; i < p->mnt.sw.n; i++) {
		const char *dir = p->mnt.sw.v[i].dir;

		if (unstable_component(p, dir) && scratch_dir_of(dir))
			dir = scratch_dir_of(dir);
		add_tmpfs(p, dir, &p->mnt.sw.v[i].ev, false);
	}
	mount_image_writes(p);
	lift_owner_changed_mounts(p);
	mark_unread_mounts(p);
}
