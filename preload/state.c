/*
 * state.c - the preload's start-up: reads its settings from the
 * environment the CLI set (UNROOT_LOG, UNROOT_FLAGS, UNROOT_LIB), opens the
 * process's log, writes the once-per-process records, and keeps the
 * process-wide state coherent across fork.
 *
 * A process whose environment has no UNROOT_LOG is left alone: the library
 * may be loaded, but every wrapper goes straight to libc.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unroot.h"

int ur_enabled;
int ur_record_reads;
int ur_record_stacks = 1;
int ur_record_argv;
char ur_logdir[PATH_MAX];
char ur_lib[PATH_MAX];
char ur_flags_text[64];
pid_t ur_pid;
__thread int ur_guard;

/* dlsym for the next definition; NULL when libc has no such symbol. */
void *ur_real(const char *name)
{
	ur_guard++;
	void *p = dlsym(RTLD_NEXT, name);
	ur_guard--;
	return p;
}

static bool copy_env(const char *name, char *out, size_t cap)
{
	const char *v = getenv(name);
	size_t n = v ? strlen(v) : 0;

	if (!n || n >= cap)
		return false;
	memcpy(out, v, n + 1);
	return true;
}

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return true;
	return false;
}

static void read_settings(void)
{
	if (!copy_env(UNROOT_ENV_LOG, ur_logdir, sizeof ur_logdir) ||
	    ur_logdir[0] != '/')
		return;
	copy_env(UNROOT_ENV_FLAGS, ur_flags_text, sizeof ur_flags_text);
	if (!copy_env(UNROOT_ENV_LIB, ur_lib, sizeof ur_lib)) {
		Dl_info info;
		if (dladdr((void *)read_settings, &info) && info.dli_fname &&
		    strlen(info.dli_fname) < sizeof ur_lib)
			strcpy(ur_lib, info.dli_fname);
	}
	ur_record_reads = has_word(ur_flags_text, "reads");
	ur_record_stacks = !has_word(ur_flags_text, "nostacks");
	ur_record_argv = has_word(ur_flags_text, "argv");
	ur_enabled = 1;
}

static void after_fork_in_child(void)
{
	if (!ur_enabled)
		return;
	ur_pid = (pid_t)ur_sys_getpid();
	ur_forget_tid();
	ur_log_after_fork();
	ur_stack_after_fork();
}

static void at_exit_write_end(void)
{
	if (ur_enabled)
		ur_log_end();
}

__attribute__((constructor(101))) static void unroot_init(void)
{
	ur_guard++;
	read_settings();
	if (ur_enabled) {
		ur_pid = (pid_t)ur_sys_getpid();
		pthread_atfork(NULL, NULL, after_fork_in_child);
		atexit(at_exit_write_end);
		ur_log_start();
		ur_python_init();
	}
	ur_guard--;
}
