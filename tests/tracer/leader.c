/*
 * leader.c - a static program whose main thread leaves by pthread_exit
 * while another goes on: the process's /proc/PID/fd is the main thread's
 * and goes with it, so the tracer must read a descriptor's path from the
 * calling thread's /proc/TID.  The thread changes a file through a
 * descriptor (fchmod) and creates one relative to a directory descriptor
 * (openat) in DIR, then the process exits 0 ("leader: ok").
 *
 *   leader DIR
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *dir;

static void *go_on(void *arg)
{
	char buf[64], data[4096];
	int waited = 0;

	(void)arg;
	/* the main thread has left when the process's exe link is gone */
	while (readlink("/proc/self/exe", buf, sizeof buf) > 0 &&
	       waited < 5000) {
		usleep(1000);
		waited++;
	}
	snprintf(data, sizeof data, "%s/data", dir);
	int fd = open(data, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int bad = waited >= 5000 || fd < 0 || d < 0 || fchmod(fd, 0600) != 0 ||
		  openat(d, "g", O_WRONLY | O_CREAT | O_CLOEXEC, 0644) < 0;
	printf("leader: %s\n", bad ? "some calls failed" : "ok");
	fflush(stdout);
	exit(bad);
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc < 2)
		return 2;
	dir = argv[1];
	if (pthread_create(&t, NULL, go_on, NULL) != 0)
		return 1;
	pthread_exit(NULL);
}
