/*
 * symbols.c - names looked up in the loaded objects' own dynamic symbol
 * tables (their GNU hash tables, which the loader has read already),
 * without dlsym: no lock of the loader's beyond dl_iterate_phdr's, no
 * malloc, no error string.  Two users:
 *
 * - python.c asks whether any loaded object may define Py_IsInitialized: a
 *   failing dlsym would build its error message with malloc, and so set up
 *   malloc's heap in every program that is not Python;
 * - ur_real (state.c) finds the definitions the wrappers call: about 150
 *   dlsym(RTLD_NEXT) calls at start-up were a third of the instructions a
 *   traced /bin/true ran.
 *
 * What dlsym(RTLD_NEXT, name) answers is the first definition of the
 * name's default version in the objects after this library in the global
 * scope.  Here: the objects dl_iterate_phdr lists after this one when the
 * first lookup is made (at start-up the initial objects, which it lists in
 * the order the loader searches them), the vDSO left out; in each, the
 * definition whose version is not hidden (the default one), or the only
 * one where there are no versions (musl).  What cannot be decided so - an
 * object without a GNU hash table before the definition, an indirect
 * function (its resolver must run), a name not found - is left to dlsym
 * (ur_next_symbol returns NULL), and the first lookup is checked against
 * dlsym: when the two differ, every lookup is left to dlsym.
 */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>

#include "unroot.h"

/* One object's dynamic symbol table. */
struct symview {
	uintptr_t base;
	const uint32_t *gnu;	   /* DT_GNU_HASH; NULL: cannot say */
	const ElfW(Sym) * syms;	   /* DT_SYMTAB */
	const char *strs;	   /* DT_STRTAB */
	const ElfW(Half) * versym; /* DT_VERSYM; NULL: no versions */
};

/* An address of the object's dynamic section: already relocated (glibc
 * does that) or still relative to its base (musl, the vDSO). */
static const void *dyn_ptr(const struct dl_phdr_info *info, ElfW(Addr) v)
{
	return (const void *)(v < info->dlpi_addr ? v + info->dlpi_addr : v);
}

/* The view of info's object; false when it has no dynamic section (it
 * defines nothing).  v->gnu is NULL when its table cannot be read here. */
static bool view_of(const struct dl_phdr_info *info, struct symview *v)
{
	const ElfW(Dyn) *dyn = NULL;

	memset(v, 0, sizeof *v);
	v->base = info->dlpi_addr;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr +
						  info->dlpi_phdr[i].p_vaddr);
	if (!dyn)
		return false;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_GNU_HASH)
			v->gnu = dyn_ptr(info, dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_SYMTAB)
			v->syms = dyn_ptr(info, dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_STRTAB)
			v->strs = dyn_ptr(info, dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_VERSYM)
			v->versym = dyn_ptr(info, dyn->d_un.d_ptr);
	}
	if (!v->syms || !v->strs)
		v->gnu = NULL;
	return true;
}

/*
 * The definition of name in v (its GNU hash table), or NULL: any version
 * of it, or only the default one (hidden versions skipped).
 */
static const ElfW(Sym) *
    view_lookup(const struct symview *v, const char *name, bool default_only)
{
	enum { BITS = sizeof(ElfW(Addr)) * 8 };
	const uint32_t *ht = v->gnu;
	uint32_t h = 5381;

	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		h = h * 33 + *c;
	uint32_t nbuckets = ht[0], symoffset = ht[1], nbloom = ht[2],
		 shift = ht[3];
	if (!nbuckets || !nbloom)
		return NULL;
	const ElfW(Addr) *bloom = (const ElfW(Addr) *)(ht + 4);
	const uint32_t *buckets = (const uint32_t *)(bloom + nbloom);
	const uint32_t *chain = buckets + nbuckets;
	ElfW(Addr) word = bloom[(h / BITS) % nbloom];
	ElfW(Addr) mask = ((ElfW(Addr))1 << (h % BITS)) |
			  ((ElfW(Addr))1 << ((h >> shift) % BITS));
	if ((word & mask) != mask)
		return NULL;
	uint32_t i = buckets[h % nbuckets];
	if (i < symoffset)
		return NULL;
	for (;; i++) {
		uint32_t h2 = chain[i - symoffset];
		const ElfW(Sym) *s = &v->syms[i];
		if ((h | 1) == (h2 | 1) && s->st_shndx != SHN_UNDEF &&
		    !(default_only && v->versym && (v->versym[i] & 0x8000)) &&
		    !strcmp(v->strs + s->st_name, name))
			return s;
		if (h2 & 1)
			return NULL;
	}
}

/* dl_iterate_phdr: stop (1) at an object that defines the name or cannot
 * say (no GNU hash table). */
static int object_may_define(struct dl_phdr_info *info, size_t size, void *name)
{
	struct symview v;

	(void)size;
	if (!view_of(info, &v))
		return 0; /* nothing dynamic: it defines no symbol */
	return !v.gnu || view_lookup(&v, name, false);
}

bool ur_loaded_may_define(const char *name)
{
	return dl_iterate_phdr(object_may_define, (void *)name) != 0;
}

bool ur_is_self(const struct dl_phdr_info *info, uintptr_t *lo, uintptr_t *hi)
{
	uintptr_t here = (uintptr_t)ur_is_self;

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t from = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && here >= from &&
		    here < from + ph->p_memsz) {
			*lo = from;
			*hi = from + ph->p_memsz;
			return true;
		}
	}
	return false;
}

/* ---- the objects after this one ---- */

#define MAX_NEXT 16
static START_STATE struct symview next[MAX_NEXT];
static START_STATE int nnext;
/* 0: not listed yet, 1: being listed, 2: listed, -1: leave it to dlsym */
static START_STATE int next_state;

struct listing {
	bool after_self;
	uintptr_t vdso;
};

static int list_next(struct dl_phdr_info *info, size_t size, void *data)
{
	struct listing *l = data;
	uintptr_t lo, hi;

	(void)size;
	if (!l->after_self) {
		l->after_self = ur_is_self(info, &lo, &hi);
		return 0;
	}
	if (l->vdso && (uintptr_t)info->dlpi_phdr - l->vdso < 65536)
		return 0;
	if (nnext == MAX_NEXT)
		return 1;
	if (view_of(info, &next[nnext]))
		nnext++;
	return 0;
}

/* The definition of name after this object, or NULL: not to be decided
 * here (the top of this file). */
static void *find_next(const char *name)
{
	for (int i = 0; i < nnext; i++) {
		const struct symview *v = &next[i];
		if (!v->gnu)
			return NULL; /* it may define it: dlsym decides */
		const ElfW(Sym) *s = view_lookup(v, name, true);
		if (!s)
			continue;
		if (ELF64_ST_TYPE(s->st_info) == STT_GNU_IFUNC || !s->st_value)
			return NULL;
		return (void *)(v->base + s->st_value);
	}
	return NULL;
}

void *ur_next_symbol(const char *name)
{
	int state = __atomic_load_n(&next_state, __ATOMIC_ACQUIRE);

	if (state == 0) {
		if (!__atomic_compare_exchange_n(&next_state, &state, 1, false,
						 __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			return NULL; /* another thread is listing */
		struct listing l = {false,
				    (uintptr_t)getauxval(AT_SYSINFO_EHDR)};
		dl_iterate_phdr(list_next, &l);
		/* one lookup checked against dlsym (the loader's order) */
		void *mine = find_next("close");
		bool same = mine && mine == dlsym(RTLD_NEXT, "close");
		state = same ? 2 : -1;
		__atomic_store_n(&next_state, state, __ATOMIC_RELEASE);
	}
	return state == 2 ? find_next(name) : NULL;
}

/*
 * Whether every lookup of a function libc defines is answered here, never
 * by dlsym: the objects after this one are listed, the check against
 * dlsym passed, and each of them has a GNU hash table.  A wrapper may then
 * resolve its real function at its first call, even in a signal handler
 * or a vfork child: find_next only reads tables the loader has mapped.
 * (An indirect function would still go to dlsym; no wrapped name is one
 * in glibc or musl.)
 */
bool ur_next_symbols_suffice(void)
{
	if (!ur_next_symbol("close"))
		return false;
	for (int i = 0; i < nnext; i++)
		if (!next[i].gnu)
			return false;
	return __atomic_load_n(&next_state, __ATOMIC_ACQUIRE) == 2;
}

/* ---- this library's own definitions ---- */

static int view_self(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t lo, hi;

	(void)size;
	return ur_is_self(info, &lo, &hi) && view_of(info, data);
}

void *ur_own_function(const char *name)
{
	static struct symview self;
	static int state; /* 0: not viewed, 1: viewed, -1: cannot be */
	int st = __atomic_load_n(&state, __ATOMIC_ACQUIRE);

	if (!st) {
		struct symview v;

		st = dl_iterate_phdr(view_self, &v) && v.gnu ? 1 : -1;
		if (st > 0)
			self = v;
		__atomic_store_n(&state, st, __ATOMIC_RELEASE);
	}
	if (st < 0)
		return NULL;
	const ElfW(Sym) *s = view_lookup(&self, name, false);
	if (!s || ELF64_ST_TYPE(s->st_info) != STT_FUNC ||
	    ELF64_ST_VISIBILITY(s->st_other) != STV_DEFAULT)
		return NULL;
	return (void *)(self.base + s->st_value);
}
