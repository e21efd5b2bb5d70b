// What a module's load and unload must leave as they found it: the figures a
// leak would change, taken before and compared after. The loader checks every
// failed or declined module with it; ktest's load/unload cycles check 1000.
#pragma once

#include "lib/types.h"

namespace celos {

// Other modules may take and give back memory while a module is checked
// (the console's scrollback takes a chunk as lines arrive, the heap a
// region): those pages are in virtual ranges recorded as theirs, so the
// figures count the pages in live virtual ranges and page tables as if
// free, and the window's bytes in live ranges as if not handed out. The
// module's own ranges are judged by its records (resources_count) instead.
struct ResourceSnapshot {
    usize free_pages = 0;         // in the physical allocator, plus those in live ranges and page tables
    u64 module_area_pages = 0;    // mapped in the module area (a page-table walk)
    usize heap_bytes = 0;         // in use; 0 without the heap module
    u64 module_area_free = 0;     // bytes of the module area not handed out
    usize module_area_ranges = 0; // free ranges there (holes)
    u64 vrange_free = 0;          // bytes of the core's virtual-range window not handed out, plus live ranges'
    usize vrange_ranges = 0;      // free ranges there (compared only when as many ranges are live)
    usize vrange_live = 0;        // live ranges

    static ResourceSnapshot take();

    // The name of the first figure that differs between the two ("free
    // pages", "heap bytes", ...), or nullptr when they are equal.
    static const char* compare(const ResourceSnapshot& before, const ResourceSnapshot& after);

    // "free pages A -> B (counting ...), module-area pages C -> D, heap bytes E -> F,
    // module-area free G -> H KiB in I -> J ranges, virtual ranges free K -> L
    // KiB in M -> N ranges": before and after, in one line.
    static void describe(const ResourceSnapshot& before, const ResourceSnapshot& after, char* buf,
                         usize size);
};

} // namespace celos
