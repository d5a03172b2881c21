/*
 * harden_denials.c - the denials of a run, as `unroot harden` weighs them
 * (harden.h): read from its trace, and split into those the run as the
 * user met alone and those root's run met too.
 *
 * Invariants:
 * - A denial is kept once per call, path and errno; a root check (a
 *   refused `test -w /`, plan_root_check) is no denial here: the plan's
 *   notes name it.
 * - Two runs' denials are the same one when the same program was refused
 *   the same call with the same errno on paths of the same pattern
 *   (generalize.h, with each run's own evidence of the names it made):
 *   varnishd's chown of vcl_boot.1796599705.657284/vgc.so in one run is
 *   its chown of vcl_boot.1796599720.536230/vgc.so in the next, and a
 *   path under root's HOME is the same path under the user's.
 * - A denial root's run had too is never dropped unseen: it moves to the
 *   list the summary prints.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "generalize.h"
#include "harden.h"
#include "trace.h"

struct reader {
	struct denials *ds;
	struct tn_evidence ev; /* how the run made each name */
};

static void push(struct denials *ds, const struct denial *d)
{
	ds->v = xgrow(ds->v, &ds->cap, ds->n + 1, sizeof *ds->v);
	ds->v[ds->n++] = *d;
}

static int add_denial(const struct trace_event *ev, void *ctx)
{
	struct reader *r = ctx;
	struct denials *ds = r->ds;
	const char *op = op_name(ev->op);
	const char *err = ev->errname ? ev->errname : "?";
	struct denial d;

	if (!trace_event_denied(ev) || plan_root_check(ev))
		return 0;
	for (size_t i = 0; i < ds->n; i++)
		if (!strcmp(ds->v[i].path, ev->path) &&
		    !strcmp(ds->v[i].op, op) && !strcmp(ds->v[i].err, err))
			return 0;
	d.op = xstrdup(op);
	d.path = xstrdup(ev->path);
	d.err = xstrdup(err);
	d.prog = xstrdup(
	    ev->proc && *ev->proc->exe ? path_basename(ev->proc->exe) : "?");
	d.pattern = generalize_path(ev->path, ev->proc ? ev->proc->home : NULL,
				    &r->ev, NULL);
	push(ds, &d);
	return 0;
}

static int note_evidence(const struct trace_event *ev, void *ctx)
{
	tn_evidence_note(ctx, ev);
	return 0;
}

/* Two passes: a name's evidence (made by mkdtemp, removed at the end) may
 * come after the denial in it. */
void denials_read(const char *dir, struct denials *ds)
{
	struct trace *t = harden_load_trace(dir);
	struct reader r = {.ds = ds, .ev = TN_EVIDENCE_INIT};

	if (!t)
		return;
	trace_each_event(t, note_evidence, &r.ev);
	trace_each_event(t, add_denial, &r);
	tn_evidence_free(&r.ev);
	trace_close(t);
}

static bool same_denial(const struct denial *a, const struct denial *b)
{
	return !strcmp(a->op, b->op) && !strcmp(a->err, b->err) &&
	       !strcmp(a->prog, b->prog) && !strcmp(a->pattern, b->pattern);
}

static bool root_had(const struct denials *root, const struct denial *d)
{
	for (size_t i = 0; i < root->n; i++)
		if (same_denial(&root->v[i], d))
			return true;
	return false;
}

void denials_split_root(struct denials *ds, const struct denials *root,
			struct denials *shared)
{
	size_t kept = 0;

	for (size_t i = 0; i < ds->n; i++) {
		if (root_had(root, &ds->v[i]))
			push(shared, &ds->v[i]);
		else
			ds->v[kept++] = ds->v[i];
	}
	ds->n = kept;
}

void denials_free(struct denials *ds)
{
	for (size_t i = 0; i < ds->n; i++) {
		free(ds->v[i].op);
		free(ds->v[i].path);
		free(ds->v[i].err);
		free(ds->v[i].prog);
		free(ds->v[i].pattern);
	}
	free(ds->v);
	memset(ds, 0, sizeof *ds);
}
