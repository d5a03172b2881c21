/*
 * trace_fast_records.c - the records other than events that a trace has
 * as many of as processes, read without jansson: a log's "end" record and
 * a pack's framing line (tr_fast_flat), and the proc record with its
 * argv, groups and env lists (tr_fast_proc).  Through jansson, the proc
 * records of 5,000 short processes took 60% of `unroot report`'s
 * instructions.  As for events (trace_fast.c), a line this does not read
 * exactly as jansson would is left to jansson, untouched
 * (tests/cli/test_pack.c and tests/cli/test_procrec.c compare the two).
 */
#define _GNU_SOURCE
#include <string.h>

#include "fastscan.h"
#include "trace_private.h"

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
	if (!tr_fast_enabled())
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

/* ---- proc records ------------------------------------------------------ */

/* A string without escapes into *out; false for anything else. */
static bool f_plain(struct fcur *k, struct tr_slice *out)
{
	struct fstr s;

	if (!f_string(k, &s) || s.esc)
		return false;
	out->p = s.p;
	out->n = s.n;
	return true;
}

/* The opening bracket: 1 when an element follows, 0 when the closing one
 * does (empty), -1 when it is not there. */
static int f_open(struct fcur *k, char open, char close)
{
	if (k->c == k->end || *k->c != open)
		return -1;
	k->c++;
	f_ws(k);
	if (k->c < k->end && *k->c == close) {
		k->c++;
		return 0;
	}
	return 1;
}

/* An array of strings without escapes. */
static bool f_strings(struct fcur *k, struct tr_slice *v, int *n)
{
	int more = f_open(k, '[', ']');

	while (more > 0) {
		if (*n == TR_FAST_ITEMS || !f_plain(k, &v[(*n)++]))
			return false;
		more = f_next(k, ']');
	}
	return more == 0;
}

/* An array of integers. */
static bool f_ints(struct fcur *k, long long *v, int *n)
{
	int more = f_open(k, '[', ']');

	while (more > 0) {
		if (*n == TR_FAST_ITEMS || !f_int(k, &v[(*n)++]))
			return false;
		more = f_next(k, ']');
	}
	return more == 0;
}

/* An object of strings without escapes, as name, value pairs, no name
 * twice (jansson would keep one of them). */
static bool f_env(struct fcur *k, struct tr_slice *v, int *n)
{
	int more = f_open(k, '{', '}');

	while (more > 0) {
		struct fstr name;

		if (*n == 2 * TR_FAST_ITEMS || !f_name(k, &name))
			return false;
		for (int i = 0; i < *n; i += 2)
			if (v[i].n == name.n && !memcmp(v[i].p, name.p, name.n))
				return false;
		v[*n] = (struct tr_slice){name.p, name.n};
		if (!f_plain(k, &v[*n + 1]))
			return false;
		*n += 2;
		more = f_next(k, '}');
	}
	return more == 0;
}

static bool f_bool(struct fcur *k, bool *b)
{
	*b = k->c < k->end && *k->c == 't';
	return *b ? f_lit(k, "true") : f_lit(k, "false");
}

/* The keys of a proc record parse_proc reads, and the PF() bit of each
 * that a fork record may inherit. */
#define PROC_KEYS(X)          \
	X(T, 0)               \
	X(V, 0)               \
	X(PID, 0)             \
	X(PPID, 0)            \
	X(TS, 0)              \
	X(PTS, 0)             \
	X(FROM, 0)            \
	X(FORK, 0)            \
	X(EXE, PF(EXE))       \
	X(ARGV0, PF(ARGV0))   \
	X(ARGV, PF(ARGV))     \
	X(CWD, PF(CWD))       \
	X(UID, PF(UID))       \
	X(EUID, PF(EUID))     \
	X(GID, PF(GID))       \
	X(EGID, PF(EGID))     \
	X(GROUPS, PF(GROUPS)) \
	X(NS, PF(NS))         \
	X(ROOTFS, PF(ROOTFS)) \
	X(ENV, PF(ENV))       \
	X(STACKS, PF(STACKS)) \
	X(TRACER, 0)
enum pkey {
#define PK_ENUM(e, bit) PK_##e,
	PROC_KEYS(PK_ENUM)
#undef PK_ENUM
	    PK__COUNT
};

/* The key's index; the preload writes them in this order, so the search
 * starts after the last one found. */
static enum pkey f_pkey(const struct fstr *s, int *hint)
{
	static const struct {
		const char *name;
		size_t n;
	} keys[PK__COUNT] = {
#define PK_NAME(e, bit) {K_##e, sizeof K_##e - 1},
	    PROC_KEYS(PK_NAME)
#undef PK_NAME
	};

	for (int j = 0; j < PK__COUNT; j++) {
		int i = (*hint + j) % PK__COUNT;

		if (keys[i].n == s->n && !memcmp(keys[i].name, s->p, s->n)) {
			*hint = i + 1;
			return (enum pkey)i;
		}
	}
	return PK__COUNT;
}

/* One member's value; *ver and *type take "v" and "t". */
static bool f_proc_member(struct fcur *k, enum pkey key,
			  struct tr_proc_fields *r, long long *ver,
			  struct fstr *type)
{
	switch (key) {
	case PK_T:
		return f_string(k, type) && !type->esc;
	case PK_V:
		return f_int(k, ver);
	case PK_PID:
		return f_int(k, &r->pid);
	case PK_PPID:
		return f_int(k, &r->ppid);
	case PK_TS:
		return f_int(k, &r->ts);
	case PK_PTS:
		return f_int(k, &r->pts);
	case PK_FROM:
		return f_int(k, &r->from);
	case PK_FORK:
		return f_bool(k, &r->fork);
	case PK_EXE:
		return f_plain(k, &r->exe);
	case PK_ARGV0:
		return f_plain(k, &r->argv0);
	case PK_ARGV:
		return (r->has_argv = f_strings(k, r->argv, &r->nargv));
	case PK_CWD:
		return f_plain(k, &r->cwd);
	case PK_UID:
		return f_int(k, &r->uid);
	case PK_EUID:
		return (r->has_euid = f_int(k, &r->euid));
	case PK_GID:
		return f_int(k, &r->gid);
	case PK_EGID:
		return (r->has_egid = f_int(k, &r->egid));
	case PK_GROUPS:
		return (r->has_groups = f_ints(k, r->groups, &r->ngroups));
	case PK_NS:
		return f_int(k, &r->ns);
	case PK_ROOTFS:
		return f_plain(k, &r->rootfs);
	case PK_ENV:
		return (r->has_env = f_env(k, r->env, &r->nenv));
	case PK_STACKS:
		return f_bool(k, &r->stacks);
	case PK_TRACER:
		return f_plain(k, &r->tracer);
	default:
		return f_skip(k);
	}
}

/*
 * A proc record (or a fork record) read without jansson into r.  False
 * (nothing taken) when jansson must read it: another type, a key it reads
 * given twice or with a value of another kind, an escape, a path written
 * as hex, a nested value it does not read, a real number, a list longer
 * than TR_FAST_ITEMS, a schema version newer than this reader's.
 */
bool tr_fast_proc(char *line, size_t len, struct tr_proc_fields *r)
{
	static const unsigned pf_of[PK__COUNT] = {
#define PK_BIT(e, bit) bit,
	    PROC_KEYS(PK_BIT)
#undef PK_BIT
	};
	struct fcur k = {line, line + len};
	struct fstr type = {NULL, 0, false};
	long long ver = 0;
	unsigned seen = 0;
	int more = 1, hint = 0;

	/* the lists are read only as far as their counts say */
	memset(r, 0, offsetof(struct tr_proc_fields, argv));
	if (!tr_fast_enabled())
		return false;
	f_ws(&k);
	if (f_open(&k, '{', '}') <= 0)
		return false;
	while (more > 0) {
		struct fstr key;
		enum pkey pk;

		if (!f_name(&k, &key))
			return false;
		pk = f_pkey(&key, &hint);
		if (pk < PK__COUNT) {
			if (seen & (1u << pk))
				return false;
			seen |= 1u << pk;
			r->have |= pf_of[pk];
		}
		if (!f_proc_member(&k, pk, r, &ver, &type))
			return false;
		more = f_next(&k, '}');
	}
	f_ws(&k);
	return more == 0 && k.c == k.end && f_named(&type, REC_PROC) &&
	       ver <= UNROOT_SCHEMA_VERSION;
}
