/*
 * container.h - profiling a container: `docker run` with the preload
 * payload (the whole ../lib/unroot/ directory: a glibc build under
 * lib/x86_64-linux-gnu/, a musl build under a directory literally named
 * "$LIB") bind-mounted read-only at /.unroot, LD_PRELOAD and unroot's
 * settings in the container's environment, and the host trace directory's
 * log/ (mode 1777, so any --user can write) mounted at /.unroot-log.
 * Every argument the caller gives docker run is kept; the network is
 * "none" unless the arguments choose one.  The -v/--mount arguments are
 * recorded in trace.json ("binds") so the plan can name real host
 * directories, and the run's options ("run": user, env, ports, the
 * command ...) so that a Pod manifest can run it the same way.  `unroot docker`
 * and `unroot harden` profile through here.
 *
 * When the payload holds unroot-ptrace (the fallback tracer), the
 * container's entrypoint becomes `/.unroot/unroot-ptrace --if-static --
 * ENTRYPOINT... CMD...` (the image's, or the caller's --entrypoint and
 * command, as docker would combine them): a static first program is
 * traced by it, with PID 1 and its signals kept; any other is exec'd as
 * it is and sees the preload.
 *
 * The container is kept after it stops (a --rm is held back and done by
 * us) until the changes of its layer are read (layerdiff.h) and compared
 * with the trace; their result goes to trace.json's "layer".
 *
 * Errors are returned with a message, never die()d; warnings are kept on
 * the container for the caller to print where it prints.
 */
#ifndef UNROOT_CONTAINER_H
#define UNROOT_CONTAINER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "exitcodes.h"
#include "tracedir.h"

#define CT_PAYLOAD "/.unroot"
#define CT_LOG	   "/.unroot-log"
#define CT_LIB	   CT_PAYLOAD "/$LIB/libunroot.so"
#define CT_HELPER  CT_PAYLOAD "/unroot-ptrace"
/* in the trace directory while the container runs: its id (--cidfile) */
#define CT_CIDFILE "container.id"

/* A -v or --mount of docker run. */
struct ct_bind {
	char *container, *host, *volume;
	bool ro;
};

struct container {
	/* set by the caller */
	struct trace_options t; /* the trace directory, what to record */
	char **run;		/* docker run's arguments (after "run") */
	int nrun;
	/* found in run[] by container_parse */
	int image; /* index of IMAGE in run[] */
	bool network, init, pidhost;
	char *user_preload; /* a -e LD_PRELOAD=... the caller gave, or NULL */
	char *entrypoint;   /* an --entrypoint the caller gave, or NULL */
	struct ct_bind *binds;
	size_t nbinds, capbinds;
	char **tmpfs; /* --tmpfs and --mount type=tmpfs targets */
	size_t ntmpfs;
	bool rm;	   /* --rm: removed by us once its changes are read */
	bool own_hostname; /* -h, --uts or --network container:X named it */
	bool *skip;	   /* run[i] not given to docker (--rm), nrun entries */
	char *cidfile;	   /* the caller's --cidfile, or NULL */
	char *workdir;	   /* -w: docker makes it when the image lacks it */
	json_t *runopts;   /* trace.json's "run": the options given */
	/* set by container_start */
	pid_t pid;	   /* docker run */
	long long started; /* ns, as trace timestamps */
	char *cidpath;	   /* where docker writes the container's id */
	char **warnings;   /* for the caller to print */
	size_t nwarnings;
	void **own; /* what the argv below allocated */
	size_t nown;
};

/* Find IMAGE and what matters to unroot in c->run; 0, or -1 with *why
 * (allocated): an option without its value, -d, no image. */
int container_parse(struct container *c, char **why);

/*
 * Check the payload and docker, prepare the trace directory and start
 * docker run; its output goes to out_fd (-1: ours).  0, or -1 with *why
 * (allocated) when it could not start.
 */
int container_start(struct container *c, int out_fd, char **why);

/*
 * After docker run ended with status: write trace.json and check that the
 * container's processes reported in.  0 when the trace is usable, else
 * the exit status to give with *why (allocated): docker's own 125, 126 or
 * 127 when it could not start the container, 125 when nothing was traced.
 */
int container_finish(struct container *c, int status, char **why);

void container_free(struct container *c);

/*
 * For arguments that may lack IMAGE (`unroot harden`'s, where the image is
 * its own): the index of the first operand of docker run arguments (IMAGE,
 * or CMD when the image is left out), nrun when there is none; -1 with
 * *why (allocated) for an option without its value or -d.
 */
int docker_run_operand(char **run, int nrun, char **why);

#endif
