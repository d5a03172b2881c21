/*
 * check_main.h - the one main() of every Check test binary (check_main.c)
 * and what a test file gives it.  A test file defines test_suite(), which
 * builds its suite and creates each test case with test_case() instead of
 * tcase_create(), so that the binary can list its cases:
 *
 *   BINARY            run every case
 *   BINARY CASE       run the case named CASE
 *   BINARY --list     print the cases, one a line: NAME, a tab, LABELS
 *
 * The build runs `BINARY --list` and registers one CTest test per case
 * (cmake/check_tests.cmake), so a case added to a test file is a CTest
 * test without being named anywhere else, and one removed disappears.
 *
 * Exit status: 0 every test run passed; 1 a test failed, or no case is
 * named CASE; 77 (CTest's SKIP_RETURN_CODE) nothing failed but a test
 * could not run here and said why with test_skip().
 */
#ifndef UNROOT_CHECK_MAIN_H
#define UNROOT_CHECK_MAIN_H

#include <check.h>

/* The binary's suite, built on each call (defined by the test file). */
Suite *test_suite(void);

/*
 * A test case named NAME (copied), labelled for CTest with LABELS (NULL or
 * labels separated by commas, such as "stress"); add it to the suite as
 * usual.
 */
TCase *test_case(const char *name, const char *labels);

/* Say why the running test cannot run here; the case then exits 77. */
void test_skip_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Inside START_TEST: skip the rest of the test, printing the reason. */
#define test_skip(...)                       \
	do {                                 \
		test_skip_note(__VA_ARGS__); \
		return;                      \
	} while (0)

#endif
