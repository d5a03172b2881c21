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

/* The paths a VOLUME instruction declares (JSON array or words), as a
 * NULL-terminated list (free with strv_free); a word that uses a variable
 * ($X) cannot be known here and is left out. */
char **dockerfile_volume_paths(const struct dockerfile *df,
			       const struct df_instr *in);
void strv_free(char **v);

/* A block to put right before instruction ins[before] (a VOLUME line:
 * Docker keeps no change made to a volume's path after it). */
struct df_block {
	size_t before;
	const char *text; /* whole lines ending in '\n' */
};

/*
 * Write df with block inserted into the final stage after its last
 * root-only step and before CMD/ENTRYPOINT (switching to USER root around
 * it when the stage runs as another user), each of early (n of them, may
 * be none) right before its instruction, marked and switched to root the
 * same way, and stage (may be NULL) before the final FROM.  block and
 * stage are whole lines ending in '\n'.
 */
void dockerfile_insert_blocks(const struct dockerfile *df, const char *block,
			      const char *stage, const struct df_block *early,
			      size_t n, struct strbuf *out);
void dockerfile_insert(const struct dockerfile *df, const char *block,
		       const char *stage, struct strbuf *out);

#endif
