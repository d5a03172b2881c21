/*
 * stack.c - native call stacks.  libunwind is opened lazily, at the first
 * stack a process records, from beside libunroot.so first (the payload
 * ships it for images that lack it) and then from the system; without it
 * no stacks are recorded and nothing else changes.
 *
 * A stack is identified by a hash of its return addresses.  The first time
 * a process sees a stack it writes a "stack" record with the frames named
 * (module, offset, nearest symbol); events carry only the id.  The table
 * of seen ids is lock-free (compare-and-swap into open addressing), so
 * threads never wait for each other here.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <link.h>
#include <string.h>

#include "unroot.h"

typedef int (*backtrace_fn)(void **buf, int size);

static backtrace_fn unw_backtrace_fn;
static int unwind_state; /* 0 untried, 1 loaded, -1 unavailable */
static uintptr_t self_lo, self_hi;

#define SEEN_SLOTS 4096
static uint64_t seen[SEEN_SLOTS];
static int seen_count FORK_STATE; /* slots filled: none, nothing cleared */

static int find_self(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	uintptr_t here = (uintptr_t)find_self;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		uintptr_t hi = lo + ph->p_memsz;
		if (here >= lo && here < hi) {
			self_lo = lo;
			self_hi = hi;
			return 1;
		}
	}
	return 0;
}

static char exe_path[PATH_MAX];
static int nostacks_written FORK_STATE;

/* libunwind could not be loaded: say so once in this process's file. */
static void write_nostacks(const char *why)
{
	char buf[1024];
	struct jbuf j;

	if (__atomic_exchange_n(&nostacks_written, 1, __ATOMIC_ACQ_REL))
		return;
	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_NOSTACKS);
	jb_int(&j, K_PID, ur_pid);
	jb_int(&j, K_TS, ur_now_ns());
	jb_strn(&j, K_WHY, why ? why : "", why ? strnlen(why, 512) : 0);
	jb_end(&j);
	if (!j.overflow)
		ur_log_write(j.p, j.len);
}

/* Stacks are known to be unavailable (libunwind failed to load). */
bool ur_stacks_unavailable(void)
{
	return __atomic_load_n(&unwind_state, __ATOMIC_ACQUIRE) < 0;
}

static void load_unwinder(void)
{
	char path[PATH_MAX + 32];
	Dl_info info;
	void *h = NULL;

	dl_iterate_phdr(find_self, NULL);
	long n =
	    ur_sys_readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
	exe_path[n > 0 ? n : 0] = 0;
	if (dladdr((void *)load_unwinder, &info) && info.dli_fname) {
		const char *slash = strrchr(info.dli_fname, '/');
		size_t n = slash ? (size_t)(slash - info.dli_fname) + 1 : 0;
		if (n + sizeof "libunwind.so.8" < sizeof path) {
			memcpy(path, info.dli_fname, n);
			strcpy(path + n, "libunwind.so.8");
			h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		}
	}
	if (!h)
		h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
	const char *why = h ? NULL : dlerror();
	if (h) {
		unw_backtrace_fn = (backtrace_fn)dlsym(h, "unw_backtrace");
		if (!unw_backtrace_fn)
			why = "libunwind.so.8 has no unw_backtrace";
	}
	__atomic_store_n(&unwind_state, unw_backtrace_fn ? 1 : -1,
			 __ATOMIC_RELEASE);
	if (!unw_backtrace_fn)
		write_nostacks(why);
}

/*
 * libunwind validates addresses by writing a byte from them into a pipe it
 * opens at its first unwind and keeps for the life of the process.  At
 * the lowest free numbers that pipe shifts every descriptor the workload
 * opens afterwards (its open() returns 6 where it returned 4), and a
 * daemon that closes everything and reuses those numbers would have
 * libunwind read from and write into the daemon's own files.  While
 * libunwind runs, pipe2() therefore moves the pipe to the top of the
 * descriptor range (it stays visible in /proc/self/fd: two descriptors).
 */
static __thread int in_unwinder;
static int (*real_pipe2)(int[2], int);

static int high_fd(int fd)
{
	struct rlimit rl;
	long want = 1000;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur <= want + 16)
		want = (long)rl.rlim_cur * 3 / 4;
	if (want <= fd)
		return fd;
	int high = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, want);
	if (high < 0)
		return fd;
	ur_sys_close(fd);
	return high;
}

EXPORT int pipe2(int fds[2], int flags)
{
	if (UNLIKELY(!real_pipe2))
		real_pipe2 = (int (*)(int[2], int))ur_real("pipe2");
	int r = real_pipe2(fds, flags);
	if (UNLIKELY(in_unwinder) && r == 0) {
		fds[0] = high_fd(fds[0]);
		fds[1] = high_fd(fds[1]);
	}
	return r;
}

__attribute__((constructor(103))) static void resolve_pipe2(void)
{
	if (!real_pipe2)
		real_pipe2 = (int (*)(int[2], int))ur_real("pipe2");
}

int ur_stack_capture(void **ips, int max)
{
	void *raw[UR_MAX_FRAMES + 8];
	int n, out = 0;

	/* under the guard: a signal handler interrupted an unwind */
	if (!ur_record_stacks || ur_guard)
		return 0;
	ur_guard++;
	in_unwinder = 1;
	if (UNLIKELY(__atomic_load_n(&unwind_state, __ATOMIC_ACQUIRE) == 0))
		load_unwinder();
	if (!unw_backtrace_fn) {
		in_unwinder = 0;
		ur_guard--;
		return 0;
	}
	n = unw_backtrace_fn(raw, UR_MAX_FRAMES + 8);
	in_unwinder = 0;
	ur_guard--;
	for (int i = 0; i < n && out < max; i++) {
		uintptr_t ip = (uintptr_t)raw[i];
		if (ip >= self_lo && ip < self_hi)
			continue;
		ips[out++] = raw[i];
	}
	return out;
}

static uint64_t hash_ips(void *const *ips, int n)
{
	uint64_t h = 1469598103934665603ULL;
	for (int i = 0; i < n; i++) {
		h ^= (uint64_t)(uintptr_t)ips[i];
		h *= 1099511628211ULL;
		h ^= h >> 29;
	}
	return h ? h : 1;
}

/* true when this call is the first to see h in this process */
static bool first_sighting(uint64_t h)
{
	for (unsigned i = 0; i < SEEN_SLOTS; i++) {
		uint64_t *slot = &seen[(h + i) & (SEEN_SLOTS - 1)];
		uint64_t cur = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
		if (cur == h)
			return false;
		if (cur == 0) {
			uint64_t zero = 0;
			if (__atomic_compare_exchange_n(slot, &zero, h, false,
							__ATOMIC_ACQ_REL,
							__ATOMIC_ACQUIRE)) {
				__atomic_add_fetch(&seen_count, 1,
						   __ATOMIC_RELAXED);
				return true;
			}
			if (zero == h)
				return false;
		}
	}
	return true; /* table full: write the stack again, never lose it */
}

static void hex64(char *out, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 15; i >= 0; i--, v >>= 4)
		out[i] = hex[v & 15];
	out[16] = 0;
}

static void put_hex_value(struct jbuf *j, const char *key, uintptr_t v)
{
	char tmp[24];
	static const char hex[] = "0123456789abcdef";
	int i = sizeof tmp;
	tmp[--i] = '"';
	do {
		tmp[--i] = hex[v & 15];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	tmp[--i] = '"';
	jb_key(j, key);
	jb_raw(j, tmp + i, sizeof tmp - (size_t)i);
}

static void write_stack(struct scratch *s, const char *id)
{
	struct jbuf j;

	/* written before the event is encoded, so the buffer is free */
	jb_init(&j, s->buf, sizeof s->buf);
	jb_begin(&j, REC_STACK);
	jb_str(&j, K_ID, id);
	jb_key(&j, K_FRAMES);
	jb_raw(&j, "[", 1);
	ur_guard++;
	for (int i = 0; i < s->nips; i++) {
		Dl_info info;
		uintptr_t ip = (uintptr_t)s->ips[i];
		if (i)
			jb_raw(&j, ",", 1);
		jb_raw(&j, "{", 1);
		j.comma = false;
		if (dladdr(s->ips[i], &info) && info.dli_fname) {
			/* the main program is named as it was started */
			bool main_prog =
			    info.dli_fname[0] != '/' && exe_path[0];
			jb_str(&j, K_FRAME_MODULE,
			       main_prog ? exe_path : info.dli_fname);
			put_hex_value(&j, K_FRAME_OFFSET,
				      ip - (uintptr_t)info.dli_fbase);
			if (info.dli_sname) {
				jb_str(&j, K_FRAME_SYMBOL, info.dli_sname);
				put_hex_value(&j, K_FRAME_SYMOFF,
					      ip - (uintptr_t)info.dli_saddr);
			}
		} else {
			jb_str(&j, K_FRAME_MODULE, "?");
			put_hex_value(&j, K_FRAME_OFFSET, ip);
		}
		jb_raw(&j, "}", 1);
		j.comma = true;
	}
	ur_guard--;
	jb_raw(&j, "]", 1);
	jb_end(&j);
	if (!j.overflow)
		ur_log_write(j.p, j.len);
}

/* The id of the stack in s, writing its record the first time. */
const char *ur_stack_id(struct scratch *s)
{
	char *id = s->stack_id;
	if (s->nips <= 0)
		return NULL;
	uint64_t h = hash_ips(s->ips, s->nips);
	hex64(id, h);
	if (first_sighting(h))
		write_stack(s, id);
	return id;
}

void ur_stack_after_fork(void)
{
	/* written only when set: after fork(), every page written is a page
	 * the kernel copies for the child */
	if (seen_count) {
		memset(seen, 0, sizeof seen);
		seen_count = 0;
	}
	/* a new file: its proc record already says "stacks": false */
	if (nostacks_written)
		nostacks_written = 0;
}
