/*
 * check_tempname.c - unit tests of tempname.c, the classifier of temporary
 * names: each rule of docs/baseline.md ("Temporary names") with the
 * evidence it needs, the fallback's documented false positives and false
 * negatives, the evidence a trace event gives, the alignment of two runs'
 * components (never a version), and what a "{rand}" covers.
 */
#include "check_main.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "tempname.h"

/* The component with its random token in braces ("job-[ij3amb3p]"), or
 * the component itself when it is not a temporary name; and the rule. */
static char *marked(const char *c, unsigned ev, enum tn_rule *rule)
{
	struct tn_token t;
	struct strbuf sb = STRBUF_INIT;

	if (!tempname_classify(c, strlen(c), ev, &t)) {
		*rule = TN_NOT_TEMP;
		return xstrdup(c);
	}
	*rule = t.rule;
	sb_add(&sb, c, t.start);
	sb_addc(&sb, '[');
	sb_add(&sb, c + t.start, t.len);
	sb_addc(&sb, ']');
	sb_adds(&sb, c + t.start + t.len);
	return sb_detach(&sb);
}

static void expect(const char *c, unsigned ev, const char *want,
		   enum tn_rule want_rule)
{
	enum tn_rule rule;
	char *got = marked(c, ev, &rule);

	ck_assert_msg(!strcmp(got, want) && rule == want_rule,
		      "%s (evidence %u) -> %s by rule %d, want %s by rule %d",
		      c, ev, got, (int)rule, want, (int)want_rule);
	free(got);
}

static void literal(const char *c, unsigned ev)
{
	expect(c, ev, c, TN_NOT_TEMP);
}

#define MADE_AND_REMOVED (TN_EXCL | TN_REMOVED)

START_TEST(template_takes_the_last_six)
{
	expect("stateab12Cd", TN_TEMPLATE, "state[ab12Cd]", TN_BY_TEMPLATE);
	expect("state.abcdef", TN_TEMPLATE, "state.[abcdef]", TN_BY_TEMPLATE);
	/* mkstemps(): a suffix after the XXXXXX */
	expect("out-Ab3dE9.json", TN_TEMPLATE, "out-[Ab3dE9].json",
	       TN_BY_TEMPLATE);
	/* without the template evidence the glued prefix hides it */
	literal("stateab12Cd", 0);
}
END_TEST

START_TEST(convention_prefixes_need_no_digit)
{
	expect("tmpabcdefgh", 0, "tmp[abcdefgh]", TN_BY_CONVENTION);
	expect("tmpk3j_9a0z.json", 0, "tmp[k3j_9a0z].json", TN_BY_CONVENTION);
	expect("matplotlib-9k89vsu8", 0, "matplotlib-[9k89vsu8]",
	       TN_BY_CONVENTION);
	expect("wgunicorn-abcd_123", 0, "wgunicorn-[abcd_123]",
	       TN_BY_CONVENTION);
	expect("web-stdout---supervisor-GUllAv.log", 0,
	       "web-stdout---supervisor-[GUllAv].log", TN_BY_CONVENTION);
	/* 7 or 9 letters are not Python's */
	literal("tmpabcdefg", 0);
	literal("tmpfiles.d", 0);
	/* git's "tmp_obj_" and six letters is not "tmp" and eight */
	expect("tmp_obj_gnmAdU", 0, "tmp_obj_[gnmAdU]", TN_BY_SHAPE);
}
END_TEST

START_TEST(evidence_needs_exclusive_creation_and_removal)
{
	/* 12 mixed letters: too long for the fallback's shapes */
	literal("Xk3jq9ZaLm2p", 0);
	literal("Xk3jq9ZaLm2p", TN_EXCL);    /* created and kept */
	literal("Xk3jq9ZaLm2p", TN_REMOVED); /* not made exclusively */
	expect("Xk3jq9ZaLm2p", MADE_AND_REMOVED, "[Xk3jq9ZaLm2p]",
	       TN_BY_EVIDENCE);
	/* or living in a directory made exclusively */
	expect("Xk3jq9ZaLm2p", TN_EXCL | TN_PARENT_EXCL, "[Xk3jq9ZaLm2p]",
	       TN_BY_EVIDENCE);
	literal("Xk3jq9ZaLm2p", TN_PARENT_EXCL);
}
END_TEST

/* Made exclusively with a private mode (0600, 0700), as every
 * temporary-file API does: kept names count, and Python's eight letters
 * need no digit when removed too or after a prefix. */
START_TEST(evidence_private_creation)
{
	expect("job-abcdefgh", TN_EXCL | TN_PRIVATE, "job-[abcdefgh]",
	       TN_BY_EVIDENCE);
	expect("abcdefgh", TN_EXCL | TN_PRIVATE | TN_REMOVED, "[abcdefgh]",
	       TN_BY_EVIDENCE);
	expect("Xk3jq9ZaLm2p", TN_EXCL | TN_PRIVATE, "[Xk3jq9ZaLm2p]",
	       TN_BY_EVIDENCE);
	/* a bare word kept private ("~/.local/share/keyrings") */
	literal("keyrings", TN_EXCL | TN_PRIVATE);
	/* not private, kept: literal */
	literal("job-abcdefgh", TN_EXCL);
	literal("Xk3jq9ZaLm2p", TN_EXCL);
}
END_TEST

START_TEST(evidence_keeps_the_stable_prefix_and_suffix)
{
	expect("job-Xk3jq9ZaLm2p.tmp", MADE_AND_REMOVED,
	       "job-[Xk3jq9ZaLm2p].tmp", TN_BY_EVIDENCE);
	/* git's own mkstemp: "tmp_obj_" and six letters */
	expect("tmp_obj_Ab12Cd", MADE_AND_REMOVED, "tmp_obj_[Ab12Cd]",
	       TN_BY_EVIDENCE);
	expect("tmp_obj_aBcDxy", MADE_AND_REMOVED, "tmp_obj_[aBcDxy]",
	       TN_BY_EVIDENCE);
	/* Python's name read as a version, which the fallback spares */
	expect("job-v1abcdef", MADE_AND_REMOVED, "job-[v1abcdef]",
	       TN_BY_EVIDENCE);
	literal("job-v1abcdef", 0);
}
END_TEST

START_TEST(evidence_takes_a_glued_number)
{
	/* Go's os.MkdirTemp("", "build"), Java's "+~JF<n>.tmp" */
	expect("build1234567890", MADE_AND_REMOVED, "build[1234567890]",
	       TN_BY_EVIDENCE);
	expect("+~JF8731259812734.tmp", MADE_AND_REMOVED,
	       "+~JF[8731259812734].tmp", TN_BY_EVIDENCE);
	/* the fallback takes it too: six digits glued to a word */
	expect("build1234567890", 0, "build[1234567890]", TN_BY_SHAPE);
	literal("worker12345", 0);
}
END_TEST

START_TEST(evidence_spares_words)
{
	/* lock files are made exclusively and removed: no random token */
	literal("index.lock", MADE_AND_REMOVED);
	literal("HEAD.lock", MADE_AND_REMOVED);
	literal("database.lock", MADE_AND_REMOVED);
	literal("settings", MADE_AND_REMOVED);
	literal("test.db-journal", MADE_AND_REMOVED);
	literal("Config.lock", MADE_AND_REMOVED | TN_PARENT_EXCL);
	/* a hash is {hex}, not a temporary name */
	literal("da39a3ee5e6b4b0d3255", MADE_AND_REMOVED);
}
END_TEST

START_TEST(fallback_python_tempfile)
{
	expect("job-22wmulnw", 0, "job-[22wmulnw]", TN_BY_SHAPE);
	expect("k3j_9a0z", 0, "[k3j_9a0z]", TN_BY_SHAPE);
	expect("6mleduhp", 0, "[6mleduhp]", TN_BY_SHAPE);
	expect("pytest-k3jx9a0z.log", 0, "pytest-[k3jx9a0z].log", TN_BY_SHAPE);
}
END_TEST

START_TEST(fallback_mktemp)
{
	expect("tmp.Zx81kQa2pL", 0, "tmp.[Zx81kQa2pL]", TN_BY_SHAPE);
	expect("x.aB3dE9", 0, "x.[aB3dE9]", TN_BY_SHAPE);
	expect("foo-aBcDeF", 0, "foo-[aBcDeF]", TN_BY_SHAPE);
	/* letters only: random case changes, not CamelCase */
	expect("tmp.qWeRtYuIoP", 0, "tmp.[qWeRtYuIoP]", TN_BY_SHAPE);
	literal("CMakeLists.txt", 0);
	literal("Makefile", 0);
	literal("README", 0);
}
END_TEST

START_TEST(fallback_uuid_and_base64url)
{
	expect("run-0f8e3c2a-1b4d-4c6e-9a7f-2d5b8e1c0a93.json", 0,
	       "run-[0f8e3c2a-1b4d-4c6e-9a7f-2d5b8e1c0a93].json", TN_BY_SHAPE);
	expect("s_Zq3-Xk9LmA2pQr7WvB4.tok", 0, "[s_Zq3-Xk9LmA2pQr7WvB4].tok",
	       TN_BY_SHAPE);
	/* words joined by '-' and '_' change class too rarely */
	literal("MyApp-v2-Release_Build", 0);
}
END_TEST

/* A token is never a part cut out of a longer run of letters and digits:
 * the next run's name would not match the pattern it makes.  Python's
 * 8 lower-case letters and digits, and digits after one letter or after
 * mixed case, inside mktemp's 10 of [A-Za-z0-9]. */
START_TEST(token_is_never_cut_out_of_a_longer_run)
{
	const unsigned mk = TN_EXCL | TN_PRIVATE | TN_REMOVED;

	expect("x.TIabcd1234", mk, "x.[TIabcd1234]", TN_BY_EVIDENCE);
	expect("x.abcd1234Si", mk, "x.[abcd1234Si]", TN_BY_EVIDENCE);
	expect("x.1c39vgowYz", mk, "x.[1c39vgowYz]", TN_BY_EVIDENCE);
	expect("x.hHjN894515", mk, "x.[hHjN894515]", TN_BY_EVIDENCE);
	expect("tmp.1c39vgowYz", 0, "tmp.[1c39vgowYz]", TN_BY_SHAPE);
	expect("tmp.bR50fliqpm", 0, "tmp.[bR50fliqpm]", TN_BY_SHAPE);
	expect("tmp.hHjN894515", 0, "tmp.[hHjN894515]", TN_BY_SHAPE);
	/* a word glued to digits still gives the digits */
	expect("build123456789", 0, "build[123456789]", TN_BY_SHAPE);
	expect("JF1234567890123.tmp", 0, "JF[1234567890123].tmp", TN_BY_SHAPE);
}
END_TEST

/* The names docs/baseline.md says the fallback spares. */
START_TEST(fallback_spares_settings_and_database)
{
	literal("settings", 0);
	literal("database", 0);
	literal("__init__.py", 0);
	literal("x86_64-linux-gnu", 0);
	literal("deadbeef", 0);
	literal("abc123", 0);
	/* versions: 'v' and a digit first */
	literal("v1beta1_client.py", 0);
	literal("v20241219", 0);
}
END_TEST

/* The false positives docs/baseline.md lists: stable names that look
 * like a generator's token. */
START_TEST(fallback_false_positives)
{
	expect("deb12u1_amd64.deb", 0, "[deb12u1]_amd64.deb", TN_BY_SHAPE);
	expect("libc6.md5sums", 0, "libc6.[md5sums]", TN_BY_SHAPE);
	expect("utf8mb4", 0, "[utf8mb4]", TN_BY_SHAPE);
	expect("MyFileName", 0, "[MyFileName]", TN_BY_SHAPE);
	expect("python39", 0, "[python39]", TN_BY_SHAPE);
	expect("lesson05.txt", 0, "[lesson05].txt", TN_BY_SHAPE);
	/* with evidence, a CamelCase word of two humps */
	expect("LockFile", MADE_AND_REMOVED, "[LockFile]", TN_BY_EVIDENCE);
}
END_TEST

/* The false negatives docs/baseline.md lists: generated names the
 * fallback alone misses (evidence or a second run catches them). */
START_TEST(fallback_false_negatives)
{
	literal("job-abcdefgh", 0);   /* Python, no digit */
	literal("job-v1abcdef", 0);   /* Python, 'v' and a digit first */
	literal("stateab12Cd", 0);    /* mkstemp glued to its prefix */
	literal("tmp.QWERTYUIOP", 0); /* mktemp, one class */
	literal("Xk3jq9ZaLm2pQ", 0);  /* 11 to 15 letters */
	literal("foo-Abcdef", 0);     /* mixed case like a word */
}
END_TEST

/* ---- how often each rule misses a generator's names ------------------- */

#define PRNG_SEED 88172645463325252ull
static unsigned long long prng;

static unsigned next_random(void) /* xorshift64: the same names each run */
{
	prng ^= prng << 13;
	prng ^= prng >> 7;
	prng ^= prng << 17;
	return (unsigned)prng;
}

#define PY_ALPHABET "abcdefghijklmnopqrstuvwxyz0123456789_"
#define MK_ALPHABET \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* A generator's names: prefix, n bytes of the alphabet, suffix; the
 * evidence a trace gives for them; the share of misses docs/baseline.md
 * states (per 10 000): no token, or a token that is not exactly the
 * generated bytes. */
struct generator {
	const char *what, *prefix, *alphabet;
	int n;
	const char *suffix;
	unsigned ev;
	int max_misses;
};

static const struct generator generators[] = {
    {"tempfile.mkdtemp(prefix=) kept", "job-", PY_ALPHABET, 8, "",
     TN_EXCL | TN_PRIVATE, 1},
    {"tempfile's probe", "", PY_ALPHABET, 8, "",
     TN_EXCL | TN_PRIVATE | TN_REMOVED, 1},
    {"tempfile name, no evidence", "", PY_ALPHABET, 8, "", 0, 891},
    {"mktemp -d x.XXXXXXXXXX, removed", "x.", MK_ALPHABET, 10, "",
     TN_EXCL | TN_PRIVATE | TN_REMOVED, 7},
    {"mktemp(1) tmp.XXXXXXXXXX, no evidence", "tmp.", MK_ALPHABET, 10, "", 0,
     405},
    {"x.XXXXXX, no evidence", "x.", MK_ALPHABET, 6, "", 0, 1405},
    {"git tmp_obj_XXXXXX, renamed away", "tmp_obj_", MK_ALPHABET, 6, "",
     TN_EXCL | TN_REMOVED, 170},
    {"foo-XXXXXX made and removed", "foo-", MK_ALPHABET, 6, "",
     TN_EXCL | TN_REMOVED, 170},
    {"Go MkdirTemp build<9 digits>, no evidence", "build", "0123456789", 9, "",
     0, 0},
    {"token_urlsafe(16), no evidence", "", MK_ALPHABET "-_", 22, ".tok", 0,
     600},
    {"NamedTemporaryFile(prefix=NAME, suffix=.tmp) renamed over NAME (pip)",
     "INSTALLER", PY_ALPHABET, 8, ".tmp",
     TN_EXCL | TN_PRIVATE | TN_REMOVED | TN_ADJACENT | 9u << TN_KEPT_SHIFT, 0},
    {"the same with a separator: NAME.<8>.tmp renamed over NAME", "out.json.",
     PY_ALPHABET, 8, ".tmp",
     TN_EXCL | TN_PRIVATE | TN_REMOVED | TN_ADJACENT | 8u << TN_KEPT_SHIFT, 0},
};

START_TEST(miss_rates_of_common_generators)
{
	const struct generator *g = &generators[_i];
	const int total = 100000;
	int misses = 0;
	char name[64];
	struct tn_token t;

	prng = PRNG_SEED; /* the same names, forked or not */
	for (int k = 0; k < total; k++) {
		size_t pl = strlen(g->prefix), al = strlen(g->alphabet);

		memcpy(name, g->prefix, pl);
		for (int i = 0; i < g->n; i++)
			name[pl + (size_t)i] = g->alphabet[next_random() % al];
		strcpy(name + pl + (size_t)g->n, g->suffix);
		/* a token that is not exactly the generated bytes makes a
		 * pattern the next name does not match: a miss too */
		misses += !tempname_classify(name, strlen(name), g->ev, &t) ||
			  t.start != pl || t.len != (size_t)g->n;
	}
	ck_assert_msg(misses * 10000 <= g->max_misses * total,
		      "%s: %d misses in %d", g->what, misses, total);
}
END_TEST

/* ---- evidence from events --------------------------------------------- */

static unsigned bits_of(const struct tn_evidence *ev, const char *path)
{
	return tn_evidence_of(ev, path, strlen(path),
			      map_hash(path, strlen(path)));
}

START_TEST(evidence_from_events)
{
	struct tn_evidence ev = TN_EVIDENCE_INIT;
	struct trace_event e;

	memset(&e, 0, sizeof e);
	e.op = OP_OPEN;
	e.fn = "open64";
	e.path = "/tmp/a";
	e.flags = O_RDWR | O_CREAT | O_EXCL;
	e.has_mode = true;
	e.mode = 0644;
	tn_evidence_note(&ev, &e);
	e.path = "/tmp/p"; /* private */
	e.mode = 0600;
	tn_evidence_note(&ev, &e);
	e.path = "/tmp/b"; /* O_CREAT without O_EXCL: not exclusive */
	e.flags = O_WRONLY | O_CREAT | O_TRUNC;
	tn_evidence_note(&ev, &e);
	e.has_mode = false;
	e.op = OP_UNLINK;
	e.path = "/tmp/a";
	tn_evidence_note(&ev, &e);
	e.op = OP_MKDIR;
	e.fn = "mkdtemp";
	e.path = "/tmp/d";
	tn_evidence_note(&ev, &e);
	e.fn = "mkdir";
	e.path = "/tmp/failed";
	e.err = 13; /* a failed call shows nothing */
	tn_evidence_note(&ev, &e);
	e.err = 0;
	e.op = OP_RENAME;
	e.path = "/tmp/r1";
	e.path2 = "/tmp/r2";
	e.flags_text = "RENAME_NOREPLACE";
	tn_evidence_note(&ev, &e);
	e.path = "/tmp/x1";
	e.path2 = "/tmp/x2";
	e.flags_text = "RENAME_EXCHANGE";
	tn_evidence_note(&ev, &e);
	ck_assert_uint_eq(bits_of(&ev, "/tmp/a"), TN_EXCL | TN_REMOVED);
	ck_assert_uint_eq(bits_of(&ev, "/tmp/p"), TN_EXCL | TN_PRIVATE);
	ck_assert_uint_eq(bits_of(&ev, "/tmp/b"), 0);
	ck_assert_uint_eq(bits_of(&ev, "/tmp/d"), TN_EXCL | TN_TEMPLATE);
	ck_assert_uint_eq(bits_of(&ev, "/tmp/failed"), 0);
	ck_assert_uint_eq(bits_of(&ev, "/tmp/r1"), TN_REMOVED);
	ck_assert_uint_eq(bits_of(&ev, "/tmp/r2"), TN_EXCL);
	ck_assert_uint_eq(bits_of(&ev, "/tmp/x1"), 0);
	tn_evidence_free(&ev);
}
END_TEST

/*
 * A file made exclusively and renamed over the name that begins it is an
 * atomic writer's temporary: the kept name stays literal even where the
 * token runs into it, and a short extension stays too.
 */
START_TEST(name_renamed_over_its_prefix_keeps_the_prefix)
{
	struct tn_evidence ev = TN_EVIDENCE_INIT;
	struct trace_event e;
	const char *from = "/t/x.dist-info/direct_url.jsondwd_3vqw.tmp";

	memset(&e, 0, sizeof e);
	e.op = OP_OPEN;
	e.flags = O_RDWR | O_CREAT | O_EXCL;
	e.path = from;
	tn_evidence_note(&ev, &e);
	e.op = OP_RENAME;
	e.path2 = "/t/x.dist-info/direct_url.json";
	tn_evidence_note(&ev, &e);
	e.op = OP_OPEN;
	e.path = "/t/.cfg.Ab12Cd";
	tn_evidence_note(&ev, &e);
	e.op = OP_RENAME;
	e.path2 = "/t/cfg";
	tn_evidence_note(&ev, &e);
	e.path = "/t/other-name1234"; /* not the target's name */
	e.path2 = "/t/name";
	tn_evidence_note(&ev, &e);
	expect("direct_url.jsondwd_3vqw.tmp", bits_of(&ev, from),
	       "direct_url.json[dwd_3vqw].tmp", TN_BY_EVIDENCE);
	expect(".cfg.Ab12Cd", bits_of(&ev, "/t/.cfg.Ab12Cd"), ".cfg.[Ab12Cd]",
	       TN_BY_EVIDENCE);
	ck_assert(!(bits_of(&ev, "/t/other-name1234") & TN_ADJACENT));
	/* a rename over a name that does not begin it, or into another
	 * directory, shows nothing of the kind */
	e.path = "/t/a/cfgXYZW1";
	e.path2 = "/t/b/cfg";
	tn_evidence_note(&ev, &e);
	ck_assert(!(bits_of(&ev, "/t/a/cfgXYZW1") & TN_ADJACENT));
	tn_evidence_free(&ev);
}
END_TEST

START_TEST(first_temporary_component_of_a_path)
{
	struct tn_evidence ev = TN_EVIDENCE_INIT;
	size_t at, len;

	map_put(&ev.m, "/srv/d", (void *)(uintptr_t)TN_EXCL);
	map_put(&ev.m, "/srv/d/Xk3jq9ZaLm2p", (void *)(uintptr_t)TN_EXCL);
	ck_assert(tempname_in_path("/srv/d/Xk3jq9ZaLm2p/out", &ev, &at, &len));
	ck_assert_uint_eq(at, 7);
	ck_assert_uint_eq(len, 12);
	ck_assert(!tempname_in_path("/srv/e/Xk3jq9ZaLm2p/out", &ev, &at, &len));
	ck_assert(
	    tempname_in_path("/tmp/job-22wmulnw/out.txt", NULL, &at, &len));
	ck_assert_uint_eq(at, 5);
	ck_assert(!tempname_in_path("/etc/nginx/nginx.conf", NULL, &at, &len));
	tn_evidence_free(&ev);
}
END_TEST

/* ---- two runs ----------------------------------------------------------- */

/* The component covering a and b, or "-" when they do not align. */
static void aligns(const char *a, bool ac, const char *b, bool bc,
		   const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	bool ok = tempname_align(a, strlen(a), ac, b, strlen(b), bc, &sb);

	ck_assert_msg(!strcmp(ok ? sb.buf : "-", want),
		      "%s ~ %s -> %s, want %s", a, b, ok ? sb.buf : "-", want);
	sb_release(&sb);
}

START_TEST(align_one_random_token)
{
	aligns("job-ij3amb3p", 0, "job-hgej8n1p", 0, "job-{rand}");
	/* bytes the two tokens share by chance stay inside the token */
	aligns("job-ab3xk9q2", 0, "job-ab7pz1w4", 0, "job-{rand}");
	aligns("x.Zx81kQa2pL.d", 0, "x.k2LmQ9aZ0b.d", 0, "x.{rand}.d");
	/* a run the fallback missed, against one it caught */
	aligns("job-{rand}", 0, "job-abcdefgh", 1, "job-{rand}");
	/* lower-case words need creation evidence on both sides */
	aligns("job-abcdefgh", 0, "job-qwertyui", 0, "-");
	aligns("job-abcdefgh", 1, "job-qwertyui", 1, "job-{rand}");
	aligns("build1234567890", 1, "build987654321", 1, "{rand}");
}
END_TEST

START_TEST(align_never_masks_a_version)
{
	aligns("v1", 1, "v2", 1, "-");
	aligns("v1beta1_client.py", 0, "v2beta1_client.py", 0, "-");
	aligns("app-1.2.3", 1, "app-1.2.4", 1, "-");
	aligns("release2023", 1, "release2024", 1, "-");
	aligns("libssl1.1", 1, "libssl3", 1, "-");
	aligns("same", 1, "same", 1, "-");
}
END_TEST

START_TEST(align_needs_a_single_token)
{
	aligns("a-Xy12Ab-1", 1, "b-Zz98Cd-2", 1, "-");
	aligns("Xy12Ab.Qw3", 1, "Zz98Cd.Lm7", 1, "-");
	aligns("abc", 1, "xyz", 1, "-");
}
END_TEST

/* ---- what "{rand}" covers ------------------------------------------------ */

static bool covers(const char *p, const char *s)
{
	return tempname_component_covers(p, strlen(p), s, strlen(s));
}

START_TEST(rand_covers_one_token)
{
	ck_assert(covers("job-{rand}", "job-abcdefgh"));
	ck_assert(covers("job-{rand}", "job-k3j_9a0z"));
	ck_assert(covers("job-{rand}", "job-{rand}"));
	ck_assert(covers("job-{rand}", "job-{hex}"));
	ck_assert(covers("tmp{rand}.json", "tmpabcdefgh.json"));
	/* not across '-': "/tmp/{rand}" does not cover "/tmp/job-x1y2z3" */
	ck_assert(!covers("{rand}", "job-x1y2z3"));
	ck_assert(!covers("job-{rand}", "job-ab-cdefgh"));
	ck_assert(!covers("job-{rand}", "job-abc"));
	ck_assert(!covers("job-{rand}", "job-a.bcdefg"));
	ck_assert(!covers("job-{rand}", "job-{n}"));
	ck_assert(!covers("job-{rand}", "task-abcdefgh"));
	ck_assert(!covers("{rand}.json", "abcdefgh.yaml"));
	ck_assert(covers("a{rand}.{rand}b", "aXXXXXX.YYYYYYb"));
	ck_assert(tempname_pattern_covers("/tmp/job-{rand}/out.txt",
					  "/tmp/job-Xk3jq9/out.txt"));
	ck_assert(!tempname_pattern_covers("/tmp/job-{rand}/out.txt",
					   "/tmp/job-Xk3jq9/x/out.txt"));
	ck_assert(!tempname_pattern_covers("/tmp/job-{rand}",
					   "/tmp/job-Xk3jq9/out.txt"));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("tempname");
	TCase *tc = test_case("rules", NULL);

	tcase_add_test(tc, template_takes_the_last_six);
	tcase_add_test(tc, convention_prefixes_need_no_digit);
	tcase_add_test(tc, evidence_needs_exclusive_creation_and_removal);
	tcase_add_test(tc, evidence_private_creation);
	tcase_add_test(tc, evidence_keeps_the_stable_prefix_and_suffix);
	tcase_add_test(tc, evidence_takes_a_glued_number);
	tcase_add_test(tc, evidence_spares_words);
	tcase_add_test(tc, fallback_python_tempfile);
	tcase_add_test(tc, token_is_never_cut_out_of_a_longer_run);
	tcase_add_test(tc, fallback_mktemp);
	tcase_add_test(tc, fallback_uuid_and_base64url);
	tcase_add_test(tc, fallback_spares_settings_and_database);
	tcase_add_test(tc, fallback_false_positives);
	tcase_add_test(tc, fallback_false_negatives);
	tcase_add_loop_test(tc, miss_rates_of_common_generators, 0,
			    sizeof generators / sizeof generators[0]);
	tcase_add_test(tc, evidence_from_events);
	tcase_add_test(tc, name_renamed_over_its_prefix_keeps_the_prefix);
	tcase_add_test(tc, first_temporary_component_of_a_path);
	tcase_add_test(tc, align_one_random_token);
	tcase_add_test(tc, align_never_masks_a_version);
	tcase_add_test(tc, align_needs_a_single_token);
	tcase_add_test(tc, rand_covers_one_token);
	suite_add_tcase(s, tc);
	return s;
}
