/*
 * test_known.c - unit tests of preload/known.c, compiled into this test
 * with sys.c and path.c: what the tracer remembers about paths must stay
 * remembered while a storm streams one-off names through the table, and
 * must be forgotten when it has to be.
 */
#include "check_main.h"
#include <stdio.h>
#include <sys/stat.h>

#include "unroot.h"

static uint64_t K(const char *path)
{
	return ur_hash_path(path, strlen(path));
}

/* A storm in 8 directories: each event names its directory (looked up
 * every time) and two new files.  The directories must stay known. */
START_TEST(test_directories_survive_a_storm)
{
	char dir[8][64], name[96];
	struct stat st = {.st_mode = S_IFDIR | 0755}, got;
	bool present;
	int misses = 0;

	for (int d = 0; d < 8; d++) {
		snprintf(dir[d], sizeof dir[d], "/dev/shm/cs/t%d", d);
		ur_known_put(K(dir[d]), &st, true);
	}
	for (int i = 0; i < 5000; i++) {
		for (int d = 0; d < 8; d++) {
			if (!ur_known_get(K(dir[d]), &got, &present)) {
				misses++;
				ur_known_put(K(dir[d]), &st, true);
			} else {
				ck_assert(present);
				ck_assert_uint_eq(got.st_mode, st.st_mode);
			}
			snprintf(name, sizeof name, "%.60s/f%d", dir[d], i);
			ur_known_put(K(name), &st, false);
			snprintf(name, sizeof name, "%.60s/g%d", dir[d], i);
			ur_known_put(K(name), &st, false);
		}
	}
	/* 40,000 lookups; a direct-mapped table with a weak hash missed
	 * about a third of them */
	ck_assert_int_lt(misses, 400);
}
END_TEST

START_TEST(test_forget)
{
	struct stat st = {.st_mode = S_IFREG | 0644, .st_uid = 7}, got;
	bool present;

	ur_known_put(K("/a/b"), &st, true);
	ck_assert(ur_known_get(K("/a/b"), &got, &present));
	ck_assert(present);
	ck_assert_uint_eq(got.st_uid, 7);
	ck_assert(!ur_known_get(K("/a/c"), &got, &present));
	ur_known_forget(K("/a/b"));
	ck_assert(!ur_known_get(K("/a/b"), &got, &present));
	ur_known_put(K("/a/b"), &st, false);
	ck_assert(ur_known_get(K("/a/b"), &got, &present));
	ck_assert(!present);
	ur_known_forget_all();
	ck_assert(!ur_known_get(K("/a/b"), &got, &present));
}
END_TEST

/* Similar names spread over the table: no two of 8 sibling directories
 * share a hash, and the low bits vary. */
START_TEST(test_hash_spreads)
{
	char a[64], b[64];
	unsigned low_bits_seen = 0;

	for (int i = 0; i < 8; i++) {
		snprintf(a, sizeof a, "/dev/shm/cs/t%d", i);
		uint64_t h = ur_hash_path(a, strlen(a));
		ck_assert(h != 0);
		low_bits_seen |= 1u << ((h >> 1) & 7);
		for (int k = 0; k < i; k++) {
			snprintf(b, sizeof b, "/dev/shm/cs/t%d", k);
			ck_assert(h != ur_hash_path(b, strlen(b)));
		}
	}
	ck_assert_uint_ge(__builtin_popcount(low_bits_seen), 4);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("known");
	TCase *tc = test_case("known_unit", NULL);
	tcase_add_test(tc, test_directories_survive_a_storm);
	tcase_add_test(tc, test_forget);
	tcase_add_test(tc, test_hash_spreads);
	suite_add_tcase(s, tc);
	return s;
}
