/*
 * tempname_shape.c - the token shapes of common name generators (uuid,
 * base64url, Python's tempfile, mktemp, decimal digits glued to a prefix)
 * and the tests of what is not random (words, versions, hashes): the
 * fallback detector for a name without evidence and the lenient kinds a
 * name with evidence is read with (tempname.c applies them).  Each finder
 * is a pure function of the component's bytes, unit-tested in
 * tests/check/check_tempname.c.
 */
#define _GNU_SOURCE
#include <string.h>

#include "tempname_int.h"

bool is_hex_hash(const char *t, size_t n)
{
	bool digit = false, letter = false;

	if (n < 8)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_hex_char(t[i]))
			return false;
		if (is_digit(t[i]))
			digit = true;
		else
			letter = true;
	}
	return digit && letter;
}

/* 1 upper, 2 lower, 4 digit: the classes present in t[0..n). */
static unsigned classes(const char *t, size_t n)
{
	unsigned k = 0;

	for (size_t i = 0; i < n; i++)
		k |= is_upper(t[i])   ? 1
		     : is_lower(t[i]) ? 2
		     : is_digit(t[i]) ? 4
				      : 0;
	return k;
}

static int nclasses(unsigned k)
{
	return (k & 1) + ((k >> 1) & 1) + ((k >> 2) & 1);
}

/* A word: lower-case letters, upper-case letters, or a capital and then
 * lower case ("file", "README", "Test"). */
static bool is_word(const char *t, size_t n)
{
	size_t i = n && is_upper(t[0]);

	while (i < n && is_lower(t[i]))
		i++;
	if (i == n)
		return n > 0;
	for (i = 0; i < n; i++)
		if (!is_upper(t[i]))
			return false;
	return n > 0;
}

/* A word and a short number: 1 to 4 digits after a word ("abc123",
 * "file01", "CMP0104"): a name, not a random token. */
static bool is_word_and_number(const char *t, size_t n)
{
	size_t d = 0;

	while (d < n && is_digit(t[n - 1 - d]))
		d++;
	return d >= 1 && d <= 4 && is_word(t, n - d);
}

/* A version: 'v' and a digit first ("v1beta1", "v20241219"). */
static bool is_version(const char *t, size_t n)
{
	return n > 1 && (t[0] == 'v' || t[0] == 'V') && is_digit(t[1]);
}

/* Letters only: random when the case changes twice and some lower-case
 * run is a single letter (CamelCase words have runs of two or more). */
static bool letters_look_random(const char *t, size_t n)
{
	int changes = 0;
	bool short_run = false;

	for (size_t i = 0; i < n; i++) {
		if (i && is_upper(t[i]) != is_upper(t[i - 1]))
			changes++;
		if (is_lower(t[i]) && (i == 0 || !is_lower(t[i - 1])) &&
		    (i + 1 == n || !is_lower(t[i + 1])))
			short_run = true;
	}
	return changes >= 2 && short_run;
}

/* A capitalised word: one upper-case letter, then lower case ("Config"). */
static bool is_capitalised(const char *t, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (!is_lower(t[i]))
			return false;
	return n > 1 && is_upper(t[0]);
}

bool tempname_looks_random(const char *t, size_t n)
{
	unsigned k = classes(t, n);

	for (size_t i = 0; i < n; i++)
		if (!is_alnum(t[i]) && t[i] != '_')
			return false;
	if (n < TOKEN_MIN || nclasses(k) < 2 || is_hex_hash(t, n))
		return false;
	return (k & 4) || !is_capitalised(t, n);
}

/* ---- token shapes: each finds the rightmost token of its kind -------- */

typedef bool (*shape_fn)(const char *t, size_t n);

/* The rightmost maximal run of bytes in class whose test passes. */
bool tn_rightmost_run(const char *c, size_t len, bool (*in)(char),
		      shape_fn test, struct tn_token *tok)
{
	size_t end = len;

	while (end > 0) {
		size_t start;

		while (end > 0 && !in(c[end - 1]))
			end--;
		start = end;
		while (start > 0 && in(c[start - 1]))
			start--;
		if (end > start && test(c + start, end - start)) {
			tok->start = start;
			tok->len = end - start;
			return true;
		}
		end = start;
	}
	return false;
}

/* 8-4-4-4-12 hex digits at t (t holds at least UUID_LEN bytes). */
static bool uuid_at(const char *t)
{
	for (size_t i = 0; i < UUID_LEN; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23)
			? t[i] != '-'
			: !is_hex_char(t[i]))
			return false;
	return true;
}

/* The rightmost uuid not glued to a letter or digit. */
bool tn_find_uuid(const char *c, size_t len, struct tn_token *tok)
{
	for (size_t i = len >= UUID_LEN ? len - UUID_LEN + 1 : 0; i-- > 0;)
		if (uuid_at(c + i) && (i == 0 || !is_alnum(c[i - 1])) &&
		    (i + UUID_LEN == len || !is_alnum(c[i + UUID_LEN]))) {
			tok->start = i;
			tok->len = UUID_LEN;
			return true;
		}
	return false;
}

static bool is_b64_char(char c)
{
	return is_alnum(c) || c == '_' || c == '-';
}

/* The number of changes between upper case, lower case and digits along
 * the letters and digits of t[0..n). */
static size_t class_changes(const char *t, size_t n)
{
	size_t changes = 0;
	unsigned prev = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned k = classes(t + i, 1);

		if (!k)
			continue;
		changes += prev && k != prev;
		prev = k;
	}
	return changes;
}

/* base64url (secrets.token_urlsafe and friends): 16 or more bytes of
 * [A-Za-z0-9_-] with upper case, lower case and digits, the class
 * changing at two bytes in five at least (words joined by '-' and '_',
 * "MyApp-v2-Release_Build", change less often). */
static bool b64_shape(const char *t, size_t n)
{
	return n >= B64_MIN && classes(t, n) == 7 &&
	       5 * class_changes(t, n) >= 2 * n;
}

/* A prefix word joined by '-' or '_' ("job-"): three or more lower-case
 * letters; its length, 0 when t does not start with one. */
static size_t word_prefix(const char *t, size_t n)
{
	size_t i = 0;

	while (i < n && is_lower(t[i]))
		i++;
	return i >= 3 && i < n && (t[i] == '-' || t[i] == '_') ? i + 1 : 0;
}

/* The length of the prefix words of t ("job-run-"). */
static size_t word_prefixes(const char *t, size_t n)
{
	size_t at = 0, w;

	while ((w = word_prefix(t + at, n - at)))
		at += w;
	return at;
}

/* base64url after any prefix words. */
static bool b64_token(const char *t, size_t n)
{
	size_t w = word_prefixes(t, n);

	return b64_shape(t + w, n - w);
}

bool tn_find_b64(const char *c, size_t len, struct tn_token *tok)
{
	size_t w;

	if (!tn_rightmost_run(c, len, is_b64_char, b64_token, tok))
		return false;
	w = word_prefixes(c + tok->start, tok->len);
	tok->start += w;
	tok->len -= w;
	return true;
}

/* Python tempfile: 8 of [a-z0-9_] with a letter (a name of its alphabet
 * holds one but in 1 case of 600 000).  The finders look at whole runs
 * of [A-Za-z0-9_], so that 8 of them glued to an upper-case letter are
 * not taken: they are part of a longer token of a larger alphabet
 * (mktemp's "x.TIabcd1234"), and a token cut out of it makes a pattern
 * the next name does not match. */
static bool py_any(const char *t, size_t n)
{
	unsigned k = classes(t, n);

	return n == PY_LEN && (k & 2) && !(k & 1);
}

/* With evidence: a digit among them too (words have none). */
static bool py_lenient(const char *t, size_t n)
{
	return py_any(t, n) && (classes(t, n) & 4);
}

/* Without: not a hash or a version either. */
static bool py_strict(const char *t, size_t n)
{
	return py_lenient(t, n) && !is_hex_hash(t, n) && !is_version(t, n);
}

bool tn_find_py_lenient(const char *c, size_t len, struct tn_token *tok)
{
	return tn_rightmost_run(c, len, is_word_char, py_lenient, tok);
}

bool tn_find_py_strict(const char *c, size_t len, struct tn_token *tok)
{
	return tn_rightmost_run(c, len, is_word_char, py_strict, tok);
}

/* Made private (and exclusively): any of Python's names, when it was
 * removed too or follows a prefix ("job-abcdefgh"); a bare word kept
 * private ("keyrings") is not taken. */
bool tn_find_py_private(const char *c, size_t len, bool removed,
			struct tn_token *tok)
{
	return tn_rightmost_run(c, len, is_word_char, py_any, tok) &&
	       (removed || tok->start > 0);
}

/* Letters glued to a long decimal number (Go's MkdirTemp "build123456789",
 * Java's "+~JF1234567890123.tmp", a timestamp): where the number starts
 * in t, 0 when t is not a word and then 6 or more digits. */
static size_t glued_number_at(const char *t, size_t n)
{
	size_t d = 0;

	while (d < n && is_digit(t[n - 1 - d]))
		d++;
	/* the letters are a word of two or more ("build", "JF"): one
	 * letter, or mixed case ("hHjN"), is as likely the start of a token
	 * of letters and digits, which must not be cut */
	if (d < DIGITS_MIN || n - d < 2 || !is_word(t, n - d))
		return 0;
	return n - d;
}

static bool glued_shape(const char *t, size_t n)
{
	return glued_number_at(t, n) > 0 && !is_version(t, n);
}

bool tn_find_glued_number(const char *c, size_t len, struct tn_token *tok)
{
	size_t at;

	if (!tn_rightmost_run(c, len, is_alnum, glued_shape, tok))
		return false;
	at = glued_number_at(c + tok->start, tok->len);
	tok->start += at;
	tok->len -= at;
	return true;
}

/* mkstemp()/mktemp(1)/Node's mkdtemp: 6 to 10 of [A-Za-z0-9]. */
static bool mktemp_shape(const char *t, size_t n)
{
	unsigned k = classes(t, n);

	if (n < TOKEN_MIN || n > SHAPE_MAX || nclasses(k) < 2 ||
	    is_hex_hash(t, n) || is_version(t, n))
		return false;
	if (k & 4)
		return !is_word_and_number(t, n);
	return letters_look_random(t, n);
}

bool tn_find_mktemp(const char *c, size_t len, struct tn_token *tok)
{
	return tn_rightmost_run(c, len, is_alnum, mktemp_shape, tok);
}

bool tn_find_lenient(const char *c, size_t len, struct tn_token *tok)
{
	return tn_rightmost_run(c, len, is_alnum, tempname_looks_random, tok);
}
