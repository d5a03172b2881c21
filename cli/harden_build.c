/*
 * harden_build.c - what `unroot harden` runs (harden.h): docker build and
 * docker kill with their output in a log file, each image run under the
 * tracer through the container service (container.h) with --stop-after
 * and its signals, and each run's trace kept with its records for the
 * planner.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "container.h"
#include "harden.h"
#include "report.h"
#include "traceopen.h"
#include "tracepack.h"
#include "warnings.h"

double harden_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- logged commands ----------------------------------------------------- */

static FILE *log_open(const char *log)
{
	return fopen(log, "ae");
}

static void log_command(FILE *f, char *const argv[])
{
	fputs("$", f);
	for (int i = 0; argv[i]; i++)
		fprintf(f, " %s", argv[i]);
	fputs("\n", f);
	fflush(f);
}

int harden_run_logged(char *const argv[], const char *log)
{
	FILE *f = log_open(log);
	int exec_err, rc;
	pid_t pid;

	if (!f)
		return EXIT_RUN_ERROR;
	log_command(f, argv);
	pid = child_start(argv, fileno(f), &exec_err);
	if (pid < 0) {
		fprintf(f, "cannot run %s: %s\n", argv[0], strerror(errno));
		fclose(f);
		return 127;
	}
	fclose(f);
	rc = child_wait(pid);
	return rc < 0 ? EXIT_RUN_ERROR : rc;
}

void harden_show_tail(const char *log, int lines)
{
	size_t len, start;
	char *text = file_read(log, &len);
	int n = 0;

	if (!text)
		return;
	start = len;
	while (start > 0 && n <= lines)
		if (text[--start] == '\n')
			n++;
	if (start)
		start++;
	fprintf(stderr, "---- %s (end)\n", log);
	fwrite(text + start, 1, len - start, stderr);
	fprintf(stderr, "----\n");
	free(text);
}

int harden_docker_check(const struct harden *h)
{
	char *argv[] = {"docker", "version", "--format", "{{.Server.Version}}",
			NULL};
	char *log = xasprintf("%s/docker-version.log", h->work);
	int rc = harden_run_logged(argv, log);

	if (rc) {
		harden_show_tail(log, 5);
		errmsg(rc == 127 ? "docker is not installed"
				 : "the Docker daemon is not reachable (try "
				   "'docker info')");
	}
	free(log);
	return rc ? -1 : 0;
}

int harden_build(const struct harden *h, const char *file, const char *tag,
		 const char *log)
{
	char *argv[] = {
	    "docker",	 "build", "--network",	(char *)h->build_network, "-t",
	    (char *)tag, "-f",	  (char *)file, (char *)h->context,	  NULL};
	double t0 = harden_now();
	int rc;

	unlink(log);
	rc = harden_run_logged(argv, log);
	if (rc) {
		harden_show_tail(log, 15);
		errmsg("docker build of %s failed (exit %d; log %s)", file, rc,
		       log);
		return -1;
	}
	printf("   built %s from %s (%.1f s)\n", tag, file, harden_now() - t0);
	return 0;
}

static int docker_kill(const char *name, const char *sig, const char *log)
{
	char *argv[] = {"docker",    "kill",	   "--signal",
			(char *)sig, (char *)name, NULL};

	return harden_run_logged(argv, log);
}

/* ---- one run under the tracer -------------------------------------------- */

/* Whether the user's docker run arguments set a health check (then
 * --no-healthcheck would conflict with them). */
static bool health_given(const struct harden *h)
{
	for (int i = 0; i < h->operand; i++)
		if (!strncmp(h->run[i], "--health", 8) ||
		    !strcmp(h->run[i], "--no-healthcheck"))
			return true;
	return false;
}

/* docker run's arguments: --rm, a name to kill it by, docker's own health
 * check off when harden has a probe (it would run traced, in some runs and
 * not others), the user's, the kubelet-like ones of --read-only (h->kube),
 * IMAGE and CMD. */
static char **run_args(const struct harden *h, const char *image,
		       const char *cname, int *n)
{
	char **run = xcalloc(h->nrun + h->nkube + 8, sizeof *run);

	*n = 0;
	run[(*n)++] = "--rm";
	if (!h->named) {
		run[(*n)++] = "--name";
		run[(*n)++] = (char *)cname;
	}
	if (h->probe_argv && !health_given(h))
		run[(*n)++] = "--no-healthcheck";
	for (int i = 0; i < h->operand; i++)
		run[(*n)++] = h->run[i];
	for (int i = 0; i < h->nkube; i++) /* a kubelet's, after the user's */
		run[(*n)++] = h->kube[i];
	run[(*n)++] = (char *)image;
	for (int i = h->operand; i < h->nrun; i++)
		run[(*n)++] = h->run[i];
	return run;
}

/* "$ unroot docker -o DIR -- run ..." in the log: the same run by hand. */
static void log_run(FILE *f, const char *dir, char **run, int n)
{
	char **shown = xcalloc(n + 7, sizeof *shown);

	shown[0] = "unroot";
	shown[1] = "docker";
	shown[2] = "-o";
	shown[3] = (char *)dir;
	shown[4] = "--";
	shown[5] = "run";
	memcpy(shown + 6, run, n * sizeof *run);
	log_command(f, shown);
	free(shown);
}

/* Wait for the container, probing it, stopping it after --stop-after once
 * the probe is done; its status in res (EXIT_RUN_ERROR when it cannot be
 * waited for). */
static void wait_stopping(const struct harden *h, pid_t pid, const char *cname,
			  const char *log, struct harden_result *res)
{
	double t0 = harden_now(), sent = 0, next = h->stop_after, el = 0;
	bool killed = false;
	int status = 0, r;

	if (!h->stop_after && !probe_pending(&res->probe)) {
		status = child_wait(pid);
		res->status = status < 0 ? EXIT_RUN_ERROR : status;
		return;
	}
	while ((r = child_poll(pid, &status)) == 0) {
		const struct timespec tick = {0, 100000000};

		el = harden_now() - t0;
		probe_tick(&res->probe, el, false);
		if (!h->stop_after || probe_pending(&res->probe)) {
			/* no stop, or not before the probe is done */
		} else if (!sent && el >= next) {
			/* the container may not be up yet: retry */
			if (!docker_kill(cname, h->stop_signal, log))
				sent = el;
			else
				next = el + 1;
		} else if (sent && !killed && el >= sent + KILL_GRACE) {
			warning("the container did not stop %d s after SIG%s: "
				"sending KILL",
				KILL_GRACE, h->stop_signal);
			docker_kill(cname, "KILL", log);
			killed = true;
		}
		nanosleep(&tick, NULL);
	}
	res->seconds = harden_now() - t0;
	probe_tick(&res->probe, res->seconds, true);
	res->stopped = sent != 0;
	res->status = r < 0 ? EXIT_RUN_ERROR : status;
}

/* The trace of one run, or NULL (the reader's message dropped: the run's
 * log has it). */
struct trace *harden_load_trace(const char *dir)
{
	char *dirs[] = {(char *)dir}, *why = NULL;
	struct trace *t = traces_load(dirs, 1, 0, &why);

	free(why);
	return t;
}

/* The report of the trace, in the log, as `unroot docker` prints it. */
static void log_report(FILE *f, const char *dir)
{
	struct trace *t = harden_load_trace(dir);

	if (!t)
		return;
	fprintf(f, "== unroot report %s\n", dir);
	report_print(t, f);
	trace_close(t);
}

static int note_warning(const struct trace_event *ev, void *w)
{
	warnings_event(w, ev);
	return 0;
}

static void log_warnings(FILE *f, struct container *c)
{
	for (size_t i = 0; i < c->nwarnings; i++)
		fprintf(f, "%s: warning: %s\n", command_name(), c->warnings[i]);
	for (size_t i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	c->nwarnings = 0;
	fflush(f);
}

/* Which programs of the run the fallback tracer saw (static ones), and
 * the trace's warnings (warnings.h: untraced programs, lost records), as
 * `unroot report` words them. */
static void print_run_notes(const char *dir)
{
	struct trace *t = harden_load_trace(dir);
	struct warnings *w;
	char *text = NULL;
	size_t len = 0, n;
	FILE *f;

	if (!t)
		return;
	report_print_tracers(stdout, "   ", t);
	w = warnings_new(t);
	trace_each_event(t, note_warning, w);
	f = open_memstream(&text, &len);
	n = f ? warnings_print(w, f) : 0;
	if (f)
		fclose(f);
	if (n) {
		printf("   %zu warning%s of the trace:\n", n,
		       n == 1 ? "" : "s");
		for (char *l = text, *e; l && *l; l = e + 1) {
			e = strchrnul(l, '\n');
			printf("   %.*s\n", (int)(e - l), l);
			if (!*e)
				break;
		}
	}
	free(text);
	warnings_free(w);
	trace_close(t);
}

int harden_profile(const struct harden *h, const char *image, const char *dir,
		   const char *log, int round, bool probe,
		   struct harden_result *res)
{
	/* the root run records reads: the planner mounts no emptyDir on a
	 * directory whose image files the workload reads, and warns when
	 * the user is to own one */
	struct container c = {.t = {.dir = dir, .reads = round == 0}};
	char *cname =
	    h->named ? xstrdup(h->name)
		     : xasprintf("unroot-harden-%d-%d", (int)getpid(), round);
	double t0 = harden_now();
	char *why = NULL, **run;
	FILE *f;
	int rc = -1;

	memset(res, 0, sizeof *res);
	unlink(log);
	f = log_open(log);
	c.run = run = run_args(h, image, cname, &c.nrun);
	res->status = EXIT_RUN_ERROR;
	if (f) {
		log_run(f, dir, c.run, c.nrun);
		probe_begin(&res->probe, h, probe, cname, fileno(f));
		if (!container_parse(&c, &why) &&
		    !container_start(&c, fileno(f), &why)) {
			log_warnings(f, &c);
			wait_stopping(h, c.pid, cname, log, res);
			rc = container_finish(&c, res->status, &why) ? -1 : 0;
		}
		log_warnings(f, &c);
		if (why)
			fprintf(f, "%s: %s\n", command_name(), why);
		if (!rc)
			log_report(f, dir);
		fclose(f);
	}
	printf("   ran %s under the tracer: exit %d%s (%.1f s; trace %s)\n",
	       image, res->status,
	       res->stopped ? ", stopped by --stop-after" : "",
	       harden_now() - t0, dir);
	if (!rc)
		print_run_notes(dir);
	trace_dir_discard_old(dir);
	free(why);
	free(run);
	container_free(&c);
	free(cname);
	return rc;
}

/*
 * What the planner gets of a run as the user: the run itself, every event
 * (successful ones too: a name made during the run, a temporary directory
 * or a pid file, is then known as made, and the planner's stable-name rule
 * never grants it) with the records they refer to (proc, stack, end), and
 * the calls only privilege allows that the user was refused (priv), in a
 * directory of .jsonl files.  What describes the hardened image rather
 * than the run (its users and groups, the ancestor `dir` states, mounts,
 * the OS) is left out: it would hide from the planner what the original
 * image lacks; the root trace speaks for the image.
 */
static bool keep_record(const char *line)
{
	int err = 0;

	switch (trace_line_record(line, strlen(line), &err)) {
	case RT_PROC:
	case RT_STACK:
	case RT_END:
	case RT_EVENT:
	case RT_PRIV:
		return true;
	default:
		return false;
	}
}

/* The kept records of one log as DIR/NAME (its name in the trace). */
static int feed_one(const struct log_unit *u, const char *out)
{
	struct strbuf kept = STRBUF_INIT;
	char *text, *line, *next, *dst;
	size_t len;
	int rc = 0;

	dst = xasprintf("%s/%s", out, u->name);
	text = log_unit_read(u, &len);
	unlink(dst);
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (!next)
			break; /* a line cut by a kill */
		*next++ = '\0';
		if (!keep_record(line))
			continue;
		sb_adds(&kept, line);
		sb_addc(&kept, '\n');
	}
	if (kept.len && file_replace(dst, kept.buf, kept.len))
		rc = -1;
	sb_release(&kept);
	free(text);
	free(dst);
	return rc;
}

static void feed_problem(void *ctx, const char *file, const char *msg)
{
	(void)ctx;
	warning("%s: %s", file, msg);
}

int feed_dir(const char *trace, const char *out)
{
	char *logdir = xasprintf("%s/" UNROOT_TRACE_LOGDIR, trace);
	struct log_units u;
	int rc = 0;

	if (log_units_list(logdir, &u, feed_problem, NULL) ||
	    (mkdir(out, 0755) && errno != EEXIST)) {
		errmsg("cannot read %s or create %s: %s", logdir, out,
		       strerror(errno));
		log_units_free(&u);
		free(logdir);
		return -1;
	}
	for (size_t i = 0; i < u.n; i++)
		if (feed_one(&u.v[i], out))
			rc = -1;
	log_units_free(&u);
	free(logdir);
	return rc;
}
