/*
 * encode.c - the allocation-free JSON encoder of the preload.  Records are
 * built into a caller's fixed buffer; an overflow is remembered and the
 * record dropped by the caller, never written half.  Paths that are not
 * valid UTF-8 become {"hex": "..."} as schema/SCHEMA.md defines.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "unroot.h"

void jb_init(struct jbuf *j, char *buf, size_t cap)
{
	j->p = buf;
	j->len = 0;
	j->cap = cap;
	j->comma = false;
	j->overflow = false;
}

void jb_raw(struct jbuf *j, const char *s, size_t n)
{
	if (j->len + n > j->cap) {
		j->overflow = true;
		return;
	}
	memcpy(j->p + j->len, s, n);
	j->len += n;
}

static void jb_ch(struct jbuf *j, char c)
{
	if (j->len + 1 > j->cap) {
		j->overflow = true;
		return;
	}
	j->p[j->len++] = c;
}

void jb_key(struct jbuf *j, const char *key)
{
	if (j->comma)
		jb_ch(j, ',');
	jb_ch(j, '"');
	jb_raw(j, key, strlen(key));
	jb_raw(j, "\":", 2);
	j->comma = true;
}

void jb_begin(struct jbuf *j, const char *type)
{
	jb_ch(j, '{');
	j->comma = false;
	jb_str(j, "t", type);
}

void jb_end(struct jbuf *j)
{
	jb_raw(j, "}\n", 2);
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	unsigned cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static bool valid_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		size_t len = utf8_seq(u + i, n - i);
		if (!len)
			return false;
		i += len;
	}
	return true;
}

static const char hexdigits[] = "0123456789abcdef";

static void jb_hex_object(struct jbuf *j, const char *s, size_t n)
{
	jb_raw(j, "{\"hex\":\"", 8);
	if (j->len + 2 * n > j->cap) {
		j->overflow = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		j->p[j->len++] = hexdigits[c >> 4];
		j->p[j->len++] = hexdigits[c & 15];
	}
	jb_raw(j, "\"}", 2);
}

/* A JSON string value, escaped; or the hex object for non-UTF-8 bytes. */
void jb_value_str(struct jbuf *j, const char *s, size_t n)
{
	if (!valid_utf8(s, n)) {
		jb_hex_object(j, s, n);
		return;
	}
	jb_ch(j, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		jb_raw(j, s + run, i - run);
		run = i + 1;
		char esc[6] = {'\\', 'u', '0', '0', hexdigits[c >> 4],
			       hexdigits[c & 15]};
		switch (c) {
		case '"':
			jb_raw(j, "\\\"", 2);
			break;
		case '\\':
			jb_raw(j, "\\\\", 2);
			break;
		case '\n':
			jb_raw(j, "\\n", 2);
			break;
		case '\t':
			jb_raw(j, "\\t", 2);
			break;
		default:
			jb_raw(j, esc, 6);
		}
	}
	jb_raw(j, s + run, n - run);
	jb_ch(j, '"');
}

void jb_strn(struct jbuf *j, const char *key, const char *s, size_t n)
{
	jb_key(j, key);
	jb_value_str(j, s, n);
}

void jb_str(struct jbuf *j, const char *key, const char *s)
{
	if (!s) {
		jb_null(j, key);
		return;
	}
	jb_strn(j, key, s, strlen(s));
}

void jb_int(struct jbuf *j, const char *key, long long v)
{
	char tmp[24];
	int i = sizeof tmp;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
				     : (unsigned long long)v;
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	jb_key(j, key);
	jb_raw(j, tmp + i, sizeof tmp - (size_t)i);
}

void jb_bool(struct jbuf *j, const char *key, bool v)
{
	jb_key(j, key);
	if (v)
		jb_raw(j, "true", 4);
	else
		jb_raw(j, "false", 5);
}

void jb_null(struct jbuf *j, const char *key)
{
	jb_key(j, key);
	jb_raw(j, "null", 4);
}

void jb_oct(struct jbuf *j, const char *key, unsigned mode)
{
	char o[6] = {'"', (char)('0' + ((mode >> 9) & 7)),
		     (char)('0' + ((mode >> 6) & 7)),
		     (char)('0' + ((mode >> 3) & 7)), (char)('0' + (mode & 7)),
		     '"'};
	jb_key(j, key);
	jb_raw(j, o, sizeof o);
}

static const char *type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFDIR:
		return "dir";
	case S_IFLNK:
		return "symlink";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "sock";
	case S_IFCHR:
		return "chr";
	case S_IFBLK:
		return "blk";
	default:
		return "file";
	}
}

void jb_state(struct jbuf *j, const char *key, const struct stat *st,
	      bool present)
{
	if (!present) {
		jb_null(j, key);
		return;
	}
	jb_key(j, key);
	jb_ch(j, '{');
	j->comma = false;
	jb_str(j, "type", type_name(st->st_mode));
	jb_int(j, "uid", st->st_uid);
	jb_int(j, "gid", st->st_gid);
	jb_oct(j, "mode", st->st_mode & 07777);
	jb_ch(j, '}');
	j->comma = true;
}

struct flag_name {
	int bit;
	const char *name;
};

static const struct flag_name open_flags[] = {
	{O_CREAT, "O_CREAT"},	  {O_EXCL, "O_EXCL"},
	{O_NOCTTY, "O_NOCTTY"},	  {O_TRUNC, "O_TRUNC"},
	{O_APPEND, "O_APPEND"},	  {O_NONBLOCK, "O_NONBLOCK"},
	{O_DSYNC, "O_DSYNC"},	  {O_DIRECT, "O_DIRECT"},
	{O_NOFOLLOW, "O_NOFOLLOW"}, {O_NOATIME, "O_NOATIME"},
	{O_CLOEXEC, "O_CLOEXEC"}, {O_PATH, "O_PATH"},
	{0, NULL},
};

static const struct flag_name at_flags[] = {
	{AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"},
	{AT_REMOVEDIR, "AT_REMOVEDIR"},
	{AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"},
	{AT_EMPTY_PATH, "AT_EMPTY_PATH"},
	{0, NULL},
};

static const struct flag_name rename_flags[] = {
	{RENAME_NOREPLACE, "RENAME_NOREPLACE"},
	{RENAME_EXCHANGE, "RENAME_EXCHANGE"},
	{RENAME_WHITEOUT, "RENAME_WHITEOUT"},
	{0, NULL},
};

static void add_flag(struct jbuf *j, bool *first, const char *name)
{
	if (!*first)
		jb_ch(j, '|');
	jb_raw(j, name, strlen(name));
	*first = false;
}

static void add_table(struct jbuf *j, bool *first, int flags,
		      const struct flag_name *t)
{
	for (; t->name; t++)
		if (flags & t->bit)
			add_flag(j, first, t->name);
}

void jb_flags(struct jbuf *j, const char *key, int flags, enum flag_kind kind)
{
	bool first = true;

	jb_key(j, key);
	jb_ch(j, '"');
	if (kind == FK_OPEN) {
		int acc = flags & O_ACCMODE;
		add_flag(j, &first,
			 acc == O_WRONLY ? "O_WRONLY"
			 : acc == O_RDWR ? "O_RDWR"
					 : "O_RDONLY");
		if ((flags & O_TMPFILE) == O_TMPFILE) {
			add_flag(j, &first, "O_TMPFILE");
			flags &= ~O_TMPFILE;
		} else if (flags & O_DIRECTORY) {
			add_flag(j, &first, "O_DIRECTORY");
		}
		if ((flags & O_SYNC) == O_SYNC) {
			add_flag(j, &first, "O_SYNC");
			flags &= ~(O_SYNC & ~O_DSYNC);
		}
		add_table(j, &first, flags, open_flags);
	} else if (kind == FK_AT) {
		add_table(j, &first, flags, at_flags);
	} else if (kind == FK_RENAME) {
		add_table(j, &first, flags, rename_flags);
	}
	jb_ch(j, '"');
}

const char *ur_errno_name(int e)
{
	switch (e) {
#define E(x)                                                                   \
	case x:                                                                \
		return #x;
		E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG)
		E(ENOEXEC) E(EBADF) E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES)
		E(EFAULT) E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR)
		E(EISDIR) E(EINVAL) E(ENFILE) E(EMFILE) E(ETXTBSY) E(EFBIG)
		E(ENOSPC) E(ESPIPE) E(EROFS) E(EMLINK) E(ENAMETOOLONG)
		E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(EOPNOTSUPP) E(EDQUOT)
		E(EADDRINUSE) E(EADDRNOTAVAIL) E(ECONNREFUSED) E(ENOTSOCK)
		E(EAFNOSUPPORT) E(ENODATA) E(EOVERFLOW) E(EILSEQ) E(ESTALE)
		E(EBADMSG)
#undef E
	default:
		return "EUNKNOWN";
	}
}

long long ur_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
