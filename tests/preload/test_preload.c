/*
 * test_preload.c - Check tests of libunroot.so.  Each test runs
 * preload_workload (workload.c) with a scenario in a fresh process under
 * LD_PRELOAD and UNROOT_LOG, then reads every log file of the run with
 * jansson (not the CLI's reader) and asserts on the records: one "ev" per
 * interposed call with the right fields, errno and results unchanged,
 * children followed, logs intact under threads, signals, kills and
 * daemons, nothing secret written.
 *
 * The main is the shared one (tests/common/check_main.h): `test_preload
 * CASE` runs one test case, and CTest registers one test per case: one per
 * row of the call tables, and the scenario groups below.  UR_KEEP=1 keeps
 * the temporary directories for inspection.
 */
#define _GNU_SOURCE
#include "check_main.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "schema.h"

/* ---- running a scenario ---- */

struct opts {
	const char *flags;  /* UNROOT_FLAGS */
	bool bare;	    /* run without the preload */
	const char *env[8]; /* extra environment entries */
	const char *logdir; /* UNROOT_LOG other than the run's own */
	const char *as_uid; /* run under setpriv as this uid/gid */
	int kill_ms;	    /* SIGKILL the process group after this */
	const char *arg3, *arg4;
	bool keep_work; /* do not chmod the work dir 0777 */
};

struct run {
	char root[64];
	char log[96];
	char work[96];
	pid_t pid;
	int status;
	long maxrss_kib; /* the workload's peak resident memory */
	char out[1 << 16];
	size_t outlen;
	json_t *recs; /* every record, with "_file" added */
	int files;
	int bad;  /* lines that do not parse (a cut last line excepted) */
	int torn; /* cut last lines */
	char bad_msg[512];
};

static char workload_real[PATH_MAX];

static void run_free(struct run *r);

/*
 * ---- the staged programs ----
 * uid 1001 runs the workload under the preload, and the build tree may be
 * out of that user's reach (a clone under /root, mode 0700), so before
 * each test case the files the tests execute, preload or open are copied
 * into a directory of their own under /tmp (mode 0755), removed after the
 * case (Check's unchecked fixture: in the runner, around the case's
 * tests).  UR_WORKLOAD and the others name the copies; the build defines
 * UR_BUILD_* as the originals.
 */
enum { ST_WORKLOAD, ST_PRELOAD, ST_DUMMY, ST_STATIC, ST_DEEP, ST_N };
static const char *const st_build[ST_N] = {UR_BUILD_WORKLOAD, UR_BUILD_PRELOAD,
					   UR_BUILD_DUMMY, UR_BUILD_STATIC,
					   UR_BUILD_DEEP};
static char st_dir[64], st_path[ST_N][PATH_MAX];
#define UR_WORKLOAD staged(ST_WORKLOAD)
#define UR_PRELOAD  staged(ST_PRELOAD)
#define UR_DUMMY    staged(ST_DUMMY)
#define UR_STATIC   staged(ST_STATIC)
#define UR_DEEP	    staged(ST_DEEP)

static char *staged(int which)
{
	ck_assert_msg(st_dir[0], "the programs are not staged");
	return st_path[which];
}

static void stage_copy(const char *from, const char *to)
{
	char buf[1 << 16];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);

	ck_assert_msg(in >= 0 && out >= 0, "staging %s: %s", from,
		      strerror(errno));
	while ((n = read(in, buf, sizeof buf)) > 0)
		ck_assert_int_eq(write(out, buf, (size_t)n), n);
	ck_assert_int_eq(n, 0);
	close(in);
	ck_assert_int_eq(close(out), 0);
}

static void stage(void)
{
	snprintf(st_dir, sizeof st_dir, "/tmp/unroot-stage-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(st_dir));
	ck_assert_int_eq(chmod(st_dir, 0755), 0);
	for (int i = 0; i < ST_N; i++) {
		const char *base = strrchr(st_build[i], '/');
		snprintf(st_path[i], sizeof st_path[i], "%s%s", st_dir,
			 base ? base : "/");
		stage_copy(st_build[i], st_path[i]);
	}
	ck_assert_ptr_nonnull(realpath(st_path[ST_WORKLOAD], workload_real));
}

static void unstage(void)
{
	for (int i = 0; i < ST_N; i++)
		unlink(st_path[i]);
	rmdir(st_dir);
	st_dir[0] = 0;
}

/*
 * The keys an "ev" may leave out, filled in as a reader infers them
 * (SCHEMA.md): errno null (success), tid the pid, uid/gid the euid/egid of
 * the proc record before it in the same file.
 */
static void infer_ev(json_t *ev, const json_t *proc)
{
	json_t *v = json_object_get(ev, "errno");

	if (!v)
		json_object_set_new(ev, "errno", json_null());
	else
		ck_assert_msg(json_is_string(v),
			      "errno present but not a name");
	if (!json_object_get(ev, "tid") && json_object_get(ev, "pid"))
		json_object_set(ev, "tid", json_object_get(ev, "pid"));
	if (!json_object_get(ev, "uid") && proc &&
	    json_object_get(proc, "euid"))
		json_object_set(ev, "uid", json_object_get(proc, "euid"));
	if (!json_object_get(ev, "gid") && proc &&
	    json_object_get(proc, "egid"))
		json_object_set(ev, "gid", json_object_get(proc, "egid"));
}

/*
 * The records of one log file.  Files are preallocated and written through
 * a mapping, so runs of NUL bytes are padding (SCHEMA.md); a record cut by
 * NULs or by the end of the file is torn.
 */
static void read_records(struct run *r, FILE *f, const char *name)
{
	char *buf = NULL;
	size_t cap = 0, len = 0, n;
	char chunk[65536];
	int lineno = 0;

	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		memcpy(buf + len, chunk, n);
		len += n;
	}
	for (size_t i = 0; i < len;) {
		if (buf[i] == 0) {
			i++;
			continue;
		}
		size_t start = i;
		while (i < len && buf[i] != '\n' && buf[i] != 0)
			i++;
		if (i == len || buf[i] == 0) {
			r->torn++;
			continue;
		}
		i++; /* the newline */
		lineno++;
		json_error_t err;
		json_t *rec = json_loadb(buf + start, i - start, 0, &err);
		if (!rec || !json_is_object(rec)) {
			if (!r->bad)
				snprintf(r->bad_msg, sizeof r->bad_msg,
					 "%s:%d: %s: %.200s", name, lineno,
					 err.text, buf + start);
			r->bad++;
			json_decref(rec);
			continue;
		}
		/* the keys as written, before a fork record is completed */
		json_object_set_new(
		    rec, "_nkeys",
		    json_integer((json_int_t)json_object_size(rec)));
		json_object_set_new(rec, "_file", json_string(name));
		json_object_set_new(rec, "_line", json_integer(lineno));
		json_array_append_new(r->recs, rec);
	}
	free(buf);
}

static const char *const proc_keys[] = {
    "exe",  "argv0",  "argv", "cwd",	"uid", "euid",	 "gid",
    "egid", "groups", "ns",   "rootfs", "env", "stacks", NULL,
};

/*
 * A fork record's missing fields, from the proc record it names (pid
 * "from" or "ppid", ts "pts"), itself resolved first (SCHEMA.md).  The
 * fork record gets "_inherited" (1) when it was resolved, "_orphan" when
 * its source is missing.
 */
static void resolve_fork(json_t *recs, json_t *p, int depth)
{
	size_t i;
	json_t *x;

	if (!json_is_true(json_object_get(p, "fork")) ||
	    json_object_get(p, "_inherited") || json_object_get(p, "_orphan"))
		return;
	json_t *from = json_object_get(p, "from");
	long long pid =
	    json_integer_value(from ? from : json_object_get(p, "ppid"));
	long long pts = json_integer_value(json_object_get(p, "pts"));
	json_array_foreach (recs, i, x) {
		const char *t = json_string_value(json_object_get(x, "t"));
		if (!t || strcmp(t, "proc") || x == p ||
		    json_integer_value(json_object_get(x, "pid")) != pid ||
		    json_integer_value(json_object_get(x, "ts")) != pts)
			continue;
		if (depth < 64)
			resolve_fork(recs, x, depth + 1);
		for (int k = 0; proc_keys[k]; k++)
			if (!json_object_get(p, proc_keys[k]) &&
			    json_object_get(x, proc_keys[k]))
				json_object_set(
				    p, proc_keys[k],
				    json_object_get(x, proc_keys[k]));
		json_object_set_new(p, "_inherited", json_true());
		return;
	}
	json_object_set_new(p, "_orphan", json_true());
}

/* After every file is read: fork records resolved, then each ev's
 * omitted keys filled from the proc record before it in its file. */
static void complete_records(struct run *r)
{
	size_t i;
	json_t *x, *proc = NULL;
	const char *file = "";

	json_array_foreach (r->recs, i, x)
		resolve_fork(r->recs, x, 0);
	json_array_foreach (r->recs, i, x) {
		const char *t = json_string_value(json_object_get(x, "t"));
		const char *f = json_string_value(json_object_get(x, "_file"));
		if (strcmp(f, file)) {
			file = f;
			proc = NULL;
		}
		if (t && !strcmp(t, "proc"))
			proc = x;
		else if (t && !strcmp(t, "ev"))
			infer_ev(x, proc);
	}
}

/* The window of path's stage file (schema/SCHEMA.md, "Stage files")
 * laid over the n bytes of the log in buf. */
static void lay_stage(const char *path, char *buf, size_t n)
{
	char name[PATH_MAX + 8];
	struct unroot_stage_head h;
	snprintf(name, sizeof name, "%s" UNROOT_STAGE_SUFFIX, path);
	int fd = open(name, O_RDONLY);
	if (fd < 0)
		return;
	ck_assert_int_eq(pread(fd, &h, sizeof h, 0), sizeof h);
	ck_assert(h.magic == UNROOT_STAGE_MAGIC && !(h.gen & 1) &&
		  h.len <= h.cap && h.start + h.len <= n);
	ck_assert_int_eq(pread(fd, buf + h.start, h.len, UNROOT_STAGE_HEAD),
			 (ssize_t)h.len);
	close(fd);
}

/* The next log file of the run's log directory d, read into *buf and
 * opened there; NULL at the end. */
static FILE *next_log(const struct run *r, DIR *d, const char **name,
		      char **buf)
{
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name), len = 0;
		if (n < 6 || strcmp(e->d_name + n - 6, ".jsonl"))
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/%s", r->log, e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		FILE *m = open_memstream(buf, &len);
		char block[65536];
		size_t got;
		while ((got = fread(block, 1, sizeof block, f)))
			fwrite(block, 1, got, m);
		fclose(f);
		fclose(m);
		lay_stage(path, *buf, len);
		*name = e->d_name;
		return len ? fmemopen(*buf, len, "r") : fopen("/dev/null", "r");
	}
	return NULL;
}

static void read_logs(struct run *r)
{
	DIR *d = opendir(r->log);
	FILE *f;
	const char *name;
	char *buf = NULL;

	r->recs = json_array();
	if (!d)
		return;
	while ((f = next_log(r, d, &name, &buf))) {
		r->files++;
		read_records(r, f, name);
		fclose(f);
		free(buf);
		buf = NULL;
	}
	closedir(d);
	complete_records(r);
}

static void make_dirs(struct run *r)
{
	strcpy(r->root, "/tmp/urt-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(r->root));
	chmod(r->root, 0755);
	snprintf(r->log, sizeof r->log, "%s/log", r->root);
	snprintf(r->work, sizeof r->work, "%s/work", r->root);
	ck_assert_int_eq(mkdir(r->log, 0755), 0);
	ck_assert_int_eq(chmod(r->log, 01777), 0);
	ck_assert_int_eq(mkdir(r->work, 0755), 0);
}

/* Run the workload; r must have been set up with make_dirs. */
static void run_in(struct run *r, const char *scn, const struct opts *o)
{
	static const struct opts none;
	int pfd[2];

	if (!o)
		o = &none;
	if (!o->keep_work)
		chmod(r->work, 0777);
	ck_assert_int_eq(pipe(pfd), 0);
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *env[32];
		char logv[PATH_MAX + 16], pre[PATH_MAX + 16], fl[128];
		int n = 0;
		setpgid(0, 0);
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		env[n++] = "PATH=/usr/bin:/bin";
		env[n++] = "HOME=/root";
		env[n++] = "LANG=C.UTF-8";
		if (!o->bare) {
			snprintf(logv, sizeof logv, "UNROOT_LOG=%s",
				 o->logdir ? o->logdir : r->log);
			snprintf(pre, sizeof pre, "LD_PRELOAD=%s", UR_PRELOAD);
			env[n++] = logv;
			env[n++] = pre;
			if (o->flags) {
				snprintf(fl, sizeof fl, "UNROOT_FLAGS=%s",
					 o->flags);
				env[n++] = fl;
			}
		}
		for (int i = 0; i < 8 && o->env[i]; i++)
			env[n++] = (char *)o->env[i];
		env[n] = NULL;
		char *argv[12];
		int a = 0;
		char reuid[32], regid[32];
		if (o->as_uid) {
			snprintf(reuid, sizeof reuid, "--reuid=%s", o->as_uid);
			snprintf(regid, sizeof regid, "--regid=%s", o->as_uid);
			argv[a++] = "/usr/bin/setpriv";
			argv[a++] = reuid;
			argv[a++] = regid;
			argv[a++] = "--clear-groups";
		}
		argv[a++] = UR_WORKLOAD;
		argv[a++] = (char *)scn;
		argv[a++] = r->work;
		if (o->arg3)
			argv[a++] = (char *)o->arg3;
		if (o->arg4)
			argv[a++] = (char *)o->arg4;
		argv[a] = NULL;
		execve(argv[0], argv, env);
		_exit(127);
	}
	close(pfd[1]);
	r->pid = pid;
	if (o->kill_ms) {
		/* wait for the workload to start writing, then kill it all */
		char c[16];
		(void)!read(pfd[0], c, sizeof c);
		struct timespec ts = {o->kill_ms / 1000,
				      (o->kill_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		kill(-pid, SIGKILL);
	}
	ssize_t n;
	while ((n = read(pfd[0], r->out + r->outlen,
			 sizeof r->out - 1 - r->outlen)) > 0)
		r->outlen += (size_t)n;
	r->out[r->outlen] = 0;
	close(pfd[0]);
	struct rusage ru;
	ck_assert_int_eq(wait4(pid, &r->status, 0, &ru), pid);
	r->maxrss_kib = ru.ru_maxrss;
	if (o->kill_ms) /* let the rest of the group die */
		usleep(100000);
	read_logs(r);
}

static void run(struct run *r, const char *scn, const struct opts *o)
{
	memset(r, 0, sizeof *r);
	make_dirs(r);
	run_in(r, scn, o);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void run_free(struct run *r)
{
	json_decref(r->recs);
	r->recs = NULL;
	if (!getenv("UR_KEEP") && r->root[0])
		nftw(r->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else if (r->root[0])
		fprintf(stderr, "kept %s\n", r->root);
}

static int exit_code(const struct run *r)
{
	return WIFEXITED(r->status) ? WEXITSTATUS(r->status)
				    : 128 + WTERMSIG(r->status);
}

/* ---- reading records ---- */

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long long jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* The bytes of a path value: a string or {"hex": ...}. */
static size_t path_bytes(const json_t *v, char *out, size_t cap)
{
	if (json_is_string(v)) {
		size_t n = json_string_length(v);
		ck_assert_uint_lt(n, cap);
		memcpy(out, json_string_value(v), n);
		out[n] = 0;
		return n;
	}
	const char *hex = json_string_value(json_object_get(v, "hex"));
	ck_assert_msg(hex != NULL, "path is neither a string nor a hex object");
	size_t n = strlen(hex) / 2;
	ck_assert_uint_lt(n, cap);
	for (size_t i = 0; i < n; i++) {
		unsigned b;
		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (char)b;
	}
	out[n] = 0;
	return n;
}

static const char *jpath(const json_t *o, const char *key, char *buf,
			 size_t cap)
{
	const json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return NULL;
	path_bytes(v, buf, cap);
	return buf;
}

static bool is_type(const json_t *rec, const char *t)
{
	const char *v = jstr(rec, "t");
	return v && !strcmp(v, t);
}

/* The proc record of the file a record is in. */
static json_t *proc_of(const struct run *r, const json_t *rec)
{
	const char *file = jstr(rec, "_file");
	size_t i;
	json_t *x;
	json_array_foreach (r->recs, i, x)
		if (is_type(x, "proc") && !strcmp(jstr(x, "_file"), file))
			return x;
	return NULL;
}

/* The file of the process image with this exe (and pid, when > 0). */
static json_t *find_proc(const struct run *r, const char *exe, long pid)
{
	size_t i;
	json_t *x;
	json_array_foreach (r->recs, i, x) {
		if (!is_type(x, "proc"))
			continue;
		if (exe && (!jstr(x, "exe") || strcmp(jstr(x, "exe"), exe)))
			continue;
		if (pid > 0 && jint(x, "pid") != pid)
			continue;
		return x;
	}
	return NULL;
}

static json_t *workload_proc(const struct run *r)
{
	return find_proc(r, workload_real, r->pid);
}

/* ev records with this fn (any when NULL) and path (work-relative when
 * it does not start with '/'; any when NULL); the first in *first. */
static int count_ev(const struct run *r, const char *fn, const char *path,
		    json_t **first)
{
	char want[PATH_MAX], got[PATH_MAX];
	size_t i;
	json_t *x;
	int n = 0;

	if (path && path[0] != '/')
		snprintf(want, sizeof want, "%s/%s", r->work, path);
	else if (path)
		snprintf(want, sizeof want, "%s", path);
	if (first)
		*first = NULL;
	json_array_foreach (r->recs, i, x) {
		if (!is_type(x, "ev"))
			continue;
		if (fn && strcmp(jstr(x, "fn") ? jstr(x, "fn") : "", fn))
			continue;
		if (path &&
		    (!jpath(x, "path", got, sizeof got) || strcmp(got, want)))
			continue;
		if (first && !*first)
			*first = x;
		n++;
	}
	return n;
}

static bool normalised(const char *p)
{
	return p[0] == '/' && !strstr(p, "//") && !strstr(p, "/./") &&
	       !strstr(p, "/../") &&
	       (strlen(p) == 1 || p[strlen(p) - 1] != '/') &&
	       strcmp(p + strlen(p) - (strlen(p) >= 2 ? 2 : 0), "/.") &&
	       (strlen(p) < 3 || strcmp(p + strlen(p) - 3, "/.."));
}

/* What every run must satisfy. */
static void check_common(const struct run *r)
{
	size_t i;
	json_t *x;
	char buf[PATH_MAX];
	size_t loglen = strlen(r->log);

	ck_assert_msg(r->bad == 0, "%d unparseable lines, first %s", r->bad,
		      r->bad_msg);
	json_array_foreach (r->recs, i, x) {
		const char *t = jstr(x, "t");
		ck_assert_msg(t != NULL, "record without t");
		if (jint(x, "_line") == 1)
			ck_assert_msg(!strcmp(t, "proc"),
				      "%s starts with a %s record",
				      jstr(x, "_file"), t);
		static const char *keys[] = {"path", "path2", "real"};
		for (int k = 0; k < 3; k++) {
			if (!strcmp(t, "ev") && k == 1 && jstr(x, "op") &&
			    !strcmp(jstr(x, "op"), "symlink"))
				continue; /* symlink text, not a path */
			if (!jpath(x, keys[k], buf, sizeof buf))
				continue;
			ck_assert_msg(strncmp(buf, r->log, loglen),
				      "a record about the log dir: %s", buf);
		}
		if (strcmp(t, "ev"))
			continue;
		ck_assert_ptr_nonnull(jstr(x, "op"));
		ck_assert_ptr_nonnull(jstr(x, "fn"));
		ck_assert(json_is_integer(json_object_get(x, "ret")));
		ck_assert(json_object_get(x, "errno") != NULL);
		ck_assert_int_gt(jint(x, "pid"), 0);
		ck_assert_int_gt(jint(x, "tid"), 0);
		ck_assert_int_gt(jint(x, "ts"), 0);
		ck_assert(json_is_integer(json_object_get(x, "uid")));
		ck_assert(json_is_integer(json_object_get(x, "gid")));
		/* the exec of a vfork child, or of a forked child that had
		 * no file yet, is in its parent's file, with its own pid */
		if (json_is_true(json_object_get(x, "vfork")) ||
		    json_is_true(json_object_get(x, "forked"))) {
			ck_assert_str_eq(jstr(x, "op"), "exec");
			ck_assert_ptr_null(json_object_get(x, "stack"));
			ck_assert_msg(jint(x, "pid") !=
					  jint(proc_of(r, x), "pid"),
				      "child's exec ev with its file's pid");
			continue;
		}
		ck_assert_msg(jint(x, "pid") == jint(proc_of(r, x), "pid"),
			      "ev pid differs from its file's proc pid");
	}
	/* every fork record names a proc record it inherits from */
	json_array_foreach (r->recs, i, x) {
		if (!is_type(x, "proc"))
			continue;
		if (json_is_true(json_object_get(x, "fork")))
			ck_assert_msg(
			    json_is_true(json_object_get(x, "_inherited")),
			    "%s: fork record without its source",
			    jstr(x, "_file"));
		else
			ck_assert_msg(jstr(x, "exe") != NULL,
				      "%s: full proc record without exe",
				      jstr(x, "_file"));
	}
}

/* ---- the table of single calls ---- */

struct expect {
	const char *scn;
	const char *fn; /* NULL: the scenario's name */
	const char *op;
	const char
	    *path; /* work-relative; "=" the workload's name=; "~X" a prefix */
	const char *path2; /* work-relative; "!TEXT" symlink text */
	const char *flags; /* NULL: no flags key */
	const char *mode;  /* NULL: no mode key */
	const char *st;	   /* type before the call; NULL: did not exist */
	int fd;		   /* ret is a descriptor (else 0) */
	const char *owner; /* chown's [uid, gid] */
};

#define WOC "O_WRONLY|O_CREAT"
static const struct expect calls[] = {
    {"open", 0, "open", "f", 0, WOC "|O_TRUNC", "0640", 0, 1, 0},
    {"open64", 0, "open", "f", 0, "O_RDWR|O_CREAT|O_EXCL", "0600", 0, 1, 0},
    {"openat", 0, "open", "f", 0, WOC "|O_APPEND", "0644", 0, 1, 0},
    {"openat64", 0, "open", "f", 0, WOC, "0644", 0, 1, 0},
    {"creat", 0, "open", "f", 0, WOC "|O_TRUNC", "0600", 0, 1, 0},
    {"creat64", 0, "open", "f", 0, WOC "|O_TRUNC", "0644", 0, 1, 0},
    {"__open_2", 0, "open", "f", 0, "O_WRONLY|O_TRUNC", 0, "file", 1, 0},
    {"__open64_2", 0, "open", "f", 0, "O_RDWR", 0, "file", 1, 0},
    {"__openat_2", 0, "open", "f", 0, "O_WRONLY|O_APPEND", 0, "file", 1, 0},
    {"__openat64_2", 0, "open", "f", 0, "O_WRONLY", 0, "file", 1, 0},
    {"fopen", 0, "open", "f", 0, WOC "|O_TRUNC", "0666", 0, 1, 0},
    {"fopen64", 0, "open", "f", 0, WOC "|O_APPEND", "0666", 0, 1, 0},
    {"freopen", 0, "open", "f", 0, "O_RDWR", 0, "file", 1, 0},
    {"freopen64", 0, "open", "f", 0, WOC "|O_TRUNC|O_CLOEXEC", "0666", 0, 1, 0},
    {"mkdir", 0, "mkdir", "d", 0, 0, "0750", 0, 0, 0},
    {"mkdirat", 0, "mkdir", "d", 0, 0, "0700", 0, 0, 0},
    {"rmdir", 0, "rmdir", "d", 0, 0, 0, "dir", 0, 0},
    {"rename", 0, "rename", "f", "g", 0, 0, "file", 0, 0},
    {"renameat", 0, "rename", "f", "g", 0, 0, "file", 0, 0},
    {"renameat2", 0, "rename", "f", "g", "RENAME_NOREPLACE", 0, "file", 0, 0},
    {"unlink", 0, "unlink", "f", 0, 0, 0, "file", 0, 0},
    {"unlinkat", 0, "unlink", "f", 0, "", 0, "file", 0, 0},
    {"unlinkat_dir", "unlinkat", "rmdir", "d", 0, "AT_REMOVEDIR", 0, "dir", 0,
     0},
    {"remove", 0, "unlink", "f", 0, 0, 0, "file", 0, 0},
    {"link", 0, "link", "f", "g", 0, 0, "file", 0, 0},
    {"linkat", 0, "link", "f", "g", "AT_SYMLINK_FOLLOW", 0, "file", 0, 0},
    {"symlink", 0, "symlink", "l", "!target", 0, 0, 0, 0, 0},
    {"symlinkat", 0, "symlink", "l", "!../t", 0, 0, 0, 0, 0},
    {"truncate", 0, "truncate", "f", 0, 0, 0, "file", 0, 0},
    {"truncate64", 0, "truncate", "f", 0, 0, 0, "file", 0, 0},
    {"ftruncate", 0, "truncate", "f", 0, 0, 0, "file", 0, 0},
    {"ftruncate64", 0, "truncate", "f", 0, 0, 0, "file", 0, 0},
    {"chmod", 0, "chmod", "f", 0, 0, "0600", "file", 0, 0},
    {"lchmod", 0, "chmod", "f", 0, 0, "0600", "file", 0, 0},
    {"fchmod", 0, "chmod", "f", 0, 0, "0604", "file", 0, 0},
    {"fchmodat", 0, "chmod", "f", 0, "", "0640", "file", 0, 0},
    {"chown", 0, "chown", "f", 0, 0, 0, "file", 0, "[0,0]"},
    {"lchown", 0, "chown", "f", 0, 0, 0, "file", 0, "[0,-1]"},
    {"fchown", 0, "chown", "f", 0, 0, 0, "file", 0, "[-1,0]"},
    {"fchownat", 0, "chown", "f", 0, "AT_SYMLINK_NOFOLLOW", 0, "file", 0,
     "[0,0]"},
    {"utime", 0, "utime", "f", 0, 0, 0, "file", 0, 0},
    {"utimes", 0, "utime", "f", 0, 0, 0, "file", 0, 0},
    {"lutimes", 0, "utime", "f", 0, 0, 0, "file", 0, 0},
    {"futimes", 0, "utime", "f", 0, 0, 0, "file", 0, 0},
    {"futimesat", 0, "utime", "f", 0, 0, 0, "file", 0, 0},
    {"utimensat", 0, "utime", "f", 0, "", 0, "file", 0, 0},
    {"futimens", 0, "utime", "f", 0, 0, 0, "file", 0, 0},
    {"setxattr", 0, "xattr", "f", 0, 0, 0, "file", 0, 0},
    {"lsetxattr", 0, "xattr", "f", 0, 0, 0, "file", 0, 0},
    {"fsetxattr", 0, "xattr", "f", 0, 0, 0, "file", 0, 0},
    {"removexattr", 0, "xattr", "f", 0, 0, 0, "file", 0, 0},
    {"lremovexattr", 0, "xattr", "f", 0, 0, 0, "file", 0, 0},
    {"fremovexattr", 0, "xattr", "f", 0, 0, 0, "file", 0, 0},
    {"mknod", 0, "mknod", "p", 0, 0, "0600", 0, 0, 0},
    {"mknodat", 0, "mknod", "p", 0, 0, "0640", 0, 0, 0},
    {"mkfifo", 0, "mknod", "p", 0, 0, "0600", 0, 0, 0},
    {"mkfifoat", 0, "mknod", "p", 0, 0, "0644", 0, 0, 0},
    {"__xmknod", 0, "mknod", "p", 0, 0, "0600", 0, 0, 0},
    {"__xmknodat", 0, "mknod", "p", 0, 0, "0640", 0, 0, 0},
    {"mkstemp", 0, "mktemp", "=", 0, 0, 0, 0, 1, 0},
    {"mkstemp64", 0, "mktemp", "=", 0, 0, 0, 0, 1, 0},
    {"mkostemp", 0, "mktemp", "=", 0, 0, 0, 0, 1, 0},
    {"mkostemp64", 0, "mktemp", "=", 0, 0, 0, 0, 1, 0},
    {"mkstemps", 0, "mktemp", "=", 0, 0, 0, 0, 1, 0},
    {"mkstemps64", 0, "mktemp", "=", 0, 0, 0, 0, 1, 0},
    {"mkostemps", 0, "mktemp", "=", 0, 0, 0, 0, 1, 0},
    {"mkostemps64", 0, "mktemp", "=", 0, 0, 0, 0, 1, 0},
    {"mkdtemp", 0, "mkdir", "=", 0, 0, 0, 0, 0, 0},
    {"tmpfile", 0, "mktemp", "~/tmp/", 0, 0, 0, "file", 1, 0},
    {"tmpfile64", 0, "mktemp", "~/tmp/", 0, 0, 0, "file", 1, 0},
    {"shm_open", 0, "open", "=", 0, "O_RDWR|O_CREAT|O_EXCL", "0600", 0, 1, 0},
    {"shm_unlink", 0, "unlink", "=", 0, 0, 0, "file", 0, 0},
    {"bind", 0, "bind", "sock", 0, 0, 0, 0, 0, 0},
};
#define NCALLS ((int)(sizeof calls / sizeof *calls))

static const char *output_value(const struct run *r, const char *key, char *buf,
				size_t cap)
{
	char k[64];
	snprintf(k, sizeof k, "%s=", key);
	for (const char *p = r->out; p && *p;
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, k, strlen(k))) {
			const char *v = p + strlen(k);
			size_t n = strcspn(v, "\n");
			ck_assert_uint_lt(n, cap);
			memcpy(buf, v, n);
			buf[n] = 0;
			return buf;
		}
	}
	return NULL;
}

static void check_state(const json_t *ev, const char *key, const char *type)
{
	const json_t *st = json_object_get(ev, key);
	ck_assert_msg(st != NULL, "no %s key", key);
	if (!type) {
		ck_assert_msg(json_is_null(st), "%s should be null", key);
		return;
	}
	ck_assert_msg(json_is_object(st), "%s should be a state", key);
	ck_assert_str_eq(jstr(st, "type"), type);
	ck_assert(json_is_integer(json_object_get(st, "uid")));
	ck_assert(json_is_integer(json_object_get(st, "gid")));
	ck_assert_int_eq((int)strlen(jstr(st, "mode")), 4);
}

START_TEST(test_call)
{
	const struct expect *e = &calls[_i];
	const char *fn = e->fn ? e->fn : e->scn;
	struct run r;
	char want[PATH_MAX], got[PATH_MAX], name[PATH_MAX];
	json_t *ev;

	run(&r, e->scn, NULL);
	if (exit_code(&r) == 77) {
		run_free(&r);
		test_skip("%s is not supported here (the workload's reason "
			  "is above)",
			  e->scn);
	}
	ck_assert_msg(exit_code(&r) == 0, "%s: workload exit %d", e->scn,
		      exit_code(&r));
	check_common(&r);
	int n = count_ev(&r, fn, NULL, &ev);
	ck_assert_msg(n == 1, "%s: %d ev records for %s", e->scn, n, fn);
	ck_assert_msg(count_ev(&r, NULL, NULL, NULL) == 1,
		      "%s: other ev records than the call's", e->scn);
	ck_assert_str_eq(jstr(ev, "op"), e->op);
	ck_assert_msg(json_is_null(json_object_get(ev, "errno")),
		      "%s: errno %s", e->scn, jstr(ev, "errno"));
	ck_assert_int_eq(jint(ev, "pid"), r.pid);
	ck_assert_int_eq(jint(ev, "uid"), 0);
	if (e->fd)
		ck_assert_int_ge(jint(ev, "ret"), 0);
	else
		ck_assert_int_eq(jint(ev, "ret"), 0);

	jpath(ev, "path", got, sizeof got);
	ck_assert_msg(normalised(got), "%s: path %s not normalised", e->scn,
		      got);
	if (e->path[0] == '=') {
		ck_assert_ptr_nonnull(
		    output_value(&r, "name", name, sizeof name));
		ck_assert_str_eq(got, name);
	} else if (e->path[0] == '~') {
		ck_assert_msg(!strncmp(got, e->path + 1, strlen(e->path + 1)),
			      "%s: path %s", e->scn, got);
	} else {
		snprintf(want, sizeof want, "%s/%s", r.work, e->path);
		ck_assert_str_eq(got, want);
	}
	if (e->path2 && e->path2[0] == '!') {
		ck_assert_str_eq(jstr(ev, "path2"), e->path2 + 1);
	} else if (e->path2) {
		snprintf(want, sizeof want, "%s/%s", r.work, e->path2);
		ck_assert_str_eq(jpath(ev, "path2", got, sizeof got), want);
		check_state(ev, "st2", NULL);
	} else {
		ck_assert_ptr_null(json_object_get(ev, "path2"));
	}
	if (e->flags)
		ck_assert_str_eq(
		    jstr(ev, "flags") ? jstr(ev, "flags") : "(none)", e->flags);
	else
		ck_assert_msg(!json_object_get(ev, "flags"), "%s: flags %s",
			      e->scn, jstr(ev, "flags"));
	if (e->mode)
		ck_assert_str_eq(jstr(ev, "mode") ? jstr(ev, "mode") : "(none)",
				 e->mode);
	else
		ck_assert_ptr_null(json_object_get(ev, "mode"));
	if (e->owner) {
		char *o =
		    json_dumps(json_object_get(ev, "owner"), JSON_COMPACT);
		ck_assert_str_eq(o ? o : "(none)", e->owner);
		free(o);
	}
	check_state(ev, "st", e->st);
	check_state(ev, "parent", "dir");
	ck_assert_ptr_null(json_object_get(ev, "real"));
	/* the ancestors of the parent were described, "/" first */
	ck_assert_msg(count_ev(&r, NULL, NULL, NULL) == 1, "extra events");
	size_t i;
	json_t *x;
	bool root_seen = false, tmp_seen = false;
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "dir"))
			continue;
		root_seen |= !strcmp(jstr(x, "path"), "/");
		tmp_seen |= !strcmp(jstr(x, "path"), "/tmp");
		ck_assert(json_is_object(json_object_get(x, "st")));
	}
	jpath(ev, "path", got, sizeof got);
	ck_assert_msg(root_seen, "%s: no dir record for /", e->scn);
	ck_assert_msg(tmp_seen || strncmp(got, "/tmp/urt-", 9),
		      "%s: no dir record for /tmp", e->scn);
	run_free(&r);
}
END_TEST

/* ---- the exec family ---- */

struct exec_expect {
	const char *fn;
	const char *op;
	const char *path;
	const char *argv0;
	const char *child_exe;
};

static const struct exec_expect execs[] = {
    {"execve", "exec", "/bin/true", "true", "/usr/bin/true"},
    {"execv", "exec", "/bin/true", "true", "/usr/bin/true"},
    {"execvp", "exec", "/usr/bin/true", "true", "/usr/bin/true"},
    {"execvpe", "exec", "/usr/bin/true", "true", "/usr/bin/true"},
    {"execl", "exec", "/bin/true", "true", "/usr/bin/true"},
    {"execle", "exec", "/bin/true", "true", "/usr/bin/true"},
    {"execlp", "exec", "/usr/bin/true", "true", "/usr/bin/true"},
    {"execveat", "exec", "/bin/true", "true", "/usr/bin/true"},
    {"fexecve", "exec", "/usr/bin/true", "true", "/usr/bin/true"},
    {"posix_spawn", "spawn", "/bin/true", "true", "/usr/bin/true"},
    {"posix_spawnp", "spawn", "/usr/bin/true", "true", "/usr/bin/true"},
    {"system", "spawn", "/bin/sh", "sh", "/usr/bin/dash"},
    {"popen", "spawn", "/bin/sh", "sh", "/usr/bin/dash"},
};
#define NEXECS ((int)(sizeof execs / sizeof *execs))

START_TEST(test_exec)
{
	const struct exec_expect *e = &execs[_i];
	struct run r;
	json_t *ev;
	char buf[64];

	run(&r, e->fn, NULL);
	ck_assert_msg(exit_code(&r) == 0, "%s: exit %d", e->fn, exit_code(&r));
	check_common(&r);
	int n = count_ev(&r, e->fn, e->path, &ev);
	ck_assert_msg(n == 1, "%s: %d ev records for %s", e->fn, n, e->path);
	ck_assert_str_eq(jstr(ev, "op"), e->op);
	ck_assert_str_eq(jstr(ev, "argv0"), e->argv0);
	ck_assert(json_is_null(json_object_get(ev, "errno")));
	ck_assert_int_eq(jint(ev, "pid"), r.pid);
	json_t *child;
	if (!strcmp(e->op, "exec")) {
		ck_assert_int_eq(jint(ev, "ret"), 0);
		child = find_proc(&r, e->child_exe, r.pid);
	} else if (e->fn[0] == 'p' && e->fn[1] == 'o' && e->fn[2] == 's') {
		ck_assert_ptr_nonnull(
		    output_value(&r, "child", buf, sizeof buf));
		ck_assert_int_eq(jint(ev, "ret"), atol(buf));
		child = find_proc(&r, e->child_exe, atol(buf));
	} else {
		child = find_proc(&r, e->child_exe, 0);
		ck_assert_ptr_nonnull(child);
		ck_assert_int_eq(jint(child, "ppid"), r.pid);
		snprintf(buf, sizeof buf, "from-%s", e->fn);
		json_t *w;
		ck_assert_int_eq(count_ev(&r, "open64", buf, &w) +
				     count_ev(&r, "open", buf, NULL),
				 1);
	}
	ck_assert_msg(child != NULL, "%s: the new program was not traced",
		      e->fn);
	run_free(&r);
}
END_TEST

/* ---- the credential calls: not recorded, but the next event's ids ---- */

struct cred_expect {
	const char *fn;
	int uid, gid; /* of the event that follows the call */
};

static const struct cred_expect creds[] = {
    {"setuid", 1001, 0},    {"seteuid", 1001, 0},   {"setreuid", 1001, 0},
    {"setresuid", 1001, 0}, {"setgid", 0, 1001},    {"setegid", 0, 1001},
    {"setregid", 0, 1001},  {"setresgid", 0, 1001},
};
#define NCREDS ((int)(sizeof creds / sizeof *creds))

START_TEST(test_cred)
{
	const struct cred_expect *e = &creds[_i];
	struct run r;
	json_t *ev;

	run(&r, e->fn, NULL);
	ck_assert_msg(exit_code(&r) == 0, "%s: workload exit %d", e->fn,
		      exit_code(&r));
	check_common(&r);
	ck_assert_msg(count_ev(&r, NULL, NULL, NULL) == 1,
		      "%s: other ev records than the write after it", e->fn);
	ck_assert_int_eq(count_ev(&r, "open", "f", &ev), 1);
	ck_assert_msg(
	    jint(ev, "uid") == e->uid && jint(ev, "gid") == e->gid,
	    "%s: the write after it says uid %lld gid %lld, not %d %d", e->fn,
	    jint(ev, "uid"), jint(ev, "gid"), e->uid, e->gid);
	run_free(&r);
}
END_TEST

/* ---- reads ---- */

START_TEST(test_reads_not_recorded)
{
	struct run r;
	run(&r, "read", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_int_eq(count_ev(&r, NULL, NULL, NULL), 0);
	run_free(&r);
}
END_TEST

START_TEST(test_reads_recorded_when_asked)
{
	struct run r;
	struct opts o = {.flags = "reads"};
	json_t *ev;
	run(&r, "read", &o);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_int_eq(count_ev(&r, "open", "plain", &ev), 1);
	ck_assert_str_eq(jstr(ev, "op"), "read");
	ck_assert_str_eq(jstr(ev, "flags"), "O_RDONLY");
	ck_assert_int_eq(count_ev(&r, "fopen", "plain", &ev), 1);
	ck_assert_str_eq(jstr(ev, "op"), "read");
	ck_assert_int_eq(count_ev(&r, "openat", "plain", &ev), 1);
	ck_assert_str_eq(jstr(ev, "flags"), "O_RDONLY|O_CLOEXEC");
	run_free(&r);
}
END_TEST

START_TEST(test_denied_read)
{
	struct run r;
	json_t *ev;
	run(&r, "denied_read", NULL);
	ck_assert_msg(exit_code(&r) == 0, "exit %d: %s", exit_code(&r), r.out);
	check_common(&r);
	ck_assert_int_eq(count_ev(&r, "open", "secret", &ev), 1);
	ck_assert_str_eq(jstr(ev, "op"), "read");
	ck_assert_str_eq(jstr(ev, "errno"), "EACCES");
	ck_assert_int_eq(jint(ev, "ret"), -1);
	ck_assert_int_eq(jint(ev, "uid"), 1001);
	ck_assert_int_eq(jint(ev, "gid"), 1001);
	check_state(ev, "st", "file");
	ck_assert_str_eq(jstr(json_object_get(ev, "st"), "mode"), "0600");
	ck_assert_int_eq(count_ev(&r, "access", "secret", &ev), 1);
	ck_assert_str_eq(jstr(ev, "op"), "access");
	ck_assert_str_eq(jstr(ev, "errno"), "EACCES");
	ck_assert_int_eq(count_ev(&r, "stat", "private/x", &ev), 1);
	ck_assert_str_eq(jstr(ev, "op"), "stat");
	ck_assert_str_eq(jstr(ev, "errno"), "EACCES");
	check_state(ev, "st", NULL); /* not visible to the tracer either */
	check_state(ev, "parent", "dir");
	ck_assert_str_eq(jstr(json_object_get(ev, "parent"), "mode"), "0700");
	ck_assert_int_eq(count_ev(&r, "opendir", "private", &ev), 1);
	ck_assert_str_eq(jstr(ev, "op"), "read");
	check_state(ev, "st", "dir");
	ck_assert_str_eq(jstr(json_object_get(ev, "st"), "mode"), "0700");
	/* a stat that is allowed is not recorded */
	ck_assert_int_eq(count_ev(&r, "stat", "secret", NULL), 0);
	/* glibc < 2.33's stat entry points, denied; an allowed one is not
	 * recorded */
	static const char *xstats[] = {"__xstat",    "__lxstat",
				       "__fxstatat", "__xstat64",
				       "__lxstat64", "__fxstatat64"};
	char name[64];
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof name, "private/%s", xstats[i] + 2);
		ck_assert_msg(count_ev(&r, xstats[i], name, &ev) == 1,
			      "%s: not recorded", xstats[i]);
		ck_assert_str_eq(jstr(ev, "op"), "stat");
		ck_assert_str_eq(jstr(ev, "errno"), "EACCES");
		check_state(ev, "parent", "dir");
	}
	ck_assert_int_eq(count_ev(&r, "__xstat", "secret", NULL), 0);
	/* access with the effective ids */
	ck_assert_int_eq(count_ev(&r, "euidaccess", "secret", &ev), 1);
	ck_assert_str_eq(jstr(ev, "op"), "access");
	ck_assert_str_eq(jstr(ev, "errno"), "EACCES");
	ck_assert_str_eq(jstr(ev, "mode"), "0004");
	ck_assert_int_eq(count_ev(&r, "eaccess", "secret", &ev), 1);
	ck_assert_str_eq(jstr(ev, "errno"), "EACCES");
	ck_assert_str_eq(jstr(ev, "mode"), "0002");
	run_free(&r);
}
END_TEST

/* The same, but the whole workload runs as uid 1001 under setpriv. */
START_TEST(test_denied_write_setpriv)
{
	struct run r;
	struct opts o = {.as_uid = "1001", .keep_work = true};
	json_t *ev;
	run(&r, "open", &o); /* the work dir is root's 0755: EACCES */
	ck_assert_int_eq(exit_code(&r), 1);
	check_common(&r);
	ck_assert_int_eq(count_ev(&r, "open", "f", &ev), 1);
	ck_assert_str_eq(jstr(ev, "errno"), "EACCES");
	ck_assert_int_eq(jint(ev, "uid"), 1001);
	check_state(ev, "st", NULL);
	check_state(ev, "parent", "dir");
	ck_assert_str_eq(jstr(json_object_get(ev, "parent"), "mode"), "0755");
	ck_assert_ptr_nonnull(jstr(ev, "stack"));
	json_t *p = workload_proc(&r);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(jint(p, "uid"), 1001);
	ck_assert_int_eq(jint(p, "euid"), 1001);
	run_free(&r);
}
END_TEST

/* A call only privilege allows, refused: one priv record each, with the
 * workload's own EPERM (the workload checks it), the path of chroot made
 * absolute and the ids or the user asked for as the call's text. */
START_TEST(refused_privileged_calls_are_priv_records)
{
	static const char *const want[][2] = {
	    {"chroot", NULL},	      {"setuid", "0"},
	    {"setresgid", "-1,0,-1"}, {"setgroups", "0,4"},
	    {"initgroups", "root,0"},
	};
	struct run r;
	struct opts o = {.as_uid = "1001"};
	size_t i, k = 0;
	json_t *x;

	run(&r, "refused", &o);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "priv"))
			continue;
		ck_assert_uint_lt(k, 5);
		ck_assert_str_eq(jstr(x, "fn"), want[k][0]);
		ck_assert_str_eq(jstr(x, "errno"), "EPERM");
		ck_assert_int_eq(jint(x, "ret"), -1);
		ck_assert_int_eq(jint(x, "pid"), r.pid);
		if (want[k][1])
			ck_assert_str_eq(jstr(x, "args"), want[k][1]);
		else
			ck_assert_str_eq(jstr(x, "path"), r.work);
		k++;
	}
	ck_assert_uint_eq(k, 5);
	run_free(&r);
}
END_TEST

/* ---- errno ---- */

START_TEST(test_errno_same)
{
	struct run bare, traced;
	struct opts o = {.bare = true};

	run(&bare, "errno", &o);
	run(&traced, "errno", NULL);
	ck_assert_int_eq(exit_code(&bare), 0);
	ck_assert_int_eq(exit_code(&traced), 0);
	check_common(&traced);
	/* line by line, to say which call differs */
	char *a = bare.out, *b = traced.out;
	int line = 1;
	while (*a || *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
		ck_assert_msg(la == lb && !memcmp(a, b, la),
			      "line %d differs:\n bare:   %.*s\n traced: %.*s",
			      line, (int)la, a, (int)lb, b);
		a += la + (a[la] ? 1 : 0);
		b += lb + (b[lb] ? 1 : 0);
		line++;
	}
	ck_assert_int_gt(line, 50);
	/* the failures were recorded, with their errno names */
	json_t *ev;
	ck_assert_int_eq(count_ev(&traced, "mkdir", "exists", &ev), 1);
	ck_assert_str_eq(jstr(ev, "errno"), "EEXIST");
	ck_assert_int_eq(jint(ev, "ret"), -1);
	ck_assert_int_eq(count_ev(&traced, "open", "missing/f", &ev), 1);
	ck_assert_str_eq(jstr(ev, "errno"), "ENOENT");
	check_state(ev, "parent", NULL);
	ck_assert_int_eq(count_ev(&traced, "rmdir", "full", &ev), 1);
	ck_assert_str_eq(jstr(ev, "errno"), "ENOTEMPTY");
	/* O_CREAT tried with O_EXCL first: the directory is still seen */
	ck_assert_int_eq(count_ev(&traced, "open", "full", &ev), 1);
	ck_assert_str_eq(jstr(ev, "errno"), "EISDIR");
	check_state(ev, "st", "dir");
	ck_assert_int_eq(count_ev(&traced, "rename", "exists", &ev), 1);
	ck_assert_str_eq(jstr(ev, "errno"), "EISDIR");
	check_state(ev, "st2", "dir");
	run_free(&bare);
	run_free(&traced);
}
END_TEST

/* An inet bind is a "net" record of its address and port, with the
 * result and errno the workload saw, which the tracer leaves unchanged. */
START_TEST(inet_bind_is_recorded_with_its_port_and_result_unchanged)
{
	struct run bare, traced;
	struct opts o = {.bare = true};
	json_t *x, *ok = NULL, *refused = NULL;
	unsigned port = 0;
	size_t i;
	char *p;

	run(&bare, "bind_inet", &o);
	run(&traced, "bind_inet", NULL);
	ck_assert_int_eq(exit_code(&bare), 0);
	ck_assert_int_eq(exit_code(&traced), 0);
	check_common(&traced);
	/* the same results and errno (the port differs: the kernel's) */
	ck_assert_ptr_nonnull(strstr(bare.out, "bind2=-1 errno=98"));
	ck_assert_ptr_nonnull(strstr(traced.out, "bind2=-1 errno=98"));
	ck_assert_ptr_nonnull(strstr(traced.out, "bind1=0\n"));
	p = strstr(bare.out, "bind3=");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(strstr(traced.out, p));
	p = strstr(traced.out, "port=");
	ck_assert_ptr_nonnull(p);
	port = (unsigned)strtoul(p + 5, NULL, 10);
	ck_assert_uint_gt(port, 0);
	/* the port asked for: 0 (the kernel's choice), then the one taken */
	json_array_foreach (traced.recs, i, x) {
		if (!is_type(x, "net") || strcmp(jstr(x, "addr"), "127.0.0.1"))
			continue;
		ck_assert_str_eq(jstr(x, "fn"), "bind");
		if (jint(x, "port") == 0)
			ok = x;
		else if (jint(x, "port") == (long long)port)
			refused = x;
	}
	ck_assert_msg(ok != NULL, "no net record of the bind to port 0");
	ck_assert_ptr_null(json_object_get(ok, "errno"));
	ck_assert_int_eq(jint(ok, "ret"), 0);
	ck_assert_msg(refused != NULL, "no net record of the refused bind");
	ck_assert_str_eq(jstr(refused, "errno"), "EADDRINUSE");
	ck_assert_int_eq(jint(refused, "ret"), -1);
	if (strstr(traced.out, "bind3=0 ")) {
		json_array_foreach (traced.recs, i, x)
			if (is_type(x, "net") &&
			    !strcmp(jstr(x, "addr"), "::1"))
				break;
		ck_assert_msg(i < json_array_size(traced.recs),
			      "no net record of the IPv6 bind");
	}
	run_free(&bare);
	run_free(&traced);
}
END_TEST

/* ---- pre-states the tracer knew without asking (preload/known.c) ---- */

/* The mode of a state, "absent" for null. */
static const char *state_mode(const json_t *ev, const char *key)
{
	const json_t *st = json_object_get(ev, key);
	ck_assert_msg(st != NULL, "no %s key", key);
	if (json_is_null(st))
		return "absent";
	return jstr(st, "mode");
}

struct known_step {
	const char *fn, *path;	       /* work-relative */
	const char *st, *st2, *parent; /* modes; NULL: not checked */
};

static const struct known_step known_steps[] = {
    {"open", "a", "absent", 0, 0},	  /* created: O_EXCL tried */
    {"fchmod", "a", "0640", 0, 0},	  /* the open's fd remembered */
    {"open", "a", "0604", 0, 0},	  /* fchmod forgot the old mode */
    {"rename", "a", "0604", "absent", 0}, /* RENAME_NOREPLACE tried */
    {"rename", "b", "0604", "0644", 0},	  /* an unseen file replaced */
    {"unlink", "c", "0600", 0, 0},	  /* a child's chmod, waited for */
    {"open", "t", "absent", 0, 0},	  /**/
    {"unlink", "t", "0611", 0, 0},	  /* a raw chmod, 150 ms old */
    {"mkdir", "d", "absent", 0, 0},	  /**/
    {"open", "d/x", "absent", 0, "0750"}, /**/
    {"rename", "d", "0750", "absent", 0}, /* a directory moved ... */
    {"open", "e/x", "0644", 0, "0750"},	  /* ... its files looked up */
    {"open", "p", "absent", 0, 0},	  /**/
    {"rename", "p", "0644", "absent", 0}, /**/
    {"fchmod", "q", "0644", 0, 0},	  /* the fd's file was renamed */
    {"open", "m", "absent", 0, 0},	  /**/
    {"fchmod", "n", "0644", 0, 0},	  /* the fd number was reused */
    {"open", "l1", "absent", 0, 0},	  /**/
    {"link", "l1", "0640", "absent", 0},  /**/
    {"unlink", "l1", "0640", 0, 0},	  /* a link keeps the old name */
    {"chmod", "l2", "0640", 0, 0},	  /* and gives its state to l2 */
    {"symlink", "s", "absent", 0, 0},	  /**/
    {"linkat", "s", "0777", "absent", 0}, /* AT_SYMLINK_FOLLOW: ... */
    {"chmod", "l3", "0600", 0, 0},	  /* ... l3 is l2's inode */
};

START_TEST(test_known_states)
{
	struct run r;
	size_t i, k = 0;
	json_t *x;
	char want[PATH_MAX], got[PATH_MAX];
	const size_t n = sizeof known_steps / sizeof *known_steps;

	run(&r, "known", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "ev") || jint(x, "pid") != r.pid)
			continue;
		ck_assert_msg(k < n, "more events than expected: %s",
			      jstr(x, "fn"));
		const struct known_step *e = &known_steps[k++];
		snprintf(want, sizeof want, "%s/%s", r.work, e->path);
		ck_assert_str_eq(jstr(x, "fn"), e->fn);
		ck_assert_str_eq(jpath(x, "path", got, sizeof got), want);
		ck_assert_msg(!strcmp(state_mode(x, "st"), e->st),
			      "step %zu (%s %s): st %s, want %s", k, e->fn,
			      e->path, state_mode(x, "st"), e->st);
		if (e->st2)
			ck_assert_msg(!strcmp(state_mode(x, "st2"), e->st2),
				      "step %zu (%s %s): st2 %s, want %s", k,
				      e->fn, e->path, state_mode(x, "st2"),
				      e->st2);
		if (e->parent)
			ck_assert_str_eq(state_mode(x, "parent"), e->parent);
	}
	ck_assert_uint_eq(k, n);
	run_free(&r);
}
END_TEST

/*
 * An open with O_TMPFILE names a directory and makes a file with no name
 * in it: the directory keeps its state for the next such open (not the
 * new file's), and a call on the new fd is not a call on the directory.
 */
START_TEST(unnamed_file_leaves_its_directory_as_it_was)
{
	struct run r;
	size_t i;
	int opens = 0, fchmods = 0, links = 0;
	json_t *x;
	char dir[PATH_MAX], named[PATH_MAX], got[PATH_MAX];

	run(&r, "unnamed", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	snprintf(dir, sizeof dir, "%s/d", r.work);
	snprintf(named, sizeof named, "%s/d/named", r.work);
	json_array_foreach (r.recs, i, x) {
		const char *fn = jstr(x, "fn");

		if (!is_type(x, "ev") || jint(x, "pid") != r.pid || !fn)
			continue;
		jpath(x, "path", got, sizeof got);
		if (!strncmp(fn, "open", 4) && !strcmp(got, dir)) {
			ck_assert_str_eq(jstr(json_object_get(x, "st"), "type"),
					 "dir");
			ck_assert_str_eq(state_mode(x, "st"), "0755");
			opens++;
		} else if (!strcmp(fn, "fchmod")) {
			ck_assert_msg(strcmp(got, dir) != 0,
				      "fchmod of the unnamed file recorded "
				      "as one of its directory");
			ck_assert_msg(strstr(got, " (deleted)") != NULL,
				      "fchmod of the unnamed file: %s", got);
			fchmods++;
		} else if (!strncmp(fn, "link", 4)) {
			ck_assert_str_eq(jpath(x, "path2", got, sizeof got),
					 named);
			links++;
		}
	}
	ck_assert_int_eq(opens, 2);
	ck_assert_int_eq(fchmods, 1);
	ck_assert_int_eq(links, 1);
	run_free(&r);
}
END_TEST

/*
 * ---- descriptor trust (preload/known.c) ----
 * Each way a descriptor can be closed or replaced (the workload's fdtrust
 * scenario): after it, the number's next fd-based call is recorded with
 * the file the number names now, never the path remembered before.
 */
static const char *const fd_closers[] = {
    "close",	   "__close",  "close_range", "closefrom",   "syscall_close",
    "dup2",	   "__dup2",   "dup3",	      "fcntl_dupfd", "fclose",
    "_IO_fclose",  "freopen",  "closedir",    "pclose",	     "endmntent",
    "__endmntent", "mq_close", "daemon",      "forkpty",     "login_tty",
    "vfork",	   "exec",     "fcloseall",
};
#define NCLOSERS ((int)(sizeof fd_closers / sizeof *fd_closers))

/* The one probe of the fdtrust scenario: fchmod 0640, or ftruncate. */
static json_t *fd_probe(const struct run *r)
{
	size_t i;
	json_t *x, *found = NULL;
	int n = 0;
	json_array_foreach (r->recs, i, x) {
		const char *fn = jstr(x, "fn"), *mode = jstr(x, "mode");
		if (!is_type(x, "ev") || !fn)
			continue;
		if (!strcmp(fn, "ftruncate") ||
		    (!strcmp(fn, "fchmod") && mode && !strcmp(mode, "0640"))) {
			found = x;
			n++;
		}
	}
	ck_assert_int_eq(n, 1);
	return found;
}

START_TEST(test_reused_fd_never_has_the_old_path)
{
	const char *how = fd_closers[_i];
	struct run r;
	struct opts o = {.arg3 = how};
	char want[PATH_MAX], got[PATH_MAX];

	run(&r, "fdtrust", &o);
	if (exit_code(&r) == 77) {
		run_free(&r);
		test_skip("fdtrust %s is not supported here", how);
	}
	ck_assert_msg(exit_code(&r) == 0, "%s: exit %d", how, exit_code(&r));
	check_common(&r);
	ck_assert_ptr_nonnull(output_value(&r, "expect", want, sizeof want));
	ck_assert_ptr_nonnull(jpath(fd_probe(&r), "path", got, sizeof got));
	size_t n = strlen(want);
	if (want[n - 1] == '*')
		ck_assert_msg(!strncmp(got, want, n - 1), "%s: %s, want %s",
			      how, got, want);
	else
		ck_assert_msg(!strcmp(got, want), "%s: %s, want %s", how, got,
			      want);
	run_free(&r);
}
END_TEST

/*
 * ---- the calls that fork through libc's fork (calls.def F) ----
 * Each way: a process made so that records nothing forks one that does,
 * whose proc record names the silent process as its parent (the child
 * became a traced process of its own inside the call, not at its first
 * event).
 */
static const char *const forkers[] = {"fork", "daemon", "forkpty"};
#define NFORKERS ((int)(sizeof forkers / sizeof *forkers))

START_TEST(test_child_of_a_silent_process_names_it_its_parent)
{
	const char *how = forkers[_i];
	struct run r;
	struct opts o = {.arg3 = how};
	char buf[32];
	json_t *ev, *p;

	run(&r, "silent_parent", &o);
	if (exit_code(&r) == 77) {
		run_free(&r);
		test_skip("%s is not supported here", how);
	}
	ck_assert_msg(exit_code(&r) == 0, "%s: exit %d", how, exit_code(&r));
	check_common(&r);
	ck_assert_int_eq(count_ev(&r, "open", "grandchild", &ev), 1);
	p = proc_of(&r, ev);
	ck_assert(json_is_true(json_object_get(p, "fork")));
	ck_assert_ptr_nonnull(output_value(&r, "silent", buf, sizeof buf));
	ck_assert_int_eq(jint(p, "ppid"), atol(buf));
	run_free(&r);
}
END_TEST

/*
 * ---- the remembered working directory (preload/cwd.c) ----
 * Each way the cwd changes, or may change inside libc (the workload's
 * cwdtrust scenario): a relative name made after it is recorded under the
 * cwd the kernel resolved it in, never under the one remembered before.
 */
static const char *const cwd_changers[] = {
    "chdir",	  "fchdir",	    "syscall_chdir", "syscall_fchdir",
    "chroot",	  "setns",	    "unshare",	     "nftw",
    "nftw64",	  "fts_read",	    "fts_children",  "fts_close",
    "fts64_read", "fts64_children", "fts64_close",   "vfork",
    "daemon",	  "clone_vm",
};
#define NCWD ((int)(sizeof cwd_changers / sizeof *cwd_changers))

START_TEST(test_relative_path_resolves_in_the_cwd_it_was_made_in)
{
	const char *how = cwd_changers[_i];
	struct run r;
	struct opts o = {.arg3 = how};
	char want[PATH_MAX], got[PATH_MAX];
	size_t i;
	json_t *x;
	int n = 0;

	run(&r, "cwdtrust", &o);
	if (exit_code(&r) == 77) {
		run_free(&r);
		test_skip("cwdtrust %s needs root", how);
	}
	ck_assert_msg(exit_code(&r) == 0, "%s: exit %d", how, exit_code(&r));
	check_common(&r);
	ck_assert_ptr_nonnull(output_value(&r, "expect", want, sizeof want));
	json_array_foreach (r.recs, i, x) {
		size_t len;
		if (!is_type(x, "ev") || !jpath(x, "path", got, sizeof got))
			continue;
		len = strlen(got);
		if (len < 9 || strcmp(got + len - 9, "cwd-probe"))
			continue;
		n++;
		ck_assert_msg(!strcmp(got, want), "%s: %s, want %s", how, got,
			      want);
	}
	ck_assert_msg(n == 1, "%s: %d records of cwd-probe", how, n);
	run_free(&r);
}
END_TEST

/* Threads trade numbers between files all the time: every chmod is
 * recorded with its own file (0604 the writer's a<i>, 0640 the reader's
 * b). */
START_TEST(test_threads_racing_close_and_open_keep_fd_paths)
{
	struct run r;
	struct opts o = {.arg3 = "3000"};
	size_t i;
	json_t *x;
	char got[PATH_MAX];
	int a = 0, b = 0;

	run(&r, "fdtrust_threads", &o);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "ev") || strcmp(jstr(x, "fn"), "fchmod"))
			continue;
		const char *base =
		    strrchr(jpath(x, "path", got, sizeof got), '/') + 1;
		bool is_b = !strcmp(jstr(x, "mode"), "0640");
		ck_assert_msg(is_b ? !strcmp(base, "b") : base[0] == 'a',
			      "chmod %s recorded for %s", jstr(x, "mode"), got);
		a += !is_b;
		b += is_b;
	}
	ck_assert_int_eq(a, 3000);
	ck_assert_int_eq(b, 3000);
	run_free(&r);
}
END_TEST

/* lines of out that do not start with prefix */
static void drop_lines(char *out, const char *prefix)
{
	char *w = out;
	for (char *l = out; *l;) {
		size_t n = strcspn(l, "\n") + (l[strcspn(l, "\n")] ? 1 : 0);
		if (strncmp(l, prefix, strlen(prefix))) {
			memmove(w, l, n);
			w += n;
		}
		l += n;
	}
	*w = 0;
}

/*
 * The tracer keeps no descriptor of its own, and the workload's
 * descriptors get the numbers they get without it.  libunwind's pipe is
 * the one exception: moved to the top of the range (>= 900 here).
 */
START_TEST(test_no_visible_fds)
{
	struct run bare, traced;
	struct opts o = {.bare = true};

	run(&bare, "fds", &o);
	run(&traced, "fds", NULL);
	ck_assert_int_eq(exit_code(&bare), 0);
	ck_assert_int_eq(exit_code(&traced), 0);
	check_common(&traced);
	for (const char *p = traced.out; (p = strstr(p, "high fds=")); p++)
		ck_assert_int_le(atoi(p + 9), 2);
	drop_lines(traced.out, "high fds=");
	drop_lines(bare.out, "high fds=");
	ck_assert_str_eq(traced.out, bare.out);
	ck_assert_int_eq(count_ev(&traced, "open", "b", NULL), 1);
	run_free(&bare);
	run_free(&traced);
}
END_TEST

/* ---- processes ---- */

START_TEST(test_fork)
{
	struct run r;
	char buf[32];
	json_t *ev;

	run(&r, "fork", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_ptr_nonnull(output_value(&r, "child", buf, sizeof buf));
	long child = atol(buf);
	ck_assert_int_eq(count_ev(&r, "open", "parent-before", &ev), 1);
	ck_assert_int_eq(jint(ev, "pid"), r.pid);
	ck_assert_int_eq(count_ev(&r, "open", "parent-after", &ev), 1);
	ck_assert_int_eq(jint(ev, "pid"), r.pid);
	ck_assert_int_eq(count_ev(&r, "open", "child", &ev), 1);
	ck_assert_int_eq(jint(ev, "pid"), child);
	json_t *p = proc_of(&r, ev);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(jint(p, "pid"), child);
	ck_assert_int_eq(jint(p, "ppid"), r.pid);
	ck_assert_str_ne(jstr(p, "_file"), jstr(workload_proc(&r), "_file"));
	/* a short fork record, inheriting the workload's */
	ck_assert(json_is_true(json_object_get(p, "fork")));
	ck_assert_int_eq(jint(p, "pts"), jint(workload_proc(&r), "ts"));
	ck_assert_str_eq(jstr(p, "exe"), workload_real);
	ck_assert_int_eq(count_ev(&r, "mkdir", "child-dir", &ev), 1);
	ck_assert_int_eq(jint(ev, "pid"), child);
	/* the child's file describes its own ancestors, and ends with its
	 * own end record */
	size_t i;
	json_t *x;
	int dirs = 0, ends = 0;
	json_array_foreach (r.recs, i, x) {
		if (strcmp(jstr(x, "_file"), jstr(p, "_file")))
			continue;
		dirs += is_type(x, "dir") && !strcmp(jstr(x, "path"), "/tmp");
		ends += is_type(x, "end");
	}
	ck_assert_int_eq(dirs, 1);
	ck_assert_int_eq(ends, 1); /* the child left with _exit: ended too */
	run_free(&r);
}
END_TEST

/* records whose type is t in the workload's own file */
static int count_own(const struct run *r, const char *t)
{
	json_t *p = workload_proc(r), *x;
	size_t i;
	int n = 0;
	json_array_foreach (r->recs, i, x)
		n += is_type(x, t) &&
		     !strcmp(jstr(x, "_file"), jstr(p, "_file"));
	return n;
}

START_TEST(test_vfork_exec)
{
	struct run r;
	json_t *ev;
	run(&r, "vfork", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	/* the vfork child's exit() wrote no end record into the parent's
	 * file (it consumed the parent's atexit list: no end at all) */
	ck_assert_int_eq(count_own(&r, "end"), 0);
	ck_assert_int_eq(count_ev(&r, "open", "after-vfork", NULL), 1);
	ck_assert_int_eq(count_own(&r, "proc"), 1);
	ck_assert_int_eq(count_ev(&r, NULL, "from-vfork", &ev), 1);
	json_t *p = proc_of(&r, ev);
	ck_assert_str_eq(jstr(p, "exe"), "/usr/bin/dash");
	ck_assert_int_eq(jint(p, "ppid"), r.pid);
	/* the vfork children's execs, in the workload's file with their own
	 * pids: the one that ran sh, and the one that failed (before and
	 * after the call) */
	json_t *sh;
	ck_assert_int_eq(count_ev(&r, "execl", "/bin/sh", &sh), 1);
	ck_assert(json_is_true(json_object_get(sh, "vfork")));
	ck_assert_str_eq(jstr(sh, "_file"), jstr(workload_proc(&r), "_file"));
	ck_assert_int_eq(jint(sh, "pid"), jint(p, "pid"));
	ck_assert(json_is_null(json_object_get(sh, "errno")));
	ck_assert_int_eq(jint(sh, "uid"), 0);
	ck_assert_str_eq(jstr(sh, "argv0"), "sh");
	check_state(sh, "st", "symlink");
	/* /bin is a link to usr/bin on a merged /usr: the parent described
	 * is the directory it names, as for every other record */
	check_state(sh, "parent", "dir");
	char real[PATH_MAX];
	ck_assert_str_eq(jpath(sh, "real", real, sizeof real), "/usr/bin/dash");
	json_t *bad;
	ck_assert_int_eq(count_ev(&r, "execl", "/nonexistent", &bad), 2);
	ck_assert(json_is_true(json_object_get(bad, "vfork")));
	ck_assert_int_ne(jint(bad, "pid"), r.pid);
	run_free(&r);
}
END_TEST

/* the exec event of pid in the trace (the first, or the nth of them) */
static json_t *exec_of_pid(const struct run *r, long long pid, int nth)
{
	size_t i;
	json_t *x;
	json_array_foreach (r->recs, i, x)
		if (is_type(x, "ev") && !strcmp(jstr(x, "op"), "exec") &&
		    jint(x, "pid") == pid && nth-- == 0)
			return x;
	return NULL;
}

/* a fork record of pid: its own file exists */
static bool has_fork_record(const struct run *r, long long pid)
{
	size_t i;
	json_t *x;
	json_array_foreach (r->recs, i, x)
		if (is_type(x, "proc") && jint(x, "pid") == pid &&
		    json_is_true(json_object_get(x, "fork")))
			return true;
	return false;
}

/*
 * A forked child's exec made before the child recorded anything is in the
 * file it inherited (its parent's, or its grandparent's when the parent
 * had none either), with its own pid and "forked": true, and the child
 * gets no file; a child that wrote first has its own, and its exec there
 * has a stack.  Twenty such children write into the workload's file while
 * a thread of the workload does too: check_common parses every record.
 * A child that changed its ids before its exec has them in the record,
 * also when its program was known (not probed).
 */
START_TEST(test_forkexec)
{
	struct run r;
	json_t *x;
	size_t i;
	int a = 0;

	run(&r, "forkexec", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	const char *own = jstr(workload_proc(&r), "_file");
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "ev") || strcmp(jstr(x, "op"), "open"))
			continue;
		char got[PATH_MAX];
		const char *path = jpath(x, "path", got, sizeof got);
		const char *base = path ? strrchr(path, '/') + 1 : "";
		bool fa = !strcmp(base, "from-fork-a");
		bool fd = !strcmp(base, "from-fork-d");
		bool fb = !strcmp(base, "from-fork-b");
		if (!fa && !fd && !fb)
			continue;
		/* the sh image that wrote it has the child's pid */
		long long pid = jint(proc_of(&r, x), "pid");
		json_t *ex = exec_of_pid(&r, pid, 0);
		ck_assert_ptr_nonnull(ex);
		ck_assert_str_eq(jstr(ex, "fn"), "execl");
		ck_assert(json_is_null(json_object_get(ex, "errno")));
		if (fb) {
			ck_assert_str_ne(jstr(ex, "_file"), own);
			ck_assert(has_fork_record(&r, pid));
			ck_assert_ptr_null(json_object_get(ex, "forked"));
			ck_assert_ptr_nonnull(json_object_get(ex, "stack"));
			continue;
		}
		a += fa;
		ck_assert_str_eq(jstr(ex, "_file"), own);
		ck_assert(json_is_true(json_object_get(ex, "forked")));
		ck_assert_int_eq(jint(ex, "uid"), 0);
		ck_assert_int_eq(jint(ex, "gid"), 0);
		ck_assert(!has_fork_record(&r, pid));
	}
	ck_assert_int_eq(a, 20);
	ck_assert_int_eq(count_ev(&r, NULL, "from-fork-d", NULL), 1);
	ck_assert_int_eq(count_ev(&r, NULL, "from-fork-b", NULL), 1);
	/* E: its failed exec, before and after, in the workload's file; then
	 * its write, in a file of its own */
	json_t *after;
	ck_assert_int_eq(count_ev(&r, "open", "fork-e-after", &after), 1);
	long long e = jint(after, "pid");
	ck_assert(has_fork_record(&r, e));
	json_t *e0 = exec_of_pid(&r, e, 0), *e1 = exec_of_pid(&r, e, 1);
	ck_assert_ptr_nonnull(e1);
	ck_assert_str_eq(jstr(e0, "_file"), own);
	ck_assert_str_eq(jstr(e1, "_file"), own);
	ck_assert(json_is_null(json_object_get(e0, "errno")));
	ck_assert_str_eq(jstr(e1, "errno"), "ENOENT");
	ck_assert_str_ne(jstr(after, "_file"), own);
	int g = 0;
	long long uid = jint(workload_proc(&r), "euid");
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "ev") || strcmp(jstr(x, "op"), "exec"))
			continue;
		const char *argv0 = jstr(x, "argv0");
		if (!argv0)
			continue;
		bool changed = !strcmp(argv0, "true-as-1001");
		if (!changed && strcmp(argv0, "true-unchanged"))
			continue;
		g++;
		ck_assert(json_is_true(json_object_get(x, "forked")));
		ck_assert_int_eq(jint(x, "uid"), changed ? 1001 : uid);
		ck_assert_int_eq(jint(x, "gid"),
				 changed ? 1001
					 : jint(workload_proc(&r), "egid"));
	}
	ck_assert_int_eq(g, 2);
	run_free(&r);
}
END_TEST

START_TEST(test_env_i)
{
	struct run r;
	json_t *ev;
	run(&r, "env_i", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_msg(count_ev(&r, NULL, "from-env-i", &ev) == 1,
		      "the child of env -i was not traced");
	ck_assert_str_eq(jstr(proc_of(&r, ev), "exe"), "/usr/bin/dash");
	ck_assert_ptr_nonnull(find_proc(&r, "/usr/bin/env", 0));
	ck_assert_msg(count_ev(&r, NULL, "from-spawn-empty-env", &ev) == 1,
		      "a spawn with an empty environment was not traced");
	run_free(&r);
}
END_TEST

START_TEST(test_keep_preload)
{
	struct run r;
	struct opts o = {.arg3 = UR_DUMMY};
	json_t *ev;
	char buf[PATH_MAX];

	run(&r, "keep_preload", &o);
	ck_assert_msg(exit_code(&r) == 0, "exit %d: %s", exit_code(&r), r.out);
	check_common(&r);
	ck_assert_ptr_nonnull(output_value(&r, "LD_PRELOAD", buf, sizeof buf));
	ck_assert_msg(strstr(buf, UR_DUMMY) && strstr(buf, UR_PRELOAD),
		      "LD_PRELOAD=%s", buf);
	/* it named the preload already: kept as it was, not added again */
	const char *second = strstr(strstr(buf, UR_PRELOAD) + 1, UR_PRELOAD);
	ck_assert_msg(!second, "the preload twice: LD_PRELOAD=%s", buf);
	ck_assert_msg(!strncmp(buf, UR_DUMMY, strlen(UR_DUMMY)),
		      "LD_PRELOAD=%s", buf);
	ck_assert_ptr_nonnull(output_value(&r, "dummy", buf, sizeof buf));
	ck_assert_str_eq(buf, "1");
	ck_assert_int_eq(count_ev(&r, "fopen", "preload-report", &ev), 1);
	run_free(&r);
}
END_TEST

START_TEST(test_spawns)
{
	static const char *files[] = {"from-spawn", "from-spawnp",
				      "from-system", "from-popen"};
	struct run r;
	json_t *ev;
	run(&r, "spawns", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	for (int i = 0; i < 4; i++) {
		ck_assert_msg(count_ev(&r, NULL, files[i], &ev) == 1,
			      "%s: the child was not traced", files[i]);
		json_t *p = proc_of(&r, ev);
		ck_assert_int_eq(jint(p, "ppid"), r.pid);
	}
	run_free(&r);
}
END_TEST

/* a set-uid program run by an unprivileged user: the loader is in secure
 * mode and ignores LD_PRELOAD */
START_TEST(test_setuid_untraced)
{
	struct run r;
	struct opts o = {
	    .arg3 = "/usr/bin/mount", .arg4 = "--version", .as_uid = "1001"};
	struct stat st;
	if (stat("/usr/bin/mount", &st) || !(st.st_mode & S_ISUID) ||
	    st.st_uid != 0)
		test_skip("no set-uid root /usr/bin/mount here");
	run(&r, "static", &o);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	size_t i;
	json_t *x;
	int n = 0;
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "untraced"))
			continue;
		n++;
		ck_assert_str_eq(jstr(x, "why"), "setuid");
		ck_assert_str_eq(jstr(x, "path"), "/usr/bin/mount");
	}
	ck_assert_int_eq(n, 1);
	run_free(&r);
}
END_TEST

/*
 * A process whose effective uid is not its real one (squid's master, root
 * with seteuid to its user) runs every program it execs with the loader
 * in secure mode, whatever the file: named untraced, with the caller's
 * ids as the reason, from a forked child and from a vfork child; with the
 * ids made equal again the same program is traced.
 */
START_TEST(exec_with_effective_ids_not_the_real_ones_is_untraced)
{
	struct run r;
	size_t i;
	json_t *x;
	int n = 0, traced = 0;

	run(&r, "mixed_ids", NULL);
	if (exit_code(&r) == 77) {
		run_free(&r);
		test_skip("mixed ids need root");
	}
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	json_array_foreach (r.recs, i, x) {
		if (is_type(x, "proc") && jstr(x, "exe") &&
		    !strcmp(jstr(x, "exe"), "/usr/bin/true"))
			traced++;
		if (!is_type(x, "untraced"))
			continue;
		n++;
		ck_assert_str_eq(jstr(x, "why"), "ids");
		ck_assert_str_eq(jstr(x, "path"), "/bin/true");
		ck_assert_int_ne(jint(x, "pid"), r.pid);
	}
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(traced, 1);
	run_free(&r);
}
END_TEST

/*
 * A library opened with RTLD_DEEPBIND binds its calls to libc before the
 * global scope (PHP's extensions: opcache's lock file in /tmp): its
 * writes are recorded all the same, through its PLT bound lazily and
 * through a pointer bound at load.  A dlopen without it, and one of a
 * name alone, still search the caller's run path ($ORIGIN).
 */
START_TEST(library_opened_with_deepbind_is_traced)
{
	struct opts o = {.arg3 = UR_DEEP};
	struct run r;
	size_t i;
	json_t *x;
	int lock = 0, pointer = 0;
	char want[PATH_MAX], got[PATH_MAX];

	run(&r, "deepbind", &o);
	ck_assert_msg(exit_code(&r) == 0, "exit %d: %s", exit_code(&r), r.out);
	check_common(&r);
	snprintf(want, sizeof want, "%s/deep/", r.work);
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "ev") || jint(x, "pid") != r.pid ||
		    !jpath(x, "path", got, sizeof got) ||
		    strncmp(got, want, strlen(want)))
			continue;
		if (!strncmp(got + strlen(want), "lock.", 5))
			lock++;
		else if (!strcmp(got + strlen(want), "by-pointer"))
			pointer++;
	}
	ck_assert_int_eq(lock, 1);
	ck_assert_int_eq(pointer, 1);
	run_free(&r);
}
END_TEST

START_TEST(test_scrubbed_environ)
{
	static const char *files[] = {"from-system-unset",
				      "from-popen-clearenv",
				      "from-system-path-only"};
	struct run r;
	run(&r, "scrubbed", NULL);
	ck_assert_msg(exit_code(&r) == 0, "exit %d", exit_code(&r));
	check_common(&r);
	for (int i = 0; i < 3; i++)
		ck_assert_msg(count_ev(&r, NULL, files[i], NULL) == 1,
			      "%s: the child was not traced", files[i]);
	run_free(&r);
}
END_TEST

START_TEST(test_symlinks_real)
{
	struct run r;
	json_t *ev;
	char want[PATH_MAX], got[PATH_MAX];

	run(&r, "symlinks", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_int_eq(count_ev(&r, "open", "ln/f", &ev), 1);
	snprintf(want, sizeof want, "%s/target/f", r.work);
	ck_assert_str_eq(jpath(ev, "real", got, sizeof got), want);
	ck_assert_int_eq(count_ev(&r, "open", "lf", &ev), 1);
	snprintf(want, sizeof want, "%s/t", r.work);
	ck_assert_str_eq(jpath(ev, "real", got, sizeof got), want);
	check_state(ev, "st", "symlink");
	ck_assert_int_eq(count_ev(&r, "chmod", "lf", &ev), 1);
	ck_assert_str_eq(jpath(ev, "real", got, sizeof got), want);
	ck_assert_int_eq(count_ev(&r, "unlink", "lf", &ev), 1);
	ck_assert_ptr_null(json_object_get(ev, "real"));
	/* a directory the process made is its own real path only where its
	 * parent is */
	ck_assert_int_eq(count_ev(&r, "open", "own/f", &ev), 1);
	ck_assert_ptr_null(json_object_get(ev, "real"));
	ck_assert_int_eq(count_ev(&r, "open", "ln/sub/g", &ev), 1);
	snprintf(want, sizeof want, "%s/target/sub/g", r.work);
	ck_assert_str_eq(jpath(ev, "real", got, sizeof got), want);
	run_free(&r);
}
END_TEST

/* after the main thread has left by pthread_exit, the paths the preload
 * reads back from /proc (a descriptor's, a symlinked directory's real
 * path) are still known: it reads the calling thread's entries */
START_TEST(test_paths_known_after_the_main_thread_left)
{
	struct run r;
	json_t *ev;
	char want[PATH_MAX], got[PATH_MAX];

	run(&r, "leader_gone", NULL);
	ck_assert_msg(exit_code(&r) == 0, "exit %d: %s", exit_code(&r), r.out);
	check_common(&r);
	ck_assert_int_eq(count_ev(&r, "open", "ln/f", &ev), 1);
	snprintf(want, sizeof want, "%s/target/f", r.work);
	ck_assert_str_eq(jpath(ev, "real", got, sizeof got), want);
	ck_assert_int_eq(count_ev(&r, "fchmod", "data", NULL), 1);
	ck_assert_int_eq(count_ev(&r, "openat", "target/g", NULL), 1);
	run_free(&r);
}
END_TEST

/* records go on after the process drops root, with the new credentials on
 * each event: through the file's mapping, or in a new file when the old
 * one had to grow and can no longer be opened */
START_TEST(test_drop_privileges)
{
	struct run r;
	json_t *ev;
	run(&r, "dropprivs", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_int_eq(count_ev(&r, "open", "as-root", &ev), 1);
	ck_assert_int_eq(jint(ev, "uid"), 0);
	ck_assert_int_eq(count_ev(&r, "open", "as-user", &ev), 1);
	ck_assert_int_eq(jint(ev, "uid"), 1001);
	json_t *p = proc_of(&r, ev);
	ck_assert_int_eq(jint(p, "pid"), r.pid);
	ck_assert_int_eq(count_ev(&r, "open", "/root/denied", &ev), 1);
	ck_assert_str_eq(jstr(ev, "errno"), "EACCES");
	ck_assert_int_ge(r.files, 1);
	ck_assert_int_le(r.files, 2);
	size_t i;
	json_t *x;
	int ends = 0;
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "end"))
			continue;
		ends++;
		ck_assert_int_eq(jint(x, "lost"), 0);
	}
	ck_assert_int_eq(ends, 1);
	run_free(&r);
}
END_TEST

/* the untraced records of a run, checked: why, path, pid; how many */
static int check_untraced(const struct run *r, const char *why,
			  const char *path, json_t **last)
{
	size_t i;
	json_t *x;
	int n = 0;
	json_array_foreach (r->recs, i, x) {
		if (!is_type(x, "untraced"))
			continue;
		n++;
		ck_assert_str_eq(jstr(x, "why"), why);
		ck_assert_str_eq(jstr(x, "path"), path);
		ck_assert_int_gt(jint(x, "pid"), 0);
		ck_assert_int_gt(jint(x, "ts"), 0);
		*last = x;
	}
	return n;
}

/*
 * dash runs the commands of `sh -c 'A; B'` in vfork children: the exec of
 * a static program there must still be said untraced, from the child (its
 * pid, in the shell's file, next to the child's exec event).
 */
START_TEST(test_sh_static_untraced)
{
	struct run r;
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "%s; true", UR_STATIC);
	struct opts o = {.arg3 = cmd};
	json_t *u = NULL, *ev = NULL;
	run(&r, "sh", &o);
	ck_assert_msg(exit_code(&r) == 0, "exit %d", exit_code(&r));
	check_common(&r);
	ck_assert_int_eq(check_untraced(&r, "static", UR_STATIC, &u), 1);
	json_t *shp = proc_of(&r, u);
	ck_assert_str_eq(jstr(shp, "exe"), "/usr/bin/dash");
	ck_assert_int_ne(jint(u, "pid"), jint(shp, "pid"));
	ck_assert_int_eq(count_ev(&r, "execve", UR_STATIC, &ev), 1);
	ck_assert(json_is_true(json_object_get(ev, "vfork")));
	ck_assert_int_eq(jint(ev, "pid"), jint(u, "pid"));
	ck_assert_str_eq(jstr(ev, "_file"), jstr(u, "_file"));
	/* the shell's own records are intact after its children's */
	ck_assert_int_eq(r.torn, 0);
	run_free(&r);
	/* and the plain `sh -c PROG` (dash execs it itself, no vfork) */
	struct opts o2 = {.arg3 = UR_STATIC};
	run(&r, "sh", &o2);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_int_eq(check_untraced(&r, "static", UR_STATIC, &u), 1);
	run_free(&r);
}
END_TEST

/*
 * What an exec learned of a program (progknown.c) holds until the file
 * changes.  A program run again and again through a symlinked directory,
 * by dash's vfork children and by bash's forked ones (the second of which
 * learn nothing themselves), is named by its real path every time; once
 * it is rewritten in place into a static program (the same inode), its
 * next run is said untraced, as static.
 */
START_TEST(exec_of_a_known_program_is_probed_again_once_it_changes)
{
	struct run r;
	char cmd[2 * PATH_MAX], real[PATH_MAX + 32];
	size_t i;
	json_t *x, *u = NULL;
	int runs = 0;

	snprintf(cmd, sizeof cmd,
		 "mkdir d && ln -s d l && cp /bin/true d/prog && "
		 "P=$PWD/l/prog && $P && $P && bash -c \"$P; $P; $P\" && "
		 "cat %s > d/prog && $P; true",
		 UR_STATIC);
	struct opts o = {.arg3 = cmd};
	run(&r, "sh", &o);
	ck_assert_msg(exit_code(&r) == 0, "exit %d", exit_code(&r));
	check_common(&r);
	snprintf(real, sizeof real, "%s/d/prog", r.work);
	json_array_foreach (r.recs, i, x) {
		const char *exe = jstr(x, "exe");
		if (is_type(x, "proc") && exe && strstr(exe, "/prog")) {
			ck_assert_str_eq(exe, real);
			runs++;
		}
	}
	ck_assert_int_eq(runs, 5);
	snprintf(real, sizeof real, "%s/l/prog", r.work);
	ck_assert_int_eq(check_untraced(&r, "static", real, &u), 1);
	run_free(&r);
}
END_TEST

/* the same with a set-uid program run by uid 1001 from dash's vfork child */
START_TEST(test_sh_setuid_untraced)
{
	struct run r;
	struct opts o = {.arg3 = "/usr/bin/mount --version >/dev/null; true",
			 .as_uid = "1001"};
	struct stat st;
	json_t *u = NULL, *ev = NULL;
	if (stat("/usr/bin/mount", &st) || !(st.st_mode & S_ISUID) ||
	    st.st_uid != 0)
		test_skip("no set-uid root /usr/bin/mount here");
	run(&r, "sh", &o);
	ck_assert_msg(exit_code(&r) == 0, "exit %d", exit_code(&r));
	check_common(&r);
	ck_assert_int_eq(check_untraced(&r, "setuid", "/usr/bin/mount", &u), 1);
	ck_assert_str_eq(jstr(proc_of(&r, u), "exe"), "/usr/bin/dash");
	ck_assert_int_eq(count_ev(&r, "execve", "/usr/bin/mount", &ev), 1);
	ck_assert(json_is_true(json_object_get(ev, "vfork")));
	ck_assert_int_eq(jint(ev, "uid"), 1001);
	ck_assert_int_eq(jint(ev, "gid"), 1001);
	ck_assert_int_eq(jint(ev, "pid"), jint(u, "pid"));
	run_free(&r);
}
END_TEST

/* fork records: only what differs from the record they inherit from */
START_TEST(test_fork_records)
{
	struct run r;
	struct opts o = {.flags = "noforkrec"};
	char buf[32];
	json_t *ev, *p;
	run(&r, "fork_records", NULL);
	ck_assert_msg(exit_code(&r) == 0, "exit %d", exit_code(&r));
	check_common(&r);
	json_t *w = workload_proc(&r);
	ck_assert_ptr_nonnull(w);
	ck_assert(!json_object_get(w, "fork"));

	/* the same as its parent: nothing but who and when */
	ck_assert_int_eq(count_ev(&r, "open", "same", &ev), 1);
	p = proc_of(&r, ev);
	ck_assert_int_eq(jint(p, "pid"),
			 atol(output_value(&r, "child-same", buf, sizeof buf)));
	ck_assert(json_is_true(json_object_get(p, "fork")));
	ck_assert_int_eq(jint(p, "ppid"), r.pid);
	ck_assert_int_eq(jint(p, "pts"), jint(w, "ts"));
	ck_assert_ptr_null(json_object_get(p, "from"));
	ck_assert_int_eq(jint(ev, "uid"), 0);
	/* as written: t v pid ppid ts fork pts and cwd, nothing else (the
	 * workload's record was written before main() changed directory) */
	ck_assert_int_eq(jint(p, "_nkeys"), 8);
	ck_assert_str_eq(jstr(p, "cwd"), r.work);
	ck_assert_int_eq(jint(p, "_line"), 1);
	size_t i;
	json_t *x;
	/* inherited whole */
	ck_assert_str_eq(jstr(p, "exe"), workload_real);
	ck_assert_str_eq(jstr(p, "argv0"), jstr(w, "argv0"));
	ck_assert_int_eq(jint(p, "euid"), 0);
	ck_assert(
	    json_equal(json_object_get(p, "env"), json_object_get(w, "env")));
	/* no mount/os/user/group records again */
	int again = 0;
	json_array_foreach (r.recs, i, x)
		again += !strcmp(jstr(x, "_file"), jstr(p, "_file")) &&
			 (is_type(x, "mount") || is_type(x, "user") ||
			  is_type(x, "os") || is_type(x, "group"));
	ck_assert_int_eq(again, 0);

	/* another cwd and other ids before its first event: those repeated */
	ck_assert_int_eq(count_ev(&r, "open", "sub/other", &ev), 1);
	p = proc_of(&r, ev);
	ck_assert(json_is_true(json_object_get(p, "fork")));
	char want[PATH_MAX];
	snprintf(want, sizeof want, "%s/sub", r.work);
	ck_assert_str_eq(jstr(p, "cwd"), want);
	ck_assert_int_eq(jint(p, "uid"), 1001);
	ck_assert_int_eq(jint(p, "euid"), 1001);
	ck_assert_int_eq(jint(p, "gid"), 1001);
	ck_assert_int_eq(jint(p, "egid"), 1001);
	ck_assert_int_eq(jint(ev, "uid"), 1001);
	ck_assert_str_eq(jstr(p, "exe"), workload_real);

	/* a grandchild whose parent recorded nothing: from the workload's */
	ck_assert_int_eq(count_ev(&r, "open", "grandchild", &ev), 1);
	p = proc_of(&r, ev);
	ck_assert(json_is_true(json_object_get(p, "fork")));
	ck_assert_int_eq(jint(p, "ppid"), atol(output_value(&r, "child-silent",
							    buf, sizeof buf)));
	ck_assert_int_eq(jint(p, "from"), r.pid);
	ck_assert_int_eq(jint(p, "pts"), jint(w, "ts"));
	ck_assert_str_eq(jstr(p, "exe"), workload_real);
	run_free(&r);

	/* with "noforkrec" (a reader that does not resolve them) every
	 * proc record is full */
	run(&r, "fork_records", &o);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_int_eq(count_ev(&r, "open", "same", &ev), 1);
	p = proc_of(&r, ev);
	ck_assert_ptr_null(json_object_get(p, "fork"));
	ck_assert_int_gt(jint(p, "_nkeys"), 12);
	ck_assert_str_eq(jstr(p, "exe"), workload_real);
	run_free(&r);
}
END_TEST

START_TEST(test_static_untraced)
{
	struct run r;
	struct opts o = {.arg3 = UR_STATIC};
	run(&r, "static", &o);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	size_t i;
	json_t *x;
	int n = 0;
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "untraced"))
			continue;
		n++;
		ck_assert_str_eq(jstr(x, "why"), "static");
		ck_assert_str_eq(jstr(x, "path"), UR_STATIC);
		ck_assert_int_gt(jint(x, "pid"), 0);
		ck_assert_int_gt(jint(x, "ts"), 0);
	}
	ck_assert_int_eq(n, 1);
	run_free(&r);
}
END_TEST

/*
 * A process that sets up an io_uring gets one "untraced" record of its
 * program with why "io_uring" (what it submits there passes every
 * wrapper), however many rings it sets up; a forked child that sets up
 * its own gets its own; the calls made the usual way are recorded still.
 */
START_TEST(io_uring_setup_is_said_once_a_process)
{
	struct run r;
	run(&r, "io_uring", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	size_t i;
	json_t *x;
	int n = 0, made = 0;
	long long first = 0;
	char buf[PATH_MAX];
	json_array_foreach (r.recs, i, x) {
		const char *p = jpath(x, "path", buf, sizeof buf);
		if (is_type(x, "ev") && p && strstr(p, "/after-ring"))
			made++;
		if (!is_type(x, "untraced"))
			continue;
		ck_assert_str_eq(jstr(x, "why"), "io_uring");
		ck_assert_str_eq(p, UR_WORKLOAD);
		ck_assert_int_ne(jint(x, "pid"), first);
		first = jint(x, "pid");
		n++;
	}
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(made, 1);
	run_free(&r);
}
END_TEST

/*
 * Executables with program headers outside the file or around the end of
 * the address space: each exec fails and is recorded with its errno, the
 * children come back (the untraced check read nothing it should not), and
 * none of them is said to be a static program.
 */
START_TEST(test_bad_elf)
{
	struct run r;
	size_t i;
	json_t *x;
	int failed = 0;

	run(&r, "bad_elf", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	json_array_foreach (r.recs, i, x) {
		char got[PATH_MAX];
		ck_assert(!is_type(x, "untraced"));
		if (!is_type(x, "ev") || strcmp(jstr(x, "op"), "exec"))
			continue;
		const char *path = jpath(x, "path", got, sizeof got);
		if (path && strstr(path, "/bad-elf-") &&
		    json_is_string(json_object_get(x, "errno")))
			failed++;
	}
	ck_assert_int_eq(failed, 4);
	run_free(&r);
}
END_TEST

/* ---- stress ---- */

START_TEST(test_threads)
{
	struct run r;
	struct opts o = {.arg3 = "64", .arg4 = "300"};
	run(&r, "threads", &o);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_int_eq(r.torn, 0);
	ck_assert_int_eq(count_ev(&r, "open", NULL, NULL), 64 * 300);
	/* every thread id seen, each open with its own path */
	size_t i;
	json_t *x;
	int tids = 0;
	long long seen[64] = {0};
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "ev"))
			continue;
		long long t = jint(x, "tid");
		int k;
		for (k = 0; k < tids && seen[k] != t; k++)
			;
		if (k == tids && tids < 64)
			seen[tids++] = t;
	}
	ck_assert_int_eq(tids, 64);
	run_free(&r);
}
END_TEST

START_TEST(test_threads_no_stacks)
{
	struct run r;
	struct opts o = {.arg3 = "64", .arg4 = "300", .flags = "nostacks"};
	run(&r, "threads", &o);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_int_eq(count_ev(&r, "open", NULL, NULL), 64 * 300);
	run_free(&r);
}
END_TEST

/*
 * A thousand distinct stacks, more than the first table of seen ids holds:
 * every one has its "stack" record, once, in the file of the events that
 * name it.
 */
START_TEST(test_every_distinct_stack_is_written_once)
{
	struct run r;
	struct opts o = {.arg3 = "1000"};
	size_t i;
	json_t *x;

	run(&r, "stacks", &o);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	json_t *written = json_object(), *named = json_object();
	json_array_foreach (r.recs, i, x) {
		const char *id = jstr(x, "id");
		if (is_type(x, "stack")) {
			ck_assert_ptr_null(json_object_get(written, id));
			json_object_set_new(written, id, json_true());
		} else if (is_type(x, "ev") && jstr(x, "stack") &&
			   !strncmp(jstr(x, "fn"), "open", 4)) {
			ck_assert_ptr_nonnull(
			    json_object_get(written, jstr(x, "stack")));
			json_object_set_new(named, jstr(x, "stack"),
					    json_true());
		}
	}
	ck_assert_int_ge(json_object_size(named), 1000);
	json_decref(written);
	json_decref(named);
	run_free(&r);
}
END_TEST

/*
 * A forked child that writes a file of its own writes in it the stack
 * records its events name, also of a stack its parent had written (into
 * the parent's file) before the fork.
 */
START_TEST(test_a_forked_childs_file_has_the_stacks_its_parent_wrote)
{
	struct run r;
	size_t i;
	json_t *x, *written = json_object();
	int n = 0;
	char key[2 * PATH_MAX];

	run(&r, "stacksfork", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "stack"))
			continue;
		snprintf(key, sizeof key, "%s %s", jstr(x, "_file"),
			 jstr(x, "id"));
		json_object_set_new(written, key, json_true());
	}
	const char *files[2] = {NULL, NULL};
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "ev") || strcmp(jstr(x, "op"), "open"))
			continue;
		ck_assert_int_lt(n, 2);
		ck_assert_ptr_nonnull(jstr(x, "stack"));
		files[n++] = jstr(x, "_file");
		snprintf(key, sizeof key, "%s %s", jstr(x, "_file"),
			 jstr(x, "stack"));
		ck_assert_msg(json_object_get(written, key),
			      "no stack record %s", key);
	}
	ck_assert_int_eq(n, 2);
	ck_assert_str_ne(files[0], files[1]);
	json_decref(written);
	run_free(&r);
}
END_TEST

/*
 * A frame of the main program is named by the program's path, not by its
 * argv[0], which the program may have rewritten (perl's $0 = "/app/x.pl",
 * setproctitle): glibc's dladdr names the main program by argv[0].
 */
START_TEST(test_a_retitled_programs_frames_name_its_executable)
{
	struct run r;
	size_t i, j;
	json_t *x, *f;
	int mine = 0;

	run(&r, "retitled", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "stack"))
			continue;
		json_array_foreach (json_object_get(x, "frames"), j, f) {
			const char *m = jstr(f, "m");

			ck_assert_msg(strcmp(m, "/retitled"),
				      "a frame names the new argv[0]");
			mine += !strcmp(m, workload_real);
		}
	}
	ck_assert_int_gt(mine, 0);
	run_free(&r);
}
END_TEST

/*
 * A process's first stacks are walked by stepping, the later ones by
 * libunwind's cached unwinder: the same call site has one id throughout,
 * and its "stack" record is written once.  Two sites, ten files each: the
 * first site's events are taken by both unwinders.
 */
START_TEST(test_a_stack_has_one_id_whichever_unwinder_took_it)
{
	struct run r;
	struct opts o = {.arg3 = "2", .arg4 = "10"};
	const char *id[2] = {NULL, NULL};
	int count[2] = {0, 0}, written = 0;
	size_t i;
	json_t *x;

	run(&r, "stacks", &o);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	json_array_foreach (r.recs, i, x) {
		if (!is_type(x, "ev") || strcmp(jstr(x, "op"), "open"))
			continue;
		const char *path = jstr(x, "path"), *slash = strrchr(path, '/');
		int k = slash && !strcmp(slash, "/s1");
		ck_assert_msg(slash && (k || !strcmp(slash, "/s0")), "%s",
			      path);
		ck_assert_ptr_nonnull(jstr(x, "stack"));
		if (!id[k])
			id[k] = jstr(x, "stack");
		ck_assert_str_eq(jstr(x, "stack"), id[k]);
		count[k]++;
	}
	ck_assert_int_eq(count[0], 10);
	ck_assert_int_eq(count[1], 10);
	ck_assert_str_ne(id[0], id[1]);
	json_array_foreach (r.recs, i, x)
		if (is_type(x, "stack") && (!strcmp(jstr(x, "id"), id[0]) ||
					    !strcmp(jstr(x, "id"), id[1])))
			written++;
	ck_assert_int_eq(written, 2);
	run_free(&r);
}
END_TEST

/*
 * Eight threads that record stacks add less than 2 MiB of resident memory:
 * they share one libunwind frame cache (256 KiB each before).
 */
START_TEST(test_threads_with_stacks_add_under_2_mib)
{
	struct run bare, traced;
	struct opts ob = {.bare = true, .arg3 = "8", .arg4 = "500"};
	struct opts ot = {.arg3 = "8", .arg4 = "500"};

	run(&bare, "threads", &ob);
	run(&traced, "threads", &ot);
	ck_assert_int_eq(exit_code(&bare), 0);
	ck_assert_int_eq(exit_code(&traced), 0);
	ck_assert_int_eq(count_ev(&traced, "open", NULL, NULL), 8 * 500);
	long added = traced.maxrss_kib - bare.maxrss_kib;
	fprintf(stderr, "8 threads with stacks: %ld KiB added (%ld -> %ld)\n",
		added, bare.maxrss_kib, traced.maxrss_kib);
	ck_assert_int_lt(added, 2048);
	run_free(&bare);
	run_free(&traced);
}
END_TEST

/* forked children whose first records come from 16 threads at once: the
 * proc record stays first (check_common) and nothing is lost */
START_TEST(test_fork_threads)
{
	struct run r;
	run(&r, "fork_threads", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_int_eq(r.files, 11);
	ck_assert_int_eq(count_ev(&r, "open", NULL, NULL), 1 + 10 * 16 * 20);
	run_free(&r);
}
END_TEST

START_TEST(test_sigkill_storm)
{
	struct run r;
	struct opts o = {.kill_ms = 700};
	run(&r, "storm", &o);
	ck_assert(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL);
	/* every line but the last one of a file parses */
	ck_assert_msg(r.bad == 0, "%d bad lines: %s", r.bad, r.bad_msg);
	ck_assert_int_le(r.torn, r.files);
	ck_assert_int_gt(count_ev(&r, "open", NULL, NULL), 100);
	ck_assert_int_gt(count_ev(&r, "unlink", NULL, NULL), 100);
	ck_assert_int_ge(r.files, 2);
	run_free(&r);
}
END_TEST

START_TEST(test_daemon)
{
	struct run r;
	run(&r, "daemon", NULL);
	ck_assert_msg(exit_code(&r) == 0, "exit %d", exit_code(&r));
	check_common(&r);
	ck_assert_int_eq(count_ev(&r, "open", "before-close", NULL), 1);
	ck_assert_int_eq(count_ev(&r, "open", "own", NULL), 1);
	ck_assert_int_eq(count_ev(&r, "open", "after-close", NULL), 1);
	for (int i = 0; i < 20; i++) {
		char name[32];
		snprintf(name, sizeof name, "after-dup-%d", i);
		ck_assert_msg(count_ev(&r, "open", name, NULL) == 1,
			      "%s not recorded", name);
	}
	ck_assert_int_eq(count_ev(&r, "open", "after-second-close", NULL), 1);
	/* the daemon's own file holds its own bytes only */
	char path[PATH_MAX], buf[4096];
	snprintf(path, sizeof path, "%s/own", r.work);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	ck_assert_uint_eq(n, 21 * 12);
	ck_assert_ptr_null(strchr(buf, '{'));
	/* and every ev is in one file: the log was reopened, not recreated */
	ck_assert_int_eq(r.files, 1);
	run_free(&r);
}
END_TEST

START_TEST(test_signal_handler)
{
	struct run r;
	char buf[32];
	struct opts o = {.arg3 = "30000"};
	run(&r, "signal", &o);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_int_eq(r.torn, 0);
	ck_assert_ptr_nonnull(output_value(&r, "handled", buf, sizeof buf));
	int handled = atoi(buf);
	ck_assert_int_gt(handled, 0);
	ck_assert_int_eq(count_ev(&r, "open", NULL, NULL), 30000);
	ck_assert_int_eq(count_ev(&r, "unlink", "pidfile", NULL), handled);
	fprintf(stderr, "signal: %d handler records intact\n", handled);
	run_free(&r);
}
END_TEST

/* ---- the log directory ---- */

START_TEST(test_no_log_dir)
{
	struct run bare, traced, denied;
	struct opts ob = {.bare = true};
	struct opts ot = {.logdir = "/nonexistent/unroot-log"};
	struct opts od = {.as_uid = "1001"};

	run(&bare, "exitcode", &ob);
	run(&traced, "exitcode", &ot);
	ck_assert_int_eq(exit_code(&bare), 42);
	ck_assert_int_eq(exit_code(&traced), 42);
	ck_assert_str_eq(bare.out, traced.out);
	/* a log dir the (unprivileged) workload cannot write */
	memset(&denied, 0, sizeof denied);
	make_dirs(&denied);
	chmod(denied.log, 0755);
	run_in(&denied, "exitcode", &od);
	ck_assert_int_eq(exit_code(&denied), 42);
	ck_assert_str_eq(bare.out, denied.out);
	run_free(&bare);
	run_free(&traced);
	run_free(&denied);
}
END_TEST

START_TEST(test_planted_symlink)
{
	struct run r;
	struct stat st;
	char link[PATH_MAX], victim[PATH_MAX];

	memset(&r, 0, sizeof r);
	make_dirs(&r);
	ck_assert_int_eq(stat("/proc/self/ns/mnt", &st), 0);
	snprintf(victim, sizeof victim, "%s/victim", r.root);
	snprintf(link, sizeof link, "%s/.ns-%llu", r.log,
		 (unsigned long long)st.st_ino);
	ck_assert_int_eq(symlink(victim, link), 0);
	ck_assert_int_eq(stat("/", &st), 0);
	snprintf(link, sizeof link, "%s/.root-%llu-%llu", r.log,
		 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	ck_assert_int_eq(symlink(victim, link), 0);
	run_in(&r, "exitcode", NULL);
	ck_assert_int_eq(exit_code(&r), 42);
	ck_assert_int_ne(lstat(victim, &st), 0);
	check_common(&r);
	ck_assert_int_eq(count_ev(&r, "open", "a", NULL), 1);
	run_free(&r);
}
END_TEST

START_TEST(test_no_self_tracing)
{
	struct run r;
	run(&r, "spawns", NULL);
	check_common(&r); /* fails on any record naming the log dir */
	ck_assert_int_gt(r.files, 4);
	run_free(&r);
}
END_TEST

/*
 * The log files of a run that are not exactly their records: NUL bytes
 * (padding left untrimmed) or a last byte that is not a newline.  The
 * first one's name in first.
 */
static int untrimmed_files(const struct run *r, char *first, size_t cap)
{
	DIR *d = opendir(r->log);
	FILE *f;
	const char *name;
	int n = 0;
	static char buf[1 << 22];
	char *mem = NULL;

	ck_assert_ptr_nonnull(d);
	first[0] = 0;
	while ((f = next_log(r, d, &name, &mem))) {
		size_t got = fread(buf, 1, sizeof buf, f);
		fclose(f);
		free(mem);
		mem = NULL;
		if (got && buf[got - 1] == '\n' && !memchr(buf, 0, got))
			continue;
		if (!n++)
			snprintf(first, cap, "%s (%zu bytes)", name, got);
	}
	closedir(d);
	return n;
}

/* end records in the file of rec (the file named by rec's "_file") */
static int ends_in_file_of(const struct run *r, const json_t *rec,
			   bool *end_last)
{
	size_t i;
	json_t *x;
	int n = 0;
	*end_last = false;
	json_array_foreach (r->recs, i, x) {
		if (strcmp(jstr(x, "_file"), jstr(rec, "_file")))
			continue;
		*end_last = is_type(x, "end");
		n += *end_last;
	}
	return n;
}

/* The calls that end an image without exit()'s handlers (calls.def X). */
static const char *const image_enders[] = {"_exit", "_Exit"};
#define NENDERS ((int)(sizeof image_enders / sizeof *image_enders))

/*
 * Every image's log is cut to its records when the image ends by exit(),
 * _exit, _Exit or exec: no padding is left, and the end record, written
 * once at exit and _exit alike, is the file's last.  Records made after a
 * failed exec (the file is trimmed already) follow it in the same file.
 * A vfork child's _exit ends nothing of its parent's.
 */
START_TEST(test_logs_trimmed_when_images_end)
{
	struct run r;
	char first[PATH_MAX + 64];
	json_t *ev;
	bool last;

	run(&r, "ends", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_int_eq(r.torn, 0);
	ck_assert_msg(untrimmed_files(&r, first, sizeof first) == 0,
		      "untrimmed log: %s", first);
	static const char *const ended[] = {"end-parent",      "end-_exit",
					    "end-exit",	       "end-_Exit",
					    "end-failed-exec", "end-exec-sh"};
	_Static_assert(NENDERS == 2, "each of image_enders[] has its end-");
	for (int i = 0; i < 6; i++) {
		ck_assert_msg(count_ev(&r, NULL, ended[i], &ev) == 1,
			      "%s not recorded", ended[i]);
		ck_assert_msg(ends_in_file_of(&r, ev, &last) == 1 && last,
			      "%s: not one end record, last", ended[i]);
	}
	/* the exec'ed image's file has no end; its new image's has */
	ck_assert_int_eq(count_ev(&r, "open", "end-exec", &ev), 1);
	ck_assert_int_eq(ends_in_file_of(&r, ev, &last), 0);
	ck_assert_int_eq(count_ev(&r, "open", "end-after-failed-exec", &ev), 1);
	ck_assert_int_eq(ends_in_file_of(&r, ev, &last), 1);
	json_t *e;
	ck_assert_int_eq(count_ev(&r, "open", "end-parent-after", &e), 1);
	ck_assert_int_eq(ends_in_file_of(&r, e, &last), 1);
	ck_assert_int_eq(count_own(&r, "end"), 1);
	run_free(&r);
}
END_TEST

/*
 * exit() while four threads keep creating files: the log is sealed at
 * exit, and what the threads record after that is appended to it.  No
 * record is torn or lost but the one each thread may have in flight
 * when the process is gone: that one may be missing or cut, as the
 * kernel ends a write(2) between two pages when the thread is being
 * killed (exit_group), so at most four records are cut.
 */
START_TEST(test_exit_with_writing_threads_loses_nothing)
{
	struct run r;
	size_t i;
	json_t *x;
	int recs = 0, disk = 0;

	run(&r, "exit_threads", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_int_le(r.torn, 4);
	json_array_foreach (r.recs, i, x)
		recs += is_type(x, "ev") && jint(x, "ret") >= 0 &&
			!strcmp(jstr(x, "fn"), "open");
	DIR *d = opendir(r.work);
	struct dirent *e;
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		disk += e->d_name[0] == 'x';
	closedir(d);
	ck_assert_int_gt(disk, 0);
	ck_assert_msg(recs <= disk && disk - recs <= 4,
		      "%d files on disk, %d recorded", disk, recs);
	ck_assert_int_eq(count_own(&r, "end"), 1);
	run_free(&r);
}
END_TEST

/* ---- what is written ---- */

static bool file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	static char buf[1 << 20];
	size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
	if (f)
		fclose(f);
	return memmem(buf, n, needle, strlen(needle)) != NULL;
}

START_TEST(test_secret_env)
{
	struct run r;
	char secret[64], entry[96];
	snprintf(secret, sizeof secret, "sup3rs3cret-%ld-%d", (long)time(NULL),
		 (int)getpid());
	snprintf(entry, sizeof entry, "SECRET_TOKEN=%s", secret);
	struct opts o = {.env = {entry, "XDG_CACHE_HOME=/tmp/xdg-cache"},
			 .flags = "argv"};
	run(&r, "secret", &o);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	ck_assert_int_ge(r.files, 2);
	DIR *d = opendir(r.log);
	struct dirent *e;
	int checked = 0;
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		if (e->d_name[0] == '.' &&
		    (!e->d_name[1] || e->d_name[1] == '.'))
			continue;
		snprintf(path, sizeof path, "%s/%s", r.log, e->d_name);
		ck_assert_msg(!file_has(path, secret), "%s holds the secret",
			      e->d_name);
		ck_assert_msg(!file_has(path, "SECRET_TOKEN"),
			      "%s names the variable", e->d_name);
		checked++;
	}
	closedir(d);
	ck_assert_int_ge(checked, 2);
	/* the allow-listed ones are there */
	json_t *p = workload_proc(&r);
	json_t *env = json_object_get(p, "env");
	ck_assert_str_eq(jstr(env, "XDG_CACHE_HOME"), "/tmp/xdg-cache");
	ck_assert_str_eq(jstr(env, "HOME"), "/root");
	ck_assert_ptr_null(json_object_get(env, "PATH"));
	run_free(&r);
}
END_TEST

START_TEST(test_names_round_trip)
{
	static const char *names[] = {
	    "new\nline \"quoted\" back\\slash\ttab\x1b[31m",
	    "bad-utf8-\xff\xfe-\xc3\x28",
	    "ok-\xc3\xa9t\xc3\xa9-\xe2\x82\xac",
	};
	struct run r;
	run(&r, "names", NULL);
	ck_assert_int_eq(exit_code(&r), 0);
	check_common(&r);
	for (int i = 0; i < 3; i++) {
		json_t *ev;
		ck_assert_msg(count_ev(&r, "open", names[i], &ev) == 1,
			      "name %d did not round-trip", i);
		json_t *v = json_object_get(ev, "path");
		if (i == 1)
			ck_assert_msg(json_is_object(v),
				      "invalid UTF-8 as hex");
		else
			ck_assert_msg(json_is_string(v),
				      "valid UTF-8 as string");
	}
	run_free(&r);
}
END_TEST

START_TEST(test_needed_only_libc)
{
	char cmd[PATH_MAX + 64], line[512];
	snprintf(cmd, sizeof cmd, "objdump -p '%s'", UR_PRELOAD);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	int needed = 0;
	while (fgets(line, sizeof line, p)) {
		char lib[256];
		if (sscanf(line, " NEEDED %255s", lib) != 1)
			continue;
		needed++;
		ck_assert_msg(!strncmp(lib, "libc.so", 7) ||
				  !strncmp(lib, "ld-linux", 8) ||
				  !strncmp(lib, "libdl.so", 8) ||
				  !strncmp(lib, "libpthread.so", 13),
			      "libunroot.so needs %s", lib);
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_int_ge(needed, 1);
}
END_TEST

/* ---- suites ---- */

/* a test case of this file: the programs staged around it */
static TCase *preload_case(const char *name, const char *labels)
{
	TCase *tc = test_case(name, labels);

	tcase_add_unchecked_fixture(tc, stage, unstage);
	return tc;
}

/* ---- every line of calls.def has its row in a table above ---- */

static const char *const wrapped[] = {
#define W(ret, name, ...)  #name,
#define C(name, ...)	   #name,
#define X(name, ...)	   #name,
#define D(ret, name, ...)  #name,
#define DV(name, ...)	   #name,
#define F(ret, name, ...)  #name,
#define K(ret, name, ...)  #name,
#define KP(ret, name, ...) #name,
#include "calls.def"
#undef W
#undef C
#undef X
#undef D
#undef DV
#undef F
#undef K
#undef KP
};

static bool has_row(const char *name)
{
	for (int i = 0; i < NCALLS; i++)
		if (!strcmp(calls[i].fn ? calls[i].fn : calls[i].scn, name))
			return true;
	for (int i = 0; i < NCREDS; i++)
		if (!strcmp(creds[i].fn, name))
			return true;
	for (int i = 0; i < NCLOSERS; i++)
		if (!strcmp(fd_closers[i], name))
			return true;
	for (int i = 0; i < NENDERS; i++)
		if (!strcmp(image_enders[i], name))
			return true;
	for (int i = 0; i < NCWD; i++)
		if (!strcmp(cwd_changers[i], name))
			return true;
	for (int i = 0; i < NFORKERS; i++)
		if (!strcmp(forkers[i], name))
			return true;
	return false;
}

START_TEST(every_calls_def_line_has_a_test_row)
{
	int missing = 0;

	for (size_t i = 0; i < sizeof wrapped / sizeof *wrapped; i++) {
		if (has_row(wrapped[i]))
			continue;
		fprintf(stderr,
			"calls.def: %s has no row in calls[], creds[], "
			"fd_closers[], image_enders[], cwd_changers[] or "
			"forkers[]\n",
			wrapped[i]);
		missing++;
	}
	ck_assert_msg(missing == 0, "%d wrapped calls without a test row",
		      missing);
	ck_assert_int_ge(sizeof wrapped / sizeof *wrapped, 40);
}
END_TEST

/* ---- the staging window (preload/stage.c) ---- */

#define STAGED_CREATES 3000
#define STAGE_FROM     (256 << 10) /* preload/unroot.h UR_STAGE_FROM */

/* Every file in the work dir has exactly one successful open record;
 * returns how many files there are. */
static int files_each_recorded_once(const struct run *r)
{
	json_t *seen = json_object(), *x;
	char p[PATH_MAX];
	size_t i;
	int n = 0;

	json_array_foreach (r->recs, i, x) {
		if (!is_type(x, "ev") || !jstr(x, "op") ||
		    strcmp(jstr(x, "op"), "open") || jint(x, "ret") < 0 ||
		    !jpath(x, "path", p, sizeof p))
			continue;
		const char *b = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
		json_int_t k = json_integer_value(json_object_get(seen, b));
		json_object_set_new(seen, b, json_integer(k + 1));
	}
	DIR *d = opendir(r->work);
	struct dirent *e;
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		json_int_t k =
		    json_integer_value(json_object_get(seen, e->d_name));
		ck_assert_msg(k == 1, "%s: %lld open records", e->d_name,
			      (long long)k);
	}
	closedir(d);
	json_decref(seen);
	return n;
}

/* The stage files left in the log dir: how many, the bytes their windows
 * hold in all, and the first one's log path and head. */
static int stages_left(const struct run *r, size_t *held, char *log, size_t cap,
		       struct unroot_stage_head *first)
{
	DIR *d = opendir(r->log);
	struct dirent *e;
	int n = 0;

	*held = 0;
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name), sl = strlen(".jsonl.stage");
		struct unroot_stage_head h;
		char path[PATH_MAX];
		if (len <= sl || strcmp(e->d_name + len - sl, ".jsonl.stage"))
			continue;
		snprintf(path, sizeof path, "%s/%s", r->log, e->d_name);
		int fd = open(path, O_RDONLY);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(pread(fd, &h, sizeof h, 0), sizeof h);
		close(fd);
		*held += h.len;
		if (!n++) {
			*first = h;
			snprintf(log, cap, "%.*s",
				 (int)(strlen(path) - strlen(".stage")), path);
		}
	}
	closedir(d);
	return n;
}

/* The size of the largest log file. */
static off_t largest_log(const struct run *r)
{
	DIR *d = opendir(r->log);
	struct dirent *e;
	off_t most = 0;
	struct stat st;
	char path[PATH_MAX];

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		snprintf(path, sizeof path, "%s/%s", r->log, e->d_name);
		if (strstr(e->d_name, ".jsonl") && !stat(path, &st) &&
		    st.st_size > most)
			most = st.st_size;
	}
	closedir(d);
	return most;
}

/* No window is left holding bytes when every image ended normally. */
static void no_window_left(const struct run *r)
{
	struct unroot_stage_head h;
	char log[PATH_MAX];
	size_t held;

	stages_left(r, &held, log, sizeof log, &h);
	ck_assert_int_eq(held, 0);
}

/* Run "staged" in mode: all its creates recorded, the end lost nothing,
 * and the log was long enough to have had a window; unless it was
 * killed, it exited 0 and left no window holding bytes. */
static void run_staged(struct run *r, const char *mode, int more_files)
{
	struct opts o = {.arg3 = mode, .arg4 = "3000"};
	size_t i;
	json_t *x;

	run(r, "staged", &o);
	check_common(r);
	ck_assert_int_eq(files_each_recorded_once(r),
			 STAGED_CREATES + more_files);
	ck_assert_int_gt(largest_log(r), STAGE_FROM);
	json_array_foreach (r->recs, i, x)
		if (is_type(x, "end"))
			ck_assert_int_eq(jint(x, "lost"), 0);
	if (strcmp(mode, "kill")) {
		ck_assert_int_eq(exit_code(r), 0);
		no_window_left(r);
	}
}

START_TEST(staged_records_reach_the_log_at_exit)
{
	struct run r;
	struct unroot_stage_head h;
	char log[PATH_MAX];
	size_t held;

	run_staged(&r, "exit", 0);
	ck_assert_int_eq(stages_left(&r, &held, log, sizeof log, &h), 0);
	ck_assert_int_eq(untrimmed_files(&r, log, sizeof log), 0);
	run_free(&r);
}
END_TEST

/* A SIGKILL leaves the window's file: readers lay it over the log, whose
 * own bytes there are still NUL. */
START_TEST(killed_image_window_is_laid_over_its_log)
{
	struct run r;
	struct unroot_stage_head h;
	char log[PATH_MAX], buf[256];
	size_t held;

	run_staged(&r, "kill", 0);
	ck_assert(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL);
	ck_assert_int_eq(stages_left(&r, &held, log, sizeof log, &h), 1);
	ck_assert_int_gt(h.len, 0);
	int fd = open(log, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	size_t n = h.len < sizeof buf ? h.len : sizeof buf;
	ck_assert_int_eq(pread(fd, buf, n, (off_t)h.start), (ssize_t)n);
	close(fd);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(buf[i], 0);
	run_free(&r);
}
END_TEST

START_TEST(staged_records_reach_the_log_at_exec)
{
	struct run r;

	run_staged(&r, "exec", 0);
	ck_assert_int_eq(count_ev(&r, "execl", "/bin/true", NULL), 1);
	run_free(&r);
}
END_TEST

/* A forked child's exec is recorded in its parent's log, between the
 * parent's staged records: each lands where the cursor put it. */
START_TEST(forked_children_write_between_staged_records)
{
	struct run r;

	run_staged(&r, "forks", STAGED_CREATES / 50);
	ck_assert_int_eq(count_ev(&r, "execl", "/bin/sh", NULL),
			 STAGED_CREATES / 50);
	run_free(&r);
}
END_TEST

/* A signal handler's records, made while the window may be held. */
START_TEST(signal_handler_records_interleave_with_the_window)
{
	struct run r;
	int handled = -1;

	run_staged(&r, "signals", 0);
	const char *h = strstr(r.out, "handled=");
	ck_assert_ptr_nonnull(h);
	handled = atoi(h + strlen("handled="));
	ck_assert_int_gt(handled, 0);
	ck_assert_int_eq(count_ev(&r, "unlink", "pidfile", NULL), handled);
	run_free(&r);
}
END_TEST

START_TEST(second_thread_writes_beside_the_window)
{
	struct run r;

	run_staged(&r, "threads", STAGED_CREATES / 2);
	run_free(&r);
}
END_TEST

/* Once root is dropped the log cannot be opened by name: the window goes
 * through the mapping, then into a new file. */
START_TEST(window_goes_through_the_mapping_after_root_is_dropped)
{
	struct run r;

	run_staged(&r, "drop", 0);
	run_free(&r);
}
END_TEST

/*
 * One test case per row of the call tables (call_NAME, exec_NAME,
 * cred_NAME, closer_NAME), so that CTest reports each call, and each call not
 * supported here as skipped.
 */
static void add_row_cases(Suite *s, const char *kind, const char *name,
			  const TTest *test, int row)
{
	char cname[96];

	snprintf(cname, sizeof cname, "%s_%s", kind, name);
	TCase *tc = preload_case(cname, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test, row, row + 1);
	suite_add_tcase(s, tc);
}

Suite *test_suite(void)
{
	Suite *s = suite_create("preload");
	TCase *tc;

	tc = preload_case("calls", NULL);
	tcase_add_test(tc, every_calls_def_line_has_a_test_row);
	suite_add_tcase(s, tc);
	for (int i = 0; i < NCALLS; i++)
		add_row_cases(s, "call", calls[i].scn, test_call, i);
	for (int i = 0; i < NEXECS; i++)
		add_row_cases(s, "exec", execs[i].fn, test_exec, i);
	for (int i = 0; i < NCREDS; i++)
		add_row_cases(s, "cred", creds[i].fn, test_cred, i);
	for (int i = 0; i < NCLOSERS; i++)
		add_row_cases(s, "closer", fd_closers[i],
			      test_reused_fd_never_has_the_old_path, i);
	for (int i = 0; i < NCWD; i++)
		add_row_cases(
		    s, "cwd", cwd_changers[i],
		    test_relative_path_resolves_in_the_cwd_it_was_made_in, i);
	for (int i = 0; i < NFORKERS; i++)
		add_row_cases(
		    s, "forker", forkers[i],
		    test_child_of_a_silent_process_names_it_its_parent, i);

	tc = preload_case("reads", "user");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reads_not_recorded);
	tcase_add_test(tc, test_reads_recorded_when_asked);
	tcase_add_test(tc, test_denied_read);
	tcase_add_test(tc, test_denied_write_setpriv);
	tcase_add_test(tc, refused_privileged_calls_are_priv_records);
	suite_add_tcase(s, tc);

	tc = preload_case("errno", NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_errno_same);
	tcase_add_test(
	    tc, inet_bind_is_recorded_with_its_port_and_result_unchanged);
	tcase_add_test(tc, test_no_visible_fds);
	suite_add_tcase(s, tc);

	tc = preload_case("known", NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_known_states);
	tcase_add_test(tc, unnamed_file_leaves_its_directory_as_it_was);
	tcase_add_test(tc, test_threads_racing_close_and_open_keep_fd_paths);
	suite_add_tcase(s, tc);

	tc = preload_case("procs", "user");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fork);
	tcase_add_test(tc, test_vfork_exec);
	tcase_add_test(tc, test_forkexec);
	tcase_add_test(tc, test_env_i);
	tcase_add_test(tc, test_keep_preload);
	tcase_add_test(tc, test_spawns);
	tcase_add_test(tc, test_static_untraced);
	tcase_add_test(tc, io_uring_setup_is_said_once_a_process);
	tcase_add_test(tc, test_bad_elf);
	tcase_add_test(tc, test_setuid_untraced);
	tcase_add_test(tc, library_opened_with_deepbind_is_traced);
	tcase_add_test(tc,
		       exec_with_effective_ids_not_the_real_ones_is_untraced);
	tcase_add_test(tc, test_sh_static_untraced);
	tcase_add_test(tc,
		       exec_of_a_known_program_is_probed_again_once_it_changes);
	tcase_add_test(tc, test_sh_setuid_untraced);
	tcase_add_test(tc, test_fork_records);
	tcase_add_test(tc, test_drop_privileges);
	tcase_add_test(tc, test_scrubbed_environ);
	tcase_add_test(tc, test_symlinks_real);
	tcase_add_test(tc, test_paths_known_after_the_main_thread_left);
	suite_add_tcase(s, tc);

	tc = preload_case("logdir", "user");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_no_log_dir);
	tcase_add_test(tc, test_planted_symlink);
	tcase_add_test(tc, test_no_self_tracing);
	tcase_add_test(tc, test_secret_env);
	tcase_add_test(tc, test_logs_trimmed_when_images_end);
	tcase_add_test(tc, test_exit_with_writing_threads_loses_nothing);
	suite_add_tcase(s, tc);

	tc = preload_case("stage", NULL);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, staged_records_reach_the_log_at_exit);
	tcase_add_test(tc, killed_image_window_is_laid_over_its_log);
	tcase_add_test(tc, staged_records_reach_the_log_at_exec);
	tcase_add_test(tc, forked_children_write_between_staged_records);
	tcase_add_test(tc, signal_handler_records_interleave_with_the_window);
	tcase_add_test(tc, second_thread_writes_beside_the_window);
	tcase_add_test(tc,
		       window_goes_through_the_mapping_after_root_is_dropped);
	suite_add_tcase(s, tc);

	tc = preload_case("encoding", NULL);
	tcase_add_test(tc, test_names_round_trip);
	suite_add_tcase(s, tc);

	tc = preload_case("needed", NULL);
	tcase_add_test(tc, test_needed_only_libc);
	suite_add_tcase(s, tc);

	tc = preload_case("threads", "stress");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_threads_no_stacks);
	tcase_add_test(tc, test_threads_with_stacks_add_under_2_mib);
	tcase_add_test(tc, test_every_distinct_stack_is_written_once);
	tcase_add_test(
	    tc, test_a_forked_childs_file_has_the_stacks_its_parent_wrote);
	tcase_add_test(tc, test_a_stack_has_one_id_whichever_unwinder_took_it);
	tcase_add_test(tc, test_a_retitled_programs_frames_name_its_executable);
	tcase_add_test(tc, test_fork_threads);
	suite_add_tcase(s, tc);

	tc = preload_case("storm", "stress");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sigkill_storm);
	suite_add_tcase(s, tc);

	tc = preload_case("daemon", "stress");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_daemon);
	suite_add_tcase(s, tc);

	tc = preload_case("signal", "stress");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_signal_handler);
	suite_add_tcase(s, tc);
	return s;
}
