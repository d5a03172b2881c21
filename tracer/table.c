/*
 * table.c - syscalls.def as an array, and the lookup from a system-call
 * number to its entry (a direct index built on first use).
 */
#include <stddef.h>
#include <sys/syscall.h>

#include "tracer.h"

#define N (-1)
#define S(name_, cls_, op_, dirfd_, path_, dirfd2_, path2_, text2_, fd_, \
	  mode_, owner_, flags_, fk_, extra_)                            \
	{.name = #name_,                                                 \
	 .nr = SYS_##name_,                                              \
	 .cls = SC_##cls_,                                               \
	 .op = OP_##op_,                                                 \
	 .dirfd = dirfd_,                                                \
	 .path = path_,                                                  \
	 .dirfd2 = dirfd2_,                                              \
	 .path2 = path2_,                                                \
	 .text2 = text2_,                                                \
	 .fd = fd_,                                                      \
	 .mode = mode_,                                                  \
	 .owner = owner_,                                                \
	 .flags = flags_,                                                \
	 .fk = fk_,                                                      \
	 .extra = extra_},
const struct sysdesc tr_sys[] = {
#include "syscalls.def"
};
#undef S
#undef N
const int tr_nsys = (int)(sizeof tr_sys / sizeof tr_sys[0]);

#define MAX_NR 512
static signed char by_nr[MAX_NR];
static bool indexed;

const struct sysdesc *tr_sys_find(long nr)
{
	if (!indexed) {
		for (int i = 0; i < MAX_NR; i++)
			by_nr[i] = -1;
		for (int i = 0; i < tr_nsys; i++)
			if (tr_sys[i].nr >= 0 && tr_sys[i].nr < MAX_NR)
				by_nr[tr_sys[i].nr] = (signed char)i;
		indexed = true;
	}
	if (nr < 0 || nr >= MAX_NR || by_nr[nr] < 0)
		return NULL;
	return &tr_sys[by_nr[nr]];
}
