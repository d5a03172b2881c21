/*
 * handover.c - what an exec tells the program image it makes, so that the
 * image need not ask /proc, nor the file system: its mount namespace, the
 * real path of its executable, its root fs and whether the claims of that
 * namespace and root are made.  The first look at /proc/self in a process
 * makes the pid's /proc directory (30-60 us on a paravirtualised machine,
 * as much as the rest of an image's start-up), and every image's proc
 * record looked twice (ns/mnt, exe); then it looked at "/" and tried to
 * create the two marker files (proc.c) that its parent had already found.
 *
 * The exec wrapper (exec.c) adds UNROOT_EXEC=NS:CHECK:DEV:INO:CLAIMED:EXE
 * to the new program's environment when it knows NS and EXE:
 * - NS: the mount namespace of the process that makes the call (proc.c
 *   remembers it, and forgets it before every call that can move a
 *   process: setns, unshare and clone with CLONE_NEWNS, and their raw
 *   system calls);
 * - CHECK: a hash of the caller's pid and the path it passes the kernel;
 * - DEV:INO: the device and inode of the caller's root, as cwd.c
 *   remembers it (forgotten across chroot, pivot_root and setns), or 0:0
 *   when it is not known: an exec keeps the root;
 * - CLAIMED: 1 when the caller made (or found made) the once-per-namespace
 *   and once-per-root claims for NS and that root, else 0.  The log
 *   directory is the same: the exec gives the new image the caller's;
 * - EXE: the real path of what the kernel will run: the file, when it is
 *   an ELF file of this machine, or the interpreter of a "#!" script, when
 *   that is one (anything else, binfmt_misc's programs among them, is not
 *   handed over), walked by lstat and readlink (path.c), not by /proc.
 *
 * The new image takes the variable out of its environment before the
 * program's own code runs (the workload never sees it; only the kernel's
 * copy, /proc/PID/environ, still shows it), and believes it only when
 * CHECK is the hash of its own pid and AT_EXECFN (the path the kernel was
 * given): a variable left by an exec that no wrapper made (a static
 * program's, another process's) names another call, and the image asks
 * /proc and the file system as before.  What an image believed is good for
 * its start-up: the text lives in the environment's strings, which a
 * program may overwrite.
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
	unsigned long long ns = ur_mount_ns_known(), dev = 0, ino = 0;
	size_t len = strlen(exe), n = sizeof PREFIX - 1;
	char *o = out + n;

	if (!ns || exe[0] != '/' || n + 3 * 21 + 20 + len + 1 > cap)
		return false;
	if (!ur_root_recall(&dev, &ino))
		dev = ino = 0;
	bool claimed = (dev || ino) && ur_claims_made(ns, dev, ino);
	memcpy(out, PREFIX, n);
	o = ur_put_u64(o, ns);
	*o++ = ':';
	o = ur_put_hex(o, check_of(pid, execfn), 16);
	*o++ = ':';
	o = ur_put_u64(o, dev);
	*o++ = ':';
	o = ur_put_u64(o, ino);
	*o++ = ':';
	*o++ = claimed ? '1' : '0';
	*o++ = ':';
	memcpy(o, exe, len + 1);
	return true;
}

/* A decimal number at *v, and the ':' after it; false when there is
 * none. */
static bool field(const char **v, unsigned long long *out)
{
	const char *p = *v;

	*out = 0;
	for (; *p >= '0' && *p <= '9'; p++)
		*out = *out * 10 + (unsigned long long)(*p - '0');
	if (p == *v || *p != ':')
		return false;
	*v = p + 1;
	return true;
}

struct handed {
	unsigned long long ns, dev, ino;
	uint64_t check;
	bool claimed;
	const char *exe;
};

/* The value's fields; false when it is not NS:CHECK:DEV:INO:C:/EXE. */
static bool parse(const char *v, struct handed *h)
{
	if (!field(&v, &h->ns) || !h->ns)
		return false;
	h->check = 0;
	for (int i = 0; i < 16; i++, v++) {
		const char *d = *v ? strchr("0123456789abcdef", *v) : NULL;
		if (!d)
			return false;
		h->check = h->check << 4 | (uint64_t)(d - "0123456789abcdef");
	}
	if (*v++ != ':' || !field(&v, &h->dev) || !field(&v, &h->ino) ||
	    (*v != '0' && *v != '1') || v[1] != ':' || v[2] != '/')
		return false;
	h->claimed = *v == '1';
	h->exe = v + 2;
	return true;
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
	struct handed h;
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	if (!execfn || !parse(v, &h) || h.check != check_of(ur_pid, execfn))
		return;
	ur_mount_ns_remember(h.ns);
	if (h.dev || h.ino) {
		ur_root_remember(ur_root_stamp(), h.dev, h.ino);
		if (h.claimed)
			ur_claims_handed(h.ns, h.dev, h.ino);
	}
	taken_exe = h.exe;
}

const char *ur_handover_exe(void)
{
	return taken_exe;
}
