/*
 * tmptrace.h - the fixture of the CLI's unit tests that write log files by
 * hand (test_reader.c, test_pack.c): a fresh trace directory under /tmp
 * with its log/ per test case, removed afterwards, and put_file() to write
 * a log into it, and what a summary counts of an event.  Included once
 * per test program (its functions are static).
 */
#ifndef UNROOT_TESTS_TMPTRACE_H
#define UNROOT_TESTS_TMPTRACE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_main.h"
#include "trace.h"
#include "util.h"

static char tmpdir[64]; /* the trace directory */
static char logdir[96]; /* its log/ */

static void setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/unroot-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(logdir, sizeof logdir, "%s/log", tmpdir);
	ck_assert_int_eq(mkdir(logdir, 0755), 0);
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	free(cmd);
}

/* Write n bytes (may contain NULs) to log/NAME. */
static void put_file(const char *name, const char *data, size_t n)
{
	char *path = xasprintf("%s/%s", logdir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	fclose(f);
	free(path);
}

/* The trace in tmpdir, opened. */
static inline struct trace *open_tmptrace(void)
{
	char *dirs[] = {tmpdir};
	const char *why = NULL;
	struct trace *t = trace_open(dirs, 1, &why);

	ck_assert_msg(t != NULL, "trace_open: %s", why ? why : "?");
	return t;
}

/* One line per diagnostic of t. */
static inline void sb_add_diags(struct strbuf *sb, const struct trace *t)
{
	for (size_t i = 0; i < trace_ndiags(t); i++) {
		const struct trace_diag *d = trace_diag_at(t, i);

		sb_addf(sb, "diag %s:%ld %d %s\n", d->file ? d->file : "",
			d->line, d->warning, d->message);
	}
}

/* The trace as dump() gives it, read with the fast parsers and with
 * jansson alone: the two must agree.  The first is returned. */
static inline char *read_both_ways(char *(*dump)(void), const char *what)
{
	char *fast, *slow;

	trace_set_fast_events(true);
	fast = dump();
	trace_set_fast_events(false);
	slow = dump();
	trace_set_fast_events(true);
	ck_assert_msg(!strcmp(fast, slow), "%s\nfast: %s\njansson: %s", what,
		      fast, slow);
	free(slow);
	return fast;
}

/* The full pass as a summary (trace_each_notable) sees it: what it
 * counts, and the text (show) of each event it gives on, a program run or
 * a write that failed. */
struct full_tally {
	struct trace_tally n;
	struct strbuf sb;
	int (*show)(const struct trace_event *ev, void *sb);
};

static inline int full_tally_event(const struct trace_event *ev, void *ctx)
{
	struct full_tally *f = ctx;
	bool w = trace_event_writes(ev);

	f->n.written += w && !ev->err;
	f->n.denied += w && trace_event_denied(ev);
	if ((unroot_op_attrs(ev->op) & OPA_RUNS) || (w && ev->err))
		f->show(ev, &f->sb);
	return 0;
}

#endif
