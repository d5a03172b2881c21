/*
 * plan_route.c - where an event goes (planner_add_event): the replay, a
 * HOME write, a host fix for a volume, a scratch write, a code write, a
 * tmpfs for EROFS, a failed attempt, or nowhere.  It keeps no state of
 * its own.
 *
 * Invariants:
 * - An event that failed for a reason other than a permission (EACCES,
 *   EPERM, EROFS, or ENOENT on a write, kept as an attempt) says nothing
 *   about permissions: it fails for any user.
 * - Writes and denials under the profiling run's HOME are the user's
 *   HOME's, never root's (docs/permission-model.md, "What a run as root
 *   hides": HOME); below a volume they are the host's; reads there need
 *   nothing.
 * - Everything else is replayed (plan_replay.c), reads included: a read
 *   root made may be one the user is denied.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"

const char *home_of(const struct trace_event *ev)
{
	if (ev->proc && ev->proc->home && *ev->proc->home)
		return ev->proc->home;
	if (ev->proc && ev->proc->euid == 0)
		return "/root";
	return NULL;
}

/* "~/rest" when path is under the profiling run's HOME, else NULL.  With
 * HOME=/ only hidden top-level names (/.cache, /.npm) count. */
char *home_relative(const char *path, const char *home)
{
	if (!home)
		return NULL;
	if (!strcmp(home, "/")) {
		if (path[0] == '/' && path[1] == '.' && path[2] &&
		    path[2] != '.')
			return xasprintf("~%s", path);
		return NULL;
	}
	if (!path_is_under(path, home))
		return NULL;
	return xasprintf("~%s", path + strlen(home));
}

/*
 * An fd-based call (fchmod, ftruncate ...) on a file the workload already
 * unlinked: the recorded path is /proc's "NAME (deleted)".  Permission was
 * checked when the file was opened; no name needs a grant.
 */
static bool acts_on_unlinked_file(const struct trace_event *ev)
{
	static const char tail[] = " (deleted)";
	size_t n = strlen(ev->path), t = sizeof tail - 1;

	return n > t && !strcmp(ev->path + n - t, tail);
}

/*
 * An event that failed other than by a permission denial: EROFS (a host
 * fix or a tmpfs), ENOENT on a write (kept as an attempt), anything else
 * (nothing: it fails for any user).  False for a success, EACCES, EPERM.
 * The EROFS of a removal of a name that did not exist is the ENOENT a
 * writable root gives (noted, and no mount).
 */
static bool not_a_denial(struct planner *p, const struct trace_event *ev,
			 bool writes)
{
	bool missing = trace_event_erofs_on_missing_name(ev);

	if (ev->err == EROFS && !missing) {
		on_read_only_fs(p, ev);
		return true;
	}
	if (missing)
		notes_read_only_check(p, ev);
	if ((ev->err == ENOENT || missing) && writes) {
		add_attempt(p, ev);
		if ((ev->op == OP_UNLINK || ev->op == OP_RMDIR) && ev->path &&
		    *ev->path == '/')
			note_remove_attempt(p, ev->path);
		return true;
	}
	return ev->err && ev->err != EACCES && ev->err != EPERM;
}

/* The entry of /proc/PID/ at rest ("oom_score_adj", "task/7/comm"):
 * whether it is a setting of the process, not a link to a file of its
 * (fd/N, cwd, root, exe, map_files: the file's, which a write through
 * the link reaches; the planner takes those as any path of /proc). */
static bool setting_entry(const char *rest)
{
	static const char *const links[] = {"fd",  "cwd",	"root",
					    "exe", "map_files", NULL};
	size_t n = strcspn(rest, "/");

	if (!strncmp(rest, "task/", 5)) {
		size_t d = strspn(rest + 5, "0123456789");

		if (d && rest[5 + d] == '/' && rest[6 + d])
			return setting_entry(rest + 6 + d);
		return false;
	}
	for (int i = 0; links[i]; i++)
		if (strlen(links[i]) == n && !strncmp(rest, links[i], n))
			return false;
	return n > 0;
}

/* A process's own setting in /proc: /proc/self/..., /proc/thread-self/...
 * or /proc/PID/... (its oom_score_adj, its comm), not a link through it.
 * /proc/sys and the kernel's other files are the host's (plan_grants.c
 * refuses them). */
static bool process_entry(const char *path)
{
	const char *c;
	size_t n;

	if (strncmp(path, "/proc/", 6))
		return false;
	c = path + 6;
	n = strcspn(c, "/");
	if (!n || !c[n] || !c[n + 1])
		return false;
	if (!(n == 4 && !strncmp(c, "self", 4)) &&
	    !(n == 11 && !strncmp(c, "thread-self", 11)) &&
	    strspn(c, "0123456789") != n)
		return false;
	return setting_entry(c + n + 1);
}

/*
 * A write to a process's own setting in /proc: not the image's, and no
 * grant of a path changes who may make it.  Made, it is a note (one per
 * program and entry); refused, a refusal that says so (lowering an
 * oom_score_adj needs CAP_SYS_RESOURCE; harden sets such a denial aside
 * when this plan refuses that path).  False when ev is no such write.
 */
static bool process_setting(struct planner *p, const struct trace_event *ev,
			    bool writes, bool denied)
{
	if (!writes || !ev->path || !process_entry(ev->path))
		return false;
	if (!denied)
		notes_process_setting(p, ev);
	else
		add_refusal(p, ev->path,
			    xstrdup("a process's own setting in /proc, which a "
				    "non-root user may change only within its "
				    "limits (what takes a privilege stays "
				    "refused: lowering an oom_score_adj, a "
				    "uid_map, a loginuid): no grant of a path "
				    "changes that; drop the call from the "
				    "program or its configuration"),
			    ev);
	return true;
}

/*
 * Moved or linked into HOME from outside it (pip builds a wheel in /tmp
 * and renames it into its cache): the new name is a HOME write; a
 * rename's old name is still removed where it was.  False when ev is not
 * such a move.
 */
static bool moved_into_home(struct planner *p, const struct trace_event *ev)
{
	char *rel = ev->path2 && (ev->op == OP_RENAME || ev->op == OP_LINK)
			? home_relative(ev->path2, home_of(ev))
			: NULL;
	char *old_rel = rel ? home_relative(ev->path, home_of(ev)) : NULL;
	bool into_home = rel && !old_rel;

	free(old_rel);
	if (!into_home) {
		free(rel);
		return false;
	}
	add_home_write(p, rel, ev);
	if (ev->op == OP_RENAME) {
		struct trace_event removal = *ev;

		removal.op = OP_UNLINK;
		removal.path2 = NULL;
		removal.st2.kind = ST_UNKNOWN;
		planner_add_event(p, &removal);
	}
	return true;
}

/* Whether ev's process ran as a user of the image with that user's own
 * home as HOME (su rabbitmq: /var/lib/rabbitmq): a directory of the image
 * the workload switched to that user for, which the user owns there, not
 * a HOME made for whoever runs the image. */
static bool in_service_home(struct planner *p, const struct trace_event *ev)
{
	const struct trace_user *u;

	if (!ev->proc || ev->proc->euid == 0 || !ev->proc->home)
		return false;
	u = user_by_uid(p, ev->proc->euid);
	return u && u->uid != 0 && u->home && strcmp(u->home, "/") &&
	       !strcmp(u->home, ev->proc->home) &&
	       path_is_under(ev->path, u->home);
}

/* Under HOME or a volume, where nothing of the image is granted: a HOME
 * write when the event writes (a read denied under root's HOME, by a
 * process that dropped its privileges and kept HOME=/root, needs no HOME:
 * the user's has none of root's files), a host fix when it writes or was
 * denied.  False when ev is elsewhere, or in the own home of a service
 * user the process ran as (in_service_home). */
static bool outside_image(struct planner *p, const struct trace_event *ev,
			  bool writes, bool denied)
{
	char *rel = in_service_home(p, ev)
			? NULL
			: home_relative(ev->path, home_of(ev));
	struct volume *v;

	/* root's home, written by root with HOME set elsewhere (a program
	 * that asks getpwuid): the user's HOME has it */
	if (!rel && ev->proc && ev->proc->euid == 0)
		rel = home_relative(ev->path, "/root");

	if (rel) {
		if (writes)
			add_home_write(p, rel, ev);
		else
			free(rel);
		return true;
	}
	v = volume_of(p, ev->path);
	if (v && (writes || denied))
		add_host_fix(p, v, ev);
	return v != NULL;
}

/* The directory prefix of path up to the first component that differs
 * from orig (allocated), or NULL when that component is path's last. */
static char *first_rebased_dir(const char *orig, const char *path)
{
	size_t i = 0;

	while (orig[i] && orig[i] == path[i])
		i++;
	i += strcspn(path + i, "/");
	return path[i] ? xstrndup(path, i) : NULL;
}

/*
 * Root's own names in a path a root process wrote (hsperfdata_root):
 * the user's run writes the user's names (hsperfdata_nonroot), which the
 * image does not have, so the event is replayed on them, after the user
 * made the rebased directory.  False when ev names none.
 */
static bool rebased_root_names(struct planner *p, const struct trace_event *ev)
{
	char *path, *path2, *dir;
	struct trace_event e = *ev;

	if (!ev->proc || ev->proc->euid != 0 ||
	    !(trace_event_writes(ev) || ev->err))
		return false;
	path = rebase_root_names(p, ev->path);
	path2 = rebase_root_names(p, ev->path2);
	if (!path && !path2)
		return false;
	if (path) {
		dir = first_rebased_dir(ev->path, path);
		if (dir && !vfs_get(p, dir)) {
			struct trace_event mk = *ev;

			/* a directory as mkdir makes it (0755), not with
			 * the mode or flags of the call that needed it
			 * (the JVM's 0600 file in hsperfdata_USER) */
			mk.op = OP_MKDIR;
			mk.path = dir;
			mk.path2 = NULL;
			mk.has_mode = false;
			mk.flags = 0;
			mk.flags_text = NULL;
			mk.err = 0;
			mk.errname = NULL;
			mk.st.kind = ST_ABSENT;
			mk.parent.kind = ST_UNKNOWN;
			mk.st2.kind = ST_UNKNOWN;
			planner_add_event(p, &mk);
		}
		free(dir);
		e.path = path;
		e.st.kind = vfs_get(p, path) ? ST_UNKNOWN : ST_ABSENT;
		e.parent.kind = ST_UNKNOWN;
	}
	if (path2) {
		e.path2 = path2;
		e.st2.kind = ST_UNKNOWN;
	}
	planner_add_event(p, &e);
	free(path);
	free(path2);
	return true;
}

static void add_event(struct planner *p, const struct trace_event *ev)
{
	struct op_ctx c = {.ev = ev};
	bool writes = trace_event_writes(ev);
	const char *scratch;

	resolve_identity(p);
	stable_note_event(p, ev);
	if (rebased_root_names(p, ev))
		return;
	note_volume_content(p, ev);
	note_owner_change(p, ev);
	/* what the workload reads or runs (a log it only appends to can be
	 * hidden under a tmpfs: that is what the tmpfs is for) */
	if (!writes) {
		note_shipped(p, ev->path, &ev->st);
		if (ev->real) /* and where a symlink took it */
			note_shipped(p, ev->real, &ev->st);
		note_shipped(p, ev->path2, &ev->st2);
	}
	note_kept_content(p, ev);
	note_replaced(p, ev);
	if (!p->mnt.no_reads)
		replay_note_checks(p, ev, writes);
	if (not_a_denial(p, ev, writes))
		return;
	c.denied = ev->err != 0;
	if (acts_on_unlinked_file(ev))
		return; /* checked when it was opened: nothing on a name */
	if (process_setting(p, ev, writes, c.denied))
		return;
	if (moved_into_home(p, ev) || outside_image(p, ev, writes, c.denied))
		return;
	/* where the write lands (a final symlink's target: directory aliases
	 * are already resolved, realdirs.h) */
	scratch = scratch_dir_of(ev->real ? ev->real : ev->path);
	if (scratch && (writes || c.denied))
		add_scratch_write(p, scratch, ev);
	c.w = match_writer_of(p, ev->path, ev);
	if (c.w && writes && !c.denied)
		add_made(p, ev, c.w);
	if (c.w && c.denied && c.w->fallback)
		strset_add(&p->cat.refused_writers, c.w->id);
	if (c.w && c.w->code && writes) {
		add_code_write(p, ev, c.w);
		note_code_dir(p, ev->path);
		return;
	}
	if (!writes) {
		replay_read(p, &c);
		return;
	}
	if (!scratch && !c.denied && !c.w)
		add_image_write(p, ev);
	replay_write(p, &c);
}

void planner_add_event(struct planner *p, const struct trace_event *ev)
{
	struct trace_event canon;
	char *own[2];

	if (!realdirs_event(&p->vfs.real_dirs, ev, &canon, own)) {
		add_event(p, ev);
		return;
	}
	add_event(p, &canon);
	free(own[0]);
	free(own[1]);
}

/* The note for an unseen change that is not replayed. */
static void note_unseen(struct planner *p, const struct trace_unseen *u,
			const char *what)
{
	char *path = path_escape(u->path);

	plan_note(p, xasprintf("seen only in the container's changes: %s %s, "
			       "written by a call no tracer saw; %s",
			       u->change == 'D' ? "deleted" : "changed", path,
			       what));
	free(path);
}

void planner_add_unseen(struct planner *p, const struct trace_unseen *u)
{
	char *dir = path_dirname(u->path);
	struct file_state parent = state_at(p, dir, &u->parent);
	struct trace_event ev = {.fn = PLAN_FN_UNSEEN, .path = u->path};
	bool is_dir = u->st.kind == ST_PRESENT && u->st.type == FT_DIR;

	free(dir);
	if (parent.kind != ST_PRESENT) {
		note_unseen(p, u,
			    "its directory's state is unknown, so it is "
			    "not planned: check it");
		return;
	}
	if (u->change == 'C' && is_dir) {
		note_unseen(p, u,
			    "a name was made and removed in it, or its "
			    "metadata changed: own it if the non-root "
			    "run is refused there");
		return;
	}
	ev.op = u->change == 'D' ? OP_UNLINK : is_dir ? OP_MKDIR : OP_OPEN;
	if (ev.op == OP_OPEN) {
		ev.flags = O_WRONLY | (u->change == 'A' ? O_CREAT : 0);
		ev.flags_text =
		    u->change == 'A' ? "O_WRONLY|O_CREAT" : "O_WRONLY";
	}
	ev.has_mode = u->st.kind == ST_PRESENT;
	ev.mode = u->st.mode;
	ev.owner_uid = ev.owner_gid = -1;
	ev.uid = u->change == 'A' ? u->st.uid : 0;
	ev.gid = u->change == 'A' ? u->st.gid : 0;
	ev.st = u->st;
	if (u->change == 'A')
		ev.st.kind = ST_ABSENT;
	ev.st2.kind = ST_UNKNOWN;
	ev.parent = parent;
	planner_add_event(p, &ev);
}
