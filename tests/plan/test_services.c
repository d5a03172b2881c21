/*
 * test_services.c - rules found on real services from Debian's packages
 * (tests/services/), each with events built in memory as the service's
 * trace has them: a file made in a Dockerfile VOLUME (a notes app), a
 * read denied under root's HOME after a drop of privileges (psql, run by
 * an entrypoint's setpriv, looking for ~/.pgpass), a redirect that only
 * replaced a grant the chosen service user does not need (PGDATA), a
 * directory of root's name left in the image by the build (the JVM's
 * /tmp/hsperfdata_root, from ca-certificates-java's keytool).
 */
#include <stdlib.h>

#include "check_main.h"
#include "helpers.h"

static void base_dirs(struct planner *p)
{
	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/srv", DIR_ROOT);
	dir_rec(p, "/tmp", TMP);
	dir_rec(p, "/var", DIR_ROOT);
	dir_rec(p, "/var/lib", DIR_ROOT);
	dir_rec(p, "/root", S(FT_DIR, 0, 0, 0700));
}

/* The volume is new on every run and seeded from the image: a file made
 * in it in the image would be another run's (and its directory is not
 * there before the VOLUME line), so the directory is made and owned. */
START_TEST(file_made_in_an_anonymous_volume_owns_the_volume)
{
	struct planner *p = new_planner();
	struct plan *pl;

	anonymous_volume(p, "/srv/notes");
	base_dirs(p);
	dir_rec(p, "/srv/notes", DIR_ROOT);
	ev_creat(p, "/srv/notes/0.txt", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_null(grant_on(pl, GRANT_TOUCH, "/srv/notes/0.txt"));
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_MKDIR, "/srv/notes"));
	ck_assert_uint_eq(applied_grants(pl), 1);
	ck_assert_uint_eq(pl->nhost, 0);
	plan_free(pl);
}
END_TEST

/* A process that dropped its privileges keeps HOME=/root and is denied a
 * read there (psql's ~/.pgpass): the user's own HOME has none of root's
 * files, so nothing is needed, and no HOME is made for it. */
START_TEST(read_denied_under_root_home_needs_no_home)
{
	struct planner *p = new_planner();
	struct trace_proc psql = root_proc;
	struct plan *pl;

	psql.exe = "/usr/lib/postgresql/15/bin/psql";
	psql.uid = psql.euid = 100;
	psql.home = "/root";
	base_dirs(p);
	ev_full(p, OP_OPEN, "/root/.pgpass", NULL, O_RDONLY, "O_RDONLY",
		NOSTATE, S(FT_DIR, 0, 0, 0700), NOSTATE, EACCES, &psql);
	pl = planner_finish(p);
	ck_assert(!pl->needs_home);
	ck_assert_uint_eq(applied_grants(pl), 0);
	ck_assert_uint_eq(pl->nredirects, 0);
	plan_free(pl);
}
END_TEST

/* initdb, run as postgres by the entrypoint, makes the data directory in
 * /var/lib/postgresql, which postgres owns, and the server its lock in
 * /run/postgresql: run as postgres, nothing is granted, and the PGDATA redirect
 * that replaced the new user's mkdir goes with it. */
START_TEST(service_user_drops_the_redirect_it_does_not_need)
{
	struct planner *p = new_planner();
	struct trace_user pg = {.name = "postgres",
				.uid = 100,
				.gid = 102,
				.home = "/var/lib/postgresql"};
	struct trace_proc initdb = root_proc;
	struct plan *pl;

	initdb.exe = "/usr/lib/postgresql/15/bin/initdb";
	initdb.uid = initdb.euid = 100;
	initdb.home = "/root"; /* setpriv keeps root's HOME */
	planner_add_user(p, &pg);
	base_dirs(p);
	dir_rec(p, "/var/lib/postgresql", S(FT_DIR, 100, 102, 0755));
	ev_full(p, OP_MKDIR, "/var/lib/postgresql/data", NULL, 0, NULL, ABSENT,
		S(FT_DIR, 100, 102, 0755), NOSTATE, 0, &initdb);
	/* the server's lock beside its socket, in the directory the image
	 * made for postgres: a new user would need a grant for it */
	dir_rec(p, "/run", DIR_ROOT);
	dir_rec(p, "/run/postgresql", S(FT_DIR, 100, 102, 02775));
	ev_full(p, OP_OPEN, "/run/postgresql/.s.PGSQL.5432.lock", NULL,
		O_WRONLY | O_CREAT | O_EXCL, "O_WRONLY|O_CREAT|O_EXCL", ABSENT,
		S(FT_DIR, 100, 102, 02775), NOSTATE, 0, &initdb);
	pl = planner_finish(p);
	ck_assert(pl->service_user);
	ck_assert_str_eq(pl->user, "postgres");
	ck_assert_uint_eq(applied_grants(pl), 0);
	ck_assert_uint_eq(pl->nredirects, 0);
	plan_free(pl);
}
END_TEST

/* The JVM as root opens /tmp/hsperfdata_root/PID (mode 0600) in the
 * directory the build left; as the user it makes /tmp/hsperfdata_USER
 * itself, in the sticky /tmp, searchable (0755): nothing is granted, and
 * no line names a directory the image does not have. */
START_TEST(rebased_directory_is_made_as_a_directory_not_as_the_file)
{
	struct planner *p = new_planner();
	struct trace_proc java = root_proc;
	struct trace_event open0600;
	struct plan *pl;

	java.exe = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
	base_dirs(p);
	dir_rec(p, "/tmp/hsperfdata_root", DIR_ROOT);
	ev_full(p, OP_MKDIR, "/tmp/hsperfdata_root", NULL, 0, NULL, DIR_ROOT,
		TMP, NOSTATE, EEXIST, &java);
	open0600 =
	    ev_make(OP_OPEN, "/tmp/hsperfdata_root/6", NULL,
		    O_RDWR | O_CREAT | O_NOFOLLOW, "O_RDWR|O_CREAT|O_NOFOLLOW",
		    ABSENT, DIR_ROOT, NOSTATE, 0, &java);
	open0600.has_mode = true;
	open0600.mode = 0600;
	planner_add_event(p, &open0600);
	ev_unlink(p, "/tmp/hsperfdata_root/6", S(FT_FILE, 0, 0, 0600),
		  DIR_ROOT);
	pl = planner_finish(p);
	for (size_t i = 0; i < pl->ngrants; i++)
		ck_assert_msg(pl->grants[i].alternative ||
				  !path_is_under(pl->grants[i].path,
						 "/tmp/hsperfdata_nonroot"),
			      "granted %s", pl->grants[i].path);
	ck_assert_uint_eq(applied_grants(pl), 0);
	plan_free(pl);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("plan services");
	TCase *t = test_case("services", NULL);

	tcase_add_test(t, file_made_in_an_anonymous_volume_owns_the_volume);
	tcase_add_test(t, read_denied_under_root_home_needs_no_home);
	tcase_add_test(t, service_user_drops_the_redirect_it_does_not_need);
	tcase_add_test(
	    t, rebased_directory_is_made_as_a_directory_not_as_the_file);
	suite_add_tcase(s, t);
	return s;
}
