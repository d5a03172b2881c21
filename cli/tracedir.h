/*
 * tracedir.h - preparing a trace directory (see tracedir.c).
 */
#ifndef UNROOT_TRACEDIR_H
#define UNROOT_TRACEDIR_H

void trace_dir_prepare(const char *dir);
long long now_ns(void); /* CLOCK_REALTIME in ns, as trace timestamps */

#endif
