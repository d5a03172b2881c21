/*
 * runs_tool.c - the services of baseline_align.c driven from the shell, for
 * tempname_integration.sh, until `unroot baseline --runs`, `unroot check
 * --update` and check's explanation call them:
 *
 *   runs_tool runs FILE DIR...   write the baseline of several runs of one
 *                                job (baseline_collect_runs)
 *   runs_tool update FILE DIR    widen FILE by what DIR shows
 *                                (baseline_update)
 *   runs_tool explain FILE DIR   print each pattern of DIR that FILE does
 *                                not cover, one per line, with the entry
 *                                it resembles (baseline_temp_sibling)
 *   runs_tool classify           read names (one a line) and print those
 *                                the rules without evidence take for
 *                                temporary, "TOKEN<tab>NAME", with a count
 *                                on stderr: how docs/baseline.md measured
 *                                the fallback's false positives
 *
 * Exit status 0, or 1 with a message on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "tempname.h"

static struct trace *open_one(char *dir)
{
	const char *why = NULL;
	struct trace *t = trace_open(&dir, 1, &why);

	if (!t)
		fprintf(stderr, "runs_tool: %s: %s\n", dir, why ? why : "?");
	return t;
}

static int fail(char *err)
{
	fprintf(stderr, "runs_tool: %s\n", err);
	free(err);
	return 1;
}

static int runs(const char *file, char **dirs, int n)
{
	struct trace **t = xcalloc((size_t)n, sizeof *t);
	struct baseline b;
	char *err = NULL;
	int rc = 0;

	baseline_init(&b);
	for (int i = 0; i < n && !rc; i++)
		rc = (t[i] = open_one(dirs[i])) ? 0 : 1;
	if (!rc) {
		baseline_collect_runs(&b, t, (size_t)n);
		if (baseline_write(&b, file, &err))
			rc = fail(err);
	}
	for (int i = 0; i < n; i++)
		if (t[i])
			trace_close(t[i]);
	free(t);
	baseline_free(&b);
	return rc;
}

/* Read FILE and collect DIR with its rules: 0, or 1 (printed). */
static int load(const char *file, char *dir, struct baseline *acc,
		struct baseline *seen)
{
	char *err = NULL;
	struct trace *t;

	baseline_init(acc);
	baseline_init(seen);
	if (baseline_read(acc, file, &err))
		return fail(err);
	t = open_one(dir);
	if (!t)
		return 1;
	baseline_copy_rules(seen, acc);
	baseline_collect(seen, t);
	trace_close(t);
	return 0;
}

static void explain_list(const struct bl_list *acc, struct bl_list *seen,
			 const char *what)
{
	bl_list_sort(seen);
	for (size_t i = 0; i < seen->n; i++) {
		const struct bl_entry *e;
		char *widened;

		if (bl_list_covers(acc, seen->v[i].path))
			continue;
		printf("new %s: %s", what, seen->v[i].path);
		e = baseline_temp_sibling(acc, &seen->v[i], &widened);
		if (e)
			printf("; looks like a temporary name the baseline has "
			       "as %s (widened: %s)",
			       e->path, widened);
		putchar('\n');
		free(widened);
	}
}

static int classify(void)
{
	char line[4096];
	long n = 0, taken = 0;
	struct tn_token t;

	while (fgets(line, sizeof line, stdin)) {
		size_t len = strcspn(line, "\n");

		line[len] = 0;
		n++;
		if (!tempname_classify(line, len, 0, &t))
			continue;
		taken++;
		printf("%.*s\t%s\n", (int)t.len, line + t.start, line);
	}
	fprintf(stderr, "%ld of %ld names taken for temporary (%.2f%%)\n",
		taken, n, n ? 100.0 * (double)taken / (double)n : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	struct baseline acc, seen;
	char *err = NULL;
	int rc;

	if (argc == 2 && !strcmp(argv[1], "classify"))
		return classify();
	if (argc >= 4 && !strcmp(argv[1], "runs"))
		return runs(argv[2], argv + 3, argc - 3);
	if (argc != 4 ||
	    (strcmp(argv[1], "update") && strcmp(argv[1], "explain"))) {
		fprintf(stderr, "usage: runs_tool runs FILE DIR...\n"
				"       runs_tool update|explain FILE DIR\n"
				"       runs_tool classify <NAMES\n");
		return 1;
	}
	rc = load(argv[2], argv[3], &acc, &seen);
	if (!rc && !strcmp(argv[1], "update")) {
		baseline_update(&acc, &seen);
		if (baseline_write(&acc, argv[2], &err))
			rc = fail(err);
	} else if (!rc) {
		explain_list(&acc.writes, &seen.writes, "write");
		explain_list(&acc.denials, &seen.denials, "denial");
	}
	baseline_free(&acc);
	baseline_free(&seen);
	return rc;
}
