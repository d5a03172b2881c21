/*
 * test_flags.c - unit tests of preload/flags.c: a word of UNROOT_FLAGS
 * counts only whole, wherever it stands in the comma list.
 */
#include "check_main.h"

#include "unroot.h"

START_TEST(test_a_flag_counts_only_as_a_whole_word)
{
	static const struct {
		const char *list;
		bool has;
	} cases[] = {
	    {"reads", true},
	    {"argv,reads", true},
	    {"reads,argv", true},
	    {"argv,reads,nostacks", true},
	    {",reads,", true},
	    {"argv,,reads", true},
	    {"", false},
	    {"read", false},
	    {"readsx", false},
	    {"xreads", false},
	    {"argv,readsx,nostacks", false},
	    {"rereads", false},
	    {"rea,ds", false},
	    {"argv", false},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(ur_flags_have(cases[i].list, "reads") ==
				  cases[i].has,
			      "\"reads\" in \"%s\"", cases[i].list);
	ck_assert(!ur_flags_have(NULL, "reads"));
	ck_assert(ur_flags_have("nostacks,argv", "nostacks"));
	ck_assert(!ur_flags_have("nostacksx,argv", "nostacks"));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("flags");
	TCase *tc = test_case("flags_unit", NULL);
	tcase_add_test(tc, test_a_flag_counts_only_as_a_whole_word);
	suite_add_tcase(s, tc);
	return s;
}
