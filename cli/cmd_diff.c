/*
 * cmd_diff.c - `unroot diff [--format F] DIR_A DIR_B`: the comparison of
 * `unroot check` between two traces, A taking the place of the baseline.
 * Both traces are generalised with the same rules, so temp names, pids and
 * hashes that differ between the runs do not show as new.
 */
#include <stdlib.h>

#include "commands.h"
#include "compare.h"
#include "opt.h"
#include "traceopen.h"

static const struct opt_cmd diff_cmd = {
    .name = "diff",
    .operands = "DIR_A DIR_B",
    .about = "Show what trace B writes or is denied that trace A does not "
	     "(A is the baseline).\n",
    .more = "Exit: 0 nothing new, 1 new writes or denials, 2 usage, 3 a trace "
	    "could not\nbe read.\n",
    .usage_exit = EXIT_USAGE,
};

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
	struct baseline a, b;
	struct trace *tb = NULL;
	int format = 0, n, rc;

	set_command("diff", EXIT_USAGE);
	{
		const struct opt opts[] = {
		    OPT_FORMAT("format", &format, compare_formats(),
			       "text (default), json, github or junit"),
		    OPT_END(),
		};

		n = opt_parse(&diff_cmd, opts, argc, argv);
	}
	if (n < 0)
		return n == OPT_HELP ? 0 : EXIT_USAGE;
	if (n != 2) {
		errmsg("two trace directories are needed, not %d; see 'unroot "
		       "diff --help'",
		       n);
		return EXIT_USAGE;
	}
	baseline_init(&a);
	baseline_init(&b);
	rc = collect_dir(argv[0], &a, NULL);
	if (!rc)
		rc = collect_dir(argv[1], &b, &tb);
	if (!rc)
		rc = compare_print(&a, &b, tb, argv[0], format, stdout)
			 ? EXIT_NEW
			 : 0;
	if (tb)
		trace_close(tb);
	baseline_free(&a);
	baseline_free(&b);
	return rc;
}
