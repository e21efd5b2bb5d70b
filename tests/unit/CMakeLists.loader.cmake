# The module loader's host tests, included from tests/unit/CMakeLists.txt
# after celos_unit_tests is defined: the loader's code (core/module/
# module_image.cpp, in CELOS_CORE_PORTABLE_SOURCES) on the real test modules
# with GNU ld as the oracle, and on malformed modules made from abi_test_c.ko.

# tests/abi defines the modules (and caches their folder); this file may be
# read before it on a first configure.
if(CELOS_ABI_TEST_MODULES_DIR)
  set(CELOS_LOADER_MODULES_DIR ${CELOS_ABI_TEST_MODULES_DIR})
else()
  set(CELOS_LOADER_MODULES_DIR ${CMAKE_BINARY_DIR}/tests/abi/modules)
endif()

# Modules that the ld comparison covers; add more .ko files here (and their
# targets below).
set(CELOS_LOADER_ORACLE_MODULES
  ${CELOS_LOADER_MODULES_DIR}/abi_test_c.ko
  ${CELOS_LOADER_MODULES_DIR}/abi_test_cpp.ko)
list(JOIN CELOS_LOADER_ORACLE_MODULES "," CELOS_LOADER_ORACLE_MODULES_JOINED)

# One malformed module per check: bad_<case>.ko (also used by the boot tests).
set(CELOS_LOADER_FIXTURES_DIR ${CMAKE_CURRENT_BINARY_DIR}/fixtures)
set(CELOS_LOADER_FIXTURES_DIR ${CELOS_LOADER_FIXTURES_DIR} CACHE INTERNAL "malformed test modules")
set(CELOS_LOADER_FIXTURES_STAMP ${CELOS_LOADER_FIXTURES_DIR}/fixtures.stamp)
add_custom_command(OUTPUT ${CELOS_LOADER_FIXTURES_STAMP}
  COMMAND ${CMAKE_COMMAND} -E remove_directory ${CELOS_LOADER_FIXTURES_DIR}
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/fixtures/gen_bad_modules.py
          ${CELOS_LOADER_MODULES_DIR}/abi_test_c.ko ${CELOS_LOADER_FIXTURES_DIR}
  COMMAND ${CMAKE_COMMAND} -E touch ${CELOS_LOADER_FIXTURES_STAMP}
  DEPENDS ${CMAKE_SOURCE_DIR}/tests/fixtures/gen_bad_modules.py ${CELOS_LOADER_MODULES_DIR}/abi_test_c.ko
  COMMENT "Making malformed modules for the loader tests")
add_custom_target(celos_loader_fixtures DEPENDS ${CELOS_LOADER_FIXTURES_STAMP})
add_dependencies(celos_loader_fixtures abi_test_c)

target_sources(celos_unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/test_module_image.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_debug_info.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_loader_fixtures.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_module_image_paths.cpp)
target_compile_definitions(celos_unit_tests PRIVATE
  CELOS_LOADER_ORACLE_MODULES="${CELOS_LOADER_ORACLE_MODULES_JOINED}"
  CELOS_LOADER_FIXTURES_DIR="${CELOS_LOADER_FIXTURES_DIR}"
  CELOS_TEST_LD="${CMAKE_LINKER}"
  CELOS_TEST_CC="${CMAKE_C_COMPILER}")
add_dependencies(celos_unit_tests abi_test_c abi_test_cpp celos_loader_fixtures)
