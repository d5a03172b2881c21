/*
 * render_json.c - the plan as JSON for programs: the user, every grant
 * with its sh commands and evidence, redirects, host fixes, tmpfs mounts
 * (each with its docker value: "--tmpfs" value, or "--mount" value when
 * "seed" or "volume" is true, "volume" for an anonymous volume's own
 * directory, which Docker mounts itself; "unread" when no trace recorded
 * reads and the directory is the image's) and refusals.  Paths use the
 * json_path() form (a string, or
 * {"hex"}).
 */
#include <jansson.h>
#include <stdlib.h>

#include "render_int.h"

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
	json_object_set_new(o, "seen_only_in_container_changes",
			    json_boolean(ev->unseen));
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

int render_json(const struct plan *pl, const struct render_options *ro,
		struct strbuf *sb, char **why)
{
	json_t *o = json_object(), *a;
	char *text;

	(void)ro;
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
		    json_pack("{s:o, s:o, s:o, s:b, s:I, s:o, s:o}", "mount",
			      json_path(h->mount), "host",
			      h->hostdir ? json_path(h->hostdir) : json_null(),
			      "volume",
			      h->volume ? json_path(h->volume) : json_null(),
			      "ro", h->ro, "root_made",
			      (json_int_t)h->root_made, "root_example",
			      h->root_example ? json_path(h->root_example)
					      : json_null(),
			      "evidence", evidence_json(&h->ev)));
	}
	json_object_set_new(o, "host", a);
	a = json_array();
	for (size_t i = 0; i < pl->ntmpfs; i++) {
		char *opt = plan_tmpfs_option(pl, &pl->tmpfs[i]);

		json_array_append_new(
		    a, json_pack("{s:o, s:o, s:b, s:b, s:b, s:o}", "dir",
				 json_path(pl->tmpfs[i].dir), "docker",
				 json_path(opt), "seed", pl->tmpfs[i].seed,
				 "unread", pl->tmpfs[i].unread, "volume",
				 pl->tmpfs[i].volume, "evidence",
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
	if (!text) {
		*why = xstrdup("out of memory");
		return -1;
	}
	sb_adds(sb, text);
	sb_addc(sb, '\n');
	free(text);
	return 0;
}

/* A grant's or a redirect's object, on one line. */
char *line_json(const struct plan *pl, const struct grant *g,
		const struct redirect *r)
{
	json_t *o = g ? grant_json(pl, g)
		      : json_pack("{s:s, s:o, s:o}", "var", r->var, "value",
				  json_path(r->value), "dir",
				  r->dir ? json_path(r->dir) : json_null());
	char *text = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	return text;
}
