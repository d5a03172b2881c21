/*
 * plan_mounts.c - what lies outside the image's writable layer (struct
 * plan_mounts): volumes and bind mounts (fixed on the host, never in the
 * image), scratch directories, the directories that hold the image's own
 * files, and the tmpfs mounts a read-only root needs
 * (docs/permission-model.md, "What a run as root hides": mounts, a
 * read-only root).
 *
 * Invariants:
 * - A write below a volume is a host fix for that mount (the innermost
 *   one), never a grant: the image's directory is hidden by the mount.
 * - No plain tmpfs is planned on a directory known to hold files shipped
 *   in the image (the working directory, a script's directory, the parent
 *   of a file the workload found there): it would hide them.  Such a
 *   directory gets the program's own option (a warning), or else a seeded
 *   mount: a volume that starts with the image's content (an init step
 *   copies it into a Kubernetes emptyDir), said in a note with the way to
 *   avoid the copy.  "/" itself is never mounted: it gets the advice alone.
 * - tmpfs mounts never nest: a mount on a parent replaces those below it,
 *   and is seeded when one of them was (the parent's content holds
 *   theirs).
 * - No mount is planned on a directory whose mode or owner the workload
 *   changes (initdb's chmod 0700 of its data directory): the root of a
 *   mount belongs to the runtime (an emptyDir is root's, 1777) and no
 *   user may chmod what it does not own.  Its parent is mounted instead
 *   (seeded when it holds the image's files), so that the workload makes
 *   the directory and owns it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"
#include "quote.h"

/* The scratch directory path is in (/tmp, /var/tmp, /run, /var/run), or
 * NULL.  Their content is run-time state, never the image's. */
const char *scratch_dir_of(const char *path)
{
	static const char *const scratch[] = {
	    "/tmp", "/var/tmp", "/run", "/var/run", NULL,
	};

	for (int i = 0; scratch[i]; i++)
		if (path_is_under(path, scratch[i]))
			return scratch[i];
	return NULL;
}

/* dir holds files shipped in the image: a tmpfs there would hide them. */
static void mark_shipped(struct planner *p, const char *dir)
{
	if (*dir != '/' || !strcmp(dir, "/") || scratch_dir_of(dir) ||
	    map_get(&p->mnt.shipped, dir))
		return;
	map_put(&p->mnt.shipped, dir, (void *)1);
}

static void mark_parent_shipped(struct planner *p, const char *path)
{
	char *dir;

	if (!path || *path != '/')
		return;
	dir = path_dirname(path);
	mark_shipped(p, dir);
	free(dir);
}

static bool is_interpreter(const char *exe)
{
	static const char *const names[] = {
	    "python", "sh",   "bash", "dash", "ash", "busybox",
	    "perl",   "node", "ruby", "php",  NULL,
	};
	const char *base = path_basename(exe);

	for (int i = 0; names[i]; i++)
		if (!strncmp(base, names[i], strlen(names[i])))
			return true;
	return false;
}

/* The working directory (WORKDIR, where COPY put the application) and the
 * directory of the script an interpreter runs hold the image's files. */
void planner_add_proc(struct planner *p, const struct trace_proc *proc)
{
	stable_note_proc(p, proc);
	if (proc->cwd && *proc->cwd)
		mark_shipped(p, proc->cwd);
	if (proc->exe && *proc->exe && !is_interpreter(proc->exe))
		return;
	for (char **a = proc->argv; a && *a; a++)
		if (a != proc->argv && **a == '/') {
			mark_parent_shipped(p, *a);
			break;
		}
}

static bool is_pseudo_fs(const char *fs)
{
	static const char *const pseudo[] = {
	    "proc",    "sysfs",	      "devpts",	  "devtmpfs", "tmpfs",
	    "cgroup",  "cgroup2",     "mqueue",	  "overlay",  "securityfs",
	    "debugfs", "tracefs",     "bpf",	  "pstore",   "hugetlbfs",
	    "fusectl", "binfmt_misc", "configfs", "autofs",   "nsfs",
	    NULL,
	};

	for (int i = 0; pseudo[i]; i++)
		if (!strcmp(fs, pseudo[i]))
			return true;
	return false;
}

static bool is_runtime_file_mount(const char *mnt)
{
	return !strcmp(mnt, "/etc/hosts") || !strcmp(mnt, "/etc/hostname") ||
	       !strcmp(mnt, "/etc/resolv.conf");
}

struct volume {
	char *mnt, *host;
	char *name; /* a named volume's, else NULL */
	bool ro;
	bool anonymous; /* new on every run, seeded from the image */
};

/*
 * Add a volume, or, when bind is true (trace.json's -v binding, which
 * names the host path the user gave), correct one the mount table added:
 * mountinfo's root is relative to the file system the source lies on
 * (/data/out for a -v /srv/data/out on a /srv partition).
 */
static void add_volume(struct planner *p, const char *mnt, const char *host,
		       const char *name, bool ro, bool bind, bool anonymous)
{
	struct volume *v = NULL;

	for (size_t i = 0; i < p->mnt.nvols && !v; i++)
		if (!strcmp(p->mnt.vols[i].mnt, mnt))
			v = &p->mnt.vols[i];
	if (v && !bind)
		return;
	if (!v) {
		v = &PUSH(p->mnt.vols, p->mnt.nvols, p->mnt.capvols);
		v->mnt = xstrdup(mnt);
	} else {
		free(v->host);
		free(v->name);
	}
	v->host = host ? xstrdup(host) : NULL;
	v->name = name ? xstrdup(name) : NULL;
	v->ro = ro;
	v->anonymous = anonymous;
}

/* A docker volume with no name of its own (a Dockerfile's VOLUME, or
 * -v DIR): mountinfo names its source .../volumes/<64 hex digits>/_data. */
static bool is_anonymous_volume_root(const char *root)
{
	const char *v = strstr(root, "/volumes/"), *id;
	size_t n;

	if (!v)
		return false;
	id = v + strlen("/volumes/");
	n = strspn(id, "0123456789abcdef");
	return n == 64 && !strcmp(id + n, "/_data");
}

/*
 * A mount is a volume when it binds a subdirectory of another file system
 * (root != "/"), as docker's -v and named volumes do.  The root file
 * system, pseudo file systems and docker's own /etc/hosts binds are not.
 */
void planner_add_mount(struct planner *p, const struct trace_mount *m)
{
	if (!strcmp(m->mnt, "/") || is_pseudo_fs(m->fs) ||
	    is_runtime_file_mount(m->mnt) || !m->root || !strcmp(m->root, "/"))
		return;
	add_volume(p, m->mnt, m->root, NULL, m->ro, false,
		   is_anonymous_volume_root(m->root));
}

void planner_add_bind(struct planner *p, const char *container,
		      const char *host, const char *volume, bool ro)
{
	add_volume(p, container, host, volume && *volume ? volume : NULL, ro,
		   true, volume && !*volume);
}

bool is_anonymous_volume(struct planner *p, const char *path)
{
	for (size_t i = 0; i < p->mnt.nvols; i++)
		if (p->mnt.vols[i].anonymous &&
		    !strcmp(p->mnt.vols[i].mnt, path))
			return true;
	return false;
}

struct volume *volume_of(struct planner *p, const char *path)
{
	struct volume *best = NULL;

	for (size_t i = 0; i < p->mnt.nvols; i++)
		if (!p->mnt.vols[i].anonymous &&
		    path_is_under(path, p->mnt.vols[i].mnt) &&
		    (!best || strlen(p->mnt.vols[i].mnt) > strlen(best->mnt)))
			best = &p->mnt.vols[i];
	return best;
}

/* The entry ev made below mnt, when it made one (a name that did not
 * exist before a successful call), else NULL. */
static const char *entry_made_below(const struct trace_event *ev,
				    const char *mnt)
{
	if (ev->err || !trace_event_writes(ev))
		return NULL;
	if (ev->path2 && ev->st2.kind == ST_ABSENT &&
	    path_is_under(ev->path2, mnt) && strcmp(ev->path2, mnt))
		return ev->path2;
	if (ev->path && ev->st.kind == ST_ABSENT &&
	    path_is_under(ev->path, mnt) && strcmp(ev->path, mnt))
		return ev->path;
	return NULL;
}

/*
 * A named volume outlives the run: what root's processes created in it
 * during the profiling run stays there, owned by root, for the user's
 * next run (counted for the callout, render.c).  Anonymous volumes and
 * binds of the user's own directories are not counted: the first is new
 * on every run, the second is the user's to see.
 */
static void count_root_made(struct host_fix *h, const struct trace_event *ev)
{
	const char *made;

	if (!h->volume || !ev->proc || ev->proc->euid != 0)
		return;
	made = entry_made_below(ev, h->mount);
	if (!made)
		return;
	if (!h->root_made++)
		h->root_example = xstrdup(made);
}

void add_host_fix(struct planner *p, const struct volume *v,
		  const struct trace_event *ev)
{
	struct plan *pl = p->plan;
	struct host_fix *h;

	for (size_t i = 0; i < pl->nhost; i++)
		if (!strcmp(pl->host[i].mount, v->mnt)) {
			count_root_made(&pl->host[i], ev);
			return;
		}
	pl->host = xrealloc(pl->host, (pl->nhost + 1) * sizeof *pl->host);
	h = &pl->host[pl->nhost++];
	memset(h, 0, sizeof *h);
	h->mount = xstrdup(v->mnt);
	h->hostdir = v->host ? xstrdup(v->host) : NULL;
	h->volume = v->name ? xstrdup(v->name) : NULL;
	h->ro = v->ro;
	evidence_from(&h->ev, ev);
	count_root_made(h, ev);
}

static void add_tmpfs(struct planner *p, const char *dir,
		      const struct evidence *ev, bool seed)
{
	struct plan *pl = p->plan;

	for (size_t i = 0; i < pl->ntmpfs; i++)
		if (path_is_under(dir, pl->tmpfs[i].dir)) {
			/* the parent's content holds this one's */
			pl->tmpfs[i].seed |= seed;
			return;
		}
	/* a tmpfs on a parent replaces those on its subdirectories */
	for (size_t i = pl->ntmpfs; i-- > 0;)
		if (path_is_under(pl->tmpfs[i].dir, dir)) {
			seed |= pl->tmpfs[i].seed;
			free(pl->tmpfs[i].dir);
			evidence_free(&pl->tmpfs[i].ev);
			memmove(&pl->tmpfs[i], &pl->tmpfs[i + 1],
				(pl->ntmpfs - i - 1) * sizeof *pl->tmpfs);
			pl->ntmpfs--;
		}
	pl->tmpfs = xrealloc(pl->tmpfs, (pl->ntmpfs + 1) * sizeof *pl->tmpfs);
	pl->tmpfs[pl->ntmpfs].dir = xstrdup(dir);
	pl->tmpfs[pl->ntmpfs].seed = seed;
	evidence_copy(&pl->tmpfs[pl->ntmpfs].ev, ev);
	pl->ntmpfs++;
}

/* A write into a scratch directory (/tmp, /var/tmp, /run): nothing to
 * grant, but a read-only root needs a tmpfs there. */
struct scratch_write {
	char *dir;
	struct evidence ev;
};

static bool from_image(struct planner *p, const char *path,
		       const struct file_state *st);

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

void add_scratch_write(struct planner *p, const char *scratch,
		       const struct trace_event *ev)
{
	char *dir = scratch_mount_dir(p, scratch, ev);
	struct scratch_write *w;

	if (!strset_add(&p->mnt.sw_dirs, dir)) {
		free(dir);
		return;
	}
	w = &PUSH(p->mnt.sw, p->mnt.nsw, p->mnt.capsw);
	w->dir = dir;
	evidence_from(&w->ev, ev);
}

/* An entry present before the call that the replay never created is in
 * the image. */
static bool from_image(struct planner *p, const char *path,
		       const struct file_state *st)
{
	struct vnode *v;

	if (!path || st->kind != ST_PRESENT)
		return false;
	v = vfs_get(p, path);
	if (v && v->st.kind == ST_PRESENT && v->st.uid == p->id.uid)
		return false; /* the workload's own */
	return !v || v->st.kind == ST_PRESENT;
}

/* Its directory holds shipped files the workload uses. */
void note_shipped(struct planner *p, const char *path,
		  const struct file_state *st)
{
	if (from_image(p, path, st))
		mark_parent_shipped(p, path);
}

/* The anonymous volume path lies strictly below, or NULL. */
static const struct volume *anonymous_volume_below(struct planner *p,
						   const char *path)
{
	for (size_t i = 0; i < p->mnt.nvols; i++)
		if (p->mnt.vols[i].anonymous &&
		    path_is_under(path, p->mnt.vols[i].mnt) &&
		    strcmp(path, p->mnt.vols[i].mnt))
			return &p->mnt.vols[i];
	return NULL;
}

static void volume_content(struct planner *p, const struct trace_event *ev,
			   const char *path, const struct file_state *st)
{
	const struct volume *v = path ? anonymous_volume_below(p, path) : NULL;
	struct plan *pl = p->plan;
	struct image_volume *iv;
	char *dir;

	if (!v || !from_image(p, path, st))
		return;
	/* every directory from the file's up to the volume holds it: an
	 * empty mount on any of them would hide it */
	for (dir = path_dirname(path); path_is_under(dir, v->mnt);) {
		char *up = path_dirname(dir);

		mark_shipped(p, dir);
		free(dir);
		dir = up;
	}
	free(dir);
	for (size_t i = 0; i < pl->nimage_volumes; i++)
		if (!strcmp(pl->image_volumes[i].dir, v->mnt))
			return;
	pl->image_volumes =
	    xrealloc(pl->image_volumes,
		     (pl->nimage_volumes + 1) * sizeof *pl->image_volumes);
	iv = &pl->image_volumes[pl->nimage_volumes++];
	iv->dir = xstrdup(v->mnt);
	evidence_from(&iv->ev, ev);
}

void note_volume_content(struct planner *p, const struct trace_event *ev)
{
	volume_content(p, ev, ev->path, &ev->st);
	volume_content(p, ev, ev->path2, &ev->st2);
}

void note_owner_change(struct planner *p, const struct trace_event *ev)
{
	bool chown =
	    ev->op == OP_CHOWN && (ev->owner_uid >= 0 || ev->owner_gid >= 0);

	if ((ev->op != OP_CHMOD && !chown) || !ev->path || *ev->path != '/' ||
	    (ev->err && ev->err != EPERM && ev->err != EACCES &&
	     ev->err != EROFS) ||
	    map_get(&p->mnt.owner_changed, ev->path))
		return;
	map_put(&p->mnt.owner_changed, ev->path,
		xasprintf("%s %s",
			  *program_of(ev) ? program_of(ev) : "the workload",
			  chown ? "chown" : "chmod"));
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
	char *e = comment_safe(dir);

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
	struct volume *v = volume_of(p, ev->path);
	char *dir;
	struct evidence e = {0};

	if (v) {
		v->ro = true;
		add_host_fix(p, v, ev);
		return;
	}
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
		read_only_shipped_dir(
		    p, match_writer(p, ev->path, program_of(ev)), &e, dir);
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
	bool moved = strcmp(up, "/") != 0;
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
		if (map_get(&p->mnt.shipped, up))
			read_only_shipped_dir(p, NULL, &ev, up);
		else
			add_tmpfs(p, up, &ev, false);
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

void plan_read_only_root(struct planner *p)
{
	struct plan *pl = p->plan;

	for (size_t i = 0; i < pl->ngrants; i++) {
		struct grant *g = &pl->grants[i];
		char *dir;

		if (g->alternative || g->kind == GRANT_BUILD ||
		    g->kind == GRANT_SEARCH || g->kind == GRANT_GROUP)
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
	for (size_t i = 0; i < p->mnt.nsw; i++) {
		const char *dir = p->mnt.sw[i].dir;

		if (unstable_component(p, dir) && scratch_dir_of(dir))
			dir = scratch_dir_of(dir);
		add_tmpfs(p, dir, &p->mnt.sw[i].ev, false);
	}
	lift_owner_changed_mounts(p);
}

void mounts_free(struct plan_mounts *m)
{
	for (size_t i = 0; i < m->nvols; i++) {
		free(m->vols[i].mnt);
		free(m->vols[i].host);
		free(m->vols[i].name);
	}
	free(m->vols);
	for (size_t i = 0; i < m->nsw; i++) {
		free(m->sw[i].dir);
		evidence_free(&m->sw[i].ev);
	}
	free(m->sw);
	strset_free(&m->sw_dirs);
	map_free(&m->shipped, NULL);
	map_free(&m->owner_changed, free);
}
