/*
 * harden_kubelet.c - `unroot harden --read-only` (harden.h): each run as
 * the user is the run a kubelet gives the pod the k8s format describes,
 * and a verified plan is written beside the hardened Dockerfile in the
 * three deploy formats (OUT.k8s.yaml, OUT.pod.yaml, OUT.compose.yaml).
 *
 * The run (docker run options after the caller's, so they win):
 *   --read-only                 readOnlyRootFilesystem: true
 *   one empty 1777 directory    an emptyDir per planned tmpfs mount, and
 *     bound at each mount path  no other writable mount
 *   --user UID:GID              runAsUser, runAsGroup
 *   --group-add G               fsGroup and each supplementalGroups entry
 *   --cap-drop ALL              capabilities.drop [ALL]
 *   --security-opt no-new-privileges   allowPrivilegeEscalation: false
 *   --sysctl net.ipv4.ip_unprivileged_port_start=N   the planned N, or
 *                               1024 (the kernel's, which a pod gets on a
 *                               runtime that does not lower it; Docker
 *                               sets 0, which would hide a low port)
 * A seeded mount (a directory that holds image files and is written at run
 * time) first gets the init container the k8s format gives: the image's
 * directory copied into the emptyDir as image/, mounted at DIR.
 * An emptyDir is an empty directory anyone may write that copies nothing
 * from the image.  Docker's --tmpfs is not that: runc gives the tmpfs the
 * mode of the image's directory under it whatever mode= says, so a
 * directory the image ships 0755 root would be refused to the user where
 * a kubelet's emptyDir is not.  An empty host directory (mode 1777, new
 * for each round, under the work directory) bound there is.
 *
 * Invariants:
 * - The three files come from the verified plan through plan_render (the
 *   one table of formats), never from text of their own here.
 * - A file in their place that unroot did not write (its first line is not
 *   the plan header) is never replaced: harden refuses before it builds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcodes.h"
#include "harden.h"
#include "traceopen.h"

static const struct {
	enum plan_format format;
	const char *suffix, *what;
} deploy_files[] = {
    {FORMAT_K8S, ".k8s.yaml", "Kubernetes pod template patch"},
    {FORMAT_POD, ".pod.yaml", "Pod manifest"},
    {FORMAT_COMPOSE, ".compose.yaml", "Compose service keys"},
};
#define NDEPLOY (sizeof deploy_files / sizeof *deploy_files)

/* ---- the run ------------------------------------------------------------- */

static void kube_add(struct harden *h, char *arg)
{
	h->kube = xrealloc(h->kube, (h->nkube + 2) * sizeof *h->kube);
	h->kube[h->nkube++] = arg;
	h->kube[h->nkube] = NULL;
}

void harden_kubelet_free(struct harden *h)
{
	for (int i = 0; i < h->nkube; i++)
		free(h->kube[i]);
	free(h->kube);
	h->kube = NULL;
	h->nkube = 0;
}

/* An empty directory anyone may write, as an emptyDir starts; NULL after a
 * message. */
static char *empty_dir(const char *parent, size_t i)
{
	char *d = xasprintf("%s/%zu", parent, i);

	if (mkdir(d, 0700) || chmod(d, 01777)) {
		errmsg("cannot create %s: %s", d, strerror(errno));
		free(d);
		return NULL;
	}
	return d;
}

/*
 * A seeded mount: the init container the k8s format gives, run as a
 * kubelet would (the built image, read-only root, the pod's user, all
 * capabilities dropped): it copies DIR of the image into the new emptyDir
 * as image/, which the run then mounts at DIR (the subPath).  *d becomes
 * that subdirectory; 0, or -1 after a message.
 */
static int seed_dir(const struct harden *h, const struct plan *pl,
		    const char *dir, char **d, int round)
{
	char *user = xasprintf("--user=%u:%u", pl->uid, pl->gid);
	char *mount = xasprintf("type=bind,source=%s,destination=/seed", *d);
	char *from = xasprintf("%s/.", dir);
	char *log = xasprintf("%s/round%d.seed.log", h->work, round);
	char *argv[] = {"docker",
			"run",
			"--rm",
			"--network",
			"none",
			"--read-only",
			user,
			"--cap-drop=ALL",
			"--security-opt=no-new-privileges",
			"--mount",
			mount,
			"--entrypoint",
			"cp",
			(char *)h->tag,
			"-a",
			from,
			"/seed/image",
			NULL};
	int rc = harden_run_logged(argv, log);

	if (rc)
		errmsg("the init step for %s failed (exit %d; log %s)", dir, rc,
		       log);
	printf("   init step: %s of the image copied into its emptyDir\n", dir);
	free(user);
	free(mount);
	free(from);
	free(log);
	if (rc)
		return -1;
	from = *d;
	*d = xasprintf("%s/image", from);
	free(from);
	return 0;
}

/* The emptyDir mounts: one new empty directory each, under a directory of
 * this round's; 0, or -1 after a message. */
static int emptydir_mounts(struct harden *h, const struct plan *pl, int round)
{
	char *parent = xasprintf("%s/round%d-emptydir.XXXXXX", h->work, round);
	int rc = 0;

	if (!mkdtemp(parent)) {
		errmsg("cannot create %s: %s", parent, strerror(errno));
		free(parent);
		return -1;
	}
	for (size_t i = 0; i < pl->ntmpfs && !rc; i++) {
		char *d = empty_dir(parent, i);

		if (!d) {
			rc = -1;
			break;
		}
		/* --mount's fields are comma-separated */
		if (strchr(d, ',') || strchr(pl->tmpfs[i].dir, ',')) {
			errmsg("%s or %s holds a comma: docker --mount cannot "
			       "bind it (choose another -w)",
			       d, pl->tmpfs[i].dir);
			free(d);
			rc = -1;
			break;
		}
		if (pl->tmpfs[i].seed &&
		    seed_dir(h, pl, pl->tmpfs[i].dir, &d, round)) {
			free(d);
			rc = -1;
			break;
		}
		kube_add(h, xstrdup("--mount"));
		kube_add(h, xasprintf("type=bind,source=%s,destination=%s", d,
				      pl->tmpfs[i].dir));
		free(d);
	}
	free(parent);
	return rc;
}

int harden_kubelet_args(struct harden *h, const struct plan *pl, int round)
{
	size_t from = 0;
	unsigned gid;

	harden_kubelet_free(h);
	kube_add(h, xstrdup("--read-only"));
	kube_add(h, xasprintf("--user=%u:%u", pl->uid, pl->gid));
	if (plan_fs_group(pl, &gid))
		kube_add(h, xasprintf("--group-add=%u", gid));
	while (plan_group_added(pl, &from, &gid))
		kube_add(h, xasprintf("--group-add=%u", gid));
	kube_add(h, xstrdup("--cap-drop=ALL"));
	kube_add(h, xstrdup("--security-opt=no-new-privileges"));
	kube_add(h, xasprintf("--sysctl=net.ipv4.ip_unprivileged_port_start=%u",
			      pl->low_port ? pl->low_port : 1024));
	if (emptydir_mounts(h, pl, round))
		return -1;
	printf("   as a kubelet runs the pod: read-only root, %zu emptyDir "
	       "mount%s, --user %u:%u, all capabilities dropped, "
	       "no-new-privileges\n",
	       pl->ntmpfs, pl->ntmpfs == 1 ? "" : "s", pl->uid, pl->gid);
	return 0;
}

/* h->kube for a run as --user UID:GID with the plan's --group-add
 * options (docker and podman drop /etc/group memberships when the group
 * is given): the number of groups added, 0 (and no options) when the plan
 * joins no group, so that USER as written was the whole check. */
size_t harden_group_args(struct harden *h, const struct plan *pl)
{
	size_t from = 0, n = 0;
	unsigned gid;

	harden_kubelet_free(h);
	while (plan_group_added(pl, &from, &gid)) {
		if (!n++)
			kube_add(h,
				 xasprintf("--user=%u:%u", pl->uid, pl->gid));
		kube_add(h, xasprintf("--group-add=%u", gid));
	}
	return n;
}

/* ---- the files ----------------------------------------------------------- */

static char *deploy_name(const struct harden *h, size_t i)
{
	return xasprintf("%s%s", h->out, deploy_files[i].suffix);
}

int harden_kubelet_prepare(const struct harden *h)
{
	int rc = 0;

	for (size_t i = 0; i < NDEPLOY && !rc; i++) {
		char *name = deploy_name(h, i), *old;
		size_t n;

		old = file_read(name, &n);
		if (!old && errno != ENOENT) {
			errmsg("cannot read %s: %s", name, strerror(errno));
			rc = EXIT_USAGE;
		} else if (old &&
			   strncmp(old, PLAN_HEADER, sizeof PLAN_HEADER - 1)) {
			errmsg("%s exists and was not written by unroot: "
			       "harden --read-only writes the %s there; move "
			       "it or name another OUT with -o",
			       name, deploy_files[i].what);
			rc = EXIT_USAGE;
		}
		free(old);
		free(name);
	}
	return rc;
}

/* Where the workload ran, from the root run's trace.json (the caller's
 * command and binds), naming the hardened image. */
static void deploy_of(const struct harden *h, const char *root_trace,
		      struct plan_deploy *d)
{
	char *dirs[] = {(char *)root_trace};
	struct trace *t = traces_open(dirs, 1, 0);

	memset(d, 0, sizeof *d);
	if (t) {
		plan_deploy_read(d, t);
		trace_close(t);
	}
	free(d->image);
	d->image = xstrdup(h->tag);
}

int harden_kubelet_files(const struct harden *h, const struct plan *pl,
			 const char *root_trace)
{
	struct plan_deploy d;
	struct render_options ro = {.escape = '\\', .read_only = true};
	int rc = 0;

	deploy_of(h, root_trace, &d);
	ro.deploy = &d;
	for (size_t i = 0; i < NDEPLOY && !rc; i++) {
		struct strbuf sb = STRBUF_INIT;
		char *name = deploy_name(h, i), *why = NULL;

		if (plan_render(pl, deploy_files[i].format, &ro, &sb, &why)) {
			errmsg("cannot write %s: %s", name, why);
			rc = EXIT_RUN_ERROR;
		} else if (file_replace(name, sb.buf, sb.len))
			rc = EXIT_RUN_ERROR;
		else
			printf("%s: %s\n", deploy_files[i].what, name);
		free(why);
		free(name);
		sb_release(&sb);
	}
	plan_deploy_free(&d);
	return rc;
}
