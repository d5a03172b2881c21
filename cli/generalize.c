/*
 * generalize.c - the generalisation rules of generalize.h, applied
 * component by component: HOME rebased to "~", the directories whose
 * name is a hash by convention (Hugging Face's ".no_exist/<commit>", git's
 * "objects/<xx>"), a temporary name's random token (tempname.c decides,
 * with the trace's evidence), then hashes and numbers.  Nothing here reads
 * a trace: the evidence comes in as a map, so every rule is unit-tested on
 * plain strings (tests/check/check_generalize.c).
 */
#include <stdlib.h>
#include <string.h>

#include "generalize.h"
#include "map.h"
#include "util.h"

#define PH_HEX "{hex}"
#define PH_NUM "{n}"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_digit(c) || is_letter(c);
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

/* Hashes and numbers in c[0..len), every other byte kept. */
static void add_hashes_and_numbers(struct strbuf *out, const char *c,
				   size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i;

		if (!is_alnum(c[i])) {
			sb_addc(out, c[i++]);
			continue;
		}
		while (j < len && is_alnum(c[j]))
			j++;
		if (is_hex_hash(c + i, j - i))
			sb_adds(out, PH_HEX);
		else
			add_token_with_numbers(out, c + i, j - i);
		i = j;
	}
}

static void generalize_component(struct strbuf *out, const char *c, size_t len,
				 unsigned evidence)
{
	struct tn_token tok;

	if (!tempname_classify(c, len, evidence, &tok)) {
		add_hashes_and_numbers(out, c, len);
		return;
	}
	add_hashes_and_numbers(out, c, tok.start);
	sb_adds(out, TN_PLACEHOLDER);
	add_hashes_and_numbers(out, c + tok.start + tok.len,
			       len - tok.start - tok.len);
}

static bool is_named(const char *c, size_t len, const char *name)
{
	return len == strlen(name) && !memcmp(c, name, len);
}

/* A directory whose name is a hash by convention, whatever it looks
 * like: the commit after Hugging Face's ".no_exist", and git's loose
 * object fan-out, two hex digits under "objects". */
static bool is_hash_dir(const char *prev, size_t prevlen, const char *c,
			size_t len)
{
	if (is_named(prev, prevlen, ".no_exist"))
		return true;
	return is_named(prev, prevlen, "objects") && len == 2 &&
	       strspn(c, "0123456789abcdef") >= 2;
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

/* Walking a raw path: where we are, the running hash of the raw prefix
 * (map.h's prefix-incremental hash) and what the parent showed. */
struct walk {
	const struct tn_evidence *ev;
	unsigned long long hash;
	unsigned parent;
	unsigned idx; /* the pattern component being written */
};

static unsigned evidence_of(struct walk *w, const char *path, size_t end)
{
	unsigned bits =
	    tn_evidence_of(w->ev, path, end, MAP_HASH_DONE(w->hash));
	unsigned in =
	    bits | (w->parent & (TN_EXCL | TN_TEMPLATE) ? TN_PARENT_EXCL : 0);

	w->parent = bits;
	return in;
}

char *generalize_path(const char *path, const char *home,
		      const struct tn_evidence *ev, unsigned long long *created)
{
	struct strbuf out = STRBUF_INIT;
	struct walk w = {.ev = ev, .hash = MAP_HASH_START};
	size_t hl = home_prefix_len(path, home), i = 0, prevlen = 0;
	const char *prev = "";

	if (created)
		*created = 0;
	for (; i < hl; i++)
		w.hash = MAP_HASH_STEP(w.hash, path[i]);
	if (hl) {
		sb_addc(&out, '~');
		w.parent = tn_evidence_of(ev, path, hl, MAP_HASH_DONE(w.hash));
	}
	while (path[i]) {
		size_t s = i;
		unsigned bits;

		if (path[i] == '/') {
			w.hash = MAP_HASH_STEP(w.hash, '/');
			sb_addc(&out, path[i++]);
			w.idx++;
			continue;
		}
		while (path[i] && path[i] != '/')
			w.hash = MAP_HASH_STEP(w.hash, path[i++]);
		bits = evidence_of(&w, path, i);
		if (created && (bits & (TN_EXCL | TN_TEMPLATE)) &&
		    w.idx < GENERALIZE_MASK_BITS)
			*created |= 1ull << w.idx;
		if (is_hash_dir(prev, prevlen, path + s, i - s))
			sb_adds(&out, PH_HEX);
		else
			generalize_component(&out, path + s, i - s, bits);
		prev = path + s;
		prevlen = i - s;
	}
	if (!out.len)
		sb_adds(&out, path);
	return sb_detach(&out);
}
