/*
 * util.h - small helpers shared by every command of the CLI: allocation
 * that dies on OOM, a growable string buffer, messages prefixed with the
 * running command ("unroot run: ..."), safe printing of untrusted paths to
 * a terminal, errno names, the JSON form of a path, and locating the
 * preload library.  Nothing here knows about traces or plans.
 */
#ifndef UNROOT_UTIL_H
#define UNROOT_UTIL_H

/* The trace directory every command uses when none is named. */
#define DEFAULT_TRACE_DIR "./unroot-trace"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "map.h"

/* ---- messages ---------------------------------------------------------
 *
 * set_command("run", 125) makes every later message read "unroot run: ..."
 * and makes die() exit with 125.  Before it is called the prefix is
 * "unroot" and die() exits with 1.
 */
void set_command(const char *name, int die_status);
const char *command_name(void); /* "unroot run" */

/* Print "unroot CMD: message\n" on stderr and exit with the die status. */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
/* Same, appending ": strerror(errno)". */
__attribute__((noreturn, format(printf, 1, 2))) void die_errno(const char *fmt,
							       ...);
/* Print "unroot CMD: warning: message\n" on stderr and go on. */
__attribute__((format(printf, 1, 2))) void warning(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void warning_errno(const char *fmt, ...);
/* Print "unroot CMD: message\n" on stderr (no "warning:"), e.g. for usage
 * errors before returning EXIT_USAGE. */
__attribute__((format(printf, 1, 2))) void errmsg(const char *fmt, ...);

/* ---- allocation: never returns NULL (dies "out of memory") ----------- */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array: *cap doubles (at least min_cap); returns the new block. */
void *xgrow(void *p, size_t *cap, size_t need, size_t elem_size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);

/* ---- string buffer: always NUL-terminated, may hold NUL bytes --------- */
struct strbuf {
	char *buf; /* "" (static) until something is added */
	size_t len, cap;
};
#define STRBUF_INIT                                   \
	{                                             \
		.buf = (char *)"", .len = 0, .cap = 0 \
	}
void sb_init(struct strbuf *sb);
void sb_grow(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const void *data, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
__attribute__((format(printf, 2, 3))) void sb_addf(struct strbuf *sb,
						   const char *fmt, ...);
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_reset(struct strbuf *sb); /* len = 0, keeps memory */
void sb_release(struct strbuf *sb);
char *sb_detach(struct strbuf *sb); /* caller frees; sb is reset empty */

/* ---- paths shown to a person ------------------------------------------
 *
 * Paths come from the traced workload and may hold any byte.  Before one
 * reaches a terminal, bytes below 0x20, 0x7f, and bytes that are not part
 * of valid UTF-8 become "\xNN"; a backslash becomes "\\".  Valid multibyte
 * UTF-8 is kept, except the C1 controls U+0080..U+009F (which terminals
 * treat as escapes) which are written as their bytes "\xc2\x9b".
 */
char *path_escape(const char *path); /* caller frees */
void sb_add_path(struct strbuf *sb, const char *path);
void fput_path(FILE *f, const char *path);

/* write(2) all of buf, again after EINTR and short writes; false with
 * errno set. */
bool write_all(int fd, const char *buf, size_t len);

/* Path helpers (byte strings, absolute, normalised as in SCHEMA.md). */
bool path_is_under(const char *path, const char *dir); /* or equal */
char *path_dirname(const char *path);	     /* "/a/b" -> "/a"; "/a" -> "/" */
const char *path_basename(const char *path); /* pointer into path */
/* The length of path[0..len)'s parent as path_dirname() gives it ("/a/b"
 * -> 2, "/a" -> 1), 0 when it has none: walks ancestors in place. */
size_t parent_len(const char *path, size_t len);

/* ---- JSON ---------------------------------------------------------------
 *
 * A path as SCHEMA.md writes it: a string when valid UTF-8 (without NUL),
 * else {"hex": "..."}.  Returns a new reference.
 */
json_t *json_path(const char *path);
/*
 * The other way, with one policy for every reader: a string without NUL,
 * or {"hex": "..."} with an even number of hex digits and no NUL byte.
 * Anything else is a damaged field and gives NULL (never a shortened
 * path).  Returns an allocated string.  hex_path_decode() appends the
 * bytes of hex[0..n) to sb; false (sb partly written) when malformed.
 */
char *json_path_value(const json_t *v);
bool hex_path_decode(const char *hex, size_t n, struct strbuf *sb);
int hex_digit(char c); /* 0-15, -1 when c is not a hex digit */
bool utf8_valid(const char *s, size_t n);

/* ---- errno names --------------------------------------------------------
 * "EACCES" <-> EACCES for the common file errors.  errno_name() returns
 * NULL for an unknown value; errno_from_name() returns -1 for an unknown
 * name (a name the table lacks but that looks like "E123" gives 123).
 */
const char *errno_name(int err);
int errno_from_name(const char *name);

/* ---- whole files --------------------------------------------------------
 *
 * file_read(): the whole file (NUL-terminated, may hold NUL bytes) and its
 * length in *len, or NULL with errno set.  file_replace(): writes DATA to
 * PATH.unroot-tmp and renames it over PATH, so PATH is never left half
 * written; 0, or -1 after a message naming the file.  pread_exact(): n
 * bytes at offset at of fd, false on an error or an early end.
 */
char *file_read(const char *path, size_t *len);
bool pread_exact(int fd, void *buf, size_t n, off_t at);
int file_replace(const char *path, const char *data, size_t len);

/* ---- the preload --------------------------------------------------------
 *
 * The absolute path of libunroot.so: $UNROOT_PRELOAD when set and
 * non-empty, else ../lib/unroot/libunroot.so relative to the directory of
 * the real path of /proc/self/exe.  Returns an allocated path, or NULL with
 * *why set (static string) when it does not exist or is not readable.
 */
char *find_preload(const char **why);

#endif
