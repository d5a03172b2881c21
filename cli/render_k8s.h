/*
 * render_k8s.h - the pod spec the k8s and pod formats share
 * (render_k8s.c), for render_k8s.c and render_pod.c only.
 */
#ifndef UNROOT_RENDER_K8S_H
#define UNROOT_RENDER_K8S_H

#include "render_int.h"

/* What a format adds to the one container: its fields (image, command,
 * ports), env items, its volume mounts and their volumes, each written
 * under in;
 * each callback returns 0, or -1 with *why.  NULL callbacks add nothing. */
typedef int (*k8s_part)(struct strbuf *sb, const char *in, const void *ctx,
			char **why);
struct k8s_container {
	const char *name;  /* a DNS label */
	const char *image; /* the init containers' image; NULL: unknown */
	k8s_part fields, mounts, volumes;
	k8s_part env;	/* items of the container's env, before the plan's */
	bool has_env;	/* env writes at least one line */
	size_t nmounts; /* mounts and volumes write this many entries */
	const void *ctx;
};

/* The plan's header comments, and what a pod cannot do itself. */
void k8s_header(struct strbuf *sb, const struct plan *pl);
/* The fields of a pod spec (securityContext, containers, volumes), each
 * line under in; 0, or -1 with *why when a path cannot be written. */
int k8s_pod_spec(struct strbuf *sb, const char *in, const struct plan *pl,
		 const struct render_options *ro, const struct k8s_container *c,
		 char **why);

#endif
