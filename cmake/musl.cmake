# cmake/musl.cmake - toolchain file of the musl build of the preload, the
# payload `unroot docker` mounts into musl (Alpine) images:
#
#   cmake -S preload -B B -DCMAKE_TOOLCHAIN_FILE=cmake/musl.cmake
#
# musl-gcc (Debian's musl-tools) compiles against musl's headers and links
# musl's libc.  What the preload's sources need under musl (the kernel's
# headers, musl-compat.h) is in preload/CMakeLists.txt, keyed on
# UNROOT_LIBC.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER musl-gcc)
set(UNROOT_LIBC musl)
