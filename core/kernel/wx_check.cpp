#include "kernel/wx_check.h"

#include "boot/layout.h"
#include "kernel/kernel.h"
#include "kernel/stacks.h"
#include "lib/format.h"
#include "loader/loader.h"
#include "log/log.h"
#include "mm/kernel_vm.h"
#include "mm/wx_audit.h"

namespace celos {
namespace {

using x86_64::PteFlag;
using x86_64::PteFlags;

constexpr usize kMaxRegions = 3 + 3 * 64;

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
              static_cast<unsigned long long>(v.virt.value()), static_cast<unsigned long long>(static_cast<u64>(v.size) / 1024),
              present ? "R" : "-", v.flags.has(PteFlag::writable) ? "W" : "-",
              present && !v.flags.has(PteFlag::no_execute) ? "X" : "-", static_cast<unsigned long long>(v.flags.raw()),
              v.problem, owner);
}

struct Injected {
    u64 wx_page = 0;
    WxRegion rodata{};
};

Injected inject(const WxRegion* regions, usize count) {
    Injected in;
    auto page = kernel_vrange_map(1, PteFlags(PteFlag::writable));
    if (page.ok()) in.wx_page = page.value();
    for (usize i = 0; i < count; ++i) {
        if (regions[i].kind != WxRegionKind::rodata || regions[i].owner == StringView("core")) continue;
        if (kernel_vrange_protect(regions[i].begin, 1, PteFlag::writable | PteFlag::no_execute).ok())
            in.rodata = regions[i];
        break;
    }
    log_warn("W^X audit: wxaudit=inject: a writable+executable page at 0x%llx and %s%s rodata writable, on purpose",
             static_cast<unsigned long long>(in.wx_page), in.rodata.owner ? in.rodata.owner : "no module's",
             in.rodata.owner ? "'s" : "");
    return in;
}

void undo(const Injected& in) {
    if (in.wx_page) kernel_vrange_unmap(in.wx_page, 1);
    if (in.rodata.owner && !kernel_vrange_protect(in.rodata.begin, 1, PteFlags(PteFlag::no_execute)).ok())
        log_error("W^X audit: wxaudit=inject: cannot make %s rodata read-only again", in.rodata.owner);
}

} // namespace

namespace {

bool audit(bool allow_inject) {
    KernelState& k = kernel();
    static WxRegion regions[kMaxRegions];
    usize count = 0;
    regions[count++] = {"core", WxRegionKind::text, reinterpret_cast<u64>(__text_start),
                        align_up(reinterpret_cast<u64>(__text_end), kPageSize)};
    regions[count++] = {"core", WxRegionKind::rodata, reinterpret_cast<u64>(__rodata_start),
                        align_up(reinterpret_cast<u64>(__rodata_end), kPageSize)};
    regions[count++] = {"core", WxRegionKind::data, reinterpret_cast<u64>(__data_start),
                        align_up(reinterpret_cast<u64>(__data_end), kPageSize)};
    usize core_regions = count;
    count += module_regions(regions + count, kMaxRegions - count);

    bool injecting = allow_inject && k.options.wxaudit == StringView("inject");
    Injected injected;
    if (injecting) injected = inject(regions, count);

    WxAuditResult r = wx_audit(*k.page_table, Span<const WxRegion>(regions, count), log_violation, nullptr);
    if (injecting) undo(injected);
    if (r.violations == 0) {
        log_info("W^X audit: %zu pages checked, no writable+executable page, module text/rodata read-only "
                 "(%zu regions of the core and modules)",
                 r.pages, count);
        return true;
    }
    log_error("W^X audit: %zu pages checked, %zu violations (%zu writable+executable pages; %zu regions of the "
              "core and %zu of modules)",
              r.pages, r.violations, r.writable_executable, core_regions, count - core_regions);
    return false;
}

} // namespace

bool wx_check_boot() { return audit(true); }

bool wx_check_now() { return audit(false); }

} // namespace celos
