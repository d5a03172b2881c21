/*
 * traceopen.h - the one way a command opens the trace directories it was
 * given.  Reader diagnostics (damaged lines, unreadable files) are printed
 * the same way for every command, and a trace that holds nothing is an
 * error naming it, which every command turns into EXIT_NO_TRACE.
 */
#ifndef UNROOT_TRACEOPEN_H
#define UNROOT_TRACEOPEN_H

#include "trace.h"

enum traces_open_flags {
	/* the caller shows the reader's diagnostics itself (the report
	 * lists them in its warnings) */
	TRACES_QUIET = 1,
};

/*
 * Open dirs[0..ndirs) as one trace.  NULL after a message when no trace
 * could be read; reader diagnostics become warnings on stderr.
 */
struct trace *traces_open(char *const *dirs, int ndirs, unsigned flags);

#endif
