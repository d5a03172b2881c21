/*
 * pyline.c - the line numbers of Python frames, remembered.  CPython finds
 * the line a frame is at (PyFrame_GetLineNumber) by decoding its code
 * object's line table from the start every time: about 9,000 instructions
 * in a function of a hundred lines, and a call site has up to nine frames,
 * most of them the same callers event after event (compileall: nine tenths
 * of the preload's cost was there).
 *
 * The answer depends on nothing but the line table's bytes, the code's
 * first line and the frame's instruction offset, so it is remembered under
 * exactly those: the table by its length and its hash (a bytes object
 * computes its hash once and keeps it), never by an object's address.  A
 * code object freed and another made at the same address, or the same
 * function body compiled at another first line (the table holds lines
 * relative to the first), therefore never reuse a line that is not theirs.
 *
 * The memo is per thread (python.c keeps it with the thread's site), so
 * it needs no lock; it is direct-mapped, and a new key evicts the old one
 * in its slot.  A zeroed memo is empty.
 */
#include "unroot.h"

static size_t slot_of(const struct ur_pyline_key *k)
{
	uint64_t h = (uint64_t)k->table_hash;
	h ^= (uint64_t)k->lasti * 0x9e3779b97f4a7c15ull;
	h ^= (uint64_t)k->first * 0xc2b2ae3d27d4eb4full;
	h ^= (uint64_t)k->table_len;
	return (size_t)((h ^ (h >> 29)) % UR_PYLINE_SLOTS);
}

static bool same_key(const struct ur_pyline_key *a,
		     const struct ur_pyline_key *b)
{
	return a->table_hash == b->table_hash && a->table_len == b->table_len &&
	       a->first == b->first && a->lasti == b->lasti;
}

bool ur_pyline_find(const struct ur_pyline_memo *m,
		    const struct ur_pyline_key *k, int *line)
{
	const struct ur_pyline_slot *s = &m->slot[slot_of(k)];

	if (!s->used || !same_key(&s->key, k))
		return false;
	*line = s->line;
	return true;
}

void ur_pyline_keep(struct ur_pyline_memo *m, const struct ur_pyline_key *k,
		    int line)
{
	struct ur_pyline_slot *s = &m->slot[slot_of(k)];

	s->key = *k;
	s->line = line;
	s->used = true;
}
