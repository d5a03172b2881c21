/*
 * dockerargs.c - reading docker run's arguments (container.h): where IMAGE
 * is, whether a network, --init or --pid host was chosen, the user's own
 * LD_PRELOAD and --entrypoint, every -v and --mount with its host
 * directory, the --tmpfs mounts, and --rm and --cidfile (the container is
 * kept until its changes are read); and the options trace.json's "run"
 * records (user, env, ports, read-only, tmpfs, groups, capabilities,
 * security options, sysctls, workdir, entrypoint).  To find
 * IMAGE we must know which options take a value; unknown long options are
 * taken as flags unless written --opt=value.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "schema.h"
#include "util.h"

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

static void add_bind(struct container *o, const char *ctr, const char *host,
		     const char *volume, bool ro)
{
	struct ct_bind *b;

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

/* A tmpfs mounted at dir[0..len): not part of the container's layer. */
static void add_tmpfs(struct container *o, const char *dir, size_t len)
{
	o->tmpfs = xrealloc(o->tmpfs, (o->ntmpfs + 1) * sizeof *o->tmpfs);
	o->tmpfs[o->ntmpfs++] = xstrndup(dir, len);
}

/* -v HOST:CTR[:OPTS], -v NAME:CTR[:OPTS] or -v CTR (anonymous volume) */
static void parse_volume(struct container *o, const char *spec)
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
static void parse_mount(struct container *o, const char *spec)
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
	if (dst && !strcmp(type, "tmpfs"))
		add_tmpfs(o, dst, strlen(dst));
	else if (dst && !strcmp(type, "bind") && src)
		add_bind(o, dst, src, NULL, ro);
	else if (dst && !strcmp(type, "volume"))
		add_bind(o, dst, NULL, src ? src : "", ro);
	free(s);
}

/* -e NAME=VALUE, or -e NAME (docker takes the host's value): a value that
 * is the host's is not recorded, only that it came from the host. */
static json_t *env_json(const char *val)
{
	const char *eq = strchr(val, '=');
	char *name = eq ? xstrndup(val, eq - val) : xstrdup(val);
	const char *host = getenv(name);
	json_t *e = json_object();

	json_object_set_new(e, K_NAME, json_path(name));
	if (!eq || (host && !strcmp(host, eq + 1)))
		json_object_set_new(e, K_META_RUN_ENV_FROMHOST, json_true());
	else
		json_object_set_new(e, K_META_RUN_ENV_VALUE, json_path(eq + 1));
	free(name);
	return e;
}

/* The options trace.json's "run" keeps: each a list, or the last one. */
static const char *const listed[][2] = {
    {"env", K_META_RUN_ENV},
    {"env-file", K_META_RUN_ENV_FILE},
    {"publish", K_META_RUN_PORTS},
    {"tmpfs", K_META_RUN_TMPFS},
    {"group-add", K_META_RUN_GROUP_ADD},
    {"cap-add", K_META_RUN_CAP_ADD},
    {"cap-drop", K_META_RUN_CAP_DROP},
    {"security-opt", K_META_RUN_SECURITY_OPT},
    {"sysctl", K_META_RUN_SYSCTL},
};
static const char *const single[][2] = {
    {"user", K_META_RUN_USER},
    {"workdir", K_META_RUN_WORKDIR},
    {"entrypoint", K_META_RUN_ENTRYPOINT},
};

static void record_option(struct container *o, const char *name,
			  const char *val)
{
	json_t *r = o->runopts, *a;

	if (!strcmp(name, "read-only"))
		json_object_set_new(r, K_META_RUN_READ_ONLY,
				    json_boolean(!val || strcmp(val, "false")));
	for (size_t i = 0; val && i < sizeof single / sizeof *single; i++)
		if (!strcmp(name, single[i][0]))
			json_object_set_new(r, single[i][1], json_path(val));
	for (size_t i = 0; val && i < sizeof listed / sizeof *listed; i++) {
		if (strcmp(name, listed[i][0]))
			continue;
		a = json_object_get(r, listed[i][1]);
		if (!a) {
			a = json_array();
			json_object_set_new(r, listed[i][1], a);
		}
		json_array_append_new(a, i ? json_path(val) : env_json(val));
	}
}

/* What we need to know of one docker run option (name without dashes);
 * 0, or -1 with *why. */
static int note_option(struct container *o, const char *name, const char *val,
		       char **why)
{
	if (!strcmp(name, "d") || !strcmp(name, "detach")) {
		*why = xstrdup("-d/--detach is not supported: unroot docker "
			       "waits for the container to read its trace");
		return -1;
	}
	record_option(o, name, val);
	if (!strcmp(name, "network") || !strcmp(name, "net"))
		o->network = true;
	else if (!strcmp(name, "init"))
		o->init = !val || strcmp(val, "false");
	else if (!strcmp(name, "pid") && val && !strcmp(val, "host"))
		o->pidhost = true;
	else if (!strcmp(name, "rm"))
		o->rm = !val || strcmp(val, "false");
	if (!strcmp(name, "hostname") || !strcmp(name, "uts") ||
	    ((!strcmp(name, "network") || !strcmp(name, "net")) && val &&
	     !strncmp(val, "container:", 10)))
		o->own_hostname = true;
	else if (!strcmp(name, "workdir") && val) {
		free(o->workdir);
		o->workdir = xstrdup(val);
	} else if (!strcmp(name, "cidfile") && val) {
		free(o->cidfile);
		o->cidfile = xstrdup(val);
	} else if (!strcmp(name, "tmpfs") && val)
		add_tmpfs(o, val, strcspn(val, ":"));
	else if ((!strcmp(name, "volume") || !strcmp(name, "v")) && val)
		parse_volume(o, val);
	else if (!strcmp(name, "mount") && val)
		parse_mount(o, val);
	else if (!strcmp(name, "entrypoint") && val) {
		free(o->entrypoint);
		o->entrypoint = xstrdup(val);
	} else if ((!strcmp(name, "env") || !strcmp(name, "e")) && val &&
		   !strncmp(val, "LD_PRELOAD=", 11))
		o->user_preload = xstrdup(val + 11);
	return 0;
}

int container_parse(struct container *o, char **why)
{
	int i;

	free(o->skip);
	o->skip = xcalloc(o->nrun + 1, sizeof *o->skip);
	json_decref(o->runopts);
	o->runopts = json_object();
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
					*why = xasprintf("docker run option %s "
							 "needs a value",
							 a);
					free(name);
					return -1;
				}
				val = o->run[++i];
			}
			r = note_option(o, name, val, why);
			if (!strcmp(name, "rm"))
				o->skip[i] = true; /* held back (container.h) */
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
				if (note_option(o, flag, NULL, why))
					return -1;
				continue;
			}
			if (c[1])
				val = c[1] == '=' ? c + 2 : c + 1;
			else if (i + 1 < o->nrun)
				val = o->run[++i];
			else {
				*why = xasprintf("docker run option -%c needs "
						 "a value",
						 *c);
				return -1;
			}
			if (note_option(o, short_long[p - short_value], val,
					why))
				return -1;
			break;
		}
	}
	if (i >= o->nrun) {
		*why = xstrdup("no image given; see 'unroot docker --help'");
		return -1;
	}
	o->image = i;
	return 0;
}

int docker_run_operand(char **run, int nrun, char **why)
{
	struct container c = {0};
	char **v = xcalloc(nrun + 3, sizeof *v);
	int r;

	/* stand-ins are appended so that the parse finds an operand; a last
	 * option without its value takes the first */
	memcpy(v, run, nrun * sizeof *v);
	v[nrun] = v[nrun + 1] = "unroot-harden-image";
	c.run = v;
	c.nrun = nrun + 2;
	r = container_parse(&c, why) ? -1 : c.image;
	if (r > nrun) {
		*why = xasprintf("docker run option %s needs a value",
				 run[nrun - 1]);
		r = -1;
	}
	container_free(&c);
	free(v);
	return r;
}
