/*
 * render_env.c - the plan as an env file (docker run --env-file): the
 * redirects' variables and HOME when the user needs one.  A value with a
 * control character cannot be a line of it and fails the render.
 */
#include <stdlib.h>
#include <string.h>

#include "render_int.h"

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

int render_env(const struct plan *pl, const struct render_options *ro,
	       struct strbuf *sb, char **why)
{
	bool home_redirected = false;

	(void)ro;
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

/* A redirect's "VAR=value"; grants have no line in an env file. */
char *line_env(const struct plan *pl, const struct grant *g,
	       const struct redirect *r)
{
	struct strbuf sb = STRBUF_INIT;
	char *why = NULL;

	(void)pl;
	if (g)
		return NULL;
	if (env_line(&sb, r->var, r->value, &why)) {
		free(why);
		sb_release(&sb);
		return NULL;
	}
	sb.buf[--sb.len] = 0; /* the newline */
	return sb_detach(&sb);
}
