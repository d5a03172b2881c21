/*
 * test_apply.c - inserting a plan into real-world Dockerfile shapes
 * (single stage, multi-stage, existing USER, ENTRYPOINT+CMD,
 * continuations, the escape directive) and idempotency of a second apply.
 */
#include <stdlib.h>

#include "apply.h"
#include "dockerfile.h"
#include "check_main.h"
#include "helpers.h"
#include "render.h"

static char *apply_once(const char *text, const char *block)
{
	struct dockerfile *df = dockerfile_parse(text, strlen(text));
	struct strbuf out = STRBUF_INIT;

	dockerfile_insert(df, block, NULL, &out);
	dockerfile_free(df);
	return sb_detach(&out);
}

static char *apply_twice_checked(const char *text, const char *block)
{
	char *once = apply_once(text, block), *twice = apply_once(once, block);

	ck_assert_str_eq(once, twice);
	free(twice);
	return once;
}

static const char *BLOCK = "RUN mkdir -p '/app/model'\nUSER 1001:1001\n";

START_TEST(single_stage_before_cmd)
{
	char *o = apply_twice_checked(
	    "FROM python:3.11-slim\n# deps\nRUN pip install x && \\\n    pip "
	    "install y\nCOPY . /app\nCMD [\"python\", \"a.py\"]\n",
	    BLOCK);

	ck_assert_ptr_nonnull(
	    strstr(o, "COPY . /app\n" DF_BEGIN "\nRUN mkdir"));
	ck_assert_ptr_nonnull(strstr(o, DF_END "\nCMD ["));
	ck_assert_ptr_nonnull(
	    strstr(o, "RUN pip install x && \\\n    pip install y\n"));
	free(o);
}
END_TEST

START_TEST(multi_stage_final_only)
{
	char *o = apply_twice_checked(
	    "FROM golang AS build\nRUN go build\nFROM debian AS run\nCOPY "
	    "--from=build /x /x\nENTRYPOINT [\"/x\"]\nCMD [\"-v\"]\n",
	    BLOCK);
	char *first = strstr(o, DF_BEGIN);

	ck_assert_ptr_nonnull(first);
	ck_assert(first > strstr(o, "FROM debian"));
	ck_assert(first < strstr(o, "ENTRYPOINT"));
	free(o);
}
END_TEST

START_TEST(existing_user_switches_to_root_and_back)
{
	const char *in = "FROM node\nRUN useradd app\nUSER app\nRUN npm "
			 "ci\nCMD [\"node\"]\n";
	struct dockerfile *df = dockerfile_parse(in, strlen(in));
	char *o;

	ck_assert_str_eq(dockerfile_final_user(df), "app");
	dockerfile_free(df);
	o = apply_twice_checked(in, BLOCK);
	ck_assert_ptr_nonnull(strstr(o, DF_BEGIN "\nUSER root\n"));
	ck_assert_ptr_nonnull(strstr(o, "USER app\n" DF_END "\nCMD"));
	free(o);
}
END_TEST

START_TEST(escape_directive_and_heredoc)
{
	const char *in =
	    "# escape=`\nFROM mcr.microsoft.com/windows\nRUN echo a `\n    "
	    "b\nRUN <<EOF\nset -e\nCMD not an instruction\nEOF\nCMD [\"x\"]\n";
	struct dockerfile *df = dockerfile_parse(in, strlen(in));
	char *o;

	ck_assert_int_eq(df->escape, '`');
	ck_assert_uint_eq(df->nins, 4);
	dockerfile_free(df);
	o = apply_twice_checked(in, BLOCK);
	ck_assert_ptr_nonnull(strstr(o, "EOF\n" DF_BEGIN));
	free(o);
}
END_TEST

START_TEST(rendered_plan_in_escape_file)
{
	struct planner *p = new_planner();
	struct plan *pl;
	struct strbuf out = STRBUF_INIT;
	struct render_options ro = {.escape = '`'};
	char *why = NULL;

	dir_rec(p, "/app", DIR_ROOT);
	ev_mkdir(p, "/app/a", DIR_ROOT);
	ev_mkdir(p, "/app/b", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_int_eq(plan_render(pl, FORMAT_DOCKERFILE, &ro, &out, &why),
			 0);
	ck_assert_ptr_nonnull(strstr(out.buf, " && `\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "useradd -l -M -u 1001 -g 1001"));
	ck_assert_ptr_nonnull(strstr(out.buf, "groupadd -g 1001"));
	ck_assert_ptr_null(strstr(out.buf, "&& \\\n#"));
	sb_release(&out);
	plan_free(pl);
}
END_TEST

/* apply_insert of a plan with a grant under /data and one elsewhere, into
 * text; the result is applied twice (the same both times). */
static char *apply_plan_twice(const char *text)
{
	struct planner *p = new_planner();
	struct plan *pl;
	struct dockerfile *df = dockerfile_parse(text, strlen(text));
	struct strbuf out = STRBUF_INIT, again = STRBUF_INIT;
	char *why = NULL;

	dir_rec(p, "/data", DIR_ROOT);
	dir_rec(p, "/srv", DIR_ROOT);
	ev_mkdir(p, "/data/cache", DIR_ROOT);
	ev_mkdir(p, "/srv/out", DIR_ROOT);
	pl = planner_finish(p);
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_MKDIR, "/data/cache"));
	ck_assert_ptr_nonnull(grant_on(pl, GRANT_MKDIR, "/srv/out"));
	ck_assert_int_eq(apply_insert(df, pl, &out, &why), 0);
	dockerfile_free(df);
	df = dockerfile_parse(out.buf, out.len);
	ck_assert_int_eq(apply_insert(df, pl, &again, &why), 0);
	ck_assert_str_eq(out.buf, again.buf);
	dockerfile_free(df);
	sb_release(&again);
	plan_free(pl);
	return sb_detach(&out);
}

/* Docker keeps no change made to a volume's path after its VOLUME line:
 * the grant under /data comes before it, the rest where it always goes. */
START_TEST(grants_under_a_volume_come_before_its_volume_line)
{
	char *o = apply_plan_twice("FROM debian\nRUN apt-get update\n"
				   "VOLUME [\"/data\", \"/logs\"]\n"
				   "RUN echo after\nCMD [\"x\"]\n");
	const char *vol = strstr(o, "VOLUME [");
	const char *early = strstr(o, "mkdir -p '/data/cache'");
	const char *rest = strstr(o, "mkdir -p '/srv/out'");

	ck_assert_ptr_nonnull(vol);
	ck_assert_ptr_nonnull(early);
	ck_assert_ptr_nonnull(rest);
	ck_assert(strstr(o, "RUN apt-get update\n" DF_BEGIN) < early);
	ck_assert(early < vol);
	ck_assert_ptr_nonnull(strstr(early, "\n" DF_END "\nVOLUME ["));
	ck_assert(rest > strstr(o, "RUN echo after"));
	ck_assert_ptr_null(strstr(vol, "/data/cache"));
	ck_assert(strstr(o, "/srv/out") > vol);
	free(o);
}
END_TEST

/* The word form, a later VOLUME, and a stage that runs as another user:
 * the block before the VOLUME switches to root and back. */
START_TEST(volume_block_runs_as_root_in_a_user_stage)
{
	char *o = apply_plan_twice("FROM debian\nRUN useradd app\nUSER app\n"
				   "VOLUME /logs /data\nCOPY . /app\n");
	const char *early = strstr(o, "mkdir -p '/data/cache'");

	ck_assert_ptr_nonnull(early);
	ck_assert_ptr_nonnull(strstr(o, "USER app\n" DF_BEGIN
					"\nUSER root\n# before the VOLUME"));
	ck_assert_ptr_nonnull(
	    strstr(early, "\nUSER app\n" DF_END "\nVOLUME /logs /data\n"));
	ck_assert(strstr(o, "mkdir -p '/srv/out'") > strstr(o, "COPY . /app"));
	free(o);
}
END_TEST

/* A VOLUME after the stage's last step that changes files (its usual
 * place, before CMD): the grant goes first in the main block, before the
 * USER line that block ends with, so it runs as root (after that line a
 * mkdir of a new volume path was denied at build time). */
START_TEST(volume_grant_after_the_last_step_runs_before_the_user_line)
{
	char *o = apply_plan_twice("FROM debian\nCOPY app /app\n"
				   "VOLUME /data\nCMD [\"x\"]\n");
	const char *early = strstr(o, "mkdir -p '/data/cache'");
	const char *user = strstr(o, "\nUSER 1001");

	ck_assert_ptr_nonnull(early);
	ck_assert_ptr_nonnull(user);
	ck_assert(early < user);
	ck_assert(user < strstr(o, "\nVOLUME /data\n"));
	ck_assert_ptr_null(strstr(user, "/data/cache"));
	free(o);
}
END_TEST

/* A volume path named by a variable is not known: nothing moves. */
START_TEST(volume_with_a_variable_moves_nothing)
{
	char *o = apply_plan_twice("FROM debian\nVOLUME $DATA\n"
				   "RUN echo after\n");

	ck_assert(strstr(o, "mkdir -p '/data/cache'") >
		  strstr(o, "RUN echo after"));
	free(o);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("apply");
	TCase *t = test_case("apply", NULL);

	tcase_add_test(t, single_stage_before_cmd);
	tcase_add_test(t, multi_stage_final_only);
	tcase_add_test(t, existing_user_switches_to_root_and_back);
	tcase_add_test(t, escape_directive_and_heredoc);
	tcase_add_test(t, rendered_plan_in_escape_file);
	tcase_add_test(t, grants_under_a_volume_come_before_its_volume_line);
	tcase_add_test(t, volume_block_runs_as_root_in_a_user_stage);
	tcase_add_test(
	    t, volume_grant_after_the_last_step_runs_before_the_user_line);
	tcase_add_test(t, volume_with_a_variable_moves_nothing);
	suite_add_tcase(s, t);
	return s;
}
