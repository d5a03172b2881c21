/*
 * test_planner.c - the permission replay and the choice of grants, one
 * rule of docs/permission-model.md per test, with events built in memory
 * (no trace files).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include "check_main.h"
#include "helpers.h"
#include "render.h"

START_TEST(first_missing_component_is_precreated)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_mkdir(p, "/app/model", DIR_ROOT);
	ev_mkdir(p, "/app/model/epoch1", S(FT_DIR, 0, 0, 0755));
	ev_creat(p, "/app/model/epoch1/w.bin", S(FT_DIR, 0, 0, 0755));
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_MKDIR, "/app/model"));
	ck_assert_uint_eq(applied_grants(pl), 1);
	ck_assert_ptr_null(grant_on(pl, GRANT_OWN_DIR, "/app"));
	ck_assert_uint_eq(pl->uid, 1001);
	plan_free(pl);
}
END_TEST

/* the threads of one program make a tree at once (node's recursive mkdir
 * on libuv's pool): records can show a directory made inside one the run
 * made later, and only the top of the tree is pre-created */
START_TEST(tree_recorded_out_of_order_precreates_its_top)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_mkdir(p, "/app/dist/assets", S(FT_DIR, 0, 0, 0755));
	ev_creat(p, "/app/dist/assets/index.js", S(FT_DIR, 0, 0, 0755));
	ev_creat(p, "/app/dist/index.html", S(FT_DIR, 0, 0, 0755));
	ev_mkdir(p, "/app/dist", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_MKDIR, "/app/dist"));
	ck_assert_uint_eq(applied_grants(pl), 1);
	plan_free(pl);
}
END_TEST

START_TEST(sticky_world_writable_needs_nothing)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_creat(p, "/tmp/job.tmp", TMP);
	ev_unlink(p, "/tmp/job.tmp", FILE_ROOT, TMP);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->ngrants, 0);
	plan_free(pl);
}
END_TEST

START_TEST(sticky_dir_foreign_entry_needs_owning_it)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_unlink(p, "/tmp/old.lock", FILE_ROOT, TMP);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_FILE, "/tmp/old.lock"));
	plan_free(pl);
}
END_TEST

START_TEST(appended_log_is_precreated_file)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_append(p, "/app/app.log", ABSENT, DIR_ROOT);
	ev_append(p, "/app/app.log", FILE_ROOT, DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_TOUCH, "/app/app.log"));
	ck_assert_uint_eq(applied_grants(pl), 1);
	plan_free(pl);
}
END_TEST

START_TEST(unlinked_pid_file_needs_the_directory)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_creat(p, "/run/app.pid", DIR_ROOT);
	ev_unlink(p, "/run/app.pid", FILE_ROOT, DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_null(grant_on(pl, GRANT_TOUCH, "/run/app.pid"));
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/run"));
	ck_assert(grant_on(pl, GRANT_OWN_DIR, "/run")->shared_dir);
	ck_assert_uint_ge(pl->nwarnings, 1);
	plan_free(pl);
}
END_TEST

START_TEST(write_temp_then_rename_needs_the_directory)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	dir_rec(p, "/app/data", DIR_ROOT);
	ev_creat(p, "/app/data/state.json.tmp", DIR_ROOT);
	ev_rename(p, "/app/data/state.json.tmp", "/app/data/state.json",
		  FILE_ROOT, DIR_ROOT, FILE_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/app/data"));
	ck_assert_uint_eq(applied_grants(pl), 1);
	plan_free(pl);
}
END_TEST

/* An O_TMPFILE file linked into place through /proc/self/fd/N: the
 * source is the open descriptor, which its opener may link, never a
 * path to grant or refuse; the directory holds both calls' names. */
START_TEST(file_linked_from_its_descriptor_needs_only_the_directory)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	dir_rec(p, "/app/data", DIR_ROOT);
	ev_full(p, OP_OPEN, "/app/data", NULL, O_WRONLY | O_TMPFILE,
		"O_WRONLY|O_TMPFILE", DIR_ROOT, DIR_ROOT, NOSTATE, 0,
		&root_proc);
	ev_full(p, OP_LINK, "/proc/self/fd/3", "/app/data/state.json", 0,
		"AT_SYMLINK_FOLLOW", S(FT_FILE, 0, 0, 0600), DIR_ROOT, ABSENT,
		0, &root_proc);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/app/data"));
	ck_assert_uint_eq(applied_grants(pl), 1);
	ck_assert_uint_eq(pl->nrefused, 0);
	plan_free(pl);
}
END_TEST

START_TEST(rewritten_existing_file_is_owned)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_full(p, OP_OPEN, "/app/config.json", NULL, O_WRONLY | O_TRUNC,
		"O_WRONLY|O_TRUNC", FILE_ROOT, DIR_ROOT, NOSTATE, 0,
		&root_proc);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_FILE, "/app/config.json"));
	plan_free(pl);
}
END_TEST

START_TEST(group_write_bit_permits)
{
	struct plan_options o;
	struct planner *p;
	struct plan *pl;
	struct trace_group g = {
	    .name = "staff", .gid = 50, .members = (char *[]){"nonroot", NULL}};
	struct trace_user u = {.name = "nonroot",
			       .uid = 1001,
			       .gid = 1001,
			       .home = "/home/nonroot"};

	plan_options_init(&o);
	p = planner_new(&o);
	planner_add_user(p, &u);
	planner_add_group(p, &g);
	app_dirs(p);
	ev_creat(p, "/app/shared.out", S(FT_DIR, 0, 50, 0775));
	ev_creat(p, "/app/other.out", S(FT_DIR, 0, 60, 0775));
	pl = planner_finish(p);
	ck_assert_ptr_null(grant_on(pl, GRANT_TOUCH, "/app/shared.out"));
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_TOUCH, "/app/other.out"));
	ck_assert(!pl->create_user);
	plan_free(pl);
}
END_TEST

START_TEST(directory_rename_to_other_parent_needs_write_on_it)
{
	struct planner *p = new_planner();
	struct plan *pl;
	struct file_state mine = S(FT_DIR, 1001, 1001, 0755);

	app_dirs(p);
	dir_rec(p, "/app/in", mine);
	dir_rec(p, "/app/out", mine);
	ev_rename(p, "/app/in/batch", "/app/out/batch", S(FT_DIR, 0, 0, 0755),
		  mine, ABSENT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/app/in/batch"));
	plan_free(pl);
}
END_TEST

START_TEST(names_created_then_removed_below_own_dir_need_nothing_more)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_mkdir(p, "/app/processing", DIR_ROOT);
	ev_creat(p, "/app/processing/a.csv", DIR_ROOT);
	ev_unlink(p, "/app/processing/a.csv", FILE_ROOT, DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_MKDIR, "/app/processing"));
	ck_assert_uint_eq(applied_grants(pl), 1);
	plan_free(pl);
}
END_TEST

START_TEST(home_writes_are_rebased_never_root)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_mkdir(p, "/root/.myapp", S(FT_DIR, 0, 0, 0700));
	ev_mkdir(p, "/root/.cache", S(FT_DIR, 0, 0, 0700));
	/* made by matplotlib (its package at the call site): its redirect */
	ev_mkdir_at(
	    p, "/root/.cache/matplotlib", S(FT_DIR, 0, 0, 0755), 0, &root_proc,
	    "/usr/lib/python3/dist-packages/matplotlib/__init__.py", NULL);
	pl = planner_finish(p);
	for (size_t i = 0; i < pl->ngrants; i++)
		ck_assert(!path_is_under(pl->grants[i].path, "/root"));
	ck_assert(pl->needs_home);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_MKDIR, "/home/nonroot"));
	ck_assert_uint_ge(pl->nredirects, 1);
	{
		bool mpl = false;

		for (size_t i = 0; i < pl->nredirects; i++)
			mpl |= !strcmp(pl->redirects[i].var, "MPLCONFIGDIR");
		ck_assert(mpl);
	}
	plan_free(pl);
}
END_TEST

START_TEST(bind_mount_writes_go_to_host_section)
{
	struct planner *p = new_planner();
	struct plan *pl;
	struct trace_mount m = {.mnt = "/app/model",
				.fs = "ext4",
				.root = "/home/model",
				.src = "/dev/vda",
				.opts = "rw"};

	planner_add_mount(p, &m);
	app_dirs(p);
	ev_creat(p, "/app/model/w.bin", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->ngrants, 0);
	ck_assert_uint_eq(pl->nhost, 1);
	ck_assert_str_eq(pl->host[0].hostdir, "/home/model");
	ck_assert(!pl->host[0].ro);
	plan_free(pl);
}
END_TEST

START_TEST(erofs_gets_tmpfs_and_ro_bind_is_reported)
{
	struct planner *p = new_planner();
	struct plan *pl;
	struct trace_mount m = {.mnt = "/data",
				.fs = "ext4",
				.root = "/srv/data",
				.ro = true,
				.src = "/dev/vda",
				.opts = "ro"};

	planner_add_mount(p, &m);
	app_dirs(p);
	ev_full(p, OP_OPEN, "/var/cache/app/x", NULL, O_WRONLY | O_CREAT,
		"O_WRONLY|O_CREAT", ABSENT, DIR_ROOT, NOSTATE, EROFS,
		&root_proc);
	ev_full(p, OP_OPEN, "/data/out.csv", NULL, O_WRONLY | O_CREAT,
		"O_WRONLY|O_CREAT", ABSENT, DIR_ROOT, NOSTATE, EROFS,
		&root_proc);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->ntmpfs, 1);
	ck_assert_str_eq(pl->tmpfs[0].dir, "/var/cache/app");
	ck_assert_uint_eq(pl->nhost, 1);
	ck_assert(pl->host[0].ro);
	plan_free(pl);
}
END_TEST

START_TEST(bytecode_is_compiled_not_granted)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_mkdir(p, "/app/__pycache__", DIR_ROOT);
	ev_creat(p, "/app/__pycache__/main.cpython-311.pyc",
		 S(FT_DIR, 0, 0, 0755));
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->ngrants, 1);
	ck_assert_int_eq(pl->grants[0].kind, GRANT_BUILD);
	ck_assert_str_eq(pl->grants[0].build_args[0], "/usr/bin/python3.11");
	ck_assert_str_eq(pl->grants[0].build_args[3], "-q");
	ck_assert_str_eq(pl->grants[0].build_args[4], "/app");
	plan_free(pl);
}
END_TEST

/* uwsgi embeds Python: Debian runs it as /usr/bin/uwsgi, a link to
 * uwsgi-core, the executable the trace names.  The catalogue's exes know
 * it by the name it was run as too; and apache2, which no exes name,
 * embeds it with mod_wsgi: its stack shows libpython, which the entry's
 * libs name.  Either way the bytecode is compiled at build time, never
 * granted, and by the Python the stack shows (libpython3.11: python3.11),
 * not by uwsgi-core or apache2.  Without libpython in its stack apache2
 * is not Python, and its write is an ordinary one. */
/* apache2's mkdir of /app/__pycache__ with a stack whose third frame is
 * in libpython (the call went through mod_wsgi). */
static void apache_mkdir_deep(struct planner *p, const struct trace_proc *pr)
{
	static struct trace_frame frames[3] = {
	    {.module = "/usr/lib/x86_64-linux-gnu/libc.so.6"},
	    {.module = "/usr/lib/apache2/modules/mod_wsgi.so"},
	    {.module = "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0"}};
	static struct trace_stack stack = {
	    .id = "s2", .nframes = 3, .frames = frames};
	struct trace_event ev = ev_make(OP_MKDIR, "/app/__pycache__", NULL, 0,
					NULL, ABSENT, DIR_ROOT, NOSTATE, 0, pr);

	ev.stack = &stack;
	planner_add_event(p, &ev);
}

START_TEST(bytecode_of_a_program_embedding_python_is_compiled_by_its_python)
{
	static const char *const libpython =
	    "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0";
	struct trace_proc uwsgi = root_proc, apache = root_proc;
	/* who wrote, how the trace shows Python, and what the plan does */
	const struct {
		const struct trace_proc *proc;
		const char *pyfile, *module;
		bool deep;
		const char *python; /* the build step's, NULL: a mkdir */
	} c[] = {
	    {&uwsgi, NULL, libpython, false, "python3.11"},
	    {&apache, NULL, libpython, false, "python3.11"},
	    {&apache, NULL, "/usr/sbin/apache2", false, NULL},
	    /* no native stack (--no-stacks): its Python call site */
	    {&apache, "/srv/app/app.wsgi", NULL, false, "python3"},
	    {&apache, NULL, NULL, true, "python3.11"},
	};

	uwsgi.exe = "/usr/bin/uwsgi-core";
	uwsgi.argv0 = "uwsgi";
	apache.exe = apache.argv0 = "/usr/sbin/apache2";
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct planner *p = new_planner();
		struct plan *pl;

		app_dirs(p);
		if (c[i].deep)
			apache_mkdir_deep(p, c[i].proc);
		else
			ev_mkdir_at(p, "/app/__pycache__", DIR_ROOT, 0,
				    c[i].proc, c[i].pyfile, c[i].module);
		pl = planner_finish(p);
		ck_assert_uint_eq(pl->ngrants, 1);
		if (!c[i].python) {
			ck_assert_int_eq(pl->grants[0].kind, GRANT_MKDIR);
			plan_free(pl);
			continue;
		}
		ck_assert_int_eq(pl->grants[0].kind, GRANT_BUILD);
		ck_assert_str_eq(pl->grants[0].build_args[0], c[i].python);
		ck_assert_str_eq(pl->grants[0].build_args[4], "/app");
		plan_free(pl);
	}
}
END_TEST

/* A stack's id is unique only within its log file: the same id in
 * another process's log is another stack, whose modules are its own. */
START_TEST(a_stack_id_names_the_stack_of_its_own_log_file)
{
	static struct trace_frame py = {
	    .module = "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0"};
	static struct trace_frame ap = {.module = "/usr/sbin/apache2"};
	struct trace_stack sa = {.id = "s1", .nframes = 1, .frames = &py};
	struct trace_stack sb = {.id = "s1", .nframes = 1, .frames = &ap};
	struct trace_proc apache = root_proc;
	struct planner *p = new_planner();
	struct trace_event ev;
	struct plan *pl;

	apache.exe = apache.argv0 = "/usr/sbin/apache2";
	app_dirs(p);
	dir_rec(p, "/srv", DIR_ROOT);
	ev = ev_make(OP_MKDIR, "/app/__pycache__", NULL, 0, NULL, ABSENT,
		     DIR_ROOT, NOSTATE, 0, &apache);
	ev.stack = &sa;
	ev.file = "log/100.0";
	planner_add_event(p, &ev);
	ev = ev_make(OP_MKDIR, "/srv/__pycache__", NULL, 0, NULL, ABSENT,
		     DIR_ROOT, NOSTATE, 0, &apache);
	ev.stack = &sb;
	ev.file = "log/200.0";
	planner_add_event(p, &ev);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_BUILD, "/app"));
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_MKDIR, "/srv/__pycache__"));
	plan_free(pl);
}
END_TEST

/* The bytecode python writes is compiled at build time; the same file
 * written by cp, which no catalogue entry names, is refused as program
 * code.  Whichever of the two wrote first, each write is judged for its
 * own program: what the catalogue says of a path depends on who wrote. */
static struct plan *pyc_by_python_and_cp(bool python_first)
{
	static const char pyc[] = "/app/__pycache__/main.cpython-311.pyc";
	struct trace_proc cp = root_proc;
	struct planner *p = new_planner();

	cp.pid = 101;
	cp.exe = "/usr/bin/cp";
	cp.argv0 = "cp";
	app_dirs(p);
	dir_rec(p, "/app/__pycache__", DIR_ROOT);
	for (int i = 0; i < 2; i++) {
		bool python = (i == 0) == python_first;

		ev_full(p, OP_OPEN, pyc, NULL, O_WRONLY | O_CREAT | O_TRUNC,
			"O_WRONLY|O_CREAT|O_TRUNC", python ? ABSENT : FILE_ROOT,
			DIR_ROOT, NOSTATE, 0, python ? &root_proc : &cp);
	}
	return planner_finish(p);
}

START_TEST(a_path_written_by_two_programs_is_matched_for_each)
{
	for (int python_first = 0; python_first < 2; python_first++) {
		struct plan *pl = pyc_by_python_and_cp(python_first);
		size_t builds = 0;

		for (size_t i = 0; i < pl->ngrants; i++)
			builds += pl->grants[i].kind == GRANT_BUILD;
		ck_assert_uint_eq(builds, 1);
		ck_assert_uint_eq(pl->nrefused, 1);
		ck_assert_str_eq(pl->refused[0].path,
				 "/app/__pycache__/main.cpython-311.pyc");
		plan_free(pl);
	}
}
END_TEST

START_TEST(system_paths_are_refused)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_full(p, OP_OPEN, "/etc/passwd", NULL, O_WRONLY | O_APPEND,
		"O_WRONLY|O_APPEND", FILE_ROOT, DIR_ROOT, NOSTATE, 0,
		&root_proc);
	ev_creat(p, "/usr/lib/python3/dist-packages/x.dat", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_uint_eq(applied_grants(pl), 0);
	ck_assert_uint_eq(pl->nrefused, 2);
	plan_free(pl);
}
END_TEST

/* An entrypoint that renders its application's configuration into
 * /etc/APP at start (nginx's templates with envsubst): the least grant,
 * with a warning.  The system's own files stay refused: a name directly
 * in /etc, and the system's directories of /etc. */
START_TEST(application_configuration_in_etc_is_granted_with_a_warning)
{
	struct planner *p = new_planner();
	struct plan *pl;
	bool warned = false;

	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/etc", DIR_ROOT);
	dir_rec(p, "/etc/nginx", DIR_ROOT);
	dir_rec(p, "/etc/nginx/conf.d", DIR_ROOT);
	dir_rec(p, "/etc/pam.d", DIR_ROOT);
	ev_creat(p, "/etc/nginx/conf.d/site.conf", DIR_ROOT);
	ev_creat(p, "/etc/pam.d/app", DIR_ROOT);
	ev_creat(p, "/etc/app.conf", DIR_ROOT);
	/* the application's code, another system's package manager */
	ev_creat(p, "/etc/nginx/conf.d/hook.sh", DIR_ROOT);
	dir_rec(p, "/etc/apk", DIR_ROOT);
	ev_creat(p, "/etc/apk/repositories", DIR_ROOT);
	/* its private directory is made searchable */
	dir_rec(p, "/etc/myapp", S(FT_DIR, 0, 0, 0700));
	ev_full(p, OP_READ, "/etc/myapp/app.conf", NULL, O_RDONLY, "O_RDONLY",
		S(FT_FILE, 0, 0, 0644), S(FT_DIR, 0, 0, 0700), NOSTATE, 0,
		&root_proc);
	ev_full(p, OP_OPEN, "/etc/passwd", NULL, O_WRONLY | O_APPEND,
		"O_WRONLY|O_APPEND", FILE_ROOT, DIR_ROOT, NOSTATE, 0,
		&root_proc);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(
	    grant_on(pl, GRANT_TOUCH, "/etc/nginx/conf.d/site.conf"));
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_SEARCH, "/etc/myapp"));
	ck_assert_uint_eq(applied_grants(pl), 2);
	ck_assert_uint_eq(pl->nrefused, 5);
	for (size_t i = 0; i < pl->nwarnings; i++)
		warned |= strstr(pl->warnings[i],
				 "may change "
				 "/etc/nginx/conf.d/site.conf,") != NULL;
	ck_assert(warned);
	plan_free(pl);
}
END_TEST

/* A grant in /etc that the service-user choice drops (redis owns
 * /etc/redis and the file it rewrites) leaves no warning behind. */
START_TEST(etc_warning_is_for_grants_the_plan_keeps)
{
	struct planner *p = new_planner();
	struct trace_user svc = {
	    .name = "svc", .uid = 999, .gid = 999, .home = "/var/lib/svc"};
	struct plan *pl;

	planner_add_user(p, &svc);
	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/etc", DIR_ROOT);
	dir_rec(p, "/etc/svc", S(FT_DIR, 999, 999, 02770));
	ev_full(p, OP_OPEN, "/etc/svc/svc.conf", NULL, O_WRONLY | O_TRUNC,
		"O_WRONLY|O_TRUNC", S(FT_FILE, 999, 999, 0660),
		S(FT_DIR, 999, 999, 02770), NOSTATE, 0, &root_proc);
	pl = planner_finish(p);
	ck_assert_str_eq(pl->user, "svc");
	ck_assert_uint_eq(applied_grants(pl), 0);
	for (size_t i = 0; i < pl->nwarnings; i++)
		ck_assert_ptr_null(strstr(pl->warnings[i], "may change"));
	plan_free(pl);
}
END_TEST

START_TEST(denial_recorded_as_user_is_planned)
{
	struct planner *p = new_planner();
	struct plan *pl;
	struct trace_proc user = root_proc;

	user.uid = user.euid = 1001;
	user.home = "/home/nonroot";
	app_dirs(p);
	ev_full(p, OP_OPEN, "/app/out.txt", NULL, O_WRONLY | O_CREAT,
		"O_WRONLY|O_CREAT", ABSENT, NOSTATE, NOSTATE, EACCES, &user);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_TOUCH, "/app/out.txt"));
	ck_assert_str_eq(pl->grants[0].ev.errname, "EACCES");
	plan_free(pl);
}
END_TEST

/* a refused mkdir made nothing: the same mkdir tried again (named's of
 * /run/named, for its pid file and then its session key) is a retry, not
 * a directory re-created, and the first missing component is enough */
START_TEST(refused_create_tried_again_is_precreated)
{
	struct planner *p = new_planner();
	struct plan *pl;
	struct trace_proc user = root_proc;

	user.uid = user.euid = 1001;
	app_dirs(p);
	ev_mkdir_at(p, "/app/run", DIR_ROOT, EACCES, &user, NULL, NULL);
	ev_mkdir_at(p, "/app/run", DIR_ROOT, EACCES, &user, NULL, NULL);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_MKDIR, "/app/run"));
	ck_assert_uint_eq(applied_grants(pl), 1);
	plan_free(pl);
}
END_TEST

/* coverage run erases .coverage before it makes it: the unlink fails with
 * ENOENT in root's first run, and would remove a pre-created file, which
 * only the directory's owner may do.  The name counts as removed, in
 * either order; a name never unlinked is still pre-created. */
START_TEST(name_unlinked_before_it_is_made_is_not_precreated)
{
	for (int late = 0; late < 2; late++) {
		struct planner *p = new_planner();
		struct plan *pl;

		app_dirs(p);
		if (!late)
			ev_full(p, OP_UNLINK, "/app/state.db", NULL, 0, NULL,
				ABSENT, DIR_ROOT, NOSTATE, ENOENT, &root_proc);
		ev_creat(p, "/app/state.db", DIR_ROOT);
		if (late)
			ev_full(p, OP_UNLINK, "/app/state.db", NULL, 0, NULL,
				ABSENT, DIR_ROOT, NOSTATE, ENOENT, &root_proc);
		ev_creat(p, "/app/out.txt", DIR_ROOT);
		pl = planner_finish(p);
		ck_assert_ptr_null(grant_on(pl, GRANT_TOUCH, "/app/state.db"));
		ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/app"));
		plan_free(pl);
	}
	{
		struct planner *p = new_planner();
		struct plan *pl;

		app_dirs(p);
		ev_creat(p, "/app/state.db", DIR_ROOT);
		pl = planner_finish(p);
		ck_assert_ptr_nonnull(
		    grant_on(pl, GRANT_TOUCH, "/app/state.db"));
		plan_free(pl);
	}
}
END_TEST

START_TEST(taken_uid_and_name_adapt)
{
	struct plan_options o;
	struct planner *p;
	struct plan *pl;
	struct trace_user taken = {
	    .name = "app", .uid = 1001, .gid = 1001, .home = "/home/app"};

	plan_options_init(&o);
	p = planner_new(&o);
	planner_add_user(p, &taken);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->uid, 1002);
	ck_assert(pl->create_user);
	plan_free(pl);
}
END_TEST

START_TEST(service_user_is_suggested)
{
	struct planner *p = new_planner();
	struct plan *pl;
	struct trace_user redis = {
	    .name = "redis", .uid = 101, .gid = 101, .home = "/var/lib/redis"};
	bool seen = false;

	planner_add_user(p, &redis);
	app_dirs(p);
	ev_creat(p, "/var/lib/redis/temp-1.rdb", S(FT_DIR, 101, 101, 0750));
	ev_rename(p, "/var/lib/redis/temp-1.rdb", "/var/lib/redis/dump.rdb",
		  FILE_ROOT, S(FT_DIR, 101, 101, 0750), ABSENT);
	pl = planner_finish(p);
	for (size_t i = 0; i < pl->nnotes; i++)
		seen |= strstr(pl->notes[i], "service user redis") != NULL;
	ck_assert(seen);
	plan_free(pl);
}
END_TEST

START_TEST(many_rewritten_files_become_recursive_with_reason)
{
	struct planner *p = new_planner();
	struct plan *pl;
	char path[64];

	app_dirs(p);
	for (int i = 0; i < 10; i++) {
		snprintf(path, sizeof path, "/srv/site/page%d.html", i);
		ev_full(p, OP_OPEN, path, NULL, O_WRONLY | O_TRUNC,
			"O_WRONLY|O_TRUNC", FILE_ROOT, DIR_ROOT, NOSTATE, 0,
			&root_proc);
	}
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_TREE, "/srv/site"));
	ck_assert_uint_eq(applied_grants(pl), 1);
	ck_assert_ptr_nonnull(
	    strstr(grant_on(pl, GRANT_OWN_TREE, "/srv/site")->why,
		   "10 existing files"));
	plan_free(pl);
}
END_TEST

START_TEST(search_denied_ancestor)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	dir_rec(p, "/secret", S(FT_DIR, 0, 0, 0700));
	ev_creat(p, "/secret/out/x", S(FT_DIR, 1001, 1001, 0755));
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_SEARCH, "/secret"));
	plan_free(pl);
}
END_TEST

START_TEST(untraced_programs_warn)
{
	struct planner *p = new_planner();
	struct trace_untraced u = {
	    .pid = 3, .path = "/usr/bin/sudo", .why = "setuid"};
	struct plan *pl;

	planner_add_untraced(p, &u);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nwarnings, 1);
	ck_assert_ptr_nonnull(strstr(pl->warnings[0], "/usr/bin/sudo"));
	plan_free(pl);
}
END_TEST

/* ---- names and places a service's run shows ---------------------------- */

static const struct trace_proc *as_pid(struct trace_proc *proc, int pid,
				       unsigned uid)
{
	*proc = root_proc;
	proc->pid = pid;
	proc->uid = proc->euid = uid;
	return proc;
}

/* No path is both granted and listed as not granted. */
static bool granted_and_refused(const struct plan *pl)
{
	for (size_t i = 0; i < pl->nrefused; i++)
		for (size_t k = 0; k < pl->ngrants; k++)
			if (!strcmp(pl->refused[i].path, pl->grants[k].path))
				return true;
	return false;
}

static bool grant_names(const struct plan *pl, const char *part)
{
	for (size_t i = 0; i < pl->ngrants; i++)
		if (strstr(pl->grants[i].path, part))
			return true;
	return false;
}

/* A start script's mktemp -d /run/svc/socks.XXXXXXXXXX, chowned to the
 * service: the random name is never pre-created or granted (no build
 * could chown the next run's name), its directory is owned instead. */
START_TEST(name_made_for_one_run_is_never_granted)
{
	struct planner *p = new_planner();
	const char *tmp = "/run/svc/socks.IP1425ItX6";
	struct trace_event mk = {.op = OP_MKDIR,
				 .fn = "mkdtemp",
				 .path = tmp,
				 .st = ABSENT,
				 .parent = DIR_ROOT,
				 .has_mode = true,
				 .mode = 0700,
				 .owner_uid = -1,
				 .owner_gid = -1,
				 .pid = 100,
				 .proc = &root_proc};
	struct trace_event ch = mk;
	struct plan *pl;

	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/run", DIR_ROOT);
	dir_rec(p, "/run/svc", DIR_ROOT);
	planner_add_event(p, &mk);
	ch.op = OP_CHOWN;
	ch.fn = "chown";
	ch.st = S(FT_DIR, 0, 0, 0700);
	ch.owner_uid = ch.owner_gid = 999;
	planner_add_event(p, &ch);
	pl = planner_finish(p);
	ck_assert(!grant_names(pl, "socks.IP1425ItX6"));
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/run/svc"));
	ck_assert(!granted_and_refused(pl));
	plan_free(pl);
}
END_TEST

/* The same seen from a run as the user (harden's next round): the name
 * was made in that run and its chown was denied; the grant is still the
 * stable directory, never `chown ... socks.IP1425ItX6`. */
START_TEST(name_made_in_the_users_run_is_never_granted)
{
	struct planner *p = new_planner();
	struct trace_proc u;
	const char *tmp = "/run/svc/socks.IP1425ItX6";
	struct trace_event mk = {.op = OP_MKDIR,
				 .fn = "mkdtemp",
				 .path = tmp,
				 .st = ABSENT,
				 .parent = S(FT_DIR, 0, 0, 0777),
				 .has_mode = true,
				 .mode = 0700,
				 .owner_uid = -1,
				 .owner_gid = -1,
				 .pid = 300,
				 .proc = as_pid(&u, 300, 1001)};
	struct trace_event ch = mk;
	struct plan *pl;

	planner_add_event(p, &mk);
	ch.op = OP_CHOWN;
	ch.fn = "chown";
	ch.st = S(FT_DIR, 1001, 1001, 0700);
	ch.owner_uid = ch.owner_gid = 999;
	ch.err = EPERM;
	ch.errname = "EPERM";
	planner_add_event(p, &ch);
	pl = planner_finish(p);
	ck_assert(!grant_names(pl, "socks.IP1425ItX6"));
	ck_assert(!granted_and_refused(pl));
	ck_assert_uint_eq(pl->nrefused, 1);
	ck_assert_ptr_nonnull(strstr(pl->refused[0].why, "give files away"));
	plan_free(pl);
}
END_TEST

/* A file named by the pid of the process that made it differs on every
 * run: its directory is owned, the name never pre-created. */
START_TEST(pid_named_component_is_never_granted)
{
	struct planner *p = new_planner();
	struct trace_proc jvm;

	as_pid(&jvm, 5554, 0);
	planner_add_proc(p, &jvm);
	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/var", DIR_ROOT);
	dir_rec(p, "/var/lib", DIR_ROOT);
	dir_rec(p, "/var/lib/app", DIR_ROOT);
	ev_full(p, OP_OPEN, "/var/lib/app/5554", NULL, O_WRONLY | O_CREAT,
		"O_WRONLY|O_CREAT", ABSENT, DIR_ROOT, NOSTATE, 0, &jvm);
	struct plan *pl = planner_finish(p);

	ck_assert(!grant_names(pl, "5554"));
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/var/lib/app"));
	plan_free(pl);
}
END_TEST

/* A denial in a run as the user has no `dir` records: the event's
 * recorded parent (0750 root:adm, a group never joined) is what stops
 * it, and the plan makes it searchable. */
START_TEST(denial_under_unsearchable_parent_makes_it_reachable)
{
	struct planner *p = new_planner();
	struct trace_proc u;
	struct plan *pl;

	ev_full(p, OP_OPEN, "/var/log/svc/error.log", NULL,
		O_WRONLY | O_APPEND | O_CREAT, "O_WRONLY|O_APPEND|O_CREAT",
		NOSTATE, S(FT_DIR, 0, 4, 0750), NOSTATE, EACCES,
		as_pid(&u, 300, 1001));
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_SEARCH, "/var/log/svc"));
	plan_free(pl);
}
END_TEST

/* A read denied (EACCES) to uid 1001 in a run as the user: its own
 * state unknown (its directory stopped the stat), its parent's parent. */
static void read_denied_as_user(struct planner *p, const char *path,
				struct file_state parent)
{
	struct trace_proc u;

	ev_full(p, OP_READ, path, NULL, O_RDONLY, "O_RDONLY", NOSTATE, parent,
		NOSTATE, EACCES, as_pid(&u, 300, 1001));
}

/* A config in a 2770 svc:svc directory, read as uid 1001: the service's
 * group is joined (its bits permit the search). */
START_TEST(denial_under_service_group_dir_joins_the_group)
{
	struct planner *p = new_planner();
	char *none[] = {NULL};
	struct trace_group g = {.name = "svc", .gid = 999, .members = none};
	struct plan *pl;

	planner_add_group(p, &g);
	read_denied_as_user(p, "/srv/svc/svc.conf", S(FT_DIR, 0, 999, 02770));
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_GROUP, "svc"));
	plan_free(pl);
}
END_TEST

/* A service user's private directory on the way: never opened to
 * others, refused with its reason. */
START_TEST(denial_under_private_service_dir_is_refused_with_reason)
{
	struct planner *p;
	struct plan_options o;
	struct trace_user svc = {
	    .name = "svc", .uid = 999, .gid = 999, .home = "/var/lib/svc"};
	struct plan *pl;

	plan_options_init(&o);
	o.user_given = true; /* the new user, not the service's */
	p = planner_new(&o);
	planner_add_user(p, &svc);
	read_denied_as_user(p, "/var/lib/svc/conf", S(FT_DIR, 999, 999, 0700));
	pl = planner_finish(p);
	ck_assert_uint_ge(pl->nrefused, 1);
	ck_assert_str_eq(pl->refused[0].path, "/var/lib/svc");
	ck_assert_ptr_nonnull(
	    strstr(pl->refused[0].why, "belongs to the service user svc"));
	ck_assert_uint_eq(applied_grants(pl), 0);
	plan_free(pl);
}
END_TEST

/* A file root's run read that only root may read (sshd's host keys, 0600
 * root:root): the group the user runs with gets its read bit, the file
 * stays root's.  Not when its group may read already (that group's to
 * join), not a service user's file, not a directory, not the system's
 * identity (/etc/shadow, 0000 in Red Hat's images), not a program run
 * (a chgrp drops its set-id bits and capabilities), not when the user's
 * group has other users. */
static struct plan *read_by_root_as(const char *path, struct file_state st,
				    bool openshift, bool run, unsigned gid)
{
	struct plan_options o;
	struct planner *p;
	struct trace_user svc = {
	    .name = "svc", .uid = 999, .gid = 999, .home = "/var/lib/svc"};
	char *members[] = {"alice", NULL};
	struct trace_group shared = {
	    .name = "staff", .gid = 50, .members = members};

	plan_options_init(&o);
	o.openshift = openshift;
	if (gid) {
		o.gid = gid;
		o.gid_given = true;
	}
	p = planner_new(&o);
	planner_add_user(p, &svc);
	planner_add_group(p, &shared);
	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/etc", DIR_ROOT);
	dir_rec(p, "/etc/ssh", DIR_ROOT);
	ev_full(p, OP_READ, path, NULL, O_RDONLY, "O_RDONLY", st, DIR_ROOT,
		NOSTATE, 0, &root_proc);
	if (run)
		ev_full(p, OP_EXEC, path, NULL, 0, NULL, st, DIR_ROOT, NOSTATE,
			0, &root_proc);
	return planner_finish(p);
}

static struct plan *read_by_root(const char *path, struct file_state st,
				 bool openshift)
{
	return read_by_root_as(path, st, openshift, false, 0);
}

START_TEST(file_only_root_reads_is_read_through_the_users_group)
{
	static const char key[] = "/etc/ssh/ssh_host_ed25519_key";
	struct plan *pl = read_by_root(key, S(FT_FILE, 0, 0, 0600), false);
	const struct grant *g = grant_on(pl, GRANT_READ, key);
	char *line;

	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(pl->nrefused, 0);
	line =
	    plan_render_grant(pl, (size_t)(g - pl->grants), FORMAT_DOCKERFILE);
	ck_assert_ptr_nonnull(
	    strstr(line, "chgrp 1001 '/etc/ssh/ssh_host_ed25519_key'"));
	ck_assert_ptr_nonnull(
	    strstr(line, "chmod g+r '/etc/ssh/ssh_host_ed25519_key'"));
	ck_assert_ptr_null(strstr(line, "chown"));
	free(line);
	plan_free(pl);

	pl = read_by_root(key, S(FT_FILE, 0, 0, 0400), true);
	g = grant_on(pl, GRANT_READ, key);
	ck_assert_ptr_nonnull(g);
	line =
	    plan_render_grant(pl, (size_t)(g - pl->grants), FORMAT_DOCKERFILE);
	ck_assert_ptr_nonnull(strstr(line, "chgrp 0 "));
	free(line);
	plan_free(pl);

	/* its group reads it, a service user owns it, a directory, set-id */
	const struct file_state no[] = {
	    S(FT_FILE, 0, 0, 0640), S(FT_FILE, 999, 999, 0600),
	    S(FT_DIR, 0, 0, 0700), S(FT_FILE, 0, 0, 04600)};
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		pl = read_by_root(key, no[i], false);
		ck_assert_ptr_null(grant_on(pl, GRANT_READ, key));
		plan_free(pl);
	}
	pl = read_by_root("/etc/shadow", S(FT_FILE, 0, 0, 0), false);
	ck_assert_ptr_null(grant_on(pl, GRANT_READ, "/etc/shadow"));
	ck_assert_uint_eq(pl->nrefused, 1);
	plan_free(pl);
	/* read, and run; the user in a group with alice */
	pl = read_by_root_as("/srv/run.sh", S(FT_FILE, 0, 0, 0700), false, true,
			     0);
	ck_assert_ptr_null(grant_on(pl, GRANT_READ, "/srv/run.sh"));
	plan_free(pl);
	pl = read_by_root_as(key, S(FT_FILE, 0, 0, 0600), false, false, 50);
	ck_assert_ptr_null(grant_on(pl, GRANT_READ, key));
	ck_assert_uint_eq(pl->nrefused, 1);
	plan_free(pl);
}
END_TEST

/* Joining a group only works when the run keeps /etc/group's
 * memberships: the USER line has no group and the plan says how to keep
 * it with an explicit one. */
START_TEST(group_grant_says_how_to_keep_the_group)
{
	struct planner *p = new_planner();
	char *none[] = {NULL};
	struct trace_group g = {.name = "svc", .gid = 999, .members = none};
	struct plan *pl;
	bool said = false;

	planner_add_group(p, &g);
	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/srv", DIR_ROOT);
	ev_full(p, OP_READ, "/srv/svc.conf", NULL, O_RDONLY, "O_RDONLY",
		S(FT_FILE, 0, 999, 0640), DIR_ROOT, NOSTATE, 0, &root_proc);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_GROUP, "svc"));
	for (size_t i = 0; i < pl->nnotes; i++)
		said |= strstr(pl->notes[i], "--group-add 999") &&
			strstr(pl->notes[i], "supplementalGroups: [999]") &&
			strstr(pl->notes[i], "USER 1001 ");
	ck_assert(said);
	plan_free(pl);
}
END_TEST

/* A Dockerfile's VOLUME is a new volume on every run, seeded from the
 * image: its directory is made and owned in the image, no host advice. */
START_TEST(anonymous_volume_is_made_in_the_image)
{
	struct planner *p = new_planner();
	struct plan *pl;

	anonymous_volume(p, "/data");
	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/data", DIR_ROOT);
	ev_full(p, OP_OPEN, "/data/app.db", NULL, O_RDWR | O_CREAT | O_EXCL,
		"O_RDWR|O_CREAT|O_EXCL", ABSENT, DIR_ROOT, NOSTATE, 0,
		&root_proc);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nhost, 0);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_MKDIR, "/data"));
	plan_free(pl);
}
END_TEST

/* -v /srv/data/out:/out with /srv a partition of its own: mountinfo says
 * /data/out, trace.json the source the user gave, which wins. */
START_TEST(bind_names_the_host_path_given)
{
	struct planner *p = new_planner();
	struct trace_mount m = {.mnt = "/out",
				.fs = "ext4",
				.src = "/dev/sdb1",
				.root = "/data/out"};
	struct plan *pl;

	planner_add_mount(p, &m);
	planner_add_bind(p, "/out", "/srv/data/out", NULL, false);
	ev_creat(p, "/out/result.txt", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nhost, 1);
	ck_assert_str_eq(pl->host[0].hostdir, "/srv/data/out");
	plan_free(pl);
}
END_TEST

/* A named volume as docker mounts it at mnt (-v NAME:MNT). */
static void named_volume(struct planner *p, const char *mnt, const char *name)
{
	char root[128];
	struct trace_mount m = {
	    .mnt = (char *)mnt, .fs = "ext4", .src = "/dev/sda1", .root = root};

	snprintf(root, sizeof root, "/var/lib/docker/volumes/%s/_data", name);
	planner_add_mount(p, &m);
	planner_add_bind(p, mnt, NULL, name, false);
}

/* A named volume outlives the run: what the profiling run made in it as
 * root stays there owned by root, so the plan says so, names the volume
 * (not a host path) and gives the chown that fixes it from a container. */
START_TEST(named_volume_filled_by_root_is_called_out)
{
	struct planner *p = new_planner();
	struct strbuf out = STRBUF_INIT;
	struct plan *pl;
	char *why = NULL;

	named_volume(p, "/var/lib/app", "appdata");
	ev_mkdir(p, "/var/lib/app/db", DIR_ROOT);
	ev_creat(p, "/var/lib/app/db/0.log", DIR_ROOT);
	ev_append(p, "/var/lib/app/seen", FILE_ROOT, DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nhost, 1);
	ck_assert_str_eq(pl->host[0].volume, "appdata");
	ck_assert_uint_eq(pl->host[0].root_made, 2);
	ck_assert_str_eq(pl->host[0].root_example, "/var/lib/app/db");
	ck_assert_int_eq(plan_render(pl, FORMAT_DOCKERFILE, NULL, &out, &why),
			 0);
	ck_assert_ptr_nonnull(strstr(out.buf, "named volume appdata"));
	ck_assert_ptr_nonnull(
	    strstr(out.buf, "-v appdata:/var/lib/app <image> chown -R"));
	ck_assert_ptr_nonnull(strstr(out.buf, "created 2 entries in appdata"));
	ck_assert_ptr_null(strstr(out.buf, "on the host run"));
	sb_release(&out);
	free(why);
	plan_free(pl);
}
END_TEST

/* A bind of the user's own directory is theirs to see, and a named
 * volume the profiling run only wrote into has nothing left by root: no
 * callout in either. */
START_TEST(volume_without_roots_new_entries_has_no_callout)
{
	struct planner *p = new_planner();
	struct plan *pl;

	named_volume(p, "/var/lib/app", "appdata");
	planner_add_bind(p, "/out", "/srv/out", NULL, false);
	ev_append(p, "/var/lib/app/seen", FILE_ROOT, DIR_ROOT);
	ev_creat(p, "/out/result.txt", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nhost, 2);
	for (size_t i = 0; i < pl->nhost; i++)
		ck_assert_uint_eq(pl->host[i].root_made, 0);
	plan_free(pl);
}
END_TEST

/* ev with the path the preload resolved it to (`real`). */
static void ev_real(struct planner *p, enum unroot_op op, const char *path,
		    const char *real, const char *path2, int flags,
		    struct file_state st, struct file_state st2)
{
	struct trace_event ev =
	    ev_make(op, path, path2, flags, flags ? "O_WRONLY|O_CREAT" : NULL,
		    st, TMP, st2, 0, &root_proc);

	ev.real = real;
	planner_add_event(p, &ev);
}

/* Debian's /var/run is /run and /var/lock is /run/lock: a directory made
 * through one spelling and used through the other is one directory (one
 * grant), and a file made as /var/lock/f, touched as /run/lock/f (futimens
 * resolves the descriptor) and removed is the run's own, never a chown of
 * a file the image lacks. */
START_TEST(names_reached_through_a_symlinked_directory_are_one_name)
{
	struct planner *p = new_planner();
	struct plan *pl;

	dir_rec(p, "/run", DIR_ROOT);
	dir_rec(p, "/run/lock", TMP);
	ev_mkdir(p, "/run/app", DIR_ROOT);
	ev_real(p, OP_OPEN, "/var/run/app/t", "/run/app/t", NULL,
		O_WRONLY | O_CREAT, ABSENT, NOSTATE);
	ev_real(p, OP_RENAME, "/var/run/app/t", "/run/app/t",
		"/var/run/app/pid", 0, FILE_ROOT, ABSENT);
	ev_real(p, OP_OPEN, "/var/lock/f", "/run/lock/f", NULL,
		O_WRONLY | O_CREAT, ABSENT, NOSTATE);
	ev_full(p, OP_UTIME, "/run/lock/f", NULL, 0, NULL, FILE_ROOT, TMP,
		NOSTATE, 0, &root_proc);
	ev_real(p, OP_UNLINK, "/var/lock/f", "/run/lock/f", NULL, 0, FILE_ROOT,
		NOSTATE);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_MKDIR, "/run/app"));
	for (size_t i = 0; i < pl->ngrants; i++) {
		ck_assert(!path_is_under(pl->grants[i].path, "/var/run"));
		ck_assert(!path_is_under(pl->grants[i].path, "/run/lock"));
	}
	ck_assert_uint_eq(applied_grants(pl), 1);
	plan_free(pl);
}
END_TEST

/* The JVM as root writes /tmp/hsperfdata_root/<pid>; as the user it
 * writes /tmp/hsperfdata_nonroot, which it makes itself in /tmp: root's
 * leftover directory is never chowned. */
START_TEST(roots_own_names_are_the_users)
{
	struct planner *p = new_planner();
	struct trace_proc jvm;
	struct plan *pl;

	as_pid(&jvm, 5554, 0);
	planner_add_proc(p, &jvm);
	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/tmp", TMP);
	dir_rec(p, "/tmp/hsperfdata_root", DIR_ROOT);
	ev_full(p, OP_OPEN, "/tmp/hsperfdata_root/5554", NULL, O_RDWR | O_CREAT,
		"O_RDWR|O_CREAT", ABSENT, DIR_ROOT, NOSTATE, 0, &jvm);
	ev_unlink(p, "/tmp/hsperfdata_root/5554", FILE_ROOT, DIR_ROOT);
	pl = planner_finish(p);
	ck_assert(!grant_names(pl, "hsperfdata"));
	ck_assert_uint_eq(applied_grants(pl), 0);
	plan_free(pl);
}
END_TEST

/* A program that finds root's home by its uid (HOME set to the
 * application's) writes /root/.cache: the user's HOME has it, /root is
 * never granted. */
START_TEST(roots_home_is_the_users_when_home_is_elsewhere)
{
	struct planner *p = new_planner();
	struct trace_proc app = root_proc;
	struct plan *pl;

	app.home = "/app";
	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/root", S(FT_DIR, 0, 0, 0700));
	ev_full(p, OP_MKDIR, "/root/.cache", NULL, 0, NULL, ABSENT,
		S(FT_DIR, 0, 0, 0700), NOSTATE, 0, &app);
	ev_full(p, OP_OPEN, "/root/.cache/x.bin", NULL, O_WRONLY | O_CREAT,
		"O_WRONLY|O_CREAT", ABSENT, DIR_ROOT, NOSTATE, 0, &app);
	pl = planner_finish(p);
	ck_assert(!grant_names(pl, "/root"));
	ck_assert_uint_eq(pl->nrefused, 0);
	ck_assert(pl->needs_home || pl->nredirects);
	plan_free(pl);
}
END_TEST

/* apache2ctl gives its mktemp directory to www-data: as any other user
 * that chown fails, so the plan runs as www-data, and the refusal it
 * makes to itself is gone. */
START_TEST(chown_to_a_service_user_runs_as_it)
{
	struct planner *p = new_planner();
	struct trace_user www = {
	    .name = "www-data", .uid = 33, .gid = 33, .home = "/var/www"};
	struct trace_proc u;
	struct trace_event ch = {.op = OP_CHOWN,
				 .fn = "chown",
				 .path = "/run/apache2/socks.IP1425ItX6",
				 .st = S(FT_DIR, 1001, 1001, 0700),
				 .parent = S(FT_DIR, 1001, 1001, 0755),
				 .owner_uid = 33,
				 .owner_gid = -1,
				 .err = EPERM,
				 .errname = "EPERM",
				 .pid = 300,
				 .proc = as_pid(&u, 300, 1001)};
	struct plan *pl;

	planner_add_user(p, &www);
	planner_add_event(p, &ch);
	pl = planner_finish(p);
	ck_assert(pl->service_user);
	ck_assert_str_eq(pl->user, "www-data");
	ck_assert_uint_eq(pl->nrefused, 0);
	plan_free(pl);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("planner");
	TCase *t = test_case("planner", NULL);

	tcase_add_test(t, first_missing_component_is_precreated);
	tcase_add_test(t, tree_recorded_out_of_order_precreates_its_top);
	tcase_add_test(t, sticky_world_writable_needs_nothing);
	tcase_add_test(t, sticky_dir_foreign_entry_needs_owning_it);
	tcase_add_test(t, appended_log_is_precreated_file);
	tcase_add_test(t, unlinked_pid_file_needs_the_directory);
	tcase_add_test(t, write_temp_then_rename_needs_the_directory);
	tcase_add_test(
	    t, file_linked_from_its_descriptor_needs_only_the_directory);
	tcase_add_test(t, rewritten_existing_file_is_owned);
	tcase_add_test(t, group_write_bit_permits);
	tcase_add_test(t, directory_rename_to_other_parent_needs_write_on_it);
	tcase_add_test(
	    t, names_created_then_removed_below_own_dir_need_nothing_more);
	tcase_add_test(t, home_writes_are_rebased_never_root);
	tcase_add_test(t, bind_mount_writes_go_to_host_section);
	tcase_add_test(t, erofs_gets_tmpfs_and_ro_bind_is_reported);
	tcase_add_test(t, bytecode_is_compiled_not_granted);
	tcase_add_test(
	    t,
	    bytecode_of_a_program_embedding_python_is_compiled_by_its_python);
	tcase_add_test(t, a_stack_id_names_the_stack_of_its_own_log_file);
	tcase_add_test(t, a_path_written_by_two_programs_is_matched_for_each);
	tcase_add_test(t, system_paths_are_refused);
	tcase_add_test(t, etc_warning_is_for_grants_the_plan_keeps);
	tcase_add_test(
	    t, application_configuration_in_etc_is_granted_with_a_warning);
	tcase_add_test(t, denial_recorded_as_user_is_planned);
	tcase_add_test(t, refused_create_tried_again_is_precreated);
	tcase_add_test(t, name_unlinked_before_it_is_made_is_not_precreated);
	tcase_add_test(t, taken_uid_and_name_adapt);
	tcase_add_test(t, service_user_is_suggested);
	tcase_add_test(t, many_rewritten_files_become_recursive_with_reason);
	tcase_add_test(t, search_denied_ancestor);
	tcase_add_test(t, untraced_programs_warn);
	tcase_add_test(t, name_made_for_one_run_is_never_granted);
	tcase_add_test(t, name_made_in_the_users_run_is_never_granted);
	tcase_add_test(t, pid_named_component_is_never_granted);
	tcase_add_test(t, denial_under_unsearchable_parent_makes_it_reachable);
	tcase_add_test(t, denial_under_service_group_dir_joins_the_group);
	tcase_add_test(t,
		       denial_under_private_service_dir_is_refused_with_reason);
	tcase_add_test(t, group_grant_says_how_to_keep_the_group);
	tcase_add_test(t, file_only_root_reads_is_read_through_the_users_group);
	tcase_add_test(t, anonymous_volume_is_made_in_the_image);
	tcase_add_test(t, bind_names_the_host_path_given);
	tcase_add_test(t, named_volume_filled_by_root_is_called_out);
	tcase_add_test(t, volume_without_roots_new_entries_has_no_callout);
	tcase_add_test(
	    t, names_reached_through_a_symlinked_directory_are_one_name);
	tcase_add_test(t, roots_own_names_are_the_users);
	tcase_add_test(t, roots_home_is_the_users_when_home_is_elsewhere);
	tcase_add_test(t, chown_to_a_service_user_runs_as_it);
	suite_add_tcase(s, t);
	return s;
}
