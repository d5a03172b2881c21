/*
 * rawsys.h - the tracer's own system calls: ur_syscall(SYS_x, args...),
 * as syscall(2) (-1 and errno on failure), with the instruction inline on
 * x86-64 (syscall() elsewhere).
 *
 * libc's syscall() is wrapped by the preload (wrap.c): going through it
 * cost every call the wrapper's argument copying and, in a forked child,
 * a page fault for the code of each of the two functions.  Calls that
 * close or replace descriptors, fork or exec keep syscall(), whose
 * wrapper counts them (known.c), except the tracer's own closes, which
 * ur_sys_close (sys.c) counts itself.  Self-contained: elfkind.c, which
 * the CLI and the fallback tracer build too, uses it.
 */
#ifndef UNROOT_RAWSYS_H
#define UNROOT_RAWSYS_H

#include <errno.h>
#include <unistd.h>

#if defined(__x86_64__) && !defined(__clang_analyzer__)
/* (the analyzer cannot see what the kernel writes through the arguments:
 * it is shown syscall()'s opaque call instead) */
#define UR_RAWSYS_INLINE 1

/* The kernel's own answer: -errno on failure; errno is not touched. */
static inline long ur_raw_syscall_ret(long n, long a, long b, long c, long d,
				      long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#endif

static inline long ur_raw_syscall(long n, long a, long b, long c, long d,
				  long e, long f)
{
#ifdef UR_RAWSYS_INLINE
	long ret = ur_raw_syscall_ret(n, a, b, c, d, e, f);
	if ((unsigned long)ret > -4096UL) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
#else
	return syscall(n, a, b, c, d, e, f);
#endif
}

/* up to six arguments, each passed as a long; the missing ones are 0 */
#define UR_SYSCALL7(n, a, b, c, d, e, f, ...)                           \
	ur_raw_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), \
		       (long)(e), (long)(f))
#define ur_syscall(...) UR_SYSCALL7(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)

#endif
