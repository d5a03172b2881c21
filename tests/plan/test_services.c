/*
 * test_services.c - rules found on real services from Debian's packages
 * (tests/services/), each with events built in memory as the service's
 * trace has them: a file made in a Dockerfile VOLUME (a notes app), a
 * read denied under root's HOME after a drop of privileges (psql, run by
 * an entrypoint's setpriv, looking for ~/.pgpass), a redirect that only
 * replaced a grant the chosen service user does not need (PGDATA), a
 * directory of root's name left in the image by the build (the JVM's
 * /tmp/hsperfdata_root, from ca-certificates-java's keytool); and from
 * rabbitmq's Erlang VM, started through su by the package's wrapper: its
 * writes in its user's own home, the write checks its file server asks
 * of everything it reads (of system code, of a 0400 secret, under a
 * read-only root), and log names that change with the host name.
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

/* A rabbitmq user as Debian's package makes it. */
static struct trace_user rabbitmq = {
    .name = "rabbitmq", .uid = 101, .gid = 103, .home = "/var/lib/rabbitmq"};

static struct trace_proc beam_as(unsigned uid, const char *home)
{
	struct trace_proc beam = root_proc;

	beam.exe = "/usr/lib/erlang/erts-13.1.5/bin/beam.smp";
	beam.uid = beam.euid = uid;
	beam.home = home;
	return beam;
}

/* access(path, W_OK) by proc, answered err. */
static void ev_write_check(struct planner *p, const char *path,
			   struct file_state st, int err,
			   const struct trace_proc *proc)
{
	struct trace_event ev = ev_make(OP_ACCESS, path, NULL, 0, NULL, st,
					NOSTATE, NOSTATE, err, proc);

	ev.has_mode = true;
	ev.mode = 2;
	planner_add_event(p, &ev);
}

/* The wrapper su's to rabbitmq, whose HOME is its own /var/lib/rabbitmq:
 * the node's files there are the service user's, not a HOME to make for
 * whoever runs the image, so the plan runs as rabbitmq with no grant. */
START_TEST(write_under_a_service_users_own_home_runs_as_that_user)
{
	struct planner *p = new_planner();
	struct trace_proc beam = beam_as(101, "/var/lib/rabbitmq");
	struct plan *pl;

	planner_add_user(p, &rabbitmq);
	base_dirs(p);
	dir_rec(p, "/var/lib/rabbitmq", S(FT_DIR, 101, 103, 0755));
	dir_rec(p, "/var/lib/rabbitmq/mnesia", S(FT_DIR, 101, 103, 0750));
	ev_full(p, OP_OPEN, "/var/lib/rabbitmq/mnesia/rabbit@host.pid", NULL,
		O_WRONLY | O_CREAT | O_TRUNC, "O_WRONLY|O_CREAT|O_TRUNC",
		ABSENT, S(FT_DIR, 101, 103, 0750), NOSTATE, 0, &beam);
	pl = planner_finish(p);
	ck_assert(!pl->needs_home);
	ck_assert(pl->service_user);
	ck_assert_str_eq(pl->user, "rabbitmq");
	ck_assert_uint_eq(applied_grants(pl), 0);
	plan_free(pl);
}
END_TEST

/* Erlang's code server asks access(W_OK) of each code directory: one
 * note for the program, counting each path once, not one per path. */
START_TEST(write_checks_of_system_code_are_one_note_per_program)
{
	struct planner *p = new_planner();
	struct trace_proc beam = beam_as(101, "/var/lib/rabbitmq");
	struct plan *pl;

	base_dirs(p);
	ev_write_check(p, "/usr/lib/erlang/lib/kernel-8.5.3/ebin", DIR_ROOT,
		       EACCES, &beam);
	ev_write_check(p, "/usr/lib/erlang/lib/stdlib-4.2/ebin", DIR_ROOT,
		       EACCES, &beam);
	ev_write_check(p, "/usr/lib/erlang/lib/kernel-8.5.3/ebin", DIR_ROOT,
		       EACCES, &beam);
	ev_write_check(p, "/usr/lib/erlang/lib/sasl-4.2/ebin", DIR_ROOT, EACCES,
		       &beam);
	pl = planner_finish(p);
	ck_assert_uint_eq(count_text(pl->notes, pl->nnotes, "beam.smp checked"),
			  1);
	ck_assert(has_text(pl->notes, pl->nnotes,
			   "/usr/lib/erlang/lib/kernel-8.5.3/ebin and 2 more "
			   "paths (access)",
			   "they are system code and libraries"));
	ck_assert_uint_eq(applied_grants(pl), 0);
	plan_free(pl);
}
END_TEST

/* A secret kept 0400 by its owner, who asks access(W_OK) of it: its own
 * mode says no, which owning the file cannot change: nothing to grant. */
START_TEST(write_check_refused_by_the_files_own_mode_is_not_a_write)
{
	struct planner *p = new_planner();
	struct trace_proc beam = beam_as(101, "/nonexistent");
	struct plan *pl;

	base_dirs(p);
	dir_rec(p, "/etc", DIR_ROOT);
	dir_rec(p, "/srv/app", S(FT_DIR, 101, 103, 0755));
	ev_write_check(p, "/srv/app/cookie", S(FT_FILE, 101, 103, 0400), EACCES,
		       &beam);
	pl = planner_finish(p);
	ck_assert_ptr_null(grant_on(pl, GRANT_OWN_FILE, "/srv/app/cookie"));
	ck_assert_uint_eq(applied_grants(pl), 0);
	ck_assert_uint_eq(pl->nrefused, 0);
	plan_free(pl);
}
END_TEST

/* Under a read-only root the same checks are refused EROFS: a check gets
 * no mount of its own (before, its parent /var/lib was mounted), and the
 * note counts the paths asked of, not the checks; a write in the
 * directory gets its mount, as without the check. */
START_TEST(read_only_write_check_where_no_run_wrote_gets_no_mount)
{
	struct planner *p = new_planner_ro();
	struct trace_proc beam = beam_as(101, "/var/lib/rabbitmq");
	struct plan *pl;

	planner_add_user(p, &rabbitmq);
	base_dirs(p);
	dir_rec(p, "/var/lib/rabbitmq", S(FT_DIR, 101, 103, 0755));
	ev_write_check(p, "/var/lib/rabbitmq", S(FT_DIR, 101, 103, 0755), EROFS,
		       &beam);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->ntmpfs, 0);
	ck_assert(has_text(pl->notes, pl->nnotes, "/var/lib/rabbitmq (access)",
			   "none is added for it"));
	plan_free(pl);

	/* a path asked of again is counted once */
	p = new_planner_ro();
	planner_add_user(p, &rabbitmq);
	base_dirs(p);
	dir_rec(p, "/var/lib/rabbitmq", S(FT_DIR, 101, 103, 0755));
	for (int i = 0; i < 3; i++)
		ev_write_check(p, "/var/lib/rabbitmq",
			       S(FT_DIR, 101, 103, 0755), EROFS, &beam);
	ev_write_check(p, "/etc/rabbitmq", DIR_ROOT, EROFS, &beam);
	pl = planner_finish(p);
	ck_assert(has_text(pl->notes, pl->nnotes,
			   "/var/lib/rabbitmq and 1 more path (access)",
			   "none is added for them"));
	plan_free(pl);

	p = new_planner_ro();
	planner_add_user(p, &rabbitmq);
	base_dirs(p);
	dir_rec(p, "/var/lib/rabbitmq", S(FT_DIR, 101, 103, 0755));
	ev_write_check(p, "/var/lib/rabbitmq", S(FT_DIR, 101, 103, 0755), EROFS,
		       &beam);
	ev_mkdir(p, "/var/lib/rabbitmq/mnesia", S(FT_DIR, 101, 103, 0755));
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/var/lib/rabbitmq/mnesia"));
	ck_assert_ptr_null(tmpfs_on(pl, "/var/lib"));
	ck_assert_ptr_null(tmpfs_on(pl, "/var/lib/rabbitmq"));
	plan_free(pl);
}
END_TEST

/* rabbit@HOST.log names change with the host: more names than a file
 * each is worth own the directory, whose state only the creates recorded
 * (their parent).  The service user owns it already: nothing to grant. */
START_TEST(directory_known_from_its_creates_is_not_granted_to_its_owner)
{
	struct planner *p = new_planner();
	struct trace_proc beam = beam_as(101, "/var/lib/rabbitmq");
	const char *hosts[] = {"a1", "b2", "c3", "d4", "e5"};
	struct plan *pl;

	planner_add_user(p, &rabbitmq);
	base_dirs(p);
	dir_rec(p, "/var/log", DIR_ROOT);
	for (size_t i = 0; i < sizeof hosts / sizeof *hosts; i++) {
		char *log =
		    xasprintf("/var/log/rabbitmq/rabbit@%s.log", hosts[i]);

		ev_full(p, OP_OPEN, log, NULL, O_WRONLY | O_CREAT | O_APPEND,
			"O_WRONLY|O_CREAT|O_APPEND", ABSENT,
			S(FT_DIR, 101, 103, 0755), NOSTATE, 0, &beam);
		free(log);
	}
	pl = planner_finish(p);
	ck_assert(pl->service_user);
	ck_assert_str_eq(pl->user, "rabbitmq");
	ck_assert_uint_eq(applied_grants(pl), 0);
	plan_free(pl);
}
END_TEST

/* Docker names the host after the container, so rabbit@HOST.log is
 * another name in every run: a file pre-created under this run's name
 * would never be opened again.  Its directory is owned instead. */
START_TEST(name_holding_the_runs_host_name_is_granted_on_its_directory)
{
	struct planner *p = new_planner();
	struct plan *pl;

	base_dirs(p);
	dir_rec(p, "/var/log", DIR_ROOT);
	dir_rec(p, "/var/log/app", DIR_ROOT);
	planner_add_hostname(p, "8b8251ff26af");
	ev_append(p, "/var/log/app/app@8b8251ff26af.log", ABSENT, DIR_ROOT);
	ev_append(p, "/var/log/app/shared.log", ABSENT, DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_null(
	    grant_on(pl, GRANT_TOUCH, "/var/log/app/app@8b8251ff26af.log"));
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/var/log/app"));
	plan_free(pl);

	/* without the host name it is a file like any other */
	p = new_planner();
	base_dirs(p);
	dir_rec(p, "/var/log", DIR_ROOT);
	dir_rec(p, "/var/log/app", DIR_ROOT);
	ev_append(p, "/var/log/app/app@8b8251ff26af.log", ABSENT, DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(
	    grant_on(pl, GRANT_TOUCH, "/var/log/app/app@8b8251ff26af.log"));
	plan_free(pl);
}
END_TEST

/* tor, after switching from root to debian-tor, asks for root's ids back
 * to check that it cannot have them: refused, as it intends; no advice
 * to act on, and not a call the user's run needs.  Run as debian-tor,
 * its switch (setgroups to the groups it has) is refused, and the advice
 * is to turn the switch off, not to run as the user it already is. */
START_TEST(refused_switch_back_to_root_is_the_programs_own_check)
{
	struct planner *p = new_planner();
	struct trace_proc tor = root_proc, as_tor;
	struct trace_priv v = {
	    .fn = "setuid", .args = "0", .errname = "EPERM", .proc = &tor};
	struct plan *pl;

	tor.exe = "/usr/bin/tor";
	planner_add_priv(p, &v);
	v.fn = "setresgid";
	v.args = "-1,0,-1";
	planner_add_priv(p, &v);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nprivs, 0);
	ck_assert(has_text(pl->notes, pl->nnotes, "tor, started as root",
			   "cannot regain root"));
	ck_assert_uint_eq(count_text(pl->notes, pl->nnotes, "tor"), 1);
	plan_free(pl);

	p = new_planner();
	as_tor = tor;
	as_tor.uid = as_tor.euid = 100;
	as_tor.gid = as_tor.egid = 101;
	v = (struct trace_priv){.fn = "setgroups",
				.args = "101",
				.errname = "EPERM",
				.proc = &as_tor};
	planner_add_priv(p, &v);
	v.fn = "setuid";
	v.args = "0";
	planner_add_priv(p, &v);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nprivs, 2);
	ck_assert(has_text(pl->notes, pl->nnotes, "setgroups(101)",
			   "runs as that user already"));
	ck_assert(has_text(pl->notes, pl->nnotes, "setuid(0)",
			   "run the image as the user it switches to"));
	plan_free(pl);
}
END_TEST

/* Unbound, run as unbound: its own initgroups(unbound,101) and its unit
 * helper's setpriv --reuid=unbound --clear-groups (setgroups with no
 * groups) are refused; neither is fixed by running as the user it
 * switches to, which it is already. */
START_TEST(refused_group_switch_of_a_user_says_to_drop_the_switch)
{
	struct planner *p = new_planner();
	struct trace_proc u = root_proc;
	struct trace_priv v = {.fn = "initgroups",
			       .args = "unbound,101",
			       .errname = "EPERM",
			       .proc = &u};
	struct plan *pl;

	u.exe = "/usr/sbin/unbound";
	u.uid = u.euid = 100;
	u.gid = u.egid = 101;
	planner_add_priv(p, &v);
	v = (struct trace_priv){
	    .fn = "setgroups", .args = "", .errname = "EPERM", .proc = &u};
	planner_add_priv(p, &v);
	pl = planner_finish(p);
	ck_assert(has_text(pl->notes, pl->nnotes, "initgroups(unbound,101)",
			   "runs as that user already"));
	ck_assert(has_text(pl->notes, pl->nnotes, "setgroups()",
			   "run the step without the switch"));
	ck_assert(!has_text(pl->notes, pl->nnotes, "unbound",
			    "run the image as the user it switches to"));
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
	tcase_add_test(t,
		       write_under_a_service_users_own_home_runs_as_that_user);
	tcase_add_test(t, write_checks_of_system_code_are_one_note_per_program);
	tcase_add_test(
	    t, write_check_refused_by_the_files_own_mode_is_not_a_write);
	tcase_add_test(t,
		       read_only_write_check_where_no_run_wrote_gets_no_mount);
	tcase_add_test(
	    t, directory_known_from_its_creates_is_not_granted_to_its_owner);
	tcase_add_test(
	    t, name_holding_the_runs_host_name_is_granted_on_its_directory);
	tcase_add_test(t,
		       refused_switch_back_to_root_is_the_programs_own_check);
	tcase_add_test(t,
		       refused_group_switch_of_a_user_says_to_drop_the_switch);
	suite_add_tcase(s, t);
	return s;
}
