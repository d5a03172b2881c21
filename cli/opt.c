/*
 * opt.c - the option parser of opt.h: one pass over argv against the
 * command's table, operands gathered in order at the front of argv, and
 * the usage line and help written from the same table.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "util.h"

#define HELP_WIDTH  79 /* the usage line is wrapped before this column */
#define HELP_COLUMN 28 /* where an option's help starts, at most */

/* ---- finding an option --------------------------------------------------- */

static const struct opt *find(const struct opt *opts, char shrt,
			      const char *lng, size_t len)
{
	for (const struct opt *o = opts; o->type != OPT_T_END; o++)
		if (shrt ? o->shrt == shrt
			 : o->lng && strlen(o->lng) == len &&
			       !strncmp(o->lng, lng, len))
			return o;
	return NULL;
}

/* "--output", or "-o" for an option without a long name (allocated). */
static char *shown_name(const struct opt *o)
{
	return o->lng ? xasprintf("--%s", o->lng) : xasprintf("-%c", o->shrt);
}

void opt_error(const struct opt *o, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char *name = shown_name(o);
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	errmsg("option '%s' %s", name, sb.buf);
	free(name);
	sb_release(&sb);
}

int opt_format(const struct opt *o, const char *arg)
{
	const struct format_table *t = o->data;
	int i = format_find(t, arg);
	struct strbuf names = STRBUF_INIT;

	if (i >= 0) {
		*(int *)o->value = i;
		return 0;
	}
	format_names(t, ", ", &names);
	opt_error(o, "must be one of %s, not '%s'", names.buf, arg);
	sb_release(&names);
	return -1;
}

/* ---- parsing ------------------------------------------------------------- */

static int set(const struct opt *o, const char *arg)
{
	switch (o->type) {
	case OPT_T_FLAG:
		*(bool *)o->value = true;
		return 0;
	case OPT_T_STRING:
		*(const char **)o->value = arg;
		return 0;
	case OPT_T_CALL:
		return o->call(o, arg);
	case OPT_T_END:
		break;
	}
	return -1;
}

static int unknown(const struct opt_cmd *c, const char *a)
{
	char *shown = path_escape(a);

	errmsg("unknown option '%s'; see 'unroot %s --help'", shown, c->name);
	free(shown);
	return -1;
}

/* Take the option at argv[*i] (and its value); 0, or -1 after a message. */
static int take(const struct opt_cmd *c, const struct opt *opts, int argc,
		char **argv, int *i)
{
	const char *a = argv[*i], *val = NULL, *eq;
	const struct opt *o;

	if (a[1] == '-') {
		eq = strchr(a + 2, '=');
		o = find(opts, 0, a + 2,
			 eq ? (size_t)(eq - a - 2) : strlen(a + 2));
		if (o && eq && !o->arg) {
			opt_error(o, "takes no value");
			return -1;
		}
		val = eq ? eq + 1 : NULL;
	} else {
		o = find(opts, a[1], NULL, 0);
		if (o && a[2] && !o->arg)
			o = NULL; /* -xyz: no clusters of flags */
		val = a[2] ? a + 2 : NULL;
	}
	if (!o)
		return unknown(c, a);
	if (o->arg && !val) {
		if (*i + 1 >= argc) {
			char *shown = path_escape(a);

			errmsg("option '%s' needs a value", shown);
			free(shown);
			return -1;
		}
		val = argv[++*i];
	}
	return set(o, val);
}

/* A required option left out; NULL when there is none. */
static const struct opt *missing(const struct opt *opts)
{
	for (const struct opt *o = opts; o->type != OPT_T_END; o++)
		if (o->required && !*(const char **)o->value)
			return o;
	return NULL;
}

int opt_parse(const struct opt_cmd *c, const struct opt *opts, int argc,
	      char **argv)
{
	const struct opt *o;
	int n = 0, i;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			opt_help(c, opts, stdout);
			return OPT_HELP;
		}
		if (a[0] == '-' && a[1]) {
			if (take(c, opts, argc, argv, &i))
				return OPT_ERROR;
			continue;
		}
		if (c->flags & OPT_OPERANDS_AFTER_DASHDASH) {
			char *shown = path_escape(a);

			errmsg("unexpected argument '%s' (operands come after "
			       "--); see 'unroot %s --help'",
			       shown, c->name);
			free(shown);
			return OPT_ERROR;
		}
		if (c->flags & OPT_STOP_AT_OPERAND)
			break;
		argv[n++] = a;
	}
	while (i < argc)
		argv[n++] = argv[i++];
	o = missing(opts);
	if (o) {
		if (o->shrt)
			errmsg("-%c %s is required; see 'unroot %s --help'",
			       o->shrt, o->arg, c->name);
		else
			errmsg("--%s %s is required; see 'unroot %s --help'",
			       o->lng, o->arg, c->name);
		return OPT_ERROR;
	}
	return n;
}

/* ---- help ---------------------------------------------------------------- */

/* The value as the usage shows it: its name, or a format's names. */
static void add_arg(struct strbuf *sb, const struct opt *o)
{
	if (o->call == opt_format)
		format_names(o->data, "|", sb);
	else
		sb_adds(sb, o->arg);
}

/* One option of the usage line: "[-o DIR]", "[--reads]". */
static void usage_item(struct strbuf *sb, const struct opt *o)
{
	if (!o->required)
		sb_adds(sb, "[");
	if (o->shrt)
		sb_addf(sb, "-%c", o->shrt);
	else
		sb_addf(sb, "--%s", o->lng);
	if (o->arg) {
		sb_addc(sb, ' ');
		add_arg(sb, o);
	}
	if (!o->required)
		sb_adds(sb, "]");
}

static void collect_items(const struct opt *opts, char ***items, size_t *n)
{
	for (const struct opt *o = opts; o->type != OPT_T_END; o++) {
		struct strbuf sb = STRBUF_INIT;

		usage_item(&sb, o);
		*items = xrealloc(*items, (*n + 1) * sizeof **items);
		(*items)[(*n)++] = sb_detach(&sb);
	}
}

/* "usage: unroot CMD [...] OPERANDS", wrapped under its first item. */
static void usage_line(const struct opt_cmd *c, const struct opt *opts, FILE *f)
{
	char **items = NULL;
	size_t n = 0, col, indent;

	col = indent = (size_t)fprintf(f, "usage: unroot %s", c->name);
	collect_items(opts, &items, &n);
	if (c->operands && *c->operands) {
		items = xrealloc(items, (n + 1) * sizeof *items);
		items[n++] = xstrdup(c->operands);
	}
	for (size_t i = 0; i < n; i++) {
		size_t w = strlen(items[i]) + 1;

		if (col + w > HELP_WIDTH && col > indent) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		}
		fprintf(f, " %s", items[i]);
		col += w;
		free(items[i]);
	}
	fputc('\n', f);
	free(items);
}

/* "  -o, --output DIR" */
static void option_left(struct strbuf *sb, const struct opt *o)
{
	sb_adds(sb, o->shrt ? "  " : "      ");
	if (o->shrt)
		sb_addf(sb, "-%c%s", o->shrt, o->lng ? ", " : "");
	if (o->lng)
		sb_addf(sb, "--%s", o->lng);
	if (o->arg) {
		sb_addc(sb, ' ');
		sb_adds(sb, o->arg);
	}
}

static void option_lines(const struct opt *opts, FILE *f)
{
	struct strbuf sb = STRBUF_INIT;

	for (const struct opt *o = opts; o->type != OPT_T_END; o++) {
		sb_reset(&sb);
		option_left(&sb, o);
		if (sb.len + 2 > HELP_COLUMN)
			fprintf(f, "%s\n%*s%s\n", sb.buf, HELP_COLUMN, "",
				o->help);
		else
			fprintf(f, "%-*s%s\n", HELP_COLUMN, sb.buf, o->help);
	}
	sb_release(&sb);
}

void opt_help(const struct opt_cmd *c, const struct opt *opts, FILE *f)
{
	usage_line(c, opts, f);
	if (c->about)
		fprintf(f, "\n%s", c->about);
	fprintf(f, "\n%-*s%s\n", HELP_COLUMN, "  -h, --help", "this help");
	option_lines(opts, f);
	if (c->more)
		fprintf(f, "\n%s", c->more);
}
