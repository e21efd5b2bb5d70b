# The CelOS module SDK's CMake package (written by `./celos sdk DIR`).
#
#   find_package(CelosModule REQUIRED)   # CelosModule_DIR=DIR/cmake or CMAKE_PREFIX_PATH=DIR
#   celos_add_module(NAME SOURCES src... [DEPENDS module...] [LINK static-libs...] [OUTPUT_DIR dir])
#
# builds NAME.ko (in the build folder, or OUTPUT_DIR): the sources compiled
# with the kernel's flags (CelosModuleFlags.cmake, the same file the CelOS
# tree builds its own modules with) against the ABI headers in DIR/include
# and the compiler's freestanding headers only, then combined with `ld -r`.
# C++ modules get operator new (nothrow) and delete on the kernel heap
# (DIR/support/cxx_new.cpp, compiled here); such a module depends on `heap`.
# DEPENDS names the modules whose exports the module uses (DIR/modules/
# NAME.exports lists them): the property CELOS_MODULE_DEPENDS of the target
# NAME; the module still declares them in its descriptor (CELOS_MODULE).
# The variable NAME_KO is the path of the .ko.
#
# The project must enable C (and CXX for C++ modules); the compilers must be
# GCC (as for the tree's own modules), the linker is CMAKE_LINKER (GNU ld).

cmake_minimum_required(VERSION 3.20)

get_filename_component(CELOS_SDK_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(CELOS_SDK_INCLUDE_DIR ${CELOS_SDK_DIR}/include)
set(CELOS_SDK_EXPORTS ${CELOS_SDK_DIR}/exports.txt)

include(${CMAKE_CURRENT_LIST_DIR}/CelosModuleFlags.cmake)

get_property(_celos_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
if(NOT "C" IN_LIST _celos_languages)
  message(FATAL_ERROR "CelosModule: enable C before find_package(CelosModule): project(NAME LANGUAGES C CXX)")
endif()
# GCC, as the tree builds its own modules (the flags are GCC's: Clang rejects
# -Wno-volatile, and the tree tests its modules only with GCC).
foreach(lang C CXX)
  if(DEFINED CMAKE_${lang}_COMPILER_ID AND NOT CMAKE_${lang}_COMPILER_ID STREQUAL "GNU")
    message(FATAL_ERROR "CelosModule: modules are compiled with GCC, like the CelOS tree's own; "
            "the ${lang} compiler here is ${CMAKE_${lang}_COMPILER_ID} (${CMAKE_${lang}_COMPILER}). "
            "Configure with -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ (in a fresh build folder).")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
                OUTPUT_VARIABLE CELOS_COMPILER_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT CMAKE_LINKER)
  find_program(CMAKE_LINKER ld REQUIRED)
endif()

# The C++ support archive, compiled once per project when a C++ module asks.
function(_celos_cxx_support)
  if(NOT TARGET celos_cxx_support)
    add_library(celos_cxx_support STATIC ${CELOS_SDK_DIR}/support/cxx_new.cpp)
    celos_module_target_flags(celos_cxx_support ${CELOS_SDK_INCLUDE_DIR} ${CELOS_COMPILER_INCLUDE})
  endif()
endfunction()

# The link check (issue 13, tools/check_module_links.py): every undefined
# symbol of the .ko is a core export or an export of a module the descriptor
# depends on (the SDK's modules/*.exports, or this project's DEPENDS
# modules), else the build fails naming the symbol and the reason, as the
# loader would at boot. Skipped, with a note, without Python 3.
find_package(Python3 QUIET COMPONENTS Interpreter)
function(_celos_link_check name ko depends)
  if(NOT Python3_Interpreter_FOUND)
    message(STATUS "celos_add_module(${name}): no Python 3, so no link check at build time")
    return()
  endif()
  file(GLOB export_lists ${CELOS_SDK_DIR}/modules/*.exports)
  set(args "")
  foreach(e IN LISTS export_lists)
    list(APPEND args --exports ${e})
  endforeach()
  set(dep_kos "")
  foreach(dep IN LISTS depends)
    if(TARGET ${dep})
      get_target_property(dep_ko ${dep} CELOS_MODULE_KO)
      list(APPEND args --module ${dep_ko})
      list(APPEND dep_kos ${dep_ko})
    endif()
  endforeach()
  add_custom_command(OUTPUT ${ko}.linkcheck
    COMMAND ${Python3_EXECUTABLE} ${CELOS_SDK_DIR}/tools/check_module_links.py --core-exports ${CELOS_SDK_EXPORTS}
            ${args} --stamp ${ko}.linkcheck ${ko}
    DEPENDS ${ko} ${dep_kos} ${export_lists}
    COMMENT "Checking the links of module ${name}" VERBATIM)
  add_custom_target(${name}_linkcheck ALL DEPENDS ${ko}.linkcheck)
endfunction()

function(celos_add_module name)
  cmake_parse_arguments(MOD "" "OUTPUT_DIR" "SOURCES;DEPENDS;LINK" ${ARGN})
  if(NOT MOD_SOURCES)
    message(FATAL_ERROR "celos_add_module(${name}): no SOURCES")
  endif()
  if(NOT MOD_OUTPUT_DIR)
    set(MOD_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  foreach(dep IN LISTS MOD_DEPENDS)
    # A module of the SDK's kernel, or one of this project (defined before).
    if(NOT TARGET ${dep} AND NOT EXISTS ${CELOS_SDK_DIR}/modules/${dep}.exports)
      message(WARNING "celos_add_module(${name}): DEPENDS ${dep}: neither a module of this project "
                      "(celos_add_module before this one) nor one the SDK knows (${CELOS_SDK_DIR}/modules)")
    endif()
  endforeach()

  add_library(${name}_objects OBJECT ${MOD_SOURCES})
  celos_module_target_flags(${name}_objects ${CELOS_SDK_INCLUDE_DIR} ${CELOS_COMPILER_INCLUDE})

  set(cxx_support "")
  foreach(src IN LISTS MOD_SOURCES)
    if(src MATCHES "\\.(cpp|cc|cxx)$")
      _celos_cxx_support()
      set(cxx_support $<TARGET_FILE:celos_cxx_support>)
    endif()
  endforeach()

  set(ko ${MOD_OUTPUT_DIR}/${name}.ko)
  add_custom_command(OUTPUT ${ko}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${MOD_OUTPUT_DIR}
    COMMAND ${CMAKE_LINKER} -r --build-id=none -o ${ko} $<TARGET_OBJECTS:${name}_objects> ${MOD_LINK} ${cxx_support}
    DEPENDS $<TARGET_OBJECTS:${name}_objects> ${MOD_LINK} ${cxx_support}
    COMMAND_EXPAND_LISTS
    COMMENT "Linking kernel module ${name}.ko")
  _celos_link_check(${name} ${ko} "${MOD_DEPENDS}")
  add_custom_target(${name} ALL DEPENDS ${ko})
  set_target_properties(${name} PROPERTIES CELOS_MODULE_KO ${ko} CELOS_MODULE_DEPENDS "${MOD_DEPENDS}")
  set(${name}_KO ${ko} PARENT_SCOPE)
endfunction()
