/*
 * child.h - running another program (the workload, docker, diff) and
 * waiting for it.  Errors are returned with errno, never die()d: the
 * services that run docker report them to their caller.
 *
 * Exit statuses follow the shell: the program's own status, 128+N when a
 * signal N ended it.
 */
#ifndef UNROOT_CHILD_H
#define UNROOT_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

/*
 * From now on, SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to this process by
 * another process (kill, a supervisor) are passed on to the child started
 * last while it runs.  Signals from the terminal already reach a child in
 * the foreground process group and are not sent twice.
 */
void child_forward_signals(void);

/*
 * Start argv[0] (looked up in PATH) with argv.  When out_fd >= 0 the
 * program reads /dev/null and writes its stdout and stderr to out_fd;
 * else it shares ours.  Returns its pid once it runs; -1 when it does not:
 * *exec_err is the exec's errno when the program could not be run
 * (ENOENT: not found), else 0 and errno says why (pipe, fork).
 */
pid_t child_start(char *const argv[], int out_fd, int *exec_err);

/* Wait for pid to end: its exit status, or -1 with errno. */
int child_wait(pid_t pid);
/* Without blocking: 1 with *status when pid has ended, 0 while it runs,
 * -1 with errno. */
int child_poll(pid_t pid, int *status);

/* Run argv to its end with stdout and stderr collected: its exit status,
 * or -1 with errno (its exec's when it could not be run). */
int child_capture(char *const argv[], struct strbuf *out, struct strbuf *err);

/* Run argv for the first size bytes of its stdout (its stderr dropped),
 * then end it (SIGTERM) and wait: how many bytes were read, or -1 with
 * errno when it could not be run.  For a large output of which only the
 * head matters (a tar stream's first header). */
ssize_t child_read_head(char *const argv[], void *buf, size_t size);

#endif
