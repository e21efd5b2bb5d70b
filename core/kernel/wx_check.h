// The W^X audit of the live page table (mm/wx_audit.h, the only audit): the
// boot runs it once all modules are loaded; ktest runs it again with modules
// loaded after boot and with violations planted on purpose.
#pragma once

#include "mm/wx_audit.h"

namespace celos {

// The core's three regions, the two windows and three regions per module.
inline constexpr usize kWxCheckMaxRegions = 5 + 3 * 64;

// What the audit checks: the core's text, rodata and data, every loaded
// module's, the direct map (NX) and the lower half (empty). Returns how many
// regions were written to `out`.
usize wx_check_regions(WxRegion* out, usize max);

// Audits the live page table against wx_check_regions(): logs one summary
// line and an error per violation, and returns the counts.
WxAuditResult wx_check();

} // namespace celos
