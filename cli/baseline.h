/*
 * baseline.h - the baseline of a workload: which path patterns it writes
 * and where it is denied, with the operations and programs seen, plus the
 * patterns and ignores people added by hand.  This module reads and writes
 * the reviewable JSON file (docs/baseline.md), collects the same thing
 * from a trace, and compares a trace against a baseline.  `unroot
 * baseline`, `unroot check` and `unroot diff` are thin commands over it.
 */
#ifndef UNROOT_BASELINE_H
#define UNROOT_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "glob.h"
#include "map.h"
#include "trace.h"
#include "util.h"

#define BASELINE_VERSION      1
#define DEFAULT_BASELINE_FILE "unroot-baseline.json"

/* A sorted set of short words (operations, program names). */
struct wordset {
	char **v;
	size_t n, cap;
};

/* The first event seen for an entry, kept to explain it to a person. */
struct first_seen {
	char *raw;     /* the raw path */
	char *op;      /* the operation word ("create", "open") */
	char *program; /* basename of the executable */
	char *frame;   /* first native frame outside libc/libunroot, or NULL */
	char *py_site; /* the Python library site (pysite.h), or NULL */
	char *errname; /* denials: the errno name */
	int pid;
};

struct bl_entry {
	char *path; /* the pattern */
	struct wordset ops, programs;
	struct first_seen first; /* all NULL when read from a file */
	long file_line;		 /* line in the baseline file, 0 if unknown */
	/* bit i: component i of the pattern was created exclusively in the
	 * trace (generalize.h); 0 when read from a file */
	unsigned long long created;
};

/* Entries with an index on path. */
struct bl_list {
	struct bl_entry *v;
	size_t n, cap;
	struct map index; /* path -> index + 1 */
};

struct baseline {
	char **patterns; /* globs: a matching path is recorded as the glob */
	size_t npatterns;
	char **ignore; /* globs: matching paths are not recorded at all */
	size_t nignore;
	struct bl_list writes, denials;
};

void baseline_init(struct baseline *b);
void baseline_free(struct baseline *b);

/* Add a word to a set (kept sorted, no duplicates). */
void wordset_add(struct wordset *s, const char *w);

/* The entry of a pattern, created when new.  */
struct bl_entry *bl_list_get(struct bl_list *l, const char *path);
struct bl_entry *bl_list_find(const struct bl_list *l, const char *path);
/* Whether a pattern is covered: an equal entry, a glob entry matching it,
 * or an entry whose "{rand}" stands for its random token (tempname.h). */
bool bl_list_covers(const struct bl_list *l, const char *path);
/* The same for one entry's pattern. */
bool bl_pattern_covers(const char *pattern, const char *path);
void bl_list_sort(struct bl_list *l);
/* Add src's ops, programs and creation bits to dst. */
void bl_entry_merge(struct bl_entry *dst, const struct bl_entry *src);
/* Give e a new pattern; when another entry has it already, e is merged
 * into that one and removed.  Returns the entry now holding path (entry
 * pointers into l are invalid afterwards). */
struct bl_entry *bl_list_rename(struct bl_list *l, struct bl_entry *e,
				const char *path);

/* ---- the file -------------------------------------------------------- */

enum baseline_file_kind {
	BASELINE_FILE_ABSENT,
	BASELINE_FILE_BASELINE,
	BASELINE_FILE_OTHER, /* exists and is not a baseline: never replaced
			       unless named explicitly */
};
enum baseline_file_kind baseline_file_kind(const char *file);

/* Read a baseline file; 0, or -1 with *err (allocated) naming the file and
 * line: "FILE:3: broken JSON at column 17: ..." */
int baseline_read(struct baseline *b, const char *file, char **err);

/* The JSON text: stable order, one entry per line. */
void baseline_format(struct baseline *b, struct strbuf *out);

/* Write atomically (temp file + rename); 0, or -1 with *err. */
int baseline_write(struct baseline *b, const char *file, char **err);

/* ---- collecting from a trace ----------------------------------------- */

/* Add every write and denial of a trace, generalised (with what the trace
 * shows about the names it made and removed) and filtered by the
 * baseline's own patterns and ignores.  Reads the trace's events twice. */
void baseline_collect(struct baseline *b, struct trace *t);

/* Copy src's hand-written patterns and ignores into dst. */
void baseline_copy_rules(struct baseline *dst, const struct baseline *src);

/* Add src's entries (ops and programs merged) to dst. */
void baseline_merge(struct baseline *dst, const struct baseline *src);

/* ---- several runs of one job, and widening (baseline_align.c) -------- */

/*
 * The baseline of several runs of the same job: each trace is collected
 * on its own (with dst's patterns and ignores), then their entries are
 * aligned and a component is generalised only where the runs differ in
 * it (docs/baseline.md, "Several runs").  The entries are added to dst.
 */
void baseline_collect_runs(struct baseline *dst, struct trace *const *traces,
			   size_t ntraces);
/* The same from baselines already collected, one per run. */
void baseline_align_runs(struct baseline *dst, const struct baseline *runs,
			 size_t nruns);

/*
 * `check --update`: add what was seen to accepted.  A seen entry that an
 * accepted one covers is merged into it; one that differs from an
 * accepted entry in one random token widens that entry ("job-{rand}")
 * instead of adding a sibling; any other is added.
 */
void baseline_update(struct baseline *accepted, const struct baseline *seen);

/*
 * For a new entry of a check: the accepted entry of the same list it
 * matches except for one random-looking token, or NULL.  *widened
 * (allocated, or NULL when none) is the pattern that would cover both:
 * "looks like a temporary name the baseline has as ...".
 */
const struct bl_entry *baseline_temp_sibling(const struct bl_list *accepted,
					     const struct bl_entry *seen,
					     char **widened);

#endif
