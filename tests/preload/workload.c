/*
 * workload.c - the program the preload tests run under LD_PRELOAD (the
 * preload only loads at exec, so every scenario is a fresh process):
 * `preload_workload SCENARIO DIR [ARG...]` changes into DIR, prepares what
 * the scenario needs with raw system calls (which the preload does not
 * see, so the log holds only the call under test), makes the call and
 * prints what the test needs to know (`name=` for paths only known
 * afterwards, `ret=... errno=...` for the transparency comparisons).
 *
 * Exit status: 0 the call did what it should, 77 not supported here
 * (skip), anything else a failure (the reason on stderr).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <linux/io_uring.h>
#include <mntent.h>
#include <mqueue.h>
#include <pty.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <utmp.h>

extern char **environ;

/* glibc's other names for close, dup2 and fclose (no header declares them) */
int __close(int fd);
int __dup2(int fd, int fd2);
int _IO_fclose(FILE *stream);
int __endmntent(FILE *stream);

/* The fortify entry points, declared here so they can be called directly. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
/* what glibc < 2.33 compiled stat, lstat and fstatat into (ver 1 on x86-64) */
int __xstat(int ver, const char *path, struct stat *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int fl);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st,
		 int fl);
/* what glibc < 2.33 compiled mknod and mknodat into (ver 0 on x86-64) */
int __xmknod(int ver, const char *path, mode_t mode, dev_t *dev);
int __xmknodat(int ver, int dirfd, const char *path, mode_t mode, dev_t *dev);

static const char *dir;

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void check(int ok, const char *what)
{
	if (!ok)
		die(what);
}

/* ---- setup the preload does not see ---- */

static int raw_open(const char *path, int flags, int mode)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

static void raw_close(int fd)
{
	syscall(SYS_close, fd);
}

static void raw_file(const char *path)
{
	int fd = raw_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	check(fd >= 0, path);
	raw_close(fd);
}

static void raw_mkdir(const char *path)
{
	check(syscall(SYS_mkdirat, AT_FDCWD, path, 0755) == 0, path);
}

static int raw_dirfd(void)
{
	int fd = raw_open(".", O_RDONLY | O_DIRECTORY, 0);
	check(fd >= 0, "dirfd");
	return fd;
}

static void print_name(const char *name)
{
	if (name[0] == '/')
		printf("name=%s\n", name);
	else
		printf("name=%s/%s\n", dir, name);
}

/* exit 77 (skip), saying why, when the call is not supported here */
static void unsupported(const char *what)
{
	fprintf(stderr, "workload: %s: %s: not supported here\n", what,
		strerror(errno));
	exit(77);
}

static int xattr_result(int r)
{
	if (r < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP))
		unsupported("user xattrs");
	return r;
}

static void wait_child(pid_t pid)
{
	int st;
	check(waitpid(pid, &st, 0) == pid, "waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "workload: child status %d\n", st);
		exit(1);
	}
}

/* ---- one scenario per interposed function ---- */

#define OK(expr) check((expr) == 0, #expr)
#define FD(expr) check((expr) >= 0, #expr)

static int one_call(const char *s)
{
	int fd;
	FILE *f;
	struct timeval tv[2] = {{1, 0}, {2, 0}};
	struct timespec ts[2] = {{1, 0}, {2, 0}};
	struct utimbuf ub = {1, 2};

	if (!strcmp(s, "open")) {
		FD(open("f", O_WRONLY | O_CREAT | O_TRUNC, 0640));
	} else if (!strcmp(s, "open64")) {
		FD(open64("f", O_RDWR | O_CREAT | O_EXCL, 0600));
	} else if (!strcmp(s, "openat")) {
		FD(openat(raw_dirfd(), "f", O_WRONLY | O_CREAT | O_APPEND,
			  0644));
	} else if (!strcmp(s, "openat64")) {
		raw_mkdir("sub");
		FD(openat64(raw_dirfd(), "./sub/../f", O_WRONLY | O_CREAT,
			    0644));
	} else if (!strcmp(s, "creat")) {
		FD(creat("f", 0600));
	} else if (!strcmp(s, "creat64")) {
		FD(creat64("f", 0644));
	} else if (!strcmp(s, "__open_2")) {
		raw_file("f");
		FD(__open_2("f", O_WRONLY | O_TRUNC));
	} else if (!strcmp(s, "__open64_2")) {
		raw_file("f");
		FD(__open64_2("f", O_RDWR));
	} else if (!strcmp(s, "__openat_2")) {
		raw_file("f");
		FD(__openat_2(raw_dirfd(), "f", O_WRONLY | O_APPEND));
	} else if (!strcmp(s, "__openat64_2")) {
		raw_file("f");
		FD(__openat64_2(raw_dirfd(), "f", O_WRONLY));
	} else if (!strcmp(s, "fopen")) {
		check(fopen("f", "w") != NULL, "fopen");
	} else if (!strcmp(s, "fopen64")) {
		check(fopen64("f", "a") != NULL, "fopen64");
	} else if (!strcmp(s, "freopen")) {
		raw_file("f");
		f = fopen("/dev/null", "r");
		check(f && freopen("f", "r+", f) != NULL, "freopen");
	} else if (!strcmp(s, "freopen64")) {
		f = fopen("/dev/null", "r");
		check(f && freopen64("f", "we", f) != NULL, "freopen64");
	} else if (!strcmp(s, "mkdir")) {
		OK(mkdir("d", 0750));
	} else if (!strcmp(s, "mkdirat")) {
		OK(mkdirat(raw_dirfd(), "d", 0700));
	} else if (!strcmp(s, "rmdir")) {
		raw_mkdir("d");
		OK(rmdir("d"));
	} else if (!strcmp(s, "rename")) {
		raw_file("f");
		OK(rename("f", "g"));
	} else if (!strcmp(s, "renameat")) {
		raw_file("f");
		OK(renameat(raw_dirfd(), "f", AT_FDCWD, "g"));
	} else if (!strcmp(s, "renameat2")) {
		raw_file("f");
		OK(renameat2(AT_FDCWD, "f", raw_dirfd(), "g",
			     RENAME_NOREPLACE));
	} else if (!strcmp(s, "unlink")) {
		raw_file("f");
		OK(unlink("f"));
	} else if (!strcmp(s, "unlinkat")) {
		raw_file("f");
		OK(unlinkat(raw_dirfd(), "f", 0));
	} else if (!strcmp(s, "unlinkat_dir")) {
		raw_mkdir("d");
		OK(unlinkat(AT_FDCWD, "d", AT_REMOVEDIR));
	} else if (!strcmp(s, "remove")) {
		raw_file("f");
		OK(remove("f"));
	} else if (!strcmp(s, "link")) {
		raw_file("f");
		OK(link("f", "g"));
	} else if (!strcmp(s, "linkat")) {
		raw_file("f");
		OK(linkat(raw_dirfd(), "f", AT_FDCWD, "g", AT_SYMLINK_FOLLOW));
	} else if (!strcmp(s, "symlink")) {
		OK(symlink("target", "l"));
	} else if (!strcmp(s, "symlinkat")) {
		OK(symlinkat("../t", raw_dirfd(), "l"));
	} else if (!strcmp(s, "truncate")) {
		raw_file("f");
		OK(truncate("f", 10));
	} else if (!strcmp(s, "truncate64")) {
		raw_file("f");
		OK(truncate64("f", 10));
	} else if (!strcmp(s, "ftruncate")) {
		fd = raw_open("f", O_RDWR | O_CREAT, 0644);
		OK(ftruncate(fd, 10));
	} else if (!strcmp(s, "ftruncate64")) {
		fd = raw_open("f", O_RDWR | O_CREAT, 0644);
		OK(ftruncate64(fd, 10));
	} else if (!strcmp(s, "chmod")) {
		raw_file("f");
		OK(chmod("f", 0600));
	} else if (!strcmp(s, "lchmod")) {
		raw_file("f");
		int r = lchmod("f", 0600);
		if (r < 0 && (errno == ENOTSUP || errno == ENOSYS))
			unsupported("lchmod");
		OK(r);
	} else if (!strcmp(s, "fchmod")) {
		fd = raw_open("f", O_RDWR | O_CREAT, 0644);
		OK(fchmod(fd, 0604));
	} else if (!strcmp(s, "fchmodat")) {
		raw_file("f");
		OK(fchmodat(raw_dirfd(), "f", 0640, 0));
	} else if (!strcmp(s, "chown")) {
		raw_file("f");
		OK(chown("f", 0, 0));
	} else if (!strcmp(s, "lchown")) {
		raw_file("f");
		OK(lchown("f", 0, (gid_t)-1));
	} else if (!strcmp(s, "fchown")) {
		fd = raw_open("f", O_RDWR | O_CREAT, 0644);
		OK(fchown(fd, (uid_t)-1, 0));
	} else if (!strcmp(s, "fchownat")) {
		raw_file("f");
		OK(fchownat(raw_dirfd(), "f", 0, 0, AT_SYMLINK_NOFOLLOW));
	} else if (!strcmp(s, "utime")) {
		raw_file("f");
		OK(utime("f", &ub));
	} else if (!strcmp(s, "utimes")) {
		raw_file("f");
		OK(utimes("f", tv));
	} else if (!strcmp(s, "lutimes")) {
		raw_file("f");
		OK(lutimes("f", tv));
	} else if (!strcmp(s, "futimes")) {
		fd = raw_open("f", O_RDWR | O_CREAT, 0644);
		OK(futimes(fd, tv));
	} else if (!strcmp(s, "futimesat")) {
		raw_file("f");
		OK(futimesat(raw_dirfd(), "f", tv));
	} else if (!strcmp(s, "utimensat")) {
		raw_file("f");
		OK(utimensat(AT_FDCWD, "f", ts, 0));
	} else if (!strcmp(s, "futimens")) {
		fd = raw_open("f", O_RDWR | O_CREAT, 0644);
		OK(futimens(fd, ts));
	} else if (!strcmp(s, "setxattr")) {
		raw_file("f");
		OK(xattr_result(setxattr("f", "user.t", "1", 1, 0)));
	} else if (!strcmp(s, "lsetxattr")) {
		raw_file("f");
		OK(xattr_result(lsetxattr("f", "user.t", "1", 1, 0)));
	} else if (!strcmp(s, "fsetxattr")) {
		fd = raw_open("f", O_RDWR | O_CREAT, 0644);
		OK(xattr_result(fsetxattr(fd, "user.t", "1", 1, 0)));
	} else if (!strcmp(s, "removexattr") || !strcmp(s, "lremovexattr") ||
		   !strcmp(s, "fremovexattr")) {
		raw_file("f");
		if (syscall(SYS_setxattr, "f", "user.t", "1", 1, 0) < 0)
			return xattr_result(-1) ? 1 : 1;
		if (s[0] == 'r')
			OK(removexattr("f", "user.t"));
		else if (s[0] == 'l')
			OK(lremovexattr("f", "user.t"));
		else
			OK(fremovexattr(raw_open("f", O_RDONLY, 0), "user.t"));
	} else if (!strcmp(s, "mknod")) {
		OK(mknod("p", S_IFIFO | 0600, 0));
	} else if (!strcmp(s, "mknodat")) {
		OK(mknodat(raw_dirfd(), "p", S_IFIFO | 0640, 0));
	} else if (!strcmp(s, "mkfifo")) {
		OK(mkfifo("p", 0600));
	} else if (!strcmp(s, "mkfifoat")) {
		OK(mkfifoat(raw_dirfd(), "p", 0644));
	} else if (!strcmp(s, "__xmknod")) {
		dev_t dev = 0;
		OK(__xmknod(0, "p", S_IFIFO | 0600, &dev));
	} else if (!strcmp(s, "__xmknodat")) {
		dev_t dev = 0;
		OK(__xmknodat(0, raw_dirfd(), "p", S_IFIFO | 0640, &dev));
	} else if (!strcmp(s, "mkstemp") || !strcmp(s, "mkstemp64")) {
		char t[] = "tmpXXXXXX";
		FD(s[7] ? mkstemp64(t) : mkstemp(t));
		print_name(t);
	} else if (!strcmp(s, "mkostemp") || !strcmp(s, "mkostemp64")) {
		char t[] = "tmpXXXXXX";
		FD(s[8] ? mkostemp64(t, O_CLOEXEC) : mkostemp(t, O_CLOEXEC));
		print_name(t);
	} else if (!strcmp(s, "mkstemps") || !strcmp(s, "mkstemps64")) {
		char t[] = "tmpXXXXXX.txt";
		FD(s[8] ? mkstemps64(t, 4) : mkstemps(t, 4));
		print_name(t);
	} else if (!strcmp(s, "mkostemps") || !strcmp(s, "mkostemps64")) {
		char t[] = "tmpXXXXXX.txt";
		FD(s[9] ? mkostemps64(t, 4, 0) : mkostemps(t, 4, 0));
		print_name(t);
	} else if (!strcmp(s, "mkdtemp")) {
		char t[] = "dXXXXXX";
		check(mkdtemp(t) != NULL, "mkdtemp");
		print_name(t);
	} else if (!strcmp(s, "tmpfile") || !strcmp(s, "tmpfile64")) {
		f = s[7] ? tmpfile64() : tmpfile();
		check(f != NULL, "tmpfile");
	} else if (!strcmp(s, "shm_open")) {
		char name[64];
		snprintf(name, sizeof name, "/unroot-test-%d", (int)getpid());
		FD(shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600));
		char path[96];
		snprintf(path, sizeof path, "/dev/shm%s", name);
		print_name(path);
		syscall(SYS_unlinkat, AT_FDCWD, path, 0);
	} else if (!strcmp(s, "shm_unlink")) {
		char name[64], path[96];
		snprintf(name, sizeof name, "/unroot-test-%d", (int)getpid());
		snprintf(path, sizeof path, "/dev/shm%s", name);
		raw_file(path);
		print_name(path);
		OK(shm_unlink(name));
	} else if (!strcmp(s, "bind")) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		strcpy(a.sun_path, "sock");
		int so = socket(AF_UNIX, SOCK_STREAM, 0);
		FD(so);
		OK(bind(so, (struct sockaddr *)&a, sizeof a));
	} else {
		return -1;
	}
	return 0;
}

/*
 * Inet binds: one that succeeds on a port the kernel picks, one refused
 * with EADDRINUSE on the same port, and an IPv6 one; prints each result and
 * errno (the tracer must not change them) and the port, for the test.
 */
static int scenario_bind_inet(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof a;
	int s1 = socket(AF_INET, SOCK_STREAM, 0);
	int s2 = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int r = bind(s1, (struct sockaddr *)&a, sizeof a);
	printf("bind1=%d\n", r);
	if (r || getsockname(s1, (struct sockaddr *)&a, &len) || listen(s1, 1))
		return 1;
	printf("port=%u\n", ntohs(a.sin_port));
	errno = 0;
	r = bind(s2, (struct sockaddr *)&a, sizeof a);
	printf("bind2=%d errno=%d\n", r, errno);
	struct sockaddr_in6 b = {.sin6_family = AF_INET6};
	b.sin6_addr = in6addr_loopback;
	int s3 = socket(AF_INET6, SOCK_STREAM, 0);
	errno = 0;
	r = s3 < 0 ? -2 : bind(s3, (struct sockaddr *)&b, sizeof b);
	printf("bind3=%d errno=%d\n", r, r ? errno : 0);
	return 0;
}

/*
 * ---- the credential calls: each changes an effective id to 1001, then
 * creates f, whose event must carry the new id ----
 */
static int one_cred(const char *s)
{
	int r;

	if (!strcmp(s, "setuid"))
		r = setuid(1001);
	else if (!strcmp(s, "seteuid"))
		r = seteuid(1001);
	else if (!strcmp(s, "setreuid"))
		r = setreuid((uid_t)-1, 1001);
	else if (!strcmp(s, "setresuid"))
		r = setresuid((uid_t)-1, 1001, (uid_t)-1);
	else if (!strcmp(s, "setgid"))
		r = setgid(1001);
	else if (!strcmp(s, "setegid"))
		r = setegid(1001);
	else if (!strcmp(s, "setregid"))
		r = setregid((gid_t)-1, 1001);
	else if (!strcmp(s, "setresgid"))
		r = setresgid((gid_t)-1, 1001, (gid_t)-1);
	else
		return -1;
	check(r == 0, s);
	FD(open("f", O_WRONLY | O_CREAT, 0644));
	return 0;
}

/*
 * ---- calls only privilege allows, run by a user other than root: each
 * must fail with EPERM, as it does untraced (the preload records it and
 * keeps errno) ----
 */
static int scenario_refused(void)
{
	gid_t groups[] = {0, 4};

	errno = 0;
	check(chroot(".") < 0 && errno == EPERM, "chroot");
	errno = 0;
	check(setuid(0) < 0 && errno == EPERM, "setuid");
	errno = 0;
	check(setresgid((gid_t)-1, 0, (gid_t)-1) < 0 && errno == EPERM,
	      "setresgid");
	errno = 0;
	check(setgroups(2, groups) < 0 && errno == EPERM, "setgroups");
	errno = 0;
	check(initgroups("root", 0) < 0 && errno == EPERM, "initgroups");
	return 0;
}

/* Files with no name made in a directory (O_TMPFILE, as Python's
 * TemporaryFile and MariaDB make them): two, the second chmod'ed through
 * its fd and then given a name by linkat through /proc/self/fd. */
static int scenario_unnamed(void)
{
	char proc[64];
	int a, b;

	OK(mkdir("d", 0755));
	FD(a = open("d", O_RDWR | O_TMPFILE, 0600));
	FD(b = open("d", O_RDWR | O_TMPFILE, 0600));
	OK(fchmod(b, 0640));
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", b);
	OK(linkat(AT_FDCWD, proc, AT_FDCWD, "d/named", AT_SYMLINK_FOLLOW));
	close(a);
	close(b);
	return 0;
}

/* Programs exec'd with an effective uid that is not the real one (as
 * root): by a forked child after the parent's seteuid, by a vfork child
 * after its own setresuid (between them, one with the ids made equal
 * again); the loader runs each in secure mode. */
static int scenario_mixed_ids(void)
{
	pid_t pid;

	if (geteuid() != 0)
		return 77;
	OK(seteuid(1001));
	check((pid = fork()) >= 0, "fork");
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	wait_child(pid);
	OK(seteuid(0));
	check((pid = fork()) >= 0, "fork");
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	wait_child(pid);
	check((pid = vfork()) >= 0, "vfork");
	if (pid == 0) {
		if (setresuid((uid_t)-1, 1001, (uid_t)-1) == 0)
			execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	wait_child(pid);
	return 0;
}

/*
 * lib (deep.c) opened with RTLD_DEEPBIND and lazy binding, as PHP opens
 * its extensions, makes two files in deep/; before it, libpreload_dummy.so
 * is opened by its name alone, with and without RTLD_DEEPBIND, found
 * through this program's run path ($ORIGIN) only.
 */
static int scenario_deepbind(const char *lib)
{
	void *h;
	int (*write_in)(const char *);

	check(dlopen("libpreload_dummy.so", RTLD_NOW | RTLD_DEEPBIND) != NULL,
	      "dlopen by name, deepbind");
	check(dlopen("libpreload_dummy.so", RTLD_NOW) != NULL,
	      "dlopen by name");
	OK(mkdir("deep", 0755));
	h = dlopen(lib, RTLD_LAZY | RTLD_GLOBAL | RTLD_DEEPBIND);
	check(h != NULL, "dlopen deepbind");
	*(void **)&write_in = dlsym(h, "deep_write");
	check(write_in && write_in("deep") == 0, "deep_write");
	return 0;
}

/* ---- the exec family: each runs /bin/true (or sh) in some way ---- */

static int one_exec(const char *s)
{
	char *argv[] = {"true", NULL};
	pid_t pid;

	if (!strcmp(s, "execve")) {
		execve("/bin/true", argv, environ);
	} else if (!strcmp(s, "execv")) {
		execv("/bin/true", argv);
	} else if (!strcmp(s, "execvp")) {
		execvp("true", argv);
	} else if (!strcmp(s, "execvpe")) {
		execvpe("true", argv, environ);
	} else if (!strcmp(s, "execl")) {
		execl("/bin/true", "true", (char *)NULL);
	} else if (!strcmp(s, "execle")) {
		execle("/bin/true", "true", (char *)NULL, environ);
	} else if (!strcmp(s, "execlp")) {
		execlp("true", "true", (char *)NULL);
	} else if (!strcmp(s, "execveat")) {
		execveat(AT_FDCWD, "/bin/true", argv, environ, 0);
	} else if (!strcmp(s, "fexecve")) {
		int fd = raw_open("/bin/true", O_RDONLY, 0);
		FD(fd);
		fexecve(fd, argv, environ);
	} else if (!strcmp(s, "posix_spawn")) {
		check(posix_spawn(&pid, "/bin/true", NULL, NULL, argv,
				  environ) == 0,
		      "posix_spawn");
		printf("child=%d\n", (int)pid);
		wait_child(pid);
		return 0;
	} else if (!strcmp(s, "posix_spawnp")) {
		check(posix_spawnp(&pid, "true", NULL, NULL, argv, environ) ==
			  0,
		      "posix_spawnp");
		printf("child=%d\n", (int)pid);
		wait_child(pid);
		return 0;
	} else if (!strcmp(s, "system")) {
		check(system("echo sys > from-system") == 0, "system");
		return 0;
	} else if (!strcmp(s, "popen")) {
		FILE *p = popen("echo pop > from-popen", "r");
		check(p != NULL, "popen");
		check(pclose(p) == 0, "pclose");
		return 0;
	} else {
		return -1;
	}
	die(s); /* the exec returned */
	return 1;
}

/* ---- transparency: failing calls, errno before successful ones ---- */

static void show(const char *what, long ret)
{
	printf("%s ret=%ld errno=%d\n", what, ret, ret < 0 ? errno : 0);
}

#define SHOW(expr)                      \
	do {                            \
		errno = 0;              \
		long r_ = (long)(expr); \
		show(#expr, r_);        \
	} while (0)

/* errno set before a successful call must still be there after it */
#define KEEP(expr)                                                    \
	do {                                                          \
		errno = 4242;                                         \
		long r_ = (long)(expr);                               \
		printf("%s ok=%d errno=%d\n", #expr, r_ >= 0, errno); \
	} while (0)

static int scenario_errno(void)
{
	char *argv[] = {"nothere", NULL};
	pid_t pid;
	char t[] = "bad";
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	raw_file("exists");
	raw_mkdir("full");
	raw_file("full/x");
	SHOW(open("missing/f", O_WRONLY | O_CREAT, 0644));
	SHOW(open64("missing/f", O_RDONLY));
	SHOW(openat(AT_FDCWD, "exists", O_WRONLY | O_CREAT | O_EXCL, 0644));
	SHOW(__open_2("missing/f", O_WRONLY));
	SHOW(creat("missing/f", 0644));
	SHOW(fopen("missing/f", "w") ? 0 : -1);
	SHOW(fopen("missing/f", "r") ? 0 : -1);
	SHOW(mkdir("exists", 0755));
	SHOW(mkdir("missing/d", 0755));
	SHOW(rmdir("full"));
	SHOW(rmdir("exists"));
	SHOW(rename("missing", "x"));
	SHOW(renameat2(AT_FDCWD, "exists", AT_FDCWD, "full", RENAME_NOREPLACE));
	SHOW(unlink("missing"));
	SHOW(unlink("full"));
	SHOW(unlinkat(AT_FDCWD, "exists", AT_REMOVEDIR));
	SHOW(remove("missing"));
	SHOW(link("missing", "x"));
	SHOW(symlink("x", "exists"));
	SHOW(truncate("missing", 0));
	SHOW(ftruncate(-1, 0));
	SHOW(ftruncate(12345, 0));
	SHOW(chmod("missing", 0644));
	SHOW(fchmod(-1, 0644));
	SHOW(chown("missing", 0, 0));
	SHOW(utimes("missing", NULL));
	SHOW(utimensat(-1, "rel", NULL, 0));
	SHOW(setxattr("missing", "user.t", "1", 1, 0));
	SHOW(removexattr("exists", "user.none"));
	SHOW(mknod("exists", S_IFIFO | 0644, 0));
	SHOW(mkfifo("missing/p", 0644));
	SHOW(mkstemp(t));
	SHOW(mkdtemp(t) ? 0 : -1);
	SHOW(execve("/nonexistent", argv, environ));
	SHOW(execvp("nonexistent-program", argv));
	SHOW(execl("exists", "exists", (char *)NULL));
	SHOW(-posix_spawn(&pid, "/nonexistent", NULL, NULL, argv, environ));
	SHOW(-posix_spawnp(&pid, "nonexistent-program", NULL, NULL, argv,
			   environ));
	strcpy(a.sun_path, "missing/sock");
	SHOW(bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a,
		  sizeof a));
	SHOW(access("missing", W_OK));
	SHOW(shm_open("a/b", O_RDWR | O_CREAT, 0600));
	/* the tracer tries O_CREAT with O_EXCL, and rename with
	 * RENAME_NOREPLACE, first: what the caller sees must not change */
	SHOW(open("full", O_WRONLY | O_CREAT, 0644));
	SHOW(openat(AT_FDCWD, "full/x/y", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	SHOW(creat("full", 0644));
	SHOW(rename("exists", "full"));
	SHOW(rename("full", "exists"));
	SHOW(renameat(AT_FDCWD, "full", AT_FDCWD, "full/x"));

	KEEP(open("new1", O_WRONLY | O_CREAT, 0644));
	KEEP(open("exists", O_RDONLY));
	KEEP(fopen("new2", "w") ? 0 : -1);
	KEEP(mkdir("newd", 0755));
	KEEP(rename("new1", "new3"));
	KEEP(unlink("new3"));
	KEEP(chmod("exists", 0600));
	KEEP(open("exists", O_WRONLY | O_CREAT | O_TRUNC, 0600));
	KEEP(symlink("made-through-link", "dangling"));
	KEEP(open("dangling", O_WRONLY | O_CREAT, 0644));
	SHOW(access("made-through-link", F_OK));
	KEEP(open("new4", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	KEEP(rename("new4", "exists"));
	SHOW(access("new4", F_OK));
	KEEP(symlink("x", "newl"));
	char t2[] = "tmpXXXXXX";
	KEEP(mkstemp(t2));
	KEEP(tmpfile() ? 0 : -1);
	argv[0] = "true";
	KEEP(posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ));
	waitpid(pid, NULL, 0);
	KEEP(posix_spawnp(&pid, "true", NULL, NULL, argv, environ));
	waitpid(pid, NULL, 0);
	KEEP(system("true"));
	FILE *p = popen("true", "r");
	KEEP(p ? 0 : -1);
	if (p)
		pclose(p);
	return 0;
}

/*
 * ---- what the tracer knows without asking (preload/known.c) ----
 * A sequence whose every pre-state the test checks exactly: names the
 * tracer learnt from its own calls, names changed behind its back by a
 * child (forgotten at waitpid) or by a raw system call (believed for at
 * most 100 ms), and descriptors whose file was renamed or whose number
 * was reused.
 */
static int scenario_known(void)
{
	umask(022);
	int fd = open("a", O_WRONLY | O_CREAT | O_TRUNC, 0640);
	FD(fd);
	OK(fchmod(fd, 0604));
	close(fd);
	FD(fd = open("a", O_WRONLY | O_CREAT | O_TRUNC, 0600)); /* 0604 */
	close(fd);
	OK(rename("a", "b")); /* st 0604, st2 absent */
	raw_file("c");	      /* 0644, unseen */
	OK(rename("b", "c")); /* st 0604, st2 0644 */
	fflush(stdout);
	pid_t pid = fork();
	check(pid >= 0, "fork");
	if (pid == 0) {
		syscall(SYS_fchmodat, AT_FDCWD, "c", 0600);
		_exit(0);
	}
	wait_child(pid);
	OK(unlink("c")); /* 0600: the child's chmod, after waitpid */
	FD(fd = open("t", O_WRONLY | O_CREAT, 0644));
	close(fd);
	syscall(SYS_fchmodat, AT_FDCWD, "t", 0611); /* unseen */
	struct timespec pause = {0, 150 * 1000 * 1000};
	nanosleep(&pause, NULL);
	OK(unlink("t")); /* 0611: 150 ms later nothing is believed */
	OK(mkdir("d", 0750));
	FD(fd = open("d/x", O_WRONLY | O_CREAT, 0644)); /* parent 0750 */
	close(fd);
	OK(rename("d", "e"));
	FD(fd = open("e/x", O_WRONLY | O_APPEND)); /* st 0644, parent 0750 */
	close(fd);
	FD(fd = open("p", O_WRONLY | O_CREAT, 0644));
	OK(rename("p", "q"));
	OK(fchmod(fd, 0600)); /* path q */
	close(fd);
	FD(fd = open("m", O_WRONLY | O_CREAT, 0644));
	close(fd);
	int again = raw_open("n", O_WRONLY | O_CREAT, 0644);
	check(again == fd, "the same descriptor number");
	OK(fchmod(again, 0640)); /* path n */
	raw_close(again);
	/* a hard link: the new name has the old name's state, the old name
	 * keeps it; a symlink linked with AT_SYMLINK_FOLLOW links its target */
	FD(fd = open("l1", O_WRONLY | O_CREAT, 0640));
	close(fd);
	OK(link("l1", "l2"));
	OK(unlink("l1"));
	OK(chmod("l2", 0600));
	OK(symlink("l2", "s"));
	OK(linkat(AT_FDCWD, "s", AT_FDCWD, "l3", AT_SYMLINK_FOLLOW));
	OK(chmod("l3", 0604));
	return 0;
}

/* ---- processes ---- */

static int scenario_fork(void)
{
	FD(open("parent-before", O_WRONLY | O_CREAT, 0644));
	fflush(stdout);
	pid_t pid = fork();
	check(pid >= 0, "fork");
	if (pid == 0) {
		printf("child=%d\n", (int)getpid());
		fflush(stdout);
		FD(open("child", O_WRONLY | O_CREAT, 0644));
		OK(mkdir("child-dir", 0755));
		_exit(0);
	}
	wait_child(pid);
	FD(open("parent-after", O_WRONLY | O_CREAT, 0644));
	return 0;
}

static int scenario_vfork(void)
{
	pid_t pid = vfork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "echo v > from-vfork",
		      (char *)NULL);
		_exit(127);
	}
	check(pid > 0, "vfork");
	wait_child(pid);
	/* a vfork child that fails to exec and leaves with exit() */
	pid = vfork();
	if (pid == 0) {
		execl("/nonexistent", "x", (char *)NULL);
		exit(0);
	}
	wait_child(pid);
	FD(open("after-vfork", O_WRONLY | O_CREAT, 0644));
	return 0;
}

/*
 * fork-exec children: A execs at once (its exec goes into this file); B
 * writes first, then execs (B has a file of its own); C forks D, which
 * execs (D's exec goes into this file too: C had no file); E fails to
 * exec, then writes.  Meanwhile a thread of this process keeps writing
 * into the same file.
 */
static volatile int forkexec_done;

static void *forkexec_writer(void *arg)
{
	(void)arg;
	for (int i = 0; !forkexec_done; i++) {
		int fd = open("fe-busy", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

/* a child that creates first (when not NULL), then execs sh -c cmd */
static pid_t fork_sh(const char *first, const char *cmd)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (first) {
			int fd = open(first, O_WRONLY | O_CREAT, 0644);
			if (fd >= 0)
				close(fd);
		}
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int scenario_forkexec(void)
{
	pthread_t t;
	check(pthread_create(&t, NULL, forkexec_writer, NULL) == 0,
	      "pthread_create");
	for (int i = 0; i < 20; i++)
		wait_child(fork_sh(NULL, "echo a > from-fork-a"));
	wait_child(fork_sh("fork-b-first", "echo b > from-fork-b"));
	pid_t c = fork();
	if (c == 0) {
		pid_t d = fork_sh(NULL, "echo d > from-fork-d");
		int st;
		waitpid(d, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
	}
	wait_child(c);
	pid_t e = fork();
	if (e == 0) {
		execl("/nonexistent-fe", "x", (char *)NULL);
		int fd = open("fork-e-after", O_WRONLY | O_CREAT, 0644);
		_exit(fd >= 0 ? 0 : 1);
	}
	wait_child(e);
	/* G: two children exec /bin/true, the second one known by then
	 * (progknown.c: not probed, so its ids are not asked there); the
	 * second changes its ids first (as root) */
	for (int i = 0; i < 2; i++) {
		bool change = i == 1 && geteuid() == 0;
		pid_t g = fork();
		if (g == 0) {
			if (change && (setgid(1001) != 0 || setuid(1001) != 0))
				_exit(1);
			execl("/bin/true",
			      change ? "true-as-1001" : "true-unchanged",
			      (char *)NULL);
			_exit(127);
		}
		wait_child(g);
	}
	forkexec_done = 1;
	pthread_join(t, NULL);
	return 0;
}

static int scenario_env_i(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		execl("/usr/bin/env", "env", "-i", "/bin/sh", "-c",
		      "echo e > from-env-i", (char *)NULL);
		_exit(127);
	}
	wait_child(pid);
	/* a spawn with an empty environment is traced as well */
	char *argv[] = {"sh", "-c", "echo s > from-spawn-empty-env", NULL};
	char *envp[] = {NULL};
	check(posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, envp) == 0,
	      "posix_spawn");
	wait_child(pid);
	return 0;
}

/* exec ourselves with only LD_PRELOAD=<the dummy>: both must be loaded */
/* exec with LD_PRELOAD="dummy <this preload>" (a space-separated list
 * that already names the preload: it must be kept, not added again) */
static int scenario_keep_preload(const char *self, const char *dummy)
{
	char value[4096];
	const char *own = getenv("LD_PRELOAD");
	snprintf(value, sizeof value, "LD_PRELOAD=%s %s", dummy,
		 own ? own : "");
	char *envp[] = {value, NULL};
	char *argv[] = {(char *)self, "report_preload", (char *)dir, NULL};
	execve(self, argv, envp);
	die("execve");
	return 1;
}

static int scenario_report_preload(void)
{
	const char *v = getenv("LD_PRELOAD");
	int dummy = dlsym(RTLD_DEFAULT, "unroot_test_dummy") != NULL;
	FILE *f = fopen("preload-report", "w");
	check(f != NULL, "fopen");
	fprintf(f, "LD_PRELOAD=%s\ndummy=%d\n", v ? v : "", dummy);
	fclose(f);
	printf("LD_PRELOAD=%s\ndummy=%d\n", v ? v : "", dummy);
	return dummy ? 0 : 3;
}

static int scenario_spawns(void)
{
	pid_t pid;
	char *argv[] = {"sh", "-c", "echo s > from-spawn", NULL};
	check(posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) == 0,
	      "posix_spawn");
	wait_child(pid);
	argv[2] = "echo p > from-spawnp";
	check(posix_spawnp(&pid, "sh", NULL, NULL, argv, environ) == 0,
	      "posix_spawnp");
	wait_child(pid);
	check(system("echo y > from-system") == 0, "system");
	FILE *p = popen("echo o > from-popen; echo out", "r");
	char line[64];
	check(p && fgets(line, sizeof line, p) && !strcmp(line, "out\n"),
	      "popen");
	check(pclose(p) == 0, "pclose");
	return 0;
}

static int scenario_static(const char *prog, const char *arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		execl(prog, prog, arg, (char *)NULL);
		_exit(127);
	}
	wait_child(pid);
	return 0;
}

/* io_uring_setup through libc's syscall(), as libuv calls it: twice in
 * this process (one record), once in a forked child (its own), then a
 * file made the usual way, which is recorded as ever. */
static int ring(void)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof p);
	long fd = syscall(SYS_io_uring_setup, 4, &p);
	if (fd < 0) {
		perror("io_uring_setup");
		return -1;
	}
	close((int)fd);
	return 0;
}

static int scenario_io_uring(void)
{
	if (ring() || ring())
		return 1;
	pid_t c = fork();
	if (c == 0)
		_exit(ring() ? 1 : 0);
	int st;
	check(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) &&
		  WEXITSTATUS(st) == 0,
	      "child");
	int fd = open("after-ring", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	check(fd >= 0, "after-ring");
	close(fd);
	return 0;
}

/*
 * Executables whose ELF header points the program headers outside the
 * file, or around the end of the address space: the exec fails, and the
 * tracer's static-program check, which reads those headers in the child
 * before the exec, must neither crash nor hang it.
 */
static int scenario_bad_elf(void)
{
	static const unsigned long long phoffs[] = {
	    0xfffffffffffffff0ULL, /* phoff + 56 wraps to 40 */
	    0x7ffffffffffffff8ULL, /* past any file */
	    1000,		   /* past this one */
	    60,			   /* a header that straddles the end */
	};
	for (size_t k = 0; k < sizeof phoffs / sizeof phoffs[0]; k++) {
		Elf64_Ehdr eh;
		char name[32];
		memset(&eh, 0, sizeof eh);
		memcpy(eh.e_ident, ELFMAG, SELFMAG);
		eh.e_ident[EI_CLASS] = ELFCLASS64;
		eh.e_ident[EI_DATA] = ELFDATA2LSB;
		eh.e_ident[EI_VERSION] = EV_CURRENT;
		eh.e_type = ET_EXEC;
		eh.e_machine = EM_X86_64;
		eh.e_version = EV_CURRENT;
		eh.e_phoff = phoffs[k];
		eh.e_phentsize = sizeof(Elf64_Phdr);
		eh.e_phnum = 3;
		eh.e_ehsize = sizeof eh;
		snprintf(name, sizeof name, "bad-elf-%zu", k);
		int fd = raw_open(name, O_WRONLY | O_CREAT | O_TRUNC, 0755);
		check(fd >= 0 && write(fd, &eh, sizeof eh) == sizeof eh,
		      "write bad elf");
		raw_close(fd);
		pid_t pid = fork();
		if (pid == 0) {
			char path[64];
			snprintf(path, sizeof path, "./%s", name);
			execl(path, name, (char *)NULL);
			_exit(errno == ENOEXEC || errno == EINVAL ||
				      errno == EIO || errno == EACCES
				  ? 0
				  : 3);
		}
		wait_child(pid);
	}
	return 0;
}

/* `sh -c CMD` (dash runs an external command of a list in a vfork child) */
static int scenario_sh(const char *cmd)
{
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	wait_child(pid);
	return 0;
}

/*
 * Forked children that differ from their parent before their first
 * event (another cwd, other ids) and a grandchild whose parent recorded
 * nothing: the short proc records of fork children.
 */
static int scenario_fork_records(void)
{
	raw_mkdir("sub");
	syscall(SYS_fchmodat, AT_FDCWD, "sub", 0777);
	FD(open("parent", O_WRONLY | O_CREAT, 0644));
	pid_t pid = fork();
	if (pid == 0) {
		FD(open("same", O_WRONLY | O_CREAT, 0644));
		_exit(0);
	}
	wait_child(pid);
	printf("child-same=%d\n", (int)pid);
	pid = fork();
	if (pid == 0) {
		check(chdir("sub") == 0, "chdir");
		check(setgroups(0, NULL) == 0, "setgroups");
		check(setresgid(1001, 1001, 1001) == 0, "setresgid");
		check(setresuid(1001, 1001, 1001) == 0, "setresuid");
		FD(open("other", O_WRONLY | O_CREAT, 0644));
		_exit(0);
	}
	wait_child(pid);
	printf("child-other=%d\n", (int)pid);
	pid = fork();
	if (pid == 0) {
		/* records nothing itself, forks the one that does */
		pid_t g = fork();
		if (g == 0) {
			FD(open("grandchild", O_WRONLY | O_CREAT, 0644));
			_exit(0);
		}
		int st;
		waitpid(g, &st, 0);
		printf("grandchild=%d\n", (int)g);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
	}
	wait_child(pid);
	printf("child-silent=%d\n", (int)pid);
	return 0;
}

/* The silent process of scenario_silent_parent: it records nothing
 * itself, forks a child that does, and sends its own pid up the pipe. */
static void silent_then_fork(int wfd)
{
	pid_t me = getpid(), g = fork();
	int st;

	if (g == 0) {
		int fd = open("grandchild", O_WRONLY | O_CREAT, 0644);
		_exit(fd < 0);
	}
	if (g < 0 || waitpid(g, &st, 0) != g || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		_exit(1);
	_exit(write(wfd, &me, sizeof me) != sizeof me);
}

/*
 * A process that records nothing, made by how (fork, daemon, forkpty),
 * forks one that does: that one's proc record names the silent process as
 * its parent, whichever way libc forked it.  Prints silent=PID.
 */
static int scenario_silent_parent(const char *how)
{
	int pfd[2], amaster;
	pid_t pid, silent;

	check(pipe(pfd) == 0, "pipe");
	FD(open("parent", O_WRONLY | O_CREAT, 0644));
	if (!strcmp(how, "fork")) {
		pid = fork();
	} else if (!strcmp(how, "daemon")) {
		pid = fork();
		if (pid == 0 && daemon(1, 1) != 0)
			_exit(1);
	} else if (!strcmp(how, "forkpty")) {
		pid = forkpty(&amaster, NULL, NULL, NULL);
		if (pid < 0)
			return 77; /* no pseudo-terminal here */
	} else {
		return 2;
	}
	check(pid >= 0, how);
	if (pid == 0) {
		close(pfd[0]);
		silent_then_fork(pfd[1]);
	}
	close(pfd[1]);
	check(read(pfd[0], &silent, sizeof silent) == sizeof silent, "read");
	wait_child(pid); /* daemon's: the first child, which left at once */
	printf("silent=%d\n", (int)silent);
	return 0;
}

/* ---- threads and storms ---- */

static int per_thread;

static void *creator(void *arg)
{
	char name[64];
	long id = (long)arg;
	for (int i = 0; i < per_thread; i++) {
		snprintf(name, sizeof name, "t%ld-%d", id, i);
		int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			die(name);
		close(fd);
	}
	return NULL;
}

static int scenario_threads(int threads, int n)
{
	pthread_t t[256];
	per_thread = n;
	for (long i = 0; i < threads; i++)
		check(pthread_create(&t[i], NULL, creator, (void *)i) == 0,
		      "pthread_create");
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	return 0;
}

/*
 * N files each created from a stack of its own (R times each: "stacks N R"):
 * the bits of i choose, frame by frame, which of two functions calls the
 * next, so that N stacks differ in their return addresses within their
 * first frames.
 */
static volatile int stack_sink;
static void along(unsigned bits, int depth);
__attribute__((noinline)) static void along_a(unsigned bits, int depth)
{
	along(bits, depth);
	stack_sink++; /* no tail call: this frame stays on the stack */
}
__attribute__((noinline)) static void along_b(unsigned bits, int depth)
{
	along(bits, depth);
	stack_sink += 2;
}
__attribute__((noinline)) static void along(unsigned bits, int depth)
{
	if (depth == 0) {
		char name[32];
		snprintf(name, sizeof name, "s%u", bits);
		int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			die(name);
		close(fd);
	} else if ((bits >> (depth - 1)) & 1) {
		along_a(bits, depth - 1);
	} else {
		along_b(bits, depth - 1);
	}
	stack_sink++;
}

static int scenario_stacks(unsigned n, unsigned repeat)
{
	int depth = 0;
	while ((1u << depth) < n)
		depth++;
	for (unsigned i = 0; i < n; i++)
		for (unsigned r = 0; r < repeat; r++)
			along(i, depth);
	return 0;
}

/* The same stack in the workload and then in a forked child, which writes
 * it into a file of its own */
static int scenario_stacksfork(void)
{
	pid_t pid = -1;
	volatile int times = 2; /* a loop the compiler keeps */
	for (int i = 0; i < times; i++) {
		if (i == 1) {
			pid = fork();
			check(pid >= 0, "fork");
			if (pid > 0)
				break;
		}
		along(0, 1); /* one call site: the same stack in both */
	}
	if (pid == 0)
		_exit(0);
	wait_child(pid);
	return 0;
}

/* A program that retitles itself as perl's $0 and setproctitle do, over
 * the bytes of its argv[0], with an absolute path, then creates a file. */
static int scenario_retitled(char *argv0)
{
	size_t n = strlen(argv0);
	const char *title = "/retitled";

	check(n >= strlen(title), "argv[0] too short");
	memset(argv0, 0, n);
	memcpy(argv0, title, strlen(title));
	along(0, 1);
	return 0;
}

/* N forked children, 50 at a time, each creating its own file f<i> */
static int scenario_forks(int n)
{
	pid_t kids[50];
	for (int i = 0; i < n; i += 50) {
		int k = 0;
		for (int j = i; j < n && j < i + 50; j++) {
			pid_t pid = fork();
			check(pid >= 0, "fork");
			if (pid == 0) {
				char name[32];
				snprintf(name, sizeof name, "f%d", j);
				int fd = open(name, O_WRONLY | O_CREAT, 0644);
				_exit(fd < 0 ? 1 : 0);
			}
			kids[k++] = pid;
		}
		for (int j = 0; j < k; j++)
			wait_child(kids[j]);
	}
	return 0;
}

/* a forked child whose threads all make its first records at once */
static int scenario_fork_threads(void)
{
	FD(open("parent", O_WRONLY | O_CREAT, 0644));
	for (int round = 0; round < 10; round++) {
		pid_t pid = fork();
		check(pid >= 0, "fork");
		if (pid == 0) {
			char dname[32];
			snprintf(dname, sizeof dname, "c%d", round);
			check(syscall(SYS_mkdirat, AT_FDCWD, dname, 0755) ==
				      0 &&
				  chdir(dname) == 0,
			      "chdir");
			scenario_threads(16, 20);
			_exit(0);
		}
		wait_child(pid);
	}
	return 0;
}

static void *stormer(void *arg)
{
	char name[64];
	long id = (long)arg;
	for (unsigned i = 0;; i++) {
		snprintf(name, sizeof name, "s%ld-%u", id % 100, i % 50);
		int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			close(fd);
		unlink(name);
	}
	return NULL;
}

/* writes until killed, in 4 threads and 2 processes */
static int scenario_storm(void)
{
	pthread_t t[4];
	fork();
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, stormer,
			       (void *)(i + 10 * getpid()));
	printf("storming\n");
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

/* a daemon: closes every descriptor, dup2s its own file over many */
static int scenario_daemon(void)
{
	FD(open("before-close", O_WRONLY | O_CREAT, 0644));
	if (syscall(SYS_close_range, 0, ~0U, 0) != 0)
		for (int fd = 0; fd < 65536; fd++)
			close(fd);
	int own = open("own", O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (own < 0)
		_exit(10);
	FD(open("after-close", O_WRONLY | O_CREAT, 0644));
	for (int fd = 0; fd < 1100; fd++)
		if (fd != own)
			dup2(own, fd);
	for (int i = 0; i < 20; i++) {
		char name[32];
		snprintf(name, sizeof name, "after-dup-%d", i);
		int fd = open(name, O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			_exit(11);
		if (write(own, "daemon data\n", 12) != 12)
			_exit(12);
	}
	/* close everything once more: the log must come back again */
	for (int fd = 0; fd < 2048; fd++)
		if (fd != own)
			close(fd);
	int fd = open("after-second-close", O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		_exit(13);
	if (write(own, "daemon data\n", 12) != 12)
		_exit(12);
	_exit(0);
}

/*
 * ---- descriptor trust (preload/known.c) ----
 * fdtrust CASE: the number n of a file whose path the tracer remembers
 * and trusts ("old", opened for writing, then fchmod'ed 0600) is closed
 * or replaced the way CASE names, and then names another file: "new",
 * opened read-only (the read fast path remembers nothing), or what CASE
 * put there.  That number is fchmod'ed 0640 (ftruncate'd, where it is a
 * device), and the record must name the file it names now: expect=PATH
 * (a trailing * for a prefix).
 */
static void expect(const char *path)
{
	if (path[0] == '/')
		printf("expect=%s\n", path);
	else
		printf("expect=%s/%s\n", dir, path);
	fflush(stdout);
}

/*
 * Setup here goes through libc (a raw syscall(SYS_close) would end trust
 * for good, and nothing would be left to test).
 */
static void plain_file(const char *name)
{
	int fd = open(name, O_WRONLY | O_CREAT, 0644);
	FD(fd);
	close(fd);
}

/* n again, for "new" */
static void reuse(int n)
{
	int again = open("new", O_RDONLY);
	check(again == n, "the same descriptor number again");
	OK(fchmod(again, 0640));
	expect("new");
}

/* "old", opened for writing and chmod'ed: a trusted path for its fd */
static int trusted_old(void)
{
	int n = open("old", O_WRONLY | O_CREAT, 0644);
	FD(n);
	OK(fchmod(n, 0600));
	return n;
}

/* n's number for fd 0, in this process: the stdio descriptors of a
 * daemon or a terminal session replace it */
static void old_as_stdin(void)
{
	close(0);
	check(trusted_old() == 0, "old as fd 0");
}

static void probe_stdin(void)
{
	ftruncate(0, 0); /* a device: fails, and is recorded */
}

static int fdtrust_stdio(const char *how)
{
	int pfd[2];
	check(pipe(pfd) == 0, "pipe");
	if (!strcmp(how, "daemon")) {
		expect("/dev/null");
		pid_t pid = fork();
		check(pid >= 0, "fork");
		if (pid == 0) {
			old_as_stdin();
			if (daemon(1, 0) != 0)
				_exit(1);
			probe_stdin();
			_exit(0); /* closes pfd[1]: the workload may go */
		}
		wait_child(pid);
	} else {
		expect("/dev/pts/*");
		int amaster, slave = -1;
		if (!strcmp(how, "login_tty") &&
		    openpty(&amaster, &slave, NULL, NULL, NULL) != 0)
			return 77;
		old_as_stdin();
		pid_t pid =
		    slave >= 0 ? fork() : forkpty(&amaster, NULL, NULL, NULL);
		if (pid < 0)
			return 77; /* no terminals here */
		if (pid == 0) {
			if (slave >= 0 && login_tty(slave) != 0)
				_exit(1);
			probe_stdin();
			_exit(0);
		}
		wait_child(pid);
	}
	close(pfd[1]);
	char c;
	while (read(pfd[0], &c, 1) > 0)
		;
	return 0;
}

static int fdtrust_stream(const char *how)
{
	if (!strcmp(how, "pclose")) {
		/* the stream's descriptor made to name "old", trusted */
		FILE *f = popen("true", "r");
		check(f != NULL, "popen");
		int n = fileno(f), o = open("old", O_WRONLY | O_CREAT, 0644);
		FD(o);
		check(dup2(o, n) == n, "dup2");
		OK(fchmod(n, 0600));
		pclose(f);
		reuse(n);
		return 0;
	}
	if (!strcmp(how, "endmntent") || !strcmp(how, "__endmntent")) {
		FILE *f = setmntent("old", "w");
		check(f != NULL, "setmntent");
		int n = fileno(f);
		OK(fchmod(n, 0600));
		if (how[0] == '_')
			__endmntent(f);
		else
			endmntent(f);
		reuse(n);
		return 0;
	}
	FILE *f = fopen("old", "w");
	check(f != NULL, "fopen");
	int n = fileno(f);
	OK(fchmod(n, 0600));
	if (!strcmp(how, "fcloseall")) {
		/* glibc's flushes every stream and closes none; a libc that
		 * closes them closes stdout too, so the answer goes to a
		 * copy of it, and 0-2 are filled so that "new" gets n */
		int out = dup(1);
		FD(out);
		fcloseall();
		bool closed = fcntl(n, F_GETFD) < 0;
		for (int i = 0; closed && i < 3; i++)
			if (fcntl(i, F_GETFD) < 0 &&
			    open("/dev/null", O_RDWR) != i)
				_exit(1);
		int m = closed ? open("new", O_RDONLY) : n;
		if (m != n || fchmod(m, 0640) != 0)
			_exit(1);
		dprintf(out, "expect=%s/%s\n", dir, closed ? "new" : "old");
		return 0;
	}
	if (!strcmp(how, "freopen")) {
		f = freopen("new", "r", f);
		check(f != NULL && fileno(f) == n, "freopen keeps the number");
		OK(fchmod(n, 0640));
		expect("new");
		return 0;
	}
	if (!strcmp(how, "fclose"))
		fclose(f);
	else
		_IO_fclose(f);
	reuse(n);
	return 0;
}

static int scenario_fdtrust(const char *how)
{
	plain_file("new");
	plain_file("other");
	if (!strcmp(how, "daemon") || !strcmp(how, "forkpty") ||
	    !strcmp(how, "login_tty"))
		return fdtrust_stdio(how);
	if (!strcmp(how, "fclose") || !strcmp(how, "_IO_fclose") ||
	    !strcmp(how, "freopen") || !strcmp(how, "pclose") ||
	    !strcmp(how, "fcloseall") || !strcmp(how, "endmntent") ||
	    !strcmp(how, "__endmntent"))
		return fdtrust_stream(how);
	if (!strcmp(how, "closedir")) {
		raw_mkdir("d");
		int n = open("d", O_RDONLY | O_DIRECTORY);
		FD(n);
		OK(fchmod(n, 0700)); /* its path read once, then trusted */
		DIR *d = fdopendir(n);
		check(d != NULL, "fdopendir");
		closedir(d);
		reuse(n);
		return 0;
	}
	if (!strcmp(how, "mq_close")) {
		char name[64];
		snprintf(name, sizeof name, "/unroot-fdtrust-%d",
			 (int)getpid());
		mqd_t q = mq_open(name, O_RDWR | O_CREAT, 0600, NULL);
		if (q == (mqd_t)-1)
			return 77; /* no message queues here */
		mq_unlink(name);
		OK(fchmod((int)q, 0600));
		mq_close(q);
		reuse((int)q);
		return 0;
	}
	bool dups = !strcmp(how, "dup2") || !strcmp(how, "__dup2") ||
		    !strcmp(how, "dup3");
	int o = dups ? open("other", O_RDONLY) : -1;
	int n = trusted_old();
	if (!strcmp(how, "vfork")) {
		/* the child's table is its own; its memory is the parent's */
		pid_t pid = vfork();
		if (pid == 0) {
			close(n);
			int x = open("vfork-child", O_WRONLY | O_CREAT, 0644);
			if (x != n || fchmod(x, 0604) != 0)
				_exit(1);
			_exit(0);
		}
		wait_child(pid);
		OK(fchmod(n, 0640));
		expect("old");
		return 0;
	}
	if (!strcmp(how, "exec")) {
		/* O_CLOEXEC: the new image finds n free */
		int c = open("cloexec", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		FD(c);
		OK(fchmod(c, 0600));
		char num[16];
		snprintf(num, sizeof num, "%d", c);
		fflush(stdout);
		execl("/proc/self/exe", "workload", "fdtrust_exec", dir, num,
		      (char *)NULL);
		die("exec");
	}
	if (!strcmp(how, "fcntl_dupfd")) {
		int m = fcntl(n, F_DUPFD_CLOEXEC, 20);
		check(m >= 20, "F_DUPFD");
		OK(fchmod(m, 0640));
		expect("old");
		return 0;
	}
	if (dups) {
		int r = how[0] == '_'	? __dup2(o, n)
			: how[3] == '2' ? dup2(o, n)
					: dup3(o, n, 0);
		check(r == n, how);
		OK(fchmod(n, 0640));
		expect("other");
		return 0;
	}
	if (!strcmp(how, "close"))
		close(n);
	else if (!strcmp(how, "__close"))
		__close(n);
	else if (!strcmp(how, "close_range"))
		check(close_range((unsigned)n, (unsigned)n, 0) == 0, how);
	else if (!strcmp(how, "closefrom"))
		closefrom(n);
	else if (!strcmp(how, "syscall_close"))
		syscall(SYS_close, n);
	else
		return 2;
	reuse(n);
	return 0;
}

/*
 * Threads that open, chmod and close at once: a writer creates "a<i>"
 * files and chmods them 0604, a reader opens "b" read-only (the fast path
 * remembers nothing) and chmods it 0640.  Numbers pass from one thread's
 * file to the other's all the time.
 */
static void *fd_writer(void *arg)
{
	char name[32];
	for (long i = 0; i < (long)arg; i++) {
		snprintf(name, sizeof name, "a%ld", i);
		int fd = open(name, O_WRONLY | O_CREAT, 0644);
		if (fd < 0 || fchmod(fd, 0604) != 0)
			die(name);
		close(fd);
	}
	return NULL;
}

static void *fd_reader(void *arg)
{
	for (long i = 0; i < (long)arg; i++) {
		int fd = open("b", O_RDONLY);
		if (fd < 0 || fchmod(fd, 0640) != 0)
			die("b");
		close(fd);
	}
	return NULL;
}

static int scenario_fdtrust_threads(int n)
{
	pthread_t w, r;
	plain_file("b");
	check(pthread_create(&w, NULL, fd_writer, (void *)(long)n) == 0,
	      "pthread_create");
	check(pthread_create(&r, NULL, fd_reader, (void *)(long)n) == 0,
	      "pthread_create");
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	return 0;
}

/*
 * ---- the remembered working directory (preload/cwd.c) ----
 * cwdtrust CASE: relative names are resolved often enough that the tracer
 * remembers the cwd, then the cwd changes the way CASE names (or seems to
 * change without doing so), and "cwd-probe" is made by a relative name.
 * expect= is where it really is: its record must name that, never a path
 * under a cwd remembered from before.
 */
static void warm_cwd(const char *tag)
{
	for (int i = 0; i < 12; i++) {
		char name[32];
		snprintf(name, sizeof name, "%s%d", tag, i);
		plain_file(name);
	}
}

/* rel, made from the cwd the kernel has now, and expected there */
static void probe_cwd(const char *rel)
{
	char cwd[PATH_MAX], want[PATH_MAX + 64];
	check(getcwd(cwd, sizeof cwd) != NULL, "getcwd");
	snprintf(want, sizeof want, "%s/%s", strcmp(cwd, "/") ? cwd : "", rel);
	expect(want);
	plain_file(rel);
}

/* "cwd-probe" in the test's directory, named from /: dir without its / */
static const char *from_root(void)
{
	static char rel[PATH_MAX];
	snprintf(rel, sizeof rel, "%s/cwd-probe", dir + 1);
	return rel;
}

/* nftw's callbacks: the probe at tree/deep/f (cwd: tree/deep) */
static int cwd_walked(const char *path, int type)
{
	if (type == FTW_F && strstr(path, "/deep/")) {
		probe_cwd("cwd-probe");
		return 1;
	}
	return 0;
}

static int cwd_walk_fn(const char *path, const struct stat *st, int type,
		       struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return cwd_walked(path, type);
}

static int cwd_walk64_fn(const char *path, const struct stat64 *st, int type,
			 struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return cwd_walked(path, type);
}

static void cwd_tree(void)
{
	raw_mkdir("tree");
	raw_mkdir("tree/deep");
	int fd = open("tree/deep/f", O_WRONLY | O_CREAT, 0644);
	FD(fd);
	close(fd);
}

/* fts over tree: the probe at tree/deep/f, or after a call made there */
static int cwd_fts(const char *how)
{
	char *roots[] = {"tree", NULL};
	bool wide = strstr(how, "64") != NULL;
	void *fts = wide ? (void *)fts64_open(roots, FTS_PHYSICAL, NULL)
			 : (void *)fts_open(roots, FTS_PHYSICAL, NULL);
	check(fts != NULL, "fts_open");
	for (;;) {
		FTSENT *e = wide ? (FTSENT *)fts64_read(fts) : fts_read(fts);
		check(e != NULL, "fts_read");
		if (e->fts_info != FTS_F)
			continue;
		if (strstr(how, "read")) {
			probe_cwd("cwd-probe");
			break;
		}
		warm_cwd("in-fts"); /* remembered: tree/deep */
		if (strstr(how, "children")) {
			if (wide)
				fts64_children(fts, 0);
			else
				fts_children(fts, 0);
			probe_cwd("cwd-probe");
			break;
		}
		OK(wide ? fts64_close(fts) : fts_close(fts));
		probe_cwd("cwd-probe");
		return 0;
	}
	OK(wide ? fts64_close(fts) : fts_close(fts));
	return 0;
}

/* a thread with a cwd of its own, which it makes remembered */
static void *cwd_own_thread(void *arg)
{
	(void)arg;
	if (unshare(CLONE_FS) != 0 || chdir("sub") != 0)
		die("unshare");
	warm_cwd("in-thread");
	return NULL;
}

/* a clone child on this memory with a cwd of its own, which it makes
 * remembered (no flag marks it another process, as vfork's does) */
static volatile int cwd_clone_done;

static int cwd_clone_fn(void *arg)
{
	(void)arg;
	if (chdir("sub") != 0)
		return 1;
	warm_cwd("in-clone");
	cwd_clone_done = 1;
	return 0;
}

static int cwd_clone(void)
{
	size_t size = 256 * 1024;
	char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(stack != MAP_FAILED, "mmap");
	pid_t pid = clone(cwd_clone_fn, stack + size, CLONE_VM | SIGCHLD, NULL);
	check(pid > 0, "clone");
	while (!cwd_clone_done)
		sched_yield();
	probe_cwd("cwd-probe"); /* before the wait, which forgets */
	wait_child(pid);
	return 0;
}

/* daemon(0, 1) changes to / in a child of a child: that one probes */
static int cwd_daemon(void)
{
	int pfd[2];
	char c;
	check(pipe(pfd) == 0, "pipe");
	expect("cwd-probe");
	pid_t pid = fork();
	check(pid >= 0, "fork");
	if (pid == 0) {
		close(pfd[0]);
		if (daemon(0, 1) != 0)
			_exit(1);
		plain_file(from_root());
		_exit(write(pfd[1], "x", 1) == 1 ? 0 : 1);
	}
	close(pfd[1]);
	wait_child(pid);
	check(read(pfd[0], &c, 1) == 1, "the daemon's probe");
	return 0;
}

static int cwd_change(const char *how)
{
	if (!strcmp(how, "chdir"))
		OK(chdir("sub"));
	else if (!strcmp(how, "fchdir"))
		OK(fchdir(open("sub", O_RDONLY | O_DIRECTORY)));
	else if (!strcmp(how, "syscall_chdir"))
		OK(syscall(SYS_chdir, "sub"));
	else if (!strcmp(how, "syscall_fchdir"))
		OK(syscall(SYS_fchdir, open("sub", O_RDONLY | O_DIRECTORY)));
	else if (!strcmp(how, "chroot")) {
		if (chroot(".") != 0)
			return 77; /* not root */
	} else if (!strcmp(how, "setns")) {
		int ns = open("/proc/self/ns/mnt", O_RDONLY);
		if (ns < 0 || setns(ns, CLONE_NEWNS) != 0)
			return 77; /* not root: its cwd is now / */
		probe_cwd(from_root());
		return 0;
	} else {
		return 2;
	}
	probe_cwd("cwd-probe");
	return 0;
}

static int scenario_cwdtrust(const char *how)
{
	raw_mkdir("sub");
	cwd_tree();
	warm_cwd("warm");
	if (!strncmp(how, "fts", 3))
		return cwd_fts(how);
	if (!strcmp(how, "nftw") || !strcmp(how, "nftw64")) {
		int r = how[4] ? nftw64("tree", cwd_walk64_fn, 4, FTW_CHDIR)
			       : nftw("tree", cwd_walk_fn, 4, FTW_CHDIR);
		check(r == 1, "the walk reached tree/deep/f");
		return 0;
	}
	if (!strcmp(how, "unshare")) {
		pthread_t t;
		check(pthread_create(&t, NULL, cwd_own_thread, NULL) == 0,
		      "pthread_create");
		pthread_join(t, NULL);
		probe_cwd("cwd-probe"); /* in this thread's cwd: dir */
		return 0;
	}
	if (!strcmp(how, "vfork")) {
		/* the child's cwd is its own, its memory its parent's */
		pid_t pid = vfork();
		if (pid == 0) {
			if (chdir("sub") != 0)
				_exit(1);
			execl("no-such-program", "x", (char *)NULL);
			_exit(0);
		}
		probe_cwd("cwd-probe"); /* before the wait, which forgets */
		wait_child(pid);
		return 0;
	}
	if (!strcmp(how, "daemon"))
		return cwd_daemon();
	if (!strcmp(how, "clone_vm"))
		return cwd_clone();
	return cwd_change(how);
}

/*
 * ---- the ends of a process image (the log is trimmed: preload/log.c) ----
 * Children that record a file, then leave by _exit, exit(), _Exit, a
 * successful exec, or a failed exec followed by more records and _exit;
 * a vfork child that leaves by _exit at once.  The workload returns from
 * main.
 */
static pid_t child_then(const char *name, int how)
{
	pid_t pid = fork();
	check(pid >= 0, "fork");
	if (pid)
		return pid;
	int fd = open(name, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		_exit(1);
	close(fd);
	switch (how) {
	case 0:
		_exit(0);
	case 1:
		exit(0);
	case 2:
		_Exit(0);
	case 3:
		execl("/bin/sh", "sh", "-c", "echo > end-exec-sh",
		      (char *)NULL);
		_exit(1);
	default:
		execl("/nonexistent-end", "x", (char *)NULL);
		fd = open("end-after-failed-exec", O_WRONLY | O_CREAT, 0644);
		_exit(fd < 0 ? 1 : 0);
	}
}

static int scenario_ends(void)
{
	static const char *const names[] = {"end-_exit", "end-exit",
					    "end-_Exit", "end-exec",
					    "end-failed-exec"};
	FD(open("end-parent", O_WRONLY | O_CREAT, 0644));
	fflush(stdout);
	for (int i = 0; i < 5; i++)
		wait_child(child_then(names[i], i));
	pid_t pid = vfork();
	if (pid == 0)
		_exit(0);
	wait_child(pid);
	FD(open("end-parent-after", O_WRONLY | O_CREAT, 0644));
	return 0;
}

/* threads that keep creating files while the main thread calls exit() */
static void *exit_racer(void *arg)
{
	char name[64];
	long id = (long)arg;
	for (int i = 0;; i++) {
		snprintf(name, sizeof name, "x%ld-%d", id, i);
		int fd = open(name, O_WRONLY | O_CREAT, 0644);
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

static int scenario_exit_threads(void)
{
	pthread_t t;
	for (long i = 0; i < 4; i++)
		check(pthread_create(&t, NULL, exit_racer, (void *)i) == 0,
		      "pthread_create");
	struct timespec pause = {0, 50 * 1000 * 1000};
	nanosleep(&pause, NULL);
	exit(0);
}

/*
 * A signal handler that removes a file while the main loop creates files.
 * The timer is one-shot, re-armed when the handler ends: a periodic one
 * that fires faster than a loaded machine runs the handler would starve
 * the main loop (a livelock of the test, not of the tracer).
 */
static volatile sig_atomic_t handled;
static volatile sig_atomic_t rearm = 1;

static void on_alarm(int sig)
{
	static const struct itimerval again = {{0, 0}, {0, 200}};
	int e = errno;

	(void)sig;
	unlink("pidfile");
	handled++;
	if (rearm)
		setitimer(ITIMER_REAL, &again, NULL);
	errno = e;
}

static int scenario_signal(int n)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	struct itimerval it = {{0, 0}, {0, 200}};
	char name[32];

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, "m%d", i % 100);
		int fd;
		do
			fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		while (fd < 0 && errno == EINTR);
		if (fd < 0)
			die(name);
		close(fd);
	}
	struct itimerval off = {{0, 0}, {0, 0}};
	rearm = 0;
	setitimer(ITIMER_REAL, &off, NULL);
	printf("opens=%d\nhandled=%d\n", n, (int)handled);
	return 0;
}

/* the second writer of scenario_staged's "threads" */
static void *staged_thread(void *arg)
{
	char name[32];

	for (long i = 0; i < (long)arg; i++) {
		snprintf(name, sizeof name, "th-%ld", i);
		FD(open(name, O_WRONLY | O_CREAT, 0644));
	}
	return NULL;
}

/*
 * n creates in one thread: a log long enough for a staging window
 * (preload/stage.c), with other writers in between as mode says, ended
 * as mode says.  mode: exit, kill (SIGKILL at the end), exec (of true),
 * forks (every 50th create, a child execs sh to create ch-I: its exec is
 * recorded in this image's log, between its records), signals (the timer of
 * scenario_signal, handled=N printed), threads (a second thread creates
 * n/2 files from the middle on), drop (root dropped in the middle).
 */
static int scenario_staged(const char *mode, int n)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	struct itimerval it = {{0, 0}, {0, 200}}, off = {{0, 0}, {0, 0}};
	pthread_t t;
	char name[32];

	if (!strcmp(mode, "signals")) {
		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &it, NULL);
	}
	for (int i = 0; i < n; i++) {
		if (i == n / 2 && !strcmp(mode, "threads"))
			check(!pthread_create(&t, NULL, staged_thread,
					      (void *)(long)(n / 2)),
			      "pthread_create");
		if (i == n / 2 && !strcmp(mode, "drop"))
			check(setresgid(1001, 1001, 1001) == 0 &&
				  setgroups(0, NULL) == 0 &&
				  setresuid(1001, 1001, 1001) == 0,
			      "setresuid");
		if (i % 50 == 0 && !strcmp(mode, "forks")) {
			pid_t pid = fork();
			check(pid >= 0, "fork");
			if (!pid) {
				snprintf(name, sizeof name, ": > ch-%d", i);
				execl("/bin/sh", "sh", "-c", name,
				      (char *)NULL);
				_exit(127);
			}
			wait_child(pid);
		}
		snprintf(name, sizeof name, "st-%d", i);
		int fd;
		do
			fd = open(name, O_WRONLY | O_CREAT, 0644);
		while (fd < 0 && errno == EINTR);
		check(fd >= 0, name);
		close(fd);
	}
	if (!strcmp(mode, "threads"))
		pthread_join(t, NULL);
	if (!strcmp(mode, "signals")) {
		rearm = 0;
		setitimer(ITIMER_REAL, &off, NULL);
		printf("handled=%d\n", (int)handled);
	}
	fflush(stdout);
	if (!strcmp(mode, "kill"))
		raise(SIGKILL);
	if (!strcmp(mode, "exec"))
		execl("/bin/true", "true", (char *)NULL);
	return 0;
}

/* a workload that scrubs its own environment, then runs commands */
static int scenario_scrubbed(void)
{
	unsetenv("LD_PRELOAD");
	check(system("echo a > from-system-unset") == 0, "system");
	clearenv();
	FILE *p = popen("echo b > from-popen-clearenv", "r");
	check(p && pclose(p) == 0, "popen");
	check(getenv("LD_PRELOAD") == NULL, "environ restored");
	setenv("PATH", "/usr/bin:/bin", 1);
	check(system("echo c > from-system-path-only") == 0, "system");
	check(getenv("LD_PRELOAD") == NULL && getenv("UNROOT_LOG") == NULL &&
		  !strcmp(getenv("PATH"), "/usr/bin:/bin"),
	      "environ restored");
	return 0;
}

/* writes through symlinks: the record carries the resolved path */
static int scenario_symlinks(void)
{
	raw_mkdir("target");
	check(syscall(SYS_symlinkat, "target", AT_FDCWD, "ln") == 0, "symlink");
	check(syscall(SYS_symlinkat, "t", AT_FDCWD, "lf") == 0, "symlink");
	FD(open("ln/f", O_WRONLY | O_CREAT, 0644));
	FD(open("lf", O_WRONLY | O_CREAT, 0644));
	OK(chmod("lf", 0600));
	OK(unlink("lf"));
	/* directories made here: under the real work directory, and under
	 * the symlink (whose new directory is not its own real path) */
	OK(mkdir("own", 0755));
	FD(open("own/f", O_WRONLY | O_CREAT, 0644));
	OK(mkdir("ln/sub", 0755));
	FD(open("ln/sub/g", O_WRONLY | O_CREAT, 0644));
	return 0;
}

/*
 * The main thread leaves by pthread_exit and the process goes on in
 * another: /proc/self/fd, exe, cmdline and mountinfo are the main
 * thread's, and are gone with it.  The thread writes through a symlinked
 * directory, through a descriptor the preload never saw opened and
 * relative to a directory descriptor; every path must still be known.
 */
static void *leader_gone_thread(void *arg)
{
	char buf[64];
	int i = 0;

	(void)arg;
	while (syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", buf,
		       sizeof buf) > 0 &&
	       i++ < 5000)
		usleep(1000);
	check(i <= 5000, "the main thread did not leave");
	raw_mkdir("target");
	check(syscall(SYS_symlinkat, "target", AT_FDCWD, "ln") == 0, "symlink");
	FD(open("ln/f", O_WRONLY | O_CREAT, 0644));
	int fd = (int)syscall(SYS_openat, AT_FDCWD, "data",
			      O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	FD(fd);
	OK(fchmod(fd, 0600));
	int dir = (int)syscall(SYS_openat, AT_FDCWD, "target",
			       O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FD(dir);
	FD(openat(dir, "g", O_WRONLY | O_CREAT, 0644));
	exit(0);
}

static int scenario_leader_gone(void)
{
	pthread_t t;

	check(pthread_create(&t, NULL, leader_gone_thread, NULL) == 0,
	      "pthread_create");
	pthread_exit(NULL);
}

/* the descriptors a process can see: the tracer must add none */
static void list_fds(const char *when)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char seen[8192] = "";
	int self = d ? dirfd(d) : -1;
	size_t n = 0;

	check(d != NULL, "opendir");
	int fds[1024], k = 0;
	while ((e = readdir(d)) && k < 1024)
		if (e->d_name[0] != '.' && atoi(e->d_name) != self)
			fds[k++] = atoi(e->d_name);
	closedir(d);
	for (int i = 0; i < k; i++)
		for (int j = i + 1; j < k; j++)
			if (fds[j] < fds[i]) {
				int t = fds[i];
				fds[i] = fds[j];
				fds[j] = t;
			}
	int high = 0;
	for (int i = 0; i < k && n < sizeof seen - 16; i++) {
		if (fds[i] >= 900) {
			high++;
			continue;
		}
		n += (size_t)snprintf(seen + n, sizeof seen - n, " %d", fds[i]);
	}
	printf("%s fds:%s\n", when, seen);
	printf("high fds=%d\n", high);
}

static int scenario_fds(void)
{
	list_fds("start");
	int fd = open("a", O_WRONLY | O_CREAT, 0644);
	printf("open=%d\n", fd);
	list_fds("after open");
	close(fd);
	OK(mkdir("d", 0755));
	list_fds("after mkdir");
	pid_t pid = fork();
	if (pid == 0) {
		list_fds("child");
		FD(open("b", O_WRONLY | O_CREAT, 0644));
		_exit(0);
	}
	wait_child(pid);
	return 0;
}

/* a process that drops privileges after its first records */
static int scenario_dropprivs(void)
{
	FD(open("as-root", O_WRONLY | O_CREAT, 0644));
	check(setresgid(1001, 1001, 1001) == 0 && setgroups(0, NULL) == 0 &&
		  setresuid(1001, 1001, 1001) == 0,
	      "setresuid");
	FD(open("as-user", O_WRONLY | O_CREAT, 0644));
	int fd = open("/root/denied", O_WRONLY | O_CREAT, 0644);
	return fd < 0 && errno == EACCES ? 0 : 1;
}

/* ---- the rest ---- */

/* a denied read, as an unprivileged user */
static int scenario_denied_read(void)
{
	raw_file("secret");
	syscall(SYS_fchmodat, AT_FDCWD, "secret", 0600);
	raw_mkdir("private");
	syscall(SYS_fchmodat, AT_FDCWD, "private", 0700);
	check(setresgid(1001, 1001, 1001) == 0 &&
		  setresuid(1001, 1001, 1001) == 0,
	      "setresuid");
	int fd = open("secret", O_RDONLY);
	int e = errno;
	printf("ret=%d errno=%d\n", fd, fd < 0 ? errno : 0);
	int a = access("secret", R_OK);
	struct stat st;
	errno = 0;
	int sr = stat("private/x", &st);
	int se = errno;
	DIR *d = opendir("private");
	int de = errno;
	errno = 0;
	check(stat("secret", &st) == 0 && errno == 0, "stat allowed");
	/* the stats of programs built against glibc < 2.33 */
	struct stat64 st64;
	int xs = 0;
	xs += __xstat(1, "private/xstat", &st) < 0 && errno == EACCES;
	xs += __lxstat(1, "private/lxstat", &st) < 0 && errno == EACCES;
	xs += __fxstatat(1, AT_FDCWD, "private/fxstatat", &st, 0) < 0 &&
	      errno == EACCES;
	xs += __xstat64(1, "private/xstat64", &st64) < 0 && errno == EACCES;
	xs += __lxstat64(1, "private/lxstat64", &st64) < 0 && errno == EACCES;
	xs += __fxstatat64(1, AT_FDCWD, "private/fxstatat64", &st64, 0) < 0 &&
	      errno == EACCES;
	errno = 0;
	xs += __xstat(1, "secret", &st) == 0 && errno == 0; /* allowed */
	/* access with the effective ids */
	int ea = euidaccess("secret", R_OK) < 0 && errno == EACCES;
	ea += eaccess("secret", W_OK) < 0 && errno == EACCES;
	printf("xstat=%d eaccess=%d\n", xs, ea);
	return fd < 0 && e == EACCES && a < 0 && sr < 0 && se == EACCES && !d &&
		       de == EACCES && xs == 7 && ea == 2
		   ? 0
		   : 1;
}

static int scenario_read(void)
{
	raw_file("plain");
	int fd = open("plain", O_RDONLY);
	FILE *f = fopen("plain", "r");
	int fd2 = openat(AT_FDCWD, "plain", O_RDONLY | O_CLOEXEC);
	return fd >= 0 && f && fd2 >= 0 ? 0 : 1;
}

/* names the JSON encoder has to escape or hex-encode */
static int scenario_names(void)
{
	static const char *names[] = {
	    "new\nline \"quoted\" back\\slash\ttab\x1b[31m",
	    "bad-utf8-\xff\xfe-\xc3\x28",
	    "ok-\xc3\xa9t\xc3\xa9-\xe2\x82\xac",
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		FD(open(names[i], O_WRONLY | O_CREAT, 0644));
	return 0;
}

/* writes, output and an exit status that must not change under the tracer */
static int scenario_exitcode(void)
{
	FD(open("a", O_WRONLY | O_CREAT, 0644));
	OK(mkdir("d", 0755));
	OK(rename("a", "d/b"));
	printf("done %d\n", (int)access("d/b", F_OK));
	return 42;
}

/* the secret in the environment must not reach the log, even via children */
static int scenario_secret(void)
{
	FD(open("a", O_WRONLY | O_CREAT, 0644));
	check(system("env > /dev/null; : > from-sh") == 0, "system");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s SCENARIO DIR [ARG...]\n", argv[0]);
		return 2;
	}
	const char *s = argv[1];
	dir = argv[2];
	check(chdir(dir) == 0, dir);
	setvbuf(stdout, NULL, _IOLBF, 0);

	int r = one_call(s);
	if (r >= 0)
		return r;
	r = one_exec(s);
	if (r >= 0)
		return r;
	r = one_cred(s);
	if (r >= 0)
		return r;
	if (!strcmp(s, "errno"))
		return scenario_errno();
	if (!strcmp(s, "refused"))
		return scenario_refused();
	if (!strcmp(s, "unnamed"))
		return scenario_unnamed();
	if (!strcmp(s, "deepbind") && argc > 3)
		return scenario_deepbind(argv[3]);
	if (!strcmp(s, "mixed_ids"))
		return scenario_mixed_ids();
	if (!strcmp(s, "bind_inet"))
		return scenario_bind_inet();
	if (!strcmp(s, "fork"))
		return scenario_fork();
	if (!strcmp(s, "known"))
		return scenario_known();
	if (!strcmp(s, "vfork"))
		return scenario_vfork();
	if (!strcmp(s, "forkexec"))
		return scenario_forkexec();
	if (!strcmp(s, "env_i"))
		return scenario_env_i();
	if (!strcmp(s, "keep_preload") && argc > 3)
		return scenario_keep_preload(argv[0], argv[3]);
	if (!strcmp(s, "report_preload"))
		return scenario_report_preload();
	if (!strcmp(s, "scrubbed"))
		return scenario_scrubbed();
	if (!strcmp(s, "symlinks"))
		return scenario_symlinks();
	if (!strcmp(s, "leader_gone"))
		return scenario_leader_gone();
	if (!strcmp(s, "spawns"))
		return scenario_spawns();
	if (!strcmp(s, "static") && argc > 3)
		return scenario_static(argv[3], argc > 4 ? argv[4] : NULL);
	if (!strcmp(s, "bad_elf"))
		return scenario_bad_elf();
	if (!strcmp(s, "io_uring"))
		return scenario_io_uring();
	if (!strcmp(s, "sh") && argc > 3)
		return scenario_sh(argv[3]);
	if (!strcmp(s, "fork_records"))
		return scenario_fork_records();
	if (!strcmp(s, "retitled"))
		return scenario_retitled(argv[0]);
	if (!strcmp(s, "stacksfork"))
		return scenario_stacksfork();
	if (!strcmp(s, "stacks"))
		return scenario_stacks(argc > 3 ? (unsigned)atoi(argv[3])
						: 1000,
				       argc > 4 ? (unsigned)atoi(argv[4]) : 1);
	if (!strcmp(s, "threads"))
		return scenario_threads(argc > 3 ? atoi(argv[3]) : 64,
					argc > 4 ? atoi(argv[4]) : 200);
	if (!strcmp(s, "fds"))
		return scenario_fds();
	if (!strcmp(s, "dropprivs"))
		return scenario_dropprivs();
	if (!strcmp(s, "forks"))
		return scenario_forks(argc > 3 ? atoi(argv[3]) : 1000);
	if (!strcmp(s, "fork_threads"))
		return scenario_fork_threads();
	if (!strcmp(s, "storm"))
		return scenario_storm();
	if (!strcmp(s, "staged") && argc > 4)
		return scenario_staged(argv[3], atoi(argv[4]));
	if (!strcmp(s, "ends"))
		return scenario_ends();
	if (!strcmp(s, "fdtrust") && argc > 3)
		return scenario_fdtrust(argv[3]);
	if (!strcmp(s, "fdtrust_exec") && argc > 3) {
		int n = atoi(argv[3]);
		reuse(n); /* n was closed by the exec */
		return 0;
	}
	if (!strcmp(s, "cwdtrust") && argc > 3)
		return scenario_cwdtrust(argv[3]);
	if (!strcmp(s, "fdtrust_threads"))
		return scenario_fdtrust_threads(argc > 3 ? atoi(argv[3])
							 : 2000);
	if (!strcmp(s, "exit_threads"))
		return scenario_exit_threads();
	if (!strcmp(s, "daemon"))
		return scenario_daemon();
	if (!strcmp(s, "silent_parent") && argc > 3)
		return scenario_silent_parent(argv[3]);
	if (!strcmp(s, "signal"))
		return scenario_signal(argc > 3 ? atoi(argv[3]) : 20000);
	if (!strcmp(s, "denied_read"))
		return scenario_denied_read();
	if (!strcmp(s, "read"))
		return scenario_read();
	if (!strcmp(s, "names"))
		return scenario_names();
	if (!strcmp(s, "exitcode"))
		return scenario_exitcode();
	if (!strcmp(s, "secret"))
		return scenario_secret();
	fprintf(stderr, "workload: unknown scenario %s\n", s);
	return 2;
}
