/*
 * cmd_harden.c - `unroot harden`: from a root Dockerfile to a verified
 * non-root image in one command.  This file reads the options; the loop
 * and its files are harden.c's (harden.h).  Builds and containers get
 * --network none unless told otherwise.
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

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: unroot harden -f Dockerfile [-C CONTEXT] [-t TAG] [-o OUT] "
	    "[-w DIR]\n"
	    "                     [--max-rounds N] [--stop-after SECONDS] "
	    "[--stop-signal SIG]\n"
	    "                     [--build-network NET] [--user NAME] "
	    "[--uid N] [--gid N]\n"
	    "                     [--openshift] [--no-shell] "
	    "[-- DOCKER-RUN-ARGS... [CMD...]]\n\n"
	    "Build the Dockerfile, profile it as root, write the hardened "
	    "Dockerfile, build\nit and run it again as its user under the "
	    "tracer; feed the denials of that\nrun back to the planner "
	    "until a run as the user has no denial and the root\nrun's "
	    "exit status.\n\n"
	    "  -f FILE            the root Dockerfile (never overwritten)\n"
	    "  -C DIR             build context (default: the Dockerfile's "
	    "directory)\n"
	    "  -t TAG             final image (default "
	    "<context name>-nonroot:latest);\n"
	    "                     the root image is TAG-root\n"
	    "  -o OUT             hardened Dockerfile (default "
	    "<Dockerfile>.nonroot)\n"
	    "  -w DIR             work files: traces, logs (default "
	    "OUT.unroot/,\n"
	    "                     a new directory in $TMPDIR when that is in "
	    "CONTEXT)\n"
	    "  --max-rounds N     runs as the user at most (default %d)\n"
	    "  --stop-after S     stop the container after S seconds "
	    "(servers) with\n"
	    "  --stop-signal SIG  docker kill --signal SIG (default TERM; KILL "
	    "follows\n"
	    "                     after 10 s: a PID 1 without a handler "
	    "ignores TERM)\n"
	    "  --build-network N  network of docker build (default none)\n"
	    "  --user, --uid, --gid, --openshift, --no-shell\n"
	    "                     as for 'unroot plan'\n\n"
	    "After --: docker run options, then the command (default the "
	    "image's).\nContainers run with --network none unless a "
	    "network is given.\n\n"
	    "Exit status: 0 verified, 1 stopped with denials left or "
	    "another exit status,\n2 usage, 125 docker or unroot failed.\n",
	    HARDEN_ROUNDS);
}

/* ---- arguments ---------------------------------------------------------- */

/* -x VALUE, --long VALUE, --long=VALUE: the value, or NULL when argv[*i]
 * is not this option; "" after a message when the value is missing. */
static const char *opt_value(int argc, char **argv, int *i, const char *s,
			     const char *l)
{
	const char *a = argv[*i];
	size_t n = strlen(l);

	if (!a)
		return NULL;
	if (!strncmp(a, l, n) && a[n] == '=')
		return a + n + 1;
	if ((!s || strcmp(a, s)) && strcmp(a, l))
		return NULL;
	if (*i + 1 >= argc) {
		errmsg("%s needs a value", a);
		return "";
	}
	return argv[++*i];
}

static const char *const signals[] = {"HUP",  "INT",  "QUIT", "KILL", "USR1",
				      "USR2", "TERM", "STOP", NULL};

static const char *check_signal(const char *s)
{
	const char *name = strncasecmp(s, "SIG", 3) ? s : s + 3;
	char *end;
	long n = strtol(s, &end, 10);

	if (*s && !*end && n > 0 && n < 65)
		return s;
	for (int i = 0; signals[i]; i++)
		if (!strcasecmp(name, signals[i]))
			return signals[i];
	return NULL;
}

static bool positive(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v <= 0 || v > 1000000)
		return false;
	*out = v;
	return true;
}

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, struct harden *h)
{
	char *why = NULL;
	int i;

	h->max_rounds = HARDEN_ROUNDS;
	h->stop_signal = "TERM";
	h->build_network = "none";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		long n;
		int rc;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if ((v = opt_value(argc, argv, &i, "-f", "--file"))) {
			h->dockerfile = v;
		} else if ((v = opt_value(argc, argv, &i, "-C", "--context"))) {
			h->context = v;
		} else if ((v = opt_value(argc, argv, &i, "-t", "--tag"))) {
			h->tag = v;
		} else if ((v = opt_value(argc, argv, &i, "-o", "--output"))) {
			h->out = v;
			h->out_given = true;
		} else if ((v = opt_value(argc, argv, &i, "-w", "--work"))) {
			h->workdir = v;
		} else if ((v = opt_value(argc, argv, &i, NULL,
					  "--build-network"))) {
			h->build_network = v;
		} else if ((v = opt_value(argc, argv, &i, NULL,
					  "--max-rounds"))) {
			if (!positive(v, &n) || n > 100) {
				errmsg("--max-rounds needs a number from 1 to "
				       "100, not '%s'",
				       v);
				return EXIT_USAGE;
			}
			h->max_rounds = (int)n;
			continue;
		} else if ((v = opt_value(argc, argv, &i, NULL,
					  "--stop-after"))) {
			if (!positive(v, &h->stop_after)) {
				errmsg(
				    "--stop-after needs a number of seconds, "
				    "not '%s'",
				    v);
				return EXIT_USAGE;
			}
			continue;
		} else if ((v = opt_value(argc, argv, &i, NULL,
					  "--stop-signal"))) {
			h->stop_signal = *v ? check_signal(v) : NULL;
			if (!h->stop_signal) {
				errmsg("--stop-signal: unknown signal '%s'", v);
				return EXIT_USAGE;
			}
			continue;
		} else {
			rc = plan_parse_option(&h->po, NULL, argc, argv, &i);
			if (rc < 0)
				return EXIT_USAGE;
			if (rc)
				continue;
			errmsg("unknown argument '%s'; docker run arguments "
			       "come after --; see 'unroot harden --help'",
			       a);
			return EXIT_USAGE;
		}
		if (!*v)
			return EXIT_USAGE;
	}
	if (!h->dockerfile || !*h->dockerfile) {
		errmsg("-f Dockerfile is required; see 'unroot harden --help'");
		return EXIT_USAGE;
	}
	h->run = argv + i;
	h->nrun = argc - i;
	h->operand = docker_run_operand(h->run, h->nrun, &why);
	if (h->operand < 0) {
		errmsg("%s", why);
		free(why);
		return EXIT_USAGE;
	}
	for (int k = 0; k < h->operand; k++) {
		if (!strcmp(h->run[k], "--name") && k + 1 < h->operand)
			h->name = h->run[k + 1];
		else if (!strncmp(h->run[k], "--name=", 7))
			h->name = h->run[k] + 7;
	}
	h->named = h->name != NULL;
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
