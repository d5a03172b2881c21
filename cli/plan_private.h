/*
 * plan_private.h - the planner's own header: included by planner.c and the
 * cli/plan_*.c files only, never by a command or a test (they use
 * planner.h).
 *
 * The planner's state is one struct planner made of parts; each part is
 * owned by one file, which alone changes it.  Other files call the
 * functions declared below under its heading, and read its fields only
 * where the part's comment says so:
 *
 *   planner.c           options, the image's OS, the plan being built
 *                       (warnings, notes, refusals), evidence, the
 *                       lifecycle (planner_new, planner_finish)
 *   plan_vfs.c          struct plan_vfs: the replay's file system
 *   plan_identity.c     struct plan_identity: who the user is, the image's
 *                       users and groups, the permission checks
 *   plan_needs.c        struct plan_needs: what the user was denied
 *   plan_replay.c       struct plan_replay: the replay of one operation
 *   plan_route.c        (no state) where an event goes
 *   plan_catalogue.c    struct plan_catalogue: the known-writers catalogue,
 *                       redirects, HOME writes and code writes
 *   plan_grants.c       struct plan_grants: the grant table and the choice
 *                       of a grant for each need
 *   plan_refine.c       (no state) tree collapse, pruning, hints, vetting
 *   plan_mounts.c       struct plan_mounts: volumes, host fixes, the
 *                       directories that hold the image's files
 *   plan_readonly.c     (struct plan_mounts' writes) the tmpfs mounts
 *                       of a read-only root
 *   plan_service_user.c (no state) running as a service user instead
 *   plan_ports.c        (no state) the plan's inet ports, port advice
 *   plan_stable.c       struct plan_stable: names that exist for one run
 *                       (temporary names, pids) and root's own names
 *
 * One exception to "the owner alone changes it": the node vnode_at()
 * returns is the replay's to update, so plan_replay.c and plan_needs.c set
 * its st in place (a name created, a directory given to the user).
 *
 * The rules the replay applies and the grants it chooses are described
 * in docs/permission-model.md.
 */
#ifndef UNROOT_PLAN_PRIVATE_H
#define UNROOT_PLAN_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "map.h"
#include "planner.h"
#include "realdirs.h"
#include "tempname.h"

/* Append to a growing array: the new element, by reference. */
#define PUSH(arr, n, cap) \
	(*((arr) = xgrow((arr), &(cap), (n) + 1, sizeof *(arr)), &(arr)[(n)++]))

/* ---- the plan being built (planner.c) --------------------------------- */

/* Add a warning (top of the output) or a note (advice), once: msg is
 * consumed. */
void plan_warn(struct planner *p, char *msg);
void plan_note(struct planner *p, char *msg);
/* The plan's user, group, home, ids and creation flags are the
 * identity's (again, when it changed). */
void plan_take_user(struct planner *p);
/* Append s to the string vector *v of *n elements. */
void add_string(char ***v, size_t *n, char *s);
/* Whether path was refused already; marks it refused when it was not. */
bool refused_before(struct planner *p, const char *path);
/* Append a refusal of path (why is consumed); the caller fills its ev. */
struct refusal *plan_refusal(struct planner *p, const char *path, char *why);
/* A refusal of path for ev, once per path (why is consumed). */
void add_refusal(struct planner *p, const char *path, char *why,
		 const struct trace_event *ev);

/* The fn of the events planner_add_unseen() makes: their evidence is
 * marked seen only in the container's changes. */
#define PLAN_FN_UNSEEN "(container layer)"

/* The evidence of an event: what is shown as a line's comment. */
const char *program_of(const struct trace_event *ev);
/* The names a catalogue's exes may know ev's program by (allocated): its
 * executable's, and the name it was run as when that differs, joined by
 * '/' (Debian's /usr/bin/uwsgi is a link to uwsgi-core; a busybox
 * applet), and "python" when the call has a Python call site. */
char *program_names(const struct trace_event *ev);
void evidence_from(struct evidence *e, const struct trace_event *ev);
void evidence_copy(struct evidence *dst, const struct evidence *src);
void evidence_free(struct evidence *e);

/* ---- the replay's file system (plan_vfs.c) ---------------------------- */

/*
 * Every path the replay has touched is a node, reachable by hash and
 * linked into a tree under its parent, so that a rename moves a subtree
 * without looking at anything else.  Ancestors are created as structural
 * nodes (live == false): for the replay they do not exist yet.  One node
 * per distinct path, never freed before the planner.
 */
struct vnode {
	const char *path; /* the key of its slot in the table */
	struct vnode *parent, *child, *sibling;
	struct file_state st;
	bool live; /* touched by the replay: st is its state */
};

struct plan_vfs {
	struct map nodes; /* path -> struct vnode * */
	struct map dirs;  /* path -> struct file_state (ancestor records) */
	struct realdirs real_dirs; /* symlinked directories (realdirs.h) */
};

/* The state the trace records for the directory path (a `dir` record),
 * or NULL. */
const struct file_state *dir_record(struct planner *p, const char *path);

/* The state of path: the replay's when it touched it, else recorded (when
 * known), else its ancestor `dir` record, else unknown.  state_at_h takes
 * path's length and map_hash(). */
struct file_state state_at(struct planner *p, const char *path,
			   const struct file_state *recorded);
struct file_state state_at_h(struct planner *p, const char *path, size_t len,
			     size_t h, const struct file_state *recorded);
/* The replay's node of path, or NULL when it has not touched it. */
struct vnode *vfs_get(struct planner *p, const char *path);
/* The live node of path, made live with state_at() when first touched. */
struct vnode *vnode_at(struct planner *p, const char *path,
		       const struct file_state *recorded);
/* path is now the user's (created with type and mode), or absent. */
void set_created(struct planner *p, const char *path, enum file_type type,
		 unsigned mode);
void set_absent(struct planner *p, const char *path);
/* Everything known at or below from is now below to. */
void move_tree(struct planner *p, const char *from, const char *to);
void vfs_free(struct plan_vfs *vfs);

/* ---- who the user is (plan_identity.c) -------------------------------- */

/* uid, gid, user and home are read by every part that decides for the
 * user; users by plan_service_user.c (its candidates). */
struct plan_identity {
	bool done; /* resolve_identity() ran */
	unsigned uid, gid;
	unsigned *groups; /* every gid the user has: primary first */
	size_t ngroups;
	char *user, *group, *home;
	bool create_user, create_group;
	struct trace_user *users; /* the image's, as the trace gives them */
	size_t nusers, capusers;
	struct trace_group *grps;
	size_t ngrps, capgrps;
};

/* Choose the user (o.user / o.uid, reused when the image has it) and its
 * groups; the first call does it, later ones return. */
void resolve_identity(struct planner *p);
/* Become u, a user of the image: its uid, gid, home and primary group. */
void become_user(struct planner *p, const struct trace_user *u);
const struct trace_user *user_by_uid(struct planner *p, unsigned uid);
const struct trace_group *group_by_gid(struct planner *p, unsigned gid);
/* The user joins gid (nothing when it has it already). */
void add_group_id(struct planner *p, unsigned gid);
/* Whether gid, the group the user runs with (root's under OpenShift), is
 * the user's alone in the image: no other member, no other user's primary
 * group (root reads everything and does not count). */
bool group_is_users(struct planner *p, unsigned gid, const char *user);
/* A group of the image that is a service's own, or NULL (root's, the
 * privileged ones, any under OpenShift). */
const struct trace_group *service_group(struct planner *p, unsigned gid);
bool in_groups(const struct planner *p, unsigned gid);
/* The user may do want (4 read, 2 write, 1 search/execute, or-ed) on st;
 * an unknown or absent state permits. */
bool may(const struct planner *p, const struct file_state *st, unsigned want);
/* The user owns st (or its state is unknown). */
bool owns(const struct planner *p, const struct file_state *st);
void identity_free(struct plan_identity *id);

/* ---- needs (plan_needs.c) --------------------------------------------- */

/* NEED_READ: a read, search or execute the user is denied and no group
 * membership permits (refused); NEED_GROUP: a service's group the user
 * joins (path: the group's name, image: the state it opened). */
enum need_kind {
	NEED_CREATE,
	NEED_DIR,
	NEED_FILE,
	NEED_SEARCH,
	NEED_READ,
	NEED_GROUP,
	NEED__COUNT
};

struct need {
	enum need_kind kind;
	char *path;
	enum file_type type;	 /* what was created, or the type owned */
	struct file_state image; /* state in the image (NEED_DIR/FILE/SEARCH) */
	bool excl;		 /* created exclusively or not a plain file */
	bool removed;		 /* removed, renamed away or over afterwards */
	bool made;		 /* NEED_CREATE: a create of it succeeded */
	unsigned want;		 /* NEED_READ: 4 read, 1 search/execute */
	unsigned gid;		 /* NEED_GROUP: the group */
	struct evidence ev;
	long count;
	const struct writer *writer;
	char *reason; /* set when a create became a dir grant */
};

/* v[0..n), in the order the needs arose, is read by plan_grants.c,
 * plan_refine.c and plan_service_user.c. */
struct plan_needs {
	struct map idx[NEED__COUNT]; /* per kind: path -> index + 1 */
	struct need *v;
	size_t n, cap;
	struct strset gone; /* names an unlink or rmdir found absent */
};

struct need *need_find(struct planner *p, enum need_kind k, const char *path);
/* The user needs to own dir (create or remove names in it), to own path,
 * or to create path (type; excl: exclusively or not a plain file) in a
 * directory in state parent.  w: the catalogue's writer, or NULL. */
void need_dir(struct planner *p, const char *dir,
	      const struct file_state *recorded, const struct trace_event *ev,
	      const struct writer *w);
void need_file(struct planner *p, const char *path,
	       const struct file_state *recorded, const struct trace_event *ev,
	       const struct writer *w);
void need_create(struct planner *p, const char *path, enum file_type type,
		 bool excl, const struct trace_event *ev,
		 const struct writer *w, const struct file_state *parent);
/* A need to create path turns out to be removed or replaced later. */
void mark_removed(struct planner *p, const char *path);
/* An unlink or rmdir of path failed with ENOENT: the workload removes the
 * name whenever it is there (coverage erases .coverage before it writes
 * it), so a name pre-created for it would be removed too, which only the
 * owner of its directory may do. */
void note_remove_attempt(struct planner *p, const char *path);
/* Denied want on st: true when a service's group permits it and the user
 * joins that group (a NEED_GROUP). */
bool try_join(struct planner *p, const struct file_state *st, unsigned want,
	      const struct trace_event *ev);
/* A read, listing, search or execute that no group membership permits. */
void need_read(struct planner *p, const char *path, const struct file_state *st,
	       unsigned want, const struct trace_event *ev);
/* Search denied on dir: a group, a refused read, or chmod o+x. */
void search_denied(struct planner *p, const char *dir,
		   const struct file_state *st, const struct trace_event *ev);
void needs_free(struct plan_needs *nd);

/* ---- the replay (plan_replay.c) --------------------------------------- */

struct op_ctx {
	const struct trace_event *ev;
	const struct writer *w;
	bool denied; /* recorded as a denial: plan even if the rules permit */
};

struct chown_note;
struct check_note;
struct ro_check;
struct proc_note;

/* A chown the workload made that gives a path to another user: it fails
 * for any other non-root user, and needs nothing when run as that uid. */
struct give_away {
	char *path;
	int uid;      /* -1: only the group changes */
	bool refused; /* a refusal of path says so (not a root's note) */
};

struct plan_replay {
	struct chown_note *cn; /* chowns made as root, one per program */
	size_t ncn, capcn;
	struct check_note *ck; /* root checks, one per program and why */
	size_t nck, capck;
	struct strset checked; /* "LEN:programpath" of each root check */
	/* from traces with reads: the files read by a process that could
	 * write them, the paths written with their directories */
	struct strset read_ok, wrote;
	struct ro_check *ro; /* write checks a read-only root refused */
	size_t nro, capro;
	struct give_away *ga; /* read by plan_service_user.c */
	size_t nga, capga;
	struct proc_note *pn; /* processes' own settings, per program and
				 entry */
	size_t npn, cappn;
};

/* Replay an operation that writes nothing (what it needs of the file:
 * read, execute, search or a mere lookup), or one that writes. */
void replay_read(struct planner *p, const struct op_ctx *c);
void replay_write(struct planner *p, const struct op_ctx *c);
/* open(2) flags that write the file (an access mode other than read, or
 * O_TRUNC). */
bool open_writes(int flags);
void replay_free(struct plan_replay *r);

/* ---- notes that stand for many paths (plan_notes.c) -------------------- */

/* A chown a root program made to give ev->path away (a note, not a
 * refusal), and a refused write check plan_root_check answered with why
 * (NULL: one a run was allowed and wrote nothing after): each counted
 * under its program, and said once per program. */
void notes_chown(struct planner *p, const struct trace_event *ev);
void notes_root_check(struct planner *p, const struct trace_event *ev,
		      const char *why);
/* Each event of a trace with reads: the regular files read by a process
 * that could write them, and the paths written, for replay_read's
 * refused write checks that nothing followed. */
void replay_note_checks(struct planner *p, const struct trace_event *ev,
			bool writes);
/* A process's own setting written in /proc (/proc/PID/oom_score_adj):
 * counted under its program and the entry's name, said once for them. */
void notes_process_setting(struct planner *p, const struct trace_event *ev);
/* The plan's notes of all three: one per program (and reason, or
 * entry). */
void plan_program_notes(struct planner *p);
/* A write check (access W_OK) a read-only root refused (EROFS), or the
 * removal of a name that did not exist it refused: kept until the mounts
 * are known.  Then each one no mount covers is a note, one per program
 * and kind: mounts come from the writes the runs made, never from a check
 * (Erlang's file server asks it of each file it reads) nor from a name
 * there was nothing to remove of (jekyll's rm_f of its metadata). */
void notes_read_only_check(struct planner *p, const struct trace_event *ev);
void plan_read_only_checks(struct planner *p);
void notes_free(struct plan_replay *r);

/* ---- routing an event (plan_route.c) ---------------------------------- */

/* The HOME of the process that made ev (root's when it has none and runs
 * as root), or NULL. */
const char *home_of(const struct trace_event *ev);
/* "~/rest" when path is under home, else NULL (allocated). */
char *home_relative(const char *path, const char *home);

/* ---- the catalogue (plan_catalogue.c) --------------------------------- */

struct wpat;
struct home_write;
struct code_write;
struct attempt;

struct plan_catalogue {
	/* the catalogue, prepared for match_writer() */
	struct wpat *wpats;
	size_t nwpats;
	struct map wexe; /* program -> bool[writers->n] (exe allowed) */
	char **elibs;	 /* the libs globs of entries limited to their exes
			    (NULL-terminated, the catalogue's strings) */
	size_t nelibs, capelibs;
	struct map smemo; /* "LOGFILE\nSTACK-ID" -> its module for elibs, or
			     "" */
	struct map wmemo; /* path -> struct wmemo: match_writer's answers */
	struct home_write *hw;
	size_t nhw, caphw;
	struct map hwseen; /* home writes kept: one per rel, writer, mkdir */
	struct code_write *cw;
	size_t ncw, capcw;
	struct map cwseen;  /* code writes kept: one per path and writer */
	struct attempt *at; /* writes that failed with ENOENT */
	size_t nat, capat;
	struct map atseen;
	struct attempt
	    *made; /* writes a writer names: one per pid and writer */
	size_t nmade, capmade;
	struct map madeseen;
	struct strset refused_writers; /* ids of writers with a fallback
					  that a run was refused their path */
};

/* planner_new: index the catalogue's patterns (o.writers may be NULL). */
void prepare_writers(struct planner *p);
/* The first catalogue entry that covers path (or an ancestor) and that
 * allows program (a key of writers.h: program_names(), and a module of
 * the stack), or NULL. */
const struct writer *match_writer(struct planner *p, const char *path,
				  const char *program);
/* match_writer() for the program of ev, by all its names. */
const struct writer *match_writer_of(struct planner *p, const char *path,
				     const struct trace_event *ev);
/* A write under the profiling run's HOME (rel: "~/...", consumed), a
 * write a code entry names, a write that failed with ENOENT. */
void add_home_write(struct planner *p, char *rel, const struct trace_event *ev);
void add_code_write(struct planner *p, const struct trace_event *ev,
		    const struct writer *w);
void add_attempt(struct planner *p, const struct trace_event *ev);
/* The writer of a failed attempt of process pid strictly below path, when
 * it is not w: the program a denial at path is for.  NULL when none. */
const struct writer *attempt_below(struct planner *p, const char *path, int pid,
				   const struct writer *w);
void add_made(struct planner *p, const struct trace_event *ev,
	      const struct writer *w);
const struct writer *made_below(struct planner *p, const struct evidence *ev,
				const struct writer *w);
/* Whether the process of ev wrote strictly below ev's path at a path
 * writer w's entry names. */
bool made_below_by(struct planner *p, const struct evidence *ev,
		   const struct writer *w);
/* w's redirect, when it has one: true when added (or its variable is set
 * already). */
bool redirect_for(struct planner *p, const struct writer *w,
		  const struct evidence *ev);
/* The redirect directories named for the user ({user}) follow a change of
 * user. */
void rename_redirect_dirs(struct planner *p, const char *user);
/* Drop w's redirects (its grants are no longer needed). */
void drop_redirects_of(struct planner *p, const struct writer *w);
/* A build command's words: {exe} and {srcdir} replaced, NULL-terminated. */
char **build_words(const char *tmpl, const char *exe, const char *src);
/* planner_finish: redirects or HOME for the HOME writes; build steps,
 * redirects or notes for the code writes. */
void plan_home_writes(struct planner *p);
void plan_code_writes(struct planner *p);
void catalogue_free(struct plan_catalogue *c);

/* ---- mounts (plan_mounts.c) ------------------------------------------- */

struct volume;

/* A write a read-only root must find a mount for: in a scratch directory
 * (/tmp, /var/tmp, /run; dir is the mount it needs) or in the image's
 * layer (dir is the entry it landed on: the top directory the workload
 * made on the way, else the written path itself). */
struct scratch_write {
	char *dir;
	struct evidence ev;
};

/* Such writes, the first of each dir, in the order first written. */
struct write_list {
	struct scratch_write *v;
	size_t n, cap;
	struct strset dirs; /* one look-up an event */
};

struct plan_mounts {
	struct volume *vols;
	size_t nvols, capvols;
	struct map shipped; /* directories known to hold files of the image:
			       SHIPPED_* bits */
	struct map owner_changed; /* path -> "program op": its mode or owner
				     changed by the workload */
	struct write_list sw;	  /* in scratch directories */
	struct write_list iw;	  /* in the image's layer (only --read-only) */
	struct strset made; /* directories the workload made (--read-only) */
	bool no_reads;	    /* no trace recorded reads */
	char **runtime;	    /* mount points of the runtime's own file systems
			       (proc, devpts, a tmpfs on /dev): not the image's */
	size_t nruntime, capruntime;
};

/* The scratch directory path is in (/tmp, /var/tmp, /run, /var/run), or
 * NULL: its content is run-time state, never the image's. */
const char *scratch_dir_of(const char *path);
/* path is the mount point of an anonymous volume (a Dockerfile's VOLUME,
 * -v DIR): new on every run and seeded from the image, so what the
 * workload needs there is granted in the image, before the VOLUME line. */
bool is_anonymous_volume(struct planner *p, const char *path);
/* The mount point of the innermost anonymous volume path is at or below,
 * or NULL. */
const char *anonymous_volume_of(struct planner *p, const char *path);
/* The innermost volume (not an anonymous one) path is below, or NULL. */
struct volume *volume_of(struct planner *p, const char *path);
/* A write or denial below volume v: fixed on the host (once per mount). */
void add_host_fix(struct planner *p, const struct volume *v,
		  const struct trace_event *ev);
/* path, found in state st, ships in the image unless the workload made
 * it: its directory holds the image's files. */
void note_shipped(struct planner *p, const char *path,
		  const struct file_state *st);
/* ev opens a file of the image to read and write it in place (a
 * database): its directory holds the image's data, which an empty mount
 * would hide, though owning it is no warning (it is the workload's). */
void note_kept_content(struct planner *p, const struct trace_event *ev);
/* ev rewrites a file of the image (opened to write, not to append) or
 * renames another over it: its directory holds what the image's build
 * made, its siblings as far as the trace can tell. */
void note_replaced(struct planner *p, const struct trace_event *ev);
/* How a directory is known to hold the image's files: the workload used
 * one there (read or ran it), read and wrote one in place (its data),
 * rewrote or replaced one (what the build made), or
 * its role says so (its working directory, the directory of the script
 * an interpreter runs). */
enum {
	SHIPPED_INFERRED = 1,
	SHIPPED_FOUND = 2,
	SHIPPED_DATA = 4,
	SHIPPED_REWRITTEN = 8, /* seeds a mount, warns of nothing */
};
/* A code write at path (bytecode beside its source): the source's
 * directory holds the image's code, and its parent that directory. */
void note_code_dir(struct planner *p, const char *path);
/* The workload used a file of the image in dir, or in a directory below
 * it (which the owner of dir could rename away). */
bool holds_used_image_files(struct planner *p, const char *dir);
/* dir is new (the workload or the plan makes it, or the user owns it) or
 * scratch: it holds nothing of the image's, whatever the workload reads. */
bool holds_nothing_shipped(struct planner *p, const char *dir);
/* The one warning that names the n directories (names, comment-safe) a
 * trace without reads leaves in doubt: a read-only root's empty mounts
 * (mounts), else directories the user is to own. */
void warn_reads_unrecorded(struct planner *p, const char *names, size_t n,
			   bool mounts);
/* Each event: a file of the image used below an anonymous volume makes
 * that volume one whose content the workload needs (plan->image_volumes)
 * and its directory one that holds the image's files. */
void note_volume_content(struct planner *p, const struct trace_event *ev);
/* Each event: a chmod or chown makes its path one the workload must own,
 * which no mount's root can be (its owner is the runtime's). */
void note_owner_change(struct planner *p, const struct trace_event *ev);
/* An entry present before the call (state st) that the replay never
 * created is in the image. */
bool from_image(struct planner *p, const char *path,
		const struct file_state *st);
/* A write or denial in a scratch directory (a tmpfs for a read-only
 * root). */
void add_scratch_write(struct planner *p, const char *dir,
		       const struct trace_event *ev);
/* --read-only: a write the workload made, allowed or not, outside scratch
 * directories and volumes: the image's layer must be writable there. */
void add_image_write(struct planner *p, const struct trace_event *ev);
/* path lies on a file system of the runtime's own (/dev, /proc, /sys, a
 * pseudo file system the mount table lists, docker's /etc/hosts), not in
 * the image's layer. */
bool on_runtime_fs(const struct planner *p, const char *path);
/* A write that failed with EROFS below a volume: the volume is mounted
 * read-only, a host fix (true); false when ev is below none. */
bool read_only_volume(struct planner *p, const struct trace_event *ev);
/* A write that failed with EROFS: a host fix on a volume, else a tmpfs. */
void on_read_only_fs(struct planner *p, const struct trace_event *ev);
/* planner_finish, --read-only: the tmpfs mounts for every written
 * directory (grants, redirects, scratch directories, then each write in
 * the image's layer no mount holds yet). */
void plan_read_only_root(struct planner *p);
void mounts_free(struct plan_mounts *m);

/* ---- grants (plan_grants.c) ------------------------------------------- */

/* The grants themselves are plan->grants.  Grants by kind and path
 * (index + 1), rebuilt after the array is compacted; removed grants are
 * marked dead and compacted at the end of each step, so a removal is
 * O(1). */
struct plan_grants {
	struct map idx[GRANT_BUILD + 1];
	bool stale;
	bool *dead;
	size_t capdead;
};

/* Add a grant, or count count more events for the same kind and path
 * (why is consumed; ev may be another grant's, and path too).  The grant
 * returned, like any pointer into the grants, is valid until the next
 * add_grant(). */
struct grant *add_grant(struct planner *p, enum grant_kind k, const char *path,
			const struct evidence *ev, long count,
			const struct writer *w, char *why);
/* What the planner knows of directory dir; when it knows nothing and dir
 * is the directory create need n made its name in, the state n's create
 * recorded of it. */
struct file_state create_dir_state(struct planner *p, const char *dir,
				   const struct need *n);
/* The live grant of kind k on path, or NULL. */
struct grant *find_grant(struct planner *p, enum grant_kind k,
			 const char *path);
/* Grant i is dead: skipped now, dropped by the next compact_grants(). */
bool grant_dead(const struct planner *p, size_t i);
void kill_grant(struct planner *p, size_t i);
/* Drop the dead grants, keeping the order of the others. */
void compact_grants(struct planner *p);
void grant_release(struct grant *g);
/* Why path is never granted (code, libraries, system configuration,
 * identity, devices), after resolving "." and ".."; NULL when it may be. */
const char *protected_reason(const char *path);
/* Why grant g is never given, NULL when it may be: protected_reason, but
 * for a read (of a file no other user loses: root's home, the kernel's,
 * devices and the system's identity stay refused), a build step (never),
 * and an application's configuration in its own directory of /etc,
 * /etc/nginx, which its entrypoint renders or edits at start (warned
 * about), that is not code. */
const char *grant_protected_reason(const struct grant *g);
/* A directory the whole system shares (/var, /tmp, /opt, ...): owning it
 * is warned about. */
bool is_shared_system_dir(const char *path);
/* planner_finish: a grant, or a refusal, for each need in turn; then, with
 * the user final, the membership command of each group grant. */
void grant_needs(struct planner *p);
void group_commands(struct planner *p);
void grants_free(struct plan_grants *g);

/* ---- refining the grants (plan_refine.c) ------------------------------ */

/* The steps of planner_finish after grant_needs(), in this order. */
void collapse_trees(struct planner *p);
void prune_covered(struct planner *p);
void attach_hints(struct planner *p);
void vet_grants(struct planner *p);
/* planner_finish, with the user final: a grant the renderer cannot write as a
 * whole line (render.h, plan_grant_refusal) is refused with its reason. */
void refuse_unrenderable(struct planner *p);
/* After the service-user choice: read grants whose group the user shares
 * are refused (plan_grants.c), and grants in /etc warned about. */
void vet_read_grants(struct planner *p);
void warn_etc_grants(struct planner *p);
/* Then, from traces without reads, one warning for the owned directories
 * of the image that nothing shows to hold files the workload uses. */
void warn_unread_owned_dirs(struct planner *p);

/* ---- the service user (plan_service_user.c) --------------------------- */

/* planner_finish, after vet_grants() and the read-only root: run as a
 * service user of the image when it needs less. */
void choose_service_user(struct planner *p);

/* ---- names that exist for one run (plan_stable.c) -------------------- */

struct plan_stable {
	struct tn_evidence tn; /* how each path was made, every event */
	struct strset pids;    /* the pids of the trace's processes */
	char **hosts;	       /* the host names docker gave its runs */
	size_t nhosts;
};

/* Every event and every process, as they come. */
void stable_note_event(struct planner *p, const struct trace_event *ev);
void stable_note_proc(struct planner *p, const struct trace_proc *proc);
/* The offset of the first component of path that exists for one run (a
 * temporary name by tempname.h, a pid of the trace, or a name holding the
 * host name docker gave a run), 0 when none. */
size_t unstable_component(struct planner *p, const char *path);
/* path with root's own names (a whole component ending in "_root" or
 * "-root") named for the user, or NULL when it has none (allocated). */
char *rebase_root_names(struct planner *p, const char *path);
/* The plan's tmpfs mounts that carry the names of user from (a directory
 * of root's run rebased on it: /tmp/hsperfdata_nonroot; a redirect's
 * /var/cache/nonroot) carry the identity's user's instead. */
void rename_user_mounts(struct planner *p, const char *from);
/* grant_needs: a need on a name that exists for one run is granted on its
 * stable parent; true when n was such a need (handled). */
bool grant_stable_parent(struct planner *p, const struct need *n);
void stable_free(struct plan_stable *s);

/* ---- the planner ------------------------------------------------------ */

/*
 * o and the image's OS are set by planner_new and the planner_add_* calls
 * and read by every part.  plan is the output, which the parts fill:
 * warnings, notes, refusals and the user through planner.c's functions;
 * grants through plan_grants.c's (plan_refine.c and plan_service_user.c
 * mark a grant as an alternative or with its writer or hint, and drop
 * grants with kill_grant); redirects and needs_home in plan_catalogue.c;
 * host fixes and tmpfs mounts in plan_mounts.c.  plan_service_user.c
 * also drops the refused reads its user may make.
 */
/* ---- ports (plan_ports.c): the plan's ports and low_port ------------- */

/* A port the workload bound at addr, with what bound it. */
void planner_add_port(struct planner *p, const char *addr, unsigned port,
		      const struct evidence *ev);
void plan_ports_free(struct plan *pl);

struct planner {
	struct plan_options o;
	bool alpine, no_shell; /* the image's OS */
	struct plan_identity id;
	struct plan_vfs vfs;
	struct plan_needs needs;
	struct plan_replay replay;
	struct plan_catalogue cat;
	struct plan_grants grants;
	struct plan_mounts mnt;
	struct plan_stable stable;
	struct map refused; /* paths refused (plan->refused) */
	struct plan
	    *plan; /* accumulates warnings, notes, host, tmpfs, refusals */
};

#endif
