/*
 * daemon.c - daemonises (fork, setsid, fork), and the daemon, after its
 * parent has exited, creates and renames DIR/daemon-file.  The program
 * the caller started exits 0 at once.
 *
 *   daemon DIR
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char f[4200], g[4200];

	if (argc < 2)
		return 2;
	if (fork() != 0)
		return 0;
	setsid();
	if (fork() != 0)
		_exit(0);
	for (int fd = 0; fd < 3; fd++)
		close(fd);
	usleep(300 * 1000); /* the starting process is gone by now */
	snprintf(f, sizeof f, "%s/daemon-file", argv[1]);
	snprintf(g, sizeof g, "%s/daemon-renamed", argv[1]);
	int fd = open(f, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		_exit(1);
	close(fd);
	_exit(rename(f, g) != 0);
}
