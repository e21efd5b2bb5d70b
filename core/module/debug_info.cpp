// The debugger's record of loaded modules (see debug_info.h). Pure logic:
// the host tests fill it from real .ko files.
#include "module/debug_info.h"

#include "lib/string_view.h"

extern "C" {

celos_debug_modules_table celos_debug_modules = {.magic = celos::loader::kDebugInfoMagic,
                                                 .version = celos::loader::kDebugInfoVersion,
                                                 .capacity = celos::loader::kDebugMaxModules,
                                                 .module_size = sizeof(celos_debug_module),
                                                 .generation = 0,
                                                 .modules = {}};

// noipa: the call must stay even though the body does nothing, or the
// debugger's breakpoint would never be reached.
__attribute__((noipa)) void celos_debug_modules_changed() {
    asm volatile("" ::: "memory");
}

} // extern "C"

namespace celos::loader {
namespace {

// A debugger may stop the kernel between any two stores: the entry is
// marked unused while it changes, and the compiler keeps that order.
void barrier() {
    asm volatile("" ::: "memory");
}

void changed() {
    ++celos_debug_modules.generation;
    barrier();
    celos_debug_modules_changed();
}

} // namespace

void debug_module_added(usize slot, const ModuleImage& image, const RegionTarget (&targets)[kRegionCount],
                        const char* file, u64 file_size) {
    if (slot >= kDebugMaxModules) return;
    celos_debug_module& e = celos_debug_modules.modules[slot];
    e.in_use = 0;
    barrier();
    e.section_count = 0;
    e.sections_dropped = 0;
    e.file_size = file_size;
    e.base = 0;
    for (const RegionTarget& t : targets)
        if (t.address != 0 && (e.base == 0 || t.address < e.base)) e.base = t.address;
    StringView(image.info().name).copy_to(e.name, sizeof e.name);
    StringView(file).copy_to(e.file, sizeof e.file);
    for (usize i = 1; i < image.section_count(); ++i) {
        Region region;
        u64 offset = 0;
        if (!image.section_placement(i, region, offset)) continue;
        if (e.section_count == kDebugMaxSections) {
            ++e.sections_dropped;
            continue;
        }
        e.sections[e.section_count++] = {targets[static_cast<usize>(region)].address + offset,
                                         static_cast<u32>(i), 0};
    }
    barrier();
    e.in_use = 1;
    changed();
}

void debug_module_removed(usize slot) {
    if (slot >= kDebugMaxModules || !celos_debug_modules.modules[slot].in_use) return;
    celos_debug_modules.modules[slot].in_use = 0;
    changed();
}

} // namespace celos::loader
