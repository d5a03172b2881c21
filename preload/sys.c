/*
 * sys.c - raw system calls for the tracer's own I/O.  Going through
 * ur_syscall (rawsys.h) instead of libc's wrappers keeps the tracer from
 * re-entering its own wrappers and from touching libc state the workload
 * can see (stdio buffers, locks).  It still sets errno on failure: every
 * entry point that runs inside a workload's call saves errno and puts it
 * back (ur_begin, ur_end, ur_after; the exec and start-up paths).
 */
#include <fcntl.h>
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

/* Read a whole small file into buf (NUL-terminated); returns its length. */
size_t ur_read_file(const char *path, char *buf, size_t cap)
{
	long fd = ur_sys_open(path, O_RDONLY | O_CLOEXEC, 0);
	size_t len = 0;

	if (fd < 0 || cap == 0) {
		if (cap)
			buf[0] = 0;
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
