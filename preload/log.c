/*
 * log.c - the transport: one append-only file per process image in the
 * trace's log directory, each record one write(2).
 *
 * The file is created O_CREAT|O_EXCL|O_NOFOLLOW (a planted symlink is never
 * followed).  No descriptor is kept: each record opens the file by name
 * (O_APPEND), writes once and closes, so the workload never sees a
 * descriptor of ours in /proc/self/fd, a daemon's close-all loop or dup2
 * has nothing to break, and a forked child inherits nothing.  Nothing is
 * buffered in memory, so a kill, an exec or _exit loses nothing already
 * recorded.  When the process has dropped privileges and can no longer
 * open its file, it continues in a new file with a new proc record (its
 * new credentials).  Records that cannot be written (a full disk) are
 * counted and reported in the "end" record.
 */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "unroot.h"

/* Two name slots: a new file is named in the free one, then published. */
static char names[2][PATH_MAX + 64];
static int name_idx = -1; /* the published slot, -1 before the file exists */
static long lost_records;
static int log_failed; /* the file could not be created at all */

static size_t put_uint(char *out, unsigned long long v)
{
	char tmp[24];
	int i = sizeof tmp;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(out, tmp + i, sizeof tmp - (size_t)i);
	return sizeof tmp - (size_t)i;
}

static size_t put_hex(char *out, unsigned long long v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	for (int i = digits - 1; i >= 0; i--, v >>= 4)
		out[i] = hex[v & 15];
	return (size_t)digits;
}

static void name_log_file(char *out)
{
	unsigned long long nonce = 0;
	size_t n = strlen(ur_logdir);

	if (syscall(SYS_getrandom, &nonce, sizeof nonce, GRND_NONBLOCK) !=
	    sizeof nonce)
		nonce = (unsigned long long)ur_now_ns() ^
			((unsigned long long)ur_pid << 32);
	memcpy(out, ur_logdir, n);
	out[n++] = '/';
	n += put_uint(out + n, (unsigned long long)ur_pid);
	out[n++] = '-';
	n += put_hex(out + n, nonce, 12);
	memcpy(out + n, UNROOT_LOG_SUFFIX, sizeof UNROOT_LOG_SUFFIX);
}

static int open_append(const char *name)
{
	return (int)ur_sys_open(name, O_WRONLY | O_APPEND | O_NOFOLLOW |
					      O_CLOEXEC, 0);
}

/* Create a new file in slot; its descriptor, or -1. */
static int create_log(int slot)
{
	for (int tries = 0; tries < 4; tries++) {
		name_log_file(names[slot]);
		long fd = ur_sys_open(names[slot],
				      O_WRONLY | O_APPEND | O_CREAT | O_EXCL |
					      O_NOFOLLOW | O_CLOEXEC,
				      0644);
		if (fd >= 0)
			return (int)fd;
		if (errno != EEXIST)
			break;
	}
	return -1;
}

/*
 * A file's first records: the file is created and the proc record (and the
 * once-per-namespace/root ones) written through start_fd before the name
 * is published, so that no other thread's record comes before the proc
 * record.  Other threads wait; the starting thread (or a signal handler
 * that interrupts it) writes through start_fd.
 */
static int starting;
static int start_fd = -1;
static __thread int starting_here;

void ur_log_reset_start(void)
{
	starting = 0;
	start_fd = -1;
	starting_here = 0;
}

static void wait_started(int old_idx)
{
	long long until = ur_now_ns() + 5000000000LL;
	while (__atomic_load_n(&name_idx, __ATOMIC_ACQUIRE) == old_idx &&
	       !__atomic_load_n(&log_failed, __ATOMIC_ACQUIRE) &&
	       ur_now_ns() < until)
		sched_yield();
}

/* Start a file in the slot other than old_idx; false when it failed. */
static bool start_file(int old_idx)
{
	int slot = old_idx == 0 ? 1 : 0;
	int fd = create_log(slot);

	if (fd < 0)
		return false;
	start_fd = fd;
	ur_write_proc();
	ur_write_once_per_ns_and_root();
	start_fd = -1;
	ur_sys_close(fd);
	__atomic_store_n(&name_idx, slot, __ATOMIC_RELEASE);
	return true;
}

/* Make a new file the current one (first, or after old_idx failed). */
static void new_file(int old_idx)
{
	if (__atomic_exchange_n(&starting, 1, __ATOMIC_ACQ_REL)) {
		wait_started(old_idx);
		return;
	}
	/* from here a signal handler in this thread must not wait for us:
	 * its records go to start_fd (lost before the file exists) */
	starting_here = 1;
	if (__atomic_load_n(&name_idx, __ATOMIC_ACQUIRE) == old_idx) {
		if (old_idx >= 0) {
			/* the new file describes its stacks and dirs again */
			ur_stack_after_fork();
			ur_forget_tid();
		}
		if (!start_file(old_idx) && old_idx < 0)
			__atomic_store_n(&log_failed, 1, __ATOMIC_RELEASE);
	}
	starting_here = 0;
	__atomic_store_n(&starting, 0, __ATOMIC_RELEASE);
}

void ur_log_write(const char *buf, size_t len)
{
	if (starting_here) {
		if (start_fd < 0 ||
		    ur_sys_write(start_fd, buf, len) != (long)len)
			__atomic_add_fetch(&lost_records, 1, __ATOMIC_RELAXED);
		return;
	}
	int idx = __atomic_load_n(&name_idx, __ATOMIC_ACQUIRE);
	if (idx < 0 && !log_failed) {
		new_file(-1);
		idx = __atomic_load_n(&name_idx, __ATOMIC_ACQUIRE);
	}
	int fd = idx >= 0 ? open_append(names[idx]) : -1;
	if (fd < 0 && idx >= 0 && (errno == EACCES || errno == EPERM)) {
		/* credentials dropped since the file was made: a new file */
		new_file(idx);
		idx = __atomic_load_n(&name_idx, __ATOMIC_ACQUIRE);
		fd = open_append(names[idx]);
	}
	if (fd < 0) {
		__atomic_add_fetch(&lost_records, 1, __ATOMIC_RELAXED);
		return;
	}
	if (ur_sys_write(fd, buf, len) != (long)len)
		__atomic_add_fetch(&lost_records, 1, __ATOMIC_RELAXED);
	ur_sys_close(fd);
}

void ur_log_start(void)
{
	if (__atomic_load_n(&name_idx, __ATOMIC_ACQUIRE) < 0 && !log_failed)
		new_file(-1);
}

/* In a forked child: the parent's file is the parent's; start afresh. */
void ur_log_after_fork(void)
{
	name_idx = -1;
	ur_log_reset_start();
	log_failed = 0;
	lost_records = 0;
}

void ur_log_end(void)
{
	char buf[256];
	struct jbuf j;

	if (name_idx < 0 && !lost_records)
		return;
	/* a vfork child that calls exit() runs our atexit handler: the
	 * process that ends is not the one this file belongs to */
	if (ur_sys_getpid() != ur_pid)
		return;
	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_END);
	jb_int(&j, "pid", ur_pid);
	jb_int(&j, "ts", ur_now_ns());
	jb_int(&j, "lost", lost_records);
	jb_end(&j);
	ur_log_write(buf, j.len);
}
