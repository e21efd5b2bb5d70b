#include "ktest/wx_inject.h"

#include "kernel/wx_check.h"
#include "ktest/ktap.h"
#include "lib/format.h"
#include "lib/string_view.h"
#include "log/log.h"
#include "mm/kernel_vm.h"

namespace celos::ktest {

using x86_64::PteFlag;
using x86_64::PteFlags;

WxInjection wx_inject_plant() {
    WxInjection in;
    auto page = kernel_vrange_map(1, PteFlags(PteFlag::writable));
    if (page.ok()) in.wx_page = page.value();
    static WxRegion regions[kWxCheckMaxRegions];
    usize count = wx_check_regions(regions, kWxCheckMaxRegions);
    for (usize i = 0; i < count; ++i) {
        if (regions[i].kind != WxRegionKind::rodata || regions[i].owner == StringView("core")) continue;
        if (kernel_vrange_protect(regions[i].begin, 1, PteFlag::writable | PteFlag::no_execute).ok()) {
            in.rodata_owner = regions[i].owner;
            in.rodata_page = regions[i].begin;
        }
        break;
    }
    log_warn("W^X audit: wxaudit=inject: a writable+executable page at 0x%llx and %s%s rodata writable, on "
             "purpose",
             static_cast<unsigned long long>(in.wx_page), in.rodata_owner ? in.rodata_owner : "no module's",
             in.rodata_owner ? "'s" : "");
    return in;
}

void wx_inject_remove(const WxInjection& in) {
    if (in.wx_page) kernel_vrange_unmap(in.wx_page, 1);
    if (in.rodata_owner && !kernel_vrange_protect(in.rodata_page, 1, PteFlags(PteFlag::no_execute)).ok())
        log_error("W^X audit: wxaudit=inject: cannot make %s rodata read-only again", in.rodata_owner);
}

void wx_inject_run() {
    Ktap ktap(2);
    WxInjection in = wx_inject_plant();
    WxAuditResult found = wx_check();
    wx_inject_remove(in);
    char detail[96];
    format(detail, sizeof detail, "%zu planted, %zu violations found (%zu writable+executable)", in.planted(),
           found.violations, found.writable_executable);
    ktap.pass("wx_audit_finds_injected",
              in.wx_page != 0 && found.violations == in.planted() && found.writable_executable == 1, detail);
    WxAuditResult after = wx_check();
    format(detail, sizeof detail, "%zu violations", after.violations);
    ktap.pass("wx_audit_clean_after_removal", after.violations == 0, detail);
}

} // namespace celos::ktest
