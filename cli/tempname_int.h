/*
 * tempname_int.h - what the two halves of the classifier share: the
 * character classes, the lengths generators use, and the token shapes
 * (tempname_shape.c) that the rules (tempname.c) try in order.  Internal
 * to cli/tempname*.c.
 */
#ifndef UNROOT_TEMPNAME_INT_H
#define UNROOT_TEMPNAME_INT_H

#include <stdbool.h>
#include <stddef.h>

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

static inline bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static inline bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_alnum(char c)
{
	return is_lower(c) || is_upper(c) || is_digit(c);
}

static inline bool is_py_char(char c) /* Python tempfile's alphabet */
{
	return is_lower(c) || is_digit(c) || c == '_';
}

static inline bool is_word_char(char c) /* a run Python's token is */
{
	return is_alnum(c) || c == '_';
}

static inline bool is_hex_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Bytes a "{rand}" of a pattern stands for ('{' '}': a placeholder);
 * not '-', so that "/tmp/{rand}" does not stand for "/tmp/job-x1y2z3". */
static inline bool is_rand_char(char c)
{
	return is_alnum(c) || c == '_' || c == '{' || c == '}';
}

/* The rightmost maximal run of bytes in class whose test passes. */
bool tn_rightmost_run(const char *c, size_t len, bool (*in)(char),
		      bool (*test)(const char *t, size_t n),
		      struct tn_token *tok);

/* Token finders: each sets *tok to the rightmost token of its kind
 * (docs/baseline.md, "Temporary names", the evidence and shape rules). */
bool tn_find_uuid(const char *c, size_t len, struct tn_token *tok);
bool tn_find_b64(const char *c, size_t len, struct tn_token *tok);
/* Python's 8 of [a-z0-9_] with a letter and a digit (lenient: evidence);
 * strict (the fallback): bounded, not a hash, not a version. */
bool tn_find_py_lenient(const char *c, size_t len, struct tn_token *tok);
bool tn_find_py_strict(const char *c, size_t len, struct tn_token *tok);
/* A private name's Python token: any 8 with a letter after a prefix, or
 * with a letter and a digit when removed. */
bool tn_find_py_private(const char *c, size_t len, bool removed,
			struct tn_token *tok);
/* Letters glued to 6 or more digits: the digits. */
bool tn_find_glued_number(const char *c, size_t len, struct tn_token *tok);
/* mktemp's 6 to 10 letters and digits (the fallback). */
bool tn_find_mktemp(const char *c, size_t len, struct tn_token *tok);
/* Any random-looking run of 6 or more (evidence). */
bool tn_find_lenient(const char *c, size_t len, struct tn_token *tok);

#endif
