/*
 * generalize.h - the rules that turn a raw path into a pattern, so that two
 * runs of the same workload compare equal although their temp names, pids
 * and hashes differ (docs/baseline.md lists every rule with an example and
 * the evidence it needs).
 *
 * A pattern is the path with HOME rebased to "~" and each varying part of
 * a name replaced by a placeholder: "{rand}" (a temporary name's random
 * token, found by tempname.h), "{hex}" (a hash), "{n}" (a run of digits).
 */
#ifndef UNROOT_GENERALIZE_H
#define UNROOT_GENERALIZE_H

#include <stdbool.h>

#include "tempname.h"

/* Components of a pattern, counted from 0 (the "" before the first '/', or
 * "~"), beyond which a pattern's creation mask records nothing. */
#define GENERALIZE_MASK_BITS 64

/*
 * The pattern of a raw path (allocated).  home is the HOME of the process
 * that wrote it (NULL, "" or "/" for none); ev is what the trace shows
 * about the paths it made and removed (NULL for nothing).  When created is
 * not NULL it receives bit i set when component i of the pattern was
 * created exclusively in the trace (tempname.h's TN_EXCL or TN_TEMPLATE).
 */
char *generalize_path(const char *path, const char *home,
		      const struct tn_evidence *ev,
		      unsigned long long *created);

#endif
