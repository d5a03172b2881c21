/*
 * compare.c - comparing what a trace shows with an accepted baseline
 * (compare.h): the entries seen that the baseline does not cover, the
 * entries of the baseline not seen this time, and for each new entry the
 * line of the trace's own plan that would grant it, rendered by the plan's
 * renderer (render.h) so that check and plan never disagree.
 */
#include <stdlib.h>
#include <string.h>

#include "compare_int.h"
#include "generalize.h"
#include "plan.h"

/* ---- the plan line that would grant a path ---------------------------------
 *
 * Rendered by the plan's own renderer (plan_render_grant and
 * plan_render_redirect, render.c), in Dockerfile form, so that check and
 * plan can never disagree.
 */

static struct plan *plan_of_trace(struct trace *t)
{
	struct plan_options o;

	plan_options_init(&o);
	return plan_trace(t, &o);
}

char *compare_plan_line(const struct plan *pl, const char *raw)
{
	size_t best = 0;
	char *line = NULL;
	const struct tmpfs_fix *t;

	for (size_t i = 0; pl && i < pl->nredirects; i++) {
		const struct redirect *r = &pl->redirects[i];

		if (r->dir && path_is_under(raw, r->dir))
			return plan_render_redirect(pl, i, FORMAT_DOCKERFILE);
	}
	for (size_t i = 0; pl && i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];

		if (g->alternative || !g->path ||
		    !path_is_under(raw, g->path) || strlen(g->path) < best)
			continue;
		best = strlen(g->path);
		free(line);
		line = plan_render_grant(pl, i, FORMAT_DOCKERFILE);
	}
	for (size_t i = 0; !line && pl && i < pl->nhost; i++)
		if (path_is_under(raw, pl->host[i].mount))
			line =
			    xasprintf("on the host: make %s writable for "
				      "uid %u",
				      pl->host[i].hostdir ? pl->host[i].hostdir
							  : pl->host[i].mount,
				      pl->uid);
	t = line ? NULL : plan_tmpfs_holding(pl, raw);
	if (t) {
		char *opt = plan_docker_mount(pl, t);

		line = xasprintf("docker run %s", opt);
		free(opt);
	}
	return line;
}

/* ---- the comparison --------------------------------------------------------
 */

static void find_new(struct comparison *c, const struct bl_list *accepted,
		     struct bl_list *seen, bool denial)
{
	struct finding *f;

	bl_list_sort(seen);
	for (size_t i = 0; i < seen->n; i++) {
		if (bl_list_covers(accepted, seen->v[i].path))
			continue;
		c->found =
		    xgrow(c->found, &c->cap, c->nfound + 1, sizeof *c->found);
		f = &c->found[c->nfound++];
		f->e = &seen->v[i];
		f->denial = denial;
		f->plan_line = NULL;
		f->sibling = baseline_temp_sibling(accepted, f->e, &f->widened);
	}
}

/* Whether an accepted entry was seen: an equal pattern, or one its glob
 * or its {rand} covers. */
static bool seen_matches(const struct bl_list *seen, const char *pattern)
{
	if (bl_list_find(seen, pattern))
		return true;
	for (size_t i = 0; i < seen->n; i++)
		if (bl_pattern_covers(pattern, seen->v[i].path))
			return true;
	return false;
}

static void find_unseen(struct comparison *c, const struct bl_list *accepted,
			const struct bl_list *seen)
{
	for (size_t i = 0; i < accepted->n; i++) {
		if (seen_matches(seen, accepted->v[i].path))
			continue;
		c->unseen = xgrow(c->unseen, &c->capunseen, c->nunseen + 1,
				  sizeof *c->unseen);
		c->unseen[c->nunseen++] = &accepted->v[i];
	}
}

static void explain_with_plan(struct comparison *c, struct trace *t)
{
	struct plan *pl;

	if (!c->nfound || !t)
		return;
	pl = plan_of_trace(t);
	for (size_t i = 0; i < c->nfound; i++)
		if (c->found[i].e->first.raw)
			c->found[i].plan_line =
			    compare_plan_line(pl, c->found[i].e->first.raw);
	if (pl)
		plan_free(pl);
}

size_t count_new(const struct comparison *c, bool denial)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nfound; i++)
		n += c->found[i].denial == denial;
	return n;
}

size_t compare_print(const struct baseline *accepted, struct baseline *seen,
		     struct trace *trace, const char *label, int f, FILE *out)
{
	const struct compare_format *row = format_row(compare_formats(), f);
	size_t n;

	struct comparison c = {.label = label};

	c.nwrites_seen = seen->writes.n;
	c.ndenials_seen = seen->denials.n;
	find_new(&c, &accepted->writes, &seen->writes, false);
	find_new(&c, &accepted->denials, &seen->denials, true);
	find_unseen(&c, &accepted->writes, &seen->writes);
	find_unseen(&c, &accepted->denials, &seen->denials);
	explain_with_plan(&c, trace);
	row->print(&c, out);
	fflush(out);
	for (size_t i = 0; i < c.nfound; i++) {
		free(c.found[i].plan_line);
		free(c.found[i].widened);
	}
	free(c.found);
	free(c.unseen);
	n = c.nfound;
	return n;
}
