/*
 * baseline_align.c - baselines that learn what varies: several runs of one
 * job aligned (baseline_align_runs), `check --update` widening an entry
 * instead of adding a sibling (baseline_update), and the accepted entry a
 * new path resembles (baseline_temp_sibling).  docs/baseline.md ("Several
 * runs") defines the alignment; tempname_align() decides, for one
 * component, whether two names differ only in a random token.
 *
 * Invariants: a component is generalised only where two runs differ in
 * it and every other component of the two patterns is equal; a pattern
 * present in every run is never rewritten; the result holds one entry
 * per distinct pattern, with the ops and programs of every entry folded
 * into it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "tempname.h"

/* ---- components ------------------------------------------------------ */

struct span {
	size_t at, len;
};

/* The components of p ('/' splits; "" before a leading '/'): their count,
 * and *v allocated. */
static size_t split(const char *p, struct span **v)
{
	size_t n = 0, cap = 0, i = 0;

	*v = NULL;
	for (;;) {
		size_t k = strcspn(p + i, "/");

		*v = xgrow(*v, &cap, n + 1, sizeof **v);
		(*v)[n++] = (struct span){i, k};
		if (!p[i + k])
			return n;
		i += k + 1;
	}
}

static bool created_at(unsigned long long mask, size_t i)
{
	return i < 64 && ((mask >> i) & 1);
}

/*
 * Two patterns equal in every component but one, which differs in one
 * random token: the pattern covering both (allocated), else NULL.
 */
static char *align_patterns(const char *a, unsigned long long ac, const char *b,
			    unsigned long long bc)
{
	struct span *va, *vb;
	size_t na = split(a, &va), nb = split(b, &vb), diff = na, ndiff = 0;
	struct strbuf sb = STRBUF_INIT;
	char *r = NULL;

	for (size_t i = 0; na == nb && i < na; i++)
		if (va[i].len != vb[i].len ||
		    memcmp(a + va[i].at, b + vb[i].at, va[i].len)) {
			diff = i;
			ndiff++;
		}
	if (na == nb && ndiff == 1) {
		sb_add(&sb, a, va[diff].at);
		if (tempname_align(a + va[diff].at, va[diff].len,
				   created_at(ac, diff), b + vb[diff].at,
				   vb[diff].len, created_at(bc, diff), &sb)) {
			sb_adds(&sb, a + va[diff].at + va[diff].len);
			r = sb_detach(&sb);
		}
	}
	sb_release(&sb);
	free(va);
	free(vb);
	return r;
}

/* ---- several runs ---------------------------------------------------- */

/* One entry of one run, and its pattern as the rules have rewritten it. */
struct item {
	size_t run;
	const struct bl_entry *e;
	char *pat;
};

/* Components learned for one parent: "job-{rand}" under "/tmp/". */
struct learned {
	char **comp;
	size_t n, cap;
};

/* How many runs hold a pattern. */
struct presence {
	size_t last_run, nruns;
};

struct aligner {
	struct item *v;
	size_t n, cap, nruns;
	struct map rules; /* parent prefix ("/tmp/") -> struct learned */
};

static void free_learned(void *p)
{
	struct learned *l = p;

	for (size_t i = 0; i < l->n; i++)
		free(l->comp[i]);
	free(l->comp);
	free(l);
}

/* The learned components of a parent prefix, or NULL. */
static const struct learned *rules_of(const struct aligner *a,
				      const char *parent, size_t len)
{
	const struct map_slot *s =
	    map_find_n(&a->rules, parent, len, map_hash(parent, len));

	return s ? s->val : NULL;
}

/* The pattern with the learned components in place of those they cover,
 * from the root down: a rewritten parent may let a deeper rule apply. */
static char *apply_rules(const struct aligner *a, const char *pat)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = pat;

	for (;;) {
		size_t k = strcspn(p, "/");
		const struct learned *l = rules_of(a, out.buf, out.len);
		const char *use = NULL;

		for (size_t i = 0; l && i < l->n && !use; i++)
			if (tempname_component_covers(l->comp[i],
						      strlen(l->comp[i]), p, k))
				use = l->comp[i];
		if (use)
			sb_adds(&out, use);
		else
			sb_add(&out, p, k);
		if (!p[k])
			break;
		sb_addc(&out, '/');
		p += k + 1;
	}
	return sb_detach(&out);
}

/* Learn comp under parent[0..len); false when it was known. */
static bool learn(struct aligner *a, const char *parent, size_t len,
		  const char *comp, size_t clen)
{
	struct map_slot *s =
	    map_find_n(&a->rules, parent, len, map_hash(parent, len));
	struct learned *l;

	if (!s) {
		char *key = xstrndup(parent, len);

		s = map_put(&a->rules, key, xcalloc(1, sizeof *l));
		free(key);
	}
	l = s->val;
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->comp[i]) == clen &&
		    !memcmp(l->comp[i], comp, clen))
			return false;
	l->comp = xgrow(l->comp, &l->cap, l->n + 1, sizeof *l->comp);
	l->comp[l->n++] = xstrndup(comp, clen);
	return true;
}

/* A pattern present in every run: never rewritten. */
static bool is_stable(const struct map *presence, const char *pat, size_t nruns)
{
	const struct presence *p = map_get(presence, pat);

	return p && p->nruns == nruns;
}

static void count_presence(const struct aligner *a, struct map *presence)
{
	for (size_t i = 0; i < a->n; i++) {
		struct map_slot *s = map_find(presence, a->v[i].pat);
		struct presence *p;

		if (!s)
			s = map_put(presence, a->v[i].pat,
				    xcalloc(1, sizeof *p));
		p = s->val;
		if (!p->nruns || p->last_run != a->v[i].run) {
			p->nruns++;
			p->last_run = a->v[i].run;
		}
	}
}

/* Items that differ in component i only, grouped by the rest. */
struct group {
	size_t *item;
	size_t n, cap;
	size_t comp; /* the component they differ in */
};

static void free_group(void *p)
{
	struct group *g = p;

	free(g->item);
	free(g);
}

/* Group every unstable item under each "pattern without component i". */
static void group_items(const struct aligner *a, const struct map *presence,
			struct map *groups)
{
	struct strbuf key = STRBUF_INIT;

	for (size_t i = 0; i < a->n; i++) {
		const char *pat = a->v[i].pat;
		struct span *v;
		size_t nc;

		if (is_stable(presence, pat, a->nruns))
			continue;
		nc = split(pat, &v);
		for (size_t c = 1; c < nc; c++) {
			struct map_slot *s;
			struct group *g;

			sb_reset(&key);
			sb_addf(&key, "%zu:", c);
			sb_add(&key, pat, v[c].at);
			sb_addc(&key, '\n');
			sb_adds(&key, pat + v[c].at + v[c].len);
			s = map_find(groups, key.buf);
			if (!s) {
				s = map_put(groups, key.buf,
					    xcalloc(1, sizeof *g));
				((struct group *)s->val)->comp = c;
			}
			g = s->val;
			g->item =
			    xgrow(g->item, &g->cap, g->n + 1, sizeof *g->item);
			g->item[g->n++] = i;
		}
		free(v);
	}
	sb_release(&key);
}

/* Learn from one group: each item aligned with the first item of another
 * run it aligns with.  Returns how many components were new. */
static size_t learn_group(struct aligner *a, const struct group *g)
{
	size_t learned = 0;

	for (size_t x = 0; x < g->n; x++) {
		const struct item *ix = &a->v[g->item[x]];

		for (size_t y = 0; y < g->n; y++) {
			const struct item *iy = &a->v[g->item[y]];
			char *pat;
			struct span *v;

			if (iy->run == ix->run)
				continue;
			pat = align_patterns(ix->pat, ix->e->created, iy->pat,
					     iy->e->created);
			if (!pat)
				continue;
			split(pat, &v);
			learned += learn(a, pat, v[g->comp].at,
					 pat + v[g->comp].at, v[g->comp].len);
			free(v);
			free(pat);
			break;
		}
	}
	return learned;
}

/* One round: rewrite the unstable patterns by what was learned, then
 * learn from the groups.  Returns how many components were new. */
static size_t align_round(struct aligner *a)
{
	struct map presence = MAP_INIT, groups = MAP_INIT;
	size_t learned = 0;

	count_presence(a, &presence);
	for (size_t i = 0; i < a->n; i++) {
		char *pat;

		if (is_stable(&presence, a->v[i].pat, a->nruns))
			continue;
		pat = apply_rules(a, a->v[i].pat);
		free(a->v[i].pat);
		a->v[i].pat = pat;
	}
	map_free(&presence, free);
	count_presence(a, &presence);
	group_items(a, &presence, &groups);
	map_each(&groups, s) learned += learn_group(a, s->val);
	map_free(&groups, free_group);
	map_free(&presence, free);
	return learned;
}

static void align_lists(struct bl_list *dst, const struct bl_list *const *runs,
			size_t nruns)
{
	struct aligner a = {.nruns = nruns, .rules = MAP_INIT};

	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r]->n; i++) {
			a.v = xgrow(a.v, &a.cap, a.n + 1, sizeof *a.v);
			a.v[a.n++] = (struct item){r, &runs[r]->v[i],
						   xstrdup(runs[r]->v[i].path)};
		}
	while (align_round(&a))
		;
	for (size_t i = 0; i < a.n; i++) {
		bl_entry_merge(bl_list_get(dst, a.v[i].pat), a.v[i].e);
		free(a.v[i].pat);
	}
	free(a.v);
	map_free(&a.rules, free_learned);
}

void baseline_align_runs(struct baseline *dst, const struct baseline *runs,
			 size_t nruns)
{
	const struct bl_list **l = xcalloc(nruns ? nruns : 1, sizeof *l);

	for (size_t r = 0; r < nruns; r++)
		l[r] = &runs[r].writes;
	align_lists(&dst->writes, l, nruns);
	for (size_t r = 0; r < nruns; r++)
		l[r] = &runs[r].denials;
	align_lists(&dst->denials, l, nruns);
	free(l);
}

void baseline_collect_runs(struct baseline *dst, struct trace *const *traces,
			   size_t ntraces)
{
	struct baseline *runs = xcalloc(ntraces ? ntraces : 1, sizeof *runs);

	for (size_t r = 0; r < ntraces; r++) {
		baseline_init(&runs[r]);
		baseline_copy_rules(&runs[r], dst);
		baseline_collect(&runs[r], traces[r]);
	}
	baseline_align_runs(dst, runs, ntraces);
	for (size_t r = 0; r < ntraces; r++)
		baseline_free(&runs[r]);
	free(runs);
}

/* ---- widening and explaining ----------------------------------------- */

/* The accepted entry that seen differs from in one random token, and the
 * pattern covering both.  The accepted side has no evidence of its own
 * (a file): it is the same job, so it counts with the seen side's. */
static struct bl_entry *find_sibling(const struct bl_list *accepted,
				     const struct bl_entry *seen,
				     char **widened)
{
	for (size_t i = 0; i < accepted->n; i++) {
		char *pat = align_patterns(accepted->v[i].path, seen->created,
					   seen->path, seen->created);

		if (pat) {
			*widened = pat;
			return &accepted->v[i];
		}
	}
	*widened = NULL;
	return NULL;
}

const struct bl_entry *baseline_temp_sibling(const struct bl_list *accepted,
					     const struct bl_entry *seen,
					     char **widened)
{
	return find_sibling(accepted, seen, widened);
}

/* The first accepted entry covering path, or NULL. */
static struct bl_entry *covering(const struct bl_list *l, const char *path)
{
	struct bl_entry *e = bl_list_find(l, path);

	for (size_t i = 0; !e && i < l->n; i++)
		if (bl_pattern_covers(l->v[i].path, path))
			e = &l->v[i];
	return e;
}

static void update_list(struct bl_list *accepted, const struct bl_list *seen)
{
	for (size_t i = 0; i < seen->n; i++) {
		const struct bl_entry *s = &seen->v[i];
		struct bl_entry *e = covering(accepted, s->path);
		char *widened;

		if (!e) {
			e = find_sibling(accepted, s, &widened);
			if (e) {
				e = bl_list_rename(accepted, e, widened);
				free(widened);
			} else {
				e = bl_list_get(accepted, s->path);
			}
		}
		bl_entry_merge(e, s);
	}
}

void baseline_update(struct baseline *accepted, const struct baseline *seen)
{
	update_list(&accepted->writes, &seen->writes);
	update_list(&accepted->denials, &seen->denials);
}
