// The debugger's record of loaded modules: a fixed table in the core's data
// that tools/gdb/celos.py reads from a stopped kernel to add each module's
// symbols at its load addresses (as Linux's lx-symbols reads its module
// list). The layout is an interface with that script: change it only with
// kDebugInfoVersion and the script's reader (docs/architecture.md,
// "Debugging with gdb").
#pragma once

#include "lib/types.h"
#include "module/module_image.h"

namespace celos::loader {

inline constexpr u32 kDebugInfoMagic = 0x47424443u; // "CDBG"
inline constexpr u32 kDebugInfoVersion = 1;
inline constexpr usize kDebugMaxModules = 64;  // one per boot module slot (mb2::kMaxModules)
inline constexpr usize kDebugMaxSections = 32; // allocated sections recorded per module

} // namespace celos::loader

extern "C" {

// One allocated section of a module's .ko: its index in the file's section
// header table (the script reads the name from the host's copy of the file)
// and the address of its first byte in the kernel.
struct celos_debug_section {
    celos::u64 address;
    celos::u32 index;
    celos::u32 reserved;
};

// A module, recorded from just before its init runs until it is unloaded
// (so a breakpoint inside init resolves). `file` is the label of its
// module2 line; `file_size` lets the script check it found the same .ko.
struct celos_debug_module {
    celos::u32 in_use;
    celos::u32 section_count;    // entries used in sections[]
    celos::u32 sections_dropped; // allocated sections beyond kDebugMaxSections (not recorded)
    celos::u32 reserved;
    celos::u64 file_size;
    celos::u64 base; // the start of the module's range (its text region)
    char name[40];   // the descriptor's name
    char file[48];
    celos_debug_section sections[celos::loader::kDebugMaxSections];
};

struct celos_debug_modules_table {
    celos::u32 magic;   // kDebugInfoMagic
    celos::u32 version; // kDebugInfoVersion
    celos::u32 capacity;
    celos::u32 module_size; // sizeof(celos_debug_module), for the reader's check
    celos::u64 generation;  // changes on every load and unload
    celos_debug_module modules[celos::loader::kDebugMaxModules];
};

// The offsets tools/gdb/celos.py reads (its MODULE, SECTION and HEADER).
static_assert(sizeof(celos_debug_section) == 16);
static_assert(__builtin_offsetof(celos_debug_module, name) == 32 &&
              __builtin_offsetof(celos_debug_module, file) == 72);
static_assert(__builtin_offsetof(celos_debug_module, sections) == 120 && sizeof(celos_debug_module) == 632);
static_assert(__builtin_offsetof(celos_debug_modules_table, modules) == 24);

// The table (a stable symbol name: the script looks it up in celos.elf).
extern celos_debug_modules_table celos_debug_modules;

// Called after every change of the table; it does nothing. A debugger puts a
// breakpoint here to reload module symbols as modules come and go.
void celos_debug_modules_changed();

} // extern "C"

namespace celos::loader {

// Records a module in entry `slot` (the loader's slot index) once its
// regions are placed at `targets`; the entry is replaced if in use.
void debug_module_added(usize slot, const ModuleImage& image, const RegionTarget (&targets)[kRegionCount],
                        const char* file, u64 file_size);
// Clears entry `slot` (a no-op when it is not in use).
void debug_module_removed(usize slot);

} // namespace celos::loader
