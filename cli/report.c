/*
 * report.c - the report of a trace for a person (report.h): denials first,
 * then a tree of what was written, then everything that makes the trace
 * incomplete (warnings.h, the same words `unroot run` prints); and the
 * table of the report's formats.
 *
 * It reads the trace only through trace.h, in a single streaming pass over
 * the events; what it keeps grows with the number of distinct written paths
 * and denials, not with the number of events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "pysite.h"
#include "report.h"
#include "util.h"
#include "warnings.h"

#define MAX_DENIALS	200 /* distinct denials kept in detail */
#define MAX_OTHER_FAILS 20  /* distinct other failed writes kept in detail */
#define DIR_COLLAPSE	10  /* directories with more entries show counts */

/* ---- frames -------------------------------------------------------------- */

/* The frame as trace_frame_text() writes it, escaped: module and symbol
 * names come from the trace and may hold any byte. */
static void sb_add_frame(struct strbuf *sb, const struct trace_frame *f)
{
	char *text = trace_frame_text(f);

	sb_add_path(sb, text);
	free(text);
}

/* ---- the human report: collecting ---------------------------------------- */

enum mark { M_CREATED = 1, M_MODIFIED = 2, M_REMOVED = 4 };

struct written {
	const char *path; /* the key of the report's map */
	unsigned marks;
	char *py; /* Python site of the first write (py_site_text), or NULL */
};

/* A line of the report that repeats: the same text and Python site again
 * add to its count. */
struct counted {
	char *text; /* "op path (ERR) by prog[pid] at frame", escaped */
	char *py;   /* "python: SITE", escaped, or NULL */
	long count;
};

struct counted_list {
	struct counted *v;
	size_t n, cap;
};

struct report {
	struct trace *t;
	/* written paths: path -> struct written, and the same in an array */
	struct map paths;
	struct written **w;
	size_t nw, capw;
	struct counted_list den;
	long long ndenied;
	struct counted_list fails;
	long long nfailed;
	struct warnings *warn;
	struct strbuf tmp;
};

static void mark_path(struct report *r, const struct trace_event *ev,
		      const char *path, unsigned m)
{
	struct map_slot *s = map_find(&r->paths, path);
	struct written *w;

	if (!s) {
		w = xcalloc(1, sizeof *w);
		s = map_put(&r->paths, path, w);
		w->path = s->key;
		r->w = xgrow(r->w, &r->capw, r->nw + 1, sizeof *r->w);
		r->w[r->nw++] = w;
	}
	w = s->val;
	w->marks |= m;
	if (!w->py)
		w->py = py_site_text(ev);
}

/* Which tracer saw ev: the fallback tracer's events have no stack. */
static const char *seen_by(const struct trace_event *ev)
{
	return ev->proc && ev->proc->ptrace ? " (seen by unroot-ptrace)" : "";
}

/* ev's Python call site, escaped (allocated), or NULL. */
static char *py_site(const struct trace_event *ev)
{
	char *site = py_site_text(ev);
	char *py = site ? path_escape(site) : NULL;

	free(site);
	return py;
}

/* text (copied) with its Python site py (taken) into l: counted when l
 * has it, else a new line while l has fewer than max. */
static void count_line(struct counted_list *l, size_t max, const char *text,
		       char *py)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].text, text) &&
		    !strcmp(l->v[i].py ? l->v[i].py : "", py ? py : "")) {
			l->v[i].count++;
			free(py);
			return;
		}
	if (l->n >= max) {
		free(py);
		return;
	}
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n].text = xstrdup(text);
	l->v[l->n].py = py;
	l->v[l->n++].count = 1;
}

static void add_denial(struct report *r, const struct trace_event *ev)
{
	const struct trace_frame *fr = trace_event_frame(ev);
	struct strbuf *sb = &r->tmp;

	r->ndenied++;
	sb_reset(sb);
	sb_addf(sb, "%-7s ", op_name(ev->op));
	sb_add_path(sb, ev->path);
	if (ev->path2) {
		sb_adds(sb, " -> ");
		sb_add_path(sb, ev->path2);
	}
	sb_addf(sb, "  %s  by ", ev->errname ? ev->errname : "?");
	sb_add_path(sb, trace_program(ev->proc, "?"));
	sb_addf(sb, "[%d] uid %u%s", ev->pid, ev->uid, seen_by(ev));
	if (fr) {
		sb_adds(sb, " at ");
		sb_add_frame(sb, fr);
	}
	count_line(&r->den, MAX_DENIALS, sb->buf, py_site(ev));
}

static void add_fail(struct report *r, const struct trace_event *ev)
{
	struct strbuf *sb = &r->tmp;

	r->nfailed++;
	sb_reset(sb);
	sb_addf(sb, "%-7s ", op_name(ev->op));
	sb_add_path(sb, ev->path);
	sb_addf(sb, "  %s  by ", ev->errname ? ev->errname : "?");
	sb_add_path(sb, trace_program(ev->proc, "?"));
	sb_addf(sb, "[%d]%s", ev->pid, seen_by(ev));
	count_line(&r->fails, MAX_OTHER_FAILS, sb->buf, py_site(ev));
}

static int collect_event(const struct trace_event *ev, void *ctx)
{
	struct report *r = ctx;

	if (ev->op == OP_EXEC || ev->op == OP_SPAWN) {
		warnings_event(r->warn, ev);
		return 0;
	}
	if (!trace_event_writes(ev))
		return 0;
	if (ev->err) {
		if (trace_event_denied(ev))
			add_denial(r, ev);
		else
			add_fail(r, ev);
		return 0;
	}
	switch (ev->op) {
	case OP_RENAME:
		mark_path(r, ev, ev->path, M_REMOVED);
		if (ev->path2)
			mark_path(r, ev, ev->path2,
				  ev->st2.kind == ST_ABSENT ? M_CREATED
							    : M_MODIFIED);
		break;
	case OP_LINK:
		if (ev->path2)
			mark_path(r, ev, ev->path2, M_CREATED);
		break;
	case OP_UNLINK:
	case OP_RMDIR:
		mark_path(r, ev, ev->path, M_REMOVED);
		break;
	default:
		mark_path(r, ev, ev->path,
			  ev->st.kind == ST_ABSENT ? M_CREATED : M_MODIFIED);
		break;
	}
	return 0;
}

/* ---- the human report: printing ------------------------------------------ */

static const char *mark_text(unsigned m)
{
	if ((m & M_CREATED) && (m & M_REMOVED))
		return "+-"; /* created and removed again: a temporary */
	if (m & M_CREATED)
		return "+ ";
	if (m & M_REMOVED)
		return "- ";
	return "~ ";
}

static int written_cmp(const void *a, const void *b)
{
	const struct written *x = *(struct written *const *)a;
	const struct written *y = *(struct written *const *)b;
	size_t dx = strrchr(x->path, '/') - x->path;
	size_t dy = strrchr(y->path, '/') - y->path;
	int c;

	/* by parent directory, then by name */
	c = strncmp(x->path, y->path, dx < dy ? dx : dy);
	if (c)
		return c;
	if (dx != dy)
		return dx < dy ? -1 : 1;
	return strcmp(x->path + dx, y->path + dy);
}

static void print_dir_group(FILE *out, struct written *const *w, size_t n)
{
	size_t plus = 0, tilde = 0, minus = 0, tmp = 0;
	char *dir = path_dirname(w[0]->path);

	for (size_t i = 0; i < n; i++) {
		unsigned m = w[i]->marks;

		if ((m & M_CREATED) && (m & M_REMOVED))
			tmp++;
		else if (m & M_CREATED)
			plus++;
		else if (m & M_REMOVED)
			minus++;
		else
			tilde++;
	}
	fprintf(out, "  ");
	fput_path(out, dir);
	fprintf(out, "%s  (", strcmp(dir, "/") ? "/" : "");
	fprintf(out, "%zu: +%zu ~%zu -%zu", n, plus, tilde, minus);
	if (tmp)
		fprintf(out, ", %zu temporary", tmp);
	fprintf(out, ")\n");
	free(dir);
	if (n > DIR_COLLAPSE) {
		size_t shown = 0, nsites = 0;

		fprintf(out, "      (%zu entries, not listed; see --json)\n",
			n);
		/* the distinct Python sites that wrote here, a few of them */
		for (size_t i = 0; i < n; i++) {
			bool seen = false;

			if (!w[i]->py)
				continue;
			for (size_t j = 0; j < i && !seen; j++)
				seen = w[j]->py && !strcmp(w[j]->py, w[i]->py);
			if (seen)
				continue;
			if (nsites++ < 3) {
				fprintf(out, "      python: ");
				fput_path(out, w[i]->py);
				fputc('\n', out);
				shown++;
			}
		}
		if (nsites > shown)
			fprintf(out, "      python: ... %zu more sites\n",
				nsites - shown);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "    %s ", mark_text(w[i]->marks));
		fput_path(out, path_basename(w[i]->path));
		if (w[i]->py) {
			fprintf(out, "  (python: ");
			fput_path(out, w[i]->py);
			fputc(')', out);
		}
		fputc('\n', out);
	}
}

static void print_written(FILE *out, struct report *r)
{
	size_t i = 0, ndirs = 0;

	fprintf(out,
		"\nWritten (%zu paths; + created, ~ modified, - removed, "
		"+- created and removed):\n",
		r->nw);
	if (!r->nw) {
		fprintf(out, "  nothing\n");
		return;
	}
	qsort(r->w, r->nw, sizeof *r->w, written_cmp);
	while (i < r->nw) {
		size_t j = i + 1;
		size_t d = strrchr(r->w[i]->path, '/') - r->w[i]->path;

		while (j < r->nw &&
		       (size_t)(strrchr(r->w[j]->path, '/') - r->w[j]->path) ==
			   d &&
		       !strncmp(r->w[j]->path, r->w[i]->path, d))
			j++;
		print_dir_group(out, r->w + i, j - i);
		ndirs++;
		i = j;
	}
}

static void print_counted(FILE *out, const struct counted_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		fprintf(out, "  %s", l->v[i].text);
		if (l->v[i].count > 1)
			fprintf(out, "  (x%ld)", l->v[i].count);
		fputc('\n', out);
		if (l->v[i].py)
			fprintf(out, "      python: %s\n", l->v[i].py);
	}
}

static void print_denials(FILE *out, struct report *r)
{
	fprintf(out, "Denied (%lld):\n", r->ndenied);
	if (!r->ndenied)
		fprintf(out, "  none\n");
	print_counted(out, &r->den);
	if (r->ndenied && r->den.n >= MAX_DENIALS)
		fprintf(out,
			"  (more distinct denials not shown; see --json)\n");
	if (trace_npriv(r->t)) {
		fprintf(out,
			"\nRefused calls only privilege allows (%zu): no grant "
			"of a path makes these work as a non-root user\n",
			trace_npriv(r->t));
		report_print_privs(out, "  ", r->t, MAX_DENIALS);
	}
	if (!r->nfailed)
		return;
	fprintf(out, "\nOther failed writes (%lld):\n", r->nfailed);
	print_counted(out, &r->fails);
	if (r->fails.n >= MAX_OTHER_FAILS)
		fprintf(out, "  (more distinct failed writes not shown; see "
			     "--json)\n");
}

static void print_warnings(FILE *out, struct report *r)
{
	fprintf(out, "\nWarnings:\n");
	warnings_print(r->warn, out);
}

static void counted_free(struct counted_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].text);
		free(l->v[i].py);
	}
	free(l->v);
}

static void report_free(struct report *r)
{
	for (size_t i = 0; i < r->nw; i++) {
		free(r->w[i]->py);
		free(r->w[i]);
	}
	free(r->w);
	map_free(&r->paths, NULL);
	counted_free(&r->den);
	counted_free(&r->fails);
	warnings_free(r->warn);
	sb_release(&r->tmp);
}

/* A program the fallback tracer saw: how many processes, the first pids. */
struct traced_prog {
	const char *name;
	size_t n;
	int pids[3];
};

static void print_traced_prog(FILE *out, const struct traced_prog *tp)
{
	size_t shown = tp->n < 3 ? tp->n : 3;

	fput_path(out, tp->name);
	fputc('[', out);
	for (size_t k = 0; k < shown; k++)
		fprintf(out, "%s%d", k ? ", " : "", tp->pids[k]);
	if (tp->n > shown)
		fprintf(out, " and %zu more", tp->n - shown);
	fputc(']', out);
}

/* The programs the fallback tracer saw (static ones and their children):
 * their events come from system calls, without a native stack.  One
 * entry per program, with its first pids and a count: a process seen
 * again after an exec of the same program counts once.  Linear in the
 * processes (a test suite runs tens of thousands). */
void report_print_tracers(FILE *out, const char *indent, const struct trace *t)
{
	struct map seen = MAP_INIT, byname = MAP_INIT;
	struct traced_prog *v = NULL;
	size_t nv = 0, cap = 0;

	for (size_t i = 0; i < trace_nprocs(t); i++) {
		const struct trace_proc *p = trace_proc_at(t, i);
		const char *name = trace_program(p, "?");
		char *key;
		uintptr_t at;

		if (!p->ptrace)
			continue;
		key = xasprintf("%d\n%s", p->pid, name);
		if (!map_add(&seen, key, NULL)) {
			free(key);
			continue;
		}
		free(key);
		at = (uintptr_t)map_get(&byname, name);
		if (!at) {
			v = xgrow(v, &cap, nv + 1, sizeof *v);
			v[nv] = (struct traced_prog){.name = name};
			at = ++nv;
			map_put(&byname, name, (void *)at);
		}
		if (v[at - 1].n < 3)
			v[at - 1].pids[v[at - 1].n] = p->pid;
		v[at - 1].n++;
	}
	for (size_t k = 0; k < nv; k++) {
		if (k)
			fputs(", ", out);
		else
			fprintf(out,
				"%sSeen by the fallback tracer (unroot-ptrace: "
				"system calls, no native stack): ",
				indent);
		print_traced_prog(out, &v[k]);
	}
	if (nv)
		fputc('\n', out);
	free(v);
	map_free(&seen, NULL);
	map_free(&byname, NULL);
}

void report_print_privs(FILE *out, const char *indent, const struct trace *t,
			size_t max)
{
	size_t n = trace_npriv(t);

	for (size_t i = 0; i < n && i < max; i++) {
		const struct trace_priv *v = trace_priv_at(t, i);

		fprintf(out, "%s%s ", indent, v->fn);
		fput_path(out, v->path ? v->path : v->args);
		fprintf(out, "  %s  by ", v->errname);
		fput_path(out, trace_program(v->proc, "?"));
		fprintf(out, "[%d]\n", v->pid);
	}
	if (n > max)
		fprintf(out, "%s... and %zu more\n", indent, n - max);
}

static void print_header(FILE *out, const struct trace *t)
{
	fprintf(out, "Trace: %zu processes, %lld events", trace_nprocs(t),
		trace_nevents(t));
	for (size_t i = 0; i < trace_ndirs(t); i++) {
		const char *cmd = trace_meta_command(t, i);
		long long status;

		if (cmd) {
			fprintf(out, "; command ");
			fput_path(out, cmd);
		}
		if (trace_meta_exit(t, i, &status))
			fprintf(out, " (exit %lld)", status);
	}
	fprintf(out, "\n");
	report_print_tracers(out, "", t);
	fprintf(out, "\n");
}

int report_print(struct trace *t, FILE *out)
{
	struct report r = {.t = t, .warn = warnings_new(t)};
	int rc;

	sb_init(&r.tmp);
	print_header(out, t);
	rc = trace_each_event(t, collect_event, &r);
	print_denials(out, &r);
	print_written(out, &r);
	print_warnings(out, &r);
	fflush(out);
	report_free(&r);
	return rc;
}

/* ---- the formats --------------------------------------------------------- */

static const struct report_format formats[] = {
    {"text", report_print},
    {"json", report_print_json},
};

const struct format_table *report_formats(void)
{
	static const struct format_table t = FORMAT_TABLE(formats);

	return &t;
}
