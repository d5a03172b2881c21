/*
 * check_generalize.c - unit tests of generalize.c: one test per rule of
 * docs/baseline.md (with the example given there), the rules that must
 * not fire, and the evidence a trace gives reaching the classifier of
 * temporary names (tempname.c, whose own rules are check_tempname.c).
 */
#include "check_main.h"
#include <stdint.h>
#include <stdlib.h>

#include "generalize.h"

/* The pattern of path when the trace showed bits (tempname.h) for it. */
static void expect(const char *path, const char *home, unsigned bits,
		   const char *want)
{
	struct tn_evidence ev = TN_EVIDENCE_INIT;
	char *got;

	if (bits)
		map_put(&ev.m, path, (void *)(uintptr_t)bits);
	got = generalize_path(path, home, &ev, NULL);
	ck_assert_msg(!strcmp(got, want), "%s -> %s, want %s", path, got, want);
	free(got);
	tn_evidence_free(&ev);
}

START_TEST(python_tempfile)
{
	expect("/tmp/tmpk3j_9a0z", NULL, 0, "/tmp/tmp{rand}");
	expect("/tmp/tmpabcdefgh.json", NULL, 0, "/tmp/tmp{rand}.json");
	/* 7 or 9 letters are not Python's */
	expect("/tmp/tmpabcdefg", NULL, 0, "/tmp/tmpabcdefg");
	expect("/etc/tmpfiles.d/x.conf", NULL, 0, "/etc/tmpfiles.d/x.conf");
}
END_TEST

START_TEST(matplotlib_and_gunicorn)
{
	expect("/tmp/matplotlib-9k89vsu8/fontlist.json", NULL, 0,
	       "/tmp/matplotlib-{rand}/fontlist.json");
	expect("/tmp/wgunicorn-abcd_123", NULL, 0, "/tmp/wgunicorn-{rand}");
}
END_TEST

START_TEST(mktemp_suffix)
{
	/* proven by a mkstemp() event: the last six letters */
	expect("/var/tmp/stateab12Cd", NULL, TN_TEMPLATE,
	       "/var/tmp/state{rand}");
	expect("/var/tmp/state.abcdef", NULL, TN_TEMPLATE,
	       "/var/tmp/state.{rand}");
	/* without proof: ".XXXXXX" or mktemp(1)'s 10 mixing two classes */
	expect("/tmp/foo.aB3dE9", NULL, 0, "/tmp/foo.{rand}");
	expect("/tmp/tmp.Zx81kQa2pL", NULL, 0, "/tmp/tmp.{rand}");
	expect("/srv/file.backup", NULL, 0, "/srv/file.backup");
}
END_TEST

START_TEST(digit_runs)
{
	expect("/var/cache/nginx/client_body_temp/0000000001", NULL, 0,
	       "/var/cache/nginx/client_body_temp/{n}");
	expect("/run/app.1234.pid", NULL, 0, "/run/app.{n}.pid");
	expect("/app/__pycache__/m.cpython-311.pyc", NULL, 0,
	       "/app/__pycache__/m.cpython-{n}.pyc");
	/* digits that continue a word stay */
	expect("/usr/lib/python3/x", NULL, 0, "/usr/lib/python3/x");
}
END_TEST

START_TEST(hex_hashes)
{
	expect(
	    "/root/.cache/huggingface/hub/models--x/blobs/"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    NULL, 0, "/root/.cache/huggingface/hub/models--x/blobs/{hex}");
	expect("/app/index_da39a3ee5e6b4b0d3255bfef95601890afd80709.nbi", NULL,
	       0, "/app/index_{hex}.nbi");
	/* all letters, or too short: not a hash */
	expect("/app/deadbeef", NULL, 0, "/app/deadbeef");
	/* not a hash: the fallback takes it for mktemp's letters */
	expect("/app/cafe1234x", NULL, 0, "/app/{rand}");
	expect("/app/abc123", NULL, 0, "/app/abc123");
}
END_TEST

START_TEST(supervisor_logs)
{
	expect("/var/log/supervisor/web-stdout---supervisor-GUllAv.log", NULL,
	       0, "/var/log/supervisor/web-stdout---supervisor-{rand}.log");
	expect("/tmp/w-stderr---supervisor-k_3j9x2a.log", NULL, 0,
	       "/tmp/w-stderr---supervisor-{rand}.log");
}
END_TEST

START_TEST(home_rebased)
{
	expect("/root/.cache/pip/x", "/root", 0, "~/.cache/pip/x");
	expect("/home/app/.cache/pip/x", "/home/app/", 0, "~/.cache/pip/x");
	expect("/home/application/x", "/home/app", 0, "/home/application/x");
	expect("/root", "/root", 0, "~");
	expect("/x", "/", 0, "/x");
	expect("/root/x", NULL, 0, "/root/x");
}
END_TEST

START_TEST(no_exist_dir)
{
	expect("/h/.cache/huggingface/hub/models--a--b/.no_exist/"
	       "0123456789abcdef0123456789abcdef01234567/config.json",
	       NULL, 0,
	       "/h/.cache/huggingface/hub/models--a--b/.no_exist/{hex}/"
	       "config.json");
	expect("/h/.no_exist/main/x", NULL, 0, "/h/.no_exist/{hex}/x");
}
END_TEST

START_TEST(plain_paths_unchanged)
{
	expect("/", NULL, 0, "/");
	expect("/etc/nginx/nginx.conf", NULL, 0, "/etc/nginx/nginx.conf");
	expect("/var/lib/x86_64-linux-gnu", NULL, 0,
	       "/var/lib/x86_{n}-linux-gnu");
}
END_TEST

START_TEST(git_object_fanout_is_a_hash)
{
	expect("/r/.git/objects/3f/0123456789abcdef0123456789abcdef012345",
	       NULL, 0, "/r/.git/objects/{hex}/{hex}");
	expect("/r/.git/objects/3f", NULL, 0, "/r/.git/objects/{hex}");
	expect("/r/.git/objects/pack", NULL, 0, "/r/.git/objects/pack");
	expect("/r/objects/zz", NULL, 0, "/r/objects/zz");
}
END_TEST

START_TEST(evidence_reaches_the_classifier)
{
	/* 12 mixed letters: only the evidence finds it random */
	expect("/srv/spool/Xk3jq9ZaLm2p", NULL, TN_EXCL | TN_REMOVED,
	       "/srv/spool/{rand}");
	expect("/srv/spool/Xk3jq9ZaLm2p", NULL, TN_EXCL,
	       "/srv/spool/Xk3jq9ZaLm2p");
	/* the prefix and suffix keep their own rules */
	expect("/srv/job-Xk3jq9ZaLm2p.1234.tmp", NULL, TN_EXCL | TN_REMOVED,
	       "/srv/job-{rand}.{n}.tmp");
}
END_TEST

START_TEST(a_directory_made_exclusively_counts_for_its_names)
{
	struct tn_evidence ev = TN_EVIDENCE_INIT;
	unsigned long long created;
	char *got;

	map_put(&ev.m, "/root/w", (void *)(uintptr_t)TN_EXCL);
	map_put(&ev.m, "/root/w/Xk3jq9ZaLm2p", (void *)(uintptr_t)TN_EXCL);
	got = generalize_path("/root/w/Xk3jq9ZaLm2p/x", "/root", &ev, &created);
	ck_assert_str_eq(got, "~/w/{rand}/x");
	/* components: "~" 0, "w" 1, the token 2, "x" 3 */
	ck_assert_uint_eq(created, (1ull << 1) | (1ull << 2));
	free(got);
	tn_evidence_free(&ev);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("generalize");
	TCase *tc = test_case("generalize", NULL);

	tcase_add_test(tc, python_tempfile);
	tcase_add_test(tc, matplotlib_and_gunicorn);
	tcase_add_test(tc, mktemp_suffix);
	tcase_add_test(tc, digit_runs);
	tcase_add_test(tc, hex_hashes);
	tcase_add_test(tc, supervisor_logs);
	tcase_add_test(tc, home_rebased);
	tcase_add_test(tc, no_exist_dir);
	tcase_add_test(tc, plain_paths_unchanged);
	tcase_add_test(tc, git_object_fanout_is_a_hash);
	tcase_add_test(tc, evidence_reaches_the_classifier);
	tcase_add_test(tc, a_directory_made_exclusively_counts_for_its_names);
	suite_add_tcase(s, tc);
	return s;
}
