/*
 * cmd_check.c - `unroot check --baseline FILE [--update] [--format F] DIR...`:
 * fail a CI pipeline when a workload writes or is denied somewhere its
 * committed baseline does not list.
 *
 * This file also owns the comparison and its four outputs (text, json,
 * github workflow commands, JUnit XML), shared with `unroot diff`.
 * Everything printed comes from an untrusted trace, so every path goes
 * through path_escape() before any format-specific escaping, and no line
 * of the text output can start with "::" (a CI runner's command prefix).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "commands.h"
#include "generalize.h"
#include "plan.h"
#include "quote.h"

/* ---- reading traces ------------------------------------------------------ */

static void warn_diag(const struct trace_diag *d)
{
	char *f = path_escape(d->file ? d->file : "trace");
	char *m = path_escape(d->message);

	if (d->line)
		warning("%s:%ld: %s", f, d->line, m);
	else
		warning("%s: %s", f, m);
	free(f);
	free(m);
}

struct trace *check_open_trace(char *const *dirs, int ndirs)
{
	const char *why = NULL;
	struct trace *t = trace_open(dirs, ndirs, &why);
	char *shown = path_escape(dirs[0]);

	if (!t) {
		errmsg("no trace could be read in %s%s: %s", shown,
		       ndirs > 1 ? " ..." : "", why ? why : "unknown error");
		free(shown);
		return NULL;
	}
	for (size_t i = 0; i < trace_ndiags(t); i++)
		warn_diag(trace_diag_at(t, i));
	if (!trace_nprocs(t) && !trace_nevents(t)) {
		errmsg("no trace could be read in %s%s: no process recorded "
		       "anything",
		       shown, ndirs > 1 ? " ..." : "");
		trace_close(t);
		t = NULL;
	}
	free(shown);
	return t;
}

int check_parse_format(const char *s, enum check_format *f)
{
	static const char *const names[] = {"text", "json", "github", "junit"};

	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*f = (enum check_format)i;
			return 0;
		}
	return -1;
}

/* ---- the plan line that would grant a path ---------------------------------
 *
 * Rendered by the plan's own renderer (plan_render_grant and
 * plan_render_redirect, cmd_plan.c), in Dockerfile form, so that check and
 * plan can never disagree.
 */

static struct plan *plan_of_trace(struct trace *t)
{
	struct plan_options o;

	plan_options_init(&o);
	return plan_trace(t, &o);
}

/* The deepest grant, redirect, host fix or tmpfs covering raw, as text. */
static char *plan_line_for(const struct plan *pl, const char *raw)
{
	size_t best = 0;
	char *line = NULL;

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
	for (size_t i = 0; !line && pl && i < pl->ntmpfs; i++)
		if (path_is_under(raw, pl->tmpfs[i].dir)) {
			char *opt = plan_tmpfs_option(pl, &pl->tmpfs[i]);

			line = xasprintf("docker run --tmpfs %s", opt);
			free(opt);
		}
	return line;
}

/* ---- the comparison --------------------------------------------------------
 */

struct finding {
	const struct bl_entry *e;
	bool denial;
	char *plan_line; /* NULL when the plan has none */
};

struct comparison {
	struct finding *found;
	size_t nfound, cap;
	const struct bl_entry **unseen;
	size_t nunseen, capunseen;
	size_t nwrites_seen, ndenials_seen;
	const char *label;
};

static void find_new(struct comparison *c, const struct bl_list *accepted,
		     struct bl_list *seen, bool denial)
{
	bl_list_sort(seen);
	for (size_t i = 0; i < seen->n; i++) {
		if (bl_list_covers(accepted, seen->v[i].path))
			continue;
		c->found =
		    xgrow(c->found, &c->cap, c->nfound + 1, sizeof *c->found);
		c->found[c->nfound].e = &seen->v[i];
		c->found[c->nfound].denial = denial;
		c->found[c->nfound++].plan_line = NULL;
	}
}

static bool seen_matches(const struct bl_list *seen, const char *pattern)
{
	if (bl_list_find(seen, pattern))
		return true;
	if (!is_glob(pattern))
		return false;
	for (size_t i = 0; i < seen->n; i++)
		if (glob_match(pattern, seen->v[i].path))
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
			    plan_line_for(pl, c->found[i].e->first.raw);
	if (pl)
		plan_free(pl);
}

static size_t count_new(const struct comparison *c, bool denial)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nfound; i++)
		n += c->found[i].denial == denial;
	return n;
}

/* ---- one sentence about a finding (shared by text, github, junit) ------- */

/* "create /tmp/x by python3.11[42] at python3.11+0x1f; plan line: RUN ..."
 * with every untrusted part escaped for a terminal. */
static void sb_add_finding(struct strbuf *sb, const struct finding *f)
{
	const struct first_seen *s = &f->e->first;

	sb_adds(sb, s->op ? s->op : "?");
	sb_addc(sb, ' ');
	sb_add_path(sb, s->raw ? s->raw : f->e->path);
	if (s->errname)
		sb_addf(sb, " (%s)", s->errname);
	sb_adds(sb, " by ");
	sb_add_path(sb, s->program ? s->program : "?");
	sb_addf(sb, "[%d]", s->pid);
	if (s->frame) {
		sb_adds(sb, " at ");
		sb_add_path(sb, s->frame);
	}
	if (s->py_site) {
		sb_adds(sb, " (python: ");
		sb_add_path(sb, s->py_site);
		sb_addc(sb, ')');
	}
	if (strcmp(s->raw ? s->raw : "", f->e->path)) {
		sb_adds(sb, "; pattern ");
		sb_add_path(sb, f->e->path);
	}
	sb_adds(sb, "; plan line: ");
	if (f->plan_line)
		sb_add_path(sb, f->plan_line);
	else
		sb_adds(sb, "none (see unroot plan)");
}

static const char *kind_of(const struct finding *f)
{
	return f->denial ? "new denial" : "new write";
}

/* ---- text ------------------------------------------------------------------
 */

static void print_text(const struct comparison *c, FILE *out)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < c->nfound; i++) {
		const struct finding *f = &c->found[i];

		sb_reset(&sb);
		sb_add_finding(&sb, f);
		fprintf(out, "%s: %s\n", kind_of(f), sb.buf);
	}
	if (c->nunseen)
		fprintf(out, "in the baseline, not seen this time "
			     "(information):\n");
	for (size_t i = 0; i < c->nunseen; i++) {
		fputs("  ", out);
		fput_path(out, c->unseen[i]->path);
		fputc('\n', out);
	}
	sb_release(&sb);
	fprintf(out,
		"%s: %zu new writes, %zu new denials "
		"(%zu write patterns and %zu denials seen) against ",
		command_name(), count_new(c, false), count_new(c, true),
		c->nwrites_seen, c->ndenials_seen);
	fput_path(out, c->label);
	fputc('\n', out);
}

/* ---- github workflow commands ---------------------------------------------
 */

/* GitHub's escaping of a command's message: % CR LF. */
static void sb_add_gh_data(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '%')
			sb_adds(sb, "%25");
		else if (*s == '\r')
			sb_adds(sb, "%0D");
		else if (*s == '\n')
			sb_adds(sb, "%0A");
		else
			sb_addc(sb, *s);
	}
}

/* ... and of a property value: also ':' and ','. */
static void sb_add_gh_property(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == ':')
			sb_adds(sb, "%3A");
		else if (*s == ',')
			sb_adds(sb, "%2C");
		else if (*s == '%' || *s == '\r' || *s == '\n')
			sb_add_gh_data(sb, (char[]){*s, 0});
		else
			sb_addc(sb, *s);
	}
}

static void print_gh_command(FILE *out, const char *cmd, const char *file,
			     const char *title, const char *message)
{
	struct strbuf sb = STRBUF_INIT;
	char *f = path_escape(file);

	sb_addf(&sb, "::%s file=", cmd);
	sb_add_gh_property(&sb, f);
	sb_adds(&sb, ",title=");
	sb_add_gh_property(&sb, title);
	sb_adds(&sb, "::");
	sb_add_gh_data(&sb, message);
	fprintf(out, "%s\n", sb.buf);
	sb_release(&sb);
	free(f);
}

static void print_github(const struct comparison *c, FILE *out)
{
	struct strbuf msg = STRBUF_INIT;

	for (size_t i = 0; i < c->nfound; i++) {
		char *title = xasprintf("unroot: %s", kind_of(&c->found[i]));

		sb_reset(&msg);
		sb_add_finding(&msg, &c->found[i]);
		print_gh_command(out, "error", c->label, title, msg.buf);
		free(title);
	}
	for (size_t i = 0; i < c->nunseen; i++) {
		char *p = path_escape(c->unseen[i]->path);

		sb_reset(&msg);
		sb_addf(&msg, "in the baseline, not seen this time: %s", p);
		print_gh_command(out, "notice", c->label, "unroot: not seen",
				 msg.buf);
		free(p);
	}
	sb_reset(&msg);
	sb_addf(&msg, "%zu new writes, %zu new denials", count_new(c, false),
		count_new(c, true));
	print_gh_command(out, c->nfound ? "error" : "notice", c->label,
			 "unroot check", msg.buf);
	sb_release(&msg);
}

/* ---- JUnit XML -------------------------------------------------------------
 */

/* Length of the UTF-8 sequence at s and its code point; 0 when invalid. */
static int utf8_decode(const unsigned char *s, unsigned *cp)
{
	int n = s[0] < 0x80		? 1
		: (s[0] & 0xe0) == 0xc0 ? 2
		: (s[0] & 0xf0) == 0xe0 ? 3
		: (s[0] & 0xf8) == 0xf0 ? 4
					: 0;

	if (!n)
		return 0;
	*cp = n == 1 ? s[0] : s[0] & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	return n;
}

/* Characters XML 1.0 allows. */
static bool xml_char_allowed(unsigned cp)
{
	return cp == 0x9 || cp == 0xa || cp == 0xd ||
	       (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	       (cp >= 0x10000 && cp <= 0x10ffff);
}

/* Text for an XML attribute or element: markup escaped, characters XML 1.0
 * cannot hold replaced by U+FFFD. */
static void sb_add_xml(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned cp = 0;
		int n = utf8_decode(p, &cp);

		if (!n || !xml_char_allowed(cp)) {
			sb_adds(sb, "\xef\xbf\xbd");
			p += n ? n : 1;
			continue;
		}
		switch (cp) {
		case '&':
			sb_adds(sb, "&amp;");
			break;
		case '<':
			sb_adds(sb, "&lt;");
			break;
		case '>':
			sb_adds(sb, "&gt;");
			break;
		case '"':
			sb_adds(sb, "&quot;");
			break;
		case '\'':
			sb_adds(sb, "&apos;");
			break;
		default:
			sb_add(sb, p, n);
			break;
		}
		p += n;
	}
}

static void junit_testcase(struct strbuf *sb, const struct finding *f)
{
	struct strbuf msg = STRBUF_INIT;
	char *name = path_escape(f->e->path);

	sb_add_finding(&msg, f);
	sb_addf(sb, "    <testcase classname=\"unroot.%s\" name=\"",
		f->denial ? "denials" : "writes");
	sb_add_xml(sb, name);
	sb_adds(sb, "\">\n      <failure type=\"");
	sb_adds(sb, kind_of(f));
	sb_adds(sb, "\" message=\"");
	sb_add_xml(sb, msg.buf);
	sb_adds(sb, "\">");
	sb_add_xml(sb, msg.buf);
	sb_adds(sb, "</failure>\n    </testcase>\n");
	sb_release(&msg);
	free(name);
}

static void print_junit(const struct comparison *c, FILE *out)
{
	struct strbuf sb = STRBUF_INIT;
	size_t tests = c->nfound ? c->nfound : 1;

	sb_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	sb_addf(&sb,
		"<testsuites name=\"unroot\" tests=\"%zu\" "
		"failures=\"%zu\">\n",
		tests, c->nfound);
	sb_addf(&sb,
		"  <testsuite name=\"unroot check\" tests=\"%zu\" "
		"failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
		tests, c->nfound);
	for (size_t i = 0; i < c->nfound; i++)
		junit_testcase(&sb, &c->found[i]);
	if (!c->nfound)
		sb_adds(&sb, "    <testcase classname=\"unroot\" "
			     "name=\"no new writes or denials\"/>\n");
	sb_adds(&sb, "    <system-out>");
	for (size_t i = 0; i < c->nunseen; i++) {
		char *p = path_escape(c->unseen[i]->path);

		sb_adds(&sb, "in the baseline, not seen this time: ");
		sb_add_xml(&sb, p);
		sb_addc(&sb, '\n');
		free(p);
	}
	sb_adds(&sb, "</system-out>\n  </testsuite>\n</testsuites>\n");
	fputs(sb.buf, out);
	sb_release(&sb);
}

/* ---- json
 * -------------------------------------------------------------------- */

static json_t *json_opt_path(const char *s)
{
	return s ? json_path(s) : json_null();
}

static json_t *finding_json(const struct finding *f)
{
	const struct first_seen *s = &f->e->first;
	json_t *o = json_object();

	json_object_set_new(o, "pattern", json_path(f->e->path));
	json_object_set_new(o, "path", json_opt_path(s->raw));
	json_object_set_new(o, "op", json_opt_path(s->op));
	json_object_set_new(o, "program", json_opt_path(s->program));
	json_object_set_new(o, "pid", json_integer(s->pid));
	json_object_set_new(o, "errno", json_opt_path(s->errname));
	json_object_set_new(o, "frame", json_opt_path(s->frame));
	json_object_set_new(o, "py_site", json_opt_path(s->py_site));
	json_object_set_new(o, "plan_line", json_opt_path(f->plan_line));
	return o;
}

static void print_json(const struct comparison *c, FILE *out)
{
	json_t *o = json_object(), *w = json_array(), *d = json_array();
	json_t *u = json_array();
	char *s;

	for (size_t i = 0; i < c->nfound; i++)
		json_array_append_new(c->found[i].denial ? d : w,
				      finding_json(&c->found[i]));
	for (size_t i = 0; i < c->nunseen; i++)
		json_array_append_new(u, json_path(c->unseen[i]->path));
	json_object_set_new(o, "unroot_check", json_integer(1));
	json_object_set_new(o, "baseline", json_path(c->label));
	json_object_set_new(o, "status",
			    json_string(c->nfound ? "new" : "same"));
	json_object_set_new(o, "new_writes", w);
	json_object_set_new(o, "new_denials", d);
	json_object_set_new(o, "not_seen", u);
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s)
		fprintf(out, "%s\n", s);
	free(s);
	json_decref(o);
}

int check_compare(const struct baseline *accepted, struct baseline *seen,
		  struct trace *trace, const char *label, enum check_format f,
		  FILE *out)
{
	struct comparison c = {.label = label};

	c.nwrites_seen = seen->writes.n;
	c.ndenials_seen = seen->denials.n;
	find_new(&c, &accepted->writes, &seen->writes, false);
	find_new(&c, &accepted->denials, &seen->denials, true);
	find_unseen(&c, &accepted->writes, &seen->writes);
	find_unseen(&c, &accepted->denials, &seen->denials);
	explain_with_plan(&c, trace);
	switch (f) {
	case CHECK_TEXT:
		print_text(&c, out);
		break;
	case CHECK_JSON:
		print_json(&c, out);
		break;
	case CHECK_GITHUB:
		print_github(&c, out);
		break;
	case CHECK_JUNIT:
		print_junit(&c, out);
		break;
	}
	fflush(out);
	for (size_t i = 0; i < c.nfound; i++)
		free(c.found[i].plan_line);
	free(c.found);
	free(c.unseen);
	return c.nfound ? CHECK_EXIT_NEW : CHECK_EXIT_SAME;
}

/* ---- the command ------------------------------------------------------------
 */

struct check_args {
	const char *baseline;
	bool update;
	enum check_format format;
	char **dirs;
	int ndirs;
};

static void check_usage(FILE *f)
{
	fprintf(f, "usage: unroot check [--baseline FILE] [--update] "
		   "[--format text|json|github|junit] [DIR...]\n");
}

static void check_help(void)
{
	check_usage(stdout);
	printf("\nCompare a trace with a committed baseline (docs/baseline.md)."
	       "\n  --baseline FILE  the baseline (default %s)\n"
	       "  --update         accept what was seen: add it to the "
	       "baseline\n"
	       "  --format F       text (default), json, github (workflow "
	       "commands), junit\nDIR defaults to %s.\n"
	       "Exit: 0 nothing new, 1 new writes or denials, 2 usage or a "
	       "bad baseline,\n3 no trace could be read.\n",
	       DEFAULT_BASELINE_FILE, DEFAULT_TRACE_DIR);
}

/* 0 when parsed, -1 for a usage error (printed), 1 for --help. */
static int parse_check_args(int argc, char **argv, struct check_args *a)
{
	static char *defdir[] = {(char *)DEFAULT_TRACE_DIR};
	int i;

	a->baseline = DEFAULT_BASELINE_FILE;
	a->dirs = defdir;
	a->ndirs = 1;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
		if (!strcmp(argv[i], "--update")) {
			a->update = true;
		} else if (!strcmp(argv[i], "--baseline") && i + 1 < argc) {
			a->baseline = argv[++i];
		} else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			if (check_parse_format(argv[++i], &a->format)) {
				errmsg("unknown format '%s'", argv[i]);
				return -1;
			}
		} else {
			errmsg("unknown option or missing value '%s'", argv[i]);
			return -1;
		}
	}
	if (i < argc) {
		a->dirs = argv + i;
		a->ndirs = argc - i;
	}
	return 0;
}

static int update_baseline(struct baseline *accepted,
			   const struct baseline *seen, const char *file)
{
	char *err = NULL;

	baseline_merge(accepted, seen);
	if (baseline_write(accepted, file, &err)) {
		errmsg("%s", err);
		free(err);
		return 1;
	}
	fprintf(stderr, "unroot check: updated ");
	fput_path(stderr, file);
	fprintf(stderr, " to accept what was seen\n");
	return 0;
}

int cmd_check(int argc, char **argv)
{
	struct check_args a = {0};
	struct baseline accepted, seen;
	struct trace *t;
	char *err = NULL;
	int rc;

	set_command("check", CHECK_EXIT_USAGE);
	rc = parse_check_args(argc, argv, &a);
	if (rc) {
		if (rc > 0)
			check_help();
		else
			check_usage(stderr);
		return rc > 0 ? 0 : CHECK_EXIT_USAGE;
	}
	baseline_init(&accepted);
	if (baseline_read(&accepted, a.baseline, &err)) {
		errmsg("%s", err);
		free(err);
		baseline_free(&accepted);
		return CHECK_EXIT_USAGE;
	}
	t = check_open_trace(a.dirs, a.ndirs);
	if (!t) {
		baseline_free(&accepted);
		return CHECK_EXIT_NO_TRACE;
	}
	baseline_init(&seen);
	baseline_copy_rules(&seen, &accepted);
	baseline_collect(&seen, t);
	rc = check_compare(&accepted, &seen, t, a.baseline, a.format, stdout);
	if (a.update)
		rc = update_baseline(&accepted, &seen, a.baseline);
	trace_close(t);
	baseline_free(&seen);
	baseline_free(&accepted);
	return rc;
}
