/*
 * test_harden_denials.c - unit tests of harden's weighing of a run's
 * denials against root's (cli/harden_denials.c), with denials built in
 * memory: which the run as the user shares with root's run.
 */
#define _GNU_SOURCE
#include "check_main.h"
#include <stdlib.h>
#include <string.h>

#include "harden.h"

/* A chown refused with EPERM on path, and path with its directory
 * written by the same run (the tool made the directory, then the file). */
static void chown_denied(struct denials *ds, const char *path)
{
	struct denial d = {.op = xstrdup("chown"),
			   .path = xstrdup(path),
			   .err = xstrdup("EPERM"),
			   .prog = xstrdup("chown"),
			   .pattern = xstrdup(path)};
	char *dir = path_dirname(path);

	ds->v = xgrow(ds->v, &ds->cap, ds->n + 1, sizeof *ds->v);
	ds->v[ds->n++] = d;
	strset_add(&ds->wrote, path);
	strset_add(&ds->wrote, dir);
	free(dir);
}

static size_t shared_with_root(const char *root_path, const char *user_path)
{
	struct denials root = {0}, user = {0}, shared = {0}, checks = {0};
	size_t n;

	chown_denied(&root, root_path);
	chown_denied(&user, user_path);
	denials_split_root(&user, &root, true, &shared, &checks);
	n = shared.n;
	denials_free(&root);
	denials_free(&user);
	denials_free(&shared);
	denials_free(&checks);
	return n;
}

/* mktemp(1) draws six letters and digits; six lower-case letters alone do
 * not look random, but each run made its own directory: the same denial */
START_TEST(denial_in_a_directory_each_run_made_is_root_s_too)
{
	ck_assert_uint_eq(shared_with_root("/tmp/build.ukrtkx/out.so",
					   "/tmp/build.s7nXm0/out.so"),
			  1);
	ck_assert_uint_eq(shared_with_root("/tmp/build.Q7a2Kd/out.so",
					   "/tmp/build.abcdef/out.so"),
			  1);
	/* another directory, another file: not the same denial */
	ck_assert_uint_eq(shared_with_root("/tmp/build.ukrtkx/out.so",
					   "/tmp/other.s7nXm0/out.so"),
			  0);
	ck_assert_uint_eq(shared_with_root("/tmp/build.ukrtkx/out.so",
					   "/tmp/build.s7nXm0/in.so"),
			  0);
}
END_TEST

/* A denial of a path no plan grants (chromium's mkdir of
 * /usr/lib/chromium/extensions: system code; a process's own setting in
 * /proc, whatever its pid) is set aside; a path a plan could grant stays
 * a denial, even when a refusal of "/" (a sed -i in /) holds it, and so
 * does an application's own directory of /etc. */
START_TEST(denial_of_a_path_never_granted_is_set_aside)
{
	struct denials user = {0}, refused = {0};

	chown_denied(&user, "/usr/lib/chromium/extensions");
	chown_denied(&user, "/proc/11/oom_score_adj");
	chown_denied(&user, "/srv/data/out");
	chown_denied(&user, "/config.json");
	chown_denied(&user, "/etc/nginx/conf.d/site.conf");
	denials_split_refused(&user, &refused);
	ck_assert_uint_eq(refused.n, 2);
	ck_assert_str_eq(refused.v[0].path, "/usr/lib/chromium/extensions");
	ck_assert_str_eq(refused.v[1].path, "/proc/11/oom_score_adj");
	ck_assert_uint_eq(user.n, 3);
	denials_free(&user);
	denials_free(&refused);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("harden_denials");
	TCase *t = test_case("denials", NULL);

	tcase_add_test(t, denial_in_a_directory_each_run_made_is_root_s_too);
	tcase_add_test(t, denial_of_a_path_never_granted_is_set_aside);
	suite_add_tcase(s, t);
	return s;
}
