/*
 * plan_mounts.c - what lies outside the image's writable layer (struct
 * plan_mounts): volumes and bind mounts (fixed on the host, never in the
 * image), scratch directories, and the directories that hold the image's
 * own files (docs/permission-model.md, "What a run as root hides":
 * mounts).  The tmpfs mounts a read-only root needs are plan_readonly.c's.
 *
 * Invariants:
 * - A write below a volume is a host fix for that mount (the innermost
 *   one), never a grant: the image's directory is hidden by the mount.
 * - A directory is marked as holding the image's files (p->mnt.shipped)
 *   only from an entry the workload found there and did not make.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
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

/* dir holds files shipped in the image: a tmpfs there would hide them.
 * how: SHIPPED_FOUND when the workload used a file of the image there,
 * SHIPPED_DATA when it reads and writes one (its database),
 * SHIPPED_REWRITTEN when it rewrites or replaces one (a generated page),
 * SHIPPED_INFERRED when only its role says so (the working directory). */
static void mark_shipped(struct planner *p, const char *dir, uintptr_t how)
{
	struct map_slot *s;

	if (*dir != '/' || !strcmp(dir, "/") || scratch_dir_of(dir))
		return;
	s = map_find(&p->mnt.shipped, dir);
	if (s)
		s->val = (void *)((uintptr_t)s->val | how);
	else
		map_put(&p->mnt.shipped, dir, (void *)how);
}

static void mark_parent_shipped(struct planner *p, const char *path,
				uintptr_t how)
{
	char *dir;

	if (!path || *path != '/')
		return;
	dir = path_dirname(path);
	mark_shipped(p, dir, how);
	free(dir);
}

void note_code_dir(struct planner *p, const char *path)
{
	const char *pc = strstr(path, "/__pycache__");
	char *src =
	    pc ? xstrndup(path, (size_t)(pc - path)) : path_dirname(path);

	mark_shipped(p, src, SHIPPED_FOUND);
	mark_parent_shipped(p, src, SHIPPED_FOUND);
	free(src);
}

bool holds_used_image_files(struct planner *p, const char *dir)
{
	const struct map *m = &p->mnt.shipped;

	/* dir itself, or a directory below it: the owner of dir may rename
	 * the entry of dir that holds it (node_modules, a package) */
	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].key && ((uintptr_t)m->v[i].val & SHIPPED_FOUND) &&
		    path_is_under(m->v[i].key, dir))
			return true;
	return false;
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

/* arg names a script by its extension ("manage.py", "/app/server.js"). */
static bool is_script_name(const char *arg)
{
	static const char *const ext[] = {
	    ".py", ".js", ".mjs", ".cjs", ".rb", ".pl", ".php", ".sh", NULL,
	};
	size_t n = strlen(arg);

	if (strpbrk(arg, " \t\n"))
		return false;
	for (int i = 0; ext[i]; i++) {
		size_t k = strlen(ext[i]);

		if (n > k && !strcmp(arg + n - k, ext[i]))
			return true;
	}
	return false;
}

/* The script an interpreter runs: its directory holds the application's
 * files.  A script named relative to the working directory ("python3
 * manage.py") is found there; another absolute argument only suggests
 * it. */
static void mark_script_dir(struct planner *p, const struct trace_proc *proc)
{
	for (char **a = proc->argv; a && *a; a++) {
		if (a == proc->argv || **a == '-')
			continue;
		if (**a == '/') {
			mark_parent_shipped(p, *a,
					    is_script_name(*a)
						? SHIPPED_FOUND
						: SHIPPED_INFERRED);
			return;
		}
		if (is_script_name(*a) && !strstr(*a, "..") && proc->cwd &&
		    *proc->cwd == '/') {
			const char *rel = *a;
			char *path;

			while (!strncmp(rel, "./", 2))
				rel += 2;
			path = xasprintf(
			    "%s/%s", strcmp(proc->cwd, "/") ? proc->cwd : "",
			    rel);
			mark_parent_shipped(p, path, SHIPPED_FOUND);
			free(path);
			return;
		}
	}
}

/* The working directory (WORKDIR, where COPY put the application) and the
 * directory of the script an interpreter runs hold the image's files. */
void planner_add_proc(struct planner *p, const struct trace_proc *proc)
{
	stable_note_proc(p, proc);
	if (proc->cwd && *proc->cwd)
		mark_shipped(p, proc->cwd, SHIPPED_INFERRED);
	if (!proc->exe || !*proc->exe || is_interpreter(proc->exe))
		mark_script_dir(p, proc);
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
	if (strcmp(m->mnt, "/") && is_pseudo_fs(m->fs) &&
	    strcmp(m->fs, "overlay"))
		PUSH(p->mnt.runtime, p->mnt.nruntime, p->mnt.capruntime) =
		    xstrdup(m->mnt);
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

const char *anonymous_volume_of(struct planner *p, const char *path)
{
	const char *best = NULL;

	for (size_t i = 0; i < p->mnt.nvols; i++)
		if (p->mnt.vols[i].anonymous &&
		    path_is_under(path, p->mnt.vols[i].mnt) &&
		    (!best || strlen(p->mnt.vols[i].mnt) > strlen(best)))
			best = p->mnt.vols[i].mnt;
	return best;
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

bool from_image(struct planner *p, const char *path,
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

bool on_runtime_fs(const struct planner *p, const char *path)
{
	if (path_is_under(path, "/dev") || path_is_under(path, "/proc") ||
	    path_is_under(path, "/sys") || is_runtime_file_mount(path))
		return true;
	for (size_t i = 0; i < p->mnt.nruntime; i++)
		if (path_is_under(path, p->mnt.runtime[i]))
			return true;
	return false;
}

bool read_only_volume(struct planner *p, const struct trace_event *ev)
{
	struct volume *v = volume_of(p, ev->path);

	if (!v)
		return false;
	v->ro = true;
	add_host_fix(p, v, ev);
	return true;
}

/* Its directory holds shipped files the workload uses. */
void note_shipped(struct planner *p, const char *path,
		  const struct file_state *st)
{
	if (from_image(p, path, st))
		mark_parent_shipped(p, path, SHIPPED_FOUND);
}

/* An open for reading and writing that keeps the file's content (a
 * database: LMDB, SQLite, Berkeley DB) reads what is there, unlike a log
 * opened to append or a file opened to be rewritten. */
static bool reads_kept_content(const struct trace_event *ev)
{
	return ev->op == OP_OPEN && !ev->err &&
	       (ev->flags & O_ACCMODE) == O_RDWR &&
	       !(ev->flags & (O_TRUNC | O_APPEND));
}

void note_kept_content(struct planner *p, const struct trace_event *ev)
{
	const char *path = ev->real ? ev->real : ev->path;

	if (reads_kept_content(ev) && from_image(p, path, &ev->st))
		mark_parent_shipped(p, path, SHIPPED_DATA);
}

/* A file the image shipped, rewritten (opened to write, not to append) or
 * replaced by a rename: its directory holds what the image's build made
 * (a prerendered page, a generated configuration), and its siblings too
 * as far as anything in the trace can tell.  An empty mount there would
 * hide them; a log opened to append is what a tmpfs is for. */
void note_replaced(struct planner *p, const struct trace_event *ev)
{
	const char *path = ev->real ? ev->real : ev->path;

	if (ev->err)
		return;
	if (ev->op == OP_OPEN && (ev->flags & O_ACCMODE) != O_RDONLY &&
	    !(ev->flags & O_APPEND) && !reads_kept_content(ev) &&
	    from_image(p, path, &ev->st))
		mark_parent_shipped(p, path, SHIPPED_REWRITTEN);
	else if (ev->op == OP_RENAME && from_image(p, ev->path2, &ev->st2))
		mark_parent_shipped(p, ev->path2, SHIPPED_REWRITTEN);
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

		mark_shipped(p, dir, SHIPPED_FOUND);
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

static void write_list_free(struct write_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].dir);
		evidence_free(&l->v[i].ev);
	}
	free(l->v);
	strset_free(&l->dirs);
}

void mounts_free(struct plan_mounts *m)
{
	for (size_t i = 0; i < m->nvols; i++) {
		free(m->vols[i].mnt);
		free(m->vols[i].host);
		free(m->vols[i].name);
	}
	free(m->vols);
	write_list_free(&m->sw);
	write_list_free(&m->iw);
	strset_free(&m->made);
	for (size_t i = 0; i < m->nruntime; i++)
		free(m->runtime[i]);
	free(m->runtime);
	map_free(&m->shipped, NULL);
	map_free(&m->owner_changed, free);
}
