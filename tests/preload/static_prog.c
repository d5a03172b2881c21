/*
 * static_prog.c - a statically linked program (no PT_INTERP): the loader
 * will not preload into it, and the preload must say so with an
 * "untraced" record at the exec.
 */
#include <unistd.h>

int main(void)
{
	return write(1, "", 0) < 0;
}
