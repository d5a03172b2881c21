/*
 * state.c - the preload's start-up: reads its settings from the
 * environment the CLI set (UNROOT_LOG, UNROOT_FLAGS, UNROOT_LIB), opens the
 * process's log, writes the once-per-process records, and keeps the
 * process-wide state coherent across fork.
 *
 * A process whose environment has no UNROOT_LOG is left alone: the library
 * may be loaded, but every wrapper goes straight to libc.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "elfkind.h"
#include "unroot.h"

/* What start-up writes is START_STATE (unroot.h): no page of its own. */
int ur_enabled START_STATE;
int ur_record_reads START_STATE;
int ur_record_stacks START_STATE = 1;
int ur_record_argv START_STATE;
int ur_fork_records START_STATE;
const char *ur_logdir = "";
const char *ur_lib = "";
char ur_flags_text[64] START_STATE;
pid_t ur_pid FORK_STATE;
__thread int ur_guard;
uid_t ur_euid START_STATE;
gid_t ur_egid START_STATE;
int ur_euid_changed START_STATE, ur_egid_changed START_STATE;
int ur_ids_mixed START_STATE;

/* The next definition (symbols.c, else dlsym); NULL when libc has no such
 * symbol. */
void *ur_real(const char *name)
{
	ur_guard++;
	void *p = ur_next_symbol(name);
	if (!p)
		p = dlsym(RTLD_NEXT, name);
	ur_guard--;
	return p;
}

/*
 * The text of the log directory and the library, copied (the workload may
 * overwrite its environment strings), one after the other: in the small
 * START_STATE area when both fit, as they nearly always do, else in the
 * large one, whose first page is then the only one written.
 */
static char text_small[256] START_STATE;
static char text_large[2 * PATH_MAX];

extern char **environ;

/* name's value in envp (getenv's answer for environ), read here: libc's
 * getenv is code in a page that a small program (true, a compiler driver)
 * may never run, and a page fault costs more than reading a short
 * environment */
const char *ur_env_value(char *const *envp, const char *name)
{
	for (size_t i = 0; envp && envp[i]; i++) {
		const char *v = envp[i], *n = name;
		while (*n && *v == *n)
			v++, n++;
		if (!*n && *v == '=')
			return v + 1;
	}
	return NULL;
}

/* The value of an environment variable when it is set, not empty and
 * shorter than PATH_MAX; else NULL. */
static const char *setting(const char *name)
{
	const char *v = ur_env_value(environ, name);
	return v && *v && strlen(v) < PATH_MAX ? v : NULL;
}

static void read_settings(void)
{
	const char *log = setting(UNROOT_ENV_LOG);
	const char *lib = setting(UNROOT_ENV_LIB);
	const char *flags = ur_env_value(environ, UNROOT_ENV_FLAGS);
	Dl_info info;

	if (!log || log[0] != '/')
		return;
	if (!lib && dladdr((void *)read_settings, &info) && info.dli_fname &&
	    strlen(info.dli_fname) < PATH_MAX)
		lib = info.dli_fname;
	size_t nlog = strlen(log) + 1, nlib = lib ? strlen(lib) + 1 : 1;
	char *text = nlog + nlib <= sizeof text_small ? text_small : text_large;
	memcpy(text, log, nlog);
	memcpy(text + nlog, lib ? lib : "", nlib);
	ur_logdir = text;
	ur_lib = text + nlog;
	if (flags && strlen(flags) < sizeof ur_flags_text)
		strcpy(ur_flags_text, flags);
	ur_record_reads = ur_flags_have(ur_flags_text, UNROOT_FLAG_READS);
	ur_record_stacks = !ur_flags_have(ur_flags_text, UNROOT_FLAG_NOSTACKS);
	ur_record_argv = ur_flags_have(ur_flags_text, UNROOT_FLAG_ARGV);
	ur_fork_records = !ur_flags_have(ur_flags_text, UNROOT_FLAG_NOFORKREC);
	ur_enabled = 1;
}

/*
 * ---- which process is this? ----
 *
 * Records are made only by the process ur_pid names, and asking the kernel
 * (getpid) at every event costs a system call.  Two cheaper signs cover
 * the ways another process can run this code:
 *
 * - a child made by fork(), daemon() or forkpty() becomes a traced
 *   process of its own before the call returns in it (the F wrappers of
 *   calls.def call ur_fork_after); one made any other way (_Fork, clone,
 *   syscall(SYS_fork)) finds the canary zeroed: the canary lives in a
 *   MADV_WIPEONFORK page, which the kernel gives every such child zeroed.
 *   That child has memory of its own, so it becomes traced the same way,
 *   at its first event;
 * - a vfork child shares the parent's memory, canary included: vfork is
 *   interposed (below, x86-64) by a stub that sets ur_vforked in the
 *   calling thread and jumps to libc's vfork.  The child runs on that
 *   thread's TLS and sees the flag; the parent clears it at its next event,
 *   where getpid says it is itself again.
 *
 * Either sign sends the event to ur_other_process_slow, which asks getpid.
 * The canary's mapping also holds ur_start_buf, where the proc record is
 * built (proc.c): every image writes that record, and so writes one page
 * for both; a forked child finds the buffer zeroed, which it only ever
 * writes before reading.
 * Where the canary or the stub is missing (old kernel, other
 * architectures) the canary stays at canary_off, zero, and every event
 * asks, as before.  Not seen: a child of clone(CLONE_VM) made without
 * vfork(), which runs on its parent's memory; its records carry the
 * parent's pid.
 */
static int canary_off;
int *ur_fork_canary = &canary_off;
static int canary_works START_STATE;
char *ur_start_buf START_STATE;
#define START_MAP (4096 + UR_START_BUF) /* the canary, then the buffer */
__thread int ur_vforked;
__thread int ur_vfork_creds;
void *ur_real_vfork START_STATE;

#if defined(__x86_64__) && defined(MADV_WIPEONFORK)
/* libc's vfork, looked up at the first call when no constructor did */
HIDDEN void *ur_resolve_vfork(void);
void *ur_resolve_vfork(void)
{
	void *p = ur_real("vfork");
	__atomic_store_n(&ur_real_vfork, p, __ATOMIC_RELEASE);
	return p;
}

/*
 * vfork: the flag in this thread's TLS, then libc's vfork, tail-called so
 * that its child returns straight to our caller.  In every process that
 * loads the library, traced or not: vfork must stay vfork (a child may
 * write its parent's memory on purpose).  fork only if libc had no vfork
 * (POSIX allows vfork to be fork).
 */
__asm__(".text\n"
	".globl vfork\n"
	".type vfork, @function\n"
	"vfork:\n"
#if defined(__CET__) && (__CET__ & 1)
	"	endbr64\n"
#endif
	"	movq ur_vforked@gottpoff(%rip), %rax\n"
	"	movl $1, %fs:(%rax)\n"
	"	movq ur_real_vfork(%rip), %rax\n"
	"	testq %rax, %rax\n"
	"	jnz 1f\n"
	"	subq $8, %rsp\n"
	"	call ur_resolve_vfork\n"
	"	addq $8, %rsp\n"
	"	testq %rax, %rax\n"
	"	jz 2f\n"
	"1:	jmp *%rax\n"
	"2:	jmp fork@PLT\n"
	".size vfork, .-vfork\n");

static void canary_init(void)
{
	int saved = errno;
	void *p = mmap(NULL, START_MAP, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED &&
	    ur_syscall(SYS_madvise, p, START_MAP, MADV_WIPEONFORK) == 0) {
		ur_populate_write(p, 4096); /* the proc record's page too */
		*(int *)p = 1;
		ur_fork_canary = p;
		canary_works = 1;
		ur_start_buf = (char *)p + 64;
	} else if (p != MAP_FAILED) {
		ur_syscall(SYS_munmap, p, START_MAP);
	}
	errno = saved;
}
#else
static void canary_init(void)
{
}
#endif

int *ur_fork_word(int which)
{
	/* after the canary, before ur_start_buf (64 bytes in) */
	return canary_works ? ur_fork_canary + 1 + which : NULL;
}

static void after_fork_in_child(void)
{
	if (!ur_enabled)
		return;
	pid_t pid = (pid_t)ur_sys_getpid();
	/* done already, at an event made before this handler ran */
	if (pid == ur_pid && *ur_fork_canary)
		return;
	ur_proc_after_fork(ur_pid); /* the parent's pid, still */
	ur_pid = pid;
	if (ur_vforked)
		ur_vforked = 0;
	if (canary_works) {
		/* a new zero page, faulted in by the write: in a forked child
		 * that costs half of MADV_POPULATE_WRITE and the write after
		 * it (9 against 18 us; at an image's start, canary_init, the
		 * other way round: 8 against 6 us) */
		*ur_fork_canary = 1;
	}
	ur_forget_tid();
	ur_cwd_forget();     /* daemon() changes it in its child, inside libc */
	ur_log_after_fork(); /* and the stacks, at the child's own file */
}

/*
 * The pages of libc's functions that the wrappers call in a forked child
 * before it execs (exec.c copies strings; errno is kept), as runs of
 * ur_code_runs after this library's own: a child has none of libc's code
 * mapped either (the kernel copies page tables only where a process has
 * written), and the first touch of each page would be a fault.  Found at
 * the first fork; pages a few apart make one run.
 */
static int child_runs_found START_STATE;
static void find_child_libc(void)
{
	uintptr_t at[] = {(uintptr_t)&strlen, (uintptr_t)&memcpy,
			  (uintptr_t)&memmove, (uintptr_t)&__errno_location};
	size_t n = sizeof at / sizeof at[0];

	child_runs_found = 1;
	for (size_t i = 1; i < n; i++) /* in order */
		for (size_t k = i; k > 0 && at[k - 1] > at[k]; k--) {
			uintptr_t t = at[k];
			at[k] = at[k - 1];
			at[k - 1] = t;
		}
	int runs = ur_ncode_runs;
	for (size_t i = 0; i < n; i++) {
		uintptr_t page = at[i] & ~(uintptr_t)4095;
		if (runs > ur_ncode_runs &&
		    page <= ur_code_runs[runs - 1].hi + 8 * 4096) {
			ur_code_runs[runs - 1].hi = page + 4096;
		} else if (runs < UR_CODE_RUNS) {
			ur_code_runs[runs].lo = page;
			ur_code_runs[runs++].hi = page + 4096;
		}
	}
	if (runs < UR_CODE_RUNS) { /* and what execs learn (progknown.c) */
		ur_prog_share(&ur_code_runs[runs]);
		if (ur_code_runs[runs].lo)
			runs++;
	}
	__atomic_store_n(&ur_nchild_runs, runs, __ATOMIC_RELEASE);
}

/*
 * Around libc's fork (the F wrappers of calls.def), what atfork handlers
 * would do, without registering any: pthread_atfork's first call sets up
 * malloc, about 35 us in every image that never forks and never mallocs.
 * Before: the unwinder is taken, so that no other thread is half-way
 * through its frame cache.  After: it is given back, and in the child
 * (child: the call returned 0) the process becomes a traced one of its
 * own, before any of its code runs.  errno is kept.
 */
void ur_fork_before(void)
{
	if (!child_runs_found)
		find_child_libc();
	if (ur_record_stacks)
		ur_stack_fork_before();
}

extern const char __ehdr_start[] HIDDEN; /* this object's ELF header */

/*
 * This library's code and read-only data (its load segments that are not
 * writable) into the page tables, one madvise a segment.  A page of it
 * that is not mapped yet costs a fault of its own for every 64 KiB run,
 * about 12 to 17 us each on the virtual machines this was measured on;
 * one madvise maps all 40 pages for about 7 us.  Two kinds of process
 * would fault them in:
 * - a new image: the loader touches the first 64 KiB, and start-up then
 *   runs code and reads names in the next two (unroot_init);
 * - a forked child, which inherits no mapping of them (the kernel copies
 *   page tables only where a process has written).  The F wrappers map
 *   them inline (ur_map_code, unroot.h) as soon as libc's fork returns,
 *   with the pages of the libc functions the child's wrappers call
 *   (find_child_libc), and take errno's address before the fork, so that
 *   the child need not call libc's errno function to restore it.
 * The segments are read from the program headers once, at start-up, into
 * the .data page (which a forked child has mapped: it reads no header).
 * errno is left alone.  Without MADV_POPULATE_READ (before Linux 5.14) the
 * call fails and nothing changes.
 */
struct ur_code_run ur_code_runs[UR_CODE_RUNS] START_STATE;
int ur_ncode_runs START_STATE, ur_nchild_runs START_STATE;

/* ur_code_runs from this object's program headers, then mapped */
static inline __attribute__((always_inline)) void find_own_code(void)
{
#if defined(UR_RAWSYS_INLINE) && defined(__LP64__)
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(const void *)__ehdr_start;
	const Elf64_Phdr *ph =
	    (const Elf64_Phdr *)(const void *)(__ehdr_start + eh->e_phoff);
	uintptr_t base = (uintptr_t)__ehdr_start;

	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
			base -= ph[i].p_vaddr;
	for (int i = 0; i < eh->e_phnum && ur_ncode_runs < UR_CODE_RUNS; i++) {
		if (ph[i].p_type != PT_LOAD || (ph[i].p_flags & PF_W))
			continue;
		uintptr_t end = base + ph[i].p_vaddr + ph[i].p_memsz;
		ur_code_runs[ur_ncode_runs].lo =
		    (base + ph[i].p_vaddr) & ~(uintptr_t)4095;
		ur_code_runs[ur_ncode_runs++].hi =
		    (end + 4095) & ~(uintptr_t)4095;
	}
	ur_nchild_runs = ur_ncode_runs;
	ur_map_code(ur_ncode_runs);
#endif
}

void ur_fork_after(bool child, int *errp)
{
	int saved = *errp;

	if (ur_record_stacks)
		ur_stack_fork_after(child);
	if (child)
		after_fork_in_child();
	if (*errp != saved) /* errno's page: a trap in the parent */
		*errp = saved;
}

bool ur_other_process_slow(void)
{
	pid_t pid;
	return ur_other_process_pid(&pid);
}

bool ur_other_process_pid(pid_t *pidp)
{
	*pidp = (pid_t)ur_sys_getpid();
	return ur_other_process_is(*pidp);
}

bool ur_other_process_is(pid_t pid)
{
	if (pid == ur_pid) {
		ur_vforked = 0; /* the vfork child, if any, is gone */
		if (ur_vfork_creds)
			ur_vfork_creds = 0;
		return false;
	}
	if (canary_works && !*ur_fork_canary) {
		/* a child made without fork()'s handlers: its own memory */
		after_fork_in_child();
		return false;
	}
	return true; /* a vfork child (or no canary: cannot tell) */
}

/* ---- effective ids: cached, refreshed by the set*id wrappers ---- */

static uid_t start_euid START_STATE;
static gid_t start_egid START_STATE;

/* After the proc record, whose ids it takes when there is one. */
static void creds_init(void)
{
	uid_t u;
	gid_t g;
	bool mixed;

	if (!ur_proc_ids(&u, &g, &mixed))
		mixed = ur_ids_differ(&u, &g);
	start_euid = ur_euid = u;
	start_egid = ur_egid = g;
	if (mixed)
		ur_ids_mixed = 1;
}

/*
 * After a set*id call.  Not in a vfork child (CPython's _posixsubprocess
 * calls setreuid there): its ids are not the parent's.  Once an id
 * differs from the one the process started with, events always carry it
 * (uid/gid are omitted only while they are those of every proc record of
 * this process image).
 */
void ur_creds_refresh(void)
{
	int saved = errno;

	if (!ur_other_process()) {
		uid_t u;
		gid_t g;
		bool mixed = ur_ids_differ(&u, &g);
		__atomic_store_n(&ur_euid, u, __ATOMIC_RELAXED);
		__atomic_store_n(&ur_egid, g, __ATOMIC_RELAXED);
		__atomic_store_n(&ur_ids_mixed, mixed, __ATOMIC_RELAXED);
		if (u != start_euid)
			__atomic_store_n(&ur_euid_changed, 1, __ATOMIC_RELAXED);
		if (g != start_egid)
			__atomic_store_n(&ur_egid_changed, 1, __ATOMIC_RELAXED);
	} else {
		ur_vfork_creds = 1; /* the probe asks the kernel (exec.c) */
	}
	errno = saved;
}

static void at_exit_write_end(void)
{
	if (ur_enabled)
		ur_log_end();
}

int ur_start_argc START_STATE;
char **ur_start_argv START_STATE;

/*
 * glibc calls constructors with (argc, argv, envp): the proc record takes
 * argv from there, not from /proc/self/cmdline (an open, two reads and a
 * close of procfs in every new program).  musl passes nothing.
 */
#ifdef __GLIBC__
__attribute__((constructor(101))) static void unroot_init(int argc, char **argv,
							  char **envp)
{
	(void)envp;
	if (argc > 0 && argv && argv[0]) {
		ur_start_argc = argc;
		ur_start_argv = argv;
	}
#else
__attribute__((constructor(101))) static void unroot_init(void)
{
#endif
	ur_guard++;
	find_own_code();
	read_settings();
	/* A Go program calls the kernel itself: the helper tracing it
	 * records every call, so the preload records none (each event
	 * once).  Without the helper, it records what goes through libc. */
	if (ur_enabled && ur_self_go() && ur_under_helper())
		ur_enabled = 0;
#if defined(__x86_64__) && defined(MADV_WIPEONFORK)
	if (!ur_real_vfork)
		ur_resolve_vfork();
#endif
	if (ur_enabled) {
		ur_pid = (pid_t)ur_sys_getpid();
		ur_handover_take(); /* before the proc record, and main */
		canary_init();
		ur_stack_words_init();
		atexit(at_exit_write_end);
		ur_log_start();
		creds_init();
		ur_python_init();
	}
	ur_guard--;
}
