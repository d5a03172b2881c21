/*
 * resolve.c - the paths of a decoded call made absolute, as the tracee
 * sees them, and the states before the call: the target, the second name
 * (rename, link) and the parent directory, each from lstat at the entry
 * stop, while the tracee waits; every ancestor of the parent is described
 * once per image file ("dir" records).
 *
 * States are remembered as the preload remembers them (preload/known.c,
 * compiled in: believed for 100 ms), and kept true by what the traced
 * calls do (tr_learn): every call that can change a path's type, owner or
 * mode is traced, in every process of the tree.  So a create storm in one
 * directory lstats its parent once per 100 ms, not once per call; a path
 * changed by a process outside the traced tree may be described up to
 * 100 ms late, as SCHEMA.md says of the preload.
 *
 * Relative paths are joined to the thread's cwd or descriptor
 * (/proc/TID/cwd, /proc/TID/fd/N: threads may have their own, and the
 * process's /proc/PID ones are gone once its main thread has exited),
 * then normalised lexically as the preload does (path.c).  The tracer
 * looks the paths up in its own mount namespace and root, which are the
 * tracee's unless it moved into others.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracer.h"

void tr_nopath(struct pending *p, const char *what, int err)
{
	if (p->nopath[0])
		return; /* the first reason is the one that matters */
	snprintf(p->nopath, sizeof p->nopath, "path unknown: %s (%s)", what,
		 ur_errno_name(err < 0 ? -err : err));
}

/* The directory dirfd names in the tracee (its cwd for AT_FDCWD). */
static bool base_dir(struct thread *t, struct pending *p, int dirfd, char *out,
		     size_t cap)
{
	char what[32];
	int r;

	if (dirfd == AT_FDCWD)
		strcpy(what, "cwd");
	else
		snprintf(what, sizeof what, "fd/%d", dirfd);
	r = tr_proc_link(t->tid, what, out, cap);
	if (r < 0) {
		tr_nopath(p,
			  dirfd == AT_FDCWD ? "cannot read the tracee's cwd"
					    : "cannot read the tracee's fd",
			  r);
		return false;
	}
	if (out[0] != '/') {
		tr_nopath(p, "the descriptor names no path", ENOTDIR);
		return false;
	}
	return true;
}

/* path as the tracee sees it from dirfd, into out; as given if unknown. */
static void absolute(struct thread *t, struct pending *p, int dirfd,
		     const char *path, char *out, size_t cap)
{
	size_t plen = strlen(path);

	if (path[0] == '/' && plen < cap) {
		memcpy(out, path, plen + 1);
		ur_normalize(out);
		return;
	}
	if (path[0] != '/' && base_dir(t, p, dirfd, out, cap)) {
		size_t base = strlen(out);
		if (base + plen + 2 <= cap) {
			out[base] = '/';
			memcpy(out + base + 1, path, plen + 1);
			ur_normalize(out);
			return;
		}
		tr_nopath(p, "path too long", ENAMETOOLONG);
	}
	snprintf(out, cap, "%s", path);
}

/* lstat again (the tracee runs on meanwhile: loop.c resumed it) */
static void relearn(const char *path)
{
	struct stat st;

	if (path[0] != '/')
		return;
	bool present = lstat(path, &st) == 0;
	ur_known_put(ur_hash_path(path, strlen(path)), &st, present);
}

/*
 * What a successful call changed, for the states remembered: a name it
 * removed is absent, a directory moved or an exchange forgets everything
 * (the paths below changed), the names anything else touched are looked
 * at again, after the call (a create storm's unlink then finds its file
 * known).
 */
void tr_learn(const struct pending *p)
{
	static const struct stat none;
	const struct call *c = &p->c;

	switch (c->op) {
	case OP_UNLINK:
	case OP_RMDIR:
		if (p->abs[0] == '/')
			ur_known_put(ur_hash_path(p->abs, strlen(p->abs)),
				     &none, false);
		return;
	case OP_RENAME:
		if (!p->has_st || S_ISDIR(p->st.st_mode) ||
		    (c->flag_kind == FK_RENAME && c->flags != 0)) {
			ur_known_forget_all();
			return;
		}
		break;
	case OP_UTIME:
	case OP_TRUNCATE:
	case OP_EXEC:
	case OP_READ:
	case OP_STAT:
	case OP_ACCESS:
	case OP_CONNECT:
		return; /* no type, owner or mode changed */
	default:
		break;
	}
	relearn(p->abs);
	relearn(p->abs2);
}

/* The path and state of the descriptor an fd-based call acts on. */
static void fd_target(struct thread *t, struct pending *p)
{
	char link[48];

	if (!base_dir(t, p, p->c.fd, p->abs, sizeof p->abs)) {
		p->abs[0] = 0;
		return;
	}
	snprintf(link, sizeof link, "/proc/%d/fd/%d", (int)t->tid, p->c.fd);
	p->has_st = stat(link, &p->st) == 0;
}

static void note_ancestors(struct image *img, const char *dir)
{
	size_t len = strlen(dir);

	if (len <= 1)
		return; /* "/" has no ancestors; its state is the parent's */
	for (size_t i = 0; i < len; i++) {
		if (dir[i] != '/')
			continue;
		size_t n = i == 0 ? 1 : i;
		if (tr_dir_first_seen(img, ur_hash_path(dir, n)))
			tr_record_dir(img, dir, n);
	}
}

/*
 * Where the call lands when symlinks move it, as the preload records it
 * (`real`): the parent's real path (the descriptor of an O_PATH open of
 * it, read back through /proc/self/fd) with the last name, or the target
 * of the final symlink the call follows.  /var/run/app.pid is
 * /run/app.pid: the planner and the layer's cross-check read the event
 * where it landed.
 */
static void resolve_real(struct pending *p)
{
	bool link = p->has_st && S_ISLNK(p->st.st_mode) &&
		    ur_follows_final_symlink(&p->c);
	int fd = open(p->parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	bool ok;

	p->has_real = false;
	if (fd < 0)
		return;
	ok = ur_fd_readlink(fd, p->real, sizeof p->real);
	close(fd);
	if (ok && (link || strcmp(p->real, p->parent)) &&
	    ur_land(p->abs, link, p->real, sizeof p->real))
		p->has_real = strcmp(p->real, p->abs) != 0;
}

void tr_resolve(struct thread *t, struct pending *p)
{
	struct call *c = &p->c;

	p->abs[0] = p->abs2[0] = p->parent[0] = 0;
	p->has_st = p->has_st2 = p->has_pst = p->has_real = false;
	if (c->fd >= 0 && !c->path)
		fd_target(t, p);
	else if (c->path)
		absolute(t, p, c->dirfd, c->path, p->abs, sizeof p->abs);
	if (c->path2)
		absolute(t, p, c->dirfd2, c->path2, p->abs2, sizeof p->abs2);
	ur_known_tick();
	if (c->path && p->abs[0] == '/')
		p->has_st = ur_known_state(
		    p->abs, ur_hash_path(p->abs, strlen(p->abs)), &p->st);
	if (c->path2 && p->abs2[0] == '/')
		p->has_st2 = ur_known_state(
		    p->abs2, ur_hash_path(p->abs2, strlen(p->abs2)), &p->st2);
	if (p->abs[0] != '/')
		return;
	ur_parent_of(p->abs, p->parent);
	p->has_pst = ur_parent_state(
	    p->parent, ur_hash_path(p->parent, strlen(p->parent)), &p->pst);
	note_ancestors(t->img, p->parent);
	resolve_real(p);
}
