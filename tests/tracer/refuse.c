/*
 * refuse.c - a static program that makes calls only privilege allows, run
 * by a user other than root: chroot(DIR), setgid(0),
 * setresuid(-1, 0, -1) and setgroups({0, 27}), each of which must fail
 * with EPERM as it does untraced, and overwrites each call's arguments as
 * soon as the call returns.  Exit 0 when all four were refused, 1
 * otherwise (naming the call).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int refused(int r, const char *what)
{
	if (r == -1 && errno == EPERM)
		return 0;
	fprintf(stderr, "refuse: %s was not refused with EPERM\n", what);
	return 1;
}

/* The call's arguments live in buffers the program overwrites as soon as
 * the call returns, as a program reuses its stack: a tracer that reads
 * them after letting the program run on reads the new bytes. */
static volatile char dir[256];
static volatile gid_t groups[2];

static void clobber(void)
{
	memset((void *)dir, 'x', sizeof dir - 1);
	groups[0] = groups[1] = 1;
}

int main(int argc, char **argv)
{
	int bad = 0;

	if (argc != 2 || strlen(argv[1]) >= sizeof dir) {
		fprintf(stderr, "usage: refuse DIR\n");
		return 2;
	}
	strcpy((char *)dir, argv[1]);
	errno = 0;
	bad |= refused(chroot((const char *)dir), "chroot");
	clobber();
	errno = 0;
	bad |= refused(setgid(0), "setgid");
	errno = 0;
	bad |= refused(setresuid((uid_t)-1, 0, (uid_t)-1), "setresuid");
	groups[0] = 0;
	groups[1] = 27;
	errno = 0;
	bad |= refused(setgroups(2, (const gid_t *)groups), "setgroups");
	clobber();
	return bad;
}
