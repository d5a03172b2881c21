/*
 * baseline_collect.c - collecting a baseline (baseline.h) from a trace:
 * every successful write and every permission denial becomes the pattern
 * of its path (generalize.h), unless an "ignore" glob matches it or a
 * "patterns" glob stands for it.  A first pass over the events gathers
 * what the trace shows about how each name was made and removed
 * (tempname.h), so that a temporary name is known for one even when its
 * removal comes last.
 */
#include <errno.h>
#include <stdlib.h>

#include "baseline.h"
#include "generalize.h"
#include "pysite.h"

/* "libsqlite3.so.0:sqlite3_open_v2+0x4f" or "python3.11+0x2000". */
static char *frame_text(const struct trace_event *ev)
{
	return trace_frame_text(trace_event_frame(ev));
}

struct collector {
	struct baseline *b;
	struct tn_evidence ev; /* what the trace shows about each name */
};

static bool matches_any(char **globs, size_t n, const char *pattern,
			const char *raw)
{
	for (size_t i = 0; i < n; i++)
		if (glob_match(globs[i], pattern) || glob_match(globs[i], raw))
			return true;
	return false;
}

static const char *user_pattern_of(const struct baseline *b,
				   const char *pattern, const char *raw)
{
	for (size_t i = 0; i < b->npatterns; i++)
		if (glob_match(b->patterns[i], pattern) ||
		    glob_match(b->patterns[i], raw))
			return b->patterns[i];
	return NULL;
}

static void remember_first(struct first_seen *f, const struct trace_event *ev,
			   const char *raw, const char *op)
{
	if (f->raw)
		return;
	f->raw = xstrdup(raw);
	f->op = xstrdup(op);
	f->program = xstrdup(trace_program(ev->proc, "?"));
	f->frame = frame_text(ev);
	f->py_site = py_site_text(ev);
	f->errname = ev->errname ? xstrdup(ev->errname) : NULL;
	f->pid = ev->pid;
}

static void note(struct collector *c, struct bl_list *l,
		 const struct trace_event *ev, const char *raw, const char *op)
{
	const char *home = ev->proc ? ev->proc->home : NULL;
	unsigned long long created;
	char *pattern = generalize_path(raw, home, &c->ev, &created);
	const char *user = user_pattern_of(c->b, pattern, raw);
	struct bl_entry *e;

	if (!matches_any(c->b->ignore, c->b->nignore, pattern, raw)) {
		e = bl_list_get(l, user ? user : pattern);
		if (!user)
			e->created |= created;
		wordset_add(&e->ops, op);
		wordset_add(&e->programs, trace_program(ev->proc, "?"));
		remember_first(&e->first, ev, raw, op);
	}
	free(pattern);
}

static const char *created_or_modified(const struct file_state *st)
{
	return st->kind == ST_ABSENT ? "create" : "modify";
}

static void note_write(struct collector *c, const struct trace_event *ev)
{
	struct bl_list *w = &c->b->writes;

	switch (ev->op) {
	case OP_RENAME:
		note(c, w, ev, ev->path, "rename");
		if (ev->path2)
			note(c, w, ev, ev->path2,
			     created_or_modified(&ev->st2));
		break;
	case OP_LINK:
		if (ev->path2)
			note(c, w, ev, ev->path2, "create");
		break;
	case OP_UNLINK:
	case OP_RMDIR:
		note(c, w, ev, ev->path, "remove");
		break;
	case OP_OPEN:
	case OP_MKTEMP:
	case OP_SYMLINK:
	case OP_MKNOD:
	case OP_BIND:
		note(c, w, ev, ev->path, created_or_modified(&ev->st));
		break;
	default:
		note(c, w, ev, ev->path, op_name(ev->op));
		break;
	}
}

static int collect_event(const struct trace_event *ev, void *ctx)
{
	struct collector *c = ctx;

	if (ev->err) {
		if (!trace_event_denied(ev))
			return 0;
		note(c, &c->b->denials, ev, ev->path, op_name(ev->op));
		if (ev->path2 && (ev->op == OP_RENAME || ev->op == OP_LINK))
			note(c, &c->b->denials, ev, ev->path2, op_name(ev->op));
		return 0;
	}
	if (trace_event_writes(ev))
		note_write(c, ev);
	return 0;
}

static int note_evidence(const struct trace_event *ev, void *ctx)
{
	tn_evidence_note(ctx, ev);
	return 0;
}

/* Two passes: a name's evidence may come after its first write (a file
 * removed at the end of the run). */
void baseline_collect(struct baseline *b, struct trace *t)
{
	struct collector c = {.b = b, .ev = TN_EVIDENCE_INIT};

	trace_each_event(t, note_evidence, &c.ev);
	trace_each_event(t, collect_event, &c);
	tn_evidence_free(&c.ev);
}
