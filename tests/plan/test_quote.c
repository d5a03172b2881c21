/*
 * test_quote.c - adversarial names: quoting for sh, Dockerfile RUN/ENV and
 * JSON, and a generated sh plan run with /bin/sh in a scratch tree (with
 * UNROOT_ROOT as prefix) that must change exactly the intended paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "helpers.h"
#include "render.h"

static const char *const evil[] = {
    "/app/$(touch pwned-unroot)",
    "/app/`touch pwned-unroot`",
    "/app/it's \"quoted\"",
    "/app/new\nline",
    "/app/bad\xff\xfe utf8",
    "/app/semi;rm -rf x&&y|z",
    NULL,
};

START_TEST(sh_quote_round_trips)
{
	for (int i = 0; evil[i]; i++) {
		char *q = sh_quote(evil[i]);
		char *cmd = xasprintf("printf %%s %s", q);
		FILE *f = popen(cmd, "r");
		char buf[256] = {0};
		size_t n = fread(buf, 1, sizeof buf - 1, f);

		pclose(f);
		buf[n] = 0;
		ck_assert_str_eq(buf, evil[i]);
		free(q);
		free(cmd);
	}
	ck_assert_int_ne(access("pwned-unroot", F_OK), 0);
}
END_TEST

START_TEST(oneline_never_holds_a_newline)
{
	const char *why = NULL;

	for (int i = 0; evil[i]; i++) {
		char *q = sh_quote_oneline(evil[i], &why);

		ck_assert_ptr_nonnull(q);
		ck_assert_ptr_null(strchr(q, '\n'));
		free(q);
	}
	ck_assert_ptr_null(sh_quote_oneline("/app/ends\n", &why));
	ck_assert_ptr_nonnull(why);
	ck_assert_ptr_null(dockerfile_env_value("a\nb", '\\', &why));
	ck_assert_ptr_null(json_quote("/x\xff", &why));
	{
		char *c = comment_safe("/a\nRUN evil");

		ck_assert_ptr_null(strchr(c, '\n'));
		free(c);
	}
}
END_TEST

START_TEST(sh_plan_in_scratch_tree_changes_only_intended_paths)
{
	struct planner *p = new_planner();
	struct plan *pl;
	struct strbuf out = STRBUF_INIT;
	char *why = NULL, tmpl[] = "/tmp/unroot-plan-XXXXXX", *root, *script,
	     *cmd;
	FILE *f;

	if (geteuid() != 0)
		test_skip("the sh plan chowns to 1001, which needs root");
	root = mkdtemp(tmpl);
	ck_assert_ptr_nonnull(root);
	script = xasprintf("%s.sh", root);
	cmd = xasprintf("mkdir -p %s/app %s/keep && touch %s/keep/f", root,
			root, root);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	dir_rec(p, "/", DIR_ROOT);
	dir_rec(p, "/app", DIR_ROOT);
	for (int i = 0; evil[i]; i++)
		ev_mkdir(p, evil[i], DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_uint_eq(applied_grants(pl), 6);
	ck_assert_int_eq(plan_render(pl, FORMAT_SH, NULL, &out, &why), 0);
	f = fopen(script, "w");
	fwrite(out.buf, 1, out.len, f);
	fclose(f);
	for (int run = 0; run < 2; run++) { /* idempotent: twice */
		cmd = xasprintf("UNROOT_ROOT=%s /bin/sh %s", root, script);
		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
	}
	ck_assert_int_ne(access("pwned-unroot", F_OK), 0);
	for (int i = 0; evil[i]; i++) {
		char *path = xasprintf("%s%s", root, evil[i]);
		struct stat st;

		ck_assert_int_eq(lstat(path, &st), 0);
		ck_assert(S_ISDIR(st.st_mode));
		ck_assert_uint_eq(st.st_uid, 1001);
		free(path);
	}
	{
		struct stat st;
		char *app = xasprintf("%s/app", root);
		char *count = xasprintf(
		    "test $(find %s -print0 | tr -cd '\\0' | wc -c) -eq 10",
		    root);

		ck_assert_int_eq(stat(app, &st), 0);
		ck_assert_uint_eq(st.st_uid, geteuid()); /* /app untouched */
		ck_assert_int_eq(system(count), 0);
		free(app);
		free(count);
	}
	/* the Dockerfile form refuses nothing here but keeps one line per
	 * command */
	sb_reset(&out);
	ck_assert_int_eq(plan_render(pl, FORMAT_DOCKERFILE, NULL, &out, &why),
			 0);
	ck_assert_ptr_nonnull(strstr(out.buf, "USER 1001:1001\n"));
	ck_assert_ptr_null(strstr(out.buf, "\nline"));
	cmd = xasprintf("rm -rf %s %s", root, script);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(script);
	sb_release(&out);
	plan_free(pl);
}
END_TEST

START_TEST(trailing_newline_is_refused_in_dockerfile)
{
	struct planner *p = new_planner();
	struct plan *pl;
	struct strbuf out = STRBUF_INIT;
	char *why = NULL;

	dir_rec(p, "/app", DIR_ROOT);
	ev_mkdir(p, "/app/end\n", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_int_eq(plan_render(pl, FORMAT_DOCKERFILE, NULL, &out, &why),
			 -1);
	ck_assert_ptr_nonnull(why);
	free(why);
	sb_release(&out);
	plan_free(pl);
}
END_TEST

/* Random bytes in names: each round plans 4 random directories under /srv,
 * renders the Dockerfile, joins its RUN line's continuations as the
 * builder does, drops the user creation and runs the rest with /bin/sh
 * in a private mount namespace with a tmpfs on /srv: exactly the intended
 * directories must exist, all owned by 1001.  A refused plan must say why
 * and emit nothing. */
START_TEST(dockerfile_run_random_names)
{
	if (geteuid() != 0 || system("unshare -m true 2>/dev/null") != 0)
		test_skip("needs root and unshare -m (namespace, chown)");
	char tmpl[] = "/tmp/unroot-dq-XXXXXX", *dir = mkdtemp(tmpl);
	int refused = 0, ran = 0;

	ck_assert_ptr_nonnull(dir);
	srand(7);
	for (int round = 0; round < 40; round++) {
		struct planner *p = new_planner();
		struct strbuf out = STRBUF_INIT;
		char *why = NULL, names[4][16];
		char *exp = xasprintf("%s/exp", dir),
		     *run = xasprintf("%s/run", dir);
		FILE *e = fopen(exp, "w");

		dir_rec(p, "/", DIR_ROOT);
		dir_rec(p, "/srv", DIR_ROOT);
		for (int i = 0; i < 4; i++) {
			int len = 1 + rand() % 12, k = 0;

			while (k < len) {
				int c = 1 + rand() % 255;
				if (c != '/')
					names[i][k++] = (char)c;
			}
			names[i][k] = 0;
			if (!strcmp(names[i], ".") || !strcmp(names[i], "..")) {
				names[i][0] = 'd';
			}
			for (int j = 0; j < i; j++)
				if (!strcmp(names[i], names[j]))
					names[i][0] ^= 1;
			char *path = xasprintf("/srv/%s", names[i]);
			ev_mkdir(p, path, DIR_ROOT);
			fprintf(e, "/srv/%s%c", names[i], 0);
			free(path);
		}
		fclose(e);
		struct plan *pl = planner_finish(p);
		if (plan_render(pl, FORMAT_DOCKERFILE, NULL, &out, &why) != 0) {
			ck_assert_ptr_nonnull(why);
			free(why);
			refused++;
		} else {
			char *r = strstr(out.buf, "\nRUN ");
			ck_assert_ptr_nonnull(r);
			r = strstr(r, "fi && \\\n");
			ck_assert_ptr_nonnull(r);
			r += strlen("fi && \\\n");
			FILE *f = fopen(run, "w");
			/* the continuations end at the first line without " \\"
			 */
			for (char *q = r; *q; q++) {
				if (q[0] == ' ' && q[1] == '\\' &&
				    q[2] == '\n') {
					q += 2;
					continue;
				}
				if (*q == '\n')
					break;
				fputc(*q, f);
			}
			fputc('\n', f);
			fclose(f);
			char *cmd = xasprintf(
			    "unshare -m sh -c 'mount -t tmpfs t /srv && cd %s "
			    "&& "
			    "sh run && find /srv -mindepth 1 -print0 | sort -z "
			    ">got && "
			    "sort -z exp >exp.s && cmp -s got exp.s && "
			    "test -z \"$(find /srv -mindepth 1 ! -user "
			    "1001)\"'",
			    dir);
			ck_assert_msg(system(cmd) == 0, "round %d: %s", round,
				      r);
			free(cmd);
			ran++;
		}
		sb_release(&out);
		plan_free(pl);
		free(exp);
		free(run);
	}
	ck_assert_int_ne(access("pwned-unroot", F_OK), 0);
	fprintf(stderr, "dockerfile random names: %d run, %d refused\n", ran,
		refused);
	ck_assert_int_gt(ran, 20);
	char *rm = xasprintf("rm -rf %s", dir);
	ck_assert_int_eq(system(rm), 0);
	free(rm);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("quote");
	TCase *t = test_case("quote", NULL);

	tcase_add_test(t, sh_quote_round_trips);
	tcase_add_test(t, oneline_never_holds_a_newline);
	tcase_add_test(t, sh_plan_in_scratch_tree_changes_only_intended_paths);
	tcase_add_test(t, trailing_newline_is_refused_in_dockerfile);
	suite_add_tcase(s, t);
	/* 40 rounds of unshare + sh: slow under load or a sanitizer */
	t = test_case("quote_random_names", NULL);
	tcase_set_timeout(t, 240);
	tcase_add_test(t, dockerfile_run_random_names);
	suite_add_tcase(s, t);
	return s;
}
