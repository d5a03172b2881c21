/*
 * stage.c - the log's staging window: the latest records of an image that
 * writes a lot, gathered in a small file beside its log (NAME.jsonl.stage,
 * schema/SCHEMA.md "Stage files") and copied into the log by the kernel,
 * one pwrite(2) a window.
 *
 * Why: a record copied into the log's shared mapping costs, beyond the
 * copy, the first touch of every page of the log it lands in (a fault or a
 * share of MADV_POPULATE_WRITE, then a release: log.c, turn_page).  On a
 * virtualised machine that is an order of magnitude dearer than the
 * kernel's own copy of the same bytes (bench/README.md).  The window's
 * pages are touched once and reused; the log's pages are never mapped in.
 * Images below STAGE_FROM bytes of log never make one: a file, a mapping
 * and an unlink would cost a short image more than they save.
 *
 * What stays true:
 * - SIGKILL at any instant loses at most the record being copied, as with
 *   the mapping.  The window is a shared mapping of a file, so its bytes
 *   outlive the process in the page cache; its head says where they
 *   belong in the log (start, len); len covers a record only once it is
 *   copied; the head is reset only after the pwrite has returned.  Readers
 *   lay the window over the log at start (cli/tracepack_units.c): a window
 *   already copied, wholly or in part, lays the same bytes again.
 * - Every record still lands where the log's cursor reserved it, so the
 *   window holds one contiguous run of the log: a record that does not
 *   follow it (another thread's, a signal handler's, a forked child's in
 *   between) first sends the window on.
 * - One writer at a time: the window is taken with one atomic exchange.  A
 *   writer that finds it taken (another thread, or a signal handler that
 *   interrupted the holder) copies into the mapping, as without a window.
 * - Only the process that made the window uses it: a forked child has a
 *   copy of this state but shares the file's pages with its parent.
 * - The log's bytes under the window are reserved and allocated before a
 *   record is staged (log.c, place): a window that cannot be sent by
 *   pwrite (the log cannot be opened by name once credentials are
 *   dropped) is copied into the mapping instead.
 * - Staging stops for the rest of the image when windows go out short
 *   because writers interleave (threads): a pwrite for every few records
 *   costs more than the mapping.  The window is sent, its file removed and
 *   its pages released, as at the image's end.
 * - The image's end sends the window and removes its file (log.c,
 *   cut_sealed).  A window left by a killed image, or by one still
 *   running, is read in place: no reader rewrites a log.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "unroot.h"

#define STAGE_CAP   ((size_t)64 << 10) /* the window */
#define STAGE_BYTES (UNROOT_STAGE_HEAD + STAGE_CAP)
#define SHORT_SEND  (STAGE_CAP / 4) /* a send cut short by a writer ... */
#define MAX_SHORT   16		    /* ... this many times: staging stops */

enum { STAGE_UNTRIED, STAGE_ON, STAGE_OFF };

static char *window(struct ur_stage *s)
{
	return (char *)s->head + UNROOT_STAGE_HEAD;
}

static void stage_name(char *out, const char *logname)
{
	size_t n = strlen(logname);

	memcpy(out, logname, n);
	memcpy(out + n, UNROOT_STAGE_SUFFIX, sizeof UNROOT_STAGE_SUFFIX);
}

/* start or len changes: gen is odd meanwhile (readers lay nothing) */
static void head_set(struct unroot_stage_head *h, size_t start, size_t len)
{
	__atomic_store_n(&h->gen, h->gen + 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	h->start = start;
	h->len = len;
	__atomic_store_n(&h->gen, h->gen + 1, __ATOMIC_RELEASE);
}

/* The window into the log: by pwrite, else through the mapping. */
static void send(struct ur_stage *s, const char *logname, char *map)
{
	struct unroot_stage_head *h = s->head;
	size_t n = h->len, at = h->start;
	long fd, put = -1;

	if (!n)
		return;
	fd = ur_sys_open(logname, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd >= 0) {
		put = ur_syscall(SYS_pwrite64, (int)fd, window(s), n, (long)at);
		ur_sys_close((int)fd);
	}
	if (put != (long)n)
		memcpy(map + at, window(s), n);
	head_set(h, at + n, 0);
}

/*
 * Held by the caller: the window into the log, its file removed, its pages
 * unmapped.  busy stays set for good: a writer that loaded the head before
 * it went never takes the window, so never touches the unmapped pages.
 */
static void retire(struct ur_stage *s, const char *logname, char *map)
{
	char name[PATH_MAX + 80];

	send(s, logname, map);
	stage_name(name, logname);
	ur_syscall(SYS_unlink, name);
	ur_syscall(SYS_munmap, s->head, STAGE_BYTES);
	__atomic_store_n(&s->head, NULL, __ATOMIC_RELEASE);
	s->state = STAGE_OFF;
}

void ur_stage_make(struct ur_stage *s, const char *logname)
{
	char name[PATH_MAX + 80];
	void *p = MAP_FAILED;
	long fd;

	if (__atomic_exchange_n(&s->busy, 1, __ATOMIC_ACQUIRE))
		return;
	if (s->state != STAGE_UNTRIED)
		goto out;
	s->state = STAGE_OFF;
	stage_name(name, logname);
	fd = ur_sys_open(
	    name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		goto out;
	/* allocated before it is touched: a full disk is no SIGBUS */
	if (ur_syscall(SYS_fallocate, (int)fd, 0, 0L, (long)STAGE_BYTES) == 0)
		p = mmap(NULL, STAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
			 (int)fd, 0);
	ur_sys_close((int)fd);
	if (p == MAP_FAILED) {
		ur_syscall(SYS_unlink, name);
		goto out;
	}
	ur_populate_write(p, STAGE_BYTES);
	((struct unroot_stage_head *)p)->cap = STAGE_CAP;
	((struct unroot_stage_head *)p)->magic = UNROOT_STAGE_MAGIC;
	s->pid = ur_pid;
	s->state = STAGE_ON;
	__atomic_store_n(&s->head, p, __ATOMIC_RELEASE);
out:
	__atomic_store_n(&s->busy, 0, __ATOMIC_RELEASE);
}

bool ur_stage_put(struct ur_stage *s, const char *logname, char *map,
		  size_t off, const char *buf, size_t len)
{
	struct unroot_stage_head *h =
	    __atomic_load_n(&s->head, __ATOMIC_ACQUIRE);
	bool staged = false;

	if (!h || s->pid != ur_pid || ur_vforked ||
	    __atomic_exchange_n(&s->busy, 1, __ATOMIC_ACQUIRE))
		return false;
	size_t have = h->len;
	bool follows = h->start + have == off;
	if (have && (!follows || have + len > STAGE_CAP)) {
		if (!follows && have < SHORT_SEND &&
		    ++s->short_sends > MAX_SHORT) {
			retire(s, logname, map);
			return false;
		}
		send(s, logname, map);
		have = 0;
	}
	if (len <= STAGE_CAP) {
		if (!have && h->start != off)
			head_set(h, off, 0);
		memcpy(window(s) + have, buf, len);
		__atomic_store_n(&h->len, have + len, __ATOMIC_RELEASE);
		staged = true;
	}
	__atomic_store_n(&s->busy, 0, __ATOMIC_RELEASE);
	return staged;
}

void ur_stage_finish(struct ur_stage *s, const char *logname, char *map)
{
	if (!s->head || s->pid != ur_pid ||
	    __atomic_exchange_n(&s->busy, 1, __ATOMIC_ACQUIRE))
		return; /* held: the window stays for readers */
	retire(s, logname, map);
}

void ur_stage_forget(struct ur_stage *s)
{
	if (s->head)
		ur_syscall(SYS_munmap, s->head, STAGE_BYTES);
	memset(s, 0, sizeof *s);
}
