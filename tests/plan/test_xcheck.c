/*
 * test_xcheck.c - what `unroot docker` records beside the events and what
 * the plan makes of it: the container layer's changes no event explains
 * (planner_add_unseen, their evidence marked in every format) and the
 * docker run options (dockerargs.c into trace.json's "run", read back by
 * trace_meta_run and written by the pod format).  The docker side runs in
 * tests/container/xcheck.sh.
 */
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "container.h"
#include "helpers.h"
#include "render.h"

static char *render_ok(const struct plan *pl, enum plan_format f,
		       const struct render_options *ro)
{
	struct strbuf out = STRBUF_INIT;
	char *why = NULL;

	ck_assert_msg(!plan_render(pl, f, ro, &out, &why), "%s", why);
	return sb_detach(&out);
}

static struct trace_unseen unseen(char change, const char *path,
				  struct file_state st,
				  struct file_state parent)
{
	struct trace_unseen u = {
	    .change = change, .path = path, .st = st, .parent = parent};

	return u;
}

START_TEST(an_unseen_write_is_a_grant_marked_in_every_listing)
{
	struct planner *p = new_planner();
	struct trace_unseen f = unseen('A', "/var/lib/rawfile", FILE_ROOT,
				       DIR_ROOT),
			    d = unseen('A', "/var/lib/rawdir", DIR_ROOT,
				       DIR_ROOT);
	struct plan *pl;
	json_t *j;
	char *t;

	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/var", DIR_ROOT);
	planner_add_unseen(p, &d);
	planner_add_unseen(p, &f);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_MKDIR, "/var/lib/rawdir"));
	ck_assert(grant_on(pl, GRANT_TOUCH, "/var/lib/rawfile")->ev.unseen);
	/* the formats that list grants (k8s, pod, compose and env leave
	 * them to the image's build) */
	for (int k = FORMAT_DOCKERFILE; k <= FORMAT_SH; k++) {
		t = render_ok(pl, (enum plan_format)k, NULL);
		ck_assert_msg(strstr(t, "/var/lib/rawfile (seen only in the "
					"container's changes)"),
			      "format %d: %s", k, t);
		free(t);
	}
	t = render_ok(pl, FORMAT_JSON, NULL);
	j = json_loads(t, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert(strstr(t, "\"seen_only_in_container_changes\": true"));
	ck_assert(strstr(t, "\"seen_only_in_container_changes\": false") ==
		  NULL);
	json_decref(j);
	free(t);
	plan_free(pl);
}
END_TEST

START_TEST(an_unseen_change_without_its_directory_is_a_note_not_dropped)
{
	struct planner *p = new_planner();
	struct trace_unseen u =
	    unseen('A', "/opt/x/file", FILE_ROOT, (struct file_state){0});
	struct trace_unseen c = unseen('C', "/var/cache", DIR_ROOT, DIR_ROOT);
	struct plan *pl;
	bool a = false, b = false;

	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/var", DIR_ROOT);
	planner_add_unseen(p, &u);
	planner_add_unseen(p, &c);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->ngrants, 0);
	for (size_t i = 0; i < pl->nnotes; i++) {
		a |= strstr(pl->notes[i], "/opt/x/file") &&
		     strstr(pl->notes[i], "seen only in the container");
		b |= strstr(pl->notes[i], "/var/cache") &&
		     strstr(pl->notes[i], "seen only in the container");
	}
	ck_assert(a && b);
	plan_free(pl);
}
END_TEST

/* container_parse on a docker run command line: its "run" object. */
static json_t *run_options(char **argv, int argc)
{
	struct container c = {.run = argv, .nrun = argc};
	char *why = NULL;
	json_t *r;

	ck_assert_msg(!container_parse(&c, &why), "%s", why);
	r = json_incref(c.runopts);
	container_free(&c);
	return r;
}

START_TEST(run_options_never_record_a_value_from_the_host)
{
	char *argv[] = {"--rm",
			"-e",
			"PLAIN=given",
			"-e",
			"XCHECK_SECRET",
			"--env=XCHECK_SAME=hunter2",
			"-u",
			"1001:1001",
			"-p",
			"8080:80",
			"--read-only",
			"--tmpfs",
			"/run:size=1m",
			"--cap-drop",
			"ALL",
			"-w",
			"/srv",
			"app:1",
			"serve"};
	json_t *r;
	char *s;

	setenv("XCHECK_SECRET", "hunter1", 1);
	setenv("XCHECK_SAME", "hunter2", 1);
	r = run_options(argv, sizeof argv / sizeof *argv);
	s = json_dumps(r, JSON_SORT_KEYS);
	ck_assert_msg(!strstr(s, "hunter"), "%s", s);
	ck_assert_msg(strstr(s, "{\"name\": \"PLAIN\", \"value\": \"given\"}"),
		      "%s", s);
	ck_assert(
	    strstr(s, "{\"from_host\": true, \"name\": \"XCHECK_SECRET\"}"));
	ck_assert(
	    strstr(s, "{\"from_host\": true, \"name\": \"XCHECK_SAME\"}"));
	ck_assert(strstr(s, "\"user\": \"1001:1001\""));
	ck_assert(strstr(s, "\"ports\": [\"8080:80\"]"));
	ck_assert(strstr(s, "\"read_only\": true"));
	ck_assert(strstr(s, "\"tmpfs\": [\"/run:size=1m\"]"));
	ck_assert(strstr(s, "\"cap_drop\": [\"ALL\"]"));
	ck_assert(strstr(s, "\"workdir\": \"/srv\""));
	free(s);
	json_decref(r);
}
END_TEST

START_TEST(pod_runs_the_traced_command_env_and_workdir)
{
	struct planner *p = new_planner();
	char *args[] = {"serve", "--port", "80"}, *ep = "/bin/app";
	struct deploy_env env[] = {{"PLAIN", "given"}, {"TOKEN", NULL}};
	struct plan_deploy d = {.image = "app:1",
				.args = args,
				.nargs = 3,
				.entrypoint = ep,
				.workdir = "/srv",
				.env = env,
				.nenv = 2};
	struct render_options ro = {.deploy = &d};
	struct plan *pl;
	char *t;

	dir_rec(p, "/", DIR_ROOT);
	pl = planner_finish(p);
	t = render_ok(pl, FORMAT_POD, &ro);
	ck_assert_msg(strstr(t, "      command:\n        - \"/bin/app\"\n"
				"      args:\n        - \"serve\"\n"),
		      "%s", t);
	ck_assert(strstr(t, "      workingDir: \"/srv\""));
	ck_assert(strstr(t, "      env:\n        - name: \"PLAIN\" # docker "
			    "run -e\n          value: \"given\"\n"));
	ck_assert(strstr(t, "        # - name: \"TOKEN\" # REVIEW"));
	free(t);
	plan_free(pl);
}
END_TEST

/* trace.json with "layer" and "run", read back through trace.h. */
START_TEST(the_reader_loads_the_layer_and_the_run)
{
	char dir[] = "/tmp/unroot-xcheck-XXXXXX", *path, *log;
	const struct trace_layer *l;
	const struct trace_run *r;
	const struct trace_unseen *u;
	struct trace *t;
	const char *why;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = xasprintf("%s/trace.json", dir);
	log = xasprintf("%s/log", dir);
	ck_assert_int_eq(mkdir(log, 0755), 0);
	f = fopen(path, "w");
	fputs("{\"unroot\": 2, \"runner\": \"docker\", \"image\": \"a:1\", "
	      "\"run\": {\"env\": [{\"name\": \"A\", \"value\": \"1\"}, "
	      "{\"name\": \"S\", \"from_host\": true}], \"workdir\": \"/w\", "
	      "\"command\": [\"x\", \"y\"]}, "
	      "\"layer\": {\"changes\": 9, \"uncovered\": [\"/data\"], "
	      "\"unseen\": [{\"path\": \"/var/lib/r\", \"change\": \"A\", "
	      "\"st\": {\"type\": \"dir\", \"uid\": 0, \"gid\": 0, "
	      "\"mode\": \"0755\"}}]}}",
	      f);
	fclose(f);
	t = trace_open((char *[]){dir}, 1, &why);
	ck_assert_ptr_nonnull(t);
	l = trace_meta_layer(t, 0);
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->changes, 9);
	ck_assert_uint_eq(l->nuncovered, 1);
	ck_assert_str_eq(l->uncovered[0], "/data");
	ck_assert_uint_eq(trace_nunseen(t), 1);
	u = trace_unseen_at(t, 0);
	ck_assert_str_eq(u->path, "/var/lib/r");
	ck_assert_int_eq(u->change, 'A');
	ck_assert_int_eq(u->st.type, FT_DIR);
	ck_assert_int_eq(u->parent.kind, ST_UNKNOWN);
	r = trace_meta_run(t, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->nenv, 2);
	ck_assert_str_eq(r->env[0].value, "1");
	ck_assert_ptr_null(r->env[1].value);
	ck_assert_str_eq(r->workdir, "/w");
	ck_assert(r->has_command);
	ck_assert_uint_eq(r->command.n, 2);
	trace_close(t);
	unlink(path);
	rmdir(log);
	rmdir(dir);
	free(path);
	free(log);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("plan xcheck");
	TCase *t = test_case("xcheck", NULL);

	tcase_add_test(t, an_unseen_write_is_a_grant_marked_in_every_listing);
	tcase_add_test(
	    t, an_unseen_change_without_its_directory_is_a_note_not_dropped);
	tcase_add_test(t, run_options_never_record_a_value_from_the_host);
	tcase_add_test(t, pod_runs_the_traced_command_env_and_workdir);
	tcase_add_test(t, the_reader_loads_the_layer_and_the_run);
	suite_add_tcase(s, t);
	return s;
}
