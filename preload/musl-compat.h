/*
 * musl-compat.h - force-included (-include) only in the musl build of the
 * preload (preload/CMakeLists.txt with cmake/musl.cmake, which
 * scripts/build-payload runs); the glibc build never sees it.
 *
 * Under _GNU_SOURCE musl's headers turn the large-file names into macros
 * (#define open64 open, #define truncate64 truncate ...), so the wrappers
 * the preload defines for those glibc symbols would become second
 * definitions of open, truncate...  Including those headers first and then
 * dropping the function-name macros lets the sources compile unchanged: the
 * *64 wrappers become ordinary exported functions that musl programs never
 * call (musl has no separate *64 symbols), which is harmless.  Type macros
 * such as off64_t are kept.
 */
#ifndef UNROOT_MUSL_COMPAT_H
#define UNROOT_MUSL_COMPAT_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#undef open64
#undef openat64
#undef creat64
#undef fopen64
#undef freopen64
#undef tmpfile64
#undef mkstemp64
#undef mkostemp64
#undef mkstemps64
#undef mkostemps64
#undef truncate64
#undef ftruncate64

#endif
