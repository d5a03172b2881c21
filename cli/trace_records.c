/*
 * trace_records.c - the small records of pass 1, kept for the whole read:
 * proc (a fork record is completed later, trace_fork.c), mount, user,
 * group, os, dir (the state of each ancestor directory, first record
 * wins), stack (per file, sorted by id), untraced and end; and the JSON
 * field helpers every record is read with.  A key a record lacks takes the
 * default SCHEMA.md gives it ("" for strings the structs promise non-NULL).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "trace_private.h"

/* ---- JSON field helpers -------------------------------------------------- */

long long tr_jint(json_t *o, const char *key, long long def)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v)) {
		double d = json_real_value(v);

		/* converting a double outside long long is undefined */
		if (!(d > -9.2e18 && d < 9.2e18))
			return def;
		return (long long)d;
	}
	return def;
}

const char *tr_jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/*
 * A path as SCHEMA.md writes it (a string or {"hex": ...}) into sb, by
 * util.h's one policy.  Returns false when v is absent, of another form
 * or malformed.
 */
bool tr_decode_path(json_t *v, struct strbuf *sb)
{
	char *s = json_path_value(v);

	sb_reset(sb);
	if (!s)
		return false;
	sb_adds(sb, s);
	free(s);
	return true;
}

/* An allocated copy of a path field; "" when absent if dflt, else NULL. */
char *tr_path_dup(json_t *v, bool dflt)
{
	struct strbuf sb = STRBUF_INIT;

	if (!tr_decode_path(v, &sb)) {
		sb_release(&sb);
		return dflt ? xstrdup("") : NULL;
	}
	return sb_detach(&sb);
}

static const char *str_or(const char *s)
{
	return s ? s : "";
}

static char *str_dup(json_t *o, const char *key)
{
	const char *s = tr_jstr(o, key);

	return xstrdup(s ? s : "");
}

void tr_decode_state(json_t *o, const char *key, struct file_state *st)
{
	json_t *v = json_object_get(o, key);
	const char *mode;
	int ft;

	memset(st, 0, sizeof *st);
	if (!v) {
		st->kind = ST_UNKNOWN;
		return;
	}
	if (json_is_null(v)) {
		st->kind = ST_ABSENT;
		return;
	}
	if (!json_is_object(v)) {
		st->kind = ST_UNKNOWN;
		return;
	}
	st->kind = ST_PRESENT;
	ft = tr_file_type_from_name(tr_jstr(v, K_TYPE));
	st->type = ft < 0 ? FT_FILE : (enum file_type)ft;
	st->uid = (unsigned)tr_jint(v, K_UID, 0);
	st->gid = (unsigned)tr_jint(v, K_GID, 0);
	mode = tr_jstr(v, K_MODE);
	st->mode = mode ? (unsigned)strtoul(mode, NULL, 8) & 07777 : 0;
}

/* ---- pass 1: the small records ------------------------------------------- */

void tr_free_proc(struct trace_proc *p)
{
	if (!p)
		return;
	free(p->exe);
	free(p->argv0);
	free(p->cwd);
	if (p->argv)
		for (char **a = p->argv; *a; a++)
			free(*a);
	free(p->argv);
	free(p->groups);
	for (int i = 0; i < p->nenv; i++) {
		free(p->env[i].name);
		free(p->env[i].value);
	}
	free(p->env);
	free(p->rootfs);
	free(p->file);
	free(p);
}

static unsigned fields_present(json_t *o)
{
	static const char *const keys[PF__COUNT] = {
#define PF_KEY(e) K_##e,
	    UNROOT_FORK_INHERITED_KEYS(PF_KEY)
#undef PF_KEY
	};
	unsigned have = 0;

	for (unsigned i = 0; i < PF__COUNT; i++)
		if (json_object_get(o, keys[i]))
			have |= 1u << i;
	return have;
}

/* A process of a proc or fork record; a fork record's inherited fields
 * are resolved after pass 1 (trace_fork.c). */
static struct proc_rec *proc_new(unsigned have, bool forked, long long pts,
				 long long from)
{
	struct proc_rec *rec = xcalloc(1, sizeof *rec);

	rec->have = have;
	rec->p.forked = forked;
	rec->pts = pts;
	rec->from = (int)from;
	rec->state = forked ? 0 : 2;
	return rec;
}

/* The next variable of p->env (allocated for all of them). */
static void add_env(struct trace_proc *p, char *name, char *value)
{
	struct env_var *e = &p->env[p->nenv++];

	e->name = name;
	e->value = value;
	if (!strcmp(name, "HOME"))
		p->home = value;
}

static struct trace_proc *parse_proc(json_t *o, const char *file)
{
	struct proc_rec *rec = proc_new(
	    fields_present(o), json_is_true(json_object_get(o, K_FORK)),
	    tr_jint(o, K_PTS, 0), tr_jint(o, K_FROM, 0));
	struct trace_proc *p = &rec->p;
	json_t *a, *v;
	const char *key;
	size_t i;

	p->pid = (int)tr_jint(o, K_PID, 0);
	p->ppid = (int)tr_jint(o, K_PPID, 0);
	p->ts = tr_jint(o, K_TS, 0);
	p->exe = tr_path_dup(json_object_get(o, K_EXE), true);
	p->argv0 = tr_path_dup(json_object_get(o, K_ARGV0), true);
	p->cwd = tr_path_dup(json_object_get(o, K_CWD), true);
	a = json_object_get(o, K_ARGV);
	if (json_is_array(a)) {
		p->argv = xcalloc(json_array_size(a) + 1, sizeof *p->argv);
		json_array_foreach (a, i, v)
			p->argv[i] = tr_path_dup(v, true);
	}
	p->uid = (unsigned)tr_jint(o, K_UID, 0);
	p->euid = (unsigned)tr_jint(o, K_EUID, p->uid);
	p->gid = (unsigned)tr_jint(o, K_GID, 0);
	p->egid = (unsigned)tr_jint(o, K_EGID, p->gid);
	a = json_object_get(o, K_GROUPS);
	if (json_is_array(a)) {
		p->groups = xcalloc(json_array_size(a) + 1, sizeof *p->groups);
		json_array_foreach (a, i, v)
			p->groups[p->ngroups++] =
			    (unsigned)json_integer_value(v);
	}
	p->ns = (unsigned long long)tr_jint(o, K_NS, 0);
	p->rootfs = str_dup(o, K_ROOTFS);
	a = json_object_get(o, K_ENV);
	if (json_is_object(a)) {
		p->env = xcalloc(json_object_size(a) + 1, sizeof *p->env);
		json_object_foreach (a, key, v)
			add_env(p, xstrdup(key), tr_path_dup(v, true));
	}
	p->stacks = json_is_true(json_object_get(o, K_STACKS));
	p->ptrace = !strcmp(str_or(tr_jstr(o, K_TRACER)), TRACER_PTRACE);
	p->file = xstrdup(file);
	return p;
}

/* A copy of a string tr_fast_proc found; "" when absent. */
static char *slice_dup(struct tr_slice s)
{
	return s.p ? xstrndup(s.p, s.n) : xstrdup("");
}

/* parse_proc's process, from what tr_fast_proc read. */
static struct trace_proc *proc_from_fields(const struct tr_proc_fields *r,
					   const char *file)
{
	struct proc_rec *rec = proc_new(r->have, r->fork, r->pts, r->from);
	struct trace_proc *p = &rec->p;

	p->pid = (int)r->pid;
	p->ppid = (int)r->ppid;
	p->ts = r->ts;
	p->exe = slice_dup(r->exe);
	p->argv0 = slice_dup(r->argv0);
	p->cwd = slice_dup(r->cwd);
	if (r->has_argv) {
		p->argv = xcalloc((size_t)r->nargv + 1, sizeof *p->argv);
		for (int i = 0; i < r->nargv; i++)
			p->argv[i] = slice_dup(r->argv[i]);
	}
	p->uid = (unsigned)r->uid;
	p->euid = r->has_euid ? (unsigned)r->euid : p->uid;
	p->gid = (unsigned)r->gid;
	p->egid = r->has_egid ? (unsigned)r->egid : p->gid;
	if (r->has_groups) {
		p->groups = xcalloc((size_t)r->ngroups + 1, sizeof *p->groups);
		for (int i = 0; i < r->ngroups; i++)
			p->groups[p->ngroups++] = (unsigned)r->groups[i];
	}
	p->ns = (unsigned long long)r->ns;
	p->rootfs = slice_dup(r->rootfs);
	if (r->has_env) {
		p->env = xcalloc((size_t)r->nenv / 2 + 1, sizeof *p->env);
		for (int i = 0; i + 1 < r->nenv; i += 2)
			add_env(p, slice_dup(r->env[i]),
				slice_dup(r->env[i + 1]));
	}
	p->stacks = r->stacks;
	p->ptrace = r->tracer.n == strlen(TRACER_PTRACE) &&
		    !memcmp(r->tracer.p, TRACER_PTRACE, r->tracer.n);
	p->file = xstrdup(file);
	return p;
}

static void parse_mount(struct trace *t, json_t *o)
{
	struct trace_mount *m = xcalloc(1, sizeof *m);

	m->ns = (unsigned long long)tr_jint(o, K_NS, 0);
	m->mnt = tr_path_dup(json_object_get(o, K_MNT), true);
	m->fs = str_dup(o, K_FS);
	m->src = tr_path_dup(json_object_get(o, K_SRC), true);
	m->root = tr_path_dup(json_object_get(o, K_ROOT), true);
	m->opts = str_dup(o, K_OPTS);
	m->ro = json_is_true(json_object_get(o, K_RO));
	tr_pv_push(&t->mounts, m);
}

static void parse_user(struct trace *t, json_t *o)
{
	struct trace_user *u = xcalloc(1, sizeof *u);

	u->rootfs = str_dup(o, K_ROOTFS);
	u->name = str_dup(o, K_NAME);
	u->home = tr_path_dup(json_object_get(o, K_HOME), true);
	u->shell = tr_path_dup(json_object_get(o, K_SHELL), true);
	u->uid = (unsigned)tr_jint(o, K_UID, 0);
	u->gid = (unsigned)tr_jint(o, K_GID, 0);
	tr_pv_push(&t->users, u);
}

static void parse_group(struct trace *t, json_t *o)
{
	struct trace_group *g = xcalloc(1, sizeof *g);
	json_t *a = json_object_get(o, K_MEMBERS), *v;
	size_t i, n = 0;

	g->rootfs = str_dup(o, K_ROOTFS);
	g->name = str_dup(o, K_NAME);
	g->gid = (unsigned)tr_jint(o, K_GID, 0);
	g->members = xcalloc(json_array_size(a) + 1, sizeof *g->members);
	json_array_foreach (a, i, v)
		if (json_is_string(v))
			g->members[n++] = xstrdup(json_string_value(v));
	tr_pv_push(&t->groups, g);
}

static void parse_os(struct trace *t, json_t *o)
{
	struct trace_os *s = xcalloc(1, sizeof *s);

	s->rootfs = str_dup(o, K_ROOTFS);
	s->id = str_dup(o, K_ID);
	s->version_id = str_dup(o, K_VERSION_ID);
	s->pretty = str_dup(o, K_PRETTY);
	tr_pv_push(&t->oses, s);
}

static void parse_untraced(struct trace *t, json_t *o, struct logfile *f)
{
	struct trace_untraced *u = xcalloc(1, sizeof *u);

	u->pid = (int)tr_jint(o, K_PID, 0);
	u->ts = tr_jint(o, K_TS, 0);
	u->path = tr_path_dup(json_object_get(o, K_PATH), true);
	u->why = str_dup(o, K_WHY);
	u->fallback = str_dup(o, K_FALLBACK);
	u->proc = f->proc; /* fixed up after pass 1 if it came later */
	tr_pv_push(&t->untraced, u);
}

static void parse_net(struct trace *t, json_t *o, struct logfile *f)
{
	struct trace_net *n;
	const char *addr = tr_jstr(o, K_ADDR), *e = tr_jstr(o, K_ERRNO);
	long long port = tr_jint(o, K_PORT, -1);

	if (!addr || port < 0 || port > 65535)
		return;
	n = xcalloc(1, sizeof *n);
	n->pid = (int)tr_jint(o, K_PID, 0);
	n->ts = tr_jint(o, K_TS, 0);
	n->addr = xstrdup(addr);
	n->port = (unsigned)port;
	if (e) {
		n->errname = xstrdup(e);
		n->err = errno_from_name(e);
	}
	n->proc = f->proc; /* fixed up after pass 1 if it came later */
	tr_pv_push(&t->nets, n);
}

static void parse_priv(struct trace *t, json_t *o, struct logfile *f)
{
	struct trace_priv *v;
	const char *fn = tr_jstr(o, K_FN), *e = tr_jstr(o, K_ERRNO);
	json_t *path = json_object_get(o, K_PATH);

	if (!fn || !e)
		return;
	v = xcalloc(1, sizeof *v);
	v->pid = (int)tr_jint(o, K_PID, 0);
	v->ts = tr_jint(o, K_TS, 0);
	v->fn = xstrdup(fn);
	v->path = path ? tr_path_dup(path, false) : NULL;
	v->args = str_dup(o, K_ARGS);
	v->errname = xstrdup(e);
	v->proc = f->proc; /* fixed up after pass 1 if it came later */
	tr_pv_push(&t->privs, v);
}

static unsigned long parse_hex(json_t *v)
{
	if (json_is_integer(v))
		return (unsigned long)json_integer_value(v);
	if (json_is_string(v))
		return strtoul(json_string_value(v), NULL, 0);
	return 0;
}

static void parse_stack(json_t *o, struct logfile *f)
{
	struct trace_stack *s;
	json_t *a = json_object_get(o, K_FRAMES), *v;
	const char *id = tr_jstr(o, K_ID);
	size_t i;

	if (!id)
		return;
	s = xcalloc(1, sizeof *s);
	s->id = xstrdup(id);
	s->frames = xcalloc(json_array_size(a) + 1, sizeof *s->frames);
	json_array_foreach (a, i, v) {
		struct trace_frame *fr = &s->frames[s->nframes++];
		const char *sym = tr_jstr(v, K_FRAME_SYMBOL);

		fr->module =
		    tr_path_dup(json_object_get(v, K_FRAME_MODULE), true);
		fr->offset = parse_hex(json_object_get(v, K_FRAME_OFFSET));
		fr->symbol = sym ? xstrdup(sym) : NULL;
		fr->symoff = parse_hex(json_object_get(v, K_FRAME_SYMOFF));
	}
	f->stacks =
	    xgrow(f->stacks, &f->capstacks, f->nstacks + 1, sizeof *f->stacks);
	f->stacks[f->nstacks++] = s;
}

void tr_free_stack(struct trace_stack *s)
{
	for (int i = 0; i < s->nframes; i++) {
		free(s->frames[i].module);
		free(s->frames[i].symbol);
	}
	free(s->frames);
	free(s->id);
	free(s);
}

static int stack_cmp(const void *a, const void *b)
{
	const struct trace_stack *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

/* After pass 1 over f: its stacks sorted by id for tr_find_stack. */
void tr_sort_stacks(struct logfile *f)
{
	if (f->nstacks > 1)
		qsort(f->stacks, f->nstacks, sizeof *f->stacks, stack_cmp);
}

const struct trace_stack *tr_find_stack(const struct logfile *f, const char *id)
{
	size_t lo = 0, hi = f->nstacks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(f->stacks[mid]->id, id);

		if (!c)
			return f->stacks[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- directory states ---------------------------------------------------- */

void tr_free_dir(void *p)
{
	struct trace_dir *d = p;

	free(d->path);
	free(d);
}

/* The first record of a directory wins. */
static void parse_dir(struct trace *t, json_t *o)
{
	struct trace_dir *d;
	char *path = tr_path_dup(json_object_get(o, K_PATH), false);

	if (!path)
		return;
	d = xcalloc(1, sizeof *d);
	d->path = path;
	tr_decode_state(o, K_ST, &d->st);
	if (!map_add(&t->dirs, path, d))
		tr_free_dir(d);
}

const struct trace_dir *trace_dir_state(const struct trace *t, const char *path)
{
	return map_get(&t->dirs, path);
}

/* ---- pass 1: one record ------------------------------------------------- */

void tr_take_end(struct logfile *f, long long lost)
{
	if (f->proc) {
		f->proc->ended = true;
		f->proc->lost += (long)lost;
	}
}

/* Whether a proc record is the file's first; else it is named, and
 * ignored. */
static bool first_proc(struct trace *t, struct logfile *f, long line)
{
	if (f->proc)
		tr_diag(t, f->path, line, true,
			"a second proc record (ignored)");
	return !f->proc;
}

static void take_proc(struct trace *t, struct logfile *f, struct trace_proc *p)
{
	f->proc = p;
	tr_pv_push(&t->procs, p);
}

void tr_take_proc_fields(struct trace *t, struct logfile *f,
			 const struct tr_proc_fields *r, long line)
{
	if (first_proc(t, f, line))
		take_proc(t, f, proc_from_fields(r, f->path));
}

/* One parsed record other than an event; false when the file must be
 * skipped (a newer schema). */
bool tr_take_record(struct trace *t, struct logfile *f, json_t *o, long line)
{
	long long v = tr_jint(o, K_V, 0);

	if (v > UNROOT_SCHEMA_VERSION) {
		tr_diag(t, f->path, line, false,
			"schema version %lld is newer than this unroot reads "
			"(%d): file skipped; upgrade unroot",
			v, UNROOT_SCHEMA_VERSION);
		return false;
	}
	switch (tr_rec_from_name(tr_jstr(o, K_T))) {
	case RT_EVENT:
		f->nevents++;
		break;
	case RT_PROC:
		if (first_proc(t, f, line))
			take_proc(t, f, parse_proc(o, f->path));
		break;
	case RT_MOUNT:
		parse_mount(t, o);
		break;
	case RT_USER:
		parse_user(t, o);
		break;
	case RT_GROUP:
		parse_group(t, o);
		break;
	case RT_OS:
		parse_os(t, o);
		break;
	case RT_DIR:
		parse_dir(t, o);
		break;
	case RT_STACK:
		parse_stack(o, f);
		break;
	case RT_UNTRACED:
		parse_untraced(t, o, f);
		break;
	case RT_NET:
		parse_net(t, o, f);
		break;
	case RT_PRIV:
		parse_priv(t, o, f);
		break;
	case RT_END:
		tr_take_end(f, tr_jint(o, K_LOST, 0));
		break;
	default: /* nostacks, and types a newer preload may write */
		break;
	}
	return true;
}

/* ---- freeing ------------------------------------------------------------- */

void tr_free_mount(struct trace_mount *m)
{
	free(m->mnt);
	free(m->fs);
	free(m->src);
	free(m->root);
	free(m->opts);
	free(m);
}

void tr_free_user(struct trace_user *u)
{
	free(u->rootfs);
	free(u->name);
	free(u->home);
	free(u->shell);
	free(u);
}

void tr_free_group(struct trace_group *g)
{
	for (char **m = g->members; m && *m; m++)
		free(*m);
	free(g->members);
	free(g->rootfs);
	free(g->name);
	free(g);
}

void tr_free_os(struct trace_os *o)
{
	free(o->rootfs);
	free(o->id);
	free(o->version_id);
	free(o->pretty);
	free(o);
}

void tr_free_net(struct trace_net *n)
{
	free(n->addr);
	free(n->errname);
	free(n);
}

void tr_free_priv(struct trace_priv *v)
{
	free(v->fn);
	free(v->path);
	free(v->args);
	free(v->errname);
	free(v);
}

void tr_free_untraced(struct trace_untraced *u)
{
	free(u->path);
	free(u->why);
	free(u->fallback);
	free(u);
}

/* ---- one line, for commands that filter logs --------------------------- */

int trace_line_record(const char *line, size_t len, int *err)
{
	json_t *o = json_loadb(line, len, 0, NULL);
	int type = -1;

	*err = 0;
	if (json_is_object(o)) {
		type = tr_rec_from_name(tr_jstr(o, K_T));
		if (type == RT_EVENT && tr_jstr(o, K_ERRNO))
			*err = errno_from_name(tr_jstr(o, K_ERRNO));
	}
	json_decref(o);
	return type;
}
