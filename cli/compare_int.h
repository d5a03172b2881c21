/*
 * compare_int.h - the result of a comparison (compare.c) as its printers
 * (compare_out.c) read it.
 */
#ifndef UNROOT_COMPARE_INT_H
#define UNROOT_COMPARE_INT_H

#include "compare.h"

struct finding {
	const struct bl_entry *e;
	bool denial;
	char *plan_line; /* NULL when the plan has none */
	/* the accepted entry it matches except for one random-looking token
	 * (baseline_temp_sibling), and the pattern covering both; NULL when
	 * none */
	const struct bl_entry *sibling;
	char *widened;
};

struct comparison {
	struct finding *found;
	size_t nfound, cap;
	const struct bl_entry **unseen;
	size_t nunseen, capunseen;
	size_t nwrites_seen, ndenials_seen;
	const char *label;
};

/* A row of compare_formats(). */
struct compare_format {
	const char *name;
	void (*print)(const struct comparison *c, FILE *out);
};

struct plan;

/* The line of plan pl (may be NULL) that lets raw be written: a
 * redirect holding it, else the deepest grant, else a host fix or a
 * mount holding it, in Dockerfile form as `unroot plan` writes it; NULL
 * when none. */
char *compare_plan_line(const struct plan *pl, const char *raw);

/* New writes (denial false) or new denials. */
size_t count_new(const struct comparison *c, bool denial);

#endif
