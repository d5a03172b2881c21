/*
 * trace_run.c - the reader of trace.json's "run" (trace.h struct
 * trace_run): the docker run options `unroot docker` recorded.  Every
 * string is decoded from its json_path() form and owned by the struct.
 */
#include <jansson.h>
#include <stdlib.h>

#include "trace_private.h"

static char *path_of(const json_t *o, const char *key)
{
	return json_path_value(json_object_get(o, key));
}

static void read_strs(const json_t *o, const char *key, struct trace_strs *s)
{
	const json_t *a = json_object_get(o, key), *v;
	size_t i;

	s->v = xcalloc(json_array_size(a) + 1, sizeof *s->v);
	json_array_foreach (a, i, v) {
		char *p = json_path_value(v);

		if (p)
			s->v[s->n++] = p;
	}
}

static void free_strs(struct trace_strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static void read_env(const json_t *o, struct trace_run *r)
{
	const json_t *a = json_object_get(o, K_META_RUN_ENV), *e;
	size_t i;

	r->env = xcalloc(json_array_size(a) + 1, sizeof *r->env);
	json_array_foreach (a, i, e) {
		char *name = path_of(e, K_NAME);

		if (!name)
			continue;
		r->env[r->nenv].name = name;
		r->env[r->nenv++].value =
		    json_is_true(json_object_get(e, K_META_RUN_ENV_FROMHOST))
			? NULL
			: path_of(e, K_META_RUN_ENV_VALUE);
	}
}

struct trace_run *tr_read_run(const json_t *v)
{
	struct trace_run *r;

	if (!json_is_object(v))
		return NULL;
	r = xcalloc(1, sizeof *r);
	r->user = path_of(v, K_META_RUN_USER);
	r->workdir = path_of(v, K_META_RUN_WORKDIR);
	r->entrypoint = path_of(v, K_META_RUN_ENTRYPOINT);
	r->read_only = json_is_true(json_object_get(v, K_META_RUN_READ_ONLY));
	read_env(v, r);
	r->has_command = json_is_array(json_object_get(v, K_META_RUN_COMMAND));
	read_strs(v, K_META_RUN_COMMAND, &r->command);
	read_strs(v, K_META_RUN_ENV_FILE, &r->env_files);
	read_strs(v, K_META_RUN_PORTS, &r->ports);
	read_strs(v, K_META_RUN_TMPFS, &r->tmpfs);
	read_strs(v, K_META_RUN_GROUP_ADD, &r->group_add);
	read_strs(v, K_META_RUN_CAP_ADD, &r->cap_add);
	read_strs(v, K_META_RUN_CAP_DROP, &r->cap_drop);
	read_strs(v, K_META_RUN_SECURITY_OPT, &r->security_opt);
	read_strs(v, K_META_RUN_SYSCTL, &r->sysctl);
	return r;
}

void tr_free_run(struct trace_run *r)
{
	if (!r)
		return;
	free(r->user);
	free(r->workdir);
	free(r->entrypoint);
	for (size_t i = 0; i < r->nenv; i++) {
		free(r->env[i].name);
		free(r->env[i].value);
	}
	free(r->env);
	free_strs(&r->command);
	free_strs(&r->env_files);
	free_strs(&r->ports);
	free_strs(&r->tmpfs);
	free_strs(&r->group_add);
	free_strs(&r->cap_add);
	free_strs(&r->cap_drop);
	free_strs(&r->security_opt);
	free_strs(&r->sysctl);
	free(r);
}
