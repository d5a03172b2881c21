/*
 * cmd_check.c - `unroot check --baseline FILE [--update] [--format F] DIR...`:
 * fail a CI pipeline when a workload writes or is denied somewhere its
 * committed baseline does not list (the comparison is compare.c's).
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare.h"
#include "traceopen.h"

/* ---- the command ------------------------------------------------------------
 */

struct check_args {
	const char *baseline;
	bool update;
	int format; /* index in compare_formats() */
	char **dirs;
	int ndirs;
};

static void check_usage(FILE *f)
{
	fprintf(f, "usage: unroot check [--baseline FILE] [--update] "
		   "[--format text|json|github|junit] [DIR...]\n");
}

static void check_help(void)
{
	check_usage(stdout);
	printf("\nCompare a trace with a committed baseline (docs/baseline.md)."
	       "\n  --baseline FILE  the baseline (default %s)\n"
	       "  --update         accept what was seen: add it to the "
	       "baseline\n"
	       "  --format F       text (default), json, github (workflow "
	       "commands), junit\nDIR defaults to %s.\n"
	       "Exit: 0 nothing new, 1 new writes or denials, 2 usage or a "
	       "bad baseline,\n3 no trace could be read.\n",
	       DEFAULT_BASELINE_FILE, DEFAULT_TRACE_DIR);
}

/* 0 when parsed, -1 for a usage error (printed), 1 for --help. */
static int parse_check_args(int argc, char **argv, struct check_args *a)
{
	static char *defdir[] = {(char *)DEFAULT_TRACE_DIR};
	int i;

	a->baseline = DEFAULT_BASELINE_FILE;
	a->dirs = defdir;
	a->ndirs = 1;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
		if (!strcmp(argv[i], "--update")) {
			a->update = true;
		} else if (!strcmp(argv[i], "--baseline") && i + 1 < argc) {
			a->baseline = argv[++i];
		} else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			a->format = format_find(compare_formats(), argv[++i]);
			if (a->format < 0) {
				errmsg("unknown format '%s'", argv[i]);
				return -1;
			}
		} else {
			errmsg("unknown option or missing value '%s'", argv[i]);
			return -1;
		}
	}
	if (i < argc) {
		a->dirs = argv + i;
		a->ndirs = argc - i;
	}
	return 0;
}

static int update_baseline(struct baseline *accepted,
			   const struct baseline *seen, const char *file)
{
	char *err = NULL;

	baseline_merge(accepted, seen);
	if (baseline_write(accepted, file, &err)) {
		errmsg("%s", err);
		free(err);
		return 1;
	}
	fprintf(stderr, "unroot check: updated ");
	fput_path(stderr, file);
	fprintf(stderr, " to accept what was seen\n");
	return 0;
}

int cmd_check(int argc, char **argv)
{
	struct check_args a = {0};
	struct baseline accepted, seen;
	struct trace *t;
	char *err = NULL;
	int rc;

	set_command("check", EXIT_USAGE);
	rc = parse_check_args(argc, argv, &a);
	if (rc) {
		if (rc > 0)
			check_help();
		else
			check_usage(stderr);
		return rc > 0 ? 0 : EXIT_USAGE;
	}
	baseline_init(&accepted);
	if (baseline_read(&accepted, a.baseline, &err)) {
		errmsg("%s", err);
		free(err);
		baseline_free(&accepted);
		return EXIT_USAGE;
	}
	t = traces_open(a.dirs, a.ndirs, 0);
	if (!t) {
		baseline_free(&accepted);
		return EXIT_NO_TRACE;
	}
	baseline_init(&seen);
	baseline_copy_rules(&seen, &accepted);
	baseline_collect(&seen, t);
	rc = compare_print(&accepted, &seen, t, a.baseline, a.format, stdout)
		 ? EXIT_NEW
		 : 0;
	if (a.update)
		rc = update_baseline(&accepted, &seen, a.baseline);
	trace_close(t);
	baseline_free(&seen);
	baseline_free(&accepted);
	return rc;
}
