/*
 * shim_test.c - tracer/shim.c: which init shims are recognised, and where
 * their command is found.  Each case gives a shim's command line and the
 * one the helper would run instead ("-" when it keeps tracing the shim).
 */
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "tracer.h"

#define HELPER "/h/unroot-ptrace"

/* argv as one string (words split on spaces), rewritten, joined again */
static char *rewrite(const char *path, const char *line, bool reads)
{
	static char out[1024];
	char copy[512], *argv[32];
	int n = 0;

	strcpy(copy, line);
	for (char *w = strtok(copy, " "); w; w = strtok(NULL, " "))
		argv[n++] = w;
	argv[n] = NULL;
	char **r = tr_shim_argv(path, argv, HELPER, reads);
	if (!r)
		return strcpy(out, "-");
	out[0] = 0;
	for (int i = 0; r[i]; i++)
		strcat(strcat(out, i ? " " : ""), r[i]);
	free(r);
	return out;
}

START_TEST(tini_command_after_dashes_goes_through_the_helper)
{
	ck_assert_str_eq(
	    rewrite("/usr/bin/tini-static", "tini -s -- app -v x", false),
	    "tini -s -- " HELPER " --if-static -- app -v x");
	ck_assert_str_eq(
	    rewrite("/sbin/docker-init", "docker-init -- app", true),
	    "docker-init -- " HELPER " --reads --if-static -- app");
}
END_TEST

START_TEST(tini_options_with_arguments_are_skipped)
{
	ck_assert_str_eq(
	    rewrite("/tini", "tini -p SIGKILL -e143 -sg app", false),
	    "tini -p SIGKILL -e143 -sg -- " HELPER " --if-static -- app");
	ck_assert_str_eq(rewrite("/tini", "tini -e 143 app a b", false),
			 "tini -e 143 -- " HELPER " --if-static -- app a b");
}
END_TEST

/* glibc's getopt permutes: `tini app -v` gives -v to tini, not to app */
START_TEST(tini_dash_word_after_command_without_dashes_keeps_tracing)
{
	ck_assert_str_eq(rewrite("/tini", "tini app -v", false), "-");
	ck_assert_str_eq(rewrite("/tini", "tini sh -c true", false), "-");
}
END_TEST

START_TEST(unknown_or_incomplete_options_keep_tracing)
{
	ck_assert_str_eq(rewrite("/tini", "tini -x app", false), "-");
	ck_assert_str_eq(rewrite("/tini", "tini --version", false), "-");
	ck_assert_str_eq(rewrite("/tini", "tini -p", false), "-");
	ck_assert_str_eq(rewrite("/tini", "tini -s --", false), "-");
	ck_assert_str_eq(rewrite("/tini", "tini", false), "-");
	ck_assert_str_eq(rewrite("/dumb-init", "dumb-init --single app", false),
			 "-");
	ck_assert_str_eq(rewrite("/dumb-init", "dumb-init --rewrite", false),
			 "-");
}
END_TEST

/* dumb-init's getopt stops at its command ('+'): later options are its */
START_TEST(dumb_init_long_and_short_options)
{
	ck_assert_str_eq(rewrite("/usr/bin/dumb-init",
				 "dumb-init --rewrite=15:3 -c --verbose app -x",
				 false),
			 "dumb-init --rewrite=15:3 -c --verbose -- " HELPER
			 " --if-static -- app -x");
	ck_assert_str_eq(rewrite("/dumb-init_1.2.5_x86_64",
				 "d --rewrite 15:3 -r 2:0 app", false),
			 "d --rewrite 15:3 -r 2:0 -- " HELPER
			 " --if-static -- app");
}
END_TEST

START_TEST(shims_are_known_by_file_name_only)
{
	ck_assert_str_eq(
	    rewrite("/usr/bin/catatonit", "catatonit -g -- app", false),
	    "catatonit -g -- " HELPER " --if-static -- app");
	ck_assert_str_eq(
	    rewrite("/usr/local/bin/tini-static-amd64", "tini -- app", false),
	    "tini -- " HELPER " --if-static -- app");
	ck_assert_str_eq(rewrite("/usr/bin/tinix", "tinix -- app", false), "-");
	ck_assert_str_eq(rewrite("/app/server", "server -- app", false), "-");
	ck_assert_str_eq(rewrite("/sbin/init", "init -- app", false), "-");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("shim");
	TCase *tc;

	tc = test_case("tini_command_after_dashes_goes_through_the_helper",
		       NULL);
	tcase_add_test(tc, tini_command_after_dashes_goes_through_the_helper);
	suite_add_tcase(s, tc);
	tc = test_case("tini_options_with_arguments_are_skipped", NULL);
	tcase_add_test(tc, tini_options_with_arguments_are_skipped);
	suite_add_tcase(s, tc);
	tc = test_case(
	    "tini_dash_word_after_command_without_dashes_keeps_tracing", NULL);
	tcase_add_test(
	    tc, tini_dash_word_after_command_without_dashes_keeps_tracing);
	suite_add_tcase(s, tc);
	tc = test_case("unknown_or_incomplete_options_keep_tracing", NULL);
	tcase_add_test(tc, unknown_or_incomplete_options_keep_tracing);
	suite_add_tcase(s, tc);
	tc = test_case("dumb_init_long_and_short_options", NULL);
	tcase_add_test(tc, dumb_init_long_and_short_options);
	suite_add_tcase(s, tc);
	tc = test_case("shims_are_known_by_file_name_only", NULL);
	tcase_add_test(tc, shims_are_known_by_file_name_only);
	suite_add_tcase(s, tc);
	return s;
}
