/*
 * plan.c - from trace directories to a plan (plan.h): the trace's users,
 * groups, os records, mounts, docker binds (trace.json), processes,
 * untraced programs and then its events in time order go to the planner,
 * with the known-writers catalogue loaded once.  Also the plan options
 * shared by the planning commands.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "traceopen.h"
#include "util.h"

static bool parse_id(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > 0x7fffffff || *s == '-')
		return false;
	*out = (unsigned)v;
	return true;
}

int plan_opt_user(const struct opt *o, const char *v)
{
	struct plan_options *po = o->value;

	if (!*v || strchr(v, ':') || strchr(v, '\n')) {
		opt_error(o, "needs a user name");
		return -1;
	}
	po->user = v;
	po->user_given = true;
	return 0;
}

int plan_opt_id(const struct opt *o, const char *v)
{
	struct plan_options *po = o->value;
	bool uid = !strcmp(o->lng, "uid");
	unsigned id;

	if (!parse_id(v, &id) || id == 0) {
		opt_error(o, "needs a non-zero number, not '%s'", v);
		return -1;
	}
	if (uid) {
		po->uid = id;
		po->uid_given = true;
		if (!po->gid_given)
			po->gid = id;
	} else {
		po->gid = id;
		po->gid_given = true;
	}
	return 0;
}

static int feed_event(const struct trace_event *ev, void *ctx)
{
	planner_add_event(ctx, ev);
	return 0;
}

static void feed_binds(struct planner *p, const struct trace *t)
{
	for (size_t i = 0; i < trace_nbinds(t); i++) {
		const struct trace_bind *b = trace_bind_at(t, i);

		planner_add_bind(p, b->container, b->host, b->volume, b->ro);
	}
}

static const struct writers *catalogue(void)
{
	static struct writers *w;
	static bool tried;
	char *why = NULL;

	if (!tried) {
		tried = true;
		w = writers_load(&why);
		if (!w)
			warning("no known-writers catalogue: %s", why);
		free(why);
	}
	return w;
}

struct plan *plan_trace(struct trace *t, struct plan_options *o)
{
	struct planner *p;

	if (!o->writers)
		o->writers = catalogue();
	p = planner_new(o);
	for (size_t i = 0; i < trace_nusers(t); i++)
		planner_add_user(p, trace_user_at(t, i));
	for (size_t i = 0; i < trace_ngroups(t); i++)
		planner_add_group(p, trace_group_at(t, i));
	for (size_t i = 0; i < trace_nos(t); i++)
		planner_add_os(p, trace_os_at(t, i));
	for (size_t i = 0; i < trace_nmounts(t); i++)
		planner_add_mount(p, trace_mount_at(t, i));
	feed_binds(p, t);
	for (size_t i = 0; i < trace_nprocs(t); i++)
		planner_add_proc(p, trace_proc_at(t, i));
	for (size_t i = 0; i < trace_nuntraced(t); i++)
		planner_add_untraced(p, trace_untraced_at(t, i));
	trace_each_event(t, feed_event, p);
	return planner_finish(p);
}

struct plan *plan_load(char *const *dirs, int ndirs, struct plan_options *o)
{
	struct trace *t = traces_open(dirs, ndirs, 0);
	struct plan *pl;

	if (!t)
		return NULL;
	pl = plan_trace(t, o);
	trace_close(t);
	return pl;
}
