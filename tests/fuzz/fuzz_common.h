/*
 * fuzz_common.h - the one piece the libFuzzer harnesses share: turning the
 * fuzzer's bytes into a trace directory on disk, because trace_open() reads
 * files and nothing else.  Owned by the fuzz suite (tests/fuzz/).
 *
 * Input format: the bytes are split on 0x1e (ASCII record separator) into
 * at most FZ_MAXFILES chunks; each chunk becomes one log file
 * TRACE/log/<n>-fuzz.jsonl, so that the k-way merge of several files is
 * fuzzed too.  A chunk that starts with "#trace.json\n" becomes
 * TRACE/trace.json instead (its rest is the content).  The directory is made
 * once per process and emptied before every input.
 */
#ifndef UNROOT_FUZZ_COMMON_H
#define UNROOT_FUZZ_COMMON_H

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FZ_MAXFILES 8

static char fz_dir[4096];
static char fz_log[4200];
static FILE *fz_null;

static void fz_cleanup(void)
{
	char p[4400];
	DIR *d = opendir(fz_log);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.') {
				snprintf(p, sizeof p, "%s/%s", fz_log,
					 e->d_name);
				unlink(p);
			}
		closedir(d);
	}
	rmdir(fz_log);
	snprintf(p, sizeof p, "%s/trace.json", fz_dir);
	unlink(p);
	rmdir(fz_dir);
}

/* Make the trace directory and silence the CLI's own messages: warnings go
 * to the stderr FILE, which now points at /dev/null; sanitizer and
 * libFuzzer reports write to fd 2 directly and are still seen. */
static void fz_setup(void)
{
	if (fz_dir[0])
		return;
	/* under $TMPDIR: scripts/fuzz points it into its build dir, so that
	 * what a crashed run leaves behind is removed with it */
	snprintf(fz_dir, sizeof fz_dir, "%s/unroot-fuzz-XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR")
						       : "/tmp");
	if (!mkdtemp(fz_dir)) {
		perror("mkdtemp");
		abort();
	}
	snprintf(fz_log, sizeof fz_log, "%s/log", fz_dir);
	if (mkdir(fz_log, 0700)) {
		perror("mkdir");
		abort();
	}
	atexit(fz_cleanup);
	if (!getenv("UNROOT_FUZZ_VERBOSE")) {
		fz_null = fopen("/dev/null", "w");
		if (fz_null)
			stderr = fz_null;
	}
#ifdef UNROOT_SOURCE_DATADIR
	setenv("UNROOT_DATADIR", UNROOT_SOURCE_DATADIR, 0);
#endif
}

static void fz_write(const char *path, const uint8_t *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0) {
		perror(path);
		abort();
	}
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0) {
			perror("write");
			abort();
		}
		p += w;
		n -= (size_t)w;
	}
	close(fd);
}

/* Write the input as a trace; returns the trace directory. */
static char *fz_trace(const uint8_t *data, size_t size)
{
	static const char meta[] = "#trace.json\n";
	char path[4400];
	size_t start = 0;
	int nfile = 0;

	fz_setup();
	fz_cleanup();
	if (mkdir(fz_dir, 0700) || mkdir(fz_log, 0700)) {
		perror("mkdir");
		abort();
	}
	for (size_t i = 0; i <= size; i++) {
		const uint8_t *c = data + start;
		size_t n = i - start;

		if (i < size && (data[i] != 0x1e || nfile == FZ_MAXFILES - 1))
			continue;
		if (n >= sizeof meta - 1 && !memcmp(c, meta, sizeof meta - 1)) {
			snprintf(path, sizeof path, "%s/trace.json", fz_dir);
			fz_write(path, c + sizeof meta - 1,
				 n - (sizeof meta - 1));
		} else {
			snprintf(path, sizeof path, "%s/%d-fuzz.jsonl", fz_log,
				 nfile++);
			fz_write(path, c, n);
		}
		start = i + 1;
	}
	return fz_dir;
}

#endif
