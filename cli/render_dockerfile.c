/*
 * render_dockerfile.c - the plan as Dockerfile lines for the final stage:
 * comments saying why, ENV for the redirects, one RUN that creates the
 * user and makes the grants, the mount advice and the USER line.  For an
 * image without a shell (distroless) the new names are made in a busybox
 * stage and copied with their owner instead.
 */
#include <stdlib.h>
#include <string.h>

#include "render_int.h"

static void docker_user_cmds(struct words *cmds, const struct plan *pl)
{
	char *name = sh_quote(pl->user), *group = sh_quote(pl->group);
	char *home = sh_quote(pl->home);

	if (!pl->create_user)
		goto out;
	/* one element of the RUN's && chain: shadow's useradd, else
	 * busybox's adduser (Alpine, or a minimal image) */
	{
		char *gs = pl->create_group ? xasprintf("groupadd -g %u %s && ",
							pl->gid, group)
					    : xstrdup("");
		char *ga = pl->create_group ? xasprintf("addgroup -g %u %s && ",
							pl->gid, group)
					    : xstrdup("");

		words_add(
		    cmds,
		    xasprintf("if command -v useradd >/dev/null 2>&1; then "
			      "%suseradd -l -M -u %u -g %u -d %s %s; "
			      "else %sadduser -D -H -u %u -G %s -h %s %s; fi",
			      gs, pl->uid, pl->gid, home, name, ga, pl->uid,
			      group, home, name));
		free(gs);
		free(ga);
	}
out:
	free(name);
	free(group);
	free(home);
}

static void docker_run(struct strbuf *sb, struct words *cmds, char escape)
{
	for (size_t i = 0; i < cmds->n; i++) {
		sb_adds(sb, i ? "    " : "RUN ");
		sb_adds(sb, cmds->v[i]);
		if (i + 1 < cmds->n)
			sb_addf(sb, " && %c\n", escape);
		else
			sb_addc(sb, '\n');
	}
}

static int docker_env_lines(struct strbuf *sb, const struct plan *pl,
			    char escape, char **why)
{
	bool home_redirected = false;

	for (size_t i = 0; i < pl->nredirects; i++) {
		const struct redirect *r = &pl->redirects[i];
		const char *reason = NULL;
		char *v = dockerfile_env_value(r->value, escape, &reason);

		if (!v) {
			*why = xasprintf("cannot set %s in a Dockerfile: %s",
					 r->var, reason);
			return -1;
		}
		home_redirected |= !strcmp(r->var, "HOME");
		sb_adds(sb, "# ");
		add_evidence(sb, &r->ev);
		sb_addf(sb, "\n#   redirect%s%s\n", r->writer ? ": " : "",
			r->writer ? r->writer->program : "");
		sb_addf(sb, "ENV %s=%s\n", r->var, v);
		free(v);
	}
	(void)home_redirected;
	return 0;
}

/* The comments of grants idx[0..n) (every grant when idx is NULL) in
 * comments, their commands added to all; 0, or -1 with *why. */
static int grant_lines(const struct plan *pl, const size_t *idx, size_t n,
		       struct words *all, struct strbuf *comments, char **why)
{
	struct quoting q = {.sh = false};
	struct words cmds = {0};

	for (size_t j = 0; j < (idx ? n : pl->ngrants); j++) {
		const struct grant *g = &pl->grants[idx ? idx[j] : j];

		add_grant_comment(comments, g);
		if (grant_commands(&cmds, pl, g, &q, why)) {
			words_free(&cmds);
			return -1;
		}
		if (g->alternative) {
			for (size_t k = 0; k < cmds.n; k++)
				add_comment(comments,
					    "  alternative: ", cmds.v[k]);
			words_free(&cmds);
			continue;
		}
		for (size_t k = 0; k < cmds.n; k++)
			words_add(all, cmds.v[k]);
		free(cmds.v);
		cmds.v = NULL;
		cmds.n = 0;
	}
	return 0;
}

int plan_render_grants(const struct plan *pl, const size_t *idx, size_t n,
		       const struct render_options *ro, struct strbuf *sb,
		       char **why)
{
	struct words all = {0};
	struct strbuf comments = STRBUF_INIT;
	int rc = grant_lines(pl, idx, n, &all, &comments, why);

	if (!rc) {
		sb_add(sb, comments.buf, comments.len);
		if (all.n)
			docker_run(sb, &all,
				   ro && ro->escape ? ro->escape : '\\');
	}
	words_free(&all);
	sb_release(&comments);
	return rc;
}

static int render_shell_stage(const struct plan *pl,
			      const struct render_options *ro,
			      struct strbuf *sb, char **why)
{
	struct quoting q = {.sh = false};
	struct words all = {0};
	struct strbuf comments = STRBUF_INIT;
	char escape = ro && ro->escape ? ro->escape : '\\';
	int rc = -1;

	add_header(sb, pl);
	if (docker_env_lines(sb, pl, escape, why))
		goto out;
	docker_user_cmds(&all, pl);
	for (size_t i = 0; i < pl->nredirects; i++)
		if (redirect_commands(&all, pl, &pl->redirects[i], &q, why))
			goto out;
	if (grant_lines(pl, NULL, 0, &all, &comments, why))
		goto out;
	sb_add(sb, comments.buf, comments.len);
	if (all.n)
		docker_run(sb, &all, escape);
	add_mount_sections(sb, pl);
	add_user_line(sb, pl);
	rc = 0;
out:
	words_free(&all);
	sb_release(&comments);
	return rc;
}

/* Distroless: prepare the new names in a stage that has a shell, then
 * COPY them with their owner.  Existing paths cannot be chowned. */
int plan_render_noshell_stage(const struct plan *pl,
			      const struct render_options *ro,
			      struct strbuf *out, char **why)
{
	struct quoting q = {.sh = false};
	struct words cmds = {0};
	char escape = ro && ro->escape ? ro->escape : '\\';

	(void)escape;
	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];
		char *staged, *qp;

		if (g->alternative ||
		    (g->kind != GRANT_MKDIR && g->kind != GRANT_TOUCH))
			continue;
		staged = xasprintf("/unroot-stage%s", g->path);
		qp = quote_path(&q, staged, why);
		free(staged);
		if (!qp) {
			words_free(&cmds);
			return -1;
		}
		words_add(
		    &cmds,
		    g->kind == GRANT_MKDIR
			? xasprintf("mkdir -p %s", qp)
			: xasprintf("mkdir -p \"$(dirname %s)\" && touch %s",
				    qp, qp));
		free(qp);
	}
	if (!cmds.n)
		words_add(&cmds, xstrdup("mkdir -p /unroot-stage"));
	sb_adds(out, "# unroot: the final image has no shell; new names are "
		     "prepared here and copied with their owner\n"
		     "FROM busybox:stable AS unroot-grants\n");
	docker_run(out, &cmds, escape);
	words_free(&cmds);
	return 0;
}

static int render_noshell_final(const struct plan *pl, struct strbuf *sb,
				char **why)
{
	char *name = comment_safe(pl->user);
	int rc = 0;

	add_header(sb, pl);
	for (size_t i = 0; i < pl->ngrants && !rc; i++) {
		const struct grant *g = &pl->grants[i];
		const char *reason = NULL;
		char *src, *dst, *stage;

		if (g->alternative)
			continue;
		add_grant_comment(sb, g);
		if (g->kind == GRANT_READ) {
			sb_addf(sb,
				"#   not possible without a shell: copy it "
				"with --chown=0:%u --chmod=640 in the stage "
				"that builds it\n",
				pl->openshift ? 0 : pl->gid);
			continue;
		}
		if (g->kind != GRANT_MKDIR && g->kind != GRANT_TOUCH) {
			sb_adds(sb,
				"#   not possible without a shell: chown it "
				"in the stage that builds it (COPY --chown)\n");
			continue;
		}
		stage = xasprintf("/unroot-stage%s", g->path);
		src = json_quote(stage, &reason);
		dst = src ? json_quote(g->path, &reason) : NULL;
		if (!dst) {
			char *e = comment_safe(g->path);

			*why = xasprintf("cannot write %s into COPY: %s", e,
					 reason);
			free(e);
			rc = -1;
		} else
			sb_addf(sb,
				"COPY --from=unroot-grants --chown=%u:%u [%s, "
				"%s]\n",
				pl->uid, pl->gid, src, dst);
		free(stage);
		free(src);
		free(dst);
	}
	for (size_t i = 0; i < pl->nredirects && !rc; i++)
		if (pl->redirects[i].dir)
			sb_adds(sb, "# a redirect directory needs a stage too: "
				    "prepare it like the names above\n");
	if (!rc) {
		if (docker_env_lines(sb, pl, '\\', why))
			rc = -1;
		add_mount_sections(sb, pl);
		add_user_line(sb, pl);
	}
	free(name);
	return rc;
}

int render_dockerfile(const struct plan *pl, const struct render_options *ro,
		      struct strbuf *sb, char **why)
{
	if (pl->no_shell)
		return render_noshell_final(pl, sb, why);
	return render_shell_stage(pl, ro, sb, why);
}

/* "RUN a && b" for a grant ("# alternative: RUN ..." when it is the
 * alternative to a redirect), "ENV K=V" for a redirect. */
char *line_dockerfile(const struct plan *pl, const struct grant *g,
		      const struct redirect *r)
{
	struct quoting q = {.sh = false};
	struct words cmds = {0};
	const char *reason = NULL;
	char *why = NULL, *v, *line = NULL;

	if (r) {
		v = dockerfile_env_value(r->value, '\\', &reason);
		if (v)
			line = xasprintf("ENV %s=%s", r->var, v);
		free(v);
		return line;
	}
	if (!grant_commands(&cmds, pl, g, &q, &why) && cmds.n)
		line =
		    words_join(g->alternative ? "# alternative: RUN " : "RUN ",
			       &cmds, " && ");
	free(why);
	words_free(&cmds);
	return line;
}
