/*
 * refuse.c - a static program that makes calls only privilege allows, run
 * by a user other than root: chroot(DIR), setgid(0),
 * setresuid(-1, 0, -1) and setgroups({0, 27}), each of which must fail
 * with EPERM as it does untraced.  Exit 0 when all four did, 1 otherwise
 * (naming the call).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <unistd.h>

static int refused(int r, const char *what)
{
	if (r == -1 && errno == EPERM)
		return 0;
	fprintf(stderr, "refuse: %s was not refused with EPERM\n", what);
	return 1;
}

int main(int argc, char **argv)
{
	const gid_t groups[] = {0, 27};
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: refuse DIR\n");
		return 2;
	}
	errno = 0;
	bad |= refused(chroot(argv[1]), "chroot");
	errno = 0;
	bad |= refused(setgid(0), "setgid");
	errno = 0;
	bad |= refused(setresuid((uid_t)-1, 0, (uid_t)-1), "setresuid");
	errno = 0;
	bad |= refused(setgroups(2, groups), "setgroups");
	return bad;
}
