/*
 * cmd_harden.c - `unroot harden`: from a root Dockerfile to a verified
 * non-root image in one command.  It builds the image, profiles it as root
 * (`unroot docker`, in a child process so that its messages and exits stay
 * its own), writes the hardened Dockerfile (`unroot apply`'s code), builds
 * it and profiles it again, now as the image's USER.  Every denial of that
 * run goes back to the planner together with the traces before it, and the
 * loop goes on until a run as the user has no denial and the root run's
 * exit status, or until a round changes nothing (then the denials left are
 * named with the planner's reason).  Builds and containers get
 * --network none unless told otherwise.
 *
 * Files: OUT (default <Dockerfile>.nonroot) and the work directory (-w;
 * default OUT.unroot/, or a new $TMPDIR/unroot-harden.XXXXXX when that
 * would be inside the build context) holding round0/ (the root trace),
 * roundN/ (the user's runs), their logs (docker's and the container's
 * output), the build logs and each round's Dockerfile.
 *
 * Exit status: 0 when the final image ran as the user with no denial and
 * the root run's status, 1 when the loop stopped without that, 2 for usage
 * errors, 125 when docker or unroot itself failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "dockerfile.h"
#include "harden.h"
#include "plan.h"
#include "trace.h"
#include "util.h"

#define DEFAULT_ROUNDS 5
#define KILL_GRACE \
	10 /* seconds after --stop-signal before SIGKILL (docker stop's) */

struct seen {
	char *key;
	int round;
};

struct harden {
	const char *dockerfile, *context, *tag, *out, *build_network;
	const char *workdir; /* -w, or NULL */
	bool out_given;
	int max_rounds;
	long stop_after; /* seconds, 0: the container ends by itself */
	const char *stop_signal;
	struct plan_options po;
	char **run;	   /* docker run arguments and CMD */
	int nrun, operand; /* run[operand..] is CMD */
	const char *name;  /* the container's name (for docker kill) */
	bool named;	   /* the user gave --name */
	char *work, *root_tag;
	char *own_out, *own_tag, *own_ctx; /* defaults, allocated */
	char *text;			   /* the input Dockerfile */
	size_t len;
	struct seen *seen; /* plan lines and the round that added them */
	size_t nseen, capseen;
};

struct denial {
	char *op, *path, *err, *prog;
};

struct denials {
	struct denial *v;
	size_t n, cap;
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: unroot harden -f Dockerfile [-C CONTEXT] [-t TAG] [-o OUT] "
	    "[-w DIR]\n"
	    "                     [--max-rounds N] [--stop-after SECONDS] "
	    "[--stop-signal SIG]\n"
	    "                     [--build-network NET] [--user NAME] "
	    "[--uid N] [--gid N]\n"
	    "                     [--openshift] [--no-shell] "
	    "[-- DOCKER-RUN-ARGS... [CMD...]]\n\n"
	    "Build the Dockerfile, profile it as root, write the hardened "
	    "Dockerfile, build\nit and run it again as its user under the "
	    "tracer; feed the denials of that\nrun back to the planner "
	    "until a run as the user has no denial and the root\nrun's "
	    "exit status.\n\n"
	    "  -f FILE            the root Dockerfile (never overwritten)\n"
	    "  -C DIR             build context (default: the Dockerfile's "
	    "directory)\n"
	    "  -t TAG             final image (default "
	    "<context name>-nonroot:latest);\n"
	    "                     the root image is TAG-root\n"
	    "  -o OUT             hardened Dockerfile (default "
	    "<Dockerfile>.nonroot)\n"
	    "  -w DIR             work files: traces, logs (default "
	    "OUT.unroot/,\n"
	    "                     a new directory in $TMPDIR when that is in "
	    "CONTEXT)\n"
	    "  --max-rounds N     runs as the user at most (default %d)\n"
	    "  --stop-after S     stop the container after S seconds "
	    "(servers) with\n"
	    "  --stop-signal SIG  docker kill --signal SIG (default TERM; KILL "
	    "follows\n"
	    "                     after 10 s: a PID 1 without a handler "
	    "ignores TERM)\n"
	    "  --build-network N  network of docker build (default none)\n"
	    "  --user, --uid, --gid, --openshift, --no-shell\n"
	    "                     as for 'unroot plan'\n\n"
	    "After --: docker run options, then the command (default the "
	    "image's).\nContainers run with --network none unless a "
	    "network is given.\n\n"
	    "Exit status: 0 verified, 1 stopped with denials left or "
	    "another exit status,\n2 usage, 125 docker or unroot failed.\n",
	    DEFAULT_ROUNDS);
}

/* ---- arguments ---------------------------------------------------------- */

/* -x VALUE, --long VALUE, --long=VALUE: the value, or NULL when argv[*i]
 * is not this option; "" after a message when the value is missing. */
static const char *opt_value(int argc, char **argv, int *i, const char *s,
			     const char *l)
{
	const char *a = argv[*i];
	size_t n = strlen(l);

	if (!a)
		return NULL;
	if (!strncmp(a, l, n) && a[n] == '=')
		return a + n + 1;
	if ((!s || strcmp(a, s)) && strcmp(a, l))
		return NULL;
	if (*i + 1 >= argc) {
		errmsg("%s needs a value", a);
		return "";
	}
	return argv[++*i];
}

static const char *const signals[] = {"HUP",  "INT",  "QUIT", "KILL", "USR1",
				      "USR2", "TERM", "STOP", NULL};

static const char *check_signal(const char *s)
{
	const char *name = strncasecmp(s, "SIG", 3) ? s : s + 3;
	char *end;
	long n = strtol(s, &end, 10);

	if (*s && !*end && n > 0 && n < 65)
		return s;
	for (int i = 0; signals[i]; i++)
		if (!strcasecmp(name, signals[i]))
			return signals[i];
	return NULL;
}

static bool positive(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v <= 0 || v > 1000000)
		return false;
	*out = v;
	return true;
}

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, struct harden *h)
{
	int i;

	h->max_rounds = DEFAULT_ROUNDS;
	h->stop_signal = "TERM";
	h->build_network = "none";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		long n;
		int rc;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if ((v = opt_value(argc, argv, &i, "-f", "--file"))) {
			h->dockerfile = v;
		} else if ((v = opt_value(argc, argv, &i, "-C", "--context"))) {
			h->context = v;
		} else if ((v = opt_value(argc, argv, &i, "-t", "--tag"))) {
			h->tag = v;
		} else if ((v = opt_value(argc, argv, &i, "-o", "--output"))) {
			h->out = v;
			h->out_given = true;
		} else if ((v = opt_value(argc, argv, &i, "-w", "--work"))) {
			h->workdir = v;
		} else if ((v = opt_value(argc, argv, &i, NULL,
					  "--build-network"))) {
			h->build_network = v;
		} else if ((v = opt_value(argc, argv, &i, NULL,
					  "--max-rounds"))) {
			if (!positive(v, &n) || n > 100) {
				errmsg("--max-rounds needs a number from 1 to "
				       "100, not '%s'",
				       v);
				return EXIT_USAGE;
			}
			h->max_rounds = (int)n;
			continue;
		} else if ((v = opt_value(argc, argv, &i, NULL,
					  "--stop-after"))) {
			if (!positive(v, &h->stop_after)) {
				errmsg(
				    "--stop-after needs a number of seconds, "
				    "not '%s'",
				    v);
				return EXIT_USAGE;
			}
			continue;
		} else if ((v = opt_value(argc, argv, &i, NULL,
					  "--stop-signal"))) {
			h->stop_signal = *v ? check_signal(v) : NULL;
			if (!h->stop_signal) {
				errmsg("--stop-signal: unknown signal '%s'", v);
				return EXIT_USAGE;
			}
			continue;
		} else {
			rc = plan_parse_option(&h->po, NULL, argc, argv, &i);
			if (rc < 0)
				return EXIT_USAGE;
			if (rc)
				continue;
			errmsg("unknown argument '%s'; docker run arguments "
			       "come after --; see 'unroot harden --help'",
			       a);
			return EXIT_USAGE;
		}
		if (!*v)
			return EXIT_USAGE;
	}
	if (!h->dockerfile || !*h->dockerfile) {
		errmsg("-f Dockerfile is required; see 'unroot harden --help'");
		return EXIT_USAGE;
	}
	h->run = argv + i;
	h->nrun = argc - i;
	h->operand = docker_run_operand(h->run, h->nrun);
	if (h->operand < 0)
		return EXIT_USAGE;
	for (int k = 0; k < h->operand; k++) {
		if (!strcmp(h->run[k], "--name") && k + 1 < h->operand)
			h->name = h->run[k + 1];
		else if (!strncmp(h->run[k], "--name=", 7))
			h->name = h->run[k] + 7;
	}
	h->named = h->name != NULL;
	return -1;
}

/* ---- files -------------------------------------------------------------- */

/* The default tag: the context directory's name as docker accepts it. */
static char *default_tag(const char *context)
{
	char *abs = realpath(context, NULL);
	const char *base = path_basename(abs ? abs : context);
	struct strbuf sb = STRBUF_INIT;

	for (const char *s = base; *s; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			sb_addc(&sb, c);
		else if (sb.len && (c == '.' || c == '_' || c == '-'))
			sb_addc(&sb, c);
		else if (sb.len)
			sb_addc(&sb, '-');
	}
	while (sb.len && strchr("._-", sb.buf[sb.len - 1]))
		sb.buf[--sb.len] = '\0';
	if (!sb.len)
		sb_adds(&sb, "unroot-harden");
	sb_adds(&sb, "-nonroot:latest");
	free(abs);
	return sb_detach(&sb);
}

/* Whether OUT.unroot would land in the build context (and so in every
 * build, and in the image of a COPY . ...). */
static bool in_context(const struct harden *h)
{
	char *dir = path_dirname(h->out), *d = realpath(dir, NULL);
	char *c = realpath(h->context, NULL);
	bool in = d && c && path_is_under(d, c);

	free(dir);
	free(d);
	free(c);
	return in;
}

static char *tmp_work(void)
{
	const char *t = getenv("TMPDIR");
	char *dir = xasprintf("%s/unroot-harden.XXXXXX", t && *t ? t : "/tmp");

	if (!mkdtemp(dir)) {
		errmsg("cannot create %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

/* Input, output, context and work directory; 0 or an exit status. */
static int prepare_paths(struct harden *h)
{
	struct stat in, out;
	char *old;
	size_t n;

	h->text = file_read(h->dockerfile, &h->len);
	if (!h->text) {
		errmsg("cannot read %s: %s", h->dockerfile, strerror(errno));
		return EXIT_USAGE;
	}
	if (!h->context)
		h->context = h->own_ctx = path_dirname(h->dockerfile);
	if (stat(h->context, &in) || !S_ISDIR(in.st_mode)) {
		errmsg("the build context %s is not a directory", h->context);
		return EXIT_USAGE;
	}
	if (!h->out)
		h->out = h->own_out = xasprintf("%s.nonroot", h->dockerfile);
	if (!strcmp(h->out, "-")) {
		errmsg("-o needs a file: the hardened Dockerfile is built");
		return EXIT_USAGE;
	}
	stat(h->dockerfile, &in);
	if (!stat(h->out, &out)) {
		if (out.st_dev == in.st_dev && out.st_ino == in.st_ino) {
			errmsg("%s is the input Dockerfile: harden never "
			       "overwrites it; name another file with -o",
			       h->out);
			return EXIT_USAGE;
		}
		old = file_read(h->out, &n);
		if (!h->out_given && (!old || !strstr(old, DF_BEGIN))) {
			errmsg("%s exists and was not written by unroot; name "
			       "it with -o to replace it",
			       h->out);
			free(old);
			return EXIT_USAGE;
		}
		free(old);
	}
	if (!h->tag)
		h->tag = h->own_tag = default_tag(h->context);
	h->root_tag = xasprintf("%s-root", h->tag);
	if (h->workdir)
		h->work = xstrdup(h->workdir);
	else if (in_context(h))
		h->work = tmp_work();
	else
		h->work = xasprintf("%s.unroot", h->out);
	if (!h->work)
		return EXIT_RUN_ERROR;
	if (mkdir(h->work, 0755) && errno != EEXIST) {
		errmsg("cannot create %s: %s", h->work, strerror(errno));
		return EXIT_RUN_ERROR;
	}
	return 0;
}

/* ---- processes ---------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void to_log(const char *log)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || null < 0)
		_exit(EXIT_RUN_ERROR);
	dup2(null, 0);
	dup2(fd, 1);
	dup2(fd, 2);
}

static void log_command(const char *log, char *const argv[])
{
	FILE *f = fopen(log, "a");

	if (!f)
		return;
	fputs("$", f);
	for (int i = 0; argv[i]; i++)
		fprintf(f, " %s", argv[i]);
	fputs("\n", f);
	fclose(f);
}

static int wait_status(pid_t pid, int options, bool *done)
{
	int status;
	pid_t r;

	while ((r = waitpid(pid, &status, options)) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	*done = r == pid;
	if (!*done)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Run argv with its output appended to log; its exit status. */
static int run_logged(char *const argv[], const char *log)
{
	pid_t pid;
	bool done;

	log_command(log, argv);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		to_log(log);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	return wait_status(pid, 0, &done);
}

/* The last lines of a log, on stderr, when something failed. */
static void show_tail(const char *log, int lines)
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

static int docker_build(struct harden *h, const char *file, const char *tag,
			const char *log)
{
	char *argv[] = {
	    "docker",	 "build", "--network",	(char *)h->build_network, "-t",
	    (char *)tag, "-f",	  (char *)file, (char *)h->context,	  NULL};
	double t0 = now();
	int rc;

	unlink(log);
	rc = run_logged(argv, log);
	if (rc) {
		show_tail(log, 15);
		errmsg("docker build of %s failed (exit %d; log %s)", file, rc,
		       log);
		return -1;
	}
	printf("   built %s from %s (%.1f s)\n", tag, file, now() - t0);
	return 0;
}

static int docker_kill(const char *name, const char *sig, const char *log)
{
	char *argv[] = {"docker",    "kill",	   "--signal",
			(char *)sig, (char *)name, NULL};

	return run_logged(argv, log);
}

/* Profile image with `unroot docker` into dir; the container's exit status
 * (or unroot docker's 125). */
static int profile(struct harden *h, const char *image, const char *dir,
		   const char *log, int round)
{
	char **argv = xcalloc(h->nrun + 16, sizeof *argv);
	char *cname =
	    h->named ? xstrdup(h->name)
		     : xasprintf("unroot-harden-%d-%d", (int)getpid(), round);
	int n = 0, rc;
	double t0 = now(), sent = 0, next = h->stop_after;
	bool done = false, killed = false;
	pid_t pid;

	argv[n++] = "docker";
	argv[n++] = "-o";
	argv[n++] = (char *)dir;
	argv[n++] = "--";
	argv[n++] = "run";
	argv[n++] = "--rm";
	if (!h->named) {
		argv[n++] = "--name";
		argv[n++] = cname;
	}
	for (int i = 0; i < h->operand; i++)
		argv[n++] = h->run[i];
	argv[n++] = (char *)image;
	for (int i = h->operand; i < h->nrun; i++)
		argv[n++] = h->run[i];
	argv[n] = NULL;

	unlink(log);
	{
		char **shown = xcalloc(n + 2, sizeof *shown);

		shown[0] = "unroot";
		memcpy(shown + 1, argv, n * sizeof *argv);
		log_command(log, shown);
		free(shown);
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		to_log(log);
		_exit(cmd_docker(n, argv));
	}
	if (!h->stop_after) {
		rc = wait_status(pid, 0, &done);
	} else {
		for (;;) {
			const struct timespec tick = {0, 100000000};
			double el;

			rc = wait_status(pid, WNOHANG, &done);
			if (done)
				break;
			el = now() - t0;
			if (!sent && el >= next) {
				/* the container may not be up yet: retry */
				if (!docker_kill(cname, h->stop_signal, log))
					sent = el;
				else
					next = el + 1;
			} else if (sent && !killed && el >= sent + KILL_GRACE) {
				warning("the container did not stop %d s after "
					"SIG%s: sending KILL",
					KILL_GRACE, h->stop_signal);
				docker_kill(cname, "KILL", log);
				killed = true;
			}
			nanosleep(&tick, NULL);
		}
	}
	printf("   ran %s under the tracer: exit %d%s (%.1f s; trace %s)\n",
	       image, rc, sent ? ", stopped by --stop-after" : "", now() - t0,
	       dir);
	free(cname);
	free(argv);
	return rc;
}

/* ---- traces ------------------------------------------------------------- */

static bool traced(const char *dir)
{
	char *dirs[] = {(char *)dir};
	const char *why;
	struct trace *t = trace_open(dirs, 1, &why);
	bool ok = t && trace_nprocs(t) > 0;

	if (t)
		trace_close(t);
	return ok;
}

static int add_denial(const struct trace_event *ev, void *ctx)
{
	struct denials *ds = ctx;
	const char *op = op_name(ev->op);
	struct denial *d;

	if (ev->err != EACCES && ev->err != EPERM && ev->err != EROFS)
		return 0;
	for (size_t i = 0; i < ds->n; i++)
		if (!strcmp(ds->v[i].path, ev->path) &&
		    !strcmp(ds->v[i].op, op) &&
		    !strcmp(ds->v[i].err, ev->errname))
			return 0;
	ds->v = xgrow(ds->v, &ds->cap, ds->n + 1, sizeof *ds->v);
	d = &ds->v[ds->n++];
	d->op = xstrdup(op);
	d->path = xstrdup(ev->path);
	d->err = xstrdup(ev->errname ? ev->errname : "?");
	d->prog = xstrdup(
	    ev->proc && *ev->proc->exe ? path_basename(ev->proc->exe) : "?");
	return 0;
}

static void read_denials(const char *dir, struct denials *ds)
{
	char *dirs[] = {(char *)dir};
	const char *why;
	struct trace *t = trace_open(dirs, 1, &why);

	if (!t)
		return;
	trace_each_event(t, add_denial, ds);
	trace_close(t);
}

static void free_denials(struct denials *ds)
{
	for (size_t i = 0; i < ds->n; i++) {
		free(ds->v[i].op);
		free(ds->v[i].path);
		free(ds->v[i].err);
		free(ds->v[i].prog);
	}
	free(ds->v);
	memset(ds, 0, sizeof *ds);
}

/*
 * What the planner gets of a run as the user: its denials, with the
 * records they refer to (proc, stack, end), in a directory of .jsonl files.
 * The rest describes the hardened image (its users, the directories the
 * plan made) and would hide from the planner what the original image
 * lacks; the root trace speaks for the image.
 */
/* 0: drop the record, 1: keep it, 2: keep it, a denial */
static int keep_record(const char *line)
{
	json_error_t jerr;
	json_t *r = json_loads(line, 0, &jerr);
	const char *t, *e;
	int keep = 0;

	if (!r)
		return 0;
	t = json_string_value(json_object_get(r, "t"));
	e = json_string_value(json_object_get(r, "errno"));
	if (t &&
	    (!strcmp(t, "proc") || !strcmp(t, "stack") || !strcmp(t, "end")))
		keep = 1;
	else if (t && !strcmp(t, "ev") && e &&
		 (!strcmp(e, "EACCES") || !strcmp(e, "EPERM") ||
		  !strcmp(e, "EROFS")))
		keep = 2;
	json_decref(r);
	return keep;
}

static int denials_dir(const char *trace, const char *out)
{
	char *logdir = xasprintf("%s/" UNROOT_TRACE_LOGDIR, trace);
	DIR *d = opendir(logdir);
	struct dirent *de;
	int rc = 0;

	if (!d || ((mkdir(out, 0755) && errno != EEXIST))) {
		errmsg("cannot read %s or create %s: %s", logdir, out,
		       strerror(errno));
		if (d)
			closedir(d);
		free(logdir);
		return -1;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name), len;
		struct strbuf kept = STRBUF_INIT;
		bool any = false;
		int k;
		char *src, *text, *line, *next, *dst;

		if (n < 7 || strcmp(de->d_name + n - 6, ".jsonl") ||
		    de->d_name[0] == '.')
			continue;
		src = xasprintf("%s/%s", logdir, de->d_name);
		dst = xasprintf("%s/%s", out, de->d_name);
		text = file_read(src, &len);
		unlink(dst);
		for (line = text; line && *line; line = next) {
			next = strchr(line, '\n');
			if (!next)
				break; /* a line cut by a kill */
			*next++ = '\0';
			k = keep_record(line);
			if (!k)
				continue;
			any |= k == 2;
			sb_adds(&kept, line);
			sb_addc(&kept, '\n');
		}
		if (any && file_replace(dst, kept.buf, kept.len))
			rc = -1;
		sb_release(&kept);
		free(text);
		free(src);
		free(dst);
	}
	closedir(d);
	free(logdir);
	return rc;
}

/* ---- planning ----------------------------------------------------------- */

/* The hardened Dockerfile from the traces; 0 or -1 after a message. */
static int harden_text(struct harden *h, char **dirs, int ndirs,
		       struct strbuf *out, struct plan **plp)
{
	struct plan_options o = h->po;
	struct strbuf block = STRBUF_INIT, stage = STRBUF_INIT;
	struct dockerfile *df = dockerfile_parse(h->text, h->len);
	char *keep = NULL;
	struct plan *pl;
	int rc = -1;

	adopt_stage_user(&o, dockerfile_final_user(df), &keep);
	pl = plan_load(dirs, ndirs, &o);
	if (pl && !render_block(pl, df->escape, &block, &stage)) {
		dockerfile_insert(df, block.buf,
				  pl->no_shell ? stage.buf : NULL, out);
		rc = 0;
	}
	*plp = pl;
	sb_release(&block);
	sb_release(&stage);
	dockerfile_free(df);
	free(keep);
	return rc;
}

static char *grant_text(const struct plan *pl, const struct grant *g)
{
	char *p = path_escape(g->path ? g->path : "");
	char *s;

	switch (g->kind) {
	case GRANT_MKDIR:
		s = xasprintf("pre-create directory %s owned by %s", p,
			      pl->user);
		break;
	case GRANT_TOUCH:
		s = xasprintf("pre-create file %s owned by %s", p, pl->user);
		break;
	case GRANT_OWN_DIR:
		s = xasprintf("give directory %s to %s", p, pl->user);
		break;
	case GRANT_OWN_FILE:
		s = xasprintf("give file %s to %s", p, pl->user);
		break;
	case GRANT_OWN_TREE:
		s = xasprintf("give the tree %s (recursively) to %s", p,
			      pl->user);
		break;
	case GRANT_SEARCH:
		s = xasprintf("chmod o+x %s", p);
		break;
	case GRANT_BUILD:
	default:
		s = xasprintf("RUN %s", g->command ? g->command : "");
		break;
	}
	free(p);
	return s;
}

static int seen_round(struct harden *h, const char *key, int round)
{
	struct seen *s;

	for (size_t i = 0; i < h->nseen; i++)
		if (!strcmp(h->seen[i].key, key))
			return h->seen[i].round;
	h->seen = xgrow(h->seen, &h->capseen, h->nseen + 1, sizeof *h->seen);
	s = &h->seen[h->nseen++];
	s->key = xstrdup(key);
	s->round = round;
	return round;
}

/* Remember the round that first planned each line. */
static void note_lines(struct harden *h, const struct plan *pl, int round)
{
	for (size_t i = 0; i < pl->ngrants; i++) {
		char *t;

		if (pl->grants[i].alternative)
			continue;
		t = grant_text(pl, &pl->grants[i]);
		seen_round(h, t, round);
		free(t);
	}
	for (size_t i = 0; i < pl->nredirects; i++) {
		char *t = xasprintf("ENV %s=%s", pl->redirects[i].var,
				    pl->redirects[i].value);

		seen_round(h, t, round);
		free(t);
	}
}

static void print_evidence(const struct evidence *ev)
{
	printf("             for: %s %s ", *ev->program ? ev->program : "?",
	       ev->op);
	fput_path(stdout, ev->path);
	if (ev->errname)
		printf(" -> %s", ev->errname);
	printf("\n");
}

static void print_lines(struct harden *h, const struct plan *pl)
{
	printf("lines added (the round whose trace first needed them):\n");
	if (pl->create_user)
		printf("  round 1    create user %s (uid %u, gid %u)\n",
		       pl->user, pl->uid, pl->gid);
	for (size_t i = 0; i < pl->nredirects; i++) {
		const struct redirect *r = &pl->redirects[i];
		char *t = xasprintf("ENV %s=%s", r->var, r->value);
		char *e = path_escape(t);

		printf("  round %-4d %s\n", seen_round(h, t, 1), e);
		printf("             why: a known writer (%s) is sent where "
		       "the user may write\n",
		       r->writer && r->writer->program ? r->writer->program
						       : "?");
		print_evidence(&r->ev);
		free(t);
		free(e);
	}
	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];
		char *t;

		if (g->alternative)
			continue;
		t = grant_text(pl, g);
		printf("  round %-4d %s\n", seen_round(h, t, 1), t);
		printf("             why: %s\n", g->why ? g->why : "");
		print_evidence(&g->ev);
		free(t);
	}
	printf("  final      USER %u:%u\n", pl->uid, pl->gid);
	for (size_t i = 0; i < pl->nnotes; i++)
		printf("note: %s\n", pl->notes[i]);
}

/* Why the planner cannot fix a denial, as it said it (allocated). */
static char *explain(const struct plan *pl, const struct denial *d)
{
	for (size_t i = 0; i < pl->nrefused; i++)
		if (!strcmp(pl->refused[i].path, d->path))
			return xstrdup(pl->refused[i].why);
	for (size_t i = 0; i < pl->nhost; i++) {
		const struct host_fix *f = &pl->host[i];
		const char *host = f->hostdir ? f->hostdir : "a volume";

		if (!path_is_under(d->path, f->mount))
			continue;
		if (f->ro)
			return xasprintf(
			    "%s is mounted read-only from %s: the "
			    "workload writes into data you mounted "
			    "read-only; mount it read-write or "
			    "change what the program writes",
			    f->mount, host);
		return xasprintf("%s is mounted from %s: its owner is fixed on "
				 "the host (chown %u:%u), not in the image",
				 f->mount, host, pl->uid, pl->gid);
	}
	for (size_t i = 0; i < pl->ntmpfs; i++)
		if (path_is_under(d->path, pl->tmpfs[i].dir))
			return xasprintf("the file system is read-only: mount "
					 "a tmpfs at %s",
					 pl->tmpfs[i].dir);
	if (!strcmp(d->err, "EROFS"))
		return xstrdup("the file system is read-only for every user");
	return xstrdup("the planner proposes no change for it: its plan from "
		       "this trace is the Dockerfile just tested");
}

static void print_denials(const struct denials *ds, const struct plan *pl)
{
	for (size_t i = 0; i < ds->n; i++) {
		char *why = explain(pl, &ds->v[i]);
		char *e = path_escape(why);

		printf("  %s %s ", ds->v[i].prog, ds->v[i].op);
		fput_path(stdout, ds->v[i].path);
		printf(" -> %s\n    cannot be fixed: %s\n", ds->v[i].err, e);
		free(why);
		free(e);
	}
}

static void print_diff(struct harden *h)
{
	char *a = xasprintf("%s (original)", h->dockerfile);
	char *b = xasprintf("%s (hardened)", h->out);
	char *argv[] = {"diff",
			"-u",
			"--label",
			a,
			"--label",
			b,
			(char *)h->dockerfile,
			(char *)h->out,
			NULL};
	pid_t pid;
	bool done;
	int rc;

	printf("diff -u %s %s\n", h->dockerfile, h->out);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		execvp("diff", argv);
		_exit(127);
	}
	rc = wait_status(pid, 0, &done);
	if (rc > 1)
		printf("(no diff: 'diff' failed with %d; compare %s and %s)\n",
		       rc, h->dockerfile, h->out);
	free(a);
	free(b);
}

/* The Dockerfile without its comment lines: what a round changes. */
static void strip_comments(const struct strbuf *in, struct strbuf *out)
{
	const char *p = in->buf, *end = in->buf + in->len;

	sb_reset(out);
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *q = p;
		size_t n = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);

		while (q < p + n && (*q == ' ' || *q == '\t'))
			q++;
		if (q == p + n || *q != '#')
			sb_add(out, p, n);
		p += n;
	}
}

/* ---- the loop ----------------------------------------------------------- */

static int check_docker(struct harden *h)
{
	char *argv[] = {"docker", "version", "--format", "{{.Server.Version}}",
			NULL};
	char *log = xasprintf("%s/docker-version.log", h->work);
	int rc = run_logged(argv, log);

	if (rc) {
		show_tail(log, 5);
		errmsg(rc == 127 ? "docker is not installed"
				 : "the Docker daemon is not reachable (try "
				   "'docker info')");
	}
	free(log);
	return rc ? -1 : 0;
}

static int harden(struct harden *h)
{
	char **dirs = xcalloc(h->max_rounds + 2, sizeof *dirs);
	struct strbuf prev = STRBUF_INIT, cur = STRBUF_INIT, bare = STRBUF_INIT;
	struct denials ds = {0};
	struct plan *pl = NULL;
	char *log, *file;
	int root_rc, rc = 1, round, status = 0;
	double t0 = now();

	if (check_docker(h))
		return EXIT_RUN_ERROR;
	printf("== round 0: %s as root\n", h->dockerfile);
	log = xasprintf("%s/build-root.log", h->work);
	if (docker_build(h, h->dockerfile, h->root_tag, log)) {
		free(log);
		return EXIT_RUN_ERROR;
	}
	free(log);
	dirs[0] = xasprintf("%s/round0", h->work);
	log = xasprintf("%s/round0.log", h->work);
	root_rc = profile(h, h->root_tag, dirs[0], log, 0);
	if (!traced(dirs[0])) {
		show_tail(log, 15);
		errmsg("the root run left no trace (exit %d; log %s)", root_rc,
		       log);
		free(log);
		return EXIT_RUN_ERROR;
	}
	free(log);
	read_denials(dirs[0], &ds);
	printf("   %zu denial%s as root\n", ds.n, ds.n == 1 ? "" : "s");
	if (root_rc && !h->stop_after)
		warning(
		    "the workload fails as root too (exit %d; see %s/"
		    "round0.log): harden only makes the user's run match it",
		    root_rc, h->work);
	free_denials(&ds);

	for (round = 1;; round++) {
		plan_free(pl);
		pl = NULL;
		sb_reset(&cur);
		if (harden_text(h, dirs, round, &cur, &pl)) {
			rc = 1;
			goto out;
		}
		note_lines(h, pl, round);
		strip_comments(&cur, &bare);
		if (round > 1 && bare.len == prev.len &&
		    !memcmp(bare.buf, prev.buf, bare.len)) {
			printf("\n== stopped: round %d adds nothing to the "
			       "plan\n",
			       round - 1);
			/* the same lines; its comments name what is refused */
			file_replace(h->out, cur.buf, cur.len);
			if (ds.n) {
				printf("%zu denial%s remain%s as %s:\n", ds.n,
				       ds.n == 1 ? "" : "s",
				       ds.n == 1 ? "s" : "", pl->user);
				print_denials(&ds, pl);
			}
			if (status != root_rc)
				printf("exit status %d as the user, %d as "
				       "root%s\n",
				       status, root_rc,
				       ds.n
					   ? ""
					   : ": a failure the tracer did not "
					     "see as a denial; see the round's "
					     "log");
			rc = 1;
			goto summary;
		}
		if (round > h->max_rounds) {
			printf("\n== stopped: --max-rounds %d reached with %zu "
			       "denial%s left\n",
			       h->max_rounds, ds.n, ds.n == 1 ? "" : "s");
			print_denials(&ds, pl);
			rc = 1;
			goto summary;
		}
		free_denials(&ds);
		if (file_replace(h->out, cur.buf, cur.len)) {
			rc = EXIT_RUN_ERROR;
			goto out;
		}
		file = xasprintf("%s/Dockerfile.round%d", h->work, round);
		file_replace(file, cur.buf, cur.len);
		free(file);
		printf("== round %d: %s as %s (uid %u)\n", round, h->out,
		       pl->user, pl->uid);
		log = xasprintf("%s/build-%d.log", h->work, round);
		if (docker_build(h, h->out, h->tag, log)) {
			free(log);
			rc = EXIT_RUN_ERROR;
			goto out;
		}
		free(log);
		dirs[round] = xasprintf("%s/round%d", h->work, round);
		log = xasprintf("%s/round%d.log", h->work, round);
		status = profile(h, h->tag, dirs[round], log, round);
		if (!traced(dirs[round])) {
			show_tail(log, 15);
			errmsg("the run as the user left no trace (exit %d; "
			       "log %s)",
			       status, log);
			free(log);
			rc = EXIT_RUN_ERROR;
			goto out;
		}
		free(log);
		read_denials(dirs[round], &ds);
		printf("   %zu denial%s as the user%s\n", ds.n,
		       ds.n == 1 ? "" : "s",
		       status == root_rc ? ", same exit status as root"
					 : ", exit status differs from root's");
		if (!ds.n && status == root_rc) {
			rc = 0;
			goto summary;
		}
		sb_reset(&prev);
		sb_add(&prev, bare.buf, bare.len);
		/* the planner gets this run's denials beside the root trace */
		file = dirs[round];
		dirs[round] = xasprintf("%s/round%d-denials", h->work, round);
		rc = denials_dir(file, dirs[round]);
		free(file);
		if (rc) {
			rc = EXIT_RUN_ERROR;
			goto out;
		}
	}
summary:
	printf("\n== unroot harden: %s\n", rc ? "NOT verified" : "verified");
	if (rc)
		printf("rounds: %d run%s as the user after the root run; the "
		       "last hardened Dockerfile is %s (image %s)\n",
		       round - 1, round == 2 ? "" : "s", h->out, h->tag);
	else
		printf("rounds: %d run%s as the user after the root run; the "
		       "last ran with 0 denials and exit %d, as root did "
		       "(%.0f s)\n",
		       round, round == 1 ? "" : "s", status, now() - t0);
	print_lines(h, pl);
	printf("image: %s%s\n", h->tag, rc ? " (not verified)" : "");
	printf("hardened Dockerfile: %s; traces and logs in %s/\n", h->out,
	       h->work);
	print_diff(h);
out:
	plan_free(pl);
	free_denials(&ds);
	for (int i = 0; i <= h->max_rounds + 1; i++)
		free(dirs[i]);
	free(dirs);
	sb_release(&prev);
	sb_release(&cur);
	sb_release(&bare);
	return rc;
}

int cmd_harden(int argc, char **argv)
{
	struct harden h = {0};
	int rc;

	set_command("harden", EXIT_RUN_ERROR);
	plan_options_init(&h.po);
	rc = parse_args(argc, argv, &h);
	if (rc < 0)
		rc = prepare_paths(&h);
	else
		goto out;
	if (!rc)
		rc = harden(&h);
out:
	free(h.text);
	free(h.own_out);
	free(h.own_tag);
	free(h.own_ctx);
	free(h.work);
	free(h.root_tag);
	for (size_t i = 0; i < h.nseen; i++)
		free(h.seen[i].key);
	free(h.seen);
	return rc;
}
