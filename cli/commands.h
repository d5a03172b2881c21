/*
 * commands.h - one entry point per subcommand, each in its own cmd_*.c file;
 * unroot.c dispatches to them.  Every command returns its exit status.
 */
#ifndef UNROOT_COMMANDS_H
#define UNROOT_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_docker(int argc, char **argv);
int cmd_harden(int argc, char **argv);

/* Exit codes shared by the commands (README.md has the table). */
#define EXIT_NEW       1 /* check, diff: something new was written or denied */
#define EXIT_USAGE     2 /* bad arguments (all commands but run and docker) */
#define EXIT_NO_TRACE  3 /* no trace could be read in a directory given */
#define EXIT_RUN_ERROR 125 /* run: unroot's own failure, as env(1) */
#define EXIT_NOEXEC    126 /* run: command found but not executable */
#define EXIT_NOTFOUND  127 /* run: command not found */

#endif
