/*
 * cmd_baseline.c - `unroot baseline [-o FILE] [--runs] DIR...`: write what a
 * trace writes and where it is denied, as generalised patterns, to a JSON
 * file meant to be committed and reviewed (baseline.c does the work).
 * Several DIRs are merged as one trace, since they may be different jobs;
 * with --runs they are runs of one job, aligned so that a name differing
 * only in a random token becomes one entry (baseline_collect_runs).
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
	"\"ignore\" of a\nbaseline already in FILE are kept.  With --runs, "
	"the DIRs (two or more) are\nruns of the same job: their temporary "
	"names are aligned.\n",
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

/* Collect dirs into b, merged as one trace or, with runs, as runs of one
 * job; 0, or the exit status after a message naming the directory. */
static int collect(struct baseline *b, char **dirs, int ndirs, bool runs)
{
	struct trace **t;
	int rc = 0, n = 0;

	if (!runs) {
		t = xcalloc(1, sizeof *t);
		t[n++] = traces_open(dirs, ndirs, 0);
		rc = t[0] ? 0 : EXIT_NO_TRACE;
	} else {
		t = xcalloc((size_t)ndirs, sizeof *t);
		while (!rc && n < ndirs) {
			t[n] = traces_open(dirs + n, 1, 0);
			rc = t[n++] ? 0 : EXIT_NO_TRACE;
		}
	}
	if (!rc && runs)
		baseline_collect_runs(b, t, (size_t)n);
	else if (!rc)
		baseline_collect(b, t[0]);
	for (int i = 0; i < n; i++)
		if (t[i])
			trace_close(t[i]);
	free(t);
	return rc;
}

/* Write the baseline of the traces to file; the exit status. */
static int write_baseline(const char *file, bool named, char **dirs, int ndirs,
			  bool runs)
{
	struct baseline b;
	char *err = NULL;
	int rc;

	baseline_init(&b);
	rc = prepare_target(&b, file, named);
	if (!rc)
		rc = collect(&b, dirs, ndirs, runs);
	if (rc) {
		baseline_free(&b);
		return rc;
	}
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
	bool runs = false;
	int ndirs;

	set_command("baseline", 1);
	{
		const struct opt opts[] = {
		    OPT_STRING('o', "output", &file, "FILE",
			       "where to write (default " DEFAULT_BASELINE_FILE
			       ")"),
		    OPT_FLAG(0, "runs", &runs,
			     "the DIRs are runs of one job: align them"),
		    OPT_END(),
		};

		ndirs = opt_parse(&baseline_cmd, opts, argc, argv);
	}
	if (ndirs < 0)
		return ndirs == OPT_HELP ? 0 : EXIT_USAGE;
	if (runs && ndirs < 2) {
		errmsg("--runs needs two or more trace directories (runs of "
		       "one job), %s",
		       ndirs ? "one given" : "none given");
		return EXIT_USAGE;
	}
	if (!ndirs)
		return write_baseline(file ? file : DEFAULT_BASELINE_FILE,
				      file != NULL, default_dir, 1, false);
	return write_baseline(file ? file : DEFAULT_BASELINE_FILE, file != NULL,
			      argv, ndirs, runs);
}
