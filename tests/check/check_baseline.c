/*
 * check_baseline.c - unit tests of baseline.c: the file round-trips with a
 * stable order and one entry per line, paths that are not UTF-8 survive,
 * a broken or hand-damaged file is refused with its line, a file that is
 * not a baseline is recognised, and globs in the baseline cover paths.
 */
#include "check_main.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"

static char tmpl[] = "/tmp/check_baselineXXXXXX";

static char *write_temp(const char *text)
{
	char *name = xstrdup(tmpl);
	int fd = mkstemp(name);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return name;
}

static void add(struct bl_list *l, const char *path, const char *op,
		const char *prog)
{
	struct bl_entry *e = bl_list_get(l, path);

	wordset_add(&e->ops, op);
	wordset_add(&e->programs, prog);
}

/* Read text as a baseline; returns the error (allocated) or NULL. */
static char *read_text(const char *text, struct baseline *b)
{
	char *name = write_temp(text), *err = NULL;

	baseline_init(b);
	if (!baseline_read(b, name, &err))
		err = NULL;
	unlink(name);
	free(name);
	return err;
}

START_TEST(round_trip_is_stable)
{
	struct baseline b, r;
	struct strbuf one = STRBUF_INIT, two = STRBUF_INIT;
	char *name, *err = NULL;
	size_t lines = 0;

	baseline_init(&b);
	add(&b.writes, "/tmp/tmp{rand}", "remove", "python3.11");
	add(&b.writes, "/tmp/tmp{rand}", "create", "python3.11");
	add(&b.writes, "/a/\"quoted\"\x1b", "create", "sh");
	add(&b.writes, "/bad/\xff", "create", "sh");
	add(&b.denials, "/etc/x", "open", "nginx");
	b.patterns = calloc(1, sizeof *b.patterns);
	b.patterns[0] = xstrdup("/var/log/**");
	b.npatterns = 1;
	baseline_format(&b, &one);
	for (const char *p = one.buf; *p; p++)
		lines += *p == '\n';
	/* {, version, patterns[ x ], ignore, writes[ 3 ], denials[ 1 ], } */
	ck_assert_int_eq(lines, 15);
	ck_assert_ptr_nonnull(strstr(one.buf,
				     "    {\"path\": \"/tmp/tmp{rand}\", "
				     "\"ops\": [\"create\", \"remove\"], "
				     "\"programs\": [\"python3.11\"]}"));
	ck_assert_ptr_nonnull(strstr(one.buf, "{\"hex\":\"2f6261642fff\"}"));
	name = write_temp(one.buf);
	baseline_init(&r);
	ck_assert_msg(!baseline_read(&r, name, &err), "%s", err);
	ck_assert_int_eq(r.writes.n, 3);
	ck_assert_ptr_nonnull(bl_list_find(&r.writes, "/bad/\xff"));
	ck_assert_ptr_nonnull(bl_list_find(&r.writes, "/a/\"quoted\"\x1b"));
	baseline_format(&r, &two);
	ck_assert_str_eq(one.buf, two.buf);
	ck_assert_int_eq(baseline_file_kind(name), BASELINE_FILE_BASELINE);
	unlink(name);
	ck_assert_int_eq(baseline_file_kind(name), BASELINE_FILE_ABSENT);
	free(name);
	name = write_temp("FROM debian\n");
	ck_assert_int_eq(baseline_file_kind(name), BASELINE_FILE_OTHER);
	unlink(name);
	free(name);
	sb_release(&one);
	sb_release(&two);
	baseline_free(&b);
	baseline_free(&r);
}
END_TEST

START_TEST(broken_json_names_line)
{
	struct baseline b;
	char *err = read_text("{\n  \"unroot_baseline\": 1,\n  \"writes\": [\n"
			      "    {\"path\": \"/a\", \"ops\": []},\n"
			      "    {\"path\": \"/b\" \"ops\": []}\n  ]\n}\n",
			      &b);

	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, ":5: broken JSON at column"), "%s", err);
	free(err);
	baseline_free(&b);
}
END_TEST

START_TEST(bad_entry_names_line)
{
	struct baseline b;
	char *err = read_text("{\n  \"unroot_baseline\": 1,\n  \"writes\": [\n"
			      "    {\"path\": \"/a\", \"ops\": [\"create\"]},\n"
			      "    {\"path\": \"/b\", \"ops\": \"create\"}\n"
			      "  ]\n}\n",
			      &b);

	ck_assert_ptr_nonnull(err);
	ck_assert_msg(
	    strstr(err, ":5: writes entry 2: \"ops\" must be an array"), "%s",
	    err);
	free(err);
	baseline_free(&b);
	err = read_text(
	    "{\"unroot_baseline\": 1,\n\"denials\": [\n{\"p\": 1}]}", &b);
	ck_assert_msg(err && strstr(err, ":3: denials entry 1"), "%s", err);
	free(err);
	baseline_free(&b);
}
END_TEST

START_TEST(not_a_baseline)
{
	struct baseline b;
	char *err = read_text("{\"writes\": []}\n", &b);

	ck_assert_msg(err && strstr(err, "not an unroot baseline"), "%s", err);
	free(err);
	baseline_free(&b);
	err = read_text("{\"unroot_baseline\": 7}\n", &b);
	ck_assert_msg(err && strstr(err, ":1: unsupported baseline version"),
		      "%s", err);
	free(err);
	baseline_free(&b);
}
END_TEST

START_TEST(globs_cover)
{
	struct baseline b;

	baseline_init(&b);
	add(&b.writes, "~/.cache/**", "create", "pip");
	add(&b.writes, "/run/app.{n}.pid", "create", "app");
	ck_assert(bl_list_covers(&b.writes, "~/.cache/pip/http/x"));
	ck_assert(bl_list_covers(&b.writes, "/run/app.{n}.pid"));
	ck_assert(!bl_list_covers(&b.writes, "/run/other.pid"));
	baseline_free(&b);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("baseline");
	TCase *tc = test_case("baseline", NULL);

	tcase_add_test(tc, round_trip_is_stable);
	tcase_add_test(tc, broken_json_names_line);
	tcase_add_test(tc, bad_entry_names_line);
	tcase_add_test(tc, not_a_baseline);
	tcase_add_test(tc, globs_cover);
	suite_add_tcase(s, tc);
	return s;
}
