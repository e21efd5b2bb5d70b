#include "mm/range_allocator.h"

#include "lib/assert.h"

namespace celos {

void RangeAllocator::init(u64 base, u64 end) {
    ASSERT(is_aligned(base, kPageSize) && is_aligned(end, kPageSize) && base < end);
    base_ = base;
    end_ = end;
    free_[0] = {base, end};
    count_ = 1;
}

void RangeAllocator::remove_at(usize i) {
    for (usize j = i; j + 1 < count_; ++j) free_[j] = free_[j + 1];
    --count_;
}

bool RangeAllocator::insert_at(usize i, FreeRange r) {
    if (count_ == kMaxFreeRanges) return false;
    for (usize j = count_; j > i; --j) free_[j] = free_[j - 1];
    free_[i] = r;
    ++count_;
    return true;
}

// Takes [start, start + size) out of free range i, which holds it.
Result<u64> RangeAllocator::take(usize i, u64 start, u64 size) {
    FreeRange& r = free_[i];
    u64 stop = start + size;
    bool head = start > r.begin, tail = stop < r.end;
    if (head && tail) {
        // Splitting needs one more entry; refuse rather than lose a range.
        if (count_ == kMaxFreeRanges) return make_error(Status::no_memory, "range allocator is full");
        FreeRange after{stop, r.end};
        r.end = start;
        insert_at(i + 1, after);
    } else if (head) {
        r.end = start;
    } else if (tail) {
        r.begin = stop;
    } else {
        remove_at(i);
    }
    return start;
}

Result<u64> RangeAllocator::allocate(u64 size, u64 alignment) {
    if (size == 0 || alignment < kPageSize || (alignment & (alignment - 1)) != 0)
        return make_error(Status::invalid, "range size is zero or alignment is not a power of two >= 4 KiB");
    if (size > end_ - base_) return make_error(Status::no_memory, "range larger than the window");
    size = align_up(size, kPageSize);
    for (usize i = 0; i < count_; ++i) {
        FreeRange& r = free_[i];
        u64 start = align_up(r.begin, alignment);
        if (start < r.begin || start >= r.end || r.end - start < size) continue;
        return take(i, start, size);
    }
    return make_error(Status::no_memory, "no free range large enough");
}

Result<u64> RangeAllocator::allocate_random(u64 size, u64 random) {
    if (size == 0) return make_error(Status::invalid, "range size is zero");
    if (size > end_ - base_) return make_error(Status::no_memory, "range larger than the window");
    size = align_up(size, kPageSize);
    // Each free range of at least `size` bytes offers (length - size) / page + 1 starts.
    u64 places = 0;
    for (usize i = 0; i < count_; ++i)
        if (free_[i].end - free_[i].begin >= size) places += (free_[i].end - free_[i].begin - size) / kPageSize + 1;
    if (places == 0) return make_error(Status::no_memory, "no free range large enough");
    u64 pick = random % places;
    for (usize i = 0; i < count_; ++i) {
        FreeRange& r = free_[i];
        if (r.end - r.begin < size) continue;
        u64 here = (r.end - r.begin - size) / kPageSize + 1;
        if (pick >= here) {
            pick -= here;
            continue;
        }
        u64 start = r.begin + pick * kPageSize;
        return take(i, start, size);
    }
    return make_error(Status::no_memory, "no free range large enough"); // not reached: pick < places
}

void RangeAllocator::free(u64 base, u64 size) {
    size = align_up(size, kPageSize);
    u64 end = base + size;
    if (size == 0 || !is_aligned(base, kPageSize) || base < base_ || end > end_ || end < base)
        panic("range allocator: freeing [0x%llx, 0x%llx) outside the window [0x%llx, 0x%llx)",
              static_cast<unsigned long long>(base), static_cast<unsigned long long>(end),
              static_cast<unsigned long long>(base_), static_cast<unsigned long long>(end_));
    usize i = 0;
    while (i < count_ && free_[i].begin < base) ++i;
    if ((i > 0 && free_[i - 1].end > base) || (i < count_ && free_[i].begin < end))
        panic("range allocator: [0x%llx, 0x%llx) is already free (double free)",
              static_cast<unsigned long long>(base), static_cast<unsigned long long>(end));
    bool joins_prev = i > 0 && free_[i - 1].end == base;
    bool joins_next = i < count_ && free_[i].begin == end;
    if (joins_prev && joins_next) {
        free_[i - 1].end = free_[i].end;
        remove_at(i);
    } else if (joins_prev) {
        free_[i - 1].end = end;
    } else if (joins_next) {
        free_[i].begin = base;
    } else if (!insert_at(i, {base, end})) {
        panic("range allocator: more than %zu free ranges", kMaxFreeRanges);
    }
}

u64 RangeAllocator::free_bytes() const {
    u64 total = 0;
    for (usize i = 0; i < count_; ++i) total += free_[i].end - free_[i].begin;
    return total;
}

} // namespace celos
