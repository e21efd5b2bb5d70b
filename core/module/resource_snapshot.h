// What a module's load and unload must leave as they found it: the figures a
// leak would change, taken before and compared after. The loader checks every
// failed or declined module with it; ktest's load/unload cycles check 1000.
#pragma once

#include "lib/types.h"

namespace celos {

struct ResourceSnapshot {
    usize free_pages = 0;         // in the physical allocator
    u64 module_area_pages = 0;    // mapped in the module area (a page-table walk)
    usize heap_bytes = 0;         // in use; 0 without the heap module
    u64 module_area_free = 0;     // bytes of the module area not handed out
    usize module_area_ranges = 0; // free ranges there (holes)
    u64 vrange_free = 0;          // bytes of the core's virtual-range window not handed out
    usize vrange_ranges = 0;

    static ResourceSnapshot take();

    // The name of the first figure that differs between the two ("free
    // pages", "heap bytes", ...), or nullptr when they are equal.
    static const char* compare(const ResourceSnapshot& before, const ResourceSnapshot& after);

    // "free pages A -> B, module-area pages C -> D, heap bytes E -> F,
    // module-area free G -> H KiB in I -> J ranges, virtual ranges free K -> L
    // KiB in M -> N ranges": before and after, in one line.
    static void describe(const ResourceSnapshot& before, const ResourceSnapshot& after, char* buf,
                         usize size);
};

} // namespace celos
