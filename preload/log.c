/*
 * log.c - the transport: one file per process image in the trace's log
 * directory, written through a shared memory mapping.
 *
 * The file is created O_CREAT|O_EXCL|O_NOFOLLOW (a planted symlink is never
 * followed), space for it is allocated with fallocate(2) before any byte of
 * it is touched (so a full disk is a counted loss, never a SIGBUS inside
 * the workload), and it is mapped MAP_SHARED into a large address window.
 * No descriptor is kept: the workload never sees one of ours in
 * /proc/self/fd, a daemon's close-all loop or dup2 has nothing to break,
 * and nothing we hold can land in the workload's files.
 *
 * A record is placed by reserving its bytes with one atomic add on the
 * file's cursor and copying it in: threads never wait for each other, a
 * signal handler that interrupts a record reserves its own bytes after it,
 * and a record is never torn by another.  The page cache keeps what was
 * copied when the process execs, calls _exit or is SIGKILLed.  A process
 * killed between reserving and copying leaves NUL bytes; preallocated
 * space at the end of a file is NUL too: readers skip NUL padding
 * (SCHEMA.md).
 *
 * When the image ends (exit, _exit, exec) its file is trimmed to the bytes
 * reserved, so that a trace of many short processes is not mostly padding
 * (ur_log_trim).  The file is sealed first: one atomic OR of SEALED into
 * the cursor, after which every reservation, in any thread or in a forked
 * child that shares the cursor, sees the bit and appends its record with
 * write(2) instead (O_APPEND, by name).  A thread killed in that write
 * (the process's exit_group) may leave its record cut: the kernel ends a
 * write between two pages once a fatal signal is pending.  That is the
 * record in flight, which is lost at SIGKILL anyway; readers see a cut
 * line.  The bytes reserved before the
 * seal are all copied when the "committed" count, which each writer adds
 * its length to after its copy, reaches the sealed cursor; only then is the
 * file truncated, so no writer ever touches the mapping beyond the new end
 * (SIGBUS).  A writer that never finishes (killed, or the very thread whose
 * signal handler is ending the image) leaves the file untrimmed: padded,
 * as at SIGKILL, which readers skip.
 *
 * Where fallocate is not supported, a file falls back to one write(2) per
 * record on a descriptor opened by name and closed again.  When the
 * process has dropped privileges and can no longer grow its file, it
 * continues in a new file with a new proc record.  Records that cannot be
 * written are counted and reported in the "end" record.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "unroot.h"

#define WINDOW_SIZE ((size_t)1 << 30) /* address space per file */
/*
 * On tmpfs fallocate zeroes it.  One page holds the proc record of most
 * images (a few hundred bytes to 1.5 KB); a file that needs more doubles.
 * It is also what a killed image's file keeps at least.
 */
#define FIRST_CHUNK ((size_t)4 << 10)
#define MAX_CHUNK   ((size_t)4 << 20)
#define SEALED	    ((size_t)1 << 62) /* in a cursor: the file is trimmed */

/*
 * Where the next record of a mapped file goes.  It lives in shared memory
 * (a MAP_SHARED anonymous page, a slot per file, never reused), not in the
 * process's own: a forked child inherits the page with the mapping, so the
 * child and its parent reserve from the same cursor and can both write into
 * the parent's file (see ur_log_write_other).
 */
struct logcursor {
	size_t cursor;	     /* bytes reserved (atomic), | SEALED */
	size_t committed;    /* of those, bytes copied or given up (atomic) */
	size_t allocated;    /* bytes backed by fallocate (atomic) */
	int growing;	     /* a thread is extending it ahead of need */
	size_t ahead_failed; /* allocated when that last failed: not again */
	int trimmed;	     /* sealed, and cut or left as it is: appends
				may go to its end (atomic) */
};

/* (the name last: a new file writes the fields before it and the name's
 * first bytes, and every record reads stage.head, all in one page) */
struct logfile {
	char *map;	       /* NULL: write(2) per record */
	struct logcursor *at;  /* with map */
	pid_t pid;	       /* the process that made it */
	struct ur_stage stage; /* with map, once it is long (stage.c) */
	char name[PATH_MAX + 64];
};

/* Two slots: a new file is made in the free one, then published. */
static struct logfile files[2];
static int file_idx FORK_STATE = -1; /* the published slot, or -1 */
#define CURSORS_PER_PAGE (4096 / sizeof(struct logcursor))
static struct logcursor *cursors FORK_STATE; /* this process's page */
static size_t cursors_used FORK_STATE;

/* In a forked child that has no file yet: the slot of the file it was
 * forked with (left as the parent had it), and how many threads are
 * writing into it now. */
static struct logfile *inherited FORK_STATE;
static struct logcursor *inherited_cursors FORK_STATE;
static int inherited_writers FORK_STATE;
static long lost_records FORK_STATE;
static int log_failed FORK_STATE; /* no file could be created at all */
/* bit i: files[i] has a name.  A forked child asks this, in the page it
 * writes anyway, not files[i] itself: a slot its parent never used is a
 * page the child would fault in only to read zeros. */
static unsigned slots_named FORK_STATE;
static int ended FORK_STATE; /* the end record is written */
/* A forked child's stacks seen (stack.c) are those written into its
 * parent's file, which it borrows until it makes a file of its own: they
 * are forgotten then, not at the fork (a fork-exec child never makes one,
 * and forgetting costs a system call). */
static int stacks_inherited FORK_STATE;

/*
 * The file's name: the pid and a nonce.  The first try's nonce is the
 * clock reading the proc record carries (made says when): it differs from
 * every other file this pid made, and another pid namespace's process of
 * the same pid would have to name its file in the same nanosecond.  When
 * the name is taken all the same (O_EXCL), the next tries ask getrandom.
 */
static void name_log_file(char *out, long long made, int tries)
{
	unsigned long long nonce = (unsigned long long)made;
	size_t n = strlen(ur_logdir);

	if (tries && ur_syscall(SYS_getrandom, &nonce, sizeof nonce,
				GRND_NONBLOCK) != sizeof nonce)
		nonce = (unsigned long long)ur_now_ns() ^
			((unsigned long long)ur_pid << 32);
	memcpy(out, ur_logdir, n);
	out[n++] = '/';
	char *o = ur_put_u64(out + n, (unsigned long long)ur_pid);
	*o++ = '-';
	o = ur_put_hex(o, nonce, 12);
	memcpy(o, UNROOT_LOG_SUFFIX, sizeof UNROOT_LOG_SUFFIX);
}

static void count_lost(void)
{
	__atomic_add_fetch(&lost_records, 1, __ATOMIC_RELAXED);
}

/*
 * A new file's cursor, zero; NULL without shared memory.  Never one an
 * earlier file had: a forked child may still be writing into that file.
 * (A full page stays mapped: this process has made 128 files by then.)
 */
static struct logcursor *new_cursor(void)
{
	if (!cursors || cursors_used == CURSORS_PER_PAGE) {
		/* populated by the call: a page fault costs several
		 * system calls' time (see ur_populate_write) */
		void *p =
		    mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		cursors = p;
		cursors_used = 0;
	}
	return &cursors[cursors_used++];
}

/*
 * The child starts its own file: the inherited one is the parent's.  It
 * is unmapped only when no thread of the child is writing into it.  That
 * is not waited for: the writer may be the very thread a signal handler
 * interrupted to get here.  A window still in use stays mapped, unused.
 * (Sequentially consistent: each side stores, then loads what the other
 * stored.)
 */
static void drop_inherited(void)
{
	struct logfile *lf = inherited;

	if (!lf)
		return;
	__atomic_store_n(&inherited, NULL, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&inherited_writers, __ATOMIC_SEQ_CST))
		return;
	if (lf->map)
		ur_syscall(SYS_munmap, lf->map, WINDOW_SIZE);
	ur_stage_forget(&lf->stage);
	if (inherited_cursors)
		ur_syscall(SYS_munmap, inherited_cursors, 4096);
	memset(lf, 0, sizeof *lf);
	__atomic_fetch_and(&slots_named, ~(1u << (lf - files)),
			   __ATOMIC_RELAXED);
	inherited_cursors = NULL;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/*
 * The pages of [p, p + len) into the page tables in one call, writable:
 * about half the cost of faulting them in one by one (see turn_page); p
 * need not start a page.  Nothing when the kernel is older than
 * MADV_POPULATE_WRITE; errno is kept.
 */
static int populate_unsupported;

void ur_populate_write(void *p, size_t len)
{
	int saved = errno;
	uintptr_t lo = (uintptr_t)p & ~(uintptr_t)4095;

	if (!len || __atomic_load_n(&populate_unsupported, __ATOMIC_RELAXED))
		return;
	len += (uintptr_t)p - lo;
	if (ur_syscall(SYS_madvise, lo, len, MADV_POPULATE_WRITE) != 0 &&
	    errno == EINVAL)
		__atomic_store_n(&populate_unsupported, 1, __ATOMIC_RELAXED);
	errno = saved;
}

/* [from, to) of lf's mapping, as far as it is allocated */
static void populate(struct logfile *lf, size_t from, size_t to)
{
	size_t have = __atomic_load_n(&lf->at->allocated, __ATOMIC_ACQUIRE);

	from = (from + 4095) & ~(size_t)4095;
	if (to > have)
		to = have;
	if (from < to)
		ur_populate_write(lf->map + from, to - from);
}

/* Create a new file in lf and map it; false when no file could be made.
 * made: the clock reading its proc record will carry. */
static bool create_log(struct logfile *lf, long long made)
{
	long fd = -1;

	__atomic_fetch_or(&slots_named, 1u << (lf - files), __ATOMIC_RELAXED);
	for (int tries = 0; tries < 4; tries++) {
		name_log_file(lf->name, made, tries);
		fd = ur_sys_open(
		    lf->name,
		    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0)
		return false;
	lf->map = NULL;
	lf->pid = ur_pid;
	/* (a forked child's first file may find its parent's there) */
	memset(&lf->stage, 0, sizeof lf->stage);
	lf->at = new_cursor();
	if (lf->at &&
	    ur_syscall(SYS_fallocate, (int)fd, 0, 0L, (long)FIRST_CHUNK) == 0) {
		void *p = mmap(NULL, WINDOW_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED, (int)fd, 0);
		if (p != MAP_FAILED) {
			lf->map = p;
			lf->at->allocated = FIRST_CHUNK;
			populate(lf, 0, FIRST_CHUNK);
		} else {
			ur_syscall(SYS_ftruncate, (int)fd, 0L);
		}
	}
	ur_sys_close((int)fd);
	return true;
}

/* Back [0, end) of the file with allocated blocks; false when it cannot
 * be (full disk, lost permission, file gone). */
static bool ensure_allocated(struct logfile *lf, size_t end, int *err)
{
	size_t have;

	while ((have = __atomic_load_n(&lf->at->allocated, __ATOMIC_ACQUIRE)) <
	       end) {
		size_t step = have < MAX_CHUNK ? have : MAX_CHUNK;
		size_t want = have + step;
		while (want < end)
			want += step;
		if (want > WINDOW_SIZE)
			want = WINDOW_SIZE;
		if (want < end)
			return false;
		long fd =
		    ur_sys_open(lf->name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
		if (fd < 0) {
			*err = errno;
			return false;
		}
		/* only the new range: tmpfs walks every page of the range */
		long r = ur_syscall(SYS_fallocate, (int)fd, 0, (long)have,
				    (long)(want - have));
		*err = errno;
		ur_sys_close((int)fd);
		if (r != 0)
			return false;
		__atomic_compare_exchange_n(&lf->at->allocated, &have, want,
					    false, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE);
	}
	return true;
}

/*
 * Extend the file by its next chunk when what is left is less than half
 * a chunk, by one thread at a time.  Without this, every thread whose
 * record crossed the end called fallocate at once, and all but one spun on
 * the inode's lock while that one zeroed up to 4 MiB (tmpfs): 5% of an
 * 8-thread create storm.  A failure (full disk) is left to the record that
 * needs the space, which counts it lost.
 */
static void grow_ahead(struct logfile *lf, size_t end)
{
	struct logcursor *at = lf->at;
	size_t have = __atomic_load_n(&at->allocated, __ATOMIC_ACQUIRE);
	size_t step = have < MAX_CHUNK ? have : MAX_CHUNK;
	int err;

	if (end + step / 2 < have || have >= WINDOW_SIZE ||
	    __atomic_load_n(&at->ahead_failed, __ATOMIC_RELAXED) == have ||
	    __atomic_exchange_n(&at->growing, 1, __ATOMIC_ACQUIRE))
		return;
	if (!ensure_allocated(lf, have + 1, &err))
		__atomic_store_n(&at->ahead_failed, have, __ATOMIC_RELAXED);
	__atomic_store_n(&at->growing, 0, __ATOMIC_RELEASE);
}

/*
 * The log's pages in the process's page tables.  Entering a page of a
 * shared mapping for the first time is a page fault, and on a
 * virtualised machine a fault is the dearest thing the preload does
 * (12 us a page measured on the benchmark's machine, the cost of a dozen
 * system calls).  So when a record crosses a TRIM boundary:
 *
 * - the rest of the chunk it enters goes into the page tables in one
 *   MADV_POPULATE_WRITE (about half the cost of faulting its pages one
 *   by one), within the allocated part of the file only (beyond it the
 *   mapping has no page: SIGBUS).  Kernels before 5.14 reject the advice
 *   (EINVAL): it is not asked again, and pages fault in as before;
 * - when it crosses a DROP boundary, the four chunks it leaves go out of
 *   the page tables (MADV_DONTNEED keeps the data: it is the page
 *   cache's page of the file).  Their pages are written once and never
 *   read again.  Four at a time, because the kernel flushes the TLB page
 *   by page for a range of up to 33 pages and once for a larger one, and
 *   on a virtualised machine each page's flush is a trap: on the
 *   benchmark's machine, a 16-page release took 75 us and a 64-page one
 *   40 us (16 MiB of log: 15-20 ms of releases against 2-4).  A writer
 *   still copying into a released block, another thread's or this
 *   record's own head, only faults the same page back in.  So a writer
 *   that finds, once it is done, that the cursor has moved on to a later
 *   block drops again what it touched: its record's pages, or the whole
 *   chunk it populated.  The release of a block may come before its
 *   population or a late copy into it (threads are descheduled
 *   anywhere); without this second look, an 8-thread storm on 2 cores
 *   kept about 100 such pages.
 *
 * So a process's resident memory holds at most five chunks of its log
 * (320 KiB), however long it runs, and a file's first chunk is populated
 * when the file is made.  Errors of either advice change nothing the
 * workload sees (errno is restored by the callers of place).
 */
#define TRIM ((size_t)64 << 10)
#define DROP (4 * TRIM)
static void turn_page(struct logfile *lf, size_t off, size_t len)
{
	size_t end = off + len;
	size_t crossed = end / TRIM, block = end / DROP;
	size_t from = off & ~(size_t)4095;
	size_t to = (end + 4095) & ~(size_t)4095;

	if (crossed != off / TRIM) {
		populate(lf, end, (crossed + 1) * TRIM);
		from = crossed * TRIM;
		to = from + TRIM;
	}
	if (block != off / DROP)
		ur_syscall(SYS_madvise, lf->map + (block - 1) * DROP, DROP,
			   MADV_DONTNEED);
	/* late: the cursor left this block while this thread was copying
	 * or populating, and its release may have come first */
	size_t now = __atomic_load_n(&lf->at->cursor, __ATOMIC_ACQUIRE);
	if ((now & ~SEALED) / DROP > block)
		ur_syscall(SYS_madvise, lf->map + from, to - from,
			   MADV_DONTNEED);
}

/*
 * A long log of this process's own gets a staging window (stage.c), once:
 * from here on its records are copied into the log by the kernel, and the
 * pages of the log this process has in its page tables are released.
 */
static void start_stage(struct logfile *lf, size_t end)
{
	if (lf->stage.state || lf->pid != ur_pid || ur_vforked)
		return;
	ur_stage_make(&lf->stage, lf->name);
	if (lf->stage.head)
		ur_syscall(SYS_madvise, lf->map, (end / TRIM + 1) * TRIM,
			   MADV_DONTNEED);
}

/* One record by write(2) at the end of the file: unmapped, or sealed. */
static bool append_record(struct logfile *lf, const char *buf, size_t len,
			  int *err)
{
	long fd = ur_sys_open(lf->name,
			      O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0) {
		*err = errno;
		return false;
	}
	bool ok = ur_sys_write((int)fd, buf, len) == (long)len;
	ur_sys_close((int)fd);
	return ok;
}

/*
 * A record appended while the file is being cut would land past the cut
 * (the preallocated end) and be cut away with it: appends wait until the
 * sealing thread is done, for as long as it may take (bounded: it may be
 * descheduled, or killed, like any writer).
 */
static void wait_trimmed(struct logfile *lf)
{
	long long until = ur_now_ns() + 100000000LL;

	while (!__atomic_load_n(&lf->at->trimmed, __ATOMIC_ACQUIRE) &&
	       ur_now_ns() < until)
		sched_yield();
}

/* This thread is between a reservation and its commit (signal handlers
 * that end the image do not wait for it: ur_log_trim). */
static __thread int placing;

/* Place one record in lf; false with *err set when it could not be. */
static bool place(struct logfile *lf, const char *buf, size_t len, int *err)
{
	*err = 0;
	if (!lf->map)
		return append_record(lf, buf, len, err);
	placing++;
	size_t off = __atomic_fetch_add(&lf->at->cursor, len, __ATOMIC_RELAXED);
	if (UNLIKELY(off & SEALED)) {
		placing--;
		wait_trimmed(lf);
		return append_record(lf, buf, len, err);
	}
	/* the reserved bytes stay NUL when they cannot be written: padding */
	bool ok =
	    off + len <= WINDOW_SIZE && ensure_allocated(lf, off + len, err);
	if (ok) {
		if (!__atomic_load_n(&lf->stage.head, __ATOMIC_RELAXED) ||
		    !ur_stage_put(&lf->stage, lf->name, lf->map, off, buf,
				  len)) {
			memcpy(lf->map + off, buf, len);
			turn_page(lf, off, len);
			if (UNLIKELY(off + len >= UR_STAGE_FROM))
				start_stage(lf, off + len);
		}
		grow_ahead(lf, off + len);
	}
	__atomic_fetch_add(&lf->at->committed, len, __ATOMIC_RELEASE);
	placing--;
	return ok;
}

/*
 * The image ends: seal this process's own file and cut it to the bytes
 * reserved (see the top of this file).  Not in a vfork child, nor in a
 * forked child that writes into its parent's file: the file is not theirs
 * to end.  The wait for writers still copying is bounded: a thread of a
 * process that exits may be descheduled, or killed.
 */
/* Cut lf, sealed at end, once every reservation before the seal is
 * copied (false: a writer did not finish in time, the file stays). */
static void cut_sealed(struct logfile *lf, size_t end)
{
	long long until = 0; /* read only when there is a writer to wait for:
				a clock reading is a system call (encode.c) */

	while (__atomic_load_n(&lf->at->committed, __ATOMIC_ACQUIRE) != end) {
		long long now = ur_now_ns();
		if (!until)
			until = now + 50000000LL;
		else if (now > until)
			return;
		sched_yield();
	}
	ur_stage_finish(&lf->stage, lf->name, lf->map);
	if (end >= __atomic_load_n(&lf->at->allocated, __ATOMIC_ACQUIRE))
		return; /* nothing to cut (or records were lost past it) */
	int saved = errno;
	long fd = ur_sys_open(lf->name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd >= 0) {
		ur_syscall(SYS_ftruncate, (int)fd, (long)end);
		ur_sys_close((int)fd);
	}
	errno = saved;
}

static void trim_own(void)
{
	int idx = __atomic_load_n(&file_idx, __ATOMIC_ACQUIRE);

	if (idx < 0 || !files[idx].map)
		return;
	struct logfile *lf = &files[idx];
	size_t end =
	    __atomic_fetch_or(&lf->at->cursor, SEALED, __ATOMIC_ACQ_REL);
	if (end & SEALED)
		return;
	if (!placing)
		cut_sealed(lf, end);
	__atomic_store_n(&lf->at->trimmed, 1, __ATOMIC_RELEASE);
}

void ur_log_trim(void)
{
	if (__atomic_load_n(&file_idx, __ATOMIC_ACQUIRE) >= 0 &&
	    ur_sys_getpid() == ur_pid)
		trim_own();
}

/*
 * A file's first records: the file is created and the proc record (and the
 * once-per-namespace/root ones) placed in it before it is published, so
 * that no other thread's record comes before the proc record.  Other
 * threads wait; the starting thread (or a signal handler interrupting it)
 * writes into the slot being started.
 */
static int starting FORK_STATE;
static int start_slot FORK_STATE = -1;
static __thread int starting_here;

void ur_log_reset_start(void)
{
	if (starting)
		starting = 0;
	if (start_slot != -1)
		start_slot = -1;
	if (starting_here)
		starting_here = 0;
}

static void wait_started(int old_idx)
{
	long long until = ur_now_ns() + 5000000000LL;
	while (__atomic_load_n(&file_idx, __ATOMIC_ACQUIRE) == old_idx &&
	       !__atomic_load_n(&log_failed, __ATOMIC_ACQUIRE) &&
	       ur_now_ns() < until)
		sched_yield();
}

/* Start a file in the slot other than old_idx; false when it failed. */
static bool start_file(int old_idx)
{
	/* not the one a forked child still writes its execs into */
	int slot = old_idx == 0 || inherited == &files[0] ? 1 : 0;

	/* a third file reuses a slot; its old window stays mapped, since a
	 * thread may still be copying into it */
	long long made = ur_now_ns();
	if (!create_log(&files[slot], made))
		return false;
	drop_inherited();
	start_slot = slot;
	ur_write_proc(made);
	ur_write_once_per_ns_and_root();
	start_slot = -1;
	__atomic_store_n(&file_idx, slot, __ATOMIC_RELEASE);
	return true;
}

/* Make a new file the current one (first, or after old_idx failed). */
static void new_file(int old_idx)
{
	if (__atomic_exchange_n(&starting, 1, __ATOMIC_ACQ_REL)) {
		wait_started(old_idx);
		return;
	}
	starting_here = 1;
	if (__atomic_load_n(&file_idx, __ATOMIC_ACQUIRE) == old_idx) {
		if (old_idx >= 0) {
			/* the new file describes its stacks and dirs again */
			ur_stack_after_fork();
			ur_forget_tid();
		} else if (stacks_inherited) {
			ur_stack_after_fork();
			stacks_inherited = 0;
		}
		if (start_file(old_idx)) {
			if (old_idx >= 0) /* its window into it, as it can */
				ur_stage_finish(&files[old_idx].stage,
						files[old_idx].name,
						files[old_idx].map);
		} else if (old_idx < 0) {
			__atomic_store_n(&log_failed, 1, __ATOMIC_RELEASE);
		}
	}
	starting_here = 0;
	__atomic_store_n(&starting, 0, __ATOMIC_RELEASE);
}

void ur_log_write(const char *buf, size_t len)
{
	int err;

	if (starting_here) {
		if (start_slot < 0 ||
		    !place(&files[start_slot], buf, len, &err))
			count_lost();
		return;
	}
	int idx = __atomic_load_n(&file_idx, __ATOMIC_ACQUIRE);
	if (idx < 0 && !__atomic_load_n(&log_failed, __ATOMIC_ACQUIRE)) {
		new_file(-1);
		idx = __atomic_load_n(&file_idx, __ATOMIC_ACQUIRE);
	}
	if (idx < 0) {
		count_lost();
		return;
	}
	if (place(&files[idx], buf, len, &err))
		return;
	if (err == EACCES || err == EPERM) {
		/* credentials dropped since the file was made: a new file */
		new_file(idx);
		int now = __atomic_load_n(&file_idx, __ATOMIC_ACQUIRE);
		if (now != idx && place(&files[now], buf, len, &err))
			return;
	}
	count_lost();
}

/*
 * A forked child writing into its parent's file: the cursors' page and the
 * file's page at the cursor are in none of its page tables (the kernel
 * does not copy a shared mapping's at fork), and a fault costs several
 * times what one madvise for each does.  (The parent may move the cursor
 * on before the copy: a page then faults, as before.)
 */
static void map_borrowed(struct logfile *lf, size_t len)
{
	if (!lf->map || !lf->at)
		return;
	ur_populate_write(lf->at, sizeof *lf->at);
	size_t off = __atomic_load_n(&lf->at->cursor, __ATOMIC_RELAXED);
	size_t have = __atomic_load_n(&lf->at->allocated, __ATOMIC_ACQUIRE);
	size_t to = off + len < have ? off + len : have;
	if (!(off & SEALED) && off < to)
		ur_populate_write(lf->map + off, to - off);
}

/*
 * From a vfork child, which runs on its parent's memory: the record goes
 * into the parent's current file through the shared mapping (one atomic
 * reservation, the parent is suspended) or, where there is no mapping, one
 * write(2) on a descriptor opened and closed again.  From a forked child
 * that has no file of its own yet, it goes the same way into the file the
 * child inherited: the cursor is in shared memory, so the parent and any
 * number of such children reserve from it without overlapping.  Nothing
 * else is written: no file is started, no slot or counter changes, a
 * record that cannot be placed is dropped uncounted (false).
 */
bool ur_log_write_other(const char *buf, size_t len)
{
	int err;
	int idx = __atomic_load_n(&file_idx, __ATOMIC_ACQUIRE);
	bool placed = false;

	if (idx >= 0)
		return place(&files[idx], buf, len, &err);
	__atomic_add_fetch(&inherited_writers, 1, __ATOMIC_SEQ_CST);
	struct logfile *lf = __atomic_load_n(&inherited, __ATOMIC_SEQ_CST);
	if (lf) {
		map_borrowed(lf, len);
		placed = place(lf, buf, len, &err);
	}
	__atomic_sub_fetch(&inherited_writers, 1, __ATOMIC_RELEASE);
	return placed;
}

/* A forked child with no file of its own, writing into its parent's. */
bool ur_log_borrowed(void)
{
	return __atomic_load_n(&file_idx, __ATOMIC_ACQUIRE) < 0 &&
	       __atomic_load_n(&inherited, __ATOMIC_ACQUIRE);
}

void ur_log_start(void)
{
	if (__atomic_load_n(&file_idx, __ATOMIC_ACQUIRE) < 0 && !log_failed)
		new_file(-1);
}

/*
 * In a forked child: the parent's files are the parent's.  The child's
 * own records go into a file of its own, made at its first record, but
 * until then it keeps the parent's current file (the one its parent's
 * records go to; an ancestor's, when the parent had none either): an exec
 * made before the child recorded anything goes there, as a vfork child's
 * does (exec.c), which spares a fork-exec child a file and a proc record.
 * The parent's other window is unmapped, and the child's cursors will be
 * a page of its own: writing into the parent's would move its cursors.
 */
void ur_log_after_fork(void)
{
	int idx = file_idx;

	/* written only where it changes: every page written is a page the
	 * kernel copies for the child */
	if (inherited_writers)
		inherited_writers = 0; /* the threads that were are not here */
	if (idx >= 0) {
		inherited = &files[idx];
		inherited_cursors = cursors;
	} else if (cursors) {
		/* the parent had a page but no file */
		ur_syscall(SYS_munmap, cursors, 4096);
	}
	for (int i = 0; i < 2; i++) {
		if (&files[i] == inherited || !(slots_named & (1u << i)))
			continue;
		if (files[i].map)
			ur_syscall(SYS_munmap, files[i].map, WINDOW_SIZE);
		ur_stage_forget(&files[i].stage);
		memset(&files[i], 0, sizeof files[i]);
		slots_named &= ~(1u << i);
	}
	if (cursors)
		cursors = NULL;
	if (cursors_used)
		cursors_used = 0;
	file_idx = -1;
	stacks_inherited = 1;
	ur_log_reset_start();
	if (log_failed)
		log_failed = 0;
	if (lost_records)
		lost_records = 0;
	if (ended)
		ended = 0;
}

/*
 * The image exits (exit's atexit handler, _exit, _Exit): its end record,
 * once, then the file is trimmed.  Records made after it (other threads,
 * later atexit handlers) are appended behind it.
 */
void ur_log_end(void)
{
	char buf[256];
	struct jbuf j;

	if (file_idx < 0 && !lost_records)
		return;
	/* a vfork child that calls exit() runs our atexit handler: the
	 * process that ends is not the one this file belongs to */
	if (ur_sys_getpid() != ur_pid ||
	    __atomic_exchange_n(&ended, 1, __ATOMIC_ACQ_REL))
		return;
	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_END);
	jb_int(&j, K_PID, ur_pid);
	jb_int(&j, K_TS, ur_now_ns());
	jb_int(&j, K_LOST, lost_records);
	jb_end(&j);
	ur_log_write(buf, j.len);
	trim_own();
}
