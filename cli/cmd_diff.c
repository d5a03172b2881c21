/*
 * cmd_diff.c - `unroot diff [--format F] DIR_A DIR_B`: the comparison of
 * `unroot check` between two traces, A taking the place of the baseline.
 * Both traces are generalised with the same rules, so temp names, pids and
 * hashes that differ between the runs do not show as new.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare.h"
#include "traceopen.h"

static void diff_usage(FILE *f)
{
	fprintf(f, "usage: unroot diff [--format text|json|github|junit] "
		   "DIR_A DIR_B\n");
}

static void diff_help(void)
{
	diff_usage(stdout);
	printf("\nShow what trace B writes or is denied that trace A does not "
	       "(A is the baseline).\nExit: 0 nothing new, 1 new writes or "
	       "denials, 2 usage, 3 a trace could not be read.\n");
}

/* Collect one trace into b; 0, or EXIT_NO_TRACE. */
static int collect_dir(char *dir, struct baseline *b, struct trace **keep)
{
	struct trace *t = traces_open(&dir, 1, 0);

	if (!t)
		return EXIT_NO_TRACE;
	baseline_collect(b, t);
	if (keep)
		*keep = t;
	else
		trace_close(t);
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	int format = 0;
	struct baseline a, b;
	struct trace *tb = NULL;
	int i, rc;

	set_command("diff", EXIT_USAGE);
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			diff_help();
			return 0;
		}
		if (!strcmp(argv[i], "--format") && i + 1 < argc &&
		    (format = format_find(compare_formats(), argv[i + 1])) >=
			0) {
			i++;
			continue;
		}
		errmsg("unknown option, format or missing value '%s'", argv[i]);
		diff_usage(stderr);
		return EXIT_USAGE;
	}
	if (argc - i != 2) {
		diff_usage(stderr);
		return EXIT_USAGE;
	}
	baseline_init(&a);
	baseline_init(&b);
	rc = collect_dir(argv[i], &a, NULL);
	if (!rc)
		rc = collect_dir(argv[i + 1], &b, &tb);
	if (!rc)
		rc = compare_print(&a, &b, tb, argv[i], format, stdout)
			 ? EXIT_NEW
			 : 0;
	if (tb)
		trace_close(tb);
	baseline_free(&a);
	baseline_free(&b);
	return rc;
}
