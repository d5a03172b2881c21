/*
 * cmd_docker.c - `unroot docker`: profile an existing image.  The
 * container runs under the tracer (container.c); afterwards the report of
 * its trace (report.c) and its plan (plan.c, render.c) are printed.
 *
 * Exit status: the container's (as docker run gives it), 125 for unroot's
 * own errors (docker missing, daemon down, no such image, payload missing
 * or not loaded in the container).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "commands.h"
#include "container.h"
#include "plan.h"
#include "report.h"
#include "traceopen.h"
#include "util.h"

struct docker_opts {
	struct container c;
	struct plan_options po;
	int format; /* a plan format (render.h) */
};

static const struct opt_cmd docker_cmd = {
    .name = "docker",
    .operands = "[--] run [DOCKER-RUN-OPTIONS...] IMAGE [CMD [ARG...]]",
    .about = "Run a container under the unroot tracer and print what it wrote "
	     "and the plan\nthat lets it run as non-root (the plan options "
	     "are those of 'unroot plan').\n",
    .more = "The payload directory (../lib/unroot/ beside the unroot "
	    "executable) is mounted\nread-only at " CT_PAYLOAD
	    " and DIR/log at " CT_LOG ".  Every docker run option is\n"
	    "kept; --network none is added unless a network is given; -d is "
	    "refused.\n\nExit status: the container's, or 125 when unroot or "
	    "docker fails.\n",
    .usage_exit = EXIT_RUN_ERROR,
    .flags = OPT_STOP_AT_OPERAND,
};

/* Returns -1 to continue, else an exit status. */
static int parse_args(int argc, char **argv, struct docker_opts *o)
{
	const struct opt opts[] = {
	    OPT_TRACE(&o->c.t),
	    OPT_PLAN(&o->po),
	    OPT_FORMAT("format", &o->format, plan_formats(),
		       "the plan's format (default dockerfile)"),
	    OPT_END(),
	};
	char *why = NULL;
	int n;

	o->c.t.dir = DEFAULT_TRACE_DIR;
	n = opt_parse(&docker_cmd, opts, argc, argv);
	if (n < 0)
		return n == OPT_HELP ? 0 : EXIT_RUN_ERROR;
	if (!n || strcmp(argv[0], "run")) {
		errmsg("expected 'run' and docker run's arguments after the "
		       "options; see 'unroot docker --help'");
		return EXIT_RUN_ERROR;
	}
	if (!*o->c.t.dir) {
		errmsg("the trace directory name is empty");
		return EXIT_RUN_ERROR;
	}
	o->c.run = argv + 1;
	o->c.nrun = n - 1;
	if (container_parse(&o->c, &why)) {
		errmsg("%s", why);
		free(why);
		return EXIT_RUN_ERROR;
	}
	return -1;
}

/* The report and the plan of the trace just made. */
static void print_results(struct docker_opts *o)
{
	char *dirs[] = {(char *)o->c.t.dir};
	struct trace *t = traces_open(dirs, 1, TRACES_QUIET);
	struct strbuf out = STRBUF_INIT;
	char *err = NULL;
	struct plan *pl;
	struct plan_deploy d;
	struct render_options ro = {.read_only = o->po.read_only, .deploy = &d};

	if (!t)
		return;
	printf("== unroot report %s\n", o->c.t.dir);
	report_print(t, stdout);
	printf("\n== unroot plan %s\n", o->c.t.dir);
	fflush(stdout);
	pl = plan_trace(t, &o->po);
	plan_deploy_read(&d, t);
	if (plan_render(pl, (enum plan_format)o->format, &ro, &out, &err))
		errmsg("%s", err ? err : "cannot render the plan");
	else
		fwrite(out.buf, 1, out.len, stdout);
	fflush(stdout);
	free(err);
	sb_release(&out);
	plan_free(pl);
	plan_deploy_free(&d);
	trace_close(t);
}

static void print_warnings(struct container *c)
{
	for (size_t i = 0; i < c->nwarnings; i++)
		warning("%s", c->warnings[i]);
	for (size_t i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	c->nwarnings = 0;
}

int cmd_docker(int argc, char **argv)
{
	struct docker_opts o = {0};
	char *why = NULL;
	bool started = false; /* the trace directory is prepared */
	int rc, st;

	set_command("docker", EXIT_RUN_ERROR);
	plan_options_init(&o.po);
	rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		goto out;
	child_forward_signals();
	rc = container_start(&o.c, -1, &why);
	started = true;
	print_warnings(&o.c);
	if (rc) {
		errmsg("%s", why);
		rc = EXIT_RUN_ERROR;
		goto out;
	}
	rc = child_wait(o.c.pid);
	if (rc < 0) {
		errmsg("cannot wait for docker: %s", strerror(errno));
		rc = EXIT_RUN_ERROR;
		goto out;
	}
	st = container_finish(&o.c, rc, &why);
	print_warnings(&o.c);
	if (st) {
		errmsg("%s", why);
		rc = st;
		goto out;
	}
	print_results(&o);
	fprintf(stderr,
		"unroot docker: trace in %s; container exit status %d\n",
		o.c.t.dir, rc);
out:
	if (started)
		trace_dir_discard_old(o.c.t.dir);
	free(why);
	container_free(&o.c);
	return rc;
}
