/*
 * trace_open.c - trace_open() and trace_close(): the trace directories and
 * their logs found (log/ or the directory itself: each *.jsonl file and
 * each segment of a pack, in name order, tracepack.h), trace.json read,
 * and pass 1 over each log.  Pass 1 reads each
 * file once, line by line, and keeps the small records (trace_records.c);
 * event lines are recognised by their prefix and only counted (and glanced
 * at for trace_each_notable: tr_glance), so pass 1 is I/O bound.
 *
 * NUL bytes are padding and skipped (a record cut by them is a warning),
 * a last line without a newline is a warning, a line that is not JSON is a
 * warning naming file:line, and a record with a newer schema version makes
 * the whole file an error: what it added is rolled back and it is skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace_private.h"
#include "tracepack.h"

/* ---- pass 1 over one file ------------------------------------------------ */

/* The first process image of pid that started by ts, or NULL. */
static const struct trace_proc *proc_before(const struct trace *t, int pid,
					    long long ts)
{
	for (size_t j = 0; j < t->procs.n; j++) {
		const struct trace_proc *p = t->procs.v[j];

		if (p->pid == pid && p->ts <= ts)
			return p;
	}
	return NULL;
}

/* Counts of the global arrays, to drop what a skipped file added. */
struct mark {
	size_t procs, mounts, users, groups, oses, untraced, nets, privs;
};

static void take_mark(const struct trace *t, struct mark *m)
{
	m->procs = t->procs.n;
	m->mounts = t->mounts.n;
	m->users = t->users.n;
	m->groups = t->groups.n;
	m->oses = t->oses.n;
	m->untraced = t->untraced.n;
	m->nets = t->nets.n;
	m->privs = t->privs.n;
}

static void roll_back(struct trace *t, const struct mark *m, struct logfile *f)
{
	while (t->procs.n > m->procs)
		tr_free_proc(t->procs.v[--t->procs.n]);
	while (t->mounts.n > m->mounts)
		tr_free_mount(t->mounts.v[--t->mounts.n]);
	while (t->users.n > m->users)
		tr_free_user(t->users.v[--t->users.n]);
	while (t->groups.n > m->groups)
		tr_free_group(t->groups.v[--t->groups.n]);
	while (t->oses.n > m->oses)
		tr_free_os(t->oses.v[--t->oses.n]);
	while (t->untraced.n > m->untraced)
		tr_free_untraced(t->untraced.v[--t->untraced.n]);
	while (t->nets.n > m->nets)
		tr_free_net(t->nets.v[--t->nets.n]);
	while (t->privs.n > m->privs)
		tr_free_priv(t->privs.v[--t->privs.n]);
	for (size_t i = 0; i < f->nstacks; i++)
		tr_free_stack(f->stacks[i]);
	f->nstacks = 0;
	f->proc = NULL;
	f->nevents = 0;
	f->skip = true;
}

/* What a summary will need of an event line: counted, or decoded (and
 * where it is, for the first TR_MAX_SPOTS of them). */
static void take_glance(struct logfile *f, const struct lreader *r,
			const char *line, size_t len)
{
	enum glance g = tr_glance(line, len);

	if (g == GL_WRITE)
		f->nwritten++;
	if (g != GL_DECODE)
		return;
	if (f->nnotable++ < TR_MAX_SPOTS) {
		f->spots = xgrow(f->spots, &f->capspots, f->nspots + 1,
				 sizeof *f->spots);
		f->spots[f->nspots++] =
		    (struct tr_spot){lr_line_off(r, line), r->lineno};
	}
}

static void scan_file(struct trace *t, struct logfile *f, struct lreader *r)
{
	struct mark m;
	/* the last line of every log: read without jansson */
	struct tr_flat end = {.type = REC_END, .ikey = K_LOST};
	struct tr_proc_fields proc; /* and the first: without jansson too */
	char *line;
	size_t len;
	enum lr_end how;
	int rc;

	take_mark(t, &m);
	lr_start(r, f);
	if (lr_open(r) < 0) {
		tr_diag(t, f->path, 0, false, "cannot open: %s",
			strerror(errno));
		f->skip = true;
		return;
	}
	while ((rc = lr_next(r, &line, &len, &how, NULL, NULL)) > 0) {
		int ev = tr_line_is_event(line, len);
		bool nl = how == LR_NL;
		json_t *o;
		json_error_t err;

		if (how == LR_EOF)
			tr_diag(t, f->path, r->lineno, true,
				"last line has no newline (the process was "
				"probably killed while writing): %s",
				tr_line_looks_cut(line, len) ? "ignored"
							     : "used");
		else if (how == LR_NUL)
			tr_diag(t, f->path, r->lineno, true,
				"record cut short by NUL padding (the process "
				"was probably killed while writing it): %s",
				tr_line_looks_cut(line, len) ? "ignored"
							     : "used");
		if (len == 0)
			continue;
		if (ev == 1) {
			if (tr_line_looks_cut(line, len)) {
				if (nl)
					tr_diag(t, f->path, r->lineno, true,
						"corrupt line (cut short): "
						"skipped");
				continue;
			}
			f->nevents++;
			take_glance(f, r, line, len);
			continue;
		}
		if (tr_fast_flat(line, len, &end)) {
			tr_take_end(f, end.has_i ? end.i : 0);
			continue;
		}
		if (tr_fast_proc(line, len, &proc)) {
			tr_take_proc_fields(t, f, &proc, r->lineno);
			continue;
		}
		o = json_loadb(line, len, 0, &err);
		if (!o || !json_is_object(o)) {
			if (nl)
				tr_diag(t, f->path, r->lineno, true,
					"corrupt line (%s): skipped",
					o ? "not an object" : err.text);
			json_decref(o);
			continue;
		}
		if (!tr_take_record(t, f, o, r->lineno)) {
			json_decref(o);
			roll_back(t, &m, f);
			break;
		}
		json_decref(o);
	}
	if (rc < 0)
		tr_diag(t, f->path, r->lineno + 1, false, "read error: %s",
			strerror(errno));
	/* the descriptor stays for the next file: lr_start closes it unless
	 * that is the next segment of the same pack */
}

/* ---- finding the files --------------------------------------------------- */

/* One entry of "binds"; skipped without the container's path. */
static void read_bind(struct trace *t, json_t *b)
{
	struct trace_bind *tb;
	char *container =
	    json_path_value(json_object_get(b, K_META_BIND_CONTAINER));
	const char *volume = tr_jstr(b, K_META_BIND_VOLUME);

	if (!container)
		return;
	tb = xcalloc(1, sizeof *tb);
	tb->container = container;
	tb->host = json_path_value(json_object_get(b, K_META_BIND_HOST));
	tb->volume = volume ? xstrdup(volume) : NULL;
	tb->ro = json_is_true(json_object_get(b, K_META_BIND_RO));
	tr_pv_push(&t->binds, tb);
}

/* One entry of "layer"."unseen"; skipped without its path. */
static void read_unseen(struct trace *t, json_t *u)
{
	char *path = json_path_value(json_object_get(u, K_PATH));
	const char *change = tr_jstr(u, K_META_LAYER_CHANGE);
	struct trace_unseen *tu;

	if (!path)
		return;
	tu = xcalloc(1, sizeof *tu);
	tu->path = path;
	tu->change = change && strchr("ACD", *change) ? *change : 'C';
	tr_decode_state(u, K_ST, &tu->st);
	tr_decode_state(u, K_PARENT, &tu->parent);
	tr_pv_push(&t->unseen, tu);
}

/* "layer": the cross-check of a container's changes with the trace. */
static struct trace_layer *read_layer(struct trace *t, json_t *l)
{
	json_t *un = json_object_get(l, K_META_LAYER_UNCOVERED), *v;
	struct trace_layer *tl;
	size_t i;

	if (!json_is_object(l))
		return NULL;
	tl =
	    xcalloc(1, sizeof *tl + (json_array_size(un) + 1) * sizeof(char *));
	tl->changes = tr_jint(l, K_META_LAYER_CHANGES, -1);
	tl->error = tr_jstr(l, K_META_LAYER_ERROR);
	json_array_foreach (un, i, v)
		if (json_string_value(v))
			tl->uncovered[tl->nuncovered++] = json_string_value(v);
	json_array_foreach (json_object_get(l, K_META_LAYER_UNSEEN), i, v)
		read_unseen(t, v);
	return tl;
}

/* What the commands read of trace.json (trace.h), kept with the JSON. */
static void take_meta(struct trace *t, struct dirmeta *m, json_t *o)
{
	json_t *v, *b;
	size_t i;

	m->json = o;
	m->command = json_path_value(
	    json_array_get(json_object_get(o, K_META_COMMAND), 0));
	v = json_object_get(o, K_META_EXIT);
	m->has_exit = json_is_integer(v);
	m->exit = m->has_exit ? (long long)json_integer_value(v) : 0;
	json_array_foreach (json_object_get(o, K_META_BINDS), i, b)
		read_bind(t, b);
	m->layer = read_layer(t, json_object_get(o, K_META_LAYER));
	m->run = tr_read_run(json_object_get(o, K_META_RUN));
}

static void read_meta(struct trace *t, size_t di)
{
	char *path = xasprintf("%s/" UNROOT_TRACE_META, t->dirnames[di]);
	json_error_t err;
	json_t *o;

	if (access(path, F_OK)) {
		free(path);
		return;
	}
	o = json_load_file(path, 0, &err);
	if (!o || !json_is_object(o)) {
		tr_diag(t, path, o ? 0 : err.line, true, "cannot read: %s",
			o ? "not a JSON object" : err.text);
		json_decref(o);
		free(path);
		return;
	}
	if (tr_jint(o, K_META_UNROOT, 0) > UNROOT_SCHEMA_VERSION)
		tr_diag(t, path, 0, false,
			"trace made by a newer unroot (schema %lld, this reads "
			"%d)",
			tr_jint(o, K_META_UNROOT, 0), UNROOT_SCHEMA_VERSION);
	take_meta(t, &t->meta[di], o);
	free(path);
}

static void pack_problem(void *ctx, const char *file, const char *msg)
{
	tr_diag(ctx, file, 0, true, "%s", msg);
}

/* Add every log of one trace directory (its *.jsonl files and the
 * segments of its packs: tracepack.h); false if it is unreadable. */
static bool list_dir(struct trace *t, size_t di)
{
	const char *dir = t->dirnames[di];
	char *logdir = xasprintf("%s/" UNROOT_TRACE_LOGDIR, dir);
	struct log_units u;
	struct stat st;

	if (stat(logdir, &st) || !S_ISDIR(st.st_mode)) {
		free(logdir);
		logdir = xstrdup(dir);
	}
	if (log_units_list(logdir, &u, pack_problem, t)) {
		tr_diag(t, dir, 0, false, "cannot read the trace directory: %s",
			strerror(errno));
		free(logdir);
		return false;
	}
	for (size_t i = 0; i < u.n; i++) {
		struct logfile *f;

		t->files = xgrow(t->files, &t->capfiles, t->nfiles + 1,
				 sizeof *t->files);
		f = &t->files[t->nfiles++];
		memset(f, 0, sizeof *f);
		f->path = xasprintf("%s/%s", logdir, u.v[i].name);
		f->src = u.v[i].src;
		u.v[i].src = NULL;
		f->off = u.v[i].off;
		f->len = u.v[i].len;
		f->stage = u.v[i].stage;
		u.v[i].stage = NULL;
		f->dir = di;
	}
	log_units_free(&u);
	free(logdir);
	return true;
}

struct trace *trace_open(char *const *dirs, int ndirs, const char **why)
{
	struct trace *t = xcalloc(1, sizeof *t);
	struct lreader r;
	size_t readable = 0;

	t->ndirs = ndirs > 0 ? (size_t)ndirs : 0;
	t->dirnames = xcalloc(t->ndirs + 1, sizeof *t->dirnames);
	t->meta = xcalloc(t->ndirs + 1, sizeof *t->meta);
	sb_init(&t->pathbuf[0]);
	for (size_t i = 0; i < t->ndirs; i++) {
		t->dirnames[i] = xstrdup(dirs[i]);
		read_meta(t, i);
		if (list_dir(t, i))
			readable++;
	}
	if (!readable) {
		*why = t->ndirs ? "no trace directory could be read"
				: "no trace directory given";
		trace_close(t);
		return NULL;
	}
	lr_init(&r, NULL, 1 << 18);
	lr_read_ahead(&r, 1 << 18);
	for (size_t i = 0; i < t->nfiles; i++) {
		struct logfile *f = &t->files[i];

		scan_file(t, f, &r);
		tr_sort_stacks(f);
		t->nevents += f->nevents;
	}
	lr_free(&r);
	tr_resolve_forks(t);
	/* untraced, net and priv records name the process of their file */
	for (size_t i = 0; i < t->untraced.n; i++) {
		struct trace_untraced *u = t->untraced.v[i];

		if (!u->proc)
			u->proc = proc_before(t, u->pid, u->ts);
	}
	for (size_t i = 0; i < t->nets.n; i++) {
		struct trace_net *n = t->nets.v[i];

		if (!n->proc)
			n->proc = proc_before(t, n->pid, n->ts);
	}
	for (size_t i = 0; i < t->privs.n; i++) {
		struct trace_priv *v = t->privs.v[i];

		if (!v->proc)
			v->proc = proc_before(t, v->pid, v->ts);
	}
	return t;
}

void trace_close(struct trace *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ndirs; i++) {
		free(t->dirnames[i]);
		json_decref(t->meta[i].json);
		free(t->meta[i].command);
		free(t->meta[i].layer);
		tr_free_run(t->meta[i].run);
	}
	for (size_t i = 0; i < t->unseen.n; i++) {
		struct trace_unseen *u = t->unseen.v[i];

		free((char *)u->path);
		free(u);
	}
	free(t->unseen.v);
	for (size_t i = 0; i < t->binds.n; i++) {
		struct trace_bind *b = t->binds.v[i];

		free((char *)b->container);
		free((char *)b->host);
		free((char *)b->volume);
		free(b);
	}
	free(t->binds.v);
	free(t->dirnames);
	free(t->meta);
	for (size_t i = 0; i < t->nfiles; i++) {
		for (size_t j = 0; j < t->files[i].nstacks; j++)
			tr_free_stack(t->files[i].stacks[j]);
		free(t->files[i].stacks);
		free(t->files[i].spots);
		free(t->files[i].path);
		free(t->files[i].src);
		log_stage_free(t->files[i].stage);
	}
	free(t->files);
	for (size_t i = 0; i < t->procs.n; i++)
		tr_free_proc(t->procs.v[i]);
	for (size_t i = 0; i < t->mounts.n; i++)
		tr_free_mount(t->mounts.v[i]);
	for (size_t i = 0; i < t->users.n; i++)
		tr_free_user(t->users.v[i]);
	for (size_t i = 0; i < t->groups.n; i++)
		tr_free_group(t->groups.v[i]);
	for (size_t i = 0; i < t->oses.n; i++)
		tr_free_os(t->oses.v[i]);
	for (size_t i = 0; i < t->untraced.n; i++)
		tr_free_untraced(t->untraced.v[i]);
	for (size_t i = 0; i < t->nets.n; i++)
		tr_free_net(t->nets.v[i]);
	for (size_t i = 0; i < t->privs.n; i++)
		tr_free_priv(t->privs.v[i]);
	for (size_t i = 0; i < t->diags.n; i++) {
		struct trace_diag *d = t->diags.v[i];

		free(d->file);
		free(d->message);
		free(d);
	}
	free(t->procs.v);
	free(t->mounts.v);
	free(t->users.v);
	free(t->groups.v);
	free(t->oses.v);
	free(t->untraced.v);
	free(t->nets.v);
	free(t->privs.v);
	free(t->diags.v);
	map_free(&t->dirs, tr_free_dir);
	sb_release(&t->pathbuf[0]);
	free(t);
}
