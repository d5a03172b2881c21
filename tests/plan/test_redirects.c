/*
 * test_redirects.c - a catalogue redirect only for the program that wrote
 * (docs/catalogue.md, "Who wrote"): a write under HOME gets its entry's
 * variable when the trace shows the entry's program made it (its
 * executable, a library in its native stack, a package at its Python call
 * site); any other write there gets the user's HOME, made and owned by
 * the user, since a program that builds the path from HOME itself ignores
 * the variable.
 */
#include <stdlib.h>

#include "check_main.h"
#include "helpers.h"

static void base_dirs(struct planner *p)
{
	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/app", DIR_ROOT);
	dir_rec(p, "/tmp", TMP);
	dir_rec(p, "/home", DIR_ROOT);
	dir_rec(p, "/root", S(FT_DIR, 0, 0, 0700));
}

static const struct redirect *redirect_of(const struct plan *pl,
					  const char *var)
{
	for (size_t i = 0; i < pl->nredirects; i++)
		if (!strcmp(pl->redirects[i].var, var))
			return &pl->redirects[i];
	return NULL;
}

/* The user's HOME is made for it and owned by it: a mkdir grant of
 * /home/nonroot (the plan's new user), or HOME set to a directory made. */
static bool home_is_made(const struct plan *pl)
{
	const struct redirect *h = redirect_of(pl, "HOME");

	return pl->needs_home &&
	       (grant_on(pl, GRANT_MKDIR, "/home/nonroot") || (h && h->dir));
}

static struct plan *one_write(const char *path, const char *pyfile,
			      const char *module)
{
	struct planner *p = new_planner();

	base_dirs(p);
	ev_mkdir_at(p, "/root/.cache", S(FT_DIR, 0, 0, 0700), 0, &root_proc,
		    pyfile, module);
	ev_mkdir_at(p, path, S(FT_DIR, 0, 0, 0755), 0, &root_proc, pyfile,
		    module);
	return planner_finish(p);
}

START_TEST(cache_of_another_program_gets_home_not_its_redirect)
{
	struct plan *pl =
	    one_write("/root/.cache/matplotlib", "/app/tool.py", NULL);

	ck_assert_ptr_null(redirect_of(pl, "MPLCONFIGDIR"));
	ck_assert_ptr_null(redirect_of(pl, "XDG_CACHE_HOME"));
	ck_assert(home_is_made(pl));
	plan_free(pl);
}
END_TEST

START_TEST(redirect_needs_the_writers_package_at_the_call_site)
{
	struct plan *pl = one_write(
	    "/root/.cache/matplotlib",
	    "/usr/lib/python3/dist-packages/matplotlib/__init__.py", NULL);

	ck_assert_ptr_nonnull(redirect_of(pl, "MPLCONFIGDIR"));
	ck_assert(!pl->needs_home);
	plan_free(pl);
}
END_TEST

START_TEST(redirect_needs_the_writers_library_in_the_stack)
{
	struct plan *pl =
	    one_write("/root/.cache/fontconfig", NULL,
		      "/usr/lib/x86_64-linux-gnu/libfontconfig.so.1.12.0");

	ck_assert_ptr_nonnull(redirect_of(pl, "XDG_CACHE_HOME"));
	plan_free(pl);

	pl = one_write("/root/.cache/fontconfig", NULL,
		       "/usr/lib/x86_64-linux-gnu/libc.so.6");
	ck_assert_ptr_null(redirect_of(pl, "XDG_CACHE_HOME"));
	ck_assert(home_is_made(pl));
	plan_free(pl);
}
END_TEST

/* fontconfig's system cache gets its build step (fc-cache -f), and the
 * path is one fontconfig only tries first: refused it (LibreOffice adds
 * a font directory fc-cache does not know), fontconfig chmods it and
 * goes on to the user's cache.  The plan lists the path for harden and,
 * once a run was refused there, says so in a note. */
START_TEST(system_font_cache_is_a_path_fontconfig_only_tries_first)
{
	for (int refused = 0; refused < 2; refused++) {
		struct planner *p = new_planner();
		struct trace_proc user = root_proc;
		struct plan *pl;

		user.uid = user.euid = 1001;
		base_dirs(p);
		dir_rec(p, "/var", DIR_ROOT);
		dir_rec(p, "/var/cache", DIR_ROOT);
		dir_rec(p, "/var/cache/fontconfig", DIR_ROOT);
		ev_creat(p, "/var/cache/fontconfig/0123-le64.cache-8",
			 DIR_ROOT);
		if (refused)
			ev_full(p, OP_CHMOD, "/var/cache/fontconfig", NULL, 0,
				NULL, DIR_ROOT, DIR_ROOT, NOSTATE, EPERM,
				&user);
		pl = planner_finish(p);
		ck_assert_uint_eq(pl->nfallbacks, 1);
		ck_assert_str_eq(pl->fallbacks[0].path,
				 "/var/cache/fontconfig");
		ck_assert_str_eq(pl->fallbacks[0].writer->id,
				 "fontconfig-system");
		ck_assert_int_eq(has_text(pl->notes, pl->nnotes,
					  "fontconfig was refused "
					  "/var/cache/fontconfig and goes on",
					  "user's cache"),
				 refused);
		plan_free(pl);
	}
}
END_TEST

/* Any program may write ~/.cache/NAME from HOME itself: XDG_CACHE_HOME is
 * a promise nothing in the trace backs. */
START_TEST(xdg_directory_of_an_unknown_program_gets_home)
{
	struct plan *pl = one_write("/root/.cache/app", "/app/app.py", NULL);

	ck_assert_uint_eq(pl->nredirects, 0);
	ck_assert(home_is_made(pl));
	plan_free(pl);
}
END_TEST

/* A failed attempt below a denial names the writer only when the attempt
 * itself shows that writer made it. */
START_TEST(attempt_of_another_program_names_no_redirect)
{
	struct planner *p = new_planner();
	struct trace_proc u = root_proc;
	struct plan *pl;

	u.uid = u.euid = 1001;
	u.home = "/h";
	base_dirs(p);
	dir_rec(p, "/h", DIR_ROOT);
	ev_mkdir_at(p, "/h/.config/matplotlib", ABSENT, ENOENT, &u,
		    "/app/tool.py", NULL);
	ev_mkdir_at(p, "/h/.config", DIR_ROOT, EACCES, &u, "/app/tool.py",
		    NULL);
	pl = planner_finish(p);
	ck_assert_ptr_null(redirect_of(pl, "MPLCONFIGDIR"));
	ck_assert_ptr_null(redirect_of(pl, "XDG_CONFIG_HOME"));
	ck_assert(pl->needs_home);
	plan_free(pl);
}
END_TEST

/* A write whose own call site does not show its program (SQLite's
 * journal, made on IPython's history thread) in a directory the same
 * process made for that program moves with its redirect; another
 * process's write there does not. */
START_TEST(write_in_a_redirected_directory_of_the_same_process_moves_with_it)
{
	static const char *const ipy =
	    "/usr/lib/python3/dist-packages/IPython/paths.py";
	struct trace_proc other = root_proc;
	struct planner *p;
	struct plan *pl;

	for (int same = 1; same >= 0; same--) {
		other.pid = same ? root_proc.pid : root_proc.pid + 1;
		p = new_planner();
		base_dirs(p);
		ev_mkdir_at(p, "/root/.ipython", S(FT_DIR, 0, 0, 0700), 0,
			    &root_proc, ipy, NULL);
		ev_mkdir_at(p, "/root/.ipython/profile_default/db",
			    S(FT_DIR, 0, 0, 0755), 0, &other, NULL, NULL);
		pl = planner_finish(p);
		ck_assert_ptr_nonnull(redirect_of(pl, "IPYTHONDIR"));
		ck_assert(pl->needs_home == !same);
		plan_free(pl);
	}
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("plan redirects");
	TCase *t = test_case("redirects", NULL);

	tcase_add_test(t, cache_of_another_program_gets_home_not_its_redirect);
	tcase_add_test(t, redirect_needs_the_writers_package_at_the_call_site);
	tcase_add_test(t, redirect_needs_the_writers_library_in_the_stack);
	tcase_add_test(t,
		       system_font_cache_is_a_path_fontconfig_only_tries_first);
	tcase_add_test(t, xdg_directory_of_an_unknown_program_gets_home);
	tcase_add_test(t, attempt_of_another_program_names_no_redirect);
	tcase_add_test(
	    t,
	    write_in_a_redirected_directory_of_the_same_process_moves_with_it);
	suite_add_tcase(s, t);
	return s;
}
