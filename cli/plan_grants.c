/*
 * plan_grants.c - the grants (plan->grants, indexed by struct
 * plan_grants) and the choice of one for each need, on the ladder of
 * docs/permission-model.md ("The grants"): join a group, pre-create the
 * first missing component or a file, own a directory, own a file (and, in
 * plan_refine.c, own a tree), each only when the smaller one does not do.
 *
 * Invariants:
 * - One grant per kind and path: adding it again counts its events.
 * - A grant removed during a step is marked dead (skipped by find_grant)
 *   and dropped by compact_grants() at the end of that step, so the order
 *   of the others never changes.
 * - A pre-created name is only chosen when it lasts: a file opened for
 *   writing and never removed, renamed over or re-created, in a directory
 *   where at most FILES_BEFORE_DIR files are created; otherwise the
 *   directory is owned.
 * - A read is granted in one case only: a file root alone may read (no
 *   group or set-id bit, root's), read and not run, is given the group
 *   the user runs with and its group bit, when that group has no other
 *   user (group_is_users, checked again once the user is final), and
 *   stays root's.  Otherwise no wider mode and no chown of a service's
 *   file: the read is refused, said plainly.
 * - Paths that are code, libraries, system configuration or identity are
 *   never granted (protected_reason, applied in plan_refine.c through
 *   grant_protected_reason); an application's own directory of /etc is
 *   not the system's (etc_application), but its code still is; a read
 *   grant, which changes no file's content or owner, may be in such a
 *   directory or /etc/ssh and wherever only code is protected
 *   (read_protected_reason_normal).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"
#include "quote.h"

#define FILES_BEFORE_DIR 4 /* distinct files created in one dir: own it */

static bool has_prefix_dir(const char *path, const char *dir)
{
	return path_is_under(path, dir);
}

/*
 * path with "." and ".." resolved lexically and "//" folded: the reader
 * rejects paths that are not normalised, but the never-grant check must
 * not depend on that ("/tmp/../etc/passwd" is /etc/passwd).
 */
static char *lexical_normal(const char *path)
{
	char *out = xmalloc(strlen(path) + 2);
	size_t n = 0;

	out[n++] = '/';
	while (*path) {
		const char *s = path + strspn(path, "/");
		size_t len = strcspn(s, "/");

		path = s + len;
		if (!len || (len == 1 && s[0] == '.'))
			continue;
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--; /* the slash before the dropped name */
			continue;
		}
		if (n > 1)
			out[n++] = '/';
		memcpy(out + n, s, len);
		n += len;
	}
	out[n] = 0;
	return out;
}

static const char *protected_reason_normal(const char *path);

/* Code, libraries, system configuration and identity: never granted. */
const char *protected_reason(const char *path)
{
	char *norm = lexical_normal(path);
	const char *why = protected_reason_normal(norm);

	free(norm);
	return why;
}

/* Installed library code, program source or a library, or NULL. */
static const char *code_reason(const char *path)
{
	static const char *const code_ext[] = {
	    ".py", ".pyc", ".so",  ".sh",    ".pl",
	    ".rb", ".php", ".jar", ".class", NULL,
	};
	size_t n = strlen(path);

	if (strstr(path, "/site-packages") || strstr(path, "/dist-packages") ||
	    strstr(path, "/node_modules"))
		return "installed library code";
	for (int i = 0; code_ext[i]; i++) {
		size_t k = strlen(code_ext[i]);

		if (n > k && !strcmp(path + n - k, code_ext[i]))
			return "program source or a library";
	}
	return NULL;
}

static const char *protected_reason_normal(const char *path)
{
	static const char *const system[] = {
	    "/usr",   "/bin",	 "/sbin", "/lib", "/lib32",
	    "/lib64", "/libx32", "/boot", NULL,
	};

	if (!strcmp(path, "/"))
		return "the root directory";
	if (has_prefix_dir(path, "/root"))
		return "root's home";
	for (int i = 0; system[i]; i++)
		if (has_prefix_dir(path, system[i]))
			return "system code and libraries";
	if (has_prefix_dir(path, "/proc") || has_prefix_dir(path, "/sys"))
		return "the kernel's interface, whose settings are the "
		       "host's (a pod's sysctls), not the image's";
	if (has_prefix_dir(path, "/etc"))
		return "system configuration and identity files";
	if (has_prefix_dir(path, "/dev") && !has_prefix_dir(path, "/dev/shm") &&
	    !has_prefix_dir(path, "/dev/mqueue"))
		return "device files";
	return code_reason(path);
}

/*
 * Whether path (normal, under /etc) is an application's configuration:
 * below /etc/X, or the directory /etc/X itself, where X is none of the
 * system's own directories (identity and login, the loader, package
 * management, start-up, certificates, OpenSSH).  A name directly in /etc
 * (passwd, hosts) is the system's, and so is /etc itself.
 */
static bool etc_application(const char *path, bool dir)
{
	static const char sys[] =
	    /* Debian's */
	    " alternatives apparmor apparmor.d apt bash_completion.d"
	    " ca-certificates cron.d cron.daily cron.hourly cron.monthly"
	    " cron.weekly cron.yearly dbus-1 default dpkg init init.d kernel"
	    " ld.so.conf.d logrotate.d modprobe.d modules-load.d network"
	    " pam.d polkit-1 profile.d rc0.d rc1.d rc2.d rc3.d rc4.d rc5.d"
	    " rc6.d rcS.d security selinux skel ssh ssl sudoers.d sysctl.d"
	    " systemd tmpfiles.d udev update-motd.d"
	    /* Red Hat's, Alpine's, SUSE's */
	    " apk conf.d crontabs dnf doas.d local.d periodic pki rc.d rpm"
	    " runlevels sysconfig yum yum.repos.d zypp"
	    /* init systems and supervisors of containers: start-up code */
	    " cont-finish.d cont-init.d fix-attrs.d runit s6 s6-overlay"
	    " s6-rc services.d sv ";
	const char *x = path + 5;
	size_t n;
	char *word;
	bool system;

	if (strncmp(path, "/etc/", 5) || !*x)
		return false;
	n = strcspn(x, "/");
	if (!x[n] && !dir)
		return false; /* a file directly in /etc */
	word = xasprintf(" %.*s ", (int)n, x);
	system = strstr(sys, word) != NULL;
	free(word);
	return !system;
}

/*
 * A read grant changes neither the file nor who owns it: it may be of an
 * application's configuration in /etc (etc_application) or of a key of
 * OpenSSH's (/etc/ssh), and anywhere no write is protected for but code;
 * never of the system's identity (/etc/shadow), root's home, the
 * kernel's files or devices.
 */
static const char *read_protected_reason_normal(const char *norm)
{
	const char *why = protected_reason_normal(norm);

	if (!why || has_prefix_dir(norm, "/root") ||
	    has_prefix_dir(norm, "/proc") || has_prefix_dir(norm, "/sys") ||
	    has_prefix_dir(norm, "/dev"))
		return why;
	if (has_prefix_dir(norm, "/etc"))
		return etc_application(norm, false) ||
			       has_prefix_dir(norm, "/etc/ssh")
			   ? NULL
			   : why;
	return NULL;
}

const char *grant_protected_reason(const struct grant *g)
{
	bool dir = g->kind == GRANT_MKDIR || g->kind == GRANT_OWN_DIR ||
		   g->kind == GRANT_OWN_TREE || g->kind == GRANT_SEARCH;
	char *norm;
	const char *why;

	if (g->kind == GRANT_BUILD)
		return NULL;
	norm = lexical_normal(g->path);
	if (g->kind == GRANT_READ)
		why = read_protected_reason_normal(norm);
	else {
		why = protected_reason_normal(norm);
		/* an application's own directory of /etc, but not its code */
		if (why && etc_application(norm, dir))
			why = code_reason(norm);
	}
	free(norm);
	return why;
}

const char *plan_never_granted(const char *path, bool dir)
{
	char *norm = lexical_normal(path);
	const char *why = protected_reason_normal(norm);

	if (why && etc_application(norm, dir))
		why = code_reason(norm);
	free(norm);
	return why;
}

const char *plan_root_check(const struct trace_event *ev)
{
	if (ev->op != OP_ACCESS || !ev->has_mode || !(ev->mode & 2) ||
	    !trace_event_denied(ev))
		return NULL;
	return protected_reason(ev->path);
}

bool is_shared_system_dir(const char *path)
{
	static const char *const shared[] = {
	    "/run",	 "/var/run",   "/var",	   "/var/lib", "/var/cache",
	    "/var/log",	 "/var/spool", "/var/tmp", "/tmp",     "/opt",
	    "/srv",	 "/home",      "/mnt",	   "/media",   "/var/local",
	    "/var/mail", NULL,
	};

	for (int i = 0; shared[i]; i++)
		if (!strcmp(path, shared[i]))
			return true;
	return false;
}

bool grant_dead(const struct planner *p, size_t i)
{
	return i < p->grants.capdead && p->grants.dead[i];
}

/* Remove grant i at the next compact_grants(); until then it is skipped. */
void kill_grant(struct planner *p, size_t i)
{
	if (i >= p->grants.capdead) {
		size_t old = p->grants.capdead;

		p->grants.dead = xgrow(p->grants.dead, &p->grants.capdead,
				       i + 1, sizeof *p->grants.dead);
		memset(p->grants.dead + old, 0,
		       (p->grants.capdead - old) * sizeof *p->grants.dead);
	}
	p->grants.dead[i] = true;
}

void grant_release(struct grant *g)
{
	free(g->path);
	free(g->command);
	for (char **w = g->build_args; w && *w; w++)
		free(*w);
	free(g->build_args);
	free(g->why);
	evidence_free(&g->ev);
}

/* Drop the dead grants, keeping the order of the others. */
void compact_grants(struct planner *p)
{
	struct plan *pl = p->plan;
	size_t k = 0;

	for (size_t i = 0; i < pl->ngrants; i++) {
		if (grant_dead(p, i)) {
			grant_release(&pl->grants[i]);
			continue;
		}
		if (k != i)
			pl->grants[k] = pl->grants[i];
		k++;
	}
	if (k != pl->ngrants)
		p->grants.stale = true;
	pl->ngrants = k;
	if (p->grants.capdead)
		memset(p->grants.dead, 0,
		       p->grants.capdead * sizeof *p->grants.dead);
}

struct grant *find_grant(struct planner *p, enum grant_kind k, const char *path)
{
	struct plan *pl = p->plan;
	uintptr_t i;

	if (p->grants.stale) {
		for (size_t j = 0; j <= GRANT_BUILD; j++)
			map_free(&p->grants.idx[j], NULL);
		for (size_t j = 0; j < pl->ngrants; j++)
			if (!grant_dead(p, j))
				map_put(&p->grants.idx[pl->grants[j].kind],
					pl->grants[j].path,
					(void *)(uintptr_t)(j + 1));
		p->grants.stale = false;
	}
	i = (uintptr_t)map_get(&p->grants.idx[k], path);
	if (!i || grant_dead(p, i - 1))
		return NULL;
	return &pl->grants[i - 1];
}

struct grant *add_grant(struct planner *p, enum grant_kind k, const char *path,
			const struct evidence *ev, long count,
			const struct writer *w, char *why)
{
	struct plan *pl = p->plan;
	struct grant *g = find_grant(p, k, path);
	struct evidence e;

	if (g) {
		g->nevents += count;
		free(why);
		return g;
	}
	/* copied first: ev may be another grant's, which the array's
	 * growth moves */
	evidence_copy(&e, ev);
	pl->grants =
	    xrealloc(pl->grants, (pl->ngrants + 1) * sizeof *pl->grants);
	g = &pl->grants[pl->ngrants++];
	memset(g, 0, sizeof *g);
	g->kind = k;
	g->path = xstrdup(path);
	g->why = why;
	g->nevents = count;
	g->writer = w;
	g->ev = e;
	map_put(&p->grants.idx[k], path, (void *)(uintptr_t)pl->ngrants);
	return g;
}

/* Files created in each directory (dirname -> count), counted once. */
static void count_created(struct planner *p, struct map *created)
{
	for (size_t i = 0; i < p->needs.n; i++) {
		char *d;

		if (p->needs.v[i].kind != NEED_CREATE ||
		    p->needs.v[i].type != FT_FILE)
			continue;
		d = path_dirname(p->needs.v[i].path);
		map_put(created, d,
			(void *)((uintptr_t)map_get(created, d) + 1));
		free(d);
	}
}

static size_t files_created_in(struct map *created, const char *dir)
{
	return (uintptr_t)map_get(created, dir);
}

static void grant_owner_state(struct planner *p, struct grant *g,
			      const struct file_state *st)
{
	(void)p;
	g->owner_state = *st;
}

/* An anonymous volume is new on every run: made and owned in the image
 * (mkdir -p, which also works where the image has no such directory). */
static char *anonymous_volume_why(const char *dir)
{
	char *e = comment_safe(dir);
	char *why = xasprintf("%s is an anonymous volume, new on every run: "
			      "docker fills it from the image's %s, so the "
			      "directory is made and owned in the image, "
			      "before its VOLUME line (a chown on the host "
			      "cannot reach it)",
			      e, e);

	free(e);
	return why;
}

struct file_state create_dir_state(struct planner *p, const char *dir,
				   const struct need *n)
{
	struct file_state st = state_at(p, dir, NULL);
	size_t len = strlen(dir);
	const char *name = n->path + len + (len > 1);

	if (st.kind == ST_UNKNOWN && n->kind == NEED_CREATE &&
	    !strncmp(n->path, dir, len) && (len == 1 || n->path[len] == '/') &&
	    *name && !strchr(name, '/'))
		st = n->image;
	return st;
}

static void own_dir_for_create(struct planner *p, const struct need *n,
			       const char *dir, char *why)
{
	struct file_state st = create_dir_state(p, dir, n);
	struct need *dn = need_find(p, NEED_DIR, dir);
	struct grant *g;

	if (is_anonymous_volume(p, dir)) {
		free(why);
		why = anonymous_volume_why(dir);
	}
	g = add_grant(p,
		      is_anonymous_volume(p, dir) ? GRANT_MKDIR : GRANT_OWN_DIR,
		      dir, &n->ev, n->count, n->writer, why);
	/* the state that decides: the directory's need's, else what the
	 * planner knows of it, else the parent state the create recorded */
	grant_owner_state(p, g, dn ? &dn->image : &st);
}

static void grant_for_create(struct planner *p, const struct need *n,
			     struct map *created)
{
	char *dir = path_dirname(n->path), *epath = comment_safe(n->path);
	const struct file_state *pst = dir_record(p, dir);
	struct file_state none = n->image;
	size_t many = files_created_in(created, dir);
	struct grant *g;

	if (need_find(p, NEED_DIR, dir)) {
		/* covered by owning the directory */
	} else if (n->type == FT_DIR && !n->removed) {
		g = add_grant(
		    p, GRANT_MKDIR, n->path, &n->ev, n->count, n->writer,
		    xasprintf("pre-create %s owned by the user: the "
			      "first missing component, so its parent "
			      "stays read-only",
			      epath));
		grant_owner_state(p, g, pst ? pst : &none);
	} else if (is_anonymous_volume(p, dir)) {
		/* new on every run, seeded from the image: a file made there
		 * in the image is another run's, and the directory does not
		 * exist before the VOLUME line */
		own_dir_for_create(p, n, dir, NULL);
	} else if (n->type == FT_FILE && !n->excl && !n->removed &&
		   many <= FILES_BEFORE_DIR) {
		g = add_grant(p, GRANT_TOUCH, n->path, &n->ev, n->count,
			      n->writer,
			      xasprintf("pre-create the file %s owned by the "
					"user: it is only opened for writing, "
					"never removed or replaced",
					epath));
		grant_owner_state(p, g, pst ? pst : &none);
	} else if (n->removed) {
		own_dir_for_create(
		    p, n, dir,
		    xasprintf("%s is removed, renamed over or "
			      "re-created, so a pre-created name "
			      "would not last: the directory is "
			      "needed",
			      epath));
	} else if (many > FILES_BEFORE_DIR) {
		own_dir_for_create(p, n, dir,
				   xasprintf("%zu different files are created "
					     "in it (names vary between runs)",
					     many));
	} else {
		own_dir_for_create(p, n, dir,
				   xasprintf("%s is created exclusively or is "
					     "not a plain file (%s), so it "
					     "cannot be pre-created",
					     epath, n->ev.op));
	}
	free(dir);
	free(epath);
}

static const char *read_verb(const struct need *n)
{
	if (n->want & 4)
		return n->type == FT_DIR ? "list" : "read";
	return n->type == FT_DIR ? "search" : "execute";
}

/* A read no group membership permits: said plainly, never granted. */
static void refuse_read(struct planner *p, const struct need *n)
{
	const struct file_state *st = &n->image;
	const struct trace_user *owner =
	    st->kind == ST_PRESENT && st->uid ? user_by_uid(p, st->uid) : NULL;
	char *e = comment_safe(n->path), *why;

	if (refused_before(p, n->path)) {
		free(e);
		return;
	}
	if (st->kind != ST_PRESENT)
		why = xasprintf(
		    "the user is denied %s on %s (%s) and the trace "
		    "has not its owner or mode, so no group can be "
		    "chosen; reads are not granted by ownership or "
		    "a wider mode: make it readable to a group the "
		    "user joins, or run as its owner",
		    read_verb(n), e, n->ev.errname ? n->ev.errname : "as root");
	else if (owner)
		why = xasprintf("%s belongs to the service user %s (mode %04o, "
				"%u:%u) and no group the user may join can %s "
				"it: this cannot be granted safely (never a "
				"world-readable mode, never a chown of a "
				"service's file); run the workload as %s "
				"(USER %u:%u)",
				e, owner->name, st->mode & 07777, st->uid,
				st->gid, read_verb(n), owner->name, owner->uid,
				owner->gid);
	else
		why = xasprintf(
		    "%s is mode %04o, owner %u:%u, and no service "
		    "group the user may join can %s it: this cannot "
		    "be granted safely (never a world-readable mode, "
		    "never a chown); ship it readable to the "
		    "service's group, or run as its owner",
		    e, st->mode & 07777, st->uid, st->gid, read_verb(n));
	free(e);
	evidence_copy(&plan_refusal(p, n->path, why)->ev, &n->ev);
}

/*
 * A file only root may read is read through the user's group: its
 * owner's bits alone are set, so no member of its group reads it today
 * and a new group takes nothing away (sshd's host keys, 0600 root:root).
 * It stays root's: the user can neither change it nor widen its mode.
 * Only a read: a program run (x) is left alone, whose chgrp would drop a
 * set-id bit or a file capability.  A file whose group may already read
 * is a service group's (joined, or refused), and a service user's file
 * is its owner's.  The group must be the user's alone (group_is_users).
 */
static bool root_only_file(const struct need *n)
{
	const struct file_state *st = &n->image;

	return st->kind == ST_PRESENT && st->type == FT_FILE && st->uid == 0 &&
	       !(st->mode & 07070) && n->want == 4;
}

static struct grant *grant_read(struct planner *p, const struct need *n)
{
	char *e = comment_safe(n->path);
	struct grant *g = add_grant(
	    p, GRANT_READ, n->path, &n->ev, n->count, NULL,
	    xasprintf("%s is mode %04o, owner %u:%u: only root may read "
		      "it; its group becomes the one the user runs with, "
		      "which has no other user, with the group's read bit: "
		      "the user alone gains it, and the file stays root's "
		      "(the user can neither change it nor widen its mode)",
		      e, n->image.mode & 07777, n->image.uid, n->image.gid));

	free(e);
	return g;
}

static void grant_for_need(struct planner *p, const struct need *n,
			   struct map *created)
{
	char *epath = comment_safe(n->path);
	struct grant *g = NULL;

	switch (n->kind) {
	case NEED_CREATE:
		grant_for_create(p, n, created);
		break;
	case NEED_DIR:
		if (is_anonymous_volume(p, n->path)) {
			g = add_grant(p, GRANT_MKDIR, n->path, &n->ev, n->count,
				      n->writer, anonymous_volume_why(n->path));
			break;
		}
		g = add_grant(p, GRANT_OWN_DIR, n->path, &n->ev, n->count,
			      n->writer,
			      xasprintf("names are created or removed directly "
					"in %s, which is in the image",
					epath));
		break;
	case NEED_FILE:
		g = add_grant(
		    p, n->type == FT_DIR ? GRANT_OWN_DIR : GRANT_OWN_FILE,
		    n->path, &n->ev, n->count, n->writer,
		    xasprintf("%s ships in the image and the workload "
			      "changes it (%s)",
			      epath, n->ev.op));
		break;
	case NEED_SEARCH:
		g = add_grant(p, GRANT_SEARCH, n->path, &n->ev, n->count, NULL,
			      xasprintf("the user cannot search %s (mode %04o, "
					"owner %u:%u) on the way to what the "
					"workload uses",
					epath, n->image.mode, n->image.uid,
					n->image.gid));
		break;
	case NEED_GROUP: {
		char *file = comment_safe(n->ev.path);
		const char *verb = n->want & 2	 ? "write"
				   : n->want & 4 ? "read"
						 : "search";

		g = add_grant(
		    p, GRANT_GROUP, n->path, &n->ev, n->count, NULL,
		    xasprintf("%s is mode %04o, owner %u:%u, and the "
			      "group %s may %s it: the user joins the "
			      "service's group, which the image "
			      "already allows; no mode is widened and "
			      "no file is given away",
			      file, n->image.mode & 07777, n->image.uid,
			      n->image.gid, epath, verb));
		g->gid = n->gid;
		free(file);
		break;
	}
	case NEED_READ:
		if (root_only_file(n) &&
		    group_is_users(p, p->id.gid, p->id.user))
			g = grant_read(p, n);
		else
			refuse_read(p, n);
		break;
	case NEED__COUNT:
		break;
	}
	if (g)
		grant_owner_state(p, g, &n->image);
	free(epath);
}

/* After the service-user choice: a read grant whose group the user
 * shares with other users of the image (a service user's www-data) would
 * open the file to them; it is refused instead. */
void vet_read_grants(struct planner *p)
{
	struct plan *pl = p->plan;

	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];
		char *e;
		struct refusal *r;

		if (g->kind != GRANT_READ || g->alternative ||
		    group_is_users(p, p->id.gid, p->id.user))
			continue;
		e = comment_safe(g->path);
		r = plan_refusal(
		    p, g->path,
		    xasprintf("%s is mode %04o, owner %u:%u: only root may "
			      "read it, and the group the user runs with "
			      "(gid %u) has other users in the image: giving "
			      "the file that group would open it to them; "
			      "ship it readable to a group of the service's "
			      "alone, or run as its owner",
			      e, g->owner_state.mode & 07777,
			      g->owner_state.uid, g->owner_state.gid,
			      p->o.openshift ? 0 : p->id.gid));
		evidence_copy(&r->ev, &g->ev);
		kill_grant(p, i);
		free(e);
	}
	compact_grants(p);
}

/* The membership command of each group grant, for display (`unroot
 * harden` lists it); the formats render it themselves. */
void group_commands(struct planner *p)
{
	struct plan *pl = p->plan;

	for (size_t i = 0; i < pl->ngrants; i++) {
		struct grant *g = &pl->grants[i];

		if (g->kind != GRANT_GROUP)
			continue;
		free(g->command);
		g->command = xasprintf("usermod -aG %s %s", g->path, pl->user);
		if (!g->alternative)
			plan_note(
			    p, xasprintf("the user relies on its membership of "
					 "the group %s (gid %u) in /etc/group, "
					 "which an explicit group drops: run "
					 "it as USER %u (as written, no "
					 "group), or with docker or podman "
					 "--user %u:%u --group-add %u, or in "
					 "Kubernetes with securityContext "
					 "supplementalGroups: [%u]",
					 g->path, g->gid, pl->uid, pl->uid,
					 pl->gid, g->gid, g->gid));
	}
}

/* planner_finish: a grant, or a refusal, for each need in turn. */
void grant_needs(struct planner *p)
{
	struct map created = {0};

	count_created(p, &created);
	for (size_t i = 0; i < p->needs.n; i++)
		if (!grant_stable_parent(p, &p->needs.v[i]))
			grant_for_need(p, &p->needs.v[i], &created);
	map_free(&created, NULL);
}

void grants_free(struct plan_grants *g)
{
	for (size_t i = 0; i <= GRANT_BUILD; i++)
		map_free(&g->idx[i], NULL);
	free(g->dead);
}
