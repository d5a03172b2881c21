/*
 * render.h - a plan as text: a Dockerfile fragment, an idempotent sh
 * script, an env file or JSON, and the single line of a plan that one
 * grant or redirect becomes (what `unroot check` prints beside a new
 * path).  `unroot plan`, `unroot apply`, `unroot docker`, `unroot check`
 * and `unroot harden` all print plans through here, so they never
 * disagree.
 *
 * Every path goes through quote.h; a path that cannot be quoted for the
 * format makes the whole render fail (with a reason) rather than emit a
 * line that could run as code.
 *
 * The formats are one table, PLAN_FORMATS: a row is the format's enum
 * name, its --format name, the function that renders a whole plan and
 * the function that renders one line (render.c, render_<format>.c).
 * Adding a format is adding a row and writing its two functions.
 */
#ifndef UNROOT_RENDER_H
#define UNROOT_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "format.h"
#include "planner.h"
#include "util.h"

#define PLAN_FORMATS(X)                                                        \
	X(FORMAT_DOCKERFILE, "dockerfile", render_dockerfile, line_dockerfile) \
	X(FORMAT_SH, "sh", render_sh, line_sh)                                 \
	X(FORMAT_ENV, "env", render_env, line_env)                             \
	X(FORMAT_JSON, "json", render_json, line_json)                         \
	X(FORMAT_K8S, "k8s", render_k8s, line_none)                            \
	X(FORMAT_POD, "pod", render_pod, line_none)                            \
	X(FORMAT_COMPOSE, "compose", render_compose, line_none)

enum plan_format {
#define PLAN_FORMAT_ENUM(e, name, render, line) e,
	PLAN_FORMATS(PLAN_FORMAT_ENUM)
#undef PLAN_FORMAT_ENUM
	    FORMAT__COUNT
};

/* The table of plan formats, for --format (format.h). */
const struct format_table *plan_formats(void);

/* A -v/--mount of the traced `docker run` (trace.json "binds"). */
struct deploy_mount {
	char *container, *host, *volume; /* host or volume may be NULL */
	bool ro;
};

/* Where the workload ran, as trace.json records it (plan.h fills it):
 * what the pod format names beside the plan. */
struct plan_deploy {
	char *image; /* NULL when no `unroot docker` run is in the trace */
	char **args; /* the command after the image; NULL: the image's own */
	size_t nargs;
	bool args_cut; /* only the command's name was recorded (no --argv) */
	struct deploy_mount *mounts;
	size_t nmounts;
	char *entrypoint; /* docker run --entrypoint, or NULL */
	char *workdir;	  /* docker run -w, or NULL */
	struct deploy_env {
		char *name;
		char *value; /* NULL: from the host's environment, unrecorded */
	} * env;	     /* docker run -e, in order */
	size_t nenv;
	char **env_files; /* docker run --env-file: not read */
	size_t nenv_files;
};
void plan_deploy_free(struct plan_deploy *d);

struct render_options {
	char escape;			  /* Dockerfile escape: '\\' or '`' */
	bool read_only;			  /* planned for a read-only root */
	const struct plan_deploy *deploy; /* may be NULL */
};

/*
 * Render a plan.  Returns 0, or -1 with *why (allocated) when a path
 * cannot be expressed safely in the format: then nothing is usable.
 */
int plan_render(const struct plan *plan, enum plan_format f,
		const struct render_options *ro, struct strbuf *out,
		char **why);
/*
 * The plan line for one grant (pl->grants[i]) or one redirect, as
 * `unroot plan` would emit it: FORMAT_DOCKERFILE gives one line ("RUN a &&
 * b", "ENV K=V"; "# alternative: ..." for a grant shown as the alternative
 * to a redirect), FORMAT_SH the commands, one a line, FORMAT_JSON the
 * object of the json format.  NULL when i is out of range, the format has
 * no such line (env) or the path cannot be quoted safely in it.
 */
char *plan_render_grant(const struct plan *plan, size_t i, enum plan_format f);
char *plan_render_redirect(const struct plan *plan, size_t i,
			   enum plan_format f);
/*
 * Why grant g cannot be rendered as a whole line in any format (its
 * commands would be empty, or a name in them cannot be quoted), allocated;
 * NULL when it can.  The planner refuses such a grant with this reason
 * instead of emitting it half.
 */
char *plan_grant_refusal(const struct plan *plan, const struct grant *g);
/* What a summary says for grant i: its Dockerfile line, exactly as the
 * Dockerfile has it (one source for both). */
char *plan_grant_text(const struct plan *plan, size_t i);
/* The USER line's value: "uid:gid", or "uid" alone when the user joins a
 * service's group (harden's summary says it as the Dockerfile does). */
char *user_spec(const struct plan *pl);
/* In Docker the mount is a volume, not a tmpfs: a seeded one (Docker
 * fills a new volume with the image's content) or one at the image's
 * VOLUME (Docker mounts it there itself). */
bool plan_mount_is_volume(const struct tmpfs_fix *t);
/* The docker value for a tmpfs fix: --tmpfs "DIR:uid=U,gid=G,mode=0755"
 * (a tmpfs is root-owned otherwise), or for a volume --mount
 * "type=volume,dst=DIR" (an anonymous volume).  DIR is not quoted. */
char *plan_tmpfs_option(const struct plan *plan, const struct tmpfs_fix *t);
/* The whole docker option: "--tmpfs VALUE" or "--mount VALUE". */
char *plan_docker_mount(const struct plan *plan, const struct tmpfs_fix *t);
/* The comments and the one RUN line of grants idx[0..n) of the plan, as
 * the Dockerfile format writes them (apply puts those under a VOLUME
 * before its line); 0, or -1 with *why. */
int plan_render_grants(const struct plan *plan, const size_t *idx, size_t n,
		       const struct render_options *ro, struct strbuf *out,
		       char **why);
/* The pod's groups (render_k8s.c; harden's kubelet-like run gives them
 * with --group-add): each service group the plan joins, a
 * supplementalGroups entry, in turn from *from (start at 0): false when
 * no more; and the fsGroup, false when the pod needs none. */
bool plan_group_added(const struct plan *pl, size_t *from, unsigned *gid);
bool plan_fs_group(const struct plan *pl, unsigned *gid);
/* The first line of every rendered plan begins with it. */
#define PLAN_HEADER "# unroot plan: "
/* The no-shell stage (distroless): a build stage to put before the final
 * FROM, and the COPY lines for the final stage. */
int plan_render_noshell_stage(const struct plan *plan,
			      const struct render_options *ro,
			      struct strbuf *out, char **why);

#endif
