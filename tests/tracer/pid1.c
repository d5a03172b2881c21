/*
 * pid1.c - an entrypoint: prints its pid, creates DIR/pid1-file, then
 * waits for signals.  With "handler" it catches SIGTERM, says so and
 * exits 0; without, it has no SIGTERM handler (as PID 1 of a pid
 * namespace, the kernel then drops SIGTERM sent to it).
 *
 *   pid1 DIR [handler]
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void on_term(int sig)
{
	(void)sig;
	static const char msg[] = "pid1: SIGTERM\n";
	if (write(1, msg, sizeof msg - 1) < 0)
		_exit(3);
	_exit(0);
}

int main(int argc, char **argv)
{
	char f[4096];

	if (argc < 2)
		return 2;
	if (argc > 2 && !strcmp(argv[2], "handler"))
		signal(SIGTERM, on_term);
	snprintf(f, sizeof f, "%s/pid1-file", argv[1]);
	int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
	printf("pid1: pid %d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
