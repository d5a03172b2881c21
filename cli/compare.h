/*
 * compare.h - what a trace writes or is denied that an accepted baseline
 * does not cover, explained with the plan line that would grant it, and
 * printed as text, JSON, GitHub workflow commands or JUnit XML.  `unroot
 * check` compares a trace with a committed baseline, `unroot diff` one
 * trace with another; both print through here.
 */
#ifndef UNROOT_COMPARE_H
#define UNROOT_COMPARE_H

#include <stdio.h>

#include "baseline.h"
#include "format.h"

/* The output formats, for --format (format.h); row 0 is the default. */
const struct format_table *compare_formats(void);

/*
 * Compare what was seen against the accepted baseline and print the result
 * in format f (an index in compare_formats()).  trace (may be NULL) is
 * used to explain new entries with the plan line that would grant them;
 * label names the baseline in the output.  Returns the number of new
 * writes and denials.
 */
size_t compare_print(const struct baseline *accepted, struct baseline *seen,
		     struct trace *trace, const char *label, int f, FILE *out);

#endif
