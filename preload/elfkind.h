/*
 * elfkind.h - will the loader preload into a program?  The one reading of
 * an ELF file's program headers and the one test of secure mode, shared by
 * the preload's exec wrappers (exec.c), the fallback tracer (tracer/) and
 * the CLI (cli/fallback.c): a 64-bit ELF executable with no PT_INTERP is
 * static, the loader never runs and LD_PRELOAD is ignored; a Go program
 * loads the preload but calls the kernel itself (the build-ID note that
 * Go's linker writes says which); a set-id or
 * file-capability program runs the loader in secure mode, which ignores it
 * too.  Self-contained (raw system calls only): it runs in vfork children.
 */
#ifndef UNROOT_ELFKIND_H
#define UNROOT_ELFKIND_H

#include <stdbool.h>
#include <sys/stat.h>

enum ur_elf_kind {
	UR_ELF_OTHER,	/* not ELF, or unreadable: cannot tell */
	UR_ELF_DYNAMIC, /* 64-bit with a PT_INTERP */
	UR_ELF_STATIC,	/* 64-bit executable without one */
	UR_ELF_GO,	/* 64-bit with a PT_INTERP and Go's build-ID note: Go's
			 * runtime makes its system calls itself, past libc
			 * and the preload, even when linked with libc (cgo) */
	UR_ELF_OTHERABI /* ELF of another class (32-bit) */
};

/*
 * The kind of the ELF file open on fd; buf holds its first n bytes (the
 * header and, nearly always, the program headers; the rest are read with
 * pread, which refuses offsets past the file or wrapping around).
 */
enum ur_elf_kind ur_elf_kind(int fd, const unsigned char *buf, long n);

/* Whether a program of kind k makes its system calls past libc (static, or
 * Go's runtime): the preload cannot see them, the fallback tracer runs it. */
static inline bool ur_elf_past_libc(enum ur_elf_kind k)
{
	return k == UR_ELF_STATIC || k == UR_ELF_GO;
}

/* A static program or a Go program, or a script ("#!") whose
 * interpreter is one: a program the fallback tracer runs (the preload
 * would not see its calls).  Raw system calls only. */
bool ur_program_static(const char *path);

/* Whether this process's program is a Go program (UR_ELF_GO or a static
 * one), from its program headers in memory (getauxval): no system call.
 * Only notes inside a segment the loader mapped are read. */
bool ur_self_go(void);

/*
 * Why the loader will run the regular file at path (st: its stat) in
 * secure mode for a caller whose effective ids are *euid and *egid (-1:
 * not known yet; asked of the kernel when the answer needs them, and
 * kept): UNTRACED_SETUID, UNTRACED_SETGID or UNTRACED_CAPS (schema.h);
 * NULL when it will not.  A set-id bit naming the caller's own id changes
 * nothing, and root gains nothing from file capabilities.
 */
const char *ur_secure_reason(const char *path, const struct stat *st,
			     long *euid, long *egid);

/* Whether this process's effective user or group id is not its real one:
 * then any program it execs runs with the loader in secure mode (the
 * kernel's rule is the new effective ids against the caller's real ones;
 * a set-id file is ur_secure_reason's).  The effective ids in *euid and
 * *egid when not NULL.  Two system calls. */
bool ur_ids_differ(uid_t *euid, gid_t *egid);

#endif
