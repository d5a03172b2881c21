/*
 * cmd_apply.c - `unroot apply`: plans from a trace and writes a hardened
 * Dockerfile, the plan's block inserted into the final stage.  The input is
 * never overwritten unless -o names it; the default output is
 * <Dockerfile>.nonroot, and an existing different file there is not
 * replaced.  Running apply on its own output yields the same output.
 * Reading the Dockerfile and inserting the plan are apply.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "apply.h"
#include "util.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: unroot apply -f Dockerfile [-o OUT] [--user NAME] "
		     "[--uid N]\n"
		     "                    [--gid N] [--openshift] [--no-shell] "
		     "[DIR...]\n\n"
		     "Insert the plan of the trace DIR (default "
		     "./unroot-trace) into the\n"
		     "final stage of the Dockerfile; writes OUT (default "
		     "Dockerfile.nonroot).\n");
}

static bool same_content(const char *path, const char *data, size_t len)
{
	size_t n;
	char *old = file_read(path, &n);
	bool same = old && n == len && !memcmp(old, data, len);

	free(old);
	return same;
}

struct apply_args {
	const char *in, *out;
	char **dirs;
	int ndirs;
};

static int parse_args(int argc, char **argv, struct plan_options *o,
		      struct apply_args *a)
{
	for (int i = 1; i < argc; i++) {
		int rc;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 1;
		}
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "-o")) {
			if (i + 1 >= argc) {
				errmsg("%s needs a file name", argv[i]);
				return -1;
			}
			if (argv[i][1] == 'f')
				a->in = argv[++i];
			else
				a->out = argv[++i];
			continue;
		}
		rc = plan_parse_option(o, NULL, argc, argv, &i);
		if (rc < 0)
			return -1;
		if (rc)
			continue;
		if (argv[i][0] == '-' && argv[i][1]) {
			errmsg("unknown option '%s'; see 'unroot apply --help'",
			       argv[i]);
			return -1;
		}
		a->dirs[a->ndirs++] = argv[i];
	}
	if (!a->in) {
		errmsg("-f Dockerfile is required");
		return -1;
	}
	return 0;
}

int cmd_apply(int argc, char **argv)
{
	struct plan_options o;
	struct apply_args a = {0};
	struct dockerfile *df = NULL;
	struct plan *pl = NULL;
	struct strbuf out = STRBUF_INIT;
	char *outpath = NULL, *keep = NULL, *why = NULL;
	char *default_dir[] = {"unroot-trace", NULL};
	int rc = EXIT_USAGE;

	set_command("apply", 1);
	plan_options_init(&o);
	a.dirs = xcalloc(argc + 1, sizeof *a.dirs);
	rc = parse_args(argc, argv, &o, &a);
	if (rc) {
		rc = rc > 0 ? 0 : EXIT_USAGE;
		goto out;
	}
	rc = 1;
	df = apply_read(a.in, &why);
	if (!df)
		goto out;
	apply_stage_user(&o, df, &keep);
	pl = a.ndirs ? plan_load(a.dirs, a.ndirs, &o)
		     : plan_load(default_dir, 1, &o);
	if (!pl || apply_insert(df, pl, &out, &why))
		goto out;
	outpath = a.out ? xstrdup(a.out) : xasprintf("%s.nonroot", a.in);
	if (!a.out && !access(outpath, F_OK) &&
	    !same_content(outpath, out.buf, out.len)) {
		errmsg("%s exists and differs; name it with -o to replace it",
		       outpath);
		goto out;
	}
	if (!strcmp(outpath, "-"))
		rc = fwrite(out.buf, 1, out.len, stdout) == out.len ? 0 : 1;
	else
		rc = file_replace(outpath, out.buf, out.len) ? 1 : 0;
out:
	if (why)
		errmsg("%s", why);
	plan_free(pl);
	dockerfile_free(df);
	sb_release(&out);
	free(outpath);
	free(keep);
	free(why);
	free(a.dirs);
	return rc;
}
