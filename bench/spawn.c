/*
 * spawn.c - what one program image costs under each tracer, measured spawn
 * by spawn.  PROG (run with no arguments) is spawned N times under each
 * variant; the variants take turns spawn by spawn, in an order rotated by
 * one each round, so that a machine whose speed drifts from one second to
 * the next (a virtual machine's does, by 10% and more) charges every
 * variant alike.  Each spawn is timed from posix_spawn to the end of
 * waitpid, and the result is one line per variant:
 *
 *     NAME MEDIAN_US TRIMMED_MEAN_US
 *
 * (the trimmed mean leaves out the fastest and the slowest tenth).
 *
 * A variant is NAME or NAME:VAR=VALUE[;VAR=VALUE...].  Its spawns get
 * this process's environment without LD_PRELOAD, and then the variables
 * given; the NAME "inherit" keeps the environment as it is, LD_PRELOAD
 * included, which measures the preload this process was started under (a
 * tracer's launcher run as `TRACER ... -- spawn N PROG inherit bare ...`
 * traces this process too, and so charges every variant's spawn alike).
 *
 * usage: spawn N PROG VARIANT...
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

#define MAX_VARIANTS 16

struct variant {
	char *name;
	char **env;
	double *us; /* one per spawn */
};

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* environ without LD_PRELOAD (unless inherit), then spec's variables */
static char **variant_env(char *spec, int inherit)
{
	size_t n = 0, o = 0;

	while (environ[n])
		n++;
	char **env = calloc(n + 64, sizeof *env);
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (inherit || strncmp(environ[i], "LD_PRELOAD=", 11))
			env[o++] = environ[i];
	for (char *v = spec ? strtok(spec, ";") : NULL; v && o < n + 63;
	     v = strtok(NULL, ";"))
		env[o++] = v;
	return env;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(struct variant *v, int n)
{
	double sum = 0;
	int lo = n / 10, hi = n - n / 10;

	qsort(v->us, (size_t)n, sizeof *v->us, by_value);
	for (int i = lo; i < hi; i++)
		sum += v->us[i];
	printf("%s %.1f %.1f\n", v->name, v->us[n / 2], sum / (hi - lo));
}

int main(int argc, char **argv)
{
	struct variant vs[MAX_VARIANTS];
	int n = argc > 1 ? atoi(argv[1]) : 0, nv = argc - 3;

	if (argc < 4 || n < 1 || nv > MAX_VARIANTS) {
		fprintf(stderr, "usage: spawn N PROG VARIANT... (at most %d)\n",
			MAX_VARIANTS);
		return 2;
	}
	for (int k = 0; k < nv; k++) {
		char *colon = strchr(argv[3 + k], ':');
		if (colon)
			*colon = '\0';
		vs[k].name = argv[3 + k];
		vs[k].env = variant_env(colon ? colon + 1 : NULL,
					!strcmp(vs[k].name, "inherit"));
		vs[k].us = calloc((size_t)n, sizeof *vs[k].us);
		if (!vs[k].env || !vs[k].us)
			return 1;
	}
	char *args[] = {argv[2], NULL};
	for (int i = 0; i < n; i++)
		for (int j = 0; j < nv; j++) {
			struct variant *v = &vs[(i + j) % nv];
			pid_t pid;
			int st;
			double t0 = now_us();
			if (posix_spawn(&pid, argv[2], NULL, NULL, args,
					v->env) != 0 ||
			    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
			    WEXITSTATUS(st) != 0) {
				fprintf(stderr, "spawn: %s under %s failed\n",
					argv[2], v->name);
				return 1;
			}
			v->us[i] = now_us() - t0;
		}
	for (int k = 0; k < nv; k++)
		report(&vs[k], n);
	return 0;
}
