/*
 * cmd_plan.c - `unroot plan`: reads trace directories, runs the planner and
 * prints the plan as a Dockerfile fragment, an idempotent sh script, an
 * env file or JSON.  The renderers live here (declared in planner.h) so
 * that `unroot apply` prints exactly what `unroot plan` prints.  Every path
 * goes through quote.c; a path that cannot be quoted for the format makes
 * the whole render fail rather than emit a line that could run as code.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "planner.h"
#include "quote.h"
#include "trace.h"
#include "util.h"

/* ---- commands for one grant ------------------------------------------- */

struct words {
	char **v;
	size_t n;
};

static void words_add(struct words *w, char *s)
{
	w->v = xrealloc(w->v, (w->n + 1) * sizeof *w->v);
	w->v[w->n++] = s;
}

static void words_free(struct words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	w->v = NULL;
	w->n = 0;
}

/* How paths are written: sh (with the $R prefix) or a Dockerfile line. */
struct quoting {
	bool sh;
	const char *prefix; /* "\"$R\"" for sh */
};

static char *quote_path(const struct quoting *q, const char *path, char **why)
{
	const char *reason = NULL;
	char *quoted, *e;

	if (q->sh) {
		quoted = sh_quote(path);
		if (q->prefix) {
			char *withp = xasprintf("%s%s", q->prefix, quoted);

			free(quoted);
			quoted = withp;
		}
		return quoted;
	}
	quoted = sh_quote_oneline(path, &reason);
	if (quoted)
		return quoted;
	e = comment_safe(path);
	*why = xasprintf("cannot write %s into a Dockerfile: %s", e, reason);
	free(e);
	return NULL;
}

static void add_ownership(struct words *cmds, const struct plan *pl,
			  const char *qp, bool recursive)
{
	const char *r = recursive ? "-R " : "";

	if (pl->openshift) {
		words_add(cmds, xasprintf("chgrp %s0 %s", r, qp));
		words_add(cmds, xasprintf("chmod %sg=u %s", r, qp));
	} else
		words_add(cmds, xasprintf("chown %s%u:%u %s", r, pl->uid,
					  pl->gid, qp));
}

static int build_command(struct words *cmds, const struct grant *g,
			 const struct quoting *q, char **why)
{
	struct strbuf sb = STRBUF_INIT;

	for (char **w = g->build_args; w && *w; w++) {
		char *word;

		/* The program runs from the image, not below UNROOT_ROOT: only
		 * the paths it works on get the prefix. */
		if (w == g->build_args && **w == '/' && q->prefix) {
			struct quoting bare = *q;

			bare.prefix = NULL;
			word = quote_path(&bare, *w, why);
		} else if (**w == '/')
			word = quote_path(q, *w, why);
		else
			word =
			    sh_word_is_plain(*w) ? xstrdup(*w) : sh_quote(*w);
		if (!word) {
			sb_release(&sb);
			return -1;
		}
		if (sb.len)
			sb_addc(&sb, ' ');
		sb_adds(&sb, word);
		free(word);
	}
	if (sb.len)
		words_add(cmds, sb_detach(&sb));
	sb_release(&sb);
	return 0;
}

/*
 * Join a service's group: usermod (shadow), else busybox's addgroup USER
 * GROUP.  The sh form is skipped under UNROOT_ROOT (no user there either)
 * and checks the membership first, so it can run twice.
 */
static int group_command(struct words *cmds, const struct plan *pl,
			 const struct grant *g, const struct quoting *q,
			 char **why)
{
	const char *reason = NULL;
	char *grp = sh_quote_oneline(g->path, &reason);
	char *name = grp ? sh_quote_oneline(pl->user, &reason) : NULL;
	char *join;

	if (!name) {
		char *e = comment_safe(grp ? pl->user : g->path);

		*why = xasprintf("cannot write the group membership of %s: %s",
				 e, reason);
		free(e);
		free(grp);
		return -1;
	}
	join = xasprintf("if command -v usermod >/dev/null 2>&1; then "
			 "usermod -aG %s %s; else addgroup %s %s; fi",
			 grp, name, name, grp);
	if (q->sh)
		words_add(cmds, xasprintf("[ -n \"$R\" ] || id -nG %s | "
					  "tr ' ' '\\n' | grep -qx %s || %s",
					  name, grp, join));
	else
		words_add(cmds, xstrdup(join));
	free(join);
	free(grp);
	free(name);
	return 0;
}

static int grant_commands(struct words *cmds, const struct plan *pl,
			  const struct grant *g, const struct quoting *q,
			  char **why)
{
	char *qp;

	if (g->kind == GRANT_BUILD)
		return build_command(cmds, g, q, why);
	if (g->kind == GRANT_GROUP)
		return group_command(cmds, pl, g, q, why);
	qp = quote_path(q, g->path, why);
	if (!qp)
		return -1;
	switch (g->kind) {
	case GRANT_MKDIR:
		words_add(cmds, xasprintf("mkdir -p %s", qp));
		add_ownership(cmds, pl, qp, false);
		break;
	case GRANT_TOUCH:
		words_add(cmds, xasprintf("touch %s", qp));
		add_ownership(cmds, pl, qp, false);
		break;
	case GRANT_OWN_DIR:
	case GRANT_OWN_FILE:
		add_ownership(cmds, pl, qp, false);
		break;
	case GRANT_OWN_TREE:
		add_ownership(cmds, pl, qp, true);
		break;
	case GRANT_SEARCH:
		words_add(cmds, xasprintf("chmod o+x %s", qp));
		break;
	case GRANT_GROUP:
	case GRANT_BUILD:
		break;
	}
	free(qp);
	return 0;
}

static int redirect_commands(struct words *cmds, const struct plan *pl,
			     const struct redirect *r, const struct quoting *q,
			     char **why)
{
	char *qp;

	if (!r->dir)
		return 0;
	qp = quote_path(q, r->dir, why);
	if (!qp)
		return -1;
	words_add(cmds, xasprintf("mkdir -p %s", qp));
	add_ownership(cmds, pl, qp, false);
	free(qp);
	return 0;
}

/* ---- the USER line ---------------------------------------------------- */

/* A service group joined (applied, not an alternative). */
static bool joins_groups(const struct plan *pl)
{
	for (size_t i = 0; i < pl->ngrants; i++)
		if (pl->grants[i].kind == GRANT_GROUP &&
		    !pl->grants[i].alternative)
			return true;
	return false;
}

/*
 * "uid:gid", or "uid" alone when the user joins a service's group: docker
 * (runc) reads the supplementary groups from /etc/group only for the
 * implicit form; USER uid:gid runs with the primary group alone.  Both
 * are numeric, so runAsNonRoot can verify them.
 */
static char *user_spec(const struct plan *pl)
{
	return joins_groups(pl) ? xasprintf("%u", pl->uid)
				: xasprintf("%u:%u", pl->uid, pl->gid);
}

static void add_user_line(struct strbuf *sb, const struct plan *pl)
{
	char *name = comment_safe(pl->user), *spec = user_spec(pl);

	sb_addf(sb, "# %s%s%s\nUSER %s\n", name,
		pl->service_user ? " (the image's service user: no user is "
				   "created)"
				 : "",
		joins_groups(pl) ? " (uid alone: with uid:gid docker drops the "
				   "supplementary groups it joins)"
				 : "",
		spec);
	free(name);
	free(spec);
}

/* ---- comments --------------------------------------------------------- */

static void add_evidence(struct strbuf *sb, const struct evidence *ev)
{
	char *path = comment_safe(ev->path);

	sb_addf(sb, "%s%s%s %s", *ev->program ? ev->program : "?", " ", ev->op,
		path);
	if (ev->errname)
		sb_addf(sb, " -> %s", ev->errname);
	if (ev->frame) {
		char *f = comment_safe(ev->frame);

		sb_addf(sb, " [%s]", f);
		free(f);
	}
	if (ev->py) {
		char *f = comment_safe(ev->py);

		sb_addf(sb, " [python: %s]", f);
		free(f);
	}
	free(path);
}

static void add_comment(struct strbuf *sb, const char *prefix, const char *text)
{
	char *safe = comment_safe(text);

	sb_addf(sb, "# %s%s\n", prefix, safe);
	free(safe);
}

static void add_grant_comment(struct strbuf *sb, const struct grant *g)
{
	sb_adds(sb, "# ");
	add_evidence(sb, &g->ev);
	if (g->nevents > 1)
		sb_addf(sb, " (+%ld more)", g->nevents - 1);
	sb_addc(sb, '\n');
	add_comment(sb, "  ", g->why);
}

static void add_header(struct strbuf *sb, const struct plan *pl)
{
	char *user = comment_safe(pl->user);

	sb_addf(sb, "# unroot plan: run as %s (uid %u, gid %u)%s%s\n", user,
		pl->uid, pl->gid,
		pl->service_user ? ", the image's service user" : "",
		pl->openshift ? ", OpenShift: group 0 owns writable paths"
			      : "");
	free(user);
	for (size_t i = 0; i < pl->nwarnings; i++)
		add_comment(sb, "warning: ", pl->warnings[i]);
	for (size_t i = 0; i < pl->nnotes; i++)
		add_comment(sb, "note: ", pl->notes[i]);
	for (size_t i = 0; i < pl->nrefused; i++) {
		sb_adds(sb, "# not granted: ");
		add_evidence(sb, &pl->refused[i].ev);
		sb_addc(sb, '\n');
		add_comment(sb, "  ", pl->refused[i].why);
	}
}

static void add_mount_sections(struct strbuf *sb, const struct plan *pl)
{
	for (size_t i = 0; i < pl->nhost; i++) {
		const struct host_fix *h = &pl->host[i];
		char *mnt = comment_safe(h->mount);
		char *host = comment_safe(h->hostdir ? h->hostdir : h->mount);
		char *hq = sh_quote(h->hostdir ? h->hostdir : h->mount);
		char *hqs = comment_safe(hq);

		sb_adds(sb, "# host: ");
		add_evidence(sb, &h->ev);
		sb_addc(sb, '\n');
		if (h->ro)
			sb_addf(
			    sb,
			    "#   %s is mounted read-only: the workload "
			    "writes into your data there; mount it "
			    "read-write or change what the program writes\n",
			    mnt);
		else
			sb_addf(sb,
				"#   %s is a bind mount or volume: on the "
				"host run: chown %u:%u %s\n"
				"#   or compose `user: \"%u:%u\"`, or "
				"Kubernetes securityContext.fsGroup: %u\n",
				mnt, pl->uid, pl->gid, hqs, pl->uid, pl->gid,
				pl->gid);
		free(mnt);
		free(host);
		free(hq);
		free(hqs);
	}
	for (size_t i = 0; i < pl->ntmpfs; i++) {
		char *dir = comment_safe(pl->tmpfs[i].dir);
		char *opt = plan_tmpfs_option(pl, &pl->tmpfs[i]);
		char *eopt = comment_safe(opt);

		sb_adds(sb, "# read-only root: ");
		add_evidence(sb, &pl->tmpfs[i].ev);
		sb_addf(sb,
			"\n#   mount a tmpfs the user owns (a plain --tmpfs "
			"is root's, 0755): docker run --tmpfs %s\n"
			"#   or a Kubernetes emptyDir volume mounted at %s "
			"with the pod's securityContext.fsGroup: %u\n",
			eopt, dir, pl->gid);
		free(dir);
		free(opt);
		free(eopt);
	}
}

char *plan_tmpfs_option(const struct plan *pl, const struct tmpfs_fix *t)
{
	return xasprintf("%s:uid=%u,gid=%u,mode=%s", t->dir, pl->uid, pl->gid,
			 pl->openshift ? "0775" : "0755");
}

/* ---- sh --------------------------------------------------------------- */

static void sh_user_lines(struct strbuf *sb, const struct plan *pl)
{
	char *name = sh_quote(pl->user), *group = sh_quote(pl->group);
	char *pat = xasprintf("^%s:", pl->group), *qpat = sh_quote(pat);
	char *home = sh_quote(pl->home);

	if (!pl->create_user)
		goto out;
	/* shadow's useradd, else busybox (Alpine, or a minimal image whose
	 * os record says nothing) */
	sb_adds(sb, "if [ -z \"$R\" ]; then\n"
		    "\tif command -v useradd >/dev/null 2>&1; then\n");
	if (pl->create_group)
		sb_addf(sb, "\t\tgrep -q %s /etc/group || groupadd -g %u %s\n",
			qpat, pl->gid, group);
	sb_addf(sb,
		"\t\tid -u %s >/dev/null 2>&1 || useradd -l -M -u %u "
		"-g %u -d %s %s\n",
		name, pl->uid, pl->gid, home, name);
	sb_adds(sb, "\telse\n");
	if (pl->create_group)
		sb_addf(sb, "\t\tgrep -q %s /etc/group || addgroup -g %u %s\n",
			qpat, pl->gid, group);
	sb_addf(sb,
		"\t\tid -u %s >/dev/null 2>&1 || adduser -D -H -u %u "
		"-G %s -h %s %s\n",
		name, pl->uid, group, home, name);
	sb_adds(sb, "\tfi\nfi\n");
out:
	free(name);
	free(group);
	free(pat);
	free(qpat);
	free(home);
}

static void sh_lines(struct strbuf *sb, struct words *cmds, bool commented)
{
	for (size_t i = 0; i < cmds->n; i++) {
		if (commented) {
			char *safe = comment_safe(cmds->v[i]);

			sb_addf(sb, "# alternative: %s\n", safe);
			free(safe);
		} else
			sb_addf(sb, "%s\n", cmds->v[i]);
	}
	words_free(cmds);
}

static int render_sh(const struct plan *pl, struct strbuf *sb, char **why)
{
	struct quoting q = {.sh = true, .prefix = "\"$R\""};
	struct words cmds = {0};

	sb_adds(sb, "#!/bin/sh\n");
	add_header(sb, pl);
	sb_adds(sb, "# Run as root at build time; safe to run twice.  "
		    "UNROOT_ROOT=DIR applies it to the tree below DIR "
		    "(no user is created then).\n"
		    "set -eu\nR=\"${UNROOT_ROOT:-}\"\n");
	sh_user_lines(sb, pl);
	for (size_t i = 0; i < pl->nredirects; i++) {
		const struct redirect *r = &pl->redirects[i];

		sb_adds(sb, "# ");
		add_evidence(sb, &r->ev);
		sb_addc(sb, '\n');
		sb_addf(sb, "# redirect: set %s=", r->var);
		{
			char *v = comment_safe(r->value);

			sb_addf(sb, "%s at run time (see --format env)\n", v);
			free(v);
		}
		if (redirect_commands(&cmds, pl, r, &q, why))
			return -1;
		sh_lines(sb, &cmds, false);
	}
	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];

		add_grant_comment(sb, g);
		if (grant_commands(&cmds, pl, g, &q, why))
			return -1;
		sh_lines(sb, &cmds, g->alternative);
	}
	add_mount_sections(sb, pl);
	return 0;
}

/* ---- env -------------------------------------------------------------- */

static int env_line(struct strbuf *sb, const char *var, const char *value,
		    char **why)
{
	for (const char *s = value; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			char *e = comment_safe(value);

			*why =
			    xasprintf("cannot write %s=%s as an env file line: "
				      "it holds a control character",
				      var, e);
			free(e);
			return -1;
		}
	sb_addf(sb, "%s=%s\n", var, value);
	return 0;
}

static int render_env(const struct plan *pl, struct strbuf *sb, char **why)
{
	bool home_redirected = false;

	if (pl->service_user) {
		/* a comment line for docker run --env-file */
		char *name = comment_safe(pl->user), *spec = user_spec(pl);

		sb_addf(sb,
			"# run as the image's service user %s: docker run "
			"--user %s\n",
			name, spec);
		free(name);
		free(spec);
	}
	for (size_t i = 0; i < pl->nredirects; i++) {
		home_redirected |= !strcmp(pl->redirects[i].var, "HOME");
		if (env_line(sb, pl->redirects[i].var, pl->redirects[i].value,
			     why))
			return -1;
	}
	if (pl->needs_home && !home_redirected)
		return env_line(sb, "HOME", pl->home, why);
	return 0;
}

/* ---- json ------------------------------------------------------------- */

static json_t *evidence_json(const struct evidence *ev)
{
	json_t *o = json_object();

	json_object_set_new(o, "program", json_path(ev->program));
	json_object_set_new(o, "op", json_string(ev->op));
	json_object_set_new(o, "path", json_path(ev->path));
	json_object_set_new(o, "frame",
			    ev->frame ? json_path(ev->frame) : json_null());
	if (ev->py)
		json_object_set_new(o, "py_site", json_path(ev->py));
	json_object_set_new(
	    o, "errno", ev->errname ? json_string(ev->errname) : json_null());
	json_object_set_new(o, "pid", json_integer(ev->pid));
	return o;
}

static json_t *strings_json(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_path(v[i]));
	return a;
}

static json_t *grant_json(const struct plan *pl, const struct grant *g)
{
	json_t *o = json_object();
	struct quoting q = {.sh = true};
	struct words cmds = {0};
	char *why = NULL;

	json_object_set_new(o, "kind", json_string(grant_kind_name(g->kind)));
	json_object_set_new(o, "path", json_path(g->path));
	json_object_set_new(o, "why", json_path(g->why));
	json_object_set_new(o, "alternative", json_boolean(g->alternative));
	json_object_set_new(o, "shared_dir", json_boolean(g->shared_dir));
	json_object_set_new(o, "events", json_integer(g->nevents));
	json_object_set_new(
	    o, "writer", g->writer ? json_string(g->writer->id) : json_null());
	if (g->kind == GRANT_GROUP)
		json_object_set_new(o, "gid", json_integer(g->gid));
	if (!grant_commands(&cmds, pl, g, &q, &why))
		json_object_set_new(o, "sh", strings_json(cmds.v, cmds.n));
	free(why);
	words_free(&cmds);
	json_object_set_new(o, "evidence", evidence_json(&g->ev));
	return o;
}

static int render_json(const struct plan *pl, struct strbuf *sb)
{
	json_t *o = json_object(), *a;
	char *text;

	json_object_set_new(o, "user", json_path(pl->user));
	json_object_set_new(o, "uid", json_integer(pl->uid));
	json_object_set_new(o, "gid", json_integer(pl->gid));
	json_object_set_new(o, "home", json_path(pl->home));
	json_object_set_new(o, "create_user", json_boolean(pl->create_user));
	json_object_set_new(o, "service_user", json_boolean(pl->service_user));
	json_object_set_new(o, "needs_home", json_boolean(pl->needs_home));
	json_object_set_new(o, "openshift", json_boolean(pl->openshift));
	json_object_set_new(o, "warnings",
			    strings_json(pl->warnings, pl->nwarnings));
	json_object_set_new(o, "notes", strings_json(pl->notes, pl->nnotes));
	a = json_array();
	for (size_t i = 0; i < pl->ngrants; i++)
		json_array_append_new(a, grant_json(pl, &pl->grants[i]));
	json_object_set_new(o, "grants", a);
	a = json_array();
	for (size_t i = 0; i < pl->nredirects; i++) {
		const struct redirect *r = &pl->redirects[i];

		json_array_append_new(
		    a, json_pack(
			   "{s:s, s:o, s:o, s:o, s:o}", "var", r->var, "value",
			   json_path(r->value), "dir",
			   r->dir ? json_path(r->dir) : json_null(), "writer",
			   r->writer ? json_string(r->writer->id) : json_null(),
			   "evidence", evidence_json(&r->ev)));
	}
	json_object_set_new(o, "redirects", a);
	a = json_array();
	for (size_t i = 0; i < pl->nhost; i++) {
		const struct host_fix *h = &pl->host[i];

		json_array_append_new(
		    a,
		    json_pack("{s:o, s:o, s:b, s:o}", "mount",
			      json_path(h->mount), "host",
			      h->hostdir ? json_path(h->hostdir) : json_null(),
			      "ro", h->ro, "evidence", evidence_json(&h->ev)));
	}
	json_object_set_new(o, "host", a);
	a = json_array();
	for (size_t i = 0; i < pl->ntmpfs; i++) {
		char *opt = plan_tmpfs_option(pl, &pl->tmpfs[i]);

		json_array_append_new(
		    a, json_pack("{s:o, s:o, s:o}", "dir",
				 json_path(pl->tmpfs[i].dir), "docker",
				 json_path(opt), "evidence",
				 evidence_json(&pl->tmpfs[i].ev)));
		free(opt);
	}
	json_object_set_new(o, "tmpfs", a);
	a = json_array();
	for (size_t i = 0; i < pl->nrefused; i++)
		json_array_append_new(
		    a, json_pack("{s:o, s:o, s:o}", "path",
				 json_path(pl->refused[i].path), "why",
				 json_path(pl->refused[i].why), "evidence",
				 evidence_json(&pl->refused[i].ev)));
	json_object_set_new(o, "refused", a);
	text = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	if (!text)
		die("out of memory");
	sb_adds(sb, text);
	sb_addc(sb, '\n');
	free(text);
	return 0;
}

/* ---- Dockerfile ------------------------------------------------------- */

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

static int render_dockerfile(const struct plan *pl,
			     const struct render_options *ro, struct strbuf *sb,
			     char **why)
{
	struct quoting q = {.sh = false};
	struct words all = {0}, cmds = {0};
	struct strbuf comments = STRBUF_INIT;
	char escape = ro && ro->escape ? ro->escape : '\\';
	char *name = comment_safe(pl->user);

	add_header(sb, pl);
	if (docker_env_lines(sb, pl, escape, why))
		goto fail;
	docker_user_cmds(&all, pl);
	for (size_t i = 0; i < pl->nredirects; i++)
		if (redirect_commands(&all, pl, &pl->redirects[i], &q, why))
			goto fail;
	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];

		add_grant_comment(&comments, g);
		if (grant_commands(&cmds, pl, g, &q, why))
			goto fail;
		if (g->alternative) {
			for (size_t k = 0; k < cmds.n; k++)
				add_comment(&comments,
					    "  alternative: ", cmds.v[k]);
			words_free(&cmds);
			continue;
		}
		for (size_t k = 0; k < cmds.n; k++)
			words_add(&all, cmds.v[k]);
		free(cmds.v);
		cmds.v = NULL;
		cmds.n = 0;
	}
	sb_add(sb, comments.buf, comments.len);
	if (all.n)
		docker_run(sb, &all, escape);
	add_mount_sections(sb, pl);
	add_user_line(sb, pl);
	words_free(&all);
	sb_release(&comments);
	free(name);
	return 0;
fail:
	words_free(&all);
	words_free(&cmds);
	sb_release(&comments);
	free(name);
	return -1;
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

int plan_render(const struct plan *pl, enum plan_format f,
		const struct render_options *ro, struct strbuf *out, char **why)
{
	*why = NULL;
	switch (f) {
	case FORMAT_SH:
		return render_sh(pl, out, why);
	case FORMAT_ENV:
		return render_env(pl, out, why);
	case FORMAT_JSON:
		return render_json(pl, out);
	case FORMAT_DOCKERFILE:
		if (pl->no_shell)
			return render_noshell_final(pl, out, why);
		return render_dockerfile(pl, ro, out, why);
	}
	return -1;
}

/* ---- one line of the plan (unroot check) ------------------------------ */

static char *join_words(const char *lead, const struct words *w,
			const char *sep)
{
	struct strbuf sb = STRBUF_INIT;

	sb_adds(&sb, lead);
	for (size_t i = 0; i < w->n; i++) {
		if (i)
			sb_adds(&sb, sep);
		sb_adds(&sb, w->v[i]);
	}
	return sb_detach(&sb);
}

static char *json_text(json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	if (!text)
		die("out of memory");
	return text;
}

char *plan_render_grant(const struct plan *pl, size_t i, enum plan_format f)
{
	const struct grant *g;
	struct quoting q = {.sh = f == FORMAT_SH};
	struct words cmds = {0};
	char *why = NULL, *line = NULL;

	if (!pl || i >= pl->ngrants)
		return NULL;
	g = &pl->grants[i];
	if (f == FORMAT_JSON)
		return json_text(grant_json(pl, g));
	if (f != FORMAT_DOCKERFILE && f != FORMAT_SH)
		return NULL;
	if (grant_commands(&cmds, pl, g, &q, &why) || !cmds.n) {
		free(why);
		words_free(&cmds);
		return NULL;
	}
	if (f == FORMAT_SH)
		line = join_words("", &cmds, "\n");
	else
		line =
		    join_words(g->alternative ? "# alternative: RUN " : "RUN ",
			       &cmds, " && ");
	words_free(&cmds);
	return line;
}

char *plan_render_redirect(const struct plan *pl, size_t i, enum plan_format f)
{
	const struct redirect *r;
	struct quoting q = {.sh = true};
	struct words cmds = {0};
	const char *reason = NULL;
	char *why = NULL, *v, *line = NULL;

	if (!pl || i >= pl->nredirects)
		return NULL;
	r = &pl->redirects[i];
	switch (f) {
	case FORMAT_DOCKERFILE:
		v = dockerfile_env_value(r->value, '\\', &reason);
		if (v)
			line = xasprintf("ENV %s=%s", r->var, v);
		free(v);
		return line;
	case FORMAT_ENV: {
		struct strbuf sb = STRBUF_INIT;

		if (env_line(&sb, r->var, r->value, &why)) {
			free(why);
			sb_release(&sb);
			return NULL;
		}
		sb.buf[--sb.len] = 0; /* the newline */
		return sb_detach(&sb);
	}
	case FORMAT_SH:
		if (redirect_commands(&cmds, pl, r, &q, &why) || !cmds.n) {
			free(why);
			words_free(&cmds);
			return NULL;
		}
		line = join_words("", &cmds, "\n");
		words_free(&cmds);
		return line;
	case FORMAT_JSON:
		return json_text(
		    json_pack("{s:s, s:o, s:o}", "var", r->var, "value",
			      json_path(r->value), "dir",
			      r->dir ? json_path(r->dir) : json_null()));
	}
	return NULL;
}

/* ---- options and loading ---------------------------------------------- */

static bool parse_id(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > 0x7fffffff || *s == '-')
		return false;
	*out = (unsigned)v;
	return true;
}

static const char *option_value(const char *name, int argc, char **argv, int *i)
{
	size_t n = strlen(name);

	if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], name))
		return NULL;
	if (*i + 1 >= argc) {
		errmsg("%s needs a value", name);
		return "";
	}
	return argv[++*i];
}

static bool is_option(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(arg, name, n) && (arg[n] == 0 || arg[n] == '=');
}

int plan_parse_option(struct plan_options *o, enum plan_format *f, int argc,
		      char **argv, int *i)
{
	const char *a = argv[*i], *v;

	if (!strcmp(a, "--openshift"))
		return o->openshift = true, 1;
	if (!strcmp(a, "--no-shell"))
		return o->no_shell = true, 1;
	if (!strcmp(a, "--read-only"))
		return o->read_only = true, 1;
	if (is_option(a, "--user")) {
		v = option_value("--user", argc, argv, i);
		if (!*v || strchr(v, ':') || strchr(v, '\n'))
			return errmsg("--user needs a user name"), -1;
		o->user = v;
		o->user_given = true;
		return 1;
	}
	if (is_option(a, "--uid") || is_option(a, "--gid")) {
		bool uid = is_option(a, "--uid");
		unsigned id;

		v = option_value(uid ? "--uid" : "--gid", argc, argv, i);
		if (!parse_id(v, &id) || id == 0)
			return errmsg("%s needs a non-zero number, not '%s'",
				      uid ? "--uid" : "--gid", v),
			       -1;
		if (uid) {
			o->uid = id;
			o->uid_given = true;
			if (!o->gid_given)
				o->gid = id;
		} else {
			o->gid = id;
			o->gid_given = true;
		}
		return 1;
	}
	if (is_option(a, "--format") && f) {
		v = option_value("--format", argc, argv, i);
		if (!strcmp(v, "dockerfile"))
			*f = FORMAT_DOCKERFILE;
		else if (!strcmp(v, "sh"))
			*f = FORMAT_SH;
		else if (!strcmp(v, "env"))
			*f = FORMAT_ENV;
		else if (!strcmp(v, "json"))
			*f = FORMAT_JSON;
		else
			return errmsg("--format must be dockerfile, sh, env or "
				      "json, not '%s'",
				      v),
			       -1;
		return 1;
	}
	return 0;
}

static int feed_event(const struct trace_event *ev, void *ctx)
{
	planner_add_event(ctx, ev);
	return 0;
}

static void feed_binds(struct planner *p, const struct trace *t)
{
	for (size_t d = 0; d < trace_ndirs(t); d++) {
		const json_t *meta = trace_meta(t, d), *binds;
		size_t i;
		json_t *b;

		if (!meta)
			continue;
		binds = json_object_get(meta, "binds");
		json_array_foreach (binds, i, b) {
			const char *c =
			    json_string_value(json_object_get(b, "container"));
			const char *h =
			    json_string_value(json_object_get(b, "host"));

			if (c)
				planner_add_bind(
				    p, c, h,
				    json_is_true(json_object_get(b, "ro")));
		}
	}
}

static const struct writers *catalogue(void)
{
	static struct writers *w;
	static bool tried;
	char *why = NULL;

	if (!tried) {
		tried = true;
		w = writers_load(&why);
		if (!w)
			warning("no known-writers catalogue: %s", why);
		free(why);
	}
	return w;
}

struct plan *plan_trace(struct trace *t, struct plan_options *o)
{
	struct planner *p;

	if (!o->writers)
		o->writers = catalogue();
	p = planner_new(o);
	for (size_t i = 0; i < trace_nusers(t); i++)
		planner_add_user(p, trace_user_at(t, i));
	for (size_t i = 0; i < trace_ngroups(t); i++)
		planner_add_group(p, trace_group_at(t, i));
	for (size_t i = 0; i < trace_nos(t); i++)
		planner_add_os(p, trace_os_at(t, i));
	for (size_t i = 0; i < trace_nmounts(t); i++)
		planner_add_mount(p, trace_mount_at(t, i));
	feed_binds(p, t);
	for (size_t i = 0; i < trace_nprocs(t); i++)
		planner_add_proc(p, trace_proc_at(t, i));
	for (size_t i = 0; i < trace_nuntraced(t); i++)
		planner_add_untraced(p, trace_untraced_at(t, i));
	trace_each_event(t, feed_event, p);
	return planner_finish(p);
}

struct plan *plan_load(char *const *dirs, int ndirs, struct plan_options *o)
{
	const char *why = NULL;
	struct trace *t = trace_open(dirs, ndirs, &why);
	struct plan *pl;

	if (!t) {
		errmsg("cannot read the trace: %s",
		       why ? why : "unknown error");
		return NULL;
	}
	for (size_t i = 0; i < trace_ndiags(t); i++) {
		const struct trace_diag *d = trace_diag_at(t, i);

		if (!d->warning)
			warning("%s%s%s", d->file ? d->file : "",
				d->file ? ": " : "", d->message);
	}
	pl = plan_trace(t, o);
	trace_close(t);
	return pl;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: unroot plan [--user NAME] [--uid N] [--gid N]\n"
		"                   [--format dockerfile|sh|env|json] "
		"[--openshift]\n"
		"                   [--no-shell] [--read-only] [DIR...]\n\n"
		"Replay a trace (default ./unroot-trace) as a non-root user "
		"and print\n"
		"the least changes that let the workload run as that user.\n");
}

int cmd_plan(int argc, char **argv)
{
	struct plan_options o;
	enum plan_format f = FORMAT_DOCKERFILE;
	char **dirs = xcalloc(argc + 1, sizeof *dirs);
	char *default_dir[] = {"unroot-trace", NULL};
	int ndirs = 0, rc;
	struct plan *pl;
	struct strbuf out = STRBUF_INIT;
	char *why = NULL;

	set_command("plan", 1);
	plan_options_init(&o);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			free(dirs);
			return 0;
		}
		rc = plan_parse_option(&o, &f, argc, argv, &i);
		if (rc < 0) {
			free(dirs);
			return EXIT_USAGE;
		}
		if (rc)
			continue;
		if (argv[i][0] == '-' && argv[i][1]) {
			errmsg("unknown option '%s'; see 'unroot plan --help'",
			       argv[i]);
			free(dirs);
			return EXIT_USAGE;
		}
		dirs[ndirs++] = argv[i];
	}
	pl = ndirs ? plan_load(dirs, ndirs, &o) : plan_load(default_dir, 1, &o);
	free(dirs);
	if (!pl)
		return 1;
	rc = plan_render(pl, f, NULL, &out, &why);
	if (rc) {
		errmsg("%s", why ? why : "cannot render the plan");
		free(why);
	} else
		fwrite(out.buf, 1, out.len, stdout);
	sb_release(&out);
	plan_free(pl);
	return rc ? 1 : 0;
}
