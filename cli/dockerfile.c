/*
 * dockerfile.c - parses a Dockerfile into instructions that point back at
 * its raw lines, and writes it out again with the plan's block inserted
 * (see dockerfile.h).  Lines are copied byte for byte, so the user's
 * formatting and comments survive; only the marked block is ours.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile.h"

static void add_line(struct dockerfile *df, const char *s, size_t n)
{
	df->lines = xrealloc(df->lines, (df->nlines + 1) * sizeof *df->lines);
	df->lines[df->nlines++] = xstrndup(s, n);
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static bool is_comment(const char *line)
{
	return *skip_space(line) == '#';
}

static bool is_blank(const char *line)
{
	return !*skip_space(line) || !strcmp(skip_space(line), "\r");
}

static bool ends_with_escape(const char *line, char escape)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' ||
		     line[n - 1] == '\r'))
		n--;
	return n && line[n - 1] == escape;
}

/* Split into lines, dropping the blocks a previous apply inserted. */
static void split_lines(struct dockerfile *df, const char *text, size_t len)
{
	const char *s = text, *end = text + len;
	bool skipping = false;

	while (s < end) {
		const char *nl = memchr(s, '\n', end - s);
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *line = xstrndup(s, n);

		if (!strcmp(line, DF_BEGIN) || !strcmp(line, DF_STAGE_BEGIN))
			skipping = true;
		else if (!strcmp(line, DF_END) || !strcmp(line, DF_STAGE_END))
			skipping = false;
		else if (!skipping)
			add_line(df, s, n);
		free(line);
		s = nl ? nl + 1 : end;
	}
	df->final_newline = len && text[len - 1] == '\n';
}

/* Parser directives: "# escape=`" among the leading comment lines. */
static void read_directives(struct dockerfile *df)
{
	df->escape = '\\';
	for (size_t i = 0; i < df->nlines; i++) {
		const char *l = skip_space(df->lines[i]);

		if (*l != '#')
			return;
		l = skip_space(l + 1);
		if (!strncasecmp(l, "escape", 6)) {
			l = skip_space(l + 6);
			if (*l == '=') {
				l = skip_space(l + 1);
				if (*l == '`' || *l == '\\')
					df->escape = *l;
			}
		}
	}
}

/* The heredoc words of an instruction line ("<<EOF", "<<-'END'"). */
static size_t skip_heredocs(struct dockerfile *df, const char *args,
			    size_t after)
{
	const char *s = args;

	while ((s = strstr(s, "<<"))) {
		bool dash = false;
		char word[128];
		size_t n = 0;

		s += 2;
		if (*s == '-')
			dash = true, s++;
		if (*s == '"' || *s == '\'')
			s++;
		while ((isalnum((unsigned char)*s) || *s == '_') &&
		       n < sizeof word - 1)
			word[n++] = *s++;
		word[n] = 0;
		if (!n)
			continue;
		for (size_t i = after + 1; i < df->nlines; i++) {
			const char *l =
			    dash ? skip_space(df->lines[i]) : df->lines[i];

			if (!strcmp(l, word) ||
			    (!strncmp(l, word, n) && !strcmp(l + n, "\r"))) {
				after = i;
				break;
			}
		}
	}
	return after;
}

static void add_instr(struct dockerfile *df, size_t first, size_t last)
{
	const char *l = skip_space(df->lines[first]);
	size_t k = 0;
	struct df_instr *in;

	df->ins = xrealloc(df->ins, (df->nins + 1) * sizeof *df->ins);
	in = &df->ins[df->nins++];
	while (l[k] && !isspace((unsigned char)l[k]))
		k++;
	in->keyword = xstrndup(l, k);
	for (char *c = in->keyword; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	in->args = xstrdup(skip_space(l + k));
	in->first = first;
	in->last = last;
}

struct dockerfile *dockerfile_parse(const char *text, size_t len)
{
	struct dockerfile *df = xcalloc(1, sizeof *df);

	split_lines(df, text, len);
	read_directives(df);
	for (size_t i = 0; i < df->nlines; i++) {
		size_t last = i;

		if (is_blank(df->lines[i]) || is_comment(df->lines[i]))
			continue;
		while (ends_with_escape(df->lines[last], df->escape) &&
		       last + 1 < df->nlines) {
			last++;
			while (last + 1 < df->nlines &&
			       (is_comment(df->lines[last]) ||
				is_blank(df->lines[last])))
				last++;
		}
		add_instr(df, i, last);
		df->ins[df->nins - 1].last =
		    skip_heredocs(df, df->ins[df->nins - 1].args, last);
		i = df->ins[df->nins - 1].last;
	}
	df->final_from = df->nins;
	for (size_t i = 0; i < df->nins; i++)
		if (!strcmp(df->ins[i].keyword, "FROM"))
			df->final_from = i;
	return df;
}

void dockerfile_free(struct dockerfile *df)
{
	if (!df)
		return;
	for (size_t i = 0; i < df->nlines; i++)
		free(df->lines[i]);
	free(df->lines);
	for (size_t i = 0; i < df->nins; i++) {
		free(df->ins[i].keyword);
		free(df->ins[i].args);
	}
	free(df->ins);
	free(df);
}

bool dockerfile_user_is_root(const char *u)
{
	return !*u || !strcmp(u, "root") || !strcmp(u, "0") ||
	       !strncmp(u, "root:", 5) || !strncmp(u, "0:", 2);
}

static const char *user_before(const struct dockerfile *df, size_t end)
{
	const char *user = "";

	for (size_t i = df->final_from; i < end && i < df->nins; i++)
		if (!strcmp(df->ins[i].keyword, "USER"))
			user = df->ins[i].args;
	return user;
}

const char *dockerfile_final_user(const struct dockerfile *df)
{
	return user_before(df, df->nins);
}

static bool is_root_step(const char *kw)
{
	return !strcmp(kw, "RUN") || !strcmp(kw, "COPY") ||
	       !strcmp(kw, "ADD") || !strcmp(kw, "WORKDIR") ||
	       !strcmp(kw, "FROM");
}

/* The instruction's text, its continuation lines joined (comment lines
 * inside it dropped, as Docker does). */
static char *instr_text(const struct dockerfile *df, const struct df_instr *in)
{
	struct strbuf sb = STRBUF_INIT;
	const char *first = skip_space(df->lines[in->first]);

	for (size_t i = in->first; i <= in->last && i < df->nlines; i++) {
		const char *l = i == in->first ? first : df->lines[i];
		size_t n = strlen(l);

		if (i != in->first && (is_comment(l) || is_blank(l)))
			continue;
		while (n && (l[n - 1] == ' ' || l[n - 1] == '\t' ||
			     l[n - 1] == '\r'))
			n--;
		if (n && l[n - 1] == df->escape && i < in->last)
			n--;
		sb_add(&sb, l, n);
		sb_addc(&sb, ' ');
	}
	return sb_detach(&sb);
}

static void add_volume_path(char ***v, size_t *n, const char *p, size_t len)
{
	if (!len || memchr(p, '$', len))
		return;
	*v = xrealloc(*v, (*n + 2) * sizeof **v);
	(*v)[(*n)++] = xstrndup(p, len);
	(*v)[*n] = NULL;
}

char **dockerfile_volume_paths(const struct dockerfile *df,
			       const struct df_instr *in)
{
	char *text = instr_text(df, in), **v = xcalloc(1, sizeof *v);
	const char *a = skip_space(text + strlen(in->keyword));
	json_t *arr =
	    *a == '[' ? json_loads(a, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	size_t n = 0;

	if (json_is_array(arr)) {
		for (size_t i = 0; i < json_array_size(arr); i++) {
			json_t *e = json_array_get(arr, i);

			if (json_is_string(e))
				add_volume_path(&v, &n, json_string_value(e),
						json_string_length(e));
		}
	} else
		while (*(a = skip_space(a))) {
			size_t len = strcspn(a, " \t");

			add_volume_path(&v, &n, a, len);
			a += len;
		}
	json_decref(arr);
	free(text);
	return v;
}

void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static void put_early(const struct dockerfile *df, const struct df_block *b,
		      struct strbuf *out)
{
	const char *user = user_before(df, b->before);
	bool root = dockerfile_user_is_root(user);

	sb_addf(out, "%s\n%s%s", DF_BEGIN, root ? "" : "USER root\n", b->text);
	if (!root)
		sb_addf(out, "USER %s\n", user);
	sb_addf(out, "%s\n", DF_END);
}

/* Lines [from, to), each early block before its instruction's line. */
static void put_lines_with(const struct dockerfile *df, size_t from, size_t to,
			   const struct df_block *early, size_t n,
			   struct strbuf *out)
{
	for (size_t i = from; i < to; i++) {
		for (size_t j = 0; j < n; j++)
			if (early[j].before < df->nins &&
			    df->ins[early[j].before].first == i)
				put_early(df, &early[j], out);
		sb_adds(out, df->lines[i]);
		if (i + 1 < df->nlines || df->final_newline)
			sb_addc(out, '\n');
	}
}

static void put_lines(const struct dockerfile *df, size_t from, size_t to,
		      struct strbuf *out)
{
	put_lines_with(df, from, to, NULL, 0, out);
}

void dockerfile_insert(const struct dockerfile *df, const char *block,
		       const char *stage, struct strbuf *out)
{
	dockerfile_insert_blocks(df, block, stage, NULL, 0, out);
}

void dockerfile_insert_blocks(const struct dockerfile *df, const char *block,
			      const char *stage, const struct df_block *early,
			      size_t n, struct strbuf *out)
{
	size_t after = df->final_from, at_line, from_line, nbefore = 0;
	struct strbuf all = STRBUF_INIT;
	struct df_block *before;
	bool later_user = false;
	const char *user;

	if (df->final_from >= df->nins) {
		put_lines(df, 0, df->nlines, out);
		if (df->nlines && !df->final_newline)
			sb_addc(out, '\n');
		sb_addf(out, "%s\n%s%s\n", DF_BEGIN, block, DF_END);
		return;
	}
	for (size_t i = df->final_from; i < df->nins; i++)
		if (is_root_step(df->ins[i].keyword))
			after = i;
	for (size_t i = after + 1; i < df->nins; i++)
		later_user |= !strcmp(df->ins[i].keyword, "USER");
	at_line = df->ins[after].last + 1;
	from_line = df->ins[df->final_from].first;
	user = user_before(df, after + 1);
	/* a block for an instruction after the last step that changes files
	 * (a VOLUME near the end) goes first in the main block: nothing
	 * between changes the files, and after it the main block's USER
	 * would run it as the user */
	before = xcalloc(n + 1, sizeof *before);
	for (size_t j = 0; j < n; j++)
		if (early[j].before > after && early[j].before < df->nins)
			sb_adds(&all, early[j].text);
		else
			before[nbefore++] = early[j];
	sb_adds(&all, block);
	put_lines(df, 0, from_line, out);
	if (stage)
		sb_addf(out, "%s\n%s%s\n", DF_STAGE_BEGIN, stage, DF_STAGE_END);
	put_lines_with(df, from_line, at_line, before, nbefore, out);
	if (at_line >= df->nlines && df->nlines && !df->final_newline)
		sb_addc(out, '\n');
	sb_addf(out, "%s\n", DF_BEGIN);
	if (!dockerfile_user_is_root(user))
		sb_adds(out, "USER root\n");
	sb_adds(out, all.buf);
	if (!dockerfile_user_is_root(user) && !later_user)
		sb_addf(out, "# back to the user the stage ran as\nUSER %s\n",
			user);
	sb_addf(out, "%s\n", DF_END);
	put_lines(df, at_line, df->nlines, out);
	free(before);
	sb_release(&all);
}
