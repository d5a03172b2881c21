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

/* A denial of call op on path (a write when write). */
static void denied(struct denials *ds, const char *op, const char *path,
		   bool write)
{
	struct denial d = {.op = xstrdup(op),
			   .path = xstrdup(path),
			   .err = xstrdup("EACCES"),
			   .prog = xstrdup("app"),
			   .pattern = xstrdup(path),
			   .write = write};

	ds->v = xgrow(ds->v, &ds->cap, ds->n + 1, sizeof *ds->v);
	ds->v[ds->n++] = d;
}

/* A denied write of a path no plan grants, which the plan refuses itself
 * (chromium's mkdir of /usr/lib/chromium/extensions; a write to
 * /etc/passwd) is set aside.  Stay denials: a read the plan may grant
 * (sshd's host key), a write the plan fixes another way (bytecode, by a
 * build step: no refusal), a path a refusal of "/" holds (a sed -i in /),
 * another pid's /proc setting than the one refused, an application's
 * own directory of /etc. */
START_TEST(denial_the_plan_refuses_and_no_plan_grants_is_set_aside)
{
	struct denials user = {0}, refused = {0}, fallback = {0};
	struct refusal r[] = {{.path = "/usr/lib/chromium/extensions"},
			      {.path = "/etc/passwd"},
			      {.path = "/etc/ssh/ssh_host_ed25519_key"},
			      {.path = "/"},
			      {.path = "/proc/9/oom_score_adj"},
			      {.path = "/etc/nginx/conf.d"}};
	struct plan pl = {.refused = r, .nrefused = sizeof r / sizeof *r};

	denied(&user, "mkdir", "/usr/lib/chromium/extensions", true);
	denied(&user, "open", "/etc/passwd", true);
	denied(&user, "open", "/etc/ssh/ssh_host_ed25519_key", false);
	denied(&user, "open", "/app/__pycache__/x.pyc", true);
	denied(&user, "open", "/config.json", true);
	denied(&user, "open", "/proc/11/oom_score_adj", true);
	denied(&user, "mkdir", "/etc/nginx/conf.d", true);
	denials_split_refused(&user, &pl, &refused, &fallback);
	ck_assert_uint_eq(fallback.n, 0);
	ck_assert_uint_eq(refused.n, 2);
	ck_assert_str_eq(refused.v[0].path, "/usr/lib/chromium/extensions");
	ck_assert_str_eq(refused.v[1].path, "/etc/passwd");
	ck_assert_uint_eq(user.n, 5);
	denials_free(&user);
	denials_free(&refused);
}
END_TEST

/* fontconfig asks access(W_OK) of its system cache and chmods it before
 * it caches a font directory under the user's cache (LibreOffice's own,
 * which the build step's fc-cache does not know): below a path the plan
 * names as a writer's fallback, a denied write or write check is a
 * probe, set aside.  A denied read there (a cache file only root may
 * read), or a denial beside it (/var/cache/fontconfig-old) or elsewhere
 * stays. */
START_TEST(denial_below_a_writers_fallback_path_is_a_probe)
{
	struct denials user = {0}, refused = {0}, fallback = {0};
	struct fallback fb[] = {{.path = "/var/cache/fontconfig"}};
	struct plan pl = {.fallbacks = fb, .nfallbacks = 1};

	denied(&user, "access", "/var/cache/fontconfig", false);
	denied(&user, "chmod", "/var/cache/fontconfig", true);
	denied(&user, "open", "/var/cache/fontconfig/x-le64.cache-8", true);
	denied(&user, "mkdir", "/var/cache/fontconfig-old", true);
	denied(&user, "open", "/srv/out/letter.pdf", true);
	denied(&user, "open", "/var/cache/fontconfig/y-le64.cache-8", false);
	user.v[0].check = user.v[0].wcheck = true; /* the access(W_OK) */
	denials_split_refused(&user, &pl, &refused, &fallback);
	ck_assert_uint_eq(refused.n, 0);
	ck_assert_uint_eq(fallback.n, 3);
	ck_assert_uint_eq(user.n, 3);
	ck_assert_str_eq(user.v[0].path, "/var/cache/fontconfig-old");
	ck_assert_str_eq(user.v[2].path,
			 "/var/cache/fontconfig/y-le64.cache-8");
	denials_free(&user);
	denials_free(&fallback);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("harden_denials");
	TCase *t = test_case("denials", NULL);

	tcase_add_test(t, denial_in_a_directory_each_run_made_is_root_s_too);
	tcase_add_test(t,
		       denial_the_plan_refuses_and_no_plan_grants_is_set_aside);
	tcase_add_test(t, denial_below_a_writers_fallback_path_is_a_probe);
	suite_add_tcase(s, t);
	return s;
}
