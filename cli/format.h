/*
 * format.h - the one mechanism behind every --format option: a command
 * that prints in several formats keeps one table of them, an array of
 * rows whose first member is the format's name (const char *) and whose
 * other members are what the command needs to print it (its renderer or
 * printer).  --format NAME picks a row by name; the help and the error
 * for an unknown name list the names from the same table, so a new
 * format is one row.
 */
#ifndef UNROOT_FORMAT_H
#define UNROOT_FORMAT_H

#include <stddef.h>

#include "util.h"

struct format_table {
	const void *rows; /* each row starts with its name (const char *) */
	size_t n, size;	  /* number of rows, size of a row */
};

/* The table of an array of rows defined in scope. */
#define FORMAT_TABLE(rows)                                                \
	{                                                                 \
		(rows), sizeof(rows) / sizeof(rows)[0], sizeof((rows)[0]) \
	}

/* The name of row i. */
const char *format_name(const struct format_table *t, size_t i);
/* Row i itself, to cast to the command's row type. */
const void *format_row(const struct format_table *t, size_t i);
/* The index of the row named name; -1 when there is none. */
int format_find(const struct format_table *t, const char *name);
/* The names joined by sep: "text|json|github|junit". */
void format_names(const struct format_table *t, const char *sep,
		  struct strbuf *sb);

#endif
