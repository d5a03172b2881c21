# cmake/payload.cmake - the container payload (build/lib/unroot/ with the
# glibc build for old and new Debian images and the musl build under a
# directory named "$LIB"), made by scripts/build-payload from the same
# recipe as the host's preload (preload/CMakeLists.txt, configured inside a
# Debian 11 tree and with cmake/musl.cmake).  It needs root, debootstrap
# and Debian's mirror, so it is not part of ALL:
#   cmake --build build --target payload
# `unroot docker` mounts ${UNROOT_PAYLOAD_DIR} as it is.  The fallback
# tracer (tracer/, static, so the one build serves glibc and musl images)
# is built into the same directory, beside the preloads: the payload
# target builds it first.
add_custom_target(payload
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/build-payload ${UNROOT_PAYLOAD_DIR}
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
  COMMENT "Building the container payload (debootstrap bullseye + musl-gcc)"
  USES_TERMINAL
  VERBATIM)
add_dependencies(payload unroot-ptrace)
# The Docker base images the examples and container tests start from.
add_custom_target(base-images
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/base-images
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
  COMMENT "Building the unroot-base:* Docker images offline (debootstrap)"
  USES_TERMINAL
  VERBATIM)
# Install the payload as it was built (when it was): the glibc and musl
# builds beside the host's libunroot.so, under the same lib/unroot/.
install(DIRECTORY ${UNROOT_PAYLOAD_DIR}/ DESTINATION lib/unroot
  USE_SOURCE_PERMISSIONS)
