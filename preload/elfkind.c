/*
 * elfkind.c - static, dynamic or Go, from an ELF file's program headers
 * and notes, and secure mode, from a file's mode and capabilities
 * (elfkind.h).  Reads nothing from memory past the n bytes given; every
 * other program header, and a note segment past them (at most NOTES_MAX
 * bytes), comes from pread on the file.  A note's sizes are checked
 * against its segment before they are used.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "elfkind.h"
#include "rawsys.h"
#include "schema.h"

/* Go's linker writes this note (name "Go", type 4: its build ID) into
 * every ELF program it links, with cgo or without. */
#define GO_NOTE_TYPE 4
#define NOTES_MAX    1024 /* a PT_NOTE segment read from the file, at most */

/* Whether the notes in p[0, n), each aligned to align, hold Go's. */
static bool go_note_in(const unsigned char *p, size_t n, size_t align)
{
	size_t off = 0;
	Elf64_Nhdr nh;

	while (n - off >= sizeof nh) {
		memcpy(&nh, p + off, sizeof nh);
		off += sizeof nh;
		size_t name = ((size_t)nh.n_namesz + align - 1) & ~(align - 1);
		size_t desc = ((size_t)nh.n_descsz + align - 1) & ~(align - 1);
		if (name > n - off)
			return false;
		if (nh.n_type == GO_NOTE_TYPE && nh.n_namesz >= 3 &&
		    !memcmp(p + off, "Go", 3))
			return true;
		off += name;
		if (desc > n - off)
			return false;
		off += desc;
	}
	return false;
}

static size_t note_align(const Elf64_Phdr *ph)
{
	return ph->p_align == 8 ? 8 : 4;
}

/* Whether the PT_NOTE segment ph of the file open on fd (buf: its first
 * n bytes) holds Go's note. */
static bool file_go_note(int fd, const unsigned char *buf, long n,
			 const Elf64_Phdr *ph)
{
	unsigned char notes[NOTES_MAX];

	if (ph->p_filesz > NOTES_MAX)
		return false;
	if (ph->p_offset <= (unsigned long long)n &&
	    (unsigned long long)n - ph->p_offset >= ph->p_filesz)
		return go_note_in(buf + ph->p_offset, ph->p_filesz,
				  note_align(ph));
	return ur_syscall(SYS_pread64, fd, notes, ph->p_filesz,
			  (off_t)ph->p_offset) == (long)ph->p_filesz &&
	       go_note_in(notes, ph->p_filesz, note_align(ph));
}

enum ur_elf_kind ur_elf_kind(int fd, const unsigned char *buf, long n)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	bool interp = false, go = false;

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
			interp = true;
		else if (ph.p_type == PT_NOTE && !go)
			go = file_go_note(fd, buf, n, &ph);
	}
	if (!interp)
		return UR_ELF_STATIC;
	return go ? UR_ELF_GO : UR_ELF_DYNAMIC;
}

/* Whether segment i of the program headers ph lies within what a
 * PT_LOAD segment mapped from the file. */
static bool mapped(const Elf64_Phdr *ph, size_t num, size_t i)
{
	for (size_t j = 0; j < num; j++) {
		if (ph[j].p_type != PT_LOAD || ph[i].p_vaddr < ph[j].p_vaddr)
			continue;
		unsigned long long in = ph[i].p_vaddr - ph[j].p_vaddr;
		if (in <= ph[j].p_filesz &&
		    ph[j].p_filesz - in >= ph[i].p_filesz)
			return true;
	}
	return false;
}

bool ur_self_go(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	size_t num = getauxval(AT_PHNUM);
	uintptr_t bias = 0;
	bool found = false;

	for (size_t i = 0; ph && i < num && !found; i++)
		if (ph[i].p_type == PT_PHDR) {
			bias = (uintptr_t)ph - ph[i].p_vaddr;
			found = true;
		}
	for (size_t i = 0; found && i < num; i++)
		if (ph[i].p_type == PT_NOTE && mapped(ph, num, i) &&
		    go_note_in((const unsigned char *)(bias + ph[i].p_vaddr),
			       ph[i].p_filesz, note_align(&ph[i])))
			return true;
	return false;
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

	enum ur_elf_kind k = file_kind(path, buf, sizeof buf, &n);

	if (ur_elf_past_libc(k))
		return true;
	if (n < 3 || buf[0] != '#' || buf[1] != '!')
		return false;
	buf[n] = 0;
	char *p = buf + 2 + strspn(buf + 2, " \t");
	p[strcspn(p, " \t\n")] = 0;
	k = file_kind(p, buf, sizeof buf, &n);
	return ur_elf_past_libc(k);
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
