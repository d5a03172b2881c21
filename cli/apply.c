/*
 * apply.c - inserting a plan into a Dockerfile (apply.h).  The block is
 * rendered with the file's own escape character; a file without FROM has
 * no stage to insert into and is refused with its name.
 *
 * A grant on a path under a VOLUME of the final stage goes right before
 * the first VOLUME line that covers it: Docker seeds a new volume from the
 * image's content at that path, and a change made to it after the VOLUME
 * line is not kept.  The rest of the plan goes where it always does.  An
 * image without a shell keeps the whole plan in one block (its grants are
 * COPY lines from a stage).
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

/* The first VOLUME of the final stage that covers path, or df->nins. */
static size_t volume_before(const struct dockerfile *df, const char *path)
{
	for (size_t i = df->final_from; i < df->nins; i++) {
		char **v;
		bool covers = false;

		if (strcmp(df->ins[i].keyword, "VOLUME"))
			continue;
		v = dockerfile_volume_paths(df, &df->ins[i]);
		for (char **p = v; *p && !covers; p++)
			covers = path_is_under(path, *p);
		strv_free(v);
		if (covers)
			return i;
	}
	return df->nins;
}

/* The grants that must come before VOLUME line i: their indices. */
struct volume_grants {
	size_t ins;
	size_t *idx, n;
	struct strbuf text;
};

/*
 * Split the plan: each grant on a path under a VOLUME goes to that VOLUME's
 * group (vg, *nvg of them), the others into rest (a shallow view of pl
 * whose grants array is its own).
 */
static void split_by_volume(const struct dockerfile *df, const struct plan *pl,
			    struct plan *rest, struct volume_grants **vg,
			    size_t *nvg)
{
	*rest = *pl;
	rest->grants = xcalloc(pl->ngrants + 1, sizeof *rest->grants);
	rest->ngrants = 0;
	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];
		size_t k = df->nins, j;

		if (!pl->no_shell && !g->alternative && g->path &&
		    *g->path == '/' && g->kind != GRANT_GROUP &&
		    g->kind != GRANT_BUILD)
			k = volume_before(df, g->path);
		if (k == df->nins) {
			rest->grants[rest->ngrants++] = *g;
			continue;
		}
		for (j = 0; j < *nvg && (*vg)[j].ins != k; j++)
			;
		if (j == *nvg) {
			*vg = xrealloc(*vg, (*nvg + 1) * sizeof **vg);
			(*vg)[j] = (struct volume_grants){.ins = k};
			(*vg)[j].text = (struct strbuf)STRBUF_INIT;
			(*nvg)++;
		}
		(*vg)[j].idx =
		    xrealloc((*vg)[j].idx, ((*vg)[j].n + 1) * sizeof(size_t));
		(*vg)[j].idx[(*vg)[j].n++] = i;
	}
}

/* The blocks before the VOLUME lines; 0, or -1 with *why. */
static int render_volume_blocks(const struct plan *pl,
				const struct render_options *ro,
				struct volume_grants *vg, size_t nvg,
				struct df_block *blocks, char **why)
{
	for (size_t j = 0; j < nvg; j++) {
		sb_adds(&vg[j].text,
			"# before the VOLUME line: Docker keeps no change "
			"made to a volume's path after it\n");
		if (plan_render_grants(pl, vg[j].idx, vg[j].n, ro, &vg[j].text,
				       why))
			return -1;
		blocks[j] = (struct df_block){vg[j].ins, vg[j].text.buf};
	}
	return 0;
}

int apply_insert(const struct dockerfile *df, const struct plan *pl,
		 struct strbuf *out, char **why)
{
	struct render_options ro = {.escape = df->escape};
	struct strbuf block = STRBUF_INIT, stage = STRBUF_INIT;
	struct volume_grants *vg = NULL;
	struct df_block *blocks;
	struct plan rest;
	size_t nvg = 0;
	int rc = -1;

	*why = NULL;
	split_by_volume(df, pl, &rest, &vg, &nvg);
	blocks = xcalloc(nvg + 1, sizeof *blocks);
	if (!render_volume_blocks(pl, &ro, vg, nvg, blocks, why) &&
	    !plan_render(&rest, FORMAT_DOCKERFILE, &ro, &block, why) &&
	    (!pl->no_shell ||
	     !plan_render_noshell_stage(pl, &ro, &stage, why))) {
		dockerfile_insert_blocks(df, block.buf,
					 pl->no_shell ? stage.buf : NULL,
					 blocks, nvg, out);
		rc = 0;
	} else if (!*why) {
		*why = xstrdup("cannot render the plan");
	}
	for (size_t j = 0; j < nvg; j++) {
		free(vg[j].idx);
		sb_release(&vg[j].text);
	}
	free(vg);
	free(blocks);
	free(rest.grants);
	sb_release(&block);
	sb_release(&stage);
	return rc;
}
