/*
 * record.c - the recorder every wrapper calls: ur_begin() before the real
 * call (absolute paths, the state of the target, its parent and, once per
 * directory, its ancestors, and the call stack), ur_end() after it (the
 * "ev" record, placed in the log whole: log.c).  ur_after() records a call
 * in one step, after it: calls whose path is only known then (mkstemp),
 * calls recorded only when they fail (denied reads, access checks and
 * connects; wrap.c) and execs (exec.c).
 *
 * errno is saved on entry and restored on exit of each, so the workload
 * sees exactly what libc told it.  Memory comes from a per-thread mmap'd
 * scratch area; a record started inside a signal handler that interrupted
 * another gets its own mapping, so both records stay whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "unroot.h"

static __thread struct scratch *thread_scratch;
static __thread int scratch_depth;
static __thread pid_t thread_tid;
static __thread bool scratch_registered; /* with the key, or needs not */
static pthread_key_t scratch_key;
/*
 * The key that unmaps a thread's scratch when the thread exits: made by
 * the first thread to map a scratch, not at start-up (most images record
 * nothing).  Nobody waits for it: a thread that finds it being made
 * registers at its next record.
 */
enum { KEY_NONE, KEY_MAKING, KEY_MADE, KEY_FAILED };
static int scratch_key_state FORK_STATE; /* read in every forked child */

static void free_thread_scratch(void *p)
{
	if (p)
		ur_syscall(SYS_munmap, p, sizeof(struct scratch));
}

/* True once this thread's scratch is registered (or cannot be). */
static bool scratch_register(struct scratch *s)
{
	int st = __atomic_load_n(&scratch_key_state, __ATOMIC_ACQUIRE);
	int none = KEY_NONE;

	if (st == KEY_NONE && __atomic_compare_exchange_n(
				  &scratch_key_state, &none, KEY_MAKING, false,
				  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		st = pthread_key_create(&scratch_key, free_thread_scratch)
			 ? KEY_FAILED
			 : KEY_MADE;
		__atomic_store_n(&scratch_key_state, st, __ATOMIC_RELEASE);
	}
	if (st == KEY_MADE)
		pthread_setspecific(scratch_key, s);
	return st == KEY_MADE || st == KEY_FAILED;
}

static struct scratch *map_scratch(void)
{
	void *p = mmap(NULL, sizeof(struct scratch), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static struct scratch *scratch_take(void)
{
	struct scratch *s;

	if (scratch_depth++ > 0) {
		s = map_scratch();
		if (s)
			s->nested = true;
		return s;
	}
	if (!thread_scratch)
		thread_scratch = map_scratch();
	if (UNLIKELY(!scratch_registered) && thread_scratch)
		scratch_registered = scratch_register(thread_scratch);
	s = thread_scratch;
	if (s) {
		s->nested = false;
	}
	return s;
}

static void scratch_release(struct scratch *s)
{
	scratch_depth--;
	if (s && s->nested)
		ur_syscall(SYS_munmap, s, sizeof *s);
}

/* ---- directory cache: ancestors written once, real paths known ---- */

#define DIR_SLOTS    16384
#define DIR_RESOLVED 2u /* its real path was computed ... */
#define DIR_SAME     4u /* ... and equals its lexical path */
static uint64_t dir_keys[DIR_SLOTS];
static unsigned dir_flags[DIR_SLOTS];
/*
 * dir_epoch + 1 when the directory's "dir" record is in this process's
 * file: a forked child, which starts a new file, bumps dir_epoch instead
 * of clearing 16,384 slots (and copying their pages).
 */
static unsigned dir_seen[DIR_SLOTS];
static unsigned dir_epoch FORK_STATE;

/* The index of a directory's slot, or -1 when the table is full. */
static int dir_slot(uint64_t key)
{
	for (unsigned i = 0; i < 64; i++) {
		unsigned idx = (unsigned)(key + i) & (DIR_SLOTS - 1);
		uint64_t cur =
		    __atomic_load_n(&dir_keys[idx], __ATOMIC_ACQUIRE);
		if (cur == key)
			return (int)idx;
		if (cur == 0) {
			uint64_t zero = 0;
			if (__atomic_compare_exchange_n(
				&dir_keys[idx], &zero, key, false,
				__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
			    zero == key)
				return (int)idx;
		}
	}
	return -1;
}

/* True when this call is the first of this file to see the directory. */
static bool dir_first_seen(int slot)
{
	if (slot < 0)
		return true;
	unsigned now = __atomic_load_n(&dir_epoch, __ATOMIC_ACQUIRE) + 1;
	return __atomic_exchange_n(&dir_seen[slot], now, __ATOMIC_ACQ_REL) !=
	       now;
}

static void write_dir_record(struct scratch *s, const char *path, size_t n)
{
	struct stat st;
	struct jbuf j;
	char *tmp = s->real; /* free until the real path is computed */

	memcpy(tmp, path, n);
	tmp[n] = 0;
	bool present = ur_sys_lstat(tmp, &st) == 0;
	jb_init(&j, s->buf, sizeof s->buf);
	jb_begin(&j, REC_DIR);
	jb_strn(&j, K_PATH, path, n);
	jb_state(&j, K_ST, &st, present);
	jb_end(&j);
	if (!j.overflow)
		ur_log_write(j.p, j.len);
}

/* Every proper ancestor of dir ("/" included), once per log file. */
static void note_ancestors(struct scratch *s, const char *dir)
{
	size_t len = strlen(dir);

	if (len <= 1)
		return; /* "/" has no ancestors; its state is the parent's */
	for (size_t i = 0; i < len; i++) {
		if (dir[i] != '/')
			continue;
		size_t n = i == 0 ? 1 : i;
		if (dir_first_seen(dir_slot(ur_hash_path(dir, n))))
			write_dir_record(s, dir, n);
	}
}

/* The real path of directory dir into out; false when it is the same. */
static bool real_dir(const char *dir, char *out, size_t cap)
{
	int slot = dir_slot(ur_hash_path(dir, strlen(dir)) ^ 2);
	unsigned f =
	    slot >= 0 ? __atomic_load_n(&dir_flags[slot], __ATOMIC_ACQUIRE) : 0;

	if ((f & DIR_RESOLVED) && (f & DIR_SAME))
		return false;
	long fd = ur_sys_open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool ok = ur_fd_path((int)fd, out, cap);
	ur_sys_close((int)fd);
	bool same = !ok || !strcmp(out, dir);
	if (slot >= 0)
		__atomic_fetch_or(&dir_flags[slot],
				  DIR_RESOLVED | (same ? DIR_SAME : 0),
				  __ATOMIC_ACQ_REL);
	return !same;
}

/* dir is known to be its own real path: no event in it resolves it. */
static void dir_is_real(const char *dir)
{
	int slot = dir_slot(ur_hash_path(dir, strlen(dir)) ^ 2);
	unsigned want = DIR_RESOLVED | DIR_SAME;

	if (slot >= 0 && (__atomic_load_n(&dir_flags[slot], __ATOMIC_ACQUIRE) &
			  want) != want)
		__atomic_fetch_or(&dir_flags[slot], want, __ATOMIC_ACQ_REL);
}

/*
 * dir was just made by this process's own mkdir under parent: when the
 * parent is known to be its own real path, so is dir (a new directory,
 * not a symlink), and no event in it need resolve it (tar, git and npm
 * make every directory they then write in).
 */
static void made_dir(const char *parent, const char *dir)
{
	int p = dir_slot(ur_hash_path(parent, strlen(parent)) ^ 2);
	unsigned f =
	    p >= 0 ? __atomic_load_n(&dir_flags[p], __ATOMIC_ACQUIRE) : 0;

	if ((f & DIR_RESOLVED) && (f & DIR_SAME))
		dir_is_real(dir);
}

/*
 * A single name relative to a directory descriptor or to the working
 * directory: its parent is that directory's path as the kernel gave it
 * (/proc/self/fd, getcwd: every symlink resolved) or as it was remembered
 * once resolved, so it is its own real path (rm -r names each entry by
 * its directory's descriptor; a build names its files in the cwd).
 */
static bool parent_is_real(const struct call *c)
{
	const char *p = c->path;

	return !c->fixed && c->fd < 0 && p && p[0] && p[0] != '/' &&
	       !strchr(p, '/') && strcmp(p, ".") && strcmp(p, "..");
}

/*
 * Fill s->real when symlinks move the call somewhere else; same_dir: the
 * parent is known to be its own real path.  True when the parent moved.
 */
static bool resolve_real(struct call *c, struct scratch *s, bool same_dir)
{
	bool moved = !same_dir && real_dir(s->parent, s->real, sizeof s->real);
	bool link =
	    s->has_st && S_ISLNK(s->st.st_mode) && ur_follows_final_symlink(c);

	if (!moved)
		memcpy(s->real, s->parent, s->parent_len + 1);
	if ((moved || link) && ur_land(s->abs, link, s->real, sizeof s->real))
		s->has_real = strcmp(s->real, s->abs) != 0;
	return moved;
}

static void absolute_paths(struct call *c, struct scratch *s)
{
	bool ok;

	if (c->fixed) {
		size_t n = strlen(c->fixed);
		ok = n < sizeof s->abs;
		if (ok)
			memcpy(s->abs, c->fixed, n + 1);
	} else if (c->fd >= 0) {
		/* the fd's state is its pre-state (pre_state keeps it) */
		ok = ur_fd_path_stat(c->fd, s->abs, sizeof s->abs, &s->st,
				     &s->has_st);
	} else if (!c->path || (!c->path[0] && c->flag_kind == FK_AT &&
				(c->flags & AT_EMPTY_PATH))) {
		ok = c->dirfd >= 0 &&
		     ur_fd_path(c->dirfd, s->abs, sizeof s->abs);
	} else {
		ok = ur_absolute(c->dirfd, c->path, s->abs, sizeof s->abs);
	}
	if (!ok) {
		/* unknown (too long, deleted cwd): keep what the call named */
		const char *p = c->path ? c->path : "";
		size_t n = strnlen(p, sizeof s->abs - 1);
		memcpy(s->abs, p, n);
		s->abs[n] = 0;
	}
	s->abs2[0] = 0;
	if (c->path2 &&
	    !ur_absolute(c->dirfd2, c->path2, s->abs2, sizeof s->abs2)) {
		size_t n = strnlen(c->path2, sizeof s->abs2 - 1);
		memcpy(s->abs2, c->path2, n);
		s->abs2[n] = 0;
	}
	if (s->abs[0] == '/') {
		s->parent_len = ur_parent_of(s->abs, s->parent);
	} else {
		s->parent[0] = 0;
		s->parent_len = 0;
	}
}

static uint64_t key_of(const char *path)
{
	return path[0] == '/' ? ur_hash_path(path, strlen(path)) : 0;
}

/*
 * Calls that fail when their new name exists: when one succeeds, the name
 * was absent, so its state is read only after a failure (pre_state_after).
 */
static bool fails_if_exists(const struct call *c)
{
	switch (c->op) {
	case OP_OPEN:
		return (c->flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) &&
		       (c->flags & O_TMPFILE) != O_TMPFILE;
	case OP_MKDIR:
	case OP_MKNOD:
	case OP_SYMLINK:
		return true;
	default:
		return false;
	}
}

static bool is_plain_rename(const struct call *c)
{
	return c->op == OP_RENAME && c->path2 &&
	       (c->flag_kind != FK_RENAME || c->flags == 0);
}

/*
 * An open with O_CREAT but not O_EXCL, of a name whose state is unknown:
 * try it with O_EXCL first.  When that succeeds the name was absent and
 * the call is done, exactly as the caller asked (O_EXCL is not kept in
 * the file's flags, and on an absent name it changes nothing).  When it
 * fails the name exists (or the call fails anyway): the caller's own call
 * runs, after an lstat of the name.  Only where the raw openat is what
 * libc's open does (64-bit: no O_LARGEFILE difference).
 */
static bool try_exclusive_open(struct call *c, struct scratch *s)
{
#if __SIZEOF_LONG__ == 8
	if (!c->may_add_excl || (c->flags & (O_CREAT | O_EXCL)) != O_CREAT ||
	    (c->flags & O_TMPFILE) == O_TMPFILE || !c->path)
		return false;
	long r =
	    ur_sys_openat(c->dirfd, c->path, c->flags | O_EXCL, (int)c->mode);
	if (r < 0)
		return false;
	s->performed = true;
	s->performed_ret = r;
	return true;
#else
	(void)c;
	(void)s;
	return false;
#endif
}

/*
 * A rename whose new name's state is unknown: try it with
 * RENAME_NOREPLACE first.  Success proves the name was absent and is the
 * caller's rename done; any failure (the name exists, the file system or
 * a seccomp filter refuses the flag) leaves everything as it was, and the
 * caller's own call runs after an lstat of the new name.
 */
static bool try_noreplace_rename(const struct call *c, struct scratch *s)
{
#ifdef SYS_renameat2
	if (!is_plain_rename(c))
		return false;
	long r = ur_syscall(SYS_renameat2, c->dirfd, c->path, c->dirfd2,
			    c->path2, 1 /* RENAME_NOREPLACE */);
	if (r != 0)
		return false;
	s->performed = true;
	s->performed_ret = 0;
	return true;
#else
	(void)c;
	(void)s;
	return false;
#endif
}

static void target_states(struct call *c, struct scratch *s)
{
	bool present;

	if (c->fd >= 0 && !c->fixed) {
		/* fstat'ed with the fd's path (absolute_paths) */
	} else if (s->abs[0] != '/' || c->absent_before) {
		/* no state: unknown path, or a name the call made */
	} else if (ur_known_get(s->abs_key, &s->st, &present)) {
		s->has_st = present;
	} else if (fails_if_exists(c) || try_exclusive_open(c, s)) {
		s->st_after = !s->performed;
	} else {
		s->has_st = ur_known_state(s->abs, s->abs_key, &s->st);
	}
	if (s->abs2[0] != '/')
		return;
	if (ur_known_get(s->abs2_key, &s->st2, &present))
		s->has_st2 = present;
	else if (c->op == OP_LINK)
		s->st2_after = true;
	else if (!try_noreplace_rename(c, s))
		s->has_st2 = ur_known_state(s->abs2, s->abs2_key, &s->st2);
}

static void pre_state(struct call *c, struct scratch *s)
{
	s->has_st2 = s->has_pst = s->has_real = false;
	s->st_after = s->st2_after = s->performed = false;
	if (c->fd < 0 || c->fixed)
		s->has_st = false;
	ur_known_tick();
	s->abs_key = key_of(s->abs);
	s->abs2_key = key_of(s->abs2);
	s->parent_key =
	    s->parent[0] ? ur_hash_path(s->parent, s->parent_len) : 0;
	if (s->parent[0])
		s->has_pst = ur_parent_state(s->parent, s->parent_key, &s->pst);
	if (s->parent[0]) {
		/*
		 * The same parent as this thread's last event (a storm in
		 * one directory): its ancestors are described already and
		 * its real path is known, unless a new file started since.
		 */
		unsigned epoch = __atomic_load_n(&dir_epoch, __ATOMIC_ACQUIRE);
		bool same = s->parent_len == s->last_len &&
			    s->last_epoch == epoch &&
			    !memcmp(s->parent, s->last_parent, s->parent_len);
		if (!same) {
			note_ancestors(s, s->parent);
			if (parent_is_real(c))
				dir_is_real(s->parent);
		}
		/* the target's state first: resolve_real looks for a symlink */
		target_states(c, s);
		bool moved = resolve_real(c, s, same && s->last_same);
		if (!same) {
			memcpy(s->last_parent, s->parent, s->parent_len + 1);
			s->last_len = s->parent_len;
			s->last_epoch = epoch;
			s->last_same = !moved;
		}
	} else {
		target_states(c, s);
	}
}

/* After the call: the states its outcome tells, or lstat's after a failure. */
static void pre_state_after(struct scratch *s, bool failed)
{
	if (s->st_after)
		s->has_st = failed && ur_sys_lstat(s->abs, &s->st) == 0;
	if (s->st2_after)
		s->has_st2 = failed && ur_sys_lstat(s->abs2, &s->st2) == 0;
}

/*
 * What a successful call changed, for known.c: the next event on the same
 * names needs no lstat.  Anything not worked out exactly is forgotten.
 */
static void learn(const struct call *c, struct scratch *s, long ret)
{
	static const struct stat none;

	if (s->abs[0] != '/')
		return;
	/* O_TMPFILE made a file with no name in the directory it names: the
	 * directory is as it was, and the fd is not that path (readers of
	 * /proc/self/fd see "DIR/#INO (deleted)") */
	if (c->op == OP_OPEN && (c->flags & O_TMPFILE) == O_TMPFILE)
		return;
	if (s->has_real && c->op != OP_UTIME && c->op != OP_TRUNCATE &&
	    c->op != OP_CONNECT) {
		ur_known_forget_all(); /* written through a symlink */
		if (c->op == OP_OPEN)
			ur_known_opened((int)ret, s->real, 0);
		return;
	}
	switch (c->op) {
	case OP_OPEN:
		ur_known_opened((int)ret, s->abs, s->abs_key);
		break;
	case OP_RENAME:
		if (c->flag_kind == FK_RENAME && c->flags != 0) {
			ur_known_forget_all(); /* exchange, whiteout */
		} else if (s->has_st && !S_ISDIR(s->st.st_mode)) {
			ur_known_put(s->abs2_key, &s->st, true);
			ur_known_put(s->abs_key, &none, false);
			ur_known_fd_moved(s->abs);
		} else {
			ur_known_forget_all(); /* a directory, or unknown */
		}
		break;
	case OP_LINK:
		/* the new name is the same inode (its type, owner and mode);
		 * not when AT_SYMLINK_FOLLOW linked a symlink's target.  The
		 * old name keeps its state: git's link-then-unlink of every
		 * object needs no lstat of it */
		if (s->has_st && !S_ISLNK(s->st.st_mode) && s->abs2[0] == '/')
			ur_known_put(s->abs2_key, &s->st, true);
		else if (s->abs2_key)
			ur_known_forget(s->abs2_key);
		break;
	case OP_UNLINK:
		ur_known_put(s->abs_key, &none, false);
		break;
	case OP_CHMOD:
	case OP_CHOWN:
		if (s->has_st)
			ur_known_attrs(s->abs_key, &s->st,
				       c->has_mode ? (int)c->mode : -1,
				       c->owner_uid, c->owner_gid);
		else
			ur_known_forget(s->abs_key);
		break;
	case OP_MKDIR:
		ur_known_forget(s->abs_key);
		made_dir(s->parent, s->abs);
		break;
	case OP_RMDIR:
		/* it was empty: nothing below it was present; it may have
		 * been the cwd, which getcwd would now say is gone */
		ur_known_put(s->abs_key, &none, false);
		ur_cwd_forget();
		break;
	case OP_UTIME:
	case OP_TRUNCATE:
	case OP_CONNECT:
	case OP_EXEC:
	case OP_SPAWN:
	case OP_READ:
	case OP_STAT:
	case OP_ACCESS:
		break; /* no type, owner or mode changed */
	default:
		ur_known_forget(s->abs_key);
		if (s->abs2_key)
			ur_known_forget(s->abs2_key);
	}
}

static pid_t current_tid(void)
{
	if (!thread_tid)
		thread_tid = (pid_t)ur_syscall(SYS_gettid);
	return thread_tid;
}

/* In a forked child: a new file, so its ancestors are described again. */
void ur_forget_tid(void)
{
	thread_tid = 0;
	/* a key another thread was making when this child was forked will
	 * never be made here: make one again */
	if (__atomic_load_n(&scratch_key_state, __ATOMIC_ACQUIRE) == KEY_MAKING)
		__atomic_store_n(&scratch_key_state, KEY_NONE,
				 __ATOMIC_RELEASE);
	__atomic_add_fetch(&dir_epoch, 1, __ATOMIC_ACQ_REL);
}

/* errno (absent on success), pid, tid (absent when the pid), ts: the keys
 * after "ret" in an "ev" and a "net" record. */
static void jb_outcome(struct jbuf *j, int err)
{
	if (err)
		jb_lit(j, K_ERRNO, ur_errno_name(err));
	jb_int(j, K_PID, ur_pid);
	pid_t tid = current_tid();
	if (tid != ur_pid)
		jb_int(j, K_TID, tid);
	jb_int(j, K_TS, ur_now_ns());
}

static void encode_event(struct scratch *s, struct call *c, long ret, int err)
{
	struct jbuf j;
	const char *stack = ur_stack_id(s); /* may write a stack record */

	jb_init(&j, s->buf, sizeof s->buf);
	jb_begin(&j, REC_EVENT);
	jb_lit(&j, K_OP, unroot_op_name(c->op));
	jb_lit(&j, K_FN, c->fn);
	jb_str(&j, K_PATH, s->abs);
	if (c->path2)
		jb_str(&j, K_PATH2, s->abs2);
	else if (c->text2)
		jb_str(&j, K_PATH2, c->text2);
	if (s->has_real)
		jb_str(&j, K_REAL, s->real);
	if (c->flag_kind != FK_NONE)
		jb_flags(&j, K_FLAGS, c->flags, c->flag_kind);
	if (c->has_mode)
		jb_oct(&j, K_MODE, c->mode);
	if (c->has_owner) {
		jb_key(&j, K_OWNER);
		jb_raw(&j, "[", 1);
		j.comma = false;
		struct jbuf *jp = &j;
		char num[24];
		int k = 0;
		for (int w = 0; w < 2; w++) {
			long v = w ? c->owner_gid : c->owner_uid;
			char tmp[24];
			int t = 0;
			unsigned long u =
			    v < 0 ? (unsigned long)-v : (unsigned long)v;
			do {
				tmp[t++] = (char)('0' + u % 10);
				u /= 10;
			} while (u);
			k = 0;
			if (v < 0)
				num[k++] = '-';
			while (t)
				num[k++] = tmp[--t];
			if (w)
				jb_raw(jp, ",", 1);
			jb_raw(jp, num, (size_t)k);
		}
		jb_raw(&j, "]", 1);
		j.comma = true;
	}
	if (c->argv0)
		jb_str(&j, K_ARGV0, c->argv0);
	jb_int(&j, K_RET, c->op == OP_SPAWN && c->child >= 0 ? c->child : ret);
	/* omitted keys are inferred by readers (SCHEMA.md): errno absent on
	 * success, tid when it is the pid, uid/gid while they are the proc
	 * record's euid/egid */
	jb_outcome(&j, err);
	if (__atomic_load_n(&ur_euid_changed, __ATOMIC_RELAXED))
		jb_int(&j, K_UID, __atomic_load_n(&ur_euid, __ATOMIC_RELAXED));
	if (__atomic_load_n(&ur_egid_changed, __ATOMIC_RELAXED))
		jb_int(&j, K_GID, __atomic_load_n(&ur_egid, __ATOMIC_RELAXED));
	jb_state(&j, K_ST, &s->st, s->has_st);
	if (c->path2)
		jb_state(&j, K_ST2, &s->st2, s->has_st2);
	if (s->parent[0])
		jb_state(&j, K_PARENT, &s->pst, s->has_pst);
	if (stack)
		jb_lit(&j, K_STACK, stack);
	ur_python_site(&j, c, s->abs);
	jb_end(&j);
	if (!j.overflow)
		ur_log_write(j.p, j.len);
}

/*
 * ur_guard is not checked here: the tracer's own work (unwinding, dladdr,
 * dlsym) makes no writing call, and a signal handler that interrupts it
 * must still have its writes recorded (without a stack, see stack.c).
 * Reads made under the guard are the unwinder's and are not recorded
 * (wrap.c).
 */
struct scratch *ur_begin(struct call *c)
{
	if (!ur_enabled)
		return NULL;
	int saved = errno;
	if (UNLIKELY(ur_other_process())) {
		errno = saved;
		return NULL;
	}
	struct scratch *s = scratch_take();
	if (!s) {
		scratch_depth--;
		errno = saved;
		return NULL;
	}
	absolute_paths(c, s);
	pre_state(c, s);
	s->nips = ur_stack_capture(s->ips, UR_MAX_FRAMES);
	errno = saved;
	return s;
}

void ur_end(struct scratch *s, struct call *c, long ret, int failed)
{
	int err = errno;

	if (!s)
		return;
	pre_state_after(s, failed);
	if (!failed)
		learn(c, s, ret);
	encode_event(s, c, ret, failed ? err : 0);
	scratch_release(s);
	errno = err;
}

void ur_after(struct call *c, long ret, int err)
{
	int saved = errno;
	struct scratch *s = ur_begin(c);

	if (s) {
		pre_state_after(s, err != 0);
		if (!err)
			learn(c, s, ret);
		encode_event(s, c, ret, err);
		scratch_release(s);
	}
	errno = saved;
}

/* A record of type with its "fn" begun in scratch of its own (NULL, the
 * scratch given back, when there is none), and ended: "ret", the outcome,
 * written, the scratch given back. */
static struct scratch *record_begin(struct jbuf *j, const char *type,
				    const char *fn)
{
	struct scratch *s = scratch_take();

	if (!s) {
		scratch_release(s); /* the depth taken */
		return NULL;
	}
	jb_init(j, s->buf, sizeof s->buf);
	jb_begin(j, type);
	jb_lit(j, K_FN, fn);
	return s;
}

static void record_end(struct scratch *s, struct jbuf *j, long ret, int err)
{
	jb_int(j, K_RET, ret);
	jb_outcome(j, err);
	jb_end(j);
	if (!j->overflow)
		ur_log_write(j->p, j->len);
	scratch_release(s);
}

/*
 * The address and port of an inet bind, in a "net" record: the port a
 * server asks for decides whether a non-root user may run it (below 1024
 * it needs net.ipv4.ip_unprivileged_port_start), and under Docker, which
 * sets that to 0, no denial would show it.
 */
void ur_net_bind(const void *sockaddr, size_t len, long ret, int err)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned port;
	int saved = errno;

	if (!ur_enabled || UNLIKELY(ur_other_process()) ||
	    !ur_inet_text(sockaddr, len, addr, sizeof addr, &port))
		goto out;
	struct jbuf j;
	struct scratch *s = record_begin(&j, REC_NET, "bind");
	if (s) {
		jb_str(&j, K_ADDR, addr);
		jb_int(&j, K_PORT, port);
		record_end(s, &j, ret, err);
	}
out:
	errno = saved;
}

/*
 * A call only privilege allows, refused with EPERM, in a "priv" record: a
 * daemon that chroots or switches to its service user at start-up fails
 * so without root, and no path would show why.  path: chroot's directory,
 * else NULL; args: the other arguments as text, or NULL.  Not from a vfork
 * child (it writes into its parent's file only what an exec needs); errno
 * is kept.
 */
void ur_priv_refused(const char *fn, const char *path, const char *args,
		     long ret, int err)
{
	char abs[PATH_MAX];
	int saved = errno;

	if (err != EPERM || !ur_enabled || UNLIKELY(ur_other_process()))
		goto out;
	if (path && !ur_absolute(AT_FDCWD, path, abs, sizeof abs))
		goto out;
	struct jbuf j;
	struct scratch *s = record_begin(&j, REC_PRIV, fn);
	if (s) {
		if (path)
			jb_str(&j, K_PATH, abs);
		if (args)
			jb_str(&j, K_ARGS, args);
		record_end(s, &j, ret, err);
	}
out:
	errno = saved;
}

void ur_priv_ids(const char *fn, const long *ids, int n, long ret, int err)
{
	char text[UR_PRIV_IDS * 22];
	char *o = text;

	if (err != EPERM)
		return;
	for (int i = 0; i < n && i < UR_PRIV_IDS; i++) {
		if (i)
			*o++ = ',';
		if (ids[i] == (long)(uid_t)-1 || ids[i] < 0) {
			*o++ = '-';
			*o++ = '1';
		} else {
			o = ur_put_u64(o, (unsigned long long)ids[i]);
		}
	}
	*o = 0;
	ur_priv_refused(fn, NULL, text, ret, err);
}

bool ur_open_writes(int flags)
{
	return UNROOT_OPEN_WRITES(flags);
}
