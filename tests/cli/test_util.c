/*
 * test_util.c - unit tests of the shared CLI helpers (cli/util.c): terminal
 * escaping of paths, the JSON form of paths, errno names, string buffers,
 * path helpers and finding the preload through UNROOT_PRELOAD.
 */
#define _GNU_SOURCE
#include "check_main.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

START_TEST(test_escape)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"/plain/path", "/plain/path"},
	    {"/a\\b", "/a\\\\b"},
	    {"/esc\x1b[31mred", "/esc\\x1b[31mred"},
	    {"/nl\nx\ttab\x7f", "/nl\\x0ax\\x09tab\\x7f"},
	    {"/caf\xc3\xa9", "/caf\xc3\xa9"},	  /* valid UTF-8 kept */
	    {"/bad\xff\xfe", "/bad\\xff\\xfe"},	  /* invalid bytes */
	    {"/c1\xc2\x9b", "/c1\\xc2\\x9b"},	  /* C1 CSI */
	    {"/cut\xe2\x82", "/cut\\xe2\\x82"},	  /* truncated sequence */
	    {"/over\xc0\xaf", "/over\\xc0\\xaf"}, /* overlong */
	    {"", ""},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *e = path_escape(cases[i].in);

		ck_assert_str_eq(e, cases[i].out);
		free(e);
	}
}
END_TEST

START_TEST(test_fput_path)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	fput_path(f, "/x\x1b");
	fclose(f);
	ck_assert_str_eq(buf, "/x\\x1b");
	free(buf);
}
END_TEST

START_TEST(test_json_path)
{
	json_t *j = json_path("/ok");
	char *s;

	ck_assert(json_is_string(j));
	json_decref(j);
	j = json_path("/t\xff");
	s = json_dumps(j, JSON_COMPACT);
	ck_assert_str_eq(s, "{\"hex\":\"2f74ff\"}");
	free(s);
	json_decref(j);
}
END_TEST

START_TEST(test_errno_names)
{
	ck_assert_int_eq(errno_from_name("EACCES"), EACCES);
	ck_assert_int_eq(errno_from_name("EROFS"), EROFS);
	ck_assert_int_eq(errno_from_name("ENOTEMPTY"), ENOTEMPTY);
	ck_assert_int_eq(errno_from_name("EOPNOTSUPP"), EOPNOTSUPP);
	ck_assert_int_eq(errno_from_name("EDQUOT"), EDQUOT);
	ck_assert_int_eq(errno_from_name("E77"), 77);
	ck_assert_int_eq(errno_from_name("EWHATEVER"), -1);
	ck_assert_str_eq(errno_name(EPERM), "EPERM");
	ck_assert_str_eq(errno_name(EAGAIN), "EAGAIN");
	ck_assert_str_eq(errno_name(EOPNOTSUPP), "EOPNOTSUPP");
	ck_assert_ptr_null(errno_name(4000));
}
END_TEST

START_TEST(test_strbuf_and_paths)
{
	struct strbuf sb = STRBUF_INIT;
	struct strset set = STRSET_INIT;
	char *d;

	ck_assert_str_eq(sb.buf, "");
	sb_adds(&sb, "ab");
	sb_addc(&sb, 'c');
	sb_addf(&sb, "%d", 42);
	ck_assert_str_eq(sb.buf, "abc42");
	ck_assert_uint_eq(sb.len, 5);
	sb_reset(&sb);
	ck_assert_str_eq(sb.buf, "");
	sb_release(&sb);

	ck_assert(strset_add(&set, "/a"));
	ck_assert(!strset_add(&set, "/a"));
	for (int i = 0; i < 1000; i++) {
		char k[16];

		snprintf(k, sizeof k, "/k%d", i);
		strset_add(&set, k);
	}
	ck_assert_uint_eq(set.m.n, 1001);
	ck_assert(strset_has(&set, "/k999"));
	strset_free(&set);

	d = path_dirname("/a/b/c");
	ck_assert_str_eq(d, "/a/b");
	free(d);
	d = path_dirname("/a");
	ck_assert_str_eq(d, "/");
	free(d);
	ck_assert_str_eq(path_basename("/a/b"), "b");
	ck_assert(path_is_under("/app/x", "/app"));
	ck_assert(path_is_under("/app", "/app"));
	ck_assert(!path_is_under("/apple", "/app"));
	ck_assert(path_is_under("/x", "/"));
}
END_TEST

START_TEST(test_find_preload_env)
{
	char tmp[] = "/tmp/unroot-preload-XXXXXX";
	int fd = mkstemp(tmp);
	const char *why = NULL;
	char *p;

	ck_assert_int_ge(fd, 0);
	close(fd);
	setenv("UNROOT_PRELOAD", tmp, 1);
	p = find_preload(&why);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, tmp);
	free(p);
	unlink(tmp);
	p = find_preload(&why);
	ck_assert_ptr_null(p);
	ck_assert_ptr_nonnull(why);
	ck_assert_ptr_nonnull(strstr(why, "UNROOT_PRELOAD"));
	/* unset: ../lib/unroot/libunroot.so beside the executable, which a
	 * build tree has when the preload was built; the answer says which */
	unsetenv("UNROOT_PRELOAD");
	char exe[PATH_MAX], *beside = NULL;
	ck_assert_ptr_nonnull(realpath("/proc/self/exe", exe));
	*strrchr(exe, '/') = '\0';
	char *cand = xasprintf("%s/../lib/unroot/libunroot.so", exe);
	beside = realpath(cand, NULL);
	free(cand);
	why = NULL;
	p = find_preload(&why);
	if (beside && access(beside, R_OK) == 0) {
		ck_assert_ptr_nonnull(p);
		ck_assert_str_eq(p, beside);
	} else {
		ck_assert_ptr_null(p);
		ck_assert_ptr_nonnull(why);
		ck_assert_ptr_nonnull(strstr(why, "libunroot.so"));
	}
	free(p);
	free(beside);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = test_case("util", NULL);

	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_fput_path);
	tcase_add_test(tc, test_json_path);
	tcase_add_test(tc, test_errno_names);
	tcase_add_test(tc, test_strbuf_and_paths);
	tcase_add_test(tc, test_find_preload_env);
	suite_add_tcase(s, tc);
	return s;
}
