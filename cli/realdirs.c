/*
 * realdirs.c - one name for each file (realdirs.h): an event that reached
 * its file through a symlinked directory (Debian's /var/run -> /run and
 * /var/lock -> /run/lock, a merged /usr's /bin -> /usr/bin, an
 * application's own links) is read under the path where it lands, by the
 * planner and by the container layer's cross-check.
 *
 * Without it the planner plans the same directory twice (a grant on /run/app
 * and another on /var/run/app), and a name made through one spelling and
 * changed through the other (touch /var/lock/f: its open says /var/lock/f,
 * its futimens, resolved from the descriptor, /run/lock/f) looks like a
 * file of the image, whose chown then fails at build time; and the
 * cross-check finds /run/app/pid unexplained when a rename made it as
 * /var/run/app/pid.
 *
 * Invariants:
 * - The trace's `real` (the preload's resolved path) is the evidence.  A
 *   `real` that follows a final symlink (the entry itself is a link: its
 *   state says so) names the link's target, not a directory alias: it is
 *   neither used nor learned from.
 * - Each directory alias learned (dirname of path -> dirname of real,
 *   for the same last name) is exact, never a prefix rule: /var/run ->
 *   /run says nothing of /var/runner.  path2 (a rename's or link's new
 *   name), which has no `real` of its own, is mapped through it.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "realdirs.h"
#include "schema.h"
#include "util.h"

/* The last name of path (after its last '/'). */
static const char *last_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* ev's `real` names where its own entry lands (not a link's target). */
static bool real_is_alias(const struct trace_event *ev)
{
	if (!ev->real || *ev->real != '/' || *ev->path != '/')
		return false;
	if (ev->st.kind == ST_PRESENT && ev->st.type == FT_SYMLINK)
		return false;
	return !strcmp(last_name(ev->path), last_name(ev->real));
}

static void learn(struct realdirs *r, const struct trace_event *ev)
{
	char *dir = path_dirname(ev->path), *real = path_dirname(ev->real);

	if (strcmp(dir, real) && !map_get(&r->dirs, dir))
		map_put(&r->dirs, dir, real);
	else
		free(real);
	free(dir);
}

/* path under the directory alias learned for its directory (allocated),
 * or NULL when there is none. */
static char *through_alias(const struct realdirs *r, const char *path)
{
	char *dir, *out = NULL;
	const char *real;

	if (!path || *path != '/')
		return NULL;
	dir = path_dirname(path);
	real = map_get(&r->dirs, dir);
	if (real)
		out = xasprintf("%s/%s", strcmp(real, "/") ? real : "",
				last_name(path));
	free(dir);
	return out;
}

bool realdirs_event(struct realdirs *r, const struct trace_event *ev,
		    struct trace_event *out, char *own[2])
{
	bool alias = real_is_alias(ev);

	own[0] = own[1] = NULL;
	if (alias)
		learn(r, ev);
	own[0] = alias ? xstrdup(ev->real) : through_alias(r, ev->path);
	if (unroot_op_attrs(ev->op) & OPA_PATH2) /* not a symlink's text */
		own[1] = through_alias(r, ev->path2);
	if (!own[0] && !own[1])
		return false;
	*out = *ev;
	if (alias) /* the path is now real; a link's target stays */
		out->real = NULL;
	if (own[0])
		out->path = own[0];
	if (own[1])
		out->path2 = own[1];
	return true;
}

void realdirs_free(struct realdirs *r)
{
	map_free(&r->dirs, free);
}
