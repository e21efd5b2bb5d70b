#include "kernel/wx_check.h"

#include "boot/layout.h"
#include "kernel/kernel.h"
#include "kernel/stacks.h"
#include "lib/format.h"
#include "log/log.h"
#include "module/module.h"

namespace celos {
namespace {

using x86_64::PteFlag;
using x86_64::PteFlags;

constexpr usize kFixedRegions = 5; // the core's three, the direct map and the lower half
constexpr u64 kLowerHalfEnd = 0x0000800000000000ull;

// Who owns an address outside the audited regions, for the report.
void describe_owner(u64 address, char* buf, usize size) {
    int module = module_owning(address);
    if (module >= 0) {
        format(buf, size, "module %s (outside its text, rodata and data)", module_name(module));
    } else if (address >= MODULE_AREA_BASE && address < MODULE_AREA_END) {
        format(buf, size, "the module area (no module)");
    } else if (address >= KERNEL_VMA) {
        format(buf, size, "the core image");
    } else if (address >= VIRTUAL_RANGE_BASE && address < VIRTUAL_RANGE_END) {
        const KernelStack* stack = stacks_find(address);
        if (stack)
            format(buf, size, "the %s stack", stack->name);
        else
            format(buf, size, "a virtual range of the core's window");
    } else if (address >= DEVICE_MAP_BASE && address < VIRTUAL_RANGE_BASE) {
        format(buf, size, "device memory (framebuffer)");
    } else if (address >= DIRECT_MAP_BASE && address < DEVICE_MAP_BASE) {
        format(buf, size, "the direct map");
    } else {
        format(buf, size, "the lower half");
    }
}

void log_violation(void*, const WxViolation& v) {
    char owner[96];
    if (v.region)
        format(owner, sizeof owner, "%s %s", v.region->owner, wx_region_kind_name(v.region->kind));
    else
        describe_owner(v.virt.value(), owner, sizeof owner);
    bool present = v.flags.has(PteFlag::present);
    log_error("W^X audit: 0x%016llx (%llu KiB page, flags %s%s%s, raw 0x%llx): %s, in %s",
              static_cast<unsigned long long>(v.virt.value()),
              static_cast<unsigned long long>(static_cast<u64>(v.size) / 1024), present ? "R" : "-",
              v.flags.has(PteFlag::writable) ? "W" : "-",
              present && !v.flags.has(PteFlag::no_execute) ? "X" : "-",
              static_cast<unsigned long long>(v.flags.raw()), v.problem, owner);
}

} // namespace

usize wx_check_regions(WxRegion* out, usize max) {
    const WxRegion fixed[] = {
        {"core", WxRegionKind::text, reinterpret_cast<u64>(__text_start),
         align_up(reinterpret_cast<u64>(__text_end), kPageSize)},
        {"core", WxRegionKind::rodata, reinterpret_cast<u64>(__rodata_start),
         align_up(reinterpret_cast<u64>(__rodata_end), kPageSize)},
        {"core", WxRegionKind::data, reinterpret_cast<u64>(__data_start),
         align_up(reinterpret_cast<u64>(__data_end), kPageSize)},
        {"the direct map", WxRegionKind::nx_window, DIRECT_MAP_BASE, DEVICE_MAP_BASE},
        {"the lower half", WxRegionKind::empty_window, 0, kLowerHalfEnd},
    };
    static_assert(sizeof fixed / sizeof fixed[0] == kFixedRegions);
    usize count = 0;
    for (const WxRegion& r : fixed)
        if (count < max) out[count++] = r;
    return count + module_regions(out + count, max - count);
}

WxAuditResult wx_check() {
    static WxRegion regions[kWxCheckMaxRegions];
    usize count = wx_check_regions(regions, kWxCheckMaxRegions);
    usize of_modules = count - kFixedRegions;
    WxAuditResult r =
        wx_audit(*kernel().page_table, Span<const WxRegion>(regions, count), log_violation, nullptr);
    if (r.violations == 0)
        log_info("W^X audit: %zu pages checked, no writable+executable page, module text/rodata read-only "
                 "(%zu regions of the core and modules)",
                 r.pages, count);
    else
        log_error(
            "W^X audit: %zu pages checked, %zu violations (%zu writable+executable pages; %zu regions of the "
            "core and %zu of modules)",
            r.pages, r.violations, r.writable_executable, kFixedRegions, of_modules);
    return r;
}

} // namespace celos
