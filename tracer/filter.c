/*
 * filter.c - the seccomp filter: SECCOMP_RET_TRACE for the calls of
 * syscalls.def, SECCOMP_RET_ALLOW for everything else, so that reads and
 * every other call run at full speed and never wake the tracer.
 *
 * - Only x86_64 system calls are traced.  Calls made through another ABI
 *   (the i386 int 0x80 entry, x32 numbers) are allowed untraced: their
 *   numbers mean other calls.  A 32-bit program is recorded as untraced
 *   at its exec (record.c, why "arch").
 * - open and openat stop only when their flags argument (checked in the
 *   filter) has a bit that can write: an access mode other than O_RDONLY,
 *   O_CREAT, O_TRUNC, O_APPEND or O_TMPFILE's own bit; with --reads every
 *   open stops, and so do the probes (stat family, access, connect).
 * - The set*id calls stop so that the events after them carry the ids the
 *   thread has (decode.c).
 *
 * Once installed the filter cannot be removed and is inherited by every
 * descendant: with no tracer attached, a SECCOMP_RET_TRACE call fails with
 * ENOSYS.  The tracer attaches with PTRACE_O_EXITKILL (loop.c) so that
 * its tracees never run on without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tracer.h"

#define X32_SYSCALL_BIT 0x40000000U
#define OPEN_WRITE_BITS                                        \
	((unsigned)(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | \
		    (O_TMPFILE & ~O_DIRECTORY)))
#define MAX_INSNS 512

#define STMT(code, k)                                       \
	(struct sock_filter)                                \
	{                                                   \
		(unsigned short)(code), 0, 0, (unsigned)(k) \
	}
#define JUMP(code, k, jt, jf)                                \
	(struct sock_filter)                                 \
	{                                                    \
		(unsigned short)(code), (unsigned char)(jt), \
		    (unsigned char)(jf), (unsigned)(k)       \
	}
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))

static bool traced(const struct sysdesc *d, bool reads)
{
	return d->cls != SC_P || reads;
}

/* The program into f; its length.  floor: the exec family is allowed
 * (--filter-only: with no tracer, a stopped exec would fail). */
static int build(struct sock_filter *f, bool reads, bool floor)
{
	int n = 0;
	const unsigned ret_allow = SECCOMP_RET_ALLOW;
	const unsigned ret_trace = SECCOMP_RET_TRACE;

	f[n++] =
	    STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = STMT(BPF_RET | BPF_K, ret_allow);
	f[n++] =
	    STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	f[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
	f[n++] = STMT(BPF_RET | BPF_K, ret_allow);
	for (int i = 0; i < tr_nsys; i++) {
		const struct sysdesc *d = &tr_sys[i];
		if (!traced(d, reads) ||
		    (floor && (d->nr == SYS_execve || d->nr == SYS_execveat)))
			continue;
		if (d->cls == SC_O && !reads) {
			/* nr? then the flags decide */
			f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, d->nr, 0, 4);
			f[n++] =
			    STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(d->flags));
			f[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K,
				      OPEN_WRITE_BITS, 0, 1);
			f[n++] = STMT(BPF_RET | BPF_K, ret_trace);
			f[n++] = STMT(BPF_RET | BPF_K, ret_allow);
		} else {
			f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, d->nr, 0, 1);
			f[n++] = STMT(BPF_RET | BPF_K, ret_trace);
		}
	}
	f[n++] = STMT(BPF_RET | BPF_K, ret_allow);
	return n;
}

int tr_filter_install(bool reads, bool floor)
{
	static struct sock_filter f[MAX_INSNS];
	struct sock_fprog prog = {.len = (unsigned short)build(f, reads, floor),
				  .filter = f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
		return 0;
	if (errno == ENOSYS &&
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
		return 0;
	return errno;
}
