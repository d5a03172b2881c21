/*
 * check_runs.c - unit tests of the evidence rules on real trace files
 * (baseline_collect.c reading what the trace shows about each name) and of
 * baseline_align.c: several runs of a job aligned, `check --update`
 * widening an entry instead of adding a sibling, the accepted entry a new
 * path resembles, and what a "{rand}" entry covers.  Each trace is a small
 * log written here in the format of schema/SCHEMA.md.
 */
#include "check_main.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"

static char root[] = "/tmp/check_runsXXXXXX";
static int ntraces;

/* One event line: op, fn, path, flags ("" for none), then optional
 * "path2" (for renames). */
struct ev {
	const char *op, *fn, *path, *flags, *path2;
};

/* A trace directory holding one process's log of the events. */
static char *trace_of(const struct ev *v, size_t n)
{
	char *dir = xasprintf("%s/t%d", root, ntraces++);
	char *log = xasprintf("%s/log", dir);
	char *file = xasprintf("%s/7-1.jsonl", log);
	FILE *f;

	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(mkdir(log, 0700), 0);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"t\":\"proc\",\"v\":1,\"pid\":7,\"ppid\":1,\"ts\":1,"
		   "\"exe\":\"/usr/bin/job\",\"argv0\":\"job\",\"cwd\":\"/\","
		   "\"uid\":0,\"euid\":0,\"gid\":0,\"egid\":0,\"groups\":[],"
		   "\"ns\":1,\"rootfs\":\"1:2\",\"env\":{\"HOME\":\"/root\"},"
		   "\"stacks\":false}\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(f,
			"{\"t\":\"ev\",\"op\":\"%s\",\"fn\":\"%s\","
			"\"path\":\"%s\"",
			v[i].op, v[i].fn, v[i].path);
		if (v[i].flags && *v[i].flags)
			fprintf(f, ",\"flags\":\"%s\"", v[i].flags);
		if (v[i].path2)
			fprintf(f, ",\"path2\":\"%s\"", v[i].path2);
		fprintf(f, ",\"ret\":0,\"pid\":7,\"ts\":%zu,\"st\":null}\n",
			i + 2);
	}
	fclose(f);
	free(file);
	free(log);
	return dir;
}

/* Collect the baseline of one trace of the events. */
static void collect(struct baseline *b, const struct ev *v, size_t n)
{
	char *dir = trace_of(v, n);
	const char *why = NULL;
	struct trace *t = trace_open(&dir, 1, &why);

	ck_assert_msg(t != NULL, "%s", why ? why : "");
	baseline_init(b);
	baseline_collect(b, t);
	trace_close(t);
	free(dir);
}

#define COLLECT(b, ...)                                   \
	do {                                              \
		const struct ev v_[] = {__VA_ARGS__};     \
		collect(b, v_, sizeof v_ / sizeof v_[0]); \
	} while (0)

#define EXCL(p)                                                    \
	{                                                          \
		"open", "open64", p, "O_RDWR|O_CREAT|O_EXCL", NULL \
	}
#define CREATE(p)                                                     \
	{                                                             \
		"open", "open64", p, "O_WRONLY|O_CREAT|O_TRUNC", NULL \
	}
#define MKDIR(p)                              \
	{                                     \
		"mkdir", "mkdir", p, "", NULL \
	}
#define UNLINK(p)                               \
	{                                       \
		"unlink", "unlink", p, "", NULL \
	}
#define RENAME(a, b)                         \
	{                                    \
		"rename", "rename", a, "", b \
	}

static void has(const struct bl_list *l, const char *path)
{
	ck_assert_msg(bl_list_find(l, path) != NULL, "no entry %s", path);
}

static void lacks(const struct bl_list *l, const char *path)
{
	ck_assert_msg(bl_list_find(l, path) == NULL, "entry %s", path);
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", root);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	strcpy(root + strlen(root) - 6, "XXXXXX");
}

/* ---- evidence rules ------------------------------------------------------ */

START_TEST(made_exclusively_and_removed_is_rand)
{
	struct baseline b;

	COLLECT(&b, EXCL("/srv/spool/Xk3jq9ZaLm2p"),
		UNLINK("/srv/spool/Xk3jq9ZaLm2p"));
	has(&b.writes, "/srv/spool/{rand}");
	ck_assert_int_eq(b.writes.n, 1);
	baseline_free(&b);
	/* kept: literal (too long for the fallback's shapes) */
	COLLECT(&b, EXCL("/srv/spool/Xk3jq9ZaLm2p"));
	has(&b.writes, "/srv/spool/Xk3jq9ZaLm2p");
	baseline_free(&b);
	/* removed but not made exclusively: literal */
	COLLECT(&b, CREATE("/srv/spool/Xk3jq9ZaLm2p"),
		UNLINK("/srv/spool/Xk3jq9ZaLm2p"));
	has(&b.writes, "/srv/spool/Xk3jq9ZaLm2p");
	baseline_free(&b);
}
END_TEST

/* The removal comes last, after writes to the name: all of them are
 * generalised (the evidence is read before the writes). */
START_TEST(removal_after_the_writes_still_counts)
{
	struct baseline b;

	COLLECT(&b, EXCL("/srv/out.json.Xk3jq9ZaLm2p"),
		CREATE("/srv/out.json.Xk3jq9ZaLm2p"),
		RENAME("/srv/out.json.Xk3jq9ZaLm2p", "/srv/out.json"));
	has(&b.writes, "/srv/out.json.{rand}");
	/* the final name of the rename is kept: literal */
	has(&b.writes, "/srv/out.json");
	ck_assert_int_eq(b.writes.n, 2);
	baseline_free(&b);
}
END_TEST

START_TEST(inside_a_directory_made_exclusively_is_rand)
{
	struct baseline b;

	COLLECT(&b, MKDIR("/srv/work"), EXCL("/srv/work/Xk3jq9ZaLm2p"),
		CREATE("/srv/work/Xk3jq9ZaLm2p.txt"));
	has(&b.writes, "/srv/work");
	has(&b.writes, "/srv/work/{rand}");
	/* created, not exclusively: literal */
	has(&b.writes, "/srv/work/Xk3jq9ZaLm2p.txt");
	baseline_free(&b);
}
END_TEST

START_TEST(created_components_are_recorded)
{
	struct baseline b;
	const struct bl_entry *e;

	COLLECT(&b, MKDIR("/srv/job-abcdefgh"),
		CREATE("/srv/job-abcdefgh/out"));
	e = bl_list_find(&b.writes, "/srv/job-abcdefgh/out");
	ck_assert_ptr_nonnull(e);
	/* components: "" 0, srv 1, job-abcdefgh 2, out 3 */
	ck_assert_uint_eq(e->created, 1ull << 2);
	baseline_free(&b);
}
END_TEST

/* ---- several runs ---------------------------------------------------- */

/* Align the runs' baselines into dst. */
static void align(struct baseline *dst, struct baseline *runs, size_t n)
{
	baseline_init(dst);
	baseline_align_runs(dst, runs, n);
	for (size_t i = 0; i < n; i++)
		baseline_free(&runs[i]);
}

START_TEST(runs_generalise_only_where_they_differ)
{
	struct baseline r[2], b;

	COLLECT(&r[0], MKDIR("/srv/job-abcdefgh"),
		CREATE("/srv/job-abcdefgh/out"),
		CREATE("/srv/stable-abcdefgh"));
	COLLECT(&r[1], MKDIR("/srv/job-qwertyui"),
		CREATE("/srv/job-qwertyui/out"),
		CREATE("/srv/stable-abcdefgh"));
	align(&b, r, 2);
	has(&b.writes, "/srv/job-{rand}");
	has(&b.writes, "/srv/job-{rand}/out");
	has(&b.writes, "/srv/stable-abcdefgh");
	ck_assert_int_eq(b.writes.n, 3);
	baseline_free(&b);
}
END_TEST

START_TEST(runs_need_not_pair_one_to_one)
{
	struct baseline r[3], b;

	COLLECT(&r[0], MKDIR("/srv/job-abcdefgh"));
	COLLECT(&r[1], MKDIR("/srv/job-qwertyui"), MKDIR("/srv/job-zxcvbnml"),
		MKDIR("/srv/job-poiulkjh"));
	COLLECT(&r[2], CREATE("/srv/other"));
	align(&b, r, 3);
	has(&b.writes, "/srv/job-{rand}");
	has(&b.writes, "/srv/other");
	ck_assert_int_eq(b.writes.n, 2);
	baseline_free(&b);
}
END_TEST

START_TEST(runs_never_mask_a_version)
{
	struct baseline r[2], b;

	COLLECT(&r[0], MKDIR("/srv/lib/v1"), CREATE("/srv/lib/v1/x"),
		CREATE("/srv/api_v1beta1.py"));
	COLLECT(&r[1], MKDIR("/srv/lib/v2"), CREATE("/srv/lib/v2/x"),
		CREATE("/srv/api_v1beta2.py"));
	align(&b, r, 2);
	has(&b.writes, "/srv/lib/v1/x");
	has(&b.writes, "/srv/lib/v2/x");
	has(&b.writes, "/srv/api_v1beta2.py");
	ck_assert_int_eq(b.writes.n, 6);
	baseline_free(&b);
}
END_TEST

/* Lower-case words without creation evidence are names, not tokens. */
START_TEST(runs_keep_words_that_differ)
{
	struct baseline r[2], b;

	COLLECT(&r[0], CREATE("/srv/report-monday"));
	COLLECT(&r[1], CREATE("/srv/report-tuesday"));
	align(&b, r, 2);
	has(&b.writes, "/srv/report-monday");
	has(&b.writes, "/srv/report-tuesday");
	baseline_free(&b);
}
END_TEST

/* ---- check --update and the explanation -------------------------------- */

static void add(struct bl_list *l, const char *path, unsigned long long made)
{
	struct bl_entry *e = bl_list_get(l, path);

	wordset_add(&e->ops, "create");
	wordset_add(&e->programs, "job");
	e->created |= made;
}

START_TEST(update_widens_instead_of_adding_a_sibling)
{
	struct baseline acc, seen;

	baseline_init(&acc);
	baseline_init(&seen);
	add(&acc.writes, "/tmp/job-abcdefgh", 0);
	add(&acc.writes, "/tmp/job-abcdefgh/out.txt", 0);
	add(&seen.writes, "/tmp/job-{rand}", 1ull << 2);
	add(&seen.writes, "/tmp/job-{rand}/out.txt", 1ull << 2);
	baseline_update(&acc, &seen);
	has(&acc.writes, "/tmp/job-{rand}");
	has(&acc.writes, "/tmp/job-{rand}/out.txt");
	lacks(&acc.writes, "/tmp/job-abcdefgh");
	ck_assert_int_eq(acc.writes.n, 2);
	baseline_free(&acc);
	baseline_free(&seen);
}
END_TEST

START_TEST(update_never_masks_a_version)
{
	struct baseline acc, seen;

	baseline_init(&acc);
	baseline_init(&seen);
	add(&acc.writes, "/srv/lib/v1/x", ~0ull);
	add(&seen.writes, "/srv/lib/v2/x", ~0ull);
	add(&acc.writes, "/srv/report-monday", 0);
	add(&seen.writes, "/srv/report-tuesday", 0);
	baseline_update(&acc, &seen);
	has(&acc.writes, "/srv/lib/v1/x");
	has(&acc.writes, "/srv/lib/v2/x");
	has(&acc.writes, "/srv/report-monday");
	has(&acc.writes, "/srv/report-tuesday");
	baseline_free(&acc);
	baseline_free(&seen);
}
END_TEST

START_TEST(update_merges_what_an_entry_covers)
{
	struct baseline acc, seen;
	const struct bl_entry *e;

	baseline_init(&acc);
	baseline_init(&seen);
	add(&acc.writes, "/tmp/job-{rand}", 0);
	add(&seen.writes, "/tmp/job-abcdefgh", 0);
	wordset_add(&bl_list_get(&seen.writes, "/tmp/job-abcdefgh")->ops,
		    "remove");
	baseline_update(&acc, &seen);
	ck_assert_int_eq(acc.writes.n, 1);
	e = bl_list_find(&acc.writes, "/tmp/job-{rand}");
	ck_assert_int_eq(e->ops.n, 2);
	baseline_free(&acc);
	baseline_free(&seen);
}
END_TEST

START_TEST(sibling_names_the_entry_and_its_widening)
{
	struct baseline acc, seen;
	const struct bl_entry *e;
	char *widened;

	baseline_init(&acc);
	baseline_init(&seen);
	add(&acc.writes, "/tmp/x.Zx81kQa2pL/log", 0);
	add(&acc.writes, "/etc/app.conf", 0);
	add(&seen.writes, "/tmp/x.k2LmQ9aZ0b/log", 0);
	add(&seen.writes, "/etc/app.conf2", 0);
	e = baseline_temp_sibling(&acc.writes, &seen.writes.v[0], &widened);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->path, "/tmp/x.Zx81kQa2pL/log");
	ck_assert_str_eq(widened, "/tmp/x.{rand}/log");
	free(widened);
	ck_assert_ptr_null(
	    baseline_temp_sibling(&acc.writes, &seen.writes.v[1], &widened));
	ck_assert_ptr_null(widened);
	baseline_free(&acc);
	baseline_free(&seen);
}
END_TEST

START_TEST(rand_entries_cover_a_token)
{
	struct baseline b;

	baseline_init(&b);
	add(&b.writes, "/tmp/job-{rand}/out.txt", 0);
	ck_assert(bl_list_covers(&b.writes, "/tmp/job-abcdefgh/out.txt"));
	ck_assert(bl_list_covers(&b.writes, "/tmp/job-{rand}/out.txt"));
	ck_assert(!bl_list_covers(&b.writes, "/tmp/job-abc/out.txt"));
	ck_assert(!bl_list_covers(&b.writes, "/tmp/task-abcdefgh/out.txt"));
	ck_assert(!bl_list_covers(&b.writes, "/tmp/job-abcdefgh/x/out.txt"));
	baseline_free(&b);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("runs");
	TCase *tc = test_case("runs", NULL);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, made_exclusively_and_removed_is_rand);
	tcase_add_test(tc, removal_after_the_writes_still_counts);
	tcase_add_test(tc, inside_a_directory_made_exclusively_is_rand);
	tcase_add_test(tc, created_components_are_recorded);
	tcase_add_test(tc, runs_generalise_only_where_they_differ);
	tcase_add_test(tc, runs_need_not_pair_one_to_one);
	tcase_add_test(tc, runs_never_mask_a_version);
	tcase_add_test(tc, runs_keep_words_that_differ);
	tcase_add_test(tc, update_widens_instead_of_adding_a_sibling);
	tcase_add_test(tc, update_never_masks_a_version);
	tcase_add_test(tc, update_merges_what_an_entry_covers);
	tcase_add_test(tc, sibling_names_the_entry_and_its_widening);
	tcase_add_test(tc, rand_entries_cover_a_token);
	suite_add_tcase(s, tc);
	return s;
}
