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
 *   as the open that made the fd named it, checked at every use against the
 *   fd's device and inode (a reused number misses).
 *
 * An entry is believed for at most KNOWN_TTL_NS.  Everything is forgotten
 * when this process reaps a child (wait*, system, pclose: the child may
 * have changed the tree) and when it renames a directory (the paths below
 * it changed).  What another process changes inside that
 * window is not seen: the pre-state of a path written concurrently by two
 * unrelated processes may be up to KNOWN_TTL_NS old (SCHEMA.md says so).
 *
 * Every slot is a sequence lock.  A writer that finds a slot busy gives up
 * (this is a cache); a reader that finds it busy or changed under it
 * counts a miss.  Nothing here allocates, locks or can fail the workload.
 */
#include <time.h>

#include "unroot.h"

#define KNOWN_TTL_NS  (100 * 1000 * 1000LL)
#define PATH_SLOTS    4096 /* a power of two */
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

struct __attribute__((aligned(64))) fd_slot {
	unsigned seq, gen;
	long long stamp;
	uint64_t dev, ino;
	unsigned len;			   /* 0: empty */
	uint64_t words[FD_PATH_BYTES / 8]; /* the path, 8 bytes a store */
};

static struct path_slot path_slots[PATH_SLOTS];
static struct fd_slot fd_slots[FD_SLOTS];
static uint64_t fd_keys[FD_SLOTS]; /* hash of each fd slot's path */
static unsigned known_gen FORK_STATE = 1;
static int fd_high; /* one past the highest fd slot ever filled */

static long long now_coarse(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A 64-bit hash of a path, eight bytes at a time; never 0. */
uint64_t ur_hash_path(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	uint64_t w = 0;
	memcpy(&w, s + i, n - i);
	/* murmur3's finaliser: every input bit reaches the low bits */
	h ^= w;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h | 1;
}

#define LOAD(x)	    __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* Take a slot's sequence lock; false when another writer holds it. */
static bool seq_lock(unsigned *seq, unsigned *taken)
{
	unsigned s = __atomic_load_n(seq, __ATOMIC_ACQUIRE);
	if (s & 1)
		return false;
	if (!__atomic_compare_exchange_n(seq, &s, s + 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	*taken = s;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return true;
}

static void seq_unlock(unsigned *seq, unsigned taken)
{
	__atomic_store_n(seq, taken + 2, __ATOMIC_RELEASE);
}

/* A reader's snapshot of a slot's sequence; odd means busy. */
static unsigned seq_begin(const unsigned *seq)
{
	return __atomic_load_n(seq, __ATOMIC_ACQUIRE);
}

static bool seq_still(const unsigned *seq, unsigned begun)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return !(begun & 1) && __atomic_load_n(seq, __ATOMIC_RELAXED) == begun;
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
 * replaces the older entry of a pair.
 */
static struct path_slot *pair_of(uint64_t key)
{
	return &path_slots[(key >> 1) & (PATH_SLOTS - 2)];
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
	STORE(p->gen, __atomic_load_n(&known_gen, __ATOMIC_ACQUIRE));
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
	__atomic_add_fetch(&known_gen, 1, __ATOMIC_ACQ_REL);
}

/* ---- descriptor paths ---- */

static void fd_put(int fd, const struct stat *st, const char *path, size_t n)
{
	if (fd < 0 || fd >= FD_SLOTS || n == 0 || n >= FD_PATH_BYTES)
		return;
	struct fd_slot *f = &fd_slots[fd];
	unsigned taken;
	if (!seq_lock(&f->seq, &taken))
		return;
	STORE(f->gen, __atomic_load_n(&known_gen, __ATOMIC_ACQUIRE));
	STORE(f->stamp, now_coarse());
	STORE(f->dev, (uint64_t)st->st_dev);
	STORE(f->ino, (uint64_t)st->st_ino);
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = 0;
		memcpy(&w, path + i, n - i < 8 ? n - i : 8);
		STORE(f->words[i / 8], w);
	}
	STORE(f->len, (unsigned)n);
	STORE(fd_keys[fd], ur_hash_path(path, n));
	seq_unlock(&f->seq, taken);
	int high = __atomic_load_n(&fd_high, __ATOMIC_RELAXED);
	while (fd + 1 > high &&
	       !__atomic_compare_exchange_n(&fd_high, &high, fd + 1, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* The path of fd from its slot, when the slot describes this very file. */
static bool fd_get(int fd, const struct stat *st, char *out, size_t cap)
{
	if (fd < 0 || fd >= FD_SLOTS)
		return false;
	struct fd_slot *f = &fd_slots[fd];
	unsigned begun = seq_begin(&f->seq);
	unsigned len = LOAD(f->len);
	if (len == 0 || len >= cap || len >= FD_PATH_BYTES)
		return false;
	bool same = LOAD(f->dev) == (uint64_t)st->st_dev &&
		    LOAD(f->ino) == (uint64_t)st->st_ino &&
		    fresh(LOAD(f->gen), LOAD(f->stamp), now_coarse());
	for (unsigned i = 0; i < len; i += 8) {
		uint64_t w = LOAD(f->words[i / 8]);
		memcpy(out + i, &w, len - i < 8 ? len - i : 8);
	}
	out[len] = 0;
	return same && seq_still(&f->seq, begun);
}

/*
 * The absolute path fd refers to, and its fstat in *st.  From the table
 * when the slot holds this file, else from /proc/self/fd (and remembered).
 */
bool ur_fd_path_stat(int fd, char *out, size_t cap, struct stat *st,
		     bool *has_st)
{
	*has_st = ur_sys_fstat(fd, st) == 0;
	if (*has_st && fd_get(fd, st, out, cap))
		return true;
	if (!ur_fd_readlink(fd, out, cap))
		return false;
	if (*has_st)
		fd_put(fd, st, out, strlen(out));
	return true;
}

bool ur_fd_path(int fd, char *out, size_t cap)
{
	struct stat st;
	bool has_st;
	return ur_fd_path_stat(fd, out, cap, &st, &has_st);
}

/*
 * An open made fd: remember the path behind it (fd_path, symlinks
 * resolved) and, when state_key is not 0, the state of that name.
 */
void ur_known_opened(int fd, const char *fd_path, uint64_t state_key)
{
	struct stat st;

	if (fd < 0 || ur_sys_fstat(fd, &st) != 0)
		return;
	fd_put(fd, &st, fd_path, strlen(fd_path));
	if (state_key)
		ur_known_put(state_key, &st, true);
}

/* path was renamed away: descriptors that remember it ask /proc again. */
void ur_known_fd_moved(const char *path)
{
	uint64_t key = ur_hash_path(path, strlen(path));
	int high = __atomic_load_n(&fd_high, __ATOMIC_RELAXED);

	for (int fd = 0; fd < high && fd < FD_SLOTS; fd++) {
		if (LOAD(fd_keys[fd]) != key)
			continue;
		struct fd_slot *f = &fd_slots[fd];
		unsigned taken;
		/* busy: another thread is putting a new path there */
		if (seq_lock(&f->seq, &taken)) {
			STORE(f->len, 0u);
			STORE(fd_keys[fd], (uint64_t)0);
			seq_unlock(&f->seq, taken);
		}
	}
}
