/*
 * test_handover.c - unit tests of preload/handover.c: an image believes
 * what its exec handed it only when it was made for this pid and this
 * AT_EXECFN, and always takes it out of the environment; the root and the
 * claims go with it only when the caller knew the root.  (The walk that
 * finds the executable handed over is tested in test_known.c.)
 */
#include "check_main.h"
#include <limits.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "unroot.h"

extern char **environ;

/* what state.c and proc.c keep: here, plain variables */
pid_t ur_pid;
static unsigned long long ns_now;
unsigned long long ur_mount_ns_known(void)
{
	return ns_now;
}
void ur_mount_ns_remember(unsigned long long ns)
{
	ns_now = ns;
}
void ur_mount_ns_forget(void)
{
	ns_now = 0;
}

/* cwd.c's root and proc.c's claims */
static unsigned long long root_dev, root_ino, claimed_ns, claimed_dev,
    claimed_ino;
bool ur_root_recall(unsigned long long *dev, unsigned long long *ino)
{
	*dev = root_dev;
	*ino = root_ino;
	return root_dev || root_ino;
}
unsigned long ur_root_stamp(void)
{
	return 0;
}
void ur_root_remember(unsigned long stamp, unsigned long long dev,
		      unsigned long long ino)
{
	ck_assert_uint_eq(stamp, 0);
	root_dev = dev;
	root_ino = ino;
}
bool ur_claims_made(unsigned long long ns, unsigned long long dev,
		    unsigned long long ino)
{
	return ns == claimed_ns && dev == claimed_dev && ino == claimed_ino;
}
void ur_claims_handed(unsigned long long ns, unsigned long long dev,
		      unsigned long long ino)
{
	claimed_ns = ns;
	claimed_dev = dev;
	claimed_ino = ino;
}

/* what a new image knows before it takes the handover */
static void forget_all(void)
{
	ns_now = root_dev = root_ino = 0;
	claimed_ns = claimed_dev = claimed_ino = 0;
}

/* text made by this process for pid and this test's AT_EXECFN */
static void made_for(long pid, char *text, size_t cap)
{
	ur_mount_ns_remember(4242);
	ck_assert(ur_handover_text(text, cap, pid,
				   (const char *)getauxval(AT_EXECFN),
				   "/opt/x/bin/prog"));
	forget_all();
}

/* environ = {A=1, text, B=2}, taken; it must be {A=1, B=2} after */
static void take_from(char *text)
{
	static char *env[4];

	env[0] = "A=1";
	env[1] = text;
	env[2] = "B=2";
	env[3] = NULL;
	environ = env;
	ur_handover_take();
	ck_assert_str_eq(environ[0], "A=1");
	ck_assert_str_eq(environ[1], "B=2");
	ck_assert_ptr_null(environ[2]);
}

START_TEST(test_handover_is_believed_for_its_own_pid_and_execfn)
{
	char text[PATH_MAX + 128];

	ur_pid = getpid();
	made_for(ur_pid, text, sizeof text);
	take_from(text);
	ck_assert_ptr_nonnull(ur_handover_exe());
	ck_assert_str_eq(ur_handover_exe(), "/opt/x/bin/prog");
	ck_assert_uint_eq(ur_mount_ns_known(), 4242);
}
END_TEST

/* made for pid by a caller whose root is 2049:2 and whose claims are of
 * namespace 4242 and root 2049:claimed_ino, then taken */
static void handed_by_a_caller_with_root(long pid,
					 unsigned long long claimed_ino)
{
	char text[PATH_MAX + 128];

	root_dev = 2049;
	root_ino = 2;
	ur_claims_handed(4242, 2049, claimed_ino);
	made_for(pid, text, sizeof text);
	take_from(text);
}

START_TEST(test_root_and_claims_are_handed_when_the_caller_knew_the_root)
{
	char text[PATH_MAX + 128];

	ur_pid = getpid();
	handed_by_a_caller_with_root(ur_pid, 2);
	ck_assert_str_eq(ur_handover_exe(), "/opt/x/bin/prog");
	ck_assert_uint_eq(root_dev, 2049);
	ck_assert_uint_eq(root_ino, 2);
	ck_assert_uint_eq(claimed_ns, 4242);
	ck_assert_uint_eq(claimed_dev, 2049);
	ck_assert_uint_eq(claimed_ino, 2);

	/* claims of another root: the root only */
	handed_by_a_caller_with_root(ur_pid, 3);
	ck_assert_uint_eq(root_ino, 2);
	ck_assert_uint_eq(claimed_ns, 0);

	/* no root known: neither */
	root_dev = root_ino = 0;
	ur_claims_handed(4242, 0, 0);
	made_for(ur_pid, text, sizeof text);
	take_from(text);
	ck_assert_str_eq(ur_handover_exe(), "/opt/x/bin/prog");
	ck_assert_uint_eq(ur_mount_ns_known(), 4242);
	ck_assert_uint_eq(root_dev, 0);
	ck_assert_uint_eq(root_ino, 0);
	ck_assert_uint_eq(claimed_ns, 0);
}
END_TEST

START_TEST(test_handover_for_another_call_is_taken_out_but_not_believed)
{
	char text[PATH_MAX + 128];

	ur_pid = getpid();
	handed_by_a_caller_with_root(ur_pid + 1, 2); /* another process's */
	ck_assert_ptr_null(ur_handover_exe());
	ck_assert_uint_eq(ur_mount_ns_known(), 0);
	ck_assert_uint_eq(root_ino, 0);
	ck_assert_uint_eq(claimed_ns, 0);

	ur_mount_ns_remember(4242); /* another path given to the kernel */
	ck_assert(ur_handover_text(text, sizeof text, ur_pid, "/bin/other",
				   "/opt/x/bin/prog"));
	ur_mount_ns_forget();
	take_from(text);
	ck_assert_ptr_null(ur_handover_exe());
	ck_assert_uint_eq(ur_mount_ns_known(), 0);
}
END_TEST

START_TEST(test_malformed_handover_is_taken_out_but_not_believed)
{
	static char bad[][64] = {
	    UNROOT_ENV_EXEC "=12:zz:1:2:0:/x",
	    UNROOT_ENV_EXEC "=:0123456789abcdef:1:2:0:/x",
	    UNROOT_ENV_EXEC "=12:0123456789abcdef:1:2:0:x",
	    UNROOT_ENV_EXEC "=12:0123456789abcdef:1:2:2:/x",
	    UNROOT_ENV_EXEC "=12:0123456789abcdef:1::0:/x",
	    UNROOT_ENV_EXEC "=12:0123456789abcdef:/x", /* the old form */
	    UNROOT_ENV_EXEC "=12:0123456789abcde",
	    UNROOT_ENV_EXEC "="};

	ur_pid = getpid();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		take_from(bad[i]);
		ck_assert_ptr_null(ur_handover_exe());
		ck_assert_uint_eq(ur_mount_ns_known(), 0);
		ck_assert_uint_eq(root_ino, 0);
	}
}
END_TEST

START_TEST(test_nothing_is_handed_over_without_a_known_namespace)
{
	char text[PATH_MAX + 64];

	ur_mount_ns_forget();
	ck_assert(!ur_handover_text(text, sizeof text, 1, "/bin/x", "/x"));
	ur_mount_ns_remember(7);
	ck_assert(!ur_handover_text(text, sizeof text, 1, "/bin/x", "rel"));
	ck_assert(!ur_handover_text(text, 40, 1, "/bin/x", "/x"));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("handover");
	TCase *tc = test_case("handover_unit", NULL);
	tcase_add_test(tc,
		       test_handover_is_believed_for_its_own_pid_and_execfn);
	tcase_add_test(
	    tc, test_root_and_claims_are_handed_when_the_caller_knew_the_root);
	tcase_add_test(
	    tc, test_handover_for_another_call_is_taken_out_but_not_believed);
	tcase_add_test(tc,
		       test_malformed_handover_is_taken_out_but_not_believed);
	tcase_add_test(tc,
		       test_nothing_is_handed_over_without_a_known_namespace);
	suite_add_tcase(s, tc);
	return s;
}
