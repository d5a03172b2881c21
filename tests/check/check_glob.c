/*
 * check_glob.c - unit tests of glob.c, the one glob matcher of the baseline
 * and the catalogue of known writers: each rule of the syntax in
 * docs/baseline.md ("Globs"), and, for every catalogue entry whose matches
 * changed when the catalogue's own matcher was replaced by this one, the
 * entry's new behaviour on the real cli/data/writers.json.
 */
#include "check_main.h"
#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "writers.h"

START_TEST(star_stays_within_a_component)
{
	ck_assert(glob_match("/tmp/*.log", "/tmp/a.log"));
	ck_assert(glob_match("/tmp/*.log", "/tmp/.log"));
	ck_assert(!glob_match("/tmp/*.log", "/tmp/a/b.log"));
	ck_assert(glob_match("/tmp/*", "/tmp/x"));
	ck_assert(!glob_match("/tmp/*", "/tmp/x/y"));
	ck_assert(glob_match("python*", "python3.11"));
	ck_assert(glob_match("*a*b*c", "xxaxxbxxbxc"));
	ck_assert(!glob_match("*a*b*c", "xxaxxbxxbx"));
}
END_TEST

START_TEST(question_mark_is_one_byte_within_a_component)
{
	ck_assert(glob_match("/tmp/a?c", "/tmp/abc"));
	ck_assert(!glob_match("/tmp/a?c", "/tmp/ac"));
	ck_assert(!glob_match("/tmp/a?c", "/tmp/abbc"));
	ck_assert(!glob_match("/tmp/a?c", "/tmp/a/c"));
	/* one byte, not one character: a two-byte UTF-8 letter needs ?? */
	ck_assert(!glob_match("/tmp/?", "/tmp/\xc3\xa9"));
	ck_assert(glob_match("/tmp/??", "/tmp/\xc3\xa9"));
}
END_TEST

START_TEST(double_star_is_whole_components)
{
	ck_assert(glob_match("**/__pycache__", "/a/__pycache__"));
	ck_assert(glob_match("**/__pycache__", "/__pycache__"));
	ck_assert(glob_match("**/__pycache__", "/a/b/c/__pycache__"));
	ck_assert(!glob_match("**/__pycache__", "/app/my__pycache__"));
	ck_assert(glob_match("/tmp/**/b.log", "/tmp/b.log"));
	ck_assert(glob_match("/tmp/**/b.log", "/tmp/x/y/b.log"));
	ck_assert(!glob_match("/tmp/**/b.log", "/tmp/xb.log"));
	ck_assert(glob_match("/a/**/**/b", "/a/b"));
}
END_TEST

START_TEST(trailing_double_star_needs_one_component)
{
	ck_assert(glob_match("/tmp/**", "/tmp/a/b.log"));
	ck_assert(glob_match("/tmp/**", "/tmp/a"));
	ck_assert(!glob_match("/tmp/**", "/tmp"));
	ck_assert(glob_match("~/.cache/**", "~/.cache/pip/x"));
	ck_assert(!glob_match("~/.cache/**", "~/.config/x"));
	ck_assert(glob_match("**", "/anything/at/all"));
}
END_TEST

START_TEST(double_star_inside_a_component_is_a_star)
{
	ck_assert(glob_match("/tmp/a**b", "/tmp/axxb"));
	ck_assert(!glob_match("/tmp/a**b", "/tmp/ax/xb"));
}
END_TEST

START_TEST(other_bytes_and_placeholders_match_themselves)
{
	ck_assert(glob_match("/a/{n}.pid", "/a/{n}.pid"));
	ck_assert(!glob_match("/a/{n}.pid", "/a/12.pid"));
	ck_assert(!glob_match("/a/b", "/a/bc"));
	ck_assert(!glob_match("/a/b", "/a/b/"));
	ck_assert(glob_match("/a/[b]", "/a/[b]"));
	ck_assert(is_glob("/a/*") && is_glob("/a/?") && !is_glob("/a/{n}"));
}
END_TEST

/* ---- catalogue entries whose matches changed ------------------------- */

static struct writers *catalogue(void)
{
	char *why = NULL;
	struct writers *w =
	    writers_load_file(UNROOT_SOURCE_DATADIR "/writers.json", &why);

	ck_assert_msg(w != NULL, "%s", why ? why : "");
	return w;
}

/* The id of the entry matching path written by exe, or "-" for none. */
static const char *entry_of(const struct writers *w, const char *path,
			    const char *exe)
{
	const struct writer *e = writers_match(w, path, exe);

	return e ? e->id : "-";
}

/* Rows of {path, exe, the entry that must match it, or "-"}. */
static void expect_entries(const char *const (*rows)[3], size_t n)
{
	struct writers *w = catalogue();

	for (size_t i = 0; i < n; i++) {
		const char *got = entry_of(w, rows[i][0], rows[i][1]);

		ck_assert_msg(!strcmp(got, rows[i][2]), "%s by %s: %s, want %s",
			      rows[i][0], rows[i][1], got, rows[i][2]);
	}
	writers_free(w);
}

#define EXPECT_ENTRIES(...)                                            \
	do {                                                           \
		static const char *const rows_[][3] = {__VA_ARGS__};   \
		expect_entries(rows_, sizeof rows_ / sizeof rows_[0]); \
	} while (0)

START_TEST(catalogue_numba_needs_a_whole_pycache_component)
{
	EXPECT_ENTRIES({"/app/__pycache__/f.f-1.py311.nbi", "x", "numba"},
		       {"/app/__pycache__/f.nbc.tmp.a3f", "x", "numba"},
		       {"/app/my__pycache__/f.nbi", "x", "-"},
		       {"/app/my__pycache__/f.nbc.tmp.a3f", "x", "-"});
}
END_TEST

START_TEST(catalogue_python_bytecode_needs_a_whole_pycache_component)
{
	EXPECT_ENTRIES(
	    {"/app/__pycache__/m.cpython-311.pyc", "python3.11",
	     "python-bytecode"},
	    {"/__pycache__/m.pyc", "python3", "python-bytecode"},
	    {"/app/my__pycache__/m.cpython-311.pyc", "python3.11", "-"});
}
END_TEST

START_TEST(catalogue_supervisord_needs_whole_names)
{
	EXPECT_ENTRIES({"/app/supervisord.log", "supervisord", "supervisord"},
		       {"/app/mysupervisord.log", "supervisord", "-"},
		       {"/srv/mysupervisord.pid", "supervisord", "-"},
		       {"/srv/mysupervisor.sock", "supervisord", "-"});
}
END_TEST

START_TEST(catalogue_celery_beat_needs_whole_names)
{
	EXPECT_ENTRIES({"/app/celerybeat-schedule.db", "celery", "celery-beat"},
		       {"/app/mycelerybeat-schedule.db", "celery", "-"},
		       {"/app/oldcelerybeat.pid", "celery", "-"});
}
END_TEST

START_TEST(catalogue_tiktoken_needs_a_whole_cache_component)
{
	EXPECT_ENTRIES({"/app/tiktoken_cache/x", "python3", "tiktoken"},
		       {"/app/my_tiktoken_cache/x", "python3", "-"});
}
END_TEST

START_TEST(catalogue_redis_needs_whole_names)
{
	EXPECT_ENTRIES({"/data/dump.rdb", "redis-server", "redis"},
		       {"/data/mydump.rdb", "redis-server", "-"},
		       {"/data/old_appendonly.aof", "redis-server", "-"},
		       {"/data/myappendonlydir/x.aof", "redis-server", "-"});
}
END_TEST

/* sqlite's patterns end in "*-journal" and the like: a whole component
 * either way, so its matches did not change. */
START_TEST(catalogue_sqlite_unchanged)
{
	EXPECT_ENTRIES({"/srv/app.db-journal", "sqlite3", "sqlite"},
		       {"/srv/x/app.sqlite3-journal", "python3", "sqlite"});
}
END_TEST

/* An entry's exes know a program by its executable's name or by the name
 * it was run as ("uwsgi-core/uwsgi"); a program of no known name is ""
 * to a pattern, which "*" (sqlite's) still takes. */
START_TEST(catalogue_exes_match_either_name_of_a_program)
{
	EXPECT_ENTRIES(
	    {"/app/__pycache__", "uwsgi-core/uwsgi", "python-bytecode"},
	    {"/app/__pycache__", "uwsgi/uwsgi-core", "python-bytecode"},
	    {"/app/__pycache__", "uwsgi-core", "-"},
	    {"/srv/app.db-journal", "", "sqlite"});
	ck_assert(writers_names_match("*", ""));
	ck_assert(writers_names_match("*", "//libpython3.11.so.1.0"));
	ck_assert(writers_names_match("uwsgi", "uwsgi-core/uwsgi"));
	ck_assert(!writers_names_match("uwsgi", "uwsgi-core/uwsgi2"));
}
END_TEST

/* An entry limited to its exes also takes a program whose stack shows one
 * of its libs (apache2 running mod_wsgi's libpython), or whose call has a
 * Python call site ("python" among its names); a program's own name is
 * never taken for a module. */
START_TEST(catalogue_libs_admit_a_program_embedding_the_entrys)
{
	EXPECT_ENTRIES(
	    {"/app/__pycache__", "apache2//libpython3.11.so.1.0",
	     "python-bytecode"},
	    {"/app/__pycache__", "apache2/python", "python-bytecode"},
	    {"/app/__pycache__", "apache2", "-"},
	    {"/app/__pycache__", "lib:libpython3.11.so", "-"},
	    {"/app/__pycache__", "apache2//libc.so.6", "-"},
	    {"/srv/app.db-journal", "//libpython3.11.so.1.0", "sqlite"});
	ck_assert(writers_module_named("libpython3*.so*",
				       "/x//libpython3.11.so.1.0"));
	ck_assert(
	    !writers_module_named("libpython3*.so*", "libpython3.11.so.1.0"));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("glob");
	TCase *tc = test_case("glob", NULL);

	tcase_add_test(tc, star_stays_within_a_component);
	tcase_add_test(tc, question_mark_is_one_byte_within_a_component);
	tcase_add_test(tc, double_star_is_whole_components);
	tcase_add_test(tc, trailing_double_star_needs_one_component);
	tcase_add_test(tc, double_star_inside_a_component_is_a_star);
	tcase_add_test(tc, other_bytes_and_placeholders_match_themselves);
	tcase_add_test(tc, catalogue_numba_needs_a_whole_pycache_component);
	tcase_add_test(
	    tc, catalogue_python_bytecode_needs_a_whole_pycache_component);
	tcase_add_test(tc, catalogue_supervisord_needs_whole_names);
	tcase_add_test(tc, catalogue_celery_beat_needs_whole_names);
	tcase_add_test(tc, catalogue_tiktoken_needs_a_whole_cache_component);
	tcase_add_test(tc, catalogue_redis_needs_whole_names);
	tcase_add_test(tc, catalogue_sqlite_unchanged);
	tcase_add_test(tc, catalogue_exes_match_either_name_of_a_program);
	tcase_add_test(tc, catalogue_libs_admit_a_program_embedding_the_entrys);
	suite_add_tcase(s, tc);
	return s;
}
