#include "mm/pmm.h"

#include "lib/assert.h"
#include "lib/irq.h"

namespace celos {

namespace {

// Physical addresses are at most 52 bits wide (Intel SDM vol. 3, 4.1.4).
constexpr u64 kMaxPhys = 1ull << 52;
constexpr u64 kAllOnes = ~0ull;

using ull = unsigned long long;

u64 clamp_phys(u64 v) { return v < kMaxPhys ? v : kMaxPhys; }

// The whole frames inside a usable range: [first, last) in frame numbers.
void usable_frames(const PhysRange& r, u64& first, u64& last) {
    first = align_up(clamp_phys(r.begin.value()), kPageSize) / kPageSize;
    last = align_down(clamp_phys(r.end.value()), kPageSize) / kPageSize;
    if (last < first) last = first;
}

// Every frame a reserved range touches.
void touched_frames(const PhysRange& r, u64& first, u64& last) {
    first = align_down(clamp_phys(r.begin.value()), kPageSize) / kPageSize;
    last = align_up(clamp_phys(r.end.value()), kPageSize) / kPageSize;
    if (r.empty() || last < first) last = first;
}

} // namespace

bool PhysicalMemoryManager::bit(const u64* map, u64 frame) const {
    const u64 i = frame - base_frame_;
    return (map[i / 64] >> (i % 64)) & 1;
}

void PhysicalMemoryManager::set_bits(u64* map, u64 first, u64 last, bool value) {
    if (first < base_frame_) first = base_frame_;
    if (last > end_frame_) last = end_frame_;
    for (u64 f = first; f < last;) {
        const u64 i = f - base_frame_;
        const u64 word = i / 64;
        const u64 lo = i % 64;
        const u64 n = (last - f) < 64 - lo ? (last - f) : 64 - lo;
        const u64 mask = (n == 64 ? kAllOnes : ((1ull << n) - 1)) << lo;
        if (value) map[word] |= mask;
        else map[word] &= ~mask;
        f += n;
    }
}

u64 PhysicalMemoryManager::find_bit(u64 first, u64 last, bool used) const {
    for (u64 f = first; f < last;) {
        const u64 i = f - base_frame_;
        u64 w = used ? used_[i / 64] : ~used_[i / 64];
        w &= kAllOnes << (i % 64);
        const u64 word_start = f - i % 64;
        if (w != 0) {
            const u64 hit = word_start + static_cast<u64>(__builtin_ctzll(w));
            return hit < last ? hit : last;
        }
        f = word_start + 64;  // the rest of this word holds nothing wanted
    }
    return last;
}

u64 PhysicalMemoryManager::find_run(u64 first, u64 last, u64 count, u64 align_frames) const {
    u64 f = align_up(first, align_frames);
    while (f >= first && f < last && count <= last - f) {
        const u64 used = find_bit(f, f + count, true);
        if (used == f + count) return f;
        const u64 next_free = find_bit(used + 1, last, false);
        if (next_free >= last) break;
        f = align_up(next_free, align_frames);
    }
    return last;
}

u64 PhysicalMemoryManager::count_free(u64 first, u64 last) const {
    u64 n = 0;
    for (u64 f = first; f < last;) {
        const u64 i = f - base_frame_;
        const u64 w = used_[i / 64];
        if (i % 64 == 0 && last - f >= 64 && (w == 0 || w == kAllOnes)) {
            n += w == 0 ? 64 : 0;  // whole words at once; no popcnt in a kernel without libgcc
            f += 64;
            continue;
        }
        n += bit(used_, f) ? 0 : 1;
        ++f;
    }
    return n;
}

Result<void> PhysicalMemoryManager::init(Span<const PhysRange> usable, Span<const PhysRange> reserved,
                                         u64 direct_map_offset) {
    ASSERT(!initialized());

    u64 lowest = kAllOnes;
    u64 highest = 0;
    for (const PhysRange& r : usable) {
        u64 first, last;
        usable_frames(r, first, last);
        if (first == last) continue;
        if (first < lowest) lowest = first;
        if (last > highest) highest = last;
    }
    if (highest == 0) return make_error(Status::no_memory, "pmm: no whole usable frame");

    const u64 base = align_down(lowest, 64);
    const u64 words = (highest - base + 63) / 64;
    const u64 meta_pages = align_up(2 * words * sizeof(u64), kPageSize) / kPageSize;

    // First fit for the bitmaps: inside one usable range, clear of every
    // reserved range and of page 0.
    u64 meta = 0;
    bool placed = false;
    for (const PhysRange& r : usable) {
        u64 first, last;
        usable_frames(r, first, last);
        u64 cand = first == 0 ? 1 : first;
        bool moved = true;
        while (moved && cand < last && meta_pages <= last - cand) {
            moved = false;
            for (const PhysRange& res : reserved) {
                u64 rf, rl;
                touched_frames(res, rf, rl);
                if (rf < cand + meta_pages && cand < rl) {
                    cand = rl;
                    moved = true;
                }
            }
        }
        if (!moved && cand < last && meta_pages <= last - cand) {
            meta = cand;
            placed = true;
            break;
        }
    }
    if (!placed) return make_error(Status::no_memory, "pmm: no room for the frame bitmap");

    base_frame_ = base;
    end_frame_ = highest;
    words_ = words;
    used_ = reinterpret_cast<u64*>(meta * kPageSize + direct_map_offset);
    managed_ = used_ + words;
    metadata_ = PhysRange{PhysAddr(meta * kPageSize), PhysAddr((meta + meta_pages) * kPageSize)};

    for (u64 i = 0; i < words; ++i) {
        used_[i] = kAllOnes;  // holes and the padding past end_frame_ stay used
        managed_[i] = 0;
    }
    for (const PhysRange& r : usable) {
        u64 first, last;
        usable_frames(r, first, last);
        set_bits(used_, first, last, false);
        set_bits(managed_, first, last, true);
    }
    for (const PhysRange& r : reserved) {
        u64 first, last;
        touched_frames(r, first, last);
        set_bits(used_, first, last, true);
        set_bits(managed_, first, last, false);
    }
    set_bits(used_, 0, 1, true);  // a null physical address is never a frame
    set_bits(managed_, 0, 1, false);
    set_bits(used_, meta, meta + meta_pages, true);
    set_bits(managed_, meta, meta + meta_pages, false);

    free_pages_ = count_free(base_frame_, end_frame_);
    total_pages_ = free_pages_;
    next_fit_ = base_frame_;
    return {};
}

Result<PhysAddr> PhysicalMemoryManager::alloc_pages(usize count, u64 alignment) {
    if (count == 0) return make_error(Status::invalid, "pmm: zero pages");
    if (alignment < kPageSize || (alignment & (alignment - 1)) != 0)
        return make_error(Status::invalid, "pmm: alignment not a power of two >= 4 KiB");
    if (!initialized()) return make_error(Status::no_memory, "pmm: not initialized");

    IrqGuard guard;
    if (count > free_pages_) return make_error(Status::no_memory, "pmm: out of frames");
    const u64 align_frames = alignment / kPageSize;
    const u64 start = next_fit_ < end_frame_ ? next_fit_ : base_frame_;
    u64 found = find_run(start, end_frame_, count, align_frames);
    if (found == end_frame_) {
        // Wrap around: a run starting below `start` ends before start + count.
        const u64 limit = start + count - 1 < end_frame_ ? start + count - 1 : end_frame_;
        found = find_run(base_frame_, limit, count, align_frames);
        if (found == limit) return make_error(Status::no_memory, "pmm: no free run of that size");
    }
    set_bits(used_, found, found + count, true);
    free_pages_ -= count;
    next_fit_ = found + count;
    return PhysAddr(found * kPageSize);
}

void PhysicalMemoryManager::free_pages(PhysAddr base, usize count) {
    if (!base.page_aligned())
        panic("pmm: free of unaligned address %#llx", static_cast<ull>(base.value()));
    if (count == 0) panic("pmm: free of zero pages at %#llx", static_cast<ull>(base.value()));
    const u64 first = base.value() / kPageSize;
    if (!initialized() || first < base_frame_ || first >= end_frame_ || count > end_frame_ - first)
        panic("pmm: free of %zu pages at %#llx outside managed memory", count,
              static_cast<ull>(base.value()));

    IrqGuard guard;
    // Check every frame before changing any, so the bitmap stays intact.
    for (u64 f = first; f < first + count; ++f) {
        if (!bit(managed_, f))
            panic("pmm: free of frame %#llx that it never managed (reserved, hole or metadata)",
                  static_cast<ull>(f * kPageSize));
        if (!bit(used_, f)) panic("pmm: double free of frame %#llx", static_cast<ull>(f * kPageSize));
    }
    set_bits(used_, first, first + count, false);
    free_pages_ += count;
}

bool PhysicalMemoryManager::is_free(PhysAddr frame) const {
    const u64 f = frame.value() / kPageSize;
    if (!initialized() || f < base_frame_ || f >= end_frame_) return false;
    return !bit(used_, f);
}

} // namespace celos
