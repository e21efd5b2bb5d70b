# celos_add_module(NAME SOURCES src... [LINK static-libs...] [OUTPUT_DIR dir])
#
# Builds NAME.ko: an ELF64 relocatable object (ET_REL) compiled with the
# kernel's flags for -mcmodel=kernel and combined with `ld -r`. The sources
# see the module ABI (abi/include) and the compiler's own freestanding
# headers, nothing else: no core headers, no other module's headers, no libc.
# The .ko goes to build/<preset>/iso-modules (onto the ISO) unless OUTPUT_DIR
# says otherwise. A target NAME builds it; the variable NAME_KO is its path.

# The flags (CELOS_MODULE_FLAGS and the rest) are in CelosModuleFlags.cmake,
# shared with the module SDK (`./celos sdk`).
include(${CMAKE_CURRENT_LIST_DIR}/CelosModuleFlags.cmake)

# Where shipped modules go; the ISO's /boot/modules is made from it.
set(CELOS_MODULES_DIR ${CMAKE_BINARY_DIR}/iso-modules)

execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
                OUTPUT_VARIABLE CELOS_COMPILER_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)

# The compile options of module code (also used for abi/support).
function(celos_module_compile_options target)
  celos_module_target_flags(${target} ${CMAKE_SOURCE_DIR}/abi/include ${CELOS_COMPILER_INCLUDE})
endfunction()

function(celos_add_module name)
  cmake_parse_arguments(MOD "" "OUTPUT_DIR" "SOURCES;LINK" ${ARGN})
  if(NOT MOD_SOURCES)
    message(FATAL_ERROR "celos_add_module(${name}): no SOURCES")
  endif()
  if(NOT MOD_OUTPUT_DIR)
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
  add_custom_command(OUTPUT ${ko}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${MOD_OUTPUT_DIR}
    COMMAND ${CMAKE_LINKER} -r --build-id=none -o ${ko} $<TARGET_OBJECTS:${name}_objects> ${MOD_LINK} ${cxx_support}
    DEPENDS $<TARGET_OBJECTS:${name}_objects> ${MOD_LINK} ${cxx_support}
    COMMAND_EXPAND_LISTS
    COMMENT "Linking kernel module ${name}.ko")
  add_custom_target(${name} ALL DEPENDS ${ko})
  # Into the core's module manifest (core/CMakeLists.txt).
  if(TARGET celos_module_manifest)
    set_property(TARGET celos_module_manifest APPEND PROPERTY CELOS_MANIFEST_MODULES ${ko})
  endif()
  set(${name}_KO ${ko} PARENT_SCOPE)
endfunction()
