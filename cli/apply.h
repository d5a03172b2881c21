/*
 * apply.h - a Dockerfile with a plan inserted into its final stage:
 * `unroot apply` and `unroot harden` write hardened Dockerfiles through
 * here, so both insert exactly what `unroot plan` prints.
 */
#ifndef UNROOT_APPLY_H
#define UNROOT_APPLY_H

#include "dockerfile.h"
#include "plan.h"

/* Read and parse a Dockerfile; NULL with *why (allocated, naming the file)
 * when it cannot be read or has no FROM (nothing to insert into). */
struct dockerfile *apply_read(const char *file, char **why);

/* The final stage already runs as a non-root USER: plan for that user,
 * unless the options name one (*keep is an allocated name to free once o
 * is no longer used). */
void apply_stage_user(struct plan_options *o, const struct dockerfile *df,
		      char **keep);

/* df with the plan's block (and the no-shell stage) inserted, in out;
 * 0, or -1 with *why (allocated) when the plan cannot be rendered. */
int apply_insert(const struct dockerfile *df, const struct plan *pl,
		 struct strbuf *out, char **why);

#endif
