/*
 * map.c - the string-keyed hash map of map.h and the string set on it.
 * Invariants: cap is 0 or a power of two; n * 2 <= cap after every
 * insertion, so a probe always reaches a free slot; a slot's hash is
 * map_hash of its key.
 */
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "util.h"

size_t map_hash(const char *key, size_t len)
{
	unsigned long long h = MAP_HASH_START;

	for (size_t i = 0; i < len; i++)
		h = MAP_HASH_STEP(h, key[i]);
	return MAP_HASH_DONE(h);
}

struct map_slot *map_find_n(const struct map *m, const char *key, size_t len,
			    size_t hash)
{
	if (!m->cap)
		return NULL;
	for (size_t i = hash & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct map_slot *s = &m->v[i];

		if (!s->key)
			return NULL;
		if (s->hash == hash && !strncmp(s->key, key, len) &&
		    !s->key[len])
			return s;
	}
}

struct map_slot *map_find(const struct map *m, const char *key)
{
	size_t len = strlen(key);

	return map_find_n(m, key, len, map_hash(key, len));
}

void *map_get(const struct map *m, const char *key)
{
	struct map_slot *s = map_find(m, key);

	return s ? s->val : NULL;
}

bool map_has(const struct map *m, const char *key)
{
	return map_find(m, key) != NULL;
}

static struct map_slot *free_slot(struct map_slot *v, size_t cap, size_t hash)
{
	size_t i = hash & (cap - 1);

	while (v[i].key)
		i = (i + 1) & (cap - 1);
	return &v[i];
}

static void grow(struct map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct map_slot *v = xcalloc(cap, sizeof *v);

	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].key)
			*free_slot(v, cap, m->v[i].hash) = m->v[i];
	free(m->v);
	m->v = v;
	m->cap = cap;
}

struct map_slot *map_put_n(struct map *m, const char *key, size_t len,
			   size_t hash, void *val)
{
	struct map_slot *s = map_find_n(m, key, len, hash);

	if (!s) {
		if ((m->n + 1) * 2 > m->cap)
			grow(m);
		s = free_slot(m->v, m->cap, hash);
		s->key = xstrndup(key, len);
		s->hash = hash;
		m->n++;
	}
	s->val = val;
	return s;
}

struct map_slot *map_put(struct map *m, const char *key, void *val)
{
	size_t len = strlen(key);

	return map_put_n(m, key, len, map_hash(key, len), val);
}

bool map_add(struct map *m, const char *key, void *val)
{
	size_t len = strlen(key), h = map_hash(key, len);

	if (map_find_n(m, key, len, h))
		return false;
	map_put_n(m, key, len, h, val);
	return true;
}

void map_free(struct map *m, void (*free_val)(void *))
{
	map_each(m, s)
	{
		free(s->key);
		if (free_val)
			free_val(s->val);
	}
	free(m->v);
	m->v = NULL;
	m->cap = m->n = 0;
}

bool strset_add(struct strset *s, const char *str)
{
	return map_add(&s->m, str, NULL);
}

bool strset_has(const struct strset *s, const char *str)
{
	return map_has(&s->m, str);
}

void strset_free(struct strset *s)
{
	map_free(&s->m, NULL);
}
