/*
 * trace_merge.c - pass 2, trace_each_event(): the events of every file
 * merged in time order.  Every file that has events is opened, keeps one
 * parsed event, and the files are merged through a binary heap on (ts,
 * file order); memory is one line buffer and one event per file.  When
 * there are more files than descriptors, readers give their descriptor
 * back and reopen at the saved offset when next needed (the least
 * recently used is evicted).  A line is read by the fast parser when it
 * can (trace_fast.c), else by jansson (trace_event.c); a line already
 * diagnosed by an earlier pass is skipped without a second word.
 *
 * trace_each_notable() is the same pass for a summary: pass 1 glanced at
 * each event line (tr_glance: its operation, open flags and errno key as
 * the preload writes them) and counted the successful writes; only the
 * files that hold other events are read again, only where pass 1 saw
 * them (struct tr_spot), and only those events are decoded.  A line the
 * glance counts is not checked further: damage inside it (not a cut: pass
 * 1 finds those) is diagnosed only by a full pass.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "trace_private.h"

struct merge {
	struct trace *t;
	struct source *src;
	size_t nsrc;
	size_t *heap, nheap;
	size_t open, max_open;
	unsigned long clock;
	struct trace_tally *tally; /* trace_each_notable: what it decodes */
};

/* Opener for the line readers: keeps at most max_open descriptors. */
static int merge_open(struct lreader *r, void *ctx)
{
	struct merge *m = ctx;

	for (;;) {
		struct source *lru = NULL;

		if (m->open < m->max_open) {
			if (lr_open(r) == 0) {
				m->open++;
				r->last_use = ++m->clock;
				return 0;
			}
			if ((errno != EMFILE && errno != ENFILE) || !m->open)
				return -1;
			m->max_open = m->open; /* the real limit is lower */
		}
		/* evict the least recently used descriptor */
		for (size_t i = 0; i < m->nsrc; i++) {
			struct source *s = &m->src[i];

			if (s->r.fd >= 0 && &s->r != r &&
			    (!lru || s->r.last_use < lru->r.last_use))
				lru = s;
		}
		if (!lru)
			return -1;
		lr_release_fd(&lru->r);
		m->open--;
	}
}

static bool src_less(const struct merge *m, size_t a, size_t b)
{
	const struct source *x = &m->src[a], *y = &m->src[b];

	if (x->ev.ts != y->ev.ts)
		return x->ev.ts < y->ev.ts;
	return x->order < y->order;
}

static void heap_down(struct merge *m, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i, tmp;

		if (l < m->nheap && src_less(m, m->heap[l], m->heap[min]))
			min = l;
		if (r < m->nheap && src_less(m, m->heap[r], m->heap[min]))
			min = r;
		if (min == i)
			return;
		tmp = m->heap[i];
		m->heap[i] = m->heap[min];
		m->heap[min] = tmp;
		i = min;
	}
}

/* Raise the soft descriptor limit to the hard one; return what we may use. */
static size_t fd_budget(size_t want)
{
	struct rlimit rl;
	size_t avail;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 64;
	if (rl.rlim_cur < rl.rlim_max && want + 64 > rl.rlim_cur) {
		rlim_t old = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			rl.rlim_cur = old;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20))
		rl.rlim_cur = 1u << 20;
	avail = rl.rlim_cur > 64 ? (size_t)rl.rlim_cur - 48 : 16;
	return avail < want ? avail : want;
}

/* Decode an event line into s (false: skipped, diagnosed when fresh). */
static bool decode_line(struct merge *m, struct source *s, char *line,
			size_t len, bool fresh)
{
	struct trace *t = m->t;
	json_error_t err;
	const char *why = NULL;
	json_t *o;
	int b = tr_fast_event(s, line, len, &why);

	if (b == -1 && fresh)
		tr_diag(t, s->f->path, s->r.lineno, true,
			"event with %s: skipped", why);
	if (b != -2)
		return b == 1;
	o = json_loadb(line, len, 0, &err);
	if (!o || !json_is_object(o)) {
		if (fresh)
			tr_diag(t, s->f->path, s->r.lineno, true,
				"corrupt line (%s): skipped",
				o ? "not an object" : err.text);
		json_decref(o);
		return false;
	}
	if ((why = tr_ev_path_problem(t, o))) {
		if (fresh)
			tr_diag(t, s->f->path, s->r.lineno, true,
				"event with %s: skipped", why);
		json_decref(o);
		return false;
	}
	if (!tr_json_build(s, o)) {
		json_decref(o);
		return false;
	}
	s->cur = o;
	return true;
}

/* trace_each_notable: count a decoded event; whether it is given on. */
static bool tally_decoded(struct trace_tally *tally,
			  const struct trace_event *ev)
{
	bool writes = trace_event_writes(ev);

	if (writes && !ev->err)
		tally->written++;
	if (writes && trace_event_denied(ev))
		tally->denied++;
	return (unroot_op_attrs(ev->op) & OPA_RUNS) || (writes && ev->err);
}

/* trace_each_notable: go to the next line pass 1 marked; false when the
 * file has no more.  Past its last spot a file whose notable lines were
 * not all marked is read on, line by line. */
static bool next_spot(struct source *s)
{
	const struct logfile *f = s->f;
	bool all = f->nnotable == (long long)f->nspots;

	if (s->spot < f->nspots)
		lr_seek(&s->r, &f->spots[s->spot++]);
	else if (all)
		return false;
	return true;
}

/* Advance a source to its next usable event. */
static void source_next(struct merge *m, struct source *s)
{
	struct trace *t = m->t;
	char *line;
	size_t len;
	enum lr_end how;
	int rc = 0;

	json_decref(s->cur);
	s->cur = NULL;
	s->has = false;
	s->r.last_use = ++m->clock;
	while ((!m->tally || next_spot(s)) &&
	       (rc = lr_next(&s->r, &line, &len, &how, merge_open, m)) > 0) {
		bool fresh = s->r.lineno > s->f->ev_checked;
		enum glance g = GL_DECODE;

		if (tr_line_is_event(line, len) != 1)
			continue;
		if (tr_line_looks_cut(line, len))
			continue; /* diagnosed in pass 1 */
		if (m->tally)
			g = tr_glance(line, len); /* counted in pass 1 */
		if (g != GL_DECODE || !decode_line(m, s, line, len, fresh))
			continue;
		if (m->tally && !tally_decoded(m->tally, &s->ev)) {
			json_decref(s->cur);
			s->cur = NULL;
			continue;
		}
		s->has = true;
		break;
	}
	if (s->has)
		s->ev.line = s->r.lineno;
	if (rc < 0 && s->r.lineno >= s->f->ev_checked)
		tr_diag(t, s->f->path, s->r.lineno + 1, false,
			"read error while streaming events: %s",
			strerror(errno));
	if (s->r.lineno > s->f->ev_checked)
		s->f->ev_checked = s->r.lineno;
	if (!s->has && s->r.fd >= 0) {
		lr_release_fd(&s->r);
		m->open--;
	}
}

static void merge_free(struct merge *m)
{
	for (size_t i = 0; i < m->nsrc; i++) {
		struct source *s = &m->src[i];

		json_decref(s->cur);
		lr_free(&s->r);
		for (size_t j = 0; j < 4; j++)
			sb_release(&s->pathbuf[j]);
		for (size_t j = 0; j < TRACE_MAX_PYFRAMES; j++)
			sb_release(&s->pybuf[j]);
	}
	free(m->src);
	free(m->heap);
}

/* Whether pass 2 reads file f: it has events the pass gives on. */
static bool merge_reads(const struct merge *m, const struct logfile *f)
{
	return !f->skip && (m->tally ? f->nnotable : f->nevents) > 0;
}

/* Stream the events of every file in time order into fn (m: its trace
 * and, for trace_each_notable, its tally). */
static int merge_run(struct merge *m,
		     int (*fn)(const struct trace_event *ev, void *ctx),
		     void *ctx)
{
	struct trace *t = m->t;
	int rc = 0;

	for (size_t i = 0; i < t->nfiles; i++)
		if (merge_reads(m, &t->files[i]))
			m->nsrc++;
	if (!m->nsrc)
		return 0;
	m->src = xcalloc(m->nsrc, sizeof *m->src);
	m->heap = xcalloc(m->nsrc, sizeof *m->heap);
	m->max_open = fd_budget(m->nsrc);
	m->nsrc = 0;
	for (size_t i = 0; i < t->nfiles; i++) {
		struct source *s;

		if (!merge_reads(m, &t->files[i]))
			continue;
		s = &m->src[m->nsrc++];
		s->f = &t->files[i];
		s->order = i;
		for (size_t j = 0; j < 4; j++)
			sb_init(&s->pathbuf[j]);
		for (size_t j = 0; j < TRACE_MAX_PYFRAMES; j++)
			sb_init(&s->pybuf[j]);
		lr_init(&s->r, NULL, 1 << 14);
		lr_start(&s->r, s->f);
		source_next(m, s);
		if (s->has)
			m->heap[m->nheap++] = (size_t)(s - m->src);
	}
	for (size_t i = m->nheap; i-- > 0;)
		heap_down(m, i);
	while (m->nheap) {
		struct source *s = &m->src[m->heap[0]];

		if ((rc = fn(&s->ev, ctx)))
			break;
		source_next(m, s);
		if (!s->has)
			m->heap[0] = m->heap[--m->nheap];
		heap_down(m, 0);
	}
	merge_free(m);
	return rc;
}

int trace_each_event(struct trace *t,
		     int (*fn)(const struct trace_event *ev, void *ctx),
		     void *ctx)
{
	struct merge m = {.t = t};

	return merge_run(&m, fn, ctx);
}

int trace_each_notable(struct trace *t,
		       int (*fn)(const struct trace_event *ev, void *ctx),
		       void *ctx, struct trace_tally *tally)
{
	struct merge m = {.t = t, .tally = tally};

	*tally = (struct trace_tally){0};
	for (size_t i = 0; i < t->nfiles; i++)
		if (!t->files[i].skip)
			tally->written += t->files[i].nwritten;
	return merge_run(&m, fn, ctx);
}
