/*
 * tempname.c - the classifier of tempname.h: the rules, in the order
 * docs/baseline.md lists (template, convention, evidence, shape), over
 * the token shapes of tempname_shape.c; the evidence a trace gives about
 * a path; aligning two runs' components and matching a "{rand}".  A
 * component has at most one random token: the rightmost one the first
 * matching rule finds.
 *
 * Nothing here allocates except the evidence map; every rule is a pure
 * function of the component's bytes and its evidence bits, unit-tested in
 * tests/check/check_tempname.c.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include "tempname_int.h"

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
	if (!tn_rightmost_run(c, len, is_alnum, six_or_more, tok))
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
    tn_find_uuid,	  tn_find_b64,	   tn_find_py_lenient,
    tn_find_glued_number, tn_find_lenient,
};
static const find_fn fallback_kinds[] = {
    tn_find_uuid,	  tn_find_b64,	  tn_find_py_strict,
    tn_find_glued_number, tn_find_mktemp,
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

/* Whether the n bytes at t are all of Python tempfile's alphabet. */
static bool all_py(const char *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_py_char(t[i]))
			return false;
	return true;
}

/*
 * Made exclusively and renamed over the name that begins it: the bytes
 * after that name (and a separator) are the token, less a short
 * extension (".tmp").  The kept name may run into the token with no
 * separator (Python's NamedTemporaryFile(prefix=name), as pip and atomic
 * writers use it).  Python's 8 bytes may begin with '_', one name in 37:
 * when the separators skipped ate into 8 bytes of its alphabet that end
 * the token, those 8 are the token, so that every run's name gives the
 * same pattern ("INSTALLER_4bpkgbv.tmp" is "INSTALLER{rand}.tmp").
 */
static bool by_adjacent(const char *c, size_t len, unsigned ev,
			struct tn_token *tok)
{
	size_t kept = ev >> TN_KEPT_SHIFT, start, end = len;

	if (!(ev & TN_ADJACENT) || !(ev & TN_EXCL) || kept >= len)
		return false;
	start = kept;
	while (start < len && strchr(".-_~", c[start])) /* a separator stays */
		start++;
	for (size_t i = len; i > start && len - i <= 8; i--)
		if (c[i - 1] == '.') {
			if (i - 1 >= start + 4 && i < len)
				end = i - 1;
			break;
		}
	if (end - start < 4)
		return false;
	if (start > kept && end - kept >= PY_LEN && end - PY_LEN < start &&
	    all_py(c + end - PY_LEN, PY_LEN))
		start = end - PY_LEN;
	tok->start = start;
	tok->len = end - start;
	return true;
}

/* Made exclusively, and removed, or private, or in a directory made
 * exclusively: the lenient kinds of token. */
static bool by_evidence(const char *c, size_t len, unsigned ev,
			struct tn_token *tok)
{
	if (!(ev & TN_EXCL) ||
	    !(ev & (TN_REMOVED | TN_PRIVATE | TN_PARENT_EXCL)))
		return false;
	if (by_adjacent(c, len, ev, tok))
		return true;
	if ((ev & TN_PRIVATE) &&
	    (tn_find_uuid(c, len, tok) || tn_find_b64(c, len, tok) ||
	     tn_find_py_private(c, len, ev & TN_REMOVED, tok)))
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

/*
 * A rename of dir/NAME+TOKEN (or dir/.NAME+TOKEN) over dir/NAME: the
 * TN_ADJACENT bits with NAME's length kept, else 0.
 */
static unsigned adjacent(const struct trace_event *e)
{
	const char *from = e->path, *to = e->path2;
	const char *fb, *tb;
	size_t dir, kept;

	if (!from || !to || !(fb = strrchr(from, '/')) ||
	    !(tb = strrchr(to, '/')))
		return 0;
	dir = (size_t)(fb - from);
	if (dir != (size_t)(tb - to) || memcmp(from, to, dir))
		return 0;
	fb++, tb++;
	kept = strlen(tb);
	if (*fb == '.' && *tb != '.' && !strncmp(fb + 1, tb, kept))
		kept++;
	else if (strncmp(fb, tb, kept))
		return 0;
	if (!kept || kept > TN_KEPT_MAX || strlen(fb) < kept + 4)
		return 0;
	return TN_ADJACENT | (unsigned)kept << TN_KEPT_SHIFT;
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
			add_bits(ev, e->path, TN_REMOVED | adjacent(e));
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
