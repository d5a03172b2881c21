/*
 * report.h - what a trace shows: for a person (the text report: denials,
 * the tree of written paths, warnings) or for a program (one JSON object
 * per event).  `unroot report` prints either; `unroot docker` prints the
 * text report after the container's run.
 */
#ifndef UNROOT_REPORT_H
#define UNROOT_REPORT_H

#include <stdio.h>

#include "format.h"
#include "trace.h"

/* A row of report_formats(): print the report of t on out; 0, or the
 * nonzero value that stopped the events. */
struct report_format {
	const char *name;
	int (*print)(struct trace *t, FILE *out);
};

/* "text" (row 0, the default) and "json". */
const struct format_table *report_formats(void);

int report_print(struct trace *t, FILE *out);

/* One line naming the programs the fallback tracer (unroot-ptrace) saw,
 * after indent; nothing when it saw none.  `unroot harden` prints it per
 * run. */
void report_print_tracers(FILE *out, const char *indent, const struct trace *t);
/* The calls only privilege allows that the workload was refused (chroot,
 * set*id: "priv" records), a line each after indent, the first max of
 * them (and how many more).  The text report and `unroot run`'s summary
 * print them. */
void report_print_privs(FILE *out, const char *indent, const struct trace *t,
			size_t max);
int report_print_json(struct trace *t, FILE *out);

#endif
