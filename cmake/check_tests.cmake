# cmake/check_tests.cmake - unroot_check_tests(): a Check test binary built
# with the shared main (tests/common/check_main.c) and one CTest test per
# test case, named PREFIX_CASE.  The cases are not listed here: after each
# build the binary lists them (`BINARY --list`, check_list.cmake) and CTest
# reads that list when it runs (check_cases.cmake.in), so the test file is
# the only place a case is named.  Until the binary is built, CTest shows
# one test TARGET_NOT_BUILT, which fails.
#
#   unroot_check_tests(TARGET PREFIX prefix [TIMEOUT seconds]
#                      [ENVIRONMENT VAR=value...])
#
# Every case gets SKIP_RETURN_CODE 77 (a test that called test_skip()) and
# the labels test_case() gave it.
set(UNROOT_CHECK_DIR ${CMAKE_CURRENT_LIST_DIR})

function(unroot_check_tests target)
  cmake_parse_arguments(arg "" "PREFIX;TIMEOUT" "ENVIRONMENT" ${ARGN})
  if(NOT arg_PREFIX)
    message(FATAL_ERROR "unroot_check_tests(${target}): PREFIX is required")
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 300)
  endif()
  target_sources(${target} PRIVATE
    ${PROJECT_SOURCE_DIR}/tests/common/check_main.c)
  target_include_directories(${target} PRIVATE
    ${PROJECT_SOURCE_DIR}/tests/common)
  target_link_libraries(${target} PRIVATE PkgConfig::CHECK)

  set(cases ${CMAKE_CURRENT_BINARY_DIR}/${target}_cases.txt)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -D EXE=$<TARGET_FILE:${target}> -D OUT=${cases}
            -P ${UNROOT_CHECK_DIR}/check_list.cmake
    VERBATIM)

  # what CTest includes: the template filled in, then the target's path
  set(PREFIX ${arg_PREFIX})
  set(TIMEOUT ${arg_TIMEOUT})
  set(ENVIRONMENT "${arg_ENVIRONMENT}")
  set(CASES ${cases})
  set(EXE $<TARGET_FILE:${target}>)
  set(WORKDIR ${CMAKE_CURRENT_BINARY_DIR})
  set(TARGET ${target})
  configure_file(${UNROOT_CHECK_DIR}/check_cases.cmake.in
    ${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake.in @ONLY)
  file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake
    INPUT ${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake.in)
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES
    ${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake)
endfunction()
