/*
 * test_progknown.c - unit tests of preload/progknown.c, compiled into this
 * test with the encoder's hash: what an exec learned of a program file is
 * believed only for the same path, in the same mount namespace, while the
 * file is the one it was learned from; what cannot be kept is not; and
 * what a forked child learns serves its parent.
 */
#include "check_main.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unroot.h"

/* what proc.c would know: the test's namespace, changed at will */
static unsigned long long ns = 4026531840ULL;
unsigned long long ur_mount_ns_known(void)
{
	return ns;
}

static struct stat file_st(void)
{
	struct stat st = {0};

	st.st_dev = 0x801;
	st.st_ino = 4242;
	st.st_mode = S_IFREG | 0755;
	st.st_size = 35664;
	st.st_mtim.tv_sec = 1700000000;
	st.st_mtim.tv_nsec = 5;
	st.st_ctim.tv_sec = 1700000001;
	st.st_ctim.tv_nsec = 7;
	return st;
}

static struct ur_prog learned(const char *real)
{
	struct ur_prog p = {.image = 1, .caps = 1};

	snprintf(p.real, sizeof p.real, "%s", real);
	return p;
}

START_TEST(known_program_is_believed_for_the_same_path_and_file)
{
	struct stat st = file_st();
	struct ur_prog in = learned("/usr/bin/true"), out;

	ur_prog_put("/bin/true", &st, &in);
	ck_assert(ur_prog_get("/bin/true", &st, &out));
	ck_assert_str_eq(out.real, "/usr/bin/true");
	ck_assert_int_eq(out.image, 1);
	ck_assert_int_eq(out.caps, 1);
	ck_assert_int_eq(out.untraced_static, 0);
	ck_assert(!ur_prog_get("/bin/tru", &st, &out));
	ck_assert(!ur_prog_get("/bin/truex", &st, &out));
	in.untraced_static = 1; /* learned again: the last word counts */
	in.real[0] = 0;
	ur_prog_put("/bin/true", &st, &in);
	ck_assert(ur_prog_get("/bin/true", &st, &out));
	ck_assert_int_eq(out.untraced_static, 1);
	ck_assert_str_eq(out.real, "");
}
END_TEST

/* Any change of what lstat says of the file: another file, rewritten,
 * chmod'ed, chown'ed, linked or unlinked (ctime). */
START_TEST(a_changed_file_is_not_believed)
{
	struct stat st = file_st(), other;
	struct ur_prog in = learned("/opt/x/bin/tool"), out;

	ur_prog_put("/opt/x/bin/tool", &st, &in);
	ck_assert(ur_prog_get("/opt/x/bin/tool", &st, &out));
	for (int field = 0; field < 8; field++) {
		other = st;
		switch (field) {
		case 0:
			other.st_dev++;
			break;
		case 1:
			other.st_ino++;
			break;
		case 2:
			other.st_size++;
			break;
		case 3:
			other.st_mtim.tv_nsec++;
			break;
		case 4:
			other.st_ctim.tv_sec++;
			break;
		case 5:
			other.st_mode = S_IFREG | 0700;
			break;
		case 6:
			other.st_uid = 1001;
			break;
		default:
			other.st_gid = 1001;
			break;
		}
		ck_assert_msg(!ur_prog_get("/opt/x/bin/tool", &other, &out),
			      "believed with field %d changed", field);
	}
	ns++; /* another mount namespace */
	ck_assert(!ur_prog_get("/opt/x/bin/tool", &st, &out));
	ns--;
	ck_assert(ur_prog_get("/opt/x/bin/tool", &st, &out));
}
END_TEST

START_TEST(what_cannot_be_kept_is_not)
{
	struct stat st = file_st(), setuid = file_st(), link = file_st();
	struct ur_prog in = learned("/usr/bin/x"), out;
	char longpath[300];

	setuid.st_mode |= S_ISUID;
	link.st_mode = S_IFLNK | 0777;
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[0] = '/';
	longpath[sizeof longpath - 1] = 0;
	ur_prog_put("bin/x", &st, &in); /* relative: the cwd's */
	ck_assert(!ur_prog_get("bin/x", &st, &out));
	ur_prog_put("/s/x", &setuid, &in);
	ck_assert(!ur_prog_get("/s/x", &setuid, &out));
	ur_prog_put("/l/x", &link, &in);
	ck_assert(!ur_prog_get("/l/x", &link, &out));
	ur_prog_put(longpath, &st, &in);
	ck_assert(!ur_prog_get(longpath, &st, &out));
	ns = 0; /* the namespace not known */
	ur_prog_put("/n/x", &st, &in);
	ns = 4026531840ULL;
	ck_assert(!ur_prog_get("/n/x", &st, &out));
	ur_prog_put("/r/x", &st, &in);
	ck_assert(ur_prog_get("/r/x", &st, &out));
	ur_prog_root_changed();
	ck_assert(!ur_prog_get("/r/x", &st, &out));
}
END_TEST

/* The first of a path's two places, as progknown.c picks it (the hash of
 * the namespace and the path). */
static unsigned first_place(const char *path)
{
	uint64_t key =
	    ur_fnv(ur_fnv(UR_FNV_START, &ns, sizeof ns), path, strlen(path)) |
	    1;
	return (unsigned)(key % 16);
}

/* Two programs whose first places are the same, run in turn, are both
 * kept: the second goes to its other place. */
START_TEST(programs_that_share_a_place_are_both_kept)
{
	struct stat a = file_st(), b = file_st();
	struct ur_prog in = learned("/usr/bin/p"), out;
	char pb[64];
	int i = 0;

	do
		snprintf(pb, sizeof pb, "/usr/bin/prog%d", i++);
	while (first_place(pb) != first_place("/usr/bin/cc") && i < 10000);
	ck_assert_int_lt(i, 10000);
	b.st_ino++;
	for (int round = 0; round < 3; round++) {
		ur_prog_put("/usr/bin/cc", &a, &in);
		ur_prog_put(pb, &b, &in);
	}
	ck_assert(ur_prog_get("/usr/bin/cc", &a, &out));
	ck_assert(ur_prog_get(pb, &b, &out));
}
END_TEST

/* The entries are made before the fork (the F wrappers' ur_fork_before):
 * what the child learns, its parent's next child knows. */
START_TEST(what_a_forked_child_learns_serves_its_parent)
{
	struct stat st = file_st();
	struct ur_prog in = learned("/usr/bin/child"), out;
	struct ur_code_run run;
	int status;

	ur_prog_share(&run);
	ck_assert(run.hi > run.lo);
	st.st_ino = 777;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		ur_prog_put("/usr/bin/child", &st, &in);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(ur_prog_get("/usr/bin/child", &st, &out));
	ck_assert_str_eq(out.real, "/usr/bin/child");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("progknown");
	TCase *tc = test_case("progknown_unit", NULL);

	tcase_add_test(tc,
		       known_program_is_believed_for_the_same_path_and_file);
	tcase_add_test(tc, a_changed_file_is_not_believed);
	tcase_add_test(tc, programs_that_share_a_place_are_both_kept);
	tcase_add_test(tc, what_a_forked_child_learns_serves_its_parent);
	tcase_add_test(tc, what_cannot_be_kept_is_not); /* last: root */
	suite_add_tcase(s, tc);
	return s;
}
