/*
 * tempname.c - the classifier of tempname.h.  It owns the token shapes of
 * common name generators, the evidence a trace gives about a path, and
 * the rules that combine them, in the order docs/baseline.md lists:
 * template, convention, evidence, shape.  A component has at most one
 * random token: the rightmost one the first matching rule finds.
 *
 * Nothing here allocates except the evidence map; every rule is a pure
 * function of the component's bytes and its evidence bits, unit-tested in
 * tests/check/check_tempname.c.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include "tempname.h"

#define TEMPLATE_LEN 6	/* mkstemp()'s XXXXXX */
#define PY_LEN	     8	/* Python tempfile: 8 of [a-z0-9_] */
#define TOKEN_MIN    6	/* the shortest token taken for random */
#define SHAPE_MAX    10 /* mktemp(1)'s XXXXXXXXXX */
#define B64_MIN	     16 /* base64url tokens: 12 random bytes and more */
#define DIGITS_MIN   6	/* Go's and Java's decimal random numbers */
#define UUID_LEN     36
#define CORE_MIN     4 /* two runs' tokens differ in this many bytes */

/* ---- character classes ---------------------------------------------- */

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_lower(c) || is_upper(c) || is_digit(c);
}

static bool is_py_char(char c) /* Python tempfile's alphabet */
{
	return is_lower(c) || is_digit(c) || c == '_';
}

static bool is_hex_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Bytes a "{rand}" of a pattern stands for ('{' '}': a placeholder);
 * not '-', so that "/tmp/{rand}" does not stand for "/tmp/job-x1y2z3". */
static bool is_rand_char(char c)
{
	return is_alnum(c) || c == '_' || c == '{' || c == '}';
}

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
static bool rightmost_run(const char *c, size_t len, bool (*in)(char),
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
static bool find_uuid(const char *c, size_t len, struct tn_token *tok)
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

static bool find_b64(const char *c, size_t len, struct tn_token *tok)
{
	size_t w;

	if (!rightmost_run(c, len, is_b64_char, b64_token, tok))
		return false;
	w = word_prefixes(c + tok->start, tok->len);
	tok->start += w;
	tok->len -= w;
	return true;
}

/* Python tempfile: 8 of [a-z0-9_] with a letter (a name of its alphabet
 * holds one but in 1 case of 600 000). */
static bool py_any(const char *t, size_t n)
{
	return n == PY_LEN && (classes(t, n) & 2);
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

static bool find_py_lenient(const char *c, size_t len, struct tn_token *tok)
{
	return rightmost_run(c, len, is_py_char, py_lenient, tok);
}

static bool find_py_strict(const char *c, size_t len, struct tn_token *tok)
{
	return rightmost_run(c, len, is_py_char, py_strict, tok);
}

/* Made private (and exclusively): any of Python's names, when it was
 * removed too or follows a prefix ("job-abcdefgh"); a bare word kept
 * private ("keyrings") is not taken. */
static bool find_py_private(const char *c, size_t len, bool removed,
			    struct tn_token *tok)
{
	return rightmost_run(c, len, is_py_char, py_any, tok) &&
	       (removed || tok->start > 0);
}

/* Letters glued to a long decimal number (Go's MkdirTemp "build123456789",
 * Java's "+~JF1234567890123.tmp", a timestamp): where the number starts
 * in t, 0 when t is not letters and then 6 or more digits. */
static size_t glued_number_at(const char *t, size_t n)
{
	size_t d = 0;

	while (d < n && is_digit(t[n - 1 - d]))
		d++;
	if (d < DIGITS_MIN || d == n)
		return 0;
	for (size_t i = 0; i < n - d; i++)
		if (!is_upper(t[i]) && !is_lower(t[i]))
			return 0;
	return n - d;
}

static bool glued_shape(const char *t, size_t n)
{
	return glued_number_at(t, n) > 0 && !is_version(t, n);
}

static bool find_glued_number(const char *c, size_t len, struct tn_token *tok)
{
	size_t at;

	if (!rightmost_run(c, len, is_alnum, glued_shape, tok))
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

static bool find_mktemp(const char *c, size_t len, struct tn_token *tok)
{
	return rightmost_run(c, len, is_alnum, mktemp_shape, tok);
}

static bool find_lenient(const char *c, size_t len, struct tn_token *tok)
{
	return rightmost_run(c, len, is_alnum, tempname_looks_random, tok);
}

/* ---- the rules ------------------------------------------------------- */

static bool six_or_more(const char *t, size_t n)
{
	(void)t;
	return n >= TEMPLATE_LEN;
}

/* mkstemp and friends: the last 6 of the last run of 6 or more letters
 * and digits (mkstemps keeps a suffix after it). */
static bool by_template(const char *c, size_t len, struct tn_token *tok)
{
	if (!rightmost_run(c, len, is_alnum, six_or_more, tok))
		return false;
	tok->start += tok->len - TEMPLATE_LEN;
	tok->len = TEMPLATE_LEN;
	return true;
}

/* Prefixes generators put before Python tempfile's 8 letters, at the
 * start of the name, where any 8 of [a-z0-9_] are random when no letter,
 * digit or '_' follows them ("tmp_obj_gnmAdU" is git's, not Python's). */
static const char *const py_prefixes[] = {
    "tmp",	   /* tempfile's default */
    "matplotlib-", /* matplotlib's fallback config dir */
    "wgunicorn-",  /* gunicorn's worker heartbeat files */
};

/* supervisord's automatic child logs: NAME---supervisor-RANDOM.log */
static const char supervisor_marker[] = "---supervisor-";

static bool by_convention(const char *c, size_t len, struct tn_token *tok)
{
	const char *m;

	for (size_t i = 0; i < sizeof py_prefixes / sizeof py_prefixes[0];
	     i++) {
		size_t pl = strlen(py_prefixes[i]), k = pl;

		if (len < pl + PY_LEN || strncmp(c, py_prefixes[i], pl))
			continue;
		while (k < len && (is_py_char(c[k]) || is_upper(c[k])))
			k++;
		if (k == pl + PY_LEN) {
			tok->start = pl;
			tok->len = PY_LEN;
			return true;
		}
	}
	m = memmem(c, len, supervisor_marker, sizeof supervisor_marker - 1);
	if (m) {
		size_t s = (size_t)(m - c) + sizeof supervisor_marker - 1,
		       e = s;

		while (e < len && (is_alnum(c[e]) || c[e] == '_'))
			e++;
		if (e > s) {
			tok->start = s;
			tok->len = e - s;
			return true;
		}
	}
	return false;
}

typedef bool (*find_fn)(const char *c, size_t len, struct tn_token *tok);

/* The evidence rule's kinds of token and the fallback's, each tried in
 * order: the first kind found gives the token. */
static const find_fn evidence_kinds[] = {
    find_uuid, find_b64, find_py_lenient, find_glued_number, find_lenient,
};
static const find_fn fallback_kinds[] = {
    find_uuid, find_b64, find_py_strict, find_glued_number, find_mktemp,
};

static bool by_kinds(const find_fn *v, size_t n, const char *c, size_t len,
		     struct tn_token *tok)
{
	for (size_t i = 0; i < n; i++)
		if (v[i](c, len, tok))
			return true;
	return false;
}

#define NKINDS(v) (sizeof v / sizeof v[0])

/* Made exclusively, and removed, or private, or in a directory made
 * exclusively: the lenient kinds of token. */
static bool by_evidence(const char *c, size_t len, unsigned ev,
			struct tn_token *tok)
{
	if (!(ev & TN_EXCL) ||
	    !(ev & (TN_REMOVED | TN_PRIVATE | TN_PARENT_EXCL)))
		return false;
	if ((ev & TN_PRIVATE) &&
	    (find_uuid(c, len, tok) || find_b64(c, len, tok) ||
	     find_py_private(c, len, ev & TN_REMOVED, tok)))
		return true;
	return by_kinds(evidence_kinds, NKINDS(evidence_kinds), c, len, tok);
}

bool tempname_classify(const char *c, size_t len, unsigned ev,
		       struct tn_token *tok)
{
	tok->rule = TN_NOT_TEMP;
	if ((ev & TN_TEMPLATE) && by_template(c, len, tok))
		tok->rule = TN_BY_TEMPLATE;
	else if (by_convention(c, len, tok))
		tok->rule = TN_BY_CONVENTION;
	else if (by_evidence(c, len, ev, tok))
		tok->rule = TN_BY_EVIDENCE;
	else if (by_kinds(fallback_kinds, NKINDS(fallback_kinds), c, len, tok))
		tok->rule = TN_BY_SHAPE;
	return tok->rule != TN_NOT_TEMP;
}

/* ---- evidence from a trace ------------------------------------------ */

static void add_bits(struct tn_evidence *ev, const char *path, unsigned bits)
{
	struct map_slot *s = map_find(&ev->m, path);

	if (s)
		s->val = (void *)((uintptr_t)s->val | bits);
	else
		map_put(&ev->m, path, (void *)(uintptr_t)bits);
}

/* Whether the '|' list of flag names holds name. */
static bool has_flag(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		size_t k = strcspn(p, "|");

		if (k == n && !memcmp(p, name, n))
			return true;
		p += k + (p[k] == '|');
	}
	return false;
}

/* TN_PRIVATE when the call asked for no permission for group and others
 * (0600, 0700: what every temporary-file API asks for). */
static unsigned private_mode(const struct trace_event *e)
{
	return e->has_mode && !(e->mode & 077) ? TN_PRIVATE : 0;
}

void tn_evidence_note(struct tn_evidence *ev, const struct trace_event *e)
{
	const char *fn = e->fn ? e->fn : "";

	if (e->err)
		return;
	switch (e->op) {
	case OP_OPEN:
		if ((e->flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) &&
		    (e->flags & O_TMPFILE) != O_TMPFILE)
			add_bits(ev, e->path, TN_EXCL | private_mode(e));
		break;
	case OP_MKDIR:
		add_bits(ev, e->path,
			 TN_EXCL | private_mode(e) |
			     (strcmp(fn, "mkdtemp") ? 0 : TN_TEMPLATE));
		break;
	case OP_MKTEMP: /* tmpfile() has no name of its own */
		if (strncmp(fn, "tmpfile", 7))
			add_bits(ev, e->path, TN_EXCL | TN_TEMPLATE);
		break;
	case OP_MKNOD:
	case OP_SYMLINK:
		add_bits(ev, e->path, TN_EXCL);
		break;
	case OP_LINK:
		if (e->path2)
			add_bits(ev, e->path2, TN_EXCL);
		break;
	case OP_RENAME:
		if (!has_flag(e->flags_text, "RENAME_EXCHANGE"))
			add_bits(ev, e->path, TN_REMOVED);
		if (e->path2 && has_flag(e->flags_text, "RENAME_NOREPLACE"))
			add_bits(ev, e->path2, TN_EXCL);
		break;
	case OP_UNLINK:
	case OP_RMDIR:
		add_bits(ev, e->path, TN_REMOVED);
		break;
	default:
		break;
	}
}

unsigned tn_evidence_of(const struct tn_evidence *ev, const char *path,
			size_t len, size_t hash)
{
	const struct map_slot *s;

	if (!ev)
		return 0;
	s = map_find_n(&ev->m, path, len, hash);
	return s ? (unsigned)(uintptr_t)s->val : 0;
}

void tn_evidence_free(struct tn_evidence *ev)
{
	map_free(&ev->m, NULL);
}

bool tempname_in_path(const char *path, const struct tn_evidence *ev,
		      size_t *start, size_t *len)
{
	unsigned long long h = MAP_HASH_START;
	unsigned parent = 0;
	size_t i = 0;

	while (path[i]) {
		size_t s = i;
		unsigned bits;
		struct tn_token tok;

		while (path[i] && path[i] != '/')
			h = MAP_HASH_STEP(h, path[i++]);
		bits = tn_evidence_of(ev, path, i, MAP_HASH_DONE(h));
		if (i > s &&
		    tempname_classify(
			path + s, i - s,
			bits | (parent & TN_EXCL ? TN_PARENT_EXCL : 0), &tok)) {
			*start = s;
			*len = i - s;
			return true;
		}
		parent = bits;
		if (path[i])
			h = MAP_HASH_STEP(h, path[i++]);
	}
	return false;
}

/* ---- several runs ---------------------------------------------------- */

/* Bytes a token of an alignment is extended over: letters, digits and a
 * placeholder's braces; '_' and '-' separate a prefix ("tmp_obj_"). */
static bool extends_token(char c)
{
	return is_alnum(c) || c == '{' || c == '}';
}

static bool holds_placeholder(const char *t, size_t n)
{
	return memmem(t, n, TN_PLACEHOLDER, sizeof TN_PLACEHOLDER - 1) ||
	       memmem(t, n, "{hex}", 5);
}

/* A token two runs differ in: 6 or more of [A-Za-z0-9_] (a placeholder
 * included), random-looking or created exclusively. */
static bool aligned_token(const char *t, size_t n, bool created)
{
	for (size_t i = 0; i < n; i++)
		if (!extends_token(t[i]) && t[i] != '_')
			return false;
	if (holds_placeholder(t, n))
		return true;
	return n >= TOKEN_MIN && (created || tempname_looks_random(t, n));
}

bool tempname_align(const char *a, size_t an, bool a_created, const char *b,
		    size_t bn, bool b_created, struct strbuf *out)
{
	size_t p = 0, s = 0;

	if (an == bn && !memcmp(a, b, an))
		return false;
	while (p < an && p < bn && a[p] == b[p])
		p++;
	while (s < an - p && s < bn - p && a[an - 1 - s] == b[bn - 1 - s])
		s++;
	/* a version ("v1" -> "v2", "1.2.3" -> "1.2.4") differs in a byte
	 * or two; two random tokens in most of their bytes */
	if (an - p - s < CORE_MIN || bn - p - s < CORE_MIN)
		return false;
	while (p > 0 && extends_token(a[p - 1]))
		p--;
	while (s > 0 && extends_token(a[an - s]))
		s--;
	if (!aligned_token(a + p, an - p - s, a_created) ||
	    !aligned_token(b + p, bn - p - s, b_created))
		return false;
	sb_add(out, a, p);
	sb_adds(out, TN_PLACEHOLDER);
	sb_add(out, a + an - s, s);
	return true;
}

/* ---- matching "{rand}" ----------------------------------------------- */

bool tempname_component_covers(const char *p, size_t pn, const char *s,
			       size_t sn)
{
	const size_t ph = sizeof TN_PLACEHOLDER - 1;
	const char *r = memmem(p, pn, TN_PLACEHOLDER, ph);
	size_t lit;

	if (!r)
		return pn == sn && !memcmp(p, s, pn);
	lit = (size_t)(r - p);
	if (sn < lit || memcmp(p, s, lit))
		return false;
	p += lit + ph;
	pn -= lit + ph;
	s += lit;
	sn -= lit;
	for (size_t k = 0; k < sn && is_rand_char(s[k]); k++)
		if ((k + 1 >= TOKEN_MIN || holds_placeholder(s, k + 1)) &&
		    tempname_component_covers(p, pn, s + k + 1, sn - k - 1))
			return true;
	return false;
}

bool tempname_pattern_covers(const char *pattern, const char *path)
{
	while (*pattern && *path) {
		size_t pn = strcspn(pattern, "/"), sn = strcspn(path, "/");

		if (!tempname_component_covers(pattern, pn, path, sn))
			return false;
		pattern += pn;
		path += sn;
		if (*pattern != *path)
			return false;
		if (*pattern) {
			pattern++;
			path++;
		}
	}
	return !*pattern && !*path;
}
