# The compile flags of module code, in one place: the in-tree build
# (cmake/KernelFlags.cmake, cmake/CelosModule.cmake) and the module SDK
# (`./celos sdk DIR`: DIR/cmake/CelosModuleConfig.cmake and, generated from
# these lists, DIR/make/celos-flags.mk) all read this file, so a module built
# out of the tree is compiled exactly like one built in it. No commands but
# set() and function(): the SDK writer includes it in script mode.

# Warnings of all kernel code, core and modules.
set(CELOS_KERNEL_WARNINGS -Wall -Wextra -Werror -Wshadow -Wnull-dereference
    -Wno-missing-field-initializers)

# C++ without exceptions, RTTI or static-initialization guards.
set(CELOS_KERNEL_CXX_FLAGS
    -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit
    -Wno-volatile)

# -fno-optimize-sibling-calls: the core (and the heap) find the module that
# called an ABI function from its return address; a tail call would hand
# them the caller's caller (`return celos_service_register(...)` in init
# would register the service for the core, beyond the loader's release).
set(CELOS_MODULE_FLAGS
    -ffreestanding -nostdinc -fno-pic -fno-pie -mno-red-zone -mcmodel=kernel
    -fno-omit-frame-pointer -fno-optimize-sibling-calls -fstack-protector-strong
    -mstack-protector-guard=global -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-common -O2 -g)

# The language standards (with GNU extensions: statement expressions).
set(CELOS_MODULE_C_STANDARD 11)
set(CELOS_MODULE_CXX_STANDARD 20)

# The compile options of module code on a target: the flags above, the ABI
# headers (abi_include) and the compiler's own freestanding headers
# (compiler_include: `cc -print-file-name=include`), nothing else.
function(celos_module_target_flags target abi_include compiler_include)
  target_compile_options(${target} PRIVATE
    ${CELOS_MODULE_FLAGS}
    $<$<COMPILE_LANGUAGE:CXX>:${CELOS_KERNEL_CXX_FLAGS}>
    $<$<COMPILE_LANGUAGE:C,CXX>:${CELOS_KERNEL_WARNINGS}>
    -isystem ${compiler_include}) # an option: CMake drops implicit dirs from -isystem
  target_include_directories(${target} PRIVATE ${abi_include})
  set_target_properties(${target} PROPERTIES
    C_STANDARD ${CELOS_MODULE_C_STANDARD} C_STANDARD_REQUIRED ON C_EXTENSIONS ON
    CXX_STANDARD ${CELOS_MODULE_CXX_STANDARD} CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS ON)
endfunction()
