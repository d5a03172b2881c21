/*
 * loop.c - the ptrace loop: every stop of every tracee, until the last one
 * is gone.
 *
 * - seccomp stop: a call of syscalls.def starts; decode.c reads it, and the
 *   tracee resumes with PTRACE_SYSCALL when its result is wanted (one more
 *   stop, at the call's exit), else with PTRACE_CONT;
 * - fork, vfork, clone: the new thread or process is traced from its first
 *   instruction (the kernel attaches it); a new process is recorded unless
 *   the one that made it is not (the helper itself, a preloaded program);
 * - exec: the thread's process gets a new image, with a file and a proc
 *   record of its own, unless the new program is preloaded (the preload
 *   records it; each event is recorded once); a set-id or file-capability
 *   program is recorded "untraced" (nnp): no-new-privs runs it without its
 *   privilege;
 * - PTRACE_EVENT_EXIT: the "end" record when the process exits normally
 *   (written here, not at the death report: when a pid namespace's init
 *   exits, the kernel kills the tracer before that report);
 * - group-stop: PTRACE_LISTEN, so the tracee stays stopped until SIGCONT
 *   without the tracer holding it;
 * - any other stop is a signal: delivered unchanged (Go's SIGURG too).
 *
 * A tracee is never held longer than it takes to read and record its call.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "tracer.h"

#define ERESTARTSYS_	      512
#define ERESTART_RESTARTBLOCK 516

static void resume(pid_t tid, int req, int sig)
{
	/* ESRCH: it was killed meanwhile; its death report follows */
	ptrace(req, tid, NULL, (void *)(long)sig);
}

static bool get_regs(pid_t tid, struct user_regs_struct *r)
{
	return ptrace(PTRACE_GETREGS, tid, NULL, r) == 0;
}

/*
 * A thread not seen before: a new thread joins its process's image, a
 * new process gets an image, recorded as its creator's is (from, when the
 * creator's event came first; else its parent process).
 */
static struct thread *new_tracee(pid_t tid, const struct thread *from)
{
	struct ids ids;
	struct thread *t = tr_thread_get(tid);
	bool known = t != NULL;

	if (!known) {
		if (tr_read_ids(tid, &ids) != 0) {
			ids.tgid = tid;
			ids.ppid = 0;
			ids.euid = from ? from->euid : 0;
			ids.egid = from ? from->egid : 0;
		}
		t = tr_thread_add(tid, ids.tgid);
		if (!t)
			return NULL;
		t->euid = ids.euid;
		t->egid = ids.egid;
		if (!from && ids.tgid == tid)
			from = tr_thread_get(ids.ppid);
	}
	/* a new process is recorded as the process that made it, and runs
	 * its program */
	if (from && t->img != from->img && t->tid == t->img->pid &&
	    !t->img->started) {
		t->img->record = from->img->record;
		memcpy(t->img->exe, from->img->exe, sizeof t->img->exe);
	}
	return t;
}

static void on_exec(struct thread *t, pid_t former)
{
	struct thread *x = former != t->tid ? tr_thread_get(former) : NULL;

	if (x) {
		/* a non-leader exec'd: it takes the leader's tid */
		pid_t leader = t->tid;
		tr_thread_drop(t);
		tr_thread_rekey(x, leader);
		t = x;
	}
	pid_t pid = t->tid;
	t->exec_done = true;
	t->in_call = false;
	struct image *old = t->img;
	static struct exec_image ex;
	tr_exec_image(t, &ex);
	struct image *img = tr_image_new(pid, !tr_exec_preloaded(t, &ex));
	if (!img)
		return;
	/* the program's name when /proc/PID/exe is closed to the tracer */
	if (img->record && strncmp(ex.file, "/proc/", 6) &&
	    strlen(ex.file) < sizeof img->exe)
		strcpy(img->exe, ex.file);
	const char *why = tr_exec_untraced_why(&ex, t->euid, t->egid);
	char exe[PATH_MAX];
	if (why && tr_proc_link(pid, "exe", exe, sizeof exe) != 0)
		exe[0] = 0;
	/* in the file of the program that exec'd, as the preload does,
	 * when it is recorded; else in the new program's */
	bool in_old = why && old->record && old->started;
	if (in_old)
		tr_record_untraced(old, pid, exe, why);
	tr_thread_set_image(t, img); /* old may be freed here */
	if (img->record)
		tr_image_start(img);
	if (why && !in_old && img->record)
		tr_record_untraced(img, pid, exe, why);
}

static void on_exit_event(struct thread *t)
{
	unsigned long status = 0;
	struct image *img = t->img;

	ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &status);
	img->exiting++;
	if (img->record && !img->ended && WIFEXITED((int)status) &&
	    img->exiting >= img->threads) {
		tr_image_end(img);
		img->ended = true;
	}
}

static void on_death(struct thread *t, int status)
{
	struct image *img = t->img;

	if (img->record && !img->ended && t->tid == img->pid &&
	    WIFEXITED(status) && img->threads == 1) {
		tr_image_end(img);
		img->ended = true;
	}
	tr_thread_drop(t);
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

/*
 * The result is read, the tracee resumed, and only then the call
 * recorded: the thread cannot stop again before this loop waits again,
 * and the program runs on while the record is written.  A call whose
 * arguments are decoded only now (refused: a probe, chroot, setgroups)
 * is recorded first: its memory is read while the tracee is stopped.
 */
static void on_syscall_exit(struct thread *t)
{
	struct user_regs_struct r;
	bool ok = get_regs(t->tid, &r);
	long ret = (long)r.rax;
	pid_t tid = t->tid;

	if (!ok || (ret <= -ERESTARTSYS_ && ret >= -ERESTART_RESTARTBLOCK)) {
		/* interrupted: restarted (a new seccomp stop) or EINTR */
		resume(tid, PTRACE_CONT, 0);
		t->in_call = false;
		return;
	}
	/* a call decoded now reads the tracee's memory, which it would
	 * change as soon as it runs (a path or a group list on its stack):
	 * it resumes after; any other call's record is written while it
	 * runs on */
	if (tr_call_exit_reads(t, ret)) {
		tr_call_exit(t, ret);
		resume(tid, PTRACE_CONT, 0);
		return;
	}
	resume(tid, PTRACE_CONT, 0);
	tr_call_exit(t, ret);
}

/* One stop of t; how it resumes (tid: on_exec may free t). */
static void on_stop(struct thread *t, int status)
{
	pid_t tid = t->tid;
	int sig = WSTOPSIG(status);
	unsigned event = (unsigned)status >> 16;
	unsigned long msg = 0;
	struct user_regs_struct r;

	switch (event) {
	case PTRACE_EVENT_SECCOMP: {
		bool want = get_regs(tid, &r) && tr_call_entry(t, &r);
		resume(tid, want ? PTRACE_SYSCALL : PTRACE_CONT, 0);
		return;
	}
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		ptrace(PTRACE_GETEVENTMSG, tid, NULL, &msg);
		new_tracee((pid_t)msg, t);
		break;
	case PTRACE_EVENT_EXEC:
		ptrace(PTRACE_GETEVENTMSG, tid, NULL, &msg);
		on_exec(t, (pid_t)msg);
		break;
	case PTRACE_EVENT_EXIT:
		on_exit_event(t);
		break;
	case PTRACE_EVENT_STOP:
		if (is_stop_signal(sig)) {
			resume(tid, PTRACE_LISTEN, 0); /* group-stop */
			return;
		}
		break; /* a new tracee's first stop */
	case 0:
		if (sig == (SIGTRAP | 0x80)) {
			on_syscall_exit(t); /* resumes it */
			return;
		}
		resume(tid, PTRACE_CONT, sig); /* a signal, unchanged */
		return;
	default:
		break;
	}
	resume(tid, PTRACE_CONT, 0);
}

int tr_loop(pid_t root)
{
	int root_status = 0;

	for (;;) {
		int status;
		pid_t tid = waitpid(-1, &status, __WALL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: no tracee left */
		}
		struct thread *t = tr_thread_get(tid);
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (tid == root)
				root_status = status;
			if (t)
				on_death(t, status);
			if (tr_thread_count() == 0)
				break;
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		if (!t)
			t = new_tracee(tid, NULL);
		if (!t) {
			resume(tid, PTRACE_CONT, 0);
			continue;
		}
		on_stop(t, status);
	}
	return root_status;
}
