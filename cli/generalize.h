/*
 * generalize.h - the rules that turn a raw path into a pattern, so that two
 * runs of the same workload compare equal although their temp names, pids
 * and hashes differ (docs/baseline.md lists every rule with an example).
 *
 * A pattern is the path with HOME rebased to "~" and each varying part of
 * a name replaced by a placeholder: "{rand}" (random temp-name letters),
 * "{hex}" (a hash), "{n}" (a run of digits).  Baseline files may also hold
 * glob patterns written by people (glob.h).
 */
#ifndef UNROOT_GENERALIZE_H
#define UNROOT_GENERALIZE_H

#include <stdbool.h>

/*
 * The pattern of a raw path.  home is the HOME of the process that wrote
 * it (NULL, "" or "/" for none); made_by_mktemp says the name came from
 * mkstemp() and friends, so its last six letters are random for sure.
 * Returns an allocated string.
 */
char *generalize_path(const char *path, const char *home, bool made_by_mktemp);

#endif
