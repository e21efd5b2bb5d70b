# celos_add_module(NAME SOURCES src... [LINK static-libs...] [OUTPUT_DIR dir]
#                  [EXPORTS export-lists...] [NO_LINK_CHECK])
#
# Builds NAME.ko: an ELF64 relocatable object (ET_REL) compiled with the
# kernel's flags for -mcmodel=kernel and combined with `ld -r`. The sources
# see the module ABI (abi/include) and the compiler's own freestanding
# headers, nothing else: no core headers, no other module's headers, no libc.
# The .ko goes to build/<preset>/iso-modules (onto the ISO) unless OUTPUT_DIR
# says otherwise. A target NAME builds it; the variable NAME_KO is its path.
# A shipped module is stripped of its debug information (objcopy
# --strip-debug: GRUB reads and the core hashes a fraction of the bytes);
# the unstripped file, for gdb (tools/gdb/celos.py), stays in
# build/<preset>/modules-debug under the same name.
# The link check (the block at the end) fails the build for an undefined
# symbol the module cannot link against; EXPORTS names export lists of
# modules built elsewhere; NO_LINK_CHECK is for test modules meant to fail.

# The flags (CELOS_MODULE_FLAGS and the rest) are in CelosModuleFlags.cmake,
# shared with the module SDK (`./celos sdk`).
include(${CMAKE_CURRENT_LIST_DIR}/CelosModuleFlags.cmake)

# Where shipped modules go; the ISO's /boot/modules is made from it. Their
# unstripped twins go to CELOS_MODULES_DEBUG_DIR.
set(CELOS_MODULES_DIR ${CMAKE_BINARY_DIR}/iso-modules)
set(CELOS_MODULES_DEBUG_DIR ${CMAKE_BINARY_DIR}/modules-debug)

execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
                OUTPUT_VARIABLE CELOS_COMPILER_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)

# The compile options of module code (also used for abi/support).
function(celos_module_compile_options target)
  celos_module_target_flags(${target} ${CMAKE_SOURCE_DIR}/abi/include ${CELOS_COMPILER_INCLUDE})
endfunction()

function(celos_add_module name)
  cmake_parse_arguments(MOD "NO_LINK_CHECK" "OUTPUT_DIR" "SOURCES;LINK;EXPORTS" ${ARGN})
  if(NOT MOD_SOURCES)
    message(FATAL_ERROR "celos_add_module(${name}): no SOURCES")
  endif()
  set(shipped FALSE)
  if(NOT MOD_OUTPUT_DIR)
    set(shipped TRUE)
    set(MOD_OUTPUT_DIR ${CELOS_MODULES_DIR})
    # Shipped on the ISO: grub/CMakeLists.txt makes the ISO depend on it.
    set_property(GLOBAL APPEND PROPERTY CELOS_SHIPPED_MODULE_FILES ${MOD_OUTPUT_DIR}/${name}.ko)
  endif()

  add_library(${name}_objects OBJECT ${MOD_SOURCES})
  celos_module_compile_options(${name}_objects)

  # C++ modules get operator new (nothrow) and delete from abi/support; ld
  # takes the archive's members only if the module uses them.
  set(cxx_support "")
  foreach(src IN LISTS MOD_SOURCES)
    if(src MATCHES "\\.(cpp|cc|cxx)$")
      set(cxx_support $<TARGET_FILE:celos_cxx_support>)
    endif()
  endforeach()

  set(ko ${MOD_OUTPUT_DIR}/${name}.ko)
  if(shipped)
    set(debug_ko ${CELOS_MODULES_DEBUG_DIR}/${name}.ko)
    add_custom_command(OUTPUT ${ko} ${debug_ko}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${MOD_OUTPUT_DIR} ${CELOS_MODULES_DEBUG_DIR}
      COMMAND ${CMAKE_LINKER} -r --build-id=none -o ${debug_ko} $<TARGET_OBJECTS:${name}_objects> ${MOD_LINK} ${cxx_support}
      COMMAND ${CMAKE_OBJCOPY} --strip-debug ${debug_ko} ${ko}
      DEPENDS $<TARGET_OBJECTS:${name}_objects> ${MOD_LINK} ${cxx_support}
      COMMAND_EXPAND_LISTS
      COMMENT "Linking kernel module ${name}.ko (stripped; with debug information in modules-debug)")
  else()
    add_custom_command(OUTPUT ${ko}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${MOD_OUTPUT_DIR}
      COMMAND ${CMAKE_LINKER} -r --build-id=none -o ${ko} $<TARGET_OBJECTS:${name}_objects> ${MOD_LINK} ${cxx_support}
      DEPENDS $<TARGET_OBJECTS:${name}_objects> ${MOD_LINK} ${cxx_support}
      COMMAND_EXPAND_LISTS
      COMMENT "Linking kernel module ${name}.ko")
  endif()
  add_custom_target(${name} ALL DEPENDS ${ko})
  # Into the core's module manifest (core/CMakeLists.txt).
  if(TARGET celos_module_manifest)
    set_property(TARGET celos_module_manifest APPEND PROPERTY CELOS_MANIFEST_MODULES ${ko})
  endif()
  set(${name}_KO ${ko} PARENT_SCOPE)
  celos_module_link_check(${name} ${ko} "${MOD_EXPORTS}" ${MOD_NO_LINK_CHECK})
endfunction()

# --- Link check (issue 13) ---------------------------------------------------
# After every module is defined (a deferred call at the end of the top-level
# CMakeLists), each module's undefined symbols are checked by
# tools/check_module_links.py against the core's exports (abi/exports.txt)
# and the exports of the modules its descriptor's `depends` names, among
# every module of the build and the EXPORTS lists: one line per symbol with
# the reason the loader would give at boot. The target NAME_linkcheck (ALL).
# An SDK sets these before including this file when its layout differs (the
# script needs tools/module_info.py and tools/gen_symbols.py beside it).
if(NOT DEFINED CELOS_LINK_CHECK_SCRIPT)
  get_filename_component(CELOS_LINK_CHECK_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/../tools/check_module_links.py ABSOLUTE)
endif()
if(NOT DEFINED CELOS_CORE_EXPORTS_LIST)
  get_filename_component(CELOS_CORE_EXPORTS_LIST ${CMAKE_CURRENT_LIST_DIR}/../abi/exports.txt ABSOLUTE)
endif()

function(celos_module_link_check name ko exports no_check)
  set_property(GLOBAL APPEND PROPERTY CELOS_LINK_MODULES ${name})
  set_property(GLOBAL PROPERTY CELOS_LINK_${name}_KO ${ko})
  set_property(GLOBAL PROPERTY CELOS_LINK_${name}_EXPORTS "${exports}")
  set_property(GLOBAL PROPERTY CELOS_LINK_${name}_SKIP "${no_check}")
  get_property(scheduled GLOBAL PROPERTY CELOS_LINK_SCHEDULED)
  if(NOT scheduled)
    set_property(GLOBAL PROPERTY CELOS_LINK_SCHEDULED 1)
    cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL celos_module_link_checks)
  endif()
endfunction()

function(celos_module_link_checks)
  if(NOT Python3_EXECUTABLE)
    find_package(Python3 REQUIRED COMPONENTS Interpreter)
  endif()
  get_property(names GLOBAL PROPERTY CELOS_LINK_MODULES)
  set(all_kos "")
  foreach(n IN LISTS names)
    get_property(k GLOBAL PROPERTY CELOS_LINK_${n}_KO)
    list(APPEND all_kos ${k})
  endforeach()
  set(module_args "")
  foreach(k IN LISTS all_kos)
    list(APPEND module_args --module ${k})
  endforeach()
  foreach(n IN LISTS names)
    get_property(skip GLOBAL PROPERTY CELOS_LINK_${n}_SKIP)
    if(skip)
      continue()
    endif()
    get_property(ko GLOBAL PROPERTY CELOS_LINK_${n}_KO)
    get_property(exports GLOBAL PROPERTY CELOS_LINK_${n}_EXPORTS)
    set(export_args "")
    foreach(e IN LISTS exports)
      list(APPEND export_args --exports ${e})
    endforeach()
    # The stamp goes apart from the .ko: iso-modules is the ISO's /boot/modules.
    set(stamp ${CMAKE_BINARY_DIR}/module-linkcheck/${n}.linkcheck)
    add_custom_command(OUTPUT ${stamp}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/module-linkcheck
      COMMAND ${Python3_EXECUTABLE} ${CELOS_LINK_CHECK_SCRIPT} --core-exports ${CELOS_CORE_EXPORTS_LIST}
              ${module_args} ${export_args} --stamp ${stamp} ${ko}
      DEPENDS ${ko} ${all_kos} ${exports} ${CELOS_LINK_CHECK_SCRIPT} ${CELOS_CORE_EXPORTS_LIST}
      COMMENT "Checking the links of module ${n}" VERBATIM)
    add_custom_target(${n}_linkcheck ALL DEPENDS ${stamp})
    add_dependencies(${n}_linkcheck ${names})
  endforeach()
endfunction()
