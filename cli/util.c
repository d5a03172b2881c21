/*
 * util.c - the shared helpers declared in util.h: messages, allocation,
 * string buffers, terminal-safe path printing, errno names, the JSON form
 * of a path and the location of the preload.  Kept free of any knowledge of
 * traces so that every command (and the unit tests) can use it.
 */
#define _GNU_SOURCE
#include "util.h"
#include "keys.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- messages ---------------------------------------------------------- */

static char cmd_prefix[64] = "unroot";
static int cmd_die_status = 1;

void set_command(const char *name, int die_status)
{
	if (name)
		snprintf(cmd_prefix, sizeof cmd_prefix, "unroot %s", name);
	else
		snprintf(cmd_prefix, sizeof cmd_prefix, "unroot");
	cmd_die_status = die_status;
}

const char *command_name(void)
{
	return cmd_prefix;
}

static void vmessage(const char *kind, int err, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	/* One write, so that messages of parallel processes do not mix. */
	sb_adds(&sb, cmd_prefix);
	sb_adds(&sb, ": ");
	if (kind)
		sb_adds(&sb, kind);
	sb_vaddf(&sb, fmt, ap);
	if (err)
		sb_addf(&sb, ": %s", strerror(err));
	sb_addc(&sb, '\n');
	fflush(stdout);
	fwrite(sb.buf, 1, sb.len, stderr);
	fflush(stderr);
	sb_release(&sb);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(NULL, 0, fmt, ap);
	va_end(ap);
	exit(cmd_die_status);
}

void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vmessage(NULL, err, fmt, ap);
	va_end(ap);
	exit(cmd_die_status);
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("warning: ", 0, fmt, ap);
	va_end(ap);
}

void warning_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vmessage("warning: ", err, fmt, ap);
	va_end(ap);
}

void errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(NULL, 0, fmt, ap);
	va_end(ap);
}

/* ---- allocation ---------------------------------------------------------- */

static void oom(void)
{
	/* No allocation here: write directly. */
	static const char msg[] = ": out of memory\n";

	if (write(2, cmd_prefix, strlen(cmd_prefix)) < 0 ||
	    write(2, msg, sizeof msg - 1) < 0)
		_exit(cmd_die_status);
	_exit(cmd_die_status);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xgrow(void *p, size_t *cap, size_t need, size_t elem_size)
{
	size_t n = *cap;

	if (need <= n)
		return p;
	if (n < 8)
		n = 8;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			oom();
		n *= 2;
	}
	if (elem_size && n > SIZE_MAX / elem_size)
		oom();
	*cap = n;
	return xrealloc(p, n * elem_size);
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	va_end(ap);
	return p;
}

/* ---- string buffer ------------------------------------------------------- */

void sb_init(struct strbuf *sb)
{
	sb->buf = (char *)"";
	sb->len = 0;
	sb->cap = 0;
}

void sb_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	if (sb->cap == 0) {
		sb->buf = NULL;
		sb->buf = xgrow(sb->buf, &sb->cap, need, 1);
		sb->buf[0] = '\0';
		return;
	}
	sb->buf = xgrow(sb->buf, &sb->cap, need, 1);
}

void sb_add(struct strbuf *sb, const void *data, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(struct strbuf *sb, char c)
{
	sb_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	sb_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->cap)
		sb->buf[0] = '\0';
}

void sb_release(struct strbuf *sb)
{
	if (sb->cap)
		free(sb->buf);
	sb_init(sb);
}

char *sb_detach(struct strbuf *sb)
{
	char *p = sb->cap ? sb->buf : xstrdup("");

	sb_init(sb);
	return p;
}

/* ---- UTF-8 and escaping -------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t l;

		if (p[i] == 0)
			return false;
		l = utf8_seq(p + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

static void sb_add_hexbyte(struct strbuf *sb, unsigned char c)
{
	sb_addf(sb, "\\x%02x", c);
}

void sb_add_path(struct strbuf *sb, const char *path)
{
	const unsigned char *p = (const unsigned char *)path;
	size_t n = strlen(path), i = 0;

	while (i < n) {
		size_t l;

		if (p[i] == '\\') {
			sb_add(sb, "\\\\", 2);
			i++;
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f) {
			sb_add_hexbyte(sb, p[i++]);
			continue;
		}
		if (p[i] < 0x80) {
			sb_addc(sb, (char)p[i++]);
			continue;
		}
		l = utf8_seq(p + i, n - i);
		if (!l || (l == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)) {
			/* invalid, or a C1 control: escape every byte */
			size_t k = l ? l : 1;

			for (size_t j = 0; j < k; j++)
				sb_add_hexbyte(sb, p[i + j]);
			i += k;
			continue;
		}
		sb_add(sb, p + i, l);
		i += l;
	}
}

char *path_escape(const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	sb_add_path(&sb, path);
	return sb_detach(&sb);
}

void fput_path(FILE *f, const char *path)
{
	char *e = path_escape(path);

	fputs(e, f);
	free(e);
}

/* ---- paths --------------------------------------------------------------- */

/*
 * The length of the parent of path[0..len) as path_dirname() gives it
 * ("/a/b" -> 2, "/a" -> 1), or 0 when it has none ("/", a relative name).
 * Walking a path's ancestors in place uses no allocation.
 */
size_t parent_len(const char *path, size_t len)
{
	size_t s = len;

	if (len <= 1)
		return 0;
	while (s > 0 && path[s - 1] != '/')
		s--;
	if (!s)
		return 0;
	s--; /* at the slash */
	while (s > 0 && path[s - 1] == '/')
		s--;
	return s ? s : 1;
}

bool path_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

char *path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	while (slash > path && slash[-1] == '/')
		slash--;
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

const char *path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return path;
	if (slash[1] == '\0' && slash != path) {
		/* trailing slash: unusual for normalised paths */
		return slash + 1;
	}
	return slash + 1;
}

/* ---- JSON ---------------------------------------------------------------- */

json_t *json_path(const char *path)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(path);
	json_t *o;
	char *h;

	if (utf8_valid(path, n))
		return json_stringn(path, n);
	h = xmalloc(2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		h[2 * i] = hex[(unsigned char)path[i] >> 4];
		h[2 * i + 1] = hex[(unsigned char)path[i] & 15];
	}
	h[2 * n] = '\0';
	o = json_object();
	json_object_set_new(o, K_HEX, json_string(h));
	free(h);
	return o;
}

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool hex_path_decode(const char *hex, size_t n, struct strbuf *sb)
{
	if (n % 2)
		return false;
	sb_grow(sb, n / 2);
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);

		if (hi < 0 || lo < 0 || (!hi && !lo))
			return false;
		sb_addc(sb, (char)(hi << 4 | lo));
	}
	return true;
}

char *json_path_value(const json_t *v)
{
	struct strbuf sb = STRBUF_INIT;
	const char *h;

	if (json_is_string(v)) {
		if (memchr(json_string_value(v), 0, json_string_length(v)))
			return NULL;
		return xstrdup(json_string_value(v));
	}
	h = json_string_value(json_object_get(v, K_HEX));
	if (!h || !hex_path_decode(h, strlen(h), &sb)) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

/* ---- errno names --------------------------------------------------------- */

/* clang-format off */
#define ERRNO_NAMES(X) \
	X(EPERM) X(ENOENT) X(ESRCH) X(EINTR) X(EIO) X(ENXIO) X(E2BIG) \
	X(ENOEXEC) X(EBADF) X(ECHILD) X(EAGAIN) X(ENOMEM) X(EACCES) X(EFAULT) \
	X(ENOTBLK) X(EBUSY) X(EEXIST) X(EXDEV) X(ENODEV) X(ENOTDIR) X(EISDIR) \
	X(EINVAL) X(ENFILE) X(EMFILE) X(ENOTTY) X(ETXTBSY) X(EFBIG) X(ENOSPC) \
	X(ESPIPE) X(EROFS) X(EMLINK) X(EPIPE) X(ERANGE) X(EDEADLK) X(ENAMETOOLONG) \
	X(ENOLCK) X(ENOSYS) X(ENOTEMPTY) X(ELOOP) X(ENOMSG) X(ENODATA) \
	X(ENOTSUP) X(EOVERFLOW) X(EILSEQ) X(EUSERS) X(ENOTSOCK) X(EDESTADDRREQ) \
	X(EMSGSIZE) X(EPROTOTYPE) X(EADDRINUSE) X(EADDRNOTAVAIL) X(ENETDOWN) \
	X(ECONNREFUSED) X(ECONNRESET) X(ETIMEDOUT) X(EALREADY) X(EINPROGRESS) \
	X(ESTALE) X(EDQUOT) X(ECANCELED) X(EOWNERDEAD) X(ENOTRECOVERABLE) \
	X(ENOMEDIUM) X(EMEDIUMTYPE) X(EKEYEXPIRED) X(EKEYREVOKED) X(EKEYREJECTED) \
	X(ENOKEY) X(EAFNOSUPPORT) X(EPROTONOSUPPORT) X(ENOPROTOOPT) X(ENOBUFS) \
	X(EISCONN) X(ENOTCONN) X(EHOSTUNREACH) X(ENETUNREACH) X(ESHUTDOWN) \
	X(EREMOTE) X(EUCLEAN) X(EBADFD) X(ENOLINK) X(ECOMM) X(EPROTO) \
	X(EBADMSG) X(ETIME) X(ENOSR) X(ENOSTR) X(ENONET) X(ENOPKG) X(ESOCKTNOSUPPORT)
/* clang-format on */

struct errno_entry {
	const char *name;
	int value;
};

static const struct errno_entry errno_table[] = {
#define ERRNO_ENTRY(e) {#e, e},
    ERRNO_NAMES(ERRNO_ENTRY)
#undef ERRNO_ENTRY
    /* aliases: the first name of a value wins in errno_name() */
    {"EWOULDBLOCK", EWOULDBLOCK},
    {"EOPNOTSUPP", EOPNOTSUPP},
    {"EDEADLOCK", EDEADLOCK},
};

const char *errno_name(int err)
{
	if (err == EOPNOTSUPP)
		return "EOPNOTSUPP"; /* == ENOTSUP on Linux; the usual name */
	for (size_t i = 0; i < sizeof errno_table / sizeof errno_table[0]; i++)
		if (errno_table[i].value == err)
			return errno_table[i].name;
	return NULL;
}

int errno_from_name(const char *name)
{
	char *end;
	long v;

	if (!name)
		return -1;
	for (size_t i = 0; i < sizeof errno_table / sizeof errno_table[0]; i++)
		if (!strcmp(errno_table[i].name, name))
			return errno_table[i].value;
	if (name[0] == 'E' && name[1] >= '0' && name[1] <= '9') {
		errno = 0;
		v = strtol(name + 1, &end, 10);
		if (!errno && !*end && v > 0 && v < 4096)
			return (int)v;
	}
	return -1;
}

/* ---- the preload --------------------------------------------------------- */

#define PRELOAD_REL "../lib/unroot/libunroot.so"

char *find_preload(const char **why)
{
	const char *env = getenv("UNROOT_PRELOAD");
	char exe[PATH_MAX], *slash, *cand, *abs;

	if (env && *env) {
		abs = realpath(env, NULL);
		if (!abs) {
			*why =
			    "UNROOT_PRELOAD names a file that does not exist";
			return NULL;
		}
		if (access(abs, R_OK)) {
			free(abs);
			*why =
			    "UNROOT_PRELOAD names a file that is not readable";
			return NULL;
		}
		return abs;
	}
	if (!realpath("/proc/self/exe", exe)) {
		*why = "cannot resolve /proc/self/exe";
		return NULL;
	}
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	cand = xasprintf("%s/" PRELOAD_REL, exe);
	abs = realpath(cand, NULL);
	free(cand);
	if (!abs || access(abs, R_OK)) {
		free(abs);
		*why = "libunroot.so not found at ../lib/unroot/ beside the "
		       "unroot binary (set UNROOT_PRELOAD to its path)";
		return NULL;
	}
	return abs;
}

/* ---- whole files --------------------------------------------------------- */

char *file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_add(&sb, buf, n);
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		sb_release(&sb);
		errno = e;
		return NULL;
	}
	fclose(f);
	*len = sb.len;
	return sb_detach(&sb);
}

bool pread_exact(int fd, void *buf, size_t n, off_t at)
{
	size_t have = 0;

	while (have < n) {
		ssize_t got =
		    pread(fd, (char *)buf + have, n - have, at + (off_t)have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return false;
		have += (size_t)got;
	}
	return true;
}

int file_replace(const char *path, const char *data, size_t len)
{
	char *tmp = xasprintf("%s.unroot-tmp", path);
	FILE *f = fopen(tmp, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		errmsg("cannot write %s: %s", tmp, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (rename(tmp, path)) {
		errmsg("cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

bool write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t put = write(fd, buf, len);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return false;
		buf += put;
		len -= (size_t)put;
	}
	return true;
}
