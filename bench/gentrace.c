/* gentrace.c - writes a synthetic but schema-valid unroot trace (see
 * schema/SCHEMA.md) for benchmarking the CLI: trace.json plus one log file
 * per process under DIR/log, EVENTS "ev" records in total spread over
 * PROCS processes, each with a proc record, mounts/os/users/groups once,
 * ancestor dir records, 16 distinct stacks per process and an end record.
 * Events cycle over PATHS distinct file paths below a handful of realistic
 * roots (create/rename/unlink/mkdir/chmod, a few denials), so that two
 * traces with the same PATHS but different EVENTS have the same distinct
 * paths.
 * usage: gentrace DIR EVENTS PATHS PROCS */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *roots[] = {
    "/app/data/cache",
    "/home/app/.cache/pip/http",
    "/tmp/build",
    "/var/lib/app/db",
    "/root/.local/share/app",
    "/srv/www/uploads",
    "/opt/models/hf/hub",
    "/var/log/app",
};
#define NROOTS (sizeof roots / sizeof roots[0])

static void path_of(long k, char *out, size_t cap)
{
	snprintf(out, cap, "%s/d%03ld/sub%02ld/file-%06ld.bin",
		 roots[k % NROOTS], (k / NROOTS) % 500, (k / 7) % 20, k);
}

static const char *st_dir =
    "{\"type\":\"dir\",\"uid\":0,\"gid\":0,\"mode\":\"0755\"}";
static const char *st_file =
    "{\"type\":\"file\",\"uid\":0,\"gid\":0,\"mode\":\"0644\"}";

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: gentrace DIR EVENTS PATHS PROCS\n");
		return 2;
	}
	const char *dir = argv[1];
	long events = atol(argv[2]), paths = atol(argv[3]);
	int procs = atoi(argv[4]);
	char name[4096], p[1024], q[1100];
	long long ts0 = 1700000000000000000LL;

	if (paths < 1 || procs < 1)
		return 2;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return 1;
	snprintf(name, sizeof name, "%s/log", dir);
	if (mkdir(name, 01777) < 0 && errno != EEXIST)
		return 1;
	snprintf(name, sizeof name, "%s/trace.json", dir);
	FILE *f = fopen(name, "w");
	if (!f)
		return 1;
	fprintf(f,
		"{\"unroot\":1,\"command\":[\"gentrace\"],\"started\":%lld,"
		"\"ended\":%lld,\"exit\":0,\"options\":{\"reads\":false,"
		"\"stacks\":true,\"argv\":false},\"runner\":\"run\"}\n",
		ts0, ts0 + events * 1000 + 1000);
	fclose(f);

	long k = 0;
	for (int pr = 0; pr < procs; pr++) {
		int pid = 1000 + pr;
		snprintf(name, sizeof name, "%s/log/%d-%012x.jsonl", dir, pid,
			 0xabc000 + pr);
		f = fopen(name, "w");
		if (!f)
			return 1;
		static char iobuf[1 << 20];
		setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
		fprintf(
		    f,
		    "{\"t\":\"proc\",\"v\":1,\"pid\":%d,\"ppid\":%d,"
		    "\"ts\":%lld,\"exe\":\"/usr/bin/python3.11\","
		    "\"argv0\":\"python3\",\"cwd\":\"/app\",\"uid\":0,"
		    "\"euid\":0,\"gid\":0,\"egid\":0,\"groups\":[],"
		    "\"ns\":4026531832,\"rootfs\":\"2049:2\",\"env\":{"
		    "\"HOME\":\"/root\",\"PWD\":\"/app\"},\"stacks\":true}\n",
		    pid, pr ? 1000 : 999, ts0 + pr);
		if (pr == 0) {
			fprintf(
			    f,
			    "{\"t\":\"mount\",\"ns\":4026531832,\"mnt\":\"/\","
			    "\"fs\":\"ext4\",\"src\":\"/dev/vda\",\"root\":\"/"
			    "\","
			    "\"ro\":false,\"opts\":\"rw,relatime\"}\n");
			fprintf(f, "{\"t\":\"os\",\"rootfs\":\"2049:2\",\"id\":"
				   "\"debian\","
				   "\"version_id\":\"12\",\"pretty\":\"Debian "
				   "GNU/Linux 12 (bookworm)\"}\n");
			fprintf(f, "{\"t\":\"user\",\"rootfs\":\"2049:2\","
				   "\"name\":\"root\","
				   "\"uid\":0,\"gid\":0,\"home\":\"/"
				   "root\",\"shell\":\"/bin/bash\"}\n");
			fprintf(f, "{\"t\":\"user\",\"rootfs\":\"2049:2\","
				   "\"name\":\"app\","
				   "\"uid\":1000,\"gid\":1000,\"home\":\"/home/"
				   "app\",\"shell\":\"/bin/sh\"}\n");
			fprintf(f, "{\"t\":\"group\",\"rootfs\":\"2049:2\","
				   "\"name\":\"app\","
				   "\"gid\":1000,\"members\":[]}\n");
		}
		fprintf(f, "{\"t\":\"dir\",\"path\":\"/\",\"st\":%s}\n",
			st_dir);
		for (unsigned r = 0; r < NROOTS; r++) {
			/* every proper ancestor of each root */
			char a[256];
			snprintf(a, sizeof a, "%s", roots[r]);
			for (char *s = a + 1; *s; s++)
				if (*s == '/') {
					*s = 0;
					fprintf(f,
						"{\"t\":\"dir\",\"path\":\"%"
						"s\",\"st\":%s}\n",
						a, st_dir);
					*s = '/';
				}
			fprintf(f,
				"{\"t\":\"dir\",\"path\":\"%s\",\"st\":%s}\n",
				a, st_dir);
		}
		for (int s = 0; s < 16; s++)
			fprintf(f,
				"{\"t\":\"stack\",\"id\":\"%016x\",\"frames\":["
				"{\"m\":\"/usr/lib/python3.11/lib-dynload/"
				"_io.so\",\"o\":\"0x%x\",\"s\":\"_io_open\","
				"\"so\":\"0x4f\"},"
				"{\"m\":\"/usr/bin/"
				"python3.11\",\"o\":\"0x1a2b%02x\"},"
				"{\"m\":\"/usr/bin/"
				"python3.11\",\"o\":\"0x22%04x\",\"s\":\"_"
				"PyEval_EvalFrameDefault\",\"so\":\"0x1234\"},"
				"{\"m\":\"/lib/x86_64-linux-gnu/"
				"libc.so.6\",\"o\":\"0x27305\",\"s\":\"__libc_"
				"start_main\",\"so\":\"0x85\"}]}\n",
				pr * 16 + s, 0x1000 + s, s, s * 17);
		long mine = events / procs + (pr < events % procs);
		for (long i = 0; i < mine; i++, k++) {
			long long ts = ts0 + k * 1000;
			long pk = k % paths;
			int tid = pid + (int)(i % 3);
			const char *stack_fmt = "%016x";
			char sid[24];
			snprintf(sid, sizeof sid, stack_fmt,
				 pr * 16 + (int)(i % 16));
			path_of(pk, p, sizeof p);
			char parent[1024];
			snprintf(parent, sizeof parent, "%s", p);
			*strrchr(parent, '/') = 0;
			switch (i % 8) {
			case 0:
			case 1:
			case 2:
				fprintf(f,
					"{\"t\":\"ev\",\"op\":\"open\",\"fn\":"
					"\"open64\",\"path\":\"%s\","
					"\"flags\":\"O_WRONLY|O_CREAT|O_"
					"TRUNC\",\"mode\":\"0666\",\"ret\":5,"
					"\"errno\":null,\"pid\":%d,\"tid\":%d,"
					"\"ts\":%lld,\"uid\":0,\"gid\":0,"
					"\"st\":%s,\"parent\":%s,\"stack\":\"%"
					"s\"}\n",
					p, pid, tid, ts,
					i % 8 ? st_file : "null", st_dir, sid);
				break;
			case 3:
				snprintf(q, sizeof q, "%s.tmp", p);
				fprintf(f,
					"{\"t\":\"ev\",\"op\":\"rename\","
					"\"fn\":\"rename\",\"path\":\"%s\","
					"\"path2\":\"%s\",\"ret\":0,\"errno\":"
					"null,\"pid\":%d,\"tid\":%d,"
					"\"ts\":%lld,\"uid\":0,\"gid\":0,"
					"\"st\":%s,\"st2\":null,"
					"\"parent\":%s,\"stack\":\"%s\"}\n",
					p, q, pid, tid, ts, st_file, st_dir,
					sid);
				break;
			case 4:
				fprintf(f,
					"{\"t\":\"ev\",\"op\":\"unlink\","
					"\"fn\":\"unlink\",\"path\":\"%s\","
					"\"ret\":0,\"errno\":null,\"pid\":%d,"
					"\"tid\":%d,\"ts\":%lld,"
					"\"uid\":0,\"gid\":0,\"st\":%s,"
					"\"parent\":%s,\"stack\":\"%s\"}\n",
					p, pid, tid, ts, st_file, st_dir, sid);
				break;
			case 5:
				fprintf(f,
					"{\"t\":\"ev\",\"op\":\"mkdir\",\"fn\":"
					"\"mkdir\",\"path\":\"%s\","
					"\"mode\":\"0755\",\"ret\":-1,"
					"\"errno\":\"EEXIST\",\"pid\":%d,"
					"\"tid\":%d,\"ts\":%lld,\"uid\":0,"
					"\"gid\":0,\"st\":%s,"
					"\"parent\":%s,\"stack\":\"%s\"}\n",
					parent, pid, tid, ts, st_dir, st_dir,
					sid);
				break;
			case 6:
				fprintf(f,
					"{\"t\":\"ev\",\"op\":\"chmod\",\"fn\":"
					"\"chmod\",\"path\":\"%s\","
					"\"mode\":\"0600\",\"ret\":0,\"errno\":"
					"null,\"pid\":%d,\"tid\":%d,"
					"\"ts\":%lld,\"uid\":0,\"gid\":0,"
					"\"st\":%s,\"parent\":%s,"
					"\"stack\":\"%s\"}\n",
					p, pid, tid, ts, st_file, st_dir, sid);
				break;
			default:
				fprintf(f,
					"{\"t\":\"ev\",\"op\":\"open\",\"fn\":"
					"\"openat\",\"path\":\"%s\","
					"\"flags\":\"O_RDWR|O_CREAT\",\"mode\":"
					"\"0644\",\"ret\":-1,"
					"\"errno\":\"EACCES\",\"pid\":%d,"
					"\"tid\":%d,\"ts\":%lld,\"uid\":1000,"
					"\"gid\":1000,\"st\":%s,\"parent\":%s,"
					"\"stack\":\"%s\"}\n",
					p, pid, tid, ts, st_file, st_dir, sid);
			}
		}
		fprintf(f,
			"{\"t\":\"end\",\"pid\":%d,\"ts\":%lld,\"lost\":0}\n",
			pid, ts0 + k * 1000);
		if (fclose(f) != 0)
			return 1;
	}
	return 0;
}
