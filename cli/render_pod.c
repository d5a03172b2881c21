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
 * - The command is written only when its arguments were recorded
 *   (--argv): a command cut to its name would run something else.
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
	if (pc->d->args_cut)
		sb_addf(sb,
			"%s# command: the traced run gave one, but only its "
			"name was recorded (trace with --argv to have it "
			"here); the image's own runs\n",
			in);
	else if (pc->d->nargs) {
		sb_addf(sb, "%scommand:\n", in);
		for (size_t i = 0; i < pc->d->nargs; i++) {
			char *a = yaml_str(pc->d->args[i], "the argument", why);

			if (!a)
				return -1;
			sb_addf(sb, "%s  - %s\n", in, a);
			free(a);
		}
	}
	if (pc->pl->nports)
		sb_addf(sb, "%sports:\n", in);
	for (size_t i = 0; i < pc->pl->nports; i++) {
		add_yaml_evidence(sb, in, &pc->pl->ports[i].ev);
		sb_addf(sb, "%s  - containerPort: %u\n", in,
			pc->pl->ports[i].port);
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
				  .ctx = &pc};
	char *name;
	int rc;

	if (!d || !d->image) {
		*why = xstrdup("the trace names no image (trace it with "
			       "`unroot docker`, or use --format k8s)");
		return -1;
	}
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
