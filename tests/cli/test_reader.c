/*
 * test_reader.c - unit tests of the trace reader (cli/trace*.c) on log
 * files written by hand, per schema/SCHEMA.md, into a temporary directory:
 * every record type, hex paths, damaged files and the merge order.
 */
#define _GNU_SOURCE
#include "check_main.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace.h"
#include "tmptrace.h"
#include "util.h"

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

/*
 * NUL bytes are padding wherever they are (SCHEMA.md): a record reserved
 * in the shared mapping but never written leaves NULs between records, a
 * record whose process died while writing it is bytes then NULs, and the
 * preallocated end of a file is NULs.  Padding alone says nothing; a
 * record cut by it is a warning with file and line; reading goes on.
 */
START_TEST(test_nul_padding)
{
	static const char *const parts[] = {
	    "{\"t\":\"proc\",\"v\":1,\"pid\":1,\"ts\":1}\n",
	    "{\"t\":\"ev\",\"op\":\"unlink\",\"path\":\"/a\",\"ts\":5}\n",
	    /* 4096 NULs: a record that was never written */
	    "{\"t\":\"ev\",\"op\":\"unlink\",\"path\":\"/b\",\"ts\":6}\n",
	    /* cut by NULs: line 4 */
	    "{\"t\":\"ev\",\"op\":\"unlink\",\"path\":\"/cu",
	    /* 100 NULs */
	    "{\"t\":\"ev\",\"op\":\"unlink\",\"path\":\"/c\",\"ts\":7}\n",
	    /* a whole record whose newline was not written: line 6 */
	    "{\"t\":\"ev\",\"op\":\"unlink\",\"path\":\"/d\",\"ts\":8}",
	    /* a cut stack record: line 7 */
	    "{\"t\":\"stack\",\"id\":\"9f",
	    /* 70000 NULs of preallocated space to the end */
	};
	static const size_t nuls[] = {0, 4096, 0, 100, 0, 10, 70000};
	struct strbuf sb = STRBUF_INIT;
	struct seen s = {0};
	struct trace *t;

	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		sb_adds(&sb, parts[i]);
		for (size_t k = 0; k < nuls[i]; k++)
			sb_addc(&sb, '\0');
	}
	put_file("1-a.jsonl", sb.buf, sb.len);
	sb_release(&sb);
	t = open_tmp();
	ck_assert_int_eq(trace_nevents(t), 4);
	ck_assert(has_diag(t, "1-a.jsonl", 4, true, "NUL"));
	ck_assert(has_diag(t, "1-a.jsonl", 4, true, "ignored"));
	ck_assert(has_diag(t, "1-a.jsonl", 6, true, "used"));
	ck_assert(has_diag(t, "1-a.jsonl", 7, true, "NUL"));
	ck_assert_uint_eq(trace_ndiags(t), 3);
	trace_each_event(t, collect, &s);
	ck_assert_int_eq(s.n, 4);
	ck_assert_str_eq(s.path[0], "/a");
	ck_assert_str_eq(s.path[1], "/b");
	ck_assert_int_eq(s.line[1], 3);
	ck_assert_str_eq(s.path[2], "/c");
	ck_assert_int_eq(s.line[2], 5);
	ck_assert_str_eq(s.path[3], "/d");
	ck_assert_uint_eq(trace_ndiags(t), 3);
	trace_close(t);
}
END_TEST

/* A file that is only preallocated space: no record, no message. */
START_TEST(test_nul_only)
{
	char *buf = xcalloc(1, 100000);
	struct trace *t;

	put_file("1-a.jsonl", buf, 100000);
	free(buf);
	t = open_tmp();
	ck_assert_uint_eq(trace_ndiags(t), 0);
	ck_assert_int_eq(trace_nevents(t), 0);
	ck_assert_uint_eq(trace_nprocs(t), 0);
	trace_close(t);
}
END_TEST

/*
 * Keys the preload may leave out to shrink the log (SCHEMA.md): errno
 * missing is success, tid missing is pid, pid missing is the proc
 * record's, uid/gid missing are the proc record's euid/egid.  The same
 * through the fast parser and through jansson.
 */
static int check_defaults(const struct trace_event *ev, void *ctx)
{
	int *n = ctx;

	ck_assert_int_eq(ev->err, 0);
	ck_assert_ptr_null(ev->errname);
	if (!strcmp(ev->path, "/a")) {
		ck_assert_int_eq(ev->pid, 7);
		ck_assert_int_eq(ev->tid, 7);
		ck_assert_uint_eq(ev->uid, 1000);
		ck_assert_uint_eq(ev->gid, 2000);
	} else {
		ck_assert_str_eq(ev->path, "/b");
		ck_assert_int_eq(ev->pid, 9);
		ck_assert_int_eq(ev->tid, 9);
		ck_assert_uint_eq(ev->uid, 0);
		ck_assert_uint_eq(ev->gid, 5);
	}
	(*n)++;
	return 0;
}

START_TEST(test_omitted_defaults)
{
	put("7-a.jsonl",
	    "{\"t\":\"proc\",\"v\":1,\"pid\":7,\"ts\":1,\"uid\":0,\"euid\":"
	    "1000,"
	    "\"gid\":0,\"egid\":2000}\n"
	    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/"
	    "a\",\"ret\":0,\"ts\":5}\n"
	    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/b\",\"ret\":0,\"ts\":6,"
	    "\"pid\":9,\"uid\":0,\"gid\":5}\n");
	for (int fast = 1; fast >= 0; fast--) {
		struct trace *t;
		int n = 0;

		trace_set_fast_events(fast);
		t = open_tmp();
		ck_assert_uint_eq(trace_ndiags(t), 0);
		trace_each_event(t, check_defaults, &n);
		ck_assert_int_eq(n, 2);
		trace_close(t);
	}
	trace_set_fast_events(true);
}
END_TEST

/* ---- the fast event parser agrees with jansson ------------------------- */

static void add_state(struct strbuf *sb, const char *name,
		      const struct file_state *st)
{
	sb_addf(sb, " %s=%d/%d/%u/%u/%o", name, st->kind, st->type, st->uid,
		st->gid, st->mode);
}

static void add_str(struct strbuf *sb, const char *name, const char *v)
{
	sb_addf(sb, " %s=", name);
	if (v)
		sb_add_path(sb, v); /* escaped: any byte shows */
	else
		sb_adds(sb, "(null)");
}

/* Every field of an event, as text. */
static int describe(const struct trace_event *ev, void *ctx)
{
	struct strbuf *sb = ctx;

	sb_addf(sb, "op=%d", ev->op);
	add_str(sb, "fn", ev->fn);
	add_str(sb, "path", ev->path);
	add_str(sb, "path2", ev->path2);
	add_str(sb, "real", ev->real);
	add_str(sb, "argv0", ev->argv0);
	add_str(sb, "flags", ev->flags_text);
	sb_addf(sb, " bits=%#x mode=%d/%o owner=%d:%d ret=%lld err=%d",
		ev->flags, ev->has_mode, ev->mode, ev->owner_uid, ev->owner_gid,
		ev->ret, ev->err);
	add_str(sb, "errname", ev->errname);
	sb_addf(sb, " pid=%d tid=%d ts=%lld uid=%u gid=%u", ev->pid, ev->tid,
		ev->ts, ev->uid, ev->gid);
	add_state(sb, "st", &ev->st);
	add_state(sb, "st2", &ev->st2);
	add_state(sb, "parent", &ev->parent);
	add_str(sb, "stack", ev->stack ? ev->stack->id : NULL);
	sb_addf(sb, " npy=%d", ev->npy);
	for (int i = 0; i < ev->npy; i++) {
		add_str(sb, "f", ev->py[i].file);
		sb_addf(sb, ":%d", ev->py[i].line);
		add_str(sb, "fn", ev->py[i].func);
	}
	sb_addf(sb, " proc=%d line=%ld\n", ev->proc ? ev->proc->pid : -1,
		ev->line);
	return 0;
}

/* The events and diagnostics of the trace in tmpdir, as text. */
static char *read_all(bool fast)
{
	struct strbuf sb = STRBUF_INIT;
	struct trace *t;

	trace_set_fast_events(fast);
	t = open_tmp();
	trace_each_event(t, describe, &sb);
	for (size_t i = 0; i < trace_ndiags(t); i++) {
		const struct trace_diag *d = trace_diag_at(t, i);

		sb_addf(&sb, "diag %ld %d %s\n", d->line, d->warning,
			d->message);
	}
	trace_close(t);
	trace_set_fast_events(true);
	return sb_detach(&sb);
}

#define EV_HEAD "{\"t\":\"ev\",\"op\":\"open\",\"fn\":\"open64\","
#define EV_TAIL "\"ts\":1700000000000000001}"

/* Event lines: the shapes the preload writes and what it might not. */
static const char *const corpus[] = {
    /* the common shape */
    EV_HEAD
    "\"path\":\"/app/x\",\"flags\":\"O_WRONLY|O_CREAT|O_TRUNC\","
    "\"mode\":\"0666\",\"ret\":5,\"errno\":null,\"pid\":42,\"tid\":43,"
    "\"ts\":1700000000000000000,\"uid\":0,\"gid\":0,\"st\":null,"
    "\"parent\":{\"type\":\"dir\",\"uid\":0,\"gid\":0,\"mode\":\"0755\"},"
    "\"stack\":\"9f3a\"}",
    /* escapes: simple, \u controls, \u beyond ASCII, raw UTF-8 */
    EV_HEAD "\"path\":\"/a\\n\\t\\\\\\\"\\/\\b\\f\\r\",\"ret\":3," EV_TAIL,
    EV_HEAD "\"path\":\"/a\\u001b[31m\\u007f\",\"ret\":3," EV_TAIL,
    EV_HEAD "\"path\":\"/caf\\u00e9/\\u2603/\\u00C9\",\"ret\":3," EV_TAIL,
    EV_HEAD "\"path\":\"/caf\xc3\xa9/\xe2\x98\x83/\xf0\x9f\x98\x80\"," EV_TAIL,
    EV_HEAD "\"path\":\"/s\\ud83d\\ude00\"," EV_TAIL,
    EV_HEAD "\"path\":\"/nul\\u0000x\"," EV_TAIL,
    EV_HEAD "\"path\":\"/bad\\x\"," EV_TAIL,
    EV_HEAD "\"path\":\"/bad\\u12\"," EV_TAIL,
    EV_HEAD "\"path\":\"/raw\xff\"," EV_TAIL,
    EV_HEAD "\"path\":\"/overlong\xc0\xaf\"," EV_TAIL,
    EV_HEAD "\"path\":\"/tab\there\"," EV_TAIL,
    /* hex paths */
    EV_HEAD "\"path\":{\"hex\":\"2f746d702fff0a\"},\"ret\":3," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"rename\",\"path\":\"/a/b\",\"path2\":"
    "{\"hex\":\"2f612fff\"},\"st2\":null," EV_TAIL,
    /* missing optional keys */
    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/m\"}",
    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/m\",\"errno\":\"EACCES\","
    "\"ret\":-1,\"ts\":3}",
    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/m\",\"errno\":\"EWHAT\","
    "\"ret\":-1,\"ts\":3}",
    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/m\",\"errno\":\"E123\","
    "\"ts\":3}",
    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/m\",\"errno\":5,\"ts\":3}",
    /* py frames */
    EV_HEAD "\"path\":\"/p\",\"py\":[{\"f\":\"<frozen os>\",\"l\":225,"
	    "\"fn\":\"makedirs\"},{\"f\":\"/usr/lib/x.py\",\"l\":9,\"fn\":"
	    "\"C.m\"}]," EV_TAIL,
    EV_HEAD "\"path\":\"/p\",\"py\":[]," EV_TAIL,
    EV_HEAD "\"path\":\"/p\",\"py\":[{\"l\":1,\"fn\":\"nofile\"},"
	    "{\"fn\":\"x\",\"f\":\"/a.py\"},{}]," EV_TAIL,
    EV_HEAD "\"path\":\"/p\",\"py\":[{\"f\":\"/1\"},{\"f\":\"/2\"},"
	    "{\"f\":\"/3\"},{\"f\":\"/4\"},{\"f\":\"/5\"},{\"f\":\"/6\"},"
	    "{\"f\":\"/7\"},{\"f\":\"/8\"},{\"f\":\"/9\"},{\"f\":\"/10\"},"
	    "{\"f\":\"/11\"}]," EV_TAIL,
    EV_HEAD
    "\"path\":\"/p\",\"py\":[{\"f\":{\"hex\":\"2fff\"},\"l\":1}]," EV_TAIL,
    EV_HEAD "\"path\":\"/p\",\"py\":[{\"f\":\"/a\",\"x\":[1]}]," EV_TAIL,
    EV_HEAD "\"path\":\"/p\",\"py\":[{\"f\":\"/a\",\"l\":1.5}]," EV_TAIL,
    EV_HEAD "\"path\":\"/p\",\"py\":null," EV_TAIL,
    EV_HEAD "\"path\":\"/p\",\"py\":[1]," EV_TAIL,
    /* owner */
    "{\"t\":\"ev\",\"op\":\"chown\",\"path\":\"/o\",\"owner\":[-1,33]," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"chown\",\"path\":\"/o\",\"owner\":[1,2,3]," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"chown\",\"path\":\"/o\",\"owner\":[\"a\"]," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"chown\",\"path\":\"/o\",\"owner\":5," EV_TAIL,
    /* numbers */
    EV_HEAD "\"path\":\"/n\",\"ret\":-9223372036854775808," EV_TAIL,
    EV_HEAD "\"path\":\"/n\",\"ret\":9223372036854775807," EV_TAIL,
    EV_HEAD "\"path\":\"/n\",\"ret\":9223372036854775808," EV_TAIL,
    EV_HEAD "\"path\":\"/n\",\"ret\":12345678901234567890123," EV_TAIL,
    EV_HEAD "\"path\":\"/n\",\"ret\":1.5e3," EV_TAIL,
    EV_HEAD "\"path\":\"/n\",\"ret\":-0," EV_TAIL,
    EV_HEAD "\"path\":\"/n\",\"ret\":01," EV_TAIL,
    EV_HEAD "\"path\":\"/n\",\"ret\":-," EV_TAIL,
    EV_HEAD "\"path\":\"/n\",\"ret\":\"5\"," EV_TAIL,
    EV_HEAD "\"path\":\"/n\",\"ret\":5x," EV_TAIL,
    EV_HEAD "\"path\":\"/n\",\"pid\":1e300,\"tid\":2.5," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"open\",\"path\":\"/n\",\"ts\":1e30}",
    /* states */
    EV_HEAD "\"path\":\"/s\",\"st\":{},\"st2\":null,\"parent\":"
	    "{\"mode\":\"4755\",\"type\":\"sock\"}," EV_TAIL,
    EV_HEAD "\"path\":\"/s\",\"st\":{\"type\":\"weird\",\"uid\":5}," EV_TAIL,
    EV_HEAD "\"path\":\"/s\",\"st\":{\"type\":\"dir\",\"dev\":5}," EV_TAIL,
    EV_HEAD "\"path\":\"/s\",\"st\":{\"mode\":755}," EV_TAIL,
    EV_HEAD "\"path\":\"/s\",\"st\":\"x\"," EV_TAIL,
    EV_HEAD "\"path\":\"/s\",\"st\":[]," EV_TAIL,
    /* unknown keys, duplicates, whitespace */
    EV_HEAD "\"path\":\"/u\",\"new\":\"x\\n\",\"n2\":-4,\"n3\":true,"
	    "\"n4\":false,\"n5\":null," EV_TAIL,
    EV_HEAD "\"path\":\"/u\",\"new\":{\"a\":[1,{\"b\":2}]}," EV_TAIL,
    EV_HEAD "\"path\":\"/u\",\"new\":[1,2]," EV_TAIL,
    EV_HEAD "\"path\":\"/dup1\",\"path\":\"/dup2\"," EV_TAIL,
    EV_HEAD "\"pa\\u0074h\":\"/esc-key\"," EV_TAIL,
    "{\"t\":\"ev\" , \"op\" :\"unlink\",\t\"path\": \"/w\" ,\r\"ts\" : 4 } ",
    /* not events, or not usable */
    "{\"t\":\"ev\",\"op\":\"frobnicate\",\"path\":\"/x\"," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"frobnicate\",\"path\":\"x\"," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/a/../etc\"," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"rel\"," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":null," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"mkdir\"," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"rename\",\"path\":\"/a\",\"path2\":\"/b/./"
    "c\"," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"symlink\",\"path\":\"/l\",\"path2\":\"../"
    "t\"," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"open\",\"path\":\"/l\",\"real\":\"/x//y\"," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"open\",\"path\":\"/l\",\"real\":\"/x/y\","
    "\"argv0\":\"sh\"," EV_TAIL,
    "{\"t\":\"ev\",\"op\":\"open\",\"path\":\"/z\"," EV_TAIL " x",
    "{\"t\":\"ev\",\"op\":\"open\",\"path\":\"/z\"," EV_TAIL "}",
    "{\"t\":\"ev\",\"op\":\"open\",\"path\":\"/z\",}",
    "{\"t\":\"ev\",\"op\":\"open\",\"path\":\"/z\" \"ts\":1}",
    EV_HEAD "\"path\":\"/k\",\"stack\":\"nosuch\"," EV_TAIL,
    EV_HEAD "\"path\":\"/k\",\"stack\":5," EV_TAIL,
    EV_HEAD "\"path\":\"/k\",\"fn\":null,\"flags\":\"O_RDWR|0x40|junk\","
	    "\"mode\":\"07777\"," EV_TAIL,
};

START_TEST(test_fast_parser_agrees)
{
	const char *head =
	    "{\"t\":\"proc\",\"v\":1,\"pid\":42,\"ts\":1,\"uid\":7,"
	    "\"euid\":8,\"gid\":9,\"egid\":10}\n"
	    "{\"t\":\"stack\",\"id\":\"9f3a\",\"frames\":[{\"m\":\"/x\","
	    "\"o\":\"0x1\"}]}\n";
	struct strbuf all = STRBUF_INIT;

	for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
		struct strbuf sb = STRBUF_INIT;
		char *fast, *slow;

		sb_adds(&sb, head);
		sb_adds(&sb, corpus[i]);
		sb_addc(&sb, '\n');
		sb_add(&all, corpus[i], strlen(corpus[i]));
		sb_addc(&all, '\n');
		put_file("42-a.jsonl", sb.buf, sb.len);
		sb_release(&sb);
		fast = read_all(true);
		slow = read_all(false);
		ck_assert_msg(!strcmp(fast, slow),
			      "line %zu: %s\nfast: %s\njansson: %s", i,
			      corpus[i], fast, slow);
		free(fast);
		free(slow);
	}
	/* all of them in one file: the same again, line numbers included */
	{
		struct strbuf sb = STRBUF_INIT;
		char *fast, *slow;

		sb_adds(&sb, head);
		sb_add(&sb, all.buf, all.len);
		put_file("42-a.jsonl", sb.buf, sb.len);
		sb_release(&sb);
		fast = read_all(true);
		slow = read_all(false);
		ck_assert_str_eq(fast, slow);
		free(fast);
		free(slow);
	}
	sb_release(&all);
}
END_TEST

/* ---- the summary's pass agrees with the full one ------------------------ */

/* Event lines as the preload writes them, and a few of other shapes. */
#define NEV(op, rest, ts)                                                     \
	"{\"t\":\"ev\",\"op\":\"" op "\",\"fn\":\"" op "\"," rest             \
	",\"pid\":7,\"ts\":" #ts ",\"st\":null,\"parent\":{\"type\":\"dir\"," \
	"\"uid\":0,\"gid\":0,\"mode\":\"0755\"}}\n"
static const char *const notable_lines[] = {
    "{\"t\":\"proc\",\"v\":2,\"pid\":7,\"ppid\":1,\"ts\":1}\n",
    NEV("open", "\"path\":\"/w\",\"flags\":\"O_WRONLY|O_CREAT\",\"ret\":3", 10),
    NEV("open", "\"path\":\"/r\",\"flags\":\"O_RDONLY\",\"ret\":3", 11),
    NEV("open",
	"\"path\":\"/d\",\"flags\":\"O_RDWR\",\"ret\":-1,\"errno\":\"EACCES\"",
	12),
    NEV("open",
	"\"path\":\"/n\",\"flags\":\"O_CREAT|O_EXCL\",\"ret\":-1,"
	"\"errno\":\"EEXIST\"",
	13),
    NEV("mkdir", "\"path\":\"/m\",\"ret\":0,\"errno\":null", 14),
    NEV("rename", "\"path\":\"/a\",\"path2\":\"/b\",\"ret\":0", 15),
    NEV("open",
	"\"path\":\"/ro\",\"flags\":\"O_WRONLY|O_CREAT\",\"ret\":-1,"
	"\"errno\":\"EROFS\"",
	16),
    /* a name that was not there (st null): the ENOENT of a writable
     * root, no denial */
    NEV("unlink", "\"path\":\"/gone\",\"ret\":-1,\"errno\":\"EROFS\"", 16),
    NEV("chmod",
	"\"path\":\"/p\",\"mode\":\"0644\",\"ret\":-1,\"errno\":\"EPERM\"", 17),
    NEV("exec", "\"path\":\"/bin/true\",\"ret\":0", 18),
    NEV("exec", "\"path\":\"/nope\",\"ret\":-1,\"errno\":\"ENOENT\"", 19),
    NEV("spawn", "\"path\":\"/bin/sh\",\"ret\":8", 20),
    NEV("stat", "\"path\":\"/s\",\"ret\":-1,\"errno\":\"EACCES\"", 21),
    NEV("open",
	"\"path\":{\"hex\":\"2f78ff\"},\"flags\":\"O_WRONLY\",\"ret\":3", 22),
    NEV("open", "\"path\":\"/q\\\"x\",\"flags\":\"O_TRUNC|O_WRONLY\",\"ret\":3",
	23),
    NEV("symlink", "\"path\":\"/l\",\"path2\":\"t\",\"ret\":0", 24),
    /* other shapes: decoded in full */
    "{\"t\":\"ev\" , \"op\":\"unlink\",\"path\": \"/sp\","
    "\"errno\":\"EACCES\",\"ts\":25}\n",
    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/late\",\"ts\":26}\n",
};

static const char *const second_lines[] = {
    "{\"t\":\"proc\",\"v\":2,\"pid\":8,\"ppid\":7,\"ts\":2}\n",
    NEV("exec", "\"path\":\"/x\",\"ret\":0", 15),
    NEV("open", "\"path\":\"/y\",\"flags\":\"O_APPEND\",\"ret\":4", 16),
};

/* Write the lines, one after the other, to log/NAME. */
static void put_lines(const char *name, const char *const *lines, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < n; i++)
		sb_adds(&sb, lines[i]);
	put(name, sb.buf);
	sb_release(&sb);
}

START_TEST(test_notable_pass_counts_and_gives_what_the_full_pass_sees)
{
	struct full_tally full = {{0}, STRBUF_INIT, describe};
	struct strbuf given = STRBUF_INIT;
	struct trace_tally n;
	struct trace *t;

	put_lines("7-a.jsonl", notable_lines,
		  sizeof notable_lines / sizeof *notable_lines);
	/* a second file: what is given keeps the time order of both */
	put_lines("8-b.jsonl", second_lines,
		  sizeof second_lines / sizeof *second_lines);
	t = open_tmp();
	trace_each_event(t, full_tally_event, &full);
	trace_each_notable(t, describe, &given, &n);
	ck_assert_uint_eq(trace_ndiags(t), 0);
	trace_close(t);
	/* /w /m /b-rename /hex /q"x /l /late /y; denied: /d /ro /p /sp, not
	 * /gone */
	ck_assert_int_eq(full.n.written, 8);
	ck_assert_int_eq(full.n.denied, 4);
	ck_assert_int_eq(n.written, full.n.written);
	ck_assert_int_eq(n.denied, full.n.denied);
	ck_assert_str_eq(given.buf, full.sb.buf);
	ck_assert_ptr_nonnull(strstr(given.buf, "path=/x"));
	ck_assert_ptr_nonnull(strstr(given.buf, "path=/nope"));
	ck_assert_ptr_null(strstr(given.buf, "path=/w "));
	sb_release(&given);
	sb_release(&full.sb);
}
END_TEST

/*
 * Fork records (schema 2): a forked child's short proc record inherits what
 * it lacks from its source (pid = from or ppid, ts = pts), through chains,
 * and its events' missing uid/gid are the resolved euid/egid; a record
 * whose source is missing is an orphan with a warning.
 */
START_TEST(test_fork_records)
{
	put("100-a.jsonl",
	    "{\"t\":\"proc\",\"v\":2,\"pid\":100,\"ppid\":1,\"ts\":10,"
	    "\"exe\":\"/usr/sbin/nginx\",\"argv0\":\"nginx\",\"cwd\":\"/\","
	    "\"uid\":0,\"euid\":0,\"gid\":0,\"egid\":0,\"groups\":[0],"
	    "\"env\":{\"HOME\":\"/root\"},\"stacks\":true}\n");
	/* a worker that dropped to www-data: carries only what differs */
	put("101-b.jsonl",
	    "{\"t\":\"proc\",\"v\":2,\"pid\":101,\"ppid\":100,\"ts\":20,"
	    "\"fork\":true,\"pts\":10,\"euid\":33,\"egid\":33}\n"
	    "{\"t\":\"ev\",\"op\":\"mkdir\",\"fn\":\"mkdir\",\"path\":"
	    "\"/var/lib/nginx/body\",\"ret\":0,\"ts\":21}\n");
	/* its child, inheriting through the worker's fork record */
	put("102-c.jsonl",
	    "{\"t\":\"proc\",\"v\":2,\"pid\":102,\"ppid\":101,\"ts\":30,"
	    "\"fork\":true,\"pts\":20,\"cwd\":\"/srv\"}\n");
	/* a source that was lost */
	put("103-d.jsonl",
	    "{\"t\":\"proc\",\"v\":2,\"pid\":103,\"ppid\":99,\"ts\":40,"
	    "\"fork\":true,\"pts\":5}\n");
	struct trace *t = open_tmp();
	const struct trace_proc *w = NULL, *c = NULL, *o = NULL;
	for (size_t i = 0; i < trace_nprocs(t); i++) {
		const struct trace_proc *p = trace_proc_at(t, i);
		if (p->pid == 101)
			w = p;
		else if (p->pid == 102)
			c = p;
		else if (p->pid == 103)
			o = p;
	}
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(o);
	ck_assert(w->forked && !w->orphan);
	ck_assert_str_eq(w->exe, "/usr/sbin/nginx");
	ck_assert_uint_eq(w->euid, 33);
	ck_assert_uint_eq(w->uid, 0);
	ck_assert_str_eq(w->home, "/root");
	ck_assert_int_eq(w->ngroups, 1);
	ck_assert_str_eq(c->exe, "/usr/sbin/nginx");
	ck_assert_uint_eq(c->euid, 33);
	ck_assert_str_eq(c->cwd, "/srv");
	ck_assert(o->forked && o->orphan);
	ck_assert_str_eq(o->exe, "");
	ck_assert(has_diag(t, "103-d.jsonl", 1, true, "not found"));
	struct seen s = {0};
	trace_each_event(t, collect, &s);
	ck_assert_int_eq(s.n, 1);
	ck_assert_ptr_eq(s.proc[0], w);
	ck_assert_int_eq(s.pid[0], 101);
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

	put("1-a.jsonl",
	    "{\"t\":\"proc\",\"v\":1,\"pid\":1,\"ts\":1}\n"
	    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/1\",\"ts\":10}\n"
	    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/3\",\"ts\":30}\n"
	    "{\"t\":\"ev\",\"op\":\"mkdir\",\"path\":\"/5\",\"ts\":50}\n");
	put("2-b.jsonl",
	    "{\"t\":\"proc\",\"v\":1,\"pid\":2,\"ts\":1}\n"
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
	char *log_only = xasprintf("%s/log", tmpdir);
	char *dirs[] = {log_only};
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
	free(log_only);
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

/* One event of op with flags, as a parser would build it. */
static struct trace_event event_of(enum unroot_op op, int flags)
{
	struct trace_event ev;

	memset(&ev, 0, sizeof ev);
	ev.op = op;
	ev.flags = flags;
	ev.path = "/x";
	return ev;
}

static bool writes(enum unroot_op op, int flags)
{
	struct trace_event ev = event_of(op, flags);

	return trace_event_writes(&ev);
}

START_TEST(test_writes_are_what_the_schema_says)
{
	/* open: by its flags */
	ck_assert(!writes(OP_OPEN, O_RDONLY));
	ck_assert(!writes(OP_OPEN, O_RDONLY | O_CLOEXEC | O_DIRECTORY));
	ck_assert(writes(OP_OPEN, O_WRONLY));
	ck_assert(writes(OP_OPEN, O_RDWR));
	ck_assert(writes(OP_OPEN, O_RDONLY | O_CREAT));
	ck_assert(writes(OP_OPEN, O_RDONLY | O_TRUNC));
	ck_assert(writes(OP_OPEN, O_RDONLY | O_APPEND));
	ck_assert(writes(OP_OPEN, O_TMPFILE | O_WRONLY));
	/* probes and programs change nothing */
	ck_assert(!writes(OP_READ, 0));
	ck_assert(!writes(OP_STAT, 0));
	ck_assert(!writes(OP_ACCESS, 0));
	ck_assert(!writes(OP_CONNECT, 0));
	ck_assert(!writes(OP_EXEC, 0));
	ck_assert(!writes(OP_SPAWN, 0));
	/* everything else writes, metadata included */
	ck_assert(writes(OP_MKDIR, 0));
	ck_assert(writes(OP_RENAME, 0));
	ck_assert(writes(OP_SYMLINK, 0));
	ck_assert(writes(OP_CHMOD, 0));
	ck_assert(writes(OP_UTIME, 0));
	ck_assert(writes(OP_BIND, 0));
	ck_assert(writes(OP_MKTEMP, 0));
	ck_assert(!writes(OP__COUNT, O_WRONLY));
}
END_TEST

START_TEST(test_every_operation_has_one_kind)
{
	for (int i = 0; i < OP__COUNT; i++) {
		unsigned a = unroot_op_attrs((enum unroot_op)i);
		unsigned kind =
		    a & (OPA_WRITES | OPA_BY_FLAGS | OPA_PROBE | OPA_RUNS);

		/* exactly one of: writes, by flags, probe, runs */
		ck_assert_msg(kind && !(kind & (kind - 1)), "%s: %#x",
			      op_name((enum unroot_op)i), a);
		ck_assert(!(a & OPA_META) || (a & OPA_WRITES));
		ck_assert_int_eq(!!(a & OPA_PATH2),
				 i == OP_RENAME || i == OP_LINK);
		ck_assert_int_eq(!!(a & OPA_TEXT2), i == OP_SYMLINK);
	}
	ck_assert(unroot_op_attrs(OP_CHOWN) & OPA_META);
	ck_assert(!(unroot_op_attrs(OP_TRUNCATE) & OPA_META));
	ck_assert_uint_eq(unroot_op_attrs(OP__COUNT), 0);
}
END_TEST

START_TEST(test_denials_are_eacces_eperm_erofs)
{
	struct trace_event ev = event_of(OP_OPEN, O_WRONLY);

	ck_assert(trace_errno_denied(EACCES));
	ck_assert(trace_errno_denied(EPERM));
	ck_assert(trace_errno_denied(EROFS));
	ck_assert(!trace_errno_denied(0));
	ck_assert(!trace_errno_denied(ENOENT));
	ck_assert(!trace_errno_denied(EEXIST));
	ck_assert(!trace_event_denied(&ev));
	ev.err = EROFS;
	ck_assert(trace_event_denied(&ev));
}
END_TEST

START_TEST(test_trace_json_is_read_for_the_commands)
{
	char *meta = xasprintf("%s/trace.json", tmpdir);
	const struct trace_bind *b;
	struct trace *t;
	long long status = -1;
	FILE *f;

	put("1-a.jsonl", "{\"t\":\"proc\",\"v\":2,\"pid\":1,\"ts\":1}\n");
	f = fopen(meta, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"unroot\":2,\"command\":[{\"hex\":\"2f62696e2fff\"},\"-c\"],"
	      "\"exit\":3,\"runner\":\"docker\",\"binds\":["
	      "{\"container\":\"/data\",\"host\":{\"hex\":\"2f7372762fff\"},"
	      "\"ro\":true},"
	      "{\"container\":\"/cache\",\"host\":null,\"ro\":false,"
	      "\"volume\":\"pipcache\"},"
	      "{\"host\":\"/no-container\"}]}",
	      f);
	fclose(f);
	t = open_tmp();
	ck_assert_str_eq(trace_meta_command(t, 0), "/bin/\xff");
	ck_assert(trace_meta_exit(t, 0, &status));
	ck_assert_int_eq(status, 3);
	/* an entry without the container's path is no bind */
	ck_assert_uint_eq(trace_nbinds(t), 2);
	b = trace_bind_at(t, 0);
	ck_assert_str_eq(b->container, "/data");
	ck_assert_str_eq(b->host, "/srv/\xff");
	ck_assert_ptr_null(b->volume);
	ck_assert(b->ro);
	b = trace_bind_at(t, 1);
	ck_assert_str_eq(b->container, "/cache");
	ck_assert_ptr_null(b->host);
	ck_assert_str_eq(b->volume, "pipcache");
	ck_assert(!b->ro);
	ck_assert_ptr_null(trace_bind_at(t, 2));
	ck_assert_ptr_null(trace_meta_command(t, 1));
	ck_assert(!trace_meta_exit(t, 1, &status));
	trace_close(t);
	/* a trace without trace.json: nothing known */
	ck_assert_int_eq(unlink(meta), 0);
	t = open_tmp();
	ck_assert_ptr_null(trace_meta_command(t, 0));
	ck_assert(!trace_meta_exit(t, 0, &status));
	ck_assert_uint_eq(trace_nbinds(t), 0);
	trace_close(t);
	free(meta);
}
END_TEST

static int line_record(const char *line, int *err)
{
	return trace_line_record(line, strlen(line), err);
}

START_TEST(test_line_record_gives_type_and_errno)
{
	int err = -1;

	ck_assert_int_eq(line_record("{\"t\":\"proc\",\"pid\":1}", &err),
			 RT_PROC);
	ck_assert_int_eq(err, 0);
	ck_assert_int_eq(line_record("{\"t\":\"ev\",\"op\":\"open\","
				     "\"errno\":\"EACCES\"}",
				     &err),
			 RT_EVENT);
	ck_assert_int_eq(err, EACCES);
	ck_assert_int_eq(line_record("{\"t\":\"ev\",\"op\":\"open\"}", &err),
			 RT_EVENT);
	ck_assert_int_eq(err, 0);
	ck_assert_int_eq(line_record("{\"t\":\"end\",\"lost\":0}", &err),
			 RT_END);
	ck_assert_int_eq(line_record("{\"t\":\"future\"}", &err), -1);
	ck_assert_int_eq(line_record("{\"pid\":1}", &err), -1);
	ck_assert_int_eq(line_record("[1,2]", &err), -1);
	ck_assert_int_eq(line_record("{\"t\":\"ev\",", &err), -1);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("reader");
	TCase *tc = test_case("reader", NULL);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_all_records);
	tcase_add_test(tc, test_event_details);
	tcase_add_test(tc, test_truncated_last_line);
	tcase_add_test(tc, test_corrupt_middle_line);
	tcase_add_test(tc, test_nul_padding);
	tcase_add_test(tc, test_nul_only);
	tcase_add_test(tc, test_omitted_defaults);
	tcase_add_test(tc, test_fast_parser_agrees);
	tcase_add_test(
	    tc, test_notable_pass_counts_and_gives_what_the_full_pass_sees);
	tcase_add_test(tc, test_fork_records);
	tcase_add_test(tc, test_newer_schema);
	tcase_add_test(tc, test_merge_order);
	tcase_add_test(tc, test_many_files_few_fds);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_dir_without_log_and_meta);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_writes_are_what_the_schema_says);
	tcase_add_test(tc, test_every_operation_has_one_kind);
	tcase_add_test(tc, test_denials_are_eacces_eperm_erofs);
	tcase_add_test(tc, test_trace_json_is_read_for_the_commands);
	tcase_add_test(tc, test_line_record_gives_type_and_errno);
	suite_add_tcase(s, tc);
	return s;
}
