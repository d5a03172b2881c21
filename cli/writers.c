/*
 * writers.c - loads the known-writers catalogue (writers.json) and matches
 * written paths against it.  The planner asks it "who writes here, and how
 * is that redirected?"; the answer is offered as the recommended fix.
 */
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glob.h"
#include "util.h"
#include "writers.h"

static char *dup_string_field(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static char **dup_string_list(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	size_t n = json_is_array(v) ? json_array_size(v) : 0, k = 0;
	char **list = xcalloc(n + 2, sizeof *list);

	if (json_is_string(v)) {
		list[0] = xstrdup(json_string_value(v));
		return list;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *item = json_array_get(v, i);

		if (json_is_string(item))
			list[k++] = xstrdup(json_string_value(item));
	}
	return list;
}

static void read_entry(struct writer *w, json_t *obj)
{
	w->id = dup_string_field(obj, "id");
	w->program = dup_string_field(obj, "program");
	if (!w->program)
		w->program = xstrdup(w->id ? w->id : "?");
	if (!w->id)
		w->id = xstrdup(w->program);
	w->paths = dup_string_list(obj, "paths");
	w->exes = dup_string_list(obj, "exes");
	w->libs = dup_string_list(obj, "libs");
	w->python = dup_string_list(obj, "python");
	w->env = dup_string_field(obj, "env");
	w->dir = dup_string_field(obj, "dir");
	w->value = dup_string_field(obj, "value");
	w->option = dup_string_field(obj, "option");
	w->build = dup_string_field(obj, "build");
	w->note = dup_string_field(obj, "note");
	w->fallback = dup_string_field(obj, "fallback");
	w->code = json_is_true(json_object_get(obj, "code"));
}

struct writers *writers_load_file(const char *file, char **why)
{
	json_error_t err;
	json_t *root = json_load_file(file, 0, &err), *list;
	struct writers *w;

	if (!root) {
		*why = xasprintf("%s:%d: %s", file, err.line, err.text);
		return NULL;
	}
	list = json_object_get(root, "writers");
	if (!json_is_array(list)) {
		*why = xasprintf("%s: no \"writers\" array", file);
		json_decref(root);
		return NULL;
	}
	w = xcalloc(1, sizeof *w);
	w->n = json_array_size(list);
	w->v = xcalloc(w->n ? w->n : 1, sizeof *w->v);
	for (size_t i = 0; i < w->n; i++)
		read_entry(&w->v[i], json_array_get(list, i));
	w->source = xstrdup(file);
	json_decref(root);
	return w;
}

static char *datadir_beside_executable(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *dir, *path;

	if (n <= 0)
		return NULL;
	exe[n] = 0;
	dir = path_dirname(exe);
	path = xasprintf("%s/%s/writers.json", dir, UNROOT_DATADIR_REL);
	free(dir);
	return path;
}

struct writers *writers_load(char **why)
{
	const char *env = getenv("UNROOT_DATADIR");
	char *candidates[3] = {0};
	struct writers *w = NULL;
	int n = 0;

	if (env && *env)
		candidates[n++] = xasprintf("%s/writers.json", env);
	else {
		candidates[n++] = datadir_beside_executable();
		candidates[n++] =
		    xstrdup(UNROOT_SOURCE_DATADIR "/writers.json");
	}
	*why = NULL;
	for (int i = 0; i < n && !w; i++) {
		if (!candidates[i] || access(candidates[i], R_OK))
			continue;
		free(*why);
		*why = NULL;
		w = writers_load_file(candidates[i], why);
	}
	if (!w && !*why)
		*why = xasprintf("writers.json not found (set UNROOT_DATADIR)");
	for (int i = 0; i < n; i++)
		free(candidates[i]);
	return w;
}

static void free_list(char **list)
{
	for (char **p = list; p && *p; p++)
		free(*p);
	free(list);
}

void writers_free(struct writers *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		struct writer *e = &w->v[i];

		free(e->id);
		free(e->program);
		free_list(e->paths);
		free_list(e->exes);
		free_list(e->libs);
		free_list(e->python);
		free(e->env);
		free(e->dir);
		free(e->value);
		free(e->option);
		free(e->build);
		free(e->note);
		free(e->fallback);
	}
	free(w->v);
	free(w->source);
	free(w);
}

/* The length of the shortest of path and its ancestors (never "") that
 * the pattern matches, 0 when it matches none. */
static size_t covered_prefix(const char *pattern, const char *path)
{
	char *copy = xstrdup(path);
	size_t len = strlen(copy), hit = 0;

	for (size_t n = 1; n <= len && !hit; n++) {
		if (copy[n] != '/' && copy[n] != 0)
			continue;
		char saved = copy[n];

		copy[n] = 0;
		if (glob_match(pattern, copy))
			hit = n;
		copy[n] = saved;
	}
	free(copy);
	return hit;
}

/* The pattern matches the path or one of its ancestors. */
static bool pattern_covers(const char *pattern, const char *path)
{
	return covered_prefix(pattern, path) > 0;
}

char *writers_entry_root(const struct writer *w, const char *path)
{
	size_t best = 0;

	for (char **g = w->paths; g && *g; g++) {
		size_t n = covered_prefix(*g, path);

		if (n && (!best || n < best))
			best = n;
	}
	return best ? xstrndup(path, best) : NULL;
}

/* The program names of key ("NAMES[//MODULE]"): their length. */
static size_t names_len(const char *key)
{
	const char *m = strstr(key, "//");

	return m ? (size_t)(m - key) : strlen(key);
}

bool writers_names_match(const char *pat, const char *key)
{
	size_t n = names_len(key);
	char *copy = xstrndup(key, n), *save = NULL;
	bool hit = false;

	if (!n) /* no name known: as the pattern takes "" */
		hit = writers_glob(pat, "");
	for (char *t = strtok_r(copy, "/", &save); t && !hit;
	     t = strtok_r(NULL, "/", &save))
		hit = writers_glob(pat, t);
	free(copy);
	return hit;
}

bool writers_module_named(const char *pat, const char *key)
{
	const char *m = strstr(key, "//");

	return m && writers_glob(pat, m + 2);
}

bool writers_allows(const struct writer *w, const char *key)
{
	if (!w->exes || !w->exes[0])
		return true;
	for (char **e = w->exes; *e; e++)
		if (writers_names_match(*e, key))
			return true;
	/* a program that embeds the entry's: its library in the stack
	 * (mod_wsgi's libpython in apache2) */
	for (char **l = w->libs; l && *l; l++)
		if (writers_module_named(*l, key))
			return true;
	return false;
}

const struct writer *writers_match(const struct writers *w, const char *path,
				   const char *exe)
{
	if (!w)
		return NULL;
	for (size_t i = 0; i < w->n; i++) {
		if (!writers_allows(&w->v[i], exe ? exe : ""))
			continue;
		for (char **p = w->v[i].paths; p && *p; p++)
			if (pattern_covers(*p, path))
				return &w->v[i];
	}
	return NULL;
}
