/*
 * rawsys.c - a dynamic program that writes past the preload: a mkdir and
 * an openat(O_CREAT) made with raw syscall(2) (the preload passes
 * syscall() through without a record), and one traced fopen for contrast.
 *
 *   rawsys DIR   makes DIR/rawdir, DIR/rawfile (raw) and DIR/traced
 *
 * Exits 0 when all three were made, 1 with a message otherwise.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096];
	long fd;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: rawsys DIR\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/rawdir", argv[1]);
	if (syscall(SYS_mkdir, path, 0755)) {
		perror(path);
		return 1;
	}
	snprintf(path, sizeof path, "%s/rawfile", argv[1]);
	fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || syscall(SYS_write, fd, "raw\n", 4) != 4) {
		perror(path);
		return 1;
	}
	syscall(SYS_close, fd);
	snprintf(path, sizeof path, "%s/traced", argv[1]);
	f = fopen(path, "w");
	if (!f || fputs("traced\n", f) < 0 || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}
