// Hands out page-aligned virtual ranges from a fixed window (the module
// area, the core's virtual-range area): first fit over a sorted list of free
// ranges, merged on free. Fixed capacity, no heap: it serves the core before
// and alongside the heap module.
#pragma once

#include "lib/result.h"
#include "lib/types.h"

namespace celos {

class RangeAllocator {
public:
    static constexpr usize kMaxFreeRanges = 128;

    constexpr RangeAllocator() = default;
    // The window [base, end); both page-aligned.
    void init(u64 base, u64 end);

    // `size` bytes (rounded up to pages), aligned to `alignment` (a power of
    // two >= 4 KiB). Status::no_memory when nothing fits.
    Result<u64> allocate(u64 size, u64 alignment = kPageSize);
    // `size` bytes (rounded up to pages) at a page-aligned place picked by
    // `random` among every place where they fit: uniform over all of them.
    // Fails only when allocate(size) would (or when splitting a free range
    // needs an entry the table lacks: allocate() may still succeed then).
    Result<u64> allocate_random(u64 size, u64 random);
    // Returns a range given by allocate(); panics on a range that overlaps a
    // free one (a double free) or lies outside the window.
    void free(u64 base, u64 size);

    u64 free_bytes() const;
    usize free_range_count() const { return count_; }
    u64 base() const { return base_; }
    u64 end() const { return end_; }

private:
    struct FreeRange {
        u64 begin;
        u64 end;
    };
    Result<u64> take(usize i, u64 start, u64 size);
    void remove_at(usize i);
    bool insert_at(usize i, FreeRange r);

    FreeRange free_[kMaxFreeRanges] = {};
    usize count_ = 0;
    u64 base_ = 0;
    u64 end_ = 0;
};

} // namespace celos
