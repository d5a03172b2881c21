/*
 * cwd.c - the working directory and the root, remembered, so that an
 * event on a relative path costs no getcwd(2) (git names every object it
 * writes relative to its work tree, four getcwd calls an object, and so do
 * compilers, make and most build tools), and an image learns its root fs
 * from the exec that made it instead of a stat of "/" (handover.c).
 *
 * One slot holds the cwd as getcwd gave it, with the value of cwd_changes
 * it was true for, known.c's generation and the time it was taken.  It is
 * believed only while all of these hold:
 *
 * - cwd_changes still has that value, and it is even.  Every call that
 *   may change the working directory adds one before the real call and
 *   one after it (ur_cwd_changing, ur_cwd_changed): chdir, fchdir, chroot
 *   and setns, and the libc functions that change it with calls of their
 *   own that no wrapper sees (nftw with FTW_CHDIR, fts_read, fts_children,
 *   fts_close: calls.def), and a raw syscall() of any of them (wrap.c).
 *   While a change is in flight the count is odd and nothing is believed:
 *   an nftw callback runs so.  A signal handler's change nests inside
 *   whatever it interrupted and adds two.  A forked child forgets (adds
 *   two): daemon's chdir("/") runs in one, inside libc.
 * - known.c's generation has not moved (the process reaped a child or
 *   renamed a directory: the path of its cwd may have changed), and the
 *   process removed no directory since (its cwd may be gone, which getcwd
 *   would say): ur_cwd_forget;
 * - it is younger than KNOWN_TTL_NS: another process may rename a
 *   directory above the cwd, which getcwd would show.  Renames by other
 *   processes inside that window are not seen, as for known.c's states;
 * - the memory is this process's cwd's.  A vfork child shares the memory
 *   but not the cwd: it never fills the slot nor believes it (its chdir
 *   wrappers still count, which can only make its parent ask again).  A
 *   clone that shares the memory without the cwd, or the cwd without the
 *   memory, and unshare(CLONE_FS) in a process with threads
 *   (CWD_DIVERGES), end it for the rest of the image and its forked
 *   children.  Threads share the cwd, so one slot serves them all.
 *
 * A process fills the slot only after CWD_ASKS getcwd calls: the slot's
 * page is a first touch, which on a paravirtualised machine costs as much
 * as ten getcwd calls, so a compiler that writes one object file never
 * touches it.
 *
 * The root ("/"'s device and inode) is remembered with the value of
 * root_changes it was looked at under, and believed while that value is
 * unchanged and even and the cwd has not diverged (another process may
 * share the fs without the memory and chroot).  Only the calls that can
 * give the process another root move root_changes, before and after the
 * call (CWD_NEW_ROOT: chroot, pivot_root, setns, their raw system calls):
 * a chdir leaves it believed.  A forked child has its parent's root; a
 * vfork child has a root of its own (it may chroot before its exec), so
 * it believes its parent's only until its own chroot moves the count, and
 * never remembers one.
 *
 * Nothing here blocks, allocates or changes errno.
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "seqlock.h"
#include "unroot.h"

#define CWD_ASKS  8
#define CWD_WORDS (PATH_MAX / 8)

struct cwd_slot {
	unsigned seq;		   /* seqlock.h */
	unsigned gen;		   /* ur_known_stamp() before the getcwd */
	unsigned long changes;	   /* cwd_changes it is true for */
	long long stamp;	   /* ... and its time */
	unsigned len;		   /* 0: empty */
	uint64_t words[CWD_WORDS]; /* the path, 8 bytes a store */
};

static struct cwd_slot slot BIG_TABLE __attribute__((aligned(4096)));
static unsigned long cwd_changes FORK_STATE;
static int cwd_diverged FORK_STATE;
static int cwd_asks START_STATE;

/* the root: seen is the root_changes it was looked at under, plus one
 * (0: nothing remembered) */
static unsigned long root_changes FORK_STATE;
static struct {
	unsigned long seen;
	unsigned long long dev, ino;
} root START_STATE;

void ur_cwd_changing(enum cwd_how how)
{
	if (how == CWD_KEEPS)
		return;
	if (how == CWD_DIVERGES)
		__atomic_store_n(&cwd_diverged, 1, __ATOMIC_RELAXED);
	if (how == CWD_NEW_ROOT)
		__atomic_add_fetch(&root_changes, 1, __ATOMIC_ACQ_REL);
	__atomic_add_fetch(&cwd_changes, 1, __ATOMIC_ACQ_REL);
}

void ur_cwd_changed(enum cwd_how how)
{
	if (how == CWD_KEEPS)
		return;
	__atomic_add_fetch(&cwd_changes, 1, __ATOMIC_ACQ_REL);
	if (how == CWD_NEW_ROOT)
		__atomic_add_fetch(&root_changes, 1, __ATOMIC_ACQ_REL);
}

unsigned long ur_root_stamp(void)
{
	return __atomic_load_n(&root_changes, __ATOMIC_ACQUIRE);
}

bool ur_root_recall(unsigned long long *dev, unsigned long long *ino)
{
	unsigned long changes = ur_root_stamp();
	unsigned long seen = __atomic_load_n(&root.seen, __ATOMIC_ACQUIRE);

	if ((changes & 1) || seen != changes + 1 ||
	    __atomic_load_n(&cwd_diverged, __ATOMIC_RELAXED))
		return false;
	*dev = __atomic_load_n(&root.dev, __ATOMIC_RELAXED);
	*ino = __atomic_load_n(&root.ino, __ATOMIC_RELAXED);
	/* still the same look: a writer clears seen first */
	return __atomic_load_n(&root.seen, __ATOMIC_ACQUIRE) == seen &&
	       ur_root_stamp() == changes;
}

void ur_root_remember(unsigned long stamp, unsigned long long dev,
		      unsigned long long ino)
{
	if ((stamp & 1) || ur_vforked)
		return;
	__atomic_store_n(&root.seen, 0UL, __ATOMIC_RELEASE);
	__atomic_store_n(&root.dev, dev, __ATOMIC_RELAXED);
	__atomic_store_n(&root.ino, ino, __ATOMIC_RELAXED);
	__atomic_store_n(&root.seen, stamp + 1, __ATOMIC_RELEASE);
}

void ur_cwd_forget(void)
{
	__atomic_add_fetch(&cwd_changes, 2, __ATOMIC_ACQ_REL);
}

/* The slot into out, when it is believed (the top of this file). */
static bool recall(unsigned long changes, char *out, size_t cap)
{
	unsigned begun = seq_begin(&slot.seq);
	unsigned len = LOAD(slot.len);
	size_t words = len / 8 + 1;

	if (!len || words * 8 > cap || LOAD(slot.changes) != changes ||
	    !ur_known_fresh(LOAD(slot.gen), LOAD(slot.stamp)))
		return false;
	for (size_t i = 0; i < words; i++) {
		uint64_t w = LOAD(slot.words[i]);
		memcpy(out + i * 8, &w, 8);
	}
	if (!seq_still(&slot.seq, begun))
		return false;
	out[len] = 0;
	return true;
}

static void remember(unsigned long changes, unsigned gen, long long stamp,
		     const char *cwd, size_t len)
{
	unsigned taken;
	size_t words = len / 8 + 1;

	if (words > CWD_WORDS || !seq_lock(&slot.seq, &taken))
		return;
	for (size_t i = 0; i < words; i++) {
		uint64_t w = 0;
		memcpy(&w, cwd + i * 8, i + 1 < words ? 8 : len % 8);
		STORE(slot.words[i], w);
	}
	STORE(slot.changes, changes);
	STORE(slot.gen, gen);
	STORE(slot.stamp, stamp);
	STORE(slot.len, (unsigned)len);
	seq_unlock(&slot.seq, taken);
}

bool ur_cwd(char *out, size_t cap)
{
	unsigned long changes = __atomic_load_n(&cwd_changes, __ATOMIC_ACQUIRE);
	bool mine = !(changes & 1) && !ur_vforked &&
		    !__atomic_load_n(&cwd_diverged, __ATOMIC_RELAXED);

	if (mine && recall(changes, out, cap))
		return true;
	unsigned gen;
	long long stamp;
	ur_known_stamp(&gen, &stamp);
	long n = ur_syscall(SYS_getcwd, out, cap);
	if (n <= 0 || out[0] != '/')
		return false;
	if (mine &&
	    __atomic_add_fetch(&cwd_asks, 1, __ATOMIC_RELAXED) >= CWD_ASKS)
		remember(changes, gen, stamp, out, (size_t)n - 1);
	return true;
}
