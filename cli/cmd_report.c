/*
 * cmd_report.c - `unroot report`: what a trace shows, for a person (denials
 * first, then a tree of what was written, then everything that makes the
 * trace incomplete) or for a program (--format json: one object per event);
 * the report itself is report.c's.
 */
#include <stdlib.h>

#include "commands.h"
#include "opt.h"
#include "report.h"
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
	const char *why;
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
	t = trace_open(argv, ndirs, &why);
	if (!t) {
		errmsg("cannot read the trace in %s: %s", argv[0], why);
		return 1;
	}
	row = format_row(report_formats(), f);
	rc = row->print(t, stdout);
	if (f) {
		for (size_t k = 0; k < trace_ndiags(t); k++) {
			const struct trace_diag *d = trace_diag_at(t, k);
			char *file = path_escape(d->file ? d->file : "trace");
			char *m = path_escape(d->message);

			warning("%s:%ld: %s", file, d->line, m);
			free(file);
			free(m);
		}
	}
	fflush(stdout);
	trace_close(t);
	return rc ? 1 : 0;
}
