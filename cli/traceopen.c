/*
 * traceopen.c - opening the traces a command was given (traceopen.h).
 * Every directory is checked before the reader sees it, so that a
 * directory that is not a trace (a typo, /etc, an empty directory) is
 * refused by name instead of reading as a trace of nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "traceopen.h"
#include "tracepack.h"
#include "util.h"

/* NULL when dir holds a trace, else why not (allocated). */
static char *not_a_trace(const char *dir)
{
	char *log = xasprintf("%s/" UNROOT_TRACE_LOGDIR, dir);
	struct stat st;
	struct dirent *de;
	bool found;
	DIR *d;

	found = !stat(log, &st) && S_ISDIR(st.st_mode);
	free(log);
	if (found)
		return NULL;
	d = opendir(dir);
	if (!d)
		return xstrdup(strerror(errno));
	while (!found && (de = readdir(d)))
		found = log_is_file_name(de->d_name) ||
			log_is_pack_name(de->d_name);
	closedir(d);
	return found ? NULL
		     : xstrdup("it holds no " UNROOT_TRACE_LOGDIR
			       "/ directory and no " UNROOT_LOG_SUFFIX " file");
}

/* "no trace in DIR: why", with DIR escaped (allocated). */
static char *no_trace(const char *dir, const char *why)
{
	char *shown = path_escape(dir);
	char *msg = xasprintf("no trace in %s: %s", shown, why);

	free(shown);
	return msg;
}

struct trace *traces_load(char *const *dirs, int ndirs, unsigned flags,
			  char **why)
{
	const char *reason = NULL;
	struct trace *t;
	char *bad;

	*why = NULL;
	for (int i = 0; i < ndirs; i++) {
		bad = not_a_trace(dirs[i]);
		if (bad) {
			*why = no_trace(dirs[i], bad);
			free(bad);
			return NULL;
		}
	}
	t = trace_open(dirs, ndirs, &reason);
	if (!t) {
		*why = no_trace(ndirs ? dirs[0] : "",
				reason ? reason : "unknown error");
		return NULL;
	}
	if (!(flags & TRACES_EMPTY_OK) && !trace_nprocs(t) &&
	    !trace_nevents(t) && !trace_nuntraced(t)) {
		*why = no_trace(dirs[0], ndirs > 1
					     ? "no process recorded anything "
					       "in any of the directories"
					     : "no process recorded anything");
		trace_close(t);
		return NULL;
	}
	return t;
}

static void warn_diag(const struct trace_diag *d)
{
	char *f = path_escape(d->file ? d->file : "trace");
	char *m = path_escape(d->message);

	if (d->line)
		warning("%s:%ld: %s", f, d->line, m);
	else
		warning("%s: %s", f, m);
	free(f);
	free(m);
}

struct trace *traces_open(char *const *dirs, int ndirs, unsigned flags)
{
	char *why = NULL;
	struct trace *t = traces_load(dirs, ndirs, flags, &why);

	if (!t) {
		errmsg("%s", why);
		free(why);
		return NULL;
	}
	for (size_t i = 0; !(flags & TRACES_QUIET) && i < trace_ndiags(t); i++)
		warn_diag(trace_diag_at(t, i));
	return t;
}
