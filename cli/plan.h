/*
 * plan.h - planning from traces on disk: everything a trace holds goes to
 * the planner (planner.h) with the known-writers catalogue, and the plan
 * comes back; the plan options every planning command shares (--user,
 * --uid, --gid, --openshift, --no-shell, --read-only) are parsed
 * here.  `unroot plan`, `unroot apply`, `unroot docker`, `unroot
 * check` and `unroot harden` plan through this file.
 */
#ifndef UNROOT_PLAN_H
#define UNROOT_PLAN_H

#include "opt.h"
#include "planner.h"
#include "render.h"
#include "trace.h"

/* The plan options, for a command's option table (opt.h): po is a
 * struct plan_options *. */
#define OPT_PLAN(po)                                                         \
	OPT_CALL(0, "user", po, "NAME",                                      \
		 "plan for this user (default nonroot)", plan_opt_user),     \
	    OPT_CALL(0, "uid", po, "N", "its uid (default 1001)",            \
		     plan_opt_id),                                           \
	    OPT_CALL(0, "gid", po, "N", "its gid (default the uid)",         \
		     plan_opt_id),                                           \
	    OPT_FLAG(0, "openshift", &(po)->openshift,                       \
		     "group 0 owns the grants (chgrp 0, chmod g=u)"),        \
	    OPT_FLAG(0, "no-shell", &(po)->no_shell,                         \
		     "the image has no shell: new names come from a stage"), \
	    OPT_FLAG(0, "read-only", &(po)->read_only,                       \
		     "plan for a read-only root file system")
int plan_opt_user(const struct opt *o, const char *v);
int plan_opt_id(const struct opt *o, const char *v);
/* Read trace directories (traceopen.h) and plan; NULL after a message
 * when they hold no trace. */
struct plan *plan_load(char *const *dirs, int ndirs, struct plan_options *o);
/* plan_load, and what trace.json says of where the workload ran (the
 * image, its command and binds) in *d, for the pod format: free it with
 * plan_deploy_free. */
struct plan *plan_load_deploy(char *const *dirs, int ndirs,
			      struct plan_options *o, struct plan_deploy *d);
/* What trace.json says of where the workload ran, for a trace open. */
void plan_deploy_read(struct plan_deploy *d, const struct trace *t);
/* The same for a trace already open: everything it holds goes to a planner
 * (the catalogue is loaded when o->writers is NULL). */
struct plan *plan_trace(struct trace *t, struct plan_options *o);

#endif
