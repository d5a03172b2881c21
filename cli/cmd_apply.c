/*
 * cmd_apply.c - `unroot apply`: plans from a trace and writes a hardened
 * Dockerfile, the plan's block inserted into the final stage.  The input is
 * never overwritten unless -o names it; the default output is
 * <Dockerfile>.nonroot, and an existing different file there is not
 * replaced.  Running apply on its own output yields the same output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "dockerfile.h"
#include "harden.h"
#include "plan.h"
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

/* The stage already runs as a non-root user: plan for that user. */
void adopt_stage_user(struct plan_options *o, const char *user, char **keep)
{
	char *name;
	unsigned long uid;
	char *end;

	if (dockerfile_user_is_root(user) || o->user_given || o->uid_given)
		return;
	name = xstrndup(user, strcspn(user, ": \t\r"));
	uid = strtoul(name, &end, 10);
	if (*name && !*end) {
		o->uid = (unsigned)uid;
		o->uid_given = true;
		if (!o->gid_given)
			o->gid = o->uid;
		free(name);
		return;
	}
	o->user = name;
	o->user_given = true;
	*keep = name;
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

int render_block(const struct plan *pl, char escape, struct strbuf *block,
		 struct strbuf *stage)
{
	struct render_options ro = {.escape = escape};
	char *why = NULL;

	if (plan_render(pl, FORMAT_DOCKERFILE, &ro, block, &why) ||
	    (pl->no_shell && plan_render_noshell_stage(pl, &ro, stage, &why))) {
		errmsg("%s", why ? why : "cannot render the plan");
		free(why);
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
	struct strbuf block = STRBUF_INIT, stage = STRBUF_INIT,
		      out = STRBUF_INIT;
	char *text = NULL, *outpath = NULL, *keep = NULL;
	char *default_dir[] = {"unroot-trace", NULL};
	size_t len = 0;
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
	text = file_read(a.in, &len);
	if (!text) {
		errmsg("cannot read %s: %s", a.in, strerror(errno));
		goto out;
	}
	df = dockerfile_parse(text, len);
	adopt_stage_user(&o, dockerfile_final_user(df), &keep);
	pl = a.ndirs ? plan_load(a.dirs, a.ndirs, &o)
		     : plan_load(default_dir, 1, &o);
	if (!pl || render_block(pl, df->escape, &block, &stage))
		goto out;
	dockerfile_insert(df, block.buf, pl->no_shell ? stage.buf : NULL, &out);
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
	plan_free(pl);
	dockerfile_free(df);
	sb_release(&block);
	sb_release(&stage);
	sb_release(&out);
	free(text);
	free(outpath);
	free(keep);
	free(a.dirs);
	return rc;
}
