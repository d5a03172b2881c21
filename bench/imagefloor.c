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
 * wrappers' set-up) is above this floor.  The file's name is put together
 * by hand, as libunroot does: snprintf's first call in an image touches
 * enough of libc (about 55 us an image here) to raise the floor by itself.
 *
 * build: gcc -O2 -shared -fPIC -o imagefloor.so imagefloor.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#define RECORD_BYTES 640
#define WINDOW	     ((size_t)1 << 30)

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static char name[4096];
static char *map;
static size_t used;

static void put(const char *rec, size_t n)
{
	memcpy(map + used, rec, n);
	used += n;
}

static void image_ends(void)
{
	static const char end[] = "{\"t\":\"end\",\"status\":0}\n";
	int fd;

	if (!map)
		return;
	put(end, sizeof end - 1);
	fd = open(name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		if (ftruncate(fd, (off_t)used) != 0)
			used = 0;
		close(fd);
	}
}

/* name = DIR/PID-NONCE.jsonl (NONCE: 12 hex digits); false when too long */
static bool name_file(const char *dir, unsigned long pid,
		      unsigned long long nonce)
{
	size_t n = strlen(dir), i;
	char digits[24];

	if (n + 40 >= sizeof name)
		return false;
	memcpy(name, dir, n);
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
	memcpy(name + n, ".jsonl", 7);
	return true;
}

__attribute__((constructor)) static void image_starts(void)
{
	const char *dir = getenv("UNROOT_LOG");
	unsigned long long nonce = 0;
	char rec[RECORD_BYTES];
	int fd;

	if (!dir || getrandom(&nonce, sizeof nonce, GRND_NONBLOCK) < 0)
		return;
	if (!name_file(dir, (unsigned long)getpid(), nonce & 0xffffffffffffULL))
		return;
	fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0)
		return;
	if (fallocate(fd, 0, 0, 4096) == 0) {
		void *p = mmap(NULL, WINDOW, PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd, 0);
		if (p != MAP_FAILED) {
			map = p;
			madvise(map, 4096, MADV_POPULATE_WRITE);
		}
	}
	close(fd);
	if (!map)
		return;
	memset(rec, 'x', sizeof rec);
	memcpy(rec, "{\"t\":\"proc\",\"pad\":\"", 19);
	memcpy(rec + sizeof rec - 3, "\"}\n", 3);
	put(rec, sizeof rec);
	atexit(image_ends);
}
