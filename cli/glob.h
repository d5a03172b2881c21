/*
 * glob.h - the one glob matcher of the CLI: the patterns people write in a
 * baseline ("patterns", "ignore", hand-written entries) and the paths and
 * program names of the catalogue of known writers (cli/data/writers.json).
 * The syntax is documented in docs/baseline.md ("Globs"):
 *
 *   - Pattern and path are compared component by component ('/' splits).
 *   - A component that is exactly "**" matches zero or more whole
 *     components; as the last component of a pattern it matches one or
 *     more (a trailing "**" is everything under a directory, not the
 *     directory itself).
 *   - In any other component, "*" matches any run of bytes (none
 *     included) and "?" exactly one byte, never a '/'; "**" inside a
 *     component ("a**b") is the same as "*".
 *   - Every other byte, "{rand}" and the other placeholders included,
 *     matches itself.  There is no escape and no [class].
 */
#ifndef UNROOT_GLOB_H
#define UNROOT_GLOB_H

#include <stdbool.h>

/* Whether the glob pattern matches the whole of s. */
bool glob_match(const char *pattern, const char *s);

/* Whether a string holds a wildcard ('*' or '?'), i.e. is a glob. */
bool is_glob(const char *pattern);

#endif
