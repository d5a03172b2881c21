/*
 * format.c - looking formats up by name in a command's table of them
 * (format.h).  The rows are the command's own structs; only their first
 * member, the name, is read here.
 */
#include <string.h>

#include "format.h"

const void *format_row(const struct format_table *t, size_t i)
{
	return (const char *)t->rows + i * t->size;
}

const char *format_name(const struct format_table *t, size_t i)
{
	/* the first member of a struct sits at its address */
	return *(const char *const *)format_row(t, i);
}

int format_find(const struct format_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(format_name(t, i), name))
			return (int)i;
	return -1;
}

void format_names(const struct format_table *t, const char *sep,
		  struct strbuf *sb)
{
	for (size_t i = 0; i < t->n; i++) {
		if (i)
			sb_adds(sb, sep);
		sb_adds(sb, format_name(t, i));
	}
}
