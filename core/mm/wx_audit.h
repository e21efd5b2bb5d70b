// The W^X audit, the only one: a walk of every leaf of a page table that
// confirms no page is both writable and executable, that the regions given
// (module and core text, rodata, data) carry the permissions they must, and
// that address windows are NX (the direct map) or empty (the lower half).
// Portable: the host tests run it on tables built with each kind of
// violation; the kernel runs it at boot (kernel/wx_check.h) and in ktest.
#pragma once

#include "arch/x86_64/page_table.h"
#include "lib/span.h"

namespace celos {

enum class WxRegionKind : u8 { text, rodata, data, nx_window, empty_window };

// A region with required permissions: text present, read-only, executable;
// rodata read-only, NX; data NX (these three must be mapped in whole). A
// window need not be mapped: what is mapped in an nx_window must be NX, and
// nothing may be mapped in an empty_window.
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
