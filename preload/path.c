/*
 * path.c - turning the paths a call names into the absolute, lexically
 * normalised paths of the record: against the cwd (as cwd.c remembers
 * it), a dirfd, or an fd.
 * Symlinks are not resolved here (record.c adds the resolved path when a
 * symlink changes where a write lands).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "unroot.h"

/* Remove ".", "..", and repeated or trailing slashes, in place. */
size_t ur_normalize(char *path)
{
	char *out = path;
	const char *in = path;
	size_t i;

	/* most paths are normal already: one scan finds out */
	if (path[0] == '/') {
		for (i = 0; path[i]; i++)
			if (path[i] == '/' &&
			    (path[i + 1] == '/' || path[i + 1] == '.' ||
			     !path[i + 1]))
				break;
		if (!path[i])
			return i;
	}

	while (*in) {
		while (*in == '/')
			in++;
		const char *seg = in;
		while (*in && *in != '/')
			in++;
		size_t n = (size_t)(in - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > path && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, seg, n);
		out += n;
	}
	if (out == path)
		*out++ = '/';
	*out = 0;
	return (size_t)(out - path);
}

/* The path /proc/self/fd gives for fd (known.c caches it: ur_fd_path). */
bool ur_fd_readlink(int fd, char *out, size_t cap)
{
	char link[32] = "/proc/self/fd/";
	char num[12];
	int i = sizeof num;
	unsigned u = (unsigned)fd;

	do {
		num[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	memcpy(link + 14, num + i, sizeof num - (size_t)i);
	link[14 + sizeof num - (size_t)i] = 0;
	long n = ur_sys_readlink(link, out, cap - 1);
	if (n <= 0)
		return false;
	out[n] = 0;
	return out[0] == '/';
}

/* The absolute form of path as seen from dirfd; false when unknown. */
bool ur_absolute(int dirfd, const char *path, char *out, size_t cap)
{
	size_t plen = path ? strlen(path) : 0;
	size_t base = 0;

	if (plen && path[0] == '/') {
		if (plen + 1 > cap)
			return false;
		memcpy(out, path, plen + 1);
		ur_normalize(out);
		return true;
	}
	if (dirfd == AT_FDCWD) {
		if (!ur_cwd(out, cap))
			return false;
	} else if (!ur_fd_path(dirfd, out, cap)) {
		return false;
	}
	base = strlen(out);
	if (base + 1 + plen + 1 > cap)
		return false;
	out[base] = '/';
	memcpy(out + base + 1, path ? path : "", plen + 1);
	ur_normalize(out);
	return true;
}

size_t ur_parent_of(const char *abs, char *out)
{
	const char *slash = strrchr(abs, '/');
	size_t n = slash && slash != abs ? (size_t)(slash - abs) : 1;

	memcpy(out, abs, n);
	out[n] = 0;
	return n;
}
