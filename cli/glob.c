/*
 * glob.c - the glob matcher of glob.h.  A position in a pattern or a path
 * is the start of a component, or NULL once no component is left (so
 * "/a" and "/a/" differ: the second has one more, empty, component).
 * Within a component the match is the usual greedy one with a single
 * backtrack point, linear in practice; "**" components recurse once per
 * component of the path they may skip.
 */
#include <string.h>

#include "glob.h"

bool is_glob(const char *pattern)
{
	return strpbrk(pattern, "*?") != NULL;
}

/* "*" and "?" within one component: p[0..pn) against s[0..sn). */
static bool component_match(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t i = 0, j = 0, star = (size_t)-1, mark = 0;

	while (j < sn) {
		if (i < pn && p[i] == '*') {
			star = i++;
			mark = j;
		} else if (i < pn && (p[i] == '?' || p[i] == s[j])) {
			i++;
			j++;
		} else if (star != (size_t)-1) {
			i = star + 1;
			j = ++mark;
		} else {
			return false;
		}
	}
	while (i < pn && p[i] == '*')
		i++;
	return i == pn;
}

/* The component after the one starting at c, or NULL. */
static const char *next_component(const char *c)
{
	size_t n = strcspn(c, "/");

	return c[n] ? c + n + 1 : NULL;
}

static bool match_components(const char *p, const char *s)
{
	while (p) {
		size_t pn = strcspn(p, "/"), sn;
		const char *pnext = next_component(p);

		if (pn == 2 && p[0] == '*' && p[1] == '*') {
			if (!pnext) /* a trailing "**": one or more */
				return s != NULL;
			for (const char *t = s;; t = next_component(t)) {
				if (match_components(pnext, t))
					return true;
				if (!t)
					return false;
			}
		}
		if (!s)
			return false;
		sn = strcspn(s, "/");
		if (!component_match(p, pn, s, sn))
			return false;
		p = pnext;
		s = next_component(s);
	}
	return s == NULL;
}

bool glob_match(const char *pattern, const char *s)
{
	return match_components(pattern, s);
}
