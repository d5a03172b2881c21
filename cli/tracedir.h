/*
 * tracedir.h - what `unroot run` and `unroot docker` share about making a
 * trace: its options, its directory, its trace.json and its packing when
 * the run is over (see tracedir.c).
 */
#ifndef UNROOT_TRACEDIR_H
#define UNROOT_TRACEDIR_H

#include <jansson.h>
#include <stdbool.h>

#include "opt.h"
#include "util.h"

/* The options of a traced run: -o DIR, --reads, --no-stacks, --argv. */
struct trace_options {
	const char *dir;
	bool reads, nostacks, argv;
};

/* The trace options, for a command's option table (opt.h): t is a
 * struct trace_options *. */
#define OPT_TRACE(t)                                                     \
	OPT_STRING('o', "output", &(t)->dir, "DIR",                      \
		   "trace directory (default " DEFAULT_TRACE_DIR ")"),   \
	    OPT_FLAG(0, "reads", &(t)->reads,                            \
		     "also record the files read (denials always are)"), \
	    OPT_FLAG(0, "no-stacks", &(t)->nostacks,                     \
		     "do not record native call stacks"),                \
	    OPT_FLAG(0, "argv", &(t)->argv,                              \
		     "record whole command lines (may hold secrets)")
/* The UNROOT_FLAGS value for these options (allocated). */
char *trace_flags(const struct trace_options *o);
/* A trace.json object with the fields both runners write (SCHEMA.md). */
json_t *trace_meta_new(const struct trace_options *o, json_t *command,
		       long long started, long long ended, int status,
		       const char *runner);
/*
 * The run is over: write meta as DIR/trace.json (a warning when it cannot
 * be written) and pack the small logs of DIR/log (tracepack.h; a warning
 * when that fails, the logs then stay as they were).  Every trace the CLI
 * makes ends here, before anything reads it.
 */
void trace_dir_finish(const char *dir, json_t *meta);
/* The "untraced" record (SCHEMA.md) of a program the workload starts that
 * neither the preload nor the fallback tracer follows (`unroot run`'s
 * first program), in a log file of its own in DIR/log, so that every
 * command reading the trace warns that its writes are missing; a warning
 * when it cannot be written. */
void trace_dir_note_untraced(const char *dir, int pid, long long ts,
			     const char *path, const char *why);
/* Delete the previous traces trace_dir_prepare set aside in DIR, in a
 * detached process never waited for; the command's last step, after all
 * it prints (one left behind is deleted after the next run). */
void trace_dir_discard_old(const char *dir);

/* Make DIR ready for a new trace (a previous trace there is replaced, any
 * other non-empty directory refused); 0, or -1 with *why (allocated). */
int trace_dir_prepare(const char *dir, char **why);
long long now_ns(void); /* CLOCK_REALTIME in ns, as trace timestamps */

#endif
