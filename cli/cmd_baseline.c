/*
 * cmd_baseline.c - `unroot baseline [-o FILE] DIR...`: write what a trace
 * writes and where it is denied, as generalised patterns, to a JSON file
 * meant to be committed and reviewed (baseline.c does the work).
 *
 * Regenerating an existing baseline keeps its hand-written "patterns" and
 * "ignore"; a file that is not a baseline is only replaced when -o names
 * it explicitly.
 */
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "commands.h"
#include "opt.h"
#include "traceopen.h"

static const struct opt_cmd baseline_cmd = {
    .name = "baseline",
    .operands = "[DIR...]",
    .about =
	"Write the baseline of a workload: the generalised patterns of "
	"every path its\ntrace wrote and every permission denial, for "
	"`unroot check` (docs/baseline.md).\nDIR defaults to " DEFAULT_TRACE_DIR
	".  The hand-written \"patterns\" and "
	"\"ignore\" of a\nbaseline already in FILE are kept.\n",
    .usage_exit = EXIT_USAGE,
};

/* Keep the hand-written rules of the baseline being replaced. */
static int keep_rules(struct baseline *b, const char *file)
{
	struct baseline old;
	char *err = NULL;

	baseline_init(&old);
	if (baseline_read(&old, file, &err)) {
		errmsg("%s", err);
		free(err);
		baseline_free(&old);
		return -1;
	}
	b->patterns = old.patterns;
	b->npatterns = old.npatterns;
	b->ignore = old.ignore;
	b->nignore = old.nignore;
	old.patterns = old.ignore = NULL;
	old.npatterns = old.nignore = 0;
	baseline_free(&old);
	return 0;
}

/* 0 to go on, else the exit status. */
static int prepare_target(struct baseline *b, const char *file, bool named)
{
	char *shown;

	switch (baseline_file_kind(file)) {
	case BASELINE_FILE_ABSENT:
		return 0;
	case BASELINE_FILE_BASELINE:
		return keep_rules(b, file) ? 1 : 0;
	case BASELINE_FILE_OTHER:
		if (named)
			return 0;
		shown = path_escape(file);
		errmsg("%s exists and is not an unroot baseline: not "
		       "replacing it (name it with -o to replace it)",
		       shown);
		free(shown);
		return 1;
	}
	return 0;
}

/* Write the baseline of the traces to file; the exit status. */
static int write_baseline(const char *file, bool named, char **dirs, int ndirs)
{
	struct baseline b;
	struct trace *t;
	char *err = NULL;
	int rc;

	baseline_init(&b);
	rc = prepare_target(&b, file, named);
	if (rc) {
		baseline_free(&b);
		return rc;
	}
	t = traces_open(dirs, ndirs, 0);
	if (!t) {
		baseline_free(&b);
		return EXIT_NO_TRACE;
	}
	baseline_collect(&b, t);
	trace_close(t);
	rc = baseline_write(&b, file, &err);
	if (rc) {
		errmsg("%s", err);
		free(err);
	} else {
		fprintf(stderr,
			"unroot baseline: wrote %zu write patterns and "
			"%zu denials to ",
			b.writes.n, b.denials.n);
		fput_path(stderr, file);
		fputc('\n', stderr);
	}
	baseline_free(&b);
	return rc ? 1 : 0;
}

int cmd_baseline(int argc, char **argv)
{
	char *default_dir[] = {DEFAULT_TRACE_DIR, NULL};
	const char *file = NULL;
	int ndirs;

	set_command("baseline", 1);
	{
		const struct opt opts[] = {
		    OPT_STRING('o', "output", &file, "FILE",
			       "where to write (default " DEFAULT_BASELINE_FILE
			       ")"),
		    OPT_END(),
		};

		ndirs = opt_parse(&baseline_cmd, opts, argc, argv);
	}
	if (ndirs < 0)
		return ndirs == OPT_HELP ? 0 : EXIT_USAGE;
	if (!ndirs)
		return write_baseline(file ? file : DEFAULT_BASELINE_FILE,
				      file != NULL, default_dir, 1);
	return write_baseline(file ? file : DEFAULT_BASELINE_FILE, file != NULL,
			      argv, ndirs);
}
