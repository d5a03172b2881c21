/*
 * quote.h - turning untrusted path bytes into text that a shell, a
 * Dockerfile or a comment reads back as exactly those bytes.
 *
 * Paths in a plan come from the traced workload and may hold any byte.
 * Every emitted path goes through one of these functions; a function that
 * cannot express a name safely in its format returns NULL and says why,
 * and the caller refuses to emit the line.  Results are malloc'd.
 */
#ifndef UNROOT_QUOTE_H
#define UNROOT_QUOTE_H

#include <stdbool.h>

/* POSIX sh: one single-quoted word ('\'' for a quote).  Any byte but NUL
 * is safe, newlines included.  Never fails. */
char *sh_quote(const char *s);

/*
 * A shell word for one physical line of a Dockerfile RUN instruction:
 * single quotes when the name is printable (valid UTF-8, no control
 * bytes), else "$(printf '\ooo...')" with octal escapes.  A name ending in
 * a newline cannot survive $(...) and is refused: NULL, *why set (static).
 */
char *sh_quote_oneline(const char *s, const char **why);

/* The value of a Dockerfile ENV key="value", escaped with the file's
 * escape character (backslash or backtick).  Refuses control bytes and
 * invalid UTF-8 (ENV cannot carry them). */
char *dockerfile_env_value(const char *s, char escape, const char **why);

/* A JSON string literal (with quotes) for the exec form ["..."]; refuses
 * invalid UTF-8. */
char *json_quote(const char *s, const char **why);

/* Text safe inside a comment line (#...): control bytes, backslashes and
 * invalid UTF-8 become \xNN / \\, so a newline can never end the comment. */
char *comment_safe(const char *s);

/* True when s is a plain word that needs no quoting in sh:
 * [A-Za-z0-9_./:@%+,=-]. */
bool sh_word_is_plain(const char *s);

#endif
