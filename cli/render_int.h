/*
 * render_int.h - what the plan's renderers share (render.c) and the two
 * functions each format defines (render_<format>.c), for the files of the
 * renderer only.  Everything here writes into a strbuf or a word list and
 * quotes every path through quote.h.
 */
#ifndef UNROOT_RENDER_INT_H
#define UNROOT_RENDER_INT_H

#include <stdbool.h>

#include "quote.h"
#include "render.h"

/* Each format: the whole plan, and one grant's or one redirect's line
 * (exactly one of g and r is given; NULL when the format has none). */
#define PLAN_FORMAT_DECLARE(e, name, render, line)                         \
	int render(const struct plan *pl, const struct render_options *ro, \
		   struct strbuf *sb, char **why);                         \
	char *line(const struct plan *pl, const struct grant *g,           \
		   const struct redirect *r);
PLAN_FORMATS(PLAN_FORMAT_DECLARE)
#undef PLAN_FORMAT_DECLARE

/* ---- commands: a list of shell command lines --------------------------- */

struct words {
	char **v;
	size_t n;
};

void words_add(struct words *w, char *s); /* takes s */
void words_free(struct words *w);
/* lead, then the words joined by sep (allocated). */
char *words_join(const char *lead, const struct words *w, const char *sep);

/* How paths are written: sh (with the $R prefix) or a Dockerfile line. */
struct quoting {
	bool sh;
	const char *prefix; /* "\"$R\"" for sh */
};

/* A path quoted as q says; NULL with *why (allocated) when it cannot be. */
char *quote_path(const struct quoting *q, const char *path, char **why);
/* The commands of one grant or one redirect's directory, added to cmds;
 * 0, or -1 with *why. */
int grant_commands(struct words *cmds, const struct plan *pl,
		   const struct grant *g, const struct quoting *q, char **why);
int redirect_commands(struct words *cmds, const struct plan *pl,
		      const struct redirect *r, const struct quoting *q,
		      char **why);

/* ---- text every format but json shares --------------------------------- */

void add_user_line(struct strbuf *sb, const struct plan *pl);
/* "prog op path -> ERR [frame] [python: site]", comment-safe */
void add_evidence(struct strbuf *sb, const struct evidence *ev);
void add_comment(struct strbuf *sb, const char *prefix, const char *text);
void add_grant_comment(struct strbuf *sb, const struct grant *g);
/* The plan's first comment lines: user, warnings, notes, refusals. */
void add_header(struct strbuf *sb, const struct plan *pl);
/* The comments for host bind mounts and tmpfs mounts. */
void add_mount_sections(struct strbuf *sb, const struct plan *pl);
/* The comments on the image's VOLUMEs whose files the workload uses: what
 * Docker (k8s false) or Kubernetes (k8s true, with the init step) does
 * with them. */
void add_image_volume_comments(struct strbuf *sb, const struct plan *pl,
			       bool k8s);

/* ---- YAML (k8s, pod, compose) ------------------------------------------ */

/* A YAML double-quoted scalar of s (a JSON string literal, which YAML
 * reads back as the same text); NULL with *why (allocated) when s is not
 * valid UTF-8.  what names the field in the message. */
char *yaml_str(const char *s, const char *what, char **why);
/* A comment line "<indent># <evidence>" for a YAML field. */
void add_yaml_evidence(struct strbuf *sb, const char *indent,
		       const struct evidence *ev);
/* The plan's port advice for a bound port below 1024 (plan_ports.c),
 * as comment lines under indent. */
void add_port_comments(struct strbuf *sb, const char *indent,
		       const struct plan *pl, bool docker);

#endif
