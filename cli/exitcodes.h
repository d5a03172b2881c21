/*
 * exitcodes.h - the exit statuses of the commands, one list for all of
 * them (README.md has the table).  run and docker pass their workload's
 * status through, so their own errors use 125-127 as env(1) does; every
 * other command exits 2 for a usage error and 3 when no trace could be
 * read in a directory it was given.
 */
#ifndef UNROOT_EXITCODES_H
#define UNROOT_EXITCODES_H

#define EXIT_NEW       1 /* check, diff: something new was written or denied */
#define EXIT_USAGE     2 /* bad arguments (all commands but run and docker) */
#define EXIT_NO_TRACE  3 /* no trace could be read in a directory given */
#define EXIT_RUN_ERROR 125 /* run, docker, harden: unroot or docker failed */
#define EXIT_NOEXEC    126 /* run: command found but not executable */
#define EXIT_NOTFOUND  127 /* run: command not found */

#endif
