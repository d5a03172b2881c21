/*
 * tracedir.c - making a directory ready to receive a trace, shared by
 * `unroot run` and `unroot docker`: a previous trace there is replaced, any
 * other non-empty directory is refused, and log/ is made world-writable
 * and sticky whatever the umask (schema/SCHEMA.md).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "schema.h"
#include "tracedir.h"
#include "util.h"

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) && errno != ENOENT) {
		warning_errno("cannot remove %s", path);
		return 1;
	}
	return 0;
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return false;
	while (empty && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

/* Make DIR ready for a new trace, or die. */
void trace_dir_prepare(const char *dir)
{
	char *meta = xasprintf("%s/" UNROOT_TRACE_META, dir);
	char *log = xasprintf("%s/" UNROOT_TRACE_LOGDIR, dir);
	struct stat st;

	if (lstat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			die("%s exists and is not a directory; choose another "
			    "with -o",
			    dir);
		if (lstat(meta, &st) == 0 && S_ISREG(st.st_mode)) {
			/* a previous trace: replace its log and metadata */
			if (nftw(log, rm_entry, 16, FTW_DEPTH | FTW_PHYS) &&
			    errno != ENOENT)
				die_errno("cannot remove the old trace in %s",
					  log);
			if (unlink(meta))
				die_errno("cannot remove %s", meta);
		} else if (!dir_is_empty(dir)) {
			die("%s is not empty and is not an unroot trace; "
			    "refusing to use it (choose another with -o)",
			    dir);
		}
	} else if (errno != ENOENT) {
		die_errno("cannot use %s", dir);
	} else if (mkdir(dir, 0755)) {
		die_errno("cannot create %s", dir);
	}
	if (mkdir(log, 0777) && errno != EEXIST)
		die_errno("cannot create %s", log);
	/* world-writable and sticky, whatever the umask (SCHEMA.md) */
	if (chmod(log, 01777))
		die_errno("cannot chmod %s", log);
	free(meta);
	free(log);
}

long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
