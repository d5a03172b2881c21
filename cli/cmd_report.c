/*
 * cmd_report.c - `unroot report`: what a trace shows, for a person (denials
 * first, then a tree of what was written, then everything that makes the
 * trace incomplete) or for a program (--json: one object per event).
 *
 * It reads the trace only through trace.h, in a single streaming pass over
 * the events; what it keeps grows with the number of distinct written paths
 * and denials, not with the number of events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "pysite.h"
#include "trace.h"
#include "util.h"

#define MAX_DENIALS	200 /* distinct denials kept in detail */
#define MAX_OTHER_FAILS 20  /* other failed writes kept in detail */
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

static bool is_denial(int err)
{
	return err == EACCES || err == EPERM || err == EROFS;
}

/* ---- --json -------------------------------------------------------------- */

static json_t *frame_json(const struct trace_frame *f)
{
	json_t *o = json_object();
	char buf[32];

	json_object_set_new(o, "module", json_path(f->module));
	snprintf(buf, sizeof buf, "0x%lx", f->offset);
	json_object_set_new(o, "offset", json_string(buf));
	if (f->symbol) {
		json_object_set_new(o, "symbol", json_string(f->symbol));
		snprintf(buf, sizeof buf, "0x%lx", f->symoff);
		json_object_set_new(o, "symoff", json_string(buf));
	}
	return o;
}

static int json_event(const struct trace_event *ev, void *ctx)
{
	const struct trace_frame *fr = trace_event_frame(ev);
	json_t *o = json_object();
	char mode[16], *s;

	(void)ctx;
	json_object_set_new(o, "op", json_string(op_name(ev->op)));
	json_object_set_new(o, "fn", json_string(ev->fn));
	json_object_set_new(o, "path", json_path(ev->path));
	json_object_set_new(o, "path2",
			    ev->path2 ? json_path(ev->path2) : json_null());
	if (ev->real)
		json_object_set_new(o, "real", json_path(ev->real));
	json_object_set_new(
	    o, "errno", ev->errname ? json_string(ev->errname) : json_null());
	json_object_set_new(o, "write", json_boolean(trace_event_writes(ev)));
	json_object_set_new(o, "pid", json_integer(ev->pid));
	json_object_set_new(o, "tid", json_integer(ev->tid));
	json_object_set_new(o, "exe",
			    ev->proc ? json_path(ev->proc->exe) : json_null());
	json_object_set_new(o, "uid", json_integer(ev->uid));
	json_object_set_new(o, "gid", json_integer(ev->gid));
	json_object_set_new(o, "flags",
			    ev->flags_text ? json_string(ev->flags_text)
					   : json_null());
	if (ev->has_mode) {
		snprintf(mode, sizeof mode, "%04o", ev->mode);
		json_object_set_new(o, "mode", json_string(mode));
	} else {
		json_object_set_new(o, "mode", json_null());
	}
	json_object_set_new(o, "ret", json_integer(ev->ret));
	json_object_set_new(o, "ts", json_integer(ev->ts));
	if (ev->argv0)
		json_object_set_new(o, "argv0", json_path(ev->argv0));
	json_object_set_new(o, "frame", fr ? frame_json(fr) : json_null());
	if (ev->npy > 0) {
		json_t *a = json_array();
		char *site = py_site_text(ev);

		for (int i = 0; i < ev->npy; i++)
			json_array_append_new(
			    a, json_pack("{s:o, s:i, s:s}", "f",
					 json_path(ev->py[i].file), "l",
					 ev->py[i].line, "fn", ev->py[i].func));
		json_object_set_new(o, "py", a);
		if (site)
			json_object_set_new(o, "py_site", json_path(site));
		free(site);
	}
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s) {
		fputs(s, stdout);
		putchar('\n');
		free(s);
	}
	json_decref(o);
	return 0;
}

/* ---- the human report: collecting ---------------------------------------- */

enum mark { M_CREATED = 1, M_MODIFIED = 2, M_REMOVED = 4 };

struct written {
	char *path;
	size_t hash; /* hash_path(path) */
	unsigned marks;
	char *py; /* Python site of the first write (py_site_text), or NULL */
};

struct denial {
	char *text; /* "op path (ERR) by prog[pid] at frame", escaped */
	char *py;   /* "python: SITE", escaped, or NULL */
	long count;
};

/* Pending execs/spawns: a process that should later report in. */
struct pending {
	int pid;
	long long ts;
	char *path;
	const struct trace_proc *by;
};

struct report {
	struct trace *t;
	/* written paths: array + hash index (path -> array index + 1) */
	struct written *w;
	size_t nw, capw;
	size_t *idx, capidx;
	struct denial *den;
	size_t nden, capden;
	long long ndenied;
	struct strbuf *fails;
	size_t nfails, capfails;
	long long nfailed;
	struct pending *pend;
	size_t npend, cappend;
	struct strbuf tmp;
};

static size_t hash_path(const char *s)
{
	size_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h ^ (h >> 29); /* the slot is taken from the low bits */
}

/* The index slot of path (hash h): its entry, or the empty slot for it. */
static size_t *w_slot(struct report *r, const char *path, size_t h)
{
	size_t i = h & (r->capidx - 1);

	while (r->idx[i]) {
		const struct written *w = &r->w[r->idx[i] - 1];

		if (w->hash == h && !strcmp(w->path, path))
			break;
		i = (i + 1) & (r->capidx - 1);
	}
	return &r->idx[i];
}

static void mark_path(struct report *r, const struct trace_event *ev,
		      const char *path, unsigned m)
{
	size_t *slot, h = hash_path(path);

	if (2 * (r->nw + 1) > r->capidx) {
		size_t cap = r->capidx ? 2 * r->capidx : 1024;

		free(r->idx);
		r->idx = xcalloc(cap, sizeof *r->idx);
		r->capidx = cap;
		for (size_t i = 0; i < r->nw; i++)
			*w_slot(r, r->w[i].path, r->w[i].hash) = i + 1;
	}
	slot = w_slot(r, path, h);
	if (!*slot) {
		r->w = xgrow(r->w, &r->capw, r->nw + 1, sizeof *r->w);
		r->w[r->nw].path = xstrdup(path);
		r->w[r->nw].hash = h;
		r->w[r->nw].marks = 0;
		r->w[r->nw].py = NULL;
		*slot = ++r->nw;
	}
	r->w[*slot - 1].marks |= m;
	if (!r->w[*slot - 1].py)
		r->w[*slot - 1].py = py_site_text(ev);
}

static void add_denial(struct report *r, const struct trace_event *ev)
{
	const struct trace_frame *fr = trace_event_frame(ev);
	struct strbuf *sb = &r->tmp;
	char *site, *py;

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
	sb_addf(sb, "[%d] uid %u", ev->pid, ev->uid);
	if (fr) {
		sb_adds(sb, " at ");
		sb_add_frame(sb, fr);
	}
	site = py_site_text(ev);
	py = site ? path_escape(site) : NULL;
	free(site);
	for (size_t i = 0; i < r->nden; i++)
		if (!strcmp(r->den[i].text, sb->buf) &&
		    !strcmp(r->den[i].py ? r->den[i].py : "", py ? py : "")) {
			r->den[i].count++;
			free(py);
			return;
		}
	if (r->nden >= MAX_DENIALS) {
		free(py);
		return;
	}
	r->den = xgrow(r->den, &r->capden, r->nden + 1, sizeof *r->den);
	r->den[r->nden].text = xstrdup(sb->buf);
	r->den[r->nden].py = py;
	r->den[r->nden++].count = 1;
}

static void add_fail(struct report *r, const struct trace_event *ev)
{
	struct strbuf *sb;
	char *site;

	if (r->nfailed++ >= MAX_OTHER_FAILS)
		return;
	r->fails =
	    xgrow(r->fails, &r->capfails, r->nfails + 1, sizeof *r->fails);
	sb = &r->fails[r->nfails++];
	sb_init(sb);
	sb_addf(sb, "%-7s ", op_name(ev->op));
	sb_add_path(sb, ev->path);
	sb_addf(sb, "  %s  by ", ev->errname ? ev->errname : "?");
	sb_add_path(sb, trace_program(ev->proc, "?"));
	sb_addf(sb, "[%d]", ev->pid);
	site = py_site_text(ev);
	if (site) {
		sb_adds(sb, "\n      python: ");
		sb_add_path(sb, site);
		free(site);
	}
}

static void track_exec(struct report *r, const struct trace_event *ev)
{
	int pid = ev->op == OP_SPAWN ? (int)ev->ret : ev->pid;
	size_t i;

	if (ev->op == OP_SPAWN && (ev->err || ev->ret <= 0))
		return;
	for (i = 0; i < r->npend; i++)
		if (r->pend[i].pid == pid)
			break;
	if (ev->op == OP_EXEC && ev->err) {
		/* the exec returned: it failed, nothing new will start */
		if (i < r->npend) {
			free(r->pend[i].path);
			r->pend[i] = r->pend[--r->npend];
		}
		return;
	}
	if (i == r->npend) {
		r->pend =
		    xgrow(r->pend, &r->cappend, r->npend + 1, sizeof *r->pend);
		r->npend++;
	} else {
		free(r->pend[i].path);
	}
	r->pend[i].pid = pid;
	r->pend[i].ts = ev->ts;
	r->pend[i].path = xstrdup(ev->path);
	r->pend[i].by = ev->proc;
}

static int collect_event(const struct trace_event *ev, void *ctx)
{
	struct report *r = ctx;

	if (ev->op == OP_EXEC || ev->op == OP_SPAWN) {
		track_exec(r, ev);
		return 0;
	}
	if (!trace_event_writes(ev))
		return 0;
	if (ev->err) {
		if (is_denial(ev->err))
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
	const struct written *x = a, *y = b;
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

static void print_dir_group(const struct written *w, size_t n)
{
	size_t plus = 0, tilde = 0, minus = 0, tmp = 0;
	char *dir = path_dirname(w[0].path);

	for (size_t i = 0; i < n; i++) {
		unsigned m = w[i].marks;

		if ((m & M_CREATED) && (m & M_REMOVED))
			tmp++;
		else if (m & M_CREATED)
			plus++;
		else if (m & M_REMOVED)
			minus++;
		else
			tilde++;
	}
	printf("  ");
	fput_path(stdout, dir);
	printf("%s  (", strcmp(dir, "/") ? "/" : "");
	printf("%zu: +%zu ~%zu -%zu", n, plus, tilde, minus);
	if (tmp)
		printf(", %zu temporary", tmp);
	printf(")\n");
	free(dir);
	if (n > DIR_COLLAPSE) {
		size_t shown = 0, nsites = 0;

		printf("      (%zu entries, not listed; see --json)\n", n);
		/* the distinct Python sites that wrote here, a few of them */
		for (size_t i = 0; i < n; i++) {
			bool seen = false;

			if (!w[i].py)
				continue;
			for (size_t j = 0; j < i && !seen; j++)
				seen = w[j].py && !strcmp(w[j].py, w[i].py);
			if (seen)
				continue;
			if (nsites++ < 3) {
				printf("      python: ");
				fput_path(stdout, w[i].py);
				putchar('\n');
				shown++;
			}
		}
		if (nsites > shown)
			printf("      python: ... %zu more sites\n",
			       nsites - shown);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		printf("    %s ", mark_text(w[i].marks));
		fput_path(stdout, path_basename(w[i].path));
		if (w[i].py) {
			printf("  (python: ");
			fput_path(stdout, w[i].py);
			putchar(')');
		}
		putchar('\n');
	}
}

static void print_written(struct report *r)
{
	size_t i = 0, ndirs = 0;

	printf("\nWritten (%zu paths; + created, ~ modified, - removed, "
	       "+- created and removed):\n",
	       r->nw);
	if (!r->nw) {
		printf("  nothing\n");
		return;
	}
	qsort(r->w, r->nw, sizeof *r->w, written_cmp);
	while (i < r->nw) {
		size_t j = i + 1;
		size_t d = strrchr(r->w[i].path, '/') - r->w[i].path;

		while (j < r->nw &&
		       (size_t)(strrchr(r->w[j].path, '/') - r->w[j].path) ==
			   d &&
		       !strncmp(r->w[j].path, r->w[i].path, d))
			j++;
		print_dir_group(r->w + i, j - i);
		ndirs++;
		i = j;
	}
}

static void print_denials(struct report *r)
{
	printf("Denied (%lld):\n", r->ndenied);
	if (!r->ndenied)
		printf("  none\n");
	for (size_t i = 0; i < r->nden; i++) {
		printf("  %s", r->den[i].text);
		if (r->den[i].count > 1)
			printf("  (x%ld)", r->den[i].count);
		putchar('\n');
		if (r->den[i].py)
			printf("      python: %s\n", r->den[i].py);
	}
	if (r->ndenied && r->nden >= MAX_DENIALS)
		printf("  (more distinct denials not shown; see --json)\n");
	if (!r->nfailed)
		return;
	printf("\nOther failed writes (%lld):\n", r->nfailed);
	for (size_t i = 0; i < r->nfails; i++)
		printf("  %s\n", r->fails[i].buf);
	if (r->nfailed > (long long)r->nfails)
		printf("  ... %lld more (see --json)\n",
		       r->nfailed - (long long)r->nfails);
}

static bool reported_in(const struct trace *t, const struct pending *p)
{
	for (size_t i = 0; i < trace_nprocs(t); i++) {
		const struct trace_proc *pr = trace_proc_at(t, i);

		if (pr->pid == p->pid && pr->ts >= p->ts)
			return true;
	}
	for (size_t i = 0; i < trace_nuntraced(t); i++) {
		const struct trace_untraced *u = trace_untraced_at(t, i);

		if (u->pid == p->pid)
			return true; /* reported as untraced instead */
	}
	return false;
}

static void print_warnings(struct report *r)
{
	const struct trace *t = r->t;
	size_t nsilent = 0, nwarn = 0;
	long lost = 0;

	printf("\nWarnings:\n");
	for (size_t i = 0; i < trace_nuntraced(t); i++) {
		const struct trace_untraced *u = trace_untraced_at(t, i);

		printf("  NOT TRACED: ");
		fput_path(stdout, u->path);
		printf(" (%s), started by ", u->why);
		fput_path(stdout, trace_program(u->proc, "?"));
		printf("[%d]: whatever it wrote is MISSING from this trace\n",
		       u->pid);
		nwarn++;
	}
	for (size_t i = 0; i < r->npend; i++) {
		if (reported_in(t, &r->pend[i]))
			continue;
		if (nsilent++ < 20) {
			printf("  never reported in: ");
			fput_path(stdout, r->pend[i].path);
			printf(" [%d], started by ", r->pend[i].pid);
			fput_path(stdout, trace_program(r->pend[i].by, "?"));
			printf(": its writes may be missing\n");
		}
		nwarn++;
	}
	if (nsilent > 20)
		printf("  ... %zu more processes never reported in\n",
		       nsilent - 20);
	for (size_t i = 0; i < trace_nprocs(t); i++) {
		const struct trace_proc *p = trace_proc_at(t, i);

		if (p->lost) {
			printf("  lost records: %ld from ", p->lost);
			fput_path(stdout, trace_program(p, "?"));
			printf("[%d]\n", p->pid);
			lost += p->lost;
			nwarn++;
		}
	}
	if (lost)
		printf("  %ld records lost in all: the trace is incomplete\n",
		       lost);
	for (size_t i = 0; i < trace_ndiags(t); i++) {
		const struct trace_diag *d = trace_diag_at(t, i);

		printf("  %s: ", d->warning ? "reader" : "READ ERROR");
		if (d->file) {
			fput_path(stdout, d->file);
			if (d->line)
				printf(":%ld", d->line);
			printf(": ");
		}
		fput_path(stdout, d->message);
		putchar('\n');
		nwarn++;
	}
	if (!nwarn)
		printf("  none\n");
}

static void report_free(struct report *r)
{
	for (size_t i = 0; i < r->nw; i++) {
		free(r->w[i].path);
		free(r->w[i].py);
	}
	free(r->w);
	free(r->idx);
	for (size_t i = 0; i < r->nden; i++) {
		free(r->den[i].text);
		free(r->den[i].py);
	}
	free(r->den);
	for (size_t i = 0; i < r->nfails; i++)
		sb_release(&r->fails[i]);
	free(r->fails);
	for (size_t i = 0; i < r->npend; i++)
		free(r->pend[i].path);
	free(r->pend);
	sb_release(&r->tmp);
}

static void print_header(const struct trace *t)
{
	printf("Trace: %zu processes, %lld events", trace_nprocs(t),
	       trace_nevents(t));
	for (size_t i = 0; i < trace_ndirs(t); i++) {
		json_t *m = (json_t *)trace_meta(t, i);
		json_t *cmd = json_object_get(m, "command");
		json_t *ex = json_object_get(m, "exit");

		if (json_is_array(cmd) &&
		    json_is_string(json_array_get(cmd, 0))) {
			printf("; command ");
			fput_path(stdout,
				  json_string_value(json_array_get(cmd, 0)));
		}
		if (json_is_integer(ex))
			printf(" (exit %lld)",
			       (long long)json_integer_value(ex));
	}
	printf("\n\n");
}

static void report_usage(FILE *f)
{
	fprintf(f, "usage: unroot report [--json] [DIR...]\n");
}

int cmd_report(int argc, char **argv)
{
	static char *defdir[] = {(char *)DEFAULT_TRACE_DIR};
	struct report r = {0};
	char **dirs = defdir;
	int ndirs = 1, i, rc;
	bool json = false;
	const char *why;

	set_command("report", 1);
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			report_usage(stdout);
			printf("\nShow what a trace wrote, what was denied and "
			       "by whom, and what the trace\nmay be missing. "
			       "DIR defaults to %s.\n  --json  one JSON object "
			       "per event, one per line\n",
			       DEFAULT_TRACE_DIR);
			return 0;
		} else {
			errmsg("unknown option '%s'; usage: unroot report "
			       "[--json] [DIR...]",
			       argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i < argc) {
		dirs = argv + i;
		ndirs = argc - i;
	}
	r.t = trace_open(dirs, ndirs, &why);
	if (!r.t) {
		errmsg("cannot read the trace in %s: %s", dirs[0], why);
		return 1;
	}
	if (json) {
		rc = trace_each_event(r.t, json_event, NULL);
		for (size_t k = 0; k < trace_ndiags(r.t); k++) {
			const struct trace_diag *d = trace_diag_at(r.t, k);
			char *f = path_escape(d->file ? d->file : "trace");
			char *m = path_escape(d->message);

			warning("%s:%ld: %s", f, d->line, m);
			free(f);
			free(m);
		}
	} else {
		sb_init(&r.tmp);
		print_header(r.t);
		rc = trace_each_event(r.t, collect_event, &r);
		print_denials(&r);
		print_written(&r);
		print_warnings(&r);
	}
	fflush(stdout);
	report_free(&r);
	trace_close(r.t);
	return rc ? 1 : 0;
}
