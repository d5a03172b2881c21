/*
 * harden_denials.c - the denials of a run, as `unroot harden` weighs them
 * (harden.h): read from its trace with what the run wrote, and split into
 * those the run as the user met alone, those root's run met too, and the
 * write checks of paths root's run never wrote.
 *
 * Invariants:
 * - A denial is kept once per call, path and errno; a root check (a
 *   refused `test -w /`, plan_root_check) is no denial here: the plan's
 *   notes name it.
 * - Two runs' denials are the same one when the same program was refused
 *   the same call (EPERM and EACCES alike) on the same path, or on paths of
 *   the same pattern (generalize.h, with each run's own evidence of the
 *   names it made): varnishd's chown of vcl_boot.1796599705.657284/vgc.so
 *   in one run is its chown of vcl_boot.1796599720.536230/vgc.so in the
 *   next, and a path under root's HOME is the same path under the
 *   user's.  Paths that differ in a random token of a name each run wrote
 *   are the same too (mktemp's /tmp/build.XXXXXX, whatever letters it
 *   drew).  The path alone decides when HOME differs in a way no
 *   pattern undoes (rabbitmqctl runs with HOME=. as its user).
 * - A refused write check (access W_OK) is a write announced only where
 *   root's run wrote: the path itself or a name in it.  Elsewhere it is
 *   a question the workload asks of what it reads (Erlang's file server
 *   of each file), and root's run shows it goes on without the write.
 *   So is a removal of a name that did not exist, which a read-only root
 *   refuses (EROFS) where root's writable one said ENOENT.
 * - A denied write of a path no plan grants (plan_never_granted), which
 *   the round's plan refuses itself (a refusal of an ancestor, "/" say,
 *   is not enough), is set aside only for a run that ended as root's did
 *   (its exit status, its probe), root's having ended well: the workload
 *   went on without the write, and no grant can do more.  A read stays a
 *   denial (the plan may grant it).  So is a denial below a path a
 *   catalogue writer only tries first, going on to a fallback the plan
 *   provides (fontconfig asks access(W_OK) of its system cache, then
 *   chmods it, before its user cache): a probe, set aside for such a
 *   run alone.
 * - What is set aside is never dropped unseen: it moves to the lists the
 *   summary prints.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* path and its directory, raw and as patterns, into the run's set. */
static void note_written(struct reader *r, const struct trace_event *ev,
			 const char *path)
{
	char *pattern = generalize_path(path, ev->proc ? ev->proc->home : NULL,
					&r->ev, NULL);
	char *dirs[] = {path_dirname(path), path_dirname(pattern)};

	strset_add(&r->ds->wrote, path);
	strset_add(&r->ds->wrote, pattern);
	for (int i = 0; i < 2; i++) {
		strset_add(&r->ds->wrote, dirs[i]);
		free(dirs[i]);
	}
	free(pattern);
}

static int add_denial(const struct trace_event *ev, void *ctx)
{
	struct reader *r = ctx;
	struct denials *ds = r->ds;
	const char *op = op_name(ev->op);
	const char *err = ev->errname ? ev->errname : "?";
	struct denial d;

	if (!ev->err && trace_event_writes(ev)) {
		note_written(r, ev, ev->path);
		if (ev->path2 && (ev->op == OP_RENAME || ev->op == OP_LINK))
			note_written(r, ev, ev->path2);
		return 0;
	}
	/* a removal of a missing name refused EROFS is no denial, but
	 * listed as a write check is (why the run failed, if it did) */
	if (!(trace_event_denied(ev) ||
	      trace_event_erofs_on_missing_name(ev)) ||
	    plan_root_check(ev))
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
	d.check = ev->op == OP_ACCESS || trace_event_erofs_on_missing_name(ev);
	d.wcheck = ev->op == OP_ACCESS && ev->has_mode && (ev->mode & W_OK);
	d.write = trace_event_writes(ev);
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

/* The same refusal: the same errno, or EPERM and EACCES, which the
 * kernel gives for one refusal by who asks (root without CAP_SYSLOG is
 * refused /proc/kmsg with EPERM, another user with EACCES, by its mode). */
static bool same_refusal(const char *a, const char *b)
{
	return !strcmp(a, b) ||
	       ((!strcmp(a, "EPERM") || !strcmp(a, "EACCES")) &&
		(!strcmp(b, "EPERM") || !strcmp(b, "EACCES")));
}

/*
 * Paths a and b of the same place in two runs: the same components but
 * for some that differ in one random token (tempname_align), where a
 * name the run wrote counts as made for the run.  mktemp's
 * /tmp/build.ukrtkx in one run is /tmp/build.s7nXm0 in the next, though
 * six lower-case letters alone do not look random.
 */
static bool same_place(const char *a, const struct strset *awrote,
		       const char *b, const struct strset *bwrote)
{
	struct strbuf out;
	size_t i = 0, j = 0;
	bool same = true;

	sb_init(&out);
	while (same && a[i] && b[j]) {
		size_t an = strcspn(a + i + 1, "/") + 1;
		size_t bn = strcspn(b + j + 1, "/") + 1;
		char *ap = xstrndup(a, i + an), *bp = xstrndup(b, j + bn);

		same = (an == bn && !memcmp(a + i, b + j, an)) ||
		       tempname_align(a + i + 1, an - 1, strset_has(awrote, ap),
				      b + j + 1, bn - 1, strset_has(bwrote, bp),
				      &out);
		free(ap);
		free(bp);
		i += an;
		j += bn;
	}
	sb_release(&out);
	return same && !a[i] && !b[j];
}

static bool same_denial(const struct denial *a, const struct strset *awrote,
			const struct denial *b, const struct strset *bwrote)
{
	return !strcmp(a->op, b->op) && same_refusal(a->err, b->err) &&
	       !strcmp(a->prog, b->prog) &&
	       (!strcmp(a->pattern, b->pattern) || !strcmp(a->path, b->path) ||
		same_place(a->path, awrote, b->path, bwrote));
}

static bool root_had(const struct denials *root, const struct denials *ds,
		     const struct denial *d)
{
	for (size_t i = 0; i < root->n; i++)
		if (same_denial(&root->v[i], &root->wrote, d, &ds->wrote))
			return true;
	return false;
}

/* Whether root's run wrote the path of check d, or a name in it. */
static bool root_wrote(const struct denials *root, const struct denial *d)
{
	return strset_has(&root->wrote, d->path) ||
	       strset_has(&root->wrote, d->pattern);
}

void denials_split_root(struct denials *ds, const struct denials *root,
			bool root_ok, struct denials *shared,
			struct denials *checks)
{
	size_t kept = 0;

	for (size_t i = 0; i < ds->n; i++) {
		struct denial *d = &ds->v[i];

		if (root_ok && root_had(root, ds, d))
			push(shared, d);
		else if (d->check && !root_wrote(root, d))
			push(checks, d);
		else
			ds->v[kept++] = *d;
	}
	ds->n = kept;
}

/* pl refuses path itself, not only a directory that holds it. */
static bool refused_itself(const struct plan *pl, const char *path)
{
	const struct refusal *r = plan_refusal_holding(pl, path);

	return r && !strcmp(r->path, path);
}

void denials_split_refused(struct denials *ds, const struct plan *pl,
			   struct denials *refused, struct denials *fallback)
{
	size_t kept = 0;

	for (size_t i = 0; i < ds->n; i++) {
		const struct denial *d = &ds->v[i];
		bool dir = !strcmp(d->op, "mkdir") || !strcmp(d->op, "rmdir");

		if (d->write && plan_never_granted(d->path, dir) &&
		    refused_itself(pl, d->path))
			push(refused, &ds->v[i]);
		else if ((d->write || d->wcheck) &&
			 plan_fallback_holding(pl, d->path))
			push(fallback, &ds->v[i]);
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
	strset_free(&ds->wrote);
	memset(ds, 0, sizeof *ds);
}
