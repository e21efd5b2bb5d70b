#include "module/resource_snapshot.h"

#include "kernel/kernel.h"
#include "lib/format.h"
#include "module/load.h"
#include "module/module.h"

namespace celos {

ResourceSnapshot ResourceSnapshot::take() {
    KernelState& k = kernel();
    const celos_heap_service* heap = heap_service();
    ResourceSnapshot s;
    s.free_pages = k.pmm.free_page_count() + k.vrange_pages + k.table_pages;
    s.module_area_pages = module_area_mapped_pages();
    s.heap_bytes = heap ? heap->bytes_in_use() : 0;
    s.module_area_free = k.module_area.free_bytes();
    s.module_area_ranges = k.module_area.free_range_count();
    // Each live range also holds its guard page.
    s.vrange_free = k.vranges.free_bytes() + (k.vrange_pages + k.vrange_count) * kPageSize;
    s.vrange_ranges = k.vranges.free_range_count();
    s.vrange_live = k.vrange_count;
    return s;
}

const char* ResourceSnapshot::compare(const ResourceSnapshot& before, const ResourceSnapshot& after) {
    if (before.free_pages != after.free_pages) return "free pages";
    if (before.module_area_pages != after.module_area_pages) return "module-area pages";
    if (before.heap_bytes != after.heap_bytes) return "heap bytes";
    if (before.module_area_free != after.module_area_free ||
        before.module_area_ranges != after.module_area_ranges)
        return "module-area ranges";
    if (before.vrange_free != after.vrange_free ||
        (before.vrange_live == after.vrange_live && before.vrange_ranges != after.vrange_ranges))
        return "virtual ranges";
    return nullptr;
}

void ResourceSnapshot::describe(const ResourceSnapshot& before, const ResourceSnapshot& after, char* buf,
                                usize size) {
    using ull = unsigned long long;
    format(buf, size,
           "free pages %zu -> %zu (counting those in live ranges and page tables), module-area pages %llu -> %llu, heap bytes %zu -> %zu, module-area free "
           "%llu -> "
           "%llu KiB in %zu -> %zu ranges, virtual ranges free (or live) %llu -> %llu KiB in %zu -> %zu ranges",
           before.free_pages, after.free_pages, static_cast<ull>(before.module_area_pages),
           static_cast<ull>(after.module_area_pages), before.heap_bytes, after.heap_bytes,
           static_cast<ull>(before.module_area_free / 1024), static_cast<ull>(after.module_area_free / 1024),
           before.module_area_ranges, after.module_area_ranges, static_cast<ull>(before.vrange_free / 1024),
           static_cast<ull>(after.vrange_free / 1024), before.vrange_ranges, after.vrange_ranges);
}

} // namespace celos
