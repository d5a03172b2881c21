/*
 * shim.c - static init shims: programs that only start one command and
 * reap what is left (tini and its copies such as docker-init, dumb-init,
 * catatonit), and where that command starts in their argv.
 *
 * A shim traced like any static program would keep its whole tree under
 * the filter: every write of the dynamic, preloaded program it starts
 * would stop once for a tracer that only lets it go.  Instead the helper
 * runs a recognised shim untraced with its command routed through the
 * helper again (`HELPER [--reads] --if-static -- COMMAND...`): a dynamic
 * command runs as it is, recorded by the preload alone; a static one is
 * traced by a helper of its own, with the command's pid as before.  The
 * shim writes nothing itself and gets no record, as `docker run --init`'s
 * shim has none.
 *
 * Invariant: the rewritten command line means to the shim exactly what the
 * original did, the command's words passed on unchanged.  A shim is
 * recognised by its file name only; a command line this file cannot read
 * with certainty (an unknown option, an abbreviated long option, or, for a
 * shim whose getopt permutes, a word starting with '-' after the command
 * with no "--" before it) is not rewritten: the shim is then traced as any
 * static program, which is slower, never wrong.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tracer.h"

struct shim {
	const char *name;   /* the file's name, or its start with prefix */
	const char *flags;  /* short options without an argument */
	const char *withs;  /* short options with one */
	const char *longs;  /* " name name " long options without one */
	const char *longas; /* " name " long options with one */
	bool prefix;	    /* also NAME- and NAME_ (tini-static-amd64) */
	bool permutes;	    /* glibc getopt without '+': options anywhere */
};

static const struct shim shims[] = {
    {.name = "tini",
     .flags = "hsvwgl",
     .withs = "pe",
     .longs = "",
     .longas = "",
     .prefix = true,
     .permutes = true},
    {.name = "docker-init",
     .flags = "hsvwgl",
     .withs = "pe",
     .longs = "",
     .longas = "",
     .permutes = true},
    {.name = "dumb-init",
     .flags = "hvVc",
     .withs = "r",
     .longs = " help version verbose single-child ",
     .longas = " rewrite ",
     .prefix = true},
    {.name = "catatonit",
     .flags = "ghLPV",
     .withs = "",
     .longs = " version ",
     .longas = "",
     .permutes = true},
};

static const struct shim *shim_of(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (size_t i = 0; i < sizeof shims / sizeof *shims; i++) {
		size_t n = strlen(shims[i].name);
		if (strncmp(base, shims[i].name, n))
			continue;
		if (!base[n] ||
		    (shims[i].prefix && (base[n] == '-' || base[n] == '_')))
			return &shims[i];
	}
	return NULL;
}

/* Is " name " (name: the word up to '=' or its end) in list? */
static bool in_list(const char *list, const char *word, size_t n)
{
	for (const char *p = strstr(list, " "); p && p[1];
	     p = strchr(p + 1, ' ')) {
		if (!strncmp(p + 1, word, n) && p[1 + n] == ' ')
			return true;
	}
	return false;
}

/*
 * The long option word ("--name" or "--name=value") at argv[*i]: true
 * when it is known, *i past its argument.
 */
static bool long_option(const struct shim *s, char **argv, int argc, int *i)
{
	const char *w = argv[*i] + 2, *eq = strchr(w, '=');
	size_t n = eq ? (size_t)(eq - w) : strlen(w);

	if (in_list(s->longs, w, n))
		return !eq;
	if (!in_list(s->longas, w, n))
		return false;
	if (!eq && ++*i >= argc)
		return false;
	return true;
}

/* The short option word at argv[*i]: true when every letter is known, *i
 * past an option's argument in the next word. */
static bool short_options(const struct shim *s, char **argv, int argc, int *i)
{
	for (const char *c = argv[*i] + 1; *c; c++) {
		if (strchr(s->withs, *c))
			return c[1] || ++*i < argc;
		if (!strchr(s->flags, *c))
			return false;
	}
	return true;
}

/* The index of the shim's command in argv, or -1 when it is not certain;
 * *dashes: the words before it end with "--". */
static int command_at(const struct shim *s, int argc, char **argv, bool *dashes)
{
	int i = 1;

	*dashes = false;
	for (; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "--")) {
			*dashes = true;
			i++;
			break;
		}
		if (w[0] != '-' || !w[1])
			break;
		bool ok = w[1] == '-' ? long_option(s, argv, argc, &i)
				      : short_options(s, argv, argc, &i);
		if (!ok)
			return -1;
	}
	if (i >= argc)
		return -1;
	if (s->permutes && !*dashes)
		for (int k = i + 1; k < argc; k++)
			if (argv[k][0] == '-')
				return -1;
	return i;
}

char **tr_shim_argv(const char *path, char **argv, const char *helper,
		    bool reads)
{
	const struct shim *s = shim_of(path);
	int argc = 0;
	bool dashes;

	if (!s)
		return NULL;
	while (argv[argc])
		argc++;
	int cmd = command_at(s, argc, argv, &dashes);
	if (cmd < 0)
		return NULL;
	char **out = calloc((size_t)argc + 6, sizeof *out);
	if (!out)
		return NULL;
	int n = 0;
	for (int i = 0; i < cmd; i++)
		out[n++] = argv[i];
	if (!dashes)
		out[n++] = "--";
	out[n++] = (char *)helper;
	if (reads)
		out[n++] = "--reads";
	out[n++] = "--if-static";
	out[n++] = "--";
	for (int i = cmd; i < argc; i++)
		out[n++] = argv[i];
	out[n] = NULL;
	return out;
}
