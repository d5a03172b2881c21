/*
 * got.c - a loaded object's GOT slots pointed at functions of this
 * library: libunwind's mmap and munmap, so that its threads share one
 * frame cache (stack.c), and the calls of the objects a program opens
 * with RTLD_DEEPBIND, which bind to libc before the global scope and so
 * past this library (deepbind.c).
 *
 * What is rewritten: the slots of the object's PLT relocations and of its
 * other relocations that name a symbol (GOT entries, pointers in data),
 * one at a time, each where the caller's function gives a new value.  A
 * slot's page is made writable for the store and given back the
 * protection it had: read-only inside RELRO, writable outside it (where
 * it shares its page with data).  x86-64 only (elsewhere nothing is
 * rewritten, and the callers do without).
 */
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "unroot.h"

#if defined(__x86_64__)
/* The dynamic entry tag of the object at base, or 0. */
static uintptr_t dyn_value(const ElfW(Dyn) * dyn, ElfW(Sxword) tag,
			   uintptr_t base)
{
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag != tag)
			continue;
		uintptr_t v = dyn->d_un.d_ptr;
		/* glibc relocates these in place, musl does not */
		return tag != DT_PLTRELSZ && tag != DT_RELASZ && v < base
			   ? v + base
			   : v;
	}
	return 0;
}

struct relro {
	uintptr_t base, lo, hi;
};

/* The read-only-after-relocation range of the object at r->base. */
static int find_relro(struct dl_phdr_info *info, size_t size, void *data)
{
	struct relro *r = data;

	(void)size;
	if (info->dlpi_addr != r->base)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_GNU_RELRO) {
			r->lo = info->dlpi_addr + ph->p_vaddr;
			r->hi = r->lo + ph->p_memsz;
		}
	}
	return 1;
}

struct object {
	uintptr_t base;
	const ElfW(Sym) * syms;
	const char *strs;
	struct relro relro;
};

static int rebind_relocs(const struct object *o, const ElfW(Rela) * rela,
			 size_t bytes, ur_got_fn fn, void *ctx)
{
	int done = 0;
	long page = sysconf(_SC_PAGESIZE);

	for (size_t i = 0; rela && i < bytes / sizeof *rela; i++) {
		size_t sym = ELF64_R_SYM(rela[i].r_info);
		if (!sym)
			continue; /* relative: names no symbol */
		const ElfW(Sym) *s = &o->syms[sym];
		void **slot = (void **)(o->base + rela[i].r_offset);
		void *to = fn(o->strs + s->st_name, s->st_shndx != SHN_UNDEF,
			      *slot, ctx);
		if (!to || to == *slot)
			continue;
		uintptr_t pg = (uintptr_t)slot & ~(uintptr_t)(page - 1);
		if (mprotect((void *)pg, (size_t)page, PROT_READ | PROT_WRITE))
			continue;
		*slot = to;
		if ((uintptr_t)slot >= o->relro.lo &&
		    (uintptr_t)slot < o->relro.hi)
			mprotect((void *)pg, (size_t)page, PROT_READ);
		done++;
	}
	return done;
}

int ur_got_rebind(const struct link_map *lm, ur_got_fn fn, void *ctx)
{
	struct object o = {.base = lm->l_addr};
	const ElfW(Dyn) *dyn = lm->l_ld;

	if (!dyn)
		return 0;
	o.syms = (const void *)dyn_value(dyn, DT_SYMTAB, o.base);
	o.strs = (const void *)dyn_value(dyn, DT_STRTAB, o.base);
	if (!o.syms || !o.strs)
		return 0;
	o.relro.base = o.base;
	dl_iterate_phdr(find_relro, &o.relro);
	return rebind_relocs(&o,
			     (const void *)dyn_value(dyn, DT_JMPREL, o.base),
			     dyn_value(dyn, DT_PLTRELSZ, o.base), fn, ctx) +
	       rebind_relocs(&o, (const void *)dyn_value(dyn, DT_RELA, o.base),
			     dyn_value(dyn, DT_RELASZ, o.base), fn, ctx);
}
#else
int ur_got_rebind(const struct link_map *lm, ur_got_fn fn, void *ctx)
{
	(void)lm;
	(void)fn;
	(void)ctx;
	return 0;
}
#endif
