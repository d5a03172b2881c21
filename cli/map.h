/*
 * map.h - the CLI's one string-keyed hash map, and the string set built on
 * it.  Every table keyed by a path, a name or an id uses this; nothing else
 * in the CLI hashes strings.
 *
 * Open addressing with linear probing; the table is at most half full.
 * Keys are copied and owned by the map; values are the caller's (map_free
 * can free them).  Each slot keeps its key's hash, so a probe compares
 * strings only on a full hash match and growing never rehashes a key.
 *
 * The hash is FNV-1a with the high bits folded in (slots come from the low
 * bits).  Its running state is prefix-incremental: MAP_HASH_STEP over the
 * bytes of "/a" and then of "/b" gives the state of "/a/b", so a caller
 * walking a path's ancestors can hash each prefix in one pass and look it
 * up with map_find_n.
 */
#ifndef UNROOT_MAP_H
#define UNROOT_MAP_H

#include <stdbool.h>
#include <stddef.h>

#define MAP_HASH_START	    1469598103934665603ull
#define MAP_HASH_STEP(h, c) (((h) ^ (unsigned char)(c)) * 1099511628211ull)
#define MAP_HASH_DONE(h)    ((size_t)((h) ^ ((h) >> 29)))

/* The hash map_find_n expects for key[0..len). */
size_t map_hash(const char *key, size_t len);

struct map_slot {
	char *key; /* NULL: free slot */
	void *val;
	size_t hash;
};

struct map {
	struct map_slot *v;
	size_t cap, n;
};
#define MAP_INIT  \
	{         \
		0 \
	}

/* The slot of key[0..len) (hash from map_hash), or NULL. */
struct map_slot *map_find_n(const struct map *m, const char *key, size_t len,
			    size_t hash);
struct map_slot *map_find(const struct map *m, const char *key);
/* The value stored for key, NULL when absent (or when NULL was stored:
 * use map_has to tell). */
void *map_get(const struct map *m, const char *key);
bool map_has(const struct map *m, const char *key);
/* Store val for key[0..len), replacing a value already there; returns its
 * slot (valid until the next insertion). */
struct map_slot *map_put_n(struct map *m, const char *key, size_t len,
			   size_t hash, void *val);
struct map_slot *map_put(struct map *m, const char *key, void *val);
/* Insert key with val unless it is there; true when it was new. */
bool map_add(struct map *m, const char *key, void *val);
/* Free the keys, each value with free_val (when not NULL), and the table;
 * m is empty and reusable afterwards. */
void map_free(struct map *m, void (*free_val)(void *));

/* Every occupied slot, in table order: map_each(m, s) { s->key ... } */
#define map_each(m, s)                                                     \
	for (struct map_slot *s = (m)->v; s && s < (m)->v + (m)->cap; s++) \
		if (s->key)

/* ---- a set of strings: a map whose values are unused ------------------ */
struct strset {
	struct map m;
};
#define STRSET_INIT      \
	{                \
		MAP_INIT \
	}
bool strset_add(struct strset *s, const char *str); /* true when new */
bool strset_has(const struct strset *s, const char *str);
void strset_free(struct strset *s);

#endif
