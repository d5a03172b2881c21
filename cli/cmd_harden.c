/*
 * cmd_harden.c - `unroot harden`: from a root Dockerfile to a verified
 * non-root image in one command.  This file reads the options; the loop
 * and its files are harden.c's (harden.h), the kubelet-like runs of
 * --read-only harden_kubelet.c's.  Builds and containers get --network
 * none unless told otherwise.
 *
 * Exit status: 0 when the final image ran as the user with no denial and
 * the root run's status, 1 when the loop stopped without that, 2 for usage
 * errors, 125 when docker or unroot itself failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "container.h"
#include "harden.h"

static const struct opt_cmd harden_cmd = {
    .name = "harden",
    .operands = "[-- DOCKER-RUN-ARGS... [CMD...]]",
    .about = "Build the Dockerfile, profile it as root, write the hardened "
	     "Dockerfile, build\nit and run it again as its user under the "
	     "tracer; feed that run (its denials\nand what it made) back to "
	     "the planner until a run as the user has no denial\nand the root "
	     "run's exit status (with a probe: its success as root).  The "
	     "root\nimage is TAG-root; work files (traces, logs) go to "
	     "OUT.unroot/, or a new\ndirectory in $TMPDIR when that is in "
	     "CONTEXT.\n",
    .more =
	"After --: docker run options, then the command (default the "
	"image's).\nContainers run with --network none unless a network is "
	"given.\nThe probe (--probe, else the image's HEALTHCHECK) runs "
	"by docker exec without\nthe preload; with --stop-after the stop "
	"waits for it.  A run as the user that\nexits before "
	"--stop-after when the root run did not is not verified.\n\nWith "
	"--read-only each run as the user is the one a kubelet gives the "
	"pod: a\nread-only root, an empty world-writable directory at each "
	"planned mount and\nno other, --user UID:GID with the pod's groups, "
	"--cap-drop ALL,\nno-new-privileges, the unprivileged port start "
	"the plan names (else 1024).\nA verified plan is also written as "
	"OUT.k8s.yaml, OUT.pod.yaml and\nOUT.compose.yaml (replaced only "
	"when unroot wrote them).\n\nExit status: 0 verified, 1 stopped "
	"with denials left or another exit status,\n2 usage, 3 a run left "
	"no trace, 125 docker or unroot failed.\n",
    .usage_exit = EXIT_USAGE,
    .flags = OPT_OPERANDS_AFTER_DASHDASH,
};

static const char *const signals[] = {"HUP",  "INT",  "QUIT", "KILL", "USR1",
				      "USR2", "TERM", "STOP", NULL};

static int stop_signal(const struct opt *o, const char *s)
{
	const char *name = strncasecmp(s, "SIG", 3) ? s : s + 3;
	char *end;
	long n = strtol(s, &end, 10);

	*(const char **)o->value = NULL;
	if (*s && !*end && n > 0 && n < 65)
		*(const char **)o->value = s;
	for (int i = 0; signals[i] && !*(const char **)o->value; i++)
		if (!strcasecmp(name, signals[i]))
			*(const char **)o->value = signals[i];
	if (*(const char **)o->value)
		return 0;
	opt_error(o, "needs a signal name or number, not '%s'", s);
	return -1;
}

/* A number of seconds or rounds: 1 to 1000000 (--max-rounds: 100). */
static int positive(const struct opt *o, const char *s)
{
	long max = strcmp(o->lng, "max-rounds") ? 1000000 : 100;
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v <= 0 || v > max) {
		opt_error(o, "needs a number from 1 to %ld, not '%s'", max, s);
		return -1;
	}
	if (strcmp(o->lng, "max-rounds"))
		*(long *)o->value = v;
	else
		*(int *)o->value = (int)v;
	return 0;
}

/* The container's name when the docker run arguments give one. */
static void find_name(struct harden *h)
{
	for (int k = 0; k < h->operand; k++) {
		if (!strcmp(h->run[k], "--name") && k + 1 < h->operand)
			h->name = h->run[k + 1];
		else if (!strncmp(h->run[k], "--name=", 7))
			h->name = h->run[k] + 7;
	}
	h->named = h->name != NULL;
}

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, struct harden *h)
{
	const struct opt opts[] = {
	    OPT_REQUIRED('f', "file", &h->dockerfile, "Dockerfile",
			 "the root Dockerfile (never overwritten)"),
	    OPT_STRING('C', "context", &h->context, "DIR",
		       "build context (default: the Dockerfile's directory)"),
	    OPT_STRING('t', "tag", &h->tag, "TAG",
		       "final image (default <context name>-nonroot:latest)"),
	    OPT_STRING('o', "output", &h->out, "OUT",
		       "hardened Dockerfile (default <Dockerfile>.nonroot)"),
	    OPT_STRING('w', "work", &h->workdir, "DIR",
		       "work files: traces, logs (default OUT.unroot/)"),
	    OPT_CALL(0, "max-rounds", &h->max_rounds, "N",
		     "runs as the user at most (default 5)", positive),
	    OPT_CALL(0, "stop-after", &h->stop_after, "S",
		     "stop the container after S seconds (servers)", positive),
	    OPT_CALL(0, "stop-signal", &h->stop_signal, "SIG",
		     "stop with it (default TERM; KILL 10 s later)",
		     stop_signal),
	    OPT_STRING(0, "build-network", &h->build_network, "NET",
		       "network of docker build (default none)"),
	    OPT_STRING(0, "probe", &h->probe, "CMD",
		       "check the running container: sh -c CMD"),
	    OPT_CALL(0, "probe-delay", &h->probe_delay, "S",
		     "first try S seconds after the start (default 0)",
		     positive),
	    OPT_CALL(0, "probe-timeout", &h->probe_timeout, "S",
		     "retry it for S seconds more (default 30)", positive),
	    OPT_PLAN(&h->po),
	    OPT_END(),
	};
	char *why = NULL;
	int n;

	h->max_rounds = HARDEN_ROUNDS;
	h->stop_signal = "TERM";
	h->build_network = "none";
	n = opt_parse(&harden_cmd, opts, argc, argv);
	if (n < 0)
		return n == OPT_HELP ? 0 : EXIT_USAGE;
	h->probe_timeout_given = h->probe_timeout != 0;
	if (!h->probe_timeout)
		h->probe_timeout = HARDEN_PROBE_TIMEOUT;
	if (h->probe && !*h->probe) {
		errmsg("--probe needs a command");
		return EXIT_USAGE;
	}
	h->out_given = h->out != NULL;
	if (!*h->dockerfile) {
		errmsg("-f needs a file name");
		return EXIT_USAGE;
	}
	h->run = argv;
	h->nrun = n;
	h->operand = docker_run_operand(h->run, h->nrun, &why);
	if (h->operand < 0) {
		errmsg("%s", why);
		free(why);
		return EXIT_USAGE;
	}
	find_name(h);
	return -1;
}

int cmd_harden(int argc, char **argv)
{
	struct harden h = {0};
	int rc;

	set_command("harden", EXIT_RUN_ERROR);
	plan_options_init(&h.po);
	rc = parse_args(argc, argv, &h);
	if (rc < 0) {
		rc = harden_prepare(&h);
		if (!rc)
			rc = harden_run(&h);
	}
	harden_free(&h);
	return rc;
}
