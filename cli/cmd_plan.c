/*
 * cmd_plan.c - `unroot plan`: reads trace directories, plans (plan.c) and
 * prints the plan in the chosen format (render.c): a Dockerfile fragment,
 * an idempotent sh script, an env file, JSON, a Kubernetes patch of a pod
 * template, a Pod that names the traced image, or Compose service keys.
 */
#include <stdlib.h>

#include "commands.h"
#include "plan.h"
#include "util.h"

static const struct opt_cmd plan_cmd = {
    .name = "plan",
    .operands = "[DIR...]",
    .about = "Replay a trace (default " DEFAULT_TRACE_DIR ") as a non-root "
	     "user and print\nthe least changes that let the workload run "
	     "as that user, each saying why.\n",
    .usage_exit = EXIT_USAGE,
};

int cmd_plan(int argc, char **argv)
{
	struct plan_options o;
	int f = FORMAT_DOCKERFILE, ndirs, rc;
	char *default_dir[] = {DEFAULT_TRACE_DIR, NULL};
	struct strbuf out = STRBUF_INIT;
	char *why = NULL;
	struct plan *pl;
	struct plan_deploy d;
	struct render_options ro = {.deploy = &d};

	set_command("plan", 1);
	plan_options_init(&o);
	{
		const struct opt opts[] = {
		    OPT_PLAN(&o),
		    OPT_FORMAT("format", &f, plan_formats(),
			       "the output's format (default dockerfile)"),
		    OPT_END(),
		};

		ndirs = opt_parse(&plan_cmd, opts, argc, argv);
	}
	if (ndirs < 0)
		return ndirs == OPT_HELP ? 0 : EXIT_USAGE;
	pl = plan_load_deploy(ndirs ? argv : default_dir, ndirs ? ndirs : 1, &o,
			      &d);
	if (!pl)
		return EXIT_NO_TRACE;
	ro.read_only = o.read_only;
	rc = plan_render(pl, (enum plan_format)f, &ro, &out, &why);
	if (rc) {
		errmsg("%s", why ? why : "cannot render the plan");
		free(why);
	} else
		fwrite(out.buf, 1, out.len, stdout);
	sb_release(&out);
	plan_free(pl);
	plan_deploy_free(&d);
	return rc ? 1 : 0;
}
