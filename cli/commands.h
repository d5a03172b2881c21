/*
 * commands.h - one entry point per subcommand, each in its own cmd_*.c file;
 * unroot.c dispatches to them.  Every command returns its exit status.
 */
#ifndef UNROOT_COMMANDS_H
#define UNROOT_COMMANDS_H

#include "exitcodes.h"

int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_docker(int argc, char **argv);
int cmd_harden(int argc, char **argv);

#endif
