/*
 * cmd_report.c - `unroot report`: what a trace shows, for a person (denials
 * first, then a tree of what was written, then everything that makes the
 * trace incomplete) or for a program (--format json: one object per event);
 * the report itself is report.c's.
 */
#include "commands.h"
#include "opt.h"
#include "report.h"
#include "traceopen.h"
#include "util.h"

static const struct opt_cmd report_cmd = {
    .name = "report",
    .operands = "[DIR...]",
    .about = "Show what a trace wrote, what was denied and by whom, and what "
	     "the trace\nmay be missing.  DIR defaults to " DEFAULT_TRACE_DIR
	     ".  The json format is one JSON\nobject per event, one a line.\n",
    .usage_exit = EXIT_USAGE,
};

/* --json: the same as --format json. */
static int json_alias(const struct opt *o, const char *arg)
{
	(void)arg;
	*(int *)o->value = format_find(report_formats(), "json");
	return 0;
}

int cmd_report(int argc, char **argv)
{
	char *default_dir[] = {DEFAULT_TRACE_DIR, NULL};
	const struct report_format *row;
	struct trace *t;
	int f = 0, ndirs, rc;

	set_command("report", 1);
	{
		const struct opt opts[] = {
		    OPT_FORMAT("format", &f, report_formats(),
			       "text for a person (default), json for "
			       "programs"),
		    OPT_CALL(0, "json", &f, NULL, "the same as --format json",
			     json_alias),
		    OPT_END(),
		};

		ndirs = opt_parse(&report_cmd, opts, argc, argv);
	}
	if (ndirs < 0)
		return ndirs == OPT_HELP ? 0 : EXIT_USAGE;
	if (!ndirs) {
		argv = default_dir;
		ndirs = 1;
	}
	row = format_row(report_formats(), f);
	/* the text report lists the reader's diagnostics in its warnings */
	t = traces_open(argv, ndirs,
			row->print == report_print ? TRACES_QUIET : 0);
	if (!t)
		return EXIT_NO_TRACE;
	rc = row->print(t, stdout);
	fflush(stdout);
	trace_close(t);
	return rc ? 1 : 0;
}
