/*
 * test_readonly_mounts.c - where a read-only root's mounts go when the
 * workload must own the directory it writes: a mount's root is the
 * runtime's (a Kubernetes emptyDir is root's, mode 1777), so a directory
 * the workload chmods or chowns is made by the workload inside a mount on
 * its parent, never mounted itself; a write under /run or /tmp mounts the
 * directory the workload made there, not the scratch root that holds the
 * image's own directories; a write the user needed no grant for is
 * mounted too, and a file the workload reads through a symlink, opens
 * to read and write in place, or rewrites, seeds the directory it lives
 * in; from a trace without reads, a plain mount on a directory of the
 * image is flagged.  One case
 * per rule.
 */
#include <fcntl.h>
#include <stdlib.h>

#include "check_main.h"
#include "helpers.h"

static void pg_dirs(struct planner *p)
{
	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/var", DIR_ROOT);
	dir_rec(p, "/var/lib", DIR_ROOT);
	dir_rec(p, "/var/lib/postgresql", DIR_ROOT);
}

static void ev_chmod(struct planner *p, const char *path, unsigned mode,
		     struct file_state st, int err)
{
	struct trace_event ev = ev_make(OP_CHMOD, path, NULL, 0, NULL, st,
					DIR_ROOT, NOSTATE, err, &root_proc);

	ev.has_mode = true;
	ev.mode = mode;
	planner_add_event(p, &ev);
}

/* initdb makes its data directory and chmods it 0700: the mount is on
 * /var/lib/postgresql, which holds nothing of the image's that the
 * workload uses, so it is a plain one, and the data directory is the
 * workload's own. */
START_TEST(mount_parent_of_a_dir_the_workload_chmods)
{
	struct planner *p = new_planner_ro();
	struct plan *pl;

	pg_dirs(p);
	ev_mkdir(p, "/var/lib/postgresql/data", DIR_ROOT);
	ev_chmod(p, "/var/lib/postgresql/data", 0700, S(FT_DIR, 0, 0, 0755), 0);
	ev_creat(p, "/var/lib/postgresql/data/PG_VERSION",
		 S(FT_DIR, 0, 0, 0700));
	pl = planner_finish(p);
	ck_assert_ptr_null(tmpfs_on(pl, "/var/lib/postgresql/data"));
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/var/lib/postgresql"));
	ck_assert(!tmpfs_on(pl, "/var/lib/postgresql")->seed);
	ck_assert(has_text(pl->notes, pl->nnotes,
			   "mode or owner of /var/lib/postgresql/data", NULL));
	plan_free(pl);
}
END_TEST

/* The same rule from a run on a read-only root: the chmod of the
 * directory that was mounted failed (EPERM), and a chown to the user is
 * an owner change too; a parent holding a file of the image the workload
 * read is seeded, not emptied. */
START_TEST(mount_parent_of_a_dir_the_workload_chowns_seeded_when_shipped)
{
	struct planner *p = new_planner_ro();
	struct trace_event ev;
	struct plan *pl;

	pg_dirs(p);
	ev_full(p, OP_OPEN, "/var/lib/postgresql/.psqlrc", NULL, O_RDONLY,
		"O_RDONLY", FILE_ROOT, DIR_ROOT, NOSTATE, 0, &root_proc);
	ev_full(p, OP_MKDIR, "/var/lib/postgresql/data", NULL, 0, NULL, ABSENT,
		DIR_ROOT, NOSTATE, EROFS, &root_proc);
	ev = ev_make(OP_CHOWN, "/var/lib/postgresql/data", NULL, 0, NULL,
		     S(FT_DIR, 0, 0, 01777), DIR_ROOT, NOSTATE, EPERM,
		     &root_proc);
	ev.owner_uid = 1001;
	ev.owner_gid = 1001;
	planner_add_event(p, &ev);
	pl = planner_finish(p);
	ck_assert_ptr_null(tmpfs_on(pl, "/var/lib/postgresql/data"));
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/var/lib/postgresql"));
	ck_assert(tmpfs_on(pl, "/var/lib/postgresql")->seed);
	plan_free(pl);
}
END_TEST

/* A directory only written into keeps its own mount: nothing moves. */
START_TEST(dir_only_written_keeps_its_own_mount)
{
	struct planner *p = new_planner_ro();
	struct plan *pl;

	pg_dirs(p);
	ev_mkdir(p, "/var/lib/postgresql/data", DIR_ROOT);
	ev_creat(p, "/var/lib/postgresql/data/PG_VERSION", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/var/lib/postgresql/data"));
	ck_assert_ptr_null(tmpfs_on(pl, "/var/lib/postgresql"));
	plan_free(pl);
}
END_TEST

/* apache2ctl makes /run/apache2, apache2 writes its pid file there and
 * its lock directory in /var/lock (the image's /run/lock through a
 * symlink): the mounts are /run/apache2 and /run/lock, never /run, which
 * would hide /run/lock. */
START_TEST(scratch_mount_is_the_dir_the_workload_made_below_it)
{
	struct planner *p = new_planner_ro();
	struct trace_event ev;
	struct plan *pl;

	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/run", DIR_ROOT);
	dir_rec(p, "/run/lock", TMP);
	ev_mkdir(p, "/run/apache2", DIR_ROOT);
	ev_creat(p, "/run/apache2/apache2.pid", DIR_ROOT);
	ev = ev_make(OP_MKDIR, "/var/lock/apache2", NULL, 0, NULL, ABSENT,
		     S(FT_SYMLINK, 0, 0, 0777), NOSTATE, 0, &root_proc);
	ev.real = "/run/lock/apache2";
	planner_add_event(p, &ev);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/run/apache2"));
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/run/lock"));
	ck_assert_ptr_null(tmpfs_on(pl, "/run"));
	plan_free(pl);
}
END_TEST

/* A directory made for one run (mktemp -d) is no mount point: /tmp is. */
START_TEST(scratch_mount_is_never_a_temporary_name)
{
	struct planner *p = new_planner_ro();
	struct plan *pl;

	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/tmp", TMP);
	ev_full(p, OP_MKTEMP, "/tmp/tmp.Xq3kZ9aB7w", NULL, 0, NULL, ABSENT, TMP,
		NOSTATE, 0, &root_proc);
	ev_mkdir(p, "/tmp/tmp.Xq3kZ9aB7w", TMP);
	ev_creat(p, "/tmp/tmp.Xq3kZ9aB7w/out", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/tmp"));
	ck_assert_uint_eq(pl->ntmpfs, 1);
	plan_free(pl);
}
END_TEST

/* A read-only root refuses every write in the image's layer, not only
 * those the user needed a grant for: a directory the user already owns
 * gets a mount too, on the directory that was there before the run (the
 * workload's own cache/ is made again in it), while a directory the plan
 * pre-creates keeps its own mount and its parent none.  A file system of
 * the runtime's (/dev, a tmpfs the mount table lists) is not the layer:
 * no mount; nor is the source of a hard link. */
START_TEST(write_needing_no_grant_still_gets_a_mount_on_a_read_only_root)
{
	struct planner *p = new_planner_ro();
	struct plan *pl;

	app_dirs(p);
	dir_rec(p, "/srv", DIR_ROOT);
	ev_mkdir(p, "/srv/data/cache", S(FT_DIR, 1001, 1001, 0755));
	ev_creat(p, "/srv/data/cache/entry", NOSTATE);
	ev_mkdir(p, "/opt/new", DIR_ROOT);
	ev_creat(p, "/opt/new/log", NOSTATE);
	/* the runtime's own file systems are no part of the image's layer */
	planner_add_mount(p, &(struct trace_mount){.mnt = "/srv/scratch",
						   .fs = "tmpfs",
						   .root = "/"});
	ev_creat(p, "/srv/scratch/f", S(FT_DIR, 1001, 1001, 01777));
	ev_full(p, OP_OPEN, "/dev/pts/0", NULL, O_WRONLY, "O_WRONLY",
		S(FT_CHR, 1001, 5, 0620), S(FT_DIR, 0, 0, 0755), NOSTATE, 0,
		&root_proc);
	/* a hard link of a file of the image: only the new name is a write */
	ev_full(p, OP_LINK, "/srv/models/model.bin",
		"/srv/data/cache/model.bin", 0, NULL,
		S(FT_FILE, 1001, 1001, 0644), S(FT_DIR, 1001, 1001, 0755),
		ABSENT, 0, &root_proc);
	pl = planner_finish(p);
	ck_assert_ptr_null(grant_on(pl, GRANT_OWN_DIR, "/srv/data"));
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/srv/data"));
	ck_assert(!tmpfs_on(pl, "/srv/data")->seed);
	ck_assert_ptr_null(tmpfs_on(pl, "/srv/data/cache"));
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_MKDIR, "/opt/new"));
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/opt/new"));
	ck_assert_ptr_null(tmpfs_on(pl, "/opt"));
	ck_assert_ptr_null(plan_tmpfs_holding(pl, "/srv/scratch/f"));
	ck_assert_ptr_null(plan_tmpfs_holding(pl, "/dev/pts/0"));
	ck_assert_ptr_null(plan_tmpfs_holding(pl, "/srv/models/model.bin"));
	ck_assert_uint_eq(pl->ntmpfs, 2);
	plan_free(pl);
}
END_TEST

/* transmission-daemon reads its settings through a symlink of the image
 * (info/settings.json -> /opt/app/conf/settings.json) and saves them where
 * the link points, through a temporary renamed over the file: the
 * directory the file really lives in holds the image's files, so its
 * mount is seeded (an empty one would hide the settings the workload
 * reads), and so is the link's, where it writes its statistics. */
START_TEST(file_read_through_a_symlink_seeds_the_directory_it_lives_in)
{
	struct planner *p = new_planner_ro();
	struct trace_event ev;
	struct plan *pl;

	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/opt", DIR_ROOT);
	dir_rec(p, "/opt/app", DIR_ROOT);
	dir_rec(p, "/opt/app/conf", DIR_ROOT);
	dir_rec(p, "/var/lib/app/info", DIR_ROOT);
	ev = ev_make(OP_OPEN, "/var/lib/app/info/settings.json", NULL, O_RDONLY,
		     "O_RDONLY", S(FT_SYMLINK, 0, 0, 0777), DIR_ROOT, NOSTATE,
		     0, &root_proc);
	ev.real = "/opt/app/conf/settings.json";
	planner_add_event(p, &ev);
	ev_full(p, OP_MKTEMP, "/opt/app/conf/settings.json.tmp.CXUlu3", NULL, 0,
		NULL, ABSENT, DIR_ROOT, NOSTATE, 0, &root_proc);
	ev_rename(p, "/opt/app/conf/settings.json.tmp.CXUlu3",
		  "/opt/app/conf/settings.json", FILE_ROOT, DIR_ROOT,
		  FILE_ROOT);
	ev_creat(p, "/var/lib/app/info/stats.json", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/opt/app/conf"));
	ck_assert(tmpfs_on(pl, "/opt/app/conf")->seed);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/var/lib/app/info"));
	ck_assert(tmpfs_on(pl, "/var/lib/app/info")->seed);
	plan_free(pl);
}
END_TEST

static void app_lib_dirs(struct planner *p)
{
	pg_dirs(p);
	dir_rec(p, "/var/lib/slapd", DIR_ROOT);
}

/* slapd opens the database its package made (LMDB's data.mdb) to read
 * and write it in place: its directory is seeded, since an empty mount
 * would start the directory over, while a log opened to append keeps a
 * plain mount.  Owning the directory (slapd makes and removes a probe
 * file there) is no warning about the image's code: the database is the
 * workload's data. */
START_TEST(database_opened_in_place_seeds_its_mount)
{
	struct planner *p = new_planner_ro();
	struct plan *pl;
	int rw = O_RDWR | O_CREAT;
	int app = O_WRONLY | O_CREAT | O_APPEND;

	app_lib_dirs(p);
	dir_rec(p, "/var/log", DIR_ROOT);
	dir_rec(p, "/var/log/app", DIR_ROOT);
	ev_full(p, OP_OPEN, "/var/lib/slapd/data.mdb", NULL, rw,
		"O_RDWR|O_CREAT", FILE_ROOT, DIR_ROOT, NOSTATE, 0, &root_proc);
	ev_full(p, OP_OPEN, "/var/log/app/app.log", NULL, app,
		"O_WRONLY|O_CREAT|O_APPEND", FILE_ROOT, DIR_ROOT, NOSTATE, 0,
		&root_proc);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/var/lib/slapd"));
	ck_assert(tmpfs_on(pl, "/var/lib/slapd")->seed);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/var/log/app"));
	ck_assert(!tmpfs_on(pl, "/var/log/app")->seed);
	ck_assert(has_text(pl->notes, pl->nnotes,
			   "/var/lib/slapd holds data of the image",
			   "a persistent volume seeded the same way keeps it"));
	plan_free(pl);

	p = new_planner();
	app_lib_dirs(p);
	ev_full(p, OP_OPEN, "/var/lib/slapd/data.mdb", NULL, rw,
		"O_RDWR|O_CREAT", FILE_ROOT, DIR_ROOT, NOSTATE, 0, &root_proc);
	ev_creat(p, "/var/lib/slapd/DUMMY", DIR_ROOT);
	ev_unlink(p, "/var/lib/slapd/DUMMY", FILE_ROOT, DIR_ROOT);
	/* a file of the image rewritten beside it: still the workload's
	 * data, no warning about the image's files */
	ev_full(p, OP_OPEN, "/var/lib/slapd/DB_CONFIG", NULL,
		O_WRONLY | O_CREAT | O_TRUNC, "O_WRONLY|O_CREAT|O_TRUNC",
		FILE_ROOT, DIR_ROOT, NOSTATE, 0, &root_proc);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/var/lib/slapd"));
	ck_assert(!has_text(pl->warnings, pl->nwarnings,
			    "lets the user rename or remove", NULL));
	plan_free(pl);
}
END_TEST

/* A file the image shipped, rewritten (a page next build prerendered,
 * regenerated at run time) or replaced by a rename (sed -i of a shipped
 * configuration): its directory holds what the image's build made, so its
 * mount is seeded; a shipped log opened to append and a new file beside
 * nothing of the image's keep a plain one. */
START_TEST(file_of_the_image_rewritten_or_replaced_seeds_its_mount)
{
	struct planner *p = new_planner_ro();
	struct plan *pl;
	int rewrite = O_WRONLY | O_CREAT | O_TRUNC;

	app_lib_dirs(p);
	dir_rec(p, "/srv", DIR_ROOT);
	dir_rec(p, "/srv/site", DIR_ROOT);
	dir_rec(p, "/srv/site/pages", DIR_ROOT);
	dir_rec(p, "/srv/conf.d", DIR_ROOT);
	dir_rec(p, "/srv/cache", DIR_ROOT);
	dir_rec(p, "/var/log", DIR_ROOT);
	dir_rec(p, "/var/log/app", DIR_ROOT);
	ev_full(p, OP_OPEN, "/srv/site/pages/isr.html", NULL, rewrite,
		"O_WRONLY|O_CREAT|O_TRUNC", FILE_ROOT, DIR_ROOT, NOSTATE, 0,
		&root_proc);
	ev_creat(p, "/srv/conf.d/sedAbC123", DIR_ROOT);
	ev_rename(p, "/srv/conf.d/sedAbC123", "/srv/conf.d/default.conf",
		  FILE_ROOT, DIR_ROOT, FILE_ROOT);
	ev_append(p, "/var/log/app/app.log", FILE_ROOT, DIR_ROOT);
	ev_creat(p, "/srv/cache/entry", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/srv/site/pages"));
	ck_assert(tmpfs_on(pl, "/srv/site/pages")->seed);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/srv/conf.d"));
	ck_assert(tmpfs_on(pl, "/srv/conf.d")->seed);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/var/log/app"));
	ck_assert(!tmpfs_on(pl, "/var/log/app")->seed);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/srv/cache"));
	ck_assert(!tmpfs_on(pl, "/srv/cache")->seed);
	plan_free(pl);
}
END_TEST

/* A trace made without --reads: a plain mount on a directory of the image
 * rests on the writes alone, so it is marked and a warning names it; a
 * directory the workload made is none of those, and a trace with reads
 * gives no warning. */
START_TEST(plain_mount_from_a_trace_without_reads_is_flagged)
{
	for (int reads = 0; reads < 2; reads++) {
		struct planner *p = new_planner_ro();
		struct plan *pl;

		if (!reads)
			planner_reads_unrecorded(p);
		app_lib_dirs(p);
		dir_rec(p, "/srv", DIR_ROOT);
		dir_rec(p, "/srv/data", DIR_ROOT);
		ev_append(p, "/srv/data/run.log", FILE_ROOT, DIR_ROOT);
		ev_mkdir(p, "/srv/cache", DIR_ROOT);
		ev_creat(p, "/srv/cache/entry", DIR_ROOT);
		/* a redirect's directory is the plan's own: new */
		ev_mkdir_at(p, "/root/.config/matplotlib", DIR_ROOT, 0,
			    &root_proc,
			    "/usr/lib/python3/dist-packages/matplotlib/"
			    "__init__.py",
			    NULL);
		pl = planner_finish(p);
		ck_assert_uint_eq(pl->nredirects, 1);
		ck_assert_ptr_nonnull(tmpfs_on(pl, pl->redirects[0].dir));
		ck_assert(!tmpfs_on(pl, pl->redirects[0].dir)->unread);
		ck_assert_ptr_nonnull(tmpfs_on(pl, "/srv/data"));
		ck_assert_int_eq(tmpfs_on(pl, "/srv/data")->unread, !reads);
		ck_assert_ptr_nonnull(tmpfs_on(pl, "/srv/cache"));
		ck_assert(!tmpfs_on(pl, "/srv/cache")->unread);
		ck_assert_int_eq(has_text(pl->warnings, pl->nwarnings,
					  "records no reads",
					  "/srv/data holds"),
				 !reads);
		ck_assert(
		    !has_text(pl->warnings, pl->nwarnings, "/srv/cache", NULL));
		plan_free(pl);
	}
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("plan read-only mounts");
	TCase *t;

	t = test_case("mount_parent_of_a_dir_the_workload_chmods", NULL);
	tcase_add_test(t, mount_parent_of_a_dir_the_workload_chmods);
	suite_add_tcase(s, t);
	t = test_case(
	    "mount_parent_of_a_dir_the_workload_chowns_seeded_when_shipped",
	    NULL);
	tcase_add_test(
	    t, mount_parent_of_a_dir_the_workload_chowns_seeded_when_shipped);
	suite_add_tcase(s, t);
	t = test_case("dir_only_written_keeps_its_own_mount", NULL);
	tcase_add_test(t, dir_only_written_keeps_its_own_mount);
	suite_add_tcase(s, t);
	t = test_case("scratch_mount_is_the_dir_the_workload_made_below_it",
		      NULL);
	tcase_add_test(t, scratch_mount_is_the_dir_the_workload_made_below_it);
	suite_add_tcase(s, t);
	t = test_case("scratch_mount_is_never_a_temporary_name", NULL);
	tcase_add_test(t, scratch_mount_is_never_a_temporary_name);
	suite_add_tcase(s, t);
	t = test_case(
	    "write_needing_no_grant_still_gets_a_mount_on_a_read_only_root",
	    NULL);
	tcase_add_test(
	    t, write_needing_no_grant_still_gets_a_mount_on_a_read_only_root);
	suite_add_tcase(s, t);
	t = test_case(
	    "file_read_through_a_symlink_seeds_the_directory_it_lives_in",
	    NULL);
	tcase_add_test(
	    t, file_read_through_a_symlink_seeds_the_directory_it_lives_in);
	suite_add_tcase(s, t);
	t = test_case("database_opened_in_place_seeds_its_mount", NULL);
	tcase_add_test(t, database_opened_in_place_seeds_its_mount);
	suite_add_tcase(s, t);
	t = test_case("file_of_the_image_rewritten_or_replaced_seeds_its_mount",
		      NULL);
	tcase_add_test(t,
		       file_of_the_image_rewritten_or_replaced_seeds_its_mount);
	suite_add_tcase(s, t);
	t = test_case("plain_mount_from_a_trace_without_reads_is_flagged",
		      NULL);
	tcase_add_test(t, plain_mount_from_a_trace_without_reads_is_flagged);
	suite_add_tcase(s, t);
	return s;
}
