/*
 * warnings.h - everything that makes a trace incomplete, computed in one
 * place for every command that shows it: `unroot report` prints it under
 * "Warnings:", `unroot run` at the end of its summary, with the same
 * words, so that the two never disagree about the same trace.
 *
 * What counts: programs that were not traced, processes started but never
 * reported in, records lost, reader diagnostics, a workload that ended by
 * a signal (it did not finish: what it would still have done is missing),
 * a workload that exited normally although its first process left no
 * end record (records were lost), and the changes of a container's layer
 * that no event explains (layerdiff.h), or why they could not be read.
 * A workload that lost nothing gets no warning.  Once, not as a warning:
 * the volumes, binds and tmpfs mounts a layer's changes cannot show.
 *
 * Use: warnings_new() after trace_open(), warnings_event() for every event
 * of one pass (it keeps only execs and spawns), then warnings_print().
 */
#ifndef UNROOT_WARNINGS_H
#define UNROOT_WARNINGS_H

#include <stdio.h>

#include "trace.h"

struct warnings;

struct warnings *warnings_new(const struct trace *t);
void warnings_event(struct warnings *w, const struct trace_event *ev);
/* Print one line per warning on out, each indented by two spaces, "  none"
 * when there is none; returns the number of warnings. */
size_t warnings_print(struct warnings *w, FILE *out);
void warnings_free(struct warnings *w);

#endif
