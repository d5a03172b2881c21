/*
 * test_harden_probe.c - unit tests of harden's probe (cli/harden_probe.c)
 * without a Docker engine: a `docker` script first on PATH stands for
 * `docker exec`, failing a given number of times before it passes, and
 * logs its arguments.  The probe is driven through probe_tick() with the
 * seconds a run would have reached; what a round then counts is checked
 * through harden_run_matches().
 */
#define _GNU_SOURCE
#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harden.h"

static char *dir, *args_log;

/* A docker that fails its first `fails` calls with status 3, then exits 0;
 * each call's arguments are appended to args_log. */
static void fake_docker(int fails)
{
	char *path, *count, *newpath;
	FILE *f;

	dir = xstrdup("/tmp/unroot-probe-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = xasprintf("%s/docker", dir);
	count = xasprintf("%s/count", dir);
	args_log = xasprintf("%s/args", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"#!/bin/sh\n"
		"echo \"$*\" >> '%s'\n"
		"n=$(cat '%s' 2>/dev/null || echo 0)\n"
		"echo $((n + 1)) > '%s'\n"
		"[ \"$n\" -ge %d ] || exit 3\n",
		args_log, count, count, fails);
	fclose(f);
	chmod(path, 0755);
	newpath = xasprintf("%s:%s", dir, getenv("PATH"));
	setenv("PATH", newpath, 1);
	free(newpath);
	free(path);
	free(count);
}

/* The fake docker and what it wrote, removed. */
static void teardown(void)
{
	char *files[] = {"docker", "count", "args"};

	if (!dir)
		return;
	for (size_t i = 0; i < 3; i++) {
		char *f = xasprintf("%s/%s", dir, files[i]);

		unlink(f);
		free(f);
	}
	rmdir(dir);
	free(dir);
	free(args_log);
	dir = args_log = NULL;
}

static struct harden probe_harden(long delay, long timeout)
{
	static char *argv[] = {"/bin/sh", "-c", "test -S /run/x.sock", NULL};
	struct harden h = {.probe_delay = delay, .probe_timeout = timeout};

	h.probe_argv = argv;
	return h;
}

/* Tick p from `from` to `to` seconds (real time passes: the attempts are
 * processes) with the container still running. */
static void run_until(struct probe_run *p, double from, double to)
{
	for (double el = from; el <= to && probe_pending(p); el += 0.1) {
		probe_tick(p, el, false);
		usleep(100000);
	}
}

START_TEST(probe_is_retried_until_it_passes)
{
	struct harden h = probe_harden(0, 30);
	struct probe_run p;

	fake_docker(2);
	probe_begin(&p, &h, true, "c1", STDERR_FILENO);
	run_until(&p, 0, 20);
	ck_assert_int_eq(p.state, PROBE_PASSED);
	ck_assert_int_eq(p.attempts, 3);
	ck_assert_int_eq(p.rc, 0);
}
END_TEST

START_TEST(probe_failing_until_its_timeout_fails)
{
	struct harden h = probe_harden(1, 2);
	struct probe_run p;

	fake_docker(1000);
	probe_begin(&p, &h, true, "c1", STDERR_FILENO);
	probe_tick(&p, 0.5, false);
	ck_assert_int_eq(p.attempts, 0); /* not before --probe-delay */
	run_until(&p, 1, 10);
	ck_assert_int_eq(p.state, PROBE_FAILED);
	ck_assert_int_eq(p.rc, 3);
	ck_assert(p.seconds <= 3.0 + 0.2);
	ck_assert_int_ge(p.attempts, 1);
}
END_TEST

START_TEST(probe_runs_in_the_container_without_the_preload)
{
	struct harden h = probe_harden(0, 5);
	struct probe_run p;
	size_t n;
	char *args;

	fake_docker(0);
	probe_begin(&p, &h, true, "the-container", STDERR_FILENO);
	run_until(&p, 0, 5);
	ck_assert_int_eq(p.state, PROBE_PASSED);
	args = file_read(args_log, &n);
	ck_assert_ptr_nonnull(args);
	ck_assert_str_eq(args,
			 "exec -e LD_PRELOAD= the-container /bin/sh -c test -S "
			 "/run/x.sock\n");
	free(args);
}
END_TEST

START_TEST(container_that_ended_fails_a_pending_probe)
{
	struct harden h = probe_harden(3, 30);
	struct probe_run p;

	fake_docker(0);
	probe_begin(&p, &h, true, "c1", STDERR_FILENO);
	probe_tick(&p, 1, false);
	probe_tick(&p, 1.5, true);
	ck_assert_int_eq(p.state, PROBE_FAILED);
	ck_assert_int_eq(p.attempts, 0);
}
END_TEST

START_TEST(no_probe_without_a_command_or_when_not_wanted)
{
	struct harden h = probe_harden(0, 30), none = {0};
	struct probe_run p;

	probe_begin(&p, &h, false, "c1", STDERR_FILENO);
	ck_assert(!probe_pending(&p));
	probe_begin(&p, &none, true, "c1", STDERR_FILENO);
	ck_assert(!probe_pending(&p));
	ck_assert_int_eq(p.state, PROBE_NONE);
}
END_TEST

/* ---- what a round counts ------------------------------------------------- */

static struct harden_result result(bool stopped, enum probe_state probe)
{
	struct harden_result r = {.stopped = stopped, .seconds = 1};

	r.probe.state = probe;
	return r;
}

START_TEST(exit_before_stop_after_fails_when_root_ran_until_stopped)
{
	struct harden h = {.stop_after = 3};
	struct harden_result root = result(true, PROBE_NONE);
	struct harden_result user = result(false, PROBE_NONE);

	ck_assert(!harden_run_matches(&h, &root, &user, false));
	user.stopped = true;
	ck_assert(harden_run_matches(&h, &root, &user, false));
}
END_TEST

START_TEST(exit_before_stop_after_counts_when_root_exited_too)
{
	struct harden h = {.stop_after = 3};
	struct harden_result root = result(false, PROBE_NONE);
	struct harden_result user = result(false, PROBE_NONE);

	ck_assert(harden_run_matches(&h, &root, &user, false));
}
END_TEST

START_TEST(probe_passed_as_root_must_pass_as_the_user)
{
	struct harden h = {.stop_after = 3};
	struct harden_result root = result(true, PROBE_PASSED);
	struct harden_result user = result(true, PROBE_FAILED);

	ck_assert(!harden_run_matches(&h, &root, &user, false));
	user.probe.state = PROBE_PASSED;
	ck_assert(harden_run_matches(&h, &root, &user, false));
}
END_TEST

START_TEST(probe_failing_as_root_is_not_required_of_the_user)
{
	struct harden h = {.stop_after = 3};
	struct harden_result root = result(true, PROBE_FAILED);
	struct harden_result user = result(true, PROBE_NONE);

	ck_assert(harden_run_matches(&h, &root, &user, false));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("harden_probe");
	TCase *tc =
	    test_case("probe_is_retried_untraced_until_its_timeout", NULL);
	TCase *v =
	    test_case("round_counts_only_when_it_does_what_root_did", NULL);

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, probe_is_retried_until_it_passes);
	tcase_add_test(tc, probe_failing_until_its_timeout_fails);
	tcase_add_test(tc, probe_runs_in_the_container_without_the_preload);
	tcase_add_test(tc, container_that_ended_fails_a_pending_probe);
	tcase_add_test(tc, no_probe_without_a_command_or_when_not_wanted);
	suite_add_tcase(s, tc);
	tcase_add_test(
	    v, exit_before_stop_after_fails_when_root_ran_until_stopped);
	tcase_add_test(v, exit_before_stop_after_counts_when_root_exited_too);
	tcase_add_test(v, probe_passed_as_root_must_pass_as_the_user);
	tcase_add_test(v, probe_failing_as_root_is_not_required_of_the_user);
	suite_add_tcase(s, v);
	return s;
}
