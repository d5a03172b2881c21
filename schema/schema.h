/*
 * schema.h - the trace format, shared by the preload (which writes it) and
 * the CLI (which reads it).  This header and schema/SCHEMA.md are the one
 * place where record types, field names, operations and the schema version
 * are defined; neither side spells a field name of its own.
 *
 * A trace directory holds trace.json (written by the CLI) and log/, where
 * every traced process appends JSON Lines to its own file.  See SCHEMA.md.
 */
#ifndef UNROOT_SCHEMA_H
#define UNROOT_SCHEMA_H

/*
 * Bumped on any incompatible change; readers refuse newer versions.
 * 2: a forked child's proc record may be a short "fork" record whose other
 * fields are inherited (SCHEMA.md; not with "noforkrec" in UNROOT_FLAGS);
 * an exec in a vfork child is recorded (in its parent's file, as is, since,
 * the exec of a forked child that has no file of its own: "forked").
 */
#define UNROOT_SCHEMA_VERSION 2

/* Environment the CLI hands to the preload (and the preload to children). */
/* UNROOT_LOG: absolute path of the log directory; UNROOT_FLAGS: a comma
 * list of reads,nostacks,argv,noforkrec; UNROOT_LIB: the LD_PRELOAD entry
 * to re-insert into a child's environment. */
#define UNROOT_ENV_LOG	 "UNROOT_LOG"
#define UNROOT_ENV_FLAGS "UNROOT_FLAGS"
#define UNROOT_ENV_LIB	 "UNROOT_LIB"

/* Names inside a trace directory. */
#define UNROOT_TRACE_META   "trace.json"
#define UNROOT_TRACE_LOGDIR "log"
#define UNROOT_LOG_SUFFIX   ".jsonl"

/* Record types: the value of the "t" key, always the first key. */
#define REC_PROC     "proc"	/* once per process image (short after fork) */
#define REC_MOUNT    "mount"	/* once per mount namespace, one per mount */
#define REC_OS	     "os"	/* once per root file system */
#define REC_USER     "user"	/* once per root file system, per passwd line */
#define REC_GROUP    "group"	/* once per root file system, per group line */
#define REC_DIR	     "dir"	/* ancestor directory state, once per process */
#define REC_STACK    "stack"	/* a call stack, once per process per stack */
#define REC_EVENT    "ev"	/* one interposed call */
#define REC_UNTRACED "untraced" /* an exec the preload cannot follow */
#define REC_END	     "end"	/* process exit, with loss counters */
#define REC_NOSTACKS "nostacks" /* stacks asked for, libunwind not loadable */

/*
 * Normalised operations: the value of "op" in an "ev" record.  X(enum
 * suffix, name).  The exact libc symbol goes in "fn".
 */
#define UNROOT_OPS(X)           \
	X(OPEN, "open")         \
	X(MKDIR, "mkdir")       \
	X(RMDIR, "rmdir")       \
	X(RENAME, "rename")     \
	X(UNLINK, "unlink")     \
	X(LINK, "link")         \
	X(SYMLINK, "symlink")   \
	X(TRUNCATE, "truncate") \
	X(CHMOD, "chmod")       \
	X(CHOWN, "chown")       \
	X(UTIME, "utime")       \
	X(XATTR, "xattr")       \
	X(MKNOD, "mknod")       \
	X(MKTEMP, "mktemp")     \
	X(BIND, "bind")         \
	X(CONNECT, "connect")   \
	X(EXEC, "exec")         \
	X(SPAWN, "spawn")       \
	X(READ, "read")         \
	X(STAT, "stat")         \
	X(ACCESS, "access")

enum unroot_op {
#define UNROOT_OP_ENUM(e, s) OP_##e,
	UNROOT_OPS(UNROOT_OP_ENUM)
#undef UNROOT_OP_ENUM
	    OP__COUNT
};

/* File types in a state object ("type"). */
#define UNROOT_FILE_TYPES(X)     \
	X(FT_FILE, "file")       \
	X(FT_DIR, "dir")         \
	X(FT_SYMLINK, "symlink") \
	X(FT_FIFO, "fifo")       \
	X(FT_SOCK, "sock")       \
	X(FT_CHR, "chr")         \
	X(FT_BLK, "blk")

/* Reasons in an "untraced" record ("why"). */
#define UNTRACED_STATIC	  "static" /* no PT_INTERP: the loader never runs */
#define UNTRACED_SETUID	  "setuid" /* set-user-ID: loader in secure mode */
#define UNTRACED_SETGID	  "setgid" /* set-group-ID: loader in secure mode */
#define UNTRACED_CAPS	  "caps"   /* file capabilities: secure mode */
#define UNTRACED_NOREPORT "silent" /* a child that never wrote a record */

/*
 * The fallback tracer (tracer/, unroot-ptrace).  Its records carry
 * "tracer": TRACER_PTRACE; it adds two reasons to "untraced" records.
 */
#define TRACER_PTRACE "ptrace"
#define UNTRACED_NNP  "nnp"  /* set-id or file caps under no-new-privs */
#define UNTRACED_ARCH "arch" /* another ABI: its calls pass the filter */

#endif
