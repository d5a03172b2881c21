/*
 * fuzz_plan.c - libFuzzer harness for the planner and its renderers
 * (cli/planner.c, cli/cmd_plan.c, cli/quote.c).
 *
 * The input becomes a trace directory (fuzz_common.h), is loaded with
 * plan_load() exactly as `unroot plan` does, and the plan is rendered in
 * every format.  Besides memory errors, the harness checks the one
 * security property a forged trace must never break: no grant that is
 * applied (not an alternative, not a build step) and no redirect directory
 * lies on the never-grant list of the permission model (/, /usr, /etc,
 * /root, ...), after lexical normalisation, so that "/tmp/../etc/passwd"
 * counts as /etc/passwd.  The one part of /etc that may be granted is an
 * application's own directory (/etc/nginx/conf.d/site.conf): never /etc,
 * a name directly in it but for a directory, a system directory of /etc
 * (the few below, written here apart from the planner's list), code, and
 * never without a warning that the user may change it.  A violation aborts,
 * which libFuzzer reports as a crash.  The plan options come from the input
 * size, so every input is planned the same way each time it is run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "fuzz_common.h"

/* Lexically normalise an absolute path ("//", ".", ".." removed); a relative
 * path is taken as relative to "/" (the worst case). */
static char *normalise(const char *in)
{
	size_t n = strlen(in);
	char *out = malloc(n + 2);
	size_t o = 0;
	const char *p = in;

	out[o++] = '/';
	while (*p) {
		const char *s;
		size_t len;

		while (*p == '/')
			p++;
		s = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - s);
		if (!len || (len == 1 && s[0] == '.'))
			continue;
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
			continue;
		}
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, s, len);
		o += len;
	}
	out[o] = 0;
	return out;
}

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == 0 || path[n] == '/');
}

static const char *never_granted(const char *raw)
{
	static const char *const never[] = {
	    "/usr",  "/bin",  "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	    "/boot", "/proc", "/sys",  "/etc", "/root",	 NULL,
	};
	char *p = normalise(raw);
	const char *hit = NULL;

	if (!strcmp(p, "/"))
		hit = "/";
	for (int i = 0; !hit && never[i]; i++)
		if (under(p, never[i]))
			hit = never[i];
	free(p);
	return hit;
}

/* Whether g, a grant under /etc, is one the permission model allows: in
 * an application's own directory, not code, and warned about (a read of a
 * root-only file there, or of an OpenSSH key, needs no warning). */
static int etc_allowed(const struct plan *pl, const struct grant *g)
{
	static const char *const sys[] = {
	    "/etc/pam.d",	 "/etc/security",     "/etc/sudoers.d",
	    "/etc/ssl",		 "/etc/apt",	      "/etc/dpkg",
	    "/etc/alternatives", "/etc/ld.so.conf.d", "/etc/systemd",
	    "/etc/init.d",	 "/etc/cron.d",	      "/etc/apk",
	    "/etc/yum.repos.d",	 "/etc/pki",	      NULL,
	};
	char *p = normalise(g->path);
	const char *x = p + 5, *ext = strrchr(p, '.');
	int dir = g->kind == GRANT_MKDIR || g->kind == GRANT_OWN_DIR ||
		  g->kind == GRANT_OWN_TREE || g->kind == GRANT_SEARCH;
	int ok = !strncmp(p, "/etc/", 5) && *x && (strchr(x, '/') || dir) &&
		 !(ext && !strchr(ext, '/') &&
		   (!strcmp(ext, ".sh") || !strcmp(ext, ".so") ||
		    !strcmp(ext, ".py")));

	for (int i = 0; ok && sys[i]; i++)
		ok = !under(p, sys[i]) ||
		     (g->kind == GRANT_READ && under(p, "/etc/ssh"));
	if (ok && g->kind != GRANT_READ && g->kind != GRANT_SEARCH) {
		ok = 0; /* the path is escaped in it: the words are enough */
		for (size_t i = 0; i < pl->nwarnings && !ok; i++)
			ok =
			    strstr(pl->warnings[i], "may change /etc/") != NULL;
	}
	free(p);
	return ok;
}

static void check(const struct plan *pl)
{
	for (size_t i = 0; i < pl->ngrants; i++) {
		const struct grant *g = &pl->grants[i];
		const char *hit;

		if (g->kind == GRANT_BUILD || g->kind == GRANT_GROUP ||
		    g->alternative || !g->path)
			continue;
		hit = never_granted(g->path);
		if (hit && !strcmp(hit, "/etc") && etc_allowed(pl, g))
			continue;
		if (hit)
			fz_fail("fuzz_plan: %s grant on '%s' (under %s)",
				grant_kind_name(g->kind), g->path, hit);
	}
	for (size_t i = 0; i < pl->nredirects; i++) {
		const char *d = pl->redirects[i].dir;

		if (d && never_granted(d))
			fz_fail("fuzz_plan: redirect creates '%s'", d);
	}
}

static void render(const struct plan *pl, enum plan_format f, char esc)
{
	struct render_options ro = {.escape = esc};
	struct strbuf out = STRBUF_INIT;
	char *why = NULL;

	/* planner.h: -1 comes with a reason */
	if (plan_render(pl, f, &ro, &out, &why) && !why)
		fz_fail("fuzz_plan: a render failed without a reason");
	free(why);
	sb_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *dirs[1];
	struct plan_options o;
	struct plan *pl;
	struct strbuf out = STRBUF_INIT;
	char *why = NULL;

	dirs[0] = fz_trace(data, size);
	plan_options_init(&o);
	o.openshift = size & 1;
	o.no_shell = size & 2;
	o.read_only = size & 4;
	pl = plan_load(dirs, 1, &o);
	if (!pl) {
		fz_done();
		return 0;
	}
	check(pl);
	render(pl, FORMAT_DOCKERFILE, '\\');
	render(pl, FORMAT_DOCKERFILE, '`');
	render(pl, FORMAT_SH, '\\');
	render(pl, FORMAT_ENV, '\\');
	render(pl, FORMAT_JSON, '\\');
	plan_render_noshell_stage(pl, &(struct render_options){.escape = '\\'},
				  &out, &why);
	free(why);
	sb_release(&out);
	plan_free(pl);
	fz_done();
	return 0;
}
