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
    // The regions by their start (stable), and the furthest end among the
    // first k of them: the regions a page overlaps are found by a binary
    // search and a short walk back, not by a pass over every region for
    // every page (7768 pages and 26 regions took 2.6 ms under QEMU).
    usize count = 0;
    u16 order[kMaxRegions];
    u64 max_end[kMaxRegions];
};

void sort_regions(Walk& w) {
    w.count = w.regions.size() < kMaxRegions ? w.regions.size() : kMaxRegions;
    for (usize i = 0; i < w.count; ++i) {
        usize j = i;
        while (j > 0 && w.regions[w.order[j - 1]].begin > w.regions[i].begin) {
            w.order[j] = w.order[j - 1];
            --j;
        }
        w.order[j] = static_cast<u16>(i);
    }
    for (usize k = 0; k < w.count; ++k) {
        u64 end = w.regions[w.order[k]].end;
        w.max_end[k] = k > 0 && w.max_end[k - 1] > end ? w.max_end[k - 1] : end;
    }
}

// The indices of the regions overlapping [begin, end), ascending (the
// order the regions were given in); how many.
usize overlapping(const Walk& w, u64 begin, u64 end, u16* out) {
    usize lo = 0, hi = w.count; // the first sorted region starting at or after `end`
    while (lo < hi) {
        usize mid = (lo + hi) / 2;
        if (w.regions[w.order[mid]].begin < end)
            lo = mid + 1;
        else
            hi = mid;
    }
    usize n = 0;
    for (usize k = lo; k-- > 0 && w.max_end[k] > begin;) {
        u16 i = w.order[k];
        if (w.regions[i].end <= begin) continue;
        usize j = n++;
        while (j > 0 && out[j - 1] > i) {
            out[j] = out[j - 1];
            --j;
        }
        out[j] = i;
    }
    return n;
}

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
    u16 hits[kMaxRegions];
    const usize n = overlapping(w, begin, end, hits);
    for (usize h = 0; h < n; ++h) {
        const usize i = hits[h];
        const WxRegion& r = w.regions[i];
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
    sort_regions(w);
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
