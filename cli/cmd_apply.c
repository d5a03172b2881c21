/*
 * cmd_apply.c - `unroot apply`: plans from a trace and writes a hardened
 * Dockerfile, the plan's block inserted into the final stage (apply.c).
 * The input is never overwritten unless -o names it; the default output is
 * <Dockerfile>.nonroot, and an existing different file there is not
 * replaced.  Running apply on its own output yields the same output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "commands.h"
#include "util.h"

static const struct opt_cmd apply_cmd = {
    .name = "apply",
    .operands = "[DIR...]",
    .about = "Insert the plan of the trace DIR (default " DEFAULT_TRACE_DIR
	     ") into the\nfinal stage of the Dockerfile.\n",
    .usage_exit = EXIT_USAGE,
};

static bool same_content(const char *path, const char *data, size_t len)
{
	size_t n;
	char *old = file_read(path, &n);
	bool same = old && n == len && !memcmp(old, data, len);

	free(old);
	return same;
}

/* Write the hardened Dockerfile to out ("-": stdout; NULL: IN.nonroot,
 * unless a different file is there); 0, or 1 after a message. */
static int write_output(const char *in, const char *out,
			const struct strbuf *df)
{
	char *path = out ? xstrdup(out) : xasprintf("%s.nonroot", in);
	int rc;

	if (!out && !access(path, F_OK) &&
	    !same_content(path, df->buf, df->len)) {
		errmsg("%s exists and differs; name it with -o to replace it",
		       path);
		rc = 1;
	} else if (!strcmp(path, "-"))
		rc = fwrite(df->buf, 1, df->len, stdout) == df->len ? 0 : 1;
	else
		rc = file_replace(path, df->buf, df->len) ? 1 : 0;
	free(path);
	return rc;
}

int cmd_apply(int argc, char **argv)
{
	struct plan_options o;
	const char *in = NULL, *out = NULL;
	char *default_dir[] = {DEFAULT_TRACE_DIR, NULL}, *keep = NULL,
	     *why = NULL;
	struct dockerfile *df = NULL;
	struct plan *pl = NULL;
	struct strbuf text = STRBUF_INIT;
	int ndirs, rc = 1;

	set_command("apply", 1);
	plan_options_init(&o);
	{
		const struct opt opts[] = {
		    OPT_REQUIRED('f', "file", &in, "Dockerfile",
				 "the Dockerfile (never overwritten)"),
		    OPT_STRING('o', "output", &out, "OUT",
			       "where to write (default Dockerfile.nonroot)"),
		    OPT_PLAN(&o),
		    OPT_END(),
		};

		ndirs = opt_parse(&apply_cmd, opts, argc, argv);
	}
	if (ndirs < 0)
		return ndirs == OPT_HELP ? 0 : EXIT_USAGE;
	df = apply_read(in, &why);
	if (df) {
		apply_stage_user(&o, df, &keep);
		pl = ndirs ? plan_load(argv, ndirs, &o)
			   : plan_load(default_dir, 1, &o);
	}
	if (df && !pl)
		rc = EXIT_NO_TRACE;
	else if (pl && !apply_insert(df, pl, &text, &why))
		rc = write_output(in, out, &text);
	if (why)
		errmsg("%s", why);
	plan_free(pl);
	dockerfile_free(df);
	sb_release(&text);
	free(keep);
	free(why);
	return rc;
}
