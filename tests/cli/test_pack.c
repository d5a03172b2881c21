/*
 * test_pack.c - unit tests of the packing of a trace's small logs
 * (cli/tracepack.c) and of the reader of packs (cli/tracepack_units.c):
 * the reader sees a packed trace exactly as it saw it unpacked (every
 * process, event, file name, line number and diagnostic), a compaction
 * killed at each of its steps loses nothing, and a log still open for
 * writing is never packed; a summary's pass, which goes straight to the
 * lines pass 1 marked, gives what the full pass gives, packed or not.
 * Logs are written by hand into a temporary directory, as in
 * test_reader.c.
 */
#define _GNU_SOURCE
#include "check_main.h"
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace.h"
#include "trace_private.h" /* TR_MAX_SPOTS */
#include "schema.h"
#include "tracepack.h"
#include "tmptrace.h"
#include "util.h"

/* A process's log: its proc record, n events, then nuls NUL bytes. */
static void put_log(int pid, int n, const char *tail, size_t nuls)
{
	struct strbuf sb = STRBUF_INIT;
	char *name = xasprintf("%d-abc.jsonl", pid);

	sb_addf(&sb,
		"{\"t\":\"proc\",\"v\":2,\"pid\":%d,\"ppid\":1,\"ts\":%d,"
		"\"exe\":\"/bin/p%d\"}\n",
		pid, pid * 10, pid);
	for (int i = 0; i < n; i++)
		sb_addf(&sb,
			"{\"t\":\"ev\",\"op\":\"mkdir\",\"fn\":\"mkdir\","
			"\"path\":\"/w/%d-%d\",\"ret\":0,\"errno\":null,"
			"\"pid\":%d,\"tid\":%d,\"ts\":%d}\n",
			pid, i, pid, pid, pid * 10 + i * 7 + 1);
	sb_adds(&sb, tail);
	for (size_t i = 0; i < nuls; i++)
		sb_addc(&sb, '\0');
	put_file(name, sb.buf, sb.len);
	sb_release(&sb);
	free(name);
}

/* The logs every case starts from: small ones, one cut short before its
 * preallocated tail (as a killed image leaves it), one with a hole of
 * NULs, one not small (left alone), one empty. */
static void put_trace(void)
{
	for (int pid = 100; pid < 110; pid++)
		put_log(pid, 2, "", 0);
	put_log(200, 1, "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/cu", 9000);
	put_log(201, 1, "\n\n{\"t\":\"end\",\"pid\":201,\"ts\":9}\n", 4000);
	put_log(300, 40, "", 0); /* 5 KB: its blocks are not double it */
	put_file("400-e.jsonl", "", 0);
}

static int dump_event(const struct trace_event *ev, void *ctx)
{
	sb_addf(ctx, "ev %s:%ld %d %lld %s %s\n", ev->file, ev->line, ev->pid,
		ev->ts, op_name(ev->op), ev->path);
	return 0;
}

/* What a reader sees of the trace, as text. */
static char *dump(void)
{
	struct trace *t = open_tmptrace();
	struct strbuf sb = STRBUF_INIT;

	sb_addf(&sb, "events %lld\n", trace_nevents(t));
	for (size_t i = 0; i < trace_nprocs(t); i++) {
		const struct trace_proc *p = trace_proc_at(t, i);

		sb_addf(&sb, "proc %s %d %lld %s %d %ld\n", p->file, p->pid,
			p->ts, p->exe, p->ended, p->lost);
	}
	sb_add_diags(&sb, t);
	trace_each_event(t, dump_event, &sb);
	trace_close(t);
	return sb_detach(&sb);
}

/* How many names in logdir start with prefix / end with suffix. */
static int count(const char *prefix, const char *suffix)
{
	DIR *d = opendir(logdir);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name), k = strlen(suffix);

		n += !strncmp(de->d_name, prefix, strlen(prefix)) && l >= k &&
		     !strcmp(de->d_name + l - k, suffix);
	}
	closedir(d);
	return n;
}

static bool exists(const char *name)
{
	char *path = xasprintf("%s/%s", logdir, name);
	bool ok = access(path, F_OK) == 0;

	free(path);
	return ok;
}

START_TEST(small_logs_are_packed_and_read_exactly_as_before)
{
	char *before, *after, *why = NULL;

	put_trace();
	before = dump();
	ck_assert_ptr_nonnull(strstr(before, "200-abc.jsonl:3"));
	ck_assert_int_eq(trace_dir_pack(logdir, &why), 12);
	ck_assert_int_eq(count("pack-", ".pack"), 1);
	ck_assert_int_eq(count("", ".jsonl"), 2); /* 300 and the empty one */
	ck_assert(exists("300-abc.jsonl") && exists("400-e.jsonl"));
	after = dump();
	ck_assert_str_eq(after, before);
	/* a second compaction has nothing more to pack */
	ck_assert_int_eq(trace_dir_pack(logdir, &why), 0);
	ck_assert_int_eq(count("pack-", ".pack"), 1);
	free(after);
	after = dump();
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
}
END_TEST

/* Whether the line of the file at path that holds byte at starts before
 * it and ends after it; with frame, whether it is also a framing line. */
static bool line_across(const char *path, size_t at, bool frame)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	char *buf;
	size_t start = at;
	bool across;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_uint_gt((size_t)st.st_size, at);
	buf = xmalloc((size_t)st.st_size);
	ck_assert(pread(fd, buf, (size_t)st.st_size, 0) == st.st_size);
	close(fd);
	while (start && buf[start - 1] != '\n')
		start--;
	across = start < at && !memchr(buf + start, '\n', at - start + 1) &&
		 (!frame || !strncmp(buf + start, "{\"t\":\"pack\"", 11));
	free(buf);
	return across;
}

/* 256 logs of events(pid) events each, packed into one pack whose line
 * across byte at (a framing line when frame; the case is checked, so that
 * the data cannot drift away from it) reads as the logs did. */
static void pack_read_as_before(int (*events)(int pid), size_t at, bool frame)
{
	char *before, *after, *pack, *why = NULL;

	for (int pid = 1000; pid < 1256; pid++)
		put_log(pid, events(pid), "", 0);
	before = dump();
	ck_assert_int_eq(trace_dir_pack(logdir, &why), 256);
	ck_assert_int_eq(count("", ".jsonl"), 0);
	pack = xasprintf("%s/" UNROOT_PACK_PREFIX "000000" UNROOT_PACK_SUFFIX,
			 logdir);
	ck_assert_msg(line_across(pack, at, frame),
		      "no %s across byte %zu of %s",
		      frame ? "framing line" : "line", at, pack);
	after = dump();
	ck_assert_str_eq(after, before);
	free(pack);
	free(before);
	free(after);
}

static int one_to_five(int pid)
{
	return 1 + pid % 5;
}

static int six_to_eleven(int pid)
{
	return 6 + pid % 6;
}

/* 256 logs of 1 to 5 events: a pack of 114 KB, its frames listed 64 KiB
 * at a time (tracepack_units.c), with a framing line across the edge of
 * the first read; every segment is read on the descriptor of the one
 * before. */
START_TEST(a_pack_larger_than_one_read_is_read_exactly_as_before)
{
	pack_read_as_before(one_to_five, 65536, true);
}
END_TEST

/* 256 logs of 6 to 11 events: a pack of over 256 KiB, which pass 1 reads
 * ahead of its segments 256 KiB at a time (trace_open.c): the segment
 * across the edge of the first read is finished by the second. */
START_TEST(a_pack_larger_than_its_read_ahead_is_read_exactly_as_before)
{
	pack_read_as_before(six_to_eleven, (size_t)1 << 18, false);
}
END_TEST

/* Run a compaction in a child killed (SIGKILL) at step. */
static void pack_killed_at(const char *step)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *why = NULL;

		setenv("UNROOT_TEST_PACK_KILL", step, 1);
		trace_dir_pack(logdir, &why);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		      "the compaction was not killed at %s", step);
}

START_TEST(a_compaction_killed_at_any_step_loses_nothing)
{
	static const char *const steps[] = {"written", "placed", "deleting"};

	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		char *before, *after, *why = NULL;

		teardown();
		setup();
		put_trace();
		before = dump();
		pack_killed_at(steps[i]);
		/* what the kill left reads as the unpacked trace */
		ck_assert_int_eq(count(".pack-tmp-", ""), i == 0);
		ck_assert_int_eq(count("pack-", ".pack"), i > 0);
		ck_assert_int_eq(count("", ".jsonl"), i == 2 ? 13 : 14);
		after = dump();
		ck_assert_msg(!strcmp(after, before), "killed at %s:\n%s",
			      steps[i], after);
		free(after);
		/* and the next compaction finishes the work */
		ck_assert_int_ge(trace_dir_pack(logdir, &why), 1);
		ck_assert_int_eq(count(".pack-tmp-", ""), 0);
		ck_assert_int_eq(count("", ".jsonl"), 2);
		after = dump();
		ck_assert_msg(!strcmp(after, before), "after %s:\n%s", steps[i],
			      after);
		free(after);
		free(before);
	}
}
END_TEST

START_TEST(a_log_open_for_writing_is_not_packed)
{
	char *path = xasprintf("%s/101-abc.jsonl", logdir), *why = NULL;
	char *before, *after;
	int fd;
	void *map;

	put_trace();
	before = dump();
	/* a writer with a descriptor, and one with only a shared mapping
	 * (as the preload writes): neither file is packed */
	fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	free(path);
	path = xasprintf("%s/102-abc.jsonl", logdir);
	{
		int mfd = open(path, O_RDWR);

		ck_assert_int_ge(mfd, 0);
		map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd,
			   0);
		ck_assert_ptr_ne(map, MAP_FAILED);
		close(mfd);
	}
	ck_assert_int_eq(trace_dir_pack(logdir, &why), 10);
	ck_assert(exists("101-abc.jsonl") && exists("102-abc.jsonl"));
	after = dump();
	ck_assert_str_eq(after, before);
	free(after);
	/* the writers gone, the next compaction packs them */
	close(fd);
	munmap(map, 4096);
	ck_assert_int_eq(trace_dir_pack(logdir, &why), 2);
	ck_assert(!exists("101-abc.jsonl") && !exists("102-abc.jsonl"));
	ck_assert_int_eq(count("pack-", ".pack"), 2);
	after = dump();
	ck_assert_str_eq(after, before);
	free(after);
	free(before);
	free(path);
}
END_TEST

/* Rewrite log/NAME as an image killed with the bytes from its second
 * line on still in its staging window: NULs there and after, and the
 * window in NAME.stage (schema/SCHEMA.md, "Stage files").  The log's
 * whole bytes in *whole. */
static void put_staged(const char *name, char **whole, size_t *len)
{
	char *path = xasprintf("%s/%s", logdir, name), *stage, *log;
	struct unroot_stage_head h = {.magic = UNROOT_STAGE_MAGIC, .gen = 2};
	size_t from, tail = 5000;

	*whole = file_read(path, len);
	ck_assert_ptr_nonnull(*whole);
	from = (size_t)(strchr(*whole, '\n') + 1 - *whole);
	h.start = from;
	h.len = *len - from;
	h.cap = 65536;
	log = xcalloc(1, *len + tail);
	memcpy(log, *whole, from);
	stage = xcalloc(1, UNROOT_STAGE_HEAD + h.cap);
	memcpy(stage, &h, sizeof h);
	memcpy(stage + UNROOT_STAGE_HEAD, *whole + from, h.len);
	put_file(name, log, *len + tail);
	free(path);
	path = xasprintf("%s" UNROOT_STAGE_SUFFIX, name);
	put_file(path, stage, UNROOT_STAGE_HEAD + h.cap);
	free(path);
	free(stage);
	free(log);
}

START_TEST(a_killed_images_window_is_read_over_its_log_and_not_packed)
{
	char *before, *after, *whole, *why = NULL, *got = NULL, *stage;
	size_t len, gotlen = 0;
	struct log_units u;

	put_trace();
	before = dump();
	put_staged("101-abc.jsonl", &whole, &len);
	after = dump();
	ck_assert_str_eq(after, before);
	free(after);
	/* the one read of a unit's bytes lays it too */
	ck_assert_int_eq(log_units_list(logdir, &u, NULL, NULL), 0);
	for (size_t i = 0; i < u.n; i++)
		if (!strcmp(u.v[i].name, "101-abc.jsonl"))
			got = log_unit_read(&u.v[i], &gotlen);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(gotlen, len + 5000);
	ck_assert_mem_eq(got, whole, len);
	free(got);
	log_units_free(&u);
	/* packed, its window would be laid over nothing: it stays a file */
	ck_assert_int_eq(trace_dir_pack(logdir, &why), 11);
	ck_assert(exists("101-abc.jsonl") && exists("101-abc.jsonl.stage"));
	after = dump();
	ck_assert_str_eq(after, before);
	free(after);
	/* without its window, its events are gone: the window was read */
	stage = xasprintf("%s/101-abc.jsonl.stage", logdir);
	ck_assert_int_eq(unlink(stage), 0);
	free(stage);
	after = dump();
	ck_assert_str_ne(after, before);
	ck_assert_ptr_null(strstr(after, "/w/101-0"));
	free(after);
	free(before);
	free(whole);
}
END_TEST

START_TEST(a_damaged_or_stray_stage_file_is_named_and_the_rest_read)
{
	static const char junk[] = "not a stage file at all, but long enough "
				   "to hold a head of 64 bytes................";
	char *text;

	put_trace();
	put_file("105-abc.jsonl.stage", junk, sizeof junk - 1);
	put_file("999-abc.jsonl.stage", junk, sizeof junk - 1);
	text = dump();
	ck_assert_ptr_nonnull(
	    strstr(text, "105-abc.jsonl.stage:0 1 stage file not laid over a "
			 "log: not a stage file"));
	ck_assert_ptr_nonnull(
	    strstr(text, "999-abc.jsonl.stage:0 1 stage file not laid over a "
			 "log: no log file of this name"));
	ck_assert_ptr_nonnull(strstr(text, "/w/105-1"));
	free(text);
}
END_TEST

START_TEST(a_compaction_short_of_descriptors_packs_every_log)
{
	char *before, *after;
	pid_t pid;
	int status;

	for (int i = 0; i < 40; i++)
		put_log(500 + i, 1, "", 0);
	before = dump();
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) { /* 16 descriptors: fewer than the logs */
		struct rlimit rl = {16, 16};
		char *why = NULL;

		_exit(setrlimit(RLIMIT_NOFILE, &rl) ||
		      trace_dir_pack(logdir, &why) != 40);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(count("", ".jsonl"), 0);
	ck_assert_int_ge(count("pack-", ".pack"), 3);
	after = dump();
	ck_assert_str_eq(after, before);
	free(after);
	free(before);
}
END_TEST

START_TEST(a_damaged_pack_is_named_and_the_rest_read)
{
	static const char pack[] =
	    "{\"t\":\"pack\",\"file\":\"7-a.jsonl\",\"bytes\":43}\n"
	    "{\"t\":\"proc\",\"v\":2,\"pid\":7,\"ppid\":1,\"ts\":5}\n"
	    "not a framing line\n"
	    "{\"t\":\"proc\",\"v\":2,\"pid\":8,\"ppid\":1,\"ts\":6}\n";
	char *text;

	put_file("pack-000000.pack", pack, sizeof pack - 1);
	text = dump();
	ck_assert_ptr_nonnull(strstr(text, "proc "));
	ck_assert_ptr_nonnull(strstr(text, "/log/7-a.jsonl 7 5"));
	ck_assert_ptr_null(strstr(text, " 8 6"));
	ck_assert_ptr_nonnull(
	    strstr(text, "pack-000000.pack:0 1 damaged pack at byte 86"));
	free(text);
}
END_TEST

/* The trace in tmpdir read both ways (tmptrace.h): the two must agree. */
static void check_both_readers(const char *what)
{
	free(read_both_ways(dump, what));
}

/* Lines the fast parser reads or leaves to jansson (trace_fast.c) */
static const char *const end_lines[] = {
    "{\"t\":\"end\",\"pid\":7,\"ts\":9,\"lost\":3}",
    "{\"t\":\"end\",\"pid\":7,\"ts\":9}",
    "{\"t\":\"end\",\"pid\":7,\"lost\":-2}",
    "{\"t\":\"end\",\"lost\":1,\"lost\":5}",
    "{\"t\":\"end\",\"lost\":1.5}",
    "{\"t\":\"end\",\"lost\":\"4\"}",
    "{\"t\":\"end\",\"v\":99,\"lost\":1}",
    "{\"t\":\"end\",\"v\":2,\"lost\":1}",
    "{\"t\":\"e\\u006ed\",\"lost\":1}",
    "{\"t\":\"end\",\"l\\u006fst\":6}",
    "{\"t\":\"end\",\"x\":{\"a\":1},\"lost\":2}",
    " { \"t\" : \"end\" , \"lost\" : 7 } ",
    "{\"t\":\"end\",\"lost\":7,}",
    "{\"t\":\"end\",\"lost\":99999999999999999999}",
    "{\"lost\":4,\"t\":\"end\"}",
    "{\"t\":\"end\",\"t\":\"end\",\"lost\":4}",
    "{\"t\":\"end\"}x",
};

/* framing lines of a segment of %zu bytes */
static const char *const frame_lines[] = {
    "{\"t\":\"pack\",\"file\":\"7-a.jsonl\",\"bytes\":%zu}",
    "{\"t\":\"pack\",\"file\":\"7-\\u0061.jsonl\",\"bytes\":%zu}",
    "{\"t\":\"pack\",\"file\":{\"hex\":\"372d612e6a736f6e6c\"},"
    "\"bytes\":%zu}",
    "{\"t\":\"pack\",\"file\":\"7-a.jsonl\"}",
    "{\"t\":\"pack\",\"file\":\"7-a.jsonl\",\"bytes\":-1}",
    "{\"t\":\"pack\",\"file\":\"7-a.jsonl\",\"bytes\":%zu.0}",
    "{\"t\":\"pack\",\"file\":\"x\",\"file\":\"7-a.jsonl\",\"bytes\":%zu}",
    "{\"t\":\"pack\",\"file\":\"7-a.jsonl\",\"bytes\":%zu,\"new\":true}",
    "{\"t\":\"pack\",\"file\":\"../7-a.jsonl\",\"bytes\":%zu}",
    "{\"t\":\"pak\",\"file\":\"7-a.jsonl\",\"bytes\":%zu}",
    "{\"bytes\":%zu,\"file\":\"7-a.jsonl\",\"t\":\"pack\"}",
    "{\"t\":\"pack\",\"v\":9,\"file\":\"7-a.jsonl\",\"bytes\":%zu}",
};

START_TEST(end_records_and_framing_lines_read_as_jansson_reads_them)
{
	static const char seg[] =
	    "{\"t\":\"proc\",\"v\":2,\"pid\":7,\"ppid\":1,\"ts\":5}\n"
	    "{\"t\":\"end\",\"pid\":7,\"ts\":9,\"lost\":4}\n";
	char *log;

	for (size_t i = 0; i < sizeof end_lines / sizeof *end_lines; i++) {
		char *tail = xasprintf("%s\n", end_lines[i]);

		put_log(7, 1, tail, 0);
		check_both_readers(end_lines[i]);
		free(tail);
	}
	log = xasprintf("%s/7-abc.jsonl", logdir);
	ck_assert_int_eq(unlink(log), 0);
	free(log);
	for (size_t i = 0; i < sizeof frame_lines / sizeof *frame_lines; i++) {
		char *frame, *pack;

		frame = xasprintf(frame_lines[i], sizeof seg - 1);
		pack = xasprintf("%s\n%s", frame, seg);
		put_file("pack-000000.pack", pack, strlen(pack));
		check_both_readers(frame);
		free(pack);
		free(frame);
	}
}
END_TEST

/* A log of n mkdir events, those where bad(i) failed with EACCES; every
 * seventh of the failed ones is an exec that failed instead. */
static void put_mixed_log(int pid, int n, bool (*bad)(int i))
{
	struct strbuf sb = STRBUF_INIT;
	char *name = xasprintf("%d-m.jsonl", pid);

	sb_addf(&sb,
		"{\"t\":\"proc\",\"v\":2,\"pid\":%d,\"ppid\":1,"
		"\"ts\":1}\n",
		pid);
	for (int i = 0, k = 0; i < n; i++) {
		bool b = bad(i), ex = b && k++ % 7 == 3;

		sb_addf(&sb,
			"{\"t\":\"ev\",\"op\":\"%s\",\"fn\":\"%s\","
			"\"path\":\"/w/%d-%d\",\"ret\":%d,\"errno\":%s,"
			"\"pid\":%d,\"ts\":%d}\n",
			ex ? "exec" : "mkdir", ex ? "execve" : "mkdir", pid, i,
			b ? -1 : 0, b ? "\"EACCES\"" : "null", pid, 2 + i);
	}
	put_file(name, sb.buf, sb.len);
	sb_release(&sb);
	free(name);
}

static bool far_apart(int i)
{
	return i < 3 || i == 2000 || i == 3999;
}

static bool every_other(int i)
{
	return i % 2 == 1;
}

static bool middle(int i)
{
	return i == 1;
}

/* Both passes over the trace in tmpdir; returns the notable events. */
static char *notable_both_ways(void)
{
	char *dirs[] = {tmpdir};
	const char *why = NULL;
	struct trace *t = trace_open(dirs, 1, &why);
	struct full_tally full = {{0}, STRBUF_INIT, dump_event};
	struct strbuf given = STRBUF_INIT;
	struct trace_tally n;

	ck_assert_msg(t != NULL, "trace_open: %s", why ? why : "?");
	trace_each_event(t, full_tally_event, &full);
	trace_each_notable(t, dump_event, &given, &n);
	ck_assert_str_eq(given.buf, full.sb.buf);
	ck_assert_int_eq(n.written, full.n.written);
	ck_assert_int_eq(n.denied, full.n.denied);
	/* 4 + 885 mkdirs and 1 + 147 execs failed in the large logs */
	ck_assert_int_eq(n.denied, 4 + 885 + 10);
	ck_assert_int_eq(trace_ndiags(t), 0);
	trace_close(t);
	sb_release(&full.sb);
	return sb_detach(&given);
}

START_TEST(a_summary_goes_to_the_lines_pass_one_marked_packed_or_not)
{
	char *before, *after, *why = NULL;

	/* far apart in a log larger than a read; more notable lines than
	 * are marked (read on from the first); small logs, packed below */
	put_mixed_log(70, 4000, far_apart);
	put_mixed_log(71, 2 * (TR_MAX_SPOTS + 8), every_other);
	for (int pid = 80; pid < 90; pid++)
		put_mixed_log(pid, 3, middle);
	before = notable_both_ways();
	ck_assert_ptr_nonnull(strstr(before, "70-m.jsonl:4001 70 4001 mkdir"));
	ck_assert_ptr_nonnull(strstr(before, "71-m.jsonl:3 71 3 mkdir"));
	ck_assert_ptr_nonnull(strstr(before, "71-m.jsonl:9 71 9 exec"));
	ck_assert_int_eq(trace_dir_pack(logdir, &why), 10);
	after = notable_both_ways();
	ck_assert_str_eq(after, before);
	free(after);
	free(before);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("pack");
	TCase *tc = test_case("pack", NULL);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, small_logs_are_packed_and_read_exactly_as_before);
	tcase_add_test(tc,
		       a_pack_larger_than_one_read_is_read_exactly_as_before);
	tcase_add_test(
	    tc, a_pack_larger_than_its_read_ahead_is_read_exactly_as_before);
	tcase_add_test(tc, a_compaction_killed_at_any_step_loses_nothing);
	tcase_add_test(tc, a_log_open_for_writing_is_not_packed);
	tcase_add_test(tc, a_compaction_short_of_descriptors_packs_every_log);
	tcase_add_test(tc, a_damaged_pack_is_named_and_the_rest_read);
	tcase_add_test(
	    tc, end_records_and_framing_lines_read_as_jansson_reads_them);
	tcase_add_test(
	    tc, a_killed_images_window_is_read_over_its_log_and_not_packed);
	tcase_add_test(
	    tc, a_damaged_or_stray_stage_file_is_named_and_the_rest_read);
	tcase_add_test(
	    tc, a_summary_goes_to_the_lines_pass_one_marked_packed_or_not);
	suite_add_tcase(s, tc);
	return s;
}
