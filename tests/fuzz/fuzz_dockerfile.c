/*
 * fuzz_dockerfile.c - libFuzzer harness for the Dockerfile reader and the
 * insertion of a plan into it (cli/dockerfile.c, as `unroot apply` uses it).
 *
 * The input is a Dockerfile.  It is parsed, its instructions and final USER
 * are walked, and a fixed small plan (a pre-created directory, an owned
 * file, a redirect; with and without a no-shell stage) is rendered with the
 * file's escape character and inserted.  Then the result is applied again:
 * the header promises that a second apply replaces unroot's block instead
 * of adding another, so the second output must equal the first.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile.h"
#include "render.h"

static volatile size_t fz_sink;

static struct plan *fixed_plan(bool no_shell)
{
	struct plan *pl = xcalloc(1, sizeof *pl);
	struct grant *g;

	pl->user = xstrdup("nonroot");
	pl->group = xstrdup("nonroot");
	pl->home = xstrdup("/home/nonroot");
	pl->uid = pl->gid = 1001;
	pl->create_user = pl->create_group = true;
	pl->no_shell = no_shell;
	pl->ngrants = 2;
	pl->grants = g = xcalloc(2, sizeof *g);
	g[0].kind = GRANT_MKDIR;
	g[0].path = xstrdup("/var/lib/app");
	g[0].why = xstrdup("fuzz: pre-create");
	g[1].kind = GRANT_OWN_FILE;
	g[1].path = xstrdup("/srv/app/it's \"quoted\" $(x)");
	g[1].why = xstrdup("fuzz: own a file");
	for (int i = 0; i < 2; i++) {
		g[i].ev.program = xstrdup("app");
		g[i].ev.op = xstrdup("open(O_WRONLY|O_CREAT)");
		g[i].ev.path = xstrdup(g[i].path);
		g[i].ev.pid = 7;
		g[i].nevents = 1;
	}
	pl->nredirects = 1;
	pl->redirects = xcalloc(1, sizeof *pl->redirects);
	pl->redirects[0].var = xstrdup("XDG_CACHE_HOME");
	pl->redirects[0].value = xstrdup("/tmp/cache");
	pl->redirects[0].dir = xstrdup("/tmp/cache");
	pl->redirects[0].ev.program = xstrdup("app");
	pl->redirects[0].ev.op = xstrdup("mkdir");
	pl->redirects[0].ev.path = xstrdup("/root/.cache");
	return pl;
}

/* Parse text and apply the plan; returns 0 and fills out, or -1 when the
 * plan cannot be rendered for this file (said, not a crash). */
static int apply(const struct plan *pl, const char *text, size_t len,
		 struct strbuf *out)
{
	struct dockerfile *df = dockerfile_parse(text, len);
	struct render_options ro;
	struct strbuf block = STRBUF_INIT, stage = STRBUF_INIT;
	char *why = NULL;
	int rc = 0;

	if (!df)
		return -1;
	if (df->escape != '\\' && df->escape != '`')
		abort(); /* dockerfile.h: one or the other */
	for (size_t i = 0; i < df->nins; i++) {
		const struct df_instr *in = &df->ins[i];

		if (in->first > in->last || in->last >= df->nlines)
			abort(); /* line indices out of the file */
		fz_sink += strlen(in->keyword) + strlen(in->args);
	}
	for (size_t i = 0; i < df->nlines; i++)
		fz_sink += strlen(df->lines[i]);
	fz_sink += dockerfile_user_is_root(dockerfile_final_user(df));
	ro.escape = df->escape;
	if (plan_render(pl, FORMAT_DOCKERFILE, &ro, &block, &why) ||
	    (pl->no_shell && plan_render_noshell_stage(pl, &ro, &stage, &why)))
		rc = -1;
	else
		dockerfile_insert(df, block.buf,
				  pl->no_shell ? stage.buf : NULL, out);
	free(why);
	sb_release(&block);
	sb_release(&stage);
	dockerfile_free(df);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct plan *plans[2];
	/* NUL-terminated like a file read by `unroot apply`, but len says the
	 * size: the parser must not rely on the NUL inside the text */
	char *text = malloc(size + 1);

	if (!plans[0]) {
		plans[0] = fixed_plan(false);
		plans[1] = fixed_plan(true);
	}
	memcpy(text, data, size);
	text[size] = 0;
	for (int k = 0; k < 2; k++) {
		struct strbuf once = STRBUF_INIT, twice = STRBUF_INIT;

		if (!apply(plans[k], text, size, &once) &&
		    !apply(plans[k], once.buf, once.len, &twice) &&
		    (once.len != twice.len ||
		     memcmp(once.buf, twice.buf, once.len))) {
			dprintf(2,
				"fuzz_dockerfile: a second apply changed the "
				"result (%zu -> %zu bytes)\n--- "
				"once\n%.*s\n--- twice\n%.*s\n",
				once.len, twice.len, (int)once.len, once.buf,
				(int)twice.len, twice.buf);
			abort();
		}
		sb_release(&once);
		sb_release(&twice);
	}
	free(text);
	return 0;
}
