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
#include "traceopen.h"

static void baseline_usage(FILE *f)
{
	fprintf(f, "usage: unroot baseline [-o FILE] [DIR...]\n");
}

static void baseline_help(void)
{
	baseline_usage(stdout);
	printf("\nWrite the baseline of a workload: the generalised patterns "
	       "of every path its\ntrace wrote and every permission denial, "
	       "for `unroot check` (docs/baseline.md).\nDIR defaults to %s.\n"
	       "  -o FILE  where to write (default %s); hand-written "
	       "\"patterns\"\n           and \"ignore\" of an existing "
	       "baseline there are kept\n",
	       DEFAULT_TRACE_DIR, DEFAULT_BASELINE_FILE);
}

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

int cmd_baseline(int argc, char **argv)
{
	static char *defdir[] = {(char *)DEFAULT_TRACE_DIR};
	const char *file = DEFAULT_BASELINE_FILE;
	char **dirs = defdir, *err = NULL;
	int ndirs = 1, i, rc;
	bool named = false;
	struct baseline b;
	struct trace *t;

	set_command("baseline", 1);
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			baseline_help();
			return 0;
		}
		if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			file = argv[++i];
			named = true;
			continue;
		}
		errmsg("unknown option or missing value '%s'", argv[i]);
		baseline_usage(stderr);
		return EXIT_USAGE;
	}
	if (i < argc) {
		dirs = argv + i;
		ndirs = argc - i;
	}
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
