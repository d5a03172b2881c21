/*
 * log.c - the transport: one append-only file per process image in the
 * trace's log directory, each record one write(2).
 *
 * The file is created O_EXCL|O_NOFOLLOW (a planted symlink is never
 * followed) and its descriptor moved high, away from the numbers programs
 * expect.  Daemons close every descriptor and dup2 over them, so before
 * each write the descriptor is checked to still be the log file (same
 * device and inode); otherwise the file is opened again by name.  Nothing
 * is buffered in memory, so a kill, an exec or _exit loses nothing already
 * recorded.  Records that cannot be written (a full disk) are counted and
 * reported in the "end" record.
 */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "unroot.h"

static int log_fd = -1;
static dev_t log_dev;
static ino_t log_ino;
static char log_name[PATH_MAX + 64];
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

/* Move fd above the numbers a program is likely to use. */
static int move_high(int fd)
{
	struct rlimit rl;
	long want = 1000;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (long)rl.rlim_cur <= want + 16)
		want = (long)rl.rlim_cur * 3 / 4;
	if (want <= fd)
		return fd;
	int high = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, want);
	if (high < 0)
		return fd;
	ur_sys_close(fd);
	return high;
}

static int open_log(int create)
{
	int flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC;
	if (create)
		flags |= O_CREAT | O_EXCL;
	long fd = ur_sys_open(log_name, flags, 0644);
	if (fd < 0)
		return -1;
	return move_high((int)fd);
}

static void name_log_file(void)
{
	unsigned long long nonce = 0;
	size_t n = strlen(ur_logdir);

	if (syscall(SYS_getrandom, &nonce, sizeof nonce, GRND_NONBLOCK) !=
	    sizeof nonce)
		nonce = (unsigned long long)ur_now_ns() ^
			((unsigned long long)ur_pid << 32);
	memcpy(log_name, ur_logdir, n);
	log_name[n++] = '/';
	n += put_uint(log_name + n, (unsigned long long)ur_pid);
	log_name[n++] = '-';
	n += put_hex(log_name + n, nonce, 12);
	memcpy(log_name + n, UNROOT_LOG_SUFFIX, sizeof UNROOT_LOG_SUFFIX);
}

static int create_log(void)
{
	for (int tries = 0; tries < 4; tries++) {
		name_log_file();
		int fd = open_log(1);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			break;
	}
	__atomic_store_n(&log_failed, 1, __ATOMIC_RELEASE);
	return -1;
}

static bool still_ours(int fd)
{
	struct stat st;
	return ur_sys_fstat(fd, &st) == 0 && st.st_dev == log_dev &&
	       st.st_ino == log_ino;
}

static void remember(int fd)
{
	struct stat st;
	if (ur_sys_fstat(fd, &st) == 0) {
		log_dev = st.st_dev;
		log_ino = st.st_ino;
	}
}

/* The log descriptor, checked; -1 when there is no log. */
static int current_fd(void)
{
	int fd = __atomic_load_n(&log_fd, __ATOMIC_ACQUIRE);

	if (fd >= 0 && still_ours(fd))
		return fd;
	if (log_failed)
		return -1;
	int fresh = open_log(0);
	if (fresh < 0)
		return -1;
	if (!still_ours(fresh)) {
		ur_sys_close(fresh);
		return -1;
	}
	if (!__atomic_compare_exchange_n(&log_fd, &fd, fresh, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		ur_sys_close(fresh);
		return __atomic_load_n(&log_fd, __ATOMIC_ACQUIRE);
	}
	return fresh;
}

/*
 * A process image's first records: create the file, write the proc record
 * (and the once-per-namespace/root ones) through start_fd, and only then
 * publish log_fd, so that no other thread's record comes before the proc
 * record.  Other threads wait for it; the starting thread (or a signal
 * handler that interrupts it) writes through start_fd.
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

static void wait_started(void)
{
	long long until = ur_now_ns() + 5000000000LL;
	while (__atomic_load_n(&log_fd, __ATOMIC_ACQUIRE) < 0 &&
	       !__atomic_load_n(&log_failed, __ATOMIC_ACQUIRE) &&
	       ur_now_ns() < until)
		sched_yield();
}

static int ensure_started(void)
{
	int fd = __atomic_load_n(&log_fd, __ATOMIC_ACQUIRE);
	if (fd >= 0 || log_failed)
		return fd;
	if (starting_here)
		return start_fd;
	if (__atomic_exchange_n(&starting, 1, __ATOMIC_ACQ_REL)) {
		wait_started();
		return __atomic_load_n(&log_fd, __ATOMIC_ACQUIRE);
	}
	fd = create_log();
	if (fd < 0)
		return -1;
	remember(fd);
	start_fd = fd;
	starting_here = 1;
	ur_write_proc();
	ur_write_once_per_ns_and_root();
	starting_here = 0;
	__atomic_store_n(&log_fd, fd, __ATOMIC_RELEASE);
	return fd;
}

void ur_log_write(const char *buf, size_t len)
{
	int fd = ensure_started();
	if (fd < 0 && log_failed) {
		__atomic_add_fetch(&lost_records, 1, __ATOMIC_RELAXED);
		return;
	}
	if (!starting_here)
		fd = current_fd();
	if (fd < 0 || ur_sys_write(fd, buf, len) != (long)len)
		__atomic_add_fetch(&lost_records, 1, __ATOMIC_RELAXED);
}

void ur_log_start(void)
{
	ensure_started();
}

/*
 * In a forked child: the inherited descriptor is the parent's file.  It
 * is closed only if it still is: a daemon may have closed it and put a
 * file of its own at that number since the parent's last record.
 */
void ur_log_after_fork(void)
{
	int fd = log_fd;
	if (fd >= 0 && still_ours(fd))
		ur_sys_close(fd);
	log_fd = -1;
	log_name[0] = 0;
	ur_log_reset_start();
	log_failed = 0;
	lost_records = 0;
}

void ur_log_end(void)
{
	char buf[256];
	struct jbuf j;

	if (log_fd < 0 && !lost_records)
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
	int fd = current_fd();
	if (fd >= 0)
		ur_sys_write(fd, buf, j.len);
}
