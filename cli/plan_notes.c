/*
 * plan_notes.c - the plan's notes that stand for many paths
 * (plan_private.h): a program that, running as root, gave paths away
 * (nginx's temp directories to nobody), and a program refused the write
 * checks every user but root is refused (Erlang's code server asks
 * access(W_OK) of each of its 60 code directories), and the write checks
 * a read-only root refuses where no run wrote.
 *
 * Invariants:
 * - A write check is a note, not a grant, also where a process that
 *   could write the file read it and no run wrote it (LibreOffice asks
 *   it of the document it converts): plan_replay.c decides, from traces
 *   with reads.
 * - One note per program (and, for checks, per reason), naming its first
 *   path and how many more: a runtime that asks of every directory it
 *   loads from gets one line, not one per directory.
 * - Every path counted is named by a recorded event; nothing is refused
 *   here (a refusal is a path's own, plan_replay.c).
 * - A process's own setting written in /proc (chromium raises its
 *   renderers' oom_score_adj) is one note per program and entry name,
 *   however many processes: nothing of the image is granted for it.
 * - A write check a read-only root refused is said only once the mounts
 *   are planned, and only when none covers it: a mount comes from a
 *   write some run made, never from a check alone.  So is the removal of
 *   a name that did not exist, which a read-only root refuses (EROFS)
 *   where a writable one says ENOENT: its own note, per program.
 */
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"
#include "quote.h"

struct chown_note {
	char *program;
	char *first; /* comment-safe path */
	int uid, gid;
	bool mixed; /* not every chown gave to the same owner */
	size_t n;
};

struct check_note {
	char *program;
	char *first; /* comment-safe path */
	/* plan_root_check's answer, a static string; NULL for a check a
	 * traced run was allowed and followed with no write */
	const char *why;
	size_t n;
};

struct ro_check {
	char *program, *path;
	bool removal; /* of a missing name, not an access(W_OK) */
};

struct proc_note {
	char *program, *entry;
	char *first; /* comment-safe path */
	size_t n;
};

void notes_chown(struct planner *p, const struct trace_event *ev)
{
	const char *program = program_of(ev);
	struct plan_replay *r = &p->replay;
	struct chown_note *n = NULL;

	for (size_t i = 0; i < r->ncn && !n; i++)
		if (!strcmp(r->cn[i].program, program))
			n = &r->cn[i];
	if (!n) {
		n = &PUSH(r->cn, r->ncn, r->capcn);
		n->program = xstrdup(program);
		n->first = comment_safe(ev->path);
		n->uid = ev->owner_uid;
		n->gid = ev->owner_gid;
		n->mixed = false;
		n->n = 0;
	} else if (n->uid != ev->owner_uid || n->gid != ev->owner_gid)
		n->mixed = true;
	n->n++;
}

/* The same program asked of the same path before; kind tells a root
 * check ('r') from one a read-only root refused ('o'). */
static bool asked_before(struct plan_replay *r, char kind, const char *program,
			 const char *path)
{
	char *key =
	    xasprintf("%c%zu:%s%s", kind, strlen(program), program, path);
	bool again = !strset_add(&r->checked, key);

	free(key);
	return again;
}

static void add_check_note(struct planner *p, const char *program,
			   const char *path, const char *why)
{
	struct plan_replay *r = &p->replay;
	struct check_note *n = NULL;

	if (asked_before(r, 'r', program, path))
		return;
	for (size_t i = 0; i < r->nck && !n; i++)
		if (!strcmp(r->ck[i].program, program) &&
		    (r->ck[i].why == why ||
		     (why && r->ck[i].why && !strcmp(r->ck[i].why, why))))
			n = &r->ck[i];
	if (!n) {
		n = &PUSH(r->ck, r->nck, r->capck);
		n->program = xstrdup(program);
		n->first = comment_safe(path);
		n->why = why;
		n->n = 0;
	}
	n->n++;
}

void notes_root_check(struct planner *p, const struct trace_event *ev,
		      const char *why)
{
	add_check_note(p, trace_program(ev->proc, "the workload"), ev->path,
		       why);
}

void notes_read_only_check(struct planner *p, const struct trace_event *ev)
{
	const char *program = trace_program(ev->proc, "the workload");
	struct plan_replay *r = &p->replay;
	struct ro_check *c;

	bool removal = ev->op != OP_ACCESS;

	if (asked_before(r, removal ? 'm' : 'o', program, ev->path))
		return; /* each path counted once */
	c = &PUSH(r->ro, r->nro, r->capro);
	c->program = xstrdup(program);
	c->path = xstrdup(ev->path);
	c->removal = removal;
}

static char *more_paths(size_t n)
{
	return n > 1
		   ? xasprintf(" and %zu more path%s", n - 1, n > 2 ? "s" : "")
		   : xstrdup("");
}

static void chown_notes(struct planner *p)
{
	for (size_t i = 0; i < p->replay.ncn; i++) {
		const struct chown_note *n = &p->replay.cn[i];
		char *more = more_paths(n->n);

		plan_note(p,
			  xasprintf("%s, running as root, gives %s%s to "
				    "%d:%d%s; as a non-root user those "
				    "chowns would fail (EPERM) if the "
				    "program still made them",
				    n->program, n->first, more, n->uid, n->gid,
				    n->mixed ? " (and other owners)" : ""));
		free(more);
	}
}

void notes_process_setting(struct planner *p, const struct trace_event *ev)
{
	const char *program = trace_program(ev->proc, "the workload");
	const char *entry = path_basename(ev->path);
	struct plan_replay *r = &p->replay;
	struct proc_note *n = NULL;

	if (asked_before(r, 'p', program, ev->path))
		return; /* each path counted once */
	for (size_t i = 0; i < r->npn && !n; i++)
		if (!strcmp(r->pn[i].program, program) &&
		    !strcmp(r->pn[i].entry, entry))
			n = &r->pn[i];
	if (!n) {
		n = &PUSH(r->pn, r->npn, r->cappn);
		n->program = xstrdup(program);
		n->entry = xstrdup(entry);
		n->first = comment_safe(ev->path);
		n->n = 0;
	}
	n->n++;
}

static void process_notes(struct planner *p)
{
	for (size_t i = 0; i < p->replay.npn; i++) {
		const struct proc_note *n = &p->replay.pn[i];
		char *more = more_paths(n->n);
		bool oom = !strcmp(n->entry, "oom_score_adj") ||
			   !strcmp(n->entry, "oom_adj");

		plan_note(p, xasprintf("%s writes %s of its processes in /proc "
				       "(%s%s): a process's own setting, not "
				       "the image's, so nothing is granted; "
				       "a non-root user may change it for "
				       "its own processes within its "
				       "limits%s",
				       n->program, n->entry, n->first, more,
				       oom ? " (it may raise the score, not "
					     "lower it below where it started)"
					   : ""));
		free(more);
	}
}

static void check_notes(struct planner *p)
{
	for (size_t i = 0; i < p->replay.nck; i++) {
		const struct check_note *n = &p->replay.ck[i];
		char *more = more_paths(n->n);

		if (!n->why)
			plan_note(p, xasprintf("%s checked whether it may "
					       "write %s%s (access) and was "
					       "told no; the traced runs read "
					       "%s and wrote nothing there, so "
					       "nothing is granted: %s, not %s",
					       n->program, n->first, more,
					       n->n > 1 ? "them" : "it",
					       n->n > 1 ? "checks" : "a check",
					       n->n > 1 ? "failed writes"
							: "a failed write"));
		else if (n->n == 1)
			plan_note(p, xasprintf("%s checked whether it may "
					       "write %s (access) and was told "
					       "no, as every user but root is: "
					       "%s is %s, which no plan "
					       "grants; a check, not a failed "
					       "write",
					       n->program, n->first, n->first,
					       n->why));
		else
			plan_note(p, xasprintf("%s checked whether it may "
					       "write %s%s (access) and was "
					       "told no, as every user but "
					       "root is: they are %s, which no "
					       "plan grants; checks, not "
					       "failed writes",
					       n->program, n->first, more,
					       n->why));
		free(more);
	}
}

/* The note for n paths (the first one's comment-safe name, and more) of
 * program prog: write checks, or removals of names that did not exist. */
static char *read_only_note(const char *prog, const char *first,
			    const char *more, size_t n, bool removal)
{
	if (removal)
		return xasprintf(
		    "%s removed or renamed %s%s, which did not exist, and the "
		    "read-only file system said EROFS where a writable one "
		    "says ENOENT: no mount is added for %s (if %s stops on "
		    "it, mount the directory)",
		    prog, first, more, n > 1 ? "them" : "it", prog);
	return xasprintf("%s checked whether it may write %s%s (access) and "
			 "the read-only root said no (EROFS); the mounts "
			 "planned hold every write the traced runs made, so "
			 "none is added for %s: %s, not %s",
			 prog, first, more, n > 1 ? "them" : "it",
			 n > 1 ? "checks" : "a check",
			 n > 1 ? "failed writes" : "a failed write");
}

void plan_read_only_checks(struct planner *p)
{
	struct plan_replay *r = &p->replay;
	struct strset done = STRSET_INIT;

	for (size_t i = 0; i < r->nro; i++) {
		const char *prog = r->ro[i].program;
		bool removal = r->ro[i].removal;
		char *key = xasprintf("%c%s", removal ? 'm' : 'o', prog);
		size_t n = 0;
		char *first = NULL, *more;
		bool again = !strset_add(&done, key);

		free(key);
		if (again)
			continue; /* said with the program's first */
		for (size_t j = i; j < r->nro; j++)
			if (!strcmp(r->ro[j].program, prog) &&
			    r->ro[j].removal == removal &&
			    !plan_tmpfs_holding(p->plan, r->ro[j].path) && !n++)
				first = comment_safe(r->ro[j].path);
		if (!n)
			continue;
		more = more_paths(n);
		plan_note(p, read_only_note(prog, first, more, n, removal));
		free(first);
		free(more);
	}
	strset_free(&done);
}

void plan_program_notes(struct planner *p)
{
	chown_notes(p);
	check_notes(p);
	process_notes(p);
}

void notes_free(struct plan_replay *r)
{
	for (size_t i = 0; i < r->ncn; i++) {
		free(r->cn[i].program);
		free(r->cn[i].first);
	}
	free(r->cn);
	for (size_t i = 0; i < r->nck; i++) {
		free(r->ck[i].program);
		free(r->ck[i].first);
	}
	free(r->ck);
	strset_free(&r->checked);
	strset_free(&r->read_ok);
	strset_free(&r->wrote);
	for (size_t i = 0; i < r->nro; i++) {
		free(r->ro[i].program);
		free(r->ro[i].path);
	}
	free(r->ro);
	for (size_t i = 0; i < r->npn; i++) {
		free(r->pn[i].program);
		free(r->pn[i].entry);
		free(r->pn[i].first);
	}
	free(r->pn);
}
