/*
 * render_sh.c - the plan as an sh script to run as root at build time:
 * idempotent (a second run changes nothing), and applicable to a tree
 * below UNROOT_ROOT (paths get the "$R" prefix; no user is created then).
 */
#include <stdlib.h>

#include "render_int.h"

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

int render_sh(const struct plan *pl, const struct render_options *ro,
	      struct strbuf *sb, char **why)
{
	struct quoting q = {.sh = true, .prefix = "\"$R\""};
	struct words cmds = {0};

	(void)ro;
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

/* One grant's or one redirect's commands, one a line. */
char *line_sh(const struct plan *pl, const struct grant *g,
	      const struct redirect *r)
{
	struct quoting q = {.sh = true};
	struct words cmds = {0};
	char *why = NULL, *line = NULL;
	int rc = g ? grant_commands(&cmds, pl, g, &q, &why)
		   : redirect_commands(&cmds, pl, r, &q, &why);

	if (!rc && cmds.n)
		line = words_join("", &cmds, "\n");
	free(why);
	words_free(&cmds);
	return line;
}
