/*
 * imagefloor.c - a preload object that does only what the trace's design
 * asks of every new program image, and nothing else: the floor of "one
 * log file per image, written through a shared mapping, kept at SIGKILL"
 * (preload/log.c), measured on the exec storm by scripts/bench (variant
 * `image`).
 *
 * When the image starts: create a file in $UNROOT_LOG (O_EXCL, a random
 * name), allocate its first page, map it, enter the page into the page
 * tables and copy a record of RECORD_BYTES into it (about what libunroot
 * writes for a /bin/true: its proc record); when it ends: a short end
 * record, then cut the file to its bytes.  Nothing is wrapped, no state
 * is read, no record is encoded: everything libunroot does on top of this
 * (the exec event and its pre-state, the proc record's fields, the
 * wrappers' set-up) is above this floor.  It runs none of libc's code
 * that a small program would not run anyway, as libunroot does: the
 * file's name is put together by hand (snprintf's first call in an image
 * touches enough of libc, about 55 us an image here, to raise the floor
 * by itself), the environment is walked here, the system calls are made
 * inline (x86-64) and the bytes are copied by loops the compiler may not
 * turn into memcpy: each page of code touched for the first time is a
 * page fault, 10-14 us on the machines this was measured on.  Its state
 * is in .data, the page the loader writes anyway (a log directory of up
 * to about 980 bytes).
 *
 * build: gcc -O2 -shared -fPIC -Wl,-z,noseparate-code -o imagefloor.so
 *        imagefloor.c (one segment of code and constants, as libunroot.so)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../preload/rawsys.h"

#define RECORD_BYTES 640
#define WINDOW	     ((size_t)1 << 30)

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 1
#endif

extern char **environ;

static struct {
	char *map;
	size_t used;
	char name[1024]; /* one page of .data for all three */
} st __attribute__((section(".data")));

/* a system call (preload/rawsys.h: inline on x86-64), -1 on failure */
#define sys(n, a, b, c, d, e, f) ur_syscall(n, a, b, c, d, e, f)

/* a loop the compiler keeps a loop */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) static void
put(const char *rec, size_t n)
{
	for (size_t i = 0; i < n; i++)
		st.map[st.used + i] = rec[i];
	st.used += n;
}

static void image_ends(void)
{
	static const char end[] = "{\"t\":\"end\",\"status\":0}\n";
	long fd;

	if (!st.map)
		return;
	put(end, sizeof end - 1);
	fd = sys(SYS_openat, AT_FDCWD, (long)st.name,
		 O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0, 0, 0);
	if (fd >= 0) {
		if (sys(SYS_ftruncate, fd, (long)st.used, 0, 0, 0, 0) != 0)
			st.used = 0;
		sys(SYS_close, fd, 0, 0, 0, 0, 0);
	}
}

/* name = DIR/PID-NONCE.jsonl (NONCE: 12 hex digits); false when too long */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) static bool
name_file(const char *dir, unsigned long pid, unsigned long long nonce)
{
	char *name = st.name;
	size_t n = 0, i;
	char digits[24];

	for (; dir[n]; n++) {
		if (n + 40 >= sizeof st.name)
			return false;
		name[n] = dir[n];
	}
	name[n++] = '/';
	i = 0;
	do
		digits[i++] = (char)('0' + pid % 10);
	while ((pid /= 10) != 0);
	while (i)
		name[n++] = digits[--i];
	name[n++] = '-';
	for (int shift = 44; shift >= 0; shift -= 4)
		name[n++] = "0123456789abcdef"[(nonce >> shift) & 15];
	for (i = 0; i < 7; i++)
		name[n++] = ".jsonl"[i];
	return true;
}

static const char *env(const char *key)
{
	for (char **e = environ; e && *e; e++) {
		const char *v = *e, *k = key;
		while (*k && *v == *k)
			v++, k++;
		if (!*k && *v == '=')
			return v + 1;
	}
	return NULL;
}

__attribute__((constructor)) static void image_starts(void)
{
	const char *dir = env("UNROOT_LOG");
	unsigned long long nonce = 0;
	char rec[RECORD_BYTES];
	long fd;

	if (!dir || sys(SYS_getrandom, (long)&nonce, sizeof nonce,
			GRND_NONBLOCK, 0, 0, 0) != sizeof nonce)
		return;
	if (!name_file(dir, (unsigned long)sys(SYS_getpid, 0, 0, 0, 0, 0, 0),
		       nonce & 0xffffffffffffULL))
		return;
	fd =
	    sys(SYS_openat, AT_FDCWD, (long)st.name,
		O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644, 0, 0);
	if (fd < 0)
		return;
	if (sys(SYS_fallocate, fd, 0, 0, 4096, 0, 0) == 0) {
		long p = sys(SYS_mmap, 0, (long)WINDOW, PROT_READ | PROT_WRITE,
			     MAP_SHARED, fd, 0);
		if (p > -4096L && p < 0)
			p = 0;
		st.map = (char *)p;
		if (st.map)
			sys(SYS_madvise, p, 4096, MADV_POPULATE_WRITE, 0, 0, 0);
	}
	sys(SYS_close, fd, 0, 0, 0, 0, 0);
	if (!st.map)
		return;
	static const char head[] = "{\"t\":\"proc\",\"pad\":\"";
	size_t i = 0;
	for (; i < sizeof head - 1; i++)
		rec[i] = head[i];
	for (; i < sizeof rec - 3; i++)
		rec[i] = 'x';
	rec[i++] = '"';
	rec[i++] = '}';
	rec[i] = '\n';
	put(rec, sizeof rec);
	atexit(image_ends);
}
