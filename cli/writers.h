/*
 * writers.h - the catalogue of programs known to write at run time (caches,
 * pid files, logs) and the switch each offers to write elsewhere.  The
 * catalogue is data (cli/data/writers.json, installed as
 * share/unroot/writers.json) so that it grows without recompiling; this
 * module only loads it and matches paths against it.  Where each entry's
 * knowledge comes from: docs/catalogue.md.
 */
#ifndef UNROOT_WRITERS_H
#define UNROOT_WRITERS_H

#include <stdbool.h>
#include <stddef.h>

#include "glob.h"

struct writer {
	char *id;      /* "matplotlib" */
	char *program; /* what a person calls it: "matplotlib" */
	char **paths;  /* patterns, NULL-terminated: "~/.cache/matplotlib" */
	char **exes;   /* when non-empty, only these program basenames */
	char **libs;   /* native modules (basename globs) whose frame in a
			  write's stack says the write is this writer's */
	char **python; /* Python packages whose frame at a write's call
			  site says so */
	char *env;     /* redirect variable, or NULL */
	char *dir;     /* recommended directory for env ("{user}" expands) */
	char *value;   /* a fixed value for env when it is not a directory;
			  with dir, a file in it: "{dir}/.coverage" */
	char *option;  /* the program's own option, as text, or NULL */
	char *build;   /* a build-time command that avoids the write, or NULL */
	char *note;    /* one line of advice, or NULL */
	bool code;     /* the written path is code: never grant it */
};

struct writers {
	struct writer *v;
	size_t n;
	char *source; /* the file it was read from */
};

/*
 * Load the catalogue: $UNROOT_DATADIR/writers.json, else
 * ../share/unroot/writers.json beside the real path of the executable,
 * else the source tree's cli/data.  Returns NULL with *why (allocated,
 * caller frees) when none can be read.
 */
struct writers *writers_load(char **why);
/* Load one file; NULL with *why (allocated) on error. */
struct writers *writers_load_file(const char *file, char **why);
void writers_free(struct writers *w);

/*
 * The first entry whose pattern matches path or one of its ancestors.
 * path is absolute, or starts with "~/" for a path under HOME.  exe is the
 * basename of the writing program ("" when unknown), or the names it goes
 * by joined with '/' (its executable's, the name it was run as).
 */
const struct writer *writers_match(const struct writers *w, const char *path,
				   const char *exe);

/* The catalogue's patterns and exes are globs of glob.h; this name is
 * the planner's, kept until it calls glob_match() itself. */
static inline bool writers_glob(const char *pattern, const char *s)
{
	return glob_match(pattern, s);
}

/* Whether one of names (basenames joined by '/') matches the exes glob
 * pat.  A name "lib:MODULE" is a native module of the call's stack, which
 * only writers_module_named() matches, against a libs glob. */
bool writers_names_match(const char *pat, const char *names);
bool writers_module_named(const char *pat, const char *names);

#endif
