/*
 * tracepack.h - pack files: the small logs of a trace's log/ directory
 * concatenated into a few files after the run (schema/SCHEMA.md, "Pack
 * files"), and the one way to list what a log directory holds.
 *
 * A log directory holds log files (one per process image) and pack files,
 * each a sequence of segments: a framing line naming the original log file
 * and its byte count, then those bytes exactly.  log_units_list() gives
 * every process image's log once, whichever holds it (tracepack_units.c);
 * trace_dir_pack() makes the packs (tracepack.c).
 */
#ifndef UNROOT_TRACEPACK_H
#define UNROOT_TRACEPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The staging window an image left beside its log file (NAME.jsonl.stage,
 * SCHEMA.md "Stage files"): len bytes that belong at offset start of the
 * log, over whatever the log holds there (NULs, or the same bytes).
 */
struct log_stage {
	off_t start;
	size_t len;
	char *bytes;
};

/* One process image's log: a file of its own, or a segment of a pack. */
struct log_unit {
	char *name; /* the log file's name in log/, as the preload made it */
	char *src;  /* the file that holds its bytes: itself, or a pack */
	off_t off;  /* where its bytes start in src */
	off_t len;  /* how many; -1: to the end of src (a log file) */
	struct log_stage *stage; /* a log file's window, or NULL */
};

struct log_units {
	struct log_unit *v;
	size_t n, cap;
};

/* Told of a pack or a stage file that is damaged (file: its path; msg
 * says what, and where in it). */
typedef void (*log_problem_fn)(void *ctx, const char *file, const char *msg);

/* Whether a name in log/ is a log file's (NAME.jsonl) or a pack's
 * (NAME.pack); a name starting with '.' is neither. */
bool log_is_file_name(const char *name);
bool log_is_pack_name(const char *name);
/* qsort's comparison of two char * by strcmp: logs go in name order. */
int log_name_cmp(const void *a, const void *b);

/*
 * Every log of logdir (*.jsonl files and the segments of *.pack files;
 * names starting with '.' are not logs), once each, in name order.  An
 * image whose log file and pack segment both exist is read from its file
 * (the file holds at least the segment's bytes); of two segments of one
 * name, the one in the pack whose name sorts last.  0, or -1 with errno
 * when logdir cannot be read.
 */
int log_units_list(const char *logdir, struct log_units *u,
		   log_problem_fn problem, void *ctx);
void log_units_free(struct log_units *u);
/* A unit's bytes (allocated, NUL-terminated), or NULL with errno. */
char *log_unit_read(const struct log_unit *u, size_t *len);
/* Whether a name in log/ is a stage file's (NAME.jsonl.stage). */
bool log_is_stage_name(const char *name);
/* The n bytes buf holds from offset pos of a log, with st laid over them
 * (st may be NULL). */
void log_stage_lay(const struct log_stage *st, off_t pos, char *buf, size_t n);
void log_stage_free(struct log_stage *st);

/*
 * After a run: pack the small logs of logdir (those whose disk blocks
 * are more than twice their bytes), keeping every guarantee at SIGKILL
 * (tracepack.c says how).  Returns the number of logs packed, or -1 with
 * *why (allocated): nothing is lost then, the logs stay as they were.
 */
long trace_dir_pack(const char *logdir, char **why);

#endif
