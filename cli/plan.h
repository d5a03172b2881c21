/*
 * plan.h - planning from traces on disk: everything a trace holds goes to
 * the planner (planner.h) with the known-writers catalogue, and the plan
 * comes back; the plan options every planning command shares (--user,
 * --uid, --gid, --openshift, --no-shell, --read-only, --format) are
 * parsed here.  `unroot plan`, `unroot apply`, `unroot docker`, `unroot
 * check` and `unroot harden` plan through this file.
 */
#ifndef UNROOT_PLAN_H
#define UNROOT_PLAN_H

#include "planner.h"
#include "render.h"
#include "trace.h"

/* Parse the shared plan options at argv[*i]; returns 1 when consumed
 * (advancing *i), 0 when not a plan option, -1 on a usage error (printed). */
int plan_parse_option(struct plan_options *o, enum plan_format *f, int argc,
		      char **argv, int *i);
/* Read trace directories and plan; NULL with a message printed. */
struct plan *plan_load(char *const *dirs, int ndirs, struct plan_options *o);
/* The same for a trace already open: everything it holds goes to a planner
 * (the catalogue is loaded when o->writers is NULL). */
struct plan *plan_trace(struct trace *t, struct plan_options *o);

#endif
