/*
 * workload.c - the small workload of the container tests' musl image (and
 * of any image without python): it writes the way real programs do, so the
 * tracer has something to see and the plan something to grant.
 *
 *   unroot-workload DIR   mkdir DIR (if missing), write DIR/out.tmp with
 *                         fopen, rename it to DIR/out.txt, make a temp file
 *                         in /tmp with mkstemp and unlink it.
 * Exits 0 when every step worked, 1 with a message otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "unroot-workload: %s %s: %s\n", what, path,
		strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	char tmp[4096], out[4096], tmpl[] = "/tmp/unroot-workload.XXXXXX";
	FILE *f;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: unroot-workload DIR\n");
		return 2;
	}
	if (mkdir(argv[1], 0755) && errno != EEXIST)
		return fail("mkdir", argv[1]);
	snprintf(tmp, sizeof tmp, "%s/out.tmp", argv[1]);
	snprintf(out, sizeof out, "%s/out.txt", argv[1]);
	f = fopen(tmp, "w");
	if (!f)
		return fail("fopen", tmp);
	fprintf(f, "written by unroot-workload\n");
	if (fclose(f))
		return fail("fclose", tmp);
	if (rename(tmp, out))
		return fail("rename", tmp);
	fd = mkstemp(tmpl);
	if (fd < 0)
		return fail("mkstemp", tmpl);
	close(fd);
	if (unlink(tmpl))
		return fail("unlink", tmpl);
	printf("ok %s\n", out);
	return 0;
}
