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
 *
 * Every input must leave the process with as many descriptors as it had
 * when it began (fz_done): a reader that leaks one on some path would
 * otherwise fail only thousands of inputs later, on whichever input met
 * the limit, and never again when that input is replayed alone.  The
 * harnesses' own failures go through fz_fail, to fd 2: the CLI's stderr
 * is silenced.
 */
#ifndef UNROOT_FUZZ_COMMON_H
#define UNROOT_FUZZ_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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
/* descriptors open when this input began (libFuzzer opens some of its own
 * between inputs) */
static int fz_nfds;

/* Say why and abort: libFuzzer reports it as a crash, with the input. */
__attribute__((noreturn, format(printf, 1, 2))) static void
fz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdprintf(2, fmt, ap);
	va_end(ap);
	dprintf(2, "\n");
	abort();
}

/* The descriptors open in this process (the count, and with list set,
 * each one with what it names, to fd 2). */
static int fz_fds(int list)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		fz_fail("fuzz: /proc/self/fd: %s", strerror(errno));
	while ((e = readdir(d))) {
		char link[64], to[4096];
		ssize_t k;

		if (e->d_name[0] == '.')
			continue;
		n++;
		if (!list)
			continue;
		snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
		k = readlink(link, to, sizeof to - 1);
		to[k < 0 ? 0 : k] = 0;
		dprintf(2, "  fd %s -> %s\n", e->d_name, to);
	}
	closedir(d);
	return n;
}

/* At the end of each input: no descriptor may have been left open. */
static void fz_done(void)
{
	if (fz_fds(0) > fz_nfds) {
		dprintf(2,
			"fuzz: the input left a descriptor open (%d at its "
			"start); open now:\n",
			fz_nfds);
		fz_fds(1);
		abort();
	}
}

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
	if (!mkdtemp(fz_dir))
		fz_fail("fuzz: mkdtemp %s: %s", fz_dir, strerror(errno));
	snprintf(fz_log, sizeof fz_log, "%s/log", fz_dir);
	if (mkdir(fz_log, 0700))
		fz_fail("fuzz: mkdir %s: %s", fz_log, strerror(errno));
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

	if (fd < 0)
		fz_fail("fuzz: %s: %s", path, strerror(errno));
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			fz_fail("fuzz: write %s: %s", path, strerror(errno));
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
	fz_nfds = fz_fds(0);
	fz_cleanup();
	if (mkdir(fz_dir, 0700) || mkdir(fz_log, 0700))
		fz_fail("fuzz: mkdir %s: %s", fz_dir, strerror(errno));
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
