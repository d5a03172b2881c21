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

#include "helpers.h"

static void base_dirs(struct planner *p)
{
	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/app", DIR_ROOT);
	dir_rec(p, "/tmp", TMP);
	dir_rec(p, "/run", DIR_ROOT);
	dir_rec(p, "/root", S(FT_DIR, 0, 0, 0700));
}

static bool has_text(char **v, size_t n, const char *a, const char *b)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(v[i], a) && (!b || strstr(v[i], b)))
			return true;
	return false;
}

static size_t count_text(char **v, size_t n, const char *a)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += strstr(v[i], a) != NULL;
	return k;
}

static const struct tmpfs_fix *tmpfs_on(const struct plan *pl, const char *dir)
{
	for (size_t i = 0; i < pl->ntmpfs; i++)
		if (!strcmp(pl->tmpfs[i].dir, dir))
			return &pl->tmpfs[i];
	return NULL;
}

static void ev_chown(struct planner *p, const char *path, int uid, int gid,
		     struct file_state st, const struct trace_proc *proc)
{
	struct trace_event ev = {
		.op = OP_CHOWN, .fn = "chown", .path = path, .st = st,
		.parent = DIR_ROOT, .st2 = NOSTATE, .owner_uid = uid,
		.owner_gid = gid, .pid = proc->pid, .proc = proc,
	};

	planner_add_event(p, &ev);
}

/* ---- 1. read-only root ------------------------------------------------ */

/* Scenario 3: supervisord writes its log, pid file and socket in /app,
 * which holds run.sh: no tmpfs on /app, supervisord's own option instead,
 * and /tmp (where that option and the workload write) gets one. */
START_TEST(read_only_never_hides_the_application)
{
	struct planner *p = new_planner_ro();
	struct trace_proc sh = root_proc;
	struct plan *pl;

	sh.exe = "/usr/bin/dash";
	sh.cwd = "/app";
	planner_add_proc(p, &sh);
	base_dirs(p);
	ev_full(p, OP_EXEC, "/app/run.sh", NULL, 0, NULL, S(FT_FILE, 0, 0, 0755),
		DIR_ROOT, NOSTATE, 0, &sh);
	ev_append(p, "/app/supervisord.log", ABSENT, DIR_ROOT);
	ev_creat(p, "/app/supervisord.pid", DIR_ROOT);
	ev_full(p, OP_BIND, "/app/supervisor.sock", NULL, 0, NULL, ABSENT,
		DIR_ROOT, NOSTATE, 0, &root_proc);
	ev_creat(p, "/tmp/hubcache.out", TMP);
	ev_unlink(p, "/app/supervisord.pid", FILE_ROOT, DIR_ROOT);
	ev_unlink(p, "/app/supervisor.sock", S(FT_SOCK, 0, 0, 0755), DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_null(tmpfs_on(pl, "/app"));
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/tmp"));
	ck_assert(has_text(pl->warnings, pl->nwarnings, "read-only root: /app",
			   "supervisord's own option"));
	plan_free(pl);
}
END_TEST

/* No catalogue entry: a new dedicated subdirectory, said in a warning; a
 * new directory (mkdir grant) still gets its tmpfs. */
START_TEST(read_only_shipped_dir_without_option_says_subdirectory)
{
	struct planner *p = new_planner_ro();
	struct trace_proc tool = root_proc;
	struct plan *pl;

	tool.exe = "/usr/local/bin/tool";
	tool.cwd = "/";
	base_dirs(p);
	dir_rec(p, "/srv", DIR_ROOT);
	ev_full(p, OP_OPEN, "/srv/data/config.yml", NULL, O_RDONLY, "O_RDONLY",
		FILE_ROOT, DIR_ROOT, NOSTATE, 0, &tool);
	ev_full(p, OP_OPEN, "/srv/data/state.tmp", NULL, O_WRONLY | O_CREAT,
		"O_WRONLY|O_CREAT", ABSENT, DIR_ROOT, NOSTATE, 0, &tool);
	ev_full(p, OP_RENAME, "/srv/data/state.tmp", "/srv/data/config.yml",
		0, NULL, FILE_ROOT, DIR_ROOT, FILE_ROOT, 0, &tool);
	ev_full(p, OP_MKDIR, "/srv/out", NULL, 0, NULL, ABSENT, DIR_ROOT,
		NOSTATE, 0, &tool);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/srv/data"));
	ck_assert_ptr_null(tmpfs_on(pl, "/srv/data"));
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/srv/out"));
	ck_assert(has_text(pl->warnings, pl->nwarnings, "/srv/data",
			   "new dedicated subdirectory"));
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
	base_dirs(p);
	dir_rec(p, "/var/log/nginx", DIR_ROOT);
	ev_full(p, OP_OPEN, "/var/log/nginx/access.log", NULL,
		O_WRONLY | O_APPEND | O_CREAT, "O_WRONLY|O_APPEND|O_CREAT",
		S(FT_FILE, 0, 4, 0640), DIR_ROOT, NOSTATE, 0, &nginx);
	ev_full(p, OP_OPEN, "/var/log/nginx/error.log", NULL,
		O_WRONLY | O_APPEND | O_CREAT, "O_WRONLY|O_APPEND|O_CREAT",
		S(FT_FILE, 0, 4, 0640), DIR_ROOT, NOSTATE, 0, &nginx);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/var/log/nginx"));
	ck_assert(!has_text(pl->warnings, pl->nwarnings, "read-only root", NULL));
	plan_free(pl);
}
END_TEST

/* Recorded on a read-only root: EROFS in /app is not a tmpfs on /app. */
START_TEST(erofs_in_application_dir_is_not_hidden)
{
	struct planner *p = new_planner();
	struct trace_proc app = root_proc;
	struct plan *pl;

	app.cwd = "/app";
	planner_add_proc(p, &app);
	base_dirs(p);
	ev_full(p, OP_OPEN, "/app/out.txt", NULL, O_WRONLY | O_CREAT,
		"O_WRONLY|O_CREAT", ABSENT, DIR_ROOT, NOSTATE, EROFS, &app);
	ev_full(p, OP_MKDIR, "/app/cache", NULL, 0, NULL, ABSENT, DIR_ROOT,
		NOSTATE, EROFS, &app);
	pl = planner_finish(p);
	ck_assert_ptr_null(tmpfs_on(pl, "/app"));
	ck_assert_ptr_nonnull(tmpfs_on(pl, "/app/cache"));
	ck_assert(has_text(pl->warnings, pl->nwarnings, "read-only root: /app",
			   NULL));
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

	base_dirs(p);
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
	ck_assert_int_eq(plan_render(pl, FORMAT_DOCKERFILE, NULL, &out, &why), 0);
	ck_assert_ptr_nonnull(strstr(out.buf, "--tmpfs /var/tmp:uid=1001,gid=1001,mode=0755"));
	ck_assert_ptr_nonnull(strstr(out.buf, "fsGroup: 1001"));
	sb_release(&out);
	out = (struct strbuf)STRBUF_INIT;
	ck_assert_int_eq(plan_render(pl, FORMAT_JSON, NULL, &out, &why), 0);
	ck_assert_ptr_nonnull(strstr(out.buf, "\"docker\": \"/tmp:uid=1001,gid=1001,mode=0755\""));
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

	base_dirs(p);
	ev_mkdir(p, "/app/model", DIR_ROOT);
	return planner_finish(p);
}

START_TEST(user_creation_falls_back_to_busybox)
{
	struct plan *pl = plan_with_one_mkdir();
	char *sh = render(pl, FORMAT_SH), *df = render(pl, FORMAT_DOCKERFILE);

	ck_assert_ptr_nonnull(strstr(df,
		"RUN if command -v useradd >/dev/null 2>&1; then "
		"groupadd -g 1001 'nonroot' && useradd -l -M -u 1001 -g 1001 "
		"-d '/home/nonroot' 'nonroot'; else addgroup -g 1001 'nonroot' && "
		"adduser -D -H -u 1001 -G 'nonroot' -h '/home/nonroot' 'nonroot'; "
		"fi && \\\n"));
	ck_assert_ptr_nonnull(strstr(sh, "\tif command -v useradd >/dev/null 2>&1; then\n"));
	ck_assert_ptr_nonnull(strstr(sh, "\t\tgrep -q '^nonroot:' /etc/group || addgroup -g 1001 'nonroot'\n"));
	ck_assert_ptr_nonnull(strstr(sh, "\t\tid -u 'nonroot' >/dev/null 2>&1 || adduser -D -H -u 1001 -G 'nonroot' -h '/home/nonroot' 'nonroot'\n"));
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
	cmd = xasprintf("set -e; d=%s; mkdir $d/bin; "
			"for t in addgroup adduser; do printf '#!/bin/sh\\necho %%s \"$*\" >>%s/log\\n' $t >$d/bin/$t; chmod +x $d/bin/$t; done; "
			"ln -s \"$(command -v grep)\" $d/bin/grep; ln -s \"$(command -v id)\" $d/bin/id; "
			"sed -i \"s/'nonroot'/'unroot-bb-test'/g; s/\\^nonroot:/^unroot-bb-test:/\" $d/user.sh; "
			"/bin/sh $d/user.sh", dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	snprintf(path, sizeof path, "%s/log", dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f)) {
		n++;
		if (n == 1)
			ck_assert_str_eq(line, "addgroup -g 1001 unroot-bb-test\n");
		else
			ck_assert_str_eq(line, "adduser -D -H -u 1001 -G unroot-bb-test -h /home/nonroot unroot-bb-test\n");
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

	base_dirs(p);
	dir_rec(p, "/run/supervisor", DIR_ROOT);
	ev_creat(p, "/run/supervisor/supervisord.pid", DIR_ROOT);
	ev_unlink(p, "/run/supervisor/supervisor.sock.123", FILE_ROOT, DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_OWN_DIR, "/run/supervisor"));
	ck_assert_ptr_null(grant_on(pl, GRANT_TOUCH, "/run/supervisor/supervisord.pid"));
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
	static const char *const temp[] = {"body", "proxy", "fastcgi", "uwsgi", "scgi"};
	char path[64];
	struct plan *pl;

	nginx.exe = "/usr/sbin/nginx";
	base_dirs(p);
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof path, "/var/lib/nginx/%s", temp[i]);
		ev_chown(p, path, 65534, -1, S(FT_DIR, 0, 0, 0700), &nginx);
	}
	pl = planner_finish(p);
	ck_assert_uint_eq(count_text(pl->notes, pl->nnotes, "gives"), 1);
	ck_assert(has_text(pl->notes, pl->nnotes,
			   "nginx, running as root, gives /var/lib/nginx/body and 4 more paths to 65534:-1",
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

	base_dirs(p);
	ev_mkdir(p, "/app/it's", DIR_ROOT);
	ev_mkdir(p, "/root/.cache", S(FT_DIR, 0, 0, 0700));
	ev_mkdir(p, "/root/.cache/huggingface", S(FT_DIR, 0, 0, 0755));
	pl = planner_finish(p);
	for (i = 0; i < pl->ngrants; i++)
		if (!strcmp(pl->grants[i].path, "/app/it's"))
			break;
	ck_assert_uint_lt(i, pl->ngrants);
	line = plan_render_grant(pl, i, FORMAT_DOCKERFILE);
	ck_assert_str_eq(line, "RUN mkdir -p '/app/it'\\''s' && chown 1001:1001 '/app/it'\\''s'");
	free(line);
	line = plan_render_grant(pl, i, FORMAT_SH);
	ck_assert_str_eq(line, "mkdir -p '/app/it'\\''s'\nchown 1001:1001 '/app/it'\\''s'");
	free(line);
	line = plan_render_grant(pl, i, FORMAT_JSON);
	ck_assert_ptr_nonnull(strstr(line, "\"kind\":\"mkdir\""));
	free(line);
	ck_assert_ptr_null(plan_render_grant(pl, i, FORMAT_ENV));
	ck_assert_ptr_null(plan_render_grant(pl, pl->ngrants, FORMAT_SH));
	ck_assert_uint_ge(pl->nredirects, 1);
	line = plan_render_redirect(pl, 0, FORMAT_DOCKERFILE);
	ck_assert_str_eq(line, "ENV HF_HOME=\"/var/cache/nonroot/huggingface\"");
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

	base_dirs(p);
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

	base_dirs(p);
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

	base_dirs(p);
	ev_mkdir(p, "/root/.cache", S(FT_DIR, 0, 0, 0700));
	ev_mkdir(p, "/root/.cache/huggingface", S(FT_DIR, 0, 0, 0755));
	ev_mkdir(p, "/root/.cache/huggingface/hub", S(FT_DIR, 0, 0, 0755));
	ev_creat(p, "/root/.cache/huggingface/hub/x", S(FT_DIR, 0, 0, 0755));
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nredirects, 1);
	ck_assert_str_eq(pl->redirects[0].var, "HF_HOME");
	ck_assert(!pl->needs_home);
	ck_assert_uint_eq(applied_grants(pl), 0);
	plan_free(pl);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("plan fixes");
	TCase *t = tcase_create("fixes");

	tcase_add_test(t, read_only_never_hides_the_application);
	tcase_add_test(t, read_only_shipped_dir_without_option_says_subdirectory);
	tcase_add_test(t, read_only_log_dir_only_written_gets_tmpfs);
	tcase_add_test(t, erofs_in_application_dir_is_not_hidden);
	tcase_add_test(t, read_only_lists_scratch_dirs_with_owner_options);
	tcase_add_test(t, user_creation_falls_back_to_busybox);
	tcase_add_test(t, user_lines_run_with_busybox_only);
	tcase_add_test(t, supervisord_option_survives_pruning);
	tcase_add_test(t, chowns_to_nobody_are_one_note);
	tcase_add_test(t, one_grant_renders_as_the_plan_does);
	tcase_add_test(t, noop_chown_needs_nothing);
	tcase_add_test(t, name_in_owned_directory_is_pruned);
	tcase_add_test(t, mkdir_on_the_way_to_redirected_cache_needs_nothing);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
