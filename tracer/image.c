/*
 * image.c - one log file per traced process image, as the preload keeps
 * them (SCHEMA.md): named PID-NONCE.jsonl in the trace's log directory,
 * created O_EXCL|O_NOFOLLOW, its first record a full "proc" record read
 * from /proc/PID (the tracer never writes the short "fork" form), an "end"
 * record at a normal exit.  The tracer is one thread, so a record is one
 * write(2) on the file's descriptor: never torn, never interleaved.
 *
 * The tracer keeps one descriptor per live image; when it runs out of
 * descriptors a file is opened and closed again for each record.  Records
 * that cannot be written are counted in the image's "end" record.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracer.h"

/* The environment recorded is the preload's allow-list:
 * ur_env_is_allowed (preload/proc.c, SCHEMA.md "proc"). */

static void put_env(struct jbuf *j, pid_t pid)
{
	static char env[65536];
	char name[128];
	long n = tr_proc_file(pid, "environ", env, sizeof env);

	jb_key(j, "env");
	jb_raw(j, "{", 1);
	j->comma = false;
	for (long i = 0; i < n; i += (long)strlen(env + i) + 1) {
		const char *e = env + i;
		const char *eq = strchr(e, '=');
		size_t k = eq ? (size_t)(eq - e) : 0;
		if (!k || k >= sizeof name || !ur_env_is_allowed(e, k))
			continue;
		memcpy(name, e, k);
		name[k] = 0;
		jb_str(j, name, eq + 1);
	}
	jb_raw(j, "}", 1);
	j->comma = true;
}

/* argv0 and, with "argv" in UNROOT_FLAGS, argv, from /proc/PID/cmdline */
static void put_argv(struct jbuf *j, pid_t pid)
{
	static char cmd[32768];
	long n = tr_proc_file(pid, "cmdline", cmd, sizeof cmd);

	if (n < 0)
		n = 0;
	jb_strn(j, "argv0", cmd, strnlen(cmd, (size_t)n));
	if (!tr_set.argv)
		return;
	jb_key(j, "argv");
	jb_raw(j, "[", 1);
	for (long i = 0; i < n;) {
		size_t len = strnlen(cmd + i, (size_t)(n - i));
		if (i)
			jb_raw(j, ",", 1);
		jb_value_str(j, cmd + i, len);
		i += (long)len + 1;
	}
	jb_raw(j, "]", 1);
}

static void put_groups(struct jbuf *j, const struct ids *ids)
{
	char num[16];

	jb_key(j, "groups");
	jb_raw(j, "[", 1);
	for (int i = 0; i < ids->ngroups; i++) {
		int n = snprintf(num, sizeof num, "%s%u", i ? "," : "",
				 (unsigned)ids->groups[i]);
		jb_raw(j, num, (size_t)n);
	}
	jb_raw(j, "]", 1);
}

/* The mount namespace's number and the root's "dev:ino", as proc.c. */
static void put_ns_root(struct jbuf *j, pid_t pid)
{
	char link[64], path[48];
	unsigned long long ns = 0;
	struct stat st;

	if (tr_proc_link(pid, "ns/mnt", link, sizeof link) == 0)
		sscanf(link, "mnt:[%llu]", &ns);
	jb_int(j, "ns", (long long)ns);
	snprintf(path, sizeof path, "/proc/%d/root/", (int)pid);
	if (stat(path, &st) != 0)
		st.st_dev = st.st_ino = 0;
	snprintf(link, sizeof link, "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	jb_str(j, "rootfs", link);
}

static void write_proc(struct image *img)
{
	static char buf[131072];
	char path[PATH_MAX];
	struct ids ids;
	struct jbuf j;

	memset(&ids, 0, sizeof ids);
	tr_read_ids(img->pid, &ids);
	img->euid = ids.euid;
	img->egid = ids.egid;
	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_PROC);
	jb_int(&j, "v", UNROOT_SCHEMA_VERSION);
	jb_int(&j, "pid", img->pid);
	jb_int(&j, "ppid", ids.ppid);
	jb_int(&j, "ts", ur_now_ns());
	if (tr_proc_link(img->pid, "exe", path, sizeof path) != 0)
		snprintf(path, sizeof path, "%s", img->exe);
	jb_str(&j, "exe", path);
	put_argv(&j, img->pid);
	if (tr_proc_link(img->pid, "cwd", path, sizeof path) != 0)
		path[0] = 0;
	jb_str(&j, "cwd", path);
	jb_int(&j, "uid", ids.uid);
	jb_int(&j, "euid", ids.euid);
	jb_int(&j, "gid", ids.gid);
	jb_int(&j, "egid", ids.egid);
	put_groups(&j, &ids);
	put_ns_root(&j, img->pid);
	put_env(&j, img->pid);
	jb_bool(&j, "stacks", false);
	jb_lit(&j, K_TRACER, TRACER_NAME);
	tr_image_record(img, &j);
}

static bool create_file(struct image *img)
{
	unsigned long long nonce = 0;

	for (int tries = 0; tries < 4; tries++) {
		if (getrandom(&nonce, sizeof nonce, GRND_NONBLOCK) !=
		    sizeof nonce)
			nonce ^= (unsigned long long)ur_now_ns();
		snprintf(img->file, sizeof img->file, "%s/%d-%012llx%s",
			 tr_set.logdir, (int)img->pid,
			 nonce & 0xffffffffffffULL, UNROOT_LOG_SUFFIX);
		img->fd = open(img->file,
			       O_WRONLY | O_APPEND | O_CREAT | O_EXCL |
				   O_NOFOLLOW | O_CLOEXEC,
			       0644);
		if (img->fd >= 0)
			return true;
		if (errno == EMFILE || errno == ENFILE) {
			/* no descriptor to keep: create, then per record */
			int fd = open(img->file,
				      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
					  O_CLOEXEC,
				      0644);
			if (fd >= 0) {
				close(fd);
				return true;
			}
		}
		if (errno != EEXIST)
			return false;
	}
	return false;
}

void tr_image_start(struct image *img)
{
	if (img->started || img->failed)
		return;
	if (!create_file(img)) {
		img->failed = true;
		return;
	}
	img->started = true;
	write_proc(img);
	tr_world_records(img);
}

void tr_image_write(struct image *img, const char *buf, size_t len)
{
	int fd;

	tr_image_start(img);
	if (img->failed) {
		img->lost++;
		return;
	}
	fd = img->fd >= 0 ? img->fd
			  : open(img->file,
				 O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		img->lost++;
	if (fd >= 0 && fd != img->fd)
		close(fd);
}

void tr_image_record(struct image *img, struct jbuf *j)
{
	jb_end(j);
	if (j->overflow)
		img->lost++;
	else
		tr_image_write(img, j->p, j->len);
}

void tr_image_end(struct image *img)
{
	char buf[256];
	struct jbuf j;

	if (!img->started)
		return;
	jb_init(&j, buf, sizeof buf);
	jb_begin(&j, REC_END);
	jb_int(&j, "pid", img->pid);
	jb_int(&j, "ts", ur_now_ns());
	jb_int(&j, "lost", img->lost);
	tr_image_record(img, &j);
}
