/*
 * record.c - the records unroot-ptrace writes besides "proc" and "end"
 * (image.c): "ev" for a traced call, "dir" for an ancestor directory,
 * "net" for an inet bind (its address and port, whatever the result),
 * "priv" for a call only privilege allows that was refused, and
 * "untraced" for a program that runs without its privilege (no-new-privs)
 * or outside the filter (another ABI).  Keys, order and encoding are the
 * preload's (preload/record.c, schema/SCHEMA.md), through its encoder
 * (preload/encode.c); an "ev" record adds "tracer" and, when a path could
 * not be known, "nopath".  There is no native stack.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracer.h"

static const char *const op_names[] = {
#define OPNAME(e, n) n,
    UNROOT_OPS(OPNAME)
#undef OPNAME
};

static void put_owner(struct jbuf *j, const struct call *c)
{
	char num[48];
	int n =
	    snprintf(num, sizeof num, "[%ld,%ld]", c->owner_uid, c->owner_gid);

	jb_key(j, "owner");
	jb_raw(j, num, (size_t)n);
}

static void put_paths(struct jbuf *j, const struct pending *p)
{
	const struct call *c = &p->c;

	if (p->abs[0] || !p->nopath[0])
		jb_str(j, "path", p->abs);
	if (c->path2)
		jb_str(j, "path2", p->abs2);
	else if (c->text2)
		jb_str(j, "path2", c->text2);
	if (p->has_real)
		jb_str(j, K_REAL, p->real);
	if (c->flag_kind != FK_NONE)
		jb_flags(j, "flags", c->flags, c->flag_kind);
	if (c->has_mode)
		jb_oct(j, "mode", c->mode);
	if (c->has_owner)
		put_owner(j, c);
	if (c->argv0)
		jb_str(j, "argv0", c->argv0);
}

/* ret, errno (absent on success), pid, tid (absent when the pid), ts; the
 * image's proc record started first: its ids are what an event's uid/gid
 * omit */
static void put_outcome(struct jbuf *j, const struct thread *t, long ret,
			int err)
{
	struct image *img = t->img;

	jb_int(j, "ret", ret);
	if (err)
		jb_lit(j, "errno", ur_errno_name(err));
	jb_int(j, "pid", img->pid);
	if (t->tid != img->pid)
		jb_int(j, "tid", t->tid);
	jb_int(j, "ts", ur_now_ns());
	tr_image_start(img);
}

/* The ids a credentials call asked for, as text: 1 to 3 of a set*id
 * call's arguments by its name, or the first UR_PRIV_IDS groups of a
 * setgroups list (read from the tracee, which the call leaves as it
 * was); (uid_t)-1 as -1, as the preload writes them. */
static void ids_text(const struct thread *t, char *out, size_t cap)
{
	const char *name = t->d->name;
	unsigned ids[UR_PRIV_IDS];
	int n = !strncmp(name, "setres", 6)  ? 3
		: !strncmp(name, "setre", 5) ? 2
					     : 1;
	size_t o = 0;

	for (int i = 0; i < n; i++)
		ids[i] = (unsigned)t->args[i];
	if (!strcmp(name, "setgroups")) {
		n = t->args[0] < UR_PRIV_IDS ? (int)t->args[0] : UR_PRIV_IDS;
		if (n && tr_read_mem(t->img, t->tid, t->args[1], ids,
				     (size_t)n * sizeof *ids))
			n = 0;
	}
	out[0] = 0;
	for (int i = 0; i < n && o < cap; i++) {
		int k = ids[i] == (unsigned)-1
			    ? snprintf(out + o, cap - o, "%s-1", i ? "," : "")
			    : snprintf(out + o, cap - o, "%s%u", i ? "," : "",
				       ids[i]);
		if (k < 0)
			break;
		o += (size_t)k;
	}
}

void tr_record_priv(struct thread *t, const char *path)
{
	static char buf[UR_PATH_MAX + 512];
	struct image *img = t->img;
	char ids[UR_PRIV_IDS * 12];
	struct jbuf j;

	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_PRIV);
	jb_lit(&j, "fn", t->d->name);
	if (path) {
		jb_str(&j, "path", path);
	} else {
		ids_text(t, ids, sizeof ids);
		jb_str(&j, K_ARGS, ids);
	}
	put_outcome(&j, t, -1, EPERM);
	jb_lit(&j, K_TRACER, TRACER_NAME);
	tr_image_record(img, &j);
}

void tr_record_net(struct thread *t, const struct pending *p, long ret, int err)
{
	char buf[256];
	struct jbuf j;

	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_NET);
	jb_lit(&j, "fn", t->d->name);
	jb_str(&j, K_ADDR, p->addr);
	jb_int(&j, K_PORT, p->port);
	put_outcome(&j, t, ret, err);
	jb_lit(&j, K_TRACER, TRACER_NAME);
	tr_image_record(t->img, &j);
}

void tr_record_event(struct thread *t, const struct pending *p, long ret,
		     int err)
{
	static char buf[4 * UR_PATH_MAX + 4096];
	struct image *img = t->img;
	const struct call *c = &p->c;
	struct jbuf j;

	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_EVENT);
	jb_lit(&j, "op", c->op < OP__COUNT ? op_names[c->op] : "?");
	jb_lit(&j, "fn", c->fn);
	put_paths(&j, p);
	put_outcome(&j, t, ret, err);
	if (t->euid != img->euid)
		jb_int(&j, "uid", t->euid);
	if (t->egid != img->egid)
		jb_int(&j, "gid", t->egid);
	jb_state(&j, "st", &p->st, p->has_st);
	if (c->path2)
		jb_state(&j, "st2", &p->st2, p->has_st2);
	if (p->parent[0])
		jb_state(&j, "parent", &p->pst, p->has_pst);
	jb_lit(&j, K_TRACER, TRACER_NAME);
	if (p->nopath[0])
		jb_str(&j, K_NOPATH, p->nopath);
	tr_image_record(img, &j);
}

void tr_record_dir(struct image *img, const char *path, size_t n)
{
	char tmp[UR_PATH_MAX];
	char buf[UR_PATH_MAX + 256];
	struct stat st;
	struct jbuf j;

	memcpy(tmp, path, n);
	tmp[n] = 0;
	bool present = lstat(tmp, &st) == 0;
	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_DIR);
	jb_strn(&j, "path", path, n);
	jb_state(&j, "st", &st, present);
	tr_image_record(img, &j);
}

void tr_record_untraced(struct image *img, pid_t pid, const char *path,
			const char *why)
{
	char buf[UR_PATH_MAX + 256];
	struct jbuf j;

	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_UNTRACED);
	jb_int(&j, "pid", pid);
	jb_int(&j, "ts", ur_now_ns());
	jb_str(&j, "path", path);
	jb_str(&j, "why", why);
	jb_lit(&j, K_TRACER, TRACER_NAME);
	tr_image_record(img, &j);
}
