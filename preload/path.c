/*
 * path.c - turning the paths a call names into the absolute, lexically
 * normalised paths of the record: against the cwd (as cwd.c remembers
 * it), a dirfd, or an fd.
 * Symlinks are not resolved here, except where asked: a walk of each
 * component (ur_walk_real), and where a call lands once its directory's
 * real path is known (ur_land: the record's `real`, which the preload's
 * record.c and the fallback tracer both add when a symlink changes where
 * a write lands).
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

/* The path /proc gives for fd (known.c caches it: ur_fd_path). */
bool ur_fd_readlink(int fd, char *out, size_t cap)
{
	char tail[16] = "fd/";
	char num[12];
	int i = sizeof num;
	unsigned u = (unsigned)fd;

	do {
		num[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	memcpy(tail + 3, num + i, sizeof num - (size_t)i);
	tail[3 + sizeof num - (size_t)i] = 0;
	long n = ur_sys_proc_readlink(tail, out, cap - 1);
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

/*
 * One component of a walk: seg (n bytes) appended to the resolved prefix
 * out (olen bytes, "" for the root) and looked at.  A symlink's target
 * replaces it at the front of what is left (rest from *pos): its length
 * is returned, and the prefix stays (a relative target is read from the
 * link's directory) or is emptied (an absolute one).  0: a real
 * component, now part of out; -1: the walk cannot go on.
 */
static long walk_step(char *out, size_t *olen, const char *seg, size_t n,
		      char *rest, size_t *pos, size_t cap)
{
	struct stat st;
	size_t len = *olen + 1 + n;

	if (len >= cap)
		return -1;
	out[*olen] = '/';
	memcpy(out + *olen + 1, seg, n);
	out[len] = 0;
	if (ur_sys_lstat(out, &st) != 0)
		return -1;
	if (!S_ISLNK(st.st_mode)) {
		if (rest[*pos] && !S_ISDIR(st.st_mode))
			return -1;
		*olen = len;
		return 0;
	}
	/* the target goes into out's free tail, then to the front of rest */
	long t = ur_sys_readlink(out, out + len + 1, cap - len - 2);
	size_t left = strlen(rest + *pos), sep = left ? 1 : 0;
	if (t <= 0 || (size_t)t + sep + left >= cap)
		return -1;
	memmove(rest + t + sep, rest + *pos, left + 1);
	memcpy(rest, out + len + 1, (size_t)t);
	if (sep)
		rest[t] = '/';
	*pos = 0;
	if (rest[0] == '/')
		*olen = 0;
	out[*olen] = 0;
	return t;
}

bool ur_walk_real(const char *abs, char *out, char *rest, size_t cap)
{
	size_t olen = 0, pos = 0, n = strlen(abs);
	int links = 0;

	if (abs[0] != '/' || n >= cap)
		return false;
	memmove(rest, abs, n + 1); /* rest may be abs */
	out[0] = 0;
	while (rest[pos]) {
		while (rest[pos] == '/')
			pos++;
		const char *seg = rest + pos;
		size_t len = 0; /* (not strcspn: its code and table are two
				 * pages a forked child would fault in) */
		while (seg[len] && seg[len] != '/')
			len++;
		pos += len;
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (olen > 0 && out[--olen] != '/')
				;
			out[olen] = 0;
			continue;
		}
		long t = walk_step(out, &olen, seg, len, rest, &pos, cap);
		if (t < 0 || (t > 0 && ++links > 40))
			return false;
	}
	if (olen == 0)
		memcpy(out, "/", 2);
	return true;
}

bool ur_follows_final_symlink(const struct call *c)
{
	if (c->nofollow)
		return false;
	switch (c->op) {
	case OP_OPEN:
	case OP_TRUNCATE:
	case OP_CHMOD:
	case OP_CHOWN:
	case OP_UTIME:
	case OP_XATTR:
	case OP_EXEC:
	case OP_READ:
		return true;
	default:
		return false;
	}
}

bool ur_land(const char *abs, bool link, char *out, size_t cap)
{
	const char *base = strrchr(abs, '/');
	size_t rl = strlen(out);

	if (link) {
		char target[PATH_MAX];
		long n = ur_sys_readlink(abs, target, sizeof target - 1);

		if (n > 0 &&
		    (target[0] == '/' ? (size_t)n : rl + 1 + (size_t)n) < cap) {
			target[n] = 0;
			if (target[0] == '/') {
				memcpy(out, target, (size_t)n + 1);
			} else {
				out[rl] = '/';
				memcpy(out + rl + 1, target, (size_t)n + 1);
			}
			ur_normalize(out);
			return true;
		}
	}
	if (!base || !strcmp(abs, "/") || rl + strlen(base) + 1 > cap)
		return false;
	memcpy(out + rl, base, strlen(base) + 1);
	ur_normalize(out);
	return true;
}
