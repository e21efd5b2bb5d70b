# The terminal's character width tables (modules/fbcon/terminal.cpp):
# tools/gen_unicode_tables.py turns the Unicode Character Database of
# Debian's unicode-data package into generated/unicode/unicode_tables.h in
# the build tree (never committed). Generated when CMake configures, and
# again whenever the script or the data files change (they are configure
# dependencies), so every target compiling terminal.cpp finds it without a
# build-order edge. Included by the top-level project and by the fuzz
# project (tests/fuzz/project).
if(NOT Python3_EXECUTABLE)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
endif()
set(CELOS_UCD_DIR /usr/share/unicode CACHE PATH "The Unicode Character Database (Debian's unicode-data)")
set(CELOS_UNICODE_TABLES_DIR ${CMAKE_BINARY_DIR}/generated/unicode)
set(_celos_ucd_script ${CMAKE_CURRENT_LIST_DIR}/../tools/gen_unicode_tables.py)
set(_celos_ucd_inputs ${_celos_ucd_script} ${CELOS_UCD_DIR}/UnicodeData.txt ${CELOS_UCD_DIR}/EastAsianWidth.txt)
foreach(optional emoji/emoji-data.txt emoji/emoji-variation-sequences.txt)
  if(EXISTS ${CELOS_UCD_DIR}/${optional})
    list(APPEND _celos_ucd_inputs ${CELOS_UCD_DIR}/${optional})
  endif()
endforeach()
foreach(f ${_celos_ucd_inputs})
  if(NOT EXISTS ${f})
    message(FATAL_ERROR "${f} is missing: install Debian's unicode-data package (./celos bootstrap)")
  endif()
endforeach()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_celos_ucd_inputs})
execute_process(
  COMMAND ${Python3_EXECUTABLE} ${_celos_ucd_script} ${CELOS_UCD_DIR} ${CELOS_UNICODE_TABLES_DIR}/unicode_tables.h
  RESULT_VARIABLE _celos_ucd_result)
if(NOT _celos_ucd_result EQUAL 0)
  message(FATAL_ERROR "tools/gen_unicode_tables.py failed (${_celos_ucd_result})")
endif()
include_directories(${CELOS_UNICODE_TABLES_DIR})
