/*
 * wrap.c - the wrappers.  Regular calls are generated from calls.def; the
 * open family, stdio, temp files and sockets are written out below because
 * their arguments are variadic, out-parameters or structures.
 *
 * Every wrapper returns exactly what the real call returned, with the same
 * errno.  Reads (opens without a write flag) take a fast path: the real
 * call and one comparison; only a denied read is recorded, unless the
 * trace asked for reads.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <pty.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>
#include <utmp.h>

#include "unroot.h"

/* glibc before 2.34 (Debian 11, the payload's build) does not name it;
 * the number is the same on every architecture (Linux 5.9) */
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define SHAPE_P c.path = path;
#define SHAPE_VP   \
	(void)ver; \
	c.path = path;
#define SHAPE_AT         \
	c.dirfd = dirfd; \
	c.path = path;
#define SHAPE_VAT        \
	(void)ver;       \
	c.dirfd = dirfd; \
	c.path = path;
#define SHAPE_FD c.fd = fd;
#define SHAPE_P2       \
	c.path = path; \
	c.path2 = path2;
#define SHAPE_AT2          \
	c.dirfd = dirfd;   \
	c.path = path;     \
	c.dirfd2 = dirfd2; \
	c.path2 = path2;
#define SHAPE_SYM      \
	c.path = path; \
	c.text2 = target;
#define SHAPE_SYMAT      \
	c.dirfd = dirfd; \
	c.path = path;   \
	c.text2 = target;

#define NONE
#define NOFOLLOW c.nofollow = true;
#define MODE(m)                 \
	c.mode = (unsigned)(m); \
	c.has_mode = true;
#define OWNER(u, g)                   \
	c.has_owner = true;           \
	c.owner_uid = (long)(int)(u); \
	c.owner_gid = (long)(int)(g);
#define ATFLAGS(f)                   \
	c.flags = (int)(f);          \
	c.flag_kind = FK_AT;         \
	if ((f)&AT_SYMLINK_NOFOLLOW) \
		c.nofollow = true;
#define RFLAGS(f)           \
	c.flags = (int)(f); \
	c.flag_kind = FK_RENAME;
#define UNLINKAT(f)           \
	c.flags = (int)(f);   \
	c.flag_kind = FK_AT;  \
	if ((f)&AT_REMOVEDIR) \
		c.op = OP_RMDIR;

#define REAL(name, type)                                    \
	do {                                                \
		if (UNLIKELY(!real_##name))                 \
			real_##name = (type)ur_real(#name); \
	} while (0)

/* REAL, and ENOSYS from the wrapper (returning none) when libc has no
 * such function */
#define REAL_OR_FAIL(name, type, none)        \
	do {                                  \
		REAL(name, type);             \
		if (UNLIKELY(!real_##name)) { \
			errno = ENOSYS;       \
			return none;          \
		}                             \
	} while (0)
#define REAL_OR_ENOSYS(name, type) REAL_OR_FAIL(name, type, -1)

#define W(ret, name, op, shape, params, args, extra)              \
	static START_STATE ret(*real_##name) params;              \
	EXPORT ret name params                                    \
	{                                                         \
		REAL_OR_ENOSYS(name, ret(*) params);              \
		if (!ur_enabled)                                  \
			return real_##name args;                  \
		struct call c = CALL_INIT(OP_##op, #name);        \
		SHAPE_##shape extra;                              \
		struct scratch *s = ur_begin(&c);                 \
		ret r = s && s->performed ? (ret)s->performed_ret \
					  : real_##name args;     \
		ur_end(s, &c, (long)r, r < 0);                    \
		return r;                                         \
	}
/*
 * A call passed through, then, when tracing and `when` holds of its result
 * r, one statement: what the set*id calls, mkstemp and the wait family do.
 */
#define CALL_THEN(ret, name, params, args, when, then) \
	static START_STATE ret(*real_##name) params;   \
	EXPORT ret name params                         \
	{                                              \
		REAL_OR_ENOSYS(name, ret(*) params);   \
		ret r = real_##name args;              \
		if (ur_enabled && (when))              \
			then;                          \
		return r;                              \
	}
/* a set*id call: its refusal in a priv record, with the ids asked for,
 * then the cached ids refreshed */
static inline void creds_after(const char *fn, int r, const long *ids, int n)
{
	if (UNLIKELY(r < 0))
		ur_priv_ids(fn, ids, n, r, errno);
	ur_creds_refresh();
}
#define UR_UNPAREN(...) __VA_ARGS__
#define UR_IDS(args)                     \
	(const long[]){UR_UNPAREN args}, \
	    (int)(sizeof((const long[]){UR_UNPAREN args}) / sizeof(long))
#define C(name, params, args)                    \
	CALL_THEN(int, name, params, args, true, \
		  creds_after(#name, r, UR_IDS(args)))
/* the image ends: its end record and trimmed log first (log.c) */
#define X(name, params, args)                            \
	static START_STATE void(*real_##name) params;    \
	EXPORT void name params                          \
	{                                                \
		REAL(name, void(*) params);              \
		if (ur_enabled)                          \
			ur_log_end();                    \
		if (real_##name)                         \
			real_##name args;                \
		for (;;)                                 \
			syscall(SYS_exit_group, status); \
	}
/* The descriptor of a stream or directory stream, errno untouched. */
static int stream_fd(FILE *stream)
{
	int saved = errno;
	int fd = stream ? fileno(stream) : -1;
	errno = saved;
	return fd;
}

static int dir_fd(DIR *dir)
{
	int saved = errno;
	int fd = dir ? dirfd(dir) : -1;
	errno = saved;
	return fd;
}

/*
 * A call that may close or replace a descriptor: counted (known.c), the
 * real call between before and after, errno as it left it.  Declared
 * first: older libc headers lack some (close_range, closefrom) and glibc's
 * own names (__close).  D: nothing around the call; F: what fork's
 * handlers would do (state.c), the child being where it returned 0.
 */
#define CLOSER(ret, name, params, args, fd, before, after)             \
	ret name params;                                               \
	static START_STATE ret(*real_##name) params;                   \
	EXPORT ret name params                                         \
	{                                                              \
		REAL_OR_ENOSYS(name, ret(*) params);                   \
		if (!ur_enabled)                                       \
			return real_##name args;                       \
		int fd_ = (fd);                                        \
		bool counted_ =                                        \
		    fd_ != UR_CLOSES_NONE && ur_fd_closing_begin(fd_); \
		before;                                                \
		ret r = real_##name args;                              \
		after;                                                 \
		ur_fd_closing_end(counted_);                           \
		return r;                                              \
	}
#define D(ret, name, params, args, fd) \
	CLOSER(ret, name, params, args, fd, (void)0, (void)0)
/* errno's address taken before the call (ur_fork_after), the child's
 * code mapped before any call (ur_map_code) */
#define F(ret, name, params, args, fd)                            \
	CLOSER(ret, name, params, args, fd, int *errp_ = &errno;  \
	       ur_fork_before(),                                  \
	       ((r == 0 ? ur_map_code(ur_nchild_runs) : (void)0), \
		ur_fork_after(r == 0, errp_)))
#define DV(name, params, args)                                         \
	void name params;                                              \
	static START_STATE void(*real_##name) params;                  \
	EXPORT void name params                                        \
	{                                                              \
		REAL(name, void(*) params);                            \
		bool counted_ = ur_enabled && ur_fd_closing_begin(-1); \
		if (real_##name)                                       \
			real_##name args;                              \
		else                                                   \
			syscall(SYS_close_range, fd, ~0U, 0);          \
		ur_fd_closing_end(counted_);                           \
	}
/* FTW_CHDIR, the same in glibc and musl (<ftw.h> would declare nftw with
 * a callback type this file has no use for) */
#define UR_FTW_CHDIR 4

static enum cwd_how nftw_how(int flags)
{
	return (flags & UR_FTW_CHDIR) ? CWD_CHANGES : CWD_KEEPS;
}

/*
 * The classifiers of calls that can also move the process to another
 * mount namespace forget the one proc.c remembers, before the call: a
 * child made meanwhile inherits nothing stale (handover.c).
 */
static enum cwd_how unshare_how(int flags)
{
	if (flags & CLONE_NEWNS)
		ur_mount_ns_forget();
	return (flags & (CLONE_FS | CLONE_NEWNS)) ? CWD_DIVERGES : CWD_KEEPS;
}

/* A new root: what execs learned of paths no longer holds here. */
static enum cwd_how chroot_how(void)
{
	ur_prog_root_changed();
	return CWD_NEW_ROOT;
}

static enum cwd_how setns_how(void)
{
	ur_mount_ns_forget();
	return CWD_NEW_ROOT;
}

/* after: a statement run after the call, with its result in r */
#define K_AFTER(ret, name, params, args, how, none, after) \
	ret name params;                                   \
	static START_STATE ret(*real_##name) params;       \
	EXPORT ret name params                             \
	{                                                  \
		REAL_OR_FAIL(name, ret(*) params, none);   \
		enum cwd_how how_ = how;                   \
		ur_cwd_changing(how_);                     \
		ret r = real_##name args;                  \
		after;                                     \
		ur_cwd_changed(how_);                      \
		return r;                                  \
	}
#define K(ret, name, params, args, how, none) \
	K_AFTER(ret, name, params, args, how, none, (void)0)
#define KP(ret, name, params, args, how, none, path) \
	K_AFTER(ret, name, params, args, how, none,  \
		if (UNLIKELY(r < 0) && ur_enabled)   \
		    ur_priv_refused(#name, path, NULL, r, errno))
#include "calls.def"
#undef W
#undef C
#undef X
#undef D
#undef DV
#undef F
#undef K
#undef KP
#undef CLOSER

/* ---- the open family ---- */

static bool is_denial(int e)
{
	return UNROOT_ERRNO_DENIED(e);
}

/* A read that was denied: recorded always, it costs nothing on success. */
static void record_denied_read(const char *fn, int dirfd, const char *path,
			       int flags, int err)
{
	struct call c = CALL_INIT(OP_READ, fn);
	c.dirfd = dirfd;
	c.path = path;
	c.flags = flags;
	c.flag_kind = FK_OPEN;
	ur_after(&c, -1, err);
}

typedef int (*open_call)(int dirfd, const char *path, int flags, mode_t mode);

/*
 * ur_end of a call that made descriptor fd: the entry its record makes for
 * fd is trusted if no descriptor was closed since closes was taken
 * (ur_fd_take, before the call: known.c).  Nested: a signal handler's own open
 * restores ours.
 */
static void end_open(struct scratch *s, struct call *c, int fd,
		     unsigned long closes)
{
	unsigned long outer = ur_fd_opening(closes);
	ur_end(s, c, fd, fd < 0);
	ur_fd_opening(outer);
	ur_fd_taken();
}

/*
 * The slow path of the open family: a write, or a read when the trace
 * records reads.  Out of line, so that the exported wrappers stay small.
 */
static __attribute__((noinline)) int traced_open(const char *fn, open_call call,
						 int dirfd, const char *path,
						 int flags, mode_t mode,
						 bool has_mode)
{
	bool writes = ur_open_writes(flags);

	if (!ur_enabled || (!writes && (!ur_record_reads || ur_guard))) {
		int r = call(dirfd, path, flags, mode);
		if (UNLIKELY(r < 0) && ur_enabled && is_denial(errno) &&
		    !ur_guard)
			record_denied_read(fn, dirfd, path, flags, errno);
		return r;
	}
	struct call c = CALL_INIT(writes ? OP_OPEN : OP_READ, fn);
	c.dirfd = dirfd;
	c.path = path;
	c.flags = flags;
	c.flag_kind = FK_OPEN;
	c.mode = mode;
	c.has_mode = has_mode;
	c.nofollow = flags & O_NOFOLLOW;
	c.may_add_excl = has_mode; /* not __open_2: it has no mode */
	unsigned long closes = ur_fd_take();
	struct scratch *s = ur_begin(&c);
	int r = s && s->performed ? (int)s->performed_ret
				  : call(dirfd, path, flags, mode);
	end_open(s, &c, r, closes);
	return r;
}

/* A read open failed on the fast path: recorded when it was denied. */
static __attribute__((noinline, cold)) void
read_failed(const char *fn, int dirfd, const char *path, int flags)
{
	int e = errno;
	if (ur_enabled && is_denial(e) && !ur_guard)
		record_denied_read(fn, dirfd, path, flags, e);
	errno = e;
}

/*
 * Every flag that can make an open a write, and O_TMPFILE's own bit: an
 * open with none of them is a plain read (ur_open_writes decides the rest
 * on the slow path).
 */
#define OPEN_MAYBE_WRITES \
	(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | (O_TMPFILE & ~O_DIRECTORY))

/*
 * The fast path of a read: one test of the flags, one of --reads, and the
 * real function called directly, before the variadic mode is even looked
 * at (a read has none).  ur_record_reads is 0 when tracing is off.
 */
#define READ_FAST(name, dirfd, path, flags, ...)                               \
	do {                                                                   \
		__typeof__(real_##name) fn_ = real_##name;                     \
		if (LIKELY(!((flags)&OPEN_MAYBE_WRITES) && !ur_record_reads && \
			   fn_ != NULL)) {                                     \
			int r_ = fn_(__VA_ARGS__);                             \
			if (UNLIKELY(r_ < 0))                                  \
				read_failed(#name, dirfd, path, flags);        \
			return r_;                                             \
		}                                                              \
	} while (0)

static bool open_has_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/*
 * open(path, flags, ...) and open64, openat and openat64.  <fcntl.h>
 * declares them variadic; defined so, each would spill the argument
 * registers on every call, reads included.  They are defined instead with
 * the mode as a named parameter, under their symbol names: in the Linux
 * calling conventions a variadic int is passed exactly where a named one
 * is, and the mode is read only when O_CREAT or O_TMPFILE says the caller
 * passed one.
 */
#define PATH_OPEN(name)                                                       \
	static START_STATE int (*real_##name)(const char *, int, ...);        \
	static int call_##name(int dirfd, const char *path, int flags,        \
			       mode_t mode)                                   \
	{                                                                     \
		(void)dirfd;                                                  \
		REAL(name, int (*)(const char *, int, ...));                  \
		return real_##name(path, flags, mode);                        \
	}                                                                     \
	EXPORT int ur_##name(const char *path, int flags,                     \
			     mode_t mode) __asm__(#name);                     \
	int ur_##name(const char *path, int flags, mode_t mode)               \
	{                                                                     \
		READ_FAST(name, AT_FDCWD, path, flags, path, flags);          \
		bool has_mode = open_has_mode(flags);                         \
		return traced_open(#name, call_##name, AT_FDCWD, path, flags, \
				   has_mode ? mode : 0, has_mode);            \
	}
PATH_OPEN(open)
PATH_OPEN(open64)

#define AT_OPEN(name)                                                       \
	static START_STATE int (*real_##name)(int, const char *, int, ...); \
	static int call_##name(int dirfd, const char *path, int flags,      \
			       mode_t mode)                                 \
	{                                                                   \
		REAL(name, int (*)(int, const char *, int, ...));           \
		return real_##name(dirfd, path, flags, mode);               \
	}                                                                   \
	EXPORT int ur_##name(int dirfd, const char *path, int flags,        \
			     mode_t mode) __asm__(#name);                   \
	int ur_##name(int dirfd, const char *path, int flags, mode_t mode)  \
	{                                                                   \
		READ_FAST(name, dirfd, path, flags, dirfd, path, flags);    \
		bool has_mode = open_has_mode(flags);                       \
		return traced_open(#name, call_##name, dirfd, path, flags,  \
				   has_mode ? mode : 0, has_mode);          \
	}
AT_OPEN(openat)
AT_OPEN(openat64)

#define CREAT(name)                                                           \
	static START_STATE int (*real_##name)(const char *, mode_t);          \
	static int call_##name(int dirfd, const char *path, int flags,        \
			       mode_t mode)                                   \
	{                                                                     \
		(void)dirfd;                                                  \
		(void)flags;                                                  \
		REAL(name, int (*)(const char *, mode_t));                    \
		return real_##name(path, mode);                               \
	}                                                                     \
	EXPORT int name(const char *path, mode_t mode)                        \
	{                                                                     \
		return traced_open(#name, call_##name, AT_FDCWD, path,        \
				   O_CREAT | O_WRONLY | O_TRUNC, mode, true); \
	}
CREAT(creat)
CREAT(creat64)

/* _FORTIFY_SOURCE variants: no mode argument */
#define FORTIFY_OPEN(name)                                                    \
	static START_STATE int (*real_##name)(const char *, int);             \
	static int call_##name(int dirfd, const char *path, int flags,        \
			       mode_t mode)                                   \
	{                                                                     \
		(void)dirfd;                                                  \
		(void)mode;                                                   \
		REAL(name, int (*)(const char *, int));                       \
		return real_##name(path, flags);                              \
	}                                                                     \
	EXPORT int name(const char *path, int flags)                          \
	{                                                                     \
		READ_FAST(name, AT_FDCWD, path, flags, path, flags);          \
		return traced_open(#name, call_##name, AT_FDCWD, path, flags, \
				   0, false);                                 \
	}
FORTIFY_OPEN(__open_2)
FORTIFY_OPEN(__open64_2)

#define FORTIFY_OPENAT(name)                                                  \
	static START_STATE int (*real_##name)(int, const char *, int);        \
	static int call_##name(int dirfd, const char *path, int flags,        \
			       mode_t mode)                                   \
	{                                                                     \
		(void)mode;                                                   \
		REAL(name, int (*)(int, const char *, int));                  \
		return real_##name(dirfd, path, flags);                       \
	}                                                                     \
	EXPORT int name(int dirfd, const char *path, int flags)               \
	{                                                                     \
		READ_FAST(name, dirfd, path, flags, dirfd, path, flags);      \
		return traced_open(#name, call_##name, dirfd, path, flags, 0, \
				   false);                                    \
	}
FORTIFY_OPENAT(__openat_2)
FORTIFY_OPENAT(__openat64_2)

/* ---- stdio ---- */

/* The open(2) flags an fopen mode string stands for. */
static int fopen_flags(const char *mode)
{
	int flags;

	switch (mode ? mode[0] : 'r') {
	case 'w':
		flags = O_WRONLY | O_CREAT | O_TRUNC;
		break;
	case 'a':
		flags = O_WRONLY | O_CREAT | O_APPEND;
		break;
	default:
		flags = O_RDONLY;
	}
	for (const char *m = mode ? mode + 1 : ""; *m && *m != ','; m++) {
		if (*m == '+')
			flags = (flags & ~O_ACCMODE) | O_RDWR;
		else if (*m == 'x')
			flags |= O_EXCL;
		else if (*m == 'e')
			flags |= O_CLOEXEC;
	}
	return flags;
}

static FILE *traced_fopen(const char *fn, const char *path, int flags,
			  FILE *(*call)(const char *, const char *, FILE *),
			  const char *mode, FILE *stream)
{
	bool writes = ur_open_writes(flags);

	if (!ur_enabled || !path ||
	    (!writes && (!ur_record_reads || ur_guard))) {
		FILE *f = call(path, mode, stream);
		if (UNLIKELY(!f) && ur_enabled && path && is_denial(errno) &&
		    !ur_guard)
			record_denied_read(fn, AT_FDCWD, path, flags, errno);
		return f;
	}
	struct call c = CALL_INIT(writes ? OP_OPEN : OP_READ, fn);
	c.path = path;
	c.flags = flags;
	c.flag_kind = FK_OPEN;
	if (flags & O_CREAT) {
		c.mode = 0666;
		c.has_mode = true;
	}
	unsigned long closes = ur_fd_take();
	struct scratch *s = ur_begin(&c);
	FILE *f = call(path, mode, stream);
	end_open(s, &c, f ? fileno(f) : -1, closes);
	return f;
}

#define FOPEN(name)                                                          \
	static START_STATE FILE *(*real_##name)(const char *, const char *); \
	static FILE *call_##name(const char *path, const char *mode,         \
				 FILE *stream)                               \
	{                                                                    \
		(void)stream;                                                \
		REAL(name, FILE *(*)(const char *, const char *));           \
		return real_##name(path, mode);                              \
	}                                                                    \
	EXPORT FILE *name(const char *path, const char *mode)                \
	{                                                                    \
		return traced_fopen(#name, path, fopen_flags(mode),          \
				    call_##name, mode, NULL);                \
	}
FOPEN(fopen)
FOPEN(fopen64)

#define FREOPEN(name)                                                       \
	static START_STATE FILE *(*real_##name)(const char *, const char *, \
						FILE *);                    \
	static FILE *call_##name(const char *path, const char *mode,        \
				 FILE *stream)                              \
	{                                                                   \
		REAL(name, FILE *(*)(const char *, const char *, FILE *));  \
		/* it closes the stream's descriptor (known.c) */           \
		bool counted = ur_enabled && ur_fd_closing_begin(-1);       \
		FILE *f = real_##name(path, mode, stream);                  \
		ur_fd_closing_end(counted);                                 \
		return f;                                                   \
	}                                                                   \
	EXPORT FILE *name(const char *path, const char *mode, FILE *stream) \
	{                                                                   \
		return traced_fopen(#name, path, fopen_flags(mode),         \
				    call_##name, mode, stream);             \
	}
FREOPEN(freopen)
FREOPEN(freopen64)

/* ---- temporary files: the name is known only after the call ---- */

static void record_created(const char *fn, enum unroot_op op, const char *path,
			   long ret, int err)
{
	struct call c = CALL_INIT(op, fn);
	c.path = path;
	c.absent_before = err == 0;
	ur_after(&c, ret, err);
}

#define MKSTEMP(name, params, args)        \
	CALL_THEN(                         \
	    int, name, params, args, true, \
	    record_created(#name, OP_MKTEMP, tmpl, r, r < 0 ? errno : 0))
MKSTEMP(mkstemp, (char *tmpl), (tmpl))
MKSTEMP(mkstemp64, (char *tmpl), (tmpl))
MKSTEMP(mkostemp, (char *tmpl, int flags), (tmpl, flags))
MKSTEMP(mkostemp64, (char *tmpl, int flags), (tmpl, flags))
MKSTEMP(mkstemps, (char *tmpl, int suffixlen), (tmpl, suffixlen))
MKSTEMP(mkstemps64, (char *tmpl, int suffixlen), (tmpl, suffixlen))
MKSTEMP(mkostemps, (char *tmpl, int suffixlen, int flags),
	(tmpl, suffixlen, flags))
MKSTEMP(mkostemps64, (char *tmpl, int suffixlen, int flags),
	(tmpl, suffixlen, flags))

static START_STATE char *(*real_mkdtemp)(char *);
EXPORT char *mkdtemp(char *tmpl)
{
	REAL(mkdtemp, char *(*)(char *));
	char *r = real_mkdtemp(tmpl);
	if (ur_enabled)
		record_created("mkdtemp", OP_MKDIR, tmpl, r ? 0 : -1,
			       r ? 0 : errno);
	return r;
}

#define TMPFILE(name)                                                    \
	static START_STATE FILE *(*real_##name)(void);                   \
	EXPORT FILE *name(void)                                          \
	{                                                                \
		REAL(name, FILE *(*)(void));                             \
		FILE *f = real_##name();                                 \
		if (ur_enabled) {                                        \
			int saved = errno;                               \
			struct call c = CALL_INIT(OP_MKTEMP, #name);     \
			c.fd = f ? fileno(f) : -1;                       \
			c.path = f ? NULL : "/tmp";                      \
			c.absent_before = true;                          \
			ur_after(&c, f ? fileno(f) : -1, f ? 0 : saved); \
			errno = saved;                                   \
		}                                                        \
		return f;                                                \
	}
TMPFILE(tmpfile)
TMPFILE(tmpfile64)

/* ---- shared memory objects live in /dev/shm ---- */

static START_STATE int (*real_shm_open)(const char *, int, mode_t);
EXPORT int shm_open(const char *name, int flags, mode_t mode)
{
	char path[PATH_MAX];

	REAL(shm_open, int (*)(const char *, int, mode_t));
	if (!real_shm_open) {
		errno = ENOSYS;
		return -1;
	}
	if (!ur_enabled || !ur_open_writes(flags) || !name ||
	    strlen(name) + 10 > sizeof path)
		return real_shm_open(name, flags, mode);
	strcpy(path, "/dev/shm/");
	strcat(path, name[0] == '/' ? name + 1 : name);
	struct call c = CALL_INIT(OP_OPEN, "shm_open");
	c.fixed = path;
	c.path = name;
	c.flags = flags;
	c.flag_kind = FK_OPEN;
	c.mode = mode;
	c.has_mode = (flags & O_CREAT) != 0;
	unsigned long closes = ur_fd_take();
	struct scratch *s = ur_begin(&c);
	int r = real_shm_open(name, flags, mode);
	end_open(s, &c, r, closes);
	return r;
}

/* shm_unlink removes /dev/shm/NAME: recorded as an unlink of that path */
static START_STATE int (*real_shm_unlink)(const char *);
EXPORT int shm_unlink(const char *name)
{
	char path[PATH_MAX];

	REAL(shm_unlink, int (*)(const char *));
	if (!real_shm_unlink) {
		errno = ENOSYS;
		return -1;
	}
	if (!ur_enabled || !name || strlen(name) + 10 > sizeof path)
		return real_shm_unlink(name);
	strcpy(path, "/dev/shm/");
	strcat(path, name[0] == '/' ? name + 1 : name);
	struct call c = CALL_INIT(OP_UNLINK, "shm_unlink");
	c.fixed = path;
	c.path = name;
	struct scratch *s = ur_begin(&c);
	int r = real_shm_unlink(name);
	ur_end(s, &c, r, r < 0);
	return r;
}

/* ---- sockets: a unix bind creates a file, connect needs write on it;
 * an inet bind's port is recorded ---- */

/* The path of an AF_UNIX address, or NULL (abstract, unnamed, not unix). */
static const char *unix_path(const struct sockaddr *addr, socklen_t len,
			     char *out, size_t cap)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
	size_t off = offsetof(struct sockaddr_un, sun_path);

	if (!addr || len <= off || addr->sa_family != AF_UNIX ||
	    !un->sun_path[0])
		return NULL;
	size_t n = strnlen(un->sun_path, len - off);
	if (n >= cap)
		return NULL;
	memcpy(out, un->sun_path, n);
	out[n] = 0;
	return out;
}

static START_STATE int (*real_bind)(int, const struct sockaddr *, socklen_t);
EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	char path[sizeof(struct sockaddr_un)];

	REAL(bind, int (*)(int, const struct sockaddr *, socklen_t));
	const char *p =
	    ur_enabled ? unix_path(addr, len, path, sizeof path) : NULL;
	if (!p) {
		int r = real_bind(fd, addr, len);

		/* an inet address: recorded (record.c), errno kept */
		if (ur_enabled && addr)
			ur_net_bind(addr, len, r, r < 0 ? errno : 0);
		return r;
	}
	struct call c = CALL_INIT(OP_BIND, "bind");
	c.path = p;
	struct scratch *s = ur_begin(&c);
	int r = real_bind(fd, addr, len);
	ur_end(s, &c, r, r < 0);
	return r;
}

static START_STATE int (*real_connect)(int, const struct sockaddr *, socklen_t);
EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	char path[sizeof(struct sockaddr_un)];

	REAL(connect, int (*)(int, const struct sockaddr *, socklen_t));
	int r = real_connect(fd, addr, len);
	if (UNLIKELY(r < 0) && ur_enabled && is_denial(errno) &&
	    unix_path(addr, len, path, sizeof path)) {
		int e = errno;
		struct call c = CALL_INIT(OP_CONNECT, "connect");
		c.path = path;
		ur_after(&c, r, e);
	}
	return r;
}

/*
 * ---- children that finished: what they wrote is not known here ----
 *
 * Not recorded.  A child may have created, removed or chmod'ed anything
 * this process knows the state of (known.c), so every reap forgets it all.
 */
#define WAITER(ret, name, params, args) \
	CALL_THEN(ret, name, params, args, r >= 0, ur_known_forget_all())
WAITER(pid_t, wait, (int *status), (status))
WAITER(pid_t, waitpid, (pid_t pid, int *status, int options),
       (pid, status, options))
WAITER(pid_t, wait3, (int *status, int options, struct rusage *usage),
       (status, options, usage))
WAITER(pid_t, wait4,
       (pid_t pid, int *status, int options, struct rusage *usage),
       (pid, status, options, usage))
WAITER(int, waitid, (idtype_t idtype, id_t id, siginfo_t *info, int options),
       (idtype, id, info, options))

/* pclose reaps, and closes the stream's descriptor (known.c) */
static START_STATE int (*real_pclose)(FILE *);
EXPORT int pclose(FILE *stream)
{
	REAL_OR_ENOSYS(pclose, int (*)(FILE *));
	bool counted = ur_enabled && ur_fd_closing_begin(-1);
	int r = real_pclose(stream);
	ur_fd_closing_end(counted);
	if (ur_enabled && r >= 0)
		ur_known_forget_all();
	return r;
}

/* ---- what bypasses the descriptor wrappers (known.c) ---- */

extern const char __ehdr_start[] HIDDEN; /* this object's first ... */
extern const char _end[] HIDDEN;	 /* ... and last byte */

/*
 * A child that shares the descriptor table (its closes are counted in its
 * own memory, not here), or this memory while it runs alongside (not
 * vfork: a parent suspended until the child execs or exits).
 */
static bool shares_fds_or_memory(long flags)
{
	return (flags & CLONE_FILES) ||
	       ((flags & CLONE_VM) && !(flags & CLONE_VFORK));
}

/* Would this system call close or replace a descriptor behind libc? */
static bool closes_fds(long n, long a)
{
	switch (n) {
	case SYS_close:
	case SYS_dup2:
	case SYS_dup3:
#ifdef SYS_close_range
	case SYS_close_range:
#endif
#ifdef SYS_io_uring_setup
	case SYS_io_uring_setup:
	case SYS_io_uring_enter:
	case SYS_io_uring_register:
#endif
#ifdef SYS_clone3
	case SYS_clone3:
#endif
		return true;
	case SYS_clone:
		return shares_fds_or_memory(a);
	default:
		return false;
	}
}

/*
 * A clone whose child shares this memory without the cwd, or the cwd
 * without this memory: what cwd.c remembers could be the other's.
 */
static enum cwd_how clone_cwd_how(long flags)
{
	if (flags & CLONE_NEWNS)
		ur_mount_ns_forget(); /* the child's (see unshare_how) */
	return !(flags & CLONE_VM) != !(flags & CLONE_FS) ? CWD_DIVERGES
							  : CWD_KEEPS;
}

/* How a raw system call may change the working directory (cwd.c). */
static enum cwd_how cwd_how_of(long n, long a)
{
	switch (n) {
	case SYS_chdir:
	case SYS_fchdir:
		return CWD_CHANGES;
	case SYS_chroot:
	case SYS_pivot_root:
		return chroot_how();
	case SYS_setns:
		return setns_how();
	case SYS_unshare:
		return unshare_how((int)a);
	case SYS_clone:
		return clone_cwd_how(a);
#ifdef SYS_clone3
	case SYS_clone3: /* its flags are in a structure: not read */
		ur_mount_ns_forget();
		return CWD_DIVERGES;
#endif
#ifdef SYS_vfork
	case SYS_vfork: /* a child on this memory that no flag marks */
#endif
		return CWD_DIVERGES;
	default:
		return CWD_KEEPS;
	}
}

/*
 * syscall(2): passed through.  One that may close or replace a
 * descriptor is counted as a close, and, unless the tracer's own code made
 * it (its own descriptors), ends descriptor trust for the rest of the
 * image: whoever issues raw closes may issue them where no wrapper sees.
 * One that may change the working directory is bracketed as its wrapper
 * is (calls.def).  Six arguments are always passed on, as libc's own
 * syscall does.
 */
static START_STATE long (*real_syscall)(long, ...);
EXPORT long syscall(long n, ...)
{
	va_list ap;

	va_start(ap, n);
	long a[6]; /* in order: each va_arg its own statement */
	a[0] = va_arg(ap, long);
	a[1] = va_arg(ap, long);
	a[2] = va_arg(ap, long);
	a[3] = va_arg(ap, long);
	a[4] = va_arg(ap, long);
	a[5] = va_arg(ap, long);
	va_end(ap);
	REAL(syscall, long (*)(long, ...));
	enum cwd_how how = cwd_how_of(n, a[0]);
	bool closes = closes_fds(n, a[0]);
	if (LIKELY(!closes && how == CWD_KEEPS)) {
		return real_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	const char *from = __builtin_return_address(0);
	bool counted = closes && ur_enabled && ur_fd_closing_begin(-1);
	if (closes && ur_enabled && (from < __ehdr_start || from >= _end))
		ur_fd_untrust();
	ur_cwd_changing(how);
	long r = real_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
	int err = errno;
	ur_cwd_changed(how);
	ur_fd_closing_end(counted);
#ifdef SYS_io_uring_setup
	if (n == SYS_io_uring_setup && r >= 0 && ur_enabled)
		ur_note_io_uring();
#endif
	errno = err;
	return r;
}

/*
 * clone(2) of libc: a child that shares this process's memory or
 * descriptor table without being a thread that libc knows of ends
 * descriptor trust for good (known.c), and one that shares the memory or
 * the cwd without the other ends what cwd.c remembers.  The optional
 * arguments are passed on as they came.
 */
static START_STATE int (*real_clone)(int (*)(void *), void *, int, void *, ...);
EXPORT int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;

	va_start(ap, arg);
	void *ptid = va_arg(ap, void *);
	void *tls = va_arg(ap, void *);
	void *ctid = va_arg(ap, void *);
	va_end(ap);
	REAL_OR_ENOSYS(clone,
		       int (*)(int (*)(void *), void *, int, void *, ...));
	if (ur_enabled && shares_fds_or_memory(flags))
		ur_fd_untrust();
	enum cwd_how how = clone_cwd_how(flags);
	ur_cwd_changing(how);
	int r = real_clone(fn, stack, flags, arg, ptid, tls, ctid);
	ur_cwd_changed(how);
	return r;
}

/* ---- permission probes: recorded only when denied ---- */

/* A call that is recorded only when it is denied (UNROOT_ERRNO_DENIED). */
static void record_denied(const char *fn, enum unroot_op op, int dirfd,
			  const char *path, int err)
{
	struct call c = CALL_INIT(op, fn);
	c.dirfd = dirfd;
	c.path = path;
	ur_after(&c, -1, err);
}

/*
 * stat and opendir: a non-root program that cannot search a directory
 * (/root is 0700) finds out here first; the success path costs one
 * comparison.
 */
#define DENIED_ONLY(rtype, name, op, params, args, dirfd, path, failed)   \
	static START_STATE rtype(*real_##name) params;                    \
	EXPORT rtype name params                                          \
	{                                                                 \
		REAL(name, rtype(*) params);                              \
		rtype r = real_##name args;                               \
		if (UNLIKELY(failed) && ur_enabled && is_denial(errno) && \
		    !ur_guard)                                            \
			record_denied(#name, op, dirfd, path, errno);     \
		return r;                                                 \
	}
DENIED_ONLY(int, stat, OP_STAT, (const char *p, struct stat *st), (p, st),
	    AT_FDCWD, p, r < 0)
DENIED_ONLY(int, lstat, OP_STAT, (const char *p, struct stat *st), (p, st),
	    AT_FDCWD, p, r < 0)
DENIED_ONLY(int, fstatat, OP_STAT,
	    (int fd, const char *p, struct stat *st, int fl), (fd, p, st, fl),
	    fd, p, r < 0)
/*
 * glibc only: musl's headers make the *64 names macros for the plain ones
 * (a second definition of stat), and musl has statx only from 1.2.5.
 */
#ifdef __GLIBC__
#define UR_HAVE_STAT64 1
DENIED_ONLY(int, stat64, OP_STAT, (const char *p, struct stat64 *st), (p, st),
	    AT_FDCWD, p, r < 0)
DENIED_ONLY(int, lstat64, OP_STAT, (const char *p, struct stat64 *st), (p, st),
	    AT_FDCWD, p, r < 0)
DENIED_ONLY(int, fstatat64, OP_STAT,
	    (int fd, const char *p, struct stat64 *st, int fl), (fd, p, st, fl),
	    fd, p, r < 0)
#endif
#if defined(__GLIBC__) || defined(STATX_TYPE)
#define UR_HAVE_STATX 1
DENIED_ONLY(int, statx, OP_STAT,
	    (int fd, const char *p, int fl, unsigned mask, struct statx *st),
	    (fd, p, fl, mask, st), fd, p, r < 0)
#endif
DENIED_ONLY(DIR *, opendir, OP_READ, (const char *p), (p), AT_FDCWD, p,
	    r == NULL)

/*
 * glibc < 2.33 compiled stat, lstat and fstatat into calls of these
 * versioned entry points (programs built on bullseye and older call them
 * still).  Recorded only when denied, like stat.  Where libc no longer has
 * one (dlsym NULL) a program that names it binds to this wrapper, which
 * then does the plain call: on 64-bit glibc there is one struct stat
 * layout and ver is not looked at.
 */
#ifdef __GLIBC__
#define UR_HAVE_XSTAT 1
#if defined(SYS_newfstatat) && __WORDSIZE == 64
#define XSTAT_PLAIN(fd, p, st, fl) ur_syscall(SYS_newfstatat, fd, p, st, fl)
#else
#define XSTAT_PLAIN(fd, p, st, fl) (errno = ENOSYS, -1)
#endif
#define XSTAT(name, params, args, dirfd, path, plain)                      \
	static START_STATE int(*real_##name) params;                       \
	EXPORT int name params                                             \
	{                                                                  \
		REAL(name, int(*) params);                                 \
		int r;                                                     \
		if (UNLIKELY(!real_##name)) {                              \
			(void)ver;                                         \
			r = (int)plain;                                    \
		} else {                                                   \
			r = real_##name args;                              \
		}                                                          \
		if (UNLIKELY(r < 0) && ur_enabled && is_denial(errno) &&   \
		    !ur_guard)                                             \
			record_denied(#name, OP_STAT, dirfd, path, errno); \
		return r;                                                  \
	}
XSTAT(__xstat, (int ver, const char *p, struct stat *st), (ver, p, st),
      AT_FDCWD, p, XSTAT_PLAIN(AT_FDCWD, p, st, 0))
XSTAT(__lxstat, (int ver, const char *p, struct stat *st), (ver, p, st),
      AT_FDCWD, p, XSTAT_PLAIN(AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW))
XSTAT(__fxstatat, (int ver, int fd, const char *p, struct stat *st, int fl),
      (ver, fd, p, st, fl), fd, p, XSTAT_PLAIN(fd, p, st, fl))
XSTAT(__xstat64, (int ver, const char *p, struct stat64 *st), (ver, p, st),
      AT_FDCWD, p, XSTAT_PLAIN(AT_FDCWD, p, st, 0))
XSTAT(__lxstat64, (int ver, const char *p, struct stat64 *st), (ver, p, st),
      AT_FDCWD, p, XSTAT_PLAIN(AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW))
XSTAT(__fxstatat64, (int ver, int fd, const char *p, struct stat64 *st, int fl),
      (ver, fd, p, st, fl), fd, p, XSTAT_PLAIN(fd, p, st, fl))
#endif

static START_STATE int (*real_access)(const char *, int);
EXPORT int access(const char *path, int mode)
{
	REAL(access, int (*)(const char *, int));
	int r = real_access(path, mode);
	if (UNLIKELY(r < 0) && ur_enabled && is_denial(errno)) {
		int e = errno;
		struct call c = CALL_INIT(OP_ACCESS, "access");
		c.path = path;
		c.mode = (unsigned)mode;
		c.has_mode = true;
		ur_after(&c, r, e);
	}
	return r;
}

/* euidaccess and its alias eaccess: access with the effective ids */
#define EUIDACCESS(name)                                                 \
	static START_STATE int (*real_##name)(const char *, int);        \
	EXPORT int name(const char *path, int mode)                      \
	{                                                                \
		REAL(name, int (*)(const char *, int));                  \
		if (UNLIKELY(!real_##name)) {                            \
			errno = ENOSYS;                                  \
			return -1;                                       \
		}                                                        \
		int r = real_##name(path, mode);                         \
		if (UNLIKELY(r < 0) && ur_enabled && is_denial(errno)) { \
			int e = errno;                                   \
			struct call c = CALL_INIT(OP_ACCESS, #name);     \
			c.path = path;                                   \
			c.mode = (unsigned)mode;                         \
			c.has_mode = true;                               \
			ur_after(&c, r, e);                              \
		}                                                        \
		return r;                                                \
	}
EUIDACCESS(euidaccess)
EUIDACCESS(eaccess)

static START_STATE int (*real_faccessat)(int, const char *, int, int);
EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	REAL(faccessat, int (*)(int, const char *, int, int));
	int r = real_faccessat(dirfd, path, mode, flags);
	if (UNLIKELY(r < 0) && ur_enabled && is_denial(errno)) {
		int e = errno;
		struct call c = CALL_INIT(OP_ACCESS, "faccessat");
		c.dirfd = dirfd;
		c.path = path;
		c.mode = (unsigned)mode;
		c.has_mode = true;
		ur_after(&c, r, e);
	}
	return r;
}

/*
 * setgroups and initgroups: privileged, and changing no id that events
 * carry: wrapped for their refusals only (a priv record with the groups,
 * or the user and group, asked for).  glibc's and musl's initgroups call
 * setgroups inside libc, unseen here: one record a refusal.
 */
static START_STATE int (*real_setgroups)(size_t, const gid_t *);
EXPORT int setgroups(size_t n, const gid_t *list)
{
	REAL_OR_ENOSYS(setgroups, int (*)(size_t, const gid_t *));
	int r = real_setgroups(n, list);
	if (UNLIKELY(r < 0) && ur_enabled) {
		int e = errno, k = 0;
		long ids[UR_PRIV_IDS];
		for (; list && (size_t)k < n && k < UR_PRIV_IDS; k++)
			ids[k] = (long)list[k];
		ur_priv_ids("setgroups", ids, k, r, e);
	}
	return r;
}

static START_STATE int (*real_initgroups)(const char *, gid_t);
EXPORT int initgroups(const char *user, gid_t group)
{
	REAL_OR_ENOSYS(initgroups, int (*)(const char *, gid_t));
	int r = real_initgroups(user, group);
	if (UNLIKELY(r < 0) && ur_enabled) {
		int e = errno;
		char text[96];
		size_t n = user ? strnlen(user, 64) : 0;
		memcpy(text, user ? user : "", n);
		text[n] = ',';
		*ur_put_u64(text + n + 1, group) = 0;
		ur_priv_refused("initgroups", NULL, text, r, e);
	}
	return r;
}

/*
 * A wrapper first called in a signal handler or a vfork child must not go
 * through dlsym (locks, calloc).  When symbols.c answers every lookup
 * without dlsym, each real function is resolved at its wrapper's first
 * call (REAL()): the ~140 lookups cost 36,000 instructions an image, and
 * most images call few of the wrapped functions.  Otherwise every real
 * symbol is resolved here, before the workload runs.
 */
#define RESOLVE(name)                                                          \
	do {                                                                   \
		if (!real_##name)                                              \
			real_##name = (__typeof__(real_##name))ur_real(#name); \
	} while (0)
__attribute__((constructor(103))) static void resolve_wrapped(void)
{
	if (!ur_enabled || ur_next_symbols_suffice())
		return;
#define W(ret, name, op, shape, params, args, extra) RESOLVE(name);
#define C(name, params, args)			     RESOLVE(name);
#define X(name, params, args)			     RESOLVE(name);
#define D(ret, name, params, args, fd)		     RESOLVE(name);
#define DV(name, params, args)			     RESOLVE(name);
#define F(ret, name, params, args, fd)		     RESOLVE(name);
#define K(ret, name, params, args, how, none)	     RESOLVE(name);
#define KP(ret, name, params, args, how, none, path) RESOLVE(name);
#include "calls.def"
#undef W
#undef C
#undef X
#undef D
#undef DV
#undef F
#undef K
#undef KP
	RESOLVE(syscall);
	RESOLVE(clone);
	RESOLVE(open);
	RESOLVE(open64);
	RESOLVE(openat);
	RESOLVE(openat64);
	RESOLVE(creat);
	RESOLVE(creat64);
	RESOLVE(__open_2);
	RESOLVE(__open64_2);
	RESOLVE(__openat_2);
	RESOLVE(__openat64_2);
	RESOLVE(fopen);
	RESOLVE(fopen64);
	RESOLVE(freopen);
	RESOLVE(freopen64);
	RESOLVE(mkstemp);
	RESOLVE(mkstemp64);
	RESOLVE(mkostemp);
	RESOLVE(mkostemp64);
	RESOLVE(mkstemps);
	RESOLVE(mkstemps64);
	RESOLVE(mkostemps);
	RESOLVE(mkostemps64);
	RESOLVE(mkdtemp);
	RESOLVE(tmpfile);
	RESOLVE(tmpfile64);
	RESOLVE(shm_open);
	RESOLVE(shm_unlink);
	RESOLVE(bind);
	RESOLVE(connect);
	RESOLVE(access);
	RESOLVE(euidaccess);
	RESOLVE(eaccess);
	RESOLVE(faccessat);
	RESOLVE(setgroups);
	RESOLVE(initgroups);
	RESOLVE(stat);
	RESOLVE(lstat);
	RESOLVE(fstatat);
	RESOLVE(opendir);
#ifdef UR_HAVE_STAT64
	RESOLVE(stat64);
	RESOLVE(lstat64);
	RESOLVE(fstatat64);
#endif
#ifdef UR_HAVE_STATX
	RESOLVE(statx);
#endif
#ifdef UR_HAVE_XSTAT
	RESOLVE(__xstat);
	RESOLVE(__lxstat);
	RESOLVE(__fxstatat);
	RESOLVE(__xstat64);
	RESOLVE(__lxstat64);
	RESOLVE(__fxstatat64);
#endif
}
