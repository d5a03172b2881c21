/* floor.c - two costs of this machine that no tracer keeping unroot's
 * guarantees can avoid, for the benchmark's floor estimates:
 *
 * - fstat_ns: one fstat(2) of a file in DIR, the cheapest check that a
 *   remembered descriptor still names the same file (every fd-based call
 *   needs one: a descriptor number is reused as soon as it is closed);
 * - log_ns_per_byte: writing JSON-lines records into a log file in DIR
 *   the way the preload does (space allocated with fallocate before it is
 *   touched, records copied through a MAP_SHARED mapping, chunks behind the
 *   cursor released): what each byte of log costs, whatever encodes it.
 *
 * Prints "fstat_ns log_ns_per_byte", medians of 5 runs each.
 * usage: floor DIR */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RUNS	  5
#define FSTATS	  200000
#define LOG_BYTES ((size_t)32 << 20)
#define RECORD	  285 /* bytes: the create storm's mean record */
/* preload/log.c's chunk sizes, as they are there */
#define FIRST_CHUNK ((size_t)16 << 10)
#define MAX_CHUNK   ((size_t)4 << 20)
#define TRIM	    ((size_t)64 << 10)

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v)
{
	qsort(v, RUNS, sizeof *v, cmp_double);
	return v[RUNS / 2];
}

static double fstat_ns(const char *dir)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof path, "%s/floor.fstat", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	double t0 = now();
	for (int i = 0; i < FSTATS; i++)
		if (fstat(fd, &st) != 0) {
			perror("fstat");
			exit(1);
		}
	double t = now() - t0;
	close(fd);
	unlink(path);
	return t / FSTATS * 1e9;
}

static double log_ns_per_byte(const char *dir)
{
	char path[4096], record[RECORD];

	memset(record, 'x', sizeof record);
	record[sizeof record - 1] = '\n';
	snprintf(path, sizeof path, "%s/floor.jsonl", dir);
	unlink(path);
	double t0 = now();
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd < 0 || fallocate(fd, 0, 0, (off_t)FIRST_CHUNK) != 0) {
		perror(path);
		exit(1);
	}
	char *map = mmap(NULL, LOG_BYTES + MAX_CHUNK, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	size_t allocated = FIRST_CHUNK;
	for (size_t off = 0; off + RECORD <= LOG_BYTES; off += RECORD) {
		/* the next chunk, when less than half of this one is left */
		size_t step = allocated < MAX_CHUNK ? allocated : MAX_CHUNK;
		if (off + RECORD + step / 2 >= allocated) {
			if (fallocate(fd, 0, (off_t)allocated, (off_t)step) !=
			    0) {
				perror("fallocate");
				exit(1);
			}
			allocated += step;
		}
		memcpy(map + off, record, RECORD);
		size_t crossed = (off + RECORD) / TRIM;
		if (crossed != off / TRIM && crossed >= 2)
			madvise(map + (crossed - 2) * TRIM, TRIM,
				MADV_DONTNEED);
	}
	munmap(map, LOG_BYTES + MAX_CHUNK);
	close(fd);
	double t = now() - t0;
	unlink(path);
	return t / (double)LOG_BYTES * 1e9;
}

int main(int argc, char **argv)
{
	double f[RUNS], l[RUNS];

	if (argc != 2) {
		fprintf(stderr, "usage: floor DIR\n");
		return 2;
	}
	for (int i = 0; i < RUNS; i++) {
		f[i] = fstat_ns(argv[1]);
		l[i] = log_ns_per_byte(argv[1]);
	}
	printf("%.1f %.3f\n", median(f), median(l));
	return 0;
}
