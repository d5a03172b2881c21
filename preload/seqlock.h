/*
 * seqlock.h - the sequence lock of the tracer's caches (known.c, cwd.c):
 * a slot's counter is odd while one writer fills it.  A writer that finds
 * it odd, or loses the race to make it odd, gives up (a cache may skip a
 * fill); a reader copies the slot between seq_begin and seq_still and
 * throws the copy away when the counter moved or was odd.  Nothing here
 * blocks, so a signal handler that interrupts a writer of the same slot
 * only misses.  The slots' fields are read and written with relaxed
 * atomics (LOAD, STORE), so that a copy torn by a writer is a detected
 * miss, not a data race.
 */
#ifndef UNROOT_SEQLOCK_H
#define UNROOT_SEQLOCK_H

#include <stdbool.h>

#define LOAD(x)	    __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* Take a slot's sequence lock; false when another writer holds it. */
static inline bool seq_lock(unsigned *seq, unsigned *taken)
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

static inline void seq_unlock(unsigned *seq, unsigned taken)
{
	__atomic_store_n(seq, taken + 2, __ATOMIC_RELEASE);
}

/* A reader's snapshot of a slot's sequence; odd means busy. */
static inline unsigned seq_begin(const unsigned *seq)
{
	return __atomic_load_n(seq, __ATOMIC_ACQUIRE);
}

static inline bool seq_still(const unsigned *seq, unsigned begun)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return !(begun & 1) && __atomic_load_n(seq, __ATOMIC_RELAXED) == begun;
}

#endif
