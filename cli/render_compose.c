/*
 * render_compose.c - `--format compose`: the keys of one Compose service,
 * to paste under services.NAME: user, read_only, tmpfs, cap_drop,
 * security_opt no-new-privileges, group_add and the redirects'
 * environment.
 *
 * Invariants:
 * - user is numeric "uid:gid" (as the USER line); a joined service group
 *   is a group_add, because a numeric user takes no groups from
 *   /etc/group.
 * - Each tmpfs is the one `docker run --tmpfs` the Dockerfile plan names
 *   (owned by the user), so the Compose run is the verified one.  A seeded
 *   mount (a directory of the image's files written at run time) is an
 *   anonymous volume instead: Docker copies the image's content into it,
 *   which a tmpfs would hide.  So is a mount at the image's VOLUME: Docker
 *   mounts a volume there, writable with read_only, and a tmpfs would
 *   take the writes away from it.
 * - An image VOLUME whose files the workload uses is called out: Docker
 *   fills a new anonymous or named volume with them, a bound host
 *   directory hides them.
 * - No sysctl is written for a port below 1024: Docker already sets
 *   net.ipv4.ip_unprivileged_port_start to 0 in a container; the comment
 *   says so (and what other runtimes need).
 */
#include <stdlib.h>

#include "render_int.h"

/* The tmpfs mounts (volume false) or the volumes (volume true), under
 * key. */
static int compose_mounts(struct strbuf *sb, const struct plan *pl, bool volume,
			  const char *key, char **why)
{
	bool any = false;

	for (size_t i = 0; i < pl->ntmpfs; i++) {
		const struct tmpfs_fix *t = &pl->tmpfs[i];
		char *opt, *q;

		if (plan_mount_is_volume(t) != volume)
			continue;
		opt = volume ? xstrdup(t->dir) : plan_tmpfs_option(pl, t);
		q = yaml_str(opt, "the mount", why);
		free(opt);
		if (!q)
			return -1;
		if (!any)
			sb_addf(sb, "%s:\n", key);
		any = true;
		add_yaml_evidence(sb, "  ", &t->ev);
		if (t->volume)
			sb_adds(sb,
				"  #   a volume (the image's VOLUME, or -v "
				"DIR): Docker mounts it, writable with "
				"read_only (a "
				"tmpfs would take the writes away from it); "
				"a named volume (NAME:DIR, declared under the "
				"top-level volumes) keeps them\n");
		else if (volume)
			sb_adds(sb,
				"  #   holds the image's files: an anonymous "
				"volume, which Docker fills with them (a "
				"tmpfs would hide them); a named volume "
				"(NAME:DIR, declared under the top-level "
				"volumes) is seeded the same way on first "
				"use and kept\n");
		sb_addf(sb, "  - %s\n", q);
		free(q);
	}
	return 0;
}

static int compose_env(struct strbuf *sb, const struct plan *pl, char **why)
{
	if (!pl->nredirects)
		return 0;
	sb_adds(sb, "environment:\n");
	for (size_t i = 0; i < pl->nredirects; i++) {
		const struct redirect *r = &pl->redirects[i];
		char *v = yaml_str(r->value, "the value of", why);

		if (!v)
			return -1;
		add_yaml_evidence(sb, "  ", &r->ev);
		sb_addf(sb, "  %s: %s\n", r->var, v);
		free(v);
	}
	return 0;
}

int render_compose(const struct plan *pl, const struct render_options *ro,
		   struct strbuf *sb, char **why)
{
	size_t from = 0;
	unsigned gid;

	add_header(sb, pl);
	add_image_volume_comments(sb, pl, false);
	sb_addf(sb,
		"# The keys of one Compose service: paste them under "
		"services.NAME (docs/deploy.md).\n"
		"# the plan's user, numeric\n"
		"user: \"%u:%u\"\n",
		pl->uid, pl->gid);
	if (plan_group_added(pl, &from, &gid)) {
		sb_adds(sb, "group_add:\n");
		do {
			add_yaml_evidence(sb, "  ", &pl->grants[from - 1].ev);
			sb_addf(sb, "  - \"%u\"\n", gid);
		} while (plan_group_added(pl, &from, &gid));
	}
	if (ro && ro->read_only)
		sb_adds(sb, "# planned with --read-only: each directory "
			    "written at run time is a tmpfs or a volume "
			    "below\n"
			    "read_only: true\n");
	if (compose_mounts(sb, pl, false, "tmpfs", why) ||
	    compose_mounts(sb, pl, true, "volumes", why) ||
	    compose_env(sb, pl, why))
		return -1;
	add_port_comments(sb, "", pl, true);
	sb_adds(sb, "cap_drop:\n  - ALL\n"
		    "security_opt:\n  - \"no-new-privileges:true\"\n");
	return 0;
}
