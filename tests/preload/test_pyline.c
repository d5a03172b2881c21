/*
 * test_pyline.c - unit tests of preload/pyline.c, compiled into this test:
 * a line is found only under the whole key it was kept under; keys that
 * share a set are all remembered while the set has room; a full set gives
 * up the key it used least recently; and the frames of a call site, placed
 * by table hashes that every process seeds anew, are all remembered.
 */
#include "check_main.h"
#include <string.h>

#include "unroot.h"

#define SITE_FRAMES 8 /* a call site's frames, at most (pyapi.h) */

static struct ur_pyline_memo memo;

static void setup(void)
{
	memset(&memo, 0, sizeof memo);
}

static struct ur_pyline_key key(long lasti)
{
	struct ur_pyline_key k = {.table_hash = 0x5eed1e55c0ffee11L,
				  .table_len = 1716,
				  .first = 308,
				  .lasti = lasti};
	return k;
}

/* n keys of one set, by their instruction offsets (even, as CPython's) */
static void keys_of_one_set(struct ur_pyline_key *out, int n)
{
	unsigned set = ur_pyline_set(&(struct ur_pyline_key){0});
	int found = 0;

	for (long lasti = 0; found < n; lasti += 2) {
		struct ur_pyline_key k = key(lasti);
		if (ur_pyline_set(&k) == set)
			out[found++] = k;
	}
}

START_TEST(a_line_is_found_only_under_its_whole_key)
{
	struct ur_pyline_key k = key(2336), other;
	int line = -1;

	ck_assert(!ur_pyline_find(&memo, &k, &line));
	ur_pyline_keep(&memo, &k, 439);
	ck_assert(ur_pyline_find(&memo, &k, &line));
	ck_assert_int_eq(line, 439);
	other = k;
	other.table_hash++;
	ck_assert(!ur_pyline_find(&memo, &other, &line));
	other = k;
	other.table_len++;
	ck_assert(!ur_pyline_find(&memo, &other, &line));
	other = k;
	other.first++;
	ck_assert(!ur_pyline_find(&memo, &other, &line));
	other = k;
	other.lasti += 2;
	ck_assert(!ur_pyline_find(&memo, &other, &line));
	ur_pyline_keep(&memo, &k, 440); /* kept again: the last line counts */
	ck_assert(ur_pyline_find(&memo, &k, &line));
	ck_assert_int_eq(line, 440);
}
END_TEST

START_TEST(keys_that_share_a_set_are_all_remembered)
{
	struct ur_pyline_key k[UR_PYLINE_WAYS];
	int line;

	keys_of_one_set(k, UR_PYLINE_WAYS);
	for (int i = 0; i < UR_PYLINE_WAYS; i++)
		ur_pyline_keep(&memo, &k[i], 100 + i);
	/* event after event, the same frames: every one is found */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < UR_PYLINE_WAYS; i++) {
			line = -1;
			ck_assert(ur_pyline_find(&memo, &k[i], &line));
			ck_assert_int_eq(line, 100 + i);
		}
	}
}
END_TEST

START_TEST(a_full_set_gives_up_its_least_recently_used_key)
{
	struct ur_pyline_key k[UR_PYLINE_WAYS + 1];
	int line;

	keys_of_one_set(k, UR_PYLINE_WAYS + 1);
	for (int i = 0; i < UR_PYLINE_WAYS; i++)
		ur_pyline_keep(&memo, &k[i], 100 + i);
	ck_assert(ur_pyline_find(&memo, &k[0], &line)); /* k[1] is oldest */
	ur_pyline_keep(&memo, &k[UR_PYLINE_WAYS], 200);
	ck_assert(!ur_pyline_find(&memo, &k[1], &line));
	for (int i = 0; i <= UR_PYLINE_WAYS; i++) {
		if (i == 1)
			continue;
		line = -1;
		ck_assert(ur_pyline_find(&memo, &k[i], &line));
		ck_assert_int_eq(line, i == UR_PYLINE_WAYS ? 200 : 100 + i);
	}
}
END_TEST

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* With one slot a key (64 of them) this lost 397 frames. */
START_TEST(a_call_sites_frames_are_all_remembered_whatever_the_seed)
{
	uint64_t x = 42;
	int lost = 0;

	for (int seed = 0; seed < 1000; seed++) {
		struct ur_pyline_key k[SITE_FRAMES];
		int line;
		memset(&memo, 0, sizeof memo);
		for (int i = 0; i < SITE_FRAMES; i++) {
			k[i] = key(2 * (long)(splitmix(&x) % 2000));
			k[i].table_hash = (long)splitmix(&x);
			ur_pyline_keep(&memo, &k[i], i + 1);
		}
		for (int i = 0; i < SITE_FRAMES; i++)
			lost += !ur_pyline_find(&memo, &k[i], &line);
	}
	ck_assert_int_eq(lost, 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("pyline");
	TCase *tc = test_case("pyline_unit", NULL);

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, a_line_is_found_only_under_its_whole_key);
	tcase_add_test(tc, keys_that_share_a_set_are_all_remembered);
	tcase_add_test(tc, a_full_set_gives_up_its_least_recently_used_key);
	tcase_add_test(
	    tc, a_call_sites_frames_are_all_remembered_whatever_the_seed);
	suite_add_tcase(s, tc);
	return s;
}
