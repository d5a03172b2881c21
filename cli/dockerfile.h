/*
 * dockerfile.h - reading a Dockerfile well enough to insert the plan into
 * it without disturbing anything else: instructions with their line
 * continuations (and the `# escape=` directive), comments, heredocs kept
 * verbatim, stages, and the block unroot itself inserted before (marked,
 * so that a second apply replaces it instead of adding another).
 */
#ifndef UNROOT_DOCKERFILE_H
#define UNROOT_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define DF_BEGIN \
	"# >>> unroot apply: begin (generated; re-run unroot apply to update)"
#define DF_END	       "# <<< unroot apply: end"
#define DF_STAGE_BEGIN "# >>> unroot apply: stage begin (generated)"
#define DF_STAGE_END   "# <<< unroot apply: stage end"

struct df_instr {
	char *keyword;	    /* upper case: "RUN" */
	char *args;	    /* the arguments of the first line, trimmed */
	size_t first, last; /* line indices, inclusive (heredoc bodies too) */
};

struct dockerfile {
	char **lines; /* without their newlines */
	size_t nlines;
	bool final_newline;
	char escape; /* '\\' or '`' */
	struct df_instr *ins;
	size_t nins;
	size_t final_from; /* index in ins of the last FROM, or nins */
};

/* Parse text; earlier unroot blocks are removed first. */
struct dockerfile *dockerfile_parse(const char *text, size_t len);
void dockerfile_free(struct dockerfile *df);

/* The USER in effect at the end of the final stage ("" = root). */
const char *dockerfile_final_user(const struct dockerfile *df);
bool dockerfile_user_is_root(const char *user);

/*
 * Write df with block inserted into the final stage after its last
 * root-only step and before CMD/ENTRYPOINT (switching to USER root around
 * it when the stage runs as another user), and stage (may be NULL) before
 * the final FROM.  block and stage are whole lines ending in '\n'.
 */
void dockerfile_insert(const struct dockerfile *df, const char *block,
		       const char *stage, struct strbuf *out);

#endif
