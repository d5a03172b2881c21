/*
 * container.c - profiling a container (container.h): the payload, docker
 * and the image checked first, `docker run` with unroot's mounts and
 * environment added to the caller's arguments, then trace.json and a
 * check that the container's processes reported in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "container.h"
#include "layerdiff.h"
#include "schema.h"
#include "traceopen.h"
#include "util.h"

#define GLIBC_SUBDIR "lib/x86_64-linux-gnu"
#define MUSL_SUBDIR  "$LIB"

__attribute__((format(printf, 2, 3))) static void note(struct container *c,
						       const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	c->warnings =
	    xrealloc(c->warnings, (c->nwarnings + 1) * sizeof *c->warnings);
	c->warnings[c->nwarnings++] = sb_detach(&sb);
}

/* Keep p until container_free; returns it. */
static void *own(struct container *c, void *p)
{
	c->own = xrealloc(c->own, (c->nown + 1) * sizeof *c->own);
	c->own[c->nown++] = p;
	return p;
}

/* ---- before the run ------------------------------------------------------ */

/* The payload directory (../lib/unroot/), or NULL with *why. */
static char *find_payload(struct container *c, char **why)
{
	const char *reason;
	char *lib = find_preload(&reason), *dir, *glibc, *musl;

	if (!lib) {
		*why = xasprintf("cannot find the tracer: %s", reason);
		return NULL;
	}
	dir = path_dirname(lib);
	glibc = xasprintf("%s/" GLIBC_SUBDIR "/libunroot.so", dir);
	musl = xasprintf("%s/" MUSL_SUBDIR "/libunroot.so", dir);
	if (access(glibc, R_OK)) {
		*why = xasprintf("the container payload is not built (%s is "
				 "missing): run scripts/build-payload or "
				 "'cmake --build build --target payload' as "
				 "root",
				 glibc);
		free(dir);
		dir = NULL;
	} else if (access(musl, R_OK)) {
		note(c,
		     "no musl build in the payload (%s): musl images (Alpine) "
		     "will run untraced",
		     musl);
	}
	free(glibc);
	free(musl);
	free(lib);
	return dir;
}

/* The first line of docker's stderr, for messages. */
static const char *first_line(struct strbuf *sb)
{
	char *nl = strchr(sb->buf, '\n');

	if (nl)
		*nl = '\0';
	return sb->len ? sb->buf : "(no message)";
}

static int check_docker(char **why)
{
	char *argv[] = {"docker", "version", "--format", "{{.Server.Version}}",
			NULL};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int rc = child_capture(argv, &out, &err);

	if (rc < 0 && errno == ENOENT)
		*why = xstrdup(
		    "docker is not installed (no 'docker' command in PATH)");
	else if (rc < 0)
		*why = xasprintf("cannot run docker: %s", strerror(errno));
	else if (rc)
		*why = xasprintf("the Docker daemon is not reachable (is "
				 "dockerd running? try 'docker info'): %s",
				 first_line(&err));
	sb_release(&out);
	sb_release(&err);
	return rc ? -1 : 0;
}

/* What unroot needs of the image's config: its own LD_PRELOAD (its ENV),
 * its Entrypoint and Cmd (JSON arrays or null). */
struct image_config {
	char *preload;
	json_t *entrypoint, *cmd;
};

static void image_config_free(struct image_config *ic)
{
	free(ic->preload);
	json_decref(ic->entrypoint);
	json_decref(ic->cmd);
	memset(ic, 0, sizeof *ic);
}

/* The image's config in *ic; -1 with *why when there is no such image. */
static int image_config(const char *image, struct image_config *ic, char **why)
{
	char *argv[] = {
	    "docker",		"image",       "inspect", "--format",
	    "{{json .Config}}", (char *)image, NULL};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	json_error_t jerr;
	json_t *cfg, *v;
	size_t i;
	int rc = 0;

	memset(ic, 0, sizeof *ic);
	if (child_capture(argv, &out, &err)) {
		*why = xasprintf("image '%s' is not available locally (unroot "
				 "docker does not pull; build or load it "
				 "first): %s",
				 image, first_line(&err));
		rc = -1;
	}
	cfg = rc ? NULL : json_loads(out.buf, JSON_DECODE_ANY, &jerr);
	json_array_foreach (json_object_get(cfg, "Env"), i, v) {
		const char *s = json_string_value(v);

		if (s && !strncmp(s, "LD_PRELOAD=", 11) && s[11]) {
			free(ic->preload);
			ic->preload = xstrdup(s + 11);
		}
	}
	ic->entrypoint = json_incref(json_object_get(cfg, "Entrypoint"));
	ic->cmd = json_incref(json_object_get(cfg, "Cmd"));
	json_decref(cfg);
	sb_release(&out);
	sb_release(&err);
	return rc;
}

/*
 * The program docker would start, as docker combines them: the caller's
 * --entrypoint (which drops the image's Cmd) or the image's Entrypoint,
 * then the caller's command or the image's Cmd.  Appended to argv at *n.
 */
static void add_program(const struct container *c,
			const struct image_config *ic, char **argv, int *n)
{
	json_t *v;
	size_t i;

	if (c->entrypoint && *c->entrypoint)
		argv[(*n)++] = c->entrypoint;
	if (!c->entrypoint)
		json_array_foreach (ic->entrypoint, i, v)
			if (json_string_value(v))
				argv[(*n)++] = (char *)json_string_value(v);
	for (int k = c->image + 1; k < c->nrun; k++)
		argv[(*n)++] = c->run[k];
	if (c->image + 1 >= c->nrun && !c->entrypoint)
		json_array_foreach (ic->cmd, i, v)
			if (json_string_value(v))
				argv[(*n)++] = (char *)json_string_value(v);
}

static size_t program_len(const struct container *c,
			  const struct image_config *ic)
{
	return json_array_size(ic->entrypoint) + json_array_size(ic->cmd) +
	       (size_t)(c->nrun - c->image) + 1;
}

/* The trace directory made ready, and the absolute path of its log/. */
static char *prepare_logdir(struct container *c, char **why)
{
	char *abs, *logdir;

	if (trace_dir_prepare(c->t.dir, why))
		return NULL;
	abs = realpath(c->t.dir, NULL);
	if (!abs) {
		*why = xasprintf("cannot resolve %s: %s", c->t.dir,
				 strerror(errno));
		return NULL;
	}
	logdir = xasprintf("%s/" UNROOT_TRACE_LOGDIR, abs);
	/* docker refuses a --cidfile that exists: ours is a fresh name */
	c->cidpath =
	    c->cidfile ? xstrdup(c->cidfile) : xasprintf("%s/" CT_CIDFILE, abs);
	if (!c->cidfile)
		unlink(c->cidpath);
	free(abs);
	return logdir;
}

/* Does the payload hold the fallback tracer? */
static bool has_helper(const char *payload)
{
	char *helper = xasprintf("%s/unroot-ptrace", payload);
	bool ok = !access(helper, X_OK);

	free(helper);
	return ok;
}

/* docker run [the caller's options] [ours] IMAGE [CMD...]; with the
 * fallback tracer, --entrypoint it IMAGE --if-static -- PROGRAM... */
static char **docker_argv(struct container *c, const char *payload,
			  const char *logdir, const char *preload,
			  const struct image_config *ic)
{
	char **argv =
	    own(c, xcalloc(c->nrun + 28 + program_len(c, ic), sizeof *argv));
	char **prog = own(c, xcalloc(program_len(c, ic), sizeof *prog));
	int nprog = 0;

	add_program(c, ic, prog, &nprog);
	bool fallback = nprog && has_helper(payload);
	char *flags = own(c, trace_flags(&c->t));
	int n = 0;

	argv[n++] = "docker";
	argv[n++] = "run";
	for (int i = 0; i < c->image; i++)
		if (strcmp(c->run[i], "--") && !c->skip[i])
			argv[n++] = c->run[i];
	if (!c->cidfile) {
		argv[n++] = "--cidfile";
		argv[n++] = c->cidpath;
	}
	if (!c->network) {
		argv[n++] = "--network";
		argv[n++] = "none";
	}
	argv[n++] = "--mount";
	argv[n++] = own(c, xasprintf("type=bind,source=%s,target=" CT_PAYLOAD
				     ",readonly",
				     payload));
	argv[n++] = "--mount";
	argv[n++] =
	    own(c, xasprintf("type=bind,source=%s,target=" CT_LOG, logdir));
	argv[n++] = "-e";
	argv[n++] = own(c, xasprintf("LD_PRELOAD=%s", preload));
	argv[n++] = "-e";
	argv[n++] = "UNROOT_LOG=" CT_LOG;
	argv[n++] = "-e";
	argv[n++] = own(c, xasprintf("UNROOT_FLAGS=%s", flags));
	argv[n++] = "-e";
	argv[n++] = "UNROOT_LIB=" CT_LIB;
	if (fallback) {
		argv[n++] = "--entrypoint";
		argv[n++] = CT_HELPER;
	}
	argv[n++] = c->run[c->image];
	if (!fallback) {
		for (int i = c->image + 1; i < c->nrun; i++)
			argv[n++] = c->run[i];
		argv[n] = NULL;
		return argv;
	}
	argv[n++] = "--if-static";
	argv[n++] = "--";
	for (int i = 0; i < nprog; i++)
		argv[n++] = prog[i];
	argv[n] = NULL;
	return argv;
}

/* Payload, docker, the image's own preload; the trace directory's log.
 * docker is asked about itself only when the image cannot be inspected:
 * a missing command or daemon explains that better than the image, and a
 * run that works is spared a `docker version` (about 0.1 s). */
static char *prepare(struct container *c, char **payload, char **preload,
		     struct image_config *ic, char **why)
{
	char *logdir, *docker_why = NULL;

	*payload = find_payload(c, why);
	if (!*payload)
		return NULL;
	if (image_config(c->run[c->image], ic, why)) {
		if (check_docker(&docker_why)) {
			free(*why);
			*why = docker_why;
		}
		return NULL;
	}
	logdir = prepare_logdir(c, why);
	if (logdir && (strpbrk(*payload, ":,") || strpbrk(logdir, ":,"))) {
		*why = xasprintf("a path with ':' or ',' cannot be given to "
				 "docker -v: %s or %s",
				 *payload, logdir);
		free(logdir);
		logdir = NULL;
	}
	if (logdir) {
		const char *mine =
		    c->user_preload ? c->user_preload : ic->preload;

		*preload = mine && *mine ? xasprintf(CT_LIB ":%s", mine)
					 : xstrdup(CT_LIB);
	}
	return logdir;
}

int container_start(struct container *c, int out_fd, char **why)
{
	char *payload = NULL, *preload = NULL, *logdir, **argv;
	struct image_config ic = {0};
	int exec_err;

	*why = NULL;
	logdir = prepare(c, &payload, &preload, &ic, why);
	if (!logdir) {
		image_config_free(&ic);
		free(payload);
		return -1;
	}
	argv = docker_argv(c, payload, logdir, preload, &ic);
	free(payload);
	free(preload);
	free(logdir);
	c->started = now_ns();
	c->pid = child_start(argv, out_fd, &exec_err);
	image_config_free(&ic); /* argv pointed into it until docker ran */
	if (c->pid < 0) {
		*why = xasprintf("cannot run docker: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- after the run ------------------------------------------------------- */

/* "run": the options recorded while parsing, and the command. */
static json_t *run_json(const struct container *c)
{
	json_t *r = json_deep_copy(c->runopts), *cmd = json_array();

	if (!r)
		r = json_object();
	for (int i = c->image + 1; i < c->nrun; i++)
		json_array_append_new(cmd, json_path(c->run[i]));
	if (c->image + 1 < c->nrun)
		json_object_set_new(r, K_META_RUN_COMMAND, cmd);
	else
		json_decref(cmd);
	return r;
}

static json_t *meta_json(const struct container *c, long long ended, int status)
{
	json_t *cmd = json_array(), *binds = json_array(), *m;

	/* without --argv only the image and the command name, as `unroot run`
	 * records it; "run" keeps the arguments given, which a Pod needs, and
	 * -e values other than the host's (SCHEMA.md) */
	json_array_append_new(cmd, json_path(c->run[c->image]));
	for (int i = c->image + 1; i < c->nrun; i++) {
		json_array_append_new(cmd, json_path(c->run[i]));
		if (!c->t.argv)
			break;
	}
	for (size_t i = 0; i < c->nbinds; i++) {
		const struct ct_bind *b = &c->binds[i];
		json_t *j = json_object();

		json_object_set_new(j, K_META_BIND_CONTAINER,
				    json_path(b->container));
		json_object_set_new(j, K_META_BIND_HOST,
				    b->host ? json_path(b->host) : json_null());
		json_object_set_new(j, K_META_BIND_RO, json_boolean(b->ro));
		if (b->volume)
			json_object_set_new(j, K_META_BIND_VOLUME,
					    json_string(b->volume));
		json_array_append_new(binds, j);
	}
	m = trace_meta_new(&c->t, cmd, c->started, ended, status,
			   UNROOT_RUNNER_DOCKER);
	json_object_set_new(m, K_META_IMAGE, json_path(c->run[c->image]));
	json_object_set_new(m, K_META_BINDS, binds);
	json_object_set_new(m, K_META_RUN, run_json(c));
	return m;
}

/* The container's id, from the --cidfile docker wrote; NULL when docker
 * made no container. */
static char *container_id(const struct container *c)
{
	struct strbuf sb = STRBUF_INIT;
	FILE *f = c->cidpath ? fopen(c->cidpath, "re") : NULL;
	char buf[256];
	size_t n;

	while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_add(&sb, buf, n);
	if (f)
		fclose(f);
	while (sb.len && strchr(" \n", sb.buf[sb.len - 1]))
		sb.buf[--sb.len] = '\0';
	if (!sb.len || strspn(sb.buf, "0123456789abcdef") != sb.len) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

/* The --rm held back: done now that the layer was read. */
static void remove_container(struct container *c, const char *cid)
{
	char *argv[] = {"docker", "rm", "--force", (char *)cid, NULL};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	if (child_capture(argv, &out, &err))
		note(c, "cannot remove container %.12s (docker run --rm): %s",
		     cid, first_line(&err));
	sb_release(&out);
	sb_release(&err);
}

/*
 * trace.json, with the cross-check of the container's layer when docker
 * made a container (it has stopped: the layer is as the workload left
 * it); then the container is removed when the caller asked for --rm.
 */
static void write_meta(struct container *c, struct trace *t, int status)
{
	json_t *m = meta_json(c, now_ns(), status);
	char *cid = container_id(c);

	if (cid) {
		/* docker names the host after the container: another name in
		 * every run, unless the caller chose one */
		if (!c->own_hostname && strlen(cid) >= 12)
			json_object_set_new(m, K_META_HOSTNAME,
					    json_stringn(cid, 12));
		json_object_set_new(m, K_META_LAYER, layer_check(c, cid, t));
		if (c->rm)
			remove_container(c, cid);
	}
	if (!c->cidfile && c->cidpath)
		unlink(c->cidpath);
	trace_dir_finish(c->t.dir, m);
	free(cid);
}

int container_finish(struct container *c, int status, char **why)
{
	char *dirs[] = {(char *)c->t.dir};
	struct trace *t;
	bool first = false;
	size_t n;

	*why = NULL;
	t = traces_load(dirs, 1, TRACES_EMPTY_OK, why);
	free(*why);
	*why = NULL;
	write_meta(c, t, status);
	n = t ? trace_nprocs(t) : 0;
	for (size_t i = 0; i < n; i++)
		if (trace_proc_at(t, i)->pid == 1)
			first = true;
	if (t)
		trace_close(t);
	if (!n && status >= 125 && status <= 127) {
		*why = xasprintf("docker could not start the container (exit "
				 "%d, see docker's message above): nothing "
				 "was traced",
				 status);
		return status;
	}
	if (!n) {
		*why = xasprintf(
		    "no process of the container reported to the tracer (the "
		    "container exited with %d): its first program could not "
		    "load %s (a static binary, a libc other than glibc or "
		    "musl, another architecture?) or the log directory was "
		    "not writable; nothing was traced",
		    status, CT_LIB);
		return EXIT_RUN_ERROR;
	}
	if (!first && !c->init && !c->pidhost)
		note(c, "the container's first process did not report in (a "
			"static binary?): only its children were traced");
	return 0;
}

void container_free(struct container *c)
{
	for (size_t i = 0; i < c->nbinds; i++) {
		free(c->binds[i].container);
		free(c->binds[i].host);
		free(c->binds[i].volume);
	}
	free(c->binds);
	free(c->user_preload);
	free(c->entrypoint);
	for (size_t i = 0; i < c->ntmpfs; i++)
		free(c->tmpfs[i]);
	free(c->tmpfs);
	free(c->skip);
	free(c->cidfile);
	free(c->cidpath);
	free(c->workdir);
	json_decref(c->runopts);
	for (size_t i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	for (size_t i = 0; i < c->nown; i++)
		free(c->own[i]);
	free(c->own);
	memset(c, 0, sizeof *c);
}
