/*
 * fastscan.h - the pieces of the fast parsers (trace_fast.c for events,
 * trace_fast_records.c for the records as many as the processes): a
 * cursor over one line, and readers of its JSON values that accept
 * exactly what jansson accepts or give up.  None of them changes the
 * line; a string is left as written (its escapes undecoded).  Included by
 * those two files only.
 */
#ifndef UNROOT_CLI_FASTSCAN_H
#define UNROOT_CLI_FASTSCAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util.h" /* hex_digit, utf8_valid */

/* A string value: the bytes between the quotes, as written. */
struct fstr {
	char *p;
	size_t n;
	bool esc; /* holds a backslash escape */
};

/* Whether a key as written (struct fstr) is the K_* key k. */
#define f_is(s, k) \
	((s)->n == sizeof(k) - 1 && !memcmp((s)->p, k, sizeof(k) - 1))

struct fcur {
	char *c, *end;
};

static inline void f_ws(struct fcur *k)
{
	while (k->c < k->end && (*k->c == ' ' || *k->c == '\t' ||
				 *k->c == '\r' || *k->c == '\n'))
		k->c++;
}

/* What may follow a number or a literal ("nullx" is neither). */
static inline bool f_delim(char c)
{
	switch (c) {
	case ' ':
	case '\t':
	case '\r':
	case '\n':
	case ',':
	case '}':
	case ']':
		return true;
	default:
		return false;
	}
}

#define f_lit(k, lit) f_litn(k, lit, sizeof lit - 1)

static inline bool f_litn(struct fcur *k, const char *lit, size_t n)
{
	if ((size_t)(k->end - k->c) < n || memcmp(k->c, lit, n))
		return false;
	k->c += n;
	return k->c == k->end || f_delim(*k->c);
}

/* A JSON string jansson accepts, without decoding it. */
static inline bool f_string(struct fcur *k, struct fstr *out)
{
	char *c = k->c, *start;
	bool high = false;

	if (c == k->end || *c != '"')
		return false;
	start = ++c;
	out->esc = false;
	for (;;) {
		unsigned char ch;

		if (c == k->end)
			return false;
		ch = (unsigned char)*c;
		if (ch == '"')
			break;
		if (ch == '\\') {
			out->esc = true;
			if (++c == k->end)
				return false;
			if (*c == 'u') {
				unsigned v = 0;

				if (k->end - c < 5)
					return false;
				for (int i = 1; i <= 4; i++) {
					int h = hex_digit(c[i]);

					if (h < 0)
						return false;
					v = v << 4 | (unsigned)h;
				}
				/* \u0000 is refused by jansson; surrogate
				 * pairs are left to it */
				if (!v || (v >= 0xd800 && v <= 0xdfff))
					return false;
				c += 5;
				continue;
			}
			if (!strchr("\"\\/bfnrt", *c) || !*c)
				return false;
			c++;
			continue;
		}
		if (ch < 0x20)
			return false;
		if (ch >= 0x80)
			high = true;
		c++;
	}
	out->p = start;
	out->n = (size_t)(c - start);
	if (high && !utf8_valid(start, out->n))
		return false;
	k->c = c + 1;
	return true;
}

/* An integer as jansson reads one into a json_int_t (one out of range is
 * its error to report); a real number is left to jansson. */
static inline bool f_int(struct fcur *k, long long *v)
{
	char *c = k->c;
	bool neg = false;
	unsigned long long x = 0;
	int digits = 0;

	if (c < k->end && *c == '-') {
		neg = true;
		c++;
	}
	if (c == k->end || *c < '0' || *c > '9')
		return false;
	if (*c == '0' && c + 1 < k->end && c[1] >= '0' && c[1] <= '9')
		return false;
	while (c < k->end && *c >= '0' && *c <= '9') {
		if (++digits > 19)
			return false;
		x = x * 10 + (unsigned)(*c++ - '0');
	}
	if (c < k->end && !f_delim(*c))
		return false;
	if (x > (unsigned long long)LLONG_MAX + neg)
		return false;
	k->c = c;
	*v = neg ? (long long)(0 - x) : (long long)x;
	return true;
}

/* "KEY": and the blanks around it; false unless a plain string key. */
static inline bool f_name(struct fcur *k, struct fstr *key)
{
	if (!f_string(k, key) || key->esc)
		return false;
	f_ws(k);
	if (k->c == k->end || *k->c++ != ':')
		return false;
	f_ws(k);
	return true;
}

/*
 * After a member or an element: 1 when a ',' says another follows, 0 when
 * the closing bracket ends the object or array, -1 for anything else.
 */
static inline int f_next(struct fcur *k, char close)
{
	f_ws(k);
	if (k->c == k->end)
		return -1;
	if (*k->c == close) {
		k->c++;
		return 0;
	}
	if (*k->c++ != ',')
		return -1;
	f_ws(k);
	return 1;
}

/* An unknown key's value: a scalar, else left to jansson. */
static inline bool f_skip(struct fcur *k)
{
	struct fstr s;
	long long v;

	if (k->c == k->end)
		return false;
	switch (*k->c) {
	case '"':
		return f_string(k, &s);
	case 't':
		return f_lit(k, "true");
	case 'f':
		return f_lit(k, "false");
	case 'n':
		return f_lit(k, "null");
	default:
		return f_int(k, &v);
	}
}

/* Whether a string as written is name (f_is for a name known only at run
 * time; a NULL name matches nothing). */
static inline bool f_named(const struct fstr *s, const char *name)
{
	return name && s->n == strlen(name) && !memcmp(s->p, name, s->n);
}

#endif
