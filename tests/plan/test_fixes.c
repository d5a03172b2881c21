/*
 * test_fixes.c - what the container tests and the e2e authors found:
 * a read-only root never gets a tmpfs over the image's own files, user
 * creation that works with busybox, the catalogue's own-option hint kept
 * after pruning, one chown note per program, the one-grant render used by
 * `unroot check`, and the planner fixes that had no unit test (no-op
 * chown, pruning a name inside an owned directory, mkdir on the way to a
 * redirected cache).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "compare_int.h"
#include "helpers.h"
#include "render.h"

/* Call sites in the packages of catalogue entries (test_redirects.c) */
#define HF_SITE \
	"/usr/lib/python3/dist-packages/huggingface_hub/file_download.py"
#define MPL_SITE "/usr/lib/python3/dist-packages/matplotlib/__init__.py"

static void ev_chown(struct planner *p, const char *path, int uid, int gid,
		     struct file_state st, const struct trace_proc *proc)
{
	struct trace_event ev = {
	    .op = OP_CHOWN,
	    .fn = "chown",
	    .path = path,
	    .st = st,
	    .parent = DIR_ROOT,
	    .st2 = NOSTATE,
	    .owner_uid = uid,
	    .owner_gid = gid,
	    .pid = proc->pid,
	    .proc = proc,
	};

	planner_add_event(p, &ev);
}

/* ---- 1. read-only root ------------------------------------------------ */

/* `test -w /` in a start script (mariadbd-safe: am I root?) as the user:
 * a check refused to every user but root is a note, not a refusal that
 * keeps harden from verifying; the same check of a directory a plan can
 * grant is still what the write it asks about needs (pip, matplotlib). */
START_TEST(write_check_of_the_root_directory_is_a_note_not_a_refusal)
{
	struct planner *p = new_planner();
	struct trace_proc sh = root_proc;
	struct trace_event root, data;
	struct plan *pl;

	sh.exe = "/usr/bin/dash";
	sh.uid = sh.euid = 1001;
	planner_add_proc(p, &sh);
	app_dirs(p);
	dir_rec(p, "/var", DIR_ROOT);
	dir_rec(p, "/var/lib", DIR_ROOT);
	dir_rec(p, "/var/lib/app", DIR_ROOT);
	root = ev_make(OP_ACCESS, "/", NULL, 0, NULL, DIR_ROOT, DIR_ROOT,
		       NOSTATE, EACCES, &sh);
	root.has_mode = true;
	root.mode = W_OK;
	data = root;
	data.path = "/var/lib/app";
	ck_assert_str_eq(plan_root_check(&root), "the root directory");
	ck_assert_ptr_null(plan_root_check(&data));
	planner_add_event(p, &root);
	planner_add_event(p, &data);
	pl = planner_finish(p);
	ck_assert(has_text(pl->notes, pl->nnotes,
			   "dash checked whether it "
			   "may write / (access) and was told no",
			   "the root directory"));
	for (size_t i = 0; i < pl->nrefused; i++)
		ck_assert_str_ne(pl->refused[i].path, "/");
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/var/lib/app"));
	plan_free(pl);
}
END_TEST

/* LibreOffice asks access(W_OK) of the document it converts, to open it
 * read-only when it may not write it.  Root's run (reads recorded, read
 * first, as harden feeds it) read it and wrote nothing there: the user's
 * refused check is a note, not a chown of the document, however often
 * the user asks, and nothing of the replay changes for it (a document
 * only root may read still needs its read).  It is what the write needs,
 * as before, where root's run wrote the file, where only a reader that
 * could not write it read it (the user's own run), where the check came
 * before any such read, and without reads. */
enum doc_case {
	DOC_NOTE,
	DOC_TWICE,
	DOC_PRIVATE,
	DOC_CHECK_FIRST,
	DOC_ROOT_WRITES,
	DOC_USER_READS,
	DOC_NO_READS
};

static struct plan *document_checked(enum doc_case k)
{
	struct planner *p = new_planner();
	struct trace_proc user = root_proc;
	struct file_state doc =
	    k == DOC_PRIVATE ? S(FT_FILE, 0, 0, 0600) : FILE_ROOT;
	struct trace_event rd, no, urd;

	user.uid = user.euid = 1001;
	if (k == DOC_NO_READS)
		planner_reads_unrecorded(p);
	planner_add_proc(p, &root_proc);
	planner_add_proc(p, &user);
	app_dirs(p);
	dir_rec(p, "/opt", DIR_ROOT);
	dir_rec(p, "/opt/letters", DIR_ROOT);
	rd = ev_make(OP_READ, "/opt/letters/letter.txt", NULL, O_RDONLY,
		     "O_RDONLY", doc, DIR_ROOT, NOSTATE, 0,
		     k == DOC_USER_READS ? &user : &root_proc);
	urd = ev_make(OP_READ, "/opt/letters/letter.txt", NULL, O_RDONLY,
		      "O_RDONLY", doc, DIR_ROOT, NOSTATE, EACCES, &user);
	no = ev_make(OP_ACCESS, "/opt/letters/letter.txt", NULL, 0, NULL, doc,
		     DIR_ROOT, NOSTATE, EACCES, &user);
	no.has_mode = true;
	no.mode = W_OK;
	no.uid = urd.uid = 1001;
	if (k == DOC_CHECK_FIRST)
		planner_add_event(p, &no);
	if (k != DOC_NO_READS)
		planner_add_event(p, &rd);
	if (k == DOC_ROOT_WRITES)
		ev_full(p, OP_OPEN, "/opt/letters/letter.txt", NULL, O_WRONLY,
			"O_WRONLY", doc, DIR_ROOT, NOSTATE, 0, &root_proc);
	if (k != DOC_CHECK_FIRST)
		planner_add_event(p, &no);
	if (k == DOC_TWICE)
		planner_add_event(p, &no);
	if (k == DOC_PRIVATE)
		planner_add_event(p, &urd);
	return planner_finish(p);
}

START_TEST(write_check_of_a_file_the_runs_only_read_is_a_note)
{
	for (enum doc_case k = DOC_NOTE; k <= DOC_NO_READS; k++) {
		struct plan *pl = document_checked(k);
		bool note = k <= DOC_PRIVATE;

		ck_assert_msg(has_text(pl->notes, pl->nnotes,
				       "checked whether it may write "
				       "/opt/letters/letter.txt (access) "
				       "and was told no",
				       "runs read it and wrote nothing "
				       "there") == note,
			      "case %d", k);
		if (k == DOC_PRIVATE)
			ck_assert_ptr_nonnull(grant_on(
			    pl, GRANT_READ, "/opt/letters/letter.txt"));
		else
			ck_assert_msg((applied_grants(pl) == 0) == note,
				      "case %d", k);
		plan_free(pl);
	}
}
END_TEST

/* Scenario 3: supervisord writes its log, pid file and socket in /app,
 * which holds run.sh: no empty tmpfs on /app but a seeded one (the plan
 * works as written), supervisord's own option as the way to avoid the
 * copy, and /tmp (where that option and the workload write) gets one. */
START_TEST(read_only_never_hides_the_application)
{
	struct planner *p = new_planner_ro();
	struct trace_proc sh = root_proc;
	struct plan *pl;

	sh.exe = "/usr/bin/dash";
	sh.cwd = "/app";
	planner_add_proc(p, &sh);
	app_dirs(p);
	ev_full(p, OP_EXEC, "/app/run.sh", NULL, 0, NULL,
		S(FT_FILE, 0, 0, 0755), DIR_ROOT, NOSTATE, 0, &sh);
	ev_append(p, "/app/supervisord.log", ABSENT, DIR_ROOT);
	ev_creat(p, "/app/supervisord.pid", DIR_ROOT);
	ev_full(p, OP_BIND, "/app/supervisor.sock", NULL, 0, NULL, ABSENT,
		DIR_ROOT, NOSTATE, 0, &root_proc);
	ev_creat(p, "/tmp/hubcache.out", TMP);
	ev_unlink(p, "/app/supervisord.pid", FILE_ROOT, DIR_ROOT);
	ev_unlink(p, "/app/supervisor.sock", S(FT_SOCK, 0, 0, 0755), DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/app"));
	ck_assert(tmpfs_on(pl, "/app")->seed);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/tmp"));
	ck_assert(!tmpfs_on(pl, "/tmp")->seed);
	ck_assert(has_text(pl->warnings, pl->nwarnings, "read-only root: /app",
			   "supervisord's own option"));
	plan_free(pl);
}
END_TEST

/* A service's socket in a directory the image made under /run (redis's
 * /run/redis): an empty tmpfs on /run would hide that directory and the
 * bind would fail with ENOENT, so the mount is the directory itself; a
 * file written straight into /tmp still gets /tmp. */
START_TEST(scratch_mount_never_hides_a_directory_the_image_made)
{
	struct planner *p = new_planner_ro();
	struct plan *pl;

	app_dirs(p);
	dir_rec(p, "/run", DIR_ROOT);
	dir_rec(p, "/run/svc", S(FT_DIR, 0, 0, 02775));
	ev_full(p, OP_BIND, "/run/svc/svc.sock", NULL, 0, NULL, ABSENT,
		S(FT_DIR, 0, 0, 02775), NOSTATE, 0, &root_proc);
	ev_creat(p, "/tmp/scratch", TMP);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/run/svc"));
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/tmp"));
	plan_free(pl);
}
END_TEST

/* No catalogue entry: the directory of the image's files gets a seeded
 * mount (its volume starts with the image's content: an init container in
 * Kubernetes, an anonymous volume in Docker and Compose), and the note
 * says how a new dedicated subdirectory avoids the copy; a new directory
 * (mkdir grant) still gets a plain tmpfs. */
START_TEST(read_only_shipped_dir_without_option_is_seeded_by_an_init_step)
{
	struct strbuf out = STRBUF_INIT;
	char *why = NULL;
	struct planner *p = new_planner_ro();
	struct trace_proc tool = root_proc;
	struct plan *pl;

	tool.exe = "/usr/local/bin/tool";
	tool.cwd = "/";
	app_dirs(p);
	dir_rec(p, "/srv", DIR_ROOT);
	ev_full(p, OP_OPEN, "/srv/data/config.yml", NULL, O_RDONLY, "O_RDONLY",
		FILE_ROOT, DIR_ROOT, NOSTATE, 0, &tool);
	ev_full(p, OP_OPEN, "/srv/data/state.tmp", NULL, O_WRONLY | O_CREAT,
		"O_WRONLY|O_CREAT", ABSENT, DIR_ROOT, NOSTATE, 0, &tool);
	ev_full(p, OP_RENAME, "/srv/data/state.tmp", "/srv/data/config.yml", 0,
		NULL, FILE_ROOT, DIR_ROOT, FILE_ROOT, 0, &tool);
	ev_full(p, OP_MKDIR, "/srv/out", NULL, 0, NULL, ABSENT, DIR_ROOT,
		NOSTATE, 0, &tool);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/srv/data"));
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/srv/data"));
	ck_assert(tmpfs_on(pl, "/srv/data")->seed);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/srv/out"));
	ck_assert(!tmpfs_on(pl, "/srv/out")->seed);
	ck_assert(has_text(pl->notes, pl->nnotes, "/srv/data",
			   "new dedicated subdirectory"));
	ck_assert(has_text(pl->notes, pl->nnotes, "/srv/data", "init step"));
	ck_assert_int_eq(plan_render(pl, FORMAT_K8S, NULL, &out, &why), 0);
	ck_assert_ptr_nonnull(strstr(out.buf, "initContainers:\n"));
	ck_assert_ptr_nonnull(
	    strstr(out.buf, "command: [\"cp\", \"-a\", \"/srv/data/.\", "
			    "\"/seed/image\"]\n"));
	ck_assert_ptr_nonnull(strstr(out.buf,
				     "mountPath: \"/srv/data\"\n"
				     "              subPath: image\n"));
	ck_assert_ptr_null(strstr(out.buf, "mountPath: \"/srv/out\"\n"
					   "              subPath"));
	sb_release(&out);
	out = (struct strbuf)STRBUF_INIT;
	ck_assert_int_eq(plan_render(pl, FORMAT_COMPOSE, NULL, &out, &why), 0);
	ck_assert_ptr_nonnull(strstr(out.buf, "volumes:\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "  - \"/srv/data\"\n"));
	ck_assert_ptr_null(strstr(out.buf, "/srv/data:uid="));
	sb_release(&out);
	out = (struct strbuf)STRBUF_INIT;
	ck_assert_int_eq(plan_render(pl, FORMAT_DOCKERFILE, NULL, &out, &why),
			 0);
	ck_assert_ptr_nonnull(
	    strstr(out.buf, "docker run --mount type=volume,dst=/srv/data\n"));
	sb_release(&out);
	plan_free(pl);
}
END_TEST

/* `unroot check` explains a new write under a planned mount with the
 * docker option the plan gives it: a seeded one is a --mount of an
 * anonymous volume, not a --tmpfs (which would hide the image's files). */
START_TEST(check_line_for_a_mounted_path_is_the_plans_docker_option)
{
	struct planner *p = new_planner_ro();
	struct trace_proc tool = root_proc;
	struct plan *pl;
	char *line;

	tool.exe = "/usr/local/bin/tool";
	tool.cwd = "/";
	app_dirs(p);
	dir_rec(p, "/srv", DIR_ROOT);
	ev_full(p, OP_OPEN, "/srv/data/config.yml", NULL, O_RDONLY, "O_RDONLY",
		FILE_ROOT, S(FT_DIR, 1001, 1001, 0755), NOSTATE, 0, &tool);
	ev_full(p, OP_OPEN, "/srv/data/state.tmp", NULL, O_WRONLY | O_CREAT,
		"O_WRONLY|O_CREAT", ABSENT, S(FT_DIR, 1001, 1001, 0755),
		NOSTATE, 0, &tool);
	ev_creat(p, "/tmp/scratch", TMP);
	pl = planner_finish(p);
	ck_assert_ptr_null(grant_on(pl, GRANT_OWN_DIR, "/srv/data"));
	ck_assert(tmpfs_on(pl, "/srv/data")->seed);
	line = compare_plan_line(pl, "/srv/data/state.tmp");
	ck_assert_str_eq(line, "docker run --mount type=volume,dst=/srv/data");
	free(line);
	line = compare_plan_line(pl, "/tmp/scratch");
	ck_assert_str_eq(line,
			 "docker run --tmpfs /tmp:uid=1001,gid=1001,mode=0755");
	free(line);
	ck_assert_ptr_null(compare_plan_line(pl, "/srv/other"));
	plan_free(pl);
}
END_TEST

/* A Dockerfile VOLUME /data whose model.bin (from the image) the
 * workload reads, writing its run.log beside it. */
static struct plan *image_volume_plan(struct planner *p)
{
	struct trace_proc app = root_proc;

	app.exe = "/usr/local/bin/app";
	app.cwd = "/";
	anonymous_volume(p, "/data");
	app_dirs(p);
	dir_rec(p, "/data", DIR_ROOT);
	dir_rec(p, "/data/models", DIR_ROOT);
	ev_full(p, OP_OPEN, "/data/models/model.bin", NULL, O_RDONLY,
		"O_RDONLY", FILE_ROOT, DIR_ROOT, NOSTATE, 0, &app);
	ev_full(p, OP_OPEN, "/data/run.log", NULL, O_WRONLY | O_CREAT,
		"O_WRONLY|O_CREAT", ABSENT, DIR_ROOT, NOSTATE, 0, &app);
	return planner_finish(p);
}

/* Kubernetes copies nothing into a volume: the image's VOLUME whose files
 * the workload uses is called out in k8s and compose with the init step;
 * with a read-only root its emptyDir is a seeded mount (an init
 * container), never an empty one over the files. */
START_TEST(image_volume_with_needed_files_is_called_out)
{
	struct plan *pl = image_volume_plan(new_planner());
	struct strbuf out = STRBUF_INIT;
	char *why = NULL;

	ck_assert_uint_eq(pl->nimage_volumes, 1);
	ck_assert_str_eq(pl->image_volumes[0].dir, "/data");
	ck_assert_str_eq(pl->image_volumes[0].ev.path,
			 "/data/models/model.bin");
	ck_assert_int_eq(plan_render(pl, FORMAT_K8S, NULL, &out, &why), 0);
	ck_assert_ptr_nonnull(strstr(out.buf, "# VOLUME /data of the image"));
	ck_assert_ptr_nonnull(strstr(out.buf, "Kubernetes copies nothing"));
	ck_assert_ptr_nonnull(
	    strstr(out.buf, "[\"cp\", \"-a\", \"/data/.\", \"/seed/image\"]"));
	sb_release(&out);
	out = (struct strbuf)STRBUF_INIT;
	ck_assert_int_eq(plan_render(pl, FORMAT_COMPOSE, NULL, &out, &why), 0);
	ck_assert_ptr_nonnull(strstr(out.buf, "# VOLUME /data of the image"));
	ck_assert_ptr_nonnull(strstr(out.buf, "Docker fills a new anonymous"));
	sb_release(&out);
	plan_free(pl);

	pl = image_volume_plan(new_planner_ro());
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/data"));
	ck_assert(tmpfs_on(pl, "/data")->seed && tmpfs_on(pl, "/data")->volume);
	out = (struct strbuf)STRBUF_INIT;
	ck_assert_int_eq(plan_render(pl, FORMAT_K8S, NULL, &out, &why), 0);
	ck_assert_ptr_nonnull(
	    strstr(out.buf, "the init container unroot-seed-"));
	ck_assert_ptr_nonnull(strstr(out.buf, "only into an empty claim"));
	ck_assert_ptr_nonnull(strstr(out.buf, "initContainers:\n"));
	sb_release(&out);
	plan_free(pl);
}
END_TEST

/* A VOLUME the workload only writes new files into needs nothing of the
 * image: no callout, and its emptyDir is plain. */
START_TEST(image_volume_only_written_is_not_called_out)
{
	struct planner *p = new_planner_ro();
	struct plan *pl;

	anonymous_volume(p, "/data");
	app_dirs(p);
	dir_rec(p, "/data", DIR_ROOT);
	ev_creat(p, "/data/run.log", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nimage_volumes, 0);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/data"));
	ck_assert(!tmpfs_on(pl, "/data")->seed);
	plan_free(pl);
}
END_TEST

/* The registry's VOLUME /var/lib/registry, in which it makes docker/ and
 * its blobs below: under a read-only root the mount is the volume's own
 * directory, which Docker mounts itself (writable with --read-only): no
 * tmpfs below it takes the blobs away from the volume, in any format; a
 * Kubernetes emptyDir there says that a persistent volume keeps them. */
START_TEST(write_in_an_image_volume_is_mounted_at_the_volume)
{
	struct planner *p = new_planner_ro();
	struct strbuf out = STRBUF_INIT;
	const struct tmpfs_fix *t;
	struct plan *pl;
	char *why = NULL;

	anonymous_volume(p, "/var/lib/registry");
	app_dirs(p);
	dir_rec(p, "/var/lib/registry", DIR_ROOT);
	ev_mkdir(p, "/var/lib/registry/docker", DIR_ROOT);
	ev_mkdir(p, "/var/lib/registry/docker/blobs", DIR_ROOT);
	ev_creat(p, "/var/lib/registry/docker/blobs/data", DIR_ROOT);
	ev_creat(p, "/tmp/registry.log", TMP);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->ntmpfs, 2);
	t = tmpfs_on(pl, "/var/lib/registry");
	ck_assert_ptr_nonnull(t);
	ck_assert(t->volume && !t->seed);
	ck_assert(!tmpfs_on(pl, "/tmp")->volume);

	ck_assert_int_eq(plan_render(pl, FORMAT_COMPOSE, NULL, &out, &why), 0);
	ck_assert_ptr_null(strstr(out.buf, "\"/var/lib/registry:uid="));
	ck_assert_ptr_nonnull(strstr(out.buf, "volumes:\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "  - \"/var/lib/registry\"\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "the image's VOLUME"));
	sb_release(&out);
	out = (struct strbuf)STRBUF_INIT;
	ck_assert_int_eq(plan_render(pl, FORMAT_DOCKERFILE, NULL, &out, &why),
			 0);
	ck_assert_ptr_null(strstr(out.buf, "--tmpfs /var/lib/registry"));
	ck_assert_ptr_nonnull(strstr(out.buf,
				     "docker run --mount type=volume,dst="
				     "/var/lib/registry"));
	sb_release(&out);
	out = (struct strbuf)STRBUF_INIT;
	ck_assert_int_eq(plan_render(pl, FORMAT_K8S, NULL, &out, &why), 0);
	ck_assert_ptr_nonnull(
	    strstr(out.buf, "mountPath: \"/var/lib/registry\""));
	ck_assert_ptr_nonnull(strstr(out.buf, "persistentVolumeClaim"));
	ck_assert_ptr_nonnull(strstr(out.buf, "fsGroup: 1001"));
	sb_release(&out);
	out = (struct strbuf)STRBUF_INIT;
	ck_assert_int_eq(plan_render(pl, FORMAT_JSON, NULL, &out, &why), 0);
	ck_assert_ptr_nonnull(strstr(out.buf, "\"volume\": true"));
	sb_release(&out);
	plan_free(pl);
}
END_TEST

/* A volume's mount keeps its own place: a write on a parent of the
 * volume nests a plain mount around it (it takes none of the volume's
 * writes), and initdb's chmod of the volume's directory lifts the mount
 * to a plain one on the parent, which no format calls a volume. */
START_TEST(volume_mount_nests_in_a_parents_and_lifts_to_a_plain_one)
{
	struct planner *p = new_planner_ro();
	struct strbuf out = STRBUF_INIT;
	struct plan *pl;
	char *why = NULL;

	anonymous_volume(p, "/srv/notes");
	app_dirs(p);
	dir_rec(p, "/srv", DIR_ROOT);
	dir_rec(p, "/srv/notes", DIR_ROOT);
	ev_creat(p, "/srv/notes/a.txt", DIR_ROOT);
	ev_creat(p, "/srv/index.db", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->ntmpfs, 2);
	ck_assert(tmpfs_on(pl, "/srv/notes")->volume);
	ck_assert(!tmpfs_on(pl, "/srv")->volume);
	ck_assert_str_eq(plan_tmpfs_holding(pl, "/srv/notes/a.txt")->dir,
			 "/srv/notes");
	plan_free(pl);

	/* both seeded: the volume's callout names its own init container */
	p = new_planner_ro();
	anonymous_volume(p, "/srv/notes");
	app_dirs(p);
	dir_rec(p, "/srv", DIR_ROOT);
	dir_rec(p, "/srv/notes", DIR_ROOT);
	ev_full(p, OP_OPEN, "/srv/app.conf", NULL, O_RDONLY, "O_RDONLY",
		FILE_ROOT, DIR_ROOT, NOSTATE, 0, &root_proc);
	ev_full(p, OP_OPEN, "/srv/notes/seed.md", NULL, O_RDONLY, "O_RDONLY",
		FILE_ROOT, DIR_ROOT, NOSTATE, 0, &root_proc);
	ev_creat(p, "/srv/index.db", DIR_ROOT);
	ev_creat(p, "/srv/notes/a.txt", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->ntmpfs, 2);
	ck_assert(tmpfs_on(pl, "/srv")->seed &&
		  tmpfs_on(pl, "/srv/notes")->seed);
	ck_assert_int_eq(plan_render(pl, FORMAT_K8S, NULL, &out, &why), 0);
	ck_assert_ptr_nonnull(
	    strstr(out.buf, tmpfs_on(pl, "/srv") == &pl->tmpfs[0]
				? "init container unroot-seed-1 below fills"
				: "init container unroot-seed-0 below fills"));
	sb_release(&out);
	out = (struct strbuf)STRBUF_INIT;
	plan_free(pl);

	p = new_planner_ro();
	anonymous_volume(p, "/var/lib/postgresql/data");
	app_dirs(p);
	dir_rec(p, "/var/lib/postgresql", DIR_ROOT);
	dir_rec(p, "/var/lib/postgresql/data", DIR_ROOT);
	ev_creat(p, "/var/lib/postgresql/data/PG_VERSION", DIR_ROOT);
	ev_full(p, OP_CHMOD, "/var/lib/postgresql/data", NULL, 0, NULL,
		DIR_ROOT, DIR_ROOT, NOSTATE, 0, &root_proc);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->ntmpfs, 1);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/var/lib/postgresql"));
	ck_assert(!tmpfs_on(pl, "/var/lib/postgresql")->volume);
	ck_assert_int_eq(plan_render(pl, FORMAT_DOCKERFILE, NULL, &out, &why),
			 0);
	ck_assert_ptr_null(strstr(out.buf, "-v NAME:/var/lib/postgresql\n"));
	sb_release(&out);
	plan_free(pl);
}
END_TEST

/* jekyll's FileUtils.rm_f of a .jekyll-metadata that does not exist, in
 * the site directory the image ships: a read-only root refuses it EROFS
 * (the kernel refuses before it looks the name up), a writable root says
 * ENOENT.  Nothing needed writing: no mount (it would have to be seeded
 * with the whole site), a note instead.  A file that did exist, removed,
 * still needs its mount. */
START_TEST(removal_of_a_missing_name_refused_erofs_mounts_nothing)
{
	struct planner *p = new_planner_ro();
	struct plan *pl;

	app_dirs(p);
	dir_rec(p, "/srv/site", DIR_ROOT);
	ev_full(p, OP_OPEN, "/srv/site/index.md", NULL, O_RDONLY, "O_RDONLY",
		FILE_ROOT, DIR_ROOT, NOSTATE, 0, &root_proc);
	ev_full(p, OP_UNLINK, "/srv/site/.jekyll-metadata", NULL, 0, NULL,
		ABSENT, DIR_ROOT, NOSTATE, EROFS, &root_proc);
	ev_full(p, OP_RMDIR, "/srv/site/.sass-cache", NULL, 0, NULL, ABSENT,
		DIR_ROOT, NOSTATE, EROFS, &root_proc);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->ntmpfs, 0);
	ck_assert(has_text(pl->notes, pl->nnotes,
			   "/srv/site/.jekyll-metadata and 1 more path, which "
			   "did not exist",
			   "says ENOENT"));
	plan_free(pl);

	p = new_planner_ro();
	app_dirs(p);
	dir_rec(p, "/srv/site", DIR_ROOT);
	ev_full(p, OP_UNLINK, "/srv/site/stale.pid", NULL, 0, NULL, FILE_ROOT,
		DIR_ROOT, NOSTATE, EROFS, &root_proc);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(plan_tmpfs_holding(pl, "/srv/site/stale.pid"));
	plan_free(pl);
}
END_TEST

/* nginx appends to the access.log its package ships: a log directory the
 * workload only writes into still gets its tmpfs. */
START_TEST(read_only_log_dir_only_written_gets_tmpfs)
{
	struct planner *p = new_planner_ro();
	struct trace_proc nginx = root_proc;
	struct plan *pl;

	nginx.exe = "/usr/sbin/nginx";
	nginx.cwd = "/";
	app_dirs(p);
	dir_rec(p, "/var/log/nginx", DIR_ROOT);
	ev_full(p, OP_OPEN, "/var/log/nginx/access.log", NULL,
		O_WRONLY | O_APPEND | O_CREAT, "O_WRONLY|O_APPEND|O_CREAT",
		S(FT_FILE, 0, 4, 0640), DIR_ROOT, NOSTATE, 0, &nginx);
	ev_full(p, OP_OPEN, "/var/log/nginx/error.log", NULL,
		O_WRONLY | O_APPEND | O_CREAT, "O_WRONLY|O_APPEND|O_CREAT",
		S(FT_FILE, 0, 4, 0640), DIR_ROOT, NOSTATE, 0, &nginx);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/var/log/nginx"));
	ck_assert(
	    !has_text(pl->warnings, pl->nwarnings, "read-only root", NULL));
	plan_free(pl);
}
END_TEST

/* Recorded on a read-only root: EROFS in /app is no empty tmpfs on /app
 * but a seeded mount, which takes in the new /app/cache below it. */
START_TEST(erofs_in_application_dir_is_seeded_not_hidden)
{
	struct planner *p = new_planner();
	struct trace_proc app = root_proc;
	struct plan *pl;

	app.cwd = "/app";
	planner_add_proc(p, &app);
	app_dirs(p);
	ev_full(p, OP_OPEN, "/app/out.txt", NULL, O_WRONLY | O_CREAT,
		"O_WRONLY|O_CREAT", ABSENT, DIR_ROOT, NOSTATE, EROFS, &app);
	ev_full(p, OP_MKDIR, "/app/cache", NULL, 0, NULL, ABSENT, DIR_ROOT,
		NOSTATE, EROFS, &app);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/app"));
	ck_assert(tmpfs_on(pl, "/app")->seed);
	ck_assert_ptr_null(tmpfs_on(pl, "/app/cache"));
	ck_assert(
	    has_text(pl->notes, pl->nnotes, "read-only root: /app", NULL));
	plan_free(pl);
}
END_TEST

/* /tmp, /var/tmp and /run need no grant but a tmpfs; a tmpfs on a parent
 * replaces those on its subdirectories; the docker option is the user's. */
START_TEST(read_only_lists_scratch_dirs_with_owner_options)
{
	struct planner *p = new_planner_ro();
	struct strbuf out = STRBUF_INIT;
	struct plan *pl;
	char *why = NULL, *opt;

	app_dirs(p);
	dir_rec(p, "/var/tmp", TMP);
	ev_creat(p, "/tmp/a/b.txt", NOSTATE);
	ev_creat(p, "/var/tmp/x", TMP);
	ev_creat(p, "/run/app.pid", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/tmp"));
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/var/tmp"));
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/run"));
	ck_assert_uint_eq(pl->ntmpfs, 3);
	opt = plan_tmpfs_option(pl, tmpfs_on(pl, "/run"));
	ck_assert_str_eq(opt, "/run:uid=1001,gid=1001,mode=0755");
	free(opt);
	ck_assert_int_eq(plan_render(pl, FORMAT_DOCKERFILE, NULL, &out, &why),
			 0);
	ck_assert_ptr_nonnull(
	    strstr(out.buf, "--tmpfs /var/tmp:uid=1001,gid=1001,mode=0755"));
	ck_assert_ptr_nonnull(strstr(out.buf, "fsGroup: 1001"));
	sb_release(&out);
	out = (struct strbuf)STRBUF_INIT;
	ck_assert_int_eq(plan_render(pl, FORMAT_JSON, NULL, &out, &why), 0);
	ck_assert_ptr_nonnull(strstr(
	    out.buf, "\"docker\": \"/tmp:uid=1001,gid=1001,mode=0755\""));
	sb_release(&out);
	plan_free(pl);
}
END_TEST

/* ---- 2. busybox user creation ---------------------------------------- */

static char *render(const struct plan *pl, enum plan_format f)
{
	struct strbuf out = STRBUF_INIT;
	char *why = NULL;

	ck_assert_int_eq(plan_render(pl, f, NULL, &out, &why), 0);
	return sb_detach(&out);
}

static struct plan *plan_with_one_mkdir(void)
{
	struct planner *p = new_planner();

	app_dirs(p);
	ev_mkdir(p, "/app/model", DIR_ROOT);
	return planner_finish(p);
}

START_TEST(user_creation_falls_back_to_busybox)
{
	struct plan *pl = plan_with_one_mkdir();
	char *sh = render(pl, FORMAT_SH), *df = render(pl, FORMAT_DOCKERFILE);

	ck_assert_ptr_nonnull(strstr(
	    df,
	    "RUN if command -v useradd >/dev/null 2>&1; then "
	    "groupadd -g 1001 'nonroot' && useradd -l -M -u 1001 -g 1001 "
	    "-d '/home/nonroot' 'nonroot'; else addgroup -g 1001 'nonroot' && "
	    "adduser -D -H -u 1001 -G 'nonroot' -h '/home/nonroot' 'nonroot'; "
	    "fi && \\\n"));
	ck_assert_ptr_nonnull(
	    strstr(sh, "\tif command -v useradd >/dev/null 2>&1; then\n"));
	ck_assert_ptr_nonnull(strstr(sh, "\t\tgrep -q '^nonroot:' /etc/group "
					 "|| addgroup -g 1001 'nonroot'\n"));
	ck_assert_ptr_nonnull(
	    strstr(sh, "\t\tid -u 'nonroot' >/dev/null 2>&1 || adduser -D -H "
		       "-u 1001 -G 'nonroot' -h '/home/nonroot' 'nonroot'\n"));
	free(sh);
	free(df);
	plan_free(pl);
}
END_TEST

/* The sh user lines run where only busybox-style addgroup/adduser exist
 * (stand-ins that log their arguments): they are used, once each. */
START_TEST(user_lines_run_with_busybox_only)
{
	struct plan *pl = plan_with_one_mkdir();
	char *sh = render(pl, FORMAT_SH), *start, *end, *cmd;
	char dir[] = "/tmp/unroot-busybox.XXXXXX";
	FILE *f;
	char path[128], line[256];
	int n = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	start = strstr(sh, "if [ -z \"$R\" ]; then\n");
	end = strstr(sh, "\tfi\nfi\n");
	ck_assert_ptr_nonnull(start);
	ck_assert_ptr_nonnull(end);
	end[strlen("\tfi\nfi\n")] = 0;
	snprintf(path, sizeof path, "%s/user.sh", dir);
	f = fopen(path, "w");
	/* a group and user name the host has not: the checks cannot hit */
	fprintf(f, "R=\nPATH=%s/bin\n%s", dir, start);
	fclose(f);
	cmd = xasprintf(
	    "set -e; d=%s; mkdir $d/bin; "
	    "for t in addgroup adduser; do printf '#!/bin/sh\\necho %%s \"$*\" "
	    ">>%s/log\\n' $t >$d/bin/$t; chmod +x $d/bin/$t; done; "
	    "ln -s \"$(command -v grep)\" $d/bin/grep; ln -s \"$(command -v "
	    "id)\" $d/bin/id; "
	    "sed -i \"s/'nonroot'/'unroot-bb-test'/g; "
	    "s/\\^nonroot:/^unroot-bb-test:/\" $d/user.sh; "
	    "/bin/sh $d/user.sh",
	    dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	snprintf(path, sizeof path, "%s/log", dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f)) {
		n++;
		if (n == 1)
			ck_assert_str_eq(line,
					 "addgroup -g 1001 unroot-bb-test\n");
		else
			ck_assert_str_eq(
			    line, "adduser -D -H -u 1001 -G unroot-bb-test -h "
				  "/home/nonroot unroot-bb-test\n");
	}
	fclose(f);
	ck_assert_int_eq(n, 2);
	cmd = xasprintf("rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(sh);
	plan_free(pl);
}
END_TEST

/* ---- 3. the catalogue's option after pruning ------------------------- */

/* The pid file's touch is covered by owning /run/supervisor (owned for
 * supervisor.sock.123, which no pattern names): the note stays. */
START_TEST(supervisord_option_survives_pruning)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	dir_rec(p, "/run/supervisor", DIR_ROOT);
	ev_creat(p, "/run/supervisor/supervisord.pid", DIR_ROOT);
	ev_unlink(p, "/run/supervisor/supervisor.sock.123", FILE_ROOT,
		  DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/run/supervisor"));
	ck_assert_ptr_null(
	    grant_on(pl, GRANT_TOUCH, "/run/supervisor/supervisord.pid"));
	ck_assert(has_text(pl->notes, pl->nnotes, "supervisord: its own option",
			   "pidfile="));
	plan_free(pl);
}
END_TEST

/* ---- 4. one chown note per program ----------------------------------- */

START_TEST(chowns_to_nobody_are_one_note)
{
	struct planner *p = new_planner();
	struct trace_proc nginx = root_proc;
	static const char *const temp[] = {"body", "proxy", "fastcgi", "uwsgi",
					   "scgi"};
	char path[64];
	struct plan *pl;

	nginx.exe = "/usr/sbin/nginx";
	app_dirs(p);
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof path, "/var/lib/nginx/%s", temp[i]);
		ev_chown(p, path, 65534, -1, S(FT_DIR, 0, 0, 0700), &nginx);
	}
	pl = planner_finish(p);
	ck_assert_uint_eq(count_text(pl->notes, pl->nnotes, "gives"), 1);
	ck_assert(has_text(pl->notes, pl->nnotes,
			   "nginx, running as root, gives /var/lib/nginx/body "
			   "and 4 more paths to 65534:-1",
			   NULL));
	plan_free(pl);
}
END_TEST

/* ---- 5. one grant rendered ------------------------------------------- */

START_TEST(one_grant_renders_as_the_plan_does)
{
	struct planner *p = new_planner();
	struct plan *pl;
	char *line;
	size_t i;

	app_dirs(p);
	ev_mkdir(p, "/app/it's", DIR_ROOT);
	/* made by huggingface_hub: its redirect (test_redirects.c) */
	ev_mkdir_at(p, "/root/.cache", S(FT_DIR, 0, 0, 0700), 0, &root_proc,
		    HF_SITE, NULL);
	ev_mkdir_at(p, "/root/.cache/huggingface", S(FT_DIR, 0, 0, 0755), 0,
		    &root_proc, HF_SITE, NULL);
	pl = planner_finish(p);
	for (i = 0; i < pl->ngrants; i++)
		if (!strcmp(pl->grants[i].path, "/app/it's"))
			break;
	ck_assert_uint_lt(i, pl->ngrants);
	line = plan_render_grant(pl, i, FORMAT_DOCKERFILE);
	ck_assert_str_eq(
	    line,
	    "RUN mkdir -p '/app/it'\\''s' && chown 1001:1001 '/app/it'\\''s'");
	free(line);
	line = plan_render_grant(pl, i, FORMAT_SH);
	ck_assert_str_eq(
	    line, "mkdir -p '/app/it'\\''s'\nchown 1001:1001 '/app/it'\\''s'");
	free(line);
	line = plan_render_grant(pl, i, FORMAT_JSON);
	ck_assert_ptr_nonnull(strstr(line, "\"kind\":\"mkdir\""));
	free(line);
	ck_assert_ptr_null(plan_render_grant(pl, i, FORMAT_ENV));
	ck_assert_ptr_null(plan_render_grant(pl, pl->ngrants, FORMAT_SH));
	ck_assert_uint_ge(pl->nredirects, 1);
	line = plan_render_redirect(pl, 0, FORMAT_DOCKERFILE);
	ck_assert_str_eq(line,
			 "ENV HF_HOME=\"/var/cache/nonroot/huggingface\"");
	free(line);
	plan_free(pl);
}
END_TEST

/* ---- 7. planner fixes without unit tests ----------------------------- */

/* sqlite fchowns its journal to the owner it already has: nothing. */
START_TEST(noop_chown_needs_nothing)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	dir_rec(p, "/app/db", S(FT_DIR, 1001, 1001, 0755));
	ev_chown(p, "/app/db/app.db-journal", 0, 0, FILE_ROOT, &root_proc);
	ev_chown(p, "/app/db/app.db", -1, -1, FILE_ROOT, &root_proc);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->ngrants, 0);
	ck_assert_uint_eq(pl->nrefused, 0);
	ck_assert_uint_eq(count_text(pl->notes, pl->nnotes, "gives"), 0);
	plan_free(pl);
}
END_TEST

/* A file pre-created before another need gives its directory to the
 * user: the touch is dropped, the directory grant covers it. */
START_TEST(name_in_owned_directory_is_pruned)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	dir_rec(p, "/app/x", DIR_ROOT);
	ev_append(p, "/app/x/a.log", ABSENT, DIR_ROOT);
	ev_full(p, OP_CHMOD, "/app/x", NULL, 0, NULL, DIR_ROOT, DIR_ROOT,
		NOSTATE, 0, &root_proc);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/app/x"));
	ck_assert_ptr_null(grant_on(pl, GRANT_TOUCH, "/app/x/a.log"));
	ck_assert_uint_eq(applied_grants(pl), 1);
	plan_free(pl);
}
END_TEST

/* makedirs(~/.cache/huggingface/hub) makes ~/.cache on the way: with
 * HF_HOME set it is never made, so no XDG_CACHE_HOME and no HOME. */
START_TEST(mkdir_on_the_way_to_redirected_cache_needs_nothing)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_mkdir_at(p, "/root/.cache", S(FT_DIR, 0, 0, 0700), 0, &root_proc,
		    HF_SITE, NULL);
	ev_mkdir_at(p, "/root/.cache/huggingface", S(FT_DIR, 0, 0, 0755), 0,
		    &root_proc, HF_SITE, NULL);
	ev_mkdir_at(p, "/root/.cache/huggingface/hub", S(FT_DIR, 0, 0, 0755), 0,
		    &root_proc, HF_SITE, NULL);
	ev_mkdir_at(p, "/root/.cache/huggingface/hub/x", S(FT_DIR, 0, 0, 0755),
		    0, &root_proc, HF_SITE, NULL);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nredirects, 1);
	ck_assert_str_eq(pl->redirects[0].var, "HF_HOME");
	ck_assert(!pl->needs_home);
	ck_assert_uint_eq(applied_grants(pl), 0);
	plan_free(pl);
}
END_TEST

/* ---- 8. reads, service users, normalised paths, failed attempts ------ */

static struct trace_proc user_proc(void)
{
	struct trace_proc u = root_proc;

	u.uid = u.euid = 1001;
	u.home = "/home/nonroot";
	return u;
}

static void svc_group(struct planner *p)
{
	char *none[] = {NULL};
	struct trace_group g = {.name = "svc", .gid = 999, .members = none};

	planner_add_group(p, &g);
}

static void svc_user(struct planner *p)
{
	struct trace_user u = {.name = "svc",
			       .uid = 999,
			       .gid = 999,
			       .home = "/var/lib/svc",
			       .shell = "/usr/sbin/nologin"};

	planner_add_user(p, &u);
}

static struct planner *new_planner_user(const char *user)
{
	struct plan_options o;
	static struct writers *w;
	char *why = NULL;

	if (!w)
		w = writers_load(&why);
	free(why);
	plan_options_init(&o);
	o.writers = w;
	o.user = user;
	o.user_given = true;
	return planner_new(&o);
}

static bool refused(const struct plan *pl, const char *path, const char *text)
{
	for (size_t i = 0; i < pl->nrefused; i++)
		if (!strcmp(pl->refused[i].path, path) &&
		    strstr(pl->refused[i].why, text))
			return true;
	return false;
}

/* A setting of the kernel written as root (redis' advice, a tuning
 * script's echo into /proc/sys or /sys) is no file of the image: refused
 * as the host's to set, never as "system code". */
START_TEST(kernel_settings_are_refused_as_the_hosts)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_full(p, OP_OPEN, "/proc/sys/vm/overcommit_memory", NULL,
		O_WRONLY | O_TRUNC, "O_WRONLY|O_TRUNC", FILE_ROOT,
		S(FT_DIR, 0, 0, 0555), NOSTATE, 0, &root_proc);
	ev_full(p, OP_OPEN, "/sys/kernel/mm/transparent_hugepage/enabled", NULL,
		O_WRONLY | O_TRUNC, "O_WRONLY|O_TRUNC", FILE_ROOT, DIR_ROOT,
		NOSTATE, 0, &root_proc);
	pl = planner_finish(p);
	ck_assert(refused(pl, "/proc/sys/vm/overcommit_memory",
			  "the kernel's interface, whose settings are the "
			  "host's (a pod's sysctls)"));
	ck_assert(refused(pl, "/sys/kernel/mm/transparent_hugepage/enabled",
			  "the kernel's interface"));
	ck_assert_uint_eq(pl->ngrants, 0);
	plan_free(pl);

	/* a container's /proc/sys is read-only for root too: EROFS there
	 * is no mount of the image's to plan */
	p = new_planner_ro();
	app_dirs(p);
	ev_full(p, OP_OPEN, "/proc/sys/vm/overcommit_memory", NULL,
		O_WRONLY | O_TRUNC, "O_WRONLY|O_TRUNC", FILE_ROOT,
		S(FT_DIR, 0, 0, 0555), NOSTATE, EROFS, &root_proc);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->ntmpfs, 0);
	plan_free(pl);

	/* but a read-only bind below a tmpfs of the runtime's (secrets
	 * under --tmpfs /run) is still fixed on the host */
	{
		struct trace_mount run = {.mnt = "/run",
					  .fs = "tmpfs",
					  .root = "/",
					  .src = "tmpfs",
					  .opts = "rw"};
		struct trace_mount certs = {.mnt = "/run/certs",
					    .fs = "ext4",
					    .root = "/home/me/certs",
					    .ro = true,
					    .src = "/dev/vda",
					    .opts = "ro"};

		p = new_planner_ro();
		planner_add_mount(p, &run);
		planner_add_mount(p, &certs);
		app_dirs(p);
		ev_full(p, OP_OPEN, "/run/certs/cache.pem", NULL,
			O_WRONLY | O_CREAT, "O_WRONLY|O_CREAT", ABSENT,
			DIR_ROOT, NOSTATE, EROFS, &root_proc);
		pl = planner_finish(p);
		ck_assert_uint_eq(pl->nhost, 1);
		ck_assert_uint_eq(pl->ntmpfs, 0);
		plan_free(pl);
	}
}
END_TEST

/* chromium raises its renderers' oom_score_adj in /proc/PID: each
 * process's own setting, not the image's and not the host's: one note for
 * every process, no refusal.  A user's run refused one (lowering a score
 * needs CAP_SYS_RESOURCE) is a refusal that says a privilege is needed. */
START_TEST(a_process_own_setting_in_proc_is_a_note_not_a_refusal)
{
	struct planner *p = new_planner();
	struct trace_proc chromium = root_proc, user = root_proc;
	struct plan *pl;

	chromium.exe = "/usr/lib/chromium/chromium";
	user.exe = chromium.exe;
	user.uid = user.euid = 1001;
	app_dirs(p);
	ev_full(p, OP_OPEN, "/proc/7/oom_score_adj", NULL, O_WRONLY | O_TRUNC,
		"O_WRONLY|O_TRUNC", FILE_ROOT, S(FT_DIR, 0, 0, 0555), NOSTATE,
		0, &chromium);
	ev_full(p, OP_OPEN, "/proc/63/oom_score_adj", NULL, O_WRONLY | O_TRUNC,
		"O_WRONLY|O_TRUNC", FILE_ROOT, S(FT_DIR, 0, 0, 0555), NOSTATE,
		0, &chromium);
	ev_full(p, OP_OPEN, "/proc/self/comm", NULL, O_WRONLY | O_TRUNC,
		"O_WRONLY|O_TRUNC", FILE_ROOT, S(FT_DIR, 0, 0, 0555), NOSTATE,
		0, &chromium);
	ev_full(p, OP_OPEN, "/proc/9/oom_score_adj", NULL, O_WRONLY | O_TRUNC,
		"O_WRONLY|O_TRUNC", S(FT_FILE, 1001, 1001, 0644),
		S(FT_DIR, 1001, 1001, 0555), NOSTATE, EACCES, &user);
	/* a read denied is no setting written; a write through fd/N is the
	 * file's */
	ev_full(p, OP_OPEN, "/proc/1/environ", NULL, O_RDONLY, "O_RDONLY",
		FILE_ROOT, S(FT_DIR, 0, 0, 0555), NOSTATE, EACCES, &user);
	ev_full(p, OP_OPEN, "/proc/self/fd/3", NULL, O_WRONLY, "O_WRONLY",
		FILE_ROOT, S(FT_DIR, 0, 0, 0500), NOSTATE, 0, &chromium);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->ngrants, 0);
	ck_assert(!refused(pl, "/proc/7/oom_score_adj", ""));
	ck_assert(!refused(pl, "/proc/1/environ", ""));
	ck_assert(!has_text(pl->notes, pl->nnotes, "3 of its processes", NULL));
	ck_assert(refused(pl, "/proc/9/oom_score_adj",
			  "what takes a privilege stays refused"));
	ck_assert(has_text(pl->notes, pl->nnotes,
			   "chromium writes oom_score_adj of its processes in "
			   "/proc (/proc/7/oom_score_adj and 1 more path)",
			   "not lower it"));
	ck_assert(
	    has_text(pl->notes, pl->nnotes, "comm of its processes", NULL));
	plan_free(pl);
}
END_TEST

/* A pid file made and removed beside a Perl app (hypnotoad's): owning
 * /opt/hello is the least grant.  From a trace without reads nothing
 * shows whether the app's code is there, and one warning says so and how
 * to know; with reads, the read of app.pl shows it (the image-code
 * warning).  A directory the workload made holds nothing of the image's,
 * and a read-only root's mounts have their own warning. */
static struct plan *pid_file_beside_app(bool reads, bool ro, bool made)
{
	struct planner *p = ro ? new_planner_ro() : new_planner();

	if (!reads)
		planner_reads_unrecorded(p);
	app_dirs(p);
	dir_rec(p, "/opt", DIR_ROOT);
	/* no dir record of /opt/hello: as in a real trace, its state is the
	 * one its events found */
	if (made)
		ev_mkdir(p, "/opt/hello", DIR_ROOT);
	if (reads)
		ev_full(p, OP_OPEN, "/opt/hello/app.pl", NULL, O_RDONLY,
			"O_RDONLY", FILE_ROOT, DIR_ROOT, NOSTATE, 0,
			&root_proc);
	ev_creat(p, "/opt/hello/hypnotoad.pid", DIR_ROOT);
	ev_unlink(p, "/opt/hello/hypnotoad.pid", FILE_ROOT, DIR_ROOT);
	return planner_finish(p);
}

START_TEST(owned_dir_a_trace_without_reads_cannot_vouch_for_is_named)
{
	struct plan *pl = pid_file_beside_app(false, false, false);

	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/opt/hello"));
	ck_assert(has_text(pl->warnings, pl->nwarnings, "records no reads",
			   "whether /opt/hello holds files of the image"));
	plan_free(pl);

	pl = pid_file_beside_app(true, false, false);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/opt/hello"));
	ck_assert(
	    !has_text(pl->warnings, pl->nwarnings, "records no reads", NULL));
	ck_assert(has_text(pl->warnings, pl->nwarnings,
			   "owning /opt/hello lets the user rename or remove",
			   NULL));
	plan_free(pl);

	pl = pid_file_beside_app(false, false, true);
	ck_assert(
	    !has_text(pl->warnings, pl->nwarnings, "records no reads", NULL));
	plan_free(pl);

	pl = pid_file_beside_app(false, true, false);
	ck_assert(!has_text(pl->warnings, pl->nwarnings, "which the owner may",
			    NULL));
	/* the plan's grant makes the directory the user's in the replay,
	 * not in the image: its mount is flagged too */
	ck_assert(has_text(pl->warnings, pl->nwarnings,
			   "read-only root: the trace records no reads",
			   "whether /opt/hello holds files"));
	plan_free(pl);
}
END_TEST

/* A Django project's SQLite database beside its code: owning /app is the
 * least grant for the journal, and it lets the user rename the project's
 * files, which its bytecode shows are there; a warning says so, with the
 * catalogue's advice.  A working directory with no such evidence (a data
 * directory the image made empty) gets no warning. */
START_TEST(owning_a_directory_of_the_images_code_is_warned)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	dir_rec(p, "/app/mysite", DIR_ROOT);
	ev_mkdir(p, "/app/mysite/__pycache__", DIR_ROOT);
	ev_creat(p, "/app/db.sqlite3", DIR_ROOT);
	ev_creat(p, "/app/db.sqlite3-journal", DIR_ROOT);
	ev_unlink(p, "/app/db.sqlite3-journal", FILE_ROOT, DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/app"));
	ck_assert(has_text(pl->warnings, pl->nwarnings,
			   "owning /app lets the user rename or remove the "
			   "files of the image",
			   NULL));
	ck_assert(has_text(pl->warnings, pl->nwarnings,
			   "the database needs a directory of its own", NULL));
	plan_free(pl);

	p = new_planner();
	app_dirs(p);
	dir_rec(p, "/data", DIR_ROOT);
	root_proc.cwd = "/data";
	planner_add_proc(p, &root_proc);
	ev_creat(p, "/data/dump.rdb.tmp", DIR_ROOT);
	ev_rename(p, "/data/dump.rdb.tmp", "/data/dump.rdb", FILE_ROOT,
		  DIR_ROOT, ABSENT);
	root_proc.cwd = "/app";
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/data"));
	ck_assert(!has_text(pl->warnings, pl->nwarnings,
			    "lets the user rename or remove", NULL));
	plan_free(pl);

	/* a trace with argv: the script python runs, named relative to the
	 * working directory, is evidence too */
	p = new_planner();
	app_dirs(p);
	{
		char *argv[] = {"python3", "manage.py", "migrate", NULL};
		struct trace_proc pr = root_proc;

		pr.argv = argv;
		planner_add_proc(p, &pr);
	}
	ev_creat(p, "/app/db.sqlite3-journal", DIR_ROOT);
	ev_unlink(p, "/app/db.sqlite3-journal", FILE_ROOT, DIR_ROOT);
	pl = planner_finish(p);
	ck_assert(has_text(pl->warnings, pl->nwarnings,
			   "owning /app lets the user rename", NULL));
	plan_free(pl);

	/* the code it runs is in a directory below (json-server from
	 * node_modules, saving its db.json beside): owning /app lets the
	 * user rename node_modules itself */
	p = new_planner();
	app_dirs(p);
	dir_rec(p, "/app/node_modules", DIR_ROOT);
	dir_rec(p, "/app/node_modules/.bin", DIR_ROOT);
	ev_full(p, OP_EXEC, "/app/node_modules/.bin/json-server", NULL, 0, NULL,
		S(FT_FILE, 0, 0, 0755), DIR_ROOT, NOSTATE, 0, &root_proc);
	ev_creat(p, "/app/.~db.json", DIR_ROOT);
	ev_rename(p, "/app/.~db.json", "/app/db.json", FILE_ROOT, DIR_ROOT,
		  FILE_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/app"));
	ck_assert(has_text(pl->warnings, pl->nwarnings,
			   "owning /app lets the user rename", NULL));
	plan_free(pl);
}
END_TEST

/* A config shipped 640 root:GROUP (gid 999), denied in a run as the
 * user: the plan. */
static struct plan *config_denied_to_the_user(const char *group)
{
	struct planner *p = new_planner();
	struct trace_proc u = user_proc();
	char *none[] = {NULL};
	struct trace_group g = {
	    .name = (char *)group, .gid = 999, .members = none};

	app_dirs(p);
	planner_add_group(p, &g);
	dir_rec(p, "/etc", DIR_ROOT);
	dir_rec(p, "/etc/svc", DIR_ROOT);
	ev_full(p, OP_READ, "/etc/svc/svc.conf", NULL, O_RDONLY, "O_RDONLY",
		S(FT_FILE, 0, 999, 0640), DIR_ROOT, NOSTATE, EACCES, &u);
	return planner_finish(p);
}

/* The renderer writes a grant as a whole line or not at all: a service
 * group whose name cannot be put on one line (ending with a newline)
 * is refused with the renderer's reason, and the Dockerfile, the summary
 * text and the json have no half line for it. */
START_TEST(grant_whose_line_cannot_be_rendered_is_refused)
{
	struct plan *pl = config_denied_to_the_user("svc\n");
	char *df, *js;

	ck_assert_ptr_null(grant_on(pl, GRANT_GROUP, "svc\n"));
	ck_assert(refused(pl, "svc\n", "no line is written for it"));
	for (size_t i = 0; i < pl->ngrants; i++) {
		char *t = plan_grant_text(pl, i);

		ck_assert_ptr_null(strstr(t, "no Dockerfile line"));
		free(t);
	}
	df = render(pl, FORMAT_DOCKERFILE);
	ck_assert_ptr_nonnull(df);
	ck_assert_ptr_nonnull(strstr(df, "# not granted: "));
	ck_assert_ptr_null(strstr(df, "usermod"));
	ck_assert_ptr_null(strstr(df, "RUN \n"));
	js = render(pl, FORMAT_JSON);
	ck_assert_ptr_nonnull(strstr(js, "no line is written for it"));
	free(df);
	free(js);
	plan_free(pl);
}
END_TEST

/* A config shipped 640 root:svc, denied in a run as the user: the user
 * joins svc; the file keeps its mode and owner (no chmod, no chown). */
START_TEST(read_denial_joins_the_service_group)
{
	struct plan *pl = config_denied_to_the_user("svc");
	char *df, *sh;

	ck_assert_ptr_nonnull(grant_on(pl, GRANT_GROUP, "svc"));
	ck_assert_uint_eq(grant_on(pl, GRANT_GROUP, "svc")->gid, 999);
	ck_assert_uint_eq(applied_grants(pl), 1);
	ck_assert_uint_eq(pl->nrefused, 0);
	ck_assert(!pl->service_user);
	df = render(pl, FORMAT_DOCKERFILE);
	ck_assert_ptr_nonnull(strstr(
	    df,
	    "usermod -aG 'svc' 'nonroot'; else addgroup 'nonroot' 'svc'; fi"));
	ck_assert_ptr_null(strstr(df, "chmod"));
	ck_assert_ptr_null(strstr(df, "/etc/svc/svc.conf'"));
	/* uid alone: docker drops supplementary groups for USER uid:gid */
	ck_assert_ptr_nonnull(strstr(df, "\nUSER 1001\n"));
	sh = render(pl, FORMAT_SH);
	ck_assert_ptr_nonnull(
	    strstr(sh, "[ -n \"$R\" ] || id -nG 'nonroot' | tr ' ' '\\n' | "
		       "grep -qx 'svc' || if command -v usermod"));
	free(df);
	free(sh);
	plan_free(pl);
}
END_TEST

/* Root reads everything: a read recorded in a root run (--reads) is
 * replayed with the file's state; a file readable to all needs nothing. */
START_TEST(root_run_read_is_replayed_as_the_user)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	svc_group(p);
	ev_full(p, OP_READ, "/etc/svc/svc.conf", NULL, O_RDONLY, "O_RDONLY",
		S(FT_FILE, 0, 999, 0640), DIR_ROOT, NOSTATE, 0, &root_proc);
	ev_full(p, OP_READ, "/etc/svc/public.conf", NULL, O_RDONLY, "O_RDONLY",
		S(FT_FILE, 0, 0, 0644), DIR_ROOT, NOSTATE, 0, &root_proc);
	ev_full(p, OP_READ, "/etc/shadow", NULL, O_RDONLY, "O_RDONLY",
		S(FT_FILE, 0, 42, 0640), DIR_ROOT, NOSTATE, 0, &root_proc);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_GROUP, "svc"));
	ck_assert_uint_eq(applied_grants(pl), 1);
	/* no group record for 42, and shadow would never be joined */
	ck_assert(refused(pl, "/etc/shadow", "cannot be granted safely"));
	ck_assert(!refused(pl, "/etc/svc/public.conf", ""));
	plan_free(pl);
}
END_TEST

/* A key only its service user may read (600 svc:svc), and a directory
 * only it may search: refused, naming the user to run as. */
START_TEST(service_users_private_files_are_refused)
{
	struct planner *p = new_planner_user("app");
	struct trace_proc u = user_proc();
	struct plan *pl;

	app_dirs(p);
	svc_group(p);
	svc_user(p);
	dir_rec(p, "/var", DIR_ROOT);
	dir_rec(p, "/var/lib", DIR_ROOT);
	dir_rec(p, "/var/lib/svc", S(FT_DIR, 999, 999, 0700));
	ev_full(p, OP_READ, "/etc/svc/key.pem", NULL, O_RDONLY, "O_RDONLY",
		S(FT_FILE, 999, 999, 0600), DIR_ROOT, NOSTATE, EACCES, &u);
	ev_full(p, OP_STAT, "/var/lib/svc/state", NULL, 0, NULL, NOSTATE,
		NOSTATE, NOSTATE, EACCES, &u);
	pl = planner_finish(p);
	ck_assert(
	    refused(pl, "/etc/svc/key.pem",
		    "belongs to the service user svc (mode 0600, 999:999)"));
	ck_assert(refused(pl, "/etc/svc/key.pem",
			  "run the workload as svc (USER 999:999)"));
	ck_assert(refused(pl, "/var/lib/svc", "search it"));
	ck_assert_ptr_null(grant_on(pl, GRANT_SEARCH, "/var/lib/svc"));
	ck_assert_uint_eq(applied_grants(pl), 0);
	ck_assert(!pl->service_user); /* --user named the user */
	plan_free(pl);
}
END_TEST

/* A directory svc's group may search and write: joined, not chowned. */
START_TEST(group_writable_service_dir_is_joined)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	svc_group(p);
	dir_rec(p, "/srv", DIR_ROOT);
	dir_rec(p, "/srv/spool", S(FT_DIR, 0, 999, 02770));
	ev_creat(p, "/srv/spool/job1", S(FT_DIR, 0, 999, 02770));
	ev_unlink(p, "/srv/spool/job1", FILE_ROOT, S(FT_DIR, 0, 999, 02770));
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_GROUP, "svc"));
	ck_assert_uint_eq(applied_grants(pl), 1);
	plan_free(pl);
}
END_TEST

/* redis owns its data and its group reads its config: running as redis
 * needs no grant, the new user two; every format says so. */
START_TEST(service_user_is_chosen_when_it_grants_less)
{
	struct planner *p = new_planner();
	struct trace_user redis = {
	    .name = "redis", .uid = 101, .gid = 102, .home = "/var/lib/redis"};
	char *none[] = {NULL};
	struct trace_group rg = {.name = "redis", .gid = 102, .members = none};
	struct plan *pl;
	char *df, *sh, *env, *js;

	planner_add_user(p, &redis);
	planner_add_group(p, &rg);
	app_dirs(p);
	ev_full(p, OP_READ, "/etc/redis/redis.conf", NULL, O_RDONLY, "O_RDONLY",
		S(FT_FILE, 0, 102, 0640), DIR_ROOT, NOSTATE, 0, &root_proc);
	ev_creat(p, "/var/lib/redis/temp-1.rdb", S(FT_DIR, 101, 102, 0750));
	ev_rename(p, "/var/lib/redis/temp-1.rdb", "/var/lib/redis/dump.rdb",
		  FILE_ROOT, S(FT_DIR, 101, 102, 0750), ABSENT);
	pl = planner_finish(p);
	ck_assert(pl->service_user);
	ck_assert_str_eq(pl->user, "redis");
	ck_assert_uint_eq(pl->uid, 101);
	ck_assert_uint_eq(pl->gid, 102);
	ck_assert(!pl->create_user);
	ck_assert_uint_eq(applied_grants(pl), 0);
	ck_assert(has_text(pl->notes, pl->nnotes,
			   "runs as the service user redis",
			   "a new user nonroot would need 2 grants"));
	df = render(pl, FORMAT_DOCKERFILE);
	ck_assert_ptr_nonnull(strstr(df, "# redis (the image's service user"));
	ck_assert_ptr_nonnull(strstr(df, "\nUSER 101:102\n"));
	ck_assert_ptr_null(strstr(df, "useradd"));
	ck_assert_ptr_null(strstr(df, "RUN "));
	sh = render(pl, FORMAT_SH);
	ck_assert_ptr_null(strstr(sh, "useradd"));
	env = render(pl, FORMAT_ENV);
	ck_assert_ptr_nonnull(strstr(env, "docker run --user 101:102"));
	js = render(pl, FORMAT_JSON);
	ck_assert_ptr_nonnull(strstr(js, "\"service_user\": true"));
	ck_assert_ptr_nonnull(strstr(js, "\"user\": \"redis\""));
	free(df);
	free(sh);
	free(env);
	free(js);
	plan_free(pl);
}
END_TEST

/* The service user would need as much (its directory is 0555): a tie
 * keeps the new user with its own uid. */
START_TEST(tie_keeps_the_new_user)
{
	struct planner *p = new_planner();
	struct plan *pl;

	svc_group(p);
	svc_user(p);
	app_dirs(p);
	dir_rec(p, "/srv", DIR_ROOT);
	ev_creat(p, "/srv/ro/x.tmp", S(FT_DIR, 999, 999, 0555));
	ev_rename(p, "/srv/ro/x.tmp", "/srv/ro/x", FILE_ROOT,
		  S(FT_DIR, 999, 999, 0555), ABSENT);
	pl = planner_finish(p);
	ck_assert(!pl->service_user);
	ck_assert_str_eq(pl->user, "nonroot");
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/srv/ro"));
	plan_free(pl);
}
END_TEST

/* The never-grant check compares normalised paths. */
START_TEST(never_grant_compares_normalised_paths)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_full(p, OP_OPEN, "/tmp/../etc/passwd", NULL, O_WRONLY | O_APPEND,
		"O_WRONLY|O_APPEND", FILE_ROOT, DIR_ROOT, NOSTATE, 0,
		&root_proc);
	ev_full(p, OP_OPEN, "/app/./../usr//lib/x.so", NULL, O_WRONLY,
		"O_WRONLY", FILE_ROOT, DIR_ROOT, NOSTATE, 0, &root_proc);
	pl = planner_finish(p);
	ck_assert_uint_eq(applied_grants(pl), 0);
	ck_assert(refused(pl, "/tmp/../etc/passwd", "system configuration"));
	ck_assert(refused(pl, "/app/./../usr//lib/x.so", "system code"));
	plan_free(pl);
}
END_TEST

/* A bare HOME: pathlib's mkdir(parents=True) of ~/.config/matplotlib
 * fails with ENOENT, then ~/.config is denied.  The denial is
 * matplotlib's: MPLCONFIGDIR, with the denial as its evidence. */
START_TEST(enoent_attempt_below_a_denial_names_the_writer)
{
	struct planner *p = new_planner();
	struct trace_proc u = user_proc(), other;
	struct plan *pl;

	u.home = "/h";
	app_dirs(p);
	dir_rec(p, "/h", DIR_ROOT);
	ev_mkdir_at(p, "/h/.config/matplotlib", ABSENT, ENOENT, &u, MPL_SITE,
		    NULL);
	ev_mkdir_at(p, "/h/.config", DIR_ROOT, EACCES, &u, MPL_SITE, NULL);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nredirects, 1);
	ck_assert_str_eq(pl->redirects[0].var, "MPLCONFIGDIR");
	ck_assert_str_eq(pl->redirects[0].ev.path, "/h/.config");
	ck_assert_str_eq(pl->redirects[0].ev.errname, "EACCES");
	plan_free(pl);

	/* another process's attempt says nothing about this denial */
	p = new_planner();
	other = u;
	other.pid = 200;
	app_dirs(p);
	dir_rec(p, "/h", DIR_ROOT);
	ev_mkdir_at(p, "/h/.config/matplotlib", ABSENT, ENOENT, &other,
		    MPL_SITE, NULL);
	ev_mkdir_at(p, "/h/.config", DIR_ROOT, EACCES, &u, MPL_SITE, NULL);
	pl = planner_finish(p);
	/* ~/.config alone is any XDG program's: no XDG_CONFIG_HOME, whose
	 * writer nothing names, but the user's HOME */
	ck_assert_uint_eq(pl->nredirects, 0);
	ck_assert(pl->needs_home);
	plan_free(pl);
}
END_TEST

/* The directory a program makes is matched by a broad entry, the names
 * it then writes in it by a more specific one: webpack makes
 * node_modules/.cache, then cache/webpack in it, which find-cache-dir's
 * CACHE_DIR does not move.  The grant is webpack's: no CACHE_DIR, and
 * node_modules stays refused with webpack's own option; nyc's cache in
 * the same place keeps CACHE_DIR. */
START_TEST(write_below_names_the_more_specific_writer)
{
	static const char *const cache = "/app/node_modules/.cache";
	struct planner *p = new_planner();
	struct plan *pl;
	bool note = false;

	app_dirs(p);
	dir_rec(p, "/app/node_modules", DIR_ROOT);
	ev_mkdir(p, cache, DIR_ROOT);
	ev_mkdir(p, "/app/node_modules/.cache/webpack", DIR_ROOT);
	ev_creat(p, "/app/node_modules/.cache/webpack/0.pack", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nredirects, 0);
	ck_assert(refused(pl, cache, "installed library code"));
	for (size_t i = 0; i < pl->nnotes; i++)
		note = note || (strstr(pl->notes[i], "webpack") &&
				strstr(pl->notes[i], "cacheDirectory"));
	ck_assert(note);
	plan_free(pl);

	p = new_planner();
	app_dirs(p);
	dir_rec(p, "/app/node_modules", DIR_ROOT);
	ev_mkdir(p, cache, DIR_ROOT);
	ev_mkdir(p, "/app/node_modules/.cache/nyc", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nredirects, 1);
	ck_assert_str_eq(pl->redirects[0].var, "CACHE_DIR");
	plan_free(pl);
}
END_TEST

/* coverage run erases and makes .coverage in the working directory, which
 * only owning it allows; the catalogue's COVERAGE_FILE names the file in
 * a directory of its own instead (its value names the file: "{dir}"), so
 * the directory is not given, no warning says it is, and pytest's
 * .pytest_cache beside it keeps a grant of its own. */
START_TEST(name_beside_a_redirected_write_keeps_its_own_grant)
{
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	ev_full(p, OP_UNLINK, "/app/.coverage", NULL, 0, NULL, ABSENT, DIR_ROOT,
		NOSTATE, ENOENT, &root_proc);
	ev_full(p, OP_OPEN, "/app/.coverage", NULL, O_RDWR | O_CREAT,
		"O_RDWR|O_CREAT", ABSENT, DIR_ROOT, NOSTATE, 0, &root_proc);
	ev_mkdir(p, "/app/.pytest_cache", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nredirects, 1);
	ck_assert_str_eq(pl->redirects[0].var, "COVERAGE_FILE");
	ck_assert_str_eq(pl->redirects[0].value,
			 "/var/cache/nonroot/coverage/.coverage");
	ck_assert_str_eq(pl->redirects[0].dir, "/var/cache/nonroot/coverage");
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_MKDIR, "/app/.pytest_cache"));
	ck_assert_uint_eq(applied_grants(pl), 1);
	ck_assert(!has_text(pl->warnings, pl->nwarnings, "owning /app", NULL));
	plan_free(pl);
}
END_TEST

static bool has_note(const struct plan *pl, const char *a, const char *b)
{
	for (size_t i = 0; i < pl->nnotes; i++)
		if (strstr(pl->notes[i], a) && strstr(pl->notes[i], b))
			return true;
	return false;
}

/* webpack with babel-loader in one process: both write in the cache
 * directory the process made; CACHE_DIR still moves babel-loader's, and
 * webpack's own setting is a note.  And two processes whose records come
 * out of order (webpack's directory before the one another process made
 * it in): the directory made for find-cache-dir does not cover webpack's,
 * which is refused with webpack's setting. */
START_TEST(writers_below_one_directory_keep_each_their_fix)
{
	static const char *const cache = "/app/node_modules/.cache";
	struct trace_proc other = root_proc;
	struct planner *p = new_planner();
	struct plan *pl;

	app_dirs(p);
	dir_rec(p, "/app/node_modules", DIR_ROOT);
	ev_mkdir(p, cache, DIR_ROOT);
	ev_mkdir(p, "/app/node_modules/.cache/babel-loader", DIR_ROOT);
	ev_creat(p, "/app/node_modules/.cache/babel-loader/x.json", DIR_ROOT);
	ev_mkdir(p, "/app/node_modules/.cache/webpack", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nredirects, 1);
	ck_assert_str_eq(pl->redirects[0].var, "CACHE_DIR");
	ck_assert(has_note(pl, "webpack", "cacheDirectory"));
	plan_free(pl);

	other.pid = root_proc.pid + 1;
	p = new_planner();
	app_dirs(p);
	dir_rec(p, "/app/node_modules", DIR_ROOT);
	ev_mkdir_at(p, "/app/node_modules/.cache/webpack", DIR_ROOT, 0, &other,
		    NULL, NULL);
	ev_mkdir(p, cache, DIR_ROOT);
	pl = planner_finish(p);
	ck_assert(refused(pl, "/app/node_modules/.cache/webpack",
			  "installed library code"));
	ck_assert(has_note(pl, "webpack", "cacheDirectory"));
	plan_free(pl);
}
END_TEST

/* A read-only root: the tmpfs mounts come from every written directory,
 * even those the chosen service user already owns (EROFS for all). */
START_TEST(read_only_keeps_tmpfs_for_the_service_users_dirs)
{
	struct planner *p = new_planner_ro();
	struct trace_user www = {
	    .name = "www-data", .uid = 33, .gid = 33, .home = "/var/www"};
	struct trace_proc nginx = root_proc;
	struct plan *pl;
	char *opt;

	nginx.exe = "/usr/sbin/nginx";
	nginx.cwd = "/";
	planner_add_user(p, &www);
	app_dirs(p);
	dir_rec(p, "/var/log/nginx", DIR_ROOT);
	ev_full(p, OP_OPEN, "/var/log/nginx/error.log", NULL,
		O_WRONLY | O_APPEND | O_CREAT, "O_WRONLY|O_APPEND|O_CREAT",
		S(FT_FILE, 33, 4, 0640), DIR_ROOT, NOSTATE, 0, &nginx);
	pl = planner_finish(p);
	ck_assert(pl->service_user);
	ck_assert_uint_eq(applied_grants(pl), 0);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/var/log/nginx"));
	opt = plan_tmpfs_option(pl, tmpfs_on(pl, "/var/log/nginx"));
	ck_assert_str_eq(opt, "/var/log/nginx:uid=33,gid=33,mode=0755");
	free(opt);
	plan_free(pl);
}
END_TEST

/* The JVM of root's run keeps /tmp/hsperfdata_root: the user's run keeps
 * its own, hsperfdata_USER.  When the plan runs as a service user, the
 * mount that directory needs on a read-only root carries that user's
 * name, not the new user's the plan first had in mind (tomcat's pod was
 * verified only in a second round). */
START_TEST(mount_of_a_users_own_name_follows_the_chosen_service_user)
{
	struct planner *p = new_planner_ro();
	struct trace_user svc = {
	    .name = "tomcat", .uid = 997, .gid = 997, .home = "/var/lib/tc"};
	struct trace_proc java = root_proc;
	struct plan *pl;

	java.exe = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
	java.cwd = "/var/lib/tc";
	planner_add_user(p, &svc);
	app_dirs(p);
	dir_rec(p, "/var/lib/tc", S(FT_DIR, 997, 997, 0755));
	ev_full(p, OP_MKDIR, "/tmp/hsperfdata_root", NULL, 0, NULL, ABSENT, TMP,
		NOSTATE, 0, &java);
	ev_full(p, OP_OPEN, "/tmp/hsperfdata_root/7", NULL,
		O_RDWR | O_CREAT | O_NOFOLLOW, "O_RDWR|O_CREAT|O_NOFOLLOW",
		ABSENT, S(FT_DIR, 0, 0, 0755), NOSTATE, 0, &java);
	ev_full(p, OP_MKDIR, "/var/lib/tc/work", NULL, 0, NULL, ABSENT,
		S(FT_DIR, 997, 997, 0755), NOSTATE, 0, &java);
	pl = planner_finish(p);
	ck_assert(pl->service_user);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/tmp/hsperfdata_tomcat"));
	ck_assert_ptr_null(tmpfs_on(pl, "/tmp/hsperfdata_nonroot"));
	plan_free(pl);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("plan fixes");
	TCase *t = test_case("fixes", NULL);

	tcase_add_test(t, read_only_never_hides_the_application);
	tcase_add_test(t, scratch_mount_never_hides_a_directory_the_image_made);
	tcase_add_test(
	    t, read_only_shipped_dir_without_option_is_seeded_by_an_init_step);
	tcase_add_test(
	    t, check_line_for_a_mounted_path_is_the_plans_docker_option);
	tcase_add_test(t, read_only_log_dir_only_written_gets_tmpfs);
	tcase_add_test(t, image_volume_with_needed_files_is_called_out);
	tcase_add_test(t, image_volume_only_written_is_not_called_out);
	tcase_add_test(t, erofs_in_application_dir_is_seeded_not_hidden);
	tcase_add_test(t, read_only_lists_scratch_dirs_with_owner_options);
	tcase_add_test(t, user_creation_falls_back_to_busybox);
	tcase_add_test(t, user_lines_run_with_busybox_only);
	tcase_add_test(t, supervisord_option_survives_pruning);
	tcase_add_test(t, chowns_to_nobody_are_one_note);
	tcase_add_test(t, one_grant_renders_as_the_plan_does);
	tcase_add_test(t, noop_chown_needs_nothing);
	tcase_add_test(t, name_in_owned_directory_is_pruned);
	tcase_add_test(t, mkdir_on_the_way_to_redirected_cache_needs_nothing);
	tcase_add_test(t, read_denial_joins_the_service_group);
	tcase_add_test(t, grant_whose_line_cannot_be_rendered_is_refused);
	tcase_add_test(t, root_run_read_is_replayed_as_the_user);
	tcase_add_test(
	    t, write_check_of_the_root_directory_is_a_note_not_a_refusal);
	tcase_add_test(t, write_check_of_a_file_the_runs_only_read_is_a_note);
	tcase_add_test(t, service_users_private_files_are_refused);
	tcase_add_test(t, group_writable_service_dir_is_joined);
	tcase_add_test(t, service_user_is_chosen_when_it_grants_less);
	tcase_add_test(t, tie_keeps_the_new_user);
	tcase_add_test(t, never_grant_compares_normalised_paths);
	tcase_add_test(t, enoent_attempt_below_a_denial_names_the_writer);
	tcase_add_test(t, write_below_names_the_more_specific_writer);
	tcase_add_test(t, name_beside_a_redirected_write_keeps_its_own_grant);
	tcase_add_test(t, writers_below_one_directory_keep_each_their_fix);
	tcase_add_test(t, read_only_keeps_tmpfs_for_the_service_users_dirs);
	tcase_add_test(t, write_in_an_image_volume_is_mounted_at_the_volume);
	tcase_add_test(
	    t, volume_mount_nests_in_a_parents_and_lifts_to_a_plain_one);
	tcase_add_test(t,
		       removal_of_a_missing_name_refused_erofs_mounts_nothing);
	tcase_add_test(t, kernel_settings_are_refused_as_the_hosts);
	tcase_add_test(t,
		       a_process_own_setting_in_proc_is_a_note_not_a_refusal);
	tcase_add_test(t, owning_a_directory_of_the_images_code_is_warned);
	tcase_add_test(
	    t, owned_dir_a_trace_without_reads_cannot_vouch_for_is_named);
	tcase_add_test(
	    t, mount_of_a_users_own_name_follows_the_chosen_service_user);
	suite_add_tcase(s, t);
	return s;
}
