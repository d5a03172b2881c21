/*
 * render_pod.c - `--format pod`: a complete Pod manifest for the traced
 * image.  The image, the command and the -v/--mount binds come from what
 * `unroot docker` recorded in trace.json (struct plan_deploy); the pod spec
 * is the one the k8s format patches in (render_k8s.c).
 *
 * Invariants:
 * - No image recorded, no manifest: the render fails and says to use
 *   `unroot docker` (or --format k8s for a template of one's own).
 * - A host bind mount becomes a hostPath volume and a named volume a
 *   persistentVolumeClaim, each flagged "REVIEW": neither is what a
 *   cluster should get without a person deciding.
 * - The run's arguments after the image are `args` (docker's CMD), its
 *   --entrypoint `command`, its -w `workingDir` and its -e variables
 *   `env`, from trace.json's "run".  A trace without "run" has the
 *   command only when its arguments were recorded (--argv): a command cut
 *   to its name would run something else.
 * - A variable whose value came from the host's environment is never
 *   written: it is a commented placeholder to be given from a Secret.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "render_k8s.h"

/* A DNS-1123 label from the image's name ("reg/ns/app:1.2" -> "app"). */
static char *pod_name(const char *image)
{
	const char *b = strrchr(image, '/');
	struct strbuf sb = STRBUF_INIT;

	b = b ? b + 1 : image;
	for (const char *c = b; *c && *c != ':' && *c != '@' && sb.len < 50;
	     c++) {
		char ch = (char)tolower((unsigned char)*c);

		if (isalnum((unsigned char)ch) && ch < 0x7f)
			sb_addc(&sb, ch);
		else if (sb.len && sb.buf[sb.len - 1] != '-')
			sb_addc(&sb, '-');
	}
	while (sb.len && sb.buf[sb.len - 1] == '-')
		sb.buf[--sb.len] = 0;
	if (!sb.len)
		sb_adds(&sb, "app");
	return sb_detach(&sb);
}

/* key: and one item per string, under in; nothing when n is 0. */
static int yaml_list(struct strbuf *sb, const char *in, const char *key,
		     char *const *v, size_t n, char **why)
{
	if (n)
		sb_addf(sb, "%s%s:\n", in, key);
	for (size_t i = 0; i < n; i++) {
		char *a = yaml_str(v[i], "the argument", why);

		if (!a)
			return -1;
		sb_addf(sb, "%s  - %s\n", in, a);
		free(a);
	}
	return 0;
}

struct pod_ctx {
	const struct plan *pl;
	const struct plan_deploy *d;
};

static int pod_fields(struct strbuf *sb, const char *in, const void *ctx,
		      char **why)
{
	const struct pod_ctx *pc = ctx;
	char *img = yaml_str(pc->d->image, "the image", why);

	if (!img)
		return -1;
	sb_addf(sb, "%simage: %s # the image `unroot docker` ran\n", in, img);
	free(img);
	if (pc->d->entrypoint &&
	    yaml_list(sb, in, "command", &pc->d->entrypoint, 1, why))
		return -1;
	if (pc->d->args_cut)
		sb_addf(sb,
			"%s# args: the traced run gave a command, but only its "
			"name was recorded (trace with --argv to have it "
			"here); the image's own runs\n",
			in);
	else if (yaml_list(sb, in, "args", pc->d->args, pc->d->nargs, why))
		return -1;
	if (pc->d->workdir) {
		char *w =
		    yaml_str(pc->d->workdir, "the working directory", why);

		if (!w)
			return -1;
		sb_addf(sb, "%sworkingDir: %s # docker run -w\n", in, w);
		free(w);
	}
	size_t nlisted = 0;
	for (size_t i = 0; i < pc->pl->nports; i++) {
		const struct port_bind *b = &pc->pl->ports[i];

		if (b->loopback) {
			add_yaml_evidence(sb, in, &b->ev);
			sb_addf(sb,
				"%s#   port %u is bound to loopback only: "
				"reachable inside the pod, not a "
				"containerPort\n",
				in, b->port);
			continue;
		}
		if (!nlisted++)
			sb_addf(sb, "%sports:\n", in);
		add_yaml_evidence(sb, in, &b->ev);
		sb_addf(sb, "%s  - containerPort: %u\n", in, b->port);
	}
	return 0;
}

/* The traced run's -e variables; one taken from the host's environment
 * is a commented placeholder (its value was never recorded), and so is
 * each --env-file. */
static int pod_env(struct strbuf *sb, const char *in, const void *ctx,
		   char **why)
{
	const struct plan_deploy *d = ((const struct pod_ctx *)ctx)->d;

	for (size_t i = 0; i < d->nenv; i++) {
		char *n = yaml_str(d->env[i].name, "the variable's name", why);
		char *v = n && d->env[i].value
			      ? yaml_str(d->env[i].value, "the value of", why)
			      : NULL;

		if (n && d->env[i].value && v)
			sb_addf(sb,
				"%s  - name: %s # docker run -e\n"
				"%s    value: %s\n",
				in, n, in, v);
		else if (n && !d->env[i].value)
			sb_addf(sb,
				"%s  # - name: %s # REVIEW: the traced run "
				"took it from the host's environment; its "
				"value is not recorded: give it from a "
				"Secret\n",
				in, n);
		free(v);
		free(n);
		if (!n || (d->env[i].value && !v))
			return -1;
	}
	for (size_t i = 0; i < d->nenv_files; i++) {
		char *f = comment_safe(d->env_files[i]);

		sb_addf(sb,
			"%s  # REVIEW: docker run --env-file %s: its "
			"variables are not recorded: give them from a "
			"ConfigMap or a Secret\n",
			in, f);
		free(f);
	}
	return 0;
}

static int pod_mounts(struct strbuf *sb, const char *in, const void *ctx,
		      char **why)
{
	const struct pod_ctx *pc = ctx;

	for (size_t i = 0; i < pc->d->nmounts; i++) {
		const struct deploy_mount *m = &pc->d->mounts[i];
		char *p = yaml_str(m->container, "the mount point", why);

		if (!p)
			return -1;
		sb_addf(sb, "%s- name: unroot-bind-%zu\n%s  mountPath: %s\n",
			in, i, in, p);
		if (m->ro)
			sb_addf(sb, "%s  readOnly: true\n", in);
		free(p);
	}
	return 0;
}

static int pod_volumes(struct strbuf *sb, const char *in, const void *ctx,
		       char **why)
{
	const struct pod_ctx *pc = ctx;

	for (size_t i = 0; i < pc->d->nmounts; i++) {
		const struct deploy_mount *m = &pc->d->mounts[i];
		const char *src = m->volume ? m->volume : m->host;
		char *s = src ? yaml_str(src, "the mount's source", why)
			      : xstrdup("\"\"");

		if (!s)
			return -1;
		sb_addf(sb, "%s- name: unroot-bind-%zu\n", in, i);
		if (m->volume)
			sb_addf(sb,
				"%s  # REVIEW: docker volume %s: give the pod "
				"a claim of its own\n"
				"%s  persistentVolumeClaim:\n"
				"%s    claimName: %s\n",
				in, s, in, in, s);
		else
			sb_addf(sb,
				"%s  # REVIEW: a host directory (docker -v); "
				"a cluster should get a volume instead\n"
				"%s  hostPath:\n%s    path: %s\n",
				in, in, in, s);
		free(s);
	}
	return 0;
}

int render_pod(const struct plan *pl, const struct render_options *ro,
	       struct strbuf *sb, char **why)
{
	const struct plan_deploy *d = ro ? ro->deploy : NULL;
	struct pod_ctx pc = {.pl = pl, .d = d};
	struct k8s_container c = {.fields = pod_fields,
				  .mounts = pod_mounts,
				  .volumes = pod_volumes,
				  .env = pod_env,
				  .ctx = &pc};
	char *name;
	int rc;

	if (!d || !d->image) {
		*why = xstrdup("the trace names no image (trace it with "
			       "`unroot docker`, or use --format k8s)");
		return -1;
	}
	c.has_env = d->nenv || d->nenv_files;
	name = pod_name(d->image);
	c.name = name;
	c.image = d->image; /* the init containers' too */
	c.nmounts = d->nmounts;
	k8s_header(sb, pl);
	sb_addf(sb,
		"apiVersion: v1\n"
		"kind: Pod\n"
		"metadata:\n"
		"  name: %s\n"
		"spec:\n",
		name);
	rc = k8s_pod_spec(sb, "  ", pl, ro, &c, why);
	free(name);
	return rc;
}
