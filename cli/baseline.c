/*
 * baseline.c - the baseline model of baseline.h: sets of path patterns
 * with the operations and programs seen, indexed by pattern (map.h), and
 * the JSON file people review (written by hand so that every entry is one
 * line and the order is stable; read with jansson so that a broken file
 * is reported by line).  Collecting the model from a trace is
 * baseline_collect.c; several runs and widening are baseline_align.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"
#include "tempname.h"

/* ---- word sets -------------------------------------------------------- */

void wordset_add(struct wordset *s, const char *w)
{
	size_t i = 0;

	while (i < s->n && strcmp(s->v[i], w) < 0)
		i++;
	if (i < s->n && !strcmp(s->v[i], w))
		return;
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof *s->v);
	s->v[i] = xstrdup(w);
	s->n++;
}

static void wordset_merge(struct wordset *dst, const struct wordset *src)
{
	for (size_t i = 0; i < src->n; i++)
		wordset_add(dst, src->v[i]);
}

static void wordset_free(struct wordset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* ---- entry lists ------------------------------------------------------ */

/* The index holds position + 1, so that no value is NULL. */
static void reindex(struct bl_list *l)
{
	map_free(&l->index, NULL);
	for (size_t i = 0; i < l->n; i++)
		map_put(&l->index, l->v[i].path, (void *)(uintptr_t)(i + 1));
}

struct bl_entry *bl_list_find(const struct bl_list *l, const char *path)
{
	uintptr_t at = (uintptr_t)map_get(&l->index, path);

	return at ? &l->v[at - 1] : NULL;
}

struct bl_entry *bl_list_get(struct bl_list *l, const char *path)
{
	struct bl_entry *e = bl_list_find(l, path);

	if (e)
		return e;
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
	e = &l->v[l->n++];
	memset(e, 0, sizeof *e);
	e->path = xstrdup(path);
	map_put(&l->index, path, (void *)(uintptr_t)l->n);
	return e;
}

bool bl_pattern_covers(const char *pattern, const char *path)
{
	if (!strcmp(pattern, path))
		return true;
	if (is_glob(pattern))
		return glob_match(pattern, path);
	return strstr(pattern, TN_PLACEHOLDER) &&
	       tempname_pattern_covers(pattern, path);
}

bool bl_list_covers(const struct bl_list *l, const char *path)
{
	if (bl_list_find(l, path))
		return true;
	for (size_t i = 0; i < l->n; i++)
		if (bl_pattern_covers(l->v[i].path, path))
			return true;
	return false;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bl_entry *)a)->path,
		      ((const struct bl_entry *)b)->path);
}

void bl_list_sort(struct bl_list *l)
{
	if (!l->n)
		return;
	qsort(l->v, l->n, sizeof *l->v, entry_cmp);
	reindex(l);
}

static void first_seen_free(struct first_seen *f)
{
	free(f->raw);
	free(f->op);
	free(f->program);
	free(f->frame);
	free(f->py_site);
	free(f->errname);
}

static void entry_free(struct bl_entry *e)
{
	free(e->path);
	wordset_free(&e->ops);
	wordset_free(&e->programs);
	first_seen_free(&e->first);
}

static void bl_list_free(struct bl_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		entry_free(&l->v[i]);
	free(l->v);
	map_free(&l->index, NULL);
	memset(l, 0, sizeof *l);
}

void bl_entry_merge(struct bl_entry *dst, const struct bl_entry *src)
{
	wordset_merge(&dst->ops, &src->ops);
	wordset_merge(&dst->programs, &src->programs);
	dst->created |= src->created;
}

struct bl_entry *bl_list_rename(struct bl_list *l, struct bl_entry *e,
				const char *path)
{
	struct bl_entry *into = bl_list_find(l, path);
	size_t at;

	if (into == e)
		return e;
	if (!into) {
		free(e->path);
		e->path = xstrdup(path);
		reindex(l);
		return e;
	}
	bl_entry_merge(into, e);
	at = (size_t)(e - l->v);
	entry_free(e);
	memmove(e, e + 1, (l->n - at - 1) * sizeof *e);
	l->n--;
	reindex(l);
	return bl_list_find(l, path);
}

void baseline_init(struct baseline *b)
{
	memset(b, 0, sizeof *b);
}

static void strings_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void baseline_free(struct baseline *b)
{
	strings_free(b->patterns, b->npatterns);
	strings_free(b->ignore, b->nignore);
	bl_list_free(&b->writes);
	bl_list_free(&b->denials);
	memset(b, 0, sizeof *b);
}

static void strings_add(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

static void merge_list(struct bl_list *dst, const struct bl_list *src)
{
	for (size_t i = 0; i < src->n; i++) {
		bl_entry_merge(bl_list_get(dst, src->v[i].path), &src->v[i]);
	}
}

void baseline_copy_rules(struct baseline *dst, const struct baseline *src)
{
	for (size_t i = 0; i < src->npatterns; i++)
		strings_add(&dst->patterns, &dst->npatterns, src->patterns[i]);
	for (size_t i = 0; i < src->nignore; i++)
		strings_add(&dst->ignore, &dst->nignore, src->ignore[i]);
}

void baseline_merge(struct baseline *dst, const struct baseline *src)
{
	merge_list(&dst->writes, &src->writes);
	merge_list(&dst->denials, &src->denials);
}

/* ---- writing the file ------------------------------------------------- */

/* A JSON value for a path-like string: a string when valid UTF-8, else
 * {"hex": "..."} (SCHEMA.md's convention). */
static void sb_add_json_path(struct strbuf *sb, const char *s)
{
	json_t *j = json_path(s);
	char *d = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);

	sb_adds(sb, d ? d : "\"\"");
	free(d);
	json_decref(j);
}

static void sb_add_words(struct strbuf *sb, const struct wordset *w)
{
	sb_addc(sb, '[');
	for (size_t i = 0; i < w->n; i++) {
		if (i)
			sb_adds(sb, ", ");
		sb_add_json_path(sb, w->v[i]);
	}
	sb_addc(sb, ']');
}

static void format_strings(struct strbuf *sb, const char *key, char **v,
			   size_t n, bool last)
{
	sb_addf(sb, "  \"%s\": [", key);
	for (size_t i = 0; i < n; i++) {
		sb_adds(sb, i ? ",\n    " : "\n    ");
		sb_add_json_path(sb, v[i]);
	}
	sb_adds(sb, n ? "\n  ]" : "]");
	sb_adds(sb, last ? "\n" : ",\n");
}

static void format_entries(struct strbuf *sb, const char *key,
			   struct bl_list *l, bool last)
{
	bl_list_sort(l);
	sb_addf(sb, "  \"%s\": [", key);
	for (size_t i = 0; i < l->n; i++) {
		sb_adds(sb, i ? ",\n    " : "\n    ");
		sb_adds(sb, "{\"path\": ");
		sb_add_json_path(sb, l->v[i].path);
		sb_adds(sb, ", \"ops\": ");
		sb_add_words(sb, &l->v[i].ops);
		sb_adds(sb, ", \"programs\": ");
		sb_add_words(sb, &l->v[i].programs);
		sb_addc(sb, '}');
	}
	sb_adds(sb, l->n ? "\n  ]" : "]");
	sb_adds(sb, last ? "\n" : ",\n");
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void baseline_format(struct baseline *b, struct strbuf *out)
{
	if (b->npatterns)
		qsort(b->patterns, b->npatterns, sizeof *b->patterns, strp_cmp);
	if (b->nignore)
		qsort(b->ignore, b->nignore, sizeof *b->ignore, strp_cmp);
	sb_addf(out, "{\n  \"unroot_baseline\": %d,\n", BASELINE_VERSION);
	format_strings(out, "patterns", b->patterns, b->npatterns, false);
	format_strings(out, "ignore", b->ignore, b->nignore, false);
	format_entries(out, "writes", &b->writes, false);
	format_entries(out, "denials", &b->denials, true);
	sb_adds(out, "}\n");
}

int baseline_write(struct baseline *b, const char *file, char **err)
{
	struct strbuf text = STRBUF_INIT;
	char *tmp = xasprintf("%s.tmpXXXXXX", file);
	int fd = mkstemp(tmp), rc = -1;

	if (fd < 0) {
		char *shown = path_escape(file);

		*err = xasprintf("cannot create a file beside %s: %s", shown,
				 strerror(errno));
		free(shown);
		free(tmp);
		return -1;
	}
	baseline_format(b, &text);
	if (write(fd, text.buf, text.len) != (ssize_t)text.len ||
	    fchmod(fd, 0644) || close(fd)) {
		*err = xasprintf("cannot write a temporary file beside the "
				 "baseline: %s",
				 strerror(errno));
		unlink(tmp);
	} else if (rename(tmp, file)) {
		*err = xasprintf("cannot replace the baseline: %s",
				 strerror(errno));
		unlink(tmp);
	} else {
		rc = 0;
	}
	sb_release(&text);
	free(tmp);
	return rc;
}

/* ---- reading the file ------------------------------------------------- */

enum baseline_file_kind baseline_file_kind(const char *file)
{
	json_error_t jerr;
	json_t *j;
	enum baseline_file_kind k;

	if (access(file, F_OK))
		return BASELINE_FILE_ABSENT;
	j = json_load_file(file, 0, &jerr);
	k = json_is_object(j) && json_object_get(j, "unroot_baseline")
		? BASELINE_FILE_BASELINE
		: BASELINE_FILE_OTHER;
	json_decref(j);
	return k;
}

/*
 * The line of the n-th object in the array under a top-level key, found
 * by scanning the text (jansson keeps no positions after parsing).
 * Returns 0 when it cannot be found.
 */
static long line_of_entry(const char *text, const char *key, size_t n)
{
	char *quoted = xasprintf("\"%s\"", key);
	const char *p = strstr(text, quoted);
	long line = 1;
	int depth = 0, array_depth = -1;
	bool in_string = false;
	size_t seen = 0;

	free(quoted);
	if (!p)
		return 0;
	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	for (; *p; p++) {
		if (*p == '\n')
			line++;
		if (in_string) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_string = false;
			continue;
		}
		if (*p == '"') {
			in_string = true;
		} else if (*p == '[' || *p == '{') {
			depth++;
			if (*p == '[' && array_depth < 0)
				array_depth = depth;
			else if (*p == '{' && depth == array_depth + 1 &&
				 seen++ == n)
				return line;
		} else if (*p == ']' || *p == '}') {
			if (depth-- == array_depth)
				return 0;
		}
	}
	return 0;
}

struct reader {
	const char *file, *text;
	char **err;
};

__attribute__((format(printf, 3, 4))) static int
read_error(struct reader *r, long line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	sb_add_path(&sb, r->file);
	if (line)
		sb_addf(&sb, ":%ld", line);
	sb_adds(&sb, ": ");
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	*r->err = sb_detach(&sb);
	return -1;
}

static long line_of_key(const char *text, const char *key)
{
	char *quoted = xasprintf("\"%s\"", key);
	const char *p = strstr(text, quoted);
	long line = 1;

	free(quoted);
	if (!p)
		return 0;
	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

static int read_strings(struct reader *r, const json_t *root, const char *key,
			char ***v, size_t *n)
{
	const json_t *a = json_object_get(root, key);
	size_t i;
	json_t *item;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return read_error(r, line_of_key(r->text, key),
				  "\"%s\" must be an array of strings", key);
	json_array_foreach (a, i, item) {
		char *s = json_path_value(item);

		if (!s)
			return read_error(r, line_of_key(r->text, key),
					  "\"%s\" item %zu is not a string",
					  key, i + 1);
		strings_add(v, n, s);
		free(s);
	}
	return 0;
}

static int read_words(struct reader *r, long line, const json_t *o,
		      const char *what, const char *key, struct wordset *w)
{
	const json_t *a = json_object_get(o, key);
	size_t i;
	json_t *item;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return read_error(r, line, "%s: \"%s\" must be an array", what,
				  key);
	json_array_foreach (a, i, item) {
		char *s = json_path_value(item);

		if (!s)
			return read_error(r, line,
					  "%s: \"%s\" item %zu is not a string",
					  what, key, i + 1);
		wordset_add(w, s);
		free(s);
	}
	return 0;
}

static int read_entries(struct reader *r, const json_t *root, const char *key,
			struct bl_list *l)
{
	const json_t *a = json_object_get(root, key);
	size_t i;
	json_t *item;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return read_error(r, line_of_key(r->text, key),
				  "\"%s\" must be an array of entries", key);
	json_array_foreach (a, i, item) {
		long line = line_of_entry(r->text, key, i);
		char *what = xasprintf("%s entry %zu", key, i + 1);
		char *path = json_path_value(json_object_get(item, "path"));
		struct bl_entry *e;
		int rc;

		if (!json_is_object(item) || !path) {
			free(path);
			rc = read_error(r, line,
					"%s: an entry is {\"path\": PATTERN, "
					"\"ops\": [...], \"programs\": [...]}",
					what);
			free(what);
			return rc;
		}
		e = bl_list_get(l, path);
		e->file_line = line;
		free(path);
		rc = read_words(r, line, item, what, "ops", &e->ops);
		if (!rc)
			rc = read_words(r, line, item, what, "programs",
					&e->programs);
		free(what);
		if (rc)
			return rc;
	}
	return 0;
}

static int read_root(struct reader *r, struct baseline *b, const json_t *root)
{
	const json_t *v = json_object_get(root, "unroot_baseline");

	if (!json_is_object(root) || !v)
		return read_error(r, 0,
				  "not an unroot baseline (no "
				  "\"unroot_baseline\" version key)");
	if (!json_is_integer(v) || json_integer_value(v) != BASELINE_VERSION)
		return read_error(r, line_of_key(r->text, "unroot_baseline"),
				  "unsupported baseline version (this unroot "
				  "reads version %d)",
				  BASELINE_VERSION);
	if (read_strings(r, root, "patterns", &b->patterns, &b->npatterns) ||
	    read_strings(r, root, "ignore", &b->ignore, &b->nignore) ||
	    read_entries(r, root, "writes", &b->writes) ||
	    read_entries(r, root, "denials", &b->denials))
		return -1;
	return 0;
}

static char *slurp(const char *file, char **err)
{
	FILE *f = fopen(file, "r");
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;

	if (!f) {
		char *p = path_escape(file);

		*err = xasprintf("%s: cannot open: %s", p, strerror(errno));
		free(p);
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_add(&sb, buf, n);
	fclose(f);
	return sb_detach(&sb);
}

int baseline_read(struct baseline *b, const char *file, char **err)
{
	struct reader r = {.file = file, .err = err};
	json_error_t jerr;
	json_t *root;
	char *text = slurp(file, err);
	int rc;

	if (!text)
		return -1;
	r.text = text;
	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		char *msg = path_escape(jerr.text);

		if (jerr.line > 0)
			rc = read_error(&r, jerr.line,
					"broken JSON at column "
					"%d: %s",
					jerr.column, msg);
		else
			rc = read_error(&r, 0, "broken JSON: %s", msg);
		free(msg);
	} else {
		rc = read_root(&r, b, root);
	}
	json_decref(root);
	free(text);
	return rc;
}
