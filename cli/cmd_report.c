/*
 * cmd_report.c - `unroot report`: what a trace shows, for a person (denials
 * first, then a tree of what was written, then everything that makes the
 * trace incomplete) or for a program (--json: one object per event); the
 * report itself is report.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "report.h"
#include "util.h"

static void report_usage(FILE *f)
{
	fprintf(f, "usage: unroot report [--json] [DIR...]\n");
}

int cmd_report(int argc, char **argv)
{
	static char *defdir[] = {(char *)DEFAULT_TRACE_DIR};
	struct trace *t;
	char **dirs = defdir;
	int ndirs = 1, i, rc;
	bool json = false;
	const char *why;

	set_command("report", 1);
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			report_usage(stdout);
			printf("\nShow what a trace wrote, what was denied and "
			       "by whom, and what the trace\nmay be missing. "
			       "DIR defaults to %s.\n  --json  one JSON object "
			       "per event, one per line\n",
			       DEFAULT_TRACE_DIR);
			return 0;
		} else {
			errmsg("unknown option '%s'; usage: unroot report "
			       "[--json] [DIR...]",
			       argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i < argc) {
		dirs = argv + i;
		ndirs = argc - i;
	}
	t = trace_open(dirs, ndirs, &why);
	if (!t) {
		errmsg("cannot read the trace in %s: %s", dirs[0], why);
		return 1;
	}
	if (json) {
		rc = report_print_json(t, stdout);
		for (size_t k = 0; k < trace_ndiags(t); k++) {
			const struct trace_diag *d = trace_diag_at(t, k);
			char *f = path_escape(d->file ? d->file : "trace");
			char *m = path_escape(d->message);

			warning("%s:%ld: %s", f, d->line, m);
			free(f);
			free(m);
		}
	} else {
		rc = report_print(t, stdout);
	}
	fflush(stdout);
	trace_close(t);
	return rc ? 1 : 0;
}
