/*
 * tracedir.c - what `unroot run` and `unroot docker` share about making a
 * trace: the options (-o, --reads, --no-stacks, --argv) and the
 * UNROOT_FLAGS they become, the directory (a previous trace there is
 * replaced, any other non-empty directory is refused, and log/ is made
 * world-writable and sticky whatever the umask), and the end of a run:
 * trace.json written (schema/SCHEMA.md) and the small logs packed
 * (tracepack.c), the one place every trace the CLI makes passes.
 *
 * Replacing a previous trace never makes the user wait for its deletion
 * (a trace of many processes holds tens of thousands of files): its log/
 * and trace.json are renamed into a hidden directory beside them,
 * DIR/.unroot-old.XXXXXX, which a detached, lowest-priority rm -rf
 * deletes when the command has nothing left to do (trace_dir_discard_old:
 * not while the workload runs nor while the end-of-run summary is read,
 * since freeing a large trace's pages takes the processors and the memory
 * the user is waiting on, and the runs the benchmark compares would differ
 * by it).  Such a directory left behind (the run or the deleting process was
 * killed) is ignored when DIR is checked and deleted after the next run.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "schema.h"
#include "tracedir.h"
#include "tracepack.h"
#include "util.h"

#define ASIDE_PREFIX ".unroot-old."

static bool is_aside(const char *name)
{
	return !strncmp(name, ASIDE_PREFIX, strlen(ASIDE_PREFIX));
}

/* Empty but for previous traces set aside (*asides: there are some). */
static bool dir_is_empty(const char *path, bool *asides)
{
	DIR *d = opendir(path);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (is_aside(de->d_name))
			*asides = true;
		else if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

/* The message for a failed step on path, with errno (allocated). */
static char *failed(const char *what, const char *path)
{
	return xasprintf("%s %s: %s", what, path, strerror(errno));
}

/* The traces set aside in dir, as the arguments of rm -rf (allocated;
 * NULL when there are none). */
static char **aside_argv(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 3;
	char **argv = xmalloc((n + 1) * sizeof *argv);

	argv[0] = xstrdup("rm");
	argv[1] = xstrdup("-rf");
	argv[2] = xstrdup("--");
	while (d && (de = readdir(d)))
		if (is_aside(de->d_name)) {
			argv = xrealloc(argv, (n + 2) * sizeof *argv);
			argv[n++] = xasprintf("%s/%s", dir, de->d_name);
		}
	argv[n] = NULL;
	if (d)
		closedir(d);
	if (n > 3)
		return argv;
	for (size_t i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
	return NULL;
}

/* What the child of spawn_detached runs: rm's arguments, the caller's
 * signal mask. */
struct detached {
	char *const *argv;
	sigset_t mask;
};

/*
 * The child of spawn_detached until its exec: on its own stack but the
 * caller's memory, system calls only, and it never returns.  Its priority
 * is lowered here, before it first runs on its own: a child that starts
 * at the caller's priority and is lowered by the caller after the exec
 * (all posix_spawn allows) kept the processor the caller woke up to use,
 * for 1-4 ms after a large trace's summary.
 */
static int detached_child(void *arg)
{
	static char *const no_env[] = {NULL};
	const struct detached *d = arg;
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	int fd;

	/* none of the caller's handlers may run on its memory */
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction cur;

		if (!sigaction(sig, NULL, &cur) && cur.sa_handler != SIG_DFL &&
		    cur.sa_handler != SIG_IGN)
			(void)sigaction(sig, &dfl, NULL);
	}
	(void)setsid();
	(void)setpriority(PRIO_PROCESS, 0, 19);
	fd = open("/dev/null", O_RDWR);
	for (int i = 0; fd >= 0 && i < 3; i++)
		if (fd != i)
			(void)dup2(fd, i);
	if (close_range(3, ~0U, 0))
		for (int i = 3; i < 1024; i++)
			(void)close(i);
	(void)sigprocmask(SIG_SETMASK, &d->mask, NULL);
	execve("/bin/rm", d->argv, no_env);
	_exit(127);
}

/*
 * Run argv (rm -rf) in a session of its own (a ^C meant for the workload
 * does not stop it), at the lowest priority from its first instruction,
 * with none of the caller's descriptors (nobody waits for its output) and
 * none of its environment (`unroot run` has put the preload's variables
 * there for the workload: rm would be traced into the new trace), never
 * waited for.  The child shares the caller's memory, which waits, as
 * posix_spawn's does: the caller pays for no copy of it, only until rm's
 * image replaces the child's.  Signals stay blocked until the child has
 * none of the caller's handlers.  A failure loses nothing: the next run
 * deletes what is left.
 */
static void spawn_detached(char *const argv[])
{
	enum { STACK = 64 * 1024 };
	struct detached d = {argv, {{0}}};
	sigset_t all;
	char *stack = malloc(STACK);

	if (!stack)
		return;
	sigfillset(&all);
	if (!sigprocmask(SIG_SETMASK, &all, &d.mask)) {
		(void)clone(detached_child, stack + STACK,
			    CLONE_VM | CLONE_VFORK | SIGCHLD, &d);
		(void)sigprocmask(SIG_SETMASK, &d.mask, NULL);
	}
	free(stack);
}

void trace_dir_discard_old(const char *dir)
{
	char **argv = aside_argv(dir);

	if (argv)
		spawn_detached(argv);
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* Move log and meta (a previous trace) into DIR/.unroot-old.XXXXXX. */
static int set_aside(const char *dir, const char *meta, const char *log,
		     char **why)
{
	char *aside = xasprintf("%s/" ASIDE_PREFIX "XXXXXX", dir);
	char *to = NULL;
	int rc = -1;

	if (!mkdtemp(aside)) {
		*why = failed("cannot set the old trace aside in", dir);
		goto out;
	}
	to = xasprintf("%s/" UNROOT_TRACE_LOGDIR, aside);
	if (rename(log, to) && errno != ENOENT) {
		*why = failed("cannot move the old trace aside:", log);
		goto out;
	}
	free(to);
	to = xasprintf("%s/" UNROOT_TRACE_META, aside);
	if (rename(meta, to)) {
		*why = failed("cannot move the old trace aside:", meta);
		goto out;
	}
	rc = 0;
out:
	free(to);
	free(aside);
	return rc;
}

/* A previous trace is set aside, deleted after the run (the top of this
 * file); a directory that holds anything else is refused. */
static int clear_old_trace(const char *dir, const char *meta, const char *log,
			   char **why)
{
	bool asides = false;
	struct stat st;

	if (lstat(meta, &st) == 0 && S_ISREG(st.st_mode))
		return set_aside(dir, meta, log, why);
	if (!dir_is_empty(dir, &asides)) {
		*why = xasprintf("%s is not empty and is not an unroot trace; "
				 "refusing to use it (choose another with -o)",
				 dir);
		return -1;
	}
	return 0;
}

int trace_dir_prepare(const char *dir, char **why)
{
	char *meta = xasprintf("%s/" UNROOT_TRACE_META, dir);
	char *log = xasprintf("%s/" UNROOT_TRACE_LOGDIR, dir);
	struct stat st;
	int rc = -1;

	*why = NULL;
	if (lstat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			*why = xasprintf("%s exists and is not a directory; "
					 "choose another with -o",
					 dir);
		else if (clear_old_trace(dir, meta, log, why))
			goto out;
	} else if (errno != ENOENT) {
		*why = failed("cannot use", dir);
	} else if (mkdir(dir, 0755)) {
		*why = failed("cannot create", dir);
	}
	if (*why)
		goto out;
	if (mkdir(log, 0777) && errno != EEXIST)
		*why = failed("cannot create", log);
	/* world-writable and sticky, whatever the umask (SCHEMA.md) */
	else if (chmod(log, 01777))
		*why = failed("cannot chmod", log);
	else
		rc = 0;
out:
	free(meta);
	free(log);
	return rc;
}

long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

char *trace_flags(const struct trace_options *o)
{
	const char *words[3];
	int n = 0;

	if (o->reads)
		words[n++] = UNROOT_FLAG_READS;
	if (o->nostacks)
		words[n++] = UNROOT_FLAG_NOSTACKS;
	if (o->argv)
		words[n++] = UNROOT_FLAG_ARGV;
	return xasprintf("%s%s%s%s%s", n > 0 ? words[0] : "", n > 1 ? "," : "",
			 n > 1 ? words[1] : "", n > 2 ? "," : "",
			 n > 2 ? words[2] : "");
}

json_t *trace_meta_new(const struct trace_options *o, json_t *command,
		       long long started, long long ended, int status,
		       const char *runner)
{
	json_t *m = json_object(), *opts = json_object();

	json_object_set_new(m, K_META_UNROOT,
			    json_integer(UNROOT_SCHEMA_VERSION));
	json_object_set_new(m, K_META_COMMAND, command);
	json_object_set_new(m, K_META_STARTED, json_integer(started));
	json_object_set_new(m, K_META_ENDED, json_integer(ended));
	json_object_set_new(m, K_META_EXIT, json_integer(status));
	json_object_set_new(opts, K_META_OPT_READS, json_boolean(o->reads));
	json_object_set_new(opts, K_META_OPT_STACKS,
			    json_boolean(!o->nostacks));
	json_object_set_new(opts, K_META_OPT_ARGV, json_boolean(o->argv));
	json_object_set_new(m, K_META_OPTIONS, opts);
	json_object_set_new(m, K_META_RUNNER, json_string(runner));
	return m;
}

void trace_dir_note_untraced(const char *dir, int pid, long long ts,
			     const char *path, const char *why)
{
	char *file = xasprintf("%s/" UNROOT_TRACE_LOGDIR "/%d-untraced%s", dir,
			       pid, UNROOT_LOG_SUFFIX);
	json_t *o = json_object();
	char *line;
	int fd;
	bool ok;

	json_object_set_new(o, K_T, json_string(REC_UNTRACED));
	json_object_set_new(o, K_PID, json_integer(pid));
	json_object_set_new(o, K_TS, json_integer(ts));
	json_object_set_new(o, K_PATH, json_path(path));
	json_object_set_new(o, K_WHY, json_string(why));
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ok = fd >= 0 && line && write_all(fd, line, strlen(line)) &&
	     write_all(fd, "\n", 1);
	if (fd >= 0)
		ok = !close(fd) && ok;
	if (!ok)
		warning("cannot write %s: %s", file, strerror(errno));
	free(line);
	free(file);
}

void trace_dir_finish(const char *dir, json_t *meta)
{
	char *path = xasprintf("%s/" UNROOT_TRACE_META, dir);
	char *log = xasprintf("%s/" UNROOT_TRACE_LOGDIR, dir);
	char *why = NULL;

	if (json_dump_file(meta, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
		warning("cannot write %s", path);
	json_decref(meta);
	if (trace_dir_pack(log, &why) < 0) {
		warning("the trace's logs are left unpacked: %s", why);
		free(why);
	}
	free(log);
	free(path);
}
