/*
 * probe.c - reads and probes, for the tracer's --reads: for each PATH an
 * open for reading, a stat and an access(R_OK), printing what each
 * returned.
 *
 *   probe PATH...
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *result(int r)
{
	return r < 0 ? strerror(errno) : "ok";
}

int main(int argc, char **argv)
{
	struct stat st;

	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		printf("%s: open %s", argv[i], result(fd));
		if (fd >= 0)
			close(fd);
		printf(", stat %s", result(stat(argv[i], &st)));
		printf(", access %s\n", result(access(argv[i], R_OK)));
	}
	return 0;
}
