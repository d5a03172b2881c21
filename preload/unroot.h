/*
 * unroot.h - what the parts of the preload share: the description of one
 * interposed call (struct call), the per-thread scratch it is recorded in,
 * and the entry points of each file (settings and state, the recorder, the
 * log, the encoder, paths, known states, stacks, Python call sites, raw
 * system calls).  The wrappers themselves are listed in calls.def.
 *
 * The recording path never calls malloc: scratch memory is mmap'd once per
 * thread (and once more for a record started in a signal handler that
 * interrupted another), paths and records are built in it, and each record
 * is placed in its log file whole: its bytes are reserved with one atomic
 * add on the file's cursor and copied into the file's shared mapping
 * (log.c; one write(2) per record where the file cannot be preallocated).
 */
#ifndef UNROOT_PRELOAD_H
#define UNROOT_PRELOAD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include "rawsys.h"
#include "schema.h"

#define EXPORT __attribute__((visibility("default")))
#define HIDDEN __attribute__((visibility("hidden")))
/*
 * Variables written at fork(), in the child, or around it, in the parent:
 * kept in one section, so that they share one or two pages.  After fork()
 * every page either process writes is a page the kernel copies; spread
 * over the library's large tables they cost a copy each.
 */
#define FORK_STATE __attribute__((section(".data.unroot_fork_state")))
/*
 * Small variables every traced image writes at start-up: kept in .data,
 * whose page the loader has written already (relocations), so that they
 * cost no page fault of their own, as each page of .bss they were spread
 * over did.  Only small ones: .data must stay within that page.
 */
#define START_STATE __attribute__((section(".data.unroot_start")))
/*
 * Large zero-initialised tables (a page or more, touched a page at a time)
 * go after every other variable of the library (x86-64's .lbss follows
 * .bss), so that they do not split the small variables between them into
 * more pages, each a page fault in every process.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define BIG_TABLE __attribute__((section(".lbss.unroot_tables")))
#else
#define BIG_TABLE
#endif
#define LIKELY(x)   __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* How a call's flags argument is decoded in the record. */
enum flag_kind { FK_NONE, FK_OPEN, FK_AT, FK_RENAME };

/* What the call does to its path, for the pre-state and the real path. */
struct call {
	enum unroot_op op;
	const char *fn;
	int dirfd;	  /* AT_FDCWD unless an *at call */
	const char *path; /* as the caller gave it; may be NULL */
	int dirfd2;
	const char *path2; /* rename/link new name (a path) */
	const char *text2; /* symlink target text (not a path) */
	int fd;		   /* fd-based calls (fchmod ...): -1 otherwise */
	const char *fixed; /* an absolute path known already (shm_open ...) */
	int flags;
	enum flag_kind flag_kind;
	unsigned mode;
	bool has_mode;
	bool has_owner;
	long owner_uid, owner_gid;
	bool nofollow;	    /* the call does not follow a final symlink */
	const char *argv0;  /* exec/spawn */
	long child;	    /* spawn: the child's pid */
	bool absent_before; /* the call created the name (mkstemp) */
	bool may_add_excl;  /* an open(2) whose O_CREAT ur_begin may try
			       with O_EXCL first (record.c) */
};

#define CALL_INIT(o, name)                                               \
	{                                                                \
		.op = (o), .fn = (name), .dirfd = -100, .dirfd2 = -100,  \
		.fd = -1, .owner_uid = -1, .owner_gid = -1, .child = -1, \
	}

/* Per-thread working memory for one record. */
#define UR_PATH_MAX   (2 * PATH_MAX)
#define UR_MAX_FRAMES 32
struct scratch {
	char abs[UR_PATH_MAX];
	char abs2[UR_PATH_MAX];
	char real[UR_PATH_MAX];
	char parent[UR_PATH_MAX];
	struct stat st, st2, pst;
	bool has_st, has_st2, has_pst;
	bool has_real;
	bool st_after, st2_after; /* known from the call's outcome (record.c) */
	bool performed;		  /* ur_begin made the call itself ... */
	long performed_ret;	  /* ... and it returned this */
	void *ips[UR_MAX_FRAMES];
	int nips;
	char stack_id[17];
	uint64_t abs_key, abs2_key, parent_key; /* ur_hash_path of each */
	bool nested; /* mmap'd for a nested (signal handler) record */
	/* the parent directory of this thread's last event (record.c) */
	size_t parent_len, last_len;
	unsigned last_epoch;
	bool last_same; /* its real path is its lexical path */
	char last_parent[UR_PATH_MAX];
	char buf[64 * 1024];
};

/* state.c: process-wide settings and state */
extern HIDDEN int ur_enabled;	     /* tracing is on in this process */
extern HIDDEN int ur_record_reads;   /* --reads */
extern HIDDEN int ur_record_stacks;  /* stacks unless --no-stacks */
extern HIDDEN int ur_record_argv;    /* --argv */
extern HIDDEN int ur_fork_records;   /* short proc records after fork,
					unless "noforkrec" */
extern HIDDEN const char *ur_logdir; /* "" until read: shorter than */
extern HIDDEN const char *ur_lib;    /* PATH_MAX; the LD_PRELOAD entry */
extern HIDDEN char ur_flags_text[64];
extern HIDDEN int ur_start_argc;     /* the program's argv, where libc */
extern HIDDEN char **ur_start_argv;  /* gave it to constructors */
extern HIDDEN pid_t ur_pid;	     /* pid of this image (updated at fork) */
extern __thread int ur_guard HIDDEN; /* >0: in the unwinder or dl* */
extern HIDDEN uid_t ur_euid;	     /* effective ids, cached (state.c) */
extern HIDDEN gid_t ur_egid;
extern HIDDEN int ur_euid_changed, ur_egid_changed; /* since the image began */
/* an effective id is not the real one: what this process execs runs with
 * the loader in secure mode (UNTRACED_IDS); kept with ur_euid */
extern HIDDEN int ur_ids_mixed;
HIDDEN void ur_creds_refresh(void); /* after a set*id call */

/*
 * True when the code runs in a process other than ur_pid: a vfork child
 * (it must record nothing and write no shared state).  Cheap: a fork
 * canary and a vfork flag, getpid only when one of them says so.
 */
extern HIDDEN int *ur_fork_canary;
/* UR_START_BUF bytes beside the canary for the proc record (its cwd and
 * exe, and 64 KiB for the record), or NULL */
#define UR_START_BUF (2 * PATH_MAX + 65536)
extern HIDDEN char *ur_start_buf;
extern __thread int ur_vforked HIDDEN;
/* a vfork child of this thread made a set*id call: its ids are its own */
extern __thread int ur_vfork_creds HIDDEN;
/*
 * Words that a process writes around every fork() (the unwinder's lock,
 * state.c's and stack.c's), kept in the canary's page when there is one
 * (ur_fork_word(UR_FW_...), else NULL): that page is MADV_WIPEONFORK, so
 * fork() never makes it copy-on-write in the parent, whose writes to it
 * after each fork are then no trap, and the child finds it zeroed.
 */
enum { UR_FW_UNWINDER, UR_FW_FORK_TOOK_UNWINDER, UR_FW_COUNT };
HIDDEN int *ur_fork_word(int which);
/* around libc's fork (calls.def F): its atfork handlers' work; errp is
 * errno's address, taken before the call: after it, the child would fault
 * libc's errno function in to ask (the F wrapper's own code is mapped) */
HIDDEN void ur_fork_before(void);
HIDDEN void ur_fork_after(bool child, int *errp);
/*
 * Code that a process runs, mapped into its page tables one call a run
 * (state.c): this library's code and read-only data (the first
 * ur_ncode_runs runs, found at start-up), then the pages of libc's
 * functions that the wrappers call in a forked child (found at the first
 * fork, up to ur_nchild_runs).  In a forked child the F wrapper maps them
 * all first, inline, so that no call to a page not mapped yet comes
 * before.
 */
#define UR_CODE_RUNS 8
struct ur_code_run {
	uintptr_t lo, hi;
};
extern HIDDEN struct ur_code_run ur_code_runs[UR_CODE_RUNS];
extern HIDDEN int ur_ncode_runs, ur_nchild_runs;
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif
static inline __attribute__((always_inline)) void ur_map_code(int nruns)
{
#ifdef UR_RAWSYS_INLINE
	for (int i = 0; i < nruns; i++)
		(void)ur_raw_syscall_ret(
		    SYS_madvise, (long)ur_code_runs[i].lo,
		    (long)(ur_code_runs[i].hi - ur_code_runs[i].lo),
		    MADV_POPULATE_READ, 0, 0, 0);
#else
	(void)nruns;
#endif
}
#define UR_CLOSES_NONE (-2) /* calls.def F: closes no descriptor */
HIDDEN bool ur_other_process_slow(void);
HIDDEN bool ur_other_process_pid(pid_t *pid); /* the same; and the pid */
/* the same, for the pid getpid gave just now */
HIDDEN bool ur_other_process_is(pid_t pid);
static inline bool ur_other_process(void)
{
	if (LIKELY(*ur_fork_canary && !ur_vforked))
		return false;
	return ur_other_process_slow();
}

/* state.c: libc's definition of a wrapped symbol (dlsym RTLD_NEXT) */
HIDDEN void *ur_real(const char *name);
/* name's value in envp, or NULL (getenv without libc's code) */
HIDDEN const char *ur_env_value(char *const *envp, const char *name);

/* record.c */
HIDDEN struct scratch *ur_begin(struct call *c);
/* A bind of an inet address (AF_INET, AF_INET6; nothing for another): a
 * "net" record of the address and port with the call's result; errno is
 * kept. */
HIDDEN void ur_net_bind(const void *sockaddr, size_t len, long ret, int err);
/* A call only privilege allows, refused (EPERM): a "priv" record (record.c);
 * path: chroot's, args: the rest as text.  Nothing for another errno. */
HIDDEN void ur_priv_refused(const char *fn, const char *path, const char *args,
			    long ret, int err);
/* The same for a set*id call or setgroups: the ids asked for (at most
 * UR_PRIV_IDS of them; (uid_t)-1 written as -1). */
#define UR_PRIV_IDS 16
HIDDEN void ur_priv_ids(const char *fn, const long *ids, int n, long ret,
			int err);
HIDDEN void ur_end(struct scratch *s, struct call *c, long ret, int failed);
HIDDEN void ur_after(struct call *c, long ret, int err);
HIDDEN bool ur_open_writes(int flags);
HIDDEN void ur_forget_tid(void); /* and the dir records written */

/* symbols.c: the loaded objects' own symbol tables, without dlsym */
struct dl_phdr_info;
HIDDEN bool ur_loaded_may_define(const char *name); /* false: none does */
/* this library's exported function name (a wrapper), or NULL; the first
 * call finds the library's table (two first calls find the same) */
HIDDEN void *ur_own_function(const char *name);
HIDDEN void *ur_next_symbol(const char *name); /* NULL: ask dlsym */
HIDDEN bool ur_next_symbols_suffice(void);     /* lazy REAL() is safe */
/* info is this library's object: the range of its segment holding code */
HIDDEN bool ur_is_self(const struct dl_phdr_info *info, uintptr_t *lo,
		       uintptr_t *hi);

/* log.c */
HIDDEN void ur_log_write(const char *buf, size_t len);
HIDDEN bool ur_log_write_other(const char *buf, size_t len); /* a child */
HIDDEN bool ur_log_borrowed(void); /* a forked child without a file */
HIDDEN void ur_log_start(void);
HIDDEN void ur_log_after_fork(void);
HIDDEN void ur_log_end(void);  /* and ur_log_trim */
HIDDEN void ur_log_trim(void); /* the image ends: cut its file */
HIDDEN void ur_log_reset_start(void);
/* pages into the page tables, writable, in one call (errno kept) */
HIDDEN void ur_populate_write(void *p, size_t len);

/* stage.c: a log's staging window (made once the log is STAGE_FROM long) */
#define UR_STAGE_FROM ((size_t)256 << 10)
struct unroot_stage_head;
struct ur_stage {
	struct unroot_stage_head *head; /* mapped; NULL: none */
	pid_t pid;			/* the process that made it */
	int busy;			/* a writer holds it (atomic) */
	int state;			/* untried, on, off */
	int short_sends;		/* sent early, writers interleaving */
};
HIDDEN void ur_stage_make(struct ur_stage *s, const char *logname);
/* buf, reserved at off of the log, into the window; false: not staged */
HIDDEN bool ur_stage_put(struct ur_stage *s, const char *logname, char *map,
			 size_t off, const char *buf, size_t len);
/* The image ends: the window into the log, its file removed. */
HIDDEN void ur_stage_finish(struct ur_stage *s, const char *logname, char *map);
HIDDEN void ur_stage_forget(struct ur_stage *s); /* a forked child's copy */

/* proc.c */
/* flags.c: is word one of the comma list's (NULL: none)? */
HIDDEN bool ur_flags_have(const char *list, const char *word);
/* proc.c: is the variable of this environment entry (its name namelen
 * bytes long) one the proc record keeps?  (the allow-list of SCHEMA.md) */
HIDDEN bool ur_env_is_allowed(const char *entry, size_t namelen);
HIDDEN void ur_write_proc(long long ts); /* ts: the image's file made */
/* the effective ids this image's proc record found, if it has one, and
 * whether they were not the real ones */
HIDDEN bool ur_proc_ids(uid_t *euid, gid_t *egid, bool *mixed);
HIDDEN void ur_proc_after_fork(pid_t parent); /* in the child */
HIDDEN void ur_write_once_per_ns_and_root(void);

/* got.c: the new value of a GOT slot that names name (defined: by the
 * object itself), which holds cur now; NULL leaves it */
struct link_map;
typedef void *(*ur_got_fn)(const char *name, bool defined, void *cur,
			   void *ctx);
/* every slot of lm's relocations that fn gives a value; how many */
HIDDEN int ur_got_rebind(const struct link_map *lm, ur_got_fn fn, void *ctx);

/* stack.c */
HIDDEN int ur_stack_capture(void **ips, int max);
HIDDEN const char *ur_stack_id(struct scratch *s);
HIDDEN void ur_stack_after_fork(void);
HIDDEN void ur_stack_words_init(void);	/* after the canary (state.c) */
HIDDEN void ur_stack_fork_before(void); /* around libc's fork */
HIDDEN void ur_stack_fork_after(bool child);
HIDDEN bool ur_stacks_unavailable(void); /* libunwind failed to load */

/* encode.c: JSON into a fixed buffer; overflow is remembered, not fatal */
struct jbuf {
	char *p;
	size_t len, cap;
	bool comma, overflow;
};
/* The decimal digits of u at o, which has room for 20; the end. */
HIDDEN char *ur_put_u64(char *o, unsigned long long u);
/* v's low digits hex digits, zero-padded; the end */
HIDDEN char *ur_put_hex(char *o, unsigned long long v, int digits);
/* FNV-1a over n bytes at p, from h (UR_FNV_START for a new hash). */
HIDDEN uint64_t ur_fnv(uint64_t h, const void *p, size_t n);
#define UR_FNV_START 1469598103934665603ULL
/* An inet socket address (AF_INET, AF_INET6) of len bytes: its address
 * as inet_ntop writes it into addr (cap bytes) and its port in host order;
 * false for another family, a short length or a small buffer. */
HIDDEN bool ur_inet_text(const void *sa, size_t len, char *addr, size_t cap,
			 unsigned *port);
HIDDEN void jb_init(struct jbuf *j, char *buf, size_t cap);
HIDDEN void jb_raw(struct jbuf *j, const char *s, size_t n);
HIDDEN void jb_begin(struct jbuf *j, const char *type);
HIDDEN void jb_end(struct jbuf *j);
HIDDEN void jb_value_str(struct jbuf *j, const char *s, size_t n);
/*
 * Keyed writers take the key's length, which the macros below compute with
 * strlen: folded at compile time, for every key is a K_* string literal of
 * schema/keys.h (the only keys written; an "env" object's variable names
 * are the one key made at run time).
 */
HIDDEN void jb_keyn(struct jbuf *j, const char *key, size_t kn);
HIDDEN void jb_str_(struct jbuf *j, const char *key, size_t kn, const char *s);
HIDDEN void jb_strn_(struct jbuf *j, const char *key, size_t kn, const char *s,
		     size_t n);
HIDDEN void jb_litn(struct jbuf *j, const char *key, size_t kn, const char *s);
HIDDEN void jb_int_(struct jbuf *j, const char *key, size_t kn, long long v);
HIDDEN void jb_bool_(struct jbuf *j, const char *key, size_t kn, bool v);
HIDDEN void jb_null_(struct jbuf *j, const char *key, size_t kn);
HIDDEN void jb_oct_(struct jbuf *j, const char *key, size_t kn, unsigned mode);
HIDDEN void jb_state_(struct jbuf *j, const char *key, size_t kn,
		      const struct stat *st, bool present);
HIDDEN void jb_flags_(struct jbuf *j, const char *key, size_t kn, int flags,
		      enum flag_kind kind);
#define jb_key(j, k)	    jb_keyn((j), (k), strlen(k))
#define jb_str(j, k, s)	    jb_str_((j), (k), strlen(k), (s))
#define jb_strn(j, k, s, n) jb_strn_((j), (k), strlen(k), (s), (n))
/* a value known to need no escaping: C identifiers, op and errno names */
#define jb_lit(j, k, s)	 jb_litn((j), (k), strlen(k), (s))
#define jb_int(j, k, v)	 jb_int_((j), (k), strlen(k), (v))
#define jb_bool(j, k, v) jb_bool_((j), (k), strlen(k), (v))
#define jb_null(j, k)	 jb_null_((j), (k), strlen(k))
#define jb_oct(j, k, m)	 jb_oct_((j), (k), strlen(k), (m))
#define jb_state(j, k, st, present) \
	jb_state_((j), (k), strlen(k), (st), (present))
#define jb_flags(j, k, f, kind) jb_flags_((j), (k), strlen(k), (f), (kind))
HIDDEN const char *ur_errno_name(int e);
HIDDEN long long ur_now_ns(void);
/* the same, counting nothing: writes no memory (vfork children) */
HIDDEN long long ur_now_ns_uncounted(void);

/* path.c */
HIDDEN size_t ur_normalize(char *path);
HIDDEN bool ur_absolute(int dirfd, const char *path, char *out, size_t cap);
HIDDEN bool ur_fd_readlink(int fd, char *out, size_t cap);
HIDDEN size_t ur_parent_of(const char *abs, char *out); /* its length */
/* The real path of abs (absolute) into out, by lstat and readlink of each
 * component, as the kernel's walk follows links (the last one included);
 * no /proc, no descriptor: a vfork child's first look at /proc/self costs
 * its pid's whole /proc directory.  rest: scratch of cap bytes (abs
 * itself will do).  false when a component is missing or unreadable, or
 * 40 links were followed. */
HIDDEN bool ur_walk_real(const char *abs, char *out, char *rest, size_t cap);
/* Whether call c acts on a final symlink's target (an open, a chmod),
 * not on the link itself (unlink, rename, lchown, O_NOFOLLOW). */
HIDDEN bool ur_follows_final_symlink(const struct call *c);
/* Where a call on abs lands, given out: the real path of abs's directory
 * (cap bytes): the target of the symlink abs when link (joined to that
 * directory when relative), else that directory and abs's last name;
 * normalised.  false (out unchanged) when it does not fit. */
HIDDEN bool ur_land(const char *abs, bool link, char *out, size_t cap);

/* The mount namespace this process is in, as proc.c remembers it (0:
 * not known); forgotten before any call that can move the process. */
HIDDEN unsigned long long ur_mount_ns_known(void);
HIDDEN void ur_mount_ns_remember(unsigned long long ns);
HIDDEN void ur_mount_ns_forget(void);
/* progknown.c: what an exec learned of a program file (exec.c) */
#define UR_PROG_REAL 512
struct ur_prog {
	int untraced_static;	 /* a static program: run untraced here */
	int image;		 /* exec.c's IMAGE_ELF or IMAGE_UNKNOWN */
	int caps;		 /* file capabilities: 1 none (else not kept) */
	char real[UR_PROG_REAL]; /* its real path, or "" */
};
HIDDEN bool ur_prog_get(const char *path, const struct stat *lst,
			struct ur_prog *out);
HIDDEN void ur_prog_put(const char *path, const struct stat *lst,
			const struct ur_prog *in);
/* before the first fork: the entries made, and their pages as a run */
HIDDEN void ur_prog_share(struct ur_code_run *run);
HIDDEN void ur_prog_root_changed(void); /* chroot, pivot_root */

/* exec.c: whether an unroot-ptrace traces this process (TracerPid) */
HIDDEN bool ur_under_helper(void);
/* exec.c: this process set up an io_uring, whose submissions pass every
 * wrapper: an "untraced" record of its program (why "io_uring"), once a
 * process */
HIDDEN void ur_note_io_uring(void);

/* handover.c: the exec's side and the new image's */
HIDDEN bool ur_handover_text(char *out, size_t cap, long pid,
			     const char *execfn, const char *exe);
HIDDEN void ur_handover_take(void);
/* proc.c: the once-per-namespace-and-root claims an exec hands over */
HIDDEN bool ur_claims_made(unsigned long long ns, unsigned long long dev,
			   unsigned long long ino);
HIDDEN void ur_claims_handed(unsigned long long ns, unsigned long long dev,
			     unsigned long long ino);
HIDDEN const char *ur_handover_exe(void);

/*
 * known.c: path states and descriptor paths this process knows already
 * (an lstat's answer or its own calls' effects), believed for 100 ms
 */
#define KNOWN_TTL_NS (100 * 1000 * 1000LL)
HIDDEN uint64_t ur_hash_path(const char *s, size_t n); /* never 0 */
HIDDEN void ur_known_tick(void); /* an event starts: read the clock once */
HIDDEN bool ur_known_get(uint64_t key, struct stat *st, bool *present);
HIDDEN void ur_known_put(uint64_t key, const struct stat *st, bool present);
/* The state of path (hashed to key): known already, else from lstat, and
 * remembered; true when it exists. */
HIDDEN bool ur_known_state(const char *path, uint64_t key, struct stat *st);
/* The state of the directory dir, where a call makes or removes a name:
 * as ur_known_state, but a symlink's target (/var/run is /run, whose mode
 * the kernel checks), never the link itself (lstat's mode 0777). */
HIDDEN bool ur_parent_state(const char *dir, uint64_t key, struct stat *st);
/* The same rule on a state lstat gave (present: dir exists): a symlink is
 * replaced by its target's state.  No table: a vfork child uses it. */
HIDDEN bool ur_dir_beyond_link(const char *dir, struct stat *st, bool present);
HIDDEN void ur_known_forget(uint64_t key);
HIDDEN void ur_known_forget_all(void); /* a child finished, a dir moved */
/* a stamp taken now; whether what was stamped so is still believed */
HIDDEN void ur_known_stamp(unsigned *gen, long long *stamp);
HIDDEN bool ur_known_fresh(unsigned gen, long long stamp);
HIDDEN bool ur_fd_path(int fd, char *out, size_t cap);
HIDDEN bool ur_fd_path_stat(int fd, char *out, size_t cap, struct stat *st,
			    bool *has_st);
HIDDEN void ur_known_opened(int fd, const char *fd_path, uint64_t state_key);
HIDDEN void ur_known_fd_moved(const char *path);
/* after a chmod or chown of key whose state was before: what it is now */
HIDDEN void ur_known_attrs(uint64_t key, const struct stat *before, int mode,
			   long uid, long gid);
/*
 * Descriptor trust (known.c): every call that may close or replace a
 * descriptor (fd, or -1 for any) is bracketed by closing_begin/end;
 * untrust ends trust for good; a wrapped open takes a snapshot before it
 * (ur_fd_take ... ur_fd_taken around the whole) and passes it to the entry
 * its record makes (ur_fd_opening, which returns the outer one).
 */
HIDDEN bool ur_fd_closing_begin(int fd);
HIDDEN void ur_fd_closing_end(bool counted);
HIDDEN void ur_fd_untrust(void);
HIDDEN unsigned long ur_fd_take(void);
HIDDEN void ur_fd_taken(void);
HIDDEN unsigned long ur_fd_opening(unsigned long closes);

/*
 * cwd.c: the working directory and the root, remembered.  Every call that
 * may change them is bracketed by ur_cwd_changing/ur_cwd_changed with how
 * it may (CWD_CHANGES; CWD_NEW_ROOT: the root too; or CWD_DIVERGES: from
 * now on another process or thread may have a cwd of its own while
 * sharing this memory, or share the cwd without it: nothing is remembered
 * for the rest of the image).
 */
enum cwd_how { CWD_KEEPS, CWD_CHANGES, CWD_NEW_ROOT, CWD_DIVERGES };
HIDDEN bool ur_cwd(char *out, size_t cap); /* false: unknown */
HIDDEN void ur_cwd_changing(enum cwd_how how);
HIDDEN void ur_cwd_changed(enum cwd_how how);
HIDDEN void ur_cwd_forget(void); /* a forked child, a removed directory */
/* the root's device and inode: false when not known; a look at it is
 * remembered with the stamp taken before it */
HIDDEN bool ur_root_recall(unsigned long long *dev, unsigned long long *ino);
HIDDEN unsigned long ur_root_stamp(void);
HIDDEN void ur_root_remember(unsigned long stamp, unsigned long long dev,
			     unsigned long long ino);

/* sys.c: raw system calls; the tracer's own I/O never goes through a
 * wrapper */
HIDDEN long ur_sys_open(const char *path, int flags, int mode);
HIDDEN long ur_sys_openat(int dirfd, const char *path, int flags, int mode);
HIDDEN long ur_sys_close(int fd);
HIDDEN long ur_sys_read(int fd, void *buf, size_t n);
HIDDEN long ur_sys_write(int fd, const void *buf, size_t n);
HIDDEN long ur_sys_lstat(const char *path, struct stat *st);
HIDDEN long ur_sys_stat(const char *path, struct stat *st);
HIDDEN long ur_sys_fstat(int fd, struct stat *st);
HIDDEN long ur_sys_readlink(const char *path, char *buf, size_t n);
HIDDEN long ur_sys_getpid(void);
HIDDEN size_t ur_read_file(const char *path, char *buf, size_t cap);
HIDDEN long ur_sys_proc_open(const char *tail);
HIDDEN long ur_sys_proc_readlink(const char *tail, char *buf, size_t n);
HIDDEN size_t ur_read_proc(const char *tail, char *buf, size_t cap);

/* python.c: Python call sites of events in CPython processes */
HIDDEN void ur_python_init(void);
HIDDEN void ur_python_site(struct jbuf *j, const struct call *c,
			   const char *abs_path);

/* pyline.c: a thread's remembered lines of Python frames, under what
 * decides them: the code's line table (length and hash), its first line
 * and the frame's instruction offset.  UR_PYLINE_SETS sets of
 * UR_PYLINE_WAYS slots each; a slot's use is the memo's clock at its last
 * hit or keep, 0 while it is empty. */
#define UR_PYLINE_SETS 32
#define UR_PYLINE_WAYS 4
struct ur_pyline_key {
	long table_hash, table_len, first, lasti;
};
struct ur_pyline_slot {
	struct ur_pyline_key key;
	int line;
	unsigned use;
};
struct ur_pyline_memo {
	unsigned clock;
	struct ur_pyline_slot slot[UR_PYLINE_SETS][UR_PYLINE_WAYS];
};
HIDDEN unsigned ur_pyline_set(const struct ur_pyline_key *k);
HIDDEN bool ur_pyline_find(struct ur_pyline_memo *m,
			   const struct ur_pyline_key *k, int *line);
HIDDEN void ur_pyline_keep(struct ur_pyline_memo *m,
			   const struct ur_pyline_key *k, int line);

#endif
