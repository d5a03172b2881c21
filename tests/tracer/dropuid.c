/*
 * dropuid.c - started as root: creates DIR/before, drops to uid and gid
 * 1001 in-process (setgroups, setgid, setuid), then creates DIR/after
 * (DIR is writable by 1001), tries DENY/after (root's 0755 directory:
 * EACCES), and creates ./rel with DIR as its cwd (a relative path: the
 * tracer needs the cwd of a process that is no longer its uid's).
 * Prints what each call returned.  With a command after DENY, it then
 * execs that command as 1001, as gosu does.
 *
 *   dropuid DIR DENY [COMMAND [ARG...]]
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void create(const char *dir, const char *name)
{
	char p[4096];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	printf("%s: %s\n", p, fd < 0 ? strerror(errno) : "created");
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	create(argv[1], "before");
	if (setgroups(0, NULL) || setgid(1001) || setuid(1001)) {
		perror("dropuid");
		return 1;
	}
	create(argv[1], "after");
	create(argv[2], "after");
	if (chdir(argv[1]) != 0)
		return 1;
	create(".", "rel");
	if (argc > 3) {
		fflush(stdout);
		execv(argv[3], argv + 3);
		perror(argv[3]);
		return 1;
	}
	return 0;
}
