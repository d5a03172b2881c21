/*
 * fuzz_elf.c - libFuzzer harness for the reading of a program file's ELF
 * headers and notes (preload/elfkind.c), which the preload, the fallback
 * tracer and the CLI run on every program a workload starts.
 *
 * The input is the file.  It is read as the exec probe reads it: its
 * first 1024 bytes in memory, the rest through the descriptor.  The kind
 * must not depend on how much of the file was given in memory: the same
 * file read whole must get the same answer.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfkind.h"

#define HEAD 1024 /* what the exec probe reads first */

static enum ur_elf_kind kind_of(int fd, const uint8_t *data, size_t n)
{
	/* a copy of exactly n bytes: ASan sees a read past them */
	unsigned char *copy = malloc(n ? n : 1);

	if (!copy)
		abort();
	memcpy(copy, data, n);
	enum ur_elf_kind k = ur_elf_kind(fd, copy, (long)n);
	free(copy);
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz_elf", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	enum ur_elf_kind head = kind_of(fd, data, size < HEAD ? size : HEAD);
	enum ur_elf_kind whole = kind_of(fd, data, size);
	if (head != whole) {
		fprintf(stderr, "fuzz_elf: kind %d from the head, %d whole\n",
			head, whole);
		abort();
	}
	close(fd);
	return 0;
}
