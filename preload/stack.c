/*
 * stack.c - native call stacks.  libunwind is opened lazily, at the first
 * stack a process records, from beside libunroot.so first (the payload
 * ships it for images that lack it) and then from the system; without it
 * no stacks are recorded, one "nostacks" record per process says why, and
 * nothing else changes.
 *
 * A stack is identified by a hash of its return addresses.  The first time
 * a process sees a stack it writes a "stack" record with the frames named
 * (module, offset, nearest symbol); events carry only the id.  The table
 * of seen ids is lock-free (compare-and-swap into open addressing), so
 * threads never wait for each other here.  It is two tables: a process's
 * first few hundred stacks fill one page (seen_first), and only an id whose
 * probes there find no free slot goes to the large one (seen), so that a
 * handful of stacks do not make a page resident each.  A forked child
 * starts with none seen: both tables are page-aligned and the child's
 * pages of them are dropped (madvise), not copied and cleared.
 *
 * Memory: libunwind's fast unwinder (unw_backtrace) keeps a frame cache
 * per thread, 16,384 entries of 16 bytes, all written when the thread
 * first unwinds: 256 KiB of resident memory for every thread that records
 * a stack.  Here every thread shares one: libunwind's own mmap and munmap
 * (its GOT entries, patched right after it is opened: nothing else in the
 * process is affected) hand every thread the same block and never unmap
 * it, and unwinds take turns under one spin lock (an unwind is about 1,000
 * instructions; a thread that finds the block busy yields).  A thread's
 * first unwind re-initialises the block: the others lose their cached
 * frames, not their correctness.  fork() waits for an unwind in another
 * thread to finish (ur_stack_fork_before), so a child never inherits a
 * frame half written.  Where the patch cannot be made, each thread keeps its
 * own cache, as before.  A process's first few stacks are walked without
 * the cache (the stepping unwinder, below), so that a process that
 * records a handful of events never fills one; when the cache is filled,
 * its pages are mapped in one call.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <link.h>
#include <string.h>
#include <ucontext.h>

#include "unroot.h"

typedef int (*backtrace_fn)(void **buf, int size);

static START_STATE backtrace_fn unw_backtrace_fn;
static START_STATE int unwind_state; /* 0 untried, 1 loaded, -1 unavailable */
static START_STATE uintptr_t self_lo, self_hi;

#define SEEN_FIRST  512 /* a page */
#define SEEN_SLOTS  4096
#define SEEN_PROBES 16 /* in seen_first; seen is probed whole */
static uint64_t seen_first[SEEN_FIRST] BIG_TABLE __attribute__((aligned(4096)));
static uint64_t seen[SEEN_SLOTS] BIG_TABLE __attribute__((aligned(4096)));
/* slots filled, in both and in seen: none, nothing cleared at fork */
static int seen_count FORK_STATE, seen_spilled FORK_STATE;

static int find_self(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	return ur_is_self(info, &self_lo, &self_hi);
}

static char exe_path[PATH_MAX] BIG_TABLE;
/* where dladdr says the main program starts: it names that object by
 * argv[0], whose bytes the program may have rewritten ($0, setproctitle) */
static uintptr_t exe_base BIG_TABLE;
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

/* ---- one frame cache for every thread (the top of this file) ---- */

static __thread int in_unwinder; /* this thread is in libunwind */

#define FRAME_CACHE_BYTES ((size_t)16 << 14) /* libunwind: 2^14 x 16 bytes */
typedef void *(*mmap_fn)(void *, size_t, int, int, int, off_t);
typedef int (*munmap_fn)(void *, size_t);
static START_STATE mmap_fn libc_mmap;
static munmap_fn libc_munmap;
static void *shared_cache;
/* the tid that holds the unwinder, or 0: taken before fork() and given
 * back after it, in both processes.  In the canary's page when there is
 * one (ur_fork_word: no trap in the parent after fork, zero in the
 * child), else here.  A child made without the F wrappers (a raw fork)
 * then finds it free too, where it used to find it held for good when
 * another thread was unwinding: as after any fork of a threaded process,
 * what that thread was changing is left as it was. */
static int unwinding_here FORK_STATE;
static int *unwinding = &unwinding_here;
static __thread pid_t my_tid;

static pid_t unwind_tid(void)
{
	if (!my_tid)
		my_tid = (pid_t)ur_syscall(SYS_gettid);
	return my_tid;
}

/* Take the unwinder; false when this thread holds it already. */
static bool unwinder_lock(void)
{
	pid_t me = unwind_tid(), none = 0;
	if (__atomic_load_n(unwinding, __ATOMIC_RELAXED) == me)
		return false;
	for (int spins = 0;
	     !__atomic_compare_exchange_n(unwinding, &none, me, false,
					  __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
	     none = 0)
		if (++spins > 64)
			sched_yield();
	return true;
}

static void unwinder_unlock(bool taken)
{
	if (taken)
		__atomic_store_n(unwinding, 0, __ATOMIC_RELEASE);
}

/* Around libc's fork (state.c): no child inherits a frame cache that
 * another thread is half-way through.  Whether the fork took the lock is
 * kept beside it. */
static int fork_took_here FORK_STATE;
static int *fork_took_unwinder = &fork_took_here;

/* At start-up, once the canary's page is made (state.c). */
void ur_stack_words_init(void)
{
	int *w = ur_fork_word(UR_FW_UNWINDER);

	if (w) {
		unwinding = w;
		fork_took_unwinder = ur_fork_word(UR_FW_FORK_TOOK_UNWINDER);
	}
}

void ur_stack_fork_before(void)
{
	*fork_took_unwinder = unwinder_lock();
}

void ur_stack_fork_after(bool child)
{
	if (child)
		my_tid = 0; /* the child's thread has another id */
	/* a child's canary page is zero: the lock free, nothing taken */
	if (child && unwinding != &unwinding_here)
		return;
	unwinder_unlock(*fork_took_unwinder);
	*fork_took_unwinder = false;
}

/* A frame cache libunwind is about to fill: every entry of it is written
 * at once, so its pages are mapped in one call, not faulted one by one. */
static void *frame_cache_block(size_t len, int prot, int flags)
{
	void *p = libc_mmap(NULL, len, prot, flags, -1, 0);

	if (p != MAP_FAILED)
		ur_populate_write(p, len);
	return p;
}

/* libunwind's mmap: its frame cache is the shared block */
static void *unwinder_mmap(void *addr, size_t len, int prot, int flags, int fd,
			   off_t off)
{
	if (in_unwinder && !addr && len >= FRAME_CACHE_BYTES && fd == -1 &&
	    (flags & MAP_ANONYMOUS) && !(flags & MAP_SHARED)) {
		if (len != FRAME_CACHE_BYTES) /* grown: its own block */
			return frame_cache_block(len, prot, flags);
		if (!shared_cache)
			shared_cache = frame_cache_block(len, prot, flags);
		if (shared_cache != MAP_FAILED)
			return shared_cache;
		shared_cache = NULL;
	}
	return libc_mmap(addr, len, prot, flags, fd, off);
}

static int unwinder_munmap(void *addr, size_t len)
{
	if (addr && addr == shared_cache)
		return 0; /* another thread's, too */
	return libc_munmap(addr, len);
}

/* ur_got_rebind: libunwind's mmap and munmap slots go to ours; libc's
 * functions are what the slots held. */
static void *frame_cache_calls(const char *name, bool defined, void *cur,
			       void *ctx)
{
	bool is_mmap = !strcmp(name, "mmap") || !strcmp(name, "mmap64");

	(void)ctx;
	if (defined || (!is_mmap && strcmp(name, "munmap")))
		return NULL;
	if (is_mmap && !libc_mmap)
		libc_mmap = (mmap_fn)cur;
	else if (!is_mmap && !libc_munmap)
		libc_munmap = (munmap_fn)cur;
	return is_mmap ? (void *)unwinder_mmap : (void *)unwinder_munmap;
}

/* libunwind's calls of mmap and munmap go to ours (handle h). */
static void share_frame_cache(void *h)
{
	struct link_map *lm = NULL;

	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm)
		ur_got_rebind(lm, frame_cache_calls, NULL);
}

/* ---- the stepping unwinder: a process's first stacks ----
 *
 * unw_backtrace fills its frame cache (256 KiB, every entry written) at
 * the first unwind of a process, which costs as much as several hundred
 * stacks taken without it: on this project's test machines 64 first
 * touches of a page are about 0.35 ms even mapped in one call, against
 * about 35 us for a 15-frame stack walked with unw_step (its own cost is
 * libunwind's signal masking around each frame's lookup).  Most processes
 * of a build or a package install record one to three events, so the
 * first STEPPED_STACKS stacks of a process are walked with unw_step and
 * only a process that records more pays for the cache.  Both report every
 * frame by its return address, from the caller of the unwinding function
 * on (our own frames are dropped after), so a stack has one id whichever
 * took it.  Only where the symbols' names are known (x86-64); elsewhere
 * every stack is unw_backtrace's.
 */
#define STEPPED_STACKS 4
#define CURSOR_WORDS   160 /* unw_cursor_t: 127 words on x86-64 */

static START_STATE struct {
	int (*getcontext)(ucontext_t *uc);
	int (*init_local)(uintptr_t *cursor, ucontext_t *uc);
	int (*step)(uintptr_t *cursor);
	int (*get_reg)(uintptr_t *cursor, int reg, uintptr_t *val);
} stepper;
static START_STATE int stepped; /* stacks walked by stepping, or -1 */

static void find_stepper(void *h)
{
#if defined(__x86_64__)
	stepper.getcontext = dlsym(h, "_Ux86_64_getcontext");
	stepper.init_local = dlsym(h, "_ULx86_64_init_local");
	stepper.step = dlsym(h, "_ULx86_64_step");
	stepper.get_reg = dlsym(h, "_ULx86_64_get_reg");
	if (stepper.getcontext && stepper.init_local && stepper.step &&
	    stepper.get_reg)
		return;
#else
	(void)h;
#endif
	stepped = -1;
}

#define STEP_REG_IP 16 /* UNW_REG_IP = UNW_X86_64_RIP */

/* Up to max return addresses, from this function's caller out. */
static __attribute__((noinline)) int step_stack(void **raw, int max)
{
	uintptr_t cursor[CURSOR_WORDS];
	ucontext_t uc;
	int n = 0;

	if (stepper.getcontext(&uc) != 0 ||
	    stepper.init_local(cursor, &uc) != 0)
		return 0;
	while (n < max && stepper.step(cursor) > 0) {
		uintptr_t ip;
		if (stepper.get_reg(cursor, STEP_REG_IP, &ip) != 0 || !ip)
			break;
		raw[n++] = (void *)ip;
	}
	return n;
}

/* A stack, by stepping while this process has taken few (the unwinder
 * is held: one at a time). */
static int take_stack(void **raw, int max)
{
	if (stepped >= 0 && stepped < STEPPED_STACKS) {
		stepped++;
		return step_stack(raw, max);
	}
	return unw_backtrace_fn ? unw_backtrace_fn(raw, max) : 0;
}

static void load_unwinder(void)
{
	char path[PATH_MAX + 32];
	Dl_info info;
	void *h = NULL;

	dl_iterate_phdr(find_self, NULL);
	long n = ur_sys_proc_readlink("exe", exe_path, sizeof exe_path - 1);
	exe_path[n > 0 ? n : 0] = 0;
	if (dladdr((void *)getauxval(AT_PHDR), &info))
		exe_base = (uintptr_t)info.dli_fbase;
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
		else
			share_frame_cache(h);
		find_stepper(h);
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
static START_STATE int (*real_pipe2)(int[2], int);

static int high_fd(int fd)
{
	struct rlimit rl;
	long want = 1000;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur <= want + 16)
		want = (long)rl.rlim_cur * 3 / 4;
	if (want <= fd)
		return fd;
	int high = (int)ur_syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, want);
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
	bool locked = unwinder_lock();
	in_unwinder = 1;
	if (UNLIKELY(__atomic_load_n(&unwind_state, __ATOMIC_ACQUIRE) == 0))
		load_unwinder();
	n = unw_backtrace_fn ? take_stack(raw, UR_MAX_FRAMES + 8) : 0;
	in_unwinder = 0;
	unwinder_unlock(locked);
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

/*
 * Look for h in probes slots of table from its hash on, taking the first
 * free one: 0 when h was there, 1 when this call put it there, -1 when
 * every slot probed holds another id.  Slots are only ever filled (a
 * forked child clears them all before it records), so an id put in the
 * large table found its probes of the first one full, and a later look
 * finds them full again and goes on to the large table too.
 */
static int sight_in(uint64_t *table, unsigned mask, unsigned probes, uint64_t h)
{
	for (unsigned i = 0; i < probes; i++) {
		uint64_t *slot = &table[(h + i) & mask];
		uint64_t cur = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
		if (cur == h)
			return 0;
		if (cur == 0) {
			uint64_t zero = 0;
			if (__atomic_compare_exchange_n(slot, &zero, h, false,
							__ATOMIC_ACQ_REL,
							__ATOMIC_ACQUIRE))
				return 1;
			if (zero == h)
				return 0;
		}
	}
	return -1;
}

/* true when this call is the first to see h in this process */
static bool first_sighting(uint64_t h)
{
	int r = sight_in(seen_first, SEEN_FIRST - 1, SEEN_PROBES, h);
	if (r < 0) {
		r = sight_in(seen, SEEN_SLOTS - 1, SEEN_SLOTS, h);
		if (r > 0)
			__atomic_add_fetch(&seen_spilled, 1, __ATOMIC_RELAXED);
	}
	if (r > 0)
		__atomic_add_fetch(&seen_count, 1, __ATOMIC_RELAXED);
	return r != 0; /* both full: write the stack again, never lose it */
}

static void hex64(char *out, uint64_t v)
{
	*ur_put_hex(out, v, 16) = 0;
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
			/* the main program is named by its path; without
			 * its base, by dladdr's name for it (argv[0]) not
			 * being a path */
			bool main_prog =
			    exe_path[0] &&
			    (exe_base ? (uintptr_t)info.dli_fbase == exe_base
				      : info.dli_fname[0] != '/');
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

/* Zero a page-aligned table of the zero-filled (anonymous) part of the
 * library's memory: the child's pages are dropped, not copied and then
 * cleared, as every page written after fork() would be. */
static void forget_table(void *table, size_t len)
{
	if (ur_syscall(SYS_madvise, table, len, MADV_DONTNEED))
		memset(table, 0, len);
}

void ur_stack_after_fork(void)
{
	/* written only when set: after fork(), every page written is a page
	 * the kernel copies for the child */
	if (seen_count) {
		forget_table(seen_first, sizeof seen_first);
		seen_count = 0;
	}
	if (seen_spilled) {
		forget_table(seen, sizeof seen);
		seen_spilled = 0;
	}
	/* a new file: its proc record already says "stacks": false */
	if (nostacks_written)
		nostacks_written = 0;
}
