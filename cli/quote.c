/*
 * quote.c - safe quoting of arbitrary path bytes for sh, Dockerfile RUN and
 * ENV lines, JSON and comments (see quote.h).  This is the only place that
 * decides how a name is written into generated text, so that a name such as
 * "$(touch /tmp/pwned)" or one holding a newline can never become code.
 */
#include <string.h>

#include "quote.h"
#include "util.h"

char *sh_quote(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	sb_addc(&sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_adds(&sb, "'\\''");
		else
			sb_addc(&sb, *s);
	}
	sb_addc(&sb, '\'');
	return sb_detach(&sb);
}

static bool has_control_byte(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

static bool printable_on_one_line(const char *s)
{
	return !has_control_byte(s) && utf8_valid(s, strlen(s));
}

/* printf(1) format text: printable ASCII but ' \ % kept, the rest \ooo. */
static void add_printf_escaped(struct strbuf *sb, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\'' && *p != '\\' &&
		    *p != '%')
			sb_addc(sb, (char)*p);
		else
			sb_addf(sb, "\\%03o", *p);
	}
}

char *sh_quote_oneline(const char *s, const char **why)
{
	size_t n = strlen(s);
	struct strbuf sb = STRBUF_INIT;

	if (printable_on_one_line(s))
		return sh_quote(s);
	if (n && s[n - 1] == '\n') {
		*why =
		    "the name ends with a newline, which a Dockerfile RUN line "
		    "cannot carry";
		return NULL;
	}
	sb_adds(&sb, "\"$(printf '");
	add_printf_escaped(&sb, s);
	sb_adds(&sb, "')\"");
	return sb_detach(&sb);
}

char *dockerfile_env_value(const char *s, char escape, const char **why)
{
	struct strbuf sb = STRBUF_INIT;

	if (!printable_on_one_line(s)) {
		*why = "the value holds control characters or invalid UTF-8, "
		       "which a Dockerfile ENV line cannot carry";
		return NULL;
	}
	sb_addc(&sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '$' || *s == escape)
			sb_addc(&sb, escape);
		sb_addc(&sb, *s);
	}
	sb_addc(&sb, '"');
	return sb_detach(&sb);
}

char *json_quote(const char *s, const char **why)
{
	json_t *str;
	char *out;

	if (!utf8_valid(s, strlen(s))) {
		*why = "the name is not valid UTF-8, which a JSON string "
		       "cannot carry";
		return NULL;
	}
	str = json_string(s);
	if (!str) {
		*why = "the name cannot be encoded as JSON";
		return NULL;
	}
	out = json_dumps(str, JSON_ENCODE_ANY);
	json_decref(str);
	if (!out)
		*why = "out of memory";
	return out;
}

char *comment_safe(const char *s)
{
	return path_escape(s);
}

bool sh_word_is_plain(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789_./:@%+,=-",
			*s))
			return false;
	return true;
}
