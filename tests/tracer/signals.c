/*
 * signals.c - what a tracer must pass through unchanged:
 *   signals ignore   SIGUSR1 ignored, then raised; exits 0 after it
 *   signals killed   killed by SIGTERM (default action)
 *   signals fork N   forks N children that each create and remove a file
 *                    in DIR (signals fork N DIR), reaps them, prints the
 *                    sum of their exit statuses
 *   signals loop DIR creates and removes DIR/loop-N files forever, one
 *                    every 10 ms, printing any failure (a tracer killed
 *                    under it must not leave it failing with ENOSYS)
 *   signals stop     a child stops itself (SIGSTOP); the parent sees the
 *                    stop (WUNTRACED), continues it and reaps it
 *   signals threadexec PROG ARG...
 *                    a second thread execs PROG (the kernel ends the
 *                    other threads; PROG takes over the process's pid)
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int touch_rm(const char *dir, int i)
{
	char p[4096];

	snprintf(p, sizeof p, "%s/loop-%d", dir, i);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		printf("open %s: %s\n", p, strerror(errno));
		fflush(stdout);
		return 1;
	}
	close(fd);
	return unlink(p) != 0;
}

static int stop_and_continue(void)
{
	int st;
	pid_t c = fork();

	if (c == 0) {
		raise(SIGSTOP);
		_exit(7);
	}
	if (waitpid(c, &st, WUNTRACED) != c || !WIFSTOPPED(st))
		return 1;
	printf("signals: child stopped by signal %d\n", WSTOPSIG(st));
	kill(c, SIGCONT);
	if (waitpid(c, &st, 0) != c || !WIFEXITED(st))
		return 1;
	printf("signals: child exited %d\n", WEXITSTATUS(st));
	return 0;
}

static void *exec_thread(void *argv)
{
	char **a = argv;
	execv(a[0], a);
	perror("execv");
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "ignore")) {
		signal(SIGUSR1, SIG_IGN);
		raise(SIGUSR1);
		printf("signals: SIGUSR1 ignored\n");
		return 0;
	}
	if (!strcmp(argv[1], "killed")) {
		printf("signals: raising SIGTERM\n");
		fflush(stdout);
		raise(SIGTERM);
		return 1;
	}
	if (!strcmp(argv[1], "fork") && argc > 3) {
		int n = atoi(argv[2]), sum = 0;
		for (int i = 0; i < n; i++)
			if (fork() == 0)
				_exit(touch_rm(argv[3], i));
		for (int i = 0, st; i < n; i++)
			if (wait(&st) > 0)
				sum += WIFEXITED(st) ? WEXITSTATUS(st) : 100;
		printf("signals: %d children, statuses sum %d\n", n, sum);
		return sum != 0;
	}
	if (!strcmp(argv[1], "stop"))
		return stop_and_continue();
	if (!strcmp(argv[1], "threadexec") && argc > 2) {
		pthread_t t;
		fflush(stdout);
		pthread_create(&t, NULL, exec_thread, argv + 2);
		pthread_join(t, NULL);
		return 1;
	}
	if (!strcmp(argv[1], "loop") && argc > 2) {
		for (int i = 0;; i++) {
			if (touch_rm(argv[2], i))
				return 1;
			usleep(10000);
		}
	}
	return 2;
}
