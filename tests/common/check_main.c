/*
 * check_main.c - the main() shared by every Check test binary (see
 * check_main.h for the command line and the exit status).  It owns the
 * registry of the binary's test cases (name and CTest labels, in the order
 * test_case() was called) and the count of skipped tests, which lives in a
 * shared mapping so that tests run in Check's forked children (the
 * default) count as well as tests run with CK_FORK=no.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check_main.h"

struct case_entry {
	char *name;
	char *labels;
};

static struct case_entry *cases;
static size_t ncases, cap;
static volatile int *skipped;

static char *copy(const char *s)
{
	char *c = strdup(s ? s : "");

	if (!c) {
		perror("check_main");
		exit(1);
	}
	return c;
}

TCase *test_case(const char *name, const char *labels)
{
	if (ncases == cap) {
		cap = cap ? cap * 2 : 16;
		cases = realloc(cases, cap * sizeof *cases);
		if (!cases) {
			perror("check_main");
			exit(1);
		}
	}
	cases[ncases].name = copy(name);
	cases[ncases].labels = copy(labels);
	return tcase_create(cases[ncases++].name);
}

void test_skip_note(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "SKIP: %s: ", tcase_name());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (skipped)
		__atomic_add_fetch(skipped, 1, __ATOMIC_SEQ_CST);
}

/* Free the registry; the names must outlive the runner that uses them. */
static void forget_cases(void)
{
	for (size_t i = 0; i < ncases; i++) {
		free(cases[i].name);
		free(cases[i].labels);
	}
	free(cases);
	cases = NULL;
	ncases = cap = 0;
}

static int list_cases(void)
{
	SRunner *sr = srunner_create(test_suite());

	for (size_t i = 0; i < ncases; i++)
		printf("%s\t%s\n", cases[i].name, cases[i].labels);
	srunner_free(sr);
	forget_cases();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 || (argc == 2 && argv[1][0] == '-' &&
			 strcmp(argv[1], "--list") != 0)) {
		fprintf(stderr, "usage: %s [--list | CASE]\n", argv[0]);
		return 2;
	}
	if (argc == 2 && !strcmp(argv[1], "--list"))
		return list_cases();

	skipped = mmap(NULL, sizeof *skipped, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (skipped == MAP_FAILED) {
		perror("check_main: mmap");
		return 1;
	}
	SRunner *sr = srunner_create(test_suite());
	srunner_run(sr, NULL, argc == 2 ? argv[1] : NULL, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	int run = srunner_ntests_run(sr);
	srunner_free(sr);
	forget_cases();
	if (argc == 2 && run == 0) {
		fprintf(stderr, "%s: no test case named %s\n", argv[0],
			argv[1]);
		return 1;
	}
	if (failed)
		return 1;
	return *skipped ? 77 : 0;
}
