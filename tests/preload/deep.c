/*
 * deep.c - a library the workload opens with RTLD_DEEPBIND, as PHP opens
 * its extensions: one file made through its PLT (mkstemp, bound lazily),
 * one through a pointer to open stored in its data (bound at load).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int deep_write(const char *dir);

static int (*const deep_open)(const char *, int, ...) = open;

int deep_write(const char *dir)
{
	char path[4096];
	int a, b;

	snprintf(path, sizeof path, "%s/lock.XXXXXX", dir);
	a = mkstemp(path);
	snprintf(path, sizeof path, "%s/by-pointer", dir);
	b = deep_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	return a >= 0 && b >= 0 ? 0 : -1;
}
