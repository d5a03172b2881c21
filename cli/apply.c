/*
 * apply.c - inserting a plan into a Dockerfile (apply.h).  The block is
 * rendered with the file's own escape character; a file without FROM has
 * no stage to insert into and is refused with its name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"

struct dockerfile *apply_read(const char *file, char **why)
{
	size_t len;
	char *text = file_read(file, &len), *shown;
	struct dockerfile *df;

	if (!text) {
		*why = xasprintf("cannot read %s: %s", file, strerror(errno));
		return NULL;
	}
	df = dockerfile_parse(text, len);
	free(text);
	if (df->final_from < df->nins)
		return df;
	shown = path_escape(file);
	*why = xasprintf("%s has no FROM instruction: it is not a Dockerfile "
			 "unroot can insert a plan into",
			 shown);
	free(shown);
	dockerfile_free(df);
	return NULL;
}

void apply_stage_user(struct plan_options *o, const struct dockerfile *df,
		      char **keep)
{
	const char *user = dockerfile_final_user(df);
	char *name, *end;
	unsigned long uid;

	if (dockerfile_user_is_root(user) || o->user_given || o->uid_given)
		return;
	name = xstrndup(user, strcspn(user, ": \t\r"));
	uid = strtoul(name, &end, 10);
	if (*name && !*end) {
		o->uid = (unsigned)uid;
		o->uid_given = true;
		if (!o->gid_given)
			o->gid = o->uid;
		free(name);
		return;
	}
	o->user = name;
	o->user_given = true;
	*keep = name;
}

int apply_insert(const struct dockerfile *df, const struct plan *pl,
		 struct strbuf *out, char **why)
{
	struct render_options ro = {.escape = df->escape};
	struct strbuf block = STRBUF_INIT, stage = STRBUF_INIT;
	int rc = -1;

	*why = NULL;
	if (!plan_render(pl, FORMAT_DOCKERFILE, &ro, &block, why) &&
	    (!pl->no_shell ||
	     !plan_render_noshell_stage(pl, &ro, &stage, why))) {
		dockerfile_insert(df, block.buf,
				  pl->no_shell ? stage.buf : NULL, out);
		rc = 0;
	} else if (!*why) {
		*why = xstrdup("cannot render the plan");
	}
	sb_release(&block);
	sb_release(&stage);
	return rc;
}
