/*
 * storm.c - the create storm the tracer's cost is measured with: N times
 * create, close and unlink DIR/storm-I, then, with "read", N opens for
 * reading of DIR/storm-read (a read storm: never stopped by the filter).
 * Prints the wall time per iteration in microseconds.
 *
 *   storm create|read N DIR
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char p[4096];

	if (argc < 4)
		return 2;
	int n = atoi(argv[2]);
	int reads = !strcmp(argv[1], "read");
	if (reads) {
		snprintf(p, sizeof p, "%s/storm-read", argv[3]);
		int fd = open(p, O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			return 1;
		close(fd);
	}
	double t0 = now();
	for (int i = 0; i < n; i++) {
		if (!reads)
			snprintf(p, sizeof p, "%s/storm-%d", argv[3], i);
		int fd = open(p, reads ? O_RDONLY : O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			return 1;
		close(fd);
		if (!reads && unlink(p) != 0)
			return 1;
	}
	printf("%.2f us per iteration\n", (now() - t0) * 1e6 / n);
	return 0;
}
