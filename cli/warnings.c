/*
 * warnings.c - what makes a trace incomplete (warnings.h), for `unroot
 * report` and `unroot run` alike.
 *
 * Execs and spawns are kept while the events stream by (one entry per
 * pid, the latest); whether each later reported in is looked up in the
 * processes sorted by pid, so a trace of 50,000 processes costs
 * O(n log n), not O(n^2).  Nothing else is kept per event.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "util.h"
#include "warnings.h"

#define MAX_SILENT 20 /* processes never reported in, listed by name */

/* An exec or spawn: a process that should later report in. */
struct pending {
	int pid;
	long long ts;
	char *path;
	const struct trace_proc *by;
};

/* An image's pid, start and whether it ended; ts -1 for an untraced
 * program (it reported in as such). */
struct pidts {
	int pid;
	long long ts;
	bool ended;
};

struct warnings {
	const struct trace *t;
	struct pending *pend;
	size_t npend, cappend;
	struct map bypid; /* pid's decimal text -> index in pend, plus 1 */
};

struct warnings *warnings_new(const struct trace *t)
{
	struct warnings *w = xcalloc(1, sizeof *w);

	w->t = t;
	return w;
}

void warnings_free(struct warnings *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->npend; i++)
		free(w->pend[i].path);
	free(w->pend);
	map_free(&w->bypid, NULL);
	free(w);
}

void warnings_event(struct warnings *w, const struct trace_event *ev)
{
	int pid = ev->op == OP_SPAWN ? (int)ev->ret : ev->pid;
	struct map_slot *slot;
	struct pending *p;
	char key[24];

	if (ev->op != OP_EXEC && ev->op != OP_SPAWN)
		return;
	if (ev->op == OP_SPAWN && (ev->err || ev->ret <= 0))
		return;
	snprintf(key, sizeof key, "%d", pid);
	slot = map_find(&w->bypid, key);
	if (ev->op == OP_EXEC && ev->err) {
		/* the exec returned: it failed, nothing new will start (the
		 * entry stays, without a path, for the next exec of pid) */
		if (slot) {
			p = &w->pend[(size_t)slot->val - 1];
			free(p->path);
			p->path = NULL;
		}
		return;
	}
	if (!slot) {
		w->pend =
		    xgrow(w->pend, &w->cappend, w->npend + 1, sizeof *w->pend);
		w->pend[w->npend] = (struct pending){0};
		slot = map_put(&w->bypid, key, (void *)(w->npend + 1));
		w->npend++;
	}
	p = &w->pend[(size_t)slot->val - 1];
	free(p->path);
	p->pid = pid;
	p->ts = ev->ts;
	p->path = xstrdup(ev->path);
	p->by = ev->proc;
}

/* ---- who reported in ----------------------------------------------------- */

static int pidts_cmp(const void *a, const void *b)
{
	const struct pidts *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* Every image and every untraced program, sorted by pid then start. */
static struct pidts *pid_table(const struct trace *t, size_t *n)
{
	size_t np = trace_nprocs(t), nu = trace_nuntraced(t), k = 0;
	struct pidts *v = xcalloc(np + nu + 1, sizeof *v);

	for (size_t i = 0; i < np; i++) {
		const struct trace_proc *p = trace_proc_at(t, i);

		v[k++] = (struct pidts){p->pid, p->ts, p->ended};
	}
	for (size_t i = 0; i < nu; i++)
		v[k++] = (struct pidts){trace_untraced_at(t, i)->pid, -1, 0};
	qsort(v, k, sizeof *v, pidts_cmp);
	*n = k;
	return v;
}

/* The index of the first entry with pid (n when none). */
static size_t pid_find(const struct pidts *v, size_t n, int pid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].pid == pid ? lo : n;
}

/* Whether pid reported in at or after ts (or was reported untraced). */
static bool reported_in(const struct pidts *v, size_t n, int pid, long long ts)
{
	for (size_t i = pid_find(v, n, pid); i < n && v[i].pid == pid; i++)
		if (v[i].ts < 0 || v[i].ts >= ts)
			return true;
	return false;
}

/* Whether an image of pid was traced (tr) or wrote an end record. */
static bool pid_has(const struct pidts *v, size_t n, int pid, bool ended)
{
	for (size_t i = pid_find(v, n, pid); i < n && v[i].pid == pid; i++)
		if (v[i].ts >= 0 && (!ended || v[i].ended))
			return true;
	return false;
}

/* The workload's first process (the earliest image whose parent was not
 * traced) when none of its images wrote an end record; NULL otherwise. */
static const struct trace_proc *
root_without_end(const struct trace *t, const struct pidts *v, size_t n)
{
	const struct trace_proc *root = NULL;

	for (size_t i = 0; i < trace_nprocs(t); i++) {
		const struct trace_proc *p = trace_proc_at(t, i);

		if (!pid_has(v, n, p->ppid, false) &&
		    (!root || p->ts < root->ts))
			root = p;
	}
	return root && !pid_has(v, n, root->pid, true) ? root : NULL;
}

/* ---- printing ------------------------------------------------------------ */

static size_t print_untraced(const struct trace *t, FILE *out)
{
	for (size_t i = 0; i < trace_nuntraced(t); i++) {
		const struct trace_untraced *u = trace_untraced_at(t, i);

		if (!strcmp(u->why, UNTRACED_IO_URING)) {
			fprintf(out, "  PARTLY TRACED: ");
			fput_path(out, u->path);
			fprintf(out,
				"[%d] set up an io_uring: the files it opens, "
				"renames or removes through it are MISSING "
				"from this trace\n",
				u->pid);
			continue;
		}
		fprintf(out, "  NOT TRACED: ");
		fput_path(out, u->path);
		fprintf(out, " (%s), started by ", u->why);
		fput_path(out, trace_program(u->proc, "?"));
		fprintf(out,
			"[%d]: whatever it wrote is MISSING from this trace\n",
			u->pid);
		if (*u->fallback) {
			fprintf(out, "    the fallback tracer could not follow "
				     "it: ");
			fput_path(out, u->fallback);
			fputc('\n', out);
		}
	}
	return trace_nuntraced(t);
}

static size_t print_silent(struct warnings *w, const struct pidts *v, size_t n,
			   FILE *out)
{
	size_t nsilent = 0;

	for (size_t i = 0; i < w->npend; i++) {
		const struct pending *p = &w->pend[i];

		if (!p->path || reported_in(v, n, p->pid, p->ts))
			continue;
		if (nsilent++ < MAX_SILENT) {
			fprintf(out, "  never reported in: ");
			fput_path(out, p->path);
			fprintf(out, " [%d], started by ", p->pid);
			fput_path(out, trace_program(p->by, "?"));
			fprintf(out, ": its writes may be missing\n");
		}
	}
	if (nsilent > MAX_SILENT)
		fprintf(out, "  ... %zu more processes never reported in\n",
			nsilent - MAX_SILENT);
	return nsilent;
}

static size_t print_lost(const struct trace *t, FILE *out)
{
	size_t nwarn = 0;
	long lost = 0;

	for (size_t i = 0; i < trace_nprocs(t); i++) {
		const struct trace_proc *p = trace_proc_at(t, i);

		if (p->lost) {
			fprintf(out, "  lost records: %ld from ", p->lost);
			fput_path(out, trace_program(p, "?"));
			fprintf(out, "[%d]\n", p->pid);
			lost += p->lost;
			nwarn++;
		}
	}
	if (lost)
		fprintf(out,
			"  %ld records lost in all: the trace is incomplete\n",
			lost);
	return nwarn;
}

static size_t print_diags(const struct trace *t, FILE *out)
{
	for (size_t i = 0; i < trace_ndiags(t); i++) {
		const struct trace_diag *d = trace_diag_at(t, i);

		fprintf(out, "  %s: ", d->warning ? "reader" : "READ ERROR");
		if (d->file) {
			fput_path(out, d->file);
			if (d->line)
				fprintf(out, ":%ld", d->line);
			fprintf(out, ": ");
		}
		fput_path(out, d->message);
		fputc('\n', out);
	}
	return trace_ndiags(t);
}

/* How each traced run ended (trace.json): killed by a signal, or exited
 * although its first process left no end record. */
static size_t print_endings(const struct trace *t, const struct pidts *v,
			    size_t n, FILE *out)
{
	const struct trace_proc *root;
	size_t nwarn = 0;
	long long st;

	for (size_t d = 0; d < trace_ndirs(t); d++) {
		if (!trace_meta_exit(t, d, &st))
			continue;
		if (st > 128 && st < 128 + NSIG) {
			const char *sig = sigabbrev_np((int)(st - 128));

			fprintf(
			    out,
			    "  INCOMPLETE: the workload ended with status "
			    "%lld (killed by signal %lld, SIG%s): it did not "
			    "finish, so what it had still to do is not in "
			    "this trace\n",
			    st, st - 128, sig ? sig : "?");
			nwarn++;
		} else if (trace_ndirs(t) == 1 &&
			   (root = root_without_end(t, v, n))) {
			fprintf(out,
				"  INCOMPLETE: the workload exited with %lld "
				"but its first process ",
				st);
			fput_path(out, trace_program(root, "?"));
			fprintf(out,
				"[%d] left no end record: records were lost "
				"(the disk was full?)\n",
				root->pid);
			nwarn++;
		}
	}
	return nwarn;
}

/* The container's changes no event explains (trace.json "layer"). */
static size_t print_unseen(const struct trace *t, FILE *out)
{
	size_t n = trace_nunseen(t), nwarn = 0;

	for (size_t i = 0; i < n && i < MAX_SILENT; i++) {
		const struct trace_unseen *u = trace_unseen_at(t, i);

		fprintf(out, "  SEEN ONLY IN THE CONTAINER'S CHANGES: %s ",
			u->change == 'A'   ? "added"
			: u->change == 'D' ? "deleted"
					   : "changed");
		fput_path(out, u->path);
		fprintf(out, ": no traced call explains it (%s)\n",
			trace_nuntraced(t)
			    ? "the program named above as not or partly "
			      "traced, a raw system call"
			    : "a raw system call, io_uring, a program no "
			      "tracer followed");
	}
	if (n > MAX_SILENT)
		fprintf(out,
			"  ... %zu more paths seen only in the container's "
			"changes\n",
			n - MAX_SILENT);
	for (size_t d = 0; d < trace_ndirs(t); d++) {
		const struct trace_layer *l = trace_meta_layer(t, d);

		if (l && l->error) {
			fprintf(out, "  CROSS-CHECK FAILED: the container's "
				     "changes could not be read: ");
			fput_path(out, l->error);
			fputc('\n', out);
			nwarn++;
		}
	}
	return n + nwarn;
}

/* Once: the mounts a layer's changes cannot show (not a warning). */
static void print_uncovered(const struct trace *t, FILE *out)
{
	size_t k = 0;

	for (size_t d = 0; d < trace_ndirs(t); d++) {
		const struct trace_layer *l = trace_meta_layer(t, d);

		for (size_t i = 0; l && i < l->nuncovered; i++) {
			fprintf(out, k++ ? ", "
					 : "  (volumes, binds and tmpfs "
					   "mounts are not in the "
					   "container's layer, so "
					   "not cross-checked: ");
			fput_path(out, l->uncovered[i]);
		}
	}
	if (k)
		fprintf(out, ")\n");
}

size_t warnings_print(struct warnings *w, FILE *out)
{
	size_t n, nwarn = 0;
	struct pidts *v = pid_table(w->t, &n);

	nwarn += print_endings(w->t, v, n, out);
	nwarn += print_untraced(w->t, out);
	nwarn += print_silent(w, v, n, out);
	nwarn += print_lost(w->t, out);
	nwarn += print_diags(w->t, out);
	nwarn += print_unseen(w->t, out);
	if (!nwarn)
		fprintf(out, "  none\n");
	print_uncovered(w->t, out);
	free(v);
	return nwarn;
}
