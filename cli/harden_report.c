/*
 * harden_report.c - what `unroot harden` prints about its result
 * (harden.h): each line the hardened Dockerfile adds (rendered by
 * render.h, so it is the Dockerfile's own line) with the round whose
 * trace first needed it, why, and for what; the denials left with the
 * planner's reason for each; and the diff of the two Dockerfiles.
 */
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "harden.h"
#include "render.h"

/* A redirect's line, as the Dockerfile has it (render.h). */
static char *redirect_text(const struct plan *pl, size_t i)
{
	char *line = plan_render_redirect(pl, i, FORMAT_DOCKERFILE);

	return line ? line
		    : xasprintf("(no Dockerfile line: %s cannot be set in one)",
				pl->redirects[i].var);
}

/* The round that first planned a line (this one when it is new). */
static int seen_round(struct harden *h, const char *key, int round)
{
	struct harden_line *l;

	for (size_t i = 0; i < h->nlines; i++)
		if (!strcmp(h->lines[i].key, key))
			return h->lines[i].round;
	h->lines =
	    xgrow(h->lines, &h->caplines, h->nlines + 1, sizeof *h->lines);
	l = &h->lines[h->nlines++];
	l->key = xstrdup(key);
	l->round = round;
	return round;
}

void harden_note_lines(struct harden *h, const struct plan *pl, int round)
{
	for (size_t i = 0; i < pl->ngrants; i++) {
		char *t;

		if (pl->grants[i].alternative)
			continue;
		t = plan_grant_text(pl, i);
		seen_round(h, t, round);
		free(t);
	}
	for (size_t i = 0; i < pl->nredirects; i++) {
		char *t = redirect_text(pl, i);

		seen_round(h, t, round);
		free(t);
	}
}

static void print_evidence(const struct evidence *ev)
{
	printf("             for: %s %s ", *ev->program ? ev->program : "?",
	       ev->op);
	fput_path(stdout, ev->path);
	if (ev->errname)
		printf(" -> %s", ev->errname);
	printf("\n");
}

void harden_print_lines(struct harden *h, const struct plan *pl)
{
	printf("lines added (the round whose trace first needed them):\n");
	if (pl->create_user)
		printf("  round 1    create user %s (uid %u, gid %u)\n",
		       pl->user, pl->uid, pl->gid);
	for (size_t i = 0; i < pl->nredirects; i++) {
		const struct redirect *r = &pl->redirects[i];
		char *t = redirect_text(pl, i);
		char *e = path_escape(t);

		printf("  round %-4d %s\n", seen_round(h, t, 1), e);
		printf("             why: a known writer (%s) is sent where "
		       "the user may write\n",
		       r->writer && r->writer->program ? r->writer->program
						       : "?");
		print_evidence(&r->ev);
		free(t);
		free(e);
	}
	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];
		char *t;

		if (g->alternative)
			continue;
		t = plan_grant_text(pl, i);
		printf("  round %-4d %s\n", seen_round(h, t, 1), t);
		printf("             why: %s\n", g->why ? g->why : "");
		print_evidence(&g->ev);
		free(t);
	}
	{
		/* the USER line as the Dockerfile has it: uid alone when
		 * the user relies on a supplementary group */
		char *spec = user_spec(pl);

		printf("  final      USER %s\n", spec);
		free(spec);
	}
	for (size_t i = 0; i < pl->nwarnings; i++)
		printf("warning: %s\n", pl->warnings[i]);
	for (size_t i = 0; i < pl->nnotes; i++)
		printf("note: %s\n", pl->notes[i]);
}

/* Why the planner cannot fix a denial, as it said it (allocated). */
static char *explain(const struct plan *pl, const struct denial *d)
{
	const struct tmpfs_fix *t;
	const struct refusal *r = plan_refusal_holding(pl, d->path);

	if (r)
		return xstrdup(r->why);
	for (size_t i = 0; i < pl->nhost; i++) {
		const struct host_fix *f = &pl->host[i];
		const char *host = f->hostdir ? f->hostdir : "a volume";

		if (!path_is_under(d->path, f->mount))
			continue;
		if (f->ro)
			return xasprintf(
			    "%s is mounted read-only from %s: the "
			    "workload writes into data you mounted "
			    "read-only; mount it read-write or "
			    "change what the program writes",
			    f->mount, host);
		if (f->volume)
			return xasprintf(
			    "%s is the named volume %s: its owner is fixed "
			    "from a container (chown -R %u:%u %s as root), not "
			    "in the image%s",
			    f->mount, f->volume, pl->uid, pl->gid, f->mount,
			    f->root_made ? "; the profiling run as root left "
					   "files owned by root in it"
					 : "");
		return xasprintf("%s is mounted from %s: its owner is fixed on "
				 "the host (chown %u:%u), not in the image",
				 f->mount, host, pl->uid, pl->gid);
	}
	t = plan_tmpfs_holding(pl, d->path);
	if (t)
		return xasprintf("the file system is read-only: mount "
				 "a %s at %s",
				 plan_mount_is_volume(t) ? "volume" : "tmpfs",
				 t->dir);
	if (!strcmp(d->err, "EROFS"))
		return xstrdup("the file system is read-only for every user");
	if (d->write && plan_never_granted(d->path, false))
		return xasprintf("%s is %s: write access is never granted",
				 d->path, plan_never_granted(d->path, false));
	return xstrdup("the planner proposes no change for it: its plan from "
		       "this trace is the Dockerfile just tested");
}

void harden_print_denials(const struct denials *ds, const struct plan *pl)
{
	for (size_t i = 0; i < ds->n; i++) {
		char *why, *e;

		printf("  %s %s ", ds->v[i].prog, ds->v[i].op);
		fput_path(stdout, ds->v[i].path);
		printf(" -> %s\n", ds->v[i].err);
		if (!pl)
			continue;
		why = explain(pl, &ds->v[i]);
		e = path_escape(why);
		printf("    cannot be fixed: %s\n", e);
		free(why);
		free(e);
	}
}

void harden_print_probes(const struct denials *ds, const struct plan *pl)
{
	for (size_t i = 0; i < ds->n; i++) {
		const struct fallback *f =
		    plan_fallback_holding(pl, ds->v[i].path);
		char *e;

		harden_print_denials(&(struct denials){.v = &ds->v[i], .n = 1},
				     NULL);
		if (!f)
			continue;
		e = path_escape(f->writer->fallback);
		printf("    %s only tries it first: %s\n", f->writer->program,
		       e);
		free(e);
	}
}

void harden_print_diff(const struct harden *h)
{
	char *a = xasprintf("%s (original)", h->dockerfile);
	char *b = xasprintf("%s (hardened)", h->out);
	char *argv[] = {"diff",
			"-u",
			"--label",
			a,
			"--label",
			b,
			(char *)h->dockerfile,
			(char *)h->out,
			NULL};
	int exec_err, rc = 127;
	pid_t pid;

	printf("diff -u %s %s\n", h->dockerfile, h->out);
	pid = child_start(argv, -1, &exec_err);
	if (pid >= 0)
		rc = child_wait(pid);
	if (rc > 1 || rc < 0)
		printf("(no diff: 'diff' failed with %d; compare %s and %s)\n",
		       rc, h->dockerfile, h->out);
	free(a);
	free(b);
}
