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
 * it needs no lock.  A key belongs to one set of UR_PYLINE_WAYS slots, and
 * a new key takes an empty slot of its set or else the one used least
 * recently.  Why not one slot a key: the keys an event looks up are its
 * frames', the same few dozen event after event, and the table hash that
 * places them is the interpreter's, seeded anew by every process.  With
 * one slot a key, two of them sharing it is more likely than not (the
 * birthday bound), and two that share it evict each other at every event:
 * a compileall of the standard library asked CPython for 13,120 lines it
 * had been asked for before.  While a set holds no more keys than ways,
 * none is evicted.  A zeroed memo is empty.
 */
#include "unroot.h"

unsigned ur_pyline_set(const struct ur_pyline_key *k)
{
	uint64_t h = (uint64_t)k->table_hash;
	h ^= (uint64_t)k->lasti * 0x9e3779b97f4a7c15ull;
	h ^= (uint64_t)k->first * 0xc2b2ae3d27d4eb4full;
	h ^= (uint64_t)k->table_len;
	return (unsigned)((h ^ (h >> 29)) % UR_PYLINE_SETS);
}

static bool same_key(const struct ur_pyline_key *a,
		     const struct ur_pyline_key *b)
{
	return a->table_hash == b->table_hash && a->table_len == b->table_len &&
	       a->first == b->first && a->lasti == b->lasti;
}

/* the memo's next clock reading: never 0, which marks an empty slot (when
 * it wraps, after 2^32 uses, an eviction may take a recent key: a line
 * asked for again, never a wrong one) */
static unsigned tick(struct ur_pyline_memo *m)
{
	if (++m->clock == 0)
		m->clock = 1;
	return m->clock;
}

bool ur_pyline_find(struct ur_pyline_memo *m, const struct ur_pyline_key *k,
		    int *line)
{
	struct ur_pyline_slot *set = m->slot[ur_pyline_set(k)];

	for (int i = 0; i < UR_PYLINE_WAYS; i++) {
		if (set[i].use && same_key(&set[i].key, k)) {
			set[i].use = tick(m);
			*line = set[i].line;
			return true;
		}
	}
	return false;
}

void ur_pyline_keep(struct ur_pyline_memo *m, const struct ur_pyline_key *k,
		    int line)
{
	struct ur_pyline_slot *set = m->slot[ur_pyline_set(k)];
	struct ur_pyline_slot *s = &set[0];

	for (int i = 0; i < UR_PYLINE_WAYS; i++) {
		if (!set[i].use || same_key(&set[i].key, k)) {
			s = &set[i];
			break;
		}
		if (set[i].use < s->use)
			s = &set[i];
	}
	s->key = *k;
	s->line = line;
	s->use = tick(m);
}
