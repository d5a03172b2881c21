/*
 * main.c - unroot-ptrace [--reads] [--if-static] [--filter-only]
 * [--argv0 NAME] [--] PROGRAM [ARG...]: run PROGRAM (with argv[0] NAME) under
 * the seccomp filter, traced by ptrace, recording into UNROOT_LOG as the
 * preload does (UNROOT_FLAGS: "reads", "argv").  Without UNROOT_LOG the program
 * runs untraced, as under the preload; with --if-static so does a program that
 * is not static (the preload sees it): `unroot docker` puts the helper in
 * front of every entrypoint and only a static one is traced.
 *
 * The program keeps the helper's pid: this process (P) execs it, and the
 * tracer (T) is a grandchild, double-forked so that P never has a child it
 * did not make, in its own session so that signals sent to P's process
 * group or terminal never reach it.  A PID 1 entrypoint stays PID 1 and
 * receives `docker stop`'s SIGTERM itself.  The handshake:
 *
 *   P forks T0, T0 forks T and exits, P reaps T0 and learns T's pid;
 *   P names T its ptracer (Yama ptrace_scope 1), T attaches with
 *   PTRACE_SEIZE (P does not stop), takes the completion lock and says so;
 *   P sets no-new-privs, installs the filter, tells T, and execs PROGRAM.
 *
 * A static init shim (tini, dumb-init, catatonit: shim.c) is not traced:
 * it runs with its command routed through this helper again, so that a
 * dynamic command is recorded by the preload alone, without a filter.
 *
 * Where the attach cannot work (Yama ptrace_scope 3, or 2 without
 * CAP_SYS_PTRACE, or the attach or the filter is refused) one line on
 * stderr says why and PROGRAM runs untraced, and a static PROGRAM gets
 * an "untraced" record (why "static", "fallback": the reason) in a file
 * of this process.
 *
 * --filter-only installs the filter (the exec family left out, so that
 * PROGRAM starts) and execs PROGRAM with no tracer: what the filter alone
 * costs a program whose calls it never stops (the benchmark's floor for
 * the static read storm); a call the filter would stop fails with ENOSYS
 * there, so it is for measuring, never for tracing.
 *
 * Exit status: P's is PROGRAM's own (P is PROGRAM); 127 when it is not
 * found, 126 when it cannot be executed, 125 for a usage error.  T exits
 * after the last tracee, with PROGRAM's status (128+N for signal N).  T
 * holds an exclusive flock(2) on LOGDIR/.ptrace-PID (PID: PROGRAM's) while
 * it runs, and its pid is the file's text: a caller that needs the trace
 * complete (a daemon outlives PROGRAM) takes a shared lock on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracer.h"

struct settings tr_set;

#define OPTIONS                                                             \
	(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | \
	 PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT |    \
	 PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL)

/* Settings from the environment; false when tracing is off. */
static bool read_settings(bool reads)
{
	const char *log = getenv(UNROOT_ENV_LOG);
	const char *flags = getenv(UNROOT_ENV_FLAGS);

	if (!log || log[0] != '/' || strlen(log) >= sizeof tr_set.logdir)
		return false;
	strcpy(tr_set.logdir, log);
	tr_set.reads = reads || ur_flags_have(flags, UNROOT_FLAG_READS);
	tr_set.argv = ur_flags_have(flags, UNROOT_FLAG_ARGV);
	return true;
}

static bool has_cap_sys_ptrace(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) != 0)
		return false;
	return d[CAP_SYS_PTRACE / 32].effective & (1U << (CAP_SYS_PTRACE % 32));
}

/* Why Yama forbids the attach, or NULL (no Yama: scope 0). */
static const char *yama_forbids(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY);

	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	int scope = n > 0 ? atoi(buf) : 0;
	if (scope >= 3)
		return "Yama ptrace_scope is 3 (no process may be traced)";
	if (scope == 2 && !has_cap_sys_ptrace())
		return "Yama ptrace_scope is 2 and CAP_SYS_PTRACE is missing";
	return NULL;
}

/* The file execvp would run for name (PATH searched when it has no '/'),
 * in buf; name itself when none is found. */
static const char *find_program(const char *name, char *buf, size_t cap)
{
	const char *dirs = getenv("PATH");

	if (!*name || strchr(name, '/'))
		return name;
	for (const char *d = dirs ? dirs : "/bin:/usr/bin";; d++) {
		const char *end = strchr(d, ':');
		int dl = end ? (int)(end - d) : (int)strlen(d);
		if (snprintf(buf, cap, "%.*s/%s", dl, dl ? d : ".", name) <
			(int)cap &&
		    access(buf, X_OK) == 0)
			return buf;
		if (!end)
			return name;
		d = end;
	}
}

/*
 * The untraced record of a static program the tracer could not follow,
 * in a file of this process (which is about to become the program), with
 * why the fallback failed.
 */
static void record_untraced(const char *file, const char *why, int err)
{
	struct image img = {.pid = getpid(), .fd = -1, .memfd = -1};
	char abs[PATH_MAX], text[256];
	struct jbuf j;
	char buf[PATH_MAX + 512];

	if (!realpath(file, abs) || !ur_program_static(abs))
		return;
	snprintf(text, sizeof text, "%s%s%s", why, err ? ": " : "",
		 err ? strerror(err) : "");
	tr_image_start(&img);
	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_UNTRACED);
	jb_int(&j, "pid", img.pid);
	jb_int(&j, "ts", ur_now_ns());
	jb_str(&j, "path", abs);
	jb_str(&j, "why", UNTRACED_STATIC);
	jb_str(&j, K_FALLBACK, text);
	jb_lit(&j, K_TRACER, TRACER_NAME);
	tr_image_record(&img, &j);
}

/* Run the program as it is; why (with err): the one line saying why it
 * is not traced, and its untraced record; NULL: silently.  path: the file
 * execvp runs for file. */
static void run_untraced(const char *file, const char *path, char **argv,
			 const char *why, int err)
{
	if (why) {
		fprintf(stderr, "unroot-ptrace: %s runs untraced: %s%s%s\n",
			file, why, err ? ": " : "", err ? strerror(err) : "");
		record_untraced(path, why, err);
	}
	execvp(file, argv);
	int e = errno;
	fprintf(stderr, "unroot-ptrace: %s: %s\n", file, strerror(e));
	exit(e == ENOENT ? 127 : 126);
}

/*
 * A static init shim (shim.c) runs untraced, its command through this
 * helper again: a dynamic command is the preload's alone, never stopped
 * by a filter.  Returns when path is no shim whose command is certain.
 */
static void run_shim(const char *file, const char *path, char **argv,
		     bool reads)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	if (n <= 0 || !ur_program_static(path))
		return;
	self[n] = 0;
	char **shim = tr_shim_argv(path, argv, self, reads);
	if (shim)
		run_untraced(file, path, shim, NULL, 0);
}

/* The tracer, in the grandchild: attach, report, trace; never returns. */
static void tracer_main(pid_t prog, int up, int down)
{
	sigset_t none;
	char go;
	char lock[PATH_MAX + 32];

	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD)
			signal(s, SIG_IGN);
	if (read(down, &go, 1) != 1)
		_exit(125);
	snprintf(lock, sizeof lock, "%s/.ptrace-%d", tr_set.logdir, (int)prog);
	int lfd = open(lock, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (lfd >= 0 && flock(lfd, LOCK_EX) == 0 && ftruncate(lfd, 0) == 0)
		dprintf(lfd, "%d\n", (int)getpid()); /* who holds it */
	int res = ptrace(PTRACE_SEIZE, prog, NULL, (void *)(long)OPTIONS) == 0
		      ? 0
		      : errno;
	if (write(up, &res, sizeof res) != sizeof res || res)
		_exit(125);
	/* the filter's outcome: 'F' installed; anything else, let go */
	if (read(down, &go, 1) != 1 || go != 'F') {
		int st;
		ptrace(PTRACE_INTERRUPT, prog, NULL, NULL);
		while (waitpid(prog, &st, __WALL) == prog && !WIFSTOPPED(st) &&
		       !WIFEXITED(st) && !WIFSIGNALED(st))
			;
		ptrace(PTRACE_DETACH, prog, NULL, NULL);
		_exit(0);
	}
	/* hold nothing of the program's: a pipe kept open here would keep
	 * its reader waiting for as long as the tracer lives */
	for (int fd = 3; fd < 1024; fd++)
		if (fd != lfd)
			close(fd);
	int null = open("/dev/null", O_RDWR);
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	if (null > 2)
		close(null);
	if (chdir("/") != 0)
		_exit(125);
	/* two descriptors per live process image (its log, its memory):
	 * as many as the hard limit allows (the program keeps its own) */
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	struct thread *root = tr_thread_add(prog, prog);
	struct ids ids;
	if (root && tr_read_ids(prog, &ids) == 0) {
		root->euid = ids.euid;
		root->egid = ids.egid;
	}
	if (root)
		root->img->record = false; /* this helper, until it execs */
	int st = tr_loop(prog);
	_exit(WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st));
}

/* Start the tracer and have it attach to this process; 0 or an errno. */
static int start_tracer(void)
{
	int up[2], down[2];
	pid_t me = getpid(), tracer = -1;
	int res = EPIPE;

	if (pipe2(up, O_CLOEXEC) != 0 || pipe2(down, O_CLOEXEC) != 0)
		return errno;
	pid_t mid = fork();
	if (mid < 0)
		return errno;
	if (mid == 0) {
		pid_t t = fork();
		if (t == 0)
			tracer_main(me, up[1], down[0]);
		_exit(write(up[1], &t, sizeof t) == sizeof t ? 0 : 1);
	}
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	close(up[1]);
	close(down[0]);
	if (read(up[0], &tracer, sizeof tracer) != sizeof tracer || tracer < 0)
		return EAGAIN;
	prctl(PR_SET_PTRACER, tracer, 0, 0, 0); /* EINVAL without Yama */
	if (write(down[1], "g", 1) != 1 ||
	    read(up[0], &res, sizeof res) != sizeof res)
		res = EPIPE;
	if (res == 0) {
		int err = tr_filter_install(tr_set.reads, false);
		if (write(down[1], err ? "N" : "F", 1) != 1 && !err)
			err = EPIPE;
		res = err ? -err : 0;
	}
	close(up[0]);
	close(down[1]);
	return res;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: unroot-ptrace [--reads] [--if-static] [--filter-only] "
		"[--argv0 NAME] "
		"[--] PROGRAM [ARG...]\n"
		"  records into $UNROOT_LOG (see schema/SCHEMA.md)\n"
		"  --if-static   trace only a static PROGRAM (or a script "
		"run by one);\n"
		"                exec any other as it is\n"
		"  --argv0 NAME  PROGRAM's argv[0] (default: PROGRAM)\n"
		"  --filter-only install the filter, no tracer (a floor for "
		"the benchmark:\n"
		"                a call it stops fails with ENOSYS)\n");
	exit(125);
}

struct args {
	bool reads, if_static, filter_only;
	const char *argv0;
};

/* The options; the index of PROGRAM. */
static int parse(int argc, char **argv, struct args *a)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--"))
			return i + 1;
		if (!strcmp(argv[i], "--reads"))
			a->reads = true;
		else if (!strcmp(argv[i], "--if-static"))
			a->if_static = true;
		else if (!strcmp(argv[i], "--filter-only"))
			a->filter_only = true;
		else if (!strcmp(argv[i], "--argv0") && i + 1 < argc)
			a->argv0 = argv[++i];
		else
			usage();
	}
	return i;
}

int main(int argc, char **argv)
{
	struct args a = {0};
	char found[PATH_MAX];
	int i = parse(argc, argv, &a);

	if (i >= argc)
		usage();
	argv += i;
	const char *file = argv[0];
	if (a.argv0)
		argv[0] = (char *)a.argv0;
	const char *path = find_program(file, found, sizeof found);
	if (a.filter_only) {
		int e = tr_filter_install(a.reads, true);

		if (e) {
			fprintf(stderr,
				"unroot-ptrace: cannot install the seccomp "
				"filter: %s\n",
				strerror(e));
			return 126;
		}
		execvp(file, argv);
		e = errno;
		fprintf(stderr, "unroot-ptrace: %s: %s\n", file, strerror(e));
		return e == ENOENT ? 127 : 126;
	}
	if (!read_settings(a.reads))
		run_untraced(file, path, argv, NULL, 0);
	if (a.if_static && !ur_program_static(path))
		run_untraced(file, path, argv, NULL, 0);
	run_shim(file, path, argv, a.reads);
	const char *why = yama_forbids();
	if (why)
		run_untraced(file, path, argv, why, 0);
	int res = start_tracer();
	if (res > 0)
		run_untraced(file, path, argv, "cannot attach the tracer", res);
	if (res < 0)
		run_untraced(file, path, argv,
			     "cannot install the seccomp filter", -res);
	execvp(file, argv);
	int e = errno;
	fprintf(stderr, "unroot-ptrace: %s: %s\n", file, strerror(e));
	return e == ENOENT ? 127 : 126;
}
