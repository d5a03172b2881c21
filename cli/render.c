/*
 * render.c - the table of plan formats (render.h) and what the formats
 * share: the shell commands of each grant and redirect, with every path
 * quoted for sh or for one Dockerfile line, the USER line, and the comment
 * lines (header, evidence, bind and tmpfs mounts).  Each format's own
 * output is in render_<format>.c.
 */
#include <stdlib.h>
#include <string.h>

#include "render_int.h"

/* ---- the table -------------------------------------------------------- */

struct plan_format_row {
	const char *name; /* first: the row of a format table (format.h) */
	int (*render)(const struct plan *pl, const struct render_options *ro,
		      struct strbuf *sb, char **why);
	char *(*line)(const struct plan *pl, const struct grant *g,
		      const struct redirect *r);
};

static const struct plan_format_row formats[] = {
#define PLAN_FORMAT_ROW(e, name, render, line) [e] = {name, render, line},
    PLAN_FORMATS(PLAN_FORMAT_ROW)
#undef PLAN_FORMAT_ROW
};

const struct format_table *plan_formats(void)
{
	static const struct format_table t = FORMAT_TABLE(formats);

	return &t;
}

int plan_render(const struct plan *pl, enum plan_format f,
		const struct render_options *ro, struct strbuf *out, char **why)
{
	*why = NULL;
	if ((unsigned)f >= FORMAT__COUNT)
		return -1;
	return formats[f].render(pl, ro, out, why);
}

char *plan_render_grant(const struct plan *pl, size_t i, enum plan_format f)
{
	if (!pl || i >= pl->ngrants || (unsigned)f >= FORMAT__COUNT)
		return NULL;
	return formats[f].line(pl, &pl->grants[i], NULL);
}

char *plan_render_redirect(const struct plan *pl, size_t i, enum plan_format f)
{
	if (!pl || i >= pl->nredirects || (unsigned)f >= FORMAT__COUNT)
		return NULL;
	return formats[f].line(pl, NULL, &pl->redirects[i]);
}

/* ---- commands for one grant ------------------------------------------- */

void words_add(struct words *w, char *s)
{
	w->v = xrealloc(w->v, (w->n + 1) * sizeof *w->v);
	w->v[w->n++] = s;
}

void words_free(struct words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	w->v = NULL;
	w->n = 0;
}

char *words_join(const char *lead, const struct words *w, const char *sep)
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

char *quote_path(const struct quoting *q, const char *path, char **why)
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

int grant_commands(struct words *cmds, const struct plan *pl,
		   const struct grant *g, const struct quoting *q, char **why)
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
	case GRANT_READ:
		/* the group the user runs with: under OpenShift, root's */
		words_add(cmds, xasprintf("chgrp %u %s",
					  pl->openshift ? 0 : pl->gid, qp));
		words_add(cmds, xasprintf("chmod g+r %s", qp));
		break;
	case GRANT_GROUP:
	case GRANT_BUILD:
		break;
	}
	free(qp);
	return 0;
}

int redirect_commands(struct words *cmds, const struct plan *pl,
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

char *plan_grant_refusal(const struct plan *pl, const struct grant *g)
{
	struct quoting q = {.sh = true};
	struct words cmds = {0};
	char *why = NULL;

	if (!grant_commands(&cmds, pl, g, &q, &why) && !cmds.n)
		why = xstrdup("its line would have no command (a build step "
			      "with no command words): nothing to run");
	words_free(&cmds);
	return why;
}

char *plan_grant_text(const struct plan *pl, size_t i)
{
	char *line = plan_render_grant(pl, i, FORMAT_DOCKERFILE), *e;

	if (line)
		return line;
	e = path_escape(pl->grants[i].path ? pl->grants[i].path : "");
	line =
	    xasprintf("(no Dockerfile line: %s cannot be written in one)", e);
	free(e);
	return line;
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
char *user_spec(const struct plan *pl)
{
	return joins_groups(pl) ? xasprintf("%u", pl->uid)
				: xasprintf("%u:%u", pl->uid, pl->gid);
}

void add_user_line(struct strbuf *sb, const struct plan *pl)
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

void add_evidence(struct strbuf *sb, const struct evidence *ev)
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
	if (ev->unseen)
		sb_adds(sb, " (seen only in the container's changes)");
	free(path);
}

void add_comment(struct strbuf *sb, const char *prefix, const char *text)
{
	char *safe = comment_safe(text);

	sb_addf(sb, "# %s%s\n", prefix, safe);
	free(safe);
}

void add_grant_comment(struct strbuf *sb, const struct grant *g)
{
	sb_adds(sb, "# ");
	add_evidence(sb, &g->ev);
	if (g->nevents > 1)
		sb_addf(sb, " (+%ld more)", g->nevents - 1);
	sb_addc(sb, '\n');
	add_comment(sb, "  ", g->why);
}

void add_header(struct strbuf *sb, const struct plan *pl)
{
	char *user = comment_safe(pl->user);

	sb_addf(
	    sb, PLAN_HEADER "run as %s (uid %u, gid %u)%s%s\n", user, pl->uid,
	    pl->gid, pl->service_user ? ", the image's service user" : "",
	    pl->openshift ? ", OpenShift: group 0 owns writable paths" : "");
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

/*
 * A named volume outlives every run and has no host path of the user's:
 * its owner is fixed once from a container.  When the profiling run, as
 * root, created entries in it, they stay there owned by root: said, since
 * the user's next run on the same volume finds them.
 */
static void add_named_volume(struct strbuf *sb, const struct plan *pl,
			     const struct host_fix *h, const char *mnt)
{
	char *name = comment_safe(h->volume);

	sb_addf(sb,
		"#   %s is the named volume %s: give it to the user once, "
		"from a container:\n"
		"#     docker run --rm --user 0 -v %s:%s <image> chown -R "
		"%u:%u %s\n"
		"#   or Kubernetes securityContext.fsGroup: %u\n",
		mnt, name, name, mnt, pl->uid, pl->gid, mnt, pl->gid);
	if (h->root_made) {
		char *ex = comment_safe(h->root_example);

		sb_addf(sb,
			"#   the profiling run, as root, created %zu entr%s in "
			"%s (%s): %s owned by root in the volume; chown them "
			"as above, or run with a new volume\n",
			h->root_made, h->root_made == 1 ? "y" : "ies", name, ex,
			h->root_made == 1 ? "it stays" : "they stay");
		free(ex);
	}
	free(name);
}

void add_mount_sections(struct strbuf *sb, const struct plan *pl)
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
		else if (h->volume)
			add_named_volume(sb, pl, h, mnt);
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
		char *opt = plan_docker_mount(pl, &pl->tmpfs[i]);
		char *eopt = comment_safe(opt);

		sb_adds(sb, "# read-only root: ");
		add_evidence(sb, &pl->tmpfs[i].ev);
		if (pl->tmpfs[i].volume)
			sb_addf(sb,
				"\n#   %s is a volume (the image's VOLUME, or "
				"-v %s): Docker mounts it, writable with "
				"--read-only (as docker run %s does; a tmpfs "
				"would take the writes away from it); a named "
				"volume (-v NAME:%s) keeps them\n"
				"#   in Kubernetes, `unroot plan --format k8s` "
				"mounts one there%s\n",
				dir, dir, eopt, dir,
				pl->tmpfs[i].seed
				    ? ", with the init container that copies "
				      "the image's files into it"
				    : "");
		else if (pl->tmpfs[i].seed)
			sb_addf(sb,
				"\n#   %s holds the image's files: mount an "
				"anonymous volume (Docker copies the image's "
				"content into it): docker run %s\n"
				"#   in Kubernetes an emptyDir copies nothing: "
				"`unroot plan --format k8s` gives the init "
				"container that does\n",
				dir, eopt);
		else
			sb_addf(sb,
				"\n#   mount a tmpfs the user owns (a plain "
				"--tmpfs is root's, 0755): docker run %s\n"
				"#   or a Kubernetes emptyDir volume mounted "
				"at %s with the pod's securityContext.fsGroup: "
				"%u\n",
				eopt, dir, pl->gid);
		free(dir);
		free(opt);
		free(eopt);
	}
}

/* The innermost seeded mount that holds dir (a volume's nests in a
 * parent's), as its index, or ntmpfs. */
static size_t seeded_mount_of(const struct plan *pl, const char *dir)
{
	size_t best = pl->ntmpfs;

	for (size_t i = 0; i < pl->ntmpfs; i++)
		if (pl->tmpfs[i].seed && path_is_under(dir, pl->tmpfs[i].dir) &&
		    (best == pl->ntmpfs ||
		     strlen(pl->tmpfs[i].dir) > strlen(pl->tmpfs[best].dir)))
			best = i;
	return best;
}

void add_image_volume_comments(struct strbuf *sb, const struct plan *pl,
			       bool k8s)
{
	for (size_t i = 0; i < pl->nimage_volumes; i++) {
		const struct image_volume *v = &pl->image_volumes[i];
		char *dir = comment_safe(v->dir);
		size_t s = seeded_mount_of(pl, v->dir);

		sb_addf(sb,
			"# VOLUME %s of the image: the workload uses the "
			"image's files there: ",
			dir);
		add_evidence(sb, &v->ev);
		if (!k8s)
			sb_addf(sb,
				"\n#   Docker fills a new anonymous or named "
				"volume with them; a host directory bound at "
				"%s hides them; Kubernetes copies nothing "
				"(see --format k8s)\n",
				dir);
		else if (s < pl->ntmpfs)
			sb_addf(
			    sb,
			    "\n#   Kubernetes copies nothing into a volume: "
			    "the init container unroot-seed-%zu below "
			    "fills its emptyDir\n",
			    s);
		else
			sb_addf(
			    sb,
			    "\n#   Kubernetes copies nothing into a volume: "
			    "one mounted at %s starts empty and hides "
			    "them.  Fill it first with an init container "
			    "of the same image and securityContext,\n"
			    "#   command [\"cp\", \"-a\", \"%s/.\", "
			    "\"/seed/image\"] with the volume at /seed, and "
			    "mount it at %s with subPath: image (`unroot "
			    "plan --read-only --format k8s` writes it)\n",
			    dir, dir, dir);
		free(dir);
	}
}

bool plan_mount_is_volume(const struct tmpfs_fix *t)
{
	return t->seed || t->volume;
}

char *plan_tmpfs_option(const struct plan *pl, const struct tmpfs_fix *t)
{
	if (plan_mount_is_volume(t))
		return xasprintf("type=volume,dst=%s", t->dir);
	return xasprintf("%s:uid=%u,gid=%u,mode=%s", t->dir, pl->uid, pl->gid,
			 pl->openshift ? "0775" : "0755");
}

char *plan_docker_mount(const struct plan *pl, const struct tmpfs_fix *t)
{
	char *v = plan_tmpfs_option(pl, t);
	char *opt = xasprintf(
	    "%s %s", plan_mount_is_volume(t) ? "--mount" : "--tmpfs", v);

	free(v);
	return opt;
}

/* ---- YAML --------------------------------------------------------------- */

char *line_none(const struct plan *pl, const struct grant *g,
		const struct redirect *r)
{
	(void)pl;
	(void)g;
	(void)r;
	return NULL;
}

char *yaml_str(const char *s, const char *what, char **why)
{
	const char *reason = NULL;
	char *q = json_quote(s, &reason);

	if (!q) {
		char *e = comment_safe(s);

		*why = xasprintf("cannot write %s %s into YAML: %s", what, e,
				 reason ? reason : "not UTF-8");
		free(e);
	}
	return q;
}

bool plan_group_added(const struct plan *pl, size_t *from, unsigned *gid)
{
	for (size_t i = *from; i < pl->ngrants; i++)
		if (pl->grants[i].kind == GRANT_GROUP &&
		    !pl->grants[i].alternative) {
			*from = i + 1;
			*gid = pl->grants[i].gid;
			return true;
		}
	return false;
}

void add_yaml_evidence(struct strbuf *sb, const char *indent,
		       const struct evidence *ev)
{
	sb_addf(sb, "%s# ", indent);
	add_evidence(sb, ev);
	sb_addc(sb, '\n');
}

void add_port_comments(struct strbuf *sb, const char *indent,
		       const struct plan *pl, bool docker)
{
	for (size_t i = 0; i < pl->nports; i++) {
		const struct port_bind *b = &pl->ports[i];

		if (b->port >= 1024)
			continue;
		add_yaml_evidence(sb, indent, &b->ev);
		sb_addf(sb,
			"%s#   port %u is below 1024: a non-root user binds it "
			"only where net.ipv4.ip_unprivileged_port_start <= "
			"%u.\n",
			indent, b->port, b->port);
		if (docker)
			sb_addf(sb,
				"%s#   Docker sets it to 0 in the container, "
				"so this needs nothing here; elsewhere move "
				"the port to 1024 or above.\n",
				indent);
		else
			sb_addf(sb,
				"%s#   Either move the port to 1024 or above "
				"(for example %u), or keep the sysctl below.\n",
				indent, b->port + 8000);
	}
}
