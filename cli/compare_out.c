/*
 * compare_out.c - the four outputs of a comparison (compare.h): text for a
 * person, JSON for programs, GitHub workflow commands and JUnit XML for CI.
 * Everything printed comes from an untrusted trace, so every path goes
 * through path_escape() before any format-specific escaping, and no line
 * of the text output can start with "::" (a CI runner's command prefix).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "compare_int.h"

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
	if (f->sibling) {
		sb_adds(sb, "; looks like a temporary name the baseline has "
			    "as ");
		sb_add_path(sb, f->sibling->path);
		sb_adds(sb, " (both are ");
		sb_add_path(sb, f->widened);
		sb_adds(sb, ": check --update widens it)");
	}
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
	json_object_set_new(
	    o, "temp_sibling",
	    json_opt_path(f->sibling ? f->sibling->path : NULL));
	json_object_set_new(o, "widened", json_opt_path(f->widened));
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

/* ---- the table ----------------------------------------------------------- */

static const struct compare_format formats[] = {
    {"text", print_text},
    {"json", print_json},
    {"github", print_github},
    {"junit", print_junit},
};

const struct format_table *compare_formats(void)
{
	static const struct format_table t = FORMAT_TABLE(formats);

	return &t;
}
