/*
 * tracedir.h - what `unroot run` and `unroot docker` share about making a
 * trace: its options, its directory and its trace.json (see tracedir.c).
 */
#ifndef UNROOT_TRACEDIR_H
#define UNROOT_TRACEDIR_H

#include <jansson.h>
#include <stdbool.h>

/* The options of a traced run: -o DIR, --reads, --no-stacks, --argv. */
struct trace_options {
	const char *dir;
	bool reads, nostacks, argv;
};

/*
 * If argv[*i] is a trace option, take it (and its value, advancing *i) and
 * return 1; return 0 when it is not one, -1 after a message when its value
 * is missing.
 */
int trace_option(int argc, char **argv, int *i, struct trace_options *o);
/* The UNROOT_FLAGS value for these options (allocated). */
char *trace_flags(const struct trace_options *o);
/* A trace.json object with the fields both runners write (SCHEMA.md). */
json_t *trace_meta_new(const struct trace_options *o, json_t *command,
		       long long started, long long ended, int status,
		       const char *runner);
/* Write it as DIR/trace.json (a warning when it cannot be written). */
void trace_meta_write(const char *dir, json_t *meta);

/* Make DIR ready for a new trace (a previous trace there is replaced, any
 * other non-empty directory refused); 0, or -1 with *why (allocated). */
int trace_dir_prepare(const char *dir, char **why);
long long now_ns(void); /* CLOCK_REALTIME in ns, as trace timestamps */

#endif
