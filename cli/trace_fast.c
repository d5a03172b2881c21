/*
 * trace_fast.c - the fast event parser.  "ev" lines are nearly all of a
 * trace, and building a jansson tree for each costs more than everything
 * else the CLI does with it.  This parser reads the shape the preload
 * writes (SCHEMA.md's keys, string paths, integers, state objects, py
 * frames) straight from the line and builds the event in place.  Anything
 * else - a hex path, a real number, an escape it does not decode, an
 * unknown nested value, a duplicate key, bytes jansson would reject -
 * makes it give up before it has changed the line, and the line goes
 * through jansson (trace_event.c) as before: the two give the same
 * trace_event (tests/cli/test_reader.c compares them on a corpus).
 *
 * The records as many as the processes are read the same way, in
 * trace_fast_records.c; the scanning pieces are fastscan.h's.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fastscan.h"
#include "trace_private.h"

static bool fast_events = true;

void trace_set_fast_events(bool on)
{
	fast_events = on;
}

bool tr_fast_enabled(void)
{
	return fast_events;
}

struct fstate {
	bool set, null;
	struct fstr type, mode;
	bool has_type, has_mode, has_uid, has_gid;
	long long uid, gid;
};

struct fframe {
	bool has_f, has_l, has_fn;
	struct fstr f, fn;
	long long l;
};

/* The keys of an "ev" record (schema/keys.h), in the preload's order. */
enum fkey {
#define FK_ENUM(e) FK_##e,
	UNROOT_EV_KEYS(FK_ENUM)
#undef FK_ENUM
	    FK__COUNT
};

static const char *const fkey_names[FK__COUNT] = {
#define FK_NAME(e) K_##e,
    UNROOT_EV_KEYS(FK_NAME)
#undef FK_NAME
};

/* fev.st is indexed by fk - FK_ST */
_Static_assert(FK_ST2 == FK_ST + 1 && FK_PARENT == FK_ST + 2,
	       "st, st2 and parent follow each other in UNROOT_EV_KEYS");

struct fev {
	bool seen[FK__COUNT];
	struct fstr str[FK__COUNT]; /* string-valued keys */
	bool errno_null;
	long long num[FK__COUNT]; /* integer-valued keys */
	long long owner[2];
	struct fstate st[3]; /* st, st2, parent */
	struct fframe py[TRACE_MAX_PYFRAMES];
	int npy;
};

/* Decode a string in place (it only shrinks) and NUL-terminate it. */
static char *f_decode(struct fstr *s)
{
	char *in = s->p, *end = s->p + s->n, *out = s->p;

	if (!s->esc) {
		*end = '\0';
		return s->p;
	}
	while (in < end) {
		if (*in != '\\') {
			*out++ = *in++;
			continue;
		}
		in++;
		switch (*in) {
		case 'b':
			*out++ = '\b';
			in++;
			break;
		case 'f':
			*out++ = '\f';
			in++;
			break;
		case 'n':
			*out++ = '\n';
			in++;
			break;
		case 'r':
			*out++ = '\r';
			in++;
			break;
		case 't':
			*out++ = '\t';
			in++;
			break;
		case 'u': {
			unsigned v = 0;

			for (int i = 1; i <= 4; i++)
				v = v << 4 | (unsigned)hex_digit(in[i]);
			in += 5;
			if (v < 0x80) {
				*out++ = (char)v;
			} else if (v < 0x800) {
				*out++ = (char)(0xc0 | v >> 6);
				*out++ = (char)(0x80 | (v & 0x3f));
			} else {
				*out++ = (char)(0xe0 | v >> 12);
				*out++ = (char)(0x80 | ((v >> 6) & 0x3f));
				*out++ = (char)(0x80 | (v & 0x3f));
			}
			break;
		}
		default: /* " \ / */
			*out++ = *in++;
			break;
		}
	}
	*out = '\0';
	return s->p;
}

static enum fkey f_key(const struct fstr *s)
{
	/* the keys in the order the preload writes them come first */
	static enum fkey hint;

	for (int j = 0; j < FK__COUNT; j++) {
		int i = (hint + j) % FK__COUNT;
		const char *name = fkey_names[i];

		if (name[0] == s->p[0] && !strncmp(name, s->p, s->n) &&
		    !name[s->n]) {
			hint = (enum fkey)((i + 1) % FK__COUNT);
			return (enum fkey)i;
		}
	}
	return FK__COUNT;
}

/* {"type":...,"uid":...,"gid":...,"mode":...} or null */
static bool f_state(struct fcur *k, struct fstate *st)
{
	st->set = true;
	if (k->c < k->end && *k->c == 'n')
		return (st->null = f_lit(k, "null"));
	if (k->c == k->end || *k->c != '{')
		return false;
	k->c++;
	f_ws(k);
	if (k->c < k->end && *k->c == '}') {
		k->c++;
		return true;
	}
	for (;;) {
		struct fstr key;
		bool *seen;

		if (!f_name(k, &key))
			return false;
		if (f_is(&key, K_TYPE)) {
			seen = &st->has_type;
			if (*seen || !f_string(k, &st->type))
				return false;
		} else if (f_is(&key, K_MODE)) {
			seen = &st->has_mode;
			if (*seen || !f_string(k, &st->mode))
				return false;
		} else if (f_is(&key, K_UID)) {
			seen = &st->has_uid;
			if (*seen || !f_int(k, &st->uid))
				return false;
		} else if (f_is(&key, K_GID)) {
			seen = &st->has_gid;
			if (*seen || !f_int(k, &st->gid))
				return false;
		} else {
			return false;
		}
		*seen = true;
		int more = f_next(k, '}');
		if (more <= 0)
			return more == 0;
	}
}

/* [{"f":...,"l":...,"fn":...}, ...]: frames without "f" are dropped, as
 * decode_py() drops them, and those past TRACE_MAX_PYFRAMES ignored. */
static bool f_py(struct fcur *k, struct fev *e)
{
	if (k->c == k->end || *k->c != '[')
		return false;
	k->c++;
	f_ws(k);
	if (k->c < k->end && *k->c == ']') {
		k->c++;
		return true;
	}
	for (;;) {
		struct fframe fr = {0};

		if (k->c == k->end || *k->c != '{')
			return false;
		k->c++;
		f_ws(k);
		if (k->c < k->end && *k->c == '}')
			k->c++;
		else
			for (;;) {
				struct fstr key;

				if (!f_name(k, &key))
					return false;
				if (f_is(&key, K_PY_FILE)) {
					if (fr.has_f || !f_string(k, &fr.f))
						return false;
					fr.has_f = true;
				} else if (f_is(&key, K_PY_LINE)) {
					if (fr.has_l || !f_int(k, &fr.l))
						return false;
					fr.has_l = true;
				} else if (f_is(&key, K_PY_FUNC)) {
					if (fr.has_fn || !f_string(k, &fr.fn))
						return false;
					fr.has_fn = true;
				} else {
					return false;
				}
				int more = f_next(k, '}');
				if (more < 0)
					return false;
				if (more == 0)
					break;
			}
		if (fr.has_f && e->npy < TRACE_MAX_PYFRAMES)
			e->py[e->npy++] = fr;
		int more = f_next(k, ']');
		if (more <= 0)
			return more == 0;
	}
}

/* Read the whole line; false (the line untouched) when jansson must. */
static bool f_scan(char *line, size_t len, struct fev *e)
{
	struct fcur k = {line, line + len};

	f_ws(&k);
	if (k.c == k.end || *k.c++ != '{')
		return false;
	f_ws(&k);
	for (;;) {
		struct fstr key;
		enum fkey fk;
		bool ok;

		/* an escaped key may spell a known one: jansson's job */
		if (!f_name(&k, &key))
			return false;
		fk = f_key(&key);
		if (fk < FK__COUNT && e->seen[fk])
			return false; /* jansson keeps the last: rare, its job
				       */
		switch (fk) {
		case FK_T:
		case FK_OP:
		case FK_FN:
		case FK_PATH:
		case FK_PATH2:
		case FK_REAL:
		case FK_ARGV0:
		case FK_FLAGS:
		case FK_MODE:
		case FK_STACK:
			ok = f_string(&k, &e->str[fk]);
			break;
		case FK_ERRNO:
			if (k.c < k.end && *k.c == 'n')
				ok = e->errno_null = f_lit(&k, "null");
			else
				ok = f_string(&k, &e->str[fk]);
			break;
		case FK_RET:
		case FK_PID:
		case FK_TID:
		case FK_TS:
		case FK_UID:
		case FK_GID:
			ok = f_int(&k, &e->num[fk]);
			break;
		case FK_OWNER:
			ok = k.c < k.end && *k.c++ == '[';
			f_ws(&k);
			ok = ok && f_int(&k, &e->owner[0]);
			f_ws(&k);
			ok = ok && k.c < k.end && *k.c++ == ',';
			f_ws(&k);
			ok = ok && f_int(&k, &e->owner[1]);
			f_ws(&k);
			ok = ok && k.c < k.end && *k.c++ == ']';
			break;
		case FK_ST:
		case FK_ST2:
		case FK_PARENT:
			ok = f_state(&k, &e->st[fk - FK_ST]);
			break;
		case FK_PY:
			ok = f_py(&k, e);
			break;
		default:
			ok = f_skip(&k);
			break;
		}
		if (!ok)
			return false;
		if (fk < FK__COUNT)
			e->seen[fk] = true;
		int more = f_next(&k, '}');
		if (more < 0)
			return false;
		if (more == 0)
			break;
	}
	f_ws(&k);
	return k.c == k.end;
}

static void f_build_state(struct fstate *f, struct file_state *st)
{
	memset(st, 0, sizeof *st);
	if (!f->set) {
		st->kind = ST_UNKNOWN;
		return;
	}
	if (f->null) {
		st->kind = ST_ABSENT;
		return;
	}
	st->kind = ST_PRESENT;
	if (f->has_type) {
		int ft = tr_file_type_from_name(f_decode(&f->type));

		st->type = ft < 0 ? FT_FILE : (enum file_type)ft;
	} else {
		st->type = FT_FILE;
	}
	st->uid = (unsigned)(f->has_uid ? f->uid : 0);
	st->gid = (unsigned)(f->has_gid ? f->gid : 0);
	st->mode = f->has_mode
		       ? (unsigned)strtoul(f_decode(&f->mode), NULL, 8) & 07777
		       : 0;
}

/*
 * The event of a line the fast parser read (e): 1 when built, 0 to skip
 * it silently (an unknown operation), -1 with *why when its paths are not
 * usable (as tr_ev_path_problem()).
 */
static int fast_build(struct source *s, struct fev *e, const char **why)
{
	struct trace_event *ev = &s->ev;
	int op;

	if (!e->seen[FK_PATH]) {
		*why = "no path";
		return -1;
	}
	memset(ev, 0, sizeof *ev);
	ev->path = f_decode(&e->str[FK_PATH]);
	if (!tr_path_normal(ev->path)) {
		*why = "a path that is not absolute and normalised";
		return -1;
	}
	op = e->seen[FK_OP] ? op_from_name(f_decode(&e->str[FK_OP])) : -1;
	if (e->seen[FK_PATH2]) {
		ev->path2 = f_decode(&e->str[FK_PATH2]);
		if ((unroot_op_attrs((enum unroot_op)op) & OPA_PATH2) &&
		    !tr_path_normal(ev->path2)) {
			*why = "a path2 that is not absolute and normalised";
			return -1;
		}
	}
	if (e->seen[FK_REAL]) {
		ev->real = f_decode(&e->str[FK_REAL]);
		if (!tr_path_normal(ev->real)) {
			*why =
			    "a real path that is not absolute and normalised";
			return -1;
		}
	}
	if (op < 0)
		return 0;
	ev->op = (enum unroot_op)op;
	ev->fn = e->seen[FK_FN] ? f_decode(&e->str[FK_FN]) : "";
	if (e->seen[FK_ARGV0])
		ev->argv0 = f_decode(&e->str[FK_ARGV0]);
	if (e->seen[FK_FLAGS])
		ev->flags_text = f_decode(&e->str[FK_FLAGS]);
	ev->flags = tr_decode_flags(ev->flags_text);
	if (e->seen[FK_MODE]) {
		ev->has_mode = true;
		ev->mode =
		    (unsigned)strtoul(f_decode(&e->str[FK_MODE]), NULL, 8);
	}
	ev->owner_uid = e->seen[FK_OWNER] ? (int)e->owner[0] : -1;
	ev->owner_gid = e->seen[FK_OWNER] ? (int)e->owner[1] : -1;
	ev->ret = e->num[FK_RET];
	if (e->seen[FK_ERRNO] && !e->errno_null)
		ev->errname = f_decode(&e->str[FK_ERRNO]);
	ev->err = ev->errname ? errno_from_name(ev->errname) : 0;
	ev->pid = (int)e->num[FK_PID];
	ev->tid = (int)e->num[FK_TID];
	ev->ts = e->num[FK_TS];
	ev->uid = (unsigned)e->num[FK_UID];
	ev->gid = (unsigned)e->num[FK_GID];
	tr_event_defaults(ev, s->f, e->seen[FK_PID], e->seen[FK_TID],
			  e->seen[FK_UID], e->seen[FK_GID]);
	for (int i = 0; i < 3; i++)
		f_build_state(&e->st[i], i == 0	  ? &ev->st
					 : i == 1 ? &ev->st2
						  : &ev->parent);
	if (e->seen[FK_STACK])
		ev->stack = tr_find_stack(s->f, f_decode(&e->str[FK_STACK]));
	for (int i = 0; i < e->npy; i++) {
		struct trace_pyframe *f = &ev->py[i];

		f->file = f_decode(&e->py[i].f);
		f->line = e->py[i].has_l ? (int)e->py[i].l : 0;
		f->func = e->py[i].has_fn ? f_decode(&e->py[i].fn) : "";
	}
	ev->npy = e->npy;
	ev->proc = s->f->proc;
	ev->file = s->f->path;
	return 1;
}

int tr_fast_event(struct source *s, char *line, size_t len, const char **why)
{
	struct fev e;

	if (!fast_events)
		return -2;
	memset(&e, 0, sizeof e);
	if (!f_scan(line, len, &e))
		return -2;
	return fast_build(s, &e, why);
}
