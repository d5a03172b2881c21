/*
 * harden.h - the work of `unroot harden` under its command (cmd_harden.c,
 * which parses the options into struct harden): the files and the loop
 * (harden.c), building images and running them under the tracer through
 * the container service (harden_build.c), what it prints
 * (harden_report.c), and with --read-only the kubelet-like runs and the
 * deploy files (harden_kubelet.c).  Nothing here exits: failures come
 * back as exit statuses after a message.
 */
#ifndef UNROOT_HARDEN_H
#define UNROOT_HARDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "dockerfile.h"
#include "plan.h"
#include "util.h"

#define HARDEN_ROUNDS 5	 /* runs as the user at most, by default */
#define KILL_GRACE    10 /* seconds after --stop-signal before SIGKILL */

/* seconds the probe is retried, by default */
#define HARDEN_PROBE_TIMEOUT 30

/* A plan line and the round that first planned it. */
struct harden_line {
	char *key;
	int round;
};

struct harden {
	/* the options */
	const char *dockerfile, *context, *tag, *out, *build_network;
	const char *workdir; /* -w, or NULL */
	bool out_given;
	int max_rounds;
	long stop_after; /* seconds, 0: the container ends by itself */
	const char *stop_signal;
	struct plan_options po;
	char **run;	   /* docker run arguments and CMD */
	int nrun, operand; /* run[operand..] is CMD */
	const char *name;  /* the container's name (for docker kill) */
	bool named;	   /* the user gave --name */
	const char *probe; /* --probe CMD, or NULL */
	long probe_delay, probe_timeout; /* seconds */
	bool probe_timeout_given;
	/* set by harden_probe_resolve */
	char **probe_argv; /* what docker exec runs, or NULL: no probe */
	char *probe_text;
	bool probe_health; /* it is the image's HEALTHCHECK */
	/* set by harden_prepare */
	struct dockerfile *df; /* the input Dockerfile */
	char *work, *root_tag;
	char *own_out, *own_tag, *own_ctx; /* defaults, allocated */
	struct harden_line *lines;
	size_t nlines, caplines;
	/* set by harden_kubelet_args: docker run options of a run as the
	 * user, after the caller's (NULL: none) */
	char **kube;
	int nkube;
};

/* A denial of a run, as harden names what remains: its call, path,
 * errno name, program, and the path's pattern (generalize.h), by which a
 * denial of another run is the same one. */
struct denial {
	char *op, *path, *err, *prog, *pattern;
	bool check;  /* a write check (access W_OK), or a removal of a name
			that did not exist (EROFS), not a write */
	bool write;  /* the call writes (trace_event_writes) */
	bool wcheck; /* an access() that asks for write (W_OK) */
};

struct denials {
	struct denial *v;
	size_t n, cap;
	struct strset wrote; /* each path the run wrote and its directory,
				raw and as a pattern */
};

/* A probe during one run (harden_probe.c). */
enum probe_state { PROBE_NONE, PROBE_WAITING, PROBE_PASSED, PROBE_FAILED };

struct probe_run {
	const struct harden *h;
	const char *cname;
	int log_fd;
	enum probe_state state;
	pid_t pid;	       /* the attempt running, or 0 */
	double next, deadline; /* seconds after the start */
	double seconds;	       /* when it passed or failed */
	int attempts, rc;      /* rc: the last attempt's status */
};

/* What one traced run did. */
struct harden_result {
	int status;	/* the container's exit status */
	bool stopped;	/* ended by --stop-after, not by itself */
	double seconds; /* how long it ran */
	struct probe_run probe;
};

/* ---- harden.c ------------------------------------------------------------ */

/* Input, output, context and work directory; 0, or an exit status after a
 * message. */
int harden_prepare(struct harden *h);
/* The loop; its exit status (0 verified). */
int harden_run(struct harden *h);
void harden_free(struct harden *h);

/* ---- harden_build.c ------------------------------------------------------ */

double harden_now(void); /* monotonic seconds */
/* Run argv with its output appended to log; its exit status. */
int harden_run_logged(char *const argv[], const char *log);
/* Whether docker answers; 0, or -1 after a message. */
int harden_docker_check(const struct harden *h);
/* docker build of file as tag, its output in log; 0, or -1 after a
 * message. */
int harden_build(const struct harden *h, const char *file, const char *tag,
		 const char *log);
/*
 * Run image under the tracer into the trace directory dir, docker's output
 * in log, probing it when probe is set (and there is a probe), stopping it
 * after --stop-after; *res says what it did.  0 when the run left a trace,
 * else -1 (the reason is in log).
 */
int harden_profile(const struct harden *h, const char *image, const char *dir,
		   const char *log, int round, bool probe,
		   struct harden_result *res);
/* The last lines of a log, on stderr, when something failed. */
void harden_show_tail(const char *log, int lines);
/* The trace of one run, or NULL (the reader's message dropped: the run's
 * log has it). */
struct trace *harden_load_trace(const char *dir);
/* A run as the user as the planner reads it: every event with the records
 * they refer to, without what describes the hardened image (its users,
 * groups, ancestor states), as a directory of .jsonl files; 0, or -1
 * after a message. */
int feed_dir(const char *trace, const char *out);

/* ---- harden_denials.c ---------------------------------------------------- */

/* The distinct denials of a trace, but a root check (plan_root_check),
 * and what the run wrote (ds->wrote, which denials_split_root reads). */
void denials_read(const char *dir, struct denials *ds);
/* Set aside, out of ds, what root's run shows the workload goes on
 * without: into shared each denial root's run had too (the same program
 * refused the same call with the same errno on a path of the same
 * pattern), when root_ok (root's run ended well); into checks each
 * refused write check of a path where root's run wrote nothing, neither
 * the path nor a name in it (Erlang asks access(W_OK) of each file it
 * reads, which a read-only root refuses). */
void denials_split_root(struct denials *ds, const struct denials *root,
			bool root_ok, struct denials *shared,
			struct denials *checks);
/* Set aside, out of ds, into refused each denied write of a path no plan
 * ever grants (plan_never_granted: system code, the kernel's interface
 * ...) that pl refuses, that path itself (not a directory holding it),
 * for a run the caller saw end as root's did, root's having ended well:
 * the workload goes on without the write (chromium's mkdir of its
 * extensions directory in /usr/lib/chromium), and no plan can do more.
 * A read, a write the plan fixes another way (a HOME write, a build
 * step), or one a refusal of "/" holds, stays a denial.  Into fallback,
 * for such a run too, each denied write or access(W_OK) below a path a
 * catalogue writer only tries first (plan_fallback_holding: fontconfig's
 * system cache, the build step planned), whose fallback the plan
 * provides; a denied read there stays a denial. */
void denials_split_refused(struct denials *ds, const struct plan *pl,
			   struct denials *refused, struct denials *fallback);
void denials_free(struct denials *ds);

/* ---- harden_probe.c ------------------------------------------------------ */

/* The probe: --probe, else image's HEALTHCHECK, else none; said on
 * stdout.  0 (a missing HEALTHCHECK is no error). */
int harden_probe_resolve(struct harden *h, const char *image);
void harden_probe_free(struct harden *h);
/* A probe of the container cname for this run (none unless wanted and
 * there is a probe); attempts write to log_fd. */
void probe_begin(struct probe_run *p, const struct harden *h, bool wanted,
		 const char *cname, int log_fd);
/* Advance it at el seconds after the start; ended: the container is gone. */
void probe_tick(struct probe_run *p, double el, bool ended);
bool probe_pending(const struct probe_run *p);
void probe_print(const struct probe_run *p, const char *who);
/* Whether a run as the user did what the root run did (beyond denials and
 * the exit status): not ended before --stop-after when root was stopped,
 * the probe passed when it passed as root; say: print why not. */
bool harden_run_matches(const struct harden *h,
			const struct harden_result *root,
			const struct harden_result *user, bool say);
/* A probe that failed as root, said once. */
void harden_root_probe_said(const struct harden_result *root);

/* ---- harden_report.c ----------------------------------------------------- */

/* Remember the round that first planned each line of pl. */
void harden_note_lines(struct harden *h, const struct plan *pl, int round);
/* The denials left, each with why the planner cannot fix it (pl NULL:
 * the denials alone). */
void harden_print_denials(const struct denials *ds, const struct plan *pl);
/* The denials set aside below a fallback path of pl, each with where its
 * writer goes on. */
void harden_print_probes(const struct denials *ds, const struct plan *pl);
/* The summary's lines added, by round, and the diff of the Dockerfiles. */
void harden_print_lines(struct harden *h, const struct plan *pl);
void harden_print_diff(const struct harden *h);

/* ---- harden_kubelet.c ---------------------------------------------------- */

/* The files --read-only writes beside OUT are ones unroot wrote, or
 * absent; 0, or EXIT_USAGE after a message. */
int harden_kubelet_prepare(const struct harden *h);
/* h->kube: the run a kubelet gives the pod of plan pl, with a new empty
 * directory for each emptyDir; 0, or -1 after a message. */
int harden_kubelet_args(struct harden *h, const struct plan *pl, int round);
/* h->kube: --user UID:GID and the plan's --group-add options; the number
 * of groups (0: the plan joins none, h->kube is empty). */
size_t harden_group_args(struct harden *h, const struct plan *pl);
void harden_kubelet_free(struct harden *h);
/* The verified plan as OUT.k8s.yaml, OUT.pod.yaml and OUT.compose.yaml,
 * each name printed; the Pod names the image h->tag with the command and
 * binds of the root run's trace; 0, or an exit status after a message. */
int harden_kubelet_files(const struct harden *h, const struct plan *pl,
			 const char *root_trace);

#endif
