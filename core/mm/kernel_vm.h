// Virtual ranges of the core's window (0xffffd00000000000...), backed by
// fresh zeroed pages, each with an unmapped guard page below it.
#pragma once

#include "arch/x86_64/page_table.h"
#include "lib/result.h"

namespace celos {

Result<u64> kernel_vrange_map(u64 pages, x86_64::PteFlags flags);
void kernel_vrange_unmap(u64 base, u64 pages);
Result<void> kernel_vrange_protect(u64 base, u64 pages, x86_64::PteFlags flags);

// Maps `pages` fresh zeroed pages at [address, ...) (already reserved by the
// caller); on failure nothing stays mapped or allocated.
Result<void> map_fresh_pages(u64 address, u64 pages, x86_64::PteFlags flags);
// Unmaps [address, ...) and frees the frames behind it.
void unmap_and_free_pages(u64 address, u64 pages);
// Flushes the TLB entries of a range.
void flush_range(u64 address, u64 pages);

} // namespace celos
