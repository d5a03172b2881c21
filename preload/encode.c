/*
 * encode.c - the allocation-free JSON encoder of the preload.  Records are
 * built into a caller's fixed buffer; an overflow is remembered and the
 * record dropped by the caller, never written half.  Paths that are not
 * valid UTF-8 become {"hex": "..."} as schema/SCHEMA.md defines.
 */
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "unroot.h"

void jb_init(struct jbuf *j, char *buf, size_t cap)
{
	j->p = buf;
	j->len = 0;
	j->cap = cap;
	j->comma = false;
	j->overflow = false;
}

/*
 * Room for n more bytes: the write position, or NULL once the record
 * cannot fit (remembered: the caller drops it).  Each field reserves its
 * worst case once and is written with plain stores, never a check per
 * character.
 */
static inline char *room(struct jbuf *j, size_t n)
{
	if (UNLIKELY(j->overflow || j->cap - j->len < n)) {
		j->overflow = true;
		return NULL;
	}
	return j->p + j->len;
}

static inline void commit(struct jbuf *j, const char *end)
{
	j->len = (size_t)(end - j->p);
}

void jb_raw(struct jbuf *j, const char *s, size_t n)
{
	char *o = room(j, n);
	if (o) {
		memcpy(o, s, n);
		j->len += n;
	}
}

static void jb_ch(struct jbuf *j, char c)
{
	char *o = room(j, 1);
	if (o) {
		*o = c;
		j->len++;
	}
}

/*
 * Copy n bytes; short ones (keys, names) without a call to memcpy: two
 * overlapping loads and stores that stay inside both ranges.
 */
static inline void copy(char *d, const char *s, size_t n)
{
	if (n > 16) {
		memcpy(d, s, n);
	} else if (n >= 8) {
		uint64_t a, b;
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else if (n) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

/* ,"key": into o (which has n + 4 bytes); the end */
static inline char *put_key(struct jbuf *j, char *o, const char *key, size_t n)
{
	if (j->comma)
		*o++ = ',';
	*o++ = '"';
	copy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	j->comma = true;
	return o;
}

void jb_keyn(struct jbuf *j, const char *key, size_t n)
{
	char *o = room(j, n + 4);
	if (o)
		commit(j, put_key(j, o, key, n));
}

void jb_begin(struct jbuf *j, const char *type)
{
	jb_ch(j, '{');
	j->comma = false;
	jb_lit(j, K_T, type);
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

/* {"hex":" */
#define HEX_HEAD "{\"" K_HEX "\":\""

static void jb_hex_object(struct jbuf *j, const char *s, size_t n)
{
	char *o = room(j, 2 * n + sizeof HEX_HEAD + 1);
	if (!o)
		return;
	memcpy(o, HEX_HEAD, sizeof HEX_HEAD - 1);
	o += sizeof HEX_HEAD - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		*o++ = hexdigits[c >> 4];
		*o++ = hexdigits[c & 15];
	}
	*o++ = '"';
	*o++ = '}';
	commit(j, o);
}

/* Bytes copied as they are: printable ASCII but for '"' and '\\'. */
static const unsigned char plain[256] = {
    [0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20 */
    1,		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x30 */
    1,		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
    1,		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50 */
    1,		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
    1,		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 0x70 */
};

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
/* a byte of w is below b (b <= 0x80): exact for "is there one" */
#define HAS_LESS(w, b) (((w)-ONES * (b)) & ~(w)&HIGHS)
#define HAS_BYTE(w, b) HAS_LESS((w) ^ (ONES * (b)), 1)

/*
 * How many bytes at the start of s are plain: 16 at a time where SSE2 is
 * (every x86-64), then 8 at a time, then a table.
 */
static size_t plain_prefix(const char *s, size_t n)
{
	size_t i = 0;

#if defined(__SSE2__)
	const __m128i low = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\'), del = _mm_set1_epi8(0x7f);
	for (; i + 16 <= n; i += 16) {
		__m128i v =
		    _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		/* signed: bytes >= 0x80 are below 0x20 too */
		__m128i bad =
		    _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, low),
					      _mm_cmpeq_epi8(v, quote)),
				 _mm_or_si128(_mm_cmpeq_epi8(v, bslash),
					      _mm_cmpeq_epi8(v, del)));
		unsigned mask = (unsigned)_mm_movemask_epi8(bad);
		if (mask)
			return i + (size_t)__builtin_ctz(mask);
	}
#endif
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if ((w & HIGHS) | HAS_LESS(w, 0x20) | HAS_BYTE(w, '"') |
		    HAS_BYTE(w, '\\') | HAS_BYTE(w, 0x7f))
			break;
	}
	while (i < n && plain[(unsigned char)s[i]])
		i++;
	return i;
}

/*
 * A JSON string value, escaped; or the hex object for non-UTF-8 bytes.
 * The common case (a path of printable ASCII) is one scan and one copy;
 * otherwise the rest is validated once and then escaped.
 */
void jb_value_str(struct jbuf *j, const char *s, size_t n)
{
	size_t k = plain_prefix(s, n);
	char *o;

	if (LIKELY(k == n)) {
		o = room(j, n + 2);
		if (!o)
			return;
		*o++ = '"';
		copy(o, s, n);
		o[n] = '"';
		commit(j, o + n + 1);
		return;
	}
	if (!valid_utf8(s + k, n - k)) {
		jb_hex_object(j, s, n);
		return;
	}
	o = room(j, k + 6 * (n - k) + 2);
	if (!o)
		return;
	*o++ = '"';
	memcpy(o, s, k);
	o += k;
	for (size_t i = k; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (plain[c] || c >= 0x80) {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"':
		case '\\':
			*o++ = (char)c;
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\t':
			*o++ = 't';
			break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hexdigits[c >> 4];
			o[4] = hexdigits[c & 15];
			o += 5;
		}
	}
	*o++ = '"';
	commit(j, o);
}

void jb_strn_(struct jbuf *j, const char *key, size_t kn, const char *s,
	      size_t n)
{
	jb_keyn(j, key, kn);
	jb_value_str(j, s, n);
}

void jb_str_(struct jbuf *j, const char *key, size_t kn, const char *s)
{
	if (!s) {
		jb_null_(j, key, kn);
		return;
	}
	jb_strn_(j, key, kn, s, strlen(s));
}

/* A string the caller knows needs no escaping (names, identifiers). */
void jb_litn(struct jbuf *j, const char *key, size_t kn, const char *s)
{
	size_t n = strlen(s);
	char *o = room(j, kn + n + 6);
	if (!o)
		return;
	o = put_key(j, o, key, kn);
	*o++ = '"';
	copy(o, s, n);
	o[n] = '"';
	commit(j, o + n + 1);
}

static const char digit_pairs[201] = "00010203040506070809101112131415161718192"
				     "021222324252627282930313233343536373839"
				     "40414243444546474849505152535455565758596"
				     "061626364656667686970717273747576777879"
				     "8081828384858687888990919293949596979899";

/* The digits of u (below 2^32) at o, which has room for 12; the end.
 * Written right-aligned into tmp and moved with one fixed-size copy (the
 * bytes after the digits land in o's room and are overwritten or
 * ignored). */
static char *put_u32(char *o, uint32_t u)
{
	char tmp[24];
	int i = 12;

	while (u >= 100) {
		uint32_t r = u % 100;
		u /= 100;
		i -= 2;
		memcpy(tmp + i, digit_pairs + 2 * r, 2);
	}
	if (u >= 10) {
		i -= 2;
		memcpy(tmp + i, digit_pairs + 2 * u, 2);
	} else {
		tmp[--i] = (char)('0' + u);
	}
	memcpy(o, tmp + i, 12);
	return o + 12 - i;
}

/* Exactly eight digits of u (below 10^8), leading zeros kept. */
static char *put_8digits(char *o, uint32_t u)
{
	uint32_t hi = u / 10000, lo = u % 10000;

	memcpy(o, digit_pairs + 2 * (hi / 100), 2);
	memcpy(o + 2, digit_pairs + 2 * (hi % 100), 2);
	memcpy(o + 4, digit_pairs + 2 * (lo / 100), 2);
	memcpy(o + 6, digit_pairs + 2 * (lo % 100), 2);
	return o + 8;
}

/* u above 2^32 (10 to 20 digits): its first digits, then eight and eight */
static __attribute__((noinline)) char *put_big(char *o, unsigned long long u)
{
	unsigned long long hi = u / 100000000ULL;

	if (hi <= 0xffffffffULL) {
		o = put_u32(o, (uint32_t)hi);
	} else {
		o = put_u32(o, (uint32_t)(hi / 100000000ULL));
		o = put_8digits(o, (uint32_t)(hi % 100000000ULL));
	}
	return put_8digits(o, (uint32_t)(u % 100000000ULL));
}

/*
 * The decimal digits of u at o, which has room for 20 (put_u32's copy of
 * 12 bytes stays inside them); the end.  In 32-bit arithmetic, eight
 * digits at a time beyond 2^32: about half the instructions of a 64-bit
 * division per pair (a nanosecond timestamp is in every record).
 */
static inline char *put_u64(char *o, unsigned long long u)
{
	if (LIKELY(u <= 0xffffffffULL))
		return put_u32(o, (uint32_t)u);
	return put_big(o, u);
}

char *ur_put_u64(char *o, unsigned long long u)
{
	return put_u64(o, u);
}

char *ur_put_hex(char *o, unsigned long long v, int digits)
{
	for (int i = digits - 1; i >= 0; i--, v >>= 4)
		o[i] = hexdigits[v & 15];
	return o + digits;
}

void jb_int_(struct jbuf *j, const char *key, size_t kn, long long v)
{
	char *o = room(j, kn + 4 + 21);
	if (!o)
		return;
	o = put_key(j, o, key, kn);
	if (v < 0) {
		*o++ = '-';
		o = put_u64(o, 0ULL - (unsigned long long)v);
	} else {
		o = put_u64(o, (unsigned long long)v);
	}
	commit(j, o);
}

void jb_bool_(struct jbuf *j, const char *key, size_t kn, bool v)
{
	jb_keyn(j, key, kn);
	if (v)
		jb_raw(j, "true", 4);
	else
		jb_raw(j, "false", 5);
}

void jb_null_(struct jbuf *j, const char *key, size_t kn)
{
	jb_keyn(j, key, kn);
	jb_raw(j, "null", 4);
}

static char *put_oct(char *o, unsigned mode)
{
	o[0] = '"';
	o[1] = (char)('0' + ((mode >> 9) & 7));
	o[2] = (char)('0' + ((mode >> 6) & 7));
	o[3] = (char)('0' + ((mode >> 3) & 7));
	o[4] = (char)('0' + (mode & 7));
	o[5] = '"';
	return o + 6;
}

void jb_oct_(struct jbuf *j, const char *key, size_t kn, unsigned mode)
{
	char *o = room(j, kn + 4 + 6);
	if (o)
		commit(j, put_oct(put_key(j, o, key, kn), mode));
}

/* {"type":"T","uid": for each file type, as one copy */
#define STATE_HEAD(t) "{\"" K_TYPE "\":\"" t "\",\"" K_UID "\":"
#define STATE_GID     ",\"" K_GID "\":"
#define STATE_MODE    ",\"" K_MODE "\":"
static const struct {
	const char *s;
	unsigned char n;
} state_heads[] = {
    {STATE_HEAD("file"), sizeof STATE_HEAD("file") - 1},
    {STATE_HEAD("dir"), sizeof STATE_HEAD("dir") - 1},
    {STATE_HEAD("symlink"), sizeof STATE_HEAD("symlink") - 1},
    {STATE_HEAD("fifo"), sizeof STATE_HEAD("fifo") - 1},
    {STATE_HEAD("sock"), sizeof STATE_HEAD("sock") - 1},
    {STATE_HEAD("chr"), sizeof STATE_HEAD("chr") - 1},
    {STATE_HEAD("blk"), sizeof STATE_HEAD("blk") - 1},
};

static int type_index(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFDIR:
		return 1;
	case S_IFLNK:
		return 2;
	case S_IFIFO:
		return 3;
	case S_IFSOCK:
		return 4;
	case S_IFCHR:
		return 5;
	case S_IFBLK:
		return 6;
	default:
		return 0;
	}
}

void jb_state_(struct jbuf *j, const char *key, size_t kn,
	       const struct stat *st, bool present)
{
	if (!present) {
		jb_null_(j, key, kn);
		return;
	}
	/* key, the head, two ids, the mode and the braces */
	char *o = room(j, kn + 4 + 24 + 2 * 21 + 16);
	if (!o)
		return;
	o = put_key(j, o, key, kn);
	int t = type_index(st->st_mode);
	memcpy(o, state_heads[t].s, state_heads[t].n);
	o = put_u64(o + state_heads[t].n, st->st_uid);
	memcpy(o, STATE_GID, sizeof STATE_GID - 1);
	o = put_u64(o + sizeof STATE_GID - 1, st->st_gid);
	memcpy(o, STATE_MODE, sizeof STATE_MODE - 1);
	o = put_oct(o + sizeof STATE_MODE - 1, st->st_mode & 07777);
	*o++ = '}';
	commit(j, o);
}

struct flag_name {
	int bit;
	const char *name;
};

static const struct flag_name open_flags[] = {
    {O_CREAT, "O_CREAT"},
    {O_EXCL, "O_EXCL"},
    {O_NOCTTY, "O_NOCTTY"},
    {O_TRUNC, "O_TRUNC"},
    {O_APPEND, "O_APPEND"},
    {O_NONBLOCK, "O_NONBLOCK"},
    {O_DSYNC, "O_DSYNC"},
    {O_DIRECT, "O_DIRECT"},
    {O_NOFOLLOW, "O_NOFOLLOW"},
    {O_NOATIME, "O_NOATIME"},
    {O_CLOEXEC, "O_CLOEXEC"},
    {O_PATH, "O_PATH"},
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

void jb_flags_(struct jbuf *j, const char *key, size_t kn, int flags,
	       enum flag_kind kind)
{
	bool first = true;

	jb_keyn(j, key, kn);
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
	/* clang-format off */
	switch (e) {
#define E(x) case x: return #x;
	E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG)
	E(ENOEXEC) E(EBADF) E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES)
	E(EFAULT) E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR)
	E(EISDIR) E(EINVAL) E(ENFILE) E(EMFILE) E(ETXTBSY) E(EFBIG)
	E(ENOSPC) E(ESPIPE) E(EROFS) E(EMLINK) E(ENAMETOOLONG) E(ENOSYS)
	E(ENOTEMPTY) E(ELOOP) E(EOPNOTSUPP) E(EDQUOT) E(EADDRINUSE)
	E(EADDRNOTAVAIL) E(ECONNREFUSED) E(ENOTSOCK) E(EAFNOSUPPORT)
	E(ENODATA) E(EOVERFLOW) E(EILSEQ) E(ESTALE) E(EBADMSG)
#undef E
	default:
		return "EUNKNOWN";
	}
	/* clang-format on */
}

/*
 * The clock.  The vDSO's clock_gettime reads two data pages (vvar) that
 * each new image faults in (2 faults, about 25 us here), where a system
 * call costs about 1.5 us: an image's first readings ask the kernel, and
 * only one that goes on reading the clock pays the faults once.  Both read
 * the same CLOCK_REALTIME.  The count is a hint (a lost increment only
 * delays the switch), kept in the .data page start-up writes anyway;
 * ur_now_ns_uncounted reads the same way and counts nothing (a vfork
 * child writes none of its parent's memory).
 */
#define KERNEL_READINGS 8
static unsigned clock_readings START_STATE;

long long ur_now_ns_uncounted(void)
{
	struct timespec ts;

	if (__atomic_load_n(&clock_readings, __ATOMIC_RELAXED) >=
		KERNEL_READINGS ||
	    ur_syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts) != 0)
		clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long ur_now_ns(void)
{
	if (__atomic_load_n(&clock_readings, __ATOMIC_RELAXED) <
	    KERNEL_READINGS)
		__atomic_fetch_add(&clock_readings, 1, __ATOMIC_RELAXED);
	return ur_now_ns_uncounted();
}

uint64_t ur_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

bool ur_inet_text(const void *sa, size_t len, char *addr, size_t cap,
		  unsigned *port)
{
	const struct sockaddr *s = sa;
	const void *a;

	if (s->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = sa;

		a = &in->sin_addr;
		*port = ntohs(in->sin_port);
	} else if (s->sa_family == AF_INET6 &&
		   len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = sa;

		a = &in6->sin6_addr;
		*port = ntohs(in6->sin6_port);
	} else {
		return false;
	}
	return inet_ntop(s->sa_family, a, addr, (socklen_t)cap) != NULL;
}
