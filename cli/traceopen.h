/*
 * traceopen.h - the one way the commands open the trace directories they
 * were given.  A directory holds a trace when it has a log/ directory or
 * .jsonl files of its own; one that does not exist or holds neither, or a
 * trace in which no process recorded anything and no program ran
 * untraced, is an error naming the directory, which every command turns
 * into EXIT_NO_TRACE (exitcodes.h).
 * Reader diagnostics (damaged lines, unreadable files) are printed the
 * same way for every command.
 */
#ifndef UNROOT_TRACEOPEN_H
#define UNROOT_TRACEOPEN_H

#include "trace.h"

enum traces_open_flags {
	/* the caller shows the reader's diagnostics itself (the report
	 * lists them in its warnings) */
	TRACES_QUIET = 1,
	/* a trace in which no process recorded anything is read, not
	 * refused (`unroot run` says why in its summary) */
	TRACES_EMPTY_OK = 2,
};

/* Open dirs[0..ndirs) as one trace; NULL after a message naming the
 * directory that holds no trace.  Diagnostics become warnings on stderr
 * unless flags has TRACES_QUIET. */
struct trace *traces_open(char *const *dirs, int ndirs, unsigned flags);

/* The same without printing anything: NULL with *why (allocated). */
struct trace *traces_load(char *const *dirs, int ndirs, unsigned flags,
			  char **why);

#endif
