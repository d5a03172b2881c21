/*
 * progknown.c - what the exec wrappers learned of a program file, kept for
 * the next exec of the same file by any process of the tree: whether it
 * runs traced or is static, whether it is an ELF program of this machine,
 * and the real path the handover names (exec.c).  Learning it costs an
 * exec ten system calls (the file opened and its header read, each
 * component of its path looked at); a loop that runs one program over
 * and over (a shell's, make's, xargs's) now pays them once.
 *
 * An entry is believed only for the same path, in the same mount
 * namespace, and while the file's lstat is the one it was learned under:
 * device, inode, mode, owner, size, mtime and ctime (writing the file,
 * chmod, chown, setting capabilities, linking or unlinking it all change
 * ctime).  Kept only for a regular file named by an absolute path that is
 * not set-user-ID or set-group-ID.  Its real path is not checked again:
 * a directory on the way that was made to point elsewhere, at another
 * name of the same file, leaves the old name, a name of that same file.
 * A process that changed its root (chroot, pivot_root) uses no entry.
 *
 * The entries are shared memory (MAP_SHARED, anonymous), made before the
 * first fork (ur_prog_share) or at the first exec, so that what a forked
 * child learns serves its parent's next child, as a vfork child's serves
 * its parent.  A forked child maps them with its code (ur_code_runs).
 * Each entry has a sequence lock (seqlock.h): a reader that finds it busy
 * or changed misses, a writer that finds it busy gives up.  Raw calls and
 * this stack only: the readers and writers run in vfork children.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "seqlock.h"
#include "unroot.h"

#define PATH_WORDS 32 /* 255 bytes and the NUL */
#define REAL_WORDS (UR_PROG_REAL / 8)

struct prog_entry {
	unsigned seq;
	unsigned flags; /* LEARNED | STATIC | caps << 2 | image << 4 */
	uint64_t key;	/* hash of the namespace and the path */
	uint64_t dev, ino, size;
	int64_t mtime, mtime_ns, ctime, ctime_ns;
	unsigned mode, uid, gid, len;
	uint64_t path[PATH_WORDS];
	uint64_t real[REAL_WORDS];
};
#define LEARNED	   1u
#define STATIC_BIN 2u

/* two places a key can go (its low and high half pick them), so that a
 * few programs run in turn rarely push each other out */
#define ENTRIES	  16
#define MAP_BYTES ((ENTRIES * sizeof(struct prog_entry) + 4095) & ~4095UL)

static struct prog_entry *entries START_STATE; /* shared, or NULL */
static int root_changed FORK_STATE;	       /* chroot or pivot_root seen */

/* The entries, made when missing; NULL when they cannot be. */
static struct prog_entry *shared(void)
{
	struct prog_entry *e = __atomic_load_n(&entries, __ATOMIC_ACQUIRE);

	if (e)
		return e;
	int saved = errno;
	long p = ur_syscall(SYS_mmap, NULL, MAP_BYTES, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != -1 && !__atomic_compare_exchange_n(
			   &entries, &e, (struct prog_entry *)p, false,
			   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		ur_syscall(SYS_munmap, p, MAP_BYTES); /* another was first */
	else if (p != -1)
		e = (struct prog_entry *)p;
	errno = saved;
	return e;
}

void ur_prog_share(struct ur_code_run *run)
{
	struct prog_entry *e = shared();

	run->lo = e ? (uintptr_t)e : 0;
	run->hi = e ? (uintptr_t)e + MAP_BYTES : 0;
}

void ur_prog_root_changed(void)
{
	if (!root_changed)
		root_changed = 1;
}

/* The key of path in this namespace, and the first of its two places;
 * NULL when path is not one to keep (or the namespace is not known). */
static struct prog_entry *entry_of(const char *path, const struct stat *lst,
				   uint64_t *key, size_t *len)
{
	unsigned long long ns = ur_mount_ns_known();

	*len = strlen(path);
	if (!ns || root_changed || path[0] != '/' || *len >= PATH_WORDS * 8 ||
	    !S_ISREG(lst->st_mode) || (lst->st_mode & (S_ISUID | S_ISGID)))
		return NULL;
	*key = ur_fnv(ur_fnv(UR_FNV_START, &ns, sizeof ns), path, *len) | 1;
	struct prog_entry *e = shared();
	return e ? &e[*key % ENTRIES] : NULL;
}

/* The second place of key, whose first is first. */
static struct prog_entry *other_of(struct prog_entry *first, uint64_t key)
{
	return first - key % ENTRIES + (key >> 32) % ENTRIES;
}

static bool same_file(const struct prog_entry *e, const struct stat *lst)
{
	return LOAD(e->dev) == (uint64_t)lst->st_dev &&
	       LOAD(e->ino) == (uint64_t)lst->st_ino &&
	       LOAD(e->size) == (uint64_t)lst->st_size &&
	       LOAD(e->mtime) == (int64_t)lst->st_mtim.tv_sec &&
	       LOAD(e->mtime_ns) == (int64_t)lst->st_mtim.tv_nsec &&
	       LOAD(e->ctime) == (int64_t)lst->st_ctim.tv_sec &&
	       LOAD(e->ctime_ns) == (int64_t)lst->st_ctim.tv_nsec &&
	       LOAD(e->mode) == (unsigned)lst->st_mode &&
	       LOAD(e->uid) == (unsigned)lst->st_uid &&
	       LOAD(e->gid) == (unsigned)lst->st_gid;
}

/* n bytes of words into out (n < cap), NUL-ended */
static void copy_out(char *out, const uint64_t *words, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = LOAD(words[i / 8]);
		memcpy(out + i, &w, n - i < 8 ? n - i : 8);
	}
	out[n] = 0;
}

/* The word of the n bytes of s and its NUL that starts at byte i, zero
 * past the NUL. */
static uint64_t word_of(const char *s, size_t n, size_t i)
{
	uint64_t w = 0;

	memcpy(&w, s + i, n + 1 - i < 8 ? n + 1 - i : 8);
	return w;
}

static void copy_in(uint64_t *words, const char *s, size_t n)
{
	for (size_t i = 0; i <= n; i += 8)
		STORE(words[i / 8], word_of(s, n, i));
}

/* words hold the n bytes of s (and its NUL) */
static bool same_text(const uint64_t *words, const char *s, size_t n)
{
	for (size_t i = 0; i <= n; i += 8)
		if (LOAD(words[i / 8]) != word_of(s, n, i))
			return false;
	return true;
}

/* What e holds for key, path and lst, into out. */
static bool read_entry(struct prog_entry *e, uint64_t key, const char *path,
		       size_t len, const struct stat *lst, struct ur_prog *out)
{
	unsigned begun = seq_begin(&e->seq);
	unsigned flags = LOAD(e->flags), rlen = LOAD(e->len);
	if (!(flags & LEARNED) || LOAD(e->key) != key || !same_file(e, lst) ||
	    !same_text(e->path, path, len) || rlen >= UR_PROG_REAL)
		return false;
	out->untraced_static = (flags & STATIC_BIN) != 0;
	out->caps = (int)((flags >> 2) & 3);
	out->image = (int)(flags >> 4);
	copy_out(out->real, e->real, rlen);
	return seq_still(&e->seq, begun);
}

bool ur_prog_get(const char *path, const struct stat *lst, struct ur_prog *out)
{
	uint64_t key;
	size_t len;
	struct prog_entry *e = entry_of(path, lst, &key, &len);

	return e && (read_entry(e, key, path, len, lst, out) ||
		     read_entry(other_of(e, key), key, path, len, lst, out));
}

void ur_prog_put(const char *path, const struct stat *lst,
		 const struct ur_prog *in)
{
	uint64_t key;
	size_t len, rlen = strlen(in->real);
	struct prog_entry *e = entry_of(path, lst, &key, &len);
	unsigned taken;

	if (!e || rlen >= UR_PROG_REAL)
		return;
	/* its own place again, else a free one, else the second place when
	 * the first holds a key whose first place it is */
	struct prog_entry *o = other_of(e, key);
	if (LOAD(e->key) != key &&
	    (LOAD(o->key) == key || !(LOAD(o->flags) & LEARNED) ||
	     ((LOAD(e->flags) & LEARNED) &&
	      LOAD(e->key) % ENTRIES == key % ENTRIES)))
		e = o;
	if (!seq_lock(&e->seq, &taken))
		return;
	STORE(e->flags, 0u);
	STORE(e->key, key);
	STORE(e->dev, (uint64_t)lst->st_dev);
	STORE(e->ino, (uint64_t)lst->st_ino);
	STORE(e->size, (uint64_t)lst->st_size);
	STORE(e->mtime, (int64_t)lst->st_mtim.tv_sec);
	STORE(e->mtime_ns, (int64_t)lst->st_mtim.tv_nsec);
	STORE(e->ctime, (int64_t)lst->st_ctim.tv_sec);
	STORE(e->ctime_ns, (int64_t)lst->st_ctim.tv_nsec);
	STORE(e->mode, (unsigned)lst->st_mode);
	STORE(e->uid, (unsigned)lst->st_uid);
	STORE(e->gid, (unsigned)lst->st_gid);
	STORE(e->len, (unsigned)rlen);
	copy_in(e->path, path, len);
	copy_in(e->real, in->real, rlen);
	STORE(e->flags, LEARNED | (in->untraced_static ? STATIC_BIN : 0u) |
			    (unsigned)(in->caps & 3) << 2 |
			    (unsigned)in->image << 4);
	seq_unlock(&e->seq, taken);
}
