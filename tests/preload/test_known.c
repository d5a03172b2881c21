/*
 * test_known.c - unit tests of preload/known.c and cwd.c, compiled into
 * this test with sys.c and path.c: what the tracer remembers about paths
 * and the working directory must stay remembered while a storm streams
 * one-off names through the table, and must be forgotten when it has to
 * be; and path.c's walk resolves a path as the kernel does.
 */
#include "check_main.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "unroot.h"

/* what state.c says about the process: here it is always itself */
static int always = 1;
int *ur_fork_canary = &always;
__thread int ur_vforked;
bool ur_other_process_slow(void)
{
	return false;
}

static uint64_t K(const char *path)
{
	return ur_hash_path(path, strlen(path));
}

/* A storm in 8 directories: each event names its directory (looked up
 * every time) and two new files.  The directories must stay known. */
START_TEST(test_directories_survive_a_storm)
{
	char dir[8][64], name[96];
	struct stat st = {.st_mode = S_IFDIR | 0755}, got;
	bool present;
	int misses = 0;

	for (int d = 0; d < 8; d++) {
		snprintf(dir[d], sizeof dir[d], "/dev/shm/cs/t%d", d);
		ur_known_put(K(dir[d]), &st, true);
	}
	for (int i = 0; i < 5000; i++) {
		for (int d = 0; d < 8; d++) {
			if (!ur_known_get(K(dir[d]), &got, &present)) {
				misses++;
				ur_known_put(K(dir[d]), &st, true);
			} else {
				ck_assert(present);
				ck_assert_uint_eq(got.st_mode, st.st_mode);
			}
			snprintf(name, sizeof name, "%.60s/f%d", dir[d], i);
			ur_known_put(K(name), &st, false);
			snprintf(name, sizeof name, "%.60s/g%d", dir[d], i);
			ur_known_put(K(name), &st, false);
		}
	}
	/* 40,000 lookups; a direct-mapped table with a weak hash missed
	 * about a third of them */
	ck_assert_int_lt(misses, 400);
}
END_TEST

/* This process's resident anonymous memory in KiB (RssAnon), or -1: the
 * tables' pages, and not the file pages the kernel maps and drops as it
 * likes. */
static long resident_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "RssAnon: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/*
 * A storm of 20,000 one-off names in each of 8 directories makes
 * resident a page of the path-state table per directory, not the whole
 * table (256 KiB): the names of a directory share its page.  Added first
 * to the suite, so that no earlier test has touched the table even when
 * the tests share one process (CK_FORK=no).
 */
START_TEST(test_storm_in_few_directories_keeps_to_their_pages)
{
	char name[96];
	struct stat st = {.st_mode = S_IFREG | 0644}, got;
	bool present;

	/* the code and stack pages first: one name */
	snprintf(name, sizeof name, "/dev/shm/cs/t%d/f%d", 0, 0);
	ur_known_put(K(name), &st, true);
	ck_assert(ur_known_get(K(name), &got, &present));
	int misses = 0; /* no ck_assert in the storm: it writes Check's log */
	long before = resident_kib();
	for (int i = 1; i < 20000; i++) {
		for (int d = 0; d < 8; d++) {
			snprintf(name, sizeof name, "/dev/shm/cs/t%d/f%d", d,
				 i);
			ur_known_put(K(name), &st, true);
			misses += !ur_known_get(K(name), &got, &present);
		}
	}
	long added = resident_kib() - before;
	ck_assert_int_ge(before, 0);
	ck_assert_int_eq(misses, 0);
	ck_assert_int_le(added, 8 * 4 + 16);
}
END_TEST

START_TEST(test_forget)
{
	struct stat st = {.st_mode = S_IFREG | 0644, .st_uid = 7}, got;
	bool present;

	ur_known_put(K("/a/b"), &st, true);
	ck_assert(ur_known_get(K("/a/b"), &got, &present));
	ck_assert(present);
	ck_assert_uint_eq(got.st_uid, 7);
	ck_assert(!ur_known_get(K("/a/c"), &got, &present));
	ur_known_forget(K("/a/b"));
	ck_assert(!ur_known_get(K("/a/b"), &got, &present));
	ur_known_put(K("/a/b"), &st, false);
	ck_assert(ur_known_get(K("/a/b"), &got, &present));
	ck_assert(!present);
	ur_known_forget_all();
	ck_assert(!ur_known_get(K("/a/b"), &got, &present));
}
END_TEST

/*
 * A forget with nothing stamped since the last one makes no new
 * generation (so a shell that reaps a child after every fork, knowing
 * nothing between them, writes nothing); any stamp since - a path, a
 * descriptor's path, the cwd's - is forgotten by the next one, however
 * many forgets came before it.
 */
START_TEST(test_every_stamp_is_forgotten_by_the_next_forget)
{
	struct stat st = {.st_mode = S_IFREG | 0644}, got;
	bool present;
	unsigned gen, gen2;
	long long stamp, stamp2;

	ur_known_forget_all();
	ur_known_stamp(&gen, &stamp);
	ur_known_forget_all();
	ur_known_forget_all(); /* nothing stamped since: no new generation */
	ck_assert(!ur_known_fresh(gen, stamp));
	ur_known_stamp(&gen2, &stamp2);
	ck_assert_uint_eq(gen2, gen + 1);
	ck_assert(ur_known_fresh(gen2, stamp2));
	for (int round = 0; round < 3; round++) {
		ur_known_put(K("/s/t"), &st, true);
		ck_assert(ur_known_get(K("/s/t"), &got, &present));
		ur_known_forget_all();
		ur_known_forget_all();
		ck_assert(!ur_known_get(K("/s/t"), &got, &present));
	}
	ck_assert(!ur_known_fresh(gen2, stamp2));
}
END_TEST

/* Similar names spread over the table: no two of 8 sibling directories
 * share a hash, and the low bits vary. */
START_TEST(test_hash_spreads)
{
	char a[64], b[64];
	unsigned low_bits_seen = 0;

	for (int i = 0; i < 8; i++) {
		snprintf(a, sizeof a, "/dev/shm/cs/t%d", i);
		uint64_t h = ur_hash_path(a, strlen(a));
		ck_assert(h != 0);
		low_bits_seen |= 1u << ((h >> 1) & 7);
		for (int k = 0; k < i; k++) {
			snprintf(b, sizeof b, "/dev/shm/cs/t%d", k);
			ck_assert(h != ur_hash_path(b, strlen(b)));
		}
	}
	ck_assert_uint_ge(__builtin_popcount(low_bits_seen), 4);
}
END_TEST

/* The page of the path-state table a key names: its top 6 bits
 * (DIR_BITS of known.c). */
static unsigned page_of(const char *path)
{
	return (unsigned)(K(path) >> 58);
}

/*
 * The names of one directory share its page, whatever the lengths of the
 * directory and the names (the last '/' is found wherever it falls in a
 * word), and the names of sibling directories spread over the pages.
 */
START_TEST(test_names_of_a_directory_share_its_page)
{
	char dir[64], name[128];
	unsigned long sibling_pages = 0;

	for (int len = 1; len < 40; len++) {
		snprintf(dir, sizeof dir, "/%.*s", len - 1,
			 "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF");
		snprintf(name, sizeof name, "%s/x", dir);
		unsigned page = page_of(name);
		for (int nl = 1; nl < 24; nl++) {
			snprintf(name, sizeof name, "%s/%.*s", dir, nl,
				 "name.0123456789abcdefghij");
			ck_assert_uint_eq(page_of(name), page);
		}
	}
	for (int d = 0; d < 8; d++) {
		snprintf(name, sizeof name, "/dev/shm/cs/t%d/f1", d);
		sibling_pages |= 1UL << page_of(name);
	}
	ck_assert_int_ge(__builtin_popcountl(sibling_pages), 4);
}
END_TEST

/* ---- descriptor trust ---- */

/* A file of its own in a fresh directory; its path in out. */
static int new_file(const char *name, char *out, size_t cap)
{
	static char dir[64];
	if (!dir[0]) {
		strcpy(dir, "/tmp/urkn-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(dir));
	}
	snprintf(out, cap, "%s/%s", dir, name);
	int fd = (int)syscall(SYS_openat, AT_FDCWD, out,
			      O_RDWR | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	return fd;
}

/* What a wrapped open does: the snapshot before, the entry after. */
static void opened(int fd, const char *path)
{
	unsigned long closes = ur_fd_take();
	unsigned long outer = ur_fd_opening(closes);
	ur_known_opened(fd, path, K(path));
	ur_fd_opening(outer);
	ur_fd_taken();
}

/*
 * A descriptor's path is believed without asking the kernel until a close
 * begins: the number is replaced here behind the tracer's back (a raw
 * dup2, which no wrapper counts), so only a path taken on trust can still
 * say the old file.  Once any close has begun, the fstat check is back,
 * and the replaced number names the new file.
 */
START_TEST(test_fd_path_trusted_until_a_close_begins)
{
	char a[96], b[96], got[PATH_MAX];
	int fa = new_file("a", a, sizeof a);
	int fb = new_file("b", b, sizeof b);

	opened(fa, a);
	ck_assert(ur_fd_path(fa, got, sizeof got));
	ck_assert_str_eq(got, a);
	ck_assert_int_eq(syscall(SYS_dup2, fb, fa), fa);
	ck_assert(ur_fd_path(fa, got, sizeof got));
	ck_assert_str_eq(got, a); /* on trust: no fstat was made */
	ur_fd_closing_end(ur_fd_closing_begin(-1));
	ck_assert(ur_fd_path(fa, got, sizeof got));
	ck_assert_str_eq(got, b);
}
END_TEST

/*
 * A close counts for the number it closes: another descriptor's path stays
 * trusted (tar closes each file it writes, then opens the next relative to
 * a directory's descriptor).  But a close that runs while an entry is
 * being taken (a signal handler, in an open's wrapper) counts for every
 * number: the entry's own is not known yet.
 */
START_TEST(test_fd_close_counts_for_its_number)
{
	char a[96], b[96], c[96], got[PATH_MAX];
	int fa = new_file("a3", a, sizeof a);
	int fb = new_file("b3", b, sizeof b);
	int fc = new_file("c3", c, sizeof c);

	opened(fa, a);
	ur_fd_closing_end(ur_fd_closing_begin(fc));
	ck_assert_int_eq(syscall(SYS_dup2, fb, fa), fa);
	ck_assert(ur_fd_path(fa, got, sizeof got));
	ck_assert_str_eq(got, a); /* still on trust */
	ur_fd_closing_end(ur_fd_closing_begin(fa));
	ck_assert(ur_fd_path(fa, got, sizeof got));
	ck_assert_str_eq(got, b);

	opened(fc, c);
	unsigned long closes = ur_fd_take();
	ur_fd_closing_end(ur_fd_closing_begin(fb)); /* nested in the taking */
	ur_fd_taken();
	(void)closes;
	ck_assert_int_eq(syscall(SYS_dup2, fb, fc), fc);
	ck_assert(ur_fd_path(fc, got, sizeof got));
	ck_assert_str_eq(got, b);
}
END_TEST

/*
 * Nothing is taken on trust while a close is in flight (a signal handler
 * that runs in the middle of one), nor after a bypass was seen.
 */
START_TEST(test_fd_path_not_trusted_during_a_close_or_after_a_bypass)
{
	char a[96], b[96], c[96], got[PATH_MAX];
	int fa = new_file("a2", a, sizeof a);
	int fb = new_file("b2", b, sizeof b);
	int fc = new_file("c2", c, sizeof c);

	bool counted = ur_fd_closing_begin(-1);
	ck_assert(counted);
	opened(fa, a);
	ur_fd_closing_end(counted);
	ck_assert_int_eq(syscall(SYS_dup2, fb, fa), fa);
	ck_assert(ur_fd_path(fa, got, sizeof got));
	ck_assert_str_eq(got, b);

	opened(fc, c);
	ur_fd_untrust();
	ck_assert_int_eq(syscall(SYS_dup2, fb, fc), fc);
	ck_assert(ur_fd_path(fc, got, sizeof got));
	ck_assert_str_eq(got, b);
	ck_assert(!ur_fd_closing_begin(-1)); /* and closes are not counted */
}
END_TEST

/*
 * What a chmod or chown leaves is known exactly (tar's fchown then
 * fchmod need no fstat), except where the kernel may clear set-id bits.
 */
START_TEST(test_attrs_known_after_chmod_and_chown)
{
	struct stat before = {.st_mode = S_IFREG | 0644,
			      .st_uid = 1,
			      .st_gid = 2},
		    got;
	bool present;

	ur_known_attrs(K("/x/f"), &before, -1, 1001, -1);
	ck_assert(ur_known_get(K("/x/f"), &got, &present));
	ck_assert_uint_eq(got.st_uid, 1001);
	ck_assert_uint_eq(got.st_gid, 2);
	ck_assert_uint_eq(got.st_mode, S_IFREG | 0644);
	ur_known_attrs(K("/x/f"), &got, 0600, -1, -1);
	ck_assert(ur_known_get(K("/x/f"), &got, &present));
	ck_assert_uint_eq(got.st_mode, S_IFREG | 0600);
	ck_assert_uint_eq(got.st_uid, 1001);
	ur_known_attrs(K("/x/f"), &got, 02755, -1, -1);
	ck_assert(!ur_known_get(K("/x/f"), &got, &present));
	before.st_mode = S_IFREG | 04755;
	ur_known_attrs(K("/x/s"), &before, -1, 0, 0);
	ck_assert(!ur_known_get(K("/x/s"), &got, &present));
}
END_TEST

/*
 * The cwd (cwd.c) is remembered once a process has asked for it often
 * enough, and believed only while no change has begun since, known.c's
 * generation has not moved, nothing was forgotten and it is young.  A
 * chdir that no wrapper sees (this test has none) shows which answer
 * came from memory.
 */
static const char *cwd_now(void)
{
	static char got[PATH_MAX];
	ck_assert(ur_cwd(got, sizeof got));
	return got;
}

START_TEST(test_cwd_believed_only_while_nothing_changed_it)
{
	char a[] = "/tmp/ur-cwd-XXXXXX", b[PATH_MAX];
	ck_assert_ptr_nonnull(mkdtemp(a));
	snprintf(b, sizeof b, "%s/b", a);
	ck_assert_int_eq(mkdir(b, 0755), 0);
	ck_assert_int_eq(chdir(a), 0);
	for (int i = 0; i < 8; i++)
		ck_assert_str_eq(cwd_now(), a);
	ck_assert_int_eq(chdir(b), 0); /* unseen: remembered */
	ck_assert_str_eq(cwd_now(), a);
	ur_cwd_changing(CWD_CHANGES); /* in flight: asked */
	ck_assert_str_eq(cwd_now(), b);
	ur_cwd_changed(CWD_CHANGES);
	ck_assert_str_eq(cwd_now(), b);
	ck_assert_int_eq(chdir(a), 0);
	ck_assert_str_eq(cwd_now(), b);
	ur_known_forget_all(); /* a child reaped, a directory renamed */
	ck_assert_str_eq(cwd_now(), a);
	ck_assert_int_eq(chdir(b), 0);
	ck_assert_str_eq(cwd_now(), a);
	ur_cwd_forget(); /* forked, or a directory removed */
	ck_assert_str_eq(cwd_now(), b);
	ck_assert_int_eq(chdir(a), 0);
	ck_assert_str_eq(cwd_now(), b);
	usleep((useconds_t)(KNOWN_TTL_NS / 1000 + 20000)); /* too old */
	ck_assert_str_eq(cwd_now(), a);
	ur_cwd_changing(CWD_DIVERGES); /* never believed again */
	ur_cwd_changed(CWD_DIVERGES);
	ck_assert_str_eq(cwd_now(), a);
	ck_assert_int_eq(chdir(b), 0);
	ck_assert_str_eq(cwd_now(), b);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(rmdir(b), 0);
	ck_assert_int_eq(rmdir(a), 0);
}
END_TEST

/* dir/name -> target */
static void link_at(const char *dir, const char *name, const char *target)
{
	char p[PATH_MAX];

	ck_assert_int_lt(snprintf(p, sizeof p, "%s/%s", dir, name), sizeof p);
	ck_assert_int_eq(symlink(target, p), 0);
}

START_TEST(test_walk_resolves_as_the_kernel_does)
{
	char top[] = "/tmp/urwalk-XXXXXX", p[PATH_MAX], q[PATH_MAX];
	char out[PATH_MAX], scratch[PATH_MAX], want[PATH_MAX];

	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(p, sizeof p, "%s/a", top);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/a/b", top);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/a/t", top);
	fclose(fopen(p, "w"));
	snprintf(p, sizeof p, "%s/a/b", top);
	link_at(p, "up", "..");	  /* relative, with ".." */
	link_at(p, "tl", "../t"); /* to a file */
	snprintf(q, sizeof q, "%s/a/b/up/b", top);
	link_at(top, "l1", q); /* absolute, through a link */
	link_at(top, "l2", "l1");
	link_at(top, "loop1", "loop2");
	link_at(top, "loop2", "loop1");

	const char *cases[] = {"l2/tl", "l2/up/t", "a/b/up/b/up/t", "a/b/tl",
			       "a/t",	"l1",	   "a/b/up"};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", top, cases[i]);
		ck_assert_ptr_nonnull(realpath(p, want));
		ck_assert_msg(ur_walk_real(p, out, scratch, sizeof out),
			      "walk of %s", p);
		ck_assert_str_eq(out, want);
		ck_assert(ur_walk_real(p, out, p, sizeof out)); /* in place */
		ck_assert_str_eq(out, want);
	}
	const char *fail[] = {"loop1", "missing", "a/t/x", "l2/missing/t"};
	for (size_t i = 0; i < sizeof fail / sizeof fail[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", top, fail[i]);
		ck_assert_msg(!ur_walk_real(p, out, scratch, sizeof out),
			      "walk of %s", p);
	}
	ck_assert(ur_walk_real("/", out, scratch, sizeof out));
	ck_assert_str_eq(out, "/");
	snprintf(p, sizeof p, "rm -rf %s", top);
	ck_assert_int_eq(system(p), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("known");
	TCase *tc = test_case("known_unit", NULL);
	tcase_add_test(tc, test_storm_in_few_directories_keeps_to_their_pages);
	tcase_add_test(tc, test_directories_survive_a_storm);
	tcase_add_test(tc, test_forget);
	tcase_add_test(tc, test_every_stamp_is_forgotten_by_the_next_forget);
	tcase_add_test(tc, test_hash_spreads);
	tcase_add_test(tc, test_names_of_a_directory_share_its_page);
	tcase_add_test(tc, test_fd_path_trusted_until_a_close_begins);
	tcase_add_test(
	    tc, test_fd_path_not_trusted_during_a_close_or_after_a_bypass);
	tcase_add_test(tc, test_fd_close_counts_for_its_number);
	tcase_add_test(tc, test_attrs_known_after_chmod_and_chown);
	tcase_add_test(tc, test_cwd_believed_only_while_nothing_changed_it);
	tcase_add_test(tc, test_walk_resolves_as_the_kernel_does);
	suite_add_tcase(s, tc);
	return s;
}
