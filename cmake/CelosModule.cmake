# celos_add_module(NAME SOURCES src... [LINK static-libs...] [OUTPUT_DIR dir])
#
# Builds NAME.ko: an ELF64 relocatable object (ET_REL) compiled with the
# kernel's flags for -mcmodel=kernel and combined with `ld -r`. The sources
# see the module ABI (abi/include) and the compiler's own freestanding
# headers, nothing else: no core headers, no other module's headers, no libc.
# The .ko goes to build/<preset>/modules (onto the ISO) unless OUTPUT_DIR
# says otherwise. A target NAME builds it; the variable NAME_KO is its path.

set(CELOS_MODULE_FLAGS
    -ffreestanding -nostdinc -fno-pic -fno-pie -mno-red-zone -mcmodel=kernel
    -fno-omit-frame-pointer -fstack-protector-strong -mstack-protector-guard=global
    -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-common -O2 -g)

execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
                OUTPUT_VARIABLE CELOS_COMPILER_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)

function(celos_add_module name)
  cmake_parse_arguments(MOD "" "OUTPUT_DIR" "SOURCES;LINK" ${ARGN})
  if(NOT MOD_SOURCES)
    message(FATAL_ERROR "celos_add_module(${name}): no SOURCES")
  endif()
  if(NOT MOD_OUTPUT_DIR)
    set(MOD_OUTPUT_DIR ${CMAKE_BINARY_DIR}/modules)
  endif()

  add_library(${name}_objects OBJECT ${MOD_SOURCES})
  target_compile_options(${name}_objects PRIVATE
    ${CELOS_MODULE_FLAGS}
    $<$<COMPILE_LANGUAGE:CXX>:${CELOS_KERNEL_CXX_FLAGS}>
    $<$<COMPILE_LANGUAGE:C,CXX>:${CELOS_KERNEL_WARNINGS}>)
  # As an option: CMake drops implicit include directories from -isystem.
  target_compile_options(${name}_objects PRIVATE -isystem ${CELOS_COMPILER_INCLUDE})
  target_include_directories(${name}_objects PRIVATE ${CMAKE_SOURCE_DIR}/abi/include)

  set(ko ${MOD_OUTPUT_DIR}/${name}.ko)
  add_custom_command(OUTPUT ${ko}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${MOD_OUTPUT_DIR}
    COMMAND ${CMAKE_LINKER} -r --build-id=none -o ${ko} $<TARGET_OBJECTS:${name}_objects> ${MOD_LINK}
    DEPENDS $<TARGET_OBJECTS:${name}_objects> ${MOD_LINK}
    COMMAND_EXPAND_LISTS
    COMMENT "Linking kernel module ${name}.ko")
  add_custom_target(${name} ALL DEPENDS ${ko})
  set(${name}_KO ${ko} PARENT_SCOPE)
endfunction()
