/*
 * elfkind.c - static or dynamic, from an ELF file's program headers, and
 * secure mode, from a file's mode and capabilities (elfkind.h).
 * Reads nothing from memory past the n bytes given; every other program
 * header comes from pread on the file.
 */
#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "elfkind.h"
#include "rawsys.h"
#include "schema.h"

enum ur_elf_kind ur_elf_kind(int fd, const unsigned char *buf, long n)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	if (n <= EI_CLASS || memcmp(buf, ELFMAG, SELFMAG))
		return UR_ELF_OTHER;
	if (buf[EI_CLASS] != ELFCLASS64)
		return UR_ELF_OTHERABI;
	if (n < (long)sizeof eh)
		return UR_ELF_OTHER;
	memcpy(&eh, buf, sizeof eh);
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return UR_ELF_OTHER;
	for (int i = 0; i < eh.e_phnum; i++) {
		unsigned long long off =
		    eh.e_phoff + (unsigned long long)i * eh.e_phentsize;
		if (off >= eh.e_phoff && off <= (unsigned long long)n &&
		    (unsigned long long)n - off >= sizeof ph)
			memcpy(&ph, buf + off, sizeof ph);
		else if (ur_syscall(SYS_pread64, fd, &ph, sizeof ph,
				    (off_t)off) != (long)sizeof ph)
			return UR_ELF_OTHER;
		if (ph.p_type == PT_INTERP)
			return UR_ELF_DYNAMIC;
	}
	return UR_ELF_STATIC;
}

/* The kind of the file at path; UR_ELF_OTHER when it cannot be read. */
static enum ur_elf_kind file_kind(const char *path, char *buf, long cap,
				  long *n)
{
	long fd = ur_syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);

	*n = 0;
	if (fd < 0)
		return UR_ELF_OTHER;
	*n = ur_syscall(SYS_read, fd, buf, cap - 1);
	enum ur_elf_kind k =
	    *n > 0 ? ur_elf_kind((int)fd, (unsigned char *)buf, *n)
		   : UR_ELF_OTHER;
	syscall(SYS_close, fd);
	return k;
}

bool ur_program_static(const char *path)
{
	char buf[1024];
	long n;

	if (file_kind(path, buf, sizeof buf, &n) == UR_ELF_STATIC)
		return true;
	if (n < 3 || buf[0] != '#' || buf[1] != '!')
		return false;
	buf[n] = 0;
	char *p = buf + 2 + strspn(buf + 2, " \t");
	p[strcspn(p, " \t\n")] = 0;
	return file_kind(p, buf, sizeof buf, &n) == UR_ELF_STATIC;
}

bool ur_ids_differ(uid_t *euid, gid_t *egid)
{
	uid_t ru, eu = (uid_t)-1, su;
	gid_t rg, eg = (gid_t)-1, sg;
	bool differ = !ur_syscall(SYS_getresuid, &ru, &eu, &su) &&
		      !ur_syscall(SYS_getresgid, &rg, &eg, &sg) &&
		      (ru != eu || rg != eg);

	if (euid)
		*euid = eu;
	if (egid)
		*egid = eg;
	return differ;
}

const char *ur_secure_reason(const char *path, const struct stat *st,
			     long *euid, long *egid)
{
	if (*euid < 0)
		*euid = ur_syscall(SYS_geteuid);
	if ((st->st_mode & S_ISUID) && st->st_uid != (uid_t)*euid)
		return UNTRACED_SETUID;
	if (*egid < 0 && (st->st_mode & S_ISGID))
		*egid = ur_syscall(SYS_getegid);
	if ((st->st_mode & S_ISGID) && st->st_gid != (gid_t)*egid)
		return UNTRACED_SETGID;
	if (*euid != 0 &&
	    ur_syscall(SYS_getxattr, path, "security.capability", NULL, 0) > 0)
		return UNTRACED_CAPS;
	return NULL;
}
