/*
 * cmd_plan.c - `unroot plan`: reads trace directories, plans (plan.c) and
 * prints the plan in the chosen format (render.c): a Dockerfile fragment,
 * an idempotent sh script, an env file or JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "plan.h"
#include "util.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: unroot plan [--user NAME] [--uid N] [--gid N]\n"
		"                   [--format dockerfile|sh|env|json] "
		"[--openshift]\n"
		"                   [--no-shell] [--read-only] [DIR...]\n\n"
		"Replay a trace (default ./unroot-trace) as a non-root user "
		"and print\n"
		"the least changes that let the workload run as that user.\n");
}

int cmd_plan(int argc, char **argv)
{
	struct plan_options o;
	enum plan_format f = FORMAT_DOCKERFILE;
	char **dirs = xcalloc(argc + 1, sizeof *dirs);
	char *default_dir[] = {"unroot-trace", NULL};
	int ndirs = 0, rc;
	struct plan *pl;
	struct strbuf out = STRBUF_INIT;
	char *why = NULL;

	set_command("plan", 1);
	plan_options_init(&o);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			free(dirs);
			return 0;
		}
		rc = plan_parse_option(&o, &f, argc, argv, &i);
		if (rc < 0) {
			free(dirs);
			return EXIT_USAGE;
		}
		if (rc)
			continue;
		if (argv[i][0] == '-' && argv[i][1]) {
			errmsg("unknown option '%s'; see 'unroot plan --help'",
			       argv[i]);
			free(dirs);
			return EXIT_USAGE;
		}
		dirs[ndirs++] = argv[i];
	}
	pl = ndirs ? plan_load(dirs, ndirs, &o) : plan_load(default_dir, 1, &o);
	free(dirs);
	if (!pl)
		return 1;
	rc = plan_render(pl, f, NULL, &out, &why);
	if (rc) {
		errmsg("%s", why ? why : "cannot render the plan");
		free(why);
	} else
		fwrite(out.buf, 1, out.len, stdout);
	sb_release(&out);
	plan_free(pl);
	return rc ? 1 : 0;
}
