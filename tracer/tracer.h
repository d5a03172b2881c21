/*
 * tracer.h - what the parts of unroot-ptrace share: the system-call table
 * (syscalls.def), the tables of tracees (state.c), reading a tracee's
 * memory and /proc entries (tracee.c), decoding a call (decode.c), the
 * records (record.c) and their files, one per process image (image.c), what
 * an exec started (exec.c), the seccomp filter (filter.c), the init shims
 * run untraced (shim.c) and the ptrace loop (loop.c).
 *
 * The helper reuses the preload's description of a call (struct call), its
 * JSON encoder (encode.c), path normalisation (path.c), raw system calls
 * (sys.c) and path hash (known.c), compiled in from preload/ unchanged.
 * x86_64 only: system-call numbers, registers and the audit arch are.
 */
#ifndef UNROOT_TRACER_H
#define UNROOT_TRACER_H

#if !defined(__x86_64__)
#error "unroot-ptrace decodes x86_64 system calls only"
#endif

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/user.h>

#include "elfkind.h"
#include "unroot.h"

/* Numbers newer than some C libraries' headers (x86_64). */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#endif
#ifndef SYS_removexattrat
#define SYS_removexattrat 464
#endif

/* The value of "tracer" in the records this helper writes (SCHEMA.md). */
#define TRACER_NAME TRACER_PTRACE

enum sys_class {
	SC_W, /* traced and recorded always */
	SC_O, /* open family: traced when the flags write, or with --reads */
	SC_P, /* --reads: recorded when denied */
	SC_X, /* exec family */
	SC_C, /* set*id: ids re-read after the call, a priv record when refused
	       */
	SC_V, /* privileged (chroot): a priv record when refused */
};

enum sys_extra {
	SX_NONE,
	SX_OPEN,      /* op is read or open by the flags */
	SX_CREAT,     /* open(O_CREAT|O_WRONLY|O_TRUNC) */
	SX_OPENAT2,   /* flags and mode in a struct open_how */
	SX_UNLINKAT,  /* AT_REMOVEDIR makes it rmdir */
	SX_NOFOLLOW,  /* does not follow a final symlink */
	SX_EMPTYPATH, /* a NULL or AT_EMPTY_PATH "" path names dirfd itself */
	SX_SOCK,      /* a sockaddr: recorded only for unix socket paths */
	SX_EXEC,      /* argv[0] */
};

struct sysdesc {
	const char *name;
	int nr;
	enum sys_class cls;
	enum unroot_op op;
	signed char dirfd, path, dirfd2, path2, text2, fd, mode, owner, flags;
	enum flag_kind fk;
	enum sys_extra extra;
};

/* syscalls.def as an array; the entry for a number, or NULL */
extern const struct sysdesc tr_sys[];
extern const int tr_nsys;
const struct sysdesc *tr_sys_find(long nr);

/* ---- settings (main.c) ---- */
struct settings {
	bool reads; /* --reads or "reads" in UNROOT_FLAGS */
	bool argv;  /* "argv" in UNROOT_FLAGS */
	char logdir[PATH_MAX];
};
extern struct settings tr_set;

/* ---- filter.c ---- */
/* Install the filter in the calling process (no-new-privs first); 0 or an
 * errno value.  floor: without the exec family (--filter-only, main.c). */
int tr_filter_install(bool reads, bool floor);

/* ---- state.c: process images and threads ---- */
struct image {
	pid_t pid;
	int threads;  /* threads that point at it */
	bool record;  /* false: the helper itself, or a preloaded image */
	bool started; /* its file exists and holds its proc record */
	bool failed;  /* no file could be made: records are counted lost */
	bool ended;   /* its "end" record is written */
	int exiting;  /* threads that reported PTRACE_EVENT_EXIT */
	int fd;	      /* its log file, or -1 (reopened per record) */
	char file[PATH_MAX + 64];
	long lost;
	uid_t euid; /* as its proc record says */
	gid_t egid;
	int memfd;	    /* /proc/PID/mem, or -1 */
	char exe[PATH_MAX]; /* the program when /proc/PID/exe is closed to
			       the tracer (tr_exec_image), else "" */
	uint64_t *dirs;	    /* hashes of the dirs described ("dir" records) */
	size_t ndirs, capdirs;
};

/* One call as decoded at its entry (decode.c, resolve.c). */
struct pending {
	struct call c; /* the preload's description of a call */
	char path[PATH_MAX], path2[PATH_MAX], text2[PATH_MAX];
	char argv0[PATH_MAX];
	char abs[UR_PATH_MAX], abs2[UR_PATH_MAX], parent[UR_PATH_MAX];
	struct stat st, st2, pst;
	bool has_st, has_st2, has_pst;
	char real[UR_PATH_MAX]; /* where the call lands, when has_real */
	bool has_real;	  /* a symlink moves it (a directory alias, or the final
			     link the call follows) */
	bool skip;	  /* not an ev record (bind of a non-unix socket) */
	bool net;	  /* an inet bind: a "net" record of addr and port */
	char addr[48];	  /* its address, as inet_ntop writes it */
	unsigned port;	  /* its port, in host order */
	char nopath[160]; /* "path unknown: why", or "" */
};

struct thread {
	pid_t tid;
	struct image *img;
	uid_t euid;
	gid_t egid;
	bool in_call;	/* between the seccomp stop and the exit stop */
	bool exec_done; /* its exec succeeded (PTRACE_EVENT_EXEC) */
	bool described; /* p holds the call, decoded at its entry */
	const struct sysdesc *d;
	unsigned long long args[6];
	struct pending *p; /* decoded at entry (recorded-always calls) */
};

struct thread *tr_thread_get(pid_t tid);	     /* NULL when unknown */
struct thread *tr_thread_add(pid_t tid, pid_t tgid); /* new or known */
void tr_thread_drop(struct thread *t);
/* t is known by newtid from now on (an exec in a non-leader thread) */
void tr_thread_rekey(struct thread *t, pid_t newtid);
/* t's image is img from now on (an exec: a new image) */
void tr_thread_set_image(struct thread *t, struct image *img);
struct image *tr_image_new(pid_t pid, bool record);
void tr_image_put(struct image *img); /* a thread left it */
int tr_thread_count(void);
bool tr_dir_first_seen(struct image *img, uint64_t key);

/* ---- tracee.c: reading a tracee ---- */
/* A NUL-terminated string at addr; its length, or -errno. */
long tr_read_str(struct image *img, pid_t tid, unsigned long long addr,
		 char *buf, size_t cap);
/* n bytes at addr; 0 or -errno. */
int tr_read_mem(struct image *img, pid_t tid, unsigned long long addr,
		void *buf, size_t n);
void tr_mem_close(struct image *img);
/* readlink of /proc/PID/<what> into out (NUL-terminated); 0 or -errno */
int tr_proc_link(pid_t pid, const char *what, char *out, size_t cap);
/* a /proc/PID/<what> file into buf (NUL-terminated); length or -errno */
long tr_proc_file(pid_t pid, const char *what, char *buf, size_t cap);
/* effective and real ids, groups from /proc/TID/status; 0 or -errno */
struct ids {
	uid_t uid, euid;
	gid_t gid, egid;
	pid_t ppid, tgid;
	int ngroups;
	gid_t groups[256];
};
int tr_read_ids(pid_t tid, struct ids *ids);

/* ---- decode.c: one traced call ---- */
/* At the seccomp stop: what to do at the exit stop (true: stop there). */
bool tr_call_entry(struct thread *t, const struct user_regs_struct *r);
/* At the exit stop: record the call with its result. */
void tr_call_exit(struct thread *t, long ret);
/* Whether tr_call_exit with ret reads the tracee's memory (a refused
 * probe, chroot or setgroups is decoded at its exit): the tracee must
 * stay stopped until it has. */
bool tr_call_exit_reads(const struct thread *t, long ret);

/* ---- resolve.c: absolute paths and the states before the call ---- */
void tr_resolve(struct thread *t, struct pending *p);
/* after a successful call: what it changed (the states remembered) */
void tr_learn(const struct pending *p);
/* p->nopath = "path unknown: what (ERRNO)", unless a reason is there */
void tr_nopath(struct pending *p, const char *what, int err);

/* ---- image.c: one log file per process image ---- */
/* Write one record into img's file, starting it (and its proc record)
 * first; counts the record lost when it cannot be written. */
void tr_image_write(struct image *img, const char *buf, size_t len);
void tr_image_start(struct image *img);
/* End the record in j and write it; counted lost when it overflowed. */
void tr_image_record(struct image *img, struct jbuf *j);
void tr_image_end(struct image *img); /* "end" record, at a normal exit */

/* ---- world.c: "mount", "os", "user", "group" (preload/proc.c) ---- */
void tr_world_records(struct image *img);

/* ---- record.c ---- */
/* A call only privilege allows, refused with EPERM: its "priv" record
 * (SCHEMA.md); path: chroot's, made absolute, else NULL for the ids. */
void tr_record_priv(struct thread *t, const char *path);
/* the "net" record of an inet bind (p->addr, p->port), as the preload's */
void tr_record_net(struct thread *t, const struct pending *p, long ret,
		   int err);
void tr_record_event(struct thread *t, const struct pending *p, long ret,
		     int err);
void tr_record_dir(struct image *img, const char *path, size_t n);
void tr_record_untraced(struct image *img, pid_t pid, const char *path,
			const char *why);

/* ---- exec.c: the image an exec just started ---- */
/* The program an exec started, found once per exec: the file to open or
 * stat ("" when none is known) and its ELF kind. */
struct exec_image {
	char file[UR_PATH_MAX];
	enum ur_elf_kind kind;
};
/* The file is /proc/PID/exe, else (closed to this tracer) the path t's
 * exec call named (decoded at the call, else AT_EXECFN), or the
 * interpreter that file names as a script. */
void tr_exec_image(const struct thread *t, struct exec_image *x);
/* Is the program that t just exec'd preloaded (the preload records it
 * itself), and why it runs without privilege or untraced (NULL: neither).
 */
bool tr_exec_preloaded(const struct thread *t, const struct exec_image *x);
enum ur_elf_kind tr_file_kind(const char *path);
const char *tr_exec_untraced_why(const struct exec_image *x, uid_t euid,
				 gid_t egid);

/* ---- shim.c: static init shims ---- */
/* For an init shim (tini, dumb-init, catatonit) at path whose command
 * argv names with certainty: argv with `helper [--reads] --if-static --`
 * before the command (allocated); else NULL. */
char **tr_shim_argv(const char *path, char **argv, const char *helper,
		    bool reads);

/* ---- loop.c ---- */
/* Trace until the last tracee is gone; the status of root (wait status). */
int tr_loop(pid_t root);

#endif
