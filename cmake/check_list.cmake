# cmake/check_list.cmake - run after a Check test binary is built
# (check_tests.cmake): `EXE --list` into OUT, replaced only when the binary
# answered, so that a broken binary fails the build rather than leaving an
# old or empty list behind.
#   cmake -D EXE=path -D OUT=file -P check_list.cmake
execute_process(COMMAND ${EXE} --list
  OUTPUT_FILE ${OUT}.tmp
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp ${OUT})
  message(FATAL_ERROR "${EXE} --list failed (${rc})")
endif()
file(SIZE ${OUT}.tmp size)
if(size EQUAL 0)
  file(REMOVE ${OUT}.tmp ${OUT})
  message(FATAL_ERROR "${EXE} --list printed no test case")
endif()
file(RENAME ${OUT}.tmp ${OUT})
