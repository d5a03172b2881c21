/*
 * decode.c - one traced call, from its registers to its record.
 *
 * At the seccomp stop (tr_call_entry) the call's arguments are read from
 * the tracee: its paths, made absolute against the thread's cwd
 * (/proc/TID/cwd) or the process's descriptor (/proc/PID/fd/N), and the
 * state of the target, the second name and the parent before the call
 * (lstat), as the preload describes them.  At the exit stop
 * (tr_call_exit) the result and errno complete the record.  Probes (stat,
 * access, connect with --reads) are decoded only at the exit stop and only
 * when denied, as the preload records them.
 *
 * A path that cannot be read or made absolute is still recorded: the call,
 * its result and, in "nopath", why the path is unknown.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "tracer.h"

/* A string argument into buf; NULL (with the reason) when unreadable. */
static const char *arg_str(struct thread *t, struct pending *p,
			   unsigned long long addr, char *buf, size_t cap)
{
	long r = tr_read_str(t->img, t->tid, addr, buf, cap);

	if (r >= 0)
		return buf;
	tr_nopath(p, "cannot read the tracee's memory", (int)r);
	return NULL;
}

/* A unix socket's path from a sockaddr argument, or NULL; an inet
 * socket's address in p->addr (p->net). */
static const char *sock_path(struct thread *t, struct pending *p)
{
	union {
		struct sockaddr_un un;
		struct sockaddr_storage ss;
	} sa;
	struct sockaddr_un *un = &sa.un;
	unsigned long long len = t->args[2];
	size_t off = offsetof(struct sockaddr_un, sun_path);

	if (len <= off)
		return NULL;
	if (len > sizeof sa)
		len = sizeof sa;
	memset(&sa, 0, sizeof sa);
	int r = tr_read_mem(t->img, t->tid, t->args[1], &sa, (size_t)len);
	if (r < 0) {
		tr_nopath(p, "cannot read the socket address", r);
		return p->path; /* "": recorded with the reason */
	}
	if (un->sun_family != AF_UNIX) {
		p->net = ur_inet_text(&sa.ss, (size_t)len, p->addr,
				      sizeof p->addr, &p->port);
		return NULL;
	}
	if (!un->sun_path[0])
		return NULL;
	size_t n = strnlen(un->sun_path, (size_t)len - off);
	if (n > sizeof p->path - 1)
		n = sizeof p->path - 1;
	memcpy(p->path, un->sun_path, n);
	p->path[n] = 0;
	return p->path;
}

/*
 * An open that writes, as the preload decides it (ur_open_writes in
 * preload/record.c, which the helper cannot link: record.c is the
 * preload's in-process recorder).  The filter stops exactly the opens
 * this can be true of (filter.c).
 */
static bool open_writes(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY ||
	       (flags & (O_CREAT | O_TRUNC | O_APPEND)) ||
	       (flags & O_TMPFILE) == O_TMPFILE;
}

static void open_flags(struct thread *t, struct pending *p)
{
	const struct sysdesc *d = t->d;
	struct call *c = &p->c;
	unsigned long long how[3] = {0, 0, 0}; /* struct open_how */

	if (d->extra == SX_CREAT) {
		c->flags = O_CREAT | O_WRONLY | O_TRUNC;
		c->mode = (unsigned)t->args[d->mode];
	} else if (d->extra == SX_OPENAT2) {
		if (tr_read_mem(t->img, t->tid, t->args[2], how, sizeof how))
			tr_nopath(p, "cannot read open_how", EFAULT);
		c->flags = (int)how[0];
		c->mode = (unsigned)how[1];
	} else {
		c->flags = (int)t->args[d->flags];
		c->mode = (unsigned)t->args[d->mode];
	}
	c->flag_kind = FK_OPEN;
	c->op = open_writes(c->flags) ? OP_OPEN : OP_READ;
	c->has_mode =
	    (c->flags & O_CREAT) || (c->flags & O_TMPFILE) == O_TMPFILE;
	c->nofollow = c->flags & O_NOFOLLOW;
}

/* The path arguments of the call. */
static void decode_paths(struct thread *t, struct pending *p)
{
	const struct sysdesc *d = t->d;
	struct call *c = &p->c;

	if (d->dirfd >= 0)
		c->dirfd = (int)t->args[d->dirfd];
	if (d->extra == SX_SOCK) {
		c->path = sock_path(t, p);
		p->skip = !c->path;
	} else if (d->path >= 0 && t->args[d->path]) {
		c->path =
		    arg_str(t, p, t->args[d->path], p->path, sizeof p->path);
	} else if (d->path >= 0 && d->extra != SX_EMPTYPATH) {
		tr_nopath(p, "NULL path", EFAULT);
	}
	if (d->extra == SX_EMPTYPATH &&
	    (!t->args[d->path] ||
	     (c->path && !c->path[0] && (c->flags & AT_EMPTY_PATH)))) {
		c->fd = c->dirfd; /* the call acts on the descriptor */
		c->path = NULL;
	}
	if (d->fd >= 0 && d->extra != SX_SOCK)
		c->fd = (int)t->args[d->fd];
	if (d->dirfd2 >= 0)
		c->dirfd2 = (int)t->args[d->dirfd2];
	if (d->path2 >= 0)
		c->path2 =
		    arg_str(t, p, t->args[d->path2], p->path2, sizeof p->path2);
	if (d->text2 >= 0)
		c->text2 =
		    arg_str(t, p, t->args[d->text2], p->text2, sizeof p->text2);
	if (d->extra == SX_EXEC) {
		unsigned long long argv = t->args[d->dirfd >= 0 ? 2 : 1];
		unsigned long long a0 = 0;
		if (argv &&
		    !tr_read_mem(t->img, t->tid, argv, &a0, sizeof a0) && a0 &&
		    tr_read_str(t->img, t->tid, a0, p->argv0,
				sizeof p->argv0) >= 0)
			c->argv0 = p->argv0;
	}
}

/* The call's description: struct call, as the preload's wrappers fill it. */
static void decode(struct thread *t, struct pending *p)
{
	const struct sysdesc *d = t->d;
	struct call c = CALL_INIT(d->op, d->name);

	p->c = c;
	p->nopath[0] = 0;
	p->path[0] = 0;
	p->skip = false;
	p->net = false;
	if (d->extra == SX_OPEN || d->extra == SX_CREAT ||
	    d->extra == SX_OPENAT2) {
		open_flags(t, p);
	} else if (d->flags >= 0) {
		p->c.flags = (int)t->args[d->flags];
		p->c.flag_kind = d->fk;
		if (d->fk == FK_AT && (p->c.flags & AT_SYMLINK_NOFOLLOW))
			p->c.nofollow = true;
	}
	if (d->extra == SX_UNLINKAT && (p->c.flags & AT_REMOVEDIR))
		p->c.op = OP_RMDIR;
	if (d->extra == SX_NOFOLLOW)
		p->c.nofollow = true;
	if (d->mode >= 0 && d->cls != SC_O && d->extra != SX_CREAT &&
	    d->extra != SX_OPENAT2) {
		p->c.mode = (unsigned)t->args[d->mode];
		p->c.has_mode = true;
	}
	if (d->owner >= 0) {
		p->c.has_owner = true;
		p->c.owner_uid = (long)(int)t->args[d->owner];
		p->c.owner_gid = (long)(int)t->args[d->owner + 1];
	}
	decode_paths(t, p);
}

static struct pending *pending_of(struct thread *t)
{
	if (!t->p)
		t->p = malloc(sizeof *t->p);
	return t->p;
}

/* Decode, resolve and describe the call now; false when not recorded. */
static bool describe(struct thread *t)
{
	struct pending *p = pending_of(t);

	if (!p)
		return false;
	decode(t, p);
	if (p->skip)
		return false;
	tr_resolve(t, p);
	return true;
}

bool tr_call_entry(struct thread *t, const struct user_regs_struct *r)
{
	const struct sysdesc *d = tr_sys_find((long)r->orig_rax);

	if (!d)
		return false;
	t->d = d;
	t->args[0] = r->rdi;
	t->args[1] = r->rsi;
	t->args[2] = r->rdx;
	t->args[3] = r->r10;
	t->args[4] = r->r8;
	t->args[5] = r->r9;
	t->in_call = true;
	t->exec_done = false;
	t->described = false;
	if (d->cls == SC_C)
		return true; /* ids re-read at the exit stop */
	if (!t->img->record)
		return false;
	if (d->cls == SC_P || d->cls == SC_V)
		return true; /* decoded at the exit stop, when refused */
	if (!describe(t)) {
		/* an inet bind: its "net" record at the exit stop */
		t->in_call = t->p && t->p->net;
		return t->in_call;
	}
	t->described = true;
	if (d->cls == SC_X)
		tr_record_event(t, t->p, 0,
				0); /* before: success never returns */
	return true;
}

static bool denied(const struct sysdesc *d, long ret)
{
	return ret == -EACCES || ret == -EPERM ||
	       (d->op == OP_ACCESS && ret == -EROFS);
}

bool tr_call_exit_reads(const struct thread *t, long ret)
{
	const struct sysdesc *d = t->d;

	return t->in_call && d && ret < 0 && ret > -4096 &&
	       (d->cls == SC_P || d->cls == SC_V || d->cls == SC_C);
}

void tr_call_exit(struct thread *t, long ret)
{
	const struct sysdesc *d = t->d;

	if (!t->in_call || !d)
		return;
	t->in_call = false;
	if (d->cls == SC_C) {
		struct ids ids;
		if (tr_read_ids(t->tid, &ids) == 0) {
			t->euid = ids.euid;
			t->egid = ids.egid;
		}
		if (ret == -EPERM && t->img->record)
			tr_record_priv(t, NULL);
		return;
	}
	if (!t->img->record)
		return;
	if (d->cls == SC_V) {
		if (ret == -EPERM && describe(t))
			tr_record_priv(t, t->p->abs);
		return;
	}
	if (d->cls == SC_P) {
		if (denied(d, ret) && describe(t))
			tr_record_event(t, t->p, -1, (int)-ret);
		return;
	}
	int err = ret < 0 && ret > -4096 ? (int)-ret : 0;
	if (!t->described) {
		if (t->p && t->p->net)
			tr_record_net(t, t->p, err ? -1 : ret, err);
		return;
	}
	if (d->cls == SC_X) {
		if (ret < 0 && !t->exec_done)
			tr_record_event(t, t->p, -1, (int)-ret);
		return;
	}
	if (err) {
		tr_record_event(t, t->p, -1, err);
	} else {
		tr_learn(t->p);
		tr_record_event(t, t->p, ret, 0);
	}
}
