/*
 * test_procrec.c - unit tests of the reader's proc records: a trace has
 * one per process, and the fast parser (cli/trace_fast.c, tr_fast_proc)
 * reads the shape the preload writes without jansson.  Every field of
 * every process, and every diagnostic, must come out as jansson alone
 * gives them, for the lines the fast parser reads and for those it must
 * leave to jansson; and the lines the preload writes must be read fast.
 * Logs are written by hand into a temporary directory, as in
 * test_reader.c.
 */
#define _GNU_SOURCE
#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "trace.h"
#include "trace_private.h"
#include "tmptrace.h"
#include "util.h"

/* Everything the reader gives of a trace's processes, and its diagnostics. */
static void dump_proc(struct strbuf *sb, const struct trace_proc *p)
{
	sb_addf(sb, "proc %s pid=%d ppid=%d ts=%lld exe=%s argv0=%s cwd=%s",
		p->file, p->pid, p->ppid, p->ts, p->exe, p->argv0, p->cwd);
	sb_adds(sb, " argv=");
	for (char **a = p->argv; a && *a; a++)
		sb_addf(sb, "[%s]", *a);
	sb_addf(sb, "%s ids=%u,%u,%u,%u groups=", p->argv ? "" : "(none)",
		p->uid, p->euid, p->gid, p->egid);
	for (int i = 0; i < p->ngroups; i++)
		sb_addf(sb, "%u,", p->groups[i]);
	sb_addf(sb, "%s ns=%llu rootfs=%s env=", p->groups ? "" : "(none)",
		p->ns, p->rootfs);
	for (int i = 0; i < p->nenv; i++)
		sb_addf(sb, "[%s=%s]", p->env[i].name, p->env[i].value);
	sb_addf(sb,
		"%s home=%s stacks=%d ptrace=%d forked=%d orphan=%d "
		"ended=%d lost=%ld\n",
		p->env ? "" : "(none)", p->home ? p->home : "(none)", p->stacks,
		p->ptrace, p->forked, p->orphan, p->ended, p->lost);
}

static char *dump(void)
{
	struct trace *t = open_tmptrace();
	struct strbuf sb = STRBUF_INIT;

	sb_addf(&sb, "events %lld\n", trace_nevents(t));
	for (size_t i = 0; i < trace_nprocs(t); i++)
		dump_proc(&sb, trace_proc_at(t, i));
	sb_add_diags(&sb, t);
	trace_close(t);
	return sb_detach(&sb);
}

/* log/NAME: line, one event, an end record. */
static void put_proc_log(const char *name, const char *line, int pid)
{
	char *text = xasprintf(
	    "%s\n{\"t\":\"ev\",\"op\":\"mkdir\",\"fn\":\"mkdir\","
	    "\"path\":\"/w/%d\",\"ret\":0,\"errno\":null,\"pid\":%d,"
	    "\"ts\":9}\n{\"t\":\"end\",\"pid\":%d,\"ts\":10,\"lost\":0}\n",
	    line, pid, pid, pid);

	put_file(name, text, strlen(text));
	free(text);
}

#define PRE "{\"t\":\"proc\",\"v\":2,\"pid\":7,\"ppid\":1,\"ts\":5,"
#define IDS "\"uid\":1000,\"euid\":1000,\"gid\":100,\"egid\":100,"
#define ENV "\"env\":{\"PWD\":\"/w\",\"HOME\":\"/home/u\",\"LANG\":\"C\"}"

/* proc lines, and whether the fast parser reads them (else jansson) */
static const struct {
	bool fast;
	const char *line;
} proc_lines[] = {
    /* as the preload writes them */
    {true, PRE "\"exe\":\"/usr/bin/dash\",\"argv0\":\"sh\",\"cwd\":\"/w\"," IDS
	       "\"groups\":[],\"ns\":4026531832,\"rootfs\":\"65024:2\"," ENV
	       ",\"stacks\":true}"},
    {true, PRE "\"exe\":\"/bin/x\",\"argv0\":\"x\",\"argv\":[\"x\",\"-c\","
	       "\"a b\"],\"cwd\":\"/\"," IDS "\"groups\":[27,100,0],\"ns\":1,"
	       "\"rootfs\":\"1:2\",\"env\":{},\"stacks\":false}"},
    {true, PRE "\"exe\":\"/bin/x\",\"tracer\":\"ptrace\",\"argv\":[]}"},
    {true, PRE "\"exe\":\"/bin/x\",\"tracer\":\"other\",\"uid\":5}"},
    {true, "{\"t\":\"proc\",\"pid\":7}"},
    {true, " { \"pid\" : 7 , \"t\" : \"proc\" , \"v\" : 2 , \"env\" : "
	   "{ \"A\" : \"v\" } } "},
    {true, PRE "\"x\":null,\"y\":\"s\",\"z\":-3,\"exe\":\"/bin/\xc3\xa9\"}"},
    {true, "{\"t\":\"proc\",\"v\":-1,\"pid\":7}"},
    /* left to jansson */
    {false, PRE "\"exe\":{\"hex\":\"2f62696e2f78\"}}"},
    {false, PRE "\"cwd\":\"/a\\u0062\"}"},
    {false, PRE "\"env\":{\"A\":\"1\",\"A\":\"2\"}}"},
    {false, PRE "\"env\":{\"A\":{\"hex\":\"2f\"}}}"},
    {false, PRE "\"env\":{\"H\\u004fME\":\"/h\"}}"},
    {false, PRE "\"argv\":[\"a\",{\"hex\":\"62\"}]}"},
    {false, PRE "\"argv\":[\"a\",7]}"},
    {false, PRE "\"groups\":[1.5]}"},
    {false, PRE "\"groups\":[\"1\"]}"},
    {false, PRE "\"groups\":{}}"},
    {false, PRE "\"uid\":7.0}"},
    {false, PRE "\"stacks\":1}"},
    {false, PRE "\"pid\":8}"},
    {false, PRE "\"exe\":\"/a\",\"exe\":\"/b\"}"},
    {false, "{\"t\":\"proc\",\"v\":3,\"pid\":7,\"exe\":\"/bin/x\"}"},
    {false, "{\"t\":\"proc\",\"v\":\"2\",\"pid\":7}"},
    {false, "{\"t\":\"prod\",\"pid\":7}"},
    {false, "{\"t\":\"proc\",\"t\":\"proc\",\"pid\":7}"},
    {false, PRE "\"exe\":\"/bin/x\"}x"},
    {false, PRE "\"exe\":\"/bin/x\",}"},
    {false, PRE "\"exe\":\"/bin/\xff\"}"},
    {false, PRE "\"pts\":99999999999999999999}"},
    {false, PRE "\"fork\":\"yes\"}"},
    {false, PRE "\"v2\":{\"nested\":1},\"exe\":\"/bin/x\"}"},
};

START_TEST(proc_records_read_as_jansson_reads_them)
{
	for (size_t i = 0; i < sizeof proc_lines / sizeof *proc_lines; i++) {
		const char *line = proc_lines[i].line;
		char *copy = xstrdup(line), *text;
		struct tr_proc_fields r;

		ck_assert_msg(tr_fast_proc(copy, strlen(copy), &r) ==
				  proc_lines[i].fast,
			      "%s: read %s", line,
			      proc_lines[i].fast ? "by jansson" : "fast");
		ck_assert_str_eq(copy, line); /* the line is left as it was */
		put_proc_log("7-a.jsonl", line, 7);
		free(read_both_ways(dump, line));
		free(copy);
		/* a second proc record in the same log */
		text = xasprintf("%s\n%s", PRE "\"exe\":\"/bin/first\"}", line);
		put_proc_log("7-a.jsonl", text, 7);
		free(read_both_ways(dump, text));
		free(text);
	}
}
END_TEST

START_TEST(a_fork_record_read_fast_inherits_as_with_jansson)
{
	char *text;

	put_proc_log("7-a.jsonl",
		     PRE
		     "\"exe\":\"/bin/sh\",\"argv0\":\"sh\",\"cwd\":\"/w\"," IDS
		     "\"groups\":[4],\"ns\":1,\"rootfs\":\"1:2\"," ENV
		     ",\"stacks\":true}",
		     7);
	put_proc_log("8-b.jsonl",
		     "{\"t\":\"proc\",\"v\":2,\"fork\":true,\"pid\":8,"
		     "\"ppid\":7,\"ts\":6,\"pts\":5,\"from\":7,"
		     "\"cwd\":\"/elsewhere\",\"uid\":0}",
		     8);
	put_proc_log("9-c.jsonl",
		     "{\"t\":\"proc\",\"v\":2,\"fork\":true,\"pid\":9,"
		     "\"ppid\":4,\"ts\":6,\"pts\":5,\"from\":4}",
		     9);
	text = read_both_ways(dump, "fork records");
	/* inherited: exe, env, groups; its own: cwd, uid; no source: orphan */
	ck_assert_ptr_nonnull(strstr(
	    text, "pid=8 ppid=7 ts=6 exe=/bin/sh argv0=sh cwd=/elsewhere"));
	ck_assert_ptr_nonnull(strstr(text, "ids=0,1000,100,100 groups=4,"));
	ck_assert_ptr_nonnull(strstr(text, "[LANG=C] home=/home/u"));
	ck_assert_ptr_nonnull(strstr(text, "pid=9 ppid=4"));
	ck_assert_ptr_nonnull(strstr(text, "orphan=1"));
	free(text);
}
END_TEST

START_TEST(a_list_longer_than_the_fast_parser_holds_is_read_whole)
{
	struct strbuf sb = STRBUF_INIT;
	struct tr_proc_fields r;
	char *text;

	sb_adds(&sb, PRE "\"argv\":[");
	for (int i = 0; i < TR_FAST_ITEMS + 6; i++)
		sb_addf(&sb, "%s\"a%d\"", i ? "," : "", i);
	sb_adds(&sb, "]}");
	ck_assert(!tr_fast_proc(sb.buf, sb.len, &r));
	put_proc_log("7-a.jsonl", sb.buf, 7);
	text = read_both_ways(dump, "long argv");
	ck_assert_ptr_nonnull(strstr(text, "[a69]"));
	free(text);
	sb_release(&sb);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("procrec");
	TCase *tc = test_case("procrec", NULL);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, proc_records_read_as_jansson_reads_them);
	tcase_add_test(tc, a_fork_record_read_fast_inherits_as_with_jansson);
	tcase_add_test(tc,
		       a_list_longer_than_the_fast_parser_holds_is_read_whole);
	suite_add_tcase(s, tc);
	return s;
}
