/*
 * sys.c - raw system calls for the tracer's own I/O.  Going through
 * ur_syscall (rawsys.h) instead of libc's wrappers keeps the tracer from
 * re-entering its own wrappers and from touching libc state the workload
 * can see (stdio buffers, locks).  It still sets errno on failure: every
 * entry point that runs inside a workload's call saves errno and puts it
 * back (ur_begin, ur_end, ur_after; the exec and start-up paths).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "unroot.h"

long ur_sys_openat(int dirfd, const char *path, int flags, int mode)
{
	return ur_syscall(SYS_openat, dirfd, path, flags, mode);
}

long ur_sys_open(const char *path, int flags, int mode)
{
	return ur_sys_openat(AT_FDCWD, path, flags, mode);
}

/* state.c's and known.c's, in the preload; the fallback tracer, which
 * builds this file too, has neither (weak: NULL there) */
extern int ur_enabled __attribute__((weak));
bool ur_fd_closing_begin(int fd) __attribute__((weak));
void ur_fd_closing_end(bool counted) __attribute__((weak));

/* In the preload, counted as a close of an unknown number, as syscall()'s
 * wrapper counts the tracer's own closes (known.c); the call itself is
 * made inline. */
long ur_sys_close(int fd)
{
	bool counted = &ur_enabled && ur_enabled && ur_fd_closing_begin &&
		       ur_fd_closing_begin(-1);
	long r = ur_syscall(SYS_close, fd);
	if (counted)
		ur_fd_closing_end(true);
	return r;
}

long ur_sys_read(int fd, void *buf, size_t n)
{
	return ur_syscall(SYS_read, fd, buf, n);
}

long ur_sys_write(int fd, const void *buf, size_t n)
{
	return ur_syscall(SYS_write, fd, buf, n);
}

long ur_sys_lstat(const char *path, struct stat *st)
{
	return ur_syscall(SYS_newfstatat, AT_FDCWD, path, st,
			  AT_SYMLINK_NOFOLLOW);
}

long ur_sys_stat(const char *path, struct stat *st)
{
	return ur_syscall(SYS_newfstatat, AT_FDCWD, path, st, 0);
}

long ur_sys_fstat(int fd, struct stat *st)
{
	return ur_syscall(SYS_fstat, fd, st);
}

long ur_sys_readlink(const char *path, char *buf, size_t n)
{
	return ur_syscall(SYS_readlinkat, AT_FDCWD, path, buf, n);
}

long ur_sys_getpid(void)
{
	return ur_syscall(SYS_getpid);
}

/*
 * The calling thread's own /proc entry TAIL ("fd/3", "exe", "cmdline"):
 * /proc/thread-self/TAIL, which stays there after the main thread has
 * left by pthread_exit, where /proc/self's fd, exe, cwd, cmdline, ns and
 * mountinfo are that thread's and go with it.  A thread that keeps its
 * own descriptor table (clone without CLONE_FILES) is read right too.
 * /proc/self/TAIL only where the kernel has no thread-self (before
 * 3.17): known once /proc is there, and remembered.
 */
static int thread_self; /* 0 not known yet, 1 there, 2 missing */

static bool has_thread_self(void)
{
	int k = __atomic_load_n(&thread_self, __ATOMIC_RELAXED);
	struct stat st;

	if (k)
		return k == 1;
	if (ur_sys_lstat("/proc/thread-self", &st) == 0)
		k = 1;
	else if (ur_sys_lstat("/proc/self", &st) == 0)
		k = 2;
	else
		return false; /* no /proc yet: ask again later */
	__atomic_store_n(&thread_self, k, __ATOMIC_RELAXED);
	return k == 1;
}

static void proc_name(char *out, size_t cap, const char *tail)
{
	const char *head =
	    has_thread_self() ? "/proc/thread-self/" : "/proc/self/";
	size_t h = strlen(head), t = strlen(tail);

	if (h + t >= cap)
		t = cap - h - 1;
	memcpy(out, head, h);
	memcpy(out + h, tail, t);
	out[h + t] = 0;
}

long ur_sys_proc_open(const char *tail)
{
	char path[64];

	proc_name(path, sizeof path, tail);
	return ur_sys_open(path, O_RDONLY | O_CLOEXEC, 0);
}

long ur_sys_proc_readlink(const char *tail, char *buf, size_t n)
{
	char path[64];

	proc_name(path, sizeof path, tail);
	return ur_sys_readlink(path, buf, n);
}

/* All of fd (closed after) into buf, NUL-terminated; returns its length. */
static size_t read_all(long fd, char *buf, size_t cap)
{
	size_t len = 0;

	if (fd < 0 || cap == 0) {
		if (cap)
			buf[0] = 0;
		if (fd >= 0)
			ur_sys_close((int)fd);
		return 0;
	}
	while (len + 1 < cap) {
		long n = ur_sys_read((int)fd, buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	ur_sys_close((int)fd);
	return len;
}

/* Read a whole small file into buf (NUL-terminated); returns its length. */
size_t ur_read_file(const char *path, char *buf, size_t cap)
{
	return read_all(ur_sys_open(path, O_RDONLY | O_CLOEXEC, 0), buf, cap);
}

/* The same of the calling thread's /proc entry TAIL (ur_sys_proc_open). */
size_t ur_read_proc(const char *tail, char *buf, size_t cap)
{
	return read_all(ur_sys_proc_open(tail), buf, cap);
}
