/*
 * plan_replay.c - the replay of one operation under the user's
 * credentials: the Linux permission checks of docs/permission-model.md
 * ("The checks") applied to the replay's file system, each failure
 * recorded as a need (plan_needs.c).  struct plan_replay holds the one
 * thing the replay keeps besides needs: the chowns a program made as
 * root, turned into notes.
 *
 * Invariants:
 * - Every operation first checks search on each directory from / down to
 *   its parent; then what its kind needs (write+search on the parent to
 *   create or remove a name, write on a file to change it, ownership to
 *   change its metadata, read/execute to use it).
 * - An operation recorded as denied (c->denied) is planned for even when
 *   the rules, with what the trace knows, would permit it.
 * - The replay's file system is updated as the operation would: a name
 *   created is the user's, a name removed is absent, a rename moves the
 *   subtree, a chmod changes the mode.
 * - Files of the kernel (/proc, /sys, /dev) and character devices are not
 *   the image's: never a need.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"
#include "quote.h"

/* Search permission on every directory from / down to dir. */
/* The event's recorded parent state, when dir is its path's parent: a
 * denial of a run as the user has no `dir` records beside it, and its
 * parent's state says which ancestor stopped it. */
static const struct file_state *recorded_parent(const char *dir,
						const struct trace_event *ev)
{
	size_t n = strlen(dir);

	if (ev->parent.kind != ST_PRESENT || !ev->path ||
	    strncmp(ev->path, dir, n) || ev->path[n] != '/' ||
	    strchr(ev->path + n + 1, '/'))
		return NULL;
	return &ev->parent;
}

static void check_search(struct planner *p, const char *dir,
			 const struct op_ctx *c)
{
	char *copy = xstrdup(dir);
	size_t n = strlen(copy);
	size_t h = MAP_HASH_STEP(MAP_HASH_START, copy[0]); /* of copy[0..i) */
	const struct file_state *last = recorded_parent(dir, c->ev);

	for (size_t i = 1; i <= n; i++) {
		if (copy[i] != '/' && copy[i] != 0) {
			h = MAP_HASH_STEP(h, copy[i]);
			continue;
		}
		char saved = copy[i];

		copy[i] = 0;
		const char *a = i == 1 && saved == '/' ? "/" : copy;
		struct file_state st = state_at_h(p, copy, i, MAP_HASH_DONE(h),
						  i == n ? last : NULL);

		if (!may(p, &st, 1))
			search_denied(p, a, &st, c->ev);
		copy[i] = saved;
		h = MAP_HASH_STEP(h, saved);
	}
	free(copy);
	{
		struct file_state root = state_at(p, "/", NULL);

		if (!may(p, &root, 1))
			search_denied(p, "/", &root, c->ev);
	}
}

static bool parent_allows_names(struct planner *p, const char *dir,
				const struct trace_event *ev)
{
	struct file_state st = state_at(p, dir, &ev->parent);

	return may(p, &st, 3);
}

static void do_create(struct planner *p, const char *path,
		      const struct file_state *parent_rec, enum file_type type,
		      bool excl, unsigned mode, const struct op_ctx *c)
{
	char *dir = path_dirname(path);
	struct file_state dst = state_at(p, dir, parent_rec);

	check_search(p, dir, c);
	if (!may(p, &dst, 3) && try_join(p, &dst, 3, c->ev))
		; /* the service's group may create names there */
	else if (!may(p, &dst, 3) ||
		 (c->denied && !need_find(p, NEED_DIR, dir)))
		need_create(p, path, type, excl, c->ev, c->w, &dst);
	set_created(p, path, type, mode);
	free(dir);
}

/* Remove a name: write+search on the parent; in a sticky parent also own
 * the entry or the parent. */
static void do_remove(struct planner *p, const char *path,
		      const struct file_state *rec,
		      const struct file_state *parent_rec,
		      const struct op_ctx *c)
{
	char *dir = path_dirname(path);
	struct file_state dst = state_at(p, dir, parent_rec);
	struct file_state st = state_at(p, path, rec);

	check_search(p, dir, c);
	mark_removed(p, path);
	if (!may(p, &dst, 3) && try_join(p, &dst, 3, c->ev))
		; /* the service's group may remove names there */
	else if (!may(p, &dst, 3) || (c->denied && !owns(p, &dst)))
		need_dir(p, dir, parent_rec, c->ev, c->w);
	else if ((dst.mode & 01000) && !owns(p, &st) && !owns(p, &dst))
		need_file(p, path, rec, c->ev, c->w);
	set_absent(p, path);
	free(dir);
}

static void do_write_existing(struct planner *p, const char *path,
			      const struct file_state *rec,
			      const struct op_ctx *c)
{
	struct file_state st = state_at(p, path, rec);
	char *dir = path_dirname(path);

	check_search(p, dir, c);
	free(dir);
	if (st.kind == ST_PRESENT && st.type == FT_CHR)
		return; /* /dev/null, a tty: not the image's business */
	if (!may(p, &st, 2) && try_join(p, &st, 2, c->ev))
		return; /* the service's group may write it */
	if (!may(p, &st, 2) || (c->denied && !owns(p, &st)))
		need_file(p, path, rec, c->ev, c->w);
}

static void do_own(struct planner *p, const char *path,
		   const struct file_state *rec, const struct op_ctx *c)
{
	struct file_state st = state_at(p, path, rec);
	char *dir = path_dirname(path);

	check_search(p, dir, c);
	free(dir);
	if (!owns(p, &st) || c->denied)
		need_file(p, path, rec, c->ev, c->w);
}

/* A path of the kernel's, per process (/proc, /sys, /dev): never the
 * image's. */
static bool kernels(const char *path)
{
	return path_is_under(path, "/proc") || path_is_under(path, "/sys") ||
	       path_is_under(path, "/dev");
}

/*
 * Read or list path (want 4), execute or search it (1), or only look it
 * up (0: stat, access F_OK).  Root reads everything, so a read recorded
 * in a root run is replayed against the file's recorded state as one
 * the user makes: a config shipped 640 root:svc is denied to the user.
 * The least grant is joining the service's group when its bits permit;
 * never a wider mode (o+r would open it to every user, g+r to every
 * member of a group that the packager kept out) and never a chown of a
 * service's file.  A file only root may read gets the user's own group
 * (plan_grants.c); otherwise the read is refused, said plainly.
 */
static void do_read(struct planner *p, unsigned want, const struct op_ctx *c)
{
	const struct trace_event *ev = c->ev;
	struct file_state st;
	char *dir;

	if (kernels(ev->path))
		return; /* the kernel's, per process: not the image's */
	dir = path_dirname(ev->path);
	check_search(p, dir, c);
	free(dir);
	st = state_at(p, ev->path, &ev->st);
	if (st.kind != ST_PRESENT) {
		if (c->denied && st.kind == ST_UNKNOWN)
			need_read(p, ev->path, &st, want ? want : 4, ev);
		return;
	}
	if (!want || st.type == FT_CHR || st.type == FT_SYMLINK ||
	    may(p, &st, want) || try_join(p, &st, want, ev))
		return;
	need_read(p, ev->path, &st, want, ev);
}

/* A write check its file's owner was refused by the file's own mode: a
 * secret kept read-only on purpose (Erlang's 0400 ~/.erlang.cookie, which
 * its file server asks access(W_OK) of).  No grant changes a mode bit
 * the program chose; owning the file gives nothing more. */
static bool refused_by_own_mode(const struct trace_event *ev)
{
	return ev->proc && ev->proc->euid != 0 && ev->st.kind == ST_PRESENT &&
	       ev->st.uid == ev->proc->euid && !(ev->st.mode & 0200);
}

/* The reader could write the file: root, or its owner with the write
 * bit (the run as the user was refused the check, this one would not
 * have been). */
static bool reader_may_write(const struct trace_event *ev)
{
	return ev->proc &&
	       (ev->proc->euid == 0 ||
		(ev->st.uid == ev->proc->euid && (ev->st.mode & 0200)));
}

static void note_wrote(struct plan_replay *r, const char *path)
{
	char *dir;

	if (!path)
		return;
	strset_add(&r->wrote, path);
	dir = path_dirname(path);
	strset_add(&r->wrote, dir);
	free(dir);
}

void replay_note_checks(struct planner *p, const struct trace_event *ev,
			bool writes)
{
	struct plan_replay *r = &p->replay;

	if (ev->err)
		return;
	if (ev->op == OP_READ && ev->st.kind == ST_PRESENT &&
	    ev->st.type == FT_FILE && reader_may_write(ev)) {
		strset_add(&r->read_ok, ev->path);
		if (ev->real)
			strset_add(&r->read_ok, ev->real);
	}
	if (!writes)
		return;
	note_wrote(r, ev->path);
	note_wrote(r, ev->real);
	if (ev->op == OP_RENAME || ev->op == OP_LINK)
		note_wrote(r, ev->path2);
}

/* A refused write check of a regular file that a process which could
 * write it read before (root's run, which harden replays first), and
 * that no run wrote before, by either name (LibreOffice asks it of the
 * document it converts, to open it read-only when it may not write it):
 * the check asks for nothing.  Decided at the check, so nothing of the
 * replay changes for it; a trace read before root's, or without reads,
 * keeps it what the write would need. */
static bool check_nothing_followed(struct planner *p,
				   const struct trace_event *ev)
{
	const struct plan_replay *r = &p->replay;
	const char *real = ev->real ? ev->real : ev->path;

	return ev->st.kind == ST_PRESENT && ev->st.type == FT_FILE &&
	       (strset_has(&r->read_ok, ev->path) ||
		strset_has(&r->read_ok, real)) &&
	       !strset_has(&r->wrote, ev->path) && !strset_has(&r->wrote, real);
}

/* An operation that writes nothing: what it needs of the file. */
void replay_read(struct planner *p, const struct op_ctx *c)
{
	const struct trace_event *ev = c->ev;
	unsigned want = 4;

	switch (ev->op) {
	case OP_EXEC:
	case OP_SPAWN:
		want = 1;
		break;
	case OP_STAT:
		want = 0;
		break;
	case OP_ACCESS: {
		const char *why = plan_root_check(ev);

		want = ev->has_mode ? ev->mode & 7 : 0;
		if (why) {
			notes_root_check(p, ev, why);
			return;
		}
		if ((want & 2) && c->denied && refused_by_own_mode(ev)) {
			want &= ~2u; /* the mode's choice, not the user's */
		} else if ((want & 2) && c->denied &&
			   check_nothing_followed(p, ev)) {
			notes_root_check(p, ev, NULL);
			want &= ~2u;
		} else if ((want & 2) && c->denied) {
			/* a probe before writing (matplotlib, pip): what
			 * the write itself would need */
			do_write_existing(p, ev->path, &ev->st, c);
			return;
		}
		break;
	}
	default:
		break;
	}
	do_read(p, want, c);
}

static void do_rename(struct planner *p, const struct op_ctx *c)
{
	const struct trace_event *ev = c->ev;
	const char *src = ev->path, *dst = ev->path2;
	struct file_state sst = state_at(p, src, &ev->st);
	struct file_state dstst = state_at(p, dst, &ev->st2);
	char *sdir = path_dirname(src), *ddir = path_dirname(dst);
	struct file_state none = {.kind = ST_UNKNOWN};

	if (sst.kind == ST_PRESENT && sst.type == FT_DIR &&
	    strcmp(sdir, ddir) && !may(p, &sst, 2))
		need_file(p, src, &ev->st, ev, c->w);
	sst = state_at(p, src, &ev->st);
	do_remove(p, src, &ev->st, &ev->parent, c);
	if (dstst.kind == ST_PRESENT)
		do_remove(p, dst, &ev->st2, &none, c);
	else
		mark_removed(p, dst);
	if (!parent_allows_names(p, ddir, ev))
		need_dir(p, ddir, NULL, ev, c->w);
	/* the moved entry keeps its owner */
	{
		struct vnode *v = vnode_at(p, src, &ev->st);

		v->st = sst;
		if (v->st.kind == ST_UNKNOWN)
			v->st.kind = ST_PRESENT, v->st.type = FT_FILE,
			v->st.uid = p->id.uid;
	}
	move_tree(p, src, dst);
	free(sdir);
	free(ddir);
}

bool open_writes(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

static void do_open(struct planner *p, const struct op_ctx *c)
{
	const struct trace_event *ev = c->ev;
	struct file_state st = state_at(p, ev->path, &ev->st);
	unsigned mode = ev->has_mode ? ev->mode & 0777 & ~022u : 0644;

	if ((ev->flags & O_TMPFILE) == O_TMPFILE) {
		struct file_state d = state_at(p, ev->path, &ev->st);

		check_search(p, ev->path, c);
		if (!may(p, &d, 3))
			need_dir(p, ev->path, &ev->st, ev, c->w);
		return;
	}
	if ((ev->flags & O_CREAT) && st.kind != ST_PRESENT &&
	    (st.kind == ST_ABSENT || ev->st.kind == ST_ABSENT)) {
		do_create(p, ev->path, &ev->parent, FT_FILE,
			  (ev->flags & O_EXCL) != 0, mode, c);
		return;
	}
	if (open_writes(ev->flags) || (ev->flags & O_CREAT))
		do_write_existing(p, ev->path, &ev->st, c);
}

static enum file_type mknod_type(const struct trace_event *ev)
{
	return ev->has_mode && (ev->mode & 0170000) == 0140000 ? FT_SOCK
							       : FT_FIFO;
}

/* A chown to the owner and group the file already has (or -1) changes
 * nothing: sqlite fchowns its journal to the database's owner as root. */
static bool chown_is_noop(const struct trace_event *ev)
{
	const struct file_state *st = &ev->st;

	if (ev->err)
		return false;
	if (ev->owner_uid < 0 && ev->owner_gid < 0)
		return true;
	if (st->kind != ST_PRESENT)
		return false;
	return (ev->owner_uid < 0 || (unsigned)ev->owner_uid == st->uid) &&
	       (ev->owner_gid < 0 || (unsigned)ev->owner_gid == st->gid);
}

void add_refusal(struct planner *p, const char *path, char *why,
		 const struct trace_event *ev)
{
	if (refused_before(p, path)) {
		free(why);
		return;
	}
	evidence_from(&plan_refusal(p, path, why)->ev, ev);
}

/* A new name for an existing file: created like any name; a file the
 * user does not own needs read and write on it too
 * (fs.protected_hardlinks).  A source of the kernel's is an open
 * descriptor (/proc/self/fd/N: an O_TMPFILE file linked into place),
 * which its opener may link: only the new name counts. */
static void do_link(struct planner *p, const struct op_ctx *c)
{
	const struct trace_event *ev = c->ev;
	struct file_state none = {.kind = ST_UNKNOWN};

	do_create(p, ev->path2, &none, FT_FILE, true, 0644, c);
	if (!kernels(ev->path) && !owns(p, &ev->st) && !may(p, &ev->st, 6))
		do_own(p, ev->path, &ev->st, c);
}

/* utime (write on the file, or ownership), chmod and xattr (ownership);
 * a chmod changes the replay's mode. */
static void do_metadata(struct planner *p, const struct op_ctx *c)
{
	const struct trace_event *ev = c->ev;

	if (ev->op == OP_UTIME) {
		struct file_state st = state_at(p, ev->path, &ev->st);

		if (!may(p, &st, 2) || c->denied)
			do_own(p, ev->path, &ev->st, c);
		return;
	}
	do_own(p, ev->path, &ev->st, c);
	if (ev->op == OP_CHMOD && ev->has_mode) {
		struct vnode *v = vnode_at(p, ev->path, &ev->st);

		v->st.mode = ev->mode & 07777;
	}
}

/* A chown needs ownership; giving the file to anyone but the user (or a
 * group of the user's) is a note when a root program did it, else a
 * refusal. */
static void do_chown(struct planner *p, const struct op_ctx *c)
{
	const struct trace_event *ev = c->ev;

	if (chown_is_noop(ev)) {
		char *dir = path_dirname(ev->path);

		check_search(p, dir, c);
		free(dir);
		return;
	}
	if ((ev->owner_uid < 0 || (unsigned)ev->owner_uid == p->id.uid) &&
	    (ev->owner_gid < 0 || in_groups(p, (unsigned)ev->owner_gid))) {
		do_own(p, ev->path, &ev->st, c);
		return;
	}
	/* giving it away fails for its owner too: owning it grants
	 * nothing, so the path is only on the way */
	{
		char *dir = path_dirname(ev->path);
		struct give_away *ga =
		    &PUSH(p->replay.ga, p->replay.nga, p->replay.capga);

		check_search(p, dir, c);
		free(dir);
		ga->path = xstrdup(ev->path);
		ga->uid = ev->owner_uid;
		ga->refused = c->denied || !ev->proc || ev->proc->euid != 0;
	}
	if (!c->denied && ev->proc && ev->proc->euid == 0) {
		/* Programs chown only when they run as root (sqlite,
		 * supervisord's user=, nginx's temp dirs): a note,
		 * not a refusal; one per program. */
		notes_chown(p, ev);
		return;
	}
	add_refusal(p, ev->path,
		    xasprintf("the workload gives %s to %d:%d; a non-root user "
			      "cannot give files away (CAP_CHOWN): drop the "
			      "chown from the program or its configuration",
			      "it", ev->owner_uid, ev->owner_gid),
		    ev);
}

void replay_write(struct planner *p, const struct op_ctx *c)
{
	const struct trace_event *ev = c->ev;
	unsigned dmode = ev->has_mode ? ev->mode & 07777 & ~022u : 0755;

	switch (ev->op) {
	case OP_OPEN:
		do_open(p, c);
		break;
	case OP_MKDIR:
		do_create(p, ev->path, &ev->parent, FT_DIR, false, dmode, c);
		break;
	case OP_MKNOD:
		do_create(p, ev->path, &ev->parent, mknod_type(ev), true, 0644,
			  c);
		break;
	case OP_SYMLINK:
		do_create(p, ev->path, &ev->parent, FT_SYMLINK, true, 0777, c);
		break;
	case OP_BIND:
		do_create(p, ev->path, &ev->parent, FT_SOCK, true, 0755, c);
		break;
	case OP_MKTEMP:
		do_create(p, ev->path, &ev->parent, FT_FILE, true, 0600, c);
		break;
	case OP_LINK:
		if (ev->path2)
			do_link(p, c);
		break;
	case OP_UNLINK:
	case OP_RMDIR:
		do_remove(p, ev->path, &ev->st, &ev->parent, c);
		break;
	case OP_RENAME:
		if (ev->path2)
			do_rename(p, c);
		break;
	case OP_TRUNCATE:
	case OP_CONNECT:
		do_write_existing(p, ev->path, &ev->st, c);
		break;
	case OP_UTIME:
	case OP_CHMOD:
	case OP_XATTR:
		do_metadata(p, c);
		break;
	case OP_CHOWN:
		do_chown(p, c);
		break;
	default:
		check_search(p, ev->path, c);
		break;
	}
}

void replay_free(struct plan_replay *r)
{
	for (size_t i = 0; i < r->nga; i++)
		free(r->ga[i].path);
	free(r->ga);
	notes_free(r);
}
