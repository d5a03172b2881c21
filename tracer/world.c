/*
 * world.c - the records that describe a tracee's world rather than the
 * tracee: its mount table ("mount", once per mount namespace) and its root
 * file system's os-release, users and groups ("os", "user", "group", once
 * per root), written by the preload's own code (preload/proc.c, compiled
 * in unchanged) into the first image file of the trace that needs them.
 * "Once" is the preload's claim (a marker file in the log directory), so a
 * preloaded process and the tracer never both write them.
 *
 * proc.c reads them from the calling process (/proc/self/mountinfo,
 * /etc/passwd): the tracer's, which is the program's namespace and root,
 * since the tracer was forked from the program.  For a tracee in another
 * mount namespace or root they are not written (the report then lacks its
 * mounts and users, as it would with no record at all).
 *
 * proc.c writes through ur_log_write and reads the preload's settings:
 * this file defines them for the helper.  The first call of
 * ur_write_proc (needed: it is what finds this process's namespace and
 * root for the claims) goes nowhere; the helper's own proc record is not
 * part of the trace.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracer.h"

/* the preload's settings, as proc.c reads them (preload/state.c) */
int ur_record_argv;
int ur_record_stacks;
int ur_fork_records;
int ur_start_argc;
char **ur_start_argv;
pid_t ur_pid;
const char *ur_logdir = "";

/* known.c asks whether it runs in a vfork child of the process it traces
 * (preload/state.c); the helper is one process of its own */
static int canary_on = 1;
int *ur_fork_canary = &canary_on;
char *ur_start_buf; /* none: proc.c builds its record in its own buffer */
__thread int ur_vforked;

bool ur_other_process_slow(void)
{
	return false;
}

static struct image *into; /* where ur_log_write goes; NULL: nowhere */

void ur_log_write(const char *buf, size_t len)
{
	if (into)
		tr_image_write(into, buf, len);
}

bool ur_stacks_unavailable(void)
{
	return true;
}

/* the tracee is in the tracer's mount namespace and root */
static bool same_world(pid_t pid)
{
	char mine[64], theirs[64];
	char path[48];
	struct stat a, b;

	if (tr_proc_link(getpid(), "ns/mnt", mine, sizeof mine) != 0 ||
	    tr_proc_link(pid, "ns/mnt", theirs, sizeof theirs) != 0 ||
	    strcmp(mine, theirs) != 0)
		return false;
	snprintf(path, sizeof path, "/proc/%d/root/", (int)pid);
	return stat("/", &a) == 0 && stat(path, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void tr_world_records(struct image *img)
{
	static bool started;

	if (!same_world(img->pid))
		return;
	if (!started) {
		ur_pid = getpid();
		ur_logdir = tr_set.logdir;
		into = NULL;
		/* this process's ns and root, for the claims */
		ur_write_proc(ur_now_ns());
		started = true;
	}
	into = img;
	ur_write_once_per_ns_and_root();
	into = NULL;
}
