/*
 * handover.c - what an exec tells the program image it makes, so that the
 * image need not ask /proc: its mount namespace and the real path of its
 * executable.  The first look at /proc/self in a process makes the pid's
 * /proc directory (30-60 us on a paravirtualised machine, as much as the
 * rest of an image's start-up), and every image's proc record looked
 * twice (ns/mnt, exe).
 *
 * The exec wrapper (exec.c) adds UNROOT_EXEC=NS:CHECK:EXE to the new
 * program's environment when it knows all three:
 * - NS: the mount namespace of the process that makes the call (proc.c
 *   remembers it, and forgets it before every call that can move a
 *   process: setns, unshare and clone with CLONE_NEWNS, and their raw
 *   system calls);
 * - EXE: the real path of what the kernel will run: the file, when it is
 *   an ELF file of this machine, or the interpreter of a "#!" script, when
 *   that is one (anything else, binfmt_misc's programs among them, is not
 *   handed over), walked by lstat and readlink (path.c), not by /proc;
 * - CHECK: a hash of the caller's pid and the path it passes the kernel.
 *
 * The new image takes the variable out of its environment before the
 * program's own code runs (the workload never sees it; only the kernel's
 * copy, /proc/PID/environ, still shows it), and believes it only when
 * CHECK is the hash of its own pid and AT_EXECFN (the path the kernel was
 * given): a variable left by an exec that no wrapper made (a static
 * program's, another process's) names another call, and the image asks
 * /proc as before.  What an image believed is good for its start-up: the
 * text lives in the environment's strings, which a program may overwrite.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "unroot.h"

extern char **environ;

static const char *taken_exe START_STATE;

#define PREFIX UNROOT_ENV_EXEC "="

/* The hash of the pid in decimal, ':' and the path. */
static uint64_t check_of(long pid, const char *execfn)
{
	char num[24];
	char *end = ur_put_u64(num, (unsigned long long)pid);

	*end++ = ':';
	uint64_t h = ur_fnv(UR_FNV_START, num, (size_t)(end - num));
	return ur_fnv(h, execfn, strlen(execfn));
}

bool ur_handover_text(char *out, size_t cap, long pid, const char *execfn,
		      const char *exe)
{
	unsigned long long ns = ur_mount_ns_known();
	size_t len = strlen(exe), n = sizeof PREFIX - 1;
	uint64_t check = check_of(pid, execfn);

	if (!ns || exe[0] != '/' || n + 24 + 18 + len + 1 > cap)
		return false;
	memcpy(out, PREFIX, n);
	n = (size_t)(ur_put_u64(out + n, ns) - out);
	out[n++] = ':';
	for (int shift = 60; shift >= 0; shift -= 4)
		out[n++] = "0123456789abcdef"[(check >> shift) & 15];
	out[n++] = ':';
	memcpy(out + n, exe, len + 1);
	return true;
}

/* The value's fields; false when it is not NS:CHECK:/EXE. */
static bool parse(const char *v, unsigned long long *ns, uint64_t *check,
		  const char **exe)
{
	*ns = 0;
	for (; *v >= '0' && *v <= '9'; v++)
		*ns = *ns * 10 + (unsigned long long)(*v - '0');
	if (*v++ != ':')
		return false;
	*check = 0;
	for (int i = 0; i < 16; i++, v++) {
		const char *d = *v ? strchr("0123456789abcdef", *v) : NULL;
		if (!d)
			return false;
		*check = *check << 4 | (uint64_t)(d - "0123456789abcdef");
	}
	*exe = v + 1;
	return *ns && *v == ':' && v[1] == '/';
}

void ur_handover_take(void)
{
	size_t i = 0, o;

	while (environ && environ[i] &&
	       strncmp(environ[i], PREFIX, sizeof PREFIX - 1))
		i++;
	if (!environ || !environ[i])
		return;
	const char *v = environ[i] + sizeof PREFIX - 1;
	/* out of the array, every copy (the last one counts) */
	for (o = i; environ[i]; i++)
		if (strncmp(environ[i], PREFIX, sizeof PREFIX - 1))
			environ[o++] = environ[i];
		else
			v = environ[i] + sizeof PREFIX - 1;
	environ[o] = NULL;
	unsigned long long ns;
	uint64_t check;
	const char *exe;
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	if (!execfn || !parse(v, &ns, &check, &exe) ||
	    check != check_of(ur_pid, execfn))
		return;
	ur_mount_ns_remember(ns);
	taken_exe = exe;
}

const char *ur_handover_exe(void)
{
	return taken_exe;
}
