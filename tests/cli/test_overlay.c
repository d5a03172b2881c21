/*
 * test_overlay.c - unit tests of the overlay2 walk (cli/overlaydiff.c) on
 * upper and lower directories made here, without a container: what is
 * listed as added, changed or left out, and what makes the walk give up
 * so that the caller asks `docker diff`.  Whiteouts and opaque
 * directories need root (a 0:0 device, trusted.* attributes): the
 * container test layer.sh compares them with Docker's own list.
 */
#define _GNU_SOURCE
#include "check_main.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "overlaydiff.h"
#include "util.h"

static char root[64];
static char *lowers[2];

static void mk_dir(const char *rel, mode_t mode)
{
	char *p = xasprintf("%s/%s", root, rel);

	ck_assert_int_eq(mkdir(p, mode), 0);
	ck_assert_int_eq(chmod(p, mode), 0);
	free(p);
}

static void mk_file(const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", root, rel);
	FILE *f = fopen(p, "we");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

/* rel's modification time set to t (seconds), the same in every layer */
static void set_mtime(const char *rel, time_t t)
{
	char *p = xasprintf("%s/%s", root, rel);
	struct timeval tv[2] = {{t, 0}, {t, 0}};

	ck_assert_int_eq(utimes(p, tv), 0);
	free(p);
}

/* lower "l0" (top) and "l1" (bottom), upper "up" */
static void make_layers(void)
{
	strcpy(root, "/tmp/unroot-overlay-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	mk_dir("l0", 0755);
	mk_dir("l1", 0755);
	mk_dir("up", 0755);
	lowers[0] = xasprintf("%s/l0", root);
	lowers[1] = xasprintf("%s/l1", root);
}

static char *upper(void)
{
	return xasprintf("%s/up", root);
}

/* The walk's list as "K /path" lines, sorted. */
static char *listing(bool *ok)
{
	struct layer_change *v = NULL;
	size_t n = 0;
	struct strbuf sb = STRBUF_INIT;
	char *up = upper();

	*ok = overlay_walk(up, lowers, 2, &v, &n);
	free(up);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(v[j].path, v[i].path) < 0) {
				struct layer_change t = v[i];
				v[i] = v[j];
				v[j] = t;
			}
	for (size_t i = 0; i < n; i++) {
		sb_addf(&sb, "%c %s\n", v[i].kind, v[i].path);
		free(v[i].path);
	}
	free(v);
	return sb_detach(&sb);
}

static void cleanup(void)
{
	char *cmd = xasprintf("rm -rf '%s'", root);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(lowers[0]);
	free(lowers[1]);
}

START_TEST(test_directories_with_changes_inside_are_listed_changed)
{
	bool ok;

	make_layers();
	/* the image: /etc/a.conf in the bottom layer, /etc/b.conf on top */
	mk_dir("l1/etc", 0755);
	mk_file("l1/etc/a.conf", "a\n");
	mk_dir("l0/etc", 0755);
	mk_file("l0/etc/b.conf", "b\n");
	mk_dir("l1/srv", 0755);
	/* the container: b.conf rewritten (longer), a new file, a new
	 * tree, /srv copied up with only its time changed */
	mk_dir("up/etc", 0755);
	mk_file("up/etc/b.conf", "bb\n");
	mk_file("up/etc/new", "n\n");
	mk_dir("up/opt", 0755);
	mk_dir("up/opt/x", 0755);
	mk_file("up/opt/x/f", "f\n");
	mk_dir("up/srv", 0755);
	set_mtime("up/srv", 1000);
	char *got = listing(&ok);
	ck_assert(ok);
	ck_assert_str_eq(got, "C /etc\n"
			      "C /etc/b.conf\n"
			      "A /etc/new\n"
			      "A /opt\n"
			      "A /opt/x\n"
			      "A /opt/x/f\n");
	free(got);
	cleanup();
}
END_TEST

START_TEST(test_a_directory_changes_by_its_mode_not_its_time)
{
	bool ok;

	make_layers();
	mk_dir("l1/srv", 0755);
	mk_dir("l1/home", 0755);
	mk_dir("up/srv", 0700);
	mk_dir("up/home", 0755);
	set_mtime("l1/home", 1000);
	set_mtime("up/home", 2000);
	char *got = listing(&ok);
	ck_assert(ok);
	ck_assert_str_eq(got, "C /srv\n");
	free(got);
	cleanup();
}
END_TEST

START_TEST(test_a_file_changes_by_its_time_to_the_second)
{
	bool ok;

	make_layers();
	mk_file("l1/same", "x\n");
	mk_file("l1/later", "x\n");
	mk_file("up/same", "x\n");
	mk_file("up/later", "x\n");
	set_mtime("l1/same", 1000);
	set_mtime("up/same", 1000);
	set_mtime("l1/later", 1000);
	set_mtime("up/later", 1001);
	char *got = listing(&ok);
	ck_assert(ok);
	ck_assert_str_eq(got, "C /later\n");
	free(got);
	cleanup();
}
END_TEST

START_TEST(test_a_redirected_directory_is_left_to_docker_diff)
{
	bool ok;

	make_layers();
	mk_dir("l1/a", 0755);
	mk_dir("up/b", 0755);
	char *p = xasprintf("%s/up/b", root);
	if (setxattr(p, "user.overlay.redirect", "/a", 2, 0) != 0) {
		free(p);
		cleanup();
		test_skip("user.* attributes are not supported in /tmp here");
	}
	free(p);
	char *got = listing(&ok);
	ck_assert(!ok);
	ck_assert_str_eq(got, "");
	free(got);
	cleanup();
}
END_TEST

START_TEST(test_an_unreadable_upper_directory_is_left_to_docker_diff)
{
	struct layer_change *v = NULL;
	size_t n = 0;

	ck_assert(
	    !overlay_walk("/nonexistent/unroot/upper", lowers, 0, &v, &n));
	ck_assert(!overlay_walk("relative/upper", lowers, 0, &v, &n));
	ck_assert_ptr_null(v);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("overlay");
	TCase *tc = test_case("overlay", NULL);

	tcase_add_test(tc,
		       test_directories_with_changes_inside_are_listed_changed);
	tcase_add_test(tc, test_a_directory_changes_by_its_mode_not_its_time);
	tcase_add_test(tc, test_a_file_changes_by_its_time_to_the_second);
	tcase_add_test(tc, test_a_redirected_directory_is_left_to_docker_diff);
	tcase_add_test(
	    tc, test_an_unreadable_upper_directory_is_left_to_docker_diff);
	suite_add_tcase(s, tc);
	return s;
}
