# cmake/common.cmake - the compiler settings every unroot build shares: the
# main project (CMakeLists.txt) and the preload configured as a project of
# its own for the container payload (preload/CMakeLists.txt).  GNU C11,
# RelWithDebInfo unless asked otherwise, -Wall -Wextra, warnings as errors
# unless UNROOT_WERROR is OFF.
set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS ON)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE RelWithDebInfo)
endif()

option(UNROOT_WERROR "Treat warnings as errors" ON)
add_compile_options(-Wall -Wextra)
if(UNROOT_WERROR)
  add_compile_options(-Werror)
endif()
