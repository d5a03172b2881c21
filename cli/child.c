/*
 * child.c - starting, waiting for and capturing other programs (child.h).
 * A program is started with posix_spawnp: the child shares this process's
 * memory until its exec, so nothing is copied for it.  A fork() copies
 * the page tables, and both processes then fault on every page they write
 * (on the benchmark's virtual machine a fork, exec and wait of /bin/true
 * took 4 ms, a posix_spawn and wait 2 ms).  The exec's errno comes back as
 * posix_spawnp's result, so a caller knows "not found" from "ran and
 * failed" without guessing from an exit status.  One difference from
 * execvp remains: a file without a "#!" line fails with ENOEXEC where
 * execvp runs it with /bin/sh; such a file is started again by fork and
 * execvp, which does that (its errno then travels back through a
 * close-on-exec pipe).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

static volatile pid_t current; /* the child signals are passed on to */

static void forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (current > 0 && (!si || si->si_code <= 0))
		kill(current, sig);
}

void child_forward_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

static int status_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* In the child: redirect, exec, and on failure send errno up the pipe. */
static void exec_child(char *const argv[], int out_fd, int err_fd, int report)
{
	int e, null;

	if (out_fd >= 0) {
		null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 ||
		    dup2(err_fd, 2) < 0)
			_exit(127);
	}
	execvp(argv[0], argv);
	e = errno;
	if (write(report, &e, sizeof e) < 0)
		_exit(127);
	_exit(127);
}

static pid_t start_forked(char *const argv[], int out_fd, int err_fd,
			  int *exec_err)
{
	int pfd[2], e = 0, status;
	ssize_t n;
	pid_t pid;

	*exec_err = 0;
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(pfd[0]);
		close(pfd[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		exec_child(argv, out_fd, err_fd, pfd[1]);
	}
	current = pid;
	close(pfd[1]);
	do
		n = read(pfd[0], &e, sizeof e);
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n != (ssize_t)sizeof e)
		return pid;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	current = 0;
	*exec_err = e;
	errno = e;
	return -1;
}

/* /dev/null open for reading, above the standard descriptors (so that
 * the redirections below never overwrite it), or -1 with errno. */
static int open_null(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), e;

	if (fd >= 0 && fd < 3) {
		int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);

		e = errno;
		close(fd);
		errno = e;
		fd = high;
	}
	return fd;
}

/* The file actions of a child whose stdout and stderr go to out_fd and
 * err_fd and whose stdin is null; 0 or an errno. */
static int redirect(posix_spawn_file_actions_t *fa, int out_fd, int err_fd,
		    int null)
{
	int e = posix_spawn_file_actions_adddup2(fa, out_fd, 1);

	if (!e)
		e = posix_spawn_file_actions_adddup2(fa, err_fd, 2);
	if (!e)
		e = posix_spawn_file_actions_adddup2(fa, null, 0);
	return e;
}

/* posix_spawnp of argv, redirected when out_fd >= 0: 0 with *pid, or an
 * errno, which *exec_err repeats when it is the exec's. */
static int spawn(char *const argv[], int out_fd, int err_fd, pid_t *pid,
		 int *exec_err)
{
	posix_spawn_file_actions_t fa;
	int null = -1, e;

	*exec_err = 0;
	if (out_fd >= 0 && (null = open_null()) < 0)
		return errno;
	e = posix_spawn_file_actions_init(&fa);
	if (!e) {
		if (out_fd >= 0)
			e = redirect(&fa, out_fd, err_fd, null);
		if (!e) {
			fflush(NULL);
			e = posix_spawnp(pid, argv[0], &fa, NULL, argv,
					 environ);
			/* EAGAIN: no process to run it in */
			if (e != EAGAIN)
				*exec_err = e;
		}
		posix_spawn_file_actions_destroy(&fa);
	}
	if (null >= 0)
		close(null);
	return e;
}

static pid_t start(char *const argv[], int out_fd, int err_fd, int *exec_err)
{
	pid_t pid = -1;
	int e = spawn(argv, out_fd, err_fd, &pid, exec_err);

	if (e == ENOEXEC) /* execvp's /bin/sh for a file without "#!" */
		return start_forked(argv, out_fd, err_fd, exec_err);
	if (e) {
		errno = e;
		return -1;
	}
	current = pid;
	return pid;
}

pid_t child_start(char *const argv[], int out_fd, int *exec_err)
{
	return start(argv, out_fd, out_fd, exec_err);
}

int child_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (current == pid)
		current = 0;
	return status_of(status);
}

int child_poll(pid_t pid, int *status)
{
	pid_t r;

	while ((r = waitpid(pid, status, WNOHANG)) < 0)
		if (errno != EINTR)
			return -1;
	if (r != pid)
		return 0;
	if (current == pid)
		current = 0;
	*status = status_of(*status);
	return 1;
}

/* Read both pipes to their end. */
static void drain(int fo, int fe, struct strbuf *out, struct strbuf *err)
{
	struct pollfd pfd[2] = {{.fd = fo, .events = POLLIN},
				{.fd = fe, .events = POLLIN}};
	char buf[4096];
	ssize_t n;

	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int k = 0; k < 2; k++) {
			if (pfd[k].fd < 0 || !pfd[k].revents)
				continue;
			n = read(pfd[k].fd, buf, sizeof buf);
			if (n > 0) {
				sb_add(k ? err : out, buf, n);
			} else if (n == 0 || errno != EINTR) {
				close(pfd[k].fd);
				pfd[k].fd = -1;
			}
		}
	}
	for (int k = 0; k < 2; k++)
		if (pfd[k].fd >= 0)
			close(pfd[k].fd);
}

int child_capture(char *const argv[], struct strbuf *out, struct strbuf *err)
{
	int po[2], pe[2], exec_err, e;
	pid_t pid;

	if (pipe2(po, O_CLOEXEC))
		return -1;
	if (pipe2(pe, O_CLOEXEC)) {
		e = errno;
		close(po[0]);
		close(po[1]);
		errno = e;
		return -1;
	}
	pid = start(argv, po[1], pe[1], &exec_err);
	e = errno;
	close(po[1]);
	close(pe[1]);
	if (pid < 0) {
		close(po[0]);
		close(pe[0]);
		errno = e;
		return -1;
	}
	drain(po[0], pe[0], out, err);
	return child_wait(pid);
}

ssize_t child_read_head(char *const argv[], void *buf, size_t size)
{
	int po[2], null, exec_err, e;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null < 0)
		return -1;
	if (pipe2(po, O_CLOEXEC)) {
		e = errno;
		close(null);
		errno = e;
		return -1;
	}
	pid = start(argv, po[1], null, &exec_err);
	e = errno;
	close(po[1]);
	close(null);
	if (pid < 0) {
		close(po[0]);
		errno = e;
		return -1;
	}
	while (got < size &&
	       ((n = read(po[0], (char *)buf + got, size - got)) > 0 ||
		(n < 0 && errno == EINTR)))
		if (n > 0)
			got += (size_t)n;
	close(po[0]);
	kill(pid, SIGTERM); /* it may still be writing what we do not want */
	child_wait(pid);
	return (ssize_t)got;
}
