/*
 * test_reader.c - unit tests of the trace reader (cli/trace.c) on log
 * files written by hand, per schema/SCHEMA.md, into a temporary directory:
 * every record type, hex paths, damaged files and the merge order.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace.h"
#include "util.h"

static char tmpdir[64];

static void setup(void)
{
	char log[128];

	snprintf(tmpdir, sizeof tmpdir, "/tmp/unroot-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(log, sizeof log, "%s/log", tmpdir);
	ck_assert_int_eq(mkdir(log, 0755), 0);
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	free(cmd);
}

/* Write n bytes (may contain NULs) to log/NAME. */
static void put_file(const char *name, const char *data, size_t n)
{
	char *path = xasprintf("%s/log/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	fclose(f);
	free(path);
}

static void put(const char *name, const char *text)
{
	put_file(name, text, strlen(text));
}

static struct trace *open_tmp(void)
{
	char *dirs[] = {tmpdir};
	const char *why = NULL;
	struct trace *t = trace_open(dirs, 1, &why);

	ck_assert_msg(t != NULL, "trace_open: %s", why ? why : "?");
	return t;
}

/* Events collected by a stream, as copies. */
struct seen {
	int n;
	char path[16][64];
	long long ts[16];
	int err[16];
	enum unroot_op op[16];
	int flags[16];
	int pid[16];
	struct file_state st[16];
	const struct trace_stack *stack[16];
	const struct trace_proc *proc[16];
	long line[16];
};

static int collect(const struct trace_event *ev, void *ctx)
{
	struct seen *s = ctx;

	if (s->n >= 16)
		return 1;
	snprintf(s->path[s->n], sizeof s->path[0], "%s", ev->path);
	s->ts[s->n] = ev->ts;
	s->err[s->n] = ev->err;
	s->op[s->n] = ev->op;
	s->flags[s->n] = ev->flags;
	s->pid[s->n] = ev->pid;
	s->st[s->n] = ev->st;
	s->stack[s->n] = ev->stack;
	s->proc[s->n] = ev->proc;
	s->line[s->n] = ev->line;
	s->n++;
	return 0;
}

static bool has_diag(struct trace *t, const char *file_suffix, long line,
		     bool warning, const char *words)
{
	for (size_t i = 0; i < trace_ndiags(t); i++) {
		const struct trace_diag *d = trace_diag_at(t, i);
		size_t fl = d->file ? strlen(d->file) : 0;
		size_t sl = strlen(file_suffix);

		if (fl >= sl && !strcmp(d->file + fl - sl, file_suffix) &&
		    d->line == line && d->warning == warning &&
		    strstr(d->message, words))
			return true;
	}
	return false;
}

static const char full_log[] =
	"{\"t\":\"proc\",\"v\":1,\"pid\":42,\"ppid\":1,\"ts\":1000,"
	"\"exe\":\"/usr/bin/python3.11\",\"argv0\":\"python3\","
	"\"argv\":[\"python3\",{\"hex\":\"61ff\"}],"
	"\"cwd\":{\"hex\":\"2f617070ff\"},\"uid\":1000,\"euid\":0,"
	"\"gid\":100,\"egid\":0,\"groups\":[4,27],\"ns\":4026531840,"
	"\"rootfs\":\"2049:2\",\"env\":{\"HOME\":\"/root\",\"LANG\":\"C\"},"
	"\"stacks\":true}\n"
	"{\"t\":\"mount\",\"ns\":4026531840,\"mnt\":\"/data\",\"fs\":\"ext4\","
	"\"src\":\"/dev/vda\",\"root\":\"/srv/data\",\"ro\":true,"
	"\"opts\":\"ro,relatime\"}\n"
	"{\"t\":\"os\",\"rootfs\":\"2049:2\",\"id\":\"debian\","
	"\"version_id\":\"12\",\"pretty\":\"Debian GNU/Linux 12\"}\n"
	"{\"t\":\"user\",\"rootfs\":\"2049:2\",\"name\":\"www-data\",\"uid\":33,"
	"\"gid\":33,\"home\":\"/var/www\",\"shell\":\"/usr/sbin/nologin\"}\n"
	"{\"t\":\"group\",\"rootfs\":\"2049:2\",\"name\":\"redis\",\"gid\":101,"
	"\"members\":[\"a\",\"b\"]}\n"
	"{\"t\":\"dir\",\"path\":\"/app\",\"st\":{\"type\":\"dir\",\"uid\":0,"
	"\"gid\":0,\"mode\":\"1777\"}}\n"
	"{\"t\":\"dir\",\"path\":{\"hex\":\"2f617070ff\"},\"st\":null}\n"
	"{\"t\":\"stack\",\"id\":\"9f3a\",\"frames\":[{\"m\":\"/lib/libc.so.6\","
	"\"o\":\"0x10\",\"s\":\"open\",\"so\":\"0x4\"},{\"m\":\"/usr/lib/"
	"libsqlite3.so.0\",\"o\":\"0x1a2b3\",\"s\":\"sqlite3_open_v2\","
	"\"so\":\"0x4f\"},{\"m\":\"/usr/bin/python3.11\",\"o\":\"0x99\"}]}\n"
	"{\"t\":\"ev\",\"op\":\"open\",\"fn\":\"__openat64_2\",\"path\":"
	"\"/app/db\",\"flags\":\"O_WRONLY|O_CREAT|O_TRUNC\",\"mode\":\"0644\","
	"\"ret\":3,\"errno\":null,\"pid\":42,\"tid\":43,\"ts\":2000,"
	"\"uid\":0,\"gid\":0,\"st\":null,\"parent\":{\"type\":\"dir\","
	"\"uid\":0,\"gid\":0,\"mode\":\"0755\"},\"stack\":\"9f3a\"}\n"
	"{\"t\":\"ev\",\"op\":\"rename\",\"fn\":\"rename\",\"path\":{\"hex\":"
	"\"2f617070ff2f61\"},\"path2\":\"/app/b\",\"ret\":-1,\"errno\":"
	"\"EACCES\",\"pid\":42,\"tid\":42,\"ts\":3000,\"uid\":0,\"gid\":0,"
	"\"st\":{\"type\":\"file\",\"uid\":5,\"gid\":6,\"mode\":\"4755\"},"
	"\"st2\":null,\"owner\":[1,2]}\n"
	"{\"t\":\"untraced\",\"pid\":42,\"ts\":3500,\"path\":\"/bin/busybox\","
	"\"why\":\"static\"}\n"
	"{\"t\":\"future\",\"x\":1}\n"
	"{\"t\":\"end\",\"pid\":42,\"ts\":4000,\"lost\":7}\n";

START_TEST(test_all_records)
{
	struct seen s = {0};
	struct trace *t;
	const struct trace_proc *p;
	const struct trace_mount *m;
	const struct trace_group *g;
	const struct trace_dir *d;
	const struct trace_untraced *u;
	char hexdir[] = {'/', 'a', 'p', 'p', (char)0xff, 0};
	char hexpath[] = {'/', 'a', 'p', 'p', (char)0xff, '/', 'a', 0};

	put("42-x.jsonl", full_log);
	t = open_tmp();
	ck_assert_uint_eq(trace_ndiags(t), 0);
	ck_assert_int_eq(trace_nevents(t), 2);
	ck_assert_uint_eq(trace_nprocs(t), 1);
	p = trace_proc_at(t, 0);
	ck_assert_int_eq(p->pid, 42);
	ck_assert_str_eq(p->exe, "/usr/bin/python3.11");
	ck_assert_str_eq(p->cwd, hexdir);
	ck_assert_str_eq(p->argv[1], "a\xff");
	ck_assert_ptr_null(p->argv[2]);
	ck_assert_uint_eq(p->uid, 1000);
	ck_assert_uint_eq(p->euid, 0);
	ck_assert_int_eq(p->ngroups, 2);
	ck_assert_uint_eq(p->groups[1], 27);
	ck_assert_str_eq(p->home, "/root");
	ck_assert(p->stacks);
	ck_assert(p->ended);
	ck_assert_int_eq(p->lost, 7);
	ck_assert_uint_eq(trace_nmounts(t), 1);
	m = trace_mount_at(t, 0);
	ck_assert(m->ro);
	ck_assert_str_eq(m->root, "/srv/data");
	ck_assert_uint_eq(trace_nos(t), 1);
	ck_assert_str_eq(trace_os_at(t, 0)->version_id, "12");
	ck_assert_uint_eq(trace_nusers(t), 1);
	ck_assert_uint_eq(trace_user_at(t, 0)->uid, 33);
	g = trace_group_at(t, 0);
	ck_assert_str_eq(g->members[1], "b");
	ck_assert_ptr_null(g->members[2]);
	d = trace_dir_state(t, "/app");
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->st.kind, ST_PRESENT);
	ck_assert_int_eq(d->st.type, FT_DIR);
	ck_assert_uint_eq(d->st.mode, 01777);
	d = trace_dir_state(t, hexdir);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->st.kind, ST_ABSENT);
	ck_assert_ptr_null(trace_dir_state(t, "/nope"));
	ck_assert_uint_eq(trace_nuntraced(t), 1);
	u = trace_untraced_at(t, 0);
	ck_assert_str_eq(u->why, "static");
	ck_assert_ptr_eq(u->proc, p);

	ck_assert_int_eq(trace_each_event(t, collect, &s), 0);
	ck_assert_int_eq(s.n, 2);
	ck_assert_int_eq(s.op[0], OP_OPEN);
	ck_assert_int_eq(s.flags[0], O_WRONLY | O_CREAT | O_TRUNC);
	ck_assert_int_eq(s.st[0].kind, ST_ABSENT);
	ck_assert_ptr_nonnull(s.stack[0]);
	ck_assert_int_eq(s.stack[0]->nframes, 3);
	ck_assert_str_eq(s.stack[0]->frames[1].symbol, "sqlite3_open_v2");
	ck_assert_uint_eq(s.stack[0]->frames[1].offset, 0x1a2b3);
	ck_assert_uint_eq(s.stack[0]->frames[1].symoff, 0x4f);
	ck_assert_ptr_null(s.stack[0]->frames[2].symbol);
	ck_assert_ptr_eq(s.proc[0], p);
	ck_assert_int_eq(s.op[1], OP_RENAME);
	ck_assert_str_eq(s.path[1], hexpath);
	ck_assert_int_eq(s.err[1], EACCES);
	ck_assert_int_eq(s.st[1].kind, ST_PRESENT);
	ck_assert_uint_eq(s.st[1].mode, 04755);
	ck_assert_uint_eq(s.st[1].uid, 5);
	ck_assert_ptr_null(s.stack[1]);
	ck_assert_int_eq(s.line[1], 10);
	trace_close(t);
}
END_TEST

/* Fields of one event that collect() does not copy. */
static int check_details(const struct trace_event *ev, void *ctx)
{
	(void)ctx;
	if (ev->op == OP_RENAME) {
		ck_assert_str_eq(ev->path2, "/app/b");
		ck_assert_int_eq(ev->st2.kind, ST_ABSENT);
		ck_assert_int_eq(ev->parent.kind, ST_UNKNOWN);
		ck_assert_int_eq(ev->owner_uid, 1);
		ck_assert_int_eq(ev->owner_gid, 2);
		ck_assert_str_eq(ev->errname, "EACCES");
		ck_assert(trace_event_writes(ev));
	} else {
		ck_assert_str_eq(ev->fn, "__openat64_2");
		ck_assert(ev->has_mode);
		ck_assert_uint_eq(ev->mode, 0644);
		ck_assert_int_eq(ev->tid, 43);
		ck_assert_int_eq(ev->ret, 3);
		ck_assert_int_eq(ev->parent.kind, ST_PRESENT);
		ck_assert_ptr_null(ev->path2);
		ck_assert_int_eq(ev->owner_uid, -1);
		ck_assert(trace_event_writes(ev));
	}
	return 0;
}

START_TEST(test_event_details)
{
	struct trace *t;

	put("42-x.jsonl", full_log);
	t = open_tmp();
	trace_each_event(t, check_details, NULL);
	/* a second pass gives the same events */
	trace_each_event(t, check_details, NULL);
	trace_close(t);
}
END_TEST

START_TEST(test_truncated_last_line)
{
	struct seen s = {0};
	struct trace *t;

	put("1-a.jsonl",
	    "{\"t\":\"proc\",\"v\":1,\"pid\":1,\"ts\":1}\n"
	    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/a\",\"ts\":5}\n"
	    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/b\",\"ts\":6}\n"
	    "{\"t\":\"ev\",\"op\":\"mkdir\",\"pa");
	t = open_tmp();
	ck_assert(has_diag(t, "1-a.jsonl", 4, true, "no newline"));
	ck_assert_int_eq(trace_nevents(t), 2);
	trace_each_event(t, collect, &s);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.path[1], "/b");
	trace_close(t);
}
END_TEST

START_TEST(test_corrupt_middle_line)
{
	struct seen s = {0};
	struct trace *t;

	put("1-a.jsonl",
	    "{\"t\":\"proc\",\"v\":1,\"pid\":1,\"ts\":1}\n"
	    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/a\",\"ts\":5}\n"
	    "garbage here\n"
	    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/b\",\"ts\":6,}\n"
	    "{\"t\":\"ev\",\"op\":\"mkdir\",\"pat\n"
	    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/c\",\"ts\":7}\n");
	t = open_tmp();
	ck_assert(has_diag(t, "1-a.jsonl", 3, true, "corrupt"));
	ck_assert(has_diag(t, "1-a.jsonl", 5, true, "corrupt"));
	trace_each_event(t, collect, &s);
	/* line 4 is only found bad when events are parsed */
	ck_assert(has_diag(t, "1-a.jsonl", 4, true, "corrupt"));
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.path[0], "/a");
	ck_assert_str_eq(s.path[1], "/c");
	ck_assert_int_eq(s.line[1], 6);
	/* a second stream does not repeat the diagnostic */
	{
		size_t n = trace_ndiags(t);

		memset(&s, 0, sizeof s);
		trace_each_event(t, collect, &s);
		ck_assert_uint_eq(trace_ndiags(t), n);
	}
	trace_close(t);
}
END_TEST

START_TEST(test_nul_padding)
{
	static const char head[] =
		"{\"t\":\"proc\",\"v\":1,\"pid\":1,\"ts\":1}\n"
		"{\"t\":\"ev\",\"op\":\"unlink\",\"path\":\"/a\",\"ts\":5}\n";
	size_t n = sizeof head - 1 + 4096;
	char *buf = xcalloc(1, n + 100);
	struct seen s = {0};
	struct trace *t;

	memcpy(buf, head, sizeof head - 1);
	/* text after the first NUL is not read */
	strcpy(buf + n, "{\"t\":\"ev\",\"op\":\"unlink\",\"path\":\"/z\"}\n");
	put_file("1-a.jsonl", buf, n + strlen(buf + n));
	free(buf);
	t = open_tmp();
	ck_assert_uint_eq(trace_ndiags(t), 0);
	trace_each_event(t, collect, &s);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.path[0], "/a");
	trace_close(t);
}
END_TEST

START_TEST(test_newer_schema)
{
	struct seen s = {0};
	struct trace *t;

	put("1-new.jsonl", "{\"t\":\"proc\",\"v\":999,\"pid\":1,\"ts\":1}\n"
			   "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/new\","
			   "\"ts\":5}\n");
	put("2-old.jsonl", "{\"t\":\"proc\",\"v\":1,\"pid\":2,\"ts\":1}\n"
			   "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/old\","
			   "\"ts\":6}\n");
	t = open_tmp();
	ck_assert(has_diag(t, "1-new.jsonl", 1, false, "newer"));
	ck_assert_uint_eq(trace_nprocs(t), 1);
	ck_assert_int_eq(trace_proc_at(t, 0)->pid, 2);
	trace_each_event(t, collect, &s);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.path[0], "/old");
	trace_close(t);
}
END_TEST

START_TEST(test_merge_order)
{
	struct seen s = {0};
	struct trace *t;

	put("1-a.jsonl", "{\"t\":\"proc\",\"v\":1,\"pid\":1,\"ts\":1}\n"
			 "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/1\",\"ts\":10}\n"
			 "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/3\",\"ts\":30}\n"
			 "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/5\",\"ts\":50}\n");
	put("2-b.jsonl", "{\"t\":\"proc\",\"v\":1,\"pid\":2,\"ts\":1}\n"
			 "{\"t\":\"stack\",\"id\":\"s\",\"frames\":[]}\n"
			 "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/2\",\"ts\":20,"
			 "\"stack\":\"s\"}\n"
			 "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/4\",\"ts\":40}\n"
			 "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/6\",\"ts\":60}\n");
	t = open_tmp();
	trace_each_event(t, collect, &s);
	ck_assert_int_eq(s.n, 6);
	for (int i = 0; i < 6; i++) {
		char want[4];

		snprintf(want, sizeof want, "/%d", i + 1);
		ck_assert_str_eq(s.path[i], want);
		ck_assert_int_eq(s.pid[i], 2 - (i + 1) % 2);
		ck_assert_ptr_nonnull(s.proc[i]);
		ck_assert_int_eq(s.proc[i]->pid, s.pid[i]);
	}
	ck_assert_ptr_nonnull(s.stack[1]);
	ck_assert_str_eq(s.stack[1]->id, "s");
	ck_assert_ptr_null(s.stack[0]);
	trace_close(t);
}
END_TEST

static int count_events(const struct trace_event *ev, void *ctx)
{
	long long *last = ctx;

	ck_assert_int_ge(ev->ts, last[0]);
	last[0] = ev->ts;
	last[1]++;
	return 0;
}

/* More files than descriptors: readers take turns. */
START_TEST(test_many_files_few_fds)
{
	struct rlimit rl = {.rlim_cur = 24, .rlim_max = 24};
	long long state[2] = {0, 0};
	struct trace *t;

	for (int f = 0; f < 60; f++) {
		struct strbuf sb = STRBUF_INIT;
		char name[32];

		sb_addf(&sb, "{\"t\":\"proc\",\"v\":1,\"pid\":%d,\"ts\":1}\n",
			f + 1);
		for (int i = 0; i < 50; i++)
			sb_addf(&sb,
				"{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":"
				"\"/d%d\",\"ts\":%d}\n",
				i, i * 60 + f);
		snprintf(name, sizeof name, "%d-x.jsonl", f);
		put(name, sb.buf);
		sb_release(&sb);
	}
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	t = open_tmp();
	trace_each_event(t, count_events, state);
	ck_assert_int_eq(state[1], 60 * 50);
	trace_close(t);
}
END_TEST

START_TEST(test_long_lines)
{
	struct strbuf sb = STRBUF_INIT, hex = STRBUF_INIT;
	struct seen s = {0};
	struct trace *t;

	/* a 4096-byte non-UTF-8 path, hex-encoded: an 8K+ line */
	for (int i = 0; i < 2048; i++)
		sb_adds(&hex, i == 0 ? "2f" : "ff");
	sb_adds(&sb, "{\"t\":\"proc\",\"v\":1,\"pid\":1,\"ts\":1}\n");
	for (int i = 0; i < 40; i++)
		sb_addf(&sb,
			"{\"t\":\"ev\",\"op\":\"unlink\",\"path\":{\"hex\":"
			"\"%s\"},\"ts\":%d}\n",
			hex.buf, i);
	put("1-a.jsonl", sb.buf);
	t = open_tmp();
	ck_assert_uint_eq(trace_ndiags(t), 0);
	ck_assert_int_eq(trace_nevents(t), 40);
	trace_each_event(t, collect, &s);
	ck_assert_int_eq(s.n, 16); /* collect stops at 16 */
	ck_assert_int_eq((unsigned char)s.path[0][1], 0xff);
	trace_close(t);
	sb_release(&sb);
	sb_release(&hex);
}
END_TEST

START_TEST(test_dir_without_log_and_meta)
{
	char *meta = xasprintf("%s/trace.json", tmpdir);
	char *logdir = xasprintf("%s/log", tmpdir);
	char *dirs[] = {logdir};
	const char *why;
	struct trace *t;
	FILE *f;

	put("1-a.jsonl", "{\"t\":\"proc\",\"v\":1,\"pid\":1,\"ts\":1}\n");
	/* DIR itself holding .jsonl files */
	t = trace_open(dirs, 1, &why);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(trace_nprocs(t), 1);
	ck_assert_ptr_null(trace_meta(t, 0));
	trace_close(t);
	/* trace.json is available as metadata */
	f = fopen(meta, "w");
	fputs("{\"unroot\":1,\"command\":[\"sh\"],\"exit\":0}", f);
	fclose(f);
	t = open_tmp();
	ck_assert_ptr_nonnull(trace_meta(t, 0));
	ck_assert_uint_eq(trace_ndirs(t), 1);
	trace_close(t);
	free(meta);
	free(logdir);
}
END_TEST

START_TEST(test_unreadable)
{
	char *dirs[] = {(char *)"/nonexistent/unroot-trace"};
	const char *why = NULL;

	ck_assert_ptr_null(trace_open(dirs, 1, &why));
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(op_name(OP_MKTEMP), "mktemp");
	ck_assert_int_eq(op_from_name("access"), OP_ACCESS);
	ck_assert_int_eq(op_from_name("nope"), -1);
	ck_assert_str_eq(file_type_name(FT_SOCK), "sock");
}
END_TEST

static Suite *reader_suite(void)
{
	Suite *s = suite_create("reader");
	TCase *tc = tcase_create("reader");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_all_records);
	tcase_add_test(tc, test_event_details);
	tcase_add_test(tc, test_truncated_last_line);
	tcase_add_test(tc, test_corrupt_middle_line);
	tcase_add_test(tc, test_nul_padding);
	tcase_add_test(tc, test_newer_schema);
	tcase_add_test(tc, test_merge_order);
	tcase_add_test(tc, test_many_files_few_fds);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_dir_without_log_and_meta);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(reader_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
