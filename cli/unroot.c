/*
 * unroot.c - the dispatcher: finds the subcommand in one table and hands it
 * the rest of the command line.  Nothing else lives here.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
    {"run", cmd_run,
     "run a command under the tracer and record what it writes"},
    {"report", cmd_report,
     "show what a trace wrote, where it was denied, and who did it"},
    {"plan", cmd_plan,
     "compute the least grants that let the workload run as non-root"},
    {"apply", cmd_apply, "write a hardened Dockerfile with the plan's lines"},
    {"baseline", cmd_baseline,
     "write a reviewable baseline of what a workload writes (for check)"},
    {"check", cmd_check,
     "fail CI when a workload writes or is denied somewhere new"},
    {"diff", cmd_diff,
     "show what one trace writes or is denied that another does not"},
    {"docker", cmd_docker,
     "profile a container: docker run under the tracer, then report and plan"},
    {"harden", cmd_harden,
     "root Dockerfile to a verified non-root image: build, profile, plan, "
     "repeat"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: unroot [--version] [--help] COMMAND [ARGS...]\n\n"
		     "Trace what a workload writes and make it run as a "
		     "non-root user.\n\n"
		     "commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\n'unroot COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("unroot %s\n", UNROOT_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "unroot: '%s' is not a command; see 'unroot --help'\n",
		argv[1]);
	return EXIT_USAGE;
}
