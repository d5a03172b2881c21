/*
 * fallback.h - running static programs under unroot-ptrace, the fallback
 * tracer shipped beside libunroot.so (tracer/README.md).  The loader
 * ignores LD_PRELOAD for a static program; `unroot run` runs a static
 * first program through the helper, and `unroot docker` puts the helper
 * (with --if-static, so that it decides inside the container) in front
 * of the container's entrypoint.  A dynamic program is left as it is.
 */
#ifndef UNROOT_FALLBACK_H
#define UNROOT_FALLBACK_H

#include <stdbool.h>

#define FALLBACK_HELPER "unroot-ptrace"

/* The helper beside lib (allocated), or NULL when it is not there. */
char *fallback_helper(const char *lib);

/*
 * `unroot run`: when cmd[0] (looked up in PATH as execvp does) is a static
 * program, or a script run by one, and the helper is beside lib: the
 * argv that runs it through the helper (allocated array; its strings are
 * cmd's and *helper's), else NULL.  *helper is the helper's path, to free.
 * When neither the preload nor the helper will follow cmd[0] (static with
 * no helper, or a program the loader runs in secure mode: elfkind.h),
 * u->why says why (schema.h's UNTRACED_*) and u->path is the program's
 * absolute path (allocated); else both are NULL.
 */
struct fallback_untraced {
	const char *why;
	char *path;
};
char **fallback_run_argv(char *const cmd[], const char *lib, char **helper,
			 struct fallback_untraced *u);

/*
 * Wait, up to timeout_ms, for every fallback tracer that wrote into logdir
 * to finish (each holds LOGDIR/.ptrace-PID locked while it runs: it may
 * still write its last records after the program it traced has ended).
 * False when one still runs at the timeout (a daemon it follows).
 */
bool fallback_wait(const char *logdir, int timeout_ms);

#endif
