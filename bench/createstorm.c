/* createstorm.c - the write path: in DIR, FILES files each created
 * (open O_CREAT|O_WRONLY, close), renamed and unlinked, plus DIRS
 * mkdir/rmdir pairs, split over THREADS threads, each in its own
 * subdirectory DIR/tK.
 * usage: createstorm DIR FILES DIRS THREADS */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct job {
	char dir[4096];
	long files, dirs;
	int err;
};

static void *work(void *arg)
{
	struct job *j = arg;
	char a[4200], b[4200];

	if (mkdir(j->dir, 0755) < 0 && errno != EEXIST) {
		j->err = errno;
		return NULL;
	}
	for (long i = 0; i < j->files; i++) {
		snprintf(a, sizeof a, "%s/f%ld", j->dir, i);
		snprintf(b, sizeof b, "%s/g%ld", j->dir, i);
		int fd = open(a, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (fd < 0 || close(fd) < 0 || rename(a, b) < 0 ||
		    unlink(b) < 0) {
			j->err = errno;
			return NULL;
		}
	}
	for (long i = 0; i < j->dirs; i++) {
		snprintf(a, sizeof a, "%s/d%ld", j->dir, i);
		if (mkdir(a, 0755) < 0 || rmdir(a) < 0) {
			j->err = errno;
			return NULL;
		}
	}
	if (rmdir(j->dir) < 0)
		j->err = errno;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: createstorm DIR FILES DIRS THREADS\n");
		return 2;
	}
	long files = atol(argv[2]), dirs = atol(argv[3]);
	int nt = atoi(argv[4]);
	if (nt < 1 || nt > 64)
		return 2;
	struct job *jobs = calloc((size_t)nt, sizeof *jobs);
	pthread_t *th = calloc((size_t)nt, sizeof *th);
	if (!jobs || !th)
		return 1;
	for (int k = 0; k < nt; k++) {
		snprintf(jobs[k].dir, sizeof jobs[k].dir, "%s/t%d", argv[1], k);
		jobs[k].files = files / nt + (k < files % nt);
		jobs[k].dirs = dirs / nt + (k < dirs % nt);
	}
	if (nt == 1) {
		work(&jobs[0]);
	} else {
		for (int k = 0; k < nt; k++)
			if (pthread_create(&th[k], NULL, work, &jobs[k]) != 0)
				return 1;
		for (int k = 0; k < nt; k++)
			pthread_join(th[k], NULL);
	}
	for (int k = 0; k < nt; k++)
		if (jobs[k].err) {
			fprintf(stderr, "createstorm: %s: %s\n", jobs[k].dir,
				strerror(jobs[k].err));
			return 1;
		}
	free(jobs);
	free(th);
	return 0;
}
