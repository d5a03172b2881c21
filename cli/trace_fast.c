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
 * Two flat records are as many as the processes and are read the same
 * way (tr_fast_flat): a log's "end" record and a pack's framing line.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "trace_private.h"

static bool fast_events = true;

void trace_set_fast_events(bool on)
{
	fast_events = on;
}

/* A string value: the bytes between the quotes, as written. */
struct fstr {
	char *p;
	size_t n;
	bool esc; /* holds a backslash escape */
};

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

/* Whether a key as written (struct fstr) is the K_* key k. */
#define f_is(s, k) \
	((s)->n == sizeof(k) - 1 && !memcmp((s)->p, k, sizeof(k) - 1))

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

struct fcur {
	char *c, *end;
};

static void f_ws(struct fcur *k)
{
	while (k->c < k->end && (*k->c == ' ' || *k->c == '\t' ||
				 *k->c == '\r' || *k->c == '\n'))
		k->c++;
}

/* What may follow a number or a literal ("nullx" is neither). */
static bool f_delim(char c)
{
	switch (c) {
	case ' ':
	case '\t':
	case '\r':
	case '\n':
	case ',':
	case '}':
	case ']':
		return true;
	default:
		return false;
	}
}

#define f_lit(k, lit) f_litn(k, lit, sizeof lit - 1)

static bool f_litn(struct fcur *k, const char *lit, size_t n)
{
	if ((size_t)(k->end - k->c) < n || memcmp(k->c, lit, n))
		return false;
	k->c += n;
	return k->c == k->end || f_delim(*k->c);
}

/* A JSON string jansson accepts, without decoding it. */
static bool f_string(struct fcur *k, struct fstr *out)
{
	char *c = k->c, *start;
	bool high = false;

	if (c == k->end || *c != '"')
		return false;
	start = ++c;
	out->esc = false;
	for (;;) {
		unsigned char ch;

		if (c == k->end)
			return false;
		ch = (unsigned char)*c;
		if (ch == '"')
			break;
		if (ch == '\\') {
			out->esc = true;
			if (++c == k->end)
				return false;
			if (*c == 'u') {
				unsigned v = 0;

				if (k->end - c < 5)
					return false;
				for (int i = 1; i <= 4; i++) {
					int h = hex_digit(c[i]);

					if (h < 0)
						return false;
					v = v << 4 | (unsigned)h;
				}
				/* \u0000 is refused by jansson; surrogate
				 * pairs are left to it */
				if (!v || (v >= 0xd800 && v <= 0xdfff))
					return false;
				c += 5;
				continue;
			}
			if (!strchr("\"\\/bfnrt", *c) || !*c)
				return false;
			c++;
			continue;
		}
		if (ch < 0x20)
			return false;
		if (ch >= 0x80)
			high = true;
		c++;
	}
	out->p = start;
	out->n = (size_t)(c - start);
	if (high && !utf8_valid(start, out->n))
		return false;
	k->c = c + 1;
	return true;
}

/* An integer as jansson reads one into a json_int_t (one out of range is
 * its error to report); a real number is left to jansson. */
static bool f_int(struct fcur *k, long long *v)
{
	char *c = k->c;
	bool neg = false;
	unsigned long long x = 0;
	int digits = 0;

	if (c < k->end && *c == '-') {
		neg = true;
		c++;
	}
	if (c == k->end || *c < '0' || *c > '9')
		return false;
	if (*c == '0' && c + 1 < k->end && c[1] >= '0' && c[1] <= '9')
		return false;
	while (c < k->end && *c >= '0' && *c <= '9') {
		if (++digits > 19)
			return false;
		x = x * 10 + (unsigned)(*c++ - '0');
	}
	if (c < k->end && !f_delim(*c))
		return false;
	if (x > (unsigned long long)LLONG_MAX + neg)
		return false;
	k->c = c;
	*v = neg ? (long long)(0 - x) : (long long)x;
	return true;
}

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

/* "KEY": and the blanks around it; false unless a plain string key. */
static bool f_name(struct fcur *k, struct fstr *key)
{
	if (!f_string(k, key) || key->esc)
		return false;
	f_ws(k);
	if (k->c == k->end || *k->c++ != ':')
		return false;
	f_ws(k);
	return true;
}

/*
 * After a member or an element: 1 when a ',' says another follows, 0 when
 * the closing bracket ends the object or array, -1 for anything else.
 */
static int f_next(struct fcur *k, char close)
{
	f_ws(k);
	if (k->c == k->end)
		return -1;
	if (*k->c == close) {
		k->c++;
		return 0;
	}
	if (*k->c++ != ',')
		return -1;
	f_ws(k);
	return 1;
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

/* An unknown key's value: a scalar, else left to jansson. */
static bool f_skip(struct fcur *k)
{
	struct fstr s;
	long long v;

	if (k->c == k->end)
		return false;
	switch (*k->c) {
	case '"':
		return f_string(k, &s);
	case 't':
		return f_lit(k, "true");
	case 'f':
		return f_lit(k, "false");
	case 'n':
		return f_lit(k, "null");
	default:
		return f_int(k, &v);
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

/* ---- flat records ------------------------------------------------------ */

/* Whether a string as written is name (f_is for a name known only at run
 * time; a NULL name matches nothing). */
static bool f_named(const struct fstr *s, const char *name)
{
	return name && s->n == strlen(name) && !memcmp(s->p, name, s->n);
}

/*
 * r->type's record ({"t":TYPE, ...} with scalar members) read without
 * jansson: the plain string of key r->skey and the integer of key r->ikey
 * (each NULL when not wanted; has_s, has_i say whether present).  False
 * (nothing decoded) when jansson must read it: another type, a wanted key
 * twice or of another kind, an escaped string or key, a nested value, a
 * real number, a schema version ("v" is checked on jansson's path).
 */
bool tr_fast_flat(char *line, size_t len, struct tr_flat *r)
{
	struct fcur k = {line, line + len};
	bool seen_t = false;

	r->has_s = r->has_i = false;
	if (!fast_events)
		return false;
	f_ws(&k);
	if (k.c == k.end || *k.c++ != '{')
		return false;
	f_ws(&k);
	for (;;) {
		struct fstr key, v = {NULL, 0, false};
		bool ok;
		int more;

		if (!f_name(&k, &key))
			return false;
		if (f_is(&key, K_T)) {
			ok = !seen_t && f_string(&k, &v) && !v.esc &&
			     f_named(&v, r->type);
			seen_t = true;
		} else if (f_is(&key, K_V)) {
			ok = false;
		} else if (f_named(&key, r->skey)) {
			ok = !r->has_s && f_string(&k, &v) && !v.esc;
			r->s = v.p;
			r->ns = v.n;
			r->has_s = true;
		} else if (f_named(&key, r->ikey)) {
			ok = !r->has_i && f_int(&k, &r->i);
			r->has_i = true;
		} else {
			ok = f_skip(&k);
		}
		if (!ok || (more = f_next(&k, '}')) < 0)
			return false;
		if (!more)
			break;
	}
	f_ws(&k);
	return seen_t && k.c == k.end;
}
