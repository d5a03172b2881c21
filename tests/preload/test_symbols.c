/*
 * test_symbols.c - unit tests of preload/symbols.c, compiled into this
 * test: looked up in the loaded objects' own symbol tables, every function
 * the preload wraps resolves to what dlsym(RTLD_NEXT) gives (here "next"
 * is after this executable, as it is after libunroot.so in a traced
 * program), and what needs dlsym is left to it.
 */
#include "check_main.h"
#include <dlfcn.h>
#include <string.h>

#include "unroot.h"

static const char *const wrapped[] = {
#define W(ret, name, op, shape, params, args, extra) #name,
#define C(name, params, args)			     #name,
#define X(name, params, args)			     #name,
#define D(ret, name, params, args, fd)		     #name,
#define DV(name, params, args)			     #name,
#define F(ret, name, params, args, fd)		     #name,
#define K(ret, name, params, args, how, none)	     #name,
#define KP(ret, name, params, args, how, none, path) #name,
#include "calls.def"
#undef W
#undef C
#undef X
#undef D
#undef DV
#undef F
#undef K
#undef KP
    /* written by hand (wrap.c, exec.c, stack.c, state.c) */
    "syscall",	  "clone",	  "open",	"open64",	"openat",
    "openat64",	  "creat",	  "creat64",	"__open_2",	"__open64_2",
    "__openat_2", "__openat64_2", "fopen",	"fopen64",	"freopen",
    "freopen64",  "mkstemp",	  "mkstemp64",	"mkostemp",	"mkostemp64",
    "mkstemps",	  "mkstemps64",	  "mkostemps",	"mkostemps64",	"mkdtemp",
    "tmpfile",	  "tmpfile64",	  "shm_open",	"shm_unlink",	"bind",
    "connect",	  "access",	  "euidaccess", "eaccess",	"faccessat",
    "stat",	  "lstat",	  "fstatat",	"opendir",	"stat64",
    "lstat64",	  "fstatat64",	  "statx",	"__xstat",	"__lxstat",
    "__fxstatat", "__xstat64",	  "__lxstat64", "__fxstatat64", "execve",
    "execveat",	  "execvpe",	  "fexecve",	"posix_spawn",	"posix_spawnp",
    "system",	  "popen",	  "pclose",	"wait",		"waitpid",
    "wait3",	  "wait4",	  "waitid",	"pipe2",	"vfork",
    "setgroups",  "initgroups"};

START_TEST(test_every_wrapped_function_resolves_as_dlsym_next_does)
{
	size_t n = sizeof wrapped / sizeof wrapped[0], found = 0;

	for (size_t i = 0; i < n; i++) {
		void *mine = ur_next_symbol(wrapped[i]);
		if (!mine)
			continue;
		found++;
		ck_assert_msg(mine == dlsym(RTLD_NEXT, wrapped[i]),
			      "%s: %p, dlsym says %p", wrapped[i], mine,
			      dlsym(RTLD_NEXT, wrapped[i]));
	}
	/* the point of it: nearly every one is found without dlsym */
	ck_assert_msg(found * 10 >= n * 9, "%zu of %zu found", found, n);
}
END_TEST

/* When the wrappers resolve lazily (ur_next_symbols_suffice), a first
 * call in a signal handler or a vfork child must never reach dlsym: every
 * wrapped function this libc defines is found here. */
START_TEST(test_lazy_resolution_never_leaves_a_wrapped_name_to_dlsym)
{
	size_t n = sizeof wrapped / sizeof wrapped[0];

	ck_assert(ur_next_symbols_suffice());
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(ur_next_symbol(wrapped[i]) ||
				  !dlsym(RTLD_NEXT, wrapped[i]),
			      "%s: left to dlsym", wrapped[i]);
}
END_TEST

/* realpath, posix_spawn and glob have an old version beside the default
 * one in glibc: dlsym, and so the preload, must get the default. */
START_TEST(test_a_name_with_old_versions_resolves_to_its_default_version)
{
	const char *names[] = {"realpath", "posix_spawn", "glob"};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		void *mine = ur_next_symbol(names[i]);
		ck_assert_ptr_nonnull(mine);
		ck_assert_ptr_eq(mine, dlsym(RTLD_NEXT, names[i]));
	}
}
END_TEST

START_TEST(test_what_needs_dlsym_is_left_to_it)
{
	/* indirect functions: their resolver must run */
	ck_assert_ptr_null(ur_next_symbol("memcpy"));
	ck_assert_ptr_null(ur_next_symbol("strlen"));
	/* defined nowhere */
	ck_assert_ptr_null(ur_next_symbol("unroot_defined_nowhere"));
	ck_assert(!ur_loaded_may_define("unroot_defined_nowhere"));
	ck_assert(ur_loaded_may_define("close"));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("symbols");
	TCase *tc = test_case("symbols_unit", NULL);
	tcase_add_test(tc,
		       test_every_wrapped_function_resolves_as_dlsym_next_does);
	tcase_add_test(
	    tc, test_a_name_with_old_versions_resolves_to_its_default_version);
	tcase_add_test(
	    tc, test_lazy_resolution_never_leaves_a_wrapped_name_to_dlsym);
	tcase_add_test(tc, test_what_needs_dlsym_is_left_to_it);
	suite_add_tcase(s, tc);
	return s;
}
