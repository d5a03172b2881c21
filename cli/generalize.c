/*
 * generalize.c - the generalisation rules of generalize.h: one function
 * per rule, applied component by component.  Nothing here knows about traces
 * or files, so every rule is unit-tested on plain strings
 * (tests/check/check_generalize.c); docs/baseline.md documents each rule.
 */
#include <stdlib.h>
#include <string.h>

#include "generalize.h"
#include "util.h"

#define PH_RAND "{rand}"
#define PH_HEX	"{hex}"
#define PH_NUM	"{n}"

#define PY_TEMP_LEN 8 /* Python tempfile: 8 of [a-z0-9_] */
#define MKTEMP_LEN  6 /* mkstemp(): the final XXXXXX */
#define HEX_MIN_LEN 8 /* shortest run taken for a hash */

/* Prefixes Python's tempfile module puts before its 8 random letters. */
static const char *const python_temp_prefixes[] = {
    "tmp",	   /* tempfile's default */
    "matplotlib-", /* matplotlib's fallback config dir in /tmp */
    "wgunicorn-",  /* gunicorn's worker heartbeat files */
};

static bool is_lower_or_digit(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return is_lower_or_digit(c) || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex_letter(char c)
{
	return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_python_temp_char(char c)
{
	return is_lower_or_digit(c) || c == '_';
}

/* ---- the rules, each on one component c[0..len) ------------------------ */

/*
 * Python tempfile names: a known prefix, exactly 8 of [a-z0-9_], then the
 * end of the name or a suffix that does not continue the random part.
 * Returns the length of the prefix + random part consumed, 0 when no match.
 */
static size_t python_temp_name(const char *c, size_t len, struct strbuf *out)
{
	for (size_t i = 0;
	     i < sizeof python_temp_prefixes / sizeof python_temp_prefixes[0];
	     i++) {
		const char *pre = python_temp_prefixes[i];
		size_t pl = strlen(pre), k;

		if (len < pl + PY_TEMP_LEN || strncmp(c, pre, pl))
			continue;
		for (k = 0; k < PY_TEMP_LEN; k++)
			if (!is_python_temp_char(c[pl + k]))
				break;
		if (k < PY_TEMP_LEN)
			continue;
		if (pl + k < len && is_python_temp_char(c[pl + k]))
			continue;
		sb_add(out, c, pl);
		sb_adds(out, PH_RAND);
		return pl + PY_TEMP_LEN;
	}
	return 0;
}

/* Whether the text just before position i ends with "---supervisor-":
 * supervisord's auto log files "prog-stdout---supervisor-GUllAv.log". */
static bool follows_supervisor_marker(const char *c, size_t i)
{
	static const char marker[] = "---supervisor-";
	size_t ml = sizeof marker - 1;

	return i >= ml && !strncmp(c + i - ml, marker, ml);
}

/* The random part after the supervisor marker: [A-Za-z0-9_]+. */
static size_t supervisor_random_len(const char *c, size_t len, size_t i)
{
	size_t j = i;

	while (j < len && (is_alnum(c[j]) || c[j] == '_'))
		j++;
	return j - i;
}

/* A hash: >= 8 hex digits holding at least one digit and one letter. */
static bool is_hex_hash(const char *t, size_t n)
{
	bool digit = false, letter = false;

	if (n < HEX_MIN_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (is_digit(t[i]))
			digit = true;
		else if (is_hex_letter(t[i]))
			letter = true;
		else
			return false;
	}
	return digit && letter;
}

/*
 * mktemp-style suffix without proof it came from mkstemp: a token of
 * exactly 6 (mkstemp "name.XXXXXX") or 10 (mktemp(1) "tmp.XXXXXXXXXX")
 * letters and digits right after a '.', mixing at least two of upper
 * case, lower case and digits.
 */
static bool looks_like_mktemp_suffix(const char *c, size_t start, size_t n)
{
	int upper = 0, lower = 0, digit = 0;

	if (start == 0 || c[start - 1] != '.' || (n != MKTEMP_LEN && n != 10))
		return false;
	for (size_t i = start; i < start + n; i++) {
		if (c[i] >= 'A' && c[i] <= 'Z')
			upper = 1;
		else if (c[i] >= 'a' && c[i] <= 'z')
			lower = 1;
		else
			digit = 1;
	}
	return upper + lower + digit >= 2;
}

/* Digits inside an alphanumeric token: a run not glued to a letter on
 * its left ("cpython-311", "0000000001", "app.1234") becomes {n}; one
 * that continues a word ("python3", "x86") stays. */
static void add_token_with_numbers(struct strbuf *out, const char *t, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (is_digit(t[i]) && (i == 0 || !is_letter(t[i - 1]))) {
			while (i < n && is_digit(t[i]))
				i++;
			sb_adds(out, PH_NUM);
			continue;
		}
		if (is_digit(t[i])) {
			while (i < n && is_digit(t[i]))
				sb_addc(out, t[i++]);
			continue;
		}
		sb_addc(out, t[i++]);
	}
}

/* Start of the last run of >= 6 letters/digits: mkstemp's XXXXXX are the
 * last six of it.  Returns len when there is none. */
static size_t mktemp_run_start(const char *c, size_t len)
{
	size_t end = len;

	while (end > 0) {
		size_t start;

		while (end > 0 && !is_alnum(c[end - 1]))
			end--;
		start = end;
		while (start > 0 && is_alnum(c[start - 1]))
			start--;
		if (end - start >= MKTEMP_LEN)
			return end - MKTEMP_LEN;
		end = start;
	}
	return len;
}

/* One alphanumeric token t = c[i..i+n): which rule, if any, replaces it. */
static void add_token(struct strbuf *out, const char *c, size_t i, size_t n)
{
	if (is_hex_hash(c + i, n))
		sb_adds(out, PH_HEX);
	else if (looks_like_mktemp_suffix(c, i, n))
		sb_adds(out, PH_RAND);
	else
		add_token_with_numbers(out, c + i, n);
}

static void generalize_component(struct strbuf *out, const char *c, size_t len,
				 bool made_by_mktemp)
{
	size_t i = python_temp_name(c, len, out);
	size_t rand_at = made_by_mktemp ? mktemp_run_start(c, len) : len;

	while (i < len) {
		size_t j = i;

		if (i == rand_at) {
			sb_adds(out, PH_RAND);
			i += MKTEMP_LEN;
			continue;
		}
		if (follows_supervisor_marker(c, i) &&
		    supervisor_random_len(c, len, i)) {
			sb_adds(out, PH_RAND);
			i += supervisor_random_len(c, len, i);
			continue;
		}
		if (!is_alnum(c[i])) {
			sb_addc(out, c[i++]);
			continue;
		}
		while (j < len && is_alnum(c[j]) && (j == i || j != rand_at))
			j++;
		add_token(out, c, i, j - i);
		i = j;
	}
}

/* Hugging Face's ".no_exist/<commit sha>/": the component after
 * ".no_exist" is a commit id whatever it looks like. */
static bool is_no_exist_dir(const char *prev, size_t prevlen)
{
	return prevlen == 9 && !strncmp(prev, ".no_exist", 9);
}

/* HOME rebased to "~": the length of the home prefix of path, 0 if none. */
static size_t home_prefix_len(const char *path, const char *home)
{
	size_t hl;

	if (!home || !*home || !strcmp(home, "/"))
		return 0;
	hl = strlen(home);
	while (hl > 1 && home[hl - 1] == '/')
		hl--;
	if (strncmp(path, home, hl) || (path[hl] && path[hl] != '/'))
		return 0;
	return hl;
}

char *generalize_path(const char *path, const char *home, bool made_by_mktemp)
{
	struct strbuf out = STRBUF_INIT;
	size_t hl = home_prefix_len(path, home);
	const char *p = path + hl, *prev = "";
	size_t prevlen = 0;

	if (hl)
		sb_addc(&out, '~');
	while (*p) {
		const char *end;
		size_t len;

		if (*p == '/') {
			sb_addc(&out, *p++);
			continue;
		}
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		if (is_no_exist_dir(prev, prevlen))
			sb_adds(&out, PH_HEX);
		else
			generalize_component(&out, p, len,
					     made_by_mktemp && !end);
		prev = p;
		prevlen = len;
		p += len;
	}
	if (!out.len)
		sb_adds(&out, path);
	return sb_detach(&out);
}
