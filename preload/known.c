/*
 * known.c - what the tracer already knows about paths and descriptors, so
 * that describing an event needs no system call that walks a path.
 *
 * Two tables, shared by the threads of a process:
 *
 * - path states: the type, owner and mode of a path, or its absence, as an
 *   lstat found them or as one of this process's own successful calls left
 *   them (a file it created, a name it renamed or unlinked; record.c);
 * - descriptor paths: the path behind an fd, as /proc/self/fd resolved it or
 *   as the open that made the fd named it.  An entry is believed without a
 *   system call while it is trusted (below), else checked at every use
 *   against the fd's device and inode (fstat: a reused number misses).
 *
 * An entry is believed for at most KNOWN_TTL_NS.  Everything is forgotten
 * when this process reaps a child (wait*, system, pclose: the child may
 * have changed the tree) and when it renames a directory (the paths below
 * it changed).  What another process changes inside that
 * window is not seen: the pre-state of a path written concurrently by two
 * unrelated processes may be up to KNOWN_TTL_NS old (SCHEMA.md says so).
 *
 * Memory: the path-state table is 64 pages, and the names of one
 * directory share a page of it (ur_hash_path), so that a process makes
 * resident a page for each directory it writes in, up to the whole table,
 * not the whole table for a storm in one directory.
 *
 * Every slot is a sequence lock.  A writer that finds a slot busy gives up
 * (this is a cache); a reader that finds it busy or changed under it
 * counts a miss.  Nothing here allocates, locks or can fail the workload.
 *
 * ---- when a descriptor's path is trusted without fstat ----
 *
 * A descriptor number stops naming its file only when it is closed or
 * replaced (dup2 onto it).  Every way libc does either is wrapped
 * (calls.def: close, __close, close_range, closefrom, dup2, __dup2, dup3,
 * fclose, _IO_fclose, fcloseall, freopen, closedir (of an fdopendir stream
 * too), pclose, endmntent, mq_close, and daemon, forkpty and login_tty,
 * which dup2 onto 0-2 inside libc), and so is the raw syscall() of libc;
 * each counts itself before the real call, in the num_closes of slot N when it
 * closes the one number N it names (close, dup2, fclose ...), else in
 * fd_closes, and holds fd_closing non-zero until it has returned.  An
 * entry remembers fd_closes as it was before the call that told its path
 * (the open that made the fd, or the fstat and readlink of /proc/self/fd),
 * taken only while no close was in flight, and its slot's num_closes as it
 * was when the entry was made.  It is trusted while both still have those
 * values: then its number was not closed or replaced since the path was
 * true, so it still names that file.  Opening, dup and fcntl(F_DUPFD)
 * only take free numbers, and exec starts a new table: none needs
 * counting.  A close that began after the entry was made has moved one of
 * the two; one in flight when its path was taken makes it untrusted from
 * the start.  Between the taking and the entry (the open's call and its
 * record) the number is not known yet: a close that runs there (only a
 * signal handler can, below) counts in fd_closes, whatever it closes.
 *
 * What keeps the counting whole:
 * - one thread.  Trust needs glibc's __libc_single_threaded, which stays
 *   false from the first thread on (threads libc makes for itself
 *   included): with one thread, only a signal handler can run between a
 *   close and its count, and it nests entirely inside it, so plain
 *   increments suffice (a nested close that is lost in an outer
 *   increment happens while fd_closing is non-zero, when nothing is
 *   taken).  A close made while several threads run is not counted: it
 *   ends trust for the rest of the image and its forked children (a child
 *   of a threaded process may be single-threaded again).  musl and glibc
 *   before 2.32 have no such flag: nothing is trusted there;
 * - the same memory.  A vfork child shares this table but not the
 *   descriptors: it records nothing and puts no entry (other process), and
 *   its closes count, which can only end trust early.  A clone() that
 *   shares the memory or the descriptor table with another process (not
 *   vfork) ends trust for good (wrap.c);
 * - libc.  A raw syscall() that closes or replaces a descriptor, sets up
 *   or drives io_uring, or clones with shared memory or descriptors ends
 *   trust for good, unless the tracer itself made it (its own descriptors:
 *   counted as a close).  A program that issues its own system call
 *   instructions bypasses libc and every wrapper (the README's threat
 *   model), and so does another process that installs descriptors into
 *   this one (seccomp user notification, ptrace).
 * Entries are also believed for KNOWN_TTL_NS only: another process may
 * rename the file (the fstat check never saw that either).
 */
#include <time.h>

#include "seqlock.h"
#include "unroot.h"

/* glibc >= 2.32 (weak: NULL elsewhere, where nothing is trusted) */
extern char __libc_single_threaded __attribute__((weak));

#define PATH_SLOTS    4096 /* a power of two */
#define PAGE_SLOTS    64   /* path slots in a 4 KiB page */
#define DIR_BITS      6	   /* log2(PATH_SLOTS / PAGE_SLOTS) */
#define DIR_MASK      (~0ULL << (64 - DIR_BITS))
#define FD_SLOTS      1024
#define FD_PATH_BYTES 240

/* a cache line each: threads that write neighbouring slots do not share */
struct __attribute__((aligned(64))) path_slot {
	unsigned seq; /* odd while a writer fills the slot */
	unsigned gen; /* known_gen when it was filled */
	uint64_t key; /* hash of the path, never 0 */
	long long stamp;
	unsigned mode; /* st_mode; 0: the path was absent */
	unsigned uid, gid;
};

/*
 * Everything known of one descriptor number in one place (a process that
 * opens a few files touches one page of these, not one of each array).
 * key and num_closes are outside the slot's sequence lock: num_closes
 * counts closes of the number (the top of this file), key is the hash of
 * the path, scanned by ur_known_fd_moved.
 */
struct __attribute__((aligned(64))) fd_slot {
	unsigned seq, gen;
	long long stamp;
	uint64_t dev, ino;
	unsigned long closes;		   /* fd_closes it is true for */
	unsigned ncloses;		   /* and num_closes when it was */
	unsigned len;			   /* 0: empty */
	uint64_t words[FD_PATH_BYTES / 8]; /* the path, 8 bytes a store */
	uint64_t key;			   /* ur_hash_path of the path */
	unsigned num_closes;		   /* closes of this number begun */
};
_Static_assert(sizeof(struct fd_slot) == 320, "five cache lines a number");

/* page-aligned: the slots of a directory's page (pair_of) are one page */
static struct path_slot path_slots[PATH_SLOTS] BIG_TABLE
    __attribute__((aligned(4096)));
_Static_assert(sizeof(struct path_slot) * PAGE_SLOTS == 4096,
	       "a directory's slots fill one page");
_Static_assert(PAGE_SLOTS << DIR_BITS == PATH_SLOTS,
	       "the directory bits of a key name every page");
static struct fd_slot fd_slots[FD_SLOTS] BIG_TABLE;
static unsigned known_gen FORK_STATE = 1;
/* known_gen when anything was last stamped with it: a forget with nothing
 * stamped since the last one makes no new generation, and writes nothing
 * (a parent reaps a child after each fork(), and after fork() a page it
 * writes is a copy-on-write trap: the shell of an exec loop knows
 * nothing between its children) */
static unsigned stamped_gen FORK_STATE;
static int fd_high; /* one past the highest fd slot ever filled */

/* descriptor trust (the top of this file) */
#define NOT_TRUSTED (~0UL)
static unsigned long fd_closes FORK_STATE; /* closes of any number begun */
static int fd_closing FORK_STATE;	   /* ... and not yet returned */
static int fd_untrusted FORK_STATE;	   /* trust has ended for good */
/* fd_closes before the wrapped open in progress on this thread */
static __thread unsigned long open_closes = NOT_TRUSTED;
/* this thread is between a snapshot and the entry it makes */
static __thread int taking;

static long long now_coarse(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * The last eight of the k bytes at s, or all k < 8 of them as the low
 * bytes of a word; s holds n >= k bytes.  One load where s has eight.
 */
static uint64_t last_word(const char *s, size_t k, size_t n)
{
	uint64_t w = 0;

	if (k >= 8) {
		memcpy(&w, s + k - 8, 8);
	} else if (n >= 8) {
		memcpy(&w, s, 8);
		w = k ? w & (~0ULL >> (64 - 8 * k)) : 0;
	} else {
		memcpy(&w, s, k);
	}
	return w;
}

/*
 * The number of bytes before the last '/' of s[0, n) (0 without one):
 * eight bytes at a time from the end, as the last name is short.  (On a
 * big-endian machine it finds another '/': names then share pages less,
 * and nothing else changes.)
 */
static size_t dir_len(const char *s, size_t n)
{
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;

	for (; n >= 8; n -= 8) {
		uint64_t x;
		memcpy(&x, s + n - 8, 8);
		x ^= 0x2f2f2f2f2f2f2f2fULL; /* a zero byte where a '/' is */
		uint64_t zero = ~(((x & low7) + low7) | x | low7);
		if (zero)
			return n - 8 + (size_t)(63 - __builtin_clzll(zero)) / 8;
	}
	while (n > 0)
		if (s[--n] == '/')
			return n;
	return 0;
}

static uint64_t mix_word(uint64_t h, const char *s)
{
	uint64_t w;

	memcpy(&w, s, 8);
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/*
 * A 64-bit hash of a path, eight bytes at a time; never 0.  Its top
 * DIR_BITS bits hash the directory the name is in (the bytes before its
 * last '/'), taken on the way, the others the whole path: pair_of() takes
 * the page of the path-state table from the top bits, so the names of one
 * directory share a page, and a storm of one-off names in a few
 * directories makes resident a few pages of the table, not all of it.
 */
uint64_t ur_hash_path(const char *s, size_t n)
{
	size_t dn = dir_len(s, n), i = 0;
	uint64_t h = 0x9e3779b97f4a7c15ULL;

	for (; i + 8 <= dn; i += 8)
		h = mix_word(h, s + i);
	/* the directory's whole words and its last eight bytes (a product's
	 * top bits depend on every bit below them) */
	uint64_t dir = (h ^ last_word(s, dn, n) ^ dn) * 0xc4ceb9fe1a85ec53ULL;
	for (; i + 8 <= n; i += 8)
		h = mix_word(h, s + i);
	h = (h ^ last_word(s, n, n)) * 0xff51afd7ed558ccdULL;
	/* murmur3's finaliser: every input bit reaches the low bits */
	h ^= n;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (h & ~DIR_MASK) | (dir & DIR_MASK) | 1;
}

static bool fresh(unsigned gen, long long stamp, long long now)
{
	return gen == __atomic_load_n(&known_gen, __ATOMIC_ACQUIRE) &&
	       now - stamp < KNOWN_TTL_NS && now >= stamp;
}

/* ---- path states ---- */

/*
 * Two slots per path (a pair of neighbours): a directory that every event
 * names stays, while the stream of one-off file names a storm makes
 * replaces the older entry of a pair.  The page is the directory's (the
 * top bits of the key: ur_hash_path), the pair in it the name's.
 */
static struct path_slot *pair_of(uint64_t key)
{
	size_t page = (size_t)(key >> (64 - DIR_BITS));
	size_t pair = (size_t)(key >> 1) & (PAGE_SLOTS / 2 - 1);

	return &path_slots[page * PAGE_SLOTS + pair * 2];
}

/* The slot of the pair that holds key, or NULL. */
static struct path_slot *slot_with(struct path_slot *pair, uint64_t key)
{
	if (LOAD(pair[0].key) == key)
		return &pair[0];
	if (LOAD(pair[1].key) == key)
		return &pair[1];
	return NULL;
}

/* now_coarse() at the start of the event (ur_known_tick) */
static __thread long long event_now;

void ur_known_tick(void)
{
	event_now = now_coarse();
}

bool ur_known_get(uint64_t key, struct stat *st, bool *present)
{
	struct path_slot *p = key ? slot_with(pair_of(key), key) : NULL;
	if (!p)
		return false;
	unsigned begun = seq_begin(&p->seq);
	uint64_t k = LOAD(p->key);
	unsigned gen = LOAD(p->gen);
	long long stamp = LOAD(p->stamp);
	unsigned mode = LOAD(p->mode), uid = LOAD(p->uid), gid = LOAD(p->gid);

	if (!seq_still(&p->seq, begun) || k != key ||
	    !fresh(gen, stamp, event_now ? event_now : now_coarse()))
		return false;
	*present = mode != 0;
	if (mode) {
		memset(st, 0, sizeof *st);
		st->st_mode = mode;
		st->st_uid = uid;
		st->st_gid = gid;
	}
	return true;
}

/* known_gen, for something about to be stamped with it (stamped_gen set
 * first: a forget that does not see it must not have been able to see
 * the stamp either) */
static unsigned gen_to_stamp(void)
{
	unsigned gen = __atomic_load_n(&known_gen, __ATOMIC_ACQUIRE);

	if (__atomic_load_n(&stamped_gen, __ATOMIC_RELAXED) != gen)
		__atomic_store_n(&stamped_gen, gen, __ATOMIC_SEQ_CST);
	return gen;
}

void ur_known_put(uint64_t key, const struct stat *st, bool present)
{
	if (!key)
		return;
	struct path_slot *pair = pair_of(key);
	struct path_slot *p = slot_with(pair, key);
	unsigned taken;

	if (!p) /* the one written longer ago */
		p = LOAD(pair[0].stamp) <= LOAD(pair[1].stamp) ? &pair[0]
							       : &pair[1];
	if (!seq_lock(&p->seq, &taken))
		return;
	STORE(p->key, key);
	STORE(p->gen, gen_to_stamp());
	STORE(p->stamp, event_now ? event_now : now_coarse());
	STORE(p->mode, present ? (unsigned)st->st_mode : 0u);
	STORE(p->uid, present ? (unsigned)st->st_uid : 0u);
	STORE(p->gid, present ? (unsigned)st->st_gid : 0u);
	seq_unlock(&p->seq, taken);
}

void ur_known_forget(uint64_t key)
{
	struct path_slot *p = key ? slot_with(pair_of(key), key) : NULL;
	unsigned taken;

	if (!p)
		return;
	if (seq_lock(&p->seq, &taken)) {
		if (LOAD(p->key) == key)
			STORE(p->key, (uint64_t)0);
		seq_unlock(&p->seq, taken);
	} else {
		ur_known_forget_all(); /* cannot clear it: clear everything */
	}
}

void ur_known_forget_all(void)
{
	unsigned gen = __atomic_load_n(&known_gen, __ATOMIC_SEQ_CST);

	if (__atomic_load_n(&stamped_gen, __ATOMIC_SEQ_CST) == gen)
		__atomic_compare_exchange_n(&known_gen, &gen, gen + 1, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* For what cwd.c remembers: stamped, and believed, as the states are. */
void ur_known_stamp(unsigned *gen, long long *stamp)
{
	*gen = gen_to_stamp();
	*stamp = now_coarse();
}

bool ur_known_fresh(unsigned gen, long long stamp)
{
	return fresh(gen, stamp, now_coarse());
}

/*
 * A chmod (mode >= 0) or chown (uid, gid; -1 keeps one) of key succeeded
 * on the file whose state was before: its state now, exactly, so that the
 * next call on it needs no fstat (tar: fchown, then fchmod).  Forgotten
 * where the kernel may also clear set-id bits (chown of a set-id file,
 * chmod that asks for setgid, which a non-member loses).
 */
void ur_known_attrs(uint64_t key, const struct stat *before, int mode, long uid,
		    long gid)
{
	struct stat now = *before;

	if (mode >= 0 && !(mode & S_ISGID)) {
		now.st_mode =
		    (before->st_mode & S_IFMT) | ((unsigned)mode & 07777);
	} else if (mode < 0 && !(before->st_mode & (S_ISUID | S_ISGID))) {
		if (uid != -1)
			now.st_uid = (uid_t)uid;
		if (gid != -1)
			now.st_gid = (gid_t)gid;
	} else {
		ur_known_forget(key);
		return;
	}
	ur_known_put(key, &now, true);
}

/* ---- descriptor trust ---- */

#define PEEK(x)	   __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define POKE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static bool single_threaded(void)
{
	return &__libc_single_threaded && __libc_single_threaded &&
	       !PEEK(fd_untrusted);
}

/*
 * A close or replace of fd (-1: of numbers not known here) begins.  It is
 * counted for its number only, unless it runs nested inside the taking of
 * an entry (a signal handler), where the number the entry will be for is
 * not known yet: then it counts for all.
 */
bool ur_fd_closing_begin(int fd)
{
	if (!single_threaded()) {
		if (!PEEK(fd_untrusted))
			POKE(fd_untrusted, 1);
		return false;
	}
	/* one thread: only a nested signal handler can interleave */
	POKE(fd_closing, PEEK(fd_closing) + 1);
	if (fd < 0 || taking)
		POKE(fd_closes, PEEK(fd_closes) + 1);
	else if (fd < FD_SLOTS)
		POKE(fd_slots[fd].num_closes,
		     PEEK(fd_slots[fd].num_closes) + 1);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return true;
}

void ur_fd_closing_end(bool counted)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (counted)
		POKE(fd_closing, PEEK(fd_closing) - 1);
}

void ur_fd_untrust(void)
{
	POKE(fd_untrusted, 1);
}

/* fd_closes now, when an entry taken now could be trusted */
static unsigned long trust_snapshot(void)
{
	if (!single_threaded() || PEEK(fd_closing))
		return NOT_TRUSTED;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return PEEK(fd_closes);
}

unsigned long ur_fd_opening(unsigned long closes)
{
	unsigned long outer = open_closes;
	open_closes = closes;
	return outer;
}

unsigned long ur_fd_take(void)
{
	taking++;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return trust_snapshot();
}

void ur_fd_taken(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	taking--;
}

/* ---- descriptor paths ---- */

/* closes: the fd_closes value the path was known under, or NOT_TRUSTED */
static void fd_put(int fd, const struct stat *st, const char *path, size_t n,
		   unsigned long closes)
{
	if (fd < 0 || fd >= FD_SLOTS || n == 0 || n >= FD_PATH_BYTES)
		return;
	struct fd_slot *f = &fd_slots[fd];
	unsigned taken;
	if (!seq_lock(&f->seq, &taken))
		return;
	STORE(f->gen, gen_to_stamp());
	STORE(f->stamp, now_coarse());
	STORE(f->dev, (uint64_t)st->st_dev);
	STORE(f->ino, (uint64_t)st->st_ino);
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = 0;
		memcpy(&w, path + i, n - i < 8 ? n - i : 8);
		STORE(f->words[i / 8], w);
	}
	STORE(f->len, (unsigned)n);
	STORE(f->closes, closes);
	STORE(f->ncloses, PEEK(f->num_closes));
	STORE(f->key, ur_hash_path(path, n));
	seq_unlock(&f->seq, taken);
	int high = __atomic_load_n(&fd_high, __ATOMIC_RELAXED);
	while (fd + 1 > high &&
	       !__atomic_compare_exchange_n(&fd_high, &high, fd + 1, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/*
 * The path of fd from its slot: when st is given, if the slot describes
 * that very file; when st is NULL, if the slot is trusted (its path key
 * in *key).
 */
static bool fd_get(int fd, const struct stat *st, char *out, size_t cap,
		   uint64_t *key)
{
	if (fd < 0 || fd >= FD_SLOTS)
		return false;
	struct fd_slot *f = &fd_slots[fd];
	unsigned begun = seq_begin(&f->seq);
	unsigned len = LOAD(f->len);
	if (len == 0 || len >= cap || len >= FD_PATH_BYTES)
		return false;
	bool same = st ? LOAD(f->dev) == (uint64_t)st->st_dev &&
			     LOAD(f->ino) == (uint64_t)st->st_ino
		       : LOAD(f->closes) == PEEK(fd_closes) &&
			     LOAD(f->ncloses) == PEEK(f->num_closes) &&
			     single_threaded();
	same = same && fresh(LOAD(f->gen), LOAD(f->stamp), now_coarse());
	/* whole words while out has room for them: past len they are the
	 * slot's zero padding, and out[len] ends the string */
	for (unsigned i = 0; i < len; i += 8) {
		uint64_t w = LOAD(f->words[i / 8]);
		if (LIKELY(i + 8 <= cap))
			memcpy(out + i, &w, 8);
		else
			memcpy(out + i, &w, len - i);
	}
	out[len] = 0;
	if (key)
		*key = LOAD(f->key);
	return same && seq_still(&f->seq, begun);
}

/*
 * The fstat taken after closes showed that fd still holds the file of its
 * slot: the slot is trusted again, as of closes (a close that begins
 * after it, a signal handler's included, moves fd_closes past it).
 */
static void fd_retrust(int fd, unsigned long closes)
{
	struct fd_slot *f = &fd_slots[fd];
	unsigned taken;

	if (closes == NOT_TRUSTED || closes != PEEK(fd_closes) ||
	    !seq_lock(&f->seq, &taken))
		return;
	STORE(f->closes, closes);
	STORE(f->ncloses, PEEK(f->num_closes));
	seq_unlock(&f->seq, taken);
}

/*
 * The absolute path fd refers to and, with st, its state in *st.  From a
 * trusted slot with the state this process knows (known path states, else
 * fstat); else from the slot after an fstat shows it holds this file;
 * else from /proc/self/fd (and remembered).
 */
static bool fd_path(int fd, char *out, size_t cap, struct stat *st,
		    bool *has_st)
{
	struct stat own;
	uint64_t key;
	bool present;

	if (fd_get(fd, NULL, out, cap, &key)) {
		if (!st)
			return true;
		if (ur_known_get(key, st, &present))
			*has_st = present;
		else if ((*has_st = ur_sys_fstat(fd, st) == 0))
			ur_known_put(key, st, true);
		return true;
	}
	if (!st) {
		st = &own;
		has_st = &present;
	}
	unsigned long closes = ur_fd_take();
	bool ok = true;
	*has_st = ur_sys_fstat(fd, st) == 0;
	if (*has_st && fd_get(fd, st, out, cap, NULL))
		fd_retrust(fd, closes);
	else if (!ur_fd_readlink(fd, out, cap))
		ok = false;
	else if (*has_st && !ur_other_process())
		fd_put(fd, st, out, strlen(out),
		       closes == PEEK(fd_closes) ? closes : NOT_TRUSTED);
	ur_fd_taken();
	return ok;
}

bool ur_fd_path_stat(int fd, char *out, size_t cap, struct stat *st,
		     bool *has_st)
{
	return fd_path(fd, out, cap, st, has_st);
}

bool ur_fd_path(int fd, char *out, size_t cap)
{
	return fd_path(fd, out, cap, NULL, NULL);
}

/*
 * An open made fd: remember the path behind it (fd_path, symlinks
 * resolved) and, when state_key is not 0, the state of that name.  The
 * entry is trusted when the wrapper of the open said what fd_closes was
 * before the call (ur_fd_opening) and no close has begun since.
 */
void ur_known_opened(int fd, const char *fd_path, uint64_t state_key)
{
	struct stat st;
	unsigned long closes = open_closes;

	if (fd < 0 || ur_sys_fstat(fd, &st) != 0)
		return;
	if (closes != PEEK(fd_closes) || PEEK(fd_closing))
		closes = NOT_TRUSTED;
	fd_put(fd, &st, fd_path, strlen(fd_path), closes);
	if (state_key)
		ur_known_put(state_key, &st, true);
}

/* path was renamed away: descriptors that remember it ask /proc again. */
void ur_known_fd_moved(const char *path)
{
	uint64_t key = ur_hash_path(path, strlen(path));
	int high = __atomic_load_n(&fd_high, __ATOMIC_RELAXED);

	for (int fd = 0; fd < high && fd < FD_SLOTS; fd++) {
		struct fd_slot *f = &fd_slots[fd];
		unsigned taken;
		if (LOAD(f->key) != key)
			continue;
		/* busy: another thread is putting a new path there */
		if (seq_lock(&f->seq, &taken)) {
			STORE(f->len, 0u);
			STORE(f->key, (uint64_t)0);
			seq_unlock(&f->seq, taken);
		}
	}
}

bool ur_known_state(const char *path, uint64_t key, struct stat *st)
{
	bool present;

	if (ur_known_get(key, st, &present))
		return present;
	present = ur_sys_lstat(path, st) == 0;
	ur_known_put(key, st, present);
	return present;
}

bool ur_dir_beyond_link(const char *dir, struct stat *st, bool present)
{
	/* the kernel makes the name in the directory a link names */
	if (present && S_ISLNK(st->st_mode))
		present = ur_sys_stat(dir, st) == 0;
	return present;
}

bool ur_parent_state(const char *dir, uint64_t key, struct stat *st)
{
	return ur_dir_beyond_link(dir, st, ur_known_state(dir, key, st));
}
