/*
 * exec.c - what a program image that an exec just started is: its ELF
 * kind, whether the preload records it (the tracer then only follows it:
 * each event is recorded once), and why it runs otherwise than untraced.
 *
 * Invariants:
 * - A new image is read from /proc/PID first (exe, environ).  Those are
 *   closed to a tracer without CAP_SYS_PTRACE once the process runs as
 *   another user (gosu's target, after setuid: Docker's default
 *   capabilities have no CAP_SYS_PTRACE); the image is then read through
 *   the attachment alone: the file its exec call named (the interpreter
 *   a script names) and the environment on its new stack, word by word
 *   with PTRACE_PEEKDATA.  A preloaded program is never recorded twice
 *   for want of /proc.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <unistd.h>

#include "tracer.h"

/* The ELF kind of a file (elf.h); UR_ELF_OTHER when unreadable. */
enum ur_elf_kind tr_file_kind(const char *path)
{
	unsigned char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return UR_ELF_OTHER;
	ssize_t n = pread(fd, buf, sizeof buf, 0);
	enum ur_elf_kind k = ur_elf_kind(fd, buf, n);
	close(fd);
	return k;
}

/* The interpreter a script at path names ("#!/bin/sh -e": /bin/sh), in
 * out; false when path is no script. */
static bool script_interpreter(const char *path, char *out, size_t cap)
{
	char head[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pread(fd, head, sizeof head - 1, 0);

	if (fd >= 0)
		close(fd);
	if (n < 3 || head[0] != '#' || head[1] != '!')
		return false;
	head[n] = 0;
	char *p = head + 2 + strspn(head + 2, " \t");
	size_t len = strcspn(p, " \t\r\n");

	if (*p != '/' || len >= cap)
		return false;
	memcpy(out, p, len);
	out[len] = 0;
	return true;
}

/* The new stack of t at its exec stop, read through the attachment
 * alone: the stack pointer is at argc, then argv's pointers and a NULL,
 * envp's and a NULL, then the auxiliary vector.  The address of envp[0],
 * or 0. */
static unsigned long long stack_envp(const struct thread *t, struct image *peek)
{
	struct user_regs_struct r;
	unsigned long long argc = 0;

	if (ptrace(PTRACE_GETREGS, t->tid, NULL, &r) != 0 ||
	    tr_read_mem(peek, t->tid, r.rsp, &argc, sizeof argc) ||
	    argc > 65536)
		return 0;
	return r.rsp + 8 * (argc + 2);
}

/* The path t's exec call named, from the auxiliary vector (AT_EXECFN),
 * into out; false when it cannot be read or is not absolute. */
static bool stack_execfn(const struct thread *t, char *out, size_t cap)
{
	struct image peek = {.pid = t->tid, .fd = -1, .memfd = -2};
	unsigned long long at = stack_envp(t, &peek), v[2] = {1, 0};

	for (int i = 0; at && i < 4096 && v[0]; i++, at += 8)
		if (tr_read_mem(&peek, t->tid, at, v, sizeof v[0]))
			return false;
	for (int i = 0; at && i < 64; i++, at += 16) {
		if (tr_read_mem(&peek, t->tid, at, v, sizeof v) || !v[0])
			return false;
		if (v[0] == AT_EXECFN)
			return tr_read_str(&peek, t->tid, v[1], out, cap) > 0 &&
			       out[0] == '/';
	}
	return false;
}

/* The file the program t's exec started runs, to open or stat, in out:
 * /proc/PID/exe, else (closed to this tracer) the path its exec call named
 * (decoded at the call, else AT_EXECFN), or the interpreter that file
 * names as a script; false when none is known. */
static bool exec_file(const struct thread *t, char *out, size_t cap)
{
	struct stat st;
	char interp[PATH_MAX];
	const char *named = NULL;

	snprintf(out, cap, "/proc/%d/exe", (int)t->tid);
	if (stat(out, &st) == 0)
		return true;
	if (t->described && t->p && t->d && t->d->cls == SC_X && t->p->abs[0])
		named = t->p->abs;
	else if (!stack_execfn(t, out, cap))
		return false;
	if (named) {
		if (strlen(named) >= cap)
			return false;
		memmove(out, named, strlen(named) + 1);
	}
	if (script_interpreter(out, interp, sizeof interp) &&
	    strlen(interp) < cap)
		memcpy(out, interp, strlen(interp) + 1);
	return true;
}

void tr_exec_image(const struct thread *t, struct exec_image *x)
{
	if (!exec_file(t, x->file, sizeof x->file))
		x->file[0] = 0;
	x->kind = x->file[0] ? tr_file_kind(x->file) : UR_ELF_OTHER;
}

/* The environment on the new stack of t (NUL-separated, as
 * /proc/PID/environ has it) into env; its length. */
static long stack_environ(const struct thread *t, char *env, size_t cap)
{
	struct image peek = {.pid = t->tid, .fd = -1, .memfd = -2};
	unsigned long long at = stack_envp(t, &peek), ptr;
	size_t len = 0;

	for (int i = 0; at && i < 4096 && len + 1 < cap; i++, at += 8) {
		if (tr_read_mem(&peek, t->tid, at, &ptr, sizeof ptr) || !ptr)
			break;
		long n = tr_read_str(&peek, t->tid, ptr, env + len, cap - len);
		if (n < 0)
			break;
		len += (size_t)n + 1;
	}
	return (long)len;
}

/*
 * A dynamic program whose environment preloads libunroot.so with a log
 * directory: the preload records it, the tracer only follows it (each
 * event is recorded once).
 */
bool tr_exec_preloaded(const struct thread *t, const struct exec_image *x)
{
	static char env[65536];
	bool preload = false, log = false;

	if (x->kind != UR_ELF_DYNAMIC)
		return false;
	long n = tr_proc_file(t->tid, "environ", env, sizeof env);
	if (n <= 0)
		n = stack_environ(t, env, sizeof env);
	for (long i = 0; i < n; i += (long)strlen(env + i) + 1) {
		const char *e = env + i;
		if (!strncmp(e, "LD_PRELOAD=", 11) && strstr(e, "libunroot.so"))
			preload = true;
		if (!strncmp(e, UNROOT_ENV_LOG "=/", sizeof UNROOT_ENV_LOG + 1))
			log = true;
	}
	return preload && log;
}

/*
 * Why the program t just exec'd does not run as it would untraced: a
 * set-id or file-capability program gets no privilege under no-new-privs
 * ("nnp"); a program of another ABI is not seen by the filter ("arch").
 * x: the image, as tr_exec_image found it; euid/egid: the ids of the thread
 * before the exec (no-new-privs keeps them).  NULL when it runs as usual.
 */
const char *tr_exec_untraced_why(const struct exec_image *x, uid_t euid,
				 gid_t egid)
{
	struct stat st;
	long uid = (long)euid, gid = (long)egid;

	if (!x->file[0] || stat(x->file, &st) != 0)
		return NULL;
	if (ur_secure_reason(x->file, &st, &uid, &gid))
		return UNTRACED_NNP;
	if (x->kind == UR_ELF_OTHERABI)
		return UNTRACED_ARCH;
	return NULL;
}
