/*
 * cmd_check.c - `unroot check --baseline FILE [--update] [--format F] DIR...`:
 * fail a CI pipeline when a workload writes or is denied somewhere its
 * committed baseline does not list (the comparison is compare.c's).
 * --update widens an entry that a seen name matches except for one
 * random token (baseline_update) instead of adding a sibling.
 */
#include <stdlib.h>

#include "commands.h"
#include "compare.h"
#include "opt.h"
#include "traceopen.h"

static const struct opt_cmd check_cmd = {
    .name = "check",
    .operands = "[DIR...]",
    .about = "Compare a trace with a committed baseline (docs/baseline.md)."
	     "  DIR defaults\nto " DEFAULT_TRACE_DIR ".\n",
    .more = "Exit: 0 nothing new, 1 new writes or denials, 2 usage or a bad "
	    "baseline,\n3 no trace could be read.\n",
    .usage_exit = EXIT_USAGE,
};

static int update_baseline(struct baseline *accepted,
			   const struct baseline *seen, const char *file)
{
	char *err = NULL;

	baseline_update(accepted, seen);
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

/* Compare the traces with the baseline file; the exit status. */
static int check(const char *file, char **dirs, int ndirs, int format,
		 bool update)
{
	struct baseline accepted, seen;
	struct trace *t;
	char *err = NULL;
	int rc;

	baseline_init(&accepted);
	if (baseline_read(&accepted, file, &err)) {
		errmsg("%s", err);
		free(err);
		baseline_free(&accepted);
		return EXIT_USAGE;
	}
	t = traces_open(dirs, ndirs, 0);
	if (!t) {
		baseline_free(&accepted);
		return EXIT_NO_TRACE;
	}
	baseline_init(&seen);
	baseline_copy_rules(&seen, &accepted);
	baseline_collect(&seen, t);
	rc = compare_print(&accepted, &seen, t, file, format, stdout) ? EXIT_NEW
								      : 0;
	if (update)
		rc = update_baseline(&accepted, &seen, file);
	trace_close(t);
	baseline_free(&seen);
	baseline_free(&accepted);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	char *default_dir[] = {DEFAULT_TRACE_DIR, NULL};
	const char *file = DEFAULT_BASELINE_FILE;
	bool update = false;
	int format = 0, ndirs;

	set_command("check", EXIT_USAGE);
	{
		const struct opt opts[] = {
		    OPT_STRING(0, "baseline", &file, "FILE",
			       "the baseline (default " DEFAULT_BASELINE_FILE
			       ")"),
		    OPT_FLAG(0, "update", &update,
			     "accept what was seen (widening temporary names)"),
		    OPT_FORMAT("format", &format, compare_formats(),
			       "text (default), json, github or junit"),
		    OPT_END(),
		};

		ndirs = opt_parse(&check_cmd, opts, argc, argv);
	}
	if (ndirs < 0)
		return ndirs == OPT_HELP ? 0 : EXIT_USAGE;
	if (!ndirs)
		return check(file, default_dir, 1, format, update);
	return check(file, argv, ndirs, format, update);
}
