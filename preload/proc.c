/*
 * proc.c - the records written once per process image (who it is: exe,
 * argv, credentials, allow-listed environment), once per mount namespace
 * (the mount table) and once per root file system (os-release, users,
 * groups).  "Once" across processes is claimed with an O_EXCL marker file
 * in the log directory, so start-up costs one failed open per claim.
 *
 * A child forked without exec shares its parent's image: its proc record
 * is a short "fork" record (SCHEMA.md) that names the proc record it
 * inherits from and repeats only the values that differ from it (cwd,
 * ids, groups, namespace, root, allow-listed environment, stacks), and it
 * makes no claim its ancestors made already.  The values of the image's
 * latest proc record are kept in memory (rec) for that comparison: the
 * cwd, groups and environment as hashes, so that rec is small and lives in
 * the START_STATE page with the rest of what start-up writes.  With
 * "noforkrec" in UNROOT_FLAGS (for a reader that does not resolve fork
 * records) every proc record is full.
 *
 * No environment value outside the allow-list is ever written.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "unroot.h"

extern char **environ;

static const char *const env_allowed[] = {
    "HOME",
    "USER",
    "LOGNAME",
    "PWD",
    "TMPDIR",
    "TMP",
    "TEMP",
    "LANG",
    "HF_HOME",
    "HF_HUB_CACHE",
    "TRANSFORMERS_CACHE",
    "MPLCONFIGDIR",
    "NUMBA_CACHE_DIR",
    "TORCH_HOME",
    "TORCHINDUCTOR_CACHE_DIR",
    "TRITON_CACHE_DIR",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONPYCACHEPREFIX",
    "PIP_CACHE_DIR",
    "NPM_CONFIG_CACHE",
    "YARN_CACHE_FOLDER",
    "GOCACHE",
    "JUPYTER_RUNTIME_DIR",
    "JUPYTER_DATA_DIR",
    "JUPYTER_CONFIG_DIR",
    "DOTNET_CLI_HOME",
    "NUGET_PACKAGES",
    "TIKTOKEN_CACHE_DIR",
    "YOLO_CONFIG_DIR",
    "PGDATA",
    NULL,
};

/* A bit of a name's first two bytes and its length, in a 256-bit filter
 * of the allowed names that rejects nearly every other variable at once
 * (each image asks about each variable). */
static unsigned env_bit(const char *name, size_t len)
{
	return ((unsigned char)name[0] * 7u + (unsigned char)name[1] * 31u +
		(unsigned)len) &
	       255u;
}

bool ur_env_is_allowed(const char *entry, size_t namelen)
{
	/* idempotent: racing threads agree; START_STATE: in the page the
	 * loader has written, not a page of .bss of its own */
	static uint64_t filter[4] START_STATE;
	static int filled START_STATE;
	unsigned b;

	if (namelen > 4 && !strncmp(entry, "XDG_", 4))
		return true;
	if (!__atomic_load_n(&filled, __ATOMIC_ACQUIRE)) {
		for (const char *const *a = env_allowed; *a; a++) {
			b = env_bit(*a, strlen(*a));
			__atomic_fetch_or(&filter[b / 64],
					  (uint64_t)1 << b % 64,
					  __ATOMIC_RELAXED);
		}
		__atomic_store_n(&filled, 1, __ATOMIC_RELEASE);
	}
	if (namelen < 2)
		return false; /* no allowed name is that short */
	b = env_bit(entry, namelen);
	if (!(filter[b / 64] & (uint64_t)1 << b % 64))
		return false;
	for (const char *const *a = env_allowed; *a; a++)
		if (**a == *entry && !strncmp(*a, entry, namelen) &&
		    !(*a)[namelen])
			return true;
	return false;
}

/* The allow-listed environment into j (when not NULL); its hash. */
static uint64_t put_env(struct jbuf *j)
{
	char name[128];
	uint64_t h = UR_FNV_START;

	if (j) {
		jb_key(j, K_ENV);
		jb_raw(j, "{", 1);
		j->comma = false;
	}
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t n = eq ? (size_t)(eq - *e) : 0;
		if (!n || n >= sizeof name || !ur_env_is_allowed(*e, n))
			continue;
		h = ur_fnv(h, *e, strlen(*e) + 1);
		if (!j)
			continue;
		memcpy(name, *e, n);
		name[n] = 0;
		jb_str(j, name, eq + 1);
	}
	if (j) {
		jb_raw(j, "}", 1);
		j->comma = true;
	}
	return h;
}

/*
 * argv from the constructor's arguments, written straight from the
 * strings; at most cap bytes of them (with their NULs), as many as
 * /proc/self/cmdline would have given.
 */
static void put_start_argv(struct jbuf *j, size_t cap)
{
	size_t n = 0, len0 = strlen(ur_start_argv[0]);

	jb_strn(j, K_ARGV0, ur_start_argv[0], len0 < cap ? len0 : 0);
	if (!ur_record_argv)
		return;
	jb_key(j, K_ARGV);
	jb_raw(j, "[", 1);
	for (int i = 0; i < ur_start_argc && ur_start_argv[i]; i++) {
		size_t len = strlen(ur_start_argv[i]);
		if (n + len + 1 > cap)
			break;
		if (i)
			jb_raw(j, ",", 1);
		jb_value_str(j, ur_start_argv[i], len);
		n += len + 1;
	}
	jb_raw(j, "]", 1);
}

/* argv, from the constructor's arguments or /proc/self/cmdline (read into
 * tmp, cap bytes). */
static void put_argv(struct jbuf *j, char *tmp, size_t cap)
{
	if (ur_start_argv) {
		put_start_argv(j, cap);
		return;
	}
	size_t n = ur_read_proc("cmdline", tmp, cap);
	size_t first = n ? strnlen(tmp, n) : 0;

	jb_strn(j, K_ARGV0, tmp, first);
	if (!ur_record_argv)
		return;
	jb_key(j, K_ARGV);
	jb_raw(j, "[", 1);
	for (size_t i = 0; i < n;) {
		size_t len = strnlen(tmp + i, n - i);
		if (i)
			jb_raw(j, ",", 1);
		jb_value_str(j, tmp + i, len);
		i += len + 1;
	}
	jb_raw(j, "]", 1);
}

static void put_groups(struct jbuf *j, const gid_t *groups, int n)
{
	jb_key(j, K_GROUPS);
	jb_raw(j, "[", 1);
	for (int i = 0; i < n; i++) {
		char num[16];
		int len = 0;
		unsigned v = groups[i];
		char tmp[16];
		int k = 0;
		do {
			tmp[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (k)
			num[len++] = tmp[--k];
		if (i)
			jb_raw(j, ",", 1);
		jb_raw(j, num, (size_t)len);
	}
	jb_raw(j, "]", 1);
}

/* a decimal number, or -1 when s is empty or not all digits */
static long parse_id(const char *s)
{
	long v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/*
 * The mount namespace's inode number, from the link's text "mnt:[N]": a
 * readlink costs half of what a stat does, which follows the link into
 * nsfs (2.5 against 5 us, once per program image).
 */
static unsigned long long read_mount_ns(void)
{
	char link[64];
	long n = ur_sys_proc_readlink("ns/mnt", link, sizeof link - 1);

	if (n < 7 || memcmp(link, "mnt:[", 5) != 0 || link[n - 1] != ']')
		return 0;
	link[n - 1] = 0;
	long ino = parse_id(link + 5);
	return ino < 0 ? 0 : (unsigned long long)ino;
}

/*
 * The namespace, once read (or handed over by the exec that made this
 * image, handover.c), is remembered: a forked child is in its parent's
 * unless the clone said CLONE_NEWNS, and every call that can move a
 * process (setns, unshare, clone with CLONE_NEWNS, and their raw system
 * calls: wrap.c) forgets it first.  0: not known.
 */
static unsigned long long ns_known START_STATE;

unsigned long long ur_mount_ns_known(void)
{
	return __atomic_load_n(&ns_known, __ATOMIC_ACQUIRE);
}

void ur_mount_ns_remember(unsigned long long ns)
{
	__atomic_store_n(&ns_known, ns, __ATOMIC_RELEASE);
}

void ur_mount_ns_forget(void)
{
	if (ur_mount_ns_known())
		ur_mount_ns_remember(0);
}

static unsigned long long mount_ns(void)
{
	unsigned long long ns = ur_mount_ns_known();

	if (!ns) {
		ns = read_mount_ns();
		ur_mount_ns_remember(ns);
	}
	return ns;
}

/* "dev:ino" of the root fs, into out (48 bytes) */
static void put_rootfs(char *out, unsigned long long dev,
		       unsigned long long ino)
{
	char *end = ur_put_u64(out, dev);

	*end++ = ':';
	*ur_put_u64(end, ino) = 0;
}

/* The root fs, as remembered (cwd.c) or as a stat of "/" finds it. */
static void rootfs_id(char *out)
{
	struct stat st;
	unsigned long long dev = 0, ino = 0;

	if (!ur_root_recall(&dev, &ino)) {
		unsigned long stamp = ur_root_stamp();
		if (ur_sys_stat("/", &st) == 0) {
			dev = (unsigned long long)st.st_dev;
			ino = (unsigned long long)st.st_ino;
			ur_root_remember(stamp, dev, ino);
		}
	}
	put_rootfs(out, dev, ino);
}

/* What a proc record says, besides exe and argv (which fork keeps), and
 * the cwd (its text is the caller's; here its hash). */
struct proc_vals {
	pid_t pid;    /* whose record it is */
	long long ts; /* and its ts: together they name it */
	uid_t uid, euid;
	gid_t gid, egid;
	int ngroups;
	uint64_t cwd_hash, groups_hash, env_hash;
	unsigned long long ns;
	bool stacks;
	char rootfs[48];
};

/* the latest proc record of this image (inherited across fork); valid is
 * cleared while it changes, so that a fork in between finds it invalid */
static struct proc_vals rec START_STATE;
static int rec_valid START_STATE;
static int fork_pending FORK_STATE;  /* a forked child's first record due */
static pid_t fork_parent FORK_STATE; /* the pid of the one that forked it */
/* the ns and root fs whose claims this image (or the image it was forked
 * from) made: a fork child in the same ones has nothing to claim */
static unsigned long long claimed_ns START_STATE;
static char claimed_root[48] START_STATE;
/* as the last proc record found them */
static unsigned long long now_ns START_STATE;
static char now_rootfs[48] START_STATE;

void ur_proc_after_fork(pid_t parent)
{
	fork_pending =
	    ur_fork_records && __atomic_load_n(&rec_valid, __ATOMIC_ACQUIRE);
	fork_parent = parent;
}

/* The values a proc record holds now; the cwd in cwd (PATH_MAX), groups
 * in g (256 slots). */
static void current_vals(struct proc_vals *v, char *cwd, gid_t *g)
{
	uid_t su;
	gid_t sg;
	long n = ur_syscall(SYS_getcwd, cwd, PATH_MAX);

	if (n <= 0)
		cwd[0] = 0;
	v->cwd_hash = ur_fnv(UR_FNV_START, cwd, strlen(cwd));
	ur_syscall(SYS_getresuid, &v->uid, &v->euid, &su);
	ur_syscall(SYS_getresgid, &v->gid, &v->egid, &sg);
	v->ngroups = (int)ur_syscall(SYS_getgroups, 256, g);
	if (v->ngroups < 0)
		v->ngroups = 0;
	v->groups_hash =
	    ur_fnv(UR_FNV_START, g, (size_t)v->ngroups * sizeof *g);
	v->ns = mount_ns();
	rootfs_id(v->rootfs);
	/* false also when libunwind is known missing (loaded lazily: a
	 * "nostacks" record says so when the first stack finds it missing) */
	v->stacks = ur_record_stacks && !ur_stacks_unavailable();
}

bool ur_proc_ids(uid_t *euid, gid_t *egid, bool *mixed)
{
	if (!__atomic_load_n(&rec_valid, __ATOMIC_ACQUIRE) || rec.pid != ur_pid)
		return false;
	*euid = rec.euid;
	*egid = rec.egid;
	*mixed = rec.uid != rec.euid || rec.gid != rec.egid;
	return true;
}

static void keep_vals(const struct proc_vals *v)
{
	__atomic_store_n(&rec_valid, 0, __ATOMIC_RELEASE);
	rec = *v;
	__atomic_store_n(&rec_valid, 1, __ATOMIC_RELEASE);
}

/*
 * The first record of a forked child: what differs from the record it
 * inherits from (rec, pid and ts named by ppid/from and pts).
 */
static void write_fork_proc(struct jbuf *j, struct proc_vals *v,
			    const char *cwd, const gid_t *g)
{
	jb_int(j, K_PPID, fork_parent);
	jb_int(j, K_TS, v->ts);
	jb_bool(j, K_FORK, true);
	jb_int(j, K_PTS, rec.ts);
	if (rec.pid != fork_parent)
		jb_int(j, K_FROM, rec.pid);
	if (v->cwd_hash != rec.cwd_hash)
		jb_str(j, K_CWD, cwd);
	if (v->uid != rec.uid)
		jb_int(j, K_UID, v->uid);
	if (v->euid != rec.euid)
		jb_int(j, K_EUID, v->euid);
	if (v->gid != rec.gid)
		jb_int(j, K_GID, v->gid);
	if (v->egid != rec.egid)
		jb_int(j, K_EGID, v->egid);
	if (v->ngroups != rec.ngroups || v->groups_hash != rec.groups_hash)
		put_groups(j, g, v->ngroups);
	if (v->ns != rec.ns)
		jb_int(j, K_NS, (long long)v->ns);
	if (strcmp(v->rootfs, rec.rootfs))
		jb_str(j, K_ROOTFS, v->rootfs);
	v->env_hash = put_env(NULL);
	if (v->env_hash != rec.env_hash)
		put_env(j);
	if (v->stacks != rec.stacks)
		jb_bool(j, K_STACKS, v->stacks);
}

/*
 * The proc record.  Its cwd, its exe and then the record itself are
 * packed one after the other into the start-up buffer (beside the fork
 * canary, state.c), so that an image whose names and record are short
 * writes one page for all three, and no deep stack frame.  ts: the clock
 * reading taken when its file was made (log.c names the file with it).
 */
void ur_write_proc(long long ts)
{
	/* once per image, before threads matter */
	static char tmp[32768]; /* argv from /proc/self/cmdline (musl) */
	static char own_buf[UR_START_BUF]; /* where state.c has no canary */
	char *cwd = ur_start_buf ? ur_start_buf : own_buf;
	char *exe = NULL;
	struct proc_vals v;
	gid_t groups[256];
	struct jbuf j;
	bool is_fork = fork_pending;

	fork_pending = 0;
	current_vals(&v, cwd, groups);
	char *buf = cwd + strlen(cwd) + 1;
	if (!is_fork) {
		exe = buf;
		const char *given = ur_handover_exe(); /* handover.c */
		long n = given ? (long)strlen(given) : 0;
		if (given && n < PATH_MAX)
			memcpy(exe, given, (size_t)n);
		else
			n = ur_sys_proc_readlink("exe", exe, PATH_MAX - 1);
		exe[n > 0 ? n : 0] = 0;
		buf = exe + strlen(exe) + 1;
	}
	now_ns = v.ns;
	strcpy(now_rootfs, v.rootfs);
	v.pid = ur_pid;
	v.ts = ts;
	jb_init(&j, buf, UR_START_BUF - (size_t)(buf - cwd));
	jb_begin(&j, REC_PROC);
	jb_int(&j, K_V, UNROOT_SCHEMA_VERSION);
	jb_int(&j, K_PID, ur_pid);
	if (is_fork) {
		write_fork_proc(&j, &v, cwd, groups);
	} else {
		jb_int(&j, K_PPID, ur_syscall(SYS_getppid));
		jb_int(&j, K_TS, v.ts);
		jb_str(&j, K_EXE, exe);
		put_argv(&j, tmp, sizeof tmp);
		jb_str(&j, K_CWD, cwd);
		jb_int(&j, K_UID, v.uid);
		jb_int(&j, K_EUID, v.euid);
		jb_int(&j, K_GID, v.gid);
		jb_int(&j, K_EGID, v.egid);
		put_groups(&j, groups, v.ngroups);
		jb_int(&j, K_NS, (long long)v.ns);
		jb_str(&j, K_ROOTFS, v.rootfs);
		v.env_hash = put_env(&j);
		jb_bool(&j, K_STACKS, v.stacks);
	}
	jb_end(&j);
	if (!j.overflow) {
		ur_log_write(buf, j.len);
		keep_vals(&v);
	}
}

/* Claim a once-per-something job by creating an empty marker file.  The
 * path's array has the path's size: every image comes here, and the
 * first bytes of an array of PATH_MAX lie a page deeper on the stack than
 * the image otherwise goes (one more page fault each). */
static bool claim(const char *what, const char *id)
{
	size_t n = strlen(ur_logdir), need = n + strlen(what) + strlen(id) + 4;

	if (need > PATH_MAX + 96)
		return false;
	char path[need];

	memcpy(path, ur_logdir, n);
	path[n++] = '/';
	path[n++] = '.';
	strcpy(path + n, what);
	strcat(path, id);
	long fd = ur_sys_open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	ur_sys_close((int)fd);
	return true;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static size_t unescape_octal(char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n + 1 && s[i + 1] >= '0' &&
		    s[i + 1] <= '3') {
			s[o++] =
			    (char)(((s[i + 1] - '0') << 6) |
				   ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
			i += 3;
		} else {
			s[o++] = s[i];
		}
	}
	return o;
}

/* Split a line into space-separated fields, in place. */
static int split(char *line, char **f, size_t *len, int max)
{
	int n = 0;
	char *p = line;
	while (*p && n < max) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		f[n] = p;
		while (*p && *p != ' ')
			p++;
		len[n] = (size_t)(p - f[n]);
		n++;
	}
	return n;
}

static bool opt_has(const char *opts, size_t n, const char *word)
{
	size_t w = strlen(word);
	for (size_t i = 0; i + w <= n; i++)
		if ((i == 0 || opts[i - 1] == ',') &&
		    !strncmp(opts + i, word, w) &&
		    (i + w == n || opts[i + w] == ','))
			return true;
	return false;
}

static void write_mount_line(char *line, unsigned long long ns)
{
	char *f[40];
	size_t len[40];
	char buf[3 * PATH_MAX];
	struct jbuf j;
	int n = split(line, f, len, 40);
	int dash = -1;

	for (int i = 6; i < n; i++)
		if (len[i] == 1 && f[i][0] == '-') {
			dash = i;
			break;
		}
	if (n < 7 || dash < 0 || dash + 2 >= n)
		return;
	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_MOUNT);
	jb_int(&j, K_NS, (long long)ns);
	jb_strn(&j, K_MNT, f[4], unescape_octal(f[4], len[4]));
	jb_strn(&j, K_FS, f[dash + 1], len[dash + 1]);
	jb_strn(&j, K_SRC, f[dash + 2],
		unescape_octal(f[dash + 2], len[dash + 2]));
	jb_strn(&j, K_ROOT, f[3], unescape_octal(f[3], len[3]));
	jb_bool(&j, K_RO, opt_has(f[5], len[5], "ro"));
	jb_strn(&j, K_OPTS, f[5], len[5]);
	jb_end(&j);
	if (!j.overflow)
		ur_log_write(buf, j.len);
}

/* Call fn on each line of the file open as fd (closed after), read in
 * chunks of the given buffer. */
static void each_line(long fd, char *buf, size_t cap,
		      void (*fn)(char *line, void *ctx), void *ctx)
{
	size_t have = 0;

	if (fd < 0)
		return;
	for (;;) {
		long n = ur_sys_read((int)fd, buf + have, cap - 1 - have);
		if (n > 0)
			have += (size_t)n;
		buf[have] = 0;
		char *start = buf, *nl;
		while (
		    (nl = memchr(start, '\n', have - (size_t)(start - buf)))) {
			*nl = 0;
			fn(start, ctx);
			start = nl + 1;
		}
		size_t rest = have - (size_t)(start - buf);
		if (n <= 0) {
			if (rest)
				fn(start, ctx);
			break;
		}
		if (rest == cap - 1) /* a line longer than the buffer: drop */
			rest = 0;
		memmove(buf, start, rest);
		have = rest;
	}
	ur_sys_close((int)fd);
}

static void mount_line(char *line, void *ctx)
{
	write_mount_line(line, *(unsigned long long *)ctx);
}

/* Split a colon-separated line (passwd, group) into at most max fields. */
static int split_colons(char *line, char **f, int max)
{
	int n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ':') {
			*p = 0;
			f[n++] = p + 1;
		}
	return n;
}

static void user_line(char *line, void *ctx)
{
	char *f[8];
	char buf[2 * PATH_MAX];
	struct jbuf j;

	if (line[0] == '#' || split_colons(line, f, 7) < 7)
		return;
	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_USER);
	jb_str(&j, K_ROOTFS, ctx);
	jb_str(&j, K_NAME, f[0]);
	jb_int(&j, K_UID, parse_id(f[2]));
	jb_int(&j, K_GID, parse_id(f[3]));
	jb_str(&j, K_HOME, f[5]);
	jb_str(&j, K_SHELL, f[6]);
	jb_end(&j);
	if (!j.overflow)
		ur_log_write(buf, j.len);
}

static void group_line(char *line, void *ctx)
{
	char *f[4];
	char buf[8192];
	struct jbuf j;

	if (line[0] == '#' || split_colons(line, f, 4) < 4)
		return;
	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_GROUP);
	jb_str(&j, K_ROOTFS, ctx);
	jb_str(&j, K_NAME, f[0]);
	jb_int(&j, K_GID, parse_id(f[2]));
	jb_key(&j, K_MEMBERS);
	jb_raw(&j, "[", 1);
	char *m = f[3];
	bool first = true;
	while (*m) {
		char *comma = strchr(m, ',');
		size_t len = comma ? (size_t)(comma - m) : strlen(m);
		if (len) {
			if (!first)
				jb_raw(&j, ",", 1);
			jb_value_str(&j, m, len);
			first = false;
		}
		m += len + (comma ? 1 : 0);
	}
	jb_raw(&j, "]", 1);
	jb_end(&j);
	if (!j.overflow)
		ur_log_write(buf, j.len);
}

/* The value of KEY= in os-release text, quotes removed. */
static const char *os_value(char *text, const char *key, char *out, size_t cap)
{
	size_t k = strlen(key);
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len > k && !strncmp(line, key, k) && line[k] == '=') {
			const char *v = line + k + 1;
			size_t vl = len - k - 1;
			if (vl >= 2 && (v[0] == '"' || v[0] == '\'') &&
			    v[vl - 1] == v[0]) {
				v++;
				vl -= 2;
			}
			if (vl >= cap)
				vl = cap - 1;
			memcpy(out, v, vl);
			out[vl] = 0;
			return out;
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static void write_os(const char *rootfs)
{
	static char text[8192];
	char id[64], ver[64], pretty[256], buf[1024];
	struct jbuf j;

	if (!ur_read_file("/etc/os-release", text, sizeof text))
		ur_read_file("/usr/lib/os-release", text, sizeof text);
	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_OS);
	jb_str(&j, K_ROOTFS, rootfs);
	jb_str(&j, K_ID, os_value(text, "ID", id, sizeof id));
	jb_str(&j, K_VERSION_ID, os_value(text, "VERSION_ID", ver, sizeof ver));
	jb_str(&j, K_PRETTY,
	       os_value(text, "PRETTY_NAME", pretty, sizeof pretty));
	jb_end(&j);
	if (!j.overflow)
		ur_log_write(buf, j.len);
}

/* After ur_write_proc, whose ns and root fs it uses. */
void ur_write_once_per_ns_and_root(void)
{
	static char buf[16384];
	char id[64];
	unsigned long long ns = now_ns;

	*ur_put_u64(id, ns) = 0;
	if (claimed_ns != ns) {
		claimed_ns = ns;
		if (claim("ns-", id))
			each_line(ur_sys_proc_open("mountinfo"), buf,
				  sizeof buf, mount_line, &ns);
	}
	if (!strcmp(claimed_root, now_rootfs))
		return;
	strcpy(claimed_root, now_rootfs);
	char rootfs[48];
	strcpy(rootfs, now_rootfs);
	for (char *p = rootfs; *p; p++)
		if (*p == ':')
			*p = '-';
	if (!claim("root-", rootfs))
		return;
	strcpy(rootfs, now_rootfs);
	write_os(rootfs);
	each_line(ur_sys_open("/etc/passwd", O_RDONLY | O_CLOEXEC, 0), buf,
		  sizeof buf, user_line, rootfs);
	each_line(ur_sys_open("/etc/group", O_RDONLY | O_CLOEXEC, 0), buf,
		  sizeof buf, group_line, rootfs);
}

/*
 * The claims an exec hands over (handover.c): the image it makes need not
 * try them again when they were made (or found made) for the same
 * namespace and root fs in this log directory, which the exec gives the
 * new image (exec.c).
 */
bool ur_claims_made(unsigned long long ns, unsigned long long dev,
		    unsigned long long ino)
{
	char rootfs[48];

	put_rootfs(rootfs, dev, ino);
	return ns && claimed_ns == ns && !strcmp(claimed_root, rootfs);
}

void ur_claims_handed(unsigned long long ns, unsigned long long dev,
		      unsigned long long ino)
{
	claimed_ns = ns;
	put_rootfs(claimed_root, dev, ino);
}
