/* clock.c - run a command, print "WALL_SECONDS MAXRSS_KIB MINOR_FAULTS" to
 * stderr-free stdout (or to the file given with -o), exit with the
 * command's status.  MAXRSS is ru_maxrss of the child as wait4 reports it:
 * the largest resident set of the child or any descendant it waited for;
 * MINOR_FAULTS is ru_minflt as wait4 reports it, the minor faults of the
 * child and of every descendant waited for, the ones a madvise populate
 * makes the kernel take included (counted, not timed: the same workload
 * gives nearly the same count on a busy machine as on an idle one).
 * usage: clock [-o FILE] CMD [ARG...] */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *out = NULL;
	int a = 1;
	if (argc > 2 && !strcmp(argv[1], "-o")) {
		out = argv[2];
		a = 3;
	}
	if (a >= argc) {
		fprintf(stderr, "usage: clock [-o FILE] CMD [ARG...]\n");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0)
		return 125;
	if (pid == 0) {
		execvp(argv[a], argv + a);
		perror(argv[a]);
		_exit(127);
	}
	int st;
	struct rusage ru;
	if (wait4(pid, &st, 0, &ru) < 0)
		return 125;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	FILE *f = out ? fopen(out, "w") : stdout;
	if (!f)
		return 125;
	fprintf(f, "%.6f %ld %ld\n", wall, ru.ru_maxrss, ru.ru_minflt);
	if (out)
		fclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
