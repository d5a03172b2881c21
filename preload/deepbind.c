/*
 * deepbind.c - the objects a program opens with dlopen(RTLD_DEEPBIND).
 * Such an object and the libraries loaded with it look symbols up in
 * their own dependencies before the global scope, so their calls bind to
 * libc, past this library: PHP opens every extension so, and opcache's
 * lock file (mkstemp in /tmp) was never recorded.  After such a dlopen,
 * the objects it loaded get this library's wrappers in the GOT slots
 * that name them (got.c), as the global scope would have bound them.
 *
 * dlopen is interposed by a few instructions that jump to libc's dlopen
 * unless the mode holds RTLD_DEEPBIND: libc judges a dlopen by its
 * caller's return address (the caller's RUNPATH and $ORIGIN, its
 * namespace), which a jump keeps.  A DEEPBIND load of a path with a '/'
 * and no '$', where the caller makes no difference but its namespace, is
 * made from here and its new objects are patched; any other DEEPBIND
 * load goes to libc untouched, its calls unseen, and so do the calls the
 * new objects' constructors make inside dlopen.  A slot is left alone
 * when the object defines the name itself, or when it holds neither an
 * address in libc nor one of the object's own (its lazy PLT stub): then
 * another library of its scope defines the name.  A lazy stub is taken
 * for a call to libc unchecked (a library loaded with the object that
 * defines a wrapped name, as libc does, would be passed over).
 *
 * x86-64 with glibc; elsewhere dlopen is not interposed.  In every
 * process that loads the library, traced or not (the patch only when
 * traced).
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

#include "unroot.h"

#if defined(__x86_64__) && defined(__GLIBC__) && defined(RTLD_DEEPBIND)
void *ur_dlopen_next START_STATE;

HIDDEN void *ur_dlopen_resolve(void);
HIDDEN int ur_dlopen_takes(const char *file, int mode);
HIDDEN void *ur_dlopen_deep(const char *file, int mode);

/* libc's dlopen, looked up at the first call */
void *ur_dlopen_resolve(void)
{
	void *p = __atomic_load_n(&ur_dlopen_next, __ATOMIC_ACQUIRE);

	if (!p) {
		p = ur_real("dlopen");
		__atomic_store_n(&ur_dlopen_next, p, __ATOMIC_RELEASE);
	}
	return p;
}

/* Whether this DEEPBIND load is made here (the top of the file). */
int ur_dlopen_takes(const char *file, int mode)
{
	return ur_enabled && (mode & RTLD_DEEPBIND) && file &&
	       strchr(file, '/') && !strchr(file, '$') && ur_dlopen_resolve();
}

/* dlopen: libc's, jumped to, unless ur_dlopen_takes says the load is
 * made here (the stack aligned for the call, the arguments kept). */
__asm__(".text\n"
	".globl dlopen\n"
	".type dlopen, @function\n"
	"dlopen:\n"
#if defined(__CET__) && (__CET__ & 1)
	"	endbr64\n"
#endif
	"	testl $8, %esi\n" /* RTLD_DEEPBIND */
	"	jz 1f\n"
	"	pushq %rdi\n"
	"	pushq %rsi\n"
	"	subq $8, %rsp\n"
	"	call ur_dlopen_takes\n"
	"	addq $8, %rsp\n"
	"	popq %rsi\n"
	"	popq %rdi\n"
	"	testl %eax, %eax\n"
	"	jnz ur_dlopen_deep\n"
	"1:	movq ur_dlopen_next(%rip), %rax\n"
	"	testq %rax, %rax\n"
	"	jnz 2f\n"
	"	pushq %rdi\n"
	"	pushq %rsi\n"
	"	subq $8, %rsp\n"
	"	call ur_dlopen_resolve\n"
	"	addq $8, %rsp\n"
	"	popq %rsi\n"
	"	popq %rdi\n"
	"2:	jmp *%rax\n"
	".size dlopen, .-dlopen\n");

/* The last object of the namespace's list (the program's own). */
static struct link_map *last_object(void)
{
	struct link_map *lm = NULL;
	Dl_info info;

	if (!dladdr1((void *)ur_dlopen_deep, &info, (void **)&lm,
		     RTLD_DL_LINKMAP) ||
	    !lm)
		return NULL;
	while (lm->l_next)
		lm = lm->l_next;
	return lm;
}

struct range {
	uintptr_t lo, hi;
};

struct patching {
	const struct link_map *tail; /* the last object before the load */
	uintptr_t libc_fn;	     /* an address in the object of libc */
	struct range self, libc;     /* the object being patched; libc's */
};

static bool in_range(const struct range *r, uintptr_t a)
{
	return a >= r->lo && a < r->hi;
}

/* ur_got_rebind: a slot that names one of our wrappers, bound to libc or
 * not bound yet (its object's own PLT stub), goes to the wrapper. */
static void *to_wrapper(const char *name, bool defined, void *cur, void *ctx)
{
	const struct patching *p = ctx;
	void *ours;

	if (defined || !*name || !(ours = ur_own_function(name)))
		return NULL;
	if (!in_range(&p->self, (uintptr_t)cur) &&
	    !in_range(&p->libc, (uintptr_t)cur))
		return NULL;
	return ours;
}

static struct range range_of(const struct dl_phdr_info *info)
{
	struct range r = {UINTPTR_MAX, 0};

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t from = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type != PT_LOAD)
			continue;
		if (from < r.lo)
			r.lo = from;
		if (from + ph->p_memsz > r.hi)
			r.hi = from + ph->p_memsz;
	}
	return r;
}

/*
 * dl_iterate_phdr: libc's object, then each object the load added (the
 * ones after p->tail in the namespace's list).  Under the loader's lock
 * that dl_iterate_phdr holds: two threads never patch at once, and a
 * forked child finds the lock as libc leaves it.
 */
static int patch_new(struct dl_phdr_info *info, size_t size, void *data)
{
	struct patching *p = data;
	struct range r = range_of(info);

	(void)size;
	if (in_range(&r, p->libc_fn)) {
		p->libc = r;
		return 0;
	}
	for (const struct link_map *lm = p->tail->l_next; lm; lm = lm->l_next)
		if (lm->l_addr == info->dlpi_addr && info->dlpi_addr) {
			p->self = r;
			ur_got_rebind(lm, to_wrapper, p);
			break;
		}
	return 0;
}

void *ur_dlopen_deep(const char *file, int mode)
{
	void *(*next)(const char *, int) =
	    (void *(*)(const char *, int))__atomic_load_n(&ur_dlopen_next,
							  __ATOMIC_ACQUIRE);
	struct patching p = {.tail = last_object(), .libc_fn = (uintptr_t)next};

	(void)ur_own_function("dlopen"); /* its table found before */
	void *h = next(file, mode);
	int saved = errno;

	if (h && p.tail)
		dl_iterate_phdr(patch_new, &p);
	errno = saved;
	return h;
}
#endif
