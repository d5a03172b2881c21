/*
 * cmd_docker.c - `unroot docker`: profile an existing image.  It runs
 * `docker run` with the preload payload (the whole ../lib/unroot/ directory:
 * a glibc build under lib/x86_64-linux-gnu/, a musl build under a directory
 * literally named "$LIB") bind-mounted read-only at /.unroot, LD_PRELOAD
 * and unroot's settings in the container's environment, and the host trace
 * directory's log/ (mode 1777, so any --user can write) mounted at
 * /.unroot-log.  Every argument the user gave docker is kept; the network
 * is forced to "none" unless the user chose one.  The user's -v/--mount
 * arguments are recorded in trace.json ("binds") so the plan can name real
 * host directories.  At the end it prints the report and the plan.
 *
 * Exit status: the container's (as docker run gives it), 125 for unroot's
 * own errors (docker missing, daemon down, no such image, payload missing
 * or not loaded in the container).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "harden.h"
#include "trace.h"
#include "tracedir.h"
#include "util.h"

#define CT_PAYLOAD   "/.unroot"
#define CT_LOG	     "/.unroot-log"
#define CT_LIB	     CT_PAYLOAD "/$LIB/libunroot.so"
#define GLIBC_SUBDIR "lib/x86_64-linux-gnu"
#define MUSL_SUBDIR  "$LIB"

struct bind {
	char *container, *host, *volume;
	bool ro;
};

struct docker_opts {
	struct trace_options t;
	char **plan_args; /* plan options, NULL-terminated */
	int nplan;
	char **run; /* the docker run arguments after "run" */
	int nrun;
	int image; /* index of IMAGE in run[] */
	bool network, init, pidhost;
	char *user_preload; /* a -e LD_PRELOAD=... the user gave, or NULL */
	struct bind *binds;
	size_t nbinds, capbinds;
};

static void docker_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: unroot docker [-o DIR] [--reads] [--no-stacks] [--argv]\n"
	    "                     [--user NAME] [--uid N] [--gid N] "
	    "[--openshift] [--format F]\n"
	    "                     -- run [DOCKER-RUN-OPTIONS...] IMAGE "
	    "[CMD [ARG...]]\n\n"
	    "Run a container under the unroot tracer and print what it "
	    "wrote and the plan\nthat lets it run as non-root.\n\n"
	    "  -o DIR       trace directory on this host (default %s)\n"
	    "  --reads      also record reads, stats and access checks\n"
	    "  --no-stacks  do not record native call stacks\n"
	    "  --argv       record whole command lines (may hold secrets)\n"
	    "  --user, --uid, --gid, --openshift, --format\n"
	    "               passed to 'unroot plan' for the plan printed "
	    "at the end\n\n"
	    "The payload directory (../lib/unroot/ beside the unroot "
	    "executable) is mounted\nread-only at " CT_PAYLOAD
	    " and DIR/log at " CT_LOG ".  Every docker run option is kept;\n"
	    "--network none is added unless a network is given; -d is "
	    "refused.\n\n"
	    "Exit status: the container's, or 125 when unroot or docker "
	    "fails.\n",
	    DEFAULT_TRACE_DIR);
}

/* ---- docker run's own options -------------------------------------------
 *
 * To find IMAGE we must know which options take a value.  Unknown long
 * options are taken as flags unless written --opt=value.
 */
static const char *const value_opts[] = {
    "add-host",
    "annotation",
    "attach",
    "blkio-weight",
    "blkio-weight-device",
    "cap-add",
    "cap-drop",
    "cgroup-parent",
    "cgroupns",
    "cidfile",
    "cpu-count",
    "cpu-percent",
    "cpu-period",
    "cpu-quota",
    "cpu-rt-period",
    "cpu-rt-runtime",
    "cpu-shares",
    "cpus",
    "cpuset-cpus",
    "cpuset-mems",
    "detach-keys",
    "device",
    "device-cgroup-rule",
    "device-read-bps",
    "device-read-iops",
    "device-write-bps",
    "device-write-iops",
    "dns",
    "dns-option",
    "dns-opt",
    "dns-search",
    "domainname",
    "entrypoint",
    "env",
    "env-file",
    "expose",
    "gpus",
    "group-add",
    "health-cmd",
    "health-interval",
    "health-retries",
    "health-start-interval",
    "health-start-period",
    "health-timeout",
    "hostname",
    "ip",
    "ip6",
    "ipc",
    "isolation",
    "kernel-memory",
    "label",
    "label-file",
    "link",
    "link-local-ip",
    "log-driver",
    "log-opt",
    "mac-address",
    "memory",
    "memory-reservation",
    "memory-swap",
    "memory-swappiness",
    "mount",
    "name",
    "net",
    "network",
    "net-alias",
    "network-alias",
    "oom-score-adj",
    "pid",
    "pids-limit",
    "platform",
    "publish",
    "pull",
    "restart",
    "runtime",
    "security-opt",
    "shm-size",
    "stop-signal",
    "stop-timeout",
    "storage-opt",
    "sysctl",
    "tmpfs",
    "ulimit",
    "user",
    "userns",
    "uts",
    "volume",
    "volume-driver",
    "volumes-from",
    "workdir",
    NULL,
};
/* short options taking a value, and their long names */
static const char short_value[] = "acehlmpuvw";
static const char *const short_long[] = {
    "attach", "cpu-shares", "env",  "hostname", "label",
    "memory", "publish",    "user", "volume",	"workdir"};

static bool takes_value(const char *name)
{
	for (int i = 0; value_opts[i]; i++)
		if (!strcmp(name, value_opts[i]))
			return true;
	return false;
}

static void add_bind(struct docker_opts *o, const char *ctr, const char *host,
		     const char *volume, bool ro)
{
	struct bind *b;

	o->binds = xgrow(o->binds, &o->capbinds, o->nbinds + 1, sizeof *b);
	b = &o->binds[o->nbinds++];
	b->container = xstrdup(ctr);
	b->host = NULL;
	if (host) {
		char *abs = realpath(host, NULL);

		b->host = abs ? abs : xstrdup(host);
	}
	b->volume = volume ? xstrdup(volume) : NULL;
	b->ro = ro;
}

/* -v HOST:CTR[:OPTS], -v NAME:CTR[:OPTS] or -v CTR (anonymous volume) */
static void parse_volume(struct docker_opts *o, const char *spec)
{
	char *s = xstrdup(spec), *parts[3] = {0};
	int n = 0;
	bool ro = false;

	for (char *p = s, *c; n < 3 && p; p = c) {
		c = strchr(p, ':');
		if (c)
			*c++ = '\0';
		parts[n++] = p;
	}
	if (n == 1) {
		add_bind(o, parts[0], NULL, "", false);
	} else {
		if (n == 3)
			for (char *t = strtok(parts[2], ","); t;
			     t = strtok(NULL, ","))
				if (!strcmp(t, "ro") || !strcmp(t, "readonly"))
					ro = true;
		/* the loop above always fills parts[0] */
		// NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
		if (parts[0][0] == '/' || parts[0][0] == '.')
			add_bind(o, parts[1], parts[0], NULL, ro);
		else
			add_bind(o, parts[1], NULL, parts[0], ro);
	}
	free(s);
}

/* --mount type=bind,source=H,target=C[,readonly] */
static void parse_mount(struct docker_opts *o, const char *spec)
{
	char *s = xstrdup(spec), *type = "volume", *src = NULL, *dst = NULL;
	bool ro = false;

	for (char *t = strtok(s, ","); t; t = strtok(NULL, ",")) {
		char *v = strchr(t, '=');

		if (v)
			*v++ = '\0';
		if (!strcmp(t, "type") && v)
			type = v;
		else if ((!strcmp(t, "source") || !strcmp(t, "src")) && v)
			src = v;
		else if ((!strcmp(t, "target") || !strcmp(t, "destination") ||
			  !strcmp(t, "dst")) &&
			 v)
			dst = v;
		else if (!strcmp(t, "readonly") || !strcmp(t, "ro"))
			ro = !v || !strcmp(v, "true") || !strcmp(v, "1");
	}
	if (dst && !strcmp(type, "bind") && src)
		add_bind(o, dst, src, NULL, ro);
	else if (dst && !strcmp(type, "volume"))
		add_bind(o, dst, NULL, src ? src : "", ro);
	free(s);
}

/* What we need to know of one docker run option (name without dashes). */
static int note_option(struct docker_opts *o, const char *name, const char *val)
{
	if (!strcmp(name, "d") || !strcmp(name, "detach")) {
		errmsg("-d/--detach is not supported: unroot docker waits for "
		       "the container to read its trace");
		return -1;
	}
	if (!strcmp(name, "network") || !strcmp(name, "net"))
		o->network = true;
	else if (!strcmp(name, "init"))
		o->init = !val || strcmp(val, "false");
	else if (!strcmp(name, "pid") && val && !strcmp(val, "host"))
		o->pidhost = true;
	else if ((!strcmp(name, "volume") || !strcmp(name, "v")) && val)
		parse_volume(o, val);
	else if (!strcmp(name, "mount") && val)
		parse_mount(o, val);
	else if ((!strcmp(name, "env") || !strcmp(name, "e")) && val &&
		 !strncmp(val, "LD_PRELOAD=", 11))
		o->user_preload = xstrdup(val + 11);
	return 0;
}

/* Find IMAGE in run[]; returns 0, or -1 after a message. */
static int parse_run(struct docker_opts *o)
{
	int i;

	for (i = 0; i < o->nrun; i++) {
		const char *a = o->run[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			char *name =
			    eq ? xstrndup(a + 2, eq - a - 2) : xstrdup(a + 2);
			const char *val = eq ? eq + 1 : NULL;
			int r;

			if (!eq && takes_value(name)) {
				if (i + 1 >= o->nrun) {
					errmsg("docker run option %s needs a "
					       "value",
					       a);
					free(name);
					return -1;
				}
				val = o->run[++i];
			}
			r = note_option(o, name, val);
			free(name);
			if (r)
				return -1;
			continue;
		}
		/* a cluster of short options: -it, -v X, -vX, -e=X */
		for (const char *c = a + 1; *c; c++) {
			const char *p = strchr(short_value, *c);
			char flag[2] = {*c, 0};
			const char *val;

			if (!p) {
				if (note_option(o, flag, NULL))
					return -1;
				continue;
			}
			if (c[1])
				val = c[1] == '=' ? c + 2 : c + 1;
			else if (i + 1 < o->nrun)
				val = o->run[++i];
			else {
				errmsg("docker run option -%c needs a value",
				       *c);
				return -1;
			}
			if (note_option(o, short_long[p - short_value], val))
				return -1;
			break;
		}
	}
	if (i >= o->nrun) {
		errmsg("no image given; see 'unroot docker --help'");
		return -1;
	}
	o->image = i;
	return 0;
}

/* For unroot harden: the same parse, on arguments that may lack IMAGE
 * (stand-ins are appended so that parse_run finds an operand; a last
 * option without its value would take the first). */
int docker_run_operand(char **run, int nrun)
{
	struct docker_opts o = {0};
	char **v = xcalloc(nrun + 3, sizeof *v);
	int r;

	memcpy(v, run, nrun * sizeof *v);
	v[nrun] = v[nrun + 1] = "unroot-harden-image";
	o.run = v;
	o.nrun = nrun + 2;
	r = parse_run(&o) ? -1 : o.image;
	if (r > nrun) {
		errmsg("docker run option %s needs a value", run[nrun - 1]);
		r = -1;
	}
	for (size_t i = 0; i < o.nbinds; i++) {
		free(o.binds[i].container);
		free(o.binds[i].host);
		free(o.binds[i].volume);
	}
	free(o.binds);
	free(o.user_preload);
	free(v);
	return r;
}

/* Returns -1 to continue, else an exit status. */
static int parse_args(int argc, char **argv, struct docker_opts *o)
{
	int i, taken;

	o->t.dir = DEFAULT_TRACE_DIR;
	o->plan_args = xcalloc(argc + 2, sizeof *o->plan_args);
	o->plan_args[o->nplan++] = "plan";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			docker_usage(stdout);
			return 0;
		} else if ((taken = trace_option(argc, argv, &i, &o->t)) != 0) {
			if (taken < 0)
				return EXIT_RUN_ERROR;
		} else if (!strcmp(a, "--openshift") ||
			   !strncmp(a, "--user=", 7) ||
			   !strncmp(a, "--uid=", 6) ||
			   !strncmp(a, "--gid=", 6) ||
			   !strncmp(a, "--format=", 9)) {
			o->plan_args[o->nplan++] = argv[i];
		} else if (!strcmp(a, "--user") || !strcmp(a, "--uid") ||
			   !strcmp(a, "--gid") || !strcmp(a, "--format")) {
			if (i + 1 == argc) {
				errmsg("%s needs a value", a);
				return EXIT_RUN_ERROR;
			}
			o->plan_args[o->nplan++] = argv[i++];
			o->plan_args[o->nplan++] = argv[i];
		} else {
			errmsg(
			    "unknown option '%s'; see 'unroot docker --help'",
			    a);
			return EXIT_RUN_ERROR;
		}
	}
	if (i >= argc || strcmp(argv[i], "run")) {
		errmsg("expected 'run' and docker run's arguments after the "
		       "options; see 'unroot docker --help'");
		return EXIT_RUN_ERROR;
	}
	if (!*o->t.dir) {
		errmsg("the trace directory name is empty");
		return EXIT_RUN_ERROR;
	}
	o->run = argv + i + 1;
	o->nrun = argc - i - 1;
	if (parse_run(o))
		return EXIT_RUN_ERROR;
	return -1;
}

/* ---- running docker -----------------------------------------------------
 *
 * capture(): run argv with stdout and stderr collected; returns the exit
 * status, or -1 with errno when it could not be executed.
 */
static int capture(char *const argv[], struct strbuf *out, struct strbuf *err)
{
	int po[2], pe[2], ex[2], status, e = 0;
	struct pollfd pfd[2];
	char buf[4096];
	pid_t pid;
	ssize_t n;

	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC) ||
	    pipe2(ex, O_CLOEXEC))
		die_errno("pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execvp(argv[0], argv);
		e = errno;
		if (write(ex[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	close(ex[1]);
	pfd[0] = (struct pollfd){.fd = po[0], .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = pe[0], .events = POLLIN};
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die_errno("poll");
		}
		for (int k = 0; k < 2; k++) {
			if (pfd[k].fd < 0 || !pfd[k].revents)
				continue;
			n = read(pfd[k].fd, buf, sizeof buf);
			if (n > 0) {
				sb_add(k ? err : out, buf, n);
			} else if (n == 0 || errno != EINTR) {
				close(pfd[k].fd);
				pfd[k].fd = -1;
			}
		}
	}
	n = read(ex[0], &e, sizeof e);
	close(ex[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	if (n == (ssize_t)sizeof e) {
		errno = e;
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The first line of docker's stderr, for messages. */
static const char *first_line(struct strbuf *sb)
{
	char *nl = strchr(sb->buf, '\n');

	if (nl)
		*nl = '\0';
	return sb->len ? sb->buf : "(no message)";
}

static void check_docker(void)
{
	char *argv[] = {"docker", "version", "--format", "{{.Server.Version}}",
			NULL};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int rc = capture(argv, &out, &err);

	if (rc < 0 && errno == ENOENT)
		die("docker is not installed (no 'docker' command in PATH)");
	if (rc < 0)
		die_errno("cannot run docker");
	if (rc)
		die("the Docker daemon is not reachable (is dockerd running? "
		    "try 'docker info'): %s",
		    first_line(&err));
	sb_release(&out);
	sb_release(&err);
}

/* The image's own LD_PRELOAD (its ENV), or NULL; dies when no such image. */
static char *image_preload(const char *image)
{
	char *argv[] = {"docker",
			"image",
			"inspect",
			"--format",
			"{{json .Config.Env}}",
			(char *)image,
			NULL};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	json_error_t jerr;
	json_t *env, *v;
	char *res = NULL;
	size_t i;

	if (capture(argv, &out, &err))
		die("image '%s' is not available locally (unroot docker does "
		    "not pull; build or load it first): %s",
		    image, first_line(&err));
	env = json_loads(out.buf, JSON_DECODE_ANY, &jerr);
	json_array_foreach (env, i, v) {
		const char *s = json_string_value(v);

		if (s && !strncmp(s, "LD_PRELOAD=", 11) && s[11])
			res = xstrdup(s + 11);
	}
	json_decref(env);
	sb_release(&out);
	sb_release(&err);
	return res;
}

static volatile pid_t child_pid;

static void forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (child_pid > 0 && (!si || si->si_code <= 0))
		kill(child_pid, sig);
}

/* Run docker with the terminal; returns its exit status. */
static int run_docker(char **argv)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa;
	int status;
	pid_t pid;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "unroot docker: cannot run docker: %s\n",
			strerror(errno));
		_exit(EXIT_RUN_ERROR);
	}
	child_pid = pid;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	child_pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void write_meta(const struct docker_opts *o, long long started,
		       long long ended, int status)
{
	json_t *cmd = json_array(), *binds = json_array(), *m;

	/* without --argv only the image and the command name: arguments and
	 * -e values hold secrets */
	json_array_append_new(cmd, json_path(o->run[o->image]));
	for (int i = o->image + 1; i < o->nrun; i++) {
		json_array_append_new(cmd, json_path(o->run[i]));
		if (!o->t.argv)
			break;
	}
	for (size_t i = 0; i < o->nbinds; i++) {
		const struct bind *b = &o->binds[i];
		json_t *j = json_object();

		json_object_set_new(j, "container", json_path(b->container));
		json_object_set_new(j, "host",
				    b->host ? json_path(b->host) : json_null());
		json_object_set_new(j, "ro", json_boolean(b->ro));
		if (b->volume)
			json_object_set_new(j, "volume",
					    json_string(b->volume));
		json_array_append_new(binds, j);
	}
	m = trace_meta_new(&o->t, cmd, started, ended, status, "docker");
	json_object_set_new(m, "image", json_path(o->run[o->image]));
	json_object_set_new(m, "binds", binds);
	trace_meta_write(o->t.dir, m);
}

/* ---- the payload ----------------------------------------------------- */

static char *find_payload(void)
{
	const char *why;
	char *lib = find_preload(&why), *dir, *glibc, *musl;

	if (!lib)
		die("cannot find the tracer: %s", why);
	dir = path_dirname(lib);
	glibc = xasprintf("%s/" GLIBC_SUBDIR "/libunroot.so", dir);
	musl = xasprintf("%s/" MUSL_SUBDIR "/libunroot.so", dir);
	if (access(glibc, R_OK))
		die("the container payload is not built (%s is missing): run "
		    "scripts/build-payload or 'cmake --build build --target "
		    "payload' as root",
		    glibc);
	if (access(musl, R_OK))
		warning("no musl build in the payload (%s): musl images "
			"(Alpine) will run untraced",
			musl);
	free(glibc);
	free(musl);
	free(lib);
	return dir;
}

/* ---- after the run ------------------------------------------------------
 * Returns -1 when the trace is usable, else the exit status to return:
 * docker's own 125/126/127 when it could not start the container, 125 when
 * no process of the container reported in.
 */
static int check_trace(const struct docker_opts *o, int status)
{
	char *dirs[] = {(char *)o->t.dir};
	const char *why;
	struct trace *t = trace_open(dirs, 1, &why);
	bool first = false;
	size_t n;

	n = t ? trace_nprocs(t) : 0;
	for (size_t i = 0; i < n; i++)
		if (trace_proc_at(t, i)->pid == 1)
			first = true;
	if (t)
		trace_close(t);
	if (!n && status >= 125 && status <= 127) {
		errmsg("docker could not start the container (exit %d, see "
		       "docker's message above): nothing was traced",
		       status);
		return status;
	}
	if (!n) {
		errmsg("no process of the container reported to the tracer "
		       "(the container exited with %d): its first program "
		       "could not load %s (a static binary, a libc other than "
		       "glibc or musl, another architecture?) or the log "
		       "directory was not writable; nothing was traced",
		       status, CT_LIB);
		return EXIT_RUN_ERROR;
	}
	if (!first && !o->init && !o->pidhost)
		warning("the container's first process did not report in "
			"(a static binary?): only its children were traced");
	return -1;
}

int cmd_docker(int argc, char **argv)
{
	struct docker_opts o = {0};
	char *flags;
	char *payload, *abs, *logdir, *preload, *own;
	char **dargv;
	int n = 0, rc;
	long long started;

	set_command("docker", EXIT_RUN_ERROR);
	rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	payload = find_payload();
	check_docker();
	own = o.user_preload ? o.user_preload : image_preload(o.run[o.image]);
	trace_dir_prepare(o.t.dir);
	abs = realpath(o.t.dir, NULL);
	if (!abs)
		die_errno("cannot resolve %s", o.t.dir);
	logdir = xasprintf("%s/" UNROOT_TRACE_LOGDIR, abs);
	if (strchr(payload, ':') || strchr(logdir, ':') ||
	    strchr(payload, ',') || strchr(logdir, ','))
		die("a path with ':' or ',' cannot be given to docker -v: %s "
		    "or %s",
		    payload, logdir);
	preload = own && *own ? xasprintf(CT_LIB ":%s", own) : xstrdup(CT_LIB);
	flags = trace_flags(&o.t);

	/* docker run [user's options] [ours] IMAGE [CMD...] */
	dargv = xcalloc(o.nrun + 24, sizeof *dargv);
	dargv[n++] = "docker";
	dargv[n++] = "run";
	for (int i = 0; i < o.image; i++)
		if (strcmp(o.run[i], "--"))
			dargv[n++] = o.run[i];
	if (!o.network) {
		dargv[n++] = "--network";
		dargv[n++] = "none";
	}
	dargv[n++] = "--mount";
	dargv[n++] = xasprintf(
	    "type=bind,source=%s,target=" CT_PAYLOAD ",readonly", payload);
	dargv[n++] = "--mount";
	dargv[n++] = xasprintf("type=bind,source=%s,target=" CT_LOG, logdir);
	dargv[n++] = "-e";
	dargv[n++] = xasprintf("LD_PRELOAD=%s", preload);
	dargv[n++] = "-e";
	dargv[n++] = "UNROOT_LOG=" CT_LOG;
	dargv[n++] = "-e";
	dargv[n++] = xasprintf("UNROOT_FLAGS=%s", flags);
	dargv[n++] = "-e";
	dargv[n++] = "UNROOT_LIB=" CT_LIB;
	for (int i = o.image; i < o.nrun; i++)
		dargv[n++] = o.run[i];
	dargv[n] = NULL;

	started = now_ns();
	rc = run_docker(dargv);
	write_meta(&o, started, now_ns(), rc);
	n = check_trace(&o, rc);
	if (n >= 0)
		return n;

	fflush(NULL);
	printf("== unroot report %s\n", o.t.dir);
	fflush(stdout);
	{
		char *rargv[] = {"report", (char *)o.t.dir, NULL};

		cmd_report(2, rargv);
	}
	fflush(NULL);
	printf("\n== unroot plan %s\n", o.t.dir);
	fflush(stdout);
	o.plan_args[o.nplan++] = (char *)o.t.dir;
	o.plan_args[o.nplan] = NULL;
	cmd_plan(o.nplan, o.plan_args);
	fflush(NULL);
	fprintf(stderr,
		"unroot docker: trace in %s; container exit status %d\n",
		o.t.dir, rc);
	free(flags);
	free(preload);
	free(logdir);
	free(abs);
	free(payload);
	return rc;
}
