/*
 * render_k8s.c - the plan as Kubernetes YAML: `--format k8s`, a
 * strategic-merge patch of a pod template (spec.template.spec of a
 * Deployment, StatefulSet, DaemonSet or Job), and `--format pod`, a whole
 * Pod that names the traced image (render_pod.c).  Both share the pod spec
 * written here.
 *
 * Invariants:
 * - The pod always meets the Pod Security Standard "restricted" profile:
 *   runAsNonRoot with a numeric runAsUser and runAsGroup, seccompProfile
 *   RuntimeDefault, allowPrivilegeEscalation false, capabilities.drop
 *   [ALL].  NET_BIND_SERVICE is never added: a non-root user does not keep
 *   it in its effective set, and no_new_privs blocks file capabilities; a
 *   port below 1024 gets the pod sysctl net.ipv4.ip_unprivileged_port_start
 *   (a safe sysctl since Kubernetes 1.22) instead.
 * - With --read-only: readOnlyRootFilesystem true and one emptyDir per
 *   planned tmpfs mount.  The planner chose those directories so that none
 *   hides a file shipped in the image (a Kubernetes emptyDir starts empty:
 *   unlike a Docker volume it copies nothing from the image).  A seeded
 *   mount (a directory of the image's files written at run time) gets an
 *   init container, the same image under the same securityContext, that
 *   copies the directory into its emptyDir (`cp -a DIR/. /seed/image`: a
 *   subdirectory, because the emptyDir's own root belongs to root and cp
 *   cannot set its times), which the app mounts at DIR with subPath image.
 *   A mount at the image's VOLUME says that the emptyDir goes with the pod
 *   and that a persistent volume keeps the data; the pod then has an
 *   fsGroup, which such a volume needs.
 * - An image VOLUME whose files the workload uses is called out in the
 *   header: Kubernetes copies nothing into a volume; the comment names the
 *   init container that fills it, or gives the one to add.
 * - Every field the plan chose has a comment naming the trace event that
 *   needed it.  Every string is a YAML double-quoted scalar (yaml_str);
 *   a path that cannot be written so fails the whole render.
 */
#include <stdlib.h>
#include <string.h>

#include "render_int.h"
#include "render_k8s.h"

void k8s_header(struct strbuf *sb, const struct plan *pl)
{
	add_header(sb, pl);
	add_image_volume_comments(sb, pl, true);
	for (size_t i = 0; i < pl->ngrants; i++)
		if (!pl->grants[i].alternative &&
		    pl->grants[i].kind != GRANT_GROUP) {
			sb_adds(sb, "# The image needs the grants of `unroot "
				    "plan --format dockerfile` (or `unroot "
				    "apply`) built in: a pod cannot change "
				    "the image's files.\n");
			break;
		}
}

/* A volume the user writes (one the trace saw, or one mounted at the
 * image's VOLUME, where a persistent volume may replace the emptyDir)
 * gets the plan's group as fsGroup. */
bool plan_fs_group(const struct plan *pl, unsigned *gid)
{
	*gid = pl->gid;
	for (size_t i = 0; i < pl->nhost; i++)
		if (!pl->host[i].ro)
			return true;
	for (size_t i = 0; i < pl->ntmpfs; i++)
		if (pl->tmpfs[i].volume)
			return true;
	return false;
}

static void pod_security_context(struct strbuf *sb, const char *in,
				 const struct plan *pl)
{
	size_t from = 0;
	unsigned gid;

	sb_addf(sb,
		"%ssecurityContext:\n"
		"%s  runAsNonRoot: true\n"
		"%s  runAsUser: %u # the plan's user\n"
		"%s  runAsGroup: %u\n",
		in, in, in, pl->uid, in, pl->gid);
	for (size_t i = 0; i < pl->nhost; i++)
		if (!pl->host[i].ro) {
			add_yaml_evidence(sb, in, &pl->host[i].ev);
			sb_addf(sb,
				"%s#   a volume the user writes: fsGroup gives "
				"it the group (a hostPath is not changed: "
				"chown it on the node)\n",
				in);
		}
	if (plan_fs_group(pl, &gid))
		sb_addf(sb, "%s  fsGroup: %u\n", in, gid);
	if (plan_group_added(pl, &from, &gid)) {
		sb_addf(sb, "%s  supplementalGroups:\n", in);
		do {
			const struct grant *g = &pl->grants[from - 1];

			add_yaml_evidence(sb, in, &g->ev);
			sb_addf(sb, "%s    - %u # the image's group ", in, gid);
			{
				char *n = comment_safe(g->path);

				sb_addf(sb, "%s\n", n);
				free(n);
			}
		} while (plan_group_added(pl, &from, &gid));
	}
	sb_addf(sb, "%s  seccompProfile:\n%s    type: RuntimeDefault\n", in,
		in);
	if (pl->low_port) {
		char *in2 = xasprintf("%s  ", in);

		add_port_comments(sb, in2, pl, false);
		free(in2);
		sb_addf(sb,
			"%s  sysctls:\n"
			"%s    - name: net.ipv4.ip_unprivileged_port_start\n"
			"%s      value: \"%u\"\n",
			in, in, in, pl->low_port);
	}
}

static int container_env(struct strbuf *sb, const char *in,
			 const struct plan *pl, const struct k8s_container *c,
			 char **why)
{
	if (!pl->nredirects && !c->has_env)
		return 0;
	sb_addf(sb, "%senv:\n", in);
	if (c->has_env && c->env && c->env(sb, in, c->ctx, why))
		return -1;
	for (size_t i = 0; i < pl->nredirects; i++) {
		const struct redirect *r = &pl->redirects[i];
		char *v = yaml_str(r->value, "the value of", why);

		if (!v)
			return -1;
		add_yaml_evidence(sb, in, &r->ev);
		sb_addf(sb, "%s  - name: %s\n%s    value: %s\n", in, r->var, in,
			v);
		free(v);
	}
	return 0;
}

static void container_security_context(struct strbuf *sb, const char *in,
				       bool read_only)
{
	sb_addf(sb,
		"%ssecurityContext:\n"
		"%s  allowPrivilegeEscalation: false\n"
		"%s  capabilities:\n"
		"%s    drop: [\"ALL\"]\n",
		in, in, in, in);
	if (read_only)
		sb_addf(sb,
			"%s  # planned with --read-only: every directory "
			"written at run time is a volume below\n"
			"%s  readOnlyRootFilesystem: true\n",
			in, in);
}

/* The emptyDir mounts, named unroot-rw-N; 0 or -1 with *why. */
static int emptydir_mounts(struct strbuf *sb, const char *in,
			   const struct plan *pl, char **why)
{
	for (size_t i = 0; i < pl->ntmpfs; i++) {
		char *d = yaml_str(pl->tmpfs[i].dir, "the directory", why);

		if (!d)
			return -1;
		add_yaml_evidence(sb, in, &pl->tmpfs[i].ev);
		if (pl->tmpfs[i].volume)
			sb_addf(
			    sb,
			    "%s#   a volume in Docker (the image's VOLUME): "
			    "this emptyDir goes with the pod; a "
			    "persistentVolumeClaim here keeps what is "
			    "written (fsGroup makes it the user's)%s\n",
			    in,
			    pl->tmpfs[i].seed
				? ", once the init container below copies "
				  "the image's files only into an empty "
				  "claim: as written it copies them at "
				  "every start, over what the workload "
				  "changed"
				: "");
		if (pl->tmpfs[i].seed)
			sb_addf(sb,
				"%s#   written at run time beside the image's "
				"files: the init container unroot-seed-%zu "
				"copied them into the volume\n",
				in, i);
		else if (pl->tmpfs[i].unread)
			sb_addf(sb,
				"%s#   written at run time; REVIEW: the trace "
				"records no reads, so it may hold files of "
				"the image this empty volume hides\n",
				in);
		else
			sb_addf(sb,
				"%s#   written at run time; holds no file of "
				"the image, so an empty volume hides nothing\n",
				in);
		sb_addf(sb, "%s- name: unroot-rw-%zu\n%s  mountPath: %s\n", in,
			i, in, d);
		if (pl->tmpfs[i].seed)
			sb_addf(sb, "%s  subPath: image\n", in);
		free(d);
	}
	return 0;
}

/* The image of the init containers: the app's, when known. */
static int seed_image(struct strbuf *sb, const char *in,
		      const struct k8s_container *c, char **why)
{
	char *img;

	if (!c->image) {
		sb_addf(sb,
			"%s# REVIEW: the app container's image (the trace "
			"names none: `unroot docker` records it)\n"
			"%simage: \"IMAGE\"\n",
			in, in);
		return 0;
	}
	img = yaml_str(c->image, "the image", why);
	if (!img)
		return -1;
	sb_addf(sb,
		"%simage: %s # REVIEW: the app container's (this is the one "
		"`unroot docker` traced)\n",
		in, img);
	free(img);
	return 0;
}

/* One init container per seeded mount: it copies the image's directory
 * into the emptyDir the app mounts there; 0 or -1 with *why. */
static int seed_containers(struct strbuf *sb, const char *in,
			   const struct plan *pl, const struct k8s_container *c,
			   bool rdonly, char **why)
{
	char *ci = xasprintf("%s    ", in);
	bool any = false;
	int rc = -1;

	for (size_t i = 0; i < pl->ntmpfs; i++) {
		const struct tmpfs_fix *t = &pl->tmpfs[i];
		char *src, *d;

		if (!t->seed)
			continue;
		src = xasprintf("%s/.", t->dir);
		d = yaml_str(src, "the directory", why);
		free(src);
		if (!d)
			goto out;
		if (!any)
			sb_addf(sb, "%sinitContainers:\n", in);
		any = true;
		add_yaml_evidence(sb, in, &t->ev);
		sb_addf(sb,
			"%s#   the workload needs the image's files there and "
			"writes beside them: an emptyDir starts empty, so "
			"this copies them in first\n"
			"%s  - name: unroot-seed-%zu\n",
			in, in, i);
		if (seed_image(sb, ci, c, why)) {
			free(d);
			goto out;
		}
		if (pl->no_shell)
			sb_addf(sb,
				"%s# REVIEW: the image has no shell and may "
				"have no cp: use one that has, with the same "
				"content\n",
				ci);
		sb_addf(sb,
			"%scommand: [\"cp\", \"-a\", %s, \"/seed/image\"]\n",
			ci, d);
		free(d);
		container_security_context(sb, ci, rdonly);
		sb_addf(sb,
			"%svolumeMounts:\n%s  - name: unroot-rw-%zu\n"
			"%s    mountPath: /seed\n",
			ci, ci, i, ci);
	}
	rc = 0;
out:
	free(ci);
	return rc;
}

static void emptydir_volumes(struct strbuf *sb, const char *in,
			     const struct plan *pl)
{
	for (size_t i = 0; i < pl->ntmpfs; i++)
		sb_addf(sb, "%s- name: unroot-rw-%zu\n%s  emptyDir: {}\n", in,
			i, in);
}

int k8s_pod_spec(struct strbuf *sb, const char *in, const struct plan *pl,
		 const struct render_options *ro, const struct k8s_container *c,
		 char **why)
{
	struct strbuf ci = STRBUF_INIT, vi = STRBUF_INIT, mi = STRBUF_INIT;
	bool rdonly = ro && ro->read_only;
	int rc = -1;

	pod_security_context(sb, in, pl);
	if (seed_containers(sb, in, pl, c, rdonly, why))
		return -1;
	sb_addf(&ci, "%s    ", in);   /* a container's fields */
	sb_addf(&vi, "%s  ", in);     /* a list's items */
	sb_addf(&mi, "%s      ", in); /* the container's mounts */
	sb_addf(sb, "%scontainers:\n%s  - name: %s # the container's name\n",
		in, in, c->name);
	if (c->fields && c->fields(sb, ci.buf, c->ctx, why))
		goto out;
	if (container_env(sb, ci.buf, pl, c, why))
		goto out;
	container_security_context(sb, ci.buf, rdonly);
	if (pl->ntmpfs || (c->nmounts && c->mounts)) {
		sb_addf(sb, "%svolumeMounts:\n", ci.buf);
		if (emptydir_mounts(sb, mi.buf, pl, why))
			goto out;
		if (c->mounts && c->mounts(sb, mi.buf, c->ctx, why))
			goto out;
	}
	if (pl->ntmpfs || (c->nmounts && c->volumes)) {
		sb_addf(sb, "%svolumes:\n", in);
		emptydir_volumes(sb, vi.buf, pl);
		if (c->volumes && c->volumes(sb, vi.buf, c->ctx, why))
			goto out;
	}
	rc = 0;
out:
	sb_release(&ci);
	sb_release(&vi);
	sb_release(&mi);
	return rc;
}

int render_k8s(const struct plan *pl, const struct render_options *ro,
	       struct strbuf *sb, char **why)
{
	const struct k8s_container c = {
	    .name = "app",
	    .image = ro && ro->deploy ? ro->deploy->image : NULL};

	k8s_header(sb, pl);
	sb_adds(
	    sb,
	    "# A strategic-merge patch of a pod template (docs/deploy.md):\n"
	    "# kustomize `patches` with a target, or `kubectl patch "
	    "--type strategic`.\n"
	    "# Set metadata.name and the container's name to your "
	    "workload's.\n"
	    "apiVersion: apps/v1\n"
	    "kind: Deployment\n"
	    "metadata:\n"
	    "  name: app\n"
	    "spec:\n"
	    "  template:\n"
	    "    spec:\n");
	return k8s_pod_spec(sb, "      ", pl, ro, &c, why);
}
