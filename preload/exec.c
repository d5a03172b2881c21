/*
 * exec.c - following the workload into new programs.  Every exec and spawn
 * entry point puts the preload and its settings back into the environment
 * the new program gets (workloads exec children with `env -i`, daemons
 * reset their environment), keeping any LD_PRELOAD entries the workload
 * already has.  The exec is recorded before the call (success does not
 * return) and again if it fails.  A program the loader will not preload
 * into (static, set-id, file capabilities) gets an "untraced" record.
 *
 * In a vfork child (detected because getpid() is not the recorded pid) the
 * wrappers rebuild the environment on the stack and record the exec
 * (other_note_exec): no lock, no allocation, no shared state written but
 * the record's bytes in the parent's mapped log.  A forked child that has
 * recorded nothing yet records its exec the same way, in the file it
 * inherited.
 *
 * A static program (or a script run by one) is exec'd or spawned through
 * unroot-ptrace, the fallback tracer found beside the preload, with its
 * own argv (argv[0] included), environment and pid; that helper records
 * it, or says why it could not in an "untraced" record of its own.
 * Without the helper, or through fexecve, execveat, system and popen, the
 * program gets the "untraced" record as before.  A process that an
 * unroot-ptrace traces already (a dynamic program below a static one)
 * neither hands over nor says untraced: that tracer follows the exec.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "elfkind.h"
#include "unroot.h"

extern char **environ;

/*
 * Strings written one after the other into one array (struct strpile): a
 * forked child about to exec runs deeper on its stack than its parent ever
 * did, and every page of stack it writes is a page the kernel makes for
 * it, where an array per string put each on a page of its own.  A string
 * that is also scratch space (the walk's) keeps its whole capacity.
 */
struct strpile {
	char *text;
	size_t cap, used;
};

/* Room for a string of at most *cap bytes (lowered to what is left). */
static char *pile_room(struct strpile *s, size_t *cap)
{
	size_t left = s->cap - s->used;

	if (*cap > left)
		*cap = left;
	return s->text + s->used;
}

/* The string at str, written at pile_room, stays. */
static void pile_keep(struct strpile *s, const char *str)
{
	s->used = (size_t)(str - s->text) + strlen(str) + 1;
}

/* n bytes at pile_room stay, whatever is in them. */
static void pile_hold(struct strpile *s, size_t n)
{
	s->used += n;
}

/* Storage for what an exec adds to the environment, and for hand_over's
 * paths, on the caller's stack (each string keeps the bound it always
 * had). */
#define FIX_PRELOAD (2 * PATH_MAX + 32)
#define FIX_VAR	    (PATH_MAX + 16)
#define FIX_FLAGS   96
#define FIX_EXEC    (PATH_MAX + 128) /* UNROOT_EXEC (handover.c) */
struct env_fix {
	char *preload, *log, *flags, *lib, *exec;
	struct strpile s;
	char text[FIX_PRELOAD + 2 * FIX_VAR + FIX_FLAGS + FIX_EXEC +
		  2 * PATH_MAX];
};

static size_t env_count(char *const *envp)
{
	size_t n = 0;
	while (envp && envp[n])
		n++;
	return n;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/*
 * Is lib one of the entries of an LD_PRELOAD value (':' or ' ' lists)?
 * Entry by entry, without strstr: a forked child runs this before its
 * exec, and libc's strstr is two pages of code it would fault in.
 */
static bool preload_has(const char *value, const char *lib)
{
	size_t n = strlen(lib);
	for (const char *p = value; *p;) {
		size_t len = 0;
		while (p[len] && p[len] != ':' && p[len] != ' ')
			len++;
		size_t same = 0; /* (nor memcmp: another page of libc) */
		while (same < len && same < n && p[same] == lib[same])
			same++;
		if (len == n && same == n)
			return true;
		p += len;
		if (*p)
			p++;
	}
	return false;
}

static void join(char *out, size_t cap, const char *a, const char *b,
		 const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0;
	if (la + lb + lc + 2 > cap) {
		out[0] = 0;
		return;
	}
	memcpy(out, a, la);
	memcpy(out + la, b, lb);
	if (c) {
		out[la + lb] = ':';
		memcpy(out + la + lb + 1, c, lc + 1);
	} else {
		out[la + lb] = 0;
	}
}

/* a, b and ":c" joined after f's other strings, in at most cap bytes
 * (empty when longer) */
static char *fix_join(struct env_fix *f, size_t cap, const char *a,
		      const char *b, const char *c)
{
	char *out = pile_room(&f->s, &cap);

	if (!cap)
		return (char *)"";
	join(out, cap, a, b, c);
	pile_keep(&f->s, out);
	return out;
}

/* envp with the preload's variables present, and no UNROOT_EXEC (an
 * earlier exec's: hand_over adds this one's); out has env_count + 6
 * slots, one of them for hand_over. */

static char *const *fix_env(char *const *envp, char **out, struct env_fix *f)
{
	size_t o = 0;
	bool have_preload = false;

	f->s = (struct strpile){f->text, sizeof f->text, 0};
	f->exec = NULL;
	f->log = fix_join(f, FIX_VAR, UNROOT_ENV_LOG "=", ur_logdir, NULL);
	f->flags =
	    fix_join(f, FIX_FLAGS, UNROOT_ENV_FLAGS "=", ur_flags_text, NULL);
	f->lib = fix_join(f, FIX_VAR, UNROOT_ENV_LIB "=", ur_lib, NULL);
	f->preload = NULL;
	for (size_t i = 0; envp && envp[i]; i++) {
		char *e = envp[i];
		if (starts_with(e, "LD_PRELOAD=")) {
			const char *v = e + 11;
			have_preload = true;
			if (!preload_has(v, ur_lib)) {
				f->preload = fix_join(f, FIX_PRELOAD,
						      "LD_PRELOAD=", ur_lib,
						      *v ? v : NULL);
				e = f->preload[0] ? f->preload : e;
			}
		} else if (starts_with(e, UNROOT_ENV_LOG "=") ||
			   starts_with(e, UNROOT_ENV_FLAGS "=") ||
			   starts_with(e, UNROOT_ENV_LIB "=") ||
			   starts_with(e, UNROOT_ENV_EXEC "=")) {
			continue;
		}
		out[o++] = e;
	}
	if (!have_preload) {
		f->preload =
		    fix_join(f, FIX_PRELOAD, "LD_PRELOAD=", ur_lib, NULL);
		out[o++] = f->preload;
	}
	out[o++] = f->log;
	out[o++] = f->flags;
	out[o++] = f->lib;
	out[o] = NULL;
	return out;
}

/* ---- programs the loader will not preload into ---- */

/*
 * What is known of the program an exec is about to run, probed once
 * before the call (the file and its ELF header are read once per exec):
 * why it will run untraced (NULL: it will be traced), the lstat of the
 * path, and the caller's effective ids where the probe asked for them
 * (-1 otherwise).
 */
struct target {
	const char *why;
	bool has_lst;
	struct stat lst;
	long euid, egid;
	enum {
		IMAGE_UNKNOWN, /* not known to be one of the next two */
		IMAGE_ELF,     /* a dynamic ELF program of this machine */
		IMAGE_SCRIPT   /* a "#!" script whose interpreter is one */
	} image;
	char interp[256];   /* a script's interpreter, as its "#!" line says */
	const char *walked; /* the path's real path, when hand_over walked it */
	bool known;	    /* prog is what an earlier exec learned */
	bool learned;	    /* prog is what this probe learned */
	pid_t pid;	    /* the caller's, once hand_over asked (else 0) */
	struct ur_prog prog;
};

#if defined(__x86_64__)
#define NATIVE_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define NATIVE_MACHINE EM_AARCH64
#endif

/* Is the header in buf (n bytes) a 64-bit ELF file of this machine? */
static bool native_elf(const unsigned char *buf, long n)
{
#ifdef NATIVE_MACHINE
	Elf64_Ehdr h;

	if (n < (long)sizeof h)
		return false;
	memcpy(&h, buf, sizeof h);
	return h.e_ident[EI_CLASS] == ELFCLASS64 &&
	       h.e_machine == NATIVE_MACHINE;
#else
	(void)buf;
	(void)n;
	return false;
#endif
}

/* What an earlier exec learned of path (progknown.c), when it still holds:
 * then t says it, and the file is not opened. */
static bool known_prog(const char *path, struct target *t)
{
	t->known = ur_prog_get(path, &t->lst, &t->prog) && t->prog.caps == 1;
	if (!t->known)
		return false;
	t->why = t->prog.untraced_static ? UNTRACED_STATIC : NULL;
	t->image = t->prog.image == IMAGE_ELF ? IMAGE_ELF : IMAGE_UNKNOWN;
	return true;
}

/* What the probe of path found, for the next exec of it (the real path
 * follows, from hand_over). */
static void learn_prog(const char *path, struct target *t, const char *why)
{
	if (why && strcmp(why, UNTRACED_STATIC))
		return;
	/* capabilities: asked already when not root; asked here for root,
	 * so that what is kept holds for every user (a file with some is
	 * not kept: to other users it runs untraced) */
	if (t->euid == 0 &&
	    ur_syscall(SYS_getxattr, path, "security.capability", NULL, 0) > 0)
		return;
	t->prog.untraced_static = why != NULL;
	t->prog.image = t->image;
	t->prog.caps = 1;
	t->prog.real[0] = 0;
	t->learned = true;
	ur_prog_put(path, &t->lst, &t->prog);
}

/* Why a program will run untraced, or NULL when it will be traced; the
 * target's ids are the caller's when known, else -1 (asked of the kernel
 * when needed). */
static const char *why_untraced(const char *path, int depth, struct target *t)
{
	struct stat st;
	unsigned char buf[1024]; /* the ELF header and program headers */

	if (!path)
		return NULL;
	if (depth == 0) {
		t->has_lst = ur_sys_lstat(path, &t->lst) == 0;
		if (!t->has_lst)
			return NULL;
		st = t->lst;
		if (S_ISLNK(st.st_mode) && ur_sys_stat(path, &st) != 0)
			return NULL;
		if (known_prog(path, t))
			return t->why;
	} else if (ur_sys_stat(path, &st) != 0) {
		return NULL;
	}
	if (!S_ISREG(st.st_mode))
		return NULL;
	const char *secure = ur_secure_reason(path, &st, &t->euid, &t->egid);
	if (secure)
		return secure;
	long fd = ur_sys_open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	long n = ur_sys_read((int)fd, buf, sizeof buf - 1);
	const char *why = NULL;
	if (n > 4 && !memcmp(buf, ELFMAG, SELFMAG)) {
		enum ur_elf_kind kind = ur_elf_kind((int)fd, buf, n);
		if (ur_elf_past_libc(kind))
			why = UNTRACED_STATIC;
		else if (kind == UR_ELF_DYNAMIC && native_elf(buf, n))
			t->image = depth ? IMAGE_SCRIPT : IMAGE_ELF;
	} else if (n > 2 && buf[0] == '#' && buf[1] == '!' && depth == 0) {
		buf[n] = 0;
		char *p = (char *)buf + 2;
		while (*p == ' ' || *p == '\t')
			p++;
		char *end = p;
		while (*end && *end != ' ' && *end != '\t' && *end != '\n')
			end++;
		*end = 0;
		ur_sys_close((int)fd);
		size_t len = strlen(p);
		if (len < sizeof t->interp)
			memcpy(t->interp, p, len + 1);
		why = why_untraced(p, 1, t);
		if (!t->interp[0])
			t->image = IMAGE_UNKNOWN; /* too long to hand over */
		return why;
	}
	ur_sys_close((int)fd);
	if (depth == 0)
		learn_prog(path, t, why);
	return why;
}

/* Whether the caller's effective ids are not its real ones, for which the
 * kernel runs any program in secure mode: what the proc record found,
 * kept after each set*id call; asked of the kernel in a vfork child that
 * made one (CPython's _posixsubprocess calls setreuid there). */
static bool ids_mixed_now(void)
{
	if (ur_vfork_creds && ur_other_process())
		return ur_ids_differ(NULL, NULL);
	return __atomic_load_n(&ur_ids_mixed, __ATOMIC_RELAXED);
}

/* The probe of path, before the exec or spawn (raw calls and this stack
 * only: it runs in vfork children). */
static void probe(const char *path, struct target *t)
{
	t->has_lst = false;
	t->euid = t->egid = -1;
	t->image = IMAGE_UNKNOWN;
	t->interp[0] = 0;
	t->walked = NULL;
	t->known = t->learned = false;
	t->pid = 0;
	t->why = why_untraced(path, 0, t);
	if (!t->why && t->has_lst && ids_mixed_now())
		t->why = UNTRACED_IDS;
}

/* other: from a child in its parent's file, with the child's pid (see
 * other_note_exec) */
static void record_untraced(const char *path, const char *why, pid_t pid,
			    bool other)
{
	char buf[PATH_MAX * 2 + 256];
	char abs[PATH_MAX * 2];
	struct jbuf j;

	if (!ur_absolute(AT_FDCWD, path, abs, sizeof abs))
		return;
	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_UNTRACED);
	jb_int(&j, K_PID, pid);
	jb_int(&j, K_TS, other ? ur_now_ns_uncounted() : ur_now_ns());
	jb_str(&j, K_PATH, abs);
	jb_str(&j, K_WHY, why);
	jb_end(&j);
	if (j.overflow)
		return;
	if (other)
		ur_log_write_other(buf, j.len);
	else
		ur_log_write(buf, j.len);
}

void ur_note_io_uring(void)
{
	static pid_t said FORK_STATE;
	char exe[PATH_MAX];
	long n;

	if (said == ur_pid)
		return;
	said = ur_pid;
	n = ur_sys_proc_readlink("exe", exe, sizeof exe - 1);
	if (n <= 0)
		return;
	exe[n] = 0;
	record_untraced(exe, UNTRACED_IO_URING, ur_pid, false);
}

/* ---- PATH search, as execvp does, to know which file will run ---- */

static bool executable(const char *path)
{
	struct stat st;
	return ur_syscall(SYS_faccessat, AT_FDCWD, path, X_OK) == 0 &&
	       ur_sys_stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *search_path(const char *file, char *out, size_t cap)
{
	const char *dirs = getenv("PATH");

	if (!file || !*file || strchr(file, '/'))
		return file;
	if (!dirs)
		dirs = "/bin:/usr/bin";
	size_t fl = strlen(file);
	for (const char *d = dirs;; d++) {
		const char *end = strchr(d, ':');
		size_t dl = end ? (size_t)(end - d) : strlen(d);
		if (dl + fl + 2 < cap) {
			memcpy(out, dl ? d : ".", dl ? dl : 1);
			size_t n = dl ? dl : 1;
			out[n] = '/';
			memcpy(out + n + 1, file, fl + 1);
			if (executable(out))
				return out;
		}
		if (!end)
			break;
		d = end;
	}
	return file;
}

/* ---- recording ---- */

/* Exact (getpid each time: execs are rare); also makes a child forked
 * without fork()'s handlers a traced process of its own (state.c). */
static bool in_vfork_child(void)
{
	return ur_other_process_slow();
}

/* fallback: a static program is run by the helper, or traced by one
 * already, which records it */
static bool untraced_here(const char *why, bool fallback)
{
	return why && !(fallback && !strcmp(why, UNTRACED_STATIC));
}

static void note_exec(const char *fn, int dirfd, const char *path,
		      char *const argv[], long ret, int err, bool fallback,
		      const char *why)
{
	int saved = errno;
	struct call c = CALL_INIT(OP_EXEC, fn);
	c.dirfd = dirfd;
	c.path = path;
	c.argv0 = argv ? argv[0] : NULL;
	ur_after(&c, ret, err);
	if (!err && untraced_here(why, fallback))
		record_untraced(path, why, ur_pid, false);
	errno = saved;
}

/* t: the probe made before the spawn; NULL: probed here */
static void note_spawn(const char *fn, const char *path, char *const argv[],
		       long child, int err, bool fallback,
		       const struct target *t)
{
	int saved = errno;
	struct call c = CALL_INIT(OP_SPAWN, fn);
	c.path = path;
	c.argv0 = argv ? argv[0] : NULL;
	c.child = child;
	ur_after(&c, err ? -1 : 0, err);
	struct target here;
	if (!err && !t) {
		probe(path, &here);
		t = &here;
	}
	if (!err && untraced_here(t->why, fallback))
		record_untraced(path, t->why, ur_pid, false);
	errno = saved;
}

/*
 * Where an exec is recorded.  In this process's own file (note_exec), or
 * in another's (other_note_exec):
 * - a vfork child (dash runs every external command so, CPython's
 *   subprocess too) runs on its parent's memory and thread until it execs:
 *   its exec goes into the parent's file;
 * - a forked child that has recorded nothing yet has no file of its own
 *   (log.c): its exec goes into the file it inherited, its parent's.  A
 *   fork-exec child, the commonest kind, so costs neither a file nor a
 *   proc record; the program it execs makes its own.
 */
enum exec_file { OWN_FILE, VFORK_PARENT, FORK_PARENT };

/* what other_note_exec writes at most: abs, parent, real and its walk's
 * scratch (PATH_MAX each), the record (3 PATH_MAX) */
#define NOTE_TEXT (7 * PATH_MAX)

/* *pid: this process's, asked whichever the answer */
static enum exec_file exec_file(pid_t *pid, const struct target *t)
{
	bool other = t && t->pid ? ur_other_process_is(*pid = t->pid)
				 : ur_other_process_pid(pid);
	if (other) /* a vfork child */
		return VFORK_PARENT;
	return ur_log_borrowed() ? FORK_PARENT : OWN_FILE;
}

/*
 * The exec event written into another process's file, before the call and
 * again when it fails, and the "untraced" record of a program the loader
 * will not preload into.  A vfork child runs on its parent's memory and
 * thread: only this stack, raw system calls and one atomic reservation in
 * the parent's mapped file (ur_log_write_other).  No scratch, no cache, no
 * stack walk, no lock, no thread-local state but errno, which is put back;
 * a forked child gets the same treatment.  The record carries the child's
 * own pid, its effective ids (it may have changed them: a vfork child's
 * are asked, a forked child's are those its set*id wrappers keep) and
 * "vfork": true or "forked": true.  pid: the child's, as exec_file() asked; t:
 * the probe made just before (NULL after a failed call), whose lstat and ids
 * are this child's own.
 */
static __attribute__((noinline)) bool
other_note_exec(enum exec_file where, pid_t pid, const char *fn, int dirfd,
		const char *path, char *const argv[], long ret, int err,
		bool fallback, const struct target *t,
		const struct strpile *room)
{
	int saved = errno;
	bool placed = true; /* nothing to place is not a failure */
	/* abs, parent, real (and its scratch), buf: after the caller's
	 * strings when its room has NOTE_TEXT left, else in a text of its
	 * own (a VLA: one byte when it is not needed) */
	bool borrow = room && room->cap - room->used >= NOTE_TEXT;
	char own[borrow ? 1 : NOTE_TEXT];
	struct strpile sc =
	    borrow ? *room : (struct strpile){own, sizeof own, 0};
	size_t cap = PATH_MAX;
	char *abs = pile_room(&sc, &cap), *parent, *real, *buf;
	struct stat st, pst;
	struct jbuf j;

	if (!path || !ur_absolute(dirfd, path, abs, PATH_MAX))
		goto out;
	pile_keep(&sc, abs);
	bool has_st;
	/* the probe's lstat, when it named the same path (lexically:
	 * "link/.." in path is resolved by the kernel, not in abs) */
	if (t && dirfd == AT_FDCWD && !strcmp(path, abs)) {
		has_st = t->has_lst;
		st = t->lst;
	} else {
		has_st = ur_sys_lstat(abs, &st) == 0;
	}
	parent = pile_room(&sc, &cap); /* a prefix of abs */
	ur_parent_of(abs, parent);
	pile_keep(&sc, parent);
	bool has_pst =
	    ur_dir_beyond_link(parent, &pst, ur_sys_lstat(parent, &pst) == 0);
	/* walked, not read from /proc/self/fd: this child's /proc directory
	 * would be made for that one look (hand_over's walk when it made one;
	 * else with scratch of its own after real) */
	bool has_real;
	real = pile_room(&sc, &cap);
	if (t && t->walked && dirfd == AT_FDCWD) {
		has_real =
		    strlen(t->walked) < PATH_MAX && strcmp(t->walked, abs);
		if (has_real)
			strcpy(real, t->walked);
	} else {
		has_real = ur_walk_real(abs, real, real + PATH_MAX, PATH_MAX) &&
			   strcmp(real, abs);
	}
	if (has_real)
		pile_keep(&sc, real);
	cap = 3 * PATH_MAX;
	buf = pile_room(&sc, &cap);
	jb_init(&j, buf, cap);
	jb_begin(&j, REC_EVENT);
	jb_lit(&j, K_OP, unroot_op_name(OP_EXEC));
	jb_lit(&j, K_FN, fn);
	jb_str(&j, K_PATH, abs);
	if (has_real)
		jb_str(&j, K_REAL, real);
	if (argv && argv[0])
		jb_str(&j, K_ARGV0, argv[0]);
	jb_int(&j, K_RET, ret);
	if (err)
		jb_lit(&j, K_ERRNO, ur_errno_name(err));
	jb_int(&j, K_PID, pid);
	jb_int(&j, K_TS, ur_now_ns_uncounted());
	/* a forked child's own memory holds its ids, kept by the set*id
	 * wrappers as for its other events (state.c); a vfork child's are
	 * its parent's: asked */
	bool mine = where == FORK_PARENT;
	long euid = t && t->euid >= 0 ? t->euid
		    : mine	      ? (long)ur_euid
				      : ur_syscall(SYS_geteuid);
	long egid = t && t->egid >= 0 ? t->egid
		    : mine	      ? (long)ur_egid
				      : ur_syscall(SYS_getegid);
	jb_int(&j, K_UID, euid);
	jb_int(&j, K_GID, egid);
	jb_state(&j, K_ST, &st, has_st);
	jb_state(&j, K_PARENT, &pst, has_pst);
	jb_bool(&j, where == VFORK_PARENT ? K_VFORK : K_FORKED, true);
	jb_end(&j);
	if (!j.overflow)
		placed = ur_log_write_other(buf, j.len);
	if (placed && !err && t && untraced_here(t->why, fallback))
		record_untraced(path, t->why, pid, true);
out:
	errno = saved;
	return placed;
}

/*
 * The exec event, in the file exec_file() names.  A forked child's
 * inherited file can fail to take it (the child changed its ids, and the
 * file had to grow): the event then goes into a file of the child's own,
 * and so does the one after a failed call.  t: the probe of path made
 * before the call (NULL after a failed one, which says nothing untraced).
 */
static void record_exec(const char *fn, int dirfd, const char *path,
			char *const argv[], long ret, int err, bool fallback,
			const struct target *t, const struct strpile *room)
{
	pid_t pid;
	enum exec_file where = exec_file(&pid, t);

	if (where != OWN_FILE &&
	    other_note_exec(where, pid, fn, dirfd, path, argv, ret, err,
			    fallback, t, room))
		return;
	if (where == VFORK_PARENT)
		return;
	note_exec(fn, dirfd, path, argv, ret, err, fallback, t ? t->why : NULL);
	if (!ret && !err)
		ur_log_trim(); /* the image is about to end (log.c) */
}

/* ---- the fallback tracer for static programs ---- */

/*
 * unroot-ptrace beside the preload (its directory or up to two above: the
 * container payload keeps it above lib/x86_64-linux-gnu and $LIB), into
 * out (PATH_MAX); false when there is none.  Looked up at each exec of a
 * static program, not at start-up: most images exec none, and the answer
 * is written nowhere but the caller's stack (a vfork child's ids may
 * differ from its parent's).
 */
static bool find_helper(char *out)
{
	static const char name[] = "/unroot-ptrace";
	size_t n = strlen(ur_lib);

	if (n >= PATH_MAX)
		return false;
	memcpy(out, ur_lib, n + 1);
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(out, '/');
		if (!slash || slash == out)
			break;
		if ((size_t)(slash - out) + sizeof name > PATH_MAX)
			break;
		memcpy(slash, name, sizeof name);
		if (executable(out))
			return true;
		*slash = 0;
	}
	out[0] = 0;
	return false;
}

/*
 * Is this process traced by an unroot-ptrace already (a dynamic program
 * below a static one)?  That tracer follows its exec and records the
 * static program; a second one could not attach (a process has one
 * tracer).  Raw calls only: it runs in vfork children.
 */
bool ur_under_helper(void)
{
	char buf[2048], link[PATH_MAX];
	long fd = ur_sys_proc_open("status");
	long n = fd < 0 ? -1 : ur_sys_read((int)fd, buf, sizeof buf - 1);

	if (fd >= 0)
		ur_sys_close((int)fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	const char *t = strstr(buf, "\nTracerPid:");
	long pid = t ? strtol(t + 11, NULL, 10) : 0;
	if (pid <= 0)
		return false;
	char exe[48];
	snprintf(exe, sizeof exe, "/proc/%ld/exe", pid);
	n = ur_sys_readlink(exe, link, sizeof link - 1);
	if (n <= 0)
		return false;
	link[n] = 0;
	const char *base = strrchr(link, '/');
	return !strcmp(base ? base + 1 : link, "unroot-ptrace");
}

/* What becomes of a static program: recorded untraced as before, run
 * through the helper, or already seen by the helper tracing us (or the
 * helper itself). */
enum handoff { UNTRACED, HANDOFF, COVERED };

/*
 * For file (a static program, or a script run by one, that is not
 * set-id; why says, from the probe): HANDOFF with its absolute path in abs
 * and the helper's in helper (both PATH_MAX), or COVERED.  Raw calls and
 * this stack only: it runs in vfork children.
 */
static enum handoff via_helper(const char *file, char *const argv[],
			       const char *why, char *abs, char *helper)
{
	if (!file || !argv || !argv[0])
		return UNTRACED;
	if (!why || strcmp(why, UNTRACED_STATIC))
		return UNTRACED;
	/* the helper itself, run by hand: it records what it runs, and a
	 * helper tracing a helper could never attach */
	const char *base = strrchr(file, '/');
	if (ur_under_helper() ||
	    !strcmp(base ? base + 1 : file, "unroot-ptrace"))
		return COVERED;
	return find_helper(helper) && ur_absolute(AT_FDCWD, file, abs, PATH_MAX)
		   ? HANDOFF
		   : UNTRACED;
}

/* helper --argv0 ARGV0 -- FILE ARGV[1]...: the program keeps its argv
 * (out: env_count(argv) + 5 slots). */
static char *const *helper_argv(char *helper, const char *file,
				char *const argv[], char **out)
{
	size_t o = 0;

	out[o++] = helper;
	out[o++] = "--argv0";
	out[o++] = argv[0];
	out[o++] = "--";
	out[o++] = (char *)file;
	for (size_t i = 1; argv[i]; i++)
		out[o++] = argv[i];
	out[o] = NULL;
	return out;
}

/* ---- the exec family ---- */

static START_STATE int (*real_execve)(const char *, char *const[],
				      char *const[]);
static START_STATE int (*real_execvpe)(const char *, char *const[],
				       char *const[]);
static START_STATE int (*real_fexecve)(int, char *const[], char *const[]);
static START_STATE int (*real_execveat)(int, const char *, char *const[],
					char *const[], int);

#define REAL(name, type)                                    \
	do {                                                \
		if (UNLIKELY(!real_##name))                 \
			real_##name = (type)ur_real(#name); \
	} while (0)

typedef int (*exec_fn)(const char *, char *const[], char *const[]);

/*
 * UNROOT_EXEC for the image that the exec of file (the path the kernel is
 * given) will make (handover.c), added to env (fix_env's array), when the
 * probe t knows what the kernel will run.  Its paths are written after
 * f's strings; the real path of file stays there, named by t->walked, for
 * the exec record made after.  Raw calls and this stack only: it runs in
 * vfork children.
 */
static void hand_over(char **env, struct env_fix *f, const char *file,
		      struct target *t)
{
	const char *run = t->image == IMAGE_SCRIPT ? t->interp : file;
	size_t cap = PATH_MAX, rcap = PATH_MAX, ecap = FIX_EXEC;
	char *path = pile_room(&f->s, &cap), *real;

	bool known = t->known && run == file && t->prog.real[0];

	if (t->why || t->image == IMAGE_UNKNOWN || !file || cap < PATH_MAX ||
	    (!known && !ur_absolute(AT_FDCWD, run, path, PATH_MAX)))
		return;
	pile_hold(&f->s, PATH_MAX); /* the walk's scratch */
	real = pile_room(&f->s, &rcap);
	if (rcap < PATH_MAX)
		return;
	if (known) {
		memcpy(real, t->prog.real, strlen(t->prog.real) + 1);
	} else if (!ur_walk_real(path, real, path, PATH_MAX)) {
		return;
	} else if (t->learned && run == file &&
		   strlen(real) < sizeof t->prog.real) {
		memcpy(t->prog.real, real, strlen(real) + 1);
		ur_prog_put(file, &t->lst, &t->prog);
	}
	pile_keep(&f->s, real);
	if (run == file)
		t->walked = real;
	f->exec = pile_room(&f->s, &ecap);
	t->pid = (pid_t)ur_sys_getpid(); /* record_exec's too */
	if (ecap < FIX_EXEC ||
	    !ur_handover_text(f->exec, ecap, t->pid, file, real))
		return;
	pile_keep(&f->s, f->exec);
	size_t n = 0;
	while (env[n])
		n++;
	env[n] = f->exec;
	env[n + 1] = NULL;
}

/*
 * What an exec writes on its stack, in one block: a forked child writes
 * every page of stack it touches anew (a page fault each), so the probe,
 * the environment's strings and the exec record's strings are kept
 * together, one after the other, instead of in arrays of their worst-case
 * sizes that each began a page of their own.  note follows fix.text
 * directly: other_note_exec writes after fix's strings.
 */
struct exec_room {
	struct target t;
	struct env_fix fix;
	char note[NOTE_TEXT];
};
_Static_assert(offsetof(struct exec_room, note) ==
		   offsetof(struct exec_room, fix) +
		       offsetof(struct env_fix, text) +
		       sizeof(((struct env_fix *)0)->text),
	       "note follows fix.text");

static __attribute__((noinline)) int exec_body(const char *fn, const char *path,
					       char *const argv[],
					       char *const envp[], bool search)
{
	exec_fn call;
	char found[PATH_MAX];

	REAL(execve, exec_fn);
	REAL(execvpe, exec_fn);
	call = search ? real_execvpe : real_execve;
	if (!ur_enabled)
		return call(path, argv, envp);
	size_t n_env = env_count(envp);
	/* a VLA, declared first: below this frame's arrays, just above env
	 * and the callees' frames, which it then shares pages with */
	struct exec_room x[1 + (n_env == (size_t)-1)];
	char *env[n_env + 6];
	char *const *e = fix_env(envp, env, &x->fix);
	const char *file =
	    search ? search_path(path, found, sizeof found) : path;
	char abs[PATH_MAX], helper[PATH_MAX];
	probe(file, &x->t);
	enum handoff h = via_helper(file, argv, x->t.why, abs, helper);
	if (h == UNTRACED)
		hand_over(env, &x->fix, file, &x->t);
	struct strpile room = x->fix.s; /* and note after it */
	room.cap += sizeof x->note;
	record_exec(fn, AT_FDCWD, file, argv, 0, 0, h != UNTRACED, &x->t,
		    &room);
	if (h == HANDOFF) {
		char *hargv[env_count(argv) + 5];
		real_execve(helper, helper_argv(helper, abs, argv, hargv), e);
		/* the helper could not be run: the program, untraced */
		record_exec(fn, AT_FDCWD, file, argv, 0, 0, false, &x->t,
			    &room);
	}
	int r = call(path, argv, e);
	record_exec(fn, AT_FDCWD, file, argv, r, errno, false, NULL, &room);
	return r;
}

/*
 * A forked child that has recorded nothing yet (ur_log_borrowed) shares
 * its parent's stack pages until it writes them, and exec_body writes
 * several (its arrays, each probed a page at a time as it is made): each
 * would be a fault of its own, a copy on write of about 12 us on the
 * machines this was measured on, where one madvise copies all the pages
 * it may use for a fraction of that.  Those pages: exec_body's frame (its
 * room, three paths, the new environment) and its callees' below it.
 */
#define EXEC_FRAMES \
	(sizeof(struct exec_room) + 3 * PATH_MAX + ((size_t)8 << 10))
static inline int traced_exec(const char *fn, const char *path,
			      char *const argv[], char *const envp[],
			      bool search)
{
	if (ur_enabled && ur_log_borrowed()) {
		size_t below =
		    EXEC_FRAMES + (env_count(envp) + 6) * sizeof(char *);
		char *top = __builtin_frame_address(0);
		ur_populate_write(top - below, below);
	}
	return exec_body(fn, path, argv, envp, search);
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	return traced_exec("execve", path, argv, envp, false);
}

EXPORT int execv(const char *path, char *const argv[])
{
	return traced_exec("execv", path, argv, environ, false);
}

EXPORT int execvp(const char *file, char *const argv[])
{
	return traced_exec("execvp", file, argv, environ, true);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	return traced_exec("execvpe", file, argv, envp, true);
}

/* execl and friends: gather the variadic arguments into an argv array. */
#define COLLECT_ARGS(arg, last, argv, envp_out)  \
	size_t argc_ = 1;                        \
	va_list ap_;                             \
	va_start(ap_, arg);                      \
	while (va_arg(ap_, char *))              \
		argc_++;                         \
	va_end(ap_);                             \
	char *argv[argc_ + 1];                   \
	argv[0] = (char *)(arg);                 \
	va_start(ap_, arg);                      \
	for (size_t i_ = 1; i_ <= argc_; i_++)   \
		argv[i_] = va_arg(ap_, char *);  \
	if (last)                                \
		envp_out = va_arg(ap_, char **); \
	va_end(ap_)

EXPORT int execl(const char *path, const char *arg, ...)
{
	char **envp = environ;
	COLLECT_ARGS(arg, false, argv, envp);
	return traced_exec("execl", path, argv, envp, false);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
	char **envp; /* read from the arguments, after the NULL */
	COLLECT_ARGS(arg, true, argv, envp);
	return traced_exec("execle", path, argv, envp, false);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
	char **envp = environ;
	COLLECT_ARGS(arg, false, argv, envp);
	return traced_exec("execlp", file, argv, envp, true);
}

EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	char path[PATH_MAX];

	REAL(fexecve, int (*)(int, char *const[], char *const[]));
	if (!ur_enabled)
		return real_fexecve(fd, argv, envp);
	char *env[env_count(envp) + 6];
	struct env_fix fix;
	char *const *e = fix_env(envp, env, &fix);
	if (!ur_fd_path(fd, path, sizeof path))
		strcpy(path, "?");
	struct target t;
	probe(path, &t);
	record_exec("fexecve", AT_FDCWD, path, argv, 0, 0, false, &t, NULL);
	int r = real_fexecve(fd, argv, e);
	record_exec("fexecve", AT_FDCWD, path, argv, r, errno, false, NULL,
		    NULL);
	return r;
}

static int call_execveat(int dirfd, const char *path, char *const argv[],
			 char *const envp[], int flags)
{
	REAL(execveat,
	     int (*)(int, const char *, char *const[], char *const[], int));
	if (real_execveat)
		return real_execveat(dirfd, path, argv, envp, flags);
	return (int)syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}

EXPORT int execveat(int dirfd, const char *path, char *const argv[],
		    char *const envp[], int flags)
{
	if (!ur_enabled)
		return call_execveat(dirfd, path, argv, envp, flags);
	char *env[env_count(envp) + 6];
	struct env_fix fix;
	char *const *e = fix_env(envp, env, &fix);
	struct target t;
	probe(path, &t);
	record_exec("execveat", dirfd, path, argv, 0, 0, false, &t, NULL);
	int r = call_execveat(dirfd, path, argv, e, flags);
	record_exec("execveat", dirfd, path, argv, r, errno, false, NULL, NULL);
	return r;
}

/* ---- spawning ---- */

typedef int (*spawn_fn)(pid_t *, const char *,
			const posix_spawn_file_actions_t *,
			const posix_spawnattr_t *, char *const[],
			char *const[]);
static spawn_fn real_posix_spawn, real_posix_spawnp;
static int (*real_system)(const char *);
static FILE *(*real_popen)(const char *, const char *);

/* The exec wrappers run in vfork children: no dlsym there, resolve now. */
__attribute__((constructor(103))) static void resolve_exec(void)
{
	if (!ur_enabled)
		return;
	REAL(execve, exec_fn);
	REAL(execvpe, exec_fn);
	REAL(fexecve, int (*)(int, char *const[], char *const[]));
	REAL(execveat,
	     int (*)(int, const char *, char *const[], char *const[], int));
	REAL(posix_spawn, spawn_fn);
	REAL(posix_spawnp, spawn_fn);
	REAL(system, int (*)(const char *));
	REAL(popen, FILE * (*)(const char *, const char *));
}

static int traced_spawn(const char *fn, spawn_fn call, pid_t *pid,
			const char *path,
			const posix_spawn_file_actions_t *actions,
			const posix_spawnattr_t *attr, char *const argv[],
			char *const envp[], bool search)
{
	char found[PATH_MAX];
	pid_t child = -1;

	if (!ur_enabled)
		return call(pid, path, actions, attr, argv, envp);
	char *env[env_count(envp) + 6];
	struct env_fix fix;
	char *const *e = fix_env(envp, env, &fix);
	int saved = errno; /* the PATH search must not change it */
	const char *file =
	    search ? search_path(path, found, sizeof found) : path;
	char abs[PATH_MAX], helper[PATH_MAX];
	struct target t = {.why = NULL};
	bool vforked = in_vfork_child();
	if (!vforked)
		probe(file, &t);
	enum handoff h =
	    vforked ? UNTRACED : via_helper(file, argv, t.why, abs, helper);
	errno = saved;
	int r;
	if (h == HANDOFF) {
		char *hargv[env_count(argv) + 5];
		r = call(&child, helper, actions, attr,
			 helper_argv(helper, abs, argv, hargv), e);
	} else {
		r = call(&child, path, actions, attr, argv, e);
	}
	if (pid)
		*pid = child;
	if (!in_vfork_child()) {
		saved = errno;
		note_spawn(fn, file, argv, r ? -1 : child, r, h != UNTRACED,
			   &t);
		errno = saved;
	}
	return r;
}

EXPORT int posix_spawn(pid_t *pid, const char *path,
		       const posix_spawn_file_actions_t *actions,
		       const posix_spawnattr_t *attr, char *const argv[],
		       char *const envp[])
{
	REAL(posix_spawn, spawn_fn);
	return traced_spawn("posix_spawn", real_posix_spawn, pid, path, actions,
			    attr, argv, envp, false);
}

EXPORT int posix_spawnp(pid_t *pid, const char *file,
			const posix_spawn_file_actions_t *actions,
			const posix_spawnattr_t *attr, char *const argv[],
			char *const envp[])
{
	REAL(posix_spawnp, spawn_fn);
	return traced_spawn("posix_spawnp", real_posix_spawnp, pid, file,
			    actions, attr, argv, envp, true);
}

/*
 * system() and popen() spawn /bin/sh through libc's internal spawn, which
 * no wrapper sees: give them an environment with the preload for the
 * duration of the call, then put the workload's own back.
 */
static char **environ_with_preload(char **env, struct env_fix *fix)
{
	char **old = environ;
	fix_env(old, env, fix);
	environ = env;
	return old;
}

/* The value of NAME in envp, or NULL. */

/*
 * Does environ already carry the preload and its settings?  Then system()
 * and popen() leave it alone: swapping environ is visible to other
 * threads for as long as the command runs.
 */
static bool environ_traced(void)
{
	const char *pre = ur_env_value(environ, "LD_PRELOAD");
	const char *log = ur_env_value(environ, UNROOT_ENV_LOG);
	const char *flags = ur_env_value(environ, UNROOT_ENV_FLAGS);

	return pre && preload_has(pre, ur_lib) && log &&
	       !strcmp(log, ur_logdir) &&
	       !strcmp(flags ? flags : "", ur_flags_text);
}

EXPORT int system(const char *command)
{
	REAL(system, int (*)(const char *));
	if (!ur_enabled || !command)
		return real_system(command);
	if (environ_traced()) {
		char *sh_argv[] = {"sh", "-c", (char *)command, NULL};
		note_spawn("system", "/bin/sh", sh_argv, -1, 0, false, NULL);
		int r = real_system(command);
		ur_known_forget_all(); /* the command may have changed the tree
					*/
		return r;
	}
	char *env[env_count(environ) + 5];
	struct env_fix fix;
	char *sh_argv[] = {"sh", "-c", (char *)command, NULL};
	char **old = environ_with_preload(env, &fix);
	note_spawn("system", "/bin/sh", sh_argv, -1, 0, false, NULL);
	int r = real_system(command);
	int e = errno;
	ur_known_forget_all();
	if (environ == env)
		environ = old;
	errno = e;
	return r;
}

EXPORT FILE *popen(const char *command, const char *type)
{
	REAL(popen, FILE * (*)(const char *, const char *));
	if (!ur_enabled || !command)
		return real_popen(command, type);
	if (environ_traced()) {
		char *sh_argv[] = {"sh", "-c", (char *)command, NULL};
		FILE *f = real_popen(command, type);
		note_spawn("popen", "/bin/sh", sh_argv, -1, f ? 0 : errno,
			   false, NULL);
		return f;
	}
	char *env[env_count(environ) + 5];
	struct env_fix fix;
	char *sh_argv[] = {"sh", "-c", (char *)command, NULL};
	char **old = environ_with_preload(env, &fix);
	FILE *f = real_popen(command, type);
	int e = errno;
	if (environ == env)
		environ = old;
	note_spawn("popen", "/bin/sh", sh_argv, -1, f ? 0 : e, false, NULL);
	errno = e;
	return f;
}
