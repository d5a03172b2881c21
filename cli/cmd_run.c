/*
 * cmd_run.c - `unroot run`: prepare a trace directory, run the workload with
 * libunroot.so preloaded, write trace.json and summarise what was seen.
 *
 * Exit status follows env(1)/timeout(1): the workload's own status (128+N
 * for signal N), 127 when the command is not found, 126 when it cannot be
 * executed, 125 when unroot itself fails.  The trace directory is only ever
 * replaced when it is a previous trace (it holds trace.json), and then only
 * its log/ and trace.json are removed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "commands.h"
#include "fallback.h"
#include "report.h"
#include "schema.h"
#include "traceopen.h"
#include "tracedir.h"
#include "util.h"
#include "warnings.h"

struct run_opts {
	struct trace_options t;
	char **cmd;
	char **traced; /* cmd through the fallback tracer (static), or NULL */
	char *helper;
	struct fallback_untraced untraced; /* cmd when nothing follows it */
};

static const struct opt_cmd run_cmd = {
    .name = "run",
    .operands = "[--] CMD [ARG...]",
    .about = "Run CMD with the unroot tracer preloaded and record every path "
	     "it writes.\nA previous trace in DIR is replaced, anything else "
	     "there is refused.\n",
    .more = "Exit status: CMD's status (128+N when killed by signal N), 127 "
	    "if CMD\nis not found, 126 if it cannot be executed, 125 if unroot "
	    "fails.\nEnvironment: UNROOT_PRELOAD overrides the path of "
	    "libunroot.so.\n",
    .usage_exit = EXIT_RUN_ERROR,
    .flags = OPT_STOP_AT_OPERAND,
};

/* Returns -1 to continue, else an exit status. */
static int parse_args(int argc, char **argv, struct run_opts *o)
{
	const struct opt opts[] = {OPT_TRACE(&o->t), OPT_END()};
	int n;

	o->t.dir = DEFAULT_TRACE_DIR;
	n = opt_parse(&run_cmd, opts, argc, argv);
	if (n < 0)
		return n == OPT_HELP ? 0 : EXIT_RUN_ERROR;
	if (!n) {
		errmsg("no command given; see 'unroot run --help'");
		return EXIT_RUN_ERROR;
	}
	if (!*o->t.dir) {
		errmsg("the trace directory name is empty");
		return EXIT_RUN_ERROR;
	}
	argv[n] = NULL;
	o->cmd = argv;
	return -1;
}

/* ---- environment --------------------------------------------------------- */

static int setup_env(const struct run_opts *o, const char *lib,
		     const char *logdir)
{
	const char *old = getenv("LD_PRELOAD");
	char *flags = trace_flags(&o->t);
	char *preload;
	int rc = 0;

	if (old && *old)
		preload = xasprintf("%s:%s", lib, old);
	else
		preload = xstrdup(lib);
	if (setenv("LD_PRELOAD", preload, 1) ||
	    setenv(UNROOT_ENV_LOG, logdir, 1) ||
	    setenv(UNROOT_ENV_FLAGS, flags, 1) ||
	    setenv(UNROOT_ENV_LIB, lib, 1)) {
		errmsg("cannot set the environment: %s", strerror(errno));
		rc = -1;
	}
	free(preload);
	free(flags);
	return rc;
}

/* The preload found, the trace directory ready and the environment set;
 * 0, or -1 after a message. */
static int prepare(struct run_opts *o)
{
	const char *why;
	char *lib = find_preload(&why), *err = NULL, *abs, *logdir;
	int rc = -1;

	if (!lib) {
		errmsg("cannot find the tracer: %s", why);
		return -1;
	}
	if (trace_dir_prepare(o->t.dir, &err)) {
		errmsg("%s", err);
		free(err);
		free(lib);
		return -1;
	}
	abs = realpath(o->t.dir, NULL);
	if (abs) {
		logdir = xasprintf("%s/" UNROOT_TRACE_LOGDIR, abs);
		rc = setup_env(o, lib, logdir);
		free(logdir);
		o->traced =
		    fallback_run_argv(o->cmd, lib, &o->helper, &o->untraced);
	} else {
		errmsg("cannot resolve %s: %s", o->t.dir, strerror(errno));
	}
	free(abs);
	free(lib);
	return rc;
}

/* ---- running the child --------------------------------------------------- */

/* Run o's command, started at started (ns); returns its exit status in the
 * convention described above. */
static int run_child(const struct run_opts *o, long long started,
		     bool *exec_failed)
{
	char **cmd = o->traced ? o->traced : o->cmd;
	const struct fallback_untraced *u = &o->untraced;
	int exec_err, rc;
	pid_t pid;

	child_forward_signals();
	pid = child_start(cmd, -1, &exec_err);
	if (pid > 0 && u->why)
		trace_dir_note_untraced(o->t.dir, pid, started, u->path,
					u->why);
	if (pid < 0 && !exec_err) {
		errmsg("cannot start %s: %s", cmd[0], strerror(errno));
		return EXIT_RUN_ERROR;
	}
	if (pid < 0) {
		*exec_failed = true;
		if (exec_err == ENOENT) {
			errmsg("%s: command not found", cmd[0]);
			return EXIT_NOTFOUND;
		}
		errmsg("%s: cannot execute: %s", cmd[0], strerror(exec_err));
		return EXIT_NOEXEC;
	}
	rc = child_wait(pid);
	if (rc < 0) {
		errmsg("cannot wait for %s: %s", cmd[0], strerror(errno));
		return EXIT_RUN_ERROR;
	}
	return rc;
}

/* The fallback tracers' last records (a static program's end). */
static void wait_fallback(const char *dir)
{
	char *logdir = xasprintf("%s/" UNROOT_TRACE_LOGDIR, dir);

	if (!fallback_wait(logdir, 5000))
		warning("a fallback tracer still follows a process the "
			"workload left running: its trace may be incomplete");
	free(logdir);
}

/* ---- trace.json ---------------------------------------------------------- */

static void write_meta(const struct run_opts *o, long long started,
		       long long ended, int status)
{
	json_t *cmd = json_array();

	for (char **a = o->cmd; *a; a++) {
		json_array_append_new(cmd, json_path(*a));
		if (!o->t.argv)
			break;
	}
	trace_dir_finish(o->t.dir, trace_meta_new(&o->t, cmd, started, ended,
						  status, UNROOT_RUNNER_RUN));
}

/* ---- the summary --------------------------------------------------------- */

struct summary {
	int shown; /* denials listed */
	struct warnings *warn;
};

static int summarise_event(const struct trace_event *ev, void *ctx)
{
	struct summary *s = ctx;

	warnings_event(s->warn, ev);
	if (trace_event_writes(ev) && trace_event_denied(ev) &&
	    s->shown++ < 5) {
		fprintf(stderr, "  denied: %s ", op_name(ev->op));
		fput_path(stderr, ev->path);
		fprintf(stderr, " (%s) by ", ev->errname);
		fput_path(stderr, trace_program(ev->proc, "?"));
		fprintf(stderr, " [%d]\n", ev->pid);
	}
	return 0;
}

/* What was seen, in one pass that decodes only the events it shows (the
 * others are counted: trace_each_notable), and the trace's warnings in
 * the words of `unroot report` (warnings.h). */
static void summarise(const char *dir)
{
	char *dirs[] = {(char *)dir};
	struct summary s = {0, NULL};
	struct trace_tally tally;
	char *why = NULL;
	struct trace *t = traces_load(dirs, 1, TRACES_EMPTY_OK, &why);

	if (!t) {
		warning("%s", why);
		free(why);
		return;
	}
	s.warn = warnings_new(t);
	fprintf(stderr, "%s: trace summary\n", command_name());
	trace_each_notable(t, summarise_event, &s, &tally);
	if (tally.denied > 5)
		fprintf(stderr, "  ... and %lld more denials\n",
			tally.denied - 5);
	fprintf(stderr, "  processes seen: %zu\n", trace_nprocs(t));
	fprintf(stderr, "  write calls:    %lld\n", tally.written);
	fprintf(stderr, "  denials:        %lld\n", tally.denied);
	if (trace_npriv(t)) {
		fprintf(stderr, "  refused calls only privilege allows: %zu\n",
			trace_npriv(t));
		report_print_privs(stderr, "    ", t, 5);
	}
	if (!trace_nprocs(t) && !trace_nuntraced(t))
		fprintf(stderr, "  no process reported in: was the command "
				"static, or is the preload broken?\n");
	fprintf(stderr, "Warnings:\n");
	warnings_print(s.warn, stderr);
	fprintf(stderr, "  trace: ");
	fput_path(stderr, dir);
	fprintf(stderr, " (details: unroot report ");
	fput_path(stderr, dir);
	fprintf(stderr, ")\n");
	warnings_free(s.warn);
	trace_close(t);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {0};
	bool exec_failed = false;
	long long started;
	int rc;

	set_command("run", EXIT_RUN_ERROR);
	rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (prepare(&o))
		return EXIT_RUN_ERROR;
	started = now_ns();
	rc = run_child(&o, started, &exec_failed);
	free(o.traced);
	free(o.helper);
	free(o.untraced.path);
	wait_fallback(o.t.dir);
	write_meta(&o, started, now_ns(), rc);
	if (!exec_failed)
		summarise(o.t.dir);
	trace_dir_discard_old(o.t.dir);
	return rc;
}
