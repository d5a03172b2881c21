/*
 * plan.c - from trace directories to a plan (plan.h): the trace's users,
 * groups, os records, mounts, docker binds (trace.json), processes,
 * untraced programs, then its events in time order and the container
 * layer's changes no event explains go to the planner,
 * with the known-writers catalogue loaded once.  Also the plan options
 * shared by the planning commands.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "schema.h"
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

/* Some trace recorded its reads (unroot run --reads), or one has no
 * trace.json to say (as if it had: nothing to warn about). */
static bool any_trace_reads(const struct trace *t)
{
	if (!trace_ndirs(t))
		return true;
	for (size_t i = 0; i < trace_ndirs(t); i++) {
		const json_t *m = trace_meta(t, i);
		const json_t *o = m ? json_object_get(m, K_META_OPTIONS) : NULL;

		if (!o || json_is_true(json_object_get(o, K_META_OPT_READS)))
			return true;
	}
	return false;
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
	for (size_t i = 0; i < trace_ndirs(t); i++) {
		const json_t *m = trace_meta(t, i);
		const char *host =
		    m ? json_string_value(json_object_get(m, K_META_HOSTNAME))
		      : NULL;

		if (host)
			planner_add_hostname(p, host);
	}
	if (!any_trace_reads(t))
		planner_reads_unrecorded(p);
	for (size_t i = 0; i < trace_nmounts(t); i++)
		planner_add_mount(p, trace_mount_at(t, i));
	feed_binds(p, t);
	for (size_t i = 0; i < trace_nprocs(t); i++)
		planner_add_proc(p, trace_proc_at(t, i));
	for (size_t i = 0; i < trace_nuntraced(t); i++)
		planner_add_untraced(p, trace_untraced_at(t, i));
	for (size_t i = 0; i < trace_nnets(t); i++)
		planner_add_net(p, trace_net_at(t, i));
	for (size_t i = 0; i < trace_npriv(t); i++)
		planner_add_priv(p, trace_priv_at(t, i));
	trace_each_event(t, feed_event, p);
	for (size_t i = 0; i < trace_nunseen(t); i++)
		planner_add_unseen(p, trace_unseen_at(t, i));
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

/* ---- where it ran: trace.json of an `unroot docker` run ----------------- */

static void deploy_args(struct plan_deploy *d, const json_t *m)
{
	const json_t *cmd = json_object_get(m, K_META_COMMAND);
	const json_t *opts = json_object_get(m, K_META_OPTIONS);
	size_t n = json_array_size(cmd);

	/* command[0] is the image; the rest is the command, whole only when
	 * the run recorded arguments */
	if (n < 2)
		return;
	if (!json_is_true(json_object_get(opts, K_META_OPT_ARGV))) {
		d->args_cut = true;
		return;
	}
	d->args = xcalloc(n - 1, sizeof *d->args);
	for (size_t i = 1; i < n; i++) {
		char *a = json_path_value(json_array_get(cmd, i));

		if (a)
			d->args[d->nargs++] = a;
	}
}

static char **copy_strs(const struct trace_strs *s, size_t *n)
{
	char **v = xcalloc(s->n + 1, sizeof *v);

	for (size_t i = 0; i < s->n; i++)
		v[i] = xstrdup(s->v[i]);
	*n = s->n;
	return v;
}

/* What the pod format runs the same way: trace.json's "run". */
static void deploy_run(struct plan_deploy *d, const struct trace_run *r)
{
	if (!r)
		return;
	d->entrypoint = r->entrypoint ? xstrdup(r->entrypoint) : NULL;
	d->workdir = r->workdir ? xstrdup(r->workdir) : NULL;
	d->env = xcalloc(r->nenv + 1, sizeof *d->env);
	for (size_t i = 0; i < r->nenv; i++) {
		d->env[i].name = xstrdup(r->env[i].name);
		d->env[i].value =
		    r->env[i].value ? xstrdup(r->env[i].value) : NULL;
	}
	d->nenv = r->nenv;
	d->env_files = copy_strs(&r->env_files, &d->nenv_files);
	if (r->has_command) { /* recorded whole, with or without --argv */
		for (size_t i = 0; i < d->nargs; i++)
			free(d->args[i]);
		free(d->args);
		d->args = copy_strs(&r->command, &d->nargs);
		d->args_cut = false;
	}
}

void plan_deploy_read(struct plan_deploy *d, const struct trace *t)
{
	memset(d, 0, sizeof *d);
	for (size_t i = 0; i < trace_ndirs(t) && !d->image; i++) {
		const json_t *m = trace_meta(t, i);
		char *img =
		    m ? json_path_value(json_object_get(m, K_META_IMAGE))
		      : NULL;

		if (!img)
			continue;
		d->image = img;
		deploy_args(d, m);
		deploy_run(d, trace_meta_run(t, i));
	}
	d->nmounts = trace_nbinds(t);
	d->mounts = xcalloc(d->nmounts + 1, sizeof *d->mounts);
	for (size_t i = 0; i < d->nmounts; i++) {
		const struct trace_bind *b = trace_bind_at(t, i);
		struct deploy_mount *dm = &d->mounts[i];

		dm->container = xstrdup(b->container);
		dm->host = b->host ? xstrdup(b->host) : NULL;
		dm->volume = b->volume ? xstrdup(b->volume) : NULL;
		dm->ro = b->ro;
	}
}

struct plan *plan_load_deploy(char *const *dirs, int ndirs,
			      struct plan_options *o, struct plan_deploy *d)
{
	struct trace *t = traces_open(dirs, ndirs, 0);
	struct plan *pl;

	memset(d, 0, sizeof *d);
	if (!t)
		return NULL;
	pl = plan_trace(t, o);
	plan_deploy_read(d, t);
	trace_close(t);
	return pl;
}

void plan_deploy_free(struct plan_deploy *d)
{
	free(d->image);
	for (size_t i = 0; i < d->nargs; i++)
		free(d->args[i]);
	free(d->args);
	for (size_t i = 0; i < d->nmounts; i++) {
		free(d->mounts[i].container);
		free(d->mounts[i].host);
		free(d->mounts[i].volume);
	}
	free(d->mounts);
	free(d->entrypoint);
	free(d->workdir);
	for (size_t i = 0; i < d->nenv; i++) {
		free(d->env[i].name);
		free(d->env[i].value);
	}
	free(d->env);
	for (size_t i = 0; i < d->nenv_files; i++)
		free(d->env_files[i]);
	free(d->env_files);
	memset(d, 0, sizeof *d);
}
