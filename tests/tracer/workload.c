/*
 * workload.c - the static program the tracer tests run (gcc -static and
 * musl-gcc -static): in DIR, four threads and a forked child each make a
 * directory, create a file in it, rename it, chmod it and unlink it; the
 * main thread binds a unix socket.  With a second argument DENY (a
 * directory the user cannot write), it also tries to create a directory
 * and a file there and prints the errors.  Its output and exit status
 * depend only on what the calls returned (transparency tests compare
 * them with and without the tracer).
 *
 *   workload DIR [DENY]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;

static int ops(const char *name)
{
	char d[4096], f[4200], g[4200];
	int bad = 0;

	snprintf(d, sizeof d, "%s/%s", dir, name);
	snprintf(f, sizeof f, "%s/f", d);
	snprintf(g, sizeof g, "%s/g", d);
	bad |= mkdir(d, 0755) != 0;
	int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	bad |= fd < 0 || write(fd, "x", 1) != 1;
	if (fd >= 0)
		close(fd);
	bad |= rename(f, g) != 0;
	bad |= chmod(g, 0600) != 0;
	bad |= unlink(g) != 0;
	return bad;
}

static void *thread_main(void *arg)
{
	return (void *)(long)ops(arg);
}

static int bind_socket(void)
{
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(un.sun_path, sizeof un.sun_path, "%s/sock", dir);
	int r = s >= 0 ? bind(s, (struct sockaddr *)&un, sizeof un) : -1;
	if (s >= 0)
		close(s);
	return r != 0;
}

static void try_denied(const char *deny)
{
	char p[4096];

	snprintf(p, sizeof p, "%s/newdir", deny);
	int r = mkdir(p, 0755);
	printf("mkdir denied: %s\n", r ? strerror(errno) : "no");
	snprintf(p, sizeof p, "%s/newfile", deny);
	r = open(p, O_WRONLY | O_CREAT, 0644);
	printf("create denied: %s\n", r < 0 ? strerror(errno) : "no");
}

int main(int argc, char **argv)
{
	static char names[4][8] = {"t0", "t1", "t2", "t3"};
	pthread_t th[4];
	int bad = 0;

	if (argc < 2)
		return 2;
	dir = argv[1];
	fflush(stdout);
	pid_t child = fork();
	if (child == 0)
		_exit(ops("child"));
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, thread_main, names[i]);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(th[i], &r);
		bad |= r != NULL;
	}
	int st;
	waitpid(child, &st, 0);
	bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	bad |= bind_socket();
	if (argc > 2)
		try_denied(argv[2]);
	printf("workload: %s\n", bad ? "some calls failed" : "ok");
	return bad;
}
