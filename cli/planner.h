/*
 * planner.h - the permission replay and the choice of grants.
 *
 * The planner is fed what a trace holds (processes, mounts, image users and
 * groups, ancestor directory states, untraced programs, then every event in
 * time order) and replays each operation under the target user's uid/gid
 * with the Linux permission rules of docs/permission-model.md.  Every
 * operation the user would be denied becomes a need; planner_finish() turns
 * the needs into the least grants (join a service's group, make a directory
 * searchable, pre-create a name, own a directory, own a file, recursive
 * ownership), redirects from the known-writers catalogue, build-time fixes,
 * host-side fixes for mounts and tmpfs mounts for a read-only root.
 * Nothing here reads files, so it is tested with events built in memory.
 * It is implemented in planner.c and the plan_*.c files, one concern each,
 * behind plan_private.h.
 *
 * The output side (plan_render, plan_load) is implemented in cmd_plan.c and
 * shared with `unroot apply`.
 */
#ifndef UNROOT_PLANNER_H
#define UNROOT_PLANNER_H

#include <stdbool.h>
#include <stddef.h>

#include "trace.h"
#include "util.h"
#include "writers.h"

struct plan_options {
	const char *user;  /* default "nonroot" */
	unsigned uid, gid; /* default 1001, gid = uid */
	bool user_given, uid_given, gid_given;
	bool openshift;		 /* chgrp 0 + chmod g=u instead of chown */
	bool no_shell;		 /* the image has no /bin/sh (distroless) */
	bool read_only;		 /* plan for a read-only root file system */
	unsigned tree_threshold; /* files rewritten in one tree before chown -R
				    (8) */
	const struct writers *writers; /* the catalogue, may be NULL */
};

void plan_options_init(struct plan_options *o);

enum grant_kind {
	GRANT_MKDIR,	/* pre-create a directory owned by the user */
	GRANT_TOUCH,	/* pre-create a file owned by the user */
	GRANT_OWN_DIR,	/* own an existing directory */
	GRANT_OWN_FILE, /* own an existing file */
	GRANT_OWN_TREE, /* chown -R: many existing files rewritten below */
	GRANT_SEARCH, /* chmod o+x: a directory on the way is not searchable */
	GRANT_GROUP,  /* join a service's group (path: the group's name) */
	GRANT_READ,   /* chgrp to the user's group, chmod g+r: root's file only
			 root could read */
	GRANT_BUILD,  /* a build-time command (compileall, fc-cache) */
};

/* What needed a line: shown as its comment, and listed in json. */
struct evidence {
	char *program; /* basename of the executable ("" when unknown) */
	char *op;      /* "open(O_WRONLY|O_CREAT)" */
	char *path;    /* as recorded */
	char *frame;   /* first stack frame outside libc/libunroot, or NULL */
	char *
	    py; /* Python site: library frame and package (pysite.h), or NULL */
	char *errname; /* recorded errno when the event was a denial, or NULL */
	int pid;
	bool unseen; /* seen only in the container's changes (no event) */
};

struct grant {
	enum grant_kind kind;
	char *path;    /* the path the command changes */
	char *command; /* GRANT_BUILD: the shell command (paths quoted for sh);
			  GRANT_GROUP: the membership command, for display */
	char **build_args; /* GRANT_BUILD: argv-like words, NULL-terminated,
			      unquoted */
	char *why; /* a sentence: why this grant and not a smaller one */
	struct evidence ev;
	long nevents;	  /* events it covers */
	bool shared_dir;  /* owning a shared system directory: warned */
	bool alternative; /* not applied: shown as the alternative to a redirect
			   */
	const struct writer *writer; /* catalogue entry matched, or NULL */
	const struct writer *hint;   /* matched on an evidence path it covers
					(a pruned name, a name in the dir): its
					own option is noted, never redirected */
	struct file_state
	    owner_state; /* image state of what decides (file or parent) */
	unsigned gid;	 /* GRANT_GROUP: the group joined */
};

struct redirect {
	char *var, *value;
	char *dir; /* directory to create, owned by the user, or NULL */
	const struct writer *writer;
	struct evidence ev;
};

/* A write below a bind mount or volume: fixed on the host, not the image. */
struct host_fix {
	char *mount;   /* mount point in the container */
	char *hostdir; /* source directory on the host, when known */
	char *volume;  /* a named volume's name, else NULL */
	bool ro;       /* the mount is read-only: the user's data, reported */
	size_t root_made;   /* entries root's processes created in it */
	char *root_example; /* the first of them, or NULL */
	struct evidence ev;
};

/* A tmpfs / emptyDir for a read-only root.  A plain one (seed false)
 * never holds files shipped in the image.  A directory that holds them and
 * is written at run time, where the program has no option of its own to
 * write elsewhere, is seeded: its volume must start with the image's
 * content (Docker's anonymous volume copies it; a Kubernetes emptyDir
 * needs an init step that copies it, render_k8s.c). */
struct tmpfs_fix {
	char *dir;
	bool seed;
	bool unread; /* plain, on a directory of the image, from a trace
			without reads: whether it holds files the workload
			reads is not known */
	bool volume; /* every write it holds lands in an anonymous volume
			of the traced run (the image's VOLUME): Docker
			mounts one there, writable with --read-only, which
			a tmpfs would replace; Kubernetes mounts nothing */
	struct evidence ev;
};

/* A Dockerfile VOLUME (an anonymous volume of the traced run) holding
 * files of the image that the workload read or wrote: Docker fills a new
 * volume with them, a Kubernetes volume starts empty (the init step of a
 * seeded mount, render_k8s.c, copies them). */
struct image_volume {
	char *dir;
	struct evidence ev; /* the first use of such a file */
};

/* An inet port the workload bound (plan_ports.c): below 1024 a non-root
 * user needs net.ipv4.ip_unprivileged_port_start at or below it. */
struct port_bind {
	unsigned port;
	char *addr;    /* as recorded: "0.0.0.0", "::1" */
	bool loopback; /* every bind of it was to a loopback address */
	struct evidence ev;
};

/* A path its writer only tries first (writer->fallback says where it
 * goes on). */
struct fallback {
	char *path;
	const struct writer *writer;
};

/* Something that cannot be granted safely, said plainly. */
struct refusal {
	char *path;
	char *why;
	struct evidence ev;
};

struct plan {
	char *user, *group, *home;
	unsigned uid, gid;
	bool create_user, create_group, needs_home;
	bool service_user; /* runs as a service user of the image, chosen
			      because it needs fewer grants than a new
			      user (plan_service_user.c) */
	bool alpine, no_shell, openshift;
	char **warnings; /* top of the output: untraced programs, ... */
	size_t nwarnings;
	char **notes; /* advice: service users, program options */
	size_t nnotes;
	struct grant *grants;
	size_t ngrants;
	struct redirect *redirects;
	size_t nredirects;
	struct host_fix *host;
	size_t nhost;
	struct tmpfs_fix *tmpfs;
	size_t ntmpfs;
	struct image_volume *image_volumes;
	size_t nimage_volumes;
	struct refusal *refused;
	size_t nrefused;
	/* paths a catalogue writer tries first and goes on from when refused,
	 * to a fallback the plan provides (fontconfig's system cache, with
	 * its build step planned): harden sets aside denials below them */
	struct fallback *fallbacks;
	size_t nfallbacks;
	struct port_bind *ports; /* each port once, in the order bound */
	size_t nports;
	unsigned low_port; /* the lowest port below 1024 bound, 0 when none */
	size_t nprivs;	   /* calls only privilege allows, refused (noted) */
};

struct planner;

struct planner *planner_new(const struct plan_options *o);
void planner_add_proc(struct planner *p, const struct trace_proc *proc);
void planner_add_mount(struct planner *p, const struct trace_mount *m);
/* A docker bind from trace.json (authoritative over the mount table: its
 * host is the -v source); volume: a named volume's name, "" for an
 * anonymous one, NULL for a bind mount. */
void planner_add_bind(struct planner *p, const char *container,
		      const char *host, const char *volume, bool ro);
void planner_add_user(struct planner *p, const struct trace_user *u);
void planner_add_group(struct planner *p, const struct trace_group *g);
void planner_add_os(struct planner *p, const struct trace_os *os);
/* The host name docker gave a run (trace.json "hostname"): a name that
 * holds it is another in the next run, as a pid is. */
void planner_add_hostname(struct planner *p, const char *name);
/* No trace fed to the planner recorded the reads that succeeded (each
 * said so in its trace.json): with --read-only, a directory is known to
 * hold the image's files only from what was written or run there. */
void planner_reads_unrecorded(struct planner *p);
void planner_add_dir(struct planner *p, const struct trace_dir *d);
void planner_add_untraced(struct planner *p, const struct trace_untraced *u);
/* A call only privilege allows, refused: counted and advised on. */
void planner_add_priv(struct planner *p, const struct trace_priv *v);
/* An inet bind: its port is listed, and one below 1024 advised on. */
void planner_add_net(struct planner *p, const struct trace_net *n);
/* Events must come in time order (as trace_each_event gives them). */
void planner_add_event(struct planner *p, const struct trace_event *ev);
/* After the events: a change of the container's layer that no event
 * explains, planned as the write it implies when its directory's state is
 * known (its evidence marked unseen), else named in a note. */
void planner_add_unseen(struct planner *p, const struct trace_unseen *u);
/* Consumes the planner. */
struct plan *planner_finish(struct planner *p);
/*
 * A check that ev is, refused: an access() asking for write access to a
 * path no plan grants (the root directory, system code, /etc ...: every
 * user but root is told no, as `test -w /` tells a script it is not
 * root).  What the planner says of it instead of a refusal; NULL when ev
 * is not such a check.  harden does not count it among a run's denials.
 */
const char *plan_root_check(const struct trace_event *ev);
/* Why a write of path (a directory when dir) is never granted, whatever
 * the trace (system code, the kernel's interface, the system's
 * configuration: the protected paths of docs/permission-model.md), or
 * NULL when a grant could be given there (an application's directory of
 * /etc, and what is below it, included). */
const char *plan_never_granted(const char *path, bool dir);
/* The refusal of path, else of a directory that holds it (the first
 * listed), or NULL. */
const struct refusal *plan_refusal_holding(const struct plan *plan,
					   const char *path);
/* The fallback (plan->fallbacks) whose path is path or holds it, or
 * NULL. */
const struct fallback *plan_fallback_holding(const struct plan *plan,
					     const char *path);
/* The planned tmpfs that holds path (the innermost: a volume's mount
 * nests in a parent's), or NULL. */
const struct tmpfs_fix *plan_tmpfs_holding(const struct plan *plan,
					   const char *path);
void plan_free(struct plan *plan);

const char *grant_kind_name(enum grant_kind k);

#endif
