/*
 * trace.c - the log reader declared in trace.h: its names (operations,
 * file types), the predicates every command shares, its diagnostics, the
 * frames of a stack a person wants to read, and the accessors.  Reading is
 * done by the files trace_private.h lists; only they know the JSON of
 * SCHEMA.md, the other commands see only the structs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "trace_private.h"

/* ---- names --------------------------------------------------------------- */

static const char *const op_names[] = {
#define OP_NAME(e, s) s,
    UNROOT_OPS(OP_NAME)
#undef OP_NAME
};

static const char *const ft_names[] = {
#define FT_NAME(e, s) s,
    UNROOT_FILE_TYPES(FT_NAME)
#undef FT_NAME
};

static const char *const rec_names[] = {
#define REC_NAME(e) REC_##e,
    UNROOT_RECORD_TYPES(REC_NAME)
#undef REC_NAME
};

/* The index of name in names[0..n), or -1. */
static int name_index(const char *const *names, int n, const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

const char *op_name(enum unroot_op op)
{
	return unroot_op_name(op);
}

int op_from_name(const char *name)
{
	return name_index(op_names, OP__COUNT, name);
}

const char *file_type_name(enum file_type t)
{
	if ((int)t < 0 || t >= FT__COUNT)
		return "?";
	return ft_names[t];
}

int tr_file_type_from_name(const char *name)
{
	return name_index(ft_names, FT__COUNT, name);
}

int tr_rec_from_name(const char *name)
{
	return name_index(rec_names, RT__COUNT, name);
}

/* ---- what an event is ---------------------------------------------------- */

bool trace_event_writes(const struct trace_event *ev)
{
	unsigned a = unroot_op_attrs(ev->op);

	if (a & OPA_BY_FLAGS)
		return UNROOT_OPEN_WRITES(ev->flags);
	return (a & OPA_WRITES) != 0;
}

bool trace_errno_denied(int err)
{
	return UNROOT_ERRNO_DENIED(err);
}

bool trace_event_denied(const struct trace_event *ev)
{
	return trace_errno_denied(ev->err) &&
	       !trace_event_erofs_on_missing_name(ev);
}

bool trace_event_erofs_on_missing_name(const struct trace_event *ev)
{
	return ev->err == EROFS && ev->st.kind == ST_ABSENT &&
	       (ev->op == OP_UNLINK || ev->op == OP_RMDIR ||
		ev->op == OP_RENAME);
}

/* ---- diagnostics --------------------------------------------------------- */

void tr_pv_push(struct ptrvec *pv, void *p)
{
	pv->v = xgrow(pv->v, &pv->cap, pv->n + 1, sizeof *pv->v);
	pv->v[pv->n++] = p;
}

void tr_diag(struct trace *t, const char *file, long line, bool warn,
	     const char *fmt, ...)
{
	struct trace_diag *d = xcalloc(1, sizeof *d);
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	d->file = file ? xstrdup(file) : NULL;
	d->line = line;
	d->message = sb_detach(&sb);
	d->warning = warn;
	tr_pv_push(&t->diags, d);
}

/* ---- frames -------------------------------------------------------------- */

static bool frame_is_system(const struct trace_frame *f)
{
	static const char *const prefixes[] = {
	    "libc.so", "libc-",	 "ld-linux",  "ld-musl",
	    "ld-",     "ld.so",	 "libunroot", "libpthread",
	    "libdl.",  "libdl-", "libunwind",
	};
	const char *base = f->module ? path_basename(f->module) : "";

	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (!strncmp(base, prefixes[i], strlen(prefixes[i])))
			return true;
	return !*base;
}

const struct trace_frame *trace_event_frame(const struct trace_event *ev)
{
	if (!ev->stack)
		return NULL;
	for (int i = 0; i < ev->stack->nframes; i++)
		if (!frame_is_system(&ev->stack->frames[i]))
			return &ev->stack->frames[i];
	return NULL;
}

char *trace_frame_text(const struct trace_frame *f)
{
	if (!f)
		return NULL;
	if (f->symbol)
		return xasprintf("%s:%s+0x%lx", path_basename(f->module),
				 f->symbol, f->symoff);
	return xasprintf("%s+0x%lx", path_basename(f->module), f->offset);
}

/* ---- accessors ----------------------------------------------------------- */

size_t trace_nprocs(const struct trace *t)
{
	return t->procs.n;
}

const struct trace_proc *trace_proc_at(const struct trace *t, size_t i)
{
	return i < t->procs.n ? t->procs.v[i] : NULL;
}

size_t trace_nmounts(const struct trace *t)
{
	return t->mounts.n;
}

const struct trace_mount *trace_mount_at(const struct trace *t, size_t i)
{
	return i < t->mounts.n ? t->mounts.v[i] : NULL;
}

size_t trace_nusers(const struct trace *t)
{
	return t->users.n;
}

const struct trace_user *trace_user_at(const struct trace *t, size_t i)
{
	return i < t->users.n ? t->users.v[i] : NULL;
}

size_t trace_ngroups(const struct trace *t)
{
	return t->groups.n;
}

const struct trace_group *trace_group_at(const struct trace *t, size_t i)
{
	return i < t->groups.n ? t->groups.v[i] : NULL;
}

size_t trace_nos(const struct trace *t)
{
	return t->oses.n;
}

const struct trace_os *trace_os_at(const struct trace *t, size_t i)
{
	return i < t->oses.n ? t->oses.v[i] : NULL;
}

size_t trace_nnets(const struct trace *t)
{
	return t->nets.n;
}

const struct trace_net *trace_net_at(const struct trace *t, size_t i)
{
	return i < t->nets.n ? t->nets.v[i] : NULL;
}

size_t trace_npriv(const struct trace *t)
{
	return t->privs.n;
}

const struct trace_priv *trace_priv_at(const struct trace *t, size_t i)
{
	return i < t->privs.n ? t->privs.v[i] : NULL;
}

size_t trace_nuntraced(const struct trace *t)
{
	return t->untraced.n;
}

const struct trace_untraced *trace_untraced_at(const struct trace *t, size_t i)
{
	return i < t->untraced.n ? t->untraced.v[i] : NULL;
}

size_t trace_ndiags(const struct trace *t)
{
	return t->diags.n;
}

const struct trace_diag *trace_diag_at(const struct trace *t, size_t i)
{
	return i < t->diags.n ? t->diags.v[i] : NULL;
}

long long trace_nevents(const struct trace *t)
{
	return t->nevents;
}

const void *trace_meta(const struct trace *t, size_t dir_index)
{
	return dir_index < t->ndirs ? t->meta[dir_index].json : NULL;
}

size_t trace_ndirs(const struct trace *t)
{
	return t->ndirs;
}

const char *trace_meta_command(const struct trace *t, size_t dir)
{
	return dir < t->ndirs ? t->meta[dir].command : NULL;
}

bool trace_meta_exit(const struct trace *t, size_t dir, long long *status)
{
	if (dir >= t->ndirs || !t->meta[dir].has_exit)
		return false;
	*status = t->meta[dir].exit;
	return true;
}

size_t trace_nbinds(const struct trace *t)
{
	return t->binds.n;
}

const struct trace_bind *trace_bind_at(const struct trace *t, size_t i)
{
	return i < t->binds.n ? t->binds.v[i] : NULL;
}

size_t trace_nunseen(const struct trace *t)
{
	return t->unseen.n;
}

const struct trace_unseen *trace_unseen_at(const struct trace *t, size_t i)
{
	return i < t->unseen.n ? t->unseen.v[i] : NULL;
}

const struct trace_layer *trace_meta_layer(const struct trace *t, size_t dir)
{
	return dir < t->ndirs ? t->meta[dir].layer : NULL;
}

const struct trace_run *trace_meta_run(const struct trace *t, size_t dir)
{
	return dir < t->ndirs ? t->meta[dir].run : NULL;
}

const char *trace_program(const struct trace_proc *p, const char *unknown)
{
	if (!p)
		return unknown;
	if (p->exe && *p->exe)
		return path_basename(p->exe);
	if (p->argv0 && *p->argv0)
		return path_basename(p->argv0);
	return unknown;
}
