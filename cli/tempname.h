/*
 * tempname.h - the one classifier of temporary names: given a path
 * component and what the trace shows about how it was made, say whether
 * it is a temporary name and which bytes are its random token, so that
 * "/tmp/job-ij3amb3p/out.txt" becomes "/tmp/job-{rand}/out.txt" with its
 * stable prefix and suffix kept.  The baseline generalises with it
 * (generalize.c); the planner asks it so that it never grants such a name.
 * Every rule, the evidence it needs, and the fallback's known false
 * positives and negatives are in docs/baseline.md ("Temporary names").
 *
 * Also here, because they decide the same question across runs: aligning
 * two components that differ in one random token (several runs of a job,
 * `check --update`), and matching a "{rand}" of a baseline entry.
 */
#ifndef UNROOT_TEMPNAME_H
#define UNROOT_TEMPNAME_H

#include <stdbool.h>
#include <stddef.h>

#include "map.h"
#include "trace.h"
#include "util.h"

#define TN_PLACEHOLDER "{rand}"

/* What a trace shows about one path (bits). */
enum {
	TN_EXCL = 1,	 /* created exclusively: an O_CREAT|O_EXCL open,
			    mkdir, mknod, symlink, the new name of link or of
			    a RENAME_NOREPLACE rename */
	TN_TEMPLATE = 2, /* named by mkstemp()/mkdtemp() and friends */
	TN_REMOVED = 4,	 /* unlinked, removed or renamed away */
	TN_PRIVATE = 8,	 /* created asking for no permission for group and
			    others (0600, 0700), as temporary-file APIs do */
	/* Not recorded per path: the classifier's input when the
	 * component's directory was itself created exclusively. */
	TN_PARENT_EXCL = 16,
	/* renamed over a sibling whose name begins it ("x.json" made as
	 * "x.jsonk3j_2q9a.tmp", or ".x.json.Ab12Cd"): how many bytes of the
	 * component are that kept name is in the bits from TN_KEPT_SHIFT */
	TN_ADJACENT = 32,
};
#define TN_KEPT_SHIFT 8
#define TN_KEPT_MAX   255u

/* The evidence of a trace: raw path -> bits. */
struct tn_evidence {
	struct map m;
};
#define TN_EVIDENCE_INIT \
	{                \
		MAP_INIT \
	}

/* Record what one event shows (successful events only). */
void tn_evidence_note(struct tn_evidence *ev, const struct trace_event *e);
/* The bits of path[0..len) (hash from map_hash), 0 when none. */
unsigned tn_evidence_of(const struct tn_evidence *ev, const char *path,
			size_t len, size_t hash);
void tn_evidence_free(struct tn_evidence *ev);

/* Which rule found a temporary name (docs/baseline.md, in this order). */
enum tn_rule {
	TN_NOT_TEMP,
	TN_BY_TEMPLATE,	  /* the mkstemp family's XXXXXX */
	TN_BY_CONVENTION, /* a generator's known prefix or marker */
	TN_BY_EVIDENCE,	  /* made exclusively and removed, or inside a
			     directory made exclusively */
	TN_BY_SHAPE,	  /* the fallback: a generator's alphabet and length */
};

struct tn_token {
	size_t start, len; /* the random bytes within the component */
	enum tn_rule rule;
};

/*
 * Classify the component c[0..len) given its evidence bits (TN_PARENT_EXCL
 * set by the caller when its directory was created exclusively).  Returns
 * true with *tok set when it is a temporary name.
 */
bool tempname_classify(const char *c, size_t len, unsigned evidence,
		       struct tn_token *tok);

/*
 * The first temporary component of a raw path: true with its offset and
 * length.  ev may be NULL (then only the rules that need no evidence).
 */
bool tempname_in_path(const char *path, const struct tn_evidence *ev,
		      size_t *start, size_t *len);

/* The lenient test of a token that carries evidence: at least 6 bytes of
 * [A-Za-z0-9_], not a hash, holding letters and digits, or upper and
 * lower case letters other than a capitalised word ("Config"). */
bool tempname_looks_random(const char *t, size_t n);

/* A hash: 8 or more hex digits holding at least one digit and one letter
 * (generalize.c's {hex}; never taken for a temporary name). */
bool is_hex_hash(const char *t, size_t n);

/*
 * Two components of the same place in two runs (or a baseline entry and
 * a run): when they differ in exactly one token that is random in both
 * (docs/baseline.md, "Several runs"), append the component that covers
 * both ("job-{rand}") to out and return true.  *_created: the component
 * was created exclusively in its run.
 */
bool tempname_align(const char *a, size_t an, bool a_created, const char *b,
		    size_t bn, bool b_created, struct strbuf *out);

/* Whether a pattern component holding "{rand}" covers the component s:
 * each "{rand}" stands for 6 or more bytes of [A-Za-z0-9_] (a "{rand}"
 * or "{hex}" of s included); every other byte matches itself. */
bool tempname_component_covers(const char *pat, size_t pn, const char *s,
			       size_t sn);

/* The same over whole paths: the same number of components, each equal
 * or covered. */
bool tempname_pattern_covers(const char *pattern, const char *path);

#endif
