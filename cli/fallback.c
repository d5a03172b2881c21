/*
 * fallback.c - the fallback tracer for static programs (fallback.h): where
 * the helper is, and whether `unroot run`'s first program needs it or
 * runs untraced.  What is static, and what runs the loader in secure
 * mode, is decided by preload/elfkind.c (compiled into the CLI too).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "elfkind.h"
#include "fallback.h"
#include "schema.h"
#include "tracedir.h"
#include "util.h"

char *fallback_helper(const char *lib)
{
	char *dir = path_dirname(lib);
	char *helper = xasprintf("%s/" FALLBACK_HELPER, dir);

	free(dir);
	if (!access(helper, X_OK))
		return helper;
	free(helper);
	return NULL;
}

/* The file execvp would run for name (allocated), or NULL. */
static char *find_program(const char *name)
{
	const char *dirs = getenv("PATH");

	if (!*name)
		return NULL;
	if (strchr(name, '/'))
		return xstrdup(name);
	for (const char *d = dirs ? dirs : "/bin:/usr/bin";; d++) {
		const char *end = strchr(d, ':');
		int dl = end ? (int)(end - d) : (int)strlen(d);
		char *cand = xasprintf("%.*s/%s", dl, dl ? d : ".", name);

		if (!access(cand, X_OK))
			return cand;
		free(cand);
		if (!end)
			return NULL;
		d = end;
	}
}

/* file's absolute, normalised path (allocated): its real path, else
 * file itself */
static char *absolute(const char *file)
{
	char *real = realpath(file, NULL);

	return real ? real : xstrdup(file);
}

/* Why file will run without the preload when no helper runs it, or
 * NULL. */
static const char *untraced_why(const char *file, bool is_static)
{
	struct stat st;
	long euid = -1, egid = -1;

	if (is_static)
		return UNTRACED_STATIC;
	if (stat(file, &st) || !S_ISREG(st.st_mode))
		return NULL;
	const char *why = ur_secure_reason(file, &st, &euid, &egid);

	return why ? why : ur_ids_differ(NULL, NULL) ? UNTRACED_IDS : NULL;
}

char **fallback_run_argv(char *const cmd[], const char *lib, char **helper,
			 struct fallback_untraced *u)
{
	char *file = find_program(cmd[0]);
	bool is_static = file && ur_program_static(file);
	size_t n = 0;
	char **argv;

	*helper = is_static ? fallback_helper(lib) : NULL;
	u->why = file && !*helper ? untraced_why(file, is_static) : NULL;
	u->path = u->why ? absolute(file) : NULL;
	free(file);
	if (!*helper)
		return NULL;
	while (cmd[n])
		n++;
	argv = xcalloc(n + 3, sizeof *argv);
	argv[0] = *helper;
	argv[1] = "--";
	memcpy(argv + 2, cmd, n * sizeof *argv);
	return argv;
}

/* Take a shared lock on a tracer's lock file within the deadline (ns). */
static bool wait_one(int dfd, const char *name, long long deadline)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	bool done = true;

	if (fd < 0)
		return true;
	while (flock(fd, LOCK_SH | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK || now_ns() >= deadline) {
			done = errno != EWOULDBLOCK;
			break;
		}
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	close(fd);
	return done;
}

bool fallback_wait(const char *logdir, int timeout_ms)
{
	long long deadline = now_ns() + timeout_ms * 1000000LL;
	DIR *d = opendir(logdir);
	struct dirent *e;
	bool done = true;

	if (!d)
		return true;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, ".ptrace-", 8))
			done &= wait_one(dirfd(d), e->d_name, deadline);
	closedir(d);
	return done;
}
