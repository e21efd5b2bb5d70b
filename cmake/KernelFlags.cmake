# Flags for freestanding code that runs in the kernel: the core and modules.
# The core keeps to general-purpose registers so that interrupt and fault
# paths never touch SSE state that a module (FreeType) may be using.

# The warnings and C++ flags shared with modules (CELOS_KERNEL_WARNINGS,
# CELOS_KERNEL_CXX_FLAGS) are in CelosModuleFlags.cmake, which the module SDK
# ships too.
include(${CMAKE_CURRENT_LIST_DIR}/CelosModuleFlags.cmake)

set(CELOS_KERNEL_COMMON_FLAGS
    -ffreestanding -fno-builtin-malloc -fno-pic -fno-pie -mno-red-zone -mcmodel=kernel
    -fno-omit-frame-pointer -fstack-protector-strong -mstack-protector-guard=global
    -fno-asynchronous-unwind-tables -fno-unwind-tables
    -fno-strict-aliasing -fno-common -ffunction-sections -fdata-sections)

set(CELOS_CORE_ONLY_FLAGS -mgeneral-regs-only)

# Applies the kernel's flags to a target (an object library or executable).
function(celos_kernel_target_flags target)
  # Optimized in every build type: debug builds differ by assertions
  # (DEBUG_ASSERT) and keep full debug information.
  target_compile_options(${target} PRIVATE -O2 -g
    ${CELOS_KERNEL_COMMON_FLAGS}
    $<$<COMPILE_LANGUAGE:CXX>:${CELOS_KERNEL_CXX_FLAGS}>
    $<$<COMPILE_LANGUAGE:C,CXX>:${CELOS_KERNEL_WARNINGS}>)
endfunction()
