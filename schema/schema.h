/*
 * schema.h - the trace format, shared by the preload (which writes it) and
 * the CLI (which reads it).  This header, keys.h (the spelling of every
 * key) and schema/SCHEMA.md are the one place where record types, field
 * names, operations and what each operation does, and the schema version
 * are defined; neither side spells a field name of its own.
 *
 * A trace directory holds trace.json (written by the CLI) and log/, where
 * every traced process appends JSON Lines to its own file.  See SCHEMA.md.
 */
#ifndef UNROOT_SCHEMA_H
#define UNROOT_SCHEMA_H

#include "keys.h"

/*
 * Bumped on any incompatible change; readers refuse newer versions.
 * 2: a forked child's proc record may be a short "fork" record whose other
 * fields are inherited (SCHEMA.md; not with "noforkrec" in UNROOT_FLAGS);
 * an exec in a vfork child is recorded in its parent's file ("vfork"), and
 * so is the exec of a forked child that has no file of its own yet
 * ("forked", added within version 2).
 */
#define UNROOT_SCHEMA_VERSION 2

/* Environment the CLI hands to the preload (and the preload to children). */
/* UNROOT_LOG: absolute path of the log directory; UNROOT_FLAGS: a comma
 * list of reads,nostacks,argv,noforkrec; UNROOT_LIB: the LD_PRELOAD entry
 * to re-insert into a child's environment. */
#define UNROOT_ENV_LOG	 "UNROOT_LOG"
#define UNROOT_ENV_FLAGS "UNROOT_FLAGS"
#define UNROOT_ENV_LIB	 "UNROOT_LIB"
/* UNROOT_EXEC: what an exec tells the image it makes (preload/handover.c);
 * the image takes it out of its environment at start-up. */
#define UNROOT_ENV_EXEC "UNROOT_EXEC"
/* The words of UNROOT_FLAGS. */
#define UNROOT_FLAG_READS     "reads"
#define UNROOT_FLAG_NOSTACKS  "nostacks"
#define UNROOT_FLAG_ARGV      "argv"
#define UNROOT_FLAG_NOFORKREC "noforkrec"

/*
 * A call refused for want of permission, the one definition the preload
 * (which records such a call even where it records nothing else) and
 * every reader share: EACCES, EPERM, or EROFS (a read-only file system
 * refuses a write as surely as a mode does).  Needs <errno.h>.
 */
#define UNROOT_ERRNO_DENIED(e) ((e) == EACCES || (e) == EPERM || (e) == EROFS)

/* Names inside a trace directory. */
#define UNROOT_TRACE_META   "trace.json"
#define UNROOT_TRACE_LOGDIR "log"
#define UNROOT_LOG_SUFFIX   ".jsonl"
#define UNROOT_PACK_PREFIX  "pack-" /* pack files: pack-NNNNNN.pack */
#define UNROOT_PACK_SUFFIX  ".pack"

/*
 * A stage file (SCHEMA.md, "Stage files"): NAME.jsonl.stage beside the log
 * NAME.jsonl, where an image that writes a lot gathers its latest records
 * before they are copied into the log.  It begins with this head
 * (UNROOT_STAGE_HEAD bytes, native byte order); the window of cap bytes
 * follows, its first len bytes belonging at offset start of the log.  gen
 * is odd while start or len is being reset: a reader that sees it odd, or
 * changed after it read the window, reads again.
 */
#define UNROOT_STAGE_SUFFIX ".stage"
#define UNROOT_STAGE_HEAD   64
#define UNROOT_STAGE_MAGIC  0x3165676174737275ULL /* "urstage1" (x86-64) */
struct unroot_stage_head {
	unsigned long long magic;
	unsigned long long gen;
	unsigned long long start;
	unsigned long long len;
	unsigned long long cap;
};

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
#define REC_NET	     "net"	/* an inet socket bound: address and port */
#define REC_PRIV     "priv"	/* a call only privilege allows, refused */
/* Not in a log: the framing line of a segment of a pack file (SCHEMA.md). */
#define REC_PACK "pack"

/* Every record type, by the suffix of its REC_* macro: X(suffix). */
#define UNROOT_RECORD_TYPES(X) \
	X(PROC)                \
	X(MOUNT)               \
	X(OS)                  \
	X(USER)                \
	X(GROUP)               \
	X(DIR)                 \
	X(STACK)               \
	X(EVENT)               \
	X(UNTRACED)            \
	X(END)                 \
	X(NOSTACKS)            \
	X(NET)                 \
	X(PRIV)

enum unroot_rec {
#define UNROOT_REC_ENUM(e) RT_##e,
	UNROOT_RECORD_TYPES(UNROOT_REC_ENUM)
#undef UNROOT_REC_ENUM
	    RT__COUNT
};

/*
 * What an operation does: the attributes of UNROOT_OPS below.  Every
 * operation carries "path".
 *   OPA_WRITES    changes the file system
 *   OPA_BY_FLAGS  changes it when its open flags say so (UNROOT_OPEN_WRITES)
 *   OPA_META      changes only metadata: owner, mode, times, xattrs
 *   OPA_PATH2     carries "path2", a second path (rename's, link's new name)
 *   OPA_TEXT2     carries "path2" as text, not a path (symlink's target)
 *   OPA_PROBE     reads or looks (read, stat, access, connect): the file
 *                 system is unchanged
 *   OPA_RUNS      runs a program (exec, spawn)
 */
#define OPA_WRITES   0x01u
#define OPA_BY_FLAGS 0x02u
#define OPA_META     0x04u
#define OPA_PATH2    0x08u
#define OPA_TEXT2    0x10u
#define OPA_PROBE    0x20u
#define OPA_RUNS     0x40u

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

/*
 * The attributes of each operation: OPA_OF_<suffix>.  An operation added
 * to UNROOT_OPS without its line here does not compile (unroot_op_attrs
 * names them all).
 */
#define OPA_OF_OPEN	OPA_BY_FLAGS
#define OPA_OF_MKDIR	OPA_WRITES
#define OPA_OF_RMDIR	OPA_WRITES
#define OPA_OF_RENAME	(OPA_WRITES | OPA_PATH2)
#define OPA_OF_UNLINK	OPA_WRITES
#define OPA_OF_LINK	(OPA_WRITES | OPA_PATH2)
#define OPA_OF_SYMLINK	(OPA_WRITES | OPA_TEXT2)
#define OPA_OF_TRUNCATE OPA_WRITES
#define OPA_OF_CHMOD	(OPA_WRITES | OPA_META)
#define OPA_OF_CHOWN	(OPA_WRITES | OPA_META)
#define OPA_OF_UTIME	(OPA_WRITES | OPA_META)
#define OPA_OF_XATTR	(OPA_WRITES | OPA_META)
#define OPA_OF_MKNOD	OPA_WRITES
#define OPA_OF_MKTEMP	OPA_WRITES
#define OPA_OF_BIND	OPA_WRITES /* creates the socket's file */
#define OPA_OF_CONNECT	OPA_PROBE
#define OPA_OF_EXEC	OPA_RUNS
#define OPA_OF_SPAWN	OPA_RUNS
#define OPA_OF_READ	OPA_PROBE
#define OPA_OF_STAT	OPA_PROBE
#define OPA_OF_ACCESS	OPA_PROBE

/* The OPA_* attributes of op; 0 for a value that is not an operation. */
static inline unsigned unroot_op_attrs(enum unroot_op op)
{
	switch (op) {
#define UNROOT_OP_ATTRS(e, s) \
	case OP_##e:          \
		return OPA_OF_##e;
		UNROOT_OPS(UNROOT_OP_ATTRS)
#undef UNROOT_OP_ATTRS
	default:
		return 0;
	}
}

/* The name of op, as "op" spells it; "?" for a value that is not one. */
static inline const char *unroot_op_name(enum unroot_op op)
{
	static const char *const names[] = {
#define UNROOT_OP_NAME(e, s) s,
	    UNROOT_OPS(UNROOT_OP_NAME)
#undef UNROOT_OP_NAME
	};

	return (unsigned)op < OP__COUNT ? names[op] : "?";
}

/*
 * Whether an open with these flags changes the file system (OPA_BY_FLAGS):
 * opened for writing, or with O_CREAT, O_TRUNC, O_APPEND or O_TMPFILE.
 * A macro: the caller's <fcntl.h> (with O_TMPFILE) gives the values.
 */
#define UNROOT_OPEN_WRITES(flags)                      \
	(((flags)&O_ACCMODE) != O_RDONLY ||            \
	 ((flags) & (O_CREAT | O_TRUNC | O_APPEND)) || \
	 ((flags)&O_TMPFILE) == O_TMPFILE)

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
#define UNTRACED_STATIC "static" /* no PT_INTERP: the loader never runs */
#define UNTRACED_SETUID "setuid" /* set-user-ID: loader in secure mode */
#define UNTRACED_SETGID "setgid" /* set-group-ID: loader in secure mode */
#define UNTRACED_CAPS	"caps"	 /* file capabilities: secure mode */
/* the caller's effective ids are not its real ones (a daemon that dropped
 * privileges with seteuid or setresuid keeping root as its real user):
 * the kernel runs the loader in secure mode for any program it execs */
#define UNTRACED_IDS "ids"
/* a process of a traced program set up an io_uring: the operations it
 * submits there (opens, renames, writes) pass every wrapper; path is the
 * program, pid the process */
#define UNTRACED_IO_URING "io_uring"

/*
 * The fallback tracer (tracer/, unroot-ptrace).  Its records carry
 * "tracer": TRACER_PTRACE; it adds two reasons to "untraced" records.
 */
#define TRACER_PTRACE "ptrace"
#define UNTRACED_NNP  "nnp"  /* set-id or file caps under no-new-privs */
#define UNTRACED_ARCH "arch" /* another ABI: its calls pass the filter */
/* In an "untraced" record of a static program: why the fallback tracer
 * could not follow it either (absent: the helper was not found). */
#define K_FALLBACK "fallback"
/* "tracer": TRACER_PTRACE in the records of the fallback tracer;
 * "nopath": why an event's path is unknown (SCHEMA.md). */
#define K_TRACER "tracer"
#define K_NOPATH "nopath"

#endif
