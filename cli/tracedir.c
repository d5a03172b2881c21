/*
 * tracedir.c - what `unroot run` and `unroot docker` share about making a
 * trace: the options (-o, --reads, --no-stacks, --argv) and the
 * UNROOT_FLAGS they become, the directory (a previous trace there is
 * replaced, any other non-empty directory is refused, and log/ is made
 * world-writable and sticky whatever the umask), and trace.json
 * (schema/SCHEMA.md).
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

/* The message for a failed step on path, with errno (allocated). */
static char *failed(const char *what, const char *path)
{
	return xasprintf("%s %s: %s", what, path, strerror(errno));
}

static int clear_old_trace(const char *dir, const char *meta, const char *log,
			   char **why)
{
	struct stat st;

	if (lstat(meta, &st) == 0 && S_ISREG(st.st_mode)) {
		/* a previous trace: replace its log and metadata */
		if (nftw(log, rm_entry, 16, FTW_DEPTH | FTW_PHYS) &&
		    errno != ENOENT) {
			*why = failed("cannot remove the old trace in", log);
			return -1;
		}
		if (unlink(meta)) {
			*why = failed("cannot remove", meta);
			return -1;
		}
	} else if (!dir_is_empty(dir)) {
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

void trace_meta_write(const char *dir, json_t *meta)
{
	char *path = xasprintf("%s/" UNROOT_TRACE_META, dir);

	if (json_dump_file(meta, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
		warning("cannot write %s", path);
	json_decref(meta);
	free(path);
}
