// Names for addresses in modules (fault reports, backtraces), the modules'
// regions for the W^X audit, and the module area's mapped pages.

#include "boot/layout.h"
#include "kernel/kernel.h"
#include "lib/demangle.h"
#include "lib/format.h"
#include "mm/wx_audit.h"
#include "module/module.h"
#include "module/registry.h"

namespace celos {

bool module_symbolize(u64 address, char* buf, usize size) {
    int owner = module_owning(address);
    if (owner < 0) return false;
    const ModuleSlot& m = module_slot(owner);
    const char* best = nullptr;
    u64 best_address = 0;
    for (usize i = 0; i < m.image.symbol_count(); ++i) {
        const char* name;
        u64 sym, sym_size;
        if (!m.image.symbol_at(i, m.targets, name, sym, sym_size)) continue;
        if (sym <= address && (sym_size == 0 || address - sym < sym_size) && (!best || sym >= best_address)) {
            best = name;
            best_address = sym;
        }
    }
    char demangled[128];
    if (best && demangle_function_name(best, demangled, sizeof demangled)) best = demangled;
    if (best)
        format(buf, size, "%s:%s+0x%llx", module_name(owner), best,
               static_cast<unsigned long long>(address - best_address));
    else
        format(buf, size, "%s:0x%llx", module_name(owner),
               static_cast<unsigned long long>(address - m.range_base));
    return true;
}

usize module_regions(WxRegion* out, usize max) {
    constexpr WxRegionKind kinds[loader::kRegionCount] = {WxRegionKind::text, WxRegionKind::rodata,
                                                          WxRegionKind::data};
    usize n = 0;
    for (usize i = 0; i < module_slot_count(); ++i) {
        const ModuleSlot& m = module_slot(static_cast<int>(i));
        if (m.state != SlotState::loaded) continue;
        for (usize r = 0; r < loader::kRegionCount && n < max; ++r)
            if (m.region_size[r] != 0 && m.targets[r].address != 0)
                out[n++] = {module_name(static_cast<int>(i)), kinds[r], m.targets[r].address,
                            m.targets[r].address + m.region_size[r]};
    }
    return n;
}

u64 module_area_mapped_pages() {
    // Only the module area's tables: a walk of everything (the direct map,
    // a display's 16 MiB BAR in 4 KiB pages) took about 1 ms under QEMU,
    // twice for every module that declines at boot.
    return kernel().page_table->mapped_bytes(VirtAddr(MODULE_AREA_BASE), MODULE_AREA_END - MODULE_AREA_BASE) /
           kPageSize;
}

} // namespace celos
