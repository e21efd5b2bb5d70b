#include "mm/wx_audit.h"

namespace celos {

using x86_64::PageSize;
using x86_64::PteFlag;
using x86_64::PteFlags;

namespace {

constexpr usize kMaxRegions = 256;

struct Walk {
    Span<const WxRegion> regions;
    WxViolationFn on_violation;
    void* ctx;
    WxAuditResult result;
    u64 mapped[kMaxRegions]; // bytes of each region seen mapped
};

void report(Walk& w, VirtAddr virt, PageSize size, PteFlags flags, const WxRegion* region, const char* problem) {
    ++w.result.violations;
    if (w.on_violation) w.on_violation(w.ctx, WxViolation{virt, size, flags, region, problem});
}

// The first requirement of `kind` that these flags break, or nullptr.
const char* broken_requirement(WxRegionKind kind, PteFlags flags) {
    bool writable = flags.has(PteFlag::writable), nx = flags.has(PteFlag::no_execute);
    switch (kind) {
    case WxRegionKind::text:
        if (writable) return "text is writable";
        if (nx) return "text is not executable";
        return nullptr;
    case WxRegionKind::rodata:
        if (writable) return "rodata is writable";
        if (!nx) return "rodata is executable";
        return nullptr;
    case WxRegionKind::data:
        if (!nx) return "data is executable";
        return nullptr;
    case WxRegionKind::nx_window:
        if (!nx) return "executable in a window that must be NX";
        return nullptr;
    case WxRegionKind::empty_window: return "mapped in a window that must be empty";
    }
    return nullptr;
}

void visit(void* p, VirtAddr virt, PhysAddr, PageSize size, PteFlags flags) {
    Walk& w = *static_cast<Walk*>(p);
    ++w.result.pages;
    const u64 begin = virt.value();
    u64 end = begin + static_cast<u64>(size);
    if (end < begin) end = ~0ull; // the last page of the address space
    bool wx = flags.has(PteFlag::writable) && !flags.has(PteFlag::no_execute);
    const WxRegion* first_region = nullptr;
    for (usize i = 0; i < w.regions.size() && i < kMaxRegions; ++i) {
        const WxRegion& r = w.regions[i];
        if (end <= r.begin || begin >= r.end) continue;
        if (!first_region) first_region = &r;
        u64 a = begin > r.begin ? begin : r.begin, b = end < r.end ? end : r.end;
        w.mapped[i] += b - a;
        // A W+X page is reported once, as such, below.
        if (const char* problem = broken_requirement(r.kind, flags); problem && !wx)
            report(w, virt, size, flags, &r, problem);
    }
    if (wx) {
        ++w.result.writable_executable;
        report(w, virt, size, flags, first_region, "writable and executable");
    }
}

} // namespace

WxAuditResult wx_audit(const x86_64::PageTable& table, Span<const WxRegion> regions, WxViolationFn on_violation,
                       void* ctx) {
    Walk w{regions, on_violation, ctx, {}, {}};
    table.walk(visit, &w);
    for (usize i = 0; i < regions.size() && i < kMaxRegions; ++i) {
        const WxRegion& r = regions[i];
        bool window = r.kind == WxRegionKind::nx_window || r.kind == WxRegionKind::empty_window;
        if (!window && w.mapped[i] < r.end - r.begin)
            report(w, VirtAddr(r.begin), PageSize::size_4k, PteFlags(), &r, "not mapped (in part or whole)");
    }
    return w.result;
}

const char* wx_region_kind_name(WxRegionKind kind) {
    switch (kind) {
    case WxRegionKind::text: return "text";
    case WxRegionKind::rodata: return "rodata";
    case WxRegionKind::data: return "data";
    case WxRegionKind::nx_window: return "(NX window)";
    case WxRegionKind::empty_window: return "(empty window)";
    }
    return "?";
}

} // namespace celos
