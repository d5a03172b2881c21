/*
 * fuzz_trace.c - libFuzzer harness for the log reader (cli/trace*.c).
 *
 * The input becomes a trace directory (see fuzz_common.h); the harness runs
 * trace_open, walks every accessor (trace.json's included) and streams
 * every event, touching every string so that AddressSanitizer sees a bad
 * pointer at once.  The reader is the first thing that sees bytes a
 * workload may have forged, so no input may crash it, leak, or hand out an
 * event without a path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "fuzz_common.h"

static volatile size_t fz_sink;

static void touch(const char *s)
{
	if (s)
		fz_sink += strlen(s);
}

static void touch_stack(const struct trace_stack *s)
{
	if (!s)
		return;
	touch(s->id);
	for (int i = 0; i < s->nframes; i++) {
		touch(s->frames[i].module);
		touch(s->frames[i].symbol);
	}
}

static int each(const struct trace_event *ev, void *ctx)
{
	(void)ctx;
	if (!ev->path) /* trace.h: never NULL */
		fz_fail("fuzz_trace: an event (%s) without a path",
			op_name(ev->op));
	touch(ev->fn);
	touch(ev->path);
	touch(ev->path2);
	touch(ev->real);
	touch(ev->argv0);
	touch(ev->flags_text);
	touch(ev->errname);
	touch(ev->file);
	touch(op_name(ev->op));
	touch(file_type_name(ev->st.type));
	touch_stack(ev->stack);
	if (ev->proc)
		touch(ev->proc->exe);
	fz_sink += trace_event_writes(ev);
	fz_sink += trace_event_denied(ev);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *dirs[1];
	const char *why = NULL;
	struct trace *t;

	dirs[0] = fz_trace(data, size);
	t = trace_open(dirs, 1, &why);
	if (!t) {
		touch(why);
		fz_done();
		return 0;
	}
	for (size_t i = 0; i < trace_nprocs(t); i++) {
		const struct trace_proc *p = trace_proc_at(t, i);

		touch(p->exe);
		touch(p->argv0);
		touch(p->cwd);
		touch(p->rootfs);
		touch(p->file);
		touch(p->home);
		for (int k = 0; p->argv && p->argv[k]; k++)
			touch(p->argv[k]);
		for (int k = 0; k < p->nenv; k++) {
			touch(p->env[k].name);
			touch(p->env[k].value);
		}
		for (int k = 0; k < p->ngroups; k++)
			fz_sink += p->groups[k];
	}
	for (size_t i = 0; i < trace_nmounts(t); i++) {
		const struct trace_mount *m = trace_mount_at(t, i);

		touch(m->mnt);
		touch(m->fs);
		touch(m->src);
		touch(m->root);
		touch(m->opts);
	}
	for (size_t i = 0; i < trace_nusers(t); i++) {
		const struct trace_user *u = trace_user_at(t, i);

		touch(u->rootfs);
		touch(u->name);
		touch(u->home);
		touch(u->shell);
	}
	for (size_t i = 0; i < trace_ngroups(t); i++) {
		const struct trace_group *g = trace_group_at(t, i);

		touch(g->rootfs);
		touch(g->name);
		for (int k = 0; g->members && g->members[k]; k++)
			touch(g->members[k]);
	}
	for (size_t i = 0; i < trace_nos(t); i++) {
		const struct trace_os *o = trace_os_at(t, i);

		touch(o->rootfs);
		touch(o->id);
		touch(o->version_id);
		touch(o->pretty);
	}
	for (size_t i = 0; i < trace_nuntraced(t); i++) {
		const struct trace_untraced *u = trace_untraced_at(t, i);

		touch(u->path);
		touch(u->why);
		if (u->proc)
			touch(u->proc->exe);
	}
	for (size_t i = 0; i < trace_ndiags(t); i++) {
		const struct trace_diag *d = trace_diag_at(t, i);

		touch(d->file);
		if (!d->message)
			fz_fail("fuzz_trace: a diagnostic without a message");
		touch(d->message);
	}
	for (size_t i = 0; i < trace_ndirs(t); i++) {
		long long status;

		touch(trace_meta_command(t, i));
		if (trace_meta_exit(t, i, &status))
			fz_sink += (size_t)status;
	}
	for (size_t i = 0; i < trace_nbinds(t); i++) {
		const struct trace_bind *b = trace_bind_at(t, i);

		if (!b->container) /* trace.h: a bind has its container path */
			fz_fail("fuzz_trace: a bind without a container path");
		touch(b->container);
		touch(b->host);
		touch(b->volume);
	}
	if (trace_dir_state(t, "/"))
		touch(trace_dir_state(t, "/")->path);
	fz_sink += (size_t)trace_nevents(t);
	trace_each_event(t, each, NULL);
	/* a second stream must give the same thing again */
	trace_each_event(t, each, NULL);
	trace_close(t);
	fz_done();
	return 0;
}
