// The W^X audit: a walk of every leaf of a page table that confirms no page
// is both writable and executable, and that the regions given (module and
// core text, rodata, data) carry the permissions they must. Portable: the
// host tests run it on tables built with a W+X mapping.
#pragma once

#include "arch/x86_64/page_table.h"
#include "lib/span.h"

namespace celos {

enum class WxRegionKind : u8 { text, rodata, data };

// A region with required permissions: text present, read-only, executable;
// rodata read-only, NX; data NX.
struct WxRegion {
    const char* owner; // "core", a module's name
    WxRegionKind kind;
    u64 begin;         // page-aligned, [begin, end)
    u64 end;
};

struct WxViolation {
    VirtAddr virt;
    x86_64::PageSize size;
    x86_64::PteFlags flags;  // effective
    const WxRegion* region;  // the region it breaks, or nullptr for a W+X page outside all
    const char* problem;     // "writable and executable", "text is writable", ...
};

struct WxAuditResult {
    usize pages = 0;             // leaf mappings walked
    usize writable_executable = 0;
    usize violations = 0;        // every problem, W+X pages included
};

using WxViolationFn = void (*)(void* ctx, const WxViolation& violation);

// Walks the table; calls on_violation for each problem (a page missing from
// a region is reported with flags 0 and problem "not mapped").
WxAuditResult wx_audit(const x86_64::PageTable& table, Span<const WxRegion> regions, WxViolationFn on_violation,
                       void* ctx);

const char* wx_region_kind_name(WxRegionKind kind);

} // namespace celos
