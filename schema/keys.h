/*
 * keys.h - the spelling of every key of the trace format: the keys of the
 * log's records (written by the preload, read by the CLI's reader) and of
 * trace.json (written and read by the CLI).  SCHEMA.md says what each
 * means.  This is the one place a key is spelled: the preload's encoder,
 * both of the reader's parsers and every command name a key by its macro.
 *
 * Each K_* macro is a string literal, so the preload writes keys as
 * constants (their lengths fold at compile time, and they concatenate into
 * the fixed heads the encoder copies whole) and the reader compares them
 * as it always did.  Several records share a key where the meaning is the
 * same (pid, ts, uid, gid, mode, path, id, name, rootfs, why).
 *
 * The lists below give, by the suffix of their K_* macro, the keys that
 * code walks as a set: a record's keys for the reader's fast parser and
 * the keys a fork record inherits.  X(suffix): the key is K_##suffix.
 */
#ifndef UNROOT_SCHEMA_KEYS_H
#define UNROOT_SCHEMA_KEYS_H

/* ---- every record ----------------------------------------------------- */
#define K_T "t" /* the record type, always the first key (schema.h REC_*) */

/* ---- proc ------------------------------------------------------------- */
#define K_V	 "v" /* schema version */
#define K_PID	 "pid"
#define K_PPID	 "ppid"
#define K_TS	 "ts" /* ns since the epoch */
#define K_EXE	 "exe"
#define K_ARGV0	 "argv0" /* also in ev: exec/spawn's new argv[0] */
#define K_ARGV	 "argv"
#define K_CWD	 "cwd"
#define K_UID	 "uid" /* also in ev, user and state objects */
#define K_EUID	 "euid"
#define K_GID	 "gid" /* also in ev, user, group and state objects */
#define K_EGID	 "egid"
#define K_GROUPS "groups"
#define K_NS	 "ns"	  /* also in mount */
#define K_ROOTFS "rootfs" /* also in os, user, group */
#define K_ENV	 "env"
#define K_STACKS "stacks"
#define K_FORK	 "fork" /* a fork record */
#define K_PTS	 "pts"	/* fork record: ts of its source */
#define K_FROM	 "from" /* fork record: pid of its source */

/* ---- mount ------------------------------------------------------------ */
#define K_MNT  "mnt"
#define K_FS   "fs"
#define K_SRC  "src"
#define K_ROOT "root"
#define K_RO   "ro"
#define K_OPTS "opts"

/* ---- os, user, group -------------------------------------------------- */
#define K_ID	     "id" /* also in stack */
#define K_VERSION_ID "version_id"
#define K_PRETTY     "pretty"
#define K_NAME	     "name"
#define K_HOME	     "home"
#define K_SHELL	     "shell"
#define K_MEMBERS    "members"

/* ---- dir: path and st (below) ----------------------------------------- */

/* ---- stack, and its frames -------------------------------------------- */
#define K_FRAMES       "frames"
#define K_FRAME_MODULE "m"
#define K_FRAME_OFFSET "o"
#define K_FRAME_SYMBOL "s"
#define K_FRAME_SYMOFF "so"

/* ---- ev --------------------------------------------------------------- */
#define K_OP	 "op"
#define K_FN	 "fn"
#define K_PATH	 "path" /* also in dir and untraced */
#define K_PATH2	 "path2"
#define K_REAL	 "real"
#define K_FLAGS	 "flags"
#define K_MODE	 "mode" /* also in state objects */
#define K_OWNER	 "owner"
#define K_RET	 "ret"
#define K_ERRNO	 "errno"
#define K_TID	 "tid"
#define K_ST	 "st" /* also in dir */
#define K_ST2	 "st2"
#define K_PARENT "parent"
#define K_STACK	 "stack"
#define K_PY	 "py"
#define K_VFORK	 "vfork"
#define K_FORKED "forked"

/* the frames of "py" */
#define K_PY_FILE "f"
#define K_PY_LINE "l"
#define K_PY_FUNC "fn"

/* ---- state objects ("st", "st2", "parent", a dir's "st") -------------- */
#define K_TYPE "type" /* uid, gid, mode as above */

/* ---- a path that is not UTF-8: {"hex": "..."} -------------------------- */
#define K_HEX "hex"

/* ---- net: fn, ret, errno, pid, tid, ts as in ev ---------------------- */
#define K_ADDR "addr" /* the address bound, as inet_ntop writes it */
#define K_PORT "port" /* the port, host order; 0: the kernel chooses */

/* ---- priv: fn, path (chroot's), ret, errno, pid, tid, ts as in ev ----- */
#define K_ARGS "args" /* the call's other arguments, as text: "108,108,108" */

/* ---- untraced, nostacks, end ------------------------------------------ */
#define K_WHY  "why"
#define K_LOST "lost"

/* ---- pack: the framing line of a pack file's segment (the CLI writes
 * it after the run, the preload never does; schema.h REC_PACK) ---------- */
#define K_PACK_FILE  "file"  /* the log file's name in log/, as a path */
#define K_PACK_BYTES "bytes" /* how many bytes of it follow the line */

/*
 * The keys of an "ev" record, in the order the preload writes them (the
 * reader's fast parser looks for them in this order first).
 */
#define UNROOT_EV_KEYS(X) \
	X(T)              \
	X(OP)             \
	X(FN)             \
	X(PATH)           \
	X(PATH2)          \
	X(REAL)           \
	X(FLAGS)          \
	X(MODE)           \
	X(OWNER)          \
	X(ARGV0)          \
	X(RET)            \
	X(ERRNO)          \
	X(PID)            \
	X(TID)            \
	X(TS)             \
	X(UID)            \
	X(GID)            \
	X(ST)             \
	X(ST2)            \
	X(PARENT)         \
	X(STACK)          \
	X(PY)             \
	X(VFORK)          \
	X(FORKED)

/* The keys of a state object. */
#define UNROOT_STATE_KEYS(X) X(TYPE) X(UID) X(GID) X(MODE)

/* The keys of a "py" frame. */
#define UNROOT_PY_KEYS(X) X(PY_FILE) X(PY_LINE) X(PY_FUNC)

/* The keys a fork record takes from its source when it lacks them. */
#define UNROOT_FORK_INHERITED_KEYS(X) \
	X(EXE)                        \
	X(ARGV0)                      \
	X(ARGV)                       \
	X(CWD)                        \
	X(UID)                        \
	X(EUID)                       \
	X(GID)                        \
	X(EGID)                       \
	X(GROUPS)                     \
	X(NS)                         \
	X(ROOTFS)                     \
	X(ENV)                        \
	X(STACKS)

/* ---- trace.json ------------------------------------------------------- */
#define K_META_UNROOT	      "unroot" /* schema version */
#define K_META_COMMAND	      "command"
#define K_META_STARTED	      "started"
#define K_META_ENDED	      "ended"
#define K_META_EXIT	      "exit"
#define K_META_OPTIONS	      "options"
#define K_META_OPT_READS      "reads"
#define K_META_OPT_STACKS     "stacks"
#define K_META_OPT_ARGV	      "argv"
#define K_META_RUNNER	      "runner"
#define K_META_IMAGE	      "image" /* docker: the image */
#define K_META_BINDS	      "binds"
#define K_META_HOSTNAME	      "hostname" /* docker's, new each run */
#define K_META_BIND_CONTAINER "container"
#define K_META_BIND_HOST      "host"
#define K_META_BIND_RO	      "ro"
#define K_META_BIND_VOLUME    "volume" /* a named volume */
/* docker: the cross-check of the container layer's changes with the trace */
#define K_META_LAYER	       "layer"
#define K_META_LAYER_CHANGES   "changes"   /* how many docker diff listed */
#define K_META_LAYER_SOURCE    "source"	   /* where they were read */
#define K_META_LAYER_UNSEEN    "unseen"	   /* changes no event explains */
#define K_META_LAYER_CHANGE    "change"	   /* "A", "C" or "D" */
#define K_META_LAYER_UNCOVERED "uncovered" /* volumes, binds, tmpfs */
#define K_META_LAYER_ERROR     "error"	   /* why it could not be read */

/* docker: the run options given (values of -e, --env-file and the command
 * are the caller's own; a value taken from the host's environment is not
 * recorded) */
#define K_META_RUN		"run"
#define K_META_RUN_USER		"user"
#define K_META_RUN_ENV		"env" /* [{"name", "value" or "from_host"}] */
#define K_META_RUN_ENV_VALUE	"value"
#define K_META_RUN_ENV_FROMHOST "from_host"
#define K_META_RUN_ENV_FILE	"env_file"
#define K_META_RUN_PORTS	"ports"
#define K_META_RUN_READ_ONLY	"read_only"
#define K_META_RUN_TMPFS	"tmpfs"
#define K_META_RUN_GROUP_ADD	"group_add"
#define K_META_RUN_CAP_ADD	"cap_add"
#define K_META_RUN_CAP_DROP	"cap_drop"
#define K_META_RUN_SECURITY_OPT "security_opt"
#define K_META_RUN_SYSCTL	"sysctl"
#define K_META_RUN_WORKDIR	"workdir"
#define K_META_RUN_ENTRYPOINT	"entrypoint"
#define K_META_RUN_COMMAND	"command" /* the arguments after IMAGE */

/* Values of "runner". */
#define UNROOT_RUNNER_RUN    "run"
#define UNROOT_RUNNER_DOCKER "docker"

#endif
