/*
 * flags.c - the words of UNROOT_FLAGS (schema.h: UNROOT_FLAG_*), read the
 * same way by the preload (state.c) and the fallback tracer: a comma list,
 * a word counts only whole.
 */
#include "unroot.h"

/* (a walk of its own: libc's strstr is a page of code that a small
 * program never runs, and a page fault costs more than this walk) */
bool ur_flags_have(const char *list, const char *word)
{
	if (!list)
		return false;
	for (const char *p = list; *p;) {
		const char *w = word;
		while (*w && *p == *w)
			p++, w++;
		if (!*w && (*p == 0 || *p == ','))
			return true;
		while (*p && *p != ',')
			p++;
		if (*p == ',')
			p++;
	}
	return false;
}
