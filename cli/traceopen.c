/*
 * traceopen.c - opening the traces a command was given (traceopen.h):
 * every reader diagnostic printed as "FILE:LINE: message" with the bytes
 * of the trace escaped, and a trace in which no process recorded anything
 * refused with a message naming the directory.
 */
#include <stdlib.h>

#include "traceopen.h"
#include "util.h"

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
	const char *why = NULL;
	struct trace *t = trace_open(dirs, ndirs, &why);
	char *shown = path_escape(dirs[0]);

	if (!t) {
		errmsg("no trace could be read in %s%s: %s", shown,
		       ndirs > 1 ? " ..." : "", why ? why : "unknown error");
		free(shown);
		return NULL;
	}
	for (size_t i = 0; !(flags & TRACES_QUIET) && i < trace_ndiags(t); i++)
		warn_diag(trace_diag_at(t, i));
	if (!trace_nprocs(t) && !trace_nevents(t)) {
		errmsg("no trace could be read in %s%s: no process recorded "
		       "anything",
		       shown, ndirs > 1 ? " ..." : "");
		trace_close(t);
		t = NULL;
	}
	free(shown);
	return t;
}
