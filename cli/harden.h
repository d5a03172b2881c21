/*
 * harden.h - what `unroot harden` reuses from other commands: the stage
 * user and plan rendering of `unroot apply` (cmd_apply.c) and the docker
 * run argument parser of `unroot docker` (cmd_docker.c).  Kept here so
 * that neither command's own interface changes.
 */
#ifndef UNROOT_HARDEN_H
#define UNROOT_HARDEN_H

#include "plan.h"
#include "util.h"

/* cmd_apply.c: plan for the stage's own non-root USER, if it has one
 * (*keep is an allocated name to free once o is no longer used). */
void adopt_stage_user(struct plan_options *o, const char *user, char **keep);
/* cmd_apply.c: the plan's Dockerfile block (and no-shell stage); 0, or -1
 * after a message. */
int render_block(const struct plan *pl, char escape, struct strbuf *block,
		 struct strbuf *stage);

/* cmd_docker.c: the index in run[] of the first operand of docker run
 * arguments (IMAGE, or CMD when the image is left out), nrun when there is
 * none; -1 after a message (an option without its value, -d). */
int docker_run_operand(char **run, int nrun);

#endif
