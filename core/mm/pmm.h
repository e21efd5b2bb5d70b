// The physical memory manager: a bitmap of 4 KiB frames, one bit per frame
// (set = not free), plus a second bitmap of the frames it manages so that a
// bad free is caught instead of corrupting the free set.
#pragma once

#include "lib/result.h"
#include "lib/span.h"
#include "lib/types.h"

namespace celos {

class PhysicalMemoryManager {
public:
    constexpr PhysicalMemoryManager() = default;
    PhysicalMemoryManager(const PhysicalMemoryManager&) = delete;
    PhysicalMemoryManager& operator=(const PhysicalMemoryManager&) = delete;

    // usable: RAM ranges from the memory map (any alignment, may overlap each
    // other or be unsorted); reserved: ranges never to hand out (kernel image,
    // modules, boot information, first 1 MiB...), any alignment. Only whole
    // frames inside a usable range count; a frame touching a reserved range,
    // and physical page 0, are never handed out.
    // direct_map_offset: the bitmaps are accessed at phys + direct_map_offset.
    // They are placed in usable, non-reserved memory and their frames are used.
    Result<void> init(Span<const PhysRange> usable, Span<const PhysRange> reserved,
                      u64 direct_map_offset);

    // `count` contiguous frames whose base is a multiple of `alignment` (a
    // power of two >= 4 KiB). Status::no_memory when no such run is free.
    Result<PhysAddr> alloc_pages(usize count, u64 alignment = kPageSize);
    // Panics on an unaligned base, a frame already free, or a frame that was
    // never handed out by this manager (reserved, a hole, the bitmaps).
    void free_pages(PhysAddr base, usize count);

    usize free_page_count() const { return free_pages_; }
    // Frames usable at init, minus reserved ones, minus the bitmaps' frames.
    usize total_page_count() const { return total_pages_; }
    bool is_free(PhysAddr frame) const;
    // One past the last byte of the highest usable frame (page aligned): the
    // direct map must cover [0, highest_usable()).
    PhysAddr highest_usable() const { return PhysAddr(end_frame_ * kPageSize); }
    // Where the bitmaps live (page aligned, inside usable memory).
    PhysRange metadata_range() const { return metadata_; }
    bool initialized() const { return used_ != nullptr; }

private:
    // Frame numbers are absolute (phys / 4 KiB); bit i of the bitmaps is frame
    // base_frame_ + i.
    bool bit(const u64* map, u64 frame) const;
    void set_bits(u64* map, u64 first, u64 last, bool value);
    // First frame in [first, last) whose used bit equals `used`, or `last`.
    u64 find_bit(u64 first, u64 last, bool used) const;
    // First base >= first, aligned to align_frames, with [base, base + count)
    // free and below `last`; or `last` when there is none.
    u64 find_run(u64 first, u64 last, u64 count, u64 align_frames) const;
    u64 count_free(u64 first, u64 last) const;

    u64* used_ = nullptr;     // 1 = allocated, reserved, a hole or metadata
    u64* managed_ = nullptr;  // 1 = a frame alloc_pages may hand out
    u64 base_frame_ = 0;      // multiple of 64
    u64 end_frame_ = 0;       // one past the highest usable frame
    u64 words_ = 0;           // 64-bit words per bitmap
    u64 next_fit_ = 0;        // frame where the next search starts
    usize free_pages_ = 0;
    usize total_pages_ = 0;
    PhysRange metadata_{};
};

} // namespace celos
