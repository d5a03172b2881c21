/*
 * tracee.c - reading a tracee: its memory (the strings and structures a
 * call names) and its /proc entries (cwd, descriptors, ids, environment).
 *
 * Memory is read with pread(2) on /proc/PID/mem, opened once per process
 * image (an exec makes a new image, hence a new descriptor: the old one
 * would read the old address space), and with PTRACE_PEEKDATA word by
 * word where /proc/PID/mem cannot be opened (a tracee that changed its
 * uid leaves a tracer without CAP_SYS_PTRACE unable to open it; PEEKDATA
 * needs only the attachment).  process_vm_readv is not used: Docker's
 * default seccomp profile refuses it.  Every failure is an errno value,
 * for the record's "nopath" reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "tracer.h"

static void proc_path(char *out, size_t cap, pid_t pid, const char *what)
{
	snprintf(out, cap, "/proc/%d/%s", (int)pid, what);
}

static int mem_fd(struct image *img)
{
	char path[64];

	if (img->memfd == -1) {
		proc_path(path, sizeof path, img->pid, "mem");
		img->memfd = open(path, O_RDONLY | O_CLOEXEC);
		if (img->memfd < 0)
			img->memfd = -2; /* not again: PEEKDATA from now on */
	}
	return img->memfd;
}

void tr_mem_close(struct image *img)
{
	if (img->memfd >= 0)
		close(img->memfd);
	img->memfd = -1;
}

/* Up to n bytes at addr with PTRACE_PEEKDATA; the count read, or -errno. */
static long peek(pid_t tid, unsigned long long addr, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		unsigned long long at = addr + got;
		unsigned long long aligned = at & ~7ULL;
		errno = 0;
		long w = ptrace(PTRACE_PEEKDATA, tid, (void *)aligned, NULL);
		if (errno)
			return got ? (long)got : -errno;
		size_t skip = (size_t)(at - aligned);
		size_t take = 8 - skip;
		if (take > n - got)
			take = n - got;
		memcpy(buf + got, (char *)&w + skip, take);
		got += take;
	}
	return (long)got;
}

/* Up to n bytes at addr, never across the end of addr's page. */
static long read_some(struct image *img, pid_t tid, unsigned long long addr,
		      char *buf, size_t n)
{
	size_t to_page = 4096 - (size_t)(addr & 4095);
	int fd = mem_fd(img);

	if (n > to_page)
		n = to_page;
	if (fd >= 0) {
		long r = pread(fd, buf, n, (off_t)addr);
		if (r > 0)
			return r;
	}
	return peek(tid, addr, buf, n);
}

long tr_read_str(struct image *img, pid_t tid, unsigned long long addr,
		 char *buf, size_t cap)
{
	size_t len = 0;

	if (!addr)
		return -EFAULT;
	while (len + 1 < cap) {
		long r =
		    read_some(img, tid, addr + len, buf + len, cap - 1 - len);
		if (r <= 0) {
			buf[len] = 0;
			return r < 0 ? r : -EIO;
		}
		char *nul = memchr(buf + len, 0, (size_t)r);
		if (nul)
			return (long)(nul - buf);
		len += (size_t)r;
	}
	buf[len] = 0;
	return -ENAMETOOLONG;
}

int tr_read_mem(struct image *img, pid_t tid, unsigned long long addr,
		void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		long r =
		    read_some(img, tid, addr + got, (char *)buf + got, n - got);
		if (r <= 0)
			return r < 0 ? (int)r : -EIO;
		got += (size_t)r;
	}
	return 0;
}

int tr_proc_link(pid_t pid, const char *what, char *out, size_t cap)
{
	char path[64];

	proc_path(path, sizeof path, pid, what);
	ssize_t n = readlink(path, out, cap - 1);
	if (n < 0)
		return -errno;
	out[n] = 0;
	return 0;
}

long tr_proc_file(pid_t pid, const char *what, char *buf, size_t cap)
{
	char path[64];
	size_t len = 0;

	proc_path(path, sizeof path, pid, what);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		buf[0] = 0;
		return -errno;
	}
	while (len + 1 < cap) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	close(fd);
	return (long)len;
}

/* The numbers after "Key:" in status text, up to max. */
static int status_numbers(const char *text, const char *key, long *out, int max)
{
	const char *p = strstr(text, key);
	int n = 0;

	if (!p)
		return -1;
	p += strlen(key);
	while (n < max) {
		char *end;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			break;
		out[n++] = strtol(p, &end, 10);
		p = end;
	}
	return n;
}

int tr_read_ids(pid_t tid, struct ids *ids)
{
	char text[4096];
	long v[256];
	long r = tr_proc_file(tid, "status", text, sizeof text);

	if (r < 0)
		return (int)r;
	if (status_numbers(text, "\nUid:", v, 2) != 2)
		return -EINVAL;
	ids->uid = (uid_t)v[0];
	ids->euid = (uid_t)v[1];
	if (status_numbers(text, "\nGid:", v, 2) != 2)
		return -EINVAL;
	ids->gid = (gid_t)v[0];
	ids->egid = (gid_t)v[1];
	ids->ppid =
	    status_numbers(text, "\nPPid:", v, 1) == 1 ? (pid_t)v[0] : 0;
	ids->tgid =
	    status_numbers(text, "\nTgid:", v, 1) == 1 ? (pid_t)v[0] : tid;
	int ng = status_numbers(text, "\nGroups:", v, 256);
	ids->ngroups = ng < 0 ? 0 : ng;
	for (int i = 0; i < ids->ngroups; i++)
		ids->groups[i] = (gid_t)v[i];
	return 0;
}
