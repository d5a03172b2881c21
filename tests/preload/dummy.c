/*
 * dummy.c - a stand-in for an LD_PRELOAD library the workload already uses
 * (jemalloc, tcmalloc): the tests check that it stays preloaded next to
 * libunroot.so when a program execs with it in its environment.
 */
int unroot_test_dummy(void);

int unroot_test_dummy(void)
{
	return 1;
}
