/*
 * flags.c - the words of UNROOT_FLAGS (schema.h: UNROOT_FLAG_*), read the
 * same way by the preload (state.c) and the fallback tracer: a comma list,
 * a word counts only whole.
 */
#include <string.h>

#include "unroot.h"

bool ur_flags_have(const char *list, const char *word)
{
	size_t n = strlen(word);

	if (!list)
		return false;
	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return true;
	return false;
}
