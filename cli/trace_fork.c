/*
 * trace_fork.c - fork records completed from their source, exactly as
 * SCHEMA.md ("Fork records") says: the source is the proc record whose
 * pid is the fork record's "from" (else its "ppid") and whose ts is its
 * "pts"; a source that is itself a fork record is resolved first (a cycle,
 * only in forged or damaged logs, makes both orphans); every inherited
 * key the record lacks takes the source's value, whole.  A record whose
 * source is not found is an orphan: its inherited fields are unknown, and
 * a diagnostic says so.  Runs once, after pass 1 has read every file.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "trace_private.h"

static struct proc_rec *fork_source(struct trace *t, const struct proc_rec *r)
{
	int pid = r->from ? r->from : r->p.ppid;

	for (size_t i = 0; i < t->procs.n; i++) {
		struct proc_rec *s = (struct proc_rec *)t->procs.v[i];
		if (s != r && s->p.pid == pid && s->p.ts == r->pts)
			return s;
	}
	return NULL;
}

static char **copy_argv(char **argv)
{
	size_t n = 0;
	char **out;

	if (!argv)
		return NULL;
	while (argv[n])
		n++;
	out = xcalloc(n + 1, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(argv[i]);
	return out;
}

static void inherit(struct proc_rec *r, const struct proc_rec *s)
{
	struct trace_proc *p = &r->p;
	const struct trace_proc *q = &s->p;

	if (!(r->have & PF(EXE))) {
		free(p->exe);
		p->exe = xstrdup(q->exe);
	}
	if (!(r->have & PF(ARGV0))) {
		free(p->argv0);
		p->argv0 = xstrdup(q->argv0);
	}
	if (!(r->have & PF(ARGV)))
		p->argv = copy_argv(q->argv);
	if (!(r->have & PF(CWD))) {
		free(p->cwd);
		p->cwd = xstrdup(q->cwd);
	}
	if (!(r->have & PF(UID)))
		p->uid = q->uid;
	if (!(r->have & PF(EUID)))
		p->euid = q->euid;
	if (!(r->have & PF(GID)))
		p->gid = q->gid;
	if (!(r->have & PF(EGID)))
		p->egid = q->egid;
	if (!(r->have & PF(GROUPS)) && q->ngroups) {
		p->groups = xcalloc((size_t)q->ngroups + 1, sizeof *p->groups);
		memcpy(p->groups, q->groups,
		       (size_t)q->ngroups * sizeof *p->groups);
		p->ngroups = q->ngroups;
	}
	if (!(r->have & PF(NS)))
		p->ns = q->ns;
	if (!(r->have & PF(ROOTFS)) && q->rootfs) {
		free(p->rootfs);
		p->rootfs = xstrdup(q->rootfs);
	}
	if (!(r->have & PF(ENV)) && q->nenv) {
		p->env = xcalloc((size_t)q->nenv + 1, sizeof *p->env);
		for (int i = 0; i < q->nenv; i++) {
			p->env[i].name = xstrdup(q->env[i].name);
			p->env[i].value = xstrdup(q->env[i].value);
			if (!strcmp(p->env[i].name, "HOME"))
				p->home = p->env[i].value;
		}
		p->nenv = q->nenv;
	}
	if (!(r->have & PF(STACKS)))
		p->stacks = q->stacks;
}

/* Resolve a fork record (and its chain of sources) per SCHEMA.md. */
static void resolve_fork(struct trace *t, struct proc_rec *r)
{
	if (r->state == 2)
		return;
	if (r->state == 1) { /* a cycle: forged or damaged records */
		r->p.orphan = true;
		r->state = 2;
		return;
	}
	r->state = 1;
	struct proc_rec *s = fork_source(t, r);
	if (s)
		resolve_fork(t, s);
	if (s && !s->p.orphan)
		inherit(r, s);
	else
		r->p.orphan = true;
	r->state = 2;
}

void tr_resolve_forks(struct trace *t)
{
	for (size_t i = 0; i < t->procs.n; i++) {
		struct proc_rec *r = (struct proc_rec *)t->procs.v[i];
		resolve_fork(t, r);
		if (r->p.orphan)
			tr_diag(t, r->p.file, 1, true,
				"fork record of pid %d: the record it inherits "
				"from (pid %d) was not found; its program and "
				"ids are unknown",
				r->p.pid, r->from ? r->from : r->p.ppid);
	}
}
