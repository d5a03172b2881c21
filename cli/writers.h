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
	char *fallback; /* where the program goes on when refused its path
			   (what it asks there first is a probe), or NULL */
	bool code;	/* the written path is code: never grant it */
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
 * writing program's key (below: its names, and a module of its stack).
 */
const struct writer *writers_match(const struct writers *w, const char *path,
				   const char *exe);

/* The topmost of path and its ancestors that a pattern of w matches (the
 * writer's own directory: /var/cache/fontconfig for a cache file in it),
 * allocated, or NULL when none does. */
char *writers_entry_root(const struct writer *w, const char *path);

/* The catalogue's patterns and exes are globs of glob.h; this name is
 * the planner's, kept until it calls glob_match() itself. */
static inline bool writers_glob(const char *pattern, const char *s)
{
	return glob_match(pattern, s);
}

/*
 * A program, as the catalogue matches it, is a key "NAMES[//MODULE]":
 * NAMES, the basenames it goes by joined by '/' (its executable's, the
 * name it was run as; "" when unknown), and MODULE, the basename of a
 * native module of the call's stack that an entry's libs name (the
 * program embeds that entry's program).  A basename holds no '/', so the
 * key is never ambiguous.
 *
 * writers_names_match: one of NAMES matches the exes glob pat ("" when
 * none is known).  writers_module_named: MODULE matches the libs glob
 * pat.  writers_allows: w may match the program: it has no exes, or one
 * of its exes names the program, or one of its libs names MODULE.
 */
bool writers_names_match(const char *pat, const char *key);
bool writers_module_named(const char *pat, const char *key);
bool writers_allows(const struct writer *w, const char *key);

#endif
