/*
 * test_k8s.c - the k8s, pod and compose renderers (render_k8s.c,
 * render_pod.c, render_compose.c) on plans made from events in memory:
 * what each format must say, and what it must refuse.  Their consumers
 * (kubectl kustomize, docker-compose, podman) run them in
 * tests/plan/e2e_k8s_*.sh and tests/container/k8s_compose.sh.
 */
#include <stdlib.h>

#include "check_main.h"
#include "helpers.h"
#include "render.h"

static void base_dirs(struct planner *p)
{
	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/app", DIR_ROOT);
	dir_rec(p, "/tmp", TMP);
	dir_rec(p, "/var", DIR_ROOT);
	dir_rec(p, "/var/cache", DIR_ROOT);
	dir_rec(p, "/var/log", DIR_ROOT);
}

/* A server (not an interpreter, cwd /) writes a log in dir, which the
 * image holds empty: a read-only root needs a mount there. */
static void log_write(struct planner *p, const char *dir, const char *file)
{
	static struct trace_proc srv;

	srv = root_proc;
	srv.exe = "/usr/sbin/server";
	srv.cwd = "/";
	dir_rec(p, dir, DIR_ROOT);
	ev_full(p, OP_OPEN, file, NULL, O_WRONLY | O_APPEND | O_CREAT,
		"O_WRONLY|O_APPEND|O_CREAT", S(FT_FILE, 0, 0, 0640), DIR_ROOT,
		NOSTATE, 0, &srv);
}

static int render_rc(const struct plan *pl, enum plan_format f,
		     const struct render_options *ro, char **text, char **why)
{
	struct strbuf out = STRBUF_INIT;
	int rc = plan_render(pl, f, ro, &out, why);

	*text = sb_detach(&out);
	return rc;
}

static char *render_ok(const struct plan *pl, enum plan_format f,
		       const struct render_options *ro)
{
	char *text, *why = NULL;

	ck_assert_msg(!render_rc(pl, f, ro, &text, &why), "%s", why);
	return text;
}

static void bind_port(struct planner *p, const char *addr, unsigned port)
{
	struct trace_net n = {.pid = 100, .addr = (char *)addr, .port = port};

	planner_add_net(p, &n);
}

/* Text outside comments. */
static char *body(const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n");
		const char *c = l + strspn(l, " ");

		if (*c != '#')
			sb_addf(&sb, "%.*s\n", (int)n, l);
		l += n + (l[n] ? 1 : 0);
	}
	return sb_detach(&sb);
}

START_TEST(read_only_k8s_has_an_emptydir_per_runtime_dir)
{
	struct planner *p = new_planner_ro();
	struct render_options ro = {.read_only = true};
	struct plan *pl;
	char *t;

	base_dirs(p);
	log_write(p, "/var/log/app", "/var/log/app/access.log");
	log_write(p, "/tmp", "/tmp/x");
	pl = planner_finish(p);
	t = render_ok(pl, FORMAT_K8S, &ro);
	ck_assert_ptr_nonnull(strstr(t, "readOnlyRootFilesystem: true"));
	ck_assert_ptr_nonnull(strstr(t, "mountPath: \"/var/log/app\""));
	ck_assert_ptr_nonnull(strstr(t, "mountPath: \"/tmp\""));
	ck_assert_ptr_nonnull(strstr(t, "- name: unroot-rw-1\n"
					"          emptyDir: {}"));
	ck_assert_ptr_nonnull(strstr(t, "runAsNonRoot: true"));
	ck_assert_ptr_nonnull(strstr(t, "type: RuntimeDefault"));
	ck_assert_ptr_nonnull(strstr(t, "drop: [\"ALL\"]"));
	ck_assert_ptr_null(strstr(t, "fsGroup"));
	free(t);
	/* without --read-only the root stays writable */
	t = render_ok(pl, FORMAT_K8S, NULL);
	ck_assert_ptr_null(strstr(t, "readOnlyRootFilesystem"));
	free(t);
	plan_free(pl);
}
END_TEST

START_TEST(low_port_gets_the_sysctl_never_net_bind_service)
{
	struct planner *p = new_planner();
	struct plan *pl;
	char *t, *b;

	base_dirs(p);
	bind_port(p, "0.0.0.0", 80);
	bind_port(p, "0.0.0.0", 80);
	bind_port(p, "::", 8443);
	bind_port(p, "127.0.0.1", 0);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->nports, 2);
	ck_assert_uint_eq(pl->low_port, 80);
	ck_assert_uint_eq(pl->ngrants, 0);
	ck_assert_uint_eq(pl->nnotes, 1);
	ck_assert_ptr_nonnull(
	    strstr(pl->notes[0], "net.ipv4.ip_unprivileged_port_start=80"));
	t = render_ok(pl, FORMAT_K8S, NULL);
	b = body(t);
	ck_assert_ptr_nonnull(
	    strstr(b, "- name: net.ipv4.ip_unprivileged_port_start\n"));
	ck_assert_ptr_nonnull(strstr(b, "value: \"80\"\n"));
	ck_assert_ptr_null(strstr(b, "NET_BIND_SERVICE"));
	ck_assert_ptr_null(strstr(b, "add:"));
	free(b);
	free(t);
	/* Compose: Docker's sysctl is already 0, said, not set */
	t = render_ok(pl, FORMAT_COMPOSE, NULL);
	b = body(t);
	ck_assert_ptr_null(strstr(b, "sysctl"));
	ck_assert_ptr_null(strstr(b, "cap_add"));
	ck_assert_ptr_nonnull(strstr(t, "Docker sets it to 0"));
	free(b);
	free(t);
	plan_free(pl);
}
END_TEST

START_TEST(high_port_needs_no_sysctl)
{
	struct planner *p = new_planner();
	struct plan *pl;
	char *t;

	base_dirs(p);
	bind_port(p, "0.0.0.0", 8080);
	pl = planner_finish(p);
	ck_assert_uint_eq(pl->low_port, 0);
	ck_assert_uint_eq(pl->nnotes, 0);
	t = render_ok(pl, FORMAT_K8S, NULL);
	ck_assert_ptr_null(strstr(t, "sysctls"));
	free(t);
	plan_free(pl);
}
END_TEST

START_TEST(pod_names_the_image_and_reviews_host_binds)
{
	struct planner *p = new_planner_ro();
	struct deploy_mount m[] = {
	    {.container = "/data", .host = "/srv/data"},
	    {.container = "/models", .volume = "models", .ro = true},
	};
	char *args[] = {"/usr/bin/python3", "/app/serve.py"};
	struct plan_deploy d = {.image = "registry.example/team/My_App:1.2",
				.args = args,
				.nargs = 2,
				.mounts = m,
				.nmounts = 2};
	struct render_options ro = {.read_only = true, .deploy = &d};
	struct plan *pl;
	char *t;

	base_dirs(p);
	bind_port(p, "0.0.0.0", 8080);
	pl = planner_finish(p);
	t = render_ok(pl, FORMAT_POD, &ro);
	ck_assert_ptr_nonnull(strstr(t, "kind: Pod\n"));
	ck_assert_ptr_nonnull(strstr(t, "  name: my-app\n"));
	ck_assert_ptr_nonnull(
	    strstr(t, "image: \"registry.example/team/My_App:1.2\""));
	ck_assert_ptr_nonnull(strstr(t, "- \"/app/serve.py\"\n"));
	ck_assert_ptr_nonnull(strstr(t, "- containerPort: 8080\n"));
	ck_assert_ptr_nonnull(strstr(t, "# REVIEW: a host directory"));
	ck_assert_ptr_nonnull(strstr(t, "path: \"/srv/data\""));
	ck_assert_ptr_nonnull(strstr(t, "claimName: \"models\""));
	ck_assert_ptr_nonnull(strstr(t, "mountPath: \"/models\"\n"
					"          readOnly: true"));
	free(t);
	/* a command cut to its name is not written */
	d.args = NULL;
	d.nargs = 0;
	d.args_cut = true;
	t = render_ok(pl, FORMAT_POD, &ro);
	ck_assert_ptr_null(strstr(t, "command:\n"));
	ck_assert_ptr_nonnull(strstr(t, "only its name was recorded"));
	free(t);
	plan_free(pl);
}
END_TEST

START_TEST(loopback_only_port_is_not_a_container_port)
{
	struct planner *p = new_planner();
	struct plan_deploy d = {.image = "app:1"};
	struct render_options ro = {.deploy = &d};
	struct plan *pl;
	char *t;

	base_dirs(p);
	bind_port(p, "127.0.0.1", 2019); /* an admin endpoint */
	bind_port(p, "::1", 9000);
	bind_port(p, "::1", 8080); /* then on every address: listed */
	bind_port(p, "0.0.0.0", 8080);
	bind_port(p, "::", 80);
	pl = planner_finish(p);
	t = render_ok(pl, FORMAT_POD, &ro);
	ck_assert_ptr_null(strstr(t, "containerPort: 2019"));
	ck_assert_ptr_null(strstr(t, "containerPort: 9000"));
	ck_assert_ptr_nonnull(strstr(t, "port 2019 is bound to loopback only"));
	ck_assert_ptr_nonnull(strstr(t, "- containerPort: 8080\n"));
	ck_assert_ptr_nonnull(strstr(t, "- containerPort: 80\n"));
	/* the low port still gets its sysctl */
	ck_assert_ptr_nonnull(strstr(t, "net.ipv4.ip_unprivileged_port_start"));
	free(t);
	plan_free(pl);
}
END_TEST

START_TEST(pod_without_an_image_is_refused)
{
	struct planner *p = new_planner();
	struct plan_deploy d = {0};
	struct render_options ro = {.deploy = &d};
	struct plan *pl;
	char *t, *why = NULL;

	base_dirs(p);
	pl = planner_finish(p);
	ck_assert_int_eq(render_rc(pl, FORMAT_POD, &ro, &t, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "names no image"));
	free(why);
	free(t);
	why = NULL;
	ck_assert_int_eq(render_rc(pl, FORMAT_POD, NULL, &t, &why), -1);
	free(why);
	free(t);
	plan_free(pl);
}
END_TEST

START_TEST(a_path_that_is_not_utf8_fails_the_yaml_render)
{
	struct planner *p = new_planner_ro();
	struct render_options ro = {.read_only = true};
	struct plan *pl;
	char *t, *why = NULL;

	base_dirs(p);
	log_write(p, "/var/log/bad\xff", "/var/log/bad\xff/a.log");
	pl = planner_finish(p);
	ck_assert_uint_ge(pl->ntmpfs, 1);
	ck_assert_int_eq(render_rc(pl, FORMAT_K8S, &ro, &t, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "into YAML"));
	free(why);
	free(t);
	why = NULL;
	ck_assert_int_eq(render_rc(pl, FORMAT_COMPOSE, &ro, &t, &why), -1);
	free(why);
	free(t);
	plan_free(pl);
}
END_TEST

START_TEST(compose_keys_are_those_of_the_verified_run)
{
	struct planner *p = new_planner_ro();
	struct render_options ro = {.read_only = true};
	struct plan *pl;
	char *t;

	base_dirs(p);
	log_write(p, "/var/log/app", "/var/log/app/access.log");
	pl = planner_finish(p);
	t = render_ok(pl, FORMAT_COMPOSE, &ro);
	ck_assert_ptr_nonnull(strstr(t, "user: \"1001:1001\"\n"));
	ck_assert_ptr_nonnull(strstr(t, "read_only: true\n"));
	ck_assert_ptr_nonnull(
	    strstr(t, "- \"/var/log/app:uid=1001,gid=1001,mode=0755\"\n"));
	ck_assert_ptr_nonnull(strstr(t, "cap_drop:\n  - ALL\n"));
	ck_assert_ptr_nonnull(
	    strstr(t, "security_opt:\n  - \"no-new-privileges:true\"\n"));
	free(t);
	plan_free(pl);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("plan k8s");
	TCase *t = test_case("k8s", NULL);

	tcase_add_test(t, read_only_k8s_has_an_emptydir_per_runtime_dir);
	tcase_add_test(t, low_port_gets_the_sysctl_never_net_bind_service);
	tcase_add_test(t, high_port_needs_no_sysctl);
	tcase_add_test(t, pod_names_the_image_and_reviews_host_binds);
	tcase_add_test(t, loopback_only_port_is_not_a_container_port);
	tcase_add_test(t, pod_without_an_image_is_refused);
	tcase_add_test(t, a_path_that_is_not_utf8_fails_the_yaml_render);
	tcase_add_test(t, compose_keys_are_those_of_the_verified_run);
	suite_add_tcase(s, t);
	return s;
}
